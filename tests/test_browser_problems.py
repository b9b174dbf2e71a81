"""Issue 12's problems as a person meets them in Chromium, through the real app: each problem opens
from a link, and the step control (the → key and gdviz.show(k)) drives its own views — logistic
regression's sigmoid p(x) and decision boundary change with k, a schedule's α_k marker moves along
the learning-rate curve, a test surface's distance to its minima follows the step — with no
rerun of the script and no error.

Reuses test_browser's server, browser and tab (and its skip: GDVIZ_REQUIRE_BROWSER=1 makes it a failure).
"""
from __future__ import annotations

import pytest

try:
    from test_browser import Lecture, app_url, chromium  # noqa: F401
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

import gdviz  # noqa: E402

JS_SHOW = "(k) => gdviz.show(k)"
JS_K = "() => gdviz.state.k"


def drawn(tab, view, uid, attr):
    values = tab.trace(view, uid, attr)
    assert values is not None, f"no trace {uid!r} in the {view} view"
    return values


def open_tab(chromium, app_url, query):
    tab = Lecture(chromium, f"{app_url}?{query}")
    tab.frame.evaluate(JS_SHOW, 0)
    return tab


def test_logistic_regression_the_sigmoid_and_the_boundary_follow_the_step(chromium, app_url):
    tab = open_tab(chromium, app_url, "problem=logistic&data=challenger")
    try:
        assert "logistic regression" in tab.page.locator("body").inner_text()
        runs = tab.rerun_requests
        first = drawn(tab, "data", "fit", "y")
        boundary0 = drawn(tab, "data", "boundary", "x")
        tab.frame.evaluate(JS_SHOW, 5)
        assert tab.frame.evaluate(JS_K) == 5
        later = drawn(tab, "data", "fit", "y")
        assert later != first and all(0.0 <= p <= 1.0 for p in later)
        assert drawn(tab, "data", "boundary", "x") != boundary0
        frame = tab.frame.evaluate("(k) => gdviz.frameAt(k)", 5)
        assert later == pytest.approx(frame["traces"]["data"]["fit"]["y"], rel=1e-12)
        text = tab.frame.locator("#maths").inner_text()
        assert "σ(" in text and "log p" in text
        assert tab.rerun_requests == runs  # stepping never reruns the script
        assert tab.exceptions() == []
    finally:
        tab.close()


def test_a_cosine_schedule_its_rate_marker_moves_with_the_arrow_key(chromium, app_url):
    tab = open_tab(chromium, app_url, "sched=cosine:100:0")
    try:
        rates = drawn(tab, "loss", "lr", "y")
        expected = gdviz.learning_rates(rates[0], ("cosine", {"T_max": 100, "eta_min": 0.0}), len(rates) - 1)
        assert rates[:-1] == pytest.approx(expected.tolist(), rel=1e-12)
        assert drawn(tab, "loss", "lr-now", "x") == [0]
        tab.frame.locator("#loss").click()
        for _ in range(3):
            tab.page.keyboard.press("ArrowRight")
        tab.frame.wait_for_function("() => gdviz.state.k === 3")
        assert drawn(tab, "loss", "lr-now", "x") == [3]
        assert drawn(tab, "loss", "lr-now", "y") == pytest.approx([expected[3]], rel=1e-12)
        assert "α_k" in tab.frame.locator("#maths").inner_text()
        assert tab.exceptions() == []
    finally:
        tab.close()


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "beale", "saddle"])
def test_a_test_surface_loads_with_its_minima_and_the_step_drives_it(chromium, app_url, name):
    tab = open_tab(chromium, app_url, f"problem={name}")
    try:
        f = gdviz.test_function(name)
        marked = list(zip(drawn(tab, "contour", "optimum", "x"), drawn(tab, "contour", "optimum", "y")))
        assert sorted(marked) == pytest.approx(sorted(f.minima or f.stationary), abs=1e-12)
        assert "A test surface has no data" in tab.page.locator("body").inner_text()
        last = tab.frame.evaluate("gdviz.state.last")
        k = min(4, last)
        tab.frame.evaluate(JS_SHOW, k)
        assert drawn(tab, "data", "progress-now", "x") == [k]
        assert drawn(tab, "contour", "current-point", "x") == pytest.approx(
            [tab.frame.evaluate("(k) => gdviz.frameAt(k).traces.contour['current-point'].x[0]", k)])
        assert tab.exceptions() == []
    finally:
        tab.close()


def test_rosenbrock_with_adam_against_gradient_descent(chromium, app_url):
    tab = open_tab(chromium, app_url, "problem=rosenbrock&opt=adam&lr=0.05&cmp=gd:0.001&steps=500")
    try:
        tab.frame.evaluate(JS_SHOW, 500)
        adam = drawn(tab, "contour", "current-point", "x") + drawn(tab, "contour", "current-point", "y")
        gd = drawn(tab, "contour", "other-point-1", "x") + drawn(tab, "contour", "other-point-1", "y")
        distance = lambda p: ((p[0] - 1) ** 2 + (p[1] - 1) ** 2) ** 0.5  # noqa: E731
        assert distance(adam) < distance(gd)  # Adam gets further along the curved valley
        assert tab.exceptions() == []
    finally:
        tab.close()
