"use strict";
// The page: a spec arrives (from Streamlit, or inline in an exported page), the views are drawn,
// and each step shown is one frame of Frames.stepFrame put into the views and the maths panel.
(() => {
  // A standalone export (web.standalone_html) carries its spec inline and needs no Streamlit.
  const standalone = typeof window.GDVIZ_SPEC !== "undefined";
  const page = {spec: null, model: null, runId: null, clicks: 0, views: Views.create(),
                reportHeight: standalone ? () => {} : Protocol.heightReporter(document.getElementById("content")),
                rememberStep: standalone ? () => {} : Protocol.stepRememberer()};
  page.player = Player.create((k) => showStep(page, k));

  function showStep(page, k) {
    const frame = Frames.stepFrame(page.model, k);
    Views.apply(page.views, frame);
    Panel.render(frame.panel);
    document.getElementById("slider").value = k;
    document.getElementById("steplabel").textContent = `step ${k} / ${page.player.last}`;
    page.rememberStep(k);
  }

  function render(page, spec) {
    // Streamlit renders again when the frame's size changes; the same spec needs no redraw.
    const old = page.spec;
    if (old && spec.run_id === old.run_id && spec.present === old.present && Views.unchanged(page.views, spec)) return;
    page.spec = spec;
    page.model = Frames.load(spec);
    for (const [name, colour] of Object.entries(spec.looks.colours)) document.body.style.setProperty(`--${name}`, colour);
    page.player.last = spec.run.last;
    page.player.ready = true;
    document.getElementById("slider").max = spec.run.last;
    const newRun = spec.run_id !== page.runId;
    page.runId = spec.run_id;
    Views.draw(page.views, spec, (event) => startHere(page, event)).then((drawn) => {
      Views.presenter(page.views, Boolean(spec.present), drawn > 0, {screen: Protocol.screenHeight(),
                                                                          looks: spec.looks.presenter});
      if (newRun) Player.pause(page.player);
      Player.show(page.player, newRun ? spec.step : page.player.k);
      Panel.note(spec);
      page.reportHeight();
    });
  }

  // A click on the contours starts a new run there (the component's value goes back to Python).
  function startHere(page, event) {
    const p = event.points && event.points[0];
    if (!p || typeof p.x !== "number" || typeof p.y !== "number") return;
    page.clicks += 1;
    Protocol.sendValue({start: [p.x, p.y], click: page.clicks});
  }

  // A read-only picture of the page's state, for tests and the curious.
  function snapshot(page) {
    return Object.freeze({k: page.player.k, last: page.player.last, playing: page.player.playing,
                          present: page.views.present, spec: page.spec, runId: page.runId,
                          uids: page.views.uids});
  }

  Player.bind(page.player);
  // In an exported page window.parent is the page itself: its own listener already has the keys.
  if (!standalone && window.parent !== window) {
    try {
      Player.bindParent(page.player);
      window.parent.addEventListener("resize", () => {
        if (!page.views.present) return;
        Views.presenter(page.views, true, true, {screen: Protocol.screenHeight(), looks: page.spec.looks.presenter});
      });
    } catch (e) { /* not embedded, or another origin */ }
  }
  window.addEventListener("resize", () => page.reportHeight());
  window.gdviz = Object.freeze({
    show: (k) => Player.show(page.player, k),
    play: () => Player.play(page.player),
    pause: () => Player.pause(page.player),
    frameAt: (k) => Frames.stepFrame(page.model, k),
    get state() { return snapshot(page); },
  });
  if (standalone) render(page, window.GDVIZ_SPEC);
  else { Protocol.onRender((spec) => render(page, spec)); Protocol.ready(); }
})();
