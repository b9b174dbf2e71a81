"""Text that users control reaches markdown elements only escaped (headless, Streamlit's AppTest).

A link's values, a file's name and its column names arrive in `st.info`, `st.error` and `st.caption`,
which render markdown: `[t](https://host)` would become a live link, `![](https://host/p.png)` an image
fetched as the page opens, `**x**` bold, `$x$` KaTeX, `:red[x]` coloured text. These tests read the
markdown source the app sends and check that every character of the user's text that markdown (or
Streamlit's extensions of it) could act on is backslash-escaped, and that unescaping gives the text
back exactly. tests/test_browser_security.py checks what Chromium actually draws.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
UPLOAD = "Upload a CSV file"

# Characters that CommonMark, GFM or Streamlit's markdown give a meaning: links and images, emphasis,
# code, raw HTML, entities, KaTeX ($), emoji shortcodes and coloured text (:name: and :red[...]), tables.
ACTIVE = set("[]()!*_`<>&$:~|\\#")

HOSTILE_LINK_VALUES = [
    "[Log in again](https://evil.example/x)",
    "![](https://evil.example/p.png)",
    "<img src=x onerror=alert(1)>",
    "**bold** $x^2$ :red[y]",
    "<https://evil.example>",
]


def literal(markdown: str) -> tuple[str, list[bool]]:
    """CommonMark's backslash escapes undone and the invisible word joiners (U+2060) that keep an
    address from becoming a link dropped: the text, and for each of its characters whether it was
    escaped in the source."""
    markdown = markdown.replace("\u2060", "")
    text, escaped, i = [], [], 0
    while i < len(markdown):
        c = markdown[i]
        if c == "\\" and i + 1 < len(markdown) and markdown[i + 1].isascii() and not markdown[i + 1].isalnum() \
                and not markdown[i + 1].isspace():
            text.append(markdown[i + 1])
            escaped.append(True)
            i += 2
        else:
            text.append(c)
            escaped.append(False)
            i += 1
    return "".join(text), escaped


def assert_shown_literally(markdown: str, user_text: str) -> None:
    """``user_text`` appears in ``markdown`` with each character markdown could act on escaped."""
    text, escaped = literal(markdown)
    start = text.find(user_text)
    assert start >= 0, f"{user_text!r} is not shown as written in {markdown!r}"
    bare = [c for c, e in zip(text[start:start + len(user_text)], escaped[start:start + len(user_text)])
            if c in ACTIVE and not e]
    assert not bare, f"{bare!r} of {user_text!r} left unescaped in {markdown!r}"


def open_app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.selectbox(key="source").set_value(UPLOAD).run()
    at.file_uploader(key="upload").set_value((name, content, "text/csv")).run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------- a shared link's values

@pytest.mark.parametrize("value", HOSTILE_LINK_VALUES)
def test_a_link_value_with_markdown_shows_escaped_in_the_note(value):
    at = open_app(lr=value)
    notes = [info.value for info in at.info if "From the link" in info.value]
    assert len(notes) == 1, [info.value for info in at.info]
    assert "](" not in notes[0], f"a raw link or image in the note: {notes[0]!r}"
    assert_shown_literally(notes[0], f"lr={value}")


def test_a_link_parameter_name_with_markdown_shows_escaped_in_the_note():
    name = "[t](https://evil.example)"
    at = open_app(**{name: "1"})
    notes = [info.value for info in at.info if "From the link" in info.value]
    assert len(notes) == 1, [info.value for info in at.info]
    assert "](" not in notes[0]
    assert_shown_literally(notes[0], name)


# ---------------------------------------------------------------- an uploaded file's names

BAD_NAME = "[t](https://evil.example) **x** $y$"  # messages cut names at 40 characters


def test_a_bad_files_column_name_shows_escaped_in_the_error():
    content = f"x,{BAD_NAME}\n1,2\n2,-\n3,4\n4,5\n5,6\n".encode()
    at = upload(open_app(), "week 3.csv", content)
    errors = [error.value for error in at.error if "cannot be used" in error.value]
    assert len(errors) == 1, [error.value for error in at.error]
    assert "](" not in errors[0], errors[0]
    assert_shown_literally(errors[0], BAD_NAME)


def test_a_bad_value_shows_escaped_in_the_error():
    value = "![](https://evil.example/v.png)"
    content = f"x,y\n1,2\n2,{value}\n3,4\n4,5\n5,6\n".encode()
    at = upload(open_app(), "week 3.csv", content)
    errors = [error.value for error in at.error if "cannot be used" in error.value]
    assert len(errors) == 1, [error.value for error in at.error]
    assert "](" not in errors[0], errors[0]
    assert_shown_literally(errors[0], value)


FILE_NAME = "**week 3** [t](https:evil.example) $x$ :red[a] <b>.csv"
NAMES = ['<a href="https://evil.example">link</a>', "%{y}_rate", "**bold** [t](https://evil.example) {{7*7}} $x$"]


def _csv_field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


HOSTILE_CSV = (",".join(_csv_field(n) for n in NAMES) + "\n"
               + "".join(f"{i},{(3 * i) % 7},{2 * i + (i * 5) % 3}\n" for i in range(1, 9))).encode()


@pytest.fixture(scope="module")
def hostile_upload():
    return upload(open_app(), FILE_NAME, HOSTILE_CSV)


def test_the_data_caption_shows_the_file_and_column_names_escaped(hostile_upload):
    at = hostile_upload
    assert not [e.value for e in at.error]
    captions = [c.value for c in at.caption if literal(c.value)[0].startswith("Data:")]
    assert len(captions) == 1, [c.value for c in at.caption]
    caption = captions[0]
    assert "](" not in caption, caption
    for user_text in (FILE_NAME.removesuffix(".csv"), *NAMES):
        assert_shown_literally(caption, user_text)


def test_the_views_get_the_names_verbatim_and_the_figures_get_them_escaped(hostile_upload):
    """The maths panel (text nodes) gets the names as they are; Plotly text gets them entity-escaped."""
    import json
    (component,) = hostile_upload.get("component_instance")
    spec = json.loads(component.proto.json_args)["spec"]
    assert spec["run"]["names"] == NAMES[:2]
    data = json.loads(spec["figures"]["data"])
    texts = [data["layout"]["xaxis"]["title"]["text"], data["layout"]["yaxis"]["title"]["text"],
             *(t.get("hovertemplate", "") for t in data["data"])]
    for text in texts:
        assert "<a" not in text and "%{y}_rate" not in text, text
    assert data["layout"]["xaxis"]["title"]["text"] == '&lt;a href="https://evil.example"&gt;link&lt;/a&gt;'


# ---------------------------------------------------------------- lessons and links that used to crash the page
HUGE_LESSON = '{"gdviz_lesson":1,"title":"t","scenes":[{"title":"a","params":{"lr":%s}}]}' % ("1" * 5000)


def test_a_lesson_with_a_5000_digit_number_is_a_sentence_and_the_lesson_in_use_stays():
    import base64
    import zlib

    from gdviz import lessons

    link = base64.urlsafe_b64encode(zlib.compress(HUGE_LESSON.encode(), 9)).decode().rstrip("=")
    at = open_app(lesson=link, scene="1")  # the 126-character link of the report
    assert any("cannot be opened" in info.value and "hundreds of digits" in info.value for info in at.info), \
        [info.value for info in at.info]
    at = open_app(lesson="builtin", scene="2")
    assert at.session_state["lesson"] == lessons.builtin_lesson()
    at.file_uploader(key="lesson_file").set_value(("deck.json", HUGE_LESSON.encode(), "application/json")).run()
    assert not at.exception, at.exception
    assert at.session_state["lesson"] == lessons.builtin_lesson()  # the lesson in use stays
    assert any("the field “lr” is a number of hundreds of digits" in e.value for e in at.error)
    hexed = 'title = "t"\n[[scenes]]\ntitle = "a"\n[scenes.params]\nlr = 0x' + "f" * 3700 + "\n"
    at.file_uploader(key="lesson_file").set_value(("deck.toml", hexed.encode(), "application/toml")).run()
    assert not at.exception, at.exception
    assert at.session_state["lesson"] == lessons.builtin_lesson()


def test_data_settings_on_a_test_surface_and_a_scene_without_a_lesson_get_notes():
    from gdviz.state import PageState

    _, notes = PageState.from_link({"problem": ["rosenbrock"], "l2": ["0.1"], "std": ["1"], "pull": ["1"],
                                    "eig": ["1"]})
    assert notes == ["“l2”, “std”, “pull”, “eig” mean nothing on a test surface (it has no data); ignored."]
    _, notes = PageState.from_link({"problem": ["saddle"], "n": ["30"], "lr": ["0.1"]})
    assert notes == ["“n” means nothing on a test surface (it has no data); ignored."]
    assert PageState.from_link({"l2": ["0.1"], "std": ["1"]})[1] == []  # on a regression they mean something
    assert PageState.from_link({"scene": ["3"]})[1] == ["The link names a scene but no lesson; ignored."]
    at = open_app(problem="rosenbrock", l2="0.1", eig="1")
    assert any("mean nothing on a test surface" in str(element.value) for element in at.info), \
        [element.value for element in at.info]


def test_the_slides_of_a_costly_lesson_are_refused_with_the_budget_and_the_page_stays():
    from gdviz import lessons, slides

    scene = {"n": "1000", "steps": "2000", "cmp": "adam:0.1,momentum:0.01,nesterov:0.01", "batch": "mini", "bs": "2"}
    lesson = lessons.Lesson("Costly", tuple(lessons.Scene(f"S{i}", "", {**scene, "seed": str(i)}) for i in range(1, 61)))
    at = open_app(lesson=lessons.lesson_to_link(lesson), scene="1")
    at.button(key="make_slides").click().run()
    assert not at.exception, at.exception
    assert any("not drawn" in w.value and f"{slides.EXPORT_BUDGET:.0f} s" in w.value for w in at.warning), \
        [w.value for w in at.warning]
    assert "made_slides" not in at.session_state
