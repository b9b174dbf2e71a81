"use strict";
// What the views say to a screen reader, and the page's keys and motion: a polite live region that
// says each step's state in words when a person steps (never every frame while playing), a text
// alternative for each view (what is drawn, the optimum, where the path is), the maths panel
// reachable and scrollable by keys, a visible focus, and no animated transitions under
// prefers-reduced-motion. It reads what main.js shows (the step label, window.gdviz) and changes
// no view: every sentence is made from the same frame the maths panel shows (Frames.stepFrame).
const Accessibility = (() => {
  const VIEWS = {surface: "3-D loss surface", contour: "Contour map of the loss", data: "Data view",
                 loss: "Loss at each step", eigen: "Error along each eigen-direction", sweep: "Learning-rate sweep"};
  const STYLE = [
    ".gdviz-sr { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;",
    "  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; }",
    ":focus-visible { outline: 3px solid var(--ink); outline-offset: 2px; }",
    "#panel:focus-visible { outline-offset: -3px; }",
    "@media (prefers-reduced-motion: reduce) {",
    "  *, *::before, *::after { transition: none !important; animation: none !important; scroll-behavior: auto !important; }",
    "}",
  ].join("\n");

  function fmt(v) {
    return typeof Panel !== "undefined" ? Panel.fmt(v, 3) : String(v);
  }

  function metric(frame, test) {
    const found = frame && frame.panel && frame.panel.metrics.find((m) => test(m.label));
    return found ? found.value : null;
  }

  function weight(frame) {
    const m = frame && frame.panel && frame.panel.metrics[0];
    return m && /^w/.test(m.label) ? m : null;
  }

  const isB = (label) => label === "b";
  const isLoss = (label) => /^loss/.test(label);

  // The gradient at the step, (∂L/∂w, ∂L/∂b): the maths panel's ∇L rows (class "g"), else the
  // contour's ∇L arrow (the first arrow: from the point along ∇L).
  function gradient(frame) {
    const rows = ((frame.panel && frame.panel.rows) || []).filter((row) => String(row.cls || "").split(" ")
      .includes("g") && !String(row.cls).includes("derive"));
    const last = (row) => {
      const numbers = [];
      const walk = (part) => {
        if (part && typeof part === "object") {
          if ("n" in part) numbers.push(part.n);
          else if ("vec" in part) numbers.push(...[].concat(part.vec));
          else if ("parts" in part) part.parts.forEach(walk);
        }
      };
      row.parts.forEach(walk);
      return numbers.length ? numbers[numbers.length - 1] : null;
    };
    if (rows.length >= 2) {
      const g = [last(rows[0]), last(rows[rows.length - 1])];
      if (g.every((v) => typeof v === "number" && isFinite(v))) return g;
    }
    const arrow = frame.annotations && frame.annotations.contour && frame.annotations.contour[0];
    return arrow ? [arrow.x - arrow.ax, arrow.y - arrow.ay] : null;
  }

  // "up and to the left": w across, b up, as the contour map draws them.
  function direction(g) {
    if (!g) return "";
    const [gw, gb] = g, size = Math.hypot(gw, gb);
    if (!(size > 0)) return "the gradient is zero here";
    const across = Math.abs(gw) > 0.2 * size ? (gw > 0 ? "right" : "left") : "";
    const up = Math.abs(gb) > 0.2 * size ? (gb > 0 ? "up" : "down") : "";
    const where = up && across ? `${up} and to the ${across}` : up || `to the ${across}`;
    return `the gradient points ${where}, so the step goes the other way`;
  }

  // "step 12 of 100: w 1.84, b −0.62, loss 1.07, falling; the gradient points down and to the left".
  function sentence(api, k) {
    const state = api.state, frame = api.frameAt(k);
    const w = weight(frame), b = metric(frame, isB), loss = metric(frame, isLoss);
    const parts = [];
    if (w) parts.push(`${w.label} ${fmt(w.value)}`);
    if (b !== null) parts.push(`b ${fmt(b)}`);
    if (loss !== null) {
      let text = `loss ${fmt(loss)}`;
      if (k > 0) {
        const before = metric(api.frameAt(k - 1), isLoss);
        if (before !== null && isFinite(before) && isFinite(loss)) {
          text += loss < before ? ", falling" : loss > before ? ", rising" : ", level";
        }
      }
      parts.push(text);
    }
    const where = direction(gradient(frame));
    return `step ${k} of ${state.last}: ${parts.join(", ")}${where ? "; " + where : ""}`;
  }

  // A view's figure title, from the spec (JSON strings of Plotly figures).
  function titleOf(spec, name) {
    try {
      const fig = JSON.parse(spec.figures[name]);
      const title = fig.layout && fig.layout.title;
      return String((title && (title.text || title)) || "");
    } catch (e) { return ""; }
  }

  function optimumText(spec) {
    const run = spec.run || {}, opt = run.optimum;
    if (!Array.isArray(opt) || opt.length < 2) return "";
    const f = run.feature || 0, w = Array.isArray(opt[0]) ? opt[0][f] : opt[f < opt.length - 1 ? f : 0];
    const b = opt[opt.length - 1];
    if (typeof w !== "number" || typeof b !== "number") return "";
    return `The optimum (least squares), marked by a yellow star, is at w ${fmt(w)}, b ${fmt(b)}.`;
  }

  // What each view shows at step k, in words (a screen reader reads it with the view).
  function describe(api, k) {
    const spec = api.state.spec, frame = api.frameAt(k), start = api.frameAt(0);
    const w = weight(frame), b = metric(frame, isB), loss = metric(frame, isLoss);
    const w0 = weight(start), b0 = metric(start, isB), loss0 = metric(start, isLoss);
    const label = (spec.run && spec.run.optimizer_label) || "the run";
    const at = w && b !== null ? `w ${fmt(w.value)}, b ${fmt(b)}` : "";
    const from = w0 && b0 !== null ? `w ${fmt(w0.value)}, b ${fmt(b0)}` : "";
    const path = `The path of ${label} starts at ${from} and at step ${k} of ${api.state.last} is at ${at}` +
                 (loss !== null ? `, loss ${fmt(loss)}.` : ".");
    const optimum = optimumText(spec);
    const out = {};
    for (const name of Object.keys(VIEWS)) {
      if (!spec.figures || spec.figures[name] === undefined) continue;
      const title = titleOf(spec, name);
      let text = `${title}.`;
      if (name === "surface") text += ` The loss as a height over w and b, coloured from dark (low) to yellow (high). ${optimum} ${path}`;
      else if (name === "contour") {
        text += ` The loss seen from above, rings of equal loss. ${optimum} ${path} The blue arrow is the gradient ∇L` +
                ` at this step and the green arrow the update; ${direction(gradient(frame))}.`;
      } else if (name === "data") {
        text += ` The data as points, and the model at step ${k}` + (at ? ` (${at}).` : ".");
      } else if (name === "loss") {
        text += loss0 !== null && loss !== null ? ` The loss falls from ${fmt(loss0)} at step 0 to ${fmt(loss)} at step ${k}.` : "";
      }
      out[name] = text;
    }
    return out;
  }

  function hidden(id, tag) {
    let node = document.getElementById(id);
    if (!node) {
      node = document.createElement(tag || "div");
      node.id = id;
      node.className = "gdviz-sr";
      (document.getElementById("content") || document.body).append(node);   // inside the main landmark
    }
    return node;
  }

  // Each view a named figure with its description; Plotly's mode-bar buttons named by their titles.
  function label(descriptions) {
    for (const [name, words] of Object.entries(VIEWS)) {
      const cell = document.getElementById(name);
      if (!cell) continue;
      cell.setAttribute("role", "figure");
      cell.setAttribute("aria-label", words);
      const text = descriptions[name];
      if (text) {
        hidden(`a11y-${name}`, "p").textContent = text;
        cell.setAttribute("aria-describedby", `a11y-${name}`);
      }
      for (const button of cell.querySelectorAll(".modebar-btn:not([aria-label])")) {
        button.setAttribute("aria-label", button.getAttribute("data-title") || "chart tool");
        button.setAttribute("role", "button");
      }
    }
  }

  // The maths panel scrolls: reachable by Tab, named, its scroll moved by the arrow keys.
  function panel() {
    const node = document.getElementById("panel");
    if (!node) return;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "region");
    node.setAttribute("aria-label", "The maths at this step");
  }

  // The live region, the style sheet, the motion preference and the maths panel's keys.
  function setup() {
    const style = document.createElement("style");
    style.textContent = STYLE;
    document.head.append(style);
    const live = hidden("a11y-status");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("aria-atomic", "true");
    const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
    const motion = () => { document.body.dataset.motion = reduced && reduced.matches ? "reduced" : "full"; };
    motion();
    if (reduced && reduced.addEventListener) reduced.addEventListener("change", motion);
    panel();
    const content = document.getElementById("content");
    if (content) content.setAttribute("role", "main");
    hidden("a11y-title", "h1").textContent = "Gradient descent, step by step: the views";
    return live;
  }

  // The words for the step on screen: the views' descriptions always, the live region's sentence
  // when ``announce`` (a person stepped, or Play stopped), once per step of a run.
  function update(watch, announce) {
    const api = window.gdviz, state = api && api.state;
    if (!state || !state.spec) return;
    const k = state.k;
    try {
      label(describe(api, k));
      document.getElementById("slider").setAttribute("aria-valuetext", `step ${k} of ${state.last}`);
      if (announce && !state.playing && watch.said !== `${state.runId}:${k}`) {
        watch.said = `${state.runId}:${k}`;
        watch.live.textContent = sentence(api, k);
      }
    } catch (e) { /* a spec being replaced: the next step says it */ }
  }

  // The step label changes with every step shown: wait until stepping stops a moment, then speak
  // (a held arrow key says its last step); while playing, only the step where Play stops. The
  // first step of a run is said only when a person asked for it (a key or a click just before):
  // the page opening is described, not said.
  function changed(watch, stopped) {
    const state = window.gdviz && window.gdviz.state;
    if (!state || !state.spec) return;
    const first = watch.run !== state.runId;
    watch.run = state.runId;
    if (state.playing) return;
    const asked = stopped || performance.now() - watch.input < 3000;
    clearTimeout(watch.timer);
    watch.timer = setTimeout(() => update(watch, asked && (!first || performance.now() - watch.input < 30000)), 250);
  }

  // A person's key or click, here or on the page around the views (its keys step them too).
  function listen(watch) {
    const mark = () => { watch.input = performance.now(); };
    const docs = [document];
    try { if (window.parent !== window && window.parent.document) docs.push(window.parent.document); } catch (e) { /* another origin */ }
    for (const doc of docs) for (const kind of ["keydown", "pointerdown"]) doc.addEventListener(kind, mark, true);
  }

  function start() {
    const watch = {live: setup(), timer: null, said: null, run: null, input: -Infinity};
    listen(watch);
    const observe = (node, options, callback) => { if (node) new MutationObserver(callback).observe(node, options); };
    observe(document.getElementById("steplabel"), {childList: true, characterData: true, subtree: true},
            () => changed(watch));
    observe(document.getElementById("play"), {attributes: true, attributeFilter: ["data-state"]},
            () => {   // Play stopped: pause after play (the button says it again at every new run)
              const now = document.getElementById("play").dataset.state, was = watch.play;
              watch.play = now;
              if (now !== was) changed(watch, now === "play" && was === "pause");
            });
    // Views drawn anew (a rerun, presenter mode) get their names and mode-bar labels again.
    observe(document.querySelector(".grid"), {childList: true, subtree: true}, () => {
      clearTimeout(watch.redraw);
      watch.redraw = setTimeout(() => update(watch, false), 400);
    });
    window.gdvizA11y = Object.freeze({sentence: (k) => sentence(window.gdviz, k), describe: (k) => describe(window.gdviz, k),
                                      refresh: () => update(watch, false)});
    setTimeout(() => update(watch, false), 0);
  }

  return {start, sentence, describe, direction};
})();
Accessibility.start();
