"""The lecture's stories as a person meets them in Chromium: a sample set opened from a link reaches
its least-squares fit by the last step; the presets land in their regimes, clicked like buttons.

Reuses test_browser's server, browser and tab (and its skip: GDVIZ_REQUIRE_BROWSER=1 makes it a failure).
"""
from __future__ import annotations

import pytest

try:
    from test_browser import RERUN, Lecture, app_url, chromium  # noqa: F401
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

import gdviz  # noqa: E402
from gdviz.state import SAMPLE_IDS  # noqa: E402

# The loss the page shows at step k, read from the panel's own frame.
JS_LOSS = "(k) => gdviz.frameAt(k).panel.metrics.find((m) => m.label === 'loss L').value"
JS_AT_END = "() => gdviz.state.k === gdviz.state.last && gdviz.state.last > 0"


def press_end(tab) -> None:
    """End, as a lecturer presses it; again if a new run was still arriving (it opens at step 0)."""
    for _ in range(30):
        tab.page.keyboard.press("End")
        try:
            tab.frame.wait_for_function(JS_AT_END, timeout=2_000)
            tab.page.wait_for_timeout(500)
            if tab.frame.evaluate(JS_AT_END):
                return
        except Exception:  # noqa: BLE001 - not yet: press again
            pass
    pytest.fail(f"End never reached the last step: {tab.step_label()!r}")


@pytest.mark.parametrize("sample_id", ["cars", "faithful", "trees", "anscombe_1"])
def test_a_sample_set_opened_from_a_link_reaches_its_least_squares_loss(chromium, app_url, sample_id):
    tab = Lecture(chromium, f"{app_url}?data={sample_id}")
    try:
        assert tab.step_label().startswith("step 0 /")  # Play is the first press
        press_end(tab)
        shown = tab.frame.evaluate(JS_LOSS, tab.frame.evaluate("gdviz.state.last"))
        data = gdviz.data.sample(SAMPLE_IDS[sample_id])
        least = float(gdviz.loss(data, *gdviz.optimum(data)))  # standardising does not change L*
        assert least * (1 - 1e-9) <= shown <= 1.01 * least, (shown, least)
        assert "Diverged" not in tab.page.locator("body").inner_text()
        assert tab.exceptions() == []
    finally:
        tab.close()


def test_clicking_the_presets_tells_four_stories(chromium, app_url):
    tab = Lecture(chromium, app_url)
    try:
        page = tab.page
        for preset, diverges in (("Too small", False), ("Just right", False), ("Oscillating", False),
                                 ("Diverging", True)):
            finished = tab.scripts_finished
            page.get_by_role("button", name=preset, exact=True).click()
            tab.wait_for_rerun(finished)
            press_end(tab)  # right after the click: the keys drive the steps
            alert = page.locator("[data-testid='stAlert']", has_text="Diverged")
            assert (alert.count() > 0) == diverges, preset
            if not diverges:
                last = tab.frame.evaluate("gdviz.state.last")
                first, final = tab.frame.evaluate(JS_LOSS, 0), tab.frame.evaluate(JS_LOSS, last)
                assert final < first, preset
        assert tab.exceptions() == []
    finally:
        tab.close()
