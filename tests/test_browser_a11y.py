"""Accessibility in a real browser (WCAG 2.1 AA as axe-core measures it, and what it cannot).

axe-core (tests/vendor/axe.min.js, npm's axe-core at the version in its header, MPL-2.0) runs in
the page as it is: in Streamlit's page and, apart, inside the views' iframe (`frame.evaluate(source)`
then `axe.run()`), on the default page, presenter mode, a lesson's scene, after an upload and in
the offline export. No serious or critical violation may remain.

What axe cannot judge is tested by doing it: the lecture's path with the keyboard alone (open,
Play, a step, a preset, the next scene), the live region's words at a step (and its silence while
playing), each view's text alternative, and Play under prefers-reduced-motion.

It reuses test_browser's server (one for this module), browser and helpers, and its skip logic:
without Chromium or playwright it skips loudly, and GDVIZ_REQUIRE_BROWSER=1 makes that a failure.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

try:
    from test_browser import (Sized, ACTION, IFRAME, JS_READY, READY, RERUN, Lecture, app_url, chromium,  # noqa: F401
                              wait_until)
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = re.search(r"axe v(\d+\.\d+\.\d+)", AXE[:200]).group(1)
SERIOUS = ("serious", "critical")
SETTLE = 15_000   # ms for a key's effect to reach the screen on a busy machine
JS_AXE = """async (iframes) => {
  const result = await axe.run(document, {iframes: iframes, resultTypes: ['violations', 'passes']});
  if (result.passes.length < 10) throw new Error(`axe checked almost nothing: ${result.passes.length} rules passed`);
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300))}));
}"""
JS_ACTIVE = """() => {
  const a = document.activeElement;
  if (!a) return null;
  return {tag: a.tagName, id: a.id, role: a.getAttribute('role'), name: a.getAttribute('aria-label') || a.innerText || '',
          key: (a.closest('[class*="st-key-"]') || {className: ''}).className.toString()};
}"""


# Tabs with extra options (a phone's viewport, a projector's size): test_browser.Sized opens them in
# one shared context per set of options.
_Browser = Sized


def open_tab(chromium, url: str, **options) -> Lecture:
    return Lecture(_Browser(chromium, **options), url)


def axe(where, iframes: bool = False) -> list[dict]:
    """axe-core's violations in ``where`` (a page or a frame), run there."""
    if not where.evaluate("() => typeof window.axe !== 'undefined'"):
        where.evaluate(AXE)
    return where.evaluate(JS_AXE, iframes)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SERIOUS]


def assert_no_serious(tab_page, frame, what: str) -> None:
    found = {"page": serious(axe(tab_page)), "views": serious(axe(frame))}
    found = {where: v for where, v in found.items() if v}
    assert found == {}, f"{what}: axe-core {AXE_VERSION} found serious or critical violations:\n" + "\n".join(
        f"  [{where}] {v['id']} ({v['impact']}): {v['help']}\n      " + "\n      ".join(v["nodes"])
        for where, vs in found.items() for v in vs)


def settle(tab: Lecture) -> None:
    tab.page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached",
                               timeout=RERUN)
    tab.frame.wait_for_function(JS_READY, timeout=RERUN)
    tab.frame.wait_for_function("() => !(gdviz.state.updating || []).length && !gdviz.state.surfacePending",
                                timeout=RERUN)


# ---------------------------------------------------------------- axe on each page a class sees

@pytest.mark.parametrize("query, what", [("", "the default page"), ("?present=1", "presenter mode"),
                                         ("?lesson=builtin&scene=4", "a lesson's scene 4")])
def test_axe_finds_nothing_serious(chromium, app_url, query, what):
    tab = open_tab(chromium, app_url + "/" + query)
    try:
        settle(tab)
        assert_no_serious(tab.page, tab.frame, what)
        assert tab.exceptions() == []
    finally:
        tab.close()


def test_axe_finds_nothing_serious_after_an_upload(chromium, app_url, tmp_path):
    tab = open_tab(chromium, app_url + "/")
    try:
        page = tab.page
        good = tmp_path / "hours.csv"
        good.write_text("hours,score\n" + "".join(f"{h},{40 + 2.5 * h + (h * 7) % 5}\n" for h in range(1, 21)))
        finished = tab.scripts_finished
        page.get_by_role("combobox", name="Data set").click()
        page.get_by_role("option", name="Upload a CSV file", exact=True).click()
        tab.wait_for_rerun(finished)
        uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="CSV file (features…, target)")
        uploader.wait_for(timeout=RERUN)
        finished = tab.scripts_finished
        uploader.locator("input[type='file']").set_input_files(str(good))
        tab.wait_for_rerun(finished)
        tab.frame.wait_for_function("() => gdviz.state.spec.run.m === 20", timeout=RERUN)
        settle(tab)
        assert_no_serious(page, tab.frame, "after an upload")
    finally:
        tab.close()


def test_axe_finds_nothing_serious_in_the_offline_export(chromium, tmp_path):
    from gdviz import descend, synthetic, web
    data = synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2.0, 2.0), x_offset=1.0)
    run = descend(data, lr=0.1, steps=100, w0=[-3.0], b0=4.0)
    path = tmp_path / "gdviz-views.html"
    path.write_text(web.standalone_html(web.lecture_spec(data, run)), encoding="utf-8")
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(ACTION)
    try:
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="load", timeout=READY)
        page.wait_for_function(JS_READY, timeout=READY)
        page.wait_for_function("() => !gdviz.state.surfacePending", timeout=READY)
        violations = serious(axe(page))
        assert violations == [], violations
    finally:
        context.close()


# ---------------------------------------------------------------- what the views say

def test_a_step_is_said_in_words_and_playing_says_nothing_until_it_stops(chromium, app_url):
    tab = open_tab(chromium, app_url + "/?step=12")
    try:
        settle(tab)
        frame = tab.frame
        live = frame.locator("[aria-live='polite'][role='status']#a11y-status")
        assert live.count() == 1
        frame.locator("#forward").click()
        frame.wait_for_function("() => /^step 13 of \\d+:/.test(document.getElementById('a11y-status').textContent)",
                                timeout=SETTLE)
        said = live.text_content()
        # made from the frame the maths panel shows: its w, b and loss, three digits each
        metrics = frame.evaluate("() => gdviz.frameAt(13).panel.metrics.map((m) => [m.label, m.value])")
        values = dict(metrics)
        assert re.match(r"^step 13 of \d+: w -?−?[\d.]+, b -?−?[\d.]+, loss [\d.]+, (falling|rising|level); "
                        r"the gradient points (up|down|to the (left|right))", said), said
        shown_w = float(re.search(r"w (\S+),", said).group(1).replace("−", "-"))
        assert shown_w == pytest.approx(values["w"], rel=5e-3, abs=1e-3)
        assert "falling" in said   # the default run's loss falls at step 13
        gw, gb = frame.evaluate("""() => { const rows = gdviz.frameAt(13).panel.rows.filter((r) => r.cls === 'g');
            const last = (r) => { const p = r.parts.filter((x) => typeof x === 'object').pop();
                                  return 'vec' in p ? p.vec[0] : p.n; };
            return [last(rows[0]), last(rows[1])]; }""")
        assert ("right" in said) == (gw > 0 and abs(gw) > 0.2 * (gw * gw + gb * gb) ** 0.5)
        assert ("up" in said) == (gb > 0 and abs(gb) > 0.2 * (gw * gw + gb * gb) ** 0.5)

        # each view's text alternative: what is drawn, the optimum, where the path is (at this step)
        for view in ("surface", "contour", "data", "loss"):
            described = frame.evaluate("""(id) => { const cell = document.getElementById(id);
                const d = document.getElementById(cell.getAttribute('aria-describedby'));
                return [cell.getAttribute('role'), cell.getAttribute('aria-label'), d && d.textContent]; }""", view)
            assert described[0] == "figure" and described[1] and described[2], (view, described)
            if view in ("surface", "contour"):
                assert "optimum" in described[2] and "step 13" in described[2], described[2]

        # Play: no word while the frames go by, the step it stops at is said
        frame.evaluate("() => { window.__said = []; new MutationObserver(() => window.__said.push("
                       "document.getElementById('a11y-status').textContent)).observe("
                       "document.getElementById('a11y-status'), {childList: true, characterData: true, subtree: true}); }")
        frame.locator("#play").click()
        frame.wait_for_function("() => gdviz.state.k >= 30", timeout=SETTLE)
        assert frame.evaluate("() => window.__said") == []
        frame.locator("#play").click()
        frame.wait_for_function("() => !gdviz.state.playing", timeout=SETTLE)
        k = frame.evaluate("() => gdviz.state.k")
        frame.wait_for_function("(k) => window.__said.length >= 1 && window.__said.at(-1).startsWith(`step ${k} of`)",
                                arg=k, timeout=SETTLE)
        assert len(frame.evaluate("() => window.__said")) == 1
        assert tab.errors == []
    finally:
        tab.close()


def test_play_under_reduced_motion_steps_without_animated_transitions(chromium, app_url):
    tab = open_tab(chromium, app_url + "/?step=0", reduced_motion="reduce")
    try:
        settle(tab)
        frame = tab.frame
        assert frame.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")
        assert frame.evaluate("() => document.body.dataset.motion") == "reduced"
        # nothing on the page is animated: no CSS transition or animation, no Plotly transition
        moving = frame.evaluate("""() => Array.from(document.querySelectorAll('*')).filter((el) => {
            const s = getComputedStyle(el);
            const long = (v) => v.split(',').some((t) => parseFloat(t) > 0);
            return long(s.transitionDuration) || (s.animationName !== 'none' && long(s.animationDuration));
          }).map((el) => el.id || el.className.toString()).slice(0, 10)""")
        assert moving == []
        durations = frame.evaluate("""() => ['surface', 'contour', 'data', 'loss'].map((id) => {
            const t = document.getElementById(id)._fullLayout.transition; return t ? t.duration : 0; })""")
        assert all(d == 0 for d in durations), durations
        # Play steps: the step label moves in whole steps
        frame.evaluate("() => { window.__ks = []; new MutationObserver(() => window.__ks.push(gdviz.state.k))"
                       ".observe(document.getElementById('steplabel'), {childList: true, subtree: true}); }")
        frame.select_option("#speed", "2")   # slow: Play cannot reach the end and start over before the pause
        frame.locator("#play").click()
        frame.wait_for_function("() => gdviz.state.k >= 4", timeout=SETTLE)
        frame.locator("#play").click()
        ks = frame.evaluate("() => window.__ks")
        assert ks and all(isinstance(k, int) for k in ks) and ks == sorted(ks)
        assert tab.errors == []
    finally:
        tab.close()


# ---------------------------------------------------------------- the lecture by keys alone

def _active(tab) -> tuple[str, dict | None]:
    """Where the keyboard's focus is: ("page", element) or ("views", element inside the iframe)."""
    outer = tab.page.evaluate(JS_ACTIVE)
    if outer and outer["tag"] == "IFRAME":
        return "views", tab.frame.evaluate(JS_ACTIVE)
    return "page", outer


def _tab_to(tab, wanted, what: str, limit: int = 250, back: bool = False) -> None:
    """Tab (or Shift+Tab) until ``wanted(where, element)`` holds; fails after ``limit`` presses."""
    for _ in range(limit):
        where, element = _active(tab)
        if element and wanted(where, element):
            return
        tab.page.keyboard.press("Shift+Tab" if back else "Tab")
    pytest.fail(f"{what}: not reached in {limit} presses of {'Shift+' if back else ''}Tab; the focus is on {_active(tab)}")


def _visible_focus(tab, where: str) -> bool:
    target = tab.frame if where == "views" else tab.page
    return target.evaluate("""() => { const a = document.activeElement, s = getComputedStyle(a);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none'; }""")


def test_the_lecture_by_keys_alone(chromium, app_url):
    """Open a lesson, Play and pause, a step, a preset, the next scene: Tab, Shift+Tab, Enter, Space
    and the arrows only, checked on what is on screen (the step label, the scene's title)."""
    tab = open_tab(chromium, app_url + "/?lesson=builtin&scene=1")
    try:
        settle(tab)
        page, frame = tab.page, tab.frame
        page.locator("body").focus()
        scene_title = lambda: page.locator("p", has_text=re.compile(r"Scene \d+ / \d+ ·")).first.inner_text()  # noqa: E731
        assert scene_title().startswith("Scene 1 / ")

        # Play, by Tab to the views' Play button and Enter; pause with Space
        _tab_to(tab, lambda where, el: where == "views" and el["id"] == "play", "the Play button")
        assert _visible_focus(tab, "views"), "the focused Play button shows no focus"
        page.keyboard.press("Enter")
        frame.wait_for_function("() => gdviz.state.playing || gdviz.state.k > 0", timeout=SETTLE)
        page.keyboard.press("Space")
        frame.wait_for_function("() => !gdviz.state.playing", timeout=SETTLE)

        # a step: the arrow key, and the label on screen says it
        before = frame.evaluate("() => gdviz.state.k")
        if before == frame.evaluate("() => gdviz.state.last"):
            page.keyboard.press("Home")
            frame.wait_for_function("() => gdviz.state.k === 0", timeout=SETTLE)
            before = 0
        page.keyboard.press("ArrowRight")
        frame.wait_for_function("(k) => document.getElementById('steplabel').textContent.startsWith(`step ${k + 1} /`)",
                                arg=before, timeout=SETTLE)

        # a preset: Shift+Tab back out of the views to a preset button, Enter; the run changes
        run_before = frame.evaluate("() => gdviz.state.runId")
        _tab_to(tab, lambda where, el: where == "page" and "st-key-preset_" in el["key"]
                and el["tag"] == "BUTTON", "a preset button", back=True)
        assert _visible_focus(tab, "page"), "the focused preset button shows no focus"
        finished = tab.scripts_finished
        page.keyboard.press("Enter")
        tab.wait_for_rerun(finished)
        frame.wait_for_function("(id) => gdviz.state.runId !== id", arg=run_before, timeout=RERUN)

        # the next scene: Tab to the scene bar's ▶ and Enter; the title on screen is scene 2's
        _tab_to(tab, lambda where, el: where == "page" and "st-key-scene_next" in el["key"] and el["tag"] == "BUTTON",
                "the next-scene button")
        finished = tab.scripts_finished
        page.keyboard.press("Enter")
        tab.wait_for_rerun(finished)
        wait_until(page, lambda: scene_title().startswith("Scene 2 / "), RERUN, "the next scene did not open")
        assert tab.exceptions() == [] and tab.errors == []
    finally:
        tab.close()
