"""The page's side of a class (issue 22), as plain functions of the session's values: app.py calls
them at four places (the link read once, what the views sent, the views' spec, the address); the
class's buttons (Start a class, End class, Explore on my own, Leave class) and its code, link and QR
code are the views' class bar, gdviz/web/frontend/class.js.

The session keeps ``class_code`` (the room this page belongs to: the lecturer's, or the one a
student's link named) and, on the lecturer's page only, ``class_token`` (the key that drives the
room). A student's link is ``?class=CODE``; the lecturer's own is ``?class=CODE#key=TOKEN`` (what
follows ``#`` never reaches a server, so no log holds the key).
"""
from __future__ import annotations

import os
from collections.abc import Callable, MutableMapping

from .classroom import CLASS_PARAM, ClassError, checked_link, room_link, students_link
from .classroom_routes import default_classroom
from .classroom_store import Classroom
from .lessons import question_fields
from .state import UPLOAD, PageState

SHARED_DATA_ONLY = ("An uploaded file stays on this computer: the class sees the synthetic data. A class shares "
                    "sample or synthetic data only.")


def join(session: MutableMapping, params: dict[str, list[str]], classroom: Classroom | None = None) -> dict:
    """A page opened from a link: the parameters the page opens. With ``?class=CODE`` of an open room
    the session keeps the room's code and the page opens on the room's settings (what the lecturer
    shows now); a code that names no open room leaves a sentence (``class_note``, shown in the views'
    class bar) and the page opens as usual.

    >>> from gdviz.classroom_store import MemoryStore
    >>> room, _ = (c := Classroom(MemoryStore())).start({"lr": "0.3"})
    >>> session = {}
    >>> join(session, {"class": [room.code.lower()], "lr": ["0.1"]}, c), session == {"class_code": room.code}
    ({'lr': ['0.3']}, True)
    >>> join(session := {}, {"class": ["ZZZ-ZZZ"], "lr": ["0.1"]}, c), session
    ({'lr': ['0.1']}, {'class_note': 'There is no class with the code ZZZZZZ; check the code on the projector.'})
    """
    rest = {name: texts for name, texts in params.items() if name != CLASS_PARAM}
    texts = params.get(CLASS_PARAM) or []
    if not texts:
        return rest
    try:
        room = (classroom or default_classroom()).view(texts[-1])
    except ClassError as error:
        session["class_note"] = str(error)
        return rest
    session["class_code"] = room["code"]
    return {name: [value] for name, value in room["view"]["link"].items()}


def start(session: MutableMapping, classroom: Classroom, state: PageState) -> None:
    """Start a class: a room showing ``state`` (the same room again for this session's key: one room
    per lecturer), its code and key kept in the session; a refusal is kept as a sentence."""
    try:
        room, token = classroom.start(room_link(state), token=session.get("class_token"))
    except ClassError as error:
        session["class_note"] = str(error)
        return
    session["class_code"], session["class_token"] = room.code, token
    if state.source == UPLOAD:
        session["class_note"] = SHARED_DATA_ONLY


def end(session: MutableMapping, classroom: Classroom) -> None:
    """End the class: the room closes on every page; this page is on its own again."""
    code, token = session.pop("class_code", None), session.pop("class_token", None)
    if code and token:
        try:
            classroom.end(code, token)
        except ClassError:  # already ended, or closed after 4 idle hours: nothing left to close
            pass


def from_views(session: MutableMapping, value, apply_state: Callable[[PageState], None],
               classroom: Classroom | None = None) -> None:
    """What the views' class bar sent (class.js): ``{"class": "start"}`` (a room showing the state on
    screen, ``session["shown"]``), ``{"class": "end"}``, ``{"class": "leave"}`` (a student's page stops
    following), or ``{"follow": link}`` (a following student's page takes the lecturer's new scene:
    ``apply_state`` of the room's link, read by the codec). Anything else: nothing."""
    if not isinstance(value, dict):
        return
    action, classroom = value.get("class"), classroom or default_classroom()
    if action == "start" and not session.get("class_code"):
        start(session, classroom, session.get("shown") or PageState())
    elif action == "end":
        end(session, classroom)
    elif action == "leave":
        session.pop("class_code", None)
    elif (state := followed(value)) is not None and session.get("class_code") and not session.get("class_token"):
        apply_state(state)


def spec(session: MutableMapping, state: PageState) -> dict:
    """The part of the views' spec a class adds: ``{"class": {code, role, link, students?, token?,
    question?, note?}}`` (the key and the scene's question on the lecturer's page only; ``link`` is
    the room's form of what this page shows; ``students`` the students' link when GDVIZ_PUBLIC_URL
    names the hall's address; ``question`` what the class bar's "Ask" button sends the room), or
    ``{"class": {"note": …}}`` with no class, or {}."""
    code, note = session.get("class_code"), session.pop("class_note", None)
    if not code:
        return {"class": {"note": note}} if note else {}
    shown = {"code": code, "role": "lecturer" if session.get("class_token") else "student", "link": room_link(state)}
    public = os.environ.get("GDVIZ_PUBLIC_URL", "").strip()
    if public:
        shown["students"] = students_link(public, code)
    if session.get("class_token"):
        shown["token"] = session["class_token"]
        if question := scene_question(session):
            shown["question"] = question
    if note:
        shown["note"] = note
    return {"class": shown}


def scene_question(session: MutableMapping) -> dict | None:
    """The multiple-choice question of the lesson's scene on screen (lessons.Scene.question) as the
    room's question route takes it ({text, options, answer?}), or None (no lesson, or no question).

    >>> from gdviz.lessons import builtin_lesson
    >>> scene_question({"lesson": builtin_lesson(), "scene": 8})["answer"], scene_question({"scene": 8})
    (2, None)
    """
    lesson, k = session.get("lesson"), session.get("scene", 1)
    if lesson is None or not 1 <= k <= len(lesson.scenes) or lesson.scenes[k - 1].question is None:
        return None
    return question_fields(lesson.scenes[k - 1].question)


def link_params(session: MutableMapping) -> dict[str, str]:
    """What a student's address keeps of a class: ``{"class": CODE}`` (a reload stays in the room).
    The lecturer's address keeps nothing: reloaded, it is the lecturer's page again, not a student's.

    >>> link_params({"class_code": "ABC234"}), link_params({"class_code": "ABC234", "class_token": "k"})
    ({'class': 'ABC234'}, {})
    """
    code = session.get("class_code")
    return {CLASS_PARAM: code} if code and not session.get("class_token") else {}


def followed(value) -> PageState | None:
    """The state a following student's page takes when the lecturer's scene changed: the views send
    ``{"follow": {name: value, ...}, "click": n}`` (the room's link); None for anything else or a link
    the codec cannot read whole."""
    link = value.get("follow") if isinstance(value, dict) else None
    if not isinstance(link, dict):
        return None
    try:
        checked = checked_link(link)
    except ClassError:
        return None
    state, _ = PageState.from_link({name: [text] for name, text in checked.items()})
    return state
