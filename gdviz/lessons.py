"""Lessons: a lecture as an ordered list of scenes, each a whole page state (what a link carries).

A ``Scene`` is a short title, a one-line note for the lecturer (what to point at), the link
parameters of the page state ({name: text}, exactly as a link carries them, camera ``cam``
included) and whether it starts playing by itself: a difference from the page's defaults, which
gdviz.pipeline.scene_state turns into the whole state (adding the settings its data opens on); it may
carry a multiple-choice question for a class (``Scene.question``, checked by
gdviz.classroom.choice_question; the lecturer's class bar offers to ask it). A
scene always opens at step 0, so a ``step`` parameter is dropped, as are the page's own ``lesson``
and ``scene``. A ``Lesson`` is a title and its scenes. Both check themselves when made, with the
link's own codec (``PageState.from_link``): a bad parameter is the sentence the same value in a
link gives, after the scene's number and title, so a lesson that exists can always be shown.

Files: ``lesson_to_toml`` / ``lesson_to_json`` write a small readable file, ``read_lesson`` reads
either back; a link carries a whole lesson as ``lesson_to_link`` (zlib + base64url) or the built-in
one as ``lesson=builtin``. Anything wrong is a ``LessonError`` whose message is one plain sentence
naming the scene (number and title) and the field. The built-in lesson is the file
``lessons_builtin.toml`` beside this module (its top says how its learning rates were chosen;
tests/test_lessons.py runs every note against its scene's run). Nothing here imports Streamlit.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import re
import sys
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import data as gdata
from . import state
from .classroom import ClassError, Question, choice_question

FORMAT_VERSION = 1
MAX_SCENES = 60
MAX_TITLE = 80
MAX_NOTE = 300
MAX_PARAMS = 40  # parameters in one scene (the page has about 30)
MAX_VALUE = 200  # characters in one parameter's value
MAX_FILE_BYTES = 200_000  # a lesson file larger than this is refused unread
MAX_LINK_CHARS = 6000  # a lesson longer than this in a link travels as a file instead
MAX_INT_BITS = 1000  # a whole number written by hand (about 300 digits; no setting needs more than 20)
BUILTIN_NAME = "builtin"  # lesson=builtin in a link: the built-in lesson
LESSON_PARAM, SCENE_PARAM = state.LESSON, state.SCENE  # the page's link parameters: the lesson, its scene (1-based)
DROPPED = (state.STEP, LESSON_PARAM, SCENE_PARAM)  # never part of a scene: it opens at step 0
BUILTIN_FILE = Path(__file__).with_name("lessons_builtin.toml")  # the built-in lesson, shipped in the package


class LessonError(ValueError):
    """A lesson (file, link or edit) that cannot be used; the message is one plain sentence."""


# ---- scenes and lessons ----
def _text(value, limit: int, where: str, field: str, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise LessonError(f"{where}: the field “{field}” must be text, not {_kind(value)}.")
    if not empty and not value.strip():
        raise LessonError(f"{where}: the field “{field}” is empty; give it a few words.")
    if len(value) > limit:
        raise LessonError(f"{where}: the field “{field}” is {len(value)} characters long; at most {limit} fit.")
    if any(c in value for c in "\r\n\x00") or not all(c.isprintable() or c == "\t" for c in value):
        raise LessonError(f"{where}: the field “{field}” must be one line of plain text.")
    return value


def _kind(value) -> str:
    """What a value from a file is, in words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float, _HugeNumber)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if value is None:
        return "empty (null)"
    return "text" if isinstance(value, str) else type(value).__name__


def _shown(text: str, limit: int = 40) -> str:
    return gdata.shown(text, limit)


# The consequence a link's note ends with: a scene is refused instead, so its sentence stops before it.
_CONSEQUENCE = re.compile(r"; (using the default|ignored|using its own|using the last \(.*\))\.$")


def _sentence(note: str) -> str:
    """A note of the link codec (state.decode, PageState.from_link) as the problem alone: "“lr=abc”
    is not a valid learning rate." (a scene with it cannot be used, so no "using the default")."""
    text = _CONSEQUENCE.sub(".", note)
    return text[:1].lower() + text[1:] if text[:2].istitle() else text


def check_params(params, where: str) -> dict[str, str]:
    """The scene's link parameters as {name: text}, checked by the link's own codec
    (PageState.from_link): a bad one raises the sentence the same value in a link gives, after
    ``where`` (the scene's number and title), e.g. Scene 3 (“Too small”): “lr=abc” is not a valid
    learning rate."""
    if not isinstance(params, dict):
        raise LessonError(f"{where}: the field “params” must be a table of link parameters, not {_kind(params)}.")
    if len(params) > MAX_PARAMS:
        raise LessonError(f"{where}: {len(params)} parameters is more than a page has (at most {MAX_PARAMS}).")
    checked: dict[str, str] = {}
    for name, value in params.items():
        if not isinstance(name, str) or name in DROPPED:
            continue
        if not isinstance(value, str):
            raise LessonError(f"{where}: the field “{_shown(name)}” must be text in quotes, as a link carries it, "
                              f"not {_kind(value)}.")
        if len(value) > MAX_VALUE:
            raise LessonError(f"{where}: the field “{_shown(name)}” is {len(value)} characters long; at most "
                              f"{MAX_VALUE} fit.")
        checked[name] = value
    _, notes = state.PageState.from_link({name: [value] for name, value in checked.items()})
    if notes:
        raise LessonError(f"{where}: {_sentence(notes[0])}")
    return checked


def _where(number: int, title) -> str:
    if isinstance(title, str) and title.strip():
        return f"Scene {number} (“{_shown(title)}”)"
    return f"Scene {number}"


@dataclass(frozen=True)
class Scene:
    """One prepared moment: ``title`` (at most 80 characters), ``note`` (one line for the lecturer,
    at most 300), ``params`` (the page state as link parameters {name: text}, camera included; a
    ``step``, ``lesson`` or ``scene`` is dropped: a scene opens at step 0), ``play`` (start
    playing by itself) and ``question``: None, or a multiple-choice question the lecturer may ask
    the class on this scene ({text, options, answer?} or a classroom.Question, checked by
    classroom.choice_question; ``answer`` is the right option's index, 0 for the first). Raises
    LessonError if any of it cannot be used.

    >>> Scene("The update rule", "Point at the path.", {"lr": "0.3", "step": "9"}).params
    {'lr': '0.3'}
    """

    title: str
    note: str = ""
    params: dict = None  # type: ignore[assignment]
    play: bool = False
    question: Question | None = None

    def __post_init__(self) -> None:
        self.check(0)

    def check(self, number: int) -> None:
        """Check the scene as scene ``number`` of a lesson (0: on its own); drop what it never carries."""
        where = _where(number, self.title) if number else (f"The scene “{_shown(self.title)}”"
                                                           if isinstance(self.title, str) else "The scene")
        _text(self.title, MAX_TITLE, where, "title")
        _text(self.note, MAX_NOTE, where, "note", empty=True)
        if not isinstance(self.play, bool):
            raise LessonError(f"{where}: the field “play” must be true or false, not {_kind(self.play)}.")
        object.__setattr__(self, "params", check_params({} if self.params is None else self.params, where))
        object.__setattr__(self, "question", check_question(self.question, where))

    def __hash__(self) -> int:  # params is a dict: hash its items
        return hash((self.title, self.note, tuple(sorted(self.params.items())), self.play, self.question))


QUESTION_FIELDS = ("text", "options", "answer")


def check_question(question, where: str) -> Question | None:
    """A scene's multiple-choice question as classroom.choice_question makes it (None: none):
    ``question`` is {text, options, answer?} as a file carries it, or a Question of kind "choice";
    a bad one raises the classroom's sentence after ``where`` (the scene's number and title)."""
    if question is None:
        return None
    if isinstance(question, Question) and question.kind == "choice":
        question = {"text": question.text, "options": list(question.options), "answer": question.answer}
    if not isinstance(question, dict):
        raise LessonError(f"{where}: the field “question” must be a table with text, options and answer, "
                          f"not {_kind(question)}.")
    unknown = [key for key in question if key not in QUESTION_FIELDS]
    if unknown:
        raise LessonError(f"{where}: the field “question” has “{_shown(str(unknown[0]))}”, which is not part of a "
                          "question (a question has text, options and answer).")
    try:
        return choice_question(question.get("text"), question.get("options"), question.get("answer"))
    except ClassError as error:
        sentence = str(error)
        raise LessonError(f"{where}: in the field “question”, {sentence[:1].lower()}{sentence[1:]}") from None


def question_fields(question: Question) -> dict:
    """A scene's question as a lesson file writes it: text, options and (if given) answer."""
    fields = {"text": question.text, "options": list(question.options)}
    return fields if question.answer is None else {**fields, "answer": question.answer}


@dataclass(frozen=True)
class Lesson:
    """A title (at most 80 characters) and 1 to 60 scenes, in the order they are shown."""

    title: str
    scenes: tuple = ()

    def __post_init__(self) -> None:
        _text(self.title, MAX_TITLE, "The lesson", "title")
        scenes = tuple(self.scenes) if isinstance(self.scenes, (list, tuple)) else None
        if scenes is None or not all(isinstance(s, Scene) for s in scenes):
            raise LessonError("The lesson's scenes must be a list of scenes.")
        if not scenes:
            raise LessonError("The lesson has no scenes; a lesson needs at least one.")
        if len(scenes) > MAX_SCENES:
            raise LessonError(f"The lesson has {len(scenes)} scenes; at most {MAX_SCENES} fit in one lesson.")
        object.__setattr__(self, "scenes", scenes)


def page_params(scene: Scene) -> dict[str, list[str]]:
    """The scene's parameters as the page reads a link ({name: [text]}, for PageState.from_link),
    with step 0, as a scene opens there."""
    return {**{name: [value] for name, value in scene.params.items()}, state.STEP: ["0"]}


# ---- deck edits (indices from 0; each returns a new Lesson) ----
def _index(lesson: Lesson, i: int, *, end: bool = False) -> int:
    top = len(lesson.scenes) + (1 if end else 0)
    if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < top:
        raise LessonError(f"There is no scene {i + 1 if isinstance(i, int) else i!r} in a lesson of "
                          f"{len(lesson.scenes)} scenes.")
    return i


def add_scene(lesson: Lesson, scene: Scene, at: int | None = None) -> Lesson:
    """The lesson with ``scene`` inserted before index ``at`` (0-based; None: at the end)."""
    at = len(lesson.scenes) if at is None else _index(lesson, at, end=True)
    return Lesson(lesson.title, lesson.scenes[:at] + (scene,) + lesson.scenes[at:])


def move_scene(lesson: Lesson, i: int, j: int) -> Lesson:
    """The lesson with the scene at index ``i`` moved to index ``j`` (both 0-based)."""
    scenes = list(lesson.scenes)
    scene = scenes.pop(_index(lesson, i))
    scenes.insert(_index(lesson, j), scene)
    return Lesson(lesson.title, tuple(scenes))


def delete_scene(lesson: Lesson, i: int) -> Lesson:
    """The lesson without the scene at index ``i`` (0-based). A lesson keeps at least one scene."""
    i = _index(lesson, i)
    if len(lesson.scenes) == 1:
        raise LessonError("A lesson needs at least one scene, so its last scene cannot be deleted.")
    return Lesson(lesson.title, lesson.scenes[:i] + lesson.scenes[i + 1:])


def edit_deck(lesson: Lesson, shown: int, action: str, i: int) -> tuple[Lesson | None, int | None]:
    """(the lesson, the scene shown, 1-based) after moving scene i (0-based) "up" or "down" or
    "delete"-ing it, while scene ``shown`` (1-based) was on screen: the screen keeps its scene where
    it can. Deleting the last scene closes the lesson: (None, None).

    >>> deck = Lesson("L", (Scene("a"), Scene("b"), Scene("c")))
    >>> moved, shown = edit_deck(deck, 1, "down", 0)
    >>> [s.title for s in moved.scenes], shown
    (['b', 'a', 'c'], 2)
    """
    if action == "delete":
        if len(lesson.scenes) == 1:
            return None, None
        return delete_scene(lesson, i), min(shown - 1 - (i < shown - 1), len(lesson.scenes) - 2) + 1
    j = i - 1 if action == "up" else i + 1
    return move_scene(lesson, i, j), {i: j, j: i}.get(shown - 1, shown - 1) + 1


def with_view(lesson: Lesson | None, shown: int, params: dict, title: str, note: str, play: bool
              ) -> tuple[Lesson, int]:
    """(the lesson, the scene to show) after the view on screen (its link parameters ``params``)
    becomes a scene after scene ``shown``; a new lesson "My lesson" when there is none. An empty
    title is "Scene k"."""
    at = shown if lesson else 0
    scene = Scene(title.strip() or f"Scene {len(lesson.scenes) + 1 if lesson else 1}", note.strip(), params, play)
    return (add_scene(lesson, scene, at=at) if lesson else Lesson("My lesson", (scene,))), at + 1


def retitle(lesson: Lesson, title: str) -> Lesson:
    """The lesson under a new title."""
    return Lesson(title, lesson.scenes)


# ---- files ----
def _as_dict(lesson: Lesson) -> dict:
    return {"gdviz_lesson": FORMAT_VERSION, "title": lesson.title,
            "scenes": [{"title": s.title, "note": s.note, "play": s.play, "params": dict(s.params),
                        **({"question": question_fields(s.question)} if s.question else {})}
                       for s in lesson.scenes]}


def lesson_to_json(lesson: Lesson) -> str:
    """The lesson as a readable JSON file (see README, "Lessons: the file format")."""
    return json.dumps(_as_dict(lesson), ensure_ascii=False, indent=2) + "\n"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for c in text:
        if c in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def lesson_to_toml(lesson: Lesson) -> str:
    """The lesson as a readable TOML file: a title, then one [[scenes]] table per scene with its
    title, note, play, a [scenes.params] table of link parameters (every value a string) and, if the
    scene has one, a [scenes.question] table (text, options, answer)."""
    lines = [f"# A gdviz lesson: {len(lesson.scenes)} scenes. Each scene's params are link parameters.",
             f"gdviz_lesson = {FORMAT_VERSION}", f"title = {_toml_string(lesson.title)}"]
    for scene in lesson.scenes:
        lines += ["", "[[scenes]]", f"title = {_toml_string(scene.title)}", f"note = {_toml_string(scene.note)}",
                  f"play = {'true' if scene.play else 'false'}", "[scenes.params]"]
        lines += [f"{_toml_key(name)} = {_toml_string(value)}" for name, value in scene.params.items()]
        if scene.question:
            lines += ["[scenes.question]", f"text = {_toml_string(scene.question.text)}",
                      f"options = [{', '.join(map(_toml_string, scene.question.options))}]"]
            lines += [] if scene.question.answer is None else [f"answer = {scene.question.answer}"]
    return "\n".join(lines) + "\n"


def _link_text(value):
    """A parameter written as a TOML/JSON number or true/false by hand, as a link would carry it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _HugeNumber):
        raise OverflowError(value)
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:  # str() of it raises (Python's 4,300-digit limit)
            raise OverflowError(value.bit_length())
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return state.write_number(value)
    return value


def from_dict(raw) -> Lesson:
    """A Lesson from the parsed file (a dict), every problem a LessonError naming scene and field."""
    if not isinstance(raw, dict):
        raise LessonError(f"A lesson file holds a title and a list of scenes, not {_kind(raw)}.")
    version = raw.get("gdviz_lesson", FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        said = _shown(str(version)) if isinstance(version, (str, float)) or (
            isinstance(version, int) and version.bit_length() <= MAX_INT_BITS) else _kind(version)
        raise LessonError(f"This lesson file is of format {said}; this gdviz reads format {FORMAT_VERSION}.")
    if "title" not in raw:
        raise LessonError('The lesson has no title: add a line such as title = "My lesson" at the top.')
    unknown = [key for key in raw if key not in ("gdviz_lesson", "title", "scenes")]
    if unknown:
        raise LessonError(f"The lesson has a field “{_shown(str(unknown[0]))}” gdviz does not know (a lesson has "
                          "title and scenes).")
    title = _text(raw["title"], MAX_TITLE, "The lesson", "title")
    scenes = raw.get("scenes")
    if scenes is None:
        raise LessonError("The lesson has no scenes: add one [[scenes]] table (TOML) or a \"scenes\" list (JSON) "
                          "per scene.")
    if not isinstance(scenes, list):
        raise LessonError(f"The lesson: the field “scenes” must be a list of scenes, not {_kind(scenes)}.")
    if len(scenes) > MAX_SCENES:
        raise LessonError(f"The lesson has {len(scenes)} scenes; at most {MAX_SCENES} fit in one lesson.")
    made = []
    for number, item in enumerate(scenes, start=1):
        if not isinstance(item, dict):
            raise LessonError(f"Scene {number} must be a table with a title, a note and params, not {_kind(item)}.")
        where = _where(number, item.get("title"))
        unknown = [key for key in item if key not in ("title", "note", "play", "params", "question")]
        if unknown:
            raise LessonError(f"{where}: the field “{_shown(str(unknown[0]))}” is not part of a scene (a scene has "
                              "title, note, play, params and question).")
        if "title" not in item:
            raise LessonError(f"{where} has no title.")
        params = item.get("params", {})
        if isinstance(params, dict):
            try:
                params = {name: _link_text(value) for name, value in params.items()}
            except OverflowError:
                name = next(n for n, v in params.items() if isinstance(v, _HugeNumber) or (
                    isinstance(v, int) and v.bit_length() > MAX_INT_BITS))
                raise LessonError(f"{where}: the field “{_shown(str(name))}” is a number of hundreds of digits; no "
                                  "setting needs more than a few.") from None
        scene = Scene.__new__(Scene)  # checked below with its number, so the sentence names it
        for name, value in (("title", item["title"]), ("note", item.get("note", "")), ("params", params),
                            ("play", item.get("play", False)), ("question", item.get("question"))):
            object.__setattr__(scene, name, value)
        scene.check(number)
        made.append(scene)
    return Lesson(title, tuple(made))


_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_lesson(raw: bytes, filename: str = "") -> Lesson:
    """A Lesson from a TOML or JSON file's bytes (JSON if the name ends in .json or the text starts
    with "{", else TOML). Raises LessonError with one plain sentence on anything wrong."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_FILE_BYTES:
        raise LessonError(f"The lesson file is {len(raw) / 1000:.0f} kB; a lesson file is at most "
                          f"{MAX_FILE_BYTES // 1000} kB (60 scenes fit in a few).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise LessonError(f"The lesson file is not UTF-8 text (line {line}); save it as UTF-8.") from None
    name = filename.lower()
    as_json = name.endswith(".json") or (not name.endswith(".toml") and text.lstrip().startswith("{"))
    if as_json:
        try:
            parsed = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_whole_number)
        except json.JSONDecodeError as error:
            raise LessonError(f"The lesson file is not valid JSON: {error.msg.lower()} at line {error.lineno}, "
                              f"column {error.colno}.") from None
        except RecursionError:
            raise LessonError("The lesson file is not valid JSON: it is nested too deeply.") from None
        except _Duplicate as error:
            raise LessonError(f"The lesson file names the field “{_shown(error.args[0])}” twice in one table; "
                              "keep one.") from None
        except ValueError:  # Python's limit on the digits of a whole number (4,300)
            raise LessonError(f"The lesson file has a number of more than {sys.get_int_max_str_digits():,} digits; "
                              "no setting needs more than a few.") from None
    else:
        try:
            parsed = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            found = _TOML_WHERE.search(message)
            what = _TOML_WHERE.sub("", message).strip().rstrip(".")
            at = f" at line {found.group(1)}, column {found.group(2)}" if found else ""
            raise LessonError(f"The lesson file is not valid TOML: {what[:1].lower() + what[1:]}{at}.") from None
        except RecursionError:
            raise LessonError("The lesson file is not valid TOML: it is nested too deeply.") from None
        except ValueError:  # Python's limit on the digits of a whole number (4,300)
            raise LessonError(_too_many_digits(text)) from None
    return from_dict(parsed)


def _too_many_digits(text: str) -> str:
    """The sentence for a TOML number longer than int() takes: its line, and its scene and field
    when the line is ``name = 123…`` (tomllib raises before anything is read, so the text is searched)."""
    limit = sys.get_int_max_str_digits()
    long = re.search(r"\d[\d_]{%d,}" % limit, text)
    if not long:
        return f"The lesson file has a number of more than {limit:,} digits; no setting needs more than a few."
    before = text[:long.start()]
    line = before.count("\n") + 1
    key = re.fullmatch(r"\s*([A-Za-z0-9_-]+|\"[^\"\n]{1,40}\")\s*=\s*[+-]?", before[before.rfind("\n") + 1:])
    scenes = len(re.findall(r"^\s*\[\[\s*scenes\s*\]\]", before, re.M))
    if not key:
        return (f"The lesson file has a number of more than {limit:,} digits at line {line}; no setting needs more "
                "than a few.")
    where = f"Scene {scenes}" if scenes else "The lesson"
    return (f"{where}: the field “{_shown(key.group(1).strip(chr(34)))}” is a number of more than {limit:,} digits "
            f"(line {line}); no setting needs more than a few.")


class _HugeNumber:
    """A whole number in a JSON file too long for int() (Python's 4,300-digit limit): refused where
    it stands, so the sentence names its scene and field."""

    def __init__(self, digits: str) -> None:
        self.digits = len(digits)


def _whole_number(text: str):
    return int(text) if len(text) <= 1000 else _HugeNumber(text)


class _Duplicate(Exception):
    """A JSON object that names a key twice (json.loads would keep the last silently)."""


def _no_duplicates(pairs: list) -> dict:
    table = dict(pairs)
    if len(table) != len(pairs):
        seen = set()
        raise _Duplicate(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return table


# ---- a whole lesson in a link ----
def lesson_to_link(lesson: Lesson) -> str:
    """The lesson as one link parameter's value: compact JSON, zlib (level 9), base64url without padding."""
    packed = json.dumps(_as_dict(lesson), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(packed, 9)).decode("ascii").rstrip("=")


def lesson_params(lesson: Lesson, scene: int) -> dict[str, str]:
    """``lesson`` and ``scene`` for a page's link: "builtin", or the lesson compressed if it fits
    (none if it does not: share the file)."""
    if lesson == builtin_lesson():
        text = BUILTIN_NAME
    elif fits_in_link(lesson):
        text = lesson_to_link(lesson)
    else:
        return {}
    return {LESSON_PARAM: text, SCENE_PARAM: str(scene)}


def fits_in_link(lesson: Lesson) -> bool:
    """Whether the lesson is short enough to travel in a link (else: share the file)."""
    return len(lesson_to_link(lesson)) <= MAX_LINK_CHARS


def lesson_from_link(text: str) -> Lesson:
    """The lesson a link's ``lesson`` parameter carries: ``builtin`` or lesson_to_link's text."""
    text = str(text).strip()
    if text == BUILTIN_NAME:
        return builtin_lesson()
    if len(text) > MAX_LINK_CHARS:
        raise LessonError(f"The lesson in the link is {len(text)} characters long; at most {MAX_LINK_CHARS} fit.")
    if not text or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise LessonError("The lesson in the link is damaged: it is neither “builtin” nor a lesson gdviz wrote.")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(packed, MAX_FILE_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise LessonError("The lesson in the link is damaged (cut short or mistyped); ask for the link again or "
                          "for the lesson file.") from None
    if len(raw) > MAX_FILE_BYTES or unpacker.unconsumed_tail:
        raise LessonError(f"The lesson in the link unpacks to more than {MAX_FILE_BYTES // 1000} kB; it is not one "
                          "gdviz wrote.")
    if not unpacker.eof:
        raise LessonError("The lesson in the link is damaged (cut short); ask for the link again or for the "
                          "lesson file.")
    if unpacker.unused_data:
        raise LessonError(f"The lesson in the link has {len(unpacker.unused_data)} bytes after its end; it is not "
                          "one gdviz wrote (ask for the link again or for the lesson file).")
    return read_lesson(raw, "link.json")


# ---- the built-in lesson ----
@functools.lru_cache(maxsize=1)
def builtin_lesson() -> Lesson:
    """The built-in lesson (BUILTIN_FILE), following the lecture notes: the update rule on a round
    bowl, the gradient's shape, each example's pull, the four learning rates, the long thin valley
    and standardisation, momentum and Adam, mini-batches and SGD, real data."""
    return read_lesson(BUILTIN_FILE.read_bytes(), BUILTIN_FILE.name)


def __getattr__(name: str):
    """``lessons.BUILTIN``: the built-in lesson, made on first use."""
    if name == "BUILTIN":
        return builtin_lesson()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
