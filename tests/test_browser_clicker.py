"""The whole built-in lesson from a clicker (issue 24's "Done when"), in Chromium at 1920×1080 in
presenter mode: before each PageDown a click on another kind of control (a button, a checkbox, a
radio, a drop-down with a choice made, a slider, the 3-D plot); at every scene the link is the
scene's own, the views its note names are on the first screen, every view comes to show the scene
(the 3-D legend's α, the contours' and the loss's agree with the maths' α, and no view is still
"updating") and none ever shows the previous scene beside it, the 3-D view is on the scene's own
camera, and ← → End move the step. The time from PageDown to every view showing the scene is
measured and printed against the issue's goal of 1.5 s, never asserted: these machines are noisy
(benchmarks/ measure; tests check behaviour).
Then the lesson editor and the scene bar at 1,280 and 1,500 px outside presenter mode: every button
whole, every title whole.

One server for the module (test_browser's app_url); the browser is Debian's Chromium.
GDVIZ_CLICKER_SHOTS=dir keeps a screenshot of every scene there (none without it: they check nothing).
"""
from __future__ import annotations

import os
import time
import urllib.parse
from pathlib import Path

import pytest

try:
    from test_browser import ACTION, RERUN, JS_TURN, Lecture, app_url, chromium, wait_until  # noqa: F401
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

from gdviz import lessons, pipeline  # noqa: E402

BUILTIN = lessons.builtin_lesson()
N = len(BUILTIN.scenes)
SCREEN = {"width": 1920, "height": 1080}
SWITCH = 1.5   # s: the goal from PageDown to every view showing the new scene (issue 24, item 3), reported
CELLS = {"maths": "panel"}

# Inside the iframe: what every view shows now (the α each one's legend names), the maths' α.
JS_SHOWN = """() => {
  const S = window.gdviz && gdviz.state;
  if (!S || !S.spec) return null;
  const alpha = (gd) => {
    const names = (gd && gd._fullData ? gd._fullData : []).map((t) => t.name || '');
    const found = names.map((n) => /α = ([0-9.eE+\\-−]+)/.exec(n)).find((m) => m);
    return found ? Number(found[1].replace('−', '-')) : null;
  };
  const note = /α = ([0-9.eE+\\-−]+)/.exec(document.getElementById('note').textContent);
  return {k: S.spec.lesson ? S.spec.lesson.k : null, lr: S.spec.run.lr,
          note: note ? Number(note[1].replace('−', '-')) : null,
          surface: alpha(document.getElementById('surface')), contour: alpha(document.getElementById('contour')),
          loss: alpha(document.getElementById('loss')), updating: S.updating, pending: S.surfacePending,
          step: S.k, last: S.last, first: S.first, reveal: S.reveal};
}"""
# True once every view shows scene k at rate lr (read in the page: polled every animation frame).
JS_ALL_SHOW = """([k, lr]) => {
  const S = window.gdviz && gdviz.state;
  if (!S || !S.spec || !S.spec.lesson || S.spec.lesson.k !== k || S.updating.length || S.surfacePending) return false;
  const near = (v) => v !== null && Math.abs(v - lr) <= 1e-3 * lr;
  const alphas = (id) => (document.getElementById(id)._fullData || [])
    .map((t) => /α = ([0-9.eE+\\-−]+)/.exec(t.name || '')).filter((m) => m).map((m) => Number(m[1].replace('−', '-')));
  // the main run's α among the legend's (compared runs name theirs too)
  return near(S.spec.run.lr) && ['surface', 'contour', 'loss'].every((id) => alphas(id).some(near));
}"""
JS_EYES = """() => {
  const gd = document.getElementById('surface');
  const own = JSON.parse(gdviz.state.spec.figures.surface).layout.scene.camera;
  const eye = gd._fullLayout.scene.camera.eye;
  return {shown: {x: eye.x, y: eye.y, z: eye.z}, own: own ? own.eye : null};
}"""
# In the page around the views: every link the views write (their step and camera into the address
# bar), with the scene and step the views show at that moment (issue 24: after PageDown the last
# scene's step was put back into the new scene's link before the new scene's views were drawn).
JS_WATCH_ADDRESS = """() => {
  if (window.__viewsWrites) return;
  const writes = window.__viewsWrites = [], replace = history.replaceState.bind(history);
  history.replaceState = (state, title, url) => {
    if (new Error().stack.includes('writeAddress')) {
      const frame = document.querySelector("iframe[src*='gdviz_views']");
      const S = frame && frame.contentWindow.gdviz ? frame.contentWindow.gdviz.state : null;
      const link = new URL(String(url), location.href).searchParams;
      writes.push({scene: link.get('scene'), step: link.get('step'),
                   shownScene: S && S.spec && S.spec.lesson ? String(S.spec.lesson.k) : null,
                   shownStep: S ? String(S.k) : null});
    }
    return replace(state, title, url);
  };
}"""
JS_BOX = """(id) => { const r = document.getElementById(id).getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"""


class _Browser:
    """New contexts with a projector's size for test_browser.Lecture."""

    def __init__(self, browser, **options):
        self._browser, self._options = browser, options

    def new_context(self, **kwargs):
        return self._browser.new_context(**{**kwargs, **self._options})


def link_of(page) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


def scene_link(k: int) -> dict:
    """Scene k's canonical link: its whole state, the lesson and the scene (presenter mode is part of
    every built-in scene's state)."""
    return {**pipeline.scene_state(BUILTIN.scenes[k - 1]).to_link(), "lesson": "builtin", "scene": str(k)}


def settle(tab) -> None:
    """Until the page is idle and every view is drawn (no view updating, the surface drawn)."""
    tab.page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached",
                               timeout=RERUN)
    tab.frame.wait_for_function("() => gdviz.state.spec && !gdviz.state.updating.length && !gdviz.state.surfacePending",
                                timeout=RERUN)


def rerun_after(tab, action) -> None:
    finished = tab.scripts_finished
    action()
    tab.wait_for_rerun(finished)
    settle(tab)


# ---------------------------------------------------------------- the controls clicked before PageDown

def presenter_off(tab) -> None:
    """The toggle in the presenter's row (the sidebar comes back: its checkboxes and radios)."""
    rerun_after(tab, lambda: tab.page.get_by_text("Presenter mode", exact=True).click())
    tab.page.locator("[data-testid='stSidebar']").wait_for(state="visible", timeout=RERUN)


def click_button(tab) -> str:
    rerun_after(tab, lambda: tab.page.get_by_role("button", name="Just right", exact=True).click())
    return "button 'Just right'"


def click_checkbox(tab) -> str:
    presenter_off(tab)
    rerun_after(tab, lambda: tab.page.get_by_text("Log scale for the loss", exact=True).click())
    return "checkbox 'Log scale for the loss'"


def click_radio(tab) -> str:
    presenter_off(tab)
    rerun_after(tab, lambda: tab.page.get_by_text("true scale", exact=True).click())
    return "radio 'true scale'"


def choose_in_dropdowns(tab) -> str:
    """The presenter row's Optimizer (a Streamlit selectbox): momentum; then the bar's speed. After
    each choice → moves the step (issue 24, item 2)."""
    page, frame = tab.page, tab.frame
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Optimizer")

    def choose():
        box.click()
        page.get_by_role("option", name="Momentum").first.click()
    rerun_after(tab, choose)
    before = frame.evaluate("() => gdviz.state.k")
    page.keyboard.press("ArrowRight")
    frame.wait_for_function(f"() => gdviz.state.k === {min(before + 1, frame.evaluate('() => gdviz.state.last'))}",
                            timeout=ACTION)
    frame.select_option("#speed", "25")
    assert frame.evaluate("() => document.activeElement.id") != "speed", "the speed box kept the keys"
    before = frame.evaluate("() => gdviz.state.k")
    page.keyboard.press("End")
    frame.wait_for_function("() => gdviz.state.k === gdviz.state.last", timeout=ACTION)
    assert frame.evaluate("() => document.getElementById('speed').value") == "25", "End changed the speed"
    return "drop-downs 'Optimizer' (momentum) and speed (25 steps/s)"


def click_slider(tab) -> str:
    rate = tab.page.get_by_role("slider").filter(visible=True).first   # the presenter row's learning rate

    def click():
        box = rate.bounding_box()
        tab.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tab.page.keyboard.press("ArrowLeft")   # the slider moves: its own arrow, while it has the focus
    rerun_after(tab, click)
    return "slider 'Learning rate'"


def click_surface(tab) -> str:
    """A click on the 3-D plot, and the view turned (as a drag ends: a relayout of the camera)."""
    box = tab.frame.locator("#surface").bounding_box()
    tab.frame.locator("#surface").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    tab.frame.evaluate(JS_TURN, {"x": 0.3, "y": -2.1, "z": 0.8})
    wait_until(tab.page, lambda: link_of(tab.page).get("cam") == "0.3,-2.1,0.8", 10_000, "the turned camera is not in the link")
    return "the 3-D plot (turned)"


KINDS = [click_button, click_checkbox, click_radio, choose_in_dropdowns, click_slider, click_surface]


# ---------------------------------------------------------------- one scene

def check_scene(tab, k: int, turned: bool, shots: Path | None) -> None:
    page, frame = tab.page, tab.frame
    scene = BUILTIN.scenes[k - 1]
    # the link: the scene's own state (the step the views write is the view's, not the scene's)
    want = scene_link(k)
    try:
        wait_until(page, lambda: {n: v for n, v in link_of(page).items() if n != "step"} == want, 15_000, "")
    except pytest.fail.Exception:
        got = {n: v for n, v in link_of(page).items() if n != "step"}
        pytest.fail(f"scene {k}: the link is not the scene's own:\n got  {got}\n want {want}")
    if turned:   # the views' address writer checks each second: the last scene's turned camera must not come back
        page.wait_for_timeout(1200)
        got = {n: v for n, v in link_of(page).items() if n != "step"}
        assert got == want, f"scene {k}: the link changed after the scene opened: {got}"
    # the camera on screen is the scene's own (its cam= or the figure's default), as the link says
    eyes = frame.evaluate(JS_EYES)
    for axis in "xyz":
        assert eyes["shown"][axis] == pytest.approx(eyes["own"][axis], abs=1e-3), f"scene {k}: camera {eyes}"
    # the views the note names, on the first screen of 1920×1080
    offset = page.locator("iframe[title='app.gdviz_views']").first.bounding_box() or \
        page.locator("iframe[src*='gdviz_views']").first.bounding_box()
    focus = scene.params.get("focus", "surface,contour,maths").split(",")
    for name in focus:
        box = frame.evaluate(JS_BOX, CELLS.get(name, name))
        left, top = offset["x"] + box["left"], offset["y"] + box["top"]
        right, bottom = offset["x"] + box["right"], offset["y"] + box["bottom"]
        assert right - left > 200 and bottom - top > 200, f"scene {k}: {name} is not drawn ({box})"
        assert 0 <= left and right <= SCREEN["width"] + 1 and 0 <= top and bottom <= SCREEN["height"] + 1, \
            f"scene {k}: its note points at {name}, which is off the first screen: {left, top, right, bottom}"
    # the maths line by line where the scene says so
    shown = frame.evaluate(JS_SHOWN)
    if scene.params.get("reveal") == "1":
        assert shown["reveal"]["on"] and frame.locator("#maths .reveal-next").count() == 1
        hidden = frame.inner_text("#maths")
        assert "(2/m) Xᵀ" not in hidden and "X′ᵀ" not in hidden, f"scene {k}: the answer is on screen: {hidden}"
        for _ in range(3):
            page.keyboard.press("r")
        frame.wait_for_function("() => gdviz.state.reveal.shown === 3", timeout=ACTION)
        frame.click("#maths .reveal-next")
        frame.wait_for_function("() => gdviz.state.reveal.shown === 4", timeout=ACTION)
        while frame.locator("#maths .reveal-next").count():
            page.keyboard.press("r")
        text = frame.inner_text("#maths")
        assert "E[(ŷ − y)²]" in text and "∂L/∂ŷᵢ" in text and "∂ŷᵢ/∂" in text, text
    else:
        assert not shown["reveal"]["on"] and frame.locator("#maths .reveal-next").count() == 0
    if shots is not None:
        page.screenshot(path=str(shots / f"scene-{k:02d}.png"))
    # ← → End move the step, whatever was clicked before the PageDown
    last = shown["last"]
    page.keyboard.press("End")
    frame.wait_for_function(f"() => gdviz.state.k === {last} && !gdviz.state.playing", timeout=ACTION)
    page.keyboard.press("ArrowLeft")
    frame.wait_for_function(f"() => gdviz.state.k === {last - 1}", timeout=ACTION)
    page.keyboard.press("ArrowRight")
    frame.wait_for_function(f"() => gdviz.state.k === {last}", timeout=ACTION)
    # a run that diverged counts to the step it blew up at, as its note says ("Diverged at step 30")
    diverged = frame.evaluate("() => gdviz.state.spec.run.diverged_at") or 0
    assert tab.frame.inner_text("#steplabel") == f"step {last} / {max(last, diverged)}"


def page_down(tab, k: int) -> tuple[float, float]:
    """PageDown to scene k: (s until the new scene's spec reached the views, s until every view shows it)."""
    lr = float(BUILTIN.scenes[k - 1].params["lr"])
    finished = tab.scripts_finished
    start = time.monotonic()
    tab.page.keyboard.press("PageDown")
    wait_until(tab.page, lambda: tab.scripts_finished > finished, RERUN, "PageDown did not rerun the script")
    print(f"  scene {k}: the script's run finished {time.monotonic() - start:.2f} s after PageDown")
    tab.frame.wait_for_function(f"() => gdviz.state.spec && gdviz.state.spec.lesson && gdviz.state.spec.lesson.k === {k}",
                                timeout=RERUN, polling="raf")
    arrived = time.monotonic() - start
    try:
        tab.frame.wait_for_function(JS_ALL_SHOW, arg=[k, lr], timeout=RERUN, polling="raf")
    except Exception:
        pytest.fail(f"scene {k}: the views never all showed α = {lr}: {tab.frame.evaluate(JS_SHOWN)}")
    return arrived, time.monotonic() - start


def test_the_whole_lesson_by_clicker_after_every_kind_of_control(chromium, app_url):
    shots = Path(os.environ["GDVIZ_CLICKER_SHOTS"]) if os.environ.get("GDVIZ_CLICKER_SHOTS") else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    tab = Lecture(_Browser(chromium, viewport=SCREEN), f"{app_url}?lesson=builtin&scene=1")
    timings: dict[int, tuple[float, float]] = {}
    clicked: dict[int, str] = {}
    try:
        tab.page.get_by_text(f"Scene 1 / {N} ·").first.wait_for(timeout=RERUN)
        settle(tab)
        tab.page.evaluate(JS_WATCH_ADDRESS)
        check_scene(tab, 1, False, shots)
        for k in range(2, N + 1):
            settle(tab)
            kind = KINDS[(k - 2) % len(KINDS)]
            clicked[k] = kind(tab)
            timings[k] = page_down(tab, k)
            tab.page.get_by_text(f"Scene {k} / {N} ·").first.wait_for(timeout=RERUN)
            check_scene(tab, k, kind is click_surface, shots)
            # the views wrote only their own scene's step into its own link, never the last scene's
            written = tab.page.evaluate("window.__viewsWrites.splice(0)")
            wrong = [w for w in written if w["step"] is not None
                     and (w["scene"], w["step"]) != (w["shownScene"], w["shownStep"])]
            assert not wrong, f"scene {k}: the views wrote a link that is not the one they show: {wrong}"
        assert tab.exceptions() == [] and tab.errors == []
    finally:
        lines = [f"scene {k:2d} after {clicked[k]}: spec in the views {a:.2f} s, every view shows it {b:.2f} s"
                 for k, (a, b) in sorted(timings.items())]
        report = "\n".join(lines)
        if shots is not None:
            (shots / "timings.txt").write_text(report + "\n")
        print(f"\nPageDown → every view shows the new scene (screenshots in {shots}):\n{report}")
        tab.close()
    slow = {k: round(b, 2) for k, (a, b) in timings.items() if b > SWITCH}
    print(f"scenes over the {SWITCH} s goal on this machine now: {slow or 'none'}")  # measured, not asserted
    assert len(timings) == N - 1  # every scene was reached and timed


# ---------------------------------------------------------------- the bar and the editor, presenter mode off

JS_CLIPPED = """(el) => {
  const inner = el.querySelector('p') || el;
  return {text: el.innerText.trim(), clipped: inner.scrollWidth > inner.clientWidth + 1 || el.scrollWidth > el.clientWidth + 1,
          width: el.getBoundingClientRect().width};
}"""


@pytest.mark.parametrize("width", [1280, 1500])
def test_the_scene_bar_and_the_lesson_editor_show_whole_buttons_and_titles(chromium, app_url, width, tmp_path):
    tab = Lecture(_Browser(chromium, viewport={"width": width, "height": 900}), f"{app_url}?lesson=builtin&scene=2&present=0")
    try:
        page = tab.page
        page.get_by_text(f"Scene 2 / {N} ·").first.wait_for(timeout=RERUN)
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached",
                               timeout=RERUN)
        for key, sign in (("scene_back", "◀"), ("scene_next", "▶")):
            seen = page.locator(f".st-key-{key} button").first.evaluate(JS_CLIPPED)
            assert seen["text"] == sign and not seen["clipped"] and seen["width"] >= 30, (key, seen)
        editor = page.locator("[data-testid='stExpander']").filter(has_text="Lesson: scenes for a lecture")
        for i, scene in enumerate(BUILTIN.scenes):
            title = editor.locator(f".st-key-goto_scene_{i} button").first.evaluate(JS_CLIPPED)
            assert title["text"].endswith(f"{i + 1}. {scene.title}") and not title["clipped"], title
            for action, sign in (("up", "↑"), ("down", "↓"), ("delete", "✕")):
                seen = editor.locator(f".st-key-scene_{action}_{i} button").first.evaluate(JS_CLIPPED)
                assert seen["text"] == sign and not seen["clipped"] and seen["width"] >= 24, (i, action, seen)
        for name in ("Lesson (TOML)", "Lesson (JSON)"):
            seen = editor.get_by_role("button", name=name).first.evaluate(JS_CLIPPED)
            assert seen["text"] == name and not seen["clipped"], seen
        shots = Path(os.environ.get("GDVIZ_CLICKER_SHOTS") or tmp_path)
        page.screenshot(path=str(shots / f"bar-{width}.png"))
        editor.screenshot(path=str(shots / f"editor-{width}.png"))
        assert tab.exceptions() == []
    finally:
        tab.close()
