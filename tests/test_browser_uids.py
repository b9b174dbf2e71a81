"""Traces that go away keep the views alive: plotly.js 4.1.1's Plotly.react builds a CSS selector
'.cb' + uid for a removed trace, so one uid with a space ("other path 1") threw a SyntaxError and
every later Plotly.react on that view failed. Through the real Streamlit app: remove a compared run,
turn the tolerance off (the sweep's steps-to-tolerance trace goes), and the views still step.

It reuses test_browser's server and browser fixtures and its skip logic (GDVIZ_REQUIRE_BROWSER=1
turns a skip into a failure).
"""
from __future__ import annotations

import re

import pytest

try:
    from test_browser import APP_IDLE, RERUN, Lecture, app_url, chromium  # noqa: F401
except pytest.skip.Exception as skipped:
    pytest.skip(skipped.msg, allow_module_level=True)

from gdviz import figures  # noqa: E402

LINK = "/?cmp=momentum:0.1,adam:0.1&tol=0.001"
JS_UIDS = """(view) => document.getElementById(view).data.map((t) => t.uid)"""




def step_and_read(lecture, view: str, uid: str) -> tuple[list, list]:
    """The trace's x at step 0 and at step 3, stepping with the page's own buttons."""
    frame = lecture.frame
    frame.click("#first")
    frame.wait_for_function("() => gdviz.state.k === 0", timeout=RERUN)
    at_start = lecture.trace(view, uid, "x")
    for _ in range(3):
        frame.click("#forward")
    frame.wait_for_function("() => gdviz.state.k === 3", timeout=RERUN)
    return at_start, lecture.trace(view, uid, "x")


def test_every_uid_is_a_css_class_name():
    assert figures.UID.match("other-path-1") and not figures.UID.match("other path 1")
    with pytest.raises(ValueError):
        figures._figure([dict(type="scatter", uid="steps to tolerance")], "t")


def test_removing_a_compared_run_and_the_tolerance_keeps_the_views_updating(chromium, app_url):
    lecture = Lecture(chromium, app_url + LINK)
    console: list[str] = []
    lecture.page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    try:
        frame, page = lecture.frame, lecture.page
        frame.wait_for_function("() => document.getElementById('contour').data.some((t) => t.uid === 'other-path-2')",
                                timeout=RERUN)
        assert "steps-to-tolerance" in frame.evaluate(JS_UIDS, "sweep")
        for view in ("surface", "contour", "data", "loss", "sweep"):
            assert all(re.fullmatch(r"[a-z0-9-]+", uid) for uid in frame.evaluate(JS_UIDS, view) if uid), view

        # Two compared runs → one: the second run's traces are removed from every view.
        finished = lecture.scripts_finished
        slider = page.get_by_role("slider", name="Other runs on the same surface")
        slider.focus()
        page.keyboard.press("ArrowLeft")
        lecture.wait_for_rerun(finished)
        frame.wait_for_function("() => !document.getElementById('contour').data.some((t) => t.uid === 'other-path-2')",
                                timeout=RERUN)
        for view in ("surface", "contour", "loss"):
            before, after = step_and_read(lecture, view, "other-point-1" if view == "loss" else "other-path-1")
            assert before != after, f"{view}: the compared run stopped following the step"
        before, after = step_and_read(lecture, "contour", "path")
        assert len(before) == 1 and len(after) == 4

        # The tolerance off: the sweep's steps-to-tolerance trace is removed.
        finished = lecture.scripts_finished
        page.get_by_text("Stop when |∇L| < tolerance").click()
        lecture.wait_for_rerun(finished)
        frame.wait_for_function("() => !document.getElementById('sweep').data.some((t) => t.uid === 'steps-to-tolerance')",
                                timeout=RERUN)
        before, after = step_and_read(lecture, "surface", "path")
        assert len(before) == 1 and len(after) == 4, "the 3-D view stopped following the step"
        before, after = step_and_read(lecture, "loss", "current-point")
        assert before == [0] and after == [3]
        assert lecture.exceptions() == []
        assert lecture.errors == [], lecture.errors
        assert [text for text in console if "selector" in text or "Cannot read" in text] == [], console
    finally:
        lecture.close()


def test_the_pull_and_eigen_traces_have_css_safe_uids_and_go_away_cleanly(chromium, app_url):
    """Each example's pull, the eigen lines and the eigen view: every uid a CSS class name; turning
    them off removes their traces (Plotly.react with the removed uids) and the views still step."""
    lecture = Lecture(chromium, app_url + "/?pull=1&eig=1")
    try:
        frame = lecture.frame
        frame.wait_for_function("() => gdviz.state.uids.eigen !== undefined", timeout=RERUN)
        for view in ("surface", "contour", "data", "loss", "eigen"):
            uids = [uid for uid in frame.evaluate(JS_UIDS, view) if uid]
            assert uids and all(re.fullmatch(r"[a-z0-9-]+", uid) for uid in uids), view
        assert {"pull-over", "pull-under", "pull-mean", "pull-highlight", "eigen-line-1"} <= set(frame.evaluate(JS_UIDS, "contour"))
        finished = lecture.scripts_finished
        lecture.page.get_by_text("Each example's pull", exact=True).click()
        lecture.wait_for_rerun(finished)
        frame.wait_for_function("() => !document.getElementById('contour').data.some((t) => t.uid === 'pull-over')",
                                timeout=RERUN)
        before, after = step_and_read(lecture, "contour", "path")
        assert len(before) == 1 and len(after) == 4
        assert lecture.exceptions() == [] and lecture.errors == []
    finally:
        lecture.close()
