"use strict";
// The step control: play/pause, step, speed, keys. It runs in the browser and never reruns the
// script; showing a step is the caller's (onShow(k)).
//
// The keys ← → Space Home End belong to the views wherever the focus is, except where a person
// types or drags a value:
//   - text and number inputs, text areas and an open drop-down list keep every key; a drop-down
//     gives them back once the choice is made (the bar's speed is blurred on change; a closed
//     combo box, Streamlit's selectbox after its choice, is a control like a button);
//   - sliders (the learning rate, the steps) keep ← → Home End, which move them; Space plays;
//   - buttons, checkboxes, radio buttons and toggles (Streamlit's and the bar's) never see these
//     keys: a clicked control keeps the focus, and Space would toggle it, an arrow would move a
//     radio's choice and rerun the script. The page's listener runs in the capture phase, handles
//     the key and stops it before the control gets it.
const Player = (() => {
  const KEYS = ["ArrowRight", "ArrowLeft", " ", "Home", "End"];
  const CONTROL_ROLES = ["button", "checkbox", "radio", "switch", "tab", "menuitemcheckbox", "menuitemradio"];
  const TYPING_ROLES = ["combobox", "listbox", "option", "textbox", "searchbox", "spinbutton"];

  function create(onShow) {
    return {k: 0, last: 0, playing: false, ready: false, raf: null, lastTick: 0, onShow: onShow};
  }

  function show(player, k) {
    player.k = Math.max(0, Math.min(player.last, Math.round(k)));
    player.onShow(player.k);
  }

  function speed(player) {
    const v = document.getElementById("speed").value;
    return v === "run5" ? Math.max(1, player.last / 5) : Number(v);
  }

  function tick(player, now) {
    if (!player.playing) return;
    const dt = (now - player.lastTick) / 1000, rate = speed(player);
    if (dt >= 1 / Math.min(rate, 60)) {
      player.lastTick = now;
      if (player.k >= player.last) { pause(player); return; }
      show(player, Math.min(player.last, player.k + Math.max(1, Math.round(rate * dt))));
    }
    player.raf = requestAnimationFrame((t) => tick(player, t));
  }

  function play(player) {
    if (player.k >= player.last) show(player, 0);
    player.playing = true;
    player.lastTick = performance.now();
    playButton("pause");
    player.raf = requestAnimationFrame((t) => tick(player, t));
  }

  function pause(player) {
    player.playing = false;
    if (player.raf) cancelAnimationFrame(player.raf);
    playButton("play");
  }

  // The play button: an icon drawn here (no font on the lecturer's machine needs a ⏸ glyph) and a word.
  const SVG = "http://www.w3.org/2000/svg";
  function icon(kind) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "icon");
    const shapes = kind === "pause" ? [["rect", {x: 3, y: 2, width: 3.6, height: 12, rx: 0.6}],
                                        ["rect", {x: 9.4, y: 2, width: 3.6, height: 12, rx: 0.6}]]
                                     : [["path", {d: "M4 2 L14 8 L4 14 Z"}]];
    for (const [tag, attrs] of shapes) {
      const shape = document.createElementNS(SVG, tag);
      for (const [name, value] of Object.entries(attrs)) shape.setAttribute(name, String(value));
      shape.setAttribute("fill", "currentColor");
      svg.append(shape);
    }
    return svg;
  }

  function playButton(kind) {
    const button = document.getElementById("play");
    const word = document.createElement("span");
    word.textContent = kind === "pause" ? "Pause" : "Play";
    button.replaceChildren(icon(kind), word);
    button.setAttribute("aria-label", kind);
    button.dataset.state = kind;
  }

  function toggle(player) {
    if (player.playing) pause(player); else play(player);
  }

  function jump(player, k) {
    pause(player);
    show(player, k);
  }

  // What the focused element does with the keys: "typing" keeps them all, "slider" keeps its
  // arrows, Home and End; "control" and "page" give them to the views.
  function keyTarget(t) {
    if (!t || !t.tagName) return "page";
    const tag = t.tagName, role = (t.getAttribute && t.getAttribute("role")) || "";
    const type = String(t.type || "").toLowerCase();
    if (role === "combobox" && t.getAttribute("aria-expanded") !== "true") return "control";   // its choice is made
    if (t.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" || TYPING_ROLES.includes(role)) return "typing";
    if (tag === "INPUT") {
      if (["checkbox", "radio", "button", "submit", "reset", "image"].includes(type)) return "control";
      return type === "range" ? "slider" : "typing";
    }
    if (role === "slider") return "slider";
    if (tag === "BUTTON" || tag === "SUMMARY" || CONTROL_ROLES.includes(role)) return "control";
    return "page";
  }

  // ← → Space Home End; true when the key was the views'.
  function onKey(player, e) {
    const keys = {ArrowRight: () => jump(player, player.k + 1), ArrowLeft: () => jump(player, player.k - 1),
                  " ": () => toggle(player), Home: () => jump(player, 0), End: () => jump(player, player.last)};
    if (!keys[e.key] || !player.ready || e.ctrlKey || e.altKey || e.metaKey) return false;
    e.preventDefault();
    e.stopPropagation();
    keys[e.key]();
    return true;
  }

  // A button or checkbox acts on Space's keyup (Firefox even when the keydown was cancelled).
  function swallowSpaceUp(e) {
    if (e.key === " " && keyTarget(e.target) === "control") { e.preventDefault(); e.stopPropagation(); }
  }

  // The buttons, the slider and the keys inside the views (the bar's own slider is the step: its
  // arrows step, whichever element handles them).
  function bind(player) {
    const click = (id, action) => { document.getElementById(id).onclick = action; };
    click("play", () => toggle(player));
    click("first", () => jump(player, 0));
    click("back", () => jump(player, player.k - 1));
    click("forward", () => jump(player, player.k + 1));
    click("lastb", () => jump(player, player.last));
    playButton("play");
    document.getElementById("slider").oninput = (e) => jump(player, Number(e.target.value));
    const speedBox = document.getElementById("speed");
    speedBox.addEventListener("change", () => speedBox.blur());   // the choice is made: the keys step again
    document.addEventListener("keydown", (e) => {
      if (KEYS.includes(e.key) && keyTarget(e.target) !== "typing") onKey(player, e);
    }, true);
    document.addEventListener("keyup", swallowSpaceUp, true);
  }

  // The keys wherever the lecturer's focus is on the page around the views (see the top of this
  // file), in the capture phase so that a focused control never sees them. The listeners go away
  // with this frame.
  function bindParent(player) {
    const doc = window.parent.document;
    // A choice made in a drop-down of the page (a click on an option, or Enter): the box lets go of
    // the focus, so the keys are the steps' again.
    const letGo = () => setTimeout(() => {
      const a = doc.activeElement;
      if (a && a.getAttribute && a.getAttribute("role") === "combobox") a.blur();
    }, 0);
    const chosen = (e) => { if (e.target && e.target.closest && e.target.closest("[role='option']")) letGo(); };
    const down = (e) => {
      if (!window.frameElement || !window.frameElement.isConnected) { unbind(); return; }
      if (e.key === "Enter" && e.target && e.target.getAttribute && e.target.getAttribute("role") === "combobox") letGo();
      if (!KEYS.includes(e.key)) return;
      const kind = keyTarget(e.target);
      if (kind === "typing" || (kind === "slider" && e.key !== " ")) return;
      onKey(player, e);
    };
    const up = (e) => swallowSpaceUp(e);
    function unbind() {
      doc.removeEventListener("keydown", down, true);
      doc.removeEventListener("keyup", up, true);
      doc.removeEventListener("click", chosen, true);
    }
    doc.addEventListener("keydown", down, true);
    doc.addEventListener("keyup", up, true);
    doc.addEventListener("click", chosen, true);
    window.addEventListener("pagehide", unbind);
  }

  return {create, show, play, pause, bind, bindParent, keyTarget};
})();
