"""The page's side of a class (issue 22), as plain functions of the session's values: app.py draws
the sidebar's "Class" expander and calls these; the browser's side is gdviz/web/frontend/class.js.

The session keeps ``class_code`` (the room this page belongs to: the lecturer's, or the one a
student's link named) and, on the lecturer's page only, ``class_token`` (the key that drives the
room). A student's link is ``?class=CODE``; the lecturer's own is ``?class=CODE#key=TOKEN`` (what
follows ``#`` never reaches a server, so no log holds the key).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from urllib.parse import urlsplit

from .classroom import CLASS_PARAM, ClassError, checked_link, room_link, students_link
from .classroom_store import Classroom
from .state import UPLOAD, PageState

SHARED_DATA_ONLY = ("An uploaded file stays on this computer: the class sees the synthetic data. A class shares "
                    "sample or synthetic data only.")


def join(classroom: Classroom, params: dict[str, list[str]]) -> tuple[str | None, dict[str, list[str]], str | None]:
    """A page opened from a link: (the room's code or None, the parameters the page opens, a sentence
    or None). With ``?class=CODE`` of an open room the page opens on the room's settings (what the
    lecturer shows now); a code that names no open room is a sentence and the page opens as usual.

    >>> from gdviz.classroom_store import MemoryStore
    >>> room, _ = (c := Classroom(MemoryStore())).start({"lr": "0.3"})
    >>> join(c, {"class": [room.code.lower()]}) == (room.code, {"lr": ["0.3"]}, None)
    True
    >>> join(c, {"class": ["ZZZZZZ"], "lr": ["0.1"]})
    (None, {'lr': ['0.1']}, 'There is no class with the code ZZZZZZ; check the code on the projector.')
    """
    rest = {name: texts for name, texts in params.items() if name != CLASS_PARAM}
    texts = params.get(CLASS_PARAM) or []
    if not texts:
        return None, rest, None
    try:
        room = classroom.view(texts[-1])
    except ClassError as error:
        return None, rest, str(error)
    return room["code"], {name: [value] for name, value in room["view"]["link"].items()}, None


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


def panel(session: MutableMapping, state: PageState, url: str | None, public: str = "") -> dict:
    """What the sidebar's "Class" expander shows: ``role`` ("lecturer", "student" or None), the
    ``code``, the students' ``link``, the QR code's ``qr`` address, and ``notes`` (sentences)."""
    code, notes = session.get("class_code"), [session.pop("class_note")] if "class_note" in session else []
    role = None if not code else "lecturer" if session.get("class_token") else "student"
    if role == "lecturer" and state.source == UPLOAD:
        notes.append(SHARED_DATA_ONLY)
    if not code:
        return {"role": None, "notes": notes}
    return {"role": role, "code": code, "link": students_link(page_base(url, public), code),
            "qr": f"/class/{code}/qr.svg", "notes": notes}


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
    """What the page's own address keeps of a class: ``{"class": CODE}`` (a reload stays in the room).

    >>> link_params({"class_code": "ABC234"}), link_params({})
    ({'class': 'ABC234'}, {})
    """
    code = session.get("class_code")
    return {CLASS_PARAM: code} if code else {}


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


def share_text(code: str) -> str:
    """The line under the QR code: the code as it is read out, and what the link is.

    >>> share_text("ABC234")
    'Code ABC 234: open the link or scan the code; no name, no account.'
    """
    return f"Code {code[:3]} {code[3:]}: open the link or scan the code; no name, no account."
