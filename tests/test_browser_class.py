"""The lecture page in a real browser, as a class meets it: side-by-side runs, the keys on the page
around the views, an uploaded file (good and bad), a shared link, presenter mode, the exported HTML
page offline, and a phone.

It reuses test_browser's server, browser and page fixtures and helpers. Importing test_browser also
brings its skip logic here: without Chromium or the playwright package this module skips loudly too,
and GDVIZ_REQUIRE_BROWSER=1 turns that into a failure. Every wait is bounded.

The exported page's keys test pins a bug found while writing these (a second key listener made
every key act twice there); it was fixed and guards against its return.
"""
from __future__ import annotations

import struct
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest

# The fixtures (app_url, chromium, lecture) are registered for this module by being imported into it.
# test_browser skips (with a warning) or fails at import when Chromium or playwright is missing.
try:
    from test_browser import (Sized, ACTION, IFRAME, JS_EYE, JS_READY, JS_TURN, READY, RERUN, TURNED,  # noqa: F401
                              Lecture, app_url, assert_eye, chromium, lecture, wait_until)
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

PRESETS_COMPARE = "GD vs momentum vs Adam"
OTHER_PATHS = ("other-path-1", "other-path-2")
KEY_SETTLE = 10_000   # ms for a key press to show in the views on a slow machine

JS_STATE = "() => ({k: gdviz.state.k, last: gdviz.state.last, playing: gdviz.state.playing})"
JS_COLOURS = """([view, uids]) => {
  const gd = document.getElementById(view);
  return uids.map((uid) => {
    const i = gd.data.findIndex((t) => t.uid === uid);
    const full = i < 0 ? null : gd._fullData.find((t) => t.index === i);
    return full && full.line ? full.line.color : null;
  });
}"""
JS_HAS_UIDS = """([view, uids]) => {
  const known = window.gdviz && gdviz.state.uids[view];
  return !!known && uids.every((uid) => uid in known);
}"""
JS_FONT = "(view) => document.getElementById(view)._fullLayout.font.size"


# ---------------------------------------------------------------- helpers

# Tabs with extra options (a phone's viewport, a projector's size): test_browser.Sized opens them in
# one shared context per set of options.
_Browser = Sized


def open_tab(chromium, url: str, **context_options) -> Lecture:
    return Lecture(_Browser(chromium, **context_options), url)


def state(tab: Lecture) -> dict:
    return tab.frame.evaluate(JS_STATE)


def wait_for_step(tab: Lecture, k: int, what: str) -> None:
    try:
        tab.frame.wait_for_function("(k) => gdviz.state.k === k", arg=k, timeout=KEY_SETTLE)
    except PlaywrightTimeout:
        pytest.fail(f"{what}: expected step {k}, the views show {state(tab)}")


def focus_main_page(page) -> None:
    """Click the page's title: not a control, so the focus leaves any button or input for the page."""
    page.get_by_role("heading", name="Gradient descent on linear regression").click(position={"x": 5, "y": 5})
    active = page.evaluate("() => [document.activeElement.tagName, document.activeElement.getAttribute('role')]")
    assert active[0] not in ("INPUT", "TEXTAREA", "SELECT", "BUTTON") and active[1] != "slider", \
        f"the focus is on a control: {active}"


def url_params(page) -> dict:
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


def choose_data_set(page, title: str) -> None:
    page.get_by_role("combobox", name="Data set").click()
    page.get_by_role("option", name=title, exact=True).click()


def png_bytes() -> bytes:
    """A real 1×1 PNG (what a student uploads by mistake)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def alerts(page, text: str) -> list[str]:
    return page.locator("[data-testid='stAlert']", has_text=text).all_inner_texts()


# ---------------------------------------------------------------- the tests

def test_three_optimizers_side_by_side_step_together_from_the_main_page(lecture):
    page, frame = lecture.page, lecture.frame
    finished = lecture.scripts_finished
    page.get_by_role("button", name=PRESETS_COMPARE).click()
    lecture.wait_for_rerun(finished)
    for view, uids in [("surface", OTHER_PATHS), ("contour", OTHER_PATHS), ("loss", ("other-loss-1", "other-loss-2"))]:
        frame.wait_for_function(JS_HAS_UIDS, arg=[view, list(uids)], timeout=RERUN)

    for view in ("surface", "contour"):
        colours = frame.evaluate(JS_COLOURS, [view, ["path", *OTHER_PATHS]])
        assert None not in colours and len(set(colours)) == 3, f"{view}: the runs' lines share a colour: {colours}"
    loss_colours = frame.evaluate(JS_COLOURS, ["loss", ["loss", "other-loss-1", "other-loss-2"]])
    assert None not in loss_colours and len(set(loss_colours)) == 3, f"loss: {loss_colours}"
    assert "Compared:" in frame.inner_text("#note")

    focus_main_page(page)
    page.keyboard.press("Home")
    wait_for_step(lecture, 0, "Home on the main page")
    start_w = lecture.trace("contour", "path", "x")
    assert len(start_w) == 1, "at step 0 the path is the start alone"
    for view in ("surface", "contour"):
        for uid in ("path", *OTHER_PATHS):
            assert len(lecture.trace(view, uid, "x")) == 1, f"{view} {uid!r} at step 0"
        assert lecture.trace(view, "other-point-1", "x") == pytest.approx(start_w), \
            f"{view}: the compared run does not start where the main run starts"
    assert lecture.trace("loss", "other-point-1", "x") == [0]

    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_for_step(lecture, 3, "three → on the main page")
    for view in ("surface", "contour"):
        for uid in ("path", *OTHER_PATHS):
            assert len(lecture.trace(view, uid, "x")) == 4, f"{view} {uid!r} at step 3"
    assert lecture.trace("loss", "other-point-1", "x") == [3]
    assert lecture.trace("loss", "other-point-2", "x") == [3]
    assert lecture.exceptions() == []
    assert lecture.errors == []


def test_keys_on_the_main_page_step_and_play_but_not_while_typing(lecture):
    page, frame = lecture.page, lecture.frame
    frame.select_option("#speed", "2")   # slow: Play cannot reach the end while a key press is on its way
    requests = lecture.rerun_requests
    last = state(lecture)["last"]
    assert state(lecture)["k"] == 0, "a new page opens at step 0"

    focus_main_page(page)
    page.keyboard.press("End")
    wait_for_step(lecture, last, "End on the main page")
    page.keyboard.press("ArrowLeft")
    wait_for_step(lecture, last - 1, "← on the main page")
    page.keyboard.press("ArrowRight")
    wait_for_step(lecture, last, "→ on the main page")
    page.keyboard.press("Home")
    wait_for_step(lecture, 0, "Home on the main page")
    page.keyboard.press("End")
    wait_for_step(lecture, last, "End on the main page")
    page.keyboard.press("Home")
    wait_for_step(lecture, 0, "Home on the main page")

    page.keyboard.press(" ")
    frame.wait_for_function("() => gdviz.state.playing && gdviz.state.k > 0", timeout=KEY_SETTLE)
    page.keyboard.press(" ")
    frame.wait_for_function("() => !gdviz.state.playing", timeout=KEY_SETTLE)
    paused = state(lecture)
    assert 0 < paused["k"] < last
    page.wait_for_timeout(700)
    assert state(lecture) == paused, "the views moved after space paused them"

    start_w = page.get_by_label("Start w₀", exact=True)
    start_w.focus()
    for key in ("ArrowRight", "ArrowLeft", "Home", "End"):
        page.keyboard.press(key)
    page.wait_for_timeout(700)
    assert state(lecture) == paused, "keys typed into the Start w₀ box moved the views"
    assert start_w.input_value() == "-3.000"
    assert lecture.rerun_requests == requests, "a key on the main page reran the script"
    assert lecture.exceptions() == []
    assert lecture.errors == []


def test_an_uploaded_file_is_fitted_and_a_bad_one_is_refused_kindly(lecture, tmp_path):
    page, frame = lecture.page, lecture.frame
    good = tmp_path / "hours.csv"
    good.write_text("hours,score\n" + "".join(f"{h},{40 + 2.5 * h + (h * 7) % 5}\n" for h in range(1, 21)))
    finished = lecture.scripts_finished
    choose_data_set(page, "Upload a CSV file")
    lecture.wait_for_rerun(finished)
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="CSV file (features…, target)")
    uploader.wait_for(timeout=RERUN)

    finished = lecture.scripts_finished
    uploader.locator("input[type='file']").set_input_files(str(good))
    lecture.wait_for_rerun(finished)
    frame.wait_for_function("() => gdviz.state.spec.run.m === 20", timeout=RERUN)
    run = frame.evaluate("() => gdviz.state.spec.run")
    assert (run["m"], run["names"]) == (20, ["hours"])
    assert len(lecture.trace("data", "data", "x")) == 20
    assert lecture.exceptions() == []

    bad_files = [("bad.csv", png_bytes(), "not a text file"),
                 ("ragged.csv", b"hours,score\n1,2\n3,4,5,6\n7\n8,9\n", "not a regular table")]
    for name, content, reason in bad_files:
        path = tmp_path / name
        path.write_bytes(content)
        finished = lecture.scripts_finished
        uploader.locator("input[type='file']").set_input_files(str(path))
        lecture.wait_for_rerun(finished)
        box = page.locator("[data-testid='stAlert']", has_text="cannot be used")
        box.filter(has_text=reason).wait_for(timeout=RERUN)
        assert box.count() == 1, f"{name}: {box.all_inner_texts()}"
        assert "Still showing: hours.csv" in box.inner_text()
        assert lecture.exceptions() == [], f"{name} raised in the app"
        assert frame.evaluate("() => gdviz.state.spec.run.m") == 20, f"{name}: the views left the good data"
        assert len(lecture.trace("data", "data", "x")) == 20
    assert lecture.errors == []


def test_a_shared_link_opens_its_view_and_the_address_follows_the_step(chromium, app_url):
    tab = open_tab(chromium, app_url + "/?opt=adam&lr=0.05&steps=60&step=12&log=1")
    try:
        frame = tab.frame
        assert state(tab)["k"] == 12
        assert tab.step_label() == "step 12 / 60"
        assert frame.evaluate("() => document.getElementById('loss')._fullLayout.yaxis.type") == "log"
        assert "Adam" in frame.inner_text("#note")
        assert frame.evaluate("() => gdviz.state.spec.run.lr") == pytest.approx(0.05)

        frame.click("#steplabel")   # the focus inside the views, on no control
        tab.page.keyboard.press("ArrowRight")
        wait_for_step(tab, 13, "→ in the views")
        wait_until(tab.page, lambda: url_params(tab.page).get("step") == "13", 10_000,
                   f"the address bar did not follow to step 13 (it is {tab.page.url})")
        params = url_params(tab.page)
        assert {k: params.get(k) for k in ("opt", "lr", "steps", "log")} == \
               {"opt": "adam", "lr": "0.05", "steps": "60", "log": "1"}, f"the link lost settings: {tab.page.url}"
        assert tab.exceptions() == []
        assert tab.errors == []
    finally:
        tab.close()

    tab = open_tab(chromium, app_url + "/?lr=banana&zzz=1")
    try:
        notes = alerts(tab.page, "From the link:")
        assert len(notes) == 2 and all(n.startswith("From the link:") for n in notes), notes
        assert any("banana" in n for n in notes) and any("zzz" in n for n in notes), notes
        assert tab.frame.evaluate("() => gdviz.state.spec.run.lr") == pytest.approx(0.1), "the default rate"
        assert tab.exceptions() == []
        assert tab.errors == []
    finally:
        tab.close()


def _presenter_on(tab: Lecture) -> None:
    finished = tab.scripts_finished
    tab.page.get_by_text("Presenter mode", exact=True).click()
    tab.wait_for_rerun(finished)
    tab.frame.wait_for_function("() => document.body.classList.contains('present')", timeout=RERUN)
    tab.frame.wait_for_function(f"() => ({JS_FONT})('surface') >= 20", timeout=RERUN)


def _presenter_sizes(tab: Lecture) -> dict:
    views = tab.frame.evaluate("() => Object.fromEntries(['surface', 'contour', 'data', 'loss'].map("
                               "(id) => [id, document.getElementById(id).clientHeight]))")
    frame = tab.page.evaluate(f"() => document.querySelector(\"{IFRAME}\").getBoundingClientRect().height")
    return {"views": views, "frame": round(frame)}


def test_presenter_mode_hides_the_controls_and_enlarges_the_type(chromium, app_url):
    tab = open_tab(chromium, app_url, viewport={"width": 1920, "height": 1080})
    try:
        page, frame = tab.page, tab.frame
        sidebar = page.locator("[data-testid='stSidebar']")
        assert sidebar.is_visible()
        assert frame.evaluate(JS_FONT, "surface") < 20
        _presenter_on(tab)
        sidebar.wait_for(state="hidden", timeout=RERUN)
        assert frame.evaluate(JS_FONT, "surface") >= 20
        assert frame.evaluate(JS_FONT, "loss") >= 20
        # The views fit the projector's screen, and stay put: sized in vh inside a frame that grows with
        # its content they once grew without end (to ~24 million px; the 3-D view went blank).
        page.wait_for_timeout(2000)
        sizes = _presenter_sizes(tab)
        page.wait_for_timeout(3000)
        assert _presenter_sizes(tab) == sizes, "the views keep changing size in presenter mode"
        assert sizes["views"]["surface"] <= 1080 and sizes["frame"] <= 3 * 1080, f"presenter mode: {sizes}"
        tab.wait_until_views_fill_their_cells()
        tab.screenshot("screenshot-presenter.png")

        finished = tab.scripts_finished
        page.get_by_text("Presenter mode", exact=True).click()
        tab.wait_for_rerun(finished)
        sidebar.wait_for(state="visible", timeout=RERUN)
        frame.wait_for_function("() => !document.body.classList.contains('present')", timeout=RERUN)
        frame.wait_for_function(f"() => ({JS_FONT})('surface') < 20", timeout=RERUN)
        assert tab.exceptions() == []
        assert tab.errors == []
    finally:
        tab.close()


@pytest.fixture(scope="module")
def exported_page(tmp_path_factory):
    """The interactive HTML export of a default-like run, built in this process, as a file."""
    from gdviz import descend, synthetic, web
    data = synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2.0, 2.0), x_offset=1.0)
    run = descend(data, lr=0.1, steps=100, w0=[-3.0], b0=4.0)
    path = tmp_path_factory.mktemp("export") / "gdviz-views.html"
    path.write_text(web.standalone_html(web.lecture_spec(data, run)), encoding="utf-8")
    return path


def _open_export(chromium, path):
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(ACTION)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=READY)
        page.wait_for_function(JS_READY, timeout=READY)
    except BaseException:
        context.close()
        raise
    return context, page, requests, errors


def test_the_exported_page_works_offline_and_keeps_the_camera_through_play(chromium, exported_page):
    context, page, requests, errors = _open_export(chromium, exported_page)
    try:
        assert page.inner_text("#steplabel") == "step 100 / 100"
        page.evaluate(JS_TURN, TURNED)
        assert_eye(page.evaluate(JS_EYE), TURNED, "right after Plotly.relayout")
        page.select_option("#speed", "2")
        page.click("#first")
        assert page.evaluate("() => gdviz.state.k") == 0
        page.click("#play")
        page.wait_for_timeout(1500)
        page.click("#play")   # now ⏸ Pause
        page.wait_for_function("() => !gdviz.state.playing", timeout=KEY_SETTLE)
        k = page.evaluate("() => gdviz.state.k")
        assert 0 < k < 100, f"Play did not advance (step {k})"
        assert page.inner_text("#steplabel") == f"step {k} / 100"
        assert_eye(page.evaluate(JS_EYE), TURNED, "through Play and Pause in the exported page")
        away = [url for url in requests if not url.startswith(("file://", "data:"))]
        assert away == [], f"the exported page fetched from elsewhere: {away[:5]}"
        assert errors == []
    finally:
        context.close()


def test_keys_in_the_exported_page_act_once(chromium, exported_page):
    context, page, _, _ = _open_export(chromium, exported_page)
    try:
        page.click("#first")
        page.click("#steplabel")   # the focus on the page, on no control
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        page.keyboard.press(" ")
        page.wait_for_timeout(300)
        seen = page.evaluate("() => ({k: gdviz.state.k, playing: gdviz.state.playing})")
        page.evaluate("() => gdviz.pause()")
        assert seen["playing"] and seen["k"] >= 1, f"→ then space in the exported page: {seen}"
        page.click("#first")
        page.click("#steplabel")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        assert page.evaluate("() => gdviz.state.k") == 1, "one → moved more than one step"
    finally:
        context.close()


def test_on_a_phone_the_views_stack_and_nothing_is_cut_off(chromium, app_url):
    tab = open_tab(chromium, app_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                   device_scale_factor=2)
    try:
        page, frame = tab.page, tab.frame
        tab.wait_until_views_fill_their_cells()
        assert tab.exceptions() == []
        boxes = frame.evaluate("""() => Object.fromEntries(['bar', 'surface', 'contour', 'data', 'loss'].map((id) => {
            const r = document.getElementById(id).getBoundingClientRect();
            return [id, {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width}];
        }))""")
        iframe = page.evaluate(f"() => document.querySelector(\"{IFRAME}\").getBoundingClientRect().toJSON()")
        for view in ("surface", "contour", "data", "loss"):
            box = boxes[view]
            assert box["width"] <= 390 and box["left"] >= 0 and iframe["left"] + box["right"] <= 390 + 1, \
                f"{view} does not fit a 390-px phone: {box}, frame at {iframe['left']}"
        assert boxes["contour"]["top"] >= boxes["surface"]["bottom"] - 1, "the 3-D view and the contours overlap"
        assert boxes["data"]["top"] >= boxes["contour"]["bottom"] - 1, "the contours and the data view overlap"
        inner = frame.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert inner[0] <= inner[1] + 2, f"the views scroll sideways: {inner}"
        outer = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert outer[0] <= outer[1] + 2, f"the page scrolls sideways: {outer}"

        frame.evaluate("() => document.getElementById('bar').scrollIntoView()")
        page.wait_for_timeout(1000)
        tab.screenshot("screenshot-phone.png")
        assert tab.errors == []
    finally:
        tab.close()
