"""The page's side of a class (issue 22), as plain functions of the session's values: app.py draws
the sidebar's "Class" expander and calls these; the browser's side is gdviz/web/frontend/class.js.

The session keeps ``class_code`` (the room this page belongs to: the lecturer's, or the one a
student's link named) and, on the lecturer's page only, ``class_token`` (the key that drives the
room). A student's link is ``?class=CODE``; the lecturer's own is ``?class=CODE#key=TOKEN`` (what
follows ``#`` never reaches a server, so no log holds the key).
"""
from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from functools import partial
from urllib.parse import urlsplit

from .classroom import CLASS_PARAM, ClassError, checked_link, room_link, students_link
from .classroom_store import Classroom
from .state import UPLOAD, PageState

SAFE_URL = re.compile(r"https?://[A-Za-z0-9.:\[\]_-]+(/[A-Za-z0-9._~/-]*)?")  # a base that markdown shows as it is
SHARED_DATA_ONLY = ("An uploaded file stays on this computer: the class sees the synthetic data. A class shares "
                    "sample or synthetic data only.")


def join(session: MutableMapping, classroom: Classroom, params: dict[str, list[str]]) -> tuple[dict, list[str]]:
    """A page opened from a link: (the parameters the page opens, sentences). With ``?class=CODE`` of
    an open room the session keeps the room's code and the page opens on the room's settings (what
    the lecturer shows now); a code that names no open room is a sentence and the page opens as usual.

    >>> from gdviz.classroom_store import MemoryStore
    >>> room, _ = (c := Classroom(MemoryStore())).start({"lr": "0.3"})
    >>> session = {}
    >>> join(session, c, {"class": [room.code.lower()], "lr": ["0.1"]}), session == {"class_code": room.code}
    (({'lr': ['0.3']}, []), True)
    >>> join({}, c, {"class": ["ZZZZZZ"], "lr": ["0.1"]})
    ({'lr': ['0.1']}, ['There is no class with the code ZZZZZZ; check the code on the projector.'])
    """
    rest = {name: texts for name, texts in params.items() if name != CLASS_PARAM}
    texts = params.get(CLASS_PARAM) or []
    if not texts:
        return rest, []
    try:
        room = classroom.view(texts[-1])
    except ClassError as error:
        return rest, [str(error)]
    session["class_code"] = room["code"]
    return {name: [value] for name, value in room["view"]["link"].items()}, []


def start(session: MutableMapping, classroom: Classroom, state: PageState) -> None:
    """The "Start class" button: a room showing ``state`` (the same room again for this session's key:
    one room per lecturer), its code and key kept in the session; a refusal is kept as a sentence."""
    try:
        room, token = classroom.start(room_link(state), token=session.get("class_token"))
    except ClassError as error:
        session["class_note"] = str(error)
        return
    session["class_code"], session["class_token"] = room.code, token


def end(session: MutableMapping, classroom: Classroom) -> None:
    """The "End class" button: the room closes on every page; this page is on its own again."""
    code, token = session.pop("class_code", None), session.pop("class_token", None)
    if code and token:
        try:
            classroom.end(code, token)
        except ClassError:  # already ended, or closed after 4 idle hours: nothing left to close
            pass


def leave(session: MutableMapping) -> None:
    """A student's "Leave class": the page stops following (the room goes on for the others)."""
    session.pop("class_code", None)


def page_base(url: str | None, public: str = "") -> str:
    """Where students open the page: ``public`` (GDVIZ_PUBLIC_URL, behind a proxy) or the origin of
    the lecturer's own address.

    >>> page_base("http://10.0.0.5:8501/?lr=0.3")
    'http://10.0.0.5:8501'
    >>> page_base("http://x/", "https://hall.example/gd/")
    'https://hall.example/gd'
    """
    if public.strip():
        return public.strip().rstrip("/")
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def panel(session: MutableMapping, classroom: Classroom, state: PageState, url: str | None,
          public: str | None = None) -> dict:
    """What the sidebar's "Class" expander shows: ``code`` (None: no class), ``markdown`` (the code,
    the students' link and the QR code, /class/CODE/qr.svg), ``notes`` (sentences), and its one
    button: ``label``, ``action`` (a callback), ``help``."""
    code, notes = session.get("class_code"), [session.pop("class_note")] if "class_note" in session else []
    lecturer = bool(code and session.get("class_token"))
    if state.source == UPLOAD and (lecturer or not code):
        notes.append(SHARED_DATA_ONLY)
    if not code:
        return {"code": None, "notes": notes, "label": "Start class", "action": partial(start, session, classroom, state),
                "help": "The students open a link (or scan a QR code) and follow this page; Predict asks them all."}
    base = page_base(url, os.environ.get("GDVIZ_PUBLIC_URL", "") if public is None else public)
    link = students_link(base, code) if SAFE_URL.fullmatch(base) else None
    where = f"open <{link}> or scan:" if link else "scan:"
    markdown = f"**Class {code[:3]} {code[3:]}** · students {where}\n\n![QR code to join class {code}](/class/{code}/qr.svg)"
    if lecturer:
        return {"code": code, "markdown": markdown, "notes": notes, "label": "End class",
                "action": partial(end, session, classroom), "help": "Closes the class on every student's page."}
    return {"code": code, "markdown": markdown, "notes": notes, "label": "Leave class", "action": partial(leave, session),
            "help": "This page stops following; the class goes on for the others."}


def spec(session: MutableMapping, state: PageState) -> dict:
    """The part of the views' spec a class adds: ``{"class": {code, role, link, token?}}`` (the token
    on the lecturer's page only; ``link`` is the room's form of what this page shows), or {}."""
    code = session.get("class_code")
    if not code:
        return {}
    shown = {"code": code, "role": "lecturer" if session.get("class_token") else "student",
             "link": room_link(state)}
    if session.get("class_token"):
        shown["token"] = session["class_token"]
    return {"class": shown}


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
