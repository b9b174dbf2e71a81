"""Lessons: scenes that are whole page states, the built-in lesson, its files and links, deck edits."""
import base64
import hashlib
import json
import tomllib
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdviz
from gdviz import lessons
from gdviz.lessons import Lesson, LessonError, Scene
from gdviz.optimizers import LABELS
from gdviz.web import state

BUILTIN = lessons.builtin_lesson()


def known_params(scene: Scene) -> dict[str, list[str]]:
    """The scene's parameters the page already knows (a PENDING name is checked on its own)."""
    known = state.links()
    return {name: [value] for name, value in scene.params.items() if name not in lessons.PENDING or name in known}


# ---- the built-in lesson ----
def test_the_builtin_lesson_follows_the_lecture_notes():
    assert lessons.BUILTIN == BUILTIN and lessons.lesson_from_link("builtin") == BUILTIN
    assert len(BUILTIN.scenes) == 15
    assert BUILTIN.scenes[0].title == "The update rule: W ← W − α ∂L/∂W"
    titles = " ".join(s.title for s in BUILTIN.scenes).lower()
    for words in ("one feature", "two features", "come from", "too small", "just right", "oscillates", "diverges",
                  "valley", "standardise", "momentum and adam", "mini-batches", "sgd", "real data"):
        assert words in titles, words
    assert all(s.note and len(s.note) <= lessons.MAX_NOTE for s in BUILTIN.scenes)
    assert all(s.params.get("present") == "1" for s in BUILTIN.scenes)  # a lecture hall
    assert any(s.play for s in BUILTIN.scenes) and not all(s.play for s in BUILTIN.scenes)
    assert "cam" in BUILTIN.scenes[0].params


@pytest.mark.parametrize("number", range(1, 16))
def test_every_builtin_scene_decodes_without_a_note(number):
    scene = BUILTIN.scenes[number - 1]
    values, notes = state.decode(known_params(scene))
    assert notes == [], notes
    assert state.STEP not in scene.params and values  # a scene opens at step 0


@pytest.mark.parametrize("name", sorted(lessons.PENDING))
def test_pending_link_names_once_state_has_them(name):
    if name not in state.links():
        pytest.skip(f"state.CONTROLS has no link “{name}” yet (being added)")
    for scene in BUILTIN.scenes:
        if name in scene.params:
            assert state.decode({name: [scene.params[name]]})[1] == []


def test_the_pull_scene_is_there():
    assert any(s.params.get("pull") == "1" for s in BUILTIN.scenes)


def test_the_learning_rate_scenes_use_the_presets_of_their_data():
    scenes = {s.title: s for s in BUILTIN.scenes}
    data = state.Synthetic(offset=1.0).load()
    rates = gdviz.learning_rate_presets(data)
    for title, preset in (("Learning rate too small", "too small"), ("Learning rate just right", "just right"),
                          ("Learning rate too large: it oscillates", "oscillating"),
                          ("Learning rate far too large: it diverges", "diverging")):
        assert float(scenes[title].params["lr"]) == rates[preset]
    run = gdviz.descend(data, lr=rates["diverging"], steps=30, w0=-3, b0=4)
    assert run.diverged_at is not None
    compare = scenes["Momentum and Adam against plain descent"]
    values = state.decode({"cmp": [compare.params["cmp"]]})[0]
    assert values["compare_n"] == 2 and values["cmp_opt_1"] == "momentum" and values["cmp_opt_2"] == "adam"


def test_the_builtin_lesson_fits_in_a_link():
    assert lessons.fits_in_link(BUILTIN)
    assert len(lessons.lesson_to_link(BUILTIN)) <= lessons.MAX_LINK_CHARS


# ---- round trips ----
def test_the_builtin_lesson_survives_toml_json_and_link():
    assert lessons.read_lesson(lessons.lesson_to_toml(BUILTIN).encode(), "x.toml") == BUILTIN
    assert lessons.read_lesson(lessons.lesson_to_toml(BUILTIN).encode()) == BUILTIN  # told by its content
    assert lessons.read_lesson(lessons.lesson_to_json(BUILTIN).encode(), "x.json") == BUILTIN
    assert lessons.read_lesson(lessons.lesson_to_json(BUILTIN).encode()) == BUILTIN
    assert lessons.lesson_from_link(lessons.lesson_to_link(BUILTIN)) == BUILTIN
    parsed = tomllib.loads(lessons.lesson_to_toml(BUILTIN))  # plain TOML any reader takes
    assert parsed["title"] == BUILTIN.title and len(parsed["scenes"]) == 15
    assert json.loads(lessons.lesson_to_json(BUILTIN))["scenes"][0]["params"]["present"] == "1"


PLAIN = st.text(st.characters(categories=("L", "M", "N", "P", "S")) | st.sampled_from(' "\\\t#=[]{}'),
                min_size=0, max_size=60)
TITLES = PLAIN.map(lambda t: "T" + t)
PARAMS = st.fixed_dictionaries({}, optional={
    "lr": st.sampled_from(state.LEARNING_RATES).map(state.write_number),
    "opt": st.sampled_from(list(LABELS)),
    "steps": st.integers(1, 2000).map(str),
    "w0": st.floats(-1e6, 1e6, allow_nan=False).map(state.write_number),
    "b0": st.floats(-1e6, 1e6, allow_nan=False).map(state.write_number),
    "present": st.sampled_from(["0", "1"]),
    "std": st.sampled_from(["0", "1"]),
    "batch": st.sampled_from(list(state.BATCH)),
    "cam": st.tuples(*[st.floats(0.5, 3)] * 3).map(lambda eye: state.write_camera(eye)),
    "cmp": st.lists(st.tuples(st.sampled_from(list(LABELS)), st.sampled_from([0.01, 0.1, 0.5])), min_size=1,
                    max_size=3).map(lambda runs: ",".join(f"{n}:{r}" for n, r in runs)),
    "data": st.sampled_from(["synthetic", "cars", "trees"]),
    "offset": st.sampled_from(["0", "1", "4.5", "-10", "50"]),
})
SCENES = st.builds(Scene, title=TITLES, note=PLAIN, params=PARAMS, play=st.booleans())
LESSONS = st.builds(Lesson, title=TITLES, scenes=st.lists(SCENES, min_size=1, max_size=6).map(tuple))


@settings(max_examples=60, deadline=None)
@given(LESSONS)
def test_any_lesson_survives_toml_json_and_link(lesson):
    assert lessons.read_lesson(lessons.lesson_to_toml(lesson).encode(), "a.toml") == lesson
    assert lessons.read_lesson(lessons.lesson_to_json(lesson).encode(), "a.json") == lesson
    assert lessons.lesson_from_link(lessons.lesson_to_link(lesson)) == lesson
    text = lessons.lesson_to_link(lesson)
    assert "=" not in text and "+" not in text and "/" not in text


# ---- malformed files: one sentence naming the scene and the field ----
def toml_with(params: str, title: str = "Too small", extra: str = "") -> bytes:
    return (f'title = "My lesson"\n\n[[scenes]]\ntitle = "First"\n[scenes.params]\nlr = "0.1"\n\n'
            f'[[scenes]]\ntitle = "Second"\n\n'
            f'[[scenes]]\ntitle = "{title}"\n{extra}[scenes.params]\n{params}\n').encode()


@pytest.mark.parametrize("raw, words", [
    (toml_with('lr = "abc"'), "Scene 3 (“Too small”): the field “lr” is “abc”, not a number."),
    (toml_with('lr = "-1"'), "Scene 3 (“Too small”): the field “lr” is “-1”, not a valid learning rate."),
    (toml_with('opt = "lbfgs"'), "Scene 3 (“Too small”): the field “opt” is “lbfgs”, not a valid optimizer."),
    (toml_with('steps = "1e9"'), "Scene 3 (“Too small”): the field “steps” is “1e9”, not a valid steps"),
    (toml_with('speed = "9"'), "Scene 3 (“Too small”): the field “speed” is not a setting gdviz knows"),
    (toml_with('lr = [1, 2]'), "Scene 3 (“Too small”): the field “lr” must be text"),
    (toml_with('cam = "0,0,0"'), "Scene 3 (“Too small”): the field “cam” is “0,0,0”, not a valid 3-D camera"),
    (toml_with('features = "girth_in"'), "Scene 3 (“Too small”): the field “features” names columns"),
    (toml_with('data = "trees"\nfeatures = "colour"'), "Scene 3 (“Too small”): the field “features” is “colour”"),
    (toml_with('', extra='note = 3\n'), "Scene 3 (“Too small”): the field “note” must be text, not a number."),
    (toml_with('', extra='play = "yes"\n'), "Scene 3 (“Too small”): the field “play” must be true or false"),
    (toml_with('', extra='colour = "red"\n'), "Scene 3 (“Too small”): the field “colour” is not part of a scene"),
    (toml_with('', title="x" * 81), "Scene 3 (“" + "x" * 39 + "…”): the field “title” is 81 characters long"),
    (toml_with('', title="   "), "Scene 3: the field “title” is empty"),
    (toml_with('', extra=f'note = "{"n" * 301}"\n'), "the field “note” is 301 characters long; at most 300"),
    (b'[[scenes]]\ntitle = "A"\n', "The lesson has no title"),
    (b'title = "A"\n', "The lesson has no scenes"),
    (b'title = "A"\nscenes = 3\n', "the field “scenes” must be a list of scenes, not a number"),
    (b'title = "A"\n[[scenes]]\nnote = "x"\n', "Scene 1 has no title"),
    (b'title = "A"\n[[scenes]]\ntitle = "B"\n[[scenes]\n', "not valid TOML"),
    (b'title = "A"\n\ntitle = "B"\n', "not valid TOML"),
    (b'title = 3\n[[scenes]]\ntitle = "B"\n', "The lesson: the field “title” must be text, not a number."),
    (b'\xff\xfe title', "not UTF-8 text"),
    (b'gdviz_lesson = 7\ntitle = "A"\n', "of format 7"),
])
def test_a_malformed_toml_file_is_one_sentence(raw, words):
    with pytest.raises(LessonError) as caught:
        lessons.read_lesson(raw, "deck.toml")
    message = str(caught.value)
    assert words in message and message.endswith(".") and "\n" not in message
    assert "Traceback" not in message


def test_toml_and_json_syntax_errors_give_the_line():
    with pytest.raises(LessonError, match=r"not valid TOML: .* at line 4, column \d+\."):
        lessons.read_lesson(b'title = "A"\n\n[[scenes]]\ntitle = = "B"\n', "deck.toml")
    with pytest.raises(LessonError, match=r"not valid JSON: .* at line 3, column \d+\."):
        lessons.read_lesson(b'{\n  "title": "A",\n  "scenes": [,]\n}', "deck.json")


@pytest.mark.parametrize("document, words", [
    ({"title": "A", "scenes": [{"title": "B", "params": {"lr": "abc"}}]}, "Scene 1 (“B”): the field “lr” is “abc”"),
    ({"title": "A", "scenes": [{"title": "B"}, {"title": "C", "params": {"lr": None}}]},
     "Scene 2 (“C”): the field “lr” must be text"),
    ({"title": "A", "scenes": [{"title": "B"}, "C"]}, "Scene 2 must be a table"),
    ({"title": "A", "scenes": [{"title": "B", "params": [1]}]}, "Scene 1 (“B”): the field “params” must be a table"),
    ({"title": ["A"], "scenes": [{"title": "B"}]}, "The lesson: the field “title” must be text, not a list."),
    ({"title": "A", "scenes": [{"title": "B"}] * 61}, "61 scenes; at most 60"),
    ([1, 2], "not a list"),
])
def test_a_malformed_json_file_is_one_sentence(document, words):
    with pytest.raises(LessonError, match=None) as caught:
        lessons.read_lesson(json.dumps(document).encode(), "deck.json")
    assert words in str(caught.value)


def test_numbers_and_booleans_written_by_hand_are_read_as_a_link_carries_them():
    lesson = lessons.read_lesson(b'title = "A"\n[[scenes]]\ntitle = "B"\n[scenes.params]\nlr = 0.05\nsteps = 300\n'
                                 b'present = true\nstep = "12"\n')
    assert lesson.scenes[0].params == {"lr": "0.05", "steps": "300", "present": "1"}  # the step is dropped


def test_a_file_too_big_is_refused_unread():
    with pytest.raises(LessonError, match="at most 200 kB"):
        lessons.read_lesson(b" " * 200_001, "deck.toml")


def test_a_damaged_link_is_a_sentence():
    good = lessons.lesson_to_link(BUILTIN)
    for bad in ("", "abc!", good[:-40], "A" * 7000, "notbuiltin", good[:10]):
        with pytest.raises(LessonError):
            lessons.lesson_from_link(bad)
    bomb = base64.urlsafe_b64encode(zlib.compress(b"{" + b" " * 1_000_000, 9)).decode().rstrip("=")
    with pytest.raises(LessonError, match="more than 200 kB"):
        lessons.lesson_from_link(bomb)
    other = base64.urlsafe_b64encode(zlib.compress(b'{"title": 5}', 9)).decode().rstrip("=")
    with pytest.raises(LessonError, match="the field “title” must be text"):
        lessons.lesson_from_link(other)


def test_a_lesson_too_long_for_a_link_says_so():
    noise = ["".join(hashlib.sha256(f"{i}-{j}".encode()).hexdigest() for j in range(4)) for i in range(60)]
    scenes = tuple(Scene(f"Scene {i}", noise[i], {"lr": "0.1"}) for i in range(60))  # notes that do not compress
    lesson = Lesson("Long", scenes)
    assert not lessons.fits_in_link(lesson)
    assert lessons.read_lesson(lessons.lesson_to_toml(lesson).encode()) == lesson  # the file carries it


# ---- scenes and edits ----
def test_a_scene_drops_the_step_and_the_lesson_and_is_hashable():
    scene = Scene("A", "", {"lr": "0.1", "step": "40", "lesson": "builtin", "scene": "3"})
    assert scene.params == {"lr": "0.1"} and hash(scene) == hash(Scene("A", "", {"lr": "0.1"}))
    assert lessons.page_params(scene) == {"lr": ["0.1"], "step": ["0"]}


def test_a_bad_scene_or_lesson_cannot_be_made():
    with pytest.raises(LessonError, match="The scene “A”: the field “lr” is “x”, not a number."):
        Scene("A", "", {"lr": "x"})
    with pytest.raises(LessonError, match="one line"):
        Scene("A", "two\nlines")
    with pytest.raises(LessonError, match="no scenes"):
        Lesson("Empty", ())
    with pytest.raises(LessonError, match="at most 60"):
        Lesson("Big", (Scene("A"),) * 61)


def test_deck_edits_return_new_lessons():
    a, b, c = Scene("A"), Scene("B", params={"lr": "0.2"}), Scene("C", play=True)
    lesson = Lesson("Deck", (a,))
    lesson = lessons.add_scene(lesson, b)
    lesson = lessons.add_scene(lesson, c, at=0)
    assert [s.title for s in lesson.scenes] == ["C", "A", "B"]
    assert [s.title for s in lessons.move_scene(lesson, 0, 2).scenes] == ["A", "B", "C"]
    assert [s.title for s in lessons.move_scene(lesson, 2, 0).scenes] == ["B", "C", "A"]
    assert [s.title for s in lessons.delete_scene(lesson, 1).scenes] == ["C", "B"]
    assert [s.title for s in lesson.scenes] == ["C", "A", "B"]  # the original is untouched
    with pytest.raises(LessonError, match="no scene 4"):
        lessons.delete_scene(lesson, 3)
    with pytest.raises(LessonError, match="at least one scene"):
        lessons.delete_scene(Lesson("One", (a,)), 0)
    with pytest.raises(LessonError, match="at most 60"):
        lessons.add_scene(Lesson("Full", (a,) * 60), b)
    assert lessons.retitle(lesson, "New").title == "New"
