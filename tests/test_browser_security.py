"""Text that users control, in a real browser: Streamlit serves app.py, Debian's Chromium shows it.

A column name, a file name and a shared link's values are data a student or a stranger chose. Here
they arrive the way they would in a lecture (a file through the page's real file uploader, a link
typed into the address bar, the interactive HTML page downloaded through its button and opened from
disk) and the tests look at what Chromium does with them: no dialog opens (any script from the data
would call alert), no element the data spelled out exists (an <img src=x>, a link or an image to
evil.example), no request leaves for evil.example, and the names are shown as the literal text.

The server, the browser and the tab come from test_browser (imported, not edited): one Streamlit
server for this module. Importing it brings its skip logic: without Chromium or playwright this
module skips loudly, and GDVIZ_REQUIRE_BROWSER=1 turns that into a failure.

Screenshots of the page after the hostile upload go to SHOTS (printed in the test output).

Bugs these tests found (failing until fixed; not fixed here):
- app.py's plain() backslash-escapes every ASCII punctuation sign, but Streamlit's markdown still turns
  a bare URL in the text into a live link (GFM's autolink literals work on the unescaped text): a link
  value `[Log in again](https://evil.example/x)` shows a clickable "https://evil.example/x)”" in the
  note, and the Data caption and a bad file's error link column names that contain https://....
- gdviz/figures.py's plotly_text() writes < > & % as entities; Plotly decodes them in SVG text but the
  3-D view's axis titles are drawn by WebGL from the string as given, so they read "&#37;{y}_rate",
  "&lt;img ...&gt;", "&amp;".
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

try:
    from test_browser import (ACTION, IFRAME, JS_READY, READY, RERUN, Lecture, app_url,  # noqa: F401
                              chromium, wait_until)
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

CORPUS = Path(__file__).parent / "csv_corpus"
SHOTS = Path(tempfile.gettempdir()) / "gdviz-security-screenshots"
EVIL = "evil.example"

IMG_NAME = "<img src=x onerror=alert(parent.document.title)>"
IMG_CSV = (f"{IMG_NAME},x2,y\n"
           + "".join(f"{i},{(3 * i) % 7},{2 * i + (i * 5) % 3 + 0.5 * ((3 * i) % 7)}\n" for i in range(1, 13)))

# Test 5: the names the issue lists; the Plotly template first, so it is the data view's x axis and hover.
TEMPLATE = "%{y}_rate"
MARKDOWN = "**bold** [t](https://evil.example) {{7*7}} $x$"
ANCHOR = '<a href="https://evil.example">link</a>'
FILE_NAME = "**week 3** [notes](https:evil.example) $x$ _a_ #1.csv"


def csv_input(page):
    """The CSV uploader's file input (the page has a lesson uploader too)."""
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="CSV file (features…, target)")
    return uploader.locator("input[type='file']")


def _field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


NAMES_CSV = (",".join(_field(n) for n in (TEMPLATE, MARKDOWN, ANCHOR)) + "\n"
             + "".join(f"{i},{(3 * i) % 7},{2 * i + (i * 5) % 3}\n" for i in range(1, 13)))

# Anything the data could have turned into markup, in any frame: its own elements or attributes.
JS_PLANTED = """() => {
  const found = [];
  for (const e of document.querySelectorAll("img[src='x'], [onerror], [onload]:not(body):not(iframe):not(script)"))
    found.push(e.outerHTML.slice(0, 200));
  for (const e of document.querySelectorAll("a[href*='evil.example'], img[src*='evil.example'], [src*='evil.example']"))
    found.push(e.outerHTML.slice(0, 200));
  // A script element the data made (</script><script>alert(1)</script>) is short and calls alert; the
  // page's own scripts are long, and the embedded data mentions alert( only inside JSON strings.
  for (const e of document.querySelectorAll("script")) {
    if (e.textContent.length < 500 && /alert\\(/.test(e.textContent)) found.push("script: " + e.textContent);
  }
  return found;
}"""


# ---------------------------------------------------------------- helpers

class Watched:
    """A browser whose contexts record every dialog (and dismiss it) and every request, from the
    first one on: Lecture opens the page inside its constructor, before a test could listen."""

    def __init__(self, browser):
        self._browser = browser
        self.dialogs: list[str] = []
        self.requests: list[str] = []

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("dialog", self._dialog)
        context.on("request", lambda request: self.requests.append(request.url))
        return context

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


def open_tab(chromium, url: str) -> tuple[Lecture, Watched]:
    watched = Watched(chromium)
    return Lecture(watched, url), watched


def to_evil(urls: list[str]) -> list[str]:
    """The requests that went to evil.example (the app's own address may carry it in its query)."""
    return [url for url in urls if (urlsplit(url).hostname or "").endswith(EVIL)]


def planted(page) -> list[str]:
    """JS_PLANTED in the page and in every frame (the views' iframe included)."""
    found = []
    for frame in page.frames:
        try:
            found += [f"{frame.url[:60]}: {item}" for item in frame.evaluate(JS_PLANTED)]
        except Exception as error:  # a frame that went away while we looked: nothing planted there
            if "detached" not in str(error).lower() and "destroyed" not in str(error).lower():
                raise
    return found


def upload(tab: Lecture, path: Path, names: list[str]) -> None:
    """Choose "Upload a CSV file" and upload ``path`` through the page's real file uploader, until
    the views show a run on its columns ``names`` (the features, in order)."""
    page = tab.page
    finished = tab.scripts_finished
    page.get_by_role("combobox", name="Data set").click()
    page.get_by_role("option", name="Upload a CSV file", exact=True).click()
    tab.wait_for_rerun(finished)
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="CSV file (features…, target)")
    uploader.wait_for(timeout=RERUN)
    finished = tab.scripts_finished
    uploader.locator("input[type='file']").set_input_files(str(path))
    tab.wait_for_rerun(finished)
    tab.frame.wait_for_function("(names) => JSON.stringify(gdviz.state.spec.run.names) === JSON.stringify(names)",
                                arg=names, timeout=RERUN)
    tab.frame.wait_for_function(JS_READY, timeout=RERUN)
    assert tab.exceptions() == []
    assert not page.locator("[data-testid='stAlert']", has_text="cannot be used").count(), \
        page.locator("[data-testid='stAlert']").all_inner_texts()


def standardise(tab: Lecture) -> None:
    finished = tab.scripts_finished
    tab.page.get_by_text("Standardise x", exact=False).click()
    tab.wait_for_rerun(finished)
    tab.frame.wait_for_function("() => gdviz.state.spec.run.scaling !== null", timeout=RERUN)
    tab.frame.wait_for_function(JS_READY, timeout=RERUN)


def step_through(tab: Lecture) -> None:
    frame = tab.frame
    last = frame.evaluate("() => gdviz.state.last")
    frame.click("#first")
    assert tab.step_label() == f"step 0 / {last}"
    for _ in range(3):
        frame.click("#forward")
    assert tab.step_label() == f"step 3 / {last}"
    frame.click("#back")
    assert tab.step_label() == f"step 2 / {last}"


def download_export(tab: Lecture, target: Path) -> str:
    """The views' "save view · HTML" button, as a lecturer clicks it; the file saved at ``target``."""
    with tab.page.expect_download(timeout=RERUN) as info:
        tab.frame.locator("#save-html").click()
    info.value.save_as(str(target))
    return target.read_text(encoding="utf-8")


def open_export(chromium, path: Path):
    watched = Watched(chromium)
    context = watched.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(ACTION)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=READY)
        page.wait_for_function(JS_READY, timeout=READY)
    except BaseException:
        context.close()
        raise
    return context, page, watched, errors


def assert_export_works(page, watched: Watched, errors: list[str], names: list[str]) -> None:
    """The exported page drew its views from the embedded data, names intact, and ran nothing else."""
    assert page.locator(".js-plotly-plot").count() >= 4, "the exported page drew no views"
    label = page.inner_text("#steplabel")
    assert re.fullmatch(r"step \d+ / \d+", label) and label != "step 0 / 0", label
    assert page.evaluate("() => gdviz.state.spec.run.names") == names, "the names did not survive the export"
    page.click("#first")
    page.click("#forward")
    assert page.inner_text("#steplabel").startswith("step 1 / ")
    assert watched.dialogs == [], f"script from the data ran in the exported page: {watched.dialogs}"
    assert planted(page) == []
    assert errors == []
    away = [url for url in watched.requests if not url.startswith(("file://", "data:", "blob:"))]
    assert away == [], f"the exported page fetched from elsewhere: {away[:5]}"


def screenshot(tab: Lecture, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / name
    tab.page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


# ---------------------------------------------------------------- 1 and 2: a column name with script

@pytest.fixture(scope="module")
def img_tab(chromium, app_url, tmp_path_factory):
    """A tab that uploaded the <img onerror> file and standardised its two features."""
    path = tmp_path_factory.mktemp("hostile") / "img-header.csv"
    path.write_text(IMG_CSV, encoding="utf-8")
    tab, watched = open_tab(chromium, app_url)
    try:
        upload(tab, path, [IMG_NAME, "x2"])
        standardise(tab)
        yield tab, watched
    finally:
        tab.close()


def test_a_column_name_with_script_never_runs_and_shows_as_text_in_the_maths(img_tab):
    tab, watched = img_tab
    frame = tab.frame
    assert frame.evaluate("() => gdviz.state.spec.run.d") == 2
    step_through(tab)
    # The maths panel names the standardised feature shown on the surface: the name, as written.
    maths = frame.inner_text("#maths")
    assert f"({IMG_NAME}: mean " in maths, maths
    assert frame.evaluate("() => document.querySelectorAll('#maths img, #panel img').length") == 0
    assert frame.locator("#data .g-xtitle").text_content() == IMG_NAME
    assert IMG_NAME in frame.locator("#contour .g-xtitle").text_content()
    # The sidebar's picker of the weight on the surface: its text, not an element.
    picker = tab.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']",
                              has_text="Weight on the surface")
    shown = picker.evaluate("(c) => c.textContent + ' ' + Array.from(c.querySelectorAll('input'), (i) => i.value).join(' ')")
    assert f"w1 ({IMG_NAME})" in shown, shown
    assert picker.locator("img").count() == 0
    tab.page.wait_for_timeout(1000)   # an onerror fires as soon as the broken image would load
    assert watched.dialogs == [], f"script from a column name ran: {watched.dialogs}"
    assert planted(tab.page) == []
    assert tab.exceptions() == []
    assert tab.errors == []
    tab.wait_until_views_fill_their_cells()
    screenshot(tab, "hostile-img-column-standardised.png")
    SHOTS.mkdir(exist_ok=True)
    frame.locator("#panel").screenshot(path=str(SHOTS / "hostile-img-column-maths-panel.png"))


def test_the_exported_page_of_a_hostile_upload_runs_no_script_and_works(img_tab, chromium, tmp_path):
    tab, watched = img_tab
    html = download_export(tab, tmp_path / "gdviz-views.html")
    assert IMG_NAME not in html, "the name is in the exported HTML as raw markup"
    assert watched.dialogs == []
    context, page, exported, errors = open_export(chromium, tmp_path / "gdviz-views.html")
    try:
        assert_export_works(page, exported, errors, [IMG_NAME, "x2"])
        assert f"({IMG_NAME}: mean " in page.inner_text("#maths")
        assert page.locator("#data .g-xtitle").text_content() == IMG_NAME
    finally:
        context.close()


# ---------------------------------------------------------------- 3: names that close a script

def test_script_closing_column_names_leave_the_exported_page_working(chromium, app_url, tmp_path):
    names = ["<!--<script>", "</script><script>alert(1)</script>"]
    tab, watched = open_tab(chromium, app_url)
    try:
        upload(tab, CORPUS / "script_closing_column_names.csv", names)
        assert tab.frame.locator("#data .g-xtitle").text_content() == names[0]
        html = download_export(tab, tmp_path / "gdviz-views.html")
        assert watched.dialogs == [] and planted(tab.page) == []
    finally:
        tab.close()
    for name in names:
        assert name not in html, f"{name!r} is in the exported HTML as raw markup"
    context, page, exported, errors = open_export(chromium, tmp_path / "gdviz-views.html")
    try:
        assert_export_works(page, exported, errors, names)
        assert page.locator("#data .g-xtitle").text_content() == names[0]
        assert page.locator("#data .g-ytitle").text_content() == "]]></style>y"
    finally:
        context.close()


# ---------------------------------------------------------------- 4: a shared link's values

@pytest.mark.parametrize("value", ["[Log in again](https://evil.example/x)", "![](https://evil.example/p.png)"])
def test_link_values_never_render_as_markdown(chromium, app_url, value):
    tab, watched = open_tab(chromium, f"{app_url}/?lr={quote(value, safe='')}")
    try:
        page = tab.page
        note = page.locator("[data-testid='stAlert']", has_text="From the link:")
        note.first.wait_for(timeout=RERUN)
        assert note.count() == 1, note.all_inner_texts()
        assert f"lr={value}" in visible(note), note.inner_text()
        page.wait_for_timeout(1000)   # time for an image to be fetched, were there one
        assert to_evil(watched.requests) == []
        assert watched.dialogs == []
        assert tab.exceptions() == []
        assert note.locator("a, img").count() == 0, f"the note made elements of the value: {note.inner_html()}"
        assert planted(page) == []
    finally:
        tab.close()


# ---------------------------------------------------------------- 5: names are text everywhere

@pytest.fixture(scope="module")
def names_tab(chromium, app_url, tmp_path_factory):
    """A tab that uploaded a file with a markdown file name and the issue's hostile column names."""
    path = tmp_path_factory.mktemp("names") / FILE_NAME
    path.write_text(NAMES_CSV, encoding="utf-8")
    tab, watched = open_tab(chromium, app_url)
    try:
        upload(tab, path, [TEMPLATE, MARKDOWN])
        tab.wait_until_views_fill_their_cells()
        screenshot(tab, "hostile-names-upload.png")
        yield tab, watched
    finally:
        tab.close()


def visible(locator) -> str:
    """The text a reader sees: the page puts invisible word joiners (U+2060) into addresses so that
    markdown cannot turn them into links."""
    return locator.inner_text().replace("\u2060", "")


def test_the_data_caption_shows_file_and_column_names_as_text(names_tab):
    tab, watched = names_tab
    caption = tab.page.locator("[data-testid='stCaptionContainer']", has_text="Data:")
    assert caption.count() == 1, caption.all_inner_texts()
    text = visible(caption)
    for name in (FILE_NAME, TEMPLATE, MARKDOWN, ANCHOR):
        assert name in text, f"{name!r} not shown as written in the caption: {text!r}"
    assert to_evil(watched.requests) == []
    assert caption.locator("a, strong, em, img, .katex, code").count() == 0, caption.inner_html()


def test_names_are_text_in_the_axis_titles_and_the_hover_label(names_tab):
    tab, watched = names_tab
    frame = tab.frame
    assert frame.locator("#data .g-xtitle").text_content() == TEMPLATE
    assert frame.locator("#data .g-ytitle").text_content() == ANCHOR
    assert frame.locator("#data .gtitle").text_content() == f"{ANCHOR} against {TEMPLATE}, ŷ at this step"
    assert frame.locator("#contour .g-xtitle").text_content() == f"w1 (weight of {TEMPLATE})"
    links = frame.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot a'))
        .filter((a) => !a.classList.contains('modebar-btn')).map((a) => a.outerHTML)""")
    assert links == [], links

    # Hover a data point with the mouse: the label reads the name as written, not %{y} filled in.
    point = frame.evaluate("""() => {
        const gd = document.getElementById('data'), L = gd._fullLayout;
        const i = gd.data.findIndex((t) => t.uid === 'data'), t = gd._fullData.find((f) => f.index === i);
        const k = 5;
        return {x: L.xaxis._offset + L.xaxis.l2p(t.x[k]), y: L.yaxis._offset + L.yaxis.l2p(t.y[k]), value: t.x[k]};
    }""")
    frame.locator("#data").scroll_into_view_if_needed()
    frame.locator("#data").hover(position={"x": point["x"], "y": point["y"]})
    label = frame.locator("#data .hoverlayer .hovertext")
    label.first.wait_for(timeout=ACTION)
    hover = " | ".join(label.all_text_contents())
    assert f"{TEMPLATE} = {point['value']:g}" in hover, hover
    assert frame.locator("#data .hoverlayer a").count() == 0
    assert watched.dialogs == []
    assert tab.errors == []


# The text the 3-D view draws with WebGL (not SVG): gl-axes-3d draws glplot.axes.labels as given.
JS_3D_LABELS = "() => Array.from(document.getElementById('surface')._fullLayout.scene._scene.glplot.axes.labels)"


def test_the_3d_axis_title_shows_the_name_as_written(names_tab):
    """Plotly decodes &lt; &gt; &amp; &#37; in SVG text (titles, hover labels) but the 3-D scene's axis
    titles are drawn by WebGL from the string as given: an entity would show as "&#37;" there. So the
    3-D w axis carries only the weight's symbol and the name goes in the view's (SVG) title."""
    tab, _ = names_tab
    labels = tab.frame.evaluate(JS_3D_LABELS)
    assert labels[0] == "w1", f"the 3-D view's w axis reads {labels[0]!r}"
    assert tab.frame.locator("#surface .gtitle").text_content() == f"Loss over w1 (weight of {TEMPLATE}) and b"


def test_the_other_features_markdown_is_text_on_the_surface_and_contours(names_tab):
    tab, watched = names_tab
    page, frame = tab.page, tab.frame
    finished = tab.scripts_finished
    page.get_by_role("combobox", name="Weight on the surface").click()
    page.get_by_role("option", name=f"w2 ({MARKDOWN})", exact=True).click()
    tab.wait_for_rerun(finished)
    frame.wait_for_function("() => gdviz.state.spec.run.feature === 1", timeout=RERUN)
    frame.wait_for_function(JS_READY, timeout=RERUN)
    assert frame.locator("#contour .g-xtitle").text_content() == f"w2 (weight of {MARKDOWN})"
    assert frame.locator("#data .g-xtitle").text_content() == MARKDOWN
    page.wait_for_timeout(1000)
    assert to_evil(watched.requests) == []
    assert watched.dialogs == []
    assert tab.exceptions() == []
    assert tab.errors == []
    tab.wait_until_views_fill_their_cells()
    screenshot(tab, "hostile-names-second-feature.png")


# ---------------------------------------------------------------- markdown in names: caption and error

def test_markdown_names_show_as_text_in_the_caption_and_a_bad_files_error(chromium, app_url, tmp_path):
    """Streamlit's own markdown too: `:red[...]` colours, `_x_` emphasis, `![](...)` an image. Every
    element the names could make is collected first, so one bug does not hide the next."""
    names = ["**bold** [t](https://evil.example) {{7*7}} $x$", "![](https://evil.example/p.png)", ":red[y] _total_"]
    bad_name = "[t](https://evil.example) **x** $y$"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"x,{bad_name}\n1,2\n2,-\n3,4\n4,5\n5,6\n", encoding="utf-8")
    tab, watched = open_tab(chromium, app_url)
    made = []
    try:
        page = tab.page
        upload(tab, CORPUS / "markdown_in_column_names.csv", names[:2])
        caption = page.locator("[data-testid='stCaptionContainer']", has_text="Data:")
        text = visible(caption)
        for name in names:
            assert name in text, f"{name!r} not shown as written in the caption: {text!r}"
        if caption.locator("a, strong, em, img, .katex, code, span[style], [class*='color']").count():
            made.append(f"caption: {caption.inner_html()}")

        finished = tab.scripts_finished
        csv_input(page).set_input_files(str(bad))
        tab.wait_for_rerun(finished)
        box = page.locator("[data-testid='stAlert']", has_text="cannot be used")
        box.wait_for(timeout=RERUN)
        assert bad_name in visible(box), box.inner_text()
        # The error's own "That data cannot be used:" is bold on purpose: one <strong>, nothing else.
        if box.locator("strong").count() != 1 or box.locator("a, em, img, .katex, code").count():
            made.append(f"error: {box.inner_html()}")

        page.wait_for_timeout(1000)
        assert to_evil(watched.requests) == []
        assert watched.dialogs == []
        assert tab.exceptions() == []
        assert made == [], "names became markup:\n" + "\n".join(made)
    finally:
        tab.close()


# ---- extreme and degenerate data through the real uploader (issue items 6 and 7) ----
def test_numbers_beyond_float64s_reach_are_a_sentence_and_the_data_stays(chromium, app_url, tmp_path):
    """x = 1e300·(i+1): the statistics would overflow. The page names the column and keeps its data."""
    huge = tmp_path / "huge.csv"
    huge.write_text("x,y\n" + "".join(f"{1e300 * (i + 1):.6e},{i}\n" for i in range(8)), encoding="utf-8")
    tab, _ = open_tab(chromium, app_url)
    try:
        page = tab.page
        good = tmp_path / "good.csv"
        good.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(8)), encoding="utf-8")
        upload(tab, good, ["x"])
        finished = tab.scripts_finished
        csv_input(page).set_input_files(str(huge))
        tab.wait_for_rerun(finished)
        box = page.locator("[data-testid='stAlert']", has_text="cannot be used")
        box.wait_for(timeout=RERUN)
        text = visible(box)
        assert "'x'" in text and "rescal" in text, text
        assert tab.exceptions() == [] and "nan" not in page.locator("body").inner_text().lower()
        assert tab.frame.evaluate("gdviz.state.spec.run.m") == 8  # the data in use before stays on screen
    finally:
        tab.close()


def test_x_with_one_value_is_said_in_words_and_the_condition_number_is_infinite(chromium, app_url, tmp_path):
    flat = tmp_path / "flat.csv"
    flat.write_text("x,y\n" + "".join(f"3,{i * 0.5 + 1}\n" for i in range(10)), encoding="utf-8")
    tab, _ = open_tab(chromium, app_url)
    try:
        page = tab.page
        upload(tab, flat, ["x"])
        warning = page.locator("[data-testid='stAlert']", has_text="one value")
        warning.wait_for(timeout=RERUN)
        assert "not a point" in visible(warning)
        condition = page.locator("[data-testid='stMetric']", has_text="Condition number")
        assert "infinite" in condition.inner_text()
        body = page.locator("body").inner_text().lower()
        assert "nan" not in body and "inf," not in body and tab.exceptions() == []
        step_through(tab)  # the views draw the valley and step without an error
    finally:
        tab.close()
