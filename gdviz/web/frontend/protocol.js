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

  // A function that writes a view's parameter into the address bar (after a pause), so a copied link
  // opens there: address(name, value), e.g. ("step", "6") or ("cam", "0.3,-2.1,0.8"). A rerun writes
  // the address from the script's own state and can drop them: a check each second puts back what
  // the views last wrote (it writes nothing while the address already says so). address(name, null)
  // forgets the name: the script's value stands (a new scene's camera, a new run's step). ours(params)
  // says whether the address is the one of the page on screen: after a scene change the script's new
  // link and the new scene's views arrive in either order, and nothing is written into a link that is
  // not the views' own (the last scene's step into the new scene's link, or the reverse).
  function addressWriter(ours) {
    const wanted = {};
    let timer = null;
    const write = () => writeAddress(wanted, ours);
    setInterval(write, 1000);
    return (name, value) => {
      if (value === null) { delete wanted[name]; return; }
      wanted[name] = String(value);
      clearTimeout(timer);
      timer = setTimeout(write, 400);
    };
  }

  function writeAddress(wanted, ours) {
    try {
      const url = new URL(window.parent.location.href);
      if (ours && !ours(url.searchParams)) return;
      const stale = Object.keys(wanted).filter((name) => url.searchParams.get(name) !== wanted[name]);
      if (!stale.length) return;
      for (const name of stale) url.searchParams.set(name, wanted[name]);
      window.parent.history.replaceState(window.parent.history.state, "", url.toString());
    } catch (e) { /* another origin: nothing to update */ }
  }

  // The lecturer's window height (presenter mode sizes the views from it).
  function screenHeight() {
    try { return window.parent.innerHeight || 900; } catch (e) { return 900; }
  }

  // How far down the lecturer's page this frame starts (scrolled to the top): what is above it does
  // not depend on the frame's own height, so sizing the views from it cannot feed back.
  function frameTop() {
    try {
      const frame = window.frameElement;
      if (!frame) return 0;
      let top = frame.getBoundingClientRect().top + (window.parent.scrollY || 0);
      for (let node = frame.parentElement; node; node = node.parentElement) top += node.scrollTop || 0;
      return Math.max(0, top);
    } catch (e) { return 0; }
  }

  return {ready, onRender, sendValue, heightReporter, addressWriter, screenHeight, frameTop};
})();
