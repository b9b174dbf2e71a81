"use strict";
// Streamlit's component protocol (the messages streamlit-component-lib sends) and the page around
// the frame (its height, its address bar). Nothing else in the views talks to Streamlit.
const Protocol = (() => {
  function send(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra || {}), "*");
  }

  function ready() {
    send("streamlit:componentReady", {apiVersion: 1});
  }

  // Calls back with the spec each time Streamlit renders the component.
  function onRender(callback) {
    window.addEventListener("message", (event) => {
      if (event.data && event.data.type === "streamlit:render") callback(event.data.args.spec);
    });
  }

  function sendValue(value) {
    send("streamlit:setComponentValue", {value: value, dataType: "json"});
  }

  // A function that tells Streamlit the content's own height (not the document's, which is at least
  // the frame's: asking for the frame's height plus a margin would grow the frame, and Streamlit
  // answers each change with a render). It sends nothing when the height barely moved.
  function heightReporter(content) {
    let sent = 0;
    return () => {
      const height = Math.ceil(content.getBoundingClientRect().height) + 8;
      if (Math.abs(height - sent) < 2) return;
      sent = height;
      send("streamlit:setFrameHeight", {height: height});
    };
  }

  // A function that writes the step into the address bar (after a pause), so a copied link opens there.
  function stepRememberer() {
    let timer = null;
    return (k) => {
      clearTimeout(timer);
      timer = setTimeout(() => writeStep(k), 400);
    };
  }

  function writeStep(k) {
    try {
      const url = new URL(window.parent.location.href);
      url.searchParams.set("step", String(k));
      window.parent.history.replaceState(window.parent.history.state, "", url.toString());
    } catch (e) { /* another origin: nothing to update */ }
  }

  // The lecturer's window height (presenter mode sizes the views from it).
  function screenHeight() {
    try { return window.parent.innerHeight || 900; } catch (e) { return 900; }
  }

  return {ready, onRender, sendValue, heightReporter, stepRememberer, screenHeight};
})();
