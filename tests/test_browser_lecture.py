"""The lecture page in a real browser, as a lecturer uses it live: the keys after a click on a
control, the presenter screen at 1920×1080, and "Download this view" (HTML and PNG at the step and
3-D camera on screen, the camera carried in the address bar).

It reuses test_browser's server, browser and page fixtures (and its skip logic: without Chromium or
playwright this module skips loudly, GDVIZ_REQUIRE_BROWSER=1 turns that into a failure).
"""
from __future__ import annotations

import struct
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from test_browser import (Sized, ACTION, DOCS, IFRAME, JS_EYE, JS_READY, JS_TURN, READY, RERUN, TURNED,  # noqa: F401
                              Lecture, app_url, assert_eye, chromium, lecture, wait_until)
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

KEY_SETTLE = 10_000   # ms for a key press to show in the views on a slow machine
LAST = 100            # the default run's last step
RATE = ("[data-testid='stSidebar'] [role='slider'][aria-label='Learning rate'], "
        "[data-testid='stSidebar'] input[type='range'][aria-label='Learning rate']")
JS_STATE = "() => ({k: gdviz.state.k, last: gdviz.state.last, playing: gdviz.state.playing})"
JS_ACTIVE = """() => { const a = document.activeElement;
  return {tag: a.tagName, type: a.type || null, role: a.getAttribute('role'), label: a.getAttribute('aria-label')}; }"""


# Tabs with extra options (a phone's viewport, a projector's size): test_browser.Sized opens them in
# one shared context per set of options.
_Browser = Sized


def state(tab: Lecture) -> dict:
    return tab.frame.evaluate(JS_STATE)


def wait_for(tab: Lecture, condition: str, what: str) -> None:
    try:
        tab.frame.wait_for_function(condition, timeout=KEY_SETTLE)
    except PlaywrightTimeout:
        pytest.fail(f"{what}: the views show {state(tab)} (label {tab.step_label()!r})")


def url_params(page) -> dict:
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


# ---------------------------------------------------------------- keys after a click on a control

def _click_log_scale(tab):
    tab.page.get_by_text("Log scale for the loss", exact=True).click()
    box = tab.page.get_by_role("checkbox", name="Log scale for the loss")
    return box, (lambda: box.is_checked()), True


def _click_mini_batch(tab):
    tab.page.get_by_text("mini-batch", exact=True).click()
    radio = tab.page.get_by_role("radio", name="mini-batch")
    return radio, (lambda: (radio.is_checked(), tab.page.get_by_role("radio", name="1 (SGD)").is_checked())), True


def _click_preset(tab):
    tab.page.get_by_role("button", name="Just right").click()
    button = tab.page.get_by_role("button", name="Just right")
    rate = tab.page.locator(RATE).first
    return button, (lambda: rate.get_attribute("aria-valuetext")), True


def _click_presenter(tab):
    tab.page.get_by_text("Presenter mode", exact=True).click()
    switch = tab.page.get_by_role("switch", name="Presenter mode")
    # Turning presenter mode on moves the toggle into the presenter's row (Streamlit draws a new
    # widget, and the focus falls to the page); a lecturer who reaches it again (Tab) holds it.
    return switch, (lambda: switch.is_checked()), False


CONTROLS = {"checkbox 'Log scale'": _click_log_scale, "radio 'mini-batch'": _click_mini_batch,
            "preset button 'Just right'": _click_preset, "toggle 'Presenter mode'": _click_presenter}


@pytest.mark.parametrize("control", list(CONTROLS))
def test_after_a_click_on_a_control_the_keys_step_the_views_and_leave_the_control_alone(lecture, control):
    page, frame = lecture.page, lecture.frame
    frame.select_option("#speed", "2")   # slow: Play cannot reach the end while a key is on its way
    finished = lecture.scripts_finished
    element, value, keeps_focus = CONTROLS[control](lecture)
    lecture.wait_for_rerun(finished)   # the control's change is applied
    frame.wait_for_function(JS_READY, timeout=RERUN)
    if not keeps_focus:
        element.focus()
    assert element.evaluate("(e) => e === document.activeElement"), \
        f"the {control} does not have the focus: {page.evaluate(JS_ACTIVE)}"
    before = value()
    requests, scripts = lecture.rerun_requests, lecture.scripts_finished
    assert state(lecture)["k"] == 0

    for key, expected in [("ArrowRight", 1), ("ArrowRight", 2), ("ArrowLeft", 1)]:
        page.keyboard.press(key)
        wait_for(lecture, f"() => gdviz.state.k === {expected}", f"{key} after a click on the {control}")
        assert lecture.step_label() == f"step {expected} / {LAST}"
    page.keyboard.press(" ")
    wait_for(lecture, "() => gdviz.state.playing && gdviz.state.k > 1", f"Space after a click on the {control}")
    assert frame.evaluate("() => document.getElementById('play').getAttribute('aria-label')") == "pause"
    page.keyboard.press(" ")
    wait_for(lecture, "() => !gdviz.state.playing", f"a second Space after a click on the {control}")
    page.keyboard.press("End")
    wait_for(lecture, f"() => gdviz.state.k === {LAST}", f"End after a click on the {control}")
    assert lecture.step_label() == f"step {LAST} / {LAST}"
    page.keyboard.press("Home")
    wait_for(lecture, "() => gdviz.state.k === 0", f"Home after a click on the {control}")
    assert lecture.step_label() == f"step 0 / {LAST}"

    page.wait_for_timeout(1000)   # a stray rerun has time to start
    assert value() == before, f"the keys changed the {control}"
    assert element.evaluate("(e) => e === document.activeElement"), f"the {control} lost the focus"
    assert (lecture.rerun_requests, lecture.scripts_finished) == (requests, scripts), \
        f"a key after a click on the {control} reran the script"
    assert lecture.exceptions() == []
    assert lecture.errors == []


def test_sliders_and_text_boxes_keep_their_keys(lecture):
    """Documented choice: a slider (the learning rate) keeps ← → Home End, a number box every key."""
    page = lecture.page
    rate = page.locator(RATE).first
    before = rate.get_attribute("aria-valuetext")
    finished = lecture.scripts_finished
    rate.focus()
    page.keyboard.press("ArrowLeft")
    wait_until(page, lambda: rate.get_attribute("aria-valuetext") != before, ACTION, "← did not move the slider")
    lecture.wait_for_rerun(finished)
    lecture.frame.wait_for_function(JS_READY, timeout=RERUN)
    assert state(lecture)["k"] == 0, "← on the learning-rate slider stepped the views"

    start_w = page.get_by_label("Start w₀", exact=True)
    start_w.focus()
    for key in ("ArrowRight", "ArrowLeft", "Home", "End", " "):
        page.keyboard.press(key)
    page.wait_for_timeout(700)
    assert state(lecture) == {"k": 0, "last": LAST, "playing": False}, "keys typed into Start w₀ moved the views"
    assert lecture.errors == []


# ---------------------------------------------------------------- the presenter's screen

JS_BOXES = """() => Object.fromEntries(['bar', 'surface', 'contour', 'panel', 'data'].map((id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  return [id, {top: r.top, bottom: r.bottom, left: r.left, right: r.right}];
}))"""
# Every element in the maths panel that holds text of its own, with its computed font size.
JS_PANEL_TYPE = """() => {
  const out = [];
  for (const el of document.querySelectorAll('#panel, #panel *')) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) out.push([el.className || el.tagName, el.textContent.trim().slice(0, 30),
                       parseFloat(getComputedStyle(el).fontSize)]);
  }
  return out;
}"""
JS_PANEL_FITS = """() => { const p = document.getElementById('panel');
  return [p.scrollHeight, p.clientHeight]; }"""


@pytest.mark.parametrize("link", ["", "?opt=adam"], ids=["gradient descent", "Adam (the longest maths)"])
def test_presenter_mode_holds_the_lecture_on_one_1080p_screen(chromium, app_url, link):
    tab = Lecture(_Browser(chromium, viewport={"width": 1920, "height": 1080}), app_url + "/" + link)
    try:
        page, frame = tab.page, tab.frame
        finished = tab.scripts_finished
        page.get_by_text("Presenter mode", exact=True).click()
        tab.wait_for_rerun(finished)
        frame.wait_for_function("() => document.body.classList.contains('present')", timeout=RERUN)
        page.locator("[data-testid='stSidebar']").wait_for(state="hidden", timeout=RERUN)
        page.wait_for_timeout(2500)   # the row's height settles (measured each second)
        tab.wait_until_views_fill_their_cells()
        assert page.evaluate("() => document.scrollingElement.scrollTop") == 0

        for step in (0, 6, LAST):
            frame.evaluate("(k) => gdviz.show(k)", step)
            iframe = page.evaluate(f"() => document.querySelector(\"{IFRAME}\").getBoundingClientRect().toJSON()")
            boxes = frame.evaluate(JS_BOXES)
            for name in ("bar", "surface", "contour", "panel"):
                box = boxes[name]
                top, bottom = iframe["top"] + box["top"], iframe["top"] + box["bottom"]
                right = iframe["left"] + box["right"]
                assert 0 <= top and bottom <= 1080 and right <= 1920, \
                    f"#{name} is not on the 1920×1080 screen at step {step}: top {top:.0f}, bottom {bottom:.0f}, right {right:.0f}"
            assert boxes["surface"]["bottom"] > 500, f"the 3-D view is small: {boxes['surface']}"
            assert iframe["top"] + boxes["data"]["top"] >= 1080 - 40, "the data view is not below the fold"
            scroll, client = frame.evaluate(JS_PANEL_FITS)
            assert scroll <= client + 1, f"the maths at step {step} does not fit its panel ({scroll} > {client} px)"
            small = [entry for entry in frame.evaluate(JS_PANEL_TYPE) if entry[2] < 22]
            assert small == [], f"text under 22 px in the maths panel at step {step}: {small}"
        numbers = frame.evaluate("() => Array.from(document.querySelectorAll('#panel .n, #panel .metric .v'), "
                                 "(e) => parseFloat(getComputedStyle(e).fontSize))")
        labels = frame.evaluate("() => Array.from(document.querySelectorAll('#panel .metric .k, #panel .eq'), "
                                "(e) => parseFloat(getComputedStyle(e).fontSize))")
        assert numbers and min(numbers) >= 22 and labels and min(labels) >= 22, (numbers, labels)

        frame.evaluate("(k) => gdviz.show(k)", 6)
        page.wait_for_timeout(500)
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / f"screenshot-presenter-1080p{'-adam' if link else ''}.png"))
        assert tab.exceptions() == []
        assert tab.errors == []
    finally:
        tab.close()


# Each view's Plotly size against its cell, the maths panel's, and the contours' title and legend
# against the contours' cell (px, the iframe's coordinates).
JS_FIT = """() => {
  const out = {views: {}, type: []};
  for (const id of ['surface', 'contour', 'data', 'loss', 'eigen']) {
    const gd = document.getElementById(id);
    if (!gd || !gd._fullLayout || gd.style.display === 'none') continue;
    const box = gd.getBoundingClientRect();   // Plotly takes the cell's computed (border-box) size
    out.views[id] = {plotly: [gd._fullLayout.width, gd._fullLayout.height], cell: [box.width, box.height]};
  }
  const p = document.getElementById('panel');
  out.panel = {scroll: [p.scrollWidth, p.scrollHeight], client: [p.clientWidth, p.clientHeight]};
  const cell = document.getElementById('contour').getBoundingClientRect();
  out.cut = [];
  for (const sel of ['.gtitle', '.legend']) {
    for (const el of document.querySelectorAll('#contour ' + sel)) {
      const r = el.getBoundingClientRect();
      if (r.left < cell.left - 1 || r.right > cell.right + 1 || r.top < cell.top - 1 || r.bottom > cell.bottom + 1)
        out.cut.push([sel, el.textContent.slice(0, 40), Math.round(r.left), Math.round(r.right), Math.round(r.bottom)]);
    }
  }
  for (const el of document.querySelectorAll('#panel .eq')) {
    out.type.push([el.classList.contains('unfold'), parseFloat(getComputedStyle(el).fontSize), el.textContent.slice(0, 30)]);
  }
  out.title = (document.querySelector('#contour .gtitle') || {}).textContent;
  return out;
}"""
JS_SETTLED = """() => ['surface', 'contour', 'data', 'loss'].every((id) => {
  const gd = document.getElementById(id), box = gd.getBoundingClientRect();
  return gd._fullLayout && Math.abs(gd._fullLayout.width - box.width) <= 1 && Math.abs(gd._fullLayout.height - box.height) <= 1;
})"""


def test_presenter_mode_with_the_pulls_and_the_eigen_directions_lays_out_cleanly(chromium, app_url):
    """The unfolded sum makes the maths long: the maths column may widen (or write the unfolded rows
    smaller), and every view is resized to its cell after the change, nothing cut or overflowing."""
    link = "/?present=1&pull=1&eig=1&lr=0.3&step=3"
    tab = Lecture(_Browser(chromium, viewport={"width": 1920, "height": 1080}), app_url + link)
    try:
        page, frame = tab.page, tab.frame
        frame.wait_for_function("() => document.body.classList.contains('present')", timeout=RERUN)
        page.wait_for_timeout(2500)   # the row's height settles (measured each second)
        for step in (0, 3, 6, LAST):
            frame.evaluate("(k) => gdviz.show(k)", step)
            try:
                frame.wait_for_function(JS_SETTLED, timeout=KEY_SETTLE)
            except PlaywrightTimeout:
                pytest.fail(f"a view is not the size of its cell at step {step}: {frame.evaluate(JS_FIT)['views']}")
            fit = frame.evaluate(JS_FIT)
            for name, view in fit["views"].items():
                (pw, ph), (cw, ch) = view["plotly"], view["cell"]
                assert pw <= cw + 1 and ph <= ch + 1, f"#{name} is drawn {pw:.0f}×{ph:.0f} in a {cw:.0f}×{ch:.0f} cell at step {step}"
            (sw, sh), (cw, ch) = fit["panel"]["scroll"], fit["panel"]["client"]
            assert sh <= ch + 1 and sw <= cw + 1, f"the maths overflows its panel at step {step}: {sw}×{sh} in {cw}×{ch}"
            assert fit["cut"] == [], f"cut off in the contours' cell at step {step}: {fit['cut']}"
            assert fit["title"] == "Contours · click to start there"
            assert any(unfold for unfold, _, _ in fit["type"]), "the unfolded sum is not in the maths panel"
            small = [row for row in fit["type"] if row[1] < (18 if row[0] else 22)]
            assert small == [], f"type too small for the back of the hall at step {step}: {small}"
            iframe = page.evaluate(f"() => document.querySelector(\"{IFRAME}\").getBoundingClientRect().toJSON()")
            for name, box in frame.evaluate(JS_BOXES).items():
                if name == "data":
                    continue
                assert iframe["top"] + box["top"] >= 0 and iframe["top"] + box["bottom"] <= 1080 \
                    and iframe["left"] + box["right"] <= 1920, f"#{name} is not on the 1920×1080 screen at step {step}: {box}"
        # Predicting, a click on the contours is a guess: the title says so, and says it again when off.
        frame.evaluate("(k) => gdviz.show(k)", 3)
        title = "() => document.querySelector('#contour .gtitle').textContent"
        frame.click("#predict")
        frame.wait_for_function(f"() => ({title})() === 'Contours · click where step 4 lands'", timeout=KEY_SETTLE)
        frame.click("#predict")
        frame.wait_for_function(f"() => ({title})() === 'Contours · click to start there'", timeout=KEY_SETTLE)
        assert tab.exceptions() == [] and tab.errors == []
    finally:
        tab.close()


# ---------------------------------------------------------------- exports and links

def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_exports_and_the_link_keep_the_step_and_the_camera_on_screen(lecture, chromium, tmp_path):
    page, frame = lecture.page, lecture.frame
    requests = lecture.rerun_requests
    page.get_by_role("heading", name="Gradient descent on linear regression").click(position={"x": 5, "y": 5})
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    wait_for(lecture, "() => gdviz.state.k === 6", "six → on the main page")
    lecture.turn()
    wait_until(page, lambda: url_params(page).get("step") == "6" and url_params(page).get("cam") == "0.3,-2.1,0.8",
               10_000, f"the address does not carry step=6 and cam=0.3,-2.1,0.8: {page.url}")

    with page.expect_download(timeout=ACTION) as download:
        frame.click("#save-html")
    html = tmp_path / "view.html"
    download.value.save_as(html)
    assert download.value.suggested_filename == "gdviz-step-6.html"
    with page.expect_download(timeout=ACTION) as download:
        frame.click("#save-png")
    png = tmp_path / "view.png"
    download.value.save_as(png)
    assert png_size(png.read_bytes()) == (1800, 1260)
    assert lecture.rerun_requests == requests, "an export reran the script"
    exported_spec = frame.evaluate("() => { const s = Export.viewSpec(Object.assign({}, gdviz.state.spec, "
                                   "{lesson: {scene: 1}, autoplay: true}), 6, null); "
                                   "return {editable: s.editable, lesson: 'lesson' in s, autoplay: 'autoplay' in s}; }")
    assert exported_spec == {"editable": False, "lesson": False, "autoplay": False}, \
        "an exported page must offer no dragging, no lesson's PageDown and no autoplay"
    assert state(lecture)["k"] == 6 and lecture.errors == []

    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(ACTION)
    try:
        exported = context.new_page()
        fetched, errors = [], []
        exported.on("request", lambda request: fetched.append(request.url))
        exported.on("pageerror", lambda error: errors.append(str(error)))
        exported.goto(html.as_uri(), wait_until="load", timeout=READY)
        exported.wait_for_function(JS_READY, timeout=READY)
        assert exported.inner_text("#steplabel") == f"step 6 / {LAST}"
        assert_eye(exported.evaluate(JS_EYE), TURNED, "in the exported page")
        assert exported.evaluate("() => gdviz.predict.editable") is False, "a point can be dragged in an exported page"
        exported.click("#forward")
        assert exported.inner_text("#steplabel") == f"step 7 / {LAST}"
        assert_eye(exported.evaluate(JS_EYE), TURNED, "after a step in the exported page")
        away = [url for url in fetched if not url.startswith(("file://", "data:", "blob:"))]
        assert away == [], f"the exported page fetched from elsewhere: {away[:5]}"
        assert errors == []
    finally:
        context.close()


def test_the_play_button_draws_its_own_icons(lecture):
    """⏸ is in none of Debian's default fonts (a missing-glyph box): the button draws an SVG icon."""
    frame = lecture.frame
    frame.select_option("#speed", "2")
    button = frame.locator("#play")
    assert button.inner_text().strip() == "Play" and button.locator("svg").count() == 1
    frame.click("#play")
    frame.wait_for_function("() => gdviz.state.playing", timeout=KEY_SETTLE)
    assert button.inner_text().strip() == "Pause" and button.locator("svg rect").count() == 2
    assert button.get_attribute("aria-label") == "pause"
    DOCS.mkdir(exist_ok=True)
    frame.locator("#bar").screenshot(path=str(DOCS / "screenshot-bar-playing.png"))
    frame.evaluate("() => gdviz.pause()")
    assert button.inner_text().strip() == "Play"
    text = frame.evaluate("() => document.getElementById('bar').textContent")
    assert not any(0x2300 <= ord(c) <= 0x23FF for c in text), f"a glyph from the Misc Technical block: {text!r}"


def test_a_link_with_a_camera_opens_turned_at_its_step(chromium, app_url):
    tab = Lecture(_Browser(chromium), app_url + "/?step=6&cam=0.3,-2.1,0.8")
    try:
        assert tab.step_label() == f"step 6 / {LAST}"
        assert_eye(tab.eye(), TURNED, "when a link with cam=0.3,-2.1,0.8 opened")
        assert tab.page.locator("[data-testid='stAlert']", has_text="From the link").count() == 0
        assert tab.exceptions() == [] and tab.errors == []
    finally:
        tab.close()
