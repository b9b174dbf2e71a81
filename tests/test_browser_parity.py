"""The browser's step k is Python's step k: window.gdviz.frameAt(k), the page's own frames.js, is
compared with gdviz.web.frames.step_frame at several steps, to 1e-12 relative, for one feature, two
features (with the slice of the surface redrawn in the browser), compared runs, mini-batch and a
diverged run; and the views show that frame. Exported pages (file://) keep it fast; one case goes
through the real Streamlit app.

It reuses test_browser's server and browser fixtures, and its skip logic: without Chromium or
playwright this module skips loudly, and GDVIZ_REQUIRE_BROWSER=1 turns that into a failure.
"""
from __future__ import annotations

import pytest

try:
    from test_browser import ACTION, JS_READY, READY, app_url, chromium, lecture  # noqa: F401
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

from test_frames import CASES, PROBLEM_CASES, assert_same, spec_of, steps_of  # noqa: E402

from gdviz import web  # noqa: E402
from gdviz.web import frames  # noqa: E402

PARITY_CASES = ["adam", "momentum, mini-batch", "one feature", "standardised", "two features", "two features, predicted against actual",
                "compared runs", "mini-batch", "diverged", "pull and eigen", "pull and eigen, two features",
                "pull and eigen, many rows", "pull and eigen, diverged", "pull and eigen, standardised"]
assert set(PARITY_CASES) <= set(CASES)

# The moving traces as the views hold them after gdviz.show(k), typed arrays as plain arrays.
JS_DRAWN = """(frame) => {
  const out = {};
  for (const [view, traces] of Object.entries(frame.traces)) {
    const gd = document.getElementById(view);
    out[view] = {};
    for (const [uid, attrs] of Object.entries(traces)) {
      const trace = gd.data.find((t) => t.uid === uid);
      out[view][uid] = {};
      for (const attr of Object.keys(attrs)) {
        const value = trace[attr];
        out[view][uid][attr] = ArrayBuffer.isView(value) ? Array.from(value)
          : (Array.isArray(value) ? value.map((v) => (ArrayBuffer.isView(v) ? Array.from(v) : v)) : value);
      }
    }
  }
  return out;
}"""


# The numbers the maths panel shows, and the frame's numbers as the page formats them (Panel.fmt).
JS_PANEL = """(panel) => {
  const numbers = [];
  const walk = (part) => {
    if (typeof part === 'string' || 'fmt' in part) return;
    if ('span' in part) part.parts.forEach(walk);
    else if ('vec' in part) part.vec.forEach((v) => numbers.push(Panel.fmt(v)));
    else numbers.push(Panel.fmt(part.n));
  };
  panel.rows.forEach((row) => row.parts.forEach(walk));
  const metrics = panel.metrics.map((m) => Panel.fmt(m.value, m.digits));
  const shown = Array.from(document.querySelectorAll('#maths .n'), (n) => n.textContent);
  const values = Array.from(document.querySelectorAll('#metrics .v'), (n) => n.textContent);
  return [[shown, values], [numbers, metrics]];
}"""


@pytest.fixture(scope="module")
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


def compare_steps(evaluate, spec, where: str) -> None:
    for k in steps_of(spec):
        browser = evaluate("(k) => gdviz.frameAt(k)", k)
        assert_same(browser, frames.step_frame(spec, k), f"{where} k={k}")


@pytest.mark.parametrize("case", PARITY_CASES)
def test_the_exported_pages_frames_are_pythons(case, browser_page, tmp_path):
    page, errors = browser_page
    spec = spec_of(case)
    path = tmp_path / "views.html"
    path.write_text(web.standalone_html(spec), encoding="utf-8")
    page.goto(path.as_uri(), wait_until="load", timeout=READY)
    page.wait_for_function(JS_READY, timeout=READY)
    compare_steps(page.evaluate, spec, case)

    k = steps_of(spec)[2]
    page.evaluate("(k) => gdviz.show(k)", k)
    assert page.evaluate("() => gdviz.state.k") == k
    frame = frames.jsonable(frames.step_frame(spec, k))
    assert_same(page.evaluate(JS_DRAWN, frame), frame["traces"], f"{case}: the views at step {k}")
    shown, expected = page.evaluate(JS_PANEL, frame["panel"])
    assert len(shown[0]) >= 4 and len(shown[1]) == 7 and shown == expected, f"{case}: the maths panel at step {k} does not show the frame's numbers"
    assert errors == []


@pytest.mark.parametrize("case", list(PROBLEM_CASES))
def test_the_problems_frames_are_pythons(case, browser_page, tmp_path):
    """Issue 12's views: logistic regression's sigmoid p(x) = σ(w x + b) and probabilities (frames.js's
    sigmoid, written once in each language), the decision boundary, α_k of a schedule beside the loss,
    a test surface's distance to its minima; the maths panel of each objective."""
    page, errors = browser_page
    spec = spec_of(case)
    path = tmp_path / "views.html"
    path.write_text(web.standalone_html(spec), encoding="utf-8")
    page.goto(path.as_uri(), wait_until="load", timeout=READY)
    page.wait_for_function(JS_READY, timeout=READY)
    compare_steps(page.evaluate, spec, case)
    k = steps_of(spec)[2]
    page.evaluate("(k) => gdviz.show(k)", k)
    frame = frames.jsonable(frames.step_frame(spec, k))
    assert_same(page.evaluate(JS_DRAWN, frame), frame["traces"], f"{case}: the views at step {k}")
    shown, expected = page.evaluate(JS_PANEL, frame["panel"])
    assert len(shown[0]) >= 3 and shown == expected, f"{case}: the maths panel at step {k}"
    assert errors == []


def test_the_apps_frames_are_pythons(lecture):
    """The real app at its defaults: the page's own spec, through Python's step_frame."""
    spec = lecture.frame.evaluate("() => gdviz.state.spec")
    compare_steps(lecture.frame.evaluate, spec, "the app")
    assert lecture.errors == []
