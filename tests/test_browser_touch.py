"""touch.js in a real browser, on exported pages (web.standalone_html): predict-then-reveal on the
contours, dragging a data point, and the clicker's PageDown/PageUp, also from the page around the
views' frame. What the views send to Python (Protocol.sendValue) is read from the messages they
post to their parent window, which in an exported page is the page itself.

It reuses test_browser's browser fixture and skip logic: without Chromium or playwright this module
skips loudly, and GDVIZ_REQUIRE_BROWSER=1 turns that into a failure.
"""
from __future__ import annotations

import functools
import http.server
import math
import threading

import numpy as np
import pytest

try:
    from test_browser import ACTION, JS_READY as APP_READY, READY, RERUN, Lecture, app_url, chromium, lecture  # noqa: F401
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

import gdviz  # noqa: E402
from gdviz import web  # noqa: E402

JS_READY = """() => {
  const S = window.gdviz && window.gdviz.state;
  return !!(S && S.spec && ['surface', 'contour', 'data', 'loss'].every((v) => S.uids[v]));
}"""
# Every value the views send, as Streamlit would receive it.
JS_LISTEN = """() => {
  window.sent = [];
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'streamlit:setComponentValue') window.sent.push(e.data.value);
  });
}"""
# A view's plot area: data units → client pixels and the size of one pixel in data units.
JS_PIXEL = """([view, x, y]) => {
  const gd = document.getElementById(view), l = gd._fullLayout, r = gd.getBoundingClientRect();
  return {x: r.left + l._size.l + l.xaxis.d2p(x), y: r.top + l._size.t + l.yaxis.d2p(y),
          cx: r.left + l._size.l + l._size.w / 2, cy: r.top + l._size.t + l._size.h / 2,
          dx: Math.abs(l.xaxis.p2d(1) - l.xaxis.p2d(0)), dy: Math.abs(l.yaxis.p2d(1) - l.yaxis.p2d(0))};
}"""
JS_TO_DATA = """([view, px, py]) => {
  const gd = document.getElementById(view), l = gd._fullLayout, r = gd.getBoundingClientRect();
  return [l.xaxis.p2d(px - r.left - l._size.l), l.yaxis.p2d(py - r.top - l._size.t)];
}"""
JS_SHAPES = """(view) => (document.getElementById(view).layout.shapes || []).map((s) => s.name || '')"""
JS_TRACE_X = """([view, uid]) => {
  const gd = document.getElementById(view), t = gd.data.find((t) => t.uid === uid);
  return t ? Array.from(t.x || [], (v) => (v === null ? null : Number(v))) : null;
}"""
# The drawn point farthest (in pixels) from its nearest neighbour: a press on it picks it alone.
JS_LONELY = """() => {
  const S = gdviz.state.spec, gd = document.getElementById('data'), l = gd._fullLayout;
  const trace = gd._fullData.find((t) => t.uid === 'data'), xs = Array.from(trace.x, Number), ys = Array.from(trace.y, Number);
  const px = Array.from(xs, (x) => l.xaxis.d2p(x)), py = Array.from(ys, (y) => l.yaxis.d2p(y));
  let best = 0, far = -1;
  for (let i = 0; i < px.length; i++) {
    let near = Infinity;
    for (let j = 0; j < px.length; j++) if (j !== i) near = Math.min(near, Math.hypot(px[i] - px[j], py[i] - py[j]));
    if (near > far && px[i] > 30 && py[i] > 30) { far = near; best = i; }
  }
  return {i: best, x: Number(xs[best]), y: Number(ys[best])};
}"""


def spec_for(data=None, *, steps=20, lr=0.1, **extra) -> dict:
    data = data if data is not None else gdviz.synthetic(n=30, seed=1)
    run = gdviz.descend(data, lr=lr, steps=steps)
    return {**web.lecture_spec(data, run, step=0), **extra}


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(ACTION)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page, errors
    finally:
        context.close()


def open_spec(page, spec, tmp_path):
    path = tmp_path / "views.html"
    path.write_text(web.standalone_html(spec), encoding="utf-8")
    page.goto(path.as_uri(), wait_until="load", timeout=READY)
    page.wait_for_function(JS_READY, timeout=READY)
    page.evaluate(JS_LISTEN)


# ---------------------------------------------------------------- predict, then reveal

def test_predict_hides_the_next_step_and_a_click_on_the_truth_is_a_guess_of_distance_zero(browser_page, tmp_path):
    page, errors = browser_page
    spec = spec_for()
    open_spec(page, spec, tmp_path)
    page.evaluate("() => gdviz.show(2)")
    assert len(page.evaluate("() => document.getElementById('contour').layout.annotations")) == 2
    button = page.locator("#predict")
    assert button.get_attribute("aria-label") == "predict the next step"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    state = page.evaluate("() => gdviz.predict")
    assert state["on"] and state["k"] == 2 and not state["revealed"] and state["guess"] is None
    # Hidden: the update and gradient arrows at k, the 3-D update segment, the update rows' results.
    assert page.evaluate("() => document.getElementById('contour').layout.annotations") == []
    assert page.evaluate(JS_TRACE_X, ["surface", "current-update"]) == []
    assert page.evaluate(JS_TRACE_X, ["surface", "current-gradient"]) == []
    assert page.locator("#maths .eq.u .n", has_text="?").count() == 2
    w_next, b_next = float(spec_w(spec, 3)), float(spec_b(spec, 3))
    assert state["truth"] == pytest.approx([w_next, b_next], rel=1e-12)
    assert "Where does step 3 land?" in page.text_content("#guess")

    at = page.evaluate(JS_PIXEL, ["contour", w_next, b_next])
    page.mouse.click(at["x"], at["y"])
    page.wait_for_function("() => gdviz.predict.revealed")
    state = page.evaluate("() => gdviz.predict")
    assert state["distance"] <= math.hypot(at["dx"], at["dy"]), "a click on the true point is a guess that far off"
    length = math.hypot(w_next - spec_w(spec, 2), b_next - spec_b(spec, 2))
    assert state["length"] == pytest.approx(length, rel=1e-12)
    text = page.text_content("#guess")
    assert text.startswith("Your guess was ") and f"(the step was {fmt3(length)} long)" in text
    assert {"touch-guess", "touch-truth", "touch-miss", "touch-step"} <= set(page.evaluate(JS_SHAPES, "contour"))
    assert len(page.evaluate("() => document.getElementById('contour').layout.annotations")) == 2
    assert len(page.evaluate(JS_TRACE_X, ["surface", "current-update"])) == 2
    assert page.locator("#maths .eq.u .n", has_text="?").count() == 0
    assert page.evaluate("() => window.sent") == [], "a guess started a new run"

    page.keyboard.press("ArrowRight")   # the next step, hidden again
    page.wait_for_function("() => gdviz.predict.k === 3 && !gdviz.predict.revealed")
    assert page.evaluate("() => gdviz.state.k") == 3
    assert "touch-guess" not in page.evaluate(JS_SHAPES, "contour")
    assert page.evaluate("() => document.getElementById('contour').layout.annotations") == []

    button.click()   # off: everything back
    assert button.get_attribute("aria-pressed") == "false"
    assert len(page.evaluate("() => document.getElementById('contour').layout.annotations")) == 2
    assert page.text_content("#guess") == ""
    assert errors == []


def spec_w(spec, k):
    return web.decode(spec["timeline"]["W"])[k, 0]


def spec_b(spec, k):
    return web.decode(spec["timeline"]["b"])[k]


def fmt3(v):
    return f"{v:.3g}"


def test_predict_at_the_last_step_in_view_has_nothing_to_hide(browser_page, tmp_path):
    page, errors = browser_page
    open_spec(page, spec_for(steps=5), tmp_path)
    page.evaluate("() => gdviz.show(5)")
    page.locator("#predict").click()
    assert "no next step" in page.text_content("#guess")
    assert len(page.evaluate("() => document.getElementById('contour').layout.annotations")) >= 1
    assert errors == []


# ---------------------------------------------------------------- dragging a data point

def drag(page, start, end, steps=8):
    page.mouse.move(start[0], start[1])
    page.mouse.down()
    for t in np.linspace(0, 1, steps)[1:]:
        page.mouse.move(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
    page.mouse.up()


def towards_centre(at, dx, dy):
    """A point dx, dy pixels from ``at`` towards the plot area's centre (a drop inside the plot)."""
    return (at["x"] + math.copysign(dx, at["cx"] - at["x"]), at["y"] + math.copysign(dy, at["cy"] - at["y"]))


def test_a_dragged_point_sends_its_row_and_where_it_was_dropped(browser_page, tmp_path):
    page, errors = browser_page
    spec = spec_for()
    m = len(spec["rows"]["index"])
    spec["rows"]["index"] = [7 * i + 3 for i in range(m)]   # the spec's own rows, whatever they are
    open_spec(page, spec, tmp_path)
    assert page.evaluate("() => gdviz.predict.editable")
    ranges = page.evaluate("() => { const l = document.getElementById('data')._fullLayout; return [l.xaxis.range, l.yaxis.range]; }")
    point = page.evaluate(JS_LONELY)
    at = page.evaluate(JS_PIXEL, ["data", point["x"], point["y"]])
    end = towards_centre(at, 60, 40)
    drag(page, (at["x"], at["y"]), end)
    page.wait_for_function("() => window.sent.length > 0")
    sent = page.evaluate("() => window.sent")
    assert len(sent) == 1 and set(sent[0]) == {"point", "click"} and sent[0]["click"] >= 1
    dropped = page.evaluate(JS_TO_DATA, ["data", end[0], end[1]])
    assert sent[0]["point"]["row"] == 7 * point["i"] + 3
    assert sent[0]["point"]["x"] == pytest.approx(dropped[0], abs=at["dx"])
    assert sent[0]["point"]["y"] == pytest.approx(dropped[1], abs=at["dy"])
    assert {"touch-moved", "touch-moved-from"} <= set(page.evaluate(JS_SHAPES, "data"))
    after = page.evaluate("() => { const l = document.getElementById('data')._fullLayout; return [l.xaxis.range, l.yaxis.range]; }")
    assert after == ranges, "the drag also zoomed the data view"
    assert page.evaluate("() => window.getSelection().toString()") == ""
    assert errors == []


def test_a_finger_drags_a_point_too_and_the_page_does_not_scroll(chromium, tmp_path):
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, has_touch=True)
    context.set_default_timeout(ACTION)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_spec(page, spec_for(), tmp_path)
        page.locator("#data").scroll_into_view_if_needed()
        scrolled = page.evaluate("() => window.scrollY")
        point = page.evaluate(JS_LONELY)
        at = page.evaluate(JS_PIXEL, ["data", point["x"], point["y"]])
        end = towards_centre(at, 40, 30)
        client = context.new_cdp_session(page)
        touch = lambda kind, x, y: client.send("Input.dispatchTouchEvent", {   # noqa: E731
            "type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]})
        touch("touchStart", at["x"], at["y"])
        for t in np.linspace(0, 1, 6)[1:]:
            touch("touchMove", at["x"] + t * (end[0] - at["x"]), at["y"] + t * (end[1] - at["y"]))
        touch("touchEnd", *end)
        page.wait_for_function("() => window.sent.length > 0")
        sent = page.evaluate("() => window.sent")[0]["point"]
        dropped = page.evaluate(JS_TO_DATA, ["data", end[0], end[1]])
        assert sent["row"] == point["i"]
        assert [sent["x"], sent["y"]] == pytest.approx(dropped, abs=max(at["dx"], at["dy"]) * 1.5)
        assert page.evaluate("() => window.scrollY") == scrolled
        assert errors == []
    finally:
        context.close()


def test_a_press_away_from_the_points_or_on_a_view_that_is_not_editable_sends_nothing(browser_page, tmp_path):
    page, errors = browser_page
    open_spec(page, spec_for(editable=False), tmp_path)
    point = page.evaluate(JS_LONELY)
    at = page.evaluate(JS_PIXEL, ["data", point["x"], point["y"]])
    drag(page, (at["x"], at["y"]), (at["x"] - 50, at["y"] - 30))
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.sent") == []
    assert errors == []


def test_the_spec_names_the_data_sets_row_of_each_point_drawn():
    data = gdviz.synthetic(n=web.MAX_SHOWN_ROWS + 50, seed=2)
    spec = web.lecture_spec(data, gdviz.descend(data, lr=0.1, steps=3))
    assert spec["rows"]["index"] == web.display_rows(data.m if hasattr(data, "m") else len(data.y)).tolist()
    assert len(spec["rows"]["index"]) == len(web.decode(spec["timeline"]["x"]))


# ---------------------------------------------------------------- the clicker

def test_page_down_and_up_move_through_a_lessons_scenes_after_a_click_on_a_button(browser_page, tmp_path):
    page, errors = browser_page
    open_spec(page, spec_for(lesson={"k": 1, "n": 4}), tmp_path)
    page.locator("#forward").click()   # a clicked control keeps the focus
    assert page.evaluate("() => gdviz.state.k") == 1
    page.keyboard.press("PageDown")
    page.keyboard.press("PageUp")
    page.keyboard.press("ArrowRight")   # ← → still step
    sent = page.evaluate("() => window.sent")
    assert [v["scene"] for v in sent] == [1, -1]
    assert sent[1]["click"] > sent[0]["click"]
    assert page.evaluate("() => gdviz.state.k") == 2
    assert errors == []


def test_without_a_lesson_page_down_is_left_alone(browser_page, tmp_path):
    page, errors = browser_page
    open_spec(page, spec_for(), tmp_path)
    page.evaluate("() => { window.scrolled = []; document.addEventListener('keydown', (e) => scrolled.push(e.defaultPrevented)); }")
    page.keyboard.press("PageDown")
    assert page.evaluate("() => window.sent") == []
    assert page.evaluate("() => window.scrolled") == [False]
    assert errors == []


@pytest.fixture
def served(tmp_path):
    """tmp_path over http (one origin, so the views' frame may listen on the page around it)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_page_down_on_the_page_around_the_frame_moves_the_scene(browser_page, tmp_path, served):
    page, errors = browser_page
    (tmp_path / "views.html").write_text(web.standalone_html(spec_for(lesson={"k": 2, "n": 4})), encoding="utf-8")
    (tmp_path / "outer.html").write_text(
        "<!doctype html><html><body><button id='ctl'>a control of the page</button>"
        "<select id='choice'><option>one</option><option>two</option></select>"
        "<input id='title' type='text'><input id='combo' type='text' role='combobox'>"
        "<iframe id='views' src='views.html' width='1600' height='1400'></iframe><script>"
        "window.sent = []; window.addEventListener('message', (e) => {"
        " if (e.data && e.data.type === 'streamlit:setComponentValue') window.sent.push(e.data.value); });"
        "</script></body></html>", encoding="utf-8")
    page.goto(f"{served}/outer.html", wait_until="load", timeout=READY)
    page.frame_locator("#views").locator("#contour").wait_for()
    page.frames[1].wait_for_function(JS_READY, timeout=READY)
    page.locator("#ctl").click()
    page.keyboard.press("PageDown")
    page.locator("#choice").focus()
    page.keyboard.press("PageUp")
    page.locator("#title").focus()   # a person typing a scene's title keeps the key
    page.keyboard.press("PageDown")
    page.locator("#combo").focus()   # a clicked drop-down list (Streamlit's selectbox) does not
    page.keyboard.press("PageDown")
    page.wait_for_function("() => window.sent.length === 3")
    assert [v["scene"] for v in page.evaluate("() => window.sent")] == [1, -1, 1]
    assert page.locator("#choice").input_value() == "one", "PageUp also moved the drop-down list"
    assert errors == []


# ---------------------------------------------------------------- through the app

def spec_row(frame, i):
    return frame.evaluate("(i) => gdviz.state.spec.rows.index[i]", i)


def test_in_the_app_a_dragged_point_moves_and_the_optimum_is_the_new_least_squares(lecture):
    """The real app: the value reaches Python, the data set is edited there, and the views show the
    moved point and the least-squares optimum of the new data."""
    page, frame = lecture.page, lecture.frame
    if not frame.evaluate("() => gdviz.predict.editable"):
        pytest.skip("the app's default view is not editable")
    frame.locator("#data").scroll_into_view_if_needed()
    run_before = frame.evaluate("() => gdviz.state.runId")
    finished = lecture.scripts_finished
    point = frame.evaluate(JS_LONELY)
    at = frame.evaluate(JS_PIXEL, ["data", point["x"], point["y"]])
    offset = page.locator("iframe[src*='gdviz_views']").bounding_box()
    end = towards_centre(at, 50, 40)
    dropped = frame.evaluate(JS_TO_DATA, ["data", end[0], end[1]])   # on the axes before the rerun
    drag(page, (offset["x"] + at["x"], offset["y"] + at["y"]), (offset["x"] + end[0], offset["y"] + end[1]))
    sent = frame.evaluate("() => gdviz.predict.sent")
    assert sent["point"]["row"] == spec_row(frame, point["i"])
    assert sent["point"]["x"] == pytest.approx(dropped[0], abs=at["dx"])
    assert sent["point"]["y"] == pytest.approx(dropped[1], abs=at["dy"])
    lecture.wait_for_rerun(finished)
    frame.wait_for_function("(before) => gdviz.state.runId !== before", arg=run_before, timeout=RERUN)
    frame.wait_for_function(APP_READY, timeout=RERUN)
    spec = frame.evaluate("() => gdviz.state.spec")
    x, y = web.decode(spec["timeline"]["x"]), web.decode(spec["timeline"]["y"])
    row = spec["rows"]["index"].index(sent["point"]["row"])
    assert [x[row], y[row]] == pytest.approx([float(f"{v:.4g}") for v in (sent["point"]["x"], sent["point"]["y"])])
    slope, intercept = np.polyfit(x, y, 1)   # least squares of the data shown, in its own units
    w, b = spec["run"]["optimum"]
    if spec["run"]["scaling"]:   # fitted on x′ = (x − μ)/σ
        mu, sigma = spec["run"]["scaling"]
        w, b = w / sigma, b - w * mu / sigma
    assert [w, b] == pytest.approx([slope, intercept], rel=1e-6, abs=1e-9)
    assert lecture.exceptions() == []
    assert lecture.errors == []


def test_in_the_app_page_down_moves_to_the_next_scene_whatever_was_clicked_last(chromium, app_url):
    tab = Lecture(chromium, f"{app_url}/?lesson=builtin")
    try:
        page, frame = tab.page, tab.frame
        if not frame.evaluate("() => Boolean(gdviz.state.spec.lesson)"):
            pytest.skip("app.py does not put the lesson into the views' spec yet (spec.lesson)")
        scene = page.get_by_text("Scene 1 /")
        scene.wait_for()
        frame.locator("#forward").click()   # a control in the views keeps the focus
        finished = tab.scripts_finished
        page.keyboard.press("PageDown")
        tab.wait_for_rerun(finished)
        page.get_by_text("Scene 2 /").wait_for(timeout=RERUN)
        page.get_by_text("Scene 2 /").click()   # now the page around the views has the focus
        finished = tab.scripts_finished
        page.keyboard.press("PageUp")
        tab.wait_for_rerun(finished)
        page.get_by_text("Scene 1 /").wait_for(timeout=RERUN)
        assert tab.exceptions() == []
        assert tab.errors == []
    finally:
        tab.close()
