"use strict";
// The step control: play/pause, step, speed, keys. It runs in the browser and never reruns the
// script; showing a step is the caller's (onShow(k)).
const Player = (() => {
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
    playButton("⏸ Pause", "pause");
    player.raf = requestAnimationFrame((t) => tick(player, t));
  }

  function pause(player) {
    player.playing = false;
    if (player.raf) cancelAnimationFrame(player.raf);
    playButton("▶ Play", "play");
  }

  function playButton(text, label) {
    const button = document.getElementById("play");
    button.textContent = text;
    button.setAttribute("aria-label", label);
  }

  function toggle(player) {
    if (player.playing) pause(player); else play(player);
  }

  function jump(player, k) {
    pause(player);
    show(player, k);
  }

  // The buttons, the slider and the keys inside the views.
  function bind(player) {
    const click = (id, action) => { document.getElementById(id).onclick = action; };
    click("play", () => toggle(player));
    click("first", () => jump(player, 0));
    click("back", () => jump(player, player.k - 1));
    click("forward", () => jump(player, player.k + 1));
    click("lastb", () => jump(player, player.last));
    document.getElementById("slider").oninput = (e) => jump(player, Number(e.target.value));
    document.addEventListener("keydown", (e) => {
      const tag = e.target.tagName;
      if (tag === "SELECT" || (tag === "INPUT" && e.target.type !== "range")) return;
      onKey(player, e);
    });
  }

  // ← → Space Home End.
  function onKey(player, e) {
    const keys = {ArrowRight: () => jump(player, player.k + 1), ArrowLeft: () => jump(player, player.k - 1),
                  " ": () => toggle(player), Home: () => jump(player, 0), End: () => jump(player, player.last)};
    if (keys[e.key] && player.ready) { e.preventDefault(); keys[e.key](); }
  }

  // The keys wherever the lecturer's focus is on the page around the views, except while typing.
  function bindParent(player) {
    window.parent.document.addEventListener("keydown", (e) => {
      const t = e.target, tag = t && t.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
      if (t && t.getAttribute && t.getAttribute("role") === "slider") return;
      onKey(player, e);
    });
  }

  return {create, show, play, pause, bind, bindParent};
})();
