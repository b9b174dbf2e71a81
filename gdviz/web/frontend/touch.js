"use strict";
// What a lecturer or a student does with the views besides stepping: drag a data point (one
// feature, the data drawn against its target), predict the next step before it is revealed, and
// move through a lesson's scenes with a presentation clicker (PageDown / PageUp). What goes back
// to Python goes through Protocol.sendValue, with the page's click counter:
//   {point: {row, x, y}, click}   a dragged point: the data set's row, where it was dropped (data units)
//   {scene: +1 | -1, click}       PageDown / PageUp while the spec carries a lesson
// Predicting sends nothing: it hides, then shows, what the spec already holds. In a class
// (class.js sets touch.room) a tap on the contours is the page's guess for the room instead, and
// the room's reveal shows the step.
const Touch = (() => {
  const NEAR = 12;          // px: a press this close to a drawn point picks it up
  const MARK = 7;           // px: the radius of the guess and the true point's rings
  const SVG = "http://www.w3.org/2000/svg";

  function create(page) {
    return {page: page, drag: null, ghost: null, sent: null, room: null,
            predict: {on: false, k: null, guess: null, truth: null, from: null, revealed: false, text: ""}};
  }

  function nextClick(touch) {
    touch.page.clicks += 1;
    return touch.page.clicks;
  }

  // ---------------------------------------------------------------- pixels and data units

  // The plot area of a Plotly view on screen: its axes and where it starts in client pixels.
  function area(gd) {
    const layout = gd._fullLayout;
    if (!layout || !layout.xaxis || !layout.yaxis) return null;
    const box = gd.getBoundingClientRect(), size = layout._size;
    return {xa: layout.xaxis, ya: layout.yaxis, left: box.left + size.l, top: box.top + size.t, w: size.w, h: size.h};
  }

  function toData(plot, clientX, clientY) {
    return [plot.xa.p2d(clientX - plot.left), plot.ya.p2d(clientY - plot.top)];
  }

  function toClient(plot, x, y) {
    return [plot.left + plot.xa.d2p(x), plot.top + plot.ya.d2p(y)];
  }

  // Shapes of this module (named "touch-…") replace each other; the figure's own shapes stay.
  function setShapes(gd, mine) {
    if (!gd.data) return Promise.resolve();
    const ours = (s) => String(s.name || "").startsWith("touch-");
    if (!mine.length && !(gd.layout.shapes || []).some(ours)) return Promise.resolve();   // nothing to clear: no redraw
    const keep = (gd.layout.shapes || []).filter((s) => !ours(s));
    return Plotly.relayout(gd, {shapes: keep.concat(mine)});
  }

  function ring(name, x, y, colour, filled) {
    return {name: name, type: "circle", xref: "x", yref: "y", xsizemode: "pixel", ysizemode: "pixel",
            xanchor: x, yanchor: y, x0: -MARK, x1: MARK, y0: -MARK, y1: MARK, layer: "above",
            line: {color: colour, width: 2.5}, fillcolor: filled ? colour : "white", opacity: 0.95};
  }

  function segment(name, from, to, colour, dash) {
    return {name: name, type: "line", xref: "x", yref: "y", x0: from[0], y0: from[1], x1: to[0], y1: to[1],
            layer: "above", line: {color: colour, width: 2.5, dash: dash}};
  }

  // ---------------------------------------------------------------- dragging a data point

  // Whether the data view's points may be dragged: the spec says (one feature against its target);
  // a spec without the key: one feature drawn against its target.
  function editable(spec) {
    if (!spec) return false;
    if (spec.editable !== undefined) return Boolean(spec.editable);
    return spec.run.data_view === "feature" && spec.run.d === 1;
  }

  // The drawn point nearest the pointer within NEAR px: {i, row} or null.
  function pick(touch, clientX, clientY) {
    const gd = document.getElementById("data"), plot = area(gd), model = touch.page.model;
    if (!plot || !model || !model.rows.x) return null;
    const xs = model.rows.x.values, ys = model.rows.y.values;
    let best = null, bestDistance = NEAR;
    for (let i = 0; i < xs.length; i++) {
      const [px, py] = toClient(plot, xs[i], ys[i]);
      const distance = Math.hypot(px - clientX, py - clientY);
      if (distance <= bestDistance) { best = i; bestDistance = distance; }
    }
    if (best === null) return null;
    const index = touch.page.spec.rows && touch.page.spec.rows.index;
    return {i: best, row: index ? index[best] : best};
  }

  // Where the dragged point is now, kept inside the plot area (data units).
  function dropAt(plot, clientX, clientY) {
    const x = Math.min(Math.max(clientX, plot.left), plot.left + plot.w);
    const y = Math.min(Math.max(clientY, plot.top), plot.top + plot.h);
    return toData(plot, x, y);
  }

  // The moved point as a ring where it is, a dashed line back to where it was.
  function drawGhost(touch) {
    const drag = touch.drag || touch.ghost, colours = touch.page.spec.looks.colours;
    if (!drag || !drag.at) return setShapes(document.getElementById("data"), []);
    return setShapes(document.getElementById("data"), [
      segment("touch-moved-from", drag.from, drag.at, colours.update, "dot"),
      ring("touch-moved", drag.at[0], drag.at[1], colours.update, true)]);
  }

  function pointer(e) {
    const p = e.touches && e.touches.length ? e.touches[0] : (e.changedTouches && e.changedTouches[0]) || e;
    return [p.clientX, p.clientY];
  }

  function startDrag(touch, e) {
    if (touch.drag || !editable(touch.page.spec) || (e.button !== undefined && e.button !== 0)) return;
    const [cx, cy] = pointer(e), found = pick(touch, cx, cy);
    if (!found) return;
    e.preventDefault();
    e.stopPropagation();   // Plotly's zoom box never starts
    const model = touch.page.model;
    touch.drag = {row: found.row, from: [model.rows.x.values[found.i], model.rows.y.values[found.i]], at: null,
                  start: [cx, cy], plot: area(document.getElementById("data")), frame: 0};
    document.body.classList.add("touch-dragging");
  }

  function moveDrag(touch, e) {
    const drag = touch.drag;
    if (!drag) return;
    e.preventDefault();   // no scrolling, no text selected while a point moves
    const [cx, cy] = pointer(e);
    drag.at = dropAt(drag.plot, cx, cy);
    drag.moved = drag.moved || Math.hypot(cx - drag.start[0], cy - drag.start[1]) > 2;
    if (!drag.frame) drag.frame = requestAnimationFrame(() => { drag.frame = 0; if (touch.drag === drag) drawGhost(touch); });
  }

  function endDrag(touch, e) {
    const drag = touch.drag;
    if (!drag) return;
    e.preventDefault();
    touch.drag = null;
    document.body.classList.remove("touch-dragging");
    const [cx, cy] = pointer(e);
    if (!drag.moved) { touch.ghost = null; drawGhost(touch); return; }
    drag.at = dropAt(drag.plot, cx, cy);
    touch.ghost = drag;   // shown until the views are drawn again (the edited data's run)
    drawGhost(touch);
    touch.sent = {point: {row: drag.row, x: drag.at[0], y: drag.at[1]}, click: nextClick(touch)};
    Protocol.sendValue(touch.sent);
  }

  // A hand cursor over a point that can be picked up.
  function hover(touch, e) {
    if (touch.drag) return;
    const near = editable(touch.page.spec) && pick(touch, e.clientX, e.clientY) !== null;
    document.getElementById("data").classList.toggle("touch-grab", near);
  }

  function bindDrag(touch) {
    const gd = document.getElementById("data"), options = {capture: true, passive: false};
    gd.addEventListener("mousedown", (e) => startDrag(touch, e), true);
    gd.addEventListener("touchstart", (e) => startDrag(touch, e), options);
    gd.addEventListener("mousemove", (e) => hover(touch, e));
    window.addEventListener("mousemove", (e) => moveDrag(touch, e), true);
    window.addEventListener("touchmove", (e) => moveDrag(touch, e), options);
    window.addEventListener("mouseup", (e) => endDrag(touch, e), true);
    window.addEventListener("touchend", (e) => endDrag(touch, e), options);
  }

  // ---------------------------------------------------------------- predict, then reveal

  // The point shown at step k and the one after it, on the contours' axes; next is null when k is
  // the last step in view (nothing to predict).
  function stepPoints(touch, k) {
    const model = touch.page.model, view = model.clocks[0].view;
    const point = (j) => {
      const p = Frames.stepFrame(model, j).traces.contour["current-point"];
      return [p.x[0], p.y[0]];
    };
    return {from: point(Math.min(k, view)), next: k < view ? point(k + 1) : null};
  }

  // The frame at k with what gives step k+1 away taken out: the update and gradient arrows at k
  // (contours and 3-D view), the last gradient arrow of the arrows so far, and the update rows'
  // results in the maths panel (shown as "?").
  function hide(frame, from) {
    const traces = {};
    for (const [view, uids] of Object.entries(frame.traces)) {
      traces[view] = {};
      for (const [uid, attrs] of Object.entries(uids)) {
        if (uid === "current-update" || uid === "current-gradient") {
          traces[view][uid] = Object.fromEntries(Object.keys(attrs).map((a) => [a, []]));
        } else if (uid === "gradients") {
          traces[view][uid] = Object.fromEntries(Object.entries(attrs).map(([a, v]) => [a, v.slice(0, -3)]));
        } else traces[view][uid] = attrs;
      }
    }
    const annotations = Object.assign({}, frame.annotations);
    if (annotations.contour) annotations.contour = annotations.contour.filter((a) => !(a.ax === from[0] && a.ay === from[1]));
    const rows = frame.panel.rows.map((row) => (row.cls === "u" || row.cls === "s" ? hideResult(row) : row));
    return Object.assign({}, frame, {traces: traces, annotations: annotations, panel: Object.assign({}, frame.panel, {rows: rows})});
  }

  function hideResult(row) {
    const parts = row.parts.slice();
    for (let i = parts.length - 1; i >= 0; i--) {
      if (typeof parts[i] !== "string") { parts[i] = {span: "n", parts: ["?"]}; break; }
    }
    return Object.assign({}, row, {parts: parts});
  }

  // main.js: the frame to show at step k (unchanged unless the next step is hidden).
  function frame(touch, frameAtK) {
    const predict = touch.predict;
    if (predict.k !== frameAtK.k || predict.run !== touch.page.runId) {   // another step, or another run
      predict.run = touch.page.runId;
      Object.assign(predict, {k: frameAtK.k, guess: null, truth: null, revealed: false, text: "", distance: null, length: null});
    }
    if (!predict.on || !touch.page.model) return frameAtK;
    const points = stepPoints(touch, frameAtK.k);
    predict.from = points.from;
    predict.truth = points.next;
    if (!points.next) { say(touch, "The last step in view: there is no next step to predict."); return frameAtK; }
    if (predict.revealed) return frameAtK;
    if (!predict.guess) say(touch, `Where does step ${frameAtK.k + 1} land? Click on the contours.`);
    return hide(frameAtK, points.from);
  }

  // The contours' title: the figure's own ("click to start there"), or, while predicting, what a
  // click does now (it never starts a run then).
  function title(touch) {
    const predict = touch.predict;
    if (!predict.on) return touch.figTitle;
    if (!predict.truth) return "Contours · the last step in view";
    if (predict.revealed) return `Contours · step ${predict.k + 1} revealed (→ next)`;
    return `Contours · click where step ${predict.k + 1} lands`;
  }

  function setTitle(touch, gd) {
    const text = title(touch), now = gd.layout && gd.layout.title && gd.layout.title.text;
    if (!gd.data || text === undefined || text === null || text === now) return;
    touch.ownTitle = text;
    Plotly.relayout(gd, {"title.text": text});
  }

  // main.js, after a step is shown: the guess and the truth drawn (or cleared).
  function shown(touch) {
    const predict = touch.predict, colours = touch.page.spec.looks.colours;
    const gd = document.getElementById("contour");
    setTitle(touch, gd);
    if (!predict.on) { say(touch, ""); return setShapes(gd, []); }
    const shapes = [];
    if (predict.revealed && predict.truth) {
      shapes.push(segment("touch-step", predict.from, predict.truth, colours.update, "solid"));
      if (predict.guess) shapes.push(segment("touch-miss", predict.guess, predict.truth, colours.grad, "dash"));
      shapes.push(ring("touch-truth", predict.truth[0], predict.truth[1], colours.path, true));
    }
    if (predict.guess) shapes.push(ring("touch-guess", predict.guess[0], predict.guess[1], colours.grad, false));
    return setShapes(gd, shapes);
  }

  // main.js: a click on the contours. In predict mode it places the guess (and reveals the step);
  // true when the click was taken, so that it does not start a new run.
  function contourClick(touch, event) {
    const predict = touch.predict;
    if (!predict.on) return false;
    const mouse = event && event.event, plot = area(document.getElementById("contour"));
    if (!predict.truth || !plot) return true;
    const p = event.points && event.points[0];
    const guess = mouse && typeof mouse.clientX === "number" ? toData(plot, mouse.clientX, mouse.clientY) : [p.x, p.y];
    if (touch.room && touch.room.guess(guess)) return true;   // a class's question: class.js posts it, the room reveals
    predict.guess = guess;
    predict.revealed = true;
    const miss = Math.hypot(predict.guess[0] - predict.truth[0], predict.guess[1] - predict.truth[1]);
    const length = Math.hypot(predict.truth[0] - predict.from[0], predict.truth[1] - predict.from[1]);
    predict.distance = miss;
    predict.length = length;
    say(touch, `Your guess was ${Panel.fmt(miss, 3)} from the true step ${predict.k + 1} ` +
               `(the step was ${Panel.fmt(length, 3)} long). ${explain(touch.page.spec.run, predict.k)} → moves on.`);
    touch.page.player.onShow(touch.page.player.k);   // the same step again, now whole
    return true;
  }

  // class.js: this page's guess is in the room's hands (shown, not revealed, changeable until the reveal).
  function guessed(touch, guess, text) {
    touch.predict.guess = guess;
    say(touch, text);
    touch.page.player.onShow(touch.page.player.k);
  }

  // class.js: the room's reveal: the true step on the contours, this page's guess (the lecturer's: the
  // class's mean) and the room's sentence.
  function revealed(touch, guess, text) {
    Object.assign(touch.predict, {guess: guess, revealed: true});
    say(touch, text);
    touch.page.player.onShow(touch.page.player.k);
  }

  // Why the step went where it did, in the optimizer's own words: Python's description of it
  // (gdviz.optimizers.DESCRIPTIONS' "why", with the run's μ, β₁, β₂ filled in).
  function explain(run, k) {
    const batch = run.batch_size ? " (the update used a mini-batch's gradient, not the full one drawn)" : "";
    return `The gradient arrow at step ${k} ${run.why}${batch}.`;
  }

  function say(touch, text) {
    touch.predict.text = text;
    const node = document.getElementById("guess");
    if (node) node.textContent = text;
  }

  // The bar's "predict" toggle: on hides the next step, off shows everything again.
  function toggle(touch, on) {
    const predict = touch.predict, button = document.getElementById("predict");
    predict.on = on === undefined ? !predict.on : Boolean(on);
    Object.assign(predict, {guess: null, truth: null, revealed: false, distance: null, length: null});
    button.setAttribute("aria-pressed", String(predict.on));
    button.classList.toggle("on", predict.on);
    if (predict.on) Player.pause(touch.page.player);
    if (touch.page.spec) touch.page.player.onShow(touch.page.player.k);
  }

  // A crosshair icon, drawn here like the play button's.
  function icon() {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "icon");
    for (const [tag, attrs] of [["circle", {cx: 8, cy: 8, r: 5.2}], ["path", {d: "M8 0.5 V4 M8 12 V15.5 M0.5 8 H4 M12 8 H15.5"}]]) {
      const shape = document.createElementNS(SVG, tag);
      for (const [name, value] of Object.entries(attrs)) shape.setAttribute(name, String(value));
      shape.setAttribute("fill", "none");
      shape.setAttribute("stroke", "currentColor");
      shape.setAttribute("stroke-width", "1.8");
      svg.append(shape);
    }
    return svg;
  }

  // ---------------------------------------------------------------- the clicker

  // PageDown / PageUp move through a lesson's scenes from anywhere (not while typing a long text);
  // without a lesson they scroll as usual.
  function clicker(touch, e) {
    const spec = touch.page.spec, move = {PageDown: 1, PageUp: -1}[e.key];
    if (!move || !spec || !spec.lesson || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey) return;
    if (typing(e.target)) return;
    e.preventDefault();
    e.stopPropagation();
    touch.sent = {scene: move, click: nextClick(touch)};
    Protocol.sendValue(touch.sent);
    Player.pause(touch.page.player);   // the scene being left stops playing: its steps would hold up the next one's
    const next = spec.lesson.k + move;
    if (next >= 1 && next <= spec.lesson.n) Views.leave(touch.page.views);
    letGo();
  }

  // A new scene: whatever control was clicked in the last one lets go of the focus, so ← → Space
  // End step the new scene's run (a slider or a radio would otherwise keep its arrows).
  function letGo() {
    const docs = [document];
    try { if (window.parent !== window) docs.push(window.parent.document); } catch (e) { /* another origin */ }
    for (const doc of docs) {
      const a = doc.activeElement;
      if (a && a !== doc.body && !(a.tagName === "IFRAME") && typeof a.blur === "function") a.blur();
    }
  }

  // Where PageDown / PageUp belong to a person typing words: a text area, an editable element, a
  // one-line text field (not a combo box: a clicked drop-down list, like any clicked control, gives
  // the keys to the clicker).
  function typing(t) {
    if (!t || !t.tagName) return false;
    if (t.isContentEditable || t.tagName === "TEXTAREA") return true;
    const words = ["text", "search", "email", "url", "password", "tel"].includes(String(t.type || "").toLowerCase());
    return t.tagName === "INPUT" && words && t.getAttribute("role") !== "combobox";
  }

  // The clicker on this document and, when embedded, on the page around the frame (capture phase:
  // a focused control never sees the keys). The parent's listener goes away with the frame.
  function bindKeys(touch) {
    document.addEventListener("keydown", (e) => clicker(touch, e), true);
    let doc = null;
    try { doc = window.parent !== window ? window.parent.document : null; } catch (e) { doc = null; }
    if (!doc) return;
    const down = (e) => {
      if (!window.frameElement || !window.frameElement.isConnected) { doc.removeEventListener("keydown", down, true); return; }
      clicker(touch, e);
    };
    doc.addEventListener("keydown", down, true);
    window.addEventListener("pagehide", () => doc.removeEventListener("keydown", down, true));
  }

  // ---------------------------------------------------------------- wiring

  // Once: the predict button, dragging in the data view, the clicker.
  function bind(touch) {
    const button = document.getElementById("predict");
    button.replaceChildren(icon(), Object.assign(document.createElement("span"), {textContent: "Predict"}));
    button.onclick = () => toggle(touch);
    bindDrag(touch);
    bindKeys(touch);
  }

  // main.js, after the views were drawn: a ghost of a dragged point goes with the old drawing.
  // The contours' own title is read here too (a title this module set is not the figure's).
  function drawn(touch, count) {
    if (count > 0) touch.ghost = null;
    const gd = document.getElementById("contour"), text = gd.layout && gd.layout.title && gd.layout.title.text;
    if (text !== undefined && text !== touch.ownTitle) touch.figTitle = text;
  }

  function state(touch) {
    const p = touch.predict;
    return Object.freeze({on: p.on, k: p.k, guess: p.guess, truth: p.truth, from: p.from, revealed: p.revealed,
                          distance: p.distance === undefined ? null : p.distance,
                          length: p.length === undefined ? null : p.length, text: p.text,
                          editable: editable(touch.page.spec), sent: touch.sent || null});
  }

  return {create, bind, frame, shown, contourClick, drawn, toggle, state, editable, guessed, revealed, say};
})();
