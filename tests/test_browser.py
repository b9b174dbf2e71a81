"""The lecture page in a real browser: Streamlit serves app.py, Debian's Chromium shows it.

What only a browser can check: the views inside the component's iframe step and play without
rerunning the script, the 3-D camera a lecturer turned survives stepping, playing and reruns, a
diverging run draws nothing absurd, and a click on the contour map comes back to Python.

Without Chromium or the playwright package the module skips (loudly); GDVIZ_REQUIRE_BROWSER=1
(set by .ci/run) turns that skip into a failure, so CI cannot pass by testing nothing.
The browser is never downloaded (no `playwright install`): it is the system's.
"""
from __future__ import annotations

import contextlib
import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
# Offline and headless on a machine without a GPU (see /work/shared/FIELD-NOTES.md).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _missing() -> list[str]:
    missing = []
    if not CHROMIUM:
        missing.append("no Chromium at /usr/bin/chromium or on PATH (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is missing (pip install -r requirements-dev.txt)")
    return missing


_MISSING = _missing()
if _MISSING:
    _why = "BROWSER TESTS NOT RUN: " + "; ".join(_MISSING)
    if os.environ.get("GDVIZ_REQUIRE_BROWSER") == "1":
        pytest.fail(_why + " -- and GDVIZ_REQUIRE_BROWSER=1 requires them.", pytrace=False)
    # A skip reason is hidden under -q; a warning lands in the summary that everyone reads.
    warnings.warn(_why, stacklevel=1)
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

# Software WebGL is slow and a shared CI box slower still: a first render takes 5-20 s.
SERVER_START = 60.0   # s until /_stcore/health answers
READY = 120_000       # ms until the page and its four plots are drawn
RERUN = 90_000        # ms for a rerun to reach the browser and be drawn
ACTION = 90_000       # ms for a click or key press to take effect on a busy machine

COMPONENT = "/component/app.gdviz_views/index.html"
IFRAME = f"iframe[src*='{COMPONENT}']"
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TURNED = {"x": 0.3, "y": -2.1, "z": 0.8}   # far from the figure's own eye (-1.5, -1.6, 1.1)
DEFAULT_STEPS = 100

# Inside the iframe. Every view draws from gd.data, where the traces that move carry a readable uid;
# the values are read from gd._fullData, which holds them decoded (typed arrays, not base64 specs).
JS_READY = """() => {
  const S = window.gdviz && window.gdviz.state;
  return !!(S && S.spec && ['surface', 'contour', 'data', 'loss'].every((v) => S.uids[v])
            && document.getElementById('steplabel').textContent !== 'step 0 / 0');
}"""
JS_TRACE = """([view, uid, attr]) => {
  const gd = document.getElementById(view);
  const i = gd.data.findIndex((t) => t.uid === uid);
  if (i < 0) return null;
  const full = gd._fullData.find((t) => t.index === i);
  return Array.from(full[attr], (v) => (v === null || v === undefined ? null : Number(v)));
}"""
JS_EYE = """() => {
  const eye = document.getElementById('surface')._fullLayout.scene.camera.eye;
  return {x: eye.x, y: eye.y, z: eye.z};
}"""
JS_TURN = """async (eye) => {
  await Plotly.relayout(document.getElementById('surface'), {'scene.camera.eye': eye});
}"""
# Read through the iframe element the main page holds now: a remounted component is a new window
# without the marker, whereas a stale Frame handle would still answer from the old one.
JS_MARKER = f"() => {{ const f = document.querySelector(\"{IFRAME}\"); return f && f.contentWindow.__gdvizMarker; }}"


# ---------------------------------------------------------------- the server and the browser

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` on a free loopback port, its output in a log file."""

    def __init__(self, log_path: Path):
        self.port, self.log_path = _free_port(), log_path
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                   "--server.headless", "true", "--browser.gatherUsageStats", "false",
                   "--server.address", "127.0.0.1", "--server.port", str(self.port),
                   "--server.fileWatcherType", "none"]
        # A file, not a pipe: a chatty server must never block on a pipe nobody reads.
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START
        while True:
            self.check_alive()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer /_stcore/health in {SERVER_START:.0f} s:\n{_tail(self.log_path)}")
            time.sleep(0.25)

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"streamlit exited with {self.process.returncode}:\n{_tail(self.log_path)}")

    def stop(self, grace: float = 15) -> None:
        """Always stopped, killed if it will not stop within ``grace`` seconds."""
        self.process.terminate()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def serving(log_path: Path):
    """A healthy server for the time of the block (conftest.py's session-wide `app_url`)."""
    server = Server(log_path)
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def launched():
    """Debian's Chromium for the time of the block (conftest.py's session-wide `chromium`)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


# One server and one browser for the whole test session: conftest.py starts them the first time a test
# asks for them. These names stay importable (every browser module imports them): a module's
# `app_url` and `chromium` are the session's, checked alive when the module starts.
@pytest.fixture(scope="module")
def app_url(app_url, browser_server):
    browser_server.check_alive()
    return app_url


@pytest.fixture(scope="module")
def chromium(chromium):
    assert chromium.is_connected(), "the session's Chromium has gone"
    return chromium


# Tabs share browser contexts: one per set of options (the plain browser's default size, or a `Sized`
# browser's projector, phone or reduced motion). A context's HTTP cache keeps Streamlit's and the views'
# scripts between tabs, where a fresh context fetches and compiles them again (about half a page load on
# software WebGL). Each tab is still a fresh Streamlit session at the defaults. A wrapper of any other
# kind (one that watches its contexts' requests, say) gets a new context of its own for every tab.
_SHARED_CONTEXTS: dict = {}
DEFAULT_CONTEXT = {"viewport": {"width": 1600, "height": 1000}}


class Sized:
    """A browser whose tabs open with options (a projector's size, a phone): Lecture(Sized(chromium,
    viewport=...), url) opens its tab in the shared context of those options."""

    def __init__(self, browser, **options):
        self.browser, self.options = browser, options

    def new_context(self, **kwargs):
        return self.browser.new_context(**{**kwargs, **self.options})


def _shared_context(browser, options: dict):
    options = {**DEFAULT_CONTEXT, **options}
    key = (id(browser), repr(sorted(options.items())))
    context = _SHARED_CONTEXTS.get(key)
    if context is None or context.browser is not browser or not browser.is_connected():
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION)
        _SHARED_CONTEXTS[key] = context
    return context


class Lecture:
    """One browser tab on the app (a fresh Streamlit session, so every test starts at the defaults).

    It listens to the app's websocket: a `rerun_script` sent or a `script_finished` received is the
    script running again, whatever the page looks like.
    """

    def __init__(self, browser, url: str):
        # A new tab in a shared context (the plain browser's, or a Sized browser's), else a context of its own.
        self._own_context = not isinstance(browser, (Browser, Sized))
        if isinstance(browser, Sized):
            self.context = _shared_context(browser.browser, browser.options)
        elif isinstance(browser, Browser):
            self.context = _shared_context(browser, {})
        else:
            self.context = browser.new_context(**DEFAULT_CONTEXT)
            self.context.set_default_timeout(ACTION)
        self.page = self.context.new_page()
        self.errors: list[str] = []        # uncaught exceptions, in the page and in the iframe
        self.rerun_requests = 0
        self.scripts_finished = 0
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("websocket", self._watch)
        try:
            self.page.goto(url, wait_until="domcontentloaded", timeout=READY)
            iframe = self.page.wait_for_selector(IFRAME, state="attached", timeout=READY)
            self.frame = iframe.content_frame()
            self.frame.wait_for_function(JS_READY, timeout=READY)
            self.page.wait_for_selector(APP_IDLE, state="attached", timeout=READY)
        except BaseException:
            self.close()
            raise

    def _watch(self, socket_) -> None:
        if "/_stcore/stream" in socket_.url:
            socket_.on("framesent", self._sent)
            socket_.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        if isinstance(payload, bytes) and _kind(BackMsg, payload) == "rerun_script":
            self.rerun_requests += 1

    def _received(self, payload) -> None:
        if isinstance(payload, bytes) and _kind(ForwardMsg, payload) == "script_finished":
            self.scripts_finished += 1

    # -- inside the iframe
    def trace(self, view: str, uid: str, attr: str) -> list | None:
        return self.frame.evaluate(JS_TRACE, [view, uid, attr])

    def eye(self) -> dict:
        return self.frame.evaluate(JS_EYE)

    def turn(self, eye: dict = TURNED) -> None:
        self.frame.evaluate(JS_TURN, eye)
        assert_eye(self.eye(), eye, "right after Plotly.relayout")

    def step_label(self) -> str:
        return self.frame.inner_text("#steplabel")

    def set_marker(self) -> None:
        self.frame.evaluate("() => { window.__gdvizMarker = 42; }")

    def marker(self):
        return self.page.evaluate(JS_MARKER)

    # -- the main page
    def wait_for_rerun(self, finished_before: int) -> None:
        """Until a new run of the script has finished and the page says it is idle."""
        wait_until(self.page, lambda: self.scripts_finished > finished_before, RERUN,
                   "the script did not rerun")
        self.page.wait_for_selector(APP_IDLE, state="attached", timeout=RERUN)

    def wait_until_views_fill_their_cells(self) -> None:
        """During a rerun Streamlit briefly gives the iframe the default width of 300 px; a view
        drawn then must be resized to its cell once the frame is wide again, not stay squeezed."""
        self.frame.wait_for_function("""() => ['surface', 'contour', 'data', 'loss'].every((id) => {
            const gd = document.getElementById(id);
            return gd._fullLayout && Math.abs(gd._fullLayout.width - gd.clientWidth) <= 4;
        })""", timeout=RERUN)

    def exceptions(self) -> list[str]:
        return self.page.locator("[data-testid='stException']").all_inner_texts()

    def screenshot(self, name: str) -> None:
        DOCS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(DOCS / name))

    def close(self) -> None:
        (self.context if self._own_context else self.page).close()


def _kind(message_class, payload: bytes) -> str | None:
    try:
        return message_class.FromString(payload).WhichOneof("type")
    except Exception:  # not a message of that kind: nothing to count
        return None


@pytest.fixture
def lecture(chromium, app_url):
    tab = Lecture(chromium, app_url)
    try:
        yield tab
    finally:
        tab.close()


def wait_until(page, condition, timeout_ms: float, message: str) -> None:
    """Poll a Python-side condition. page.wait_for_timeout, not time.sleep: Playwright delivers
    its events (the websocket frames counted above) only while one of its calls is running."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{message} within {timeout_ms / 1000:.0f} s")
        page.wait_for_timeout(100)


def assert_eye(eye: dict, expected: dict, when: str) -> None:
    for axis in "xyz":
        assert eye[axis] == pytest.approx(expected[axis], abs=1e-6), f"the 3-D camera moved {when}: {eye}"


# ---------------------------------------------------------------- the tests

def test_page_loads_with_four_views_at_step_0(lecture):
    """A new page opens at step 0: Play is the lecturer's first press."""
    assert lecture.exceptions() == []
    plots = lecture.frame.evaluate("""() => ['surface', 'contour', 'data', 'loss'].map((id) => {
        const gd = document.getElementById(id);
        return !!(gd && gd.classList.contains('js-plotly-plot') && gd._fullLayout && gd.data.length);
    })""")
    assert plots == [True] * 4
    assert lecture.frame.evaluate("() => !!document.querySelector('#surface .gl-container canvas')"), \
        "the 3-D view has no WebGL canvas"
    assert lecture.step_label() == f"step 0 / {DEFAULT_STEPS}"
    assert "∂L/∂b" in lecture.frame.inner_text("#maths")
    assert lecture.errors == []
    lecture.screenshot("screenshot-default.png")


def test_stepping_and_playing_keep_the_camera_and_never_rerun_the_script(lecture):
    frame = lecture.frame
    lecture.set_marker()
    lecture.turn()
    requests, finished = lecture.rerun_requests, lecture.scripts_finished
    frame.click("#lastb")   # the page opens at step 0; ▶| goes to the last step
    assert lecture.step_label() == f"step {DEFAULT_STEPS} / {DEFAULT_STEPS}"
    fit_at_last = lecture.trace("data", "fit", "y")

    for _ in range(3):
        frame.click("#back")
    assert lecture.step_label() == f"step {DEFAULT_STEPS - 3} / {DEFAULT_STEPS}"
    assert_eye(lecture.eye(), TURNED, "after ◀")

    # The keys go to the focused element, the ◀ button inside the iframe.
    lecture.page.keyboard.press("ArrowLeft")
    assert lecture.step_label() == f"step {DEFAULT_STEPS - 4} / {DEFAULT_STEPS}"
    lecture.page.keyboard.press("ArrowRight")
    assert lecture.step_label() == f"step {DEFAULT_STEPS - 3} / {DEFAULT_STEPS}"
    assert_eye(lecture.eye(), TURNED, "after the arrow keys")

    frame.click("#first")
    assert lecture.step_label() == f"step 0 / {DEFAULT_STEPS}"
    assert_eye(lecture.eye(), TURNED, "after |◀")
    assert len(lecture.trace("contour", "path", "x")) == 1, "at step 0 the path is the start alone"
    assert lecture.trace("data", "fit", "y") != pytest.approx(fit_at_last), "the fitted line did not move"
    assert lecture.trace("loss", "current-point", "x") == [0]

    # Slowly, so that Play cannot reach the end (and stop by itself) while a click is still being
    # delivered: on software WebGL a click can take many seconds to land.
    frame.select_option("#speed", "2")
    frame.click("#play")
    lecture.page.wait_for_timeout(1500)
    lecture.page.keyboard.press(" ")   # pause: the ▶ Play button has the focus, as after a lecturer's click
    state = frame.evaluate("() => ({k: gdviz.state.k, playing: gdviz.state.playing})")
    assert not state["playing"], "space did not pause"
    assert 0 < state["k"] < DEFAULT_STEPS, "Play did not advance"
    assert lecture.step_label() == f"step {state['k']} / {DEFAULT_STEPS}"
    assert_eye(lecture.eye(), TURNED, "after Play and Pause")

    # Give a stray rerun time to arrive before declaring there was none.
    lecture.page.wait_for_timeout(1000)
    assert (lecture.rerun_requests, lecture.scripts_finished) == (requests, finished), \
        "stepping or playing reran the Streamlit script"
    assert lecture.marker() == 42, "the component was remounted"
    assert lecture.errors == []


def test_camera_survives_a_rerun_that_leaves_the_3d_scene_alone(lecture):
    lecture.set_marker()
    lecture.turn()
    finished = lecture.scripts_finished

    lecture.page.get_by_text("Log scale for the loss", exact=True).click()
    lecture.wait_for_rerun(finished)
    lecture.frame.wait_for_function(
        "() => document.getElementById('loss')._fullLayout.yaxis.type === 'log'", timeout=RERUN)

    assert_eye(lecture.eye(), TURNED, "through a rerun")
    assert lecture.marker() == 42, "the rerun remounted the component"
    assert lecture.exceptions() == []
    assert lecture.errors == []


def test_a_diverging_learning_rate_is_reported_and_drawn_with_finite_numbers(lecture):
    page, frame = lecture.page, lecture.frame
    finished = lecture.scripts_finished
    # By aria-label: the slider's accessible name also carries its current value.
    rate = page.locator("[data-testid='stSidebar'] [role='slider'][aria-label='Learning rate'], "
                        "[data-testid='stSidebar'] input[type='range'][aria-label='Learning rate']").first
    rate.focus()
    page.keyboard.press("End")    # the top of the scale: α = 10
    wait_until(page, lambda: rate.get_attribute("aria-valuetext") == "10", ACTION,
               "the learning-rate slider did not reach 10")
    lecture.wait_for_rerun(finished)

    page.locator("[data-testid='stAlert']", has_text="Diverged at step").wait_for(timeout=RERUN)
    frame.wait_for_function(
        "() => document.getElementById('note').textContent.includes('Diverged at step')", timeout=RERUN)
    assert lecture.exceptions() == []

    z = lecture.trace("surface", "path", "z")
    assert z and all(v is not None and math.isfinite(v) for v in z), f"path heights: {z}"
    z_top = frame.evaluate("() => document.getElementById('surface')._fullLayout.scene.zaxis.range[1]")
    assert math.isfinite(z_top) and z_top < 1e6, f"the 3-D loss axis reaches {z_top}"

    # Every step of the run, not only the one on show: no NaN or infinity may reach the panel.
    bad = frame.evaluate("""() => {
        const bad = [], here = gdviz.state.k;
        for (let k = 0; k <= Math.min(gdviz.state.last, 500); k++) {
            gdviz.show(k);
            const text = document.getElementById('maths').textContent + document.getElementById('metrics').textContent;
            if (/NaN|Infinity|undefined/.test(text)) bad.push([k, text]);
        }
        gdviz.show(here);
        return bad;
    }""")
    assert bad == [], f"non-numbers in the maths panel: {bad[:3]}"
    # the step label counts to the step the run blew up at, as the note says (never "step 0 / 0")
    frame.evaluate("() => gdviz.show(gdviz.state.last)")
    last, diverged = frame.evaluate("() => [gdviz.state.last, gdviz.state.spec.run.diverged_at]")
    assert frame.inner_text("#steplabel") == f"step {last} / {diverged}"
    assert f"Diverged at step {diverged}:" in frame.inner_text("#note")
    lecture.wait_until_views_fill_their_cells()
    assert lecture.errors == []
    lecture.screenshot("screenshot-diverging.png")


def test_a_click_on_the_contour_map_moves_the_start_and_keeps_the_camera(lecture):
    page, frame = lecture.page, lecture.frame
    start_w = page.get_by_label("Start w₀", exact=True)
    start_b = page.get_by_label("Start b₀", exact=True)
    assert start_w.input_value() == "-3.000"
    lecture.turn()
    run_before = frame.evaluate("() => gdviz.state.runId")
    finished = lecture.scripts_finished

    # Lower left of the axes: far from the default path (upper left to the optimum, lower right)
    # and from the current step's arrows, so the click lands on the contours themselves.
    fx, fy = 0.2, 0.8
    axes = frame.evaluate("""() => {
        const l = document.getElementById('contour')._fullLayout;
        return {w: l.xaxis.range.slice(), b: l.yaxis.range.slice()};
    }""")
    drag = frame.locator("#contour .draglayer .xy .nsewdrag")
    box = drag.bounding_box()
    drag.click(position={"x": fx * box["width"], "y": fy * box["height"]})

    wait_until(page, lambda: start_w.input_value() != "-3.000", RERUN, "Start w₀ did not change")
    lecture.wait_for_rerun(finished)
    frame.wait_for_function("(before) => gdviz.state.runId !== before", arg=run_before, timeout=RERUN)
    frame.wait_for_function(JS_READY, timeout=RERUN)

    w0, b0 = float(start_w.input_value()), float(start_b.input_value())
    # The click reports the nearest cell of the 81×81 contour grid, not the exact pixel.
    cell_w = (axes["w"][1] - axes["w"][0]) / 80
    cell_b = (axes["b"][1] - axes["b"][0]) / 80
    assert w0 == pytest.approx(axes["w"][0] + fx * (axes["w"][1] - axes["w"][0]), abs=1.5 * cell_w + 1e-3)
    assert b0 == pytest.approx(axes["b"][1] - fy * (axes["b"][1] - axes["b"][0]), abs=1.5 * cell_b + 1e-3)
    path_w = lecture.trace("surface", "path", "x")
    path_b = lecture.trace("surface", "path", "y")
    assert path_w[0] == pytest.approx(w0, abs=1e-3), "the 3-D path does not start at the new w₀"
    assert path_b[0] == pytest.approx(b0, abs=1e-3), "the 3-D path does not start at the new b₀"

    # A new run redraws the 3-D figure (Plotly.react): the lecturer's view must survive that too.
    assert_eye(lecture.eye(), TURNED, "through a new run")
    lecture.wait_until_views_fill_their_cells()
    assert lecture.exceptions() == []
    assert lecture.errors == []


def test_idle_views_stay_still(lecture):
    """Left alone, the component stops resizing and redrawing: nothing should burn a lecture laptop.

    A regression test: a frame that asks for its own height plus a margin grows a little on every
    resize, Streamlit answers each new height with a render, and the views redraw forever.
    """
    lecture.frame.evaluate("""() => {
        window.__renders = 0;
        window.addEventListener('message', (e) => {
            if (e.data && e.data.type === 'streamlit:render') window.__renders += 1;
        });
    }""")
    height = f"() => document.querySelector(\"{IFRAME}\").getBoundingClientRect().height"
    before = lecture.page.evaluate(height)
    lecture.page.wait_for_timeout(5000)
    assert (lecture.frame.evaluate("() => window.__renders"), lecture.page.evaluate(height)) == (0, before)
