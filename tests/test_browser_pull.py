"""Each example's pull and the eigen-directions, on screen (issue 11, sections 1 and 3).

Read from what Plotly holds (gd._fullData, gd.layout.annotations), not from pictures: the mean of
the per-example arrows' tips is the bold −∇L arrow's tip, at every step shown; stepping moves them;
the eigen view's observed dots lie on the predicted lines and its marker follows the step; hovering
an arrow marks its point in the data view and hovering a point marks its arrow. Exported pages
(file://) keep it fast; one case goes through the real Streamlit app with the link's pull=1&eig=1.

It reuses test_browser's server and browser fixtures and its skip logic (GDVIZ_REQUIRE_BROWSER=1
turns a skip into a failure).
"""
from __future__ import annotations

import numpy as np
import pytest

try:
    from test_browser import ACTION, JS_READY, READY, Lecture, app_url, chromium  # noqa: F401
except pytest.skip.Exception as skipped:
    pytest.skip(skipped.msg, allow_module_level=True)

from test_frames import PULL_CASES  # noqa: E402

from gdviz import web  # noqa: E402
from gdviz.web import frames  # noqa: E402

# The pulls as the contours draw them now: each arrow's tip (point 3i + 1 of either sign's trace),
# the bold arrow (trace and annotation) and the current point.
JS_PULLS = """() => {
  const gd = document.getElementById('contour');
  const full = (uid) => gd._fullData.find((t) => t.uid === uid);
  const tips = [];
  for (const uid of ['pull-over', 'pull-under']) {
    const t = full(uid);
    for (let i = 1; i < t.x.length; i += 3) if (t.x[i] !== null && t.x[i] !== undefined) tips.push([(i - 1) / 3, t.x[i], t.y[i]]);
  }
  const mean = full('pull-mean'), notes = gd.layout.annotations, bold = notes[notes.length - 1];
  return {tips: tips, mean: [Array.from(mean.x), Array.from(mean.y)], bold: [bold.ax, bold.ay, bold.x, bold.y],
          point: [full('current-point').x[0], full('current-point').y[0]]};
}"""
JS_TRACE_XY = """([view, uid]) => {
  const t = document.getElementById(view)._fullData.find((t) => t.uid === uid);
  return t ? [Array.from(t.x, (v) => (v === null ? null : Number(v))), Array.from(t.y, (v) => (v === null ? null : Number(v)))] : null;
}"""
# Plotly.Fx.hover draws the hover label; called by a script it emits no event ("don't emit events if
# called manually", plotly.js), so the event a mouse would cause is emitted with the points it found.
JS_HOVER = """([view, uid, point]) => {
  const gd = document.getElementById(view);
  const curve = gd._fullData.findIndex((t) => t.uid === uid);
  Plotly.Fx.hover(gd, [{curveNumber: curve, pointNumber: point}]);
  gd.emit('plotly_hover', {points: gd._hoverdata, event: {}});
  return gd._hoverdata.map((p) => [p.data.uid, p.pointNumber]);
}"""
JS_UNHOVER = """(view) => {
  const gd = document.getElementById(view);
  Plotly.Fx.unhover(gd);
  gd.emit('plotly_unhover', {points: []});
}"""


@pytest.fixture(scope="module")
def page(chromium):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(ACTION)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab, errors
    finally:
        context.close()


def open_case(page, tmp_path, case: str, step=None):
    tab, errors = page
    data, run, options = PULL_CASES[case]()
    spec = web.lecture_spec(data, run, step=step, **options)
    path = tmp_path / "pull.html"
    path.write_text(web.standalone_html(spec), encoding="utf-8")
    tab.goto(path.as_uri(), wait_until="load", timeout=READY)
    tab.wait_for_function(JS_READY, timeout=READY)
    tab.wait_for_function("() => gdviz.state.uids.eigen !== undefined", timeout=READY)
    return tab, spec, data, run, options


def show(tab, k: int) -> None:
    tab.evaluate("(k) => gdviz.show(k)", k)
    tab.wait_for_function("(k) => gdviz.state.k === k", arg=k)


def check_mean_is_bold(tab, spec, k: int, where: str) -> dict:
    drawn = tab.evaluate(JS_PULLS)
    tips = np.array([[x, y] for _, x, y in drawn["tips"]])
    (x0, x1), (y0, y1) = drawn["mean"]
    assert [x0, y0] == pytest.approx(drawn["point"], rel=1e-15), where
    span = max(abs(x1 - x0), abs(y1 - y0))
    np.testing.assert_allclose(tips.mean(axis=0), [x1, y1], rtol=1e-9, atol=1e-9 * span, err_msg=where)
    np.testing.assert_allclose(drawn["bold"], [x0, y0, x1, y1], rtol=1e-15, err_msg=f"{where}: the bold annotation")
    frame = tab.evaluate("(k) => gdviz.frameAt(k)", k)
    python = frames.jsonable(frames.step_frame(spec, k))
    np.testing.assert_allclose(frame["traces"]["contour"]["pull-mean"]["x"], python["traces"]["contour"]["pull-mean"]["x"],
                               rtol=1e-12)
    np.testing.assert_allclose([x1, y1], [python["traces"]["contour"]["pull-mean"]["x"][1],
                                          python["traces"]["contour"]["pull-mean"]["y"][1]], rtol=1e-12)
    return drawn


@pytest.mark.parametrize("case", ["pull and eigen", "pull and eigen, two features", "pull and eigen, standardised"])
def test_the_mean_of_the_arrows_on_screen_is_the_bold_arrow_at_every_step(case, page, tmp_path):
    tab, spec, data, run, _ = open_case(page, tmp_path, case, step=0)
    before = check_mean_is_bold(tab, spec, 0, f"{case} k=0")
    assert len(before["tips"]) == data.m
    for k in (1, 6, run.steps // 2):
        show(tab, k)
        after = check_mean_is_bold(tab, spec, k, f"{case} k={k}")
        assert after["mean"] != before["mean"] and after["tips"] != before["tips"], f"{case}: stepping moved nothing"
        before = after
    assert page[1] == []


def test_the_eigen_views_dots_lie_on_its_lines_and_its_marker_follows_the_step(page, tmp_path):
    tab, spec, data, run, _ = open_case(page, tmp_path, "pull and eigen", step=0)
    assert tab.evaluate("() => getComputedStyle(document.getElementById('eigen')).display") != "none"
    for i in (1, 2):
        _, observed = tab.evaluate(JS_TRACE_XY, ["eigen", f"eigen-observed-{i}"])
        _, predicted = tab.evaluate(JS_TRACE_XY, ["eigen", f"eigen-predicted-{i}"])
        assert len(observed) == len(predicted) == run.steps + 1
        np.testing.assert_allclose(observed, predicted, rtol=1e-9, atol=1e-9 * max(observed[0], predicted[0]))
    for k in (0, 9, run.steps):
        show(tab, k)
        x, y = tab.evaluate(JS_TRACE_XY, ["eigen", "eigen-now"])
        assert x == [k, k]
        observed = [tab.evaluate(JS_TRACE_XY, ["eigen", f"eigen-observed-{i}"])[1][k] for i in (1, 2)]
        assert y == pytest.approx(observed, rel=1e-12)
    # Adam: observed only, and the title says so
    tab, spec, *_ = open_case(page, tmp_path, "pull and eigen, two features")
    assert tab.evaluate(JS_TRACE_XY, ["eigen", "eigen-predicted-1"]) is None
    title = tab.evaluate("() => document.getElementById('eigen').layout.title.text")
    assert "prediction for plain full-batch GD only" in title
    assert page[1] == []


def test_a_plain_page_has_no_eigen_view_and_no_pulls(page, tmp_path):
    tab, errors = page
    data, run, _ = PULL_CASES["pull and eigen"]()
    path = tmp_path / "plain.html"
    path.write_text(web.standalone_html(web.lecture_spec(data, run)), encoding="utf-8")
    tab.goto(path.as_uri(), wait_until="load", timeout=READY)
    tab.wait_for_function(JS_READY, timeout=READY)
    assert tab.evaluate("() => getComputedStyle(document.getElementById('eigen')).display") == "none"
    assert tab.evaluate(JS_TRACE_XY, ["contour", "pull-over"]) is None
    assert errors == []


@pytest.mark.parametrize("case", ["pull and eigen", "pull and eigen, many rows"])
def test_hovering_an_arrow_marks_its_point_and_a_point_marks_its_arrow(case, page, tmp_path):
    tab, spec, data, run, options = open_case(page, tmp_path, case, step=3)
    rows = spec["run"]["pull_rows"]
    drawn = tab.evaluate(JS_PULLS)
    i, tip_x, tip_y = drawn["tips"][len(drawn["tips"]) // 2]
    uid = "pull-over" if tab.evaluate(JS_TRACE_XY, ["contour", "pull-over"])[0][3 * i + 1] is not None else "pull-under"
    assert tab.evaluate(JS_HOVER, ["contour", uid, 3 * i + 1]) == [[uid, 3 * i + 1]]
    data_x, data_y = tab.evaluate(JS_TRACE_XY, ["data", "data"])
    tab.wait_for_function("() => document.getElementById('data')._fullData.find((t) => t.uid === 'pull-highlight').x.length === 1")
    assert tab.evaluate(JS_TRACE_XY, ["data", "pull-highlight"]) == [[data_x[rows[i]]], [data_y[rows[i]]]]
    arrow = tab.evaluate(JS_TRACE_XY, ["contour", "pull-highlight"])
    assert arrow == [[drawn["point"][0], tip_x], [drawn["point"][1], tip_y]]
    # the mark follows the step: the same example's arrow at the next step
    show(tab, 4)
    tab.wait_for_function("(x) => document.getElementById('contour')._fullData.find((t) => t.uid === 'pull-highlight').x[1] !== x",
                          arg=tip_x)
    moved = tab.evaluate(JS_PULLS)
    tip = next(t for t in moved["tips"] if t[0] == i)
    assert tab.evaluate(JS_TRACE_XY, ["contour", "pull-highlight"])[0] == [moved["point"][0], tip[1]]
    tab.evaluate(JS_UNHOVER, "contour")
    tab.wait_for_function("() => document.getElementById('data')._fullData.find((t) => t.uid === 'pull-highlight').x.length === 0")

    # the reverse: hover a data point with an arrow, its arrow is marked
    j = rows[len(rows) // 3]
    assert tab.evaluate(JS_HOVER, ["data", "data", j]) == [["data", j]]
    tab.wait_for_function("() => document.getElementById('contour')._fullData.find((t) => t.uid === 'pull-highlight').x.length === 2")
    p = rows.index(j)
    tip = next(t for t in moved["tips"] if t[0] == p)
    assert tab.evaluate(JS_TRACE_XY, ["contour", "pull-highlight"]) == [[moved["point"][0], tip[1]], [moved["point"][1], tip[2]]]
    assert tab.evaluate(JS_TRACE_XY, ["data", "pull-highlight"]) == [[data_x[j]], [data_y[j]]]
    tab.evaluate(JS_UNHOVER, "data")
    tab.wait_for_function("() => document.getElementById('contour')._fullData.find((t) => t.uid === 'pull-highlight').x.length === 0")
    assert page[1] == []


def test_the_app_draws_the_pulls_and_the_eigen_view_from_its_link(chromium, app_url):
    lecture = Lecture(chromium, app_url + "/?pull=1&eig=1")
    try:
        frame = lecture.frame
        frame.wait_for_function("() => gdviz.state.uids.eigen !== undefined && 'pull-over' in gdviz.state.uids.contour",
                                timeout=READY)
        spec = frame.evaluate("() => gdviz.state.spec")
        k = frame.evaluate("() => gdviz.state.k")
        check_mean_is_bold(frame, spec, k, "the app")
        frame.evaluate("() => gdviz.show(2)")
        frame.wait_for_function("() => gdviz.state.k === 2")
        check_mean_is_bold(frame, spec, 2, "the app, step 2")
        rows = frame.evaluate("() => Array.from(document.querySelectorAll('#maths .eq'), (n) => n.textContent)")
        assert any("the same shape as" in row for row in rows)
        assert lecture.exceptions() == [] and lecture.errors == []
    finally:
        lecture.close()
