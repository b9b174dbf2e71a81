"""A lecture in scenes, as a lecturer meets it in Chromium: a link opens the built-in lesson at
scene 1; a clicker's PageDown after a click on a control goes to scene 2 (the link follows) and
PageUp back; a deck made on the page, downloaded and uploaded again gives the same scenes; a
malformed file keeps the lesson in use; the run's GIF and the lesson's slides download and open.

Reuses test_browser's server, browser and tab (and its skip: GDVIZ_REQUIRE_BROWSER=1 makes it a failure).
"""
from __future__ import annotations

import io
import urllib.parse
import zipfile

import pytest

try:
    from test_browser import ACTION, RERUN, Lecture, app_url, chromium, wait_until  # noqa: F401
except pytest.skip.Exception as skipped:  # the same skip, reported against this module
    pytest.skip(skipped.msg, allow_module_level=True)

from PIL import Image  # noqa: E402

from gdviz import lessons  # noqa: E402

BUILTIN = lessons.builtin_lesson()
N = len(BUILTIN.scenes)


def params(page) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


def bar_says(tab, k: int, n: int = N) -> None:
    """The scene bar reads "Scene k / n" (after the rerun that a move causes)."""
    tab.page.get_by_text(f"Scene {k} / {n} ·").first.wait_for(timeout=RERUN)


def test_a_clicker_moves_through_the_builtin_lesson_whatever_was_clicked_last(chromium, app_url):
    tab = Lecture(chromium, f"{app_url}?lesson=builtin")
    try:
        page, frame = tab.page, tab.frame
        bar_says(tab, 1)
        assert params(page)["lesson"] == "builtin" and params(page)["scene"] == "1"
        assert BUILTIN.scenes[0].play  # this scene plays by itself
        frame.wait_for_function("() => gdviz.state.playing || gdviz.state.k > 0", timeout=ACTION)
        # a control inside the views (Play), then the clicker
        frame.click("#play")
        finished = tab.scripts_finished
        page.keyboard.press("PageDown")
        tab.wait_for_rerun(finished)
        bar_says(tab, 2)
        wait_until(page, lambda: params(page).get("scene") == "2", 10_000, f"the link did not follow: {page.url}")
        assert params(page)["data"] == BUILTIN.scenes[1].params["data"]
        # a control of the page (a preset button), then the clicker back
        finished = tab.scripts_finished
        page.get_by_role("button", name="Just right", exact=True).click()
        tab.wait_for_rerun(finished)
        finished = tab.scripts_finished
        page.keyboard.press("PageUp")
        tab.wait_for_rerun(finished)
        bar_says(tab, 1)
        wait_until(page, lambda: params(page).get("scene") == "1", 10_000, f"the link did not follow: {page.url}")
        # ← → still step the views
        page.keyboard.press("ArrowRight")
        frame.wait_for_function("() => gdviz.state.k >= 1", timeout=ACTION)
        assert tab.exceptions() == [] and tab.errors == []
    finally:
        tab.close()


def sidebar_lesson(page):
    expander = page.locator("[data-testid='stExpander']").filter(has_text="Lesson: scenes for a lecture")
    if not expander.locator("[data-testid='stFileUploader']").is_visible():
        expander.locator("summary").click()
    return expander


def test_a_deck_made_on_the_page_goes_to_a_file_and_back(chromium, app_url, tmp_path):
    tab = Lecture(chromium, app_url)
    try:
        page = tab.page
        deck = sidebar_lesson(page)
        for title in ("Round bowl", "Too small"):
            deck.get_by_label("Title of a new scene").fill(title)
            deck.get_by_label("Title of a new scene").press("Enter")
            finished = tab.scripts_finished
            deck.get_by_role("button", name="Add this view as a scene").click()
            tab.wait_for_rerun(finished)
            deck = sidebar_lesson(page)
        bar_says(tab, 2, 2)
        with page.expect_download(timeout=ACTION) as download:
            deck.get_by_role("button", name="Lesson (TOML)").click()
        saved = tmp_path / "deck.toml"
        download.value.save_as(saved)
        lesson = lessons.read_lesson(saved.read_bytes(), "deck.toml")
        assert [s.title for s in lesson.scenes] == ["Round bowl", "Too small"]

        finished = tab.scripts_finished
        deck.get_by_role("button", name="Close lesson").click()
        tab.wait_for_rerun(finished)
        deck = sidebar_lesson(page)
        finished = tab.scripts_finished
        deck.locator("input[type='file']").set_input_files(str(saved))
        tab.wait_for_rerun(finished)
        bar_says(tab, 1, 2)
        page.get_by_text("Scene 1 / 2 · Round bowl").first.wait_for(timeout=RERUN)

        broken = tmp_path / "broken.toml"
        broken.write_text(saved.read_text().replace('lr = "', 'lr = "abc', 1) if 'lr = "' in saved.read_text()
                          else saved.read_text() + '\n[[scenes]]\ntitle = "Bad"\nparams = {lr = "abc"}\n')
        deck = sidebar_lesson(page)
        finished = tab.scripts_finished
        deck.locator("input[type='file']").set_input_files(str(broken))
        tab.wait_for_rerun(finished)
        error = page.locator("[data-testid='stAlert']", has_text="That lesson file cannot be opened")
        error.wait_for(timeout=RERUN)
        assert "Scene" in error.inner_text() and "lr" in error.inner_text(), error.inner_text()
        bar_says(tab, 1, 2)  # the lesson in use stays
        assert tab.exceptions() == []
    finally:
        tab.close()


def test_the_gif_of_the_run_and_the_slides_of_the_lesson_open(chromium, app_url, tmp_path):
    tab = Lecture(chromium, f"{app_url}?lesson=builtin&scene=6")
    try:
        page = tab.page
        bar_says(tab, 6)
        for make, name, check in (("Animated GIF of this run", "run.gif", "gif"),
                                  ("Slides: a PNG per scene (zip)", "slides.zip", "zip")):
            finished = tab.scripts_finished
            page.get_by_role("button", name=make).click()
            tab.wait_for_rerun(finished)
            with page.expect_download(timeout=ACTION) as download:
                page.get_by_role("button", name=f"Download: {make.lower()}").click()
            path = tmp_path / name
            download.value.save_as(path)
            if check == "gif":
                image = Image.open(path)
                assert image.format == "GIF" and image.n_frames > 10
            else:
                with zipfile.ZipFile(path) as archive:
                    names = archive.namelist()
                    assert len(names) == N
                    assert Image.open(io.BytesIO(archive.read(names[0]))).size == (1600, 900)
        assert tab.exceptions() == []
    finally:
        tab.close()
