"use strict";
// The Plotly views: drawn from the spec's figures when they change (keeping the lecturer's 3-D
// camera), then only the moving traces of a frame (Frames.stepFrame) replaced, found by uid.
const Views = (() => {
  const NAMES = ["surface", "contour", "data", "loss", "eigen", "sweep"];
  // On a phone the tool bar would sit on the titles: it is left out below 700 px.
  const CONFIG = {displaylogo: false, responsive: true, toImageButtonOptions: {scale: 2},
                  displayModeBar: window.innerWidth >= 700 ? "hover" : false};

  // What is drawn: each view's figure JSON and its uid → trace index, what each trace was last given
  // (and the arrows: notes).
  // Each view is resized to its cell whenever the cell changes size (a column given to the maths, the
  // presenter's row, the frame's width): Plotly itself only follows the window.
  function create() {
    const views = {figJson: {}, uids: {}, applied: {}, notes: {}, drawnAt: {}, present: false, looks: null};
    if (typeof ResizeObserver !== "undefined") {
      const observer = new ResizeObserver((entries) => {
        for (const entry of entries) if (outOfCell(entry.target)) resize(entry.target);
      });
      for (const name of NAMES) { const cell = document.getElementById(name); if (cell) observer.observe(cell); }
    }
    return views;
  }

  // Whether a drawn view's Plotly size differs from its cell's (a view drawn in another size; Plotly
  // takes the cell's computed size, its border box).
  function outOfCell(gd) {
    const full = gd._fullLayout;
    if (!gd.data || !full) return false;
    const box = gd.getBoundingClientRect();
    return Math.abs(full.width - box.width) > 1 || Math.abs(full.height - box.height) > 1;
  }

  // A view hidden (no cell on screen) or "updating" (its old picture is hidden until its new figure
  // is drawn, in the cell's size) is not resized: redrawing a picture nobody sees would delay the
  // new ones (a 3-D view's redraw costs as much as its drawing).
  function resize(gd, drawn) {
    if (gd.classList.contains("updating") && !drawn) return null;   // drawn: its new figure, just drawn
    if (gd.data && gd.offsetParent !== null) return Plotly.Plots.resize(gd).catch(() => {});
    return null;
  }

  function unchanged(views, spec) {
    return NAMES.every((name) => (spec.figures[name] || null) === (views.figJson[name] || null));
  }

  // Draws every figure whose JSON changed, each in a task of its own (a frame painted between two):
  // resolves, to how many figures are drawn or on their way, once the 2-D views are drawn. The order:
  // the 3-D surface first when it is on the first screen (the note, the step and the maths are
  // written before any view, and painted before the surface's task starts), then the other views of
  // the first screen (views.first: presenter mode's first row), then the views below. A 3-D view off
  // the first screen (a scene's row without it) comes after the first row's views. A view already
  // drawn for another run is marked "updating" (its old picture hidden) until its new one is drawn:
  // no view shows the previous run beside the new one. on.surface() is called once the surface is
  // drawn; on.click(event): a click on the contours; on.camera(camera): the lecturer turned the 3-D
  // view.
  function draw(views, spec, on) {
    const changed = [];
    views.pullRows = spec.run.pull_rows || null;
    views.pullMarked = null;
    for (const name of NAMES) {
      const json = spec.figures[name], cell = document.getElementById(name);
      cell.style.display = json === undefined ? "none" : "";
      if (json === undefined || views.figJson[name] === json) continue;   // unchanged: DOM, camera, zoom kept
      views.figJson[name] = json;
      if (cell.data) updating(name, true);
      if (name === "surface") views.surfacePending = true;
      changed.push(name);
    }
    if (views.newScene && !changed.includes("surface")) sceneCamera(views);
    const first = views.first || ["surface", "contour"];
    const rank = (name) => (!first.includes(name) ? (name === "surface" ? 2 : 3) : name === "surface" ? 0 : 1);
    const order = changed.slice().sort((a, b) => rank(a) - rank(b));
    const done = {};   // each view's job: the chain resolved up to and including it
    let chain = Promise.resolve();
    order.forEach((name) => {   // what was written before the first view (the maths) is painted first too
      chain = chain.then(() => afterPaint()).then(() => drawJob(views, name, spec.figures[name], on, spec.step || 0));
      done[name] = chain;
    });
    // Resolves once every 2-D view is drawn (the surface may still be on its way).
    return Promise.all(order.filter((name) => name !== "surface").map((name) => done[name])).then(() => changed.length);
  }

  // One view of a spec drawn, unless a newer spec's figure is on its way; then no longer "updating".
  // The view was drawn at the spec's step (Python fills a figure's moving traces and arrows at it).
  function drawJob(views, name, json, on, step) {
    if (views.figJson[name] !== json) return null;
    return guard(views, name, json, drawOne(views, name, JSON.parse(json), on).then(() => {
      if (views.figJson[name] !== json) return;
      views.drawnAt[name] = step;
      updating(name, false);
      if (name === "surface") {
        views.surfacePending = false;
        if (on.surface) on.surface();
      }
    }));
  }

  // The views drawn for another spec than this one are marked "updating" at once (Views.draw does it
  // again as it takes the spec): main.js calls it before it changes the cells' sizes.
  function stale(views, spec) {
    for (const name of NAMES) {
      const json = spec.figures[name], cell = document.getElementById(name);
      if (json !== undefined && views.figJson[name] !== json && cell.data) updating(name, true);
    }
    for (const name of views.leaving || []) if (views.figJson[name] === spec.figures[name]) updating(name, false);
    views.leaving = null;
  }

  // PageDown / PageUp sent: the views of the scene being left are hidden at once ("updating…"), and
  // not resized, until the next scene's spec arrives (stale: it shows again what that scene keeps).
  // A second PageDown before the spec keeps the first one's list.
  function leave(views) {
    const more = NAMES.filter((name) => {
      const cell = document.getElementById(name);
      return cell.data && !cell.classList.contains("updating");
    });
    for (const name of more) updating(name, true);
    views.leaving = (views.leaving || []).concat(more);
  }

  // A new scene whose surface is the one drawn: the scene's own camera, not the turned one (not the
  // lecturer turning it: the address keeps the scene's).
  function sceneCamera(views) {
    const gd = document.getElementById("surface");
    if (!gd.data || !views.figJson.surface) return;
    const camera = JSON.parse(views.figJson.surface).layout.scene.camera;
    views.newScene = false;
    if (!camera) return;
    views.quiet = true;
    Plotly.relayout(gd, {"scene.camera": camera}).finally(() => { views.quiet = false; });
  }

  // A view whose new figure is on its way: its old picture hidden under "updating…" (index.html).
  function updating(name, on) {
    const cell = document.getElementById(name);
    if (cell) cell.classList.toggle("updating", on);
  }

  // A view that failed to draw does not stop the others (the surface waits for the 2-D views); its
  // figure is drawn again by the next spec.
  function guard(views, name, json, job) {
    return job.catch((error) => {
      if (views.figJson[name] === json) views.figJson[name] = undefined;
      updating(name, false);
      if (name === "surface") views.surfacePending = false;
      console.error(`gdviz: the ${name} view could not be drawn:`, error);
    });
  }

  // Resolves once the browser has painted what is drawn now (a task after the next frame), or after
  // 100 ms: a frame out of view gets no animation frames, and the views must still be drawn.
  function afterPaint() {
    return new Promise((resolve) => {
      requestAnimationFrame(() => setTimeout(resolve, 0));
      setTimeout(resolve, 100);
    });
  }

  function drawOne(views, name, fig, on) {
    const gd = document.getElementById(name);
    // The lecturer's turned view survives a new run of the same scene; a new scene opens on its own
    // camera (the figure's: the scene's cam= or the default), never on the last scene's.
    if (name === "surface" && gd._fullLayout && gd._fullLayout.scene && !views.newScene) {
      fig.layout.scene.camera = gd._fullLayout.scene.camera;
    }
    if (name === "surface" && views.newScene) {   // the figures' uirevision would keep the turned camera
      views.scenes = (views.scenes || 0) + 1;
      fig.layout.uirevision = `scene ${views.scenes}`;
      views.newScene = false;
    }
    if (views.present && views.looks) presenterFigure(name, fig, views.looks);   // drawn once, in its sizes
    const sized = inCellSize(gd, fig.layout);
    return Plotly.react(gd, fig.data, fig.layout, CONFIG).then(() => {
      if (sized) { delete gd.layout.width; delete gd.layout.height; }   // Plots.resize follows the cell again
      return outOfCell(gd) && resize(gd, true);
    }).then(() => {
      views.uids[name] = Object.fromEntries(gd.data.map((trace, i) => [trace.uid, i]));
      views.applied[name] = {};
      views.notes[name] = null;   // the figure's own arrows until a frame gives its own
      if (name === "contour" && !gd.__clickBound) { gd.on("plotly_click", on.click); gd.__clickBound = true; }
      if ((name === "contour" || name === "data") && !gd.__pullBound) bindPull(views, name, gd);
      if (name === "surface" && !gd.__cameraBound) {
        gd.on("plotly_relayout", (change) => {
          if (views.quiet) return;
          if (Object.keys(change).some((key) => key === "scene" || key.startsWith("scene.camera"))) on.camera(camera());
        });
        gd.__cameraBound = true;
      }
    });
  }

  // A view drawn before is drawn again in its cell's size as it is now (Plotly keeps a drawn view's
  // size through Plotly.react): one drawing, not a drawing in the old size and a resize (for the
  // 3-D view, a second WebGL drawing). True when the size was given.
  function inCellSize(gd, layout) {
    const box = gd.getBoundingClientRect();
    if (!gd._fullLayout || gd.offsetParent === null || box.width < 10 || box.height < 10) return false;
    Object.assign(layout, {width: box.width, height: box.height});   // the cell's, not a look
    return true;
  }

  // The 3-D view's camera as it is on screen ({eye, up, center, projection}), or null before it is drawn.
  function camera() {
    const gd = document.getElementById("surface");
    const cam = gd._fullLayout && gd._fullLayout.scene && gd._fullLayout.scene.camera;
    return cam ? JSON.parse(JSON.stringify(cam)) : null;
  }

  // A frame's moving traces and arrows into the views (only: the names of the views to update). A
  // view just drawn at the frame's step (own: the step's own frame, not predict mode's) already shows
  // it: what it shows is recorded as applied, with no Plotly call (a restyle of a 3-D view redraws
  // its whole scene: a second WebGL drawing of every new scene, seconds on a slow machine).
  function apply(views, frame, only, own) {
    const wanted = (name) => !only || only.includes(name);
    const drawn = asDrawn(views, frame, wanted, own);
    for (const [name, traces] of Object.entries(frame.traces)) {
      if (wanted(name)) (drawn.includes(name) ? record : restyle)(views, name, traces);
    }
    for (const [name, annotations] of Object.entries(frame.annotations)) {
      if (!wanted(name) || (name === "surface" && views.surfacePending)) continue;
      const gd = document.getElementById(name), text = JSON.stringify(annotations);
      if (drawn.includes(name) && gd.data) { views.notes[name] = text; continue; }
      if (!gd.data || views.notes[name] === text) continue;   // the same arrows: no redraw
      views.notes[name] = text;
      Plotly.relayout(gd, {annotations: annotations});
    }
    if (views.pullMarked !== null && views.pullMarked !== undefined) markPull(views, views.pullMarked);
  }

  // The wanted views drawn at this frame's step and not given a frame since (each view once a drawing).
  function asDrawn(views, frame, wanted, own) {
    const drawn = [];
    for (const name of Object.keys(views.drawnAt)) {
      if (!wanted(name) || views.drawnAt[name] === null) continue;
      if (own && views.drawnAt[name] === frame.k && !(name === "surface" && views.surfacePending)) drawn.push(name);
      views.drawnAt[name] = null;
    }
    return drawn;
  }

  // What a view drawn at the frame's step shows: the frame's values, recorded as if restyled.
  function record(views, name, changes) {
    const uids = views.uids[name], applied = views.applied[name];
    if (!uids || !applied) return;
    for (const uid of Object.keys(changes)) if (uid in uids) applied[uid] = Object.assign({}, applied[uid], changes[uid]);
  }

  // Each example's pull (spec.run.pull_rows: the row drawn of each arrow): hovering an arrow marks
  // its point in the data view, hovering a data point marks its arrow ("pull-highlight" in both).
  function bindPull(views, name, gd) {
    gd.on("plotly_hover", (event) => hoverPull(views, name, event));
    gd.on("plotly_unhover", () => { if (views.pullMarked !== null) markPull(views, null); });
    gd.__pullBound = true;
  }

  function hoverPull(views, name, event) {
    const p = event && event.points && event.points[0], rows = views.pullRows;
    if (!p || !rows || !p.data) return;
    const uid = p.data.uid;
    if (name === "contour" && (uid === "pull-over" || uid === "pull-under")) {
      if (p.pointNumber % 3 === 1) markPull(views, Math.floor(p.pointNumber / 3));   // a tip, not the shared start
    } else if (name === "data" && (uid === "data" || uid === "predicted")) {
      const i = rows.indexOf(p.pointNumber);
      markPull(views, i >= 0 ? i : null);
    }
  }

  // Marks arrow i and its data point (null: clears both marks).
  function markPull(views, i) {
    views.pullMarked = i;
    const none = {x: [], y: []};
    mark(views, "contour", i === null ? none : arrowAt(views, i));
    mark(views, "data", i === null ? none : pointAt(views, views.pullRows[i]));
  }

  // Arrow i as the contours show it now: points 3i and 3i + 1 of whichever sign's trace holds it.
  function arrowAt(views, i) {
    const applied = views.applied.contour || {};
    for (const uid of ["pull-over", "pull-under"]) {
      const t = applied[uid];
      if (t && t.x[3 * i + 1] !== null) return {x: t.x.slice(3 * i, 3 * i + 2), y: t.y.slice(3 * i, 3 * i + 2)};
    }
    return {x: [], y: []};
  }

  // Row j of the data view as drawn now (the data, or ŷ against y when only that is drawn).
  function pointAt(views, j) {
    const uids = views.uids.data || {}, uid = "data" in uids ? "data" : "predicted";
    const full = document.getElementById("data")._fullData[uids[uid]];
    const moved = (views.applied.data || {})[uid] || {};
    return {x: [(moved.x || full.x)[j]], y: [(moved.y || full.y)[j]]};
  }

  function mark(views, name, xy) {
    const gd = document.getElementById(name), uids = views.uids[name];
    if (!gd.data || !uids || !("pull-highlight" in uids)) return;
    Plotly.restyle(gd, {x: [xy.x], y: [xy.y]}, [uids["pull-highlight"]]);
  }

  // Replaces the given attributes of the traces (by uid) in one Plotly.restyle; an attribute given
  // the very value it had (a slice for the same step) is left alone.
  function restyle(views, name, changes) {
    const gd = document.getElementById(name), uids = views.uids[name], applied = views.applied[name];
    if (!gd.data || !uids || (name === "surface" && views.surfacePending)) return;   // the old surface: not worth it
    const keys = Object.keys(changes).filter((uid) => uid in uids && changedAttrs(applied, uid, changes[uid]).length);
    if (!keys.length) return;
    const update = {};
    for (const uid of keys) for (const attr of Object.keys(changes[uid])) update[attr] = [];
    for (const uid of keys) {
      for (const attr of Object.keys(update)) {
        update[attr].push(attr in changes[uid] ? changes[uid][attr] : gd.data[uids[uid]][attr]);
      }
      applied[uid] = Object.assign({}, applied[uid], changes[uid]);
    }
    Plotly.restyle(gd, update, keys.map((uid) => uids[uid]));
  }

  function changedAttrs(applied, uid, attrs) {
    const before = applied[uid] || {};
    return Object.keys(attrs).filter((attr) => before[attr] !== attrs[attr]);
  }

  // Presenter mode: large type, thick lines, big hover labels (for the back of the hall). The sizes
  // are the figure's own, grown by the spec's presenter looks: here when the mode changes, in
  // drawOne for a figure drawn while it is on. The first row (3-D view, contours,
  // maths) is page.row px high: what the lecturer's window leaves below the bar (main.js measures it).
  function presenter(views, on, page) {
    if (on === views.present) {   // a figure drawn since came in its sizes (drawOne)
      if (on) { document.body.style.setProperty("--screen", `${page.screen}px`); fit(views, page.row); }
      return;
    }
    views.present = on;
    views.looks = page.looks;
    document.body.style.setProperty("--screen", `${page.screen}px`);
    document.body.style.setProperty("--row", `${page.row}px`);
    views.row = page.row;
    document.body.classList.toggle("present", on);
    for (const name of NAMES) {
      const gd = document.getElementById(name);
      if (!gd.data || gd.classList.contains("updating")) continue;   // its new figure: drawn in its sizes soon
      const fig = JSON.parse(views.figJson[name]), scale = on ? page.looks.line_scale : 1;
      Plotly.relayout(gd, presenterSizes(name, fig.layout, on, page.looks));
      const widths = fig.data.map((t) => (t.line && t.line.width ? t.line.width * scale : null));
      const indices = widths.map((w, i) => (w === null ? -1 : i)).filter((i) => i >= 0);
      if (indices.length) Plotly.restyle(gd, {"line.width": indices.map((i) => widths[i])}, indices);
      if (outOfCell(gd)) resize(gd);   // the cells changed height with the class
    }
  }

  // A new height for presenter mode's first row (the window or what is above the frame changed), or
  // new widths (force): the views are resized to their cells. True when something changed.
  function fit(views, row, force) {
    if (!views.present || (!force && Math.abs((views.row || 0) - row) < 2)) return false;
    views.row = row;
    document.body.style.setProperty("--row", `${row}px`);
    for (const name of NAMES) {
      const gd = document.getElementById(name);
      if (outOfCell(gd)) resize(gd);
    }
    return true;
  }

  // A figure about to be drawn in presenter mode, given its presenter sizes and line widths directly
  // (one drawing instead of a drawing and a relayout).
  function presenterFigure(name, fig, looks) {
    for (const [path, value] of Object.entries(presenterSizes(name, fig.layout, true, looks))) {
      const keys = path.split("."), last = keys.pop();
      if (value !== null) keys.reduce((node, key) => (node[key] = node[key] || {}), fig.layout)[last] = value;
    }
    for (const trace of fig.data) if (trace.line && trace.line.width) trace.line.width *= looks.line_scale;
  }

  // The contours' legend (up to seven entries under a view a third of the screen wide) grows less
  // than the rest: at 18 px its entries go two to a row in a 620 px view, at 20 px one.
  const LEGEND_SCALE = {"contour legend.font": 1.2};

  const SIZES = ["font", "title.font", "legend.font"].concat(
    ...["xaxis", "yaxis", "zaxis"].map((axis) => [`scene.${axis}.tickfont`, `scene.${axis}.title.font`]));

  // The layout's font sizes grown for presenter mode (or back to the figure's own). The contours'
  // legend flows in rows in the traces' order (grouped, as the eigen-directions make it, it took a
  // row an entry).
  function presenterSizes(name, layout, on, looks) {
    const sizes = {};
    for (const path of SIZES) {
      const size = path.split(".").reduce((node, key) => node && node[key], layout);
      const scale = on ? LEGEND_SCALE[`${name} ${path}`] || looks.type_scale : 1;
      if (size && typeof size.size === "number") sizes[`${path}.size`] = size.size * scale;
    }
    const hover = layout.hoverlabel && layout.hoverlabel.font && layout.hoverlabel.font.size;
    if (hover) sizes["hoverlabel.font.size"] = on ? looks.hover_size : hover;
    if (name === "contour") {
      const legend = layout.legend || {};
      sizes["legend.traceorder"] = on ? "normal" : (legend.traceorder || null);   // grouped: one entry a row
    }
    return sizes;
  }

  return {create, unchanged, stale, leave, draw, apply, presenter, fit, camera};
})();
