"use strict";
// The page: a spec arrives (from Streamlit, or inline in an exported page), the views are drawn,
// and each step shown is one frame of Frames.stepFrame put into the views and the maths panel.
(() => {
  // A standalone export (web.standalone_html) carries its spec inline and needs no Streamlit.
  const standalone = typeof window.GDVIZ_SPEC !== "undefined";
  // The address is the views' own when it names the lesson's scene they show (or no lesson is shown).
  const ours = (params) => !page.spec || !page.spec.lesson || params.get("scene") === String(page.spec.lesson.k);
  const address = standalone ? () => {} : Protocol.addressWriter(ours);
  const page = {spec: null, model: null, runId: null, clicks: 0, shown: 0, views: Views.create(),
                reveal: {on: false, shown: 0},   // the maths line by line (a scene's reveal=1): rows shown
                reportHeight: standalone ? () => {} : Protocol.heightReporter(document.getElementById("content")),
                address: address};
  page.player = Player.create((k) => showStep(page, k));
  page.touch = Touch.create(page);   // dragging a point, predict-then-reveal, the clicker
  page.room = Class.create(page);    // a class session (class.js): the lecturer drives, the students follow

  function showStep(page, k) {
    const own = Frames.stepFrame(page.model, k);
    const frame = Touch.frame(page.touch, own);   // predict mode hides step k+1
    page.frame = frame;
    page.frameOwn = frame === own;
    page.shown += 1;
    Views.apply(page.views, frame, null, page.frameOwn);
    Panel.render(frame.panel, page.reveal);
    markUnfolded();
    if (overflows()) fitMaths(page, true);   // a longer number than at the drawing: wider, never narrower
    document.getElementById("slider").value = k;
    document.getElementById("steplabel").textContent = stepLabel(page.spec, k);
    page.address("step", k);
    Touch.shown(page.touch);
  }

  // The step label: "step k / N", N the last step drawn, or the step a diverged run blew up at (the
  // note says "Diverged at step N"): a run that diverges at once reads "step 0 / 1", never "step 0 / 0".
  function stepLabel(spec, k) {
    const run = spec.run;
    return `step ${k} / ${Math.max(run.last, run.diverged_at || 0)}`;
  }

  // The link's form of a camera: the eye, three numbers rounded to 3 decimals ("cam=x,y,z").
  function cameraParam(camera) {
    return ["x", "y", "z"].map((axis) => String(Math.round(camera.eye[axis] * 1000) / 1000)).join(",");
  }

  // Presenter mode's first row (3-D view, contours, maths): the lecturer's window height less what
  // is above the row (the page above the frame, the bar and the note), never below 420 px.
  function presenterPage(page) {
    const grid = document.querySelector(".grid").getBoundingClientRect().top + window.scrollY;
    const screen = Protocol.screenHeight();
    const row = Math.max(420, Math.floor(screen - (standalone ? 0 : Protocol.frameTop()) - grid - 12));
    return {screen: screen, row: row, looks: page.spec.looks.presenter};
  }

  // The rows of the sum unfolded (frames._unfold_rows: the "The sum unfolded" line and the four rows
  // after it) get the class "unfold": presenter mode may write them smaller than the rest.
  function markUnfolded() {
    const rows = Array.from(document.querySelectorAll("#maths > .eq"));
    const at = rows.findIndex((row) => row.classList.contains("unfold") || row.textContent.startsWith("The sum unfolded"));
    if (at >= 0) for (const row of rows.slice(at, at + 5)) row.classList.add("unfold");
  }

  function overflows() {
    const panel = document.getElementById("panel");
    return document.body.classList.contains("present") && panel.scrollHeight > panel.clientHeight + 1;
  }

  // Presenter mode's maths column: [its twelfths, how small the unfolded sum is written]. The
  // contours keep four twelfths as long as smaller type for the unfolded sum lets the maths fit.
  const FITS = [["3", ""], ["4", ""], ["4", "1"], ["4", "2"], ["5", "2"], ["5", "3"]];

  // Presenter mode: the maths panel as narrow as lets this run's maths fit its height (an Adam step
  // written out needs more room than plain descent's, the unfolded sum more still), chosen once per
  // drawing, not at every step (wider only: a longer number at a later step).
  function fitMaths(page, widerOnly) {
    const body = document.body, before = [body.dataset.maths, body.dataset.dense];
    if (!page.views.present) { delete body.dataset.maths; delete body.dataset.dense; return; }
    const unfolded = document.querySelector("#maths .unfold") !== null;
    const fits = unfolded ? FITS : [["3", ""], ["4", ""], ["5", ""]];
    const from = widerOnly ? Math.max(0, fits.findIndex(([span, dense]) => span === before[0] && dense === (before[1] || ""))) : 0;
    for (const [span, dense] of fits.slice(from)) {
      body.dataset.maths = span;
      if (dense) body.dataset.dense = dense; else delete body.dataset.dense;
      if (!overflows()) break;
    }
    if (body.dataset.maths !== before[0] || body.dataset.dense !== before[1]) {
      arrange(page);
      Views.fit(page.views, page.views.row, true);
    }
  }

  // Presenter mode's first row: the views the scene names (spec.focus: its notes point at them),
  // filled up to three with the 3-D view, the contours and the maths, left to right in the page's
  // order, in twelfths by their weights (the maths as wide as fitMaths chose); the rest below, two a
  // row. Without a focus (or out of presenter mode) the style sheet's own layout stands.
  const ORDER = ["surface", "contour", "data", "loss", "eigen", "sweep", "maths"];
  const WEIGHT = {surface: 5, contour: 4, data: 4, loss: 4, eigen: 4, sweep: 4};
  const CELL = {maths: "panel"};

  function firstRow(spec) {
    const drawn = (name) => name === "maths" || (spec.figures && spec.figures[name] !== undefined);
    const focus = (spec.focus || []).filter((name) => ORDER.includes(name) && drawn(name)).slice(0, 4);
    if (!focus.length) return null;
    const row = focus.slice();
    for (const name of ["surface", "contour", "maths"]) if (row.length < 3 && !row.includes(name)) row.push(name);
    return ORDER.filter((name) => row.includes(name));
  }

  function arrange(page) {
    const spec = page.spec, row = spec && spec.present ? firstRow(spec) : null;
    page.views.first = row || ["surface", "contour"];
    for (const name of ORDER) {
      const cell = document.getElementById(CELL[name] || name);
      if (!row) { cell.style.gridRow = cell.style.gridColumn = cell.style.height = ""; continue; }
      if (!row.includes(name)) {
        cell.style.gridRow = "auto";
        cell.style.gridColumn = ["eigen", "sweep"].includes(name) ? "span 12" : "span 6";
        cell.style.height = name === "maths" ? "auto" : "calc(var(--screen, 900px) * 0.56)";
      }
    }
    if (!row) return;
    const maths = row.includes("maths") ? Number(document.body.dataset.maths || 3) : 0;
    const plots = row.filter((name) => name !== "maths");
    const total = plots.reduce((sum, name) => sum + WEIGHT[name], 0);
    const spans = plots.map((name) => Math.max(2, Math.floor((12 - maths) * WEIGHT[name] / total)));
    for (let i = 0; spans.reduce((a, b) => a + b, 0) < 12 - maths; i = (i + 1) % spans.length) spans[i] += 1;
    let at = 1;
    for (const name of row) {
      const span = name === "maths" ? maths : spans[plots.indexOf(name)];
      const cell = document.getElementById(CELL[name] || name);
      cell.style.gridRow = "1";
      cell.style.gridColumn = `${at} / span ${span}`;
      cell.style.height = "var(--row, 760px)";
      at += span;
    }
  }

  // The maths line by line: "r" (wherever the focus is, but in a text field) or a click on the
  // panel's "next line" shows one more row; the rows stay shown as the steps move.
  function revealNext(page) {
    if (!page.reveal.on || !page.frame && !page.model) return false;
    page.reveal.shown += 1;
    const frame = page.frame || Touch.frame(page.touch, Frames.stepFrame(page.model, page.player.k));
    Panel.render(frame.panel, page.reveal);
    markUnfolded();
    if (overflows()) fitMaths(page, true);
    return true;
  }

  function bindReveal(page, doc) {
    doc.addEventListener("keydown", (e) => {
      if (e.key !== "r" || e.ctrlKey || e.altKey || e.metaKey || !page.reveal.on) return;
      if (doc !== document && (!window.frameElement || !window.frameElement.isConnected)) return;   // a gone frame
      if (Player.keyTarget(e.target) === "typing") return;
      e.preventDefault();
      e.stopImmediatePropagation();   // Streamlit's own "r" (rerun) does not run
      revealNext(page);
    }, true);
  }

  // Readable before any view is drawn: the run's sentence, step k0 and its maths.
  function writeReadable(page, spec, k0) {
    Panel.note(spec);
    Panel.render(Touch.frame(page.touch, Frames.stepFrame(page.model, k0)).panel, page.reveal);
    markUnfolded();
    document.getElementById("steplabel").textContent = stepLabel(spec, k0);
    document.getElementById("slider").value = k0;
    page.player.k = k0;   // a key pressed before the views are drawn steps from here
  }

  // Another scene of a lesson: it opens on its own camera (the address forgets a turned one) with its
  // maths hidden again when it reveals them line by line.
  function enterScene(page, spec, old) {
    const newScene = Boolean(spec.lesson) && (!old || !old.lesson || old.lesson.k !== spec.lesson.k);
    if (newScene) {
      page.address("cam", null);
      page.views.newScene = true;
    }
    if (newScene || Boolean(spec.reveal) !== page.reveal.on) page.reveal = {on: Boolean(spec.reveal), shown: 0};
  }

  // Presenter mode first: the views about to be drawn are drawn once, in their presenter sizes (the
  // scene's first row too); the cells have their sizes before anything is drawn in them.
  function layout(page, spec) {
    document.body.classList.toggle("present", Boolean(spec.present));   // measured with its own bar
    arrange(page);
    Views.presenter(page.views, Boolean(spec.present), presenterPage(page));
    if (spec.present) fitMaths(page);
    page.reportHeight();
  }

  // The spec becomes the page's: its model, its colours, the player's and the slider's last step.
  function adopt(page, spec) {
    page.spec = spec;
    page.model = Frames.load(spec);
    for (const [name, colour] of Object.entries(spec.looks.colours)) document.body.style.setProperty(`--${name}`, colour);
    page.player.last = spec.run.last;
    page.player.ready = true;
    document.getElementById("slider").max = spec.run.last;
  }

  function render(page, spec) {
    // Streamlit renders again when the frame's size changes; the same spec needs no redraw.
    const old = page.spec;
    const scene = (s) => JSON.stringify([s.lesson || null, s.focus || [], Boolean(s.reveal)]);
    if (old && spec.run_id === old.run_id && spec.present === old.present && scene(spec) === scene(old) &&
        Views.unchanged(page.views, spec)) return;
    enterScene(page, spec, old);
    adopt(page, spec);
    const newRun = spec.run_id !== page.runId;
    page.runId = spec.run_id;
    if (newRun) {
      page.frame = null;   // the old run's frame never goes into the new run's views
      page.address("step", null);   // nor its step into the new run's link: the first step shown writes it
    }
    writeReadable(page, spec, newRun ? Math.max(0, Math.min(spec.run.last, spec.step || 0)) : page.player.k);
    // The first step shown: the 2-D figures come drawn at spec.step, so while the surface is on its way
    // its full application (a restyle of every view) waits for it, unless a step was shown meanwhile.
    const firstStep = () => {
      Player.show(page.player, newRun ? spec.step : page.player.k);
      if (newRun && spec.autoplay && !standalone) Player.play(page.player);   // a lesson's scene that plays by itself
    };
    let waiting = null;   // the count of steps shown when the first step was put off
    const on = {click: (event) => startHere(page, event), camera: (camera) => page.address("cam", cameraParam(camera)),
                surface: () => {   // drawn (first, on the first screen)
                  if (waiting !== null && waiting === page.shown) { waiting = null; firstStep(); }
                  else if (page.frame) Views.apply(page.views, page.frame, ["surface"], page.frameOwn);
                }};
    Views.stale(page.views, spec);   // before the cells change size: an old picture is not resized
    layout(page, spec);
    Views.draw(page.views, spec, on).then((drawn) => {
      Touch.drawn(page.touch, drawn);
      if (newRun) Player.pause(page.player);
      if (newRun && page.views.surfacePending && !Touch.state(page.touch).on) waiting = page.shown;
      else firstStep();
      if (drawn > 0 || spec.present !== Boolean(old && old.present)) fitMaths(page);
      page.reportHeight();
      Class.drawn(page.room);   // a following student's page takes the room's step now
    });
  }

  // A click on the contours starts a new run there (the component's value goes back to Python).
  function startHere(page, event) {
    if (Touch.contourClick(page.touch, event)) return;   // predict mode: the click is a guess
    const p = event.points && event.points[0];
    if (!p || typeof p.x !== "number" || typeof p.y !== "number") return;
    page.clicks += 1;
    Protocol.sendValue({start: [p.x, p.y], click: page.clicks});
  }

  // "Download this view": HTML or PNG at the step and camera on screen.
  function exportView(page, kind) {
    if (!page.spec) return Promise.resolve(null);
    const k = page.player.k, camera = Views.camera();
    const button = document.getElementById(`save-${kind}`);
    button.disabled = true;
    const made = kind === "html"
      ? Export.html(page.spec, k, camera).then((text) => new Blob([text], {type: "text/html"}))
      : Export.png(camera);
    return made.then((blob) => {
      Export.save(blob, `gdviz-step-${k}.${kind}`);
      return blob;
    }).finally(() => { button.disabled = false; });
  }

  // A read-only picture of the page's state, for tests and the curious.
  function snapshot(page) {
    return Object.freeze({k: page.player.k, last: page.player.last, playing: page.player.playing,
                          present: page.views.present, spec: page.spec, runId: page.runId,
                          uids: page.views.uids, first: (page.views.first || []).slice(),
                          reveal: Object.assign({}, page.reveal),
                          updating: Array.from(document.querySelectorAll(".cell.updating"), (cell) => cell.id),
                          surfacePending: Boolean(page.views.surfacePending)});
  }

  Player.bind(page.player);
  Touch.bind(page.touch);
  bindReveal(page, document);
  document.getElementById("maths").addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest(".reveal-next")) revealNext(page);
  });
  document.getElementById("save-html").onclick = () => exportView(page, "html");
  document.getElementById("save-png").onclick = () => exportView(page, "png");
  // An exported page cannot read its own files back (file://): it offers the PNG only.
  if (standalone) document.getElementById("save-html").hidden = true;
  // In an exported page window.parent is the page itself: its own listener already has the keys.
  if (!standalone && window.parent !== window) {
    try {
      Player.bindParent(page.player);
      bindReveal(page, window.parent.document);
      const refit = () => {
        if (page.views.present && Views.fit(page.views, presenterPage(page).row)) fitMaths(page);
      };
      window.parent.addEventListener("resize", refit);
      setInterval(refit, 1000);   // what is above the frame (a message, the presenter's row) can change
    } catch (e) { /* not embedded, or another origin */ }
  }
  window.addEventListener("resize", () => page.reportHeight());
  window.gdviz = Object.freeze({
    show: (k) => Player.show(page.player, k),
    play: () => Player.play(page.player),
    pause: () => Player.pause(page.player),
    frameAt: (k) => Frames.stepFrame(page.model, k),
    camera: () => Views.camera(),
    exportHtml: () => Export.html(page.spec, page.player.k, Views.camera()),
    get state() { return snapshot(page); },
    get predict() { return Touch.state(page.touch); },
    get room() { return Class.state(page.room); },
  });
  if (standalone) render(page, window.GDVIZ_SPEC);
  else {
    Protocol.onRender((spec) => { Class.render(page.room, spec); render(page, spec); });   // the lecturer's key leaves the spec first
    Protocol.ready();
  }
})();
