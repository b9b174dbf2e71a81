"""A class session's room and its rules (issue 22): what a room is, what may be sent to it, the
questions the hall answers and the spread of their guesses. Pure values and functions: where rooms
live and who changes them (the stores, ``Classroom``) is gdviz/classroom_store.py; the HTTP routes are
gdviz/classroom_routes.py.

A ``Room`` has a short code (six characters of ``CODE_ALPHABET``, which has no 0/O, 1/I/L), a
secret lecturer token (``secrets.token_urlsafe``; the room keeps only its SHA-256), the ``View``
everyone follows (a ``PageState`` link in canonical form, the step, playing or paused, the 3-D
camera) and a version that every change advances. Only the token changes a room, and a change must
carry a version above the room's (a replayed message is refused). A room closes when the lecturer
ends it or after ``IDLE_SECONDS`` (4 hours) without a change by the lecturer.

"Predict together": the lecturer asks a ``Question`` — the next step of the run on screen (built
from the lecture itself by ``step_question``: where step k is, where step k+1 truly lands, the
contours' box and the Hessian's steep direction there) or a multiple-choice question. Each browser
(an anonymous random id) has one guess per question, changeable until the reveal; a guess must be
finite and inside the contours' box. The reveal gives the spread (``step_result``): how many landed
within one step length of the truth, and how the mean guess missed, along the steep or the shallow
eigen-direction of the Hessian.

Everything is bounded: rooms per process (``MAX_ROOMS``), one room per lecturer token, guesses per
question (``MAX_GUESSES``), the size of a link, and messages by token buckets per browser, per room
and per address. Every refusal is a ``ClassError`` whose text is a sentence for a person and whose
``status`` is the HTTP status a script gets.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

import numpy as np

from . import model
from .state import PageState

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off a projector without doubt
CODE_LENGTH = 6
IDLE_SECONDS = 4 * 3600  # a room closes after this long without a change by the lecturer
ENDED_SECONDS = 600  # an ended room still says "this class has ended" this long, then is forgotten
MAX_ROOMS = 200  # open rooms per process (or per Redis)
MAX_GUESSES = 2000  # guesses per question: a hall of 500 with room to spare
MAX_LINK_KEYS, MAX_LINK_CHARS, MAX_VALUE_CHARS = 64, 12_000, 8_000
MAX_QUESTION_CHARS, MAX_OPTION_CHARS, MAX_OPTIONS = 200, 80, 6
MAX_VERSION_JUMP = 1_000_000  # a change may skip versions (another tab of the lecturer's), not run away
MAX_STEP = 1_000_000
BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Token buckets: (capacity, tokens per second).
BROWSER_RATE = (10, 2.0)  # a student's guesses and answers: a few taps, then one every half second
ROOM_RATE = (3000, 1000.0)  # everything sent to one room: a hall of 500 answering at once fits
LECTURER_RATE = (120, 40.0)  # the lecturer's changes: playing posts at most a few a second
START_RATE = (5, 1 / 60)  # rooms started from one address: five, then one a minute
NEAR = 0.25  # a mean guess within a quarter of a step length of the truth is "close"


class ClassError(Exception):
    """A refusal: ``str(error)`` is a sentence for a person, ``status`` the HTTP status for a script."""

    def __init__(self, sentence: str, status: int = 400):
        super().__init__(sentence)
        self.status = status


# ---------------------------------------------------------------- the values

@dataclass(frozen=True)
class View:
    """What the lecturer shows: the page state as a canonical link (no step, camera or presenter
    mode: those are separate or the lecturer's own), the step, playing or paused, the 3-D camera's
    eye (None: the figure's own), when it last changed (server time, so a follower that joins
    while it plays can catch up) and the speed it plays at."""

    link: dict = field(default_factory=dict)
    step: int = 0
    playing: bool = False
    camera: tuple | None = None
    changed_at: float = 0.0
    speed: str = ""  # the step bar's speed the lecturer plays at (one of SPEEDS; "": each page's own)


@dataclass(frozen=True)
class Question:
    """What the class answers. ``kind`` "step": where step k+1 lands, from ``origin`` (step k) to
    ``truth``, in the contours' plane (w of the feature shown, b); ``box`` (w_low, w_high, b_low,
    b_high) is the contours' view; ``steep`` the unit eigenvector of the Hessian's larger eigenvalue
    in that plane (None: a round bowl, no steep direction). ``kind`` "choice": ``text``, ``options``
    and, if the lecturer gave it, the right ``answer``'s index."""

    id: int
    kind: str
    k: int | None = None
    origin: tuple | None = None
    truth: tuple | None = None
    box: tuple | None = None
    steep: tuple | None = None
    text: str = ""
    options: tuple = ()
    answer: int | None = None
    revealed: bool = False

    def public(self) -> dict:
        """What every page may see: the truth and the answer only after the reveal."""
        shown = {"id": self.id, "kind": self.kind, "revealed": self.revealed}
        if self.kind == "step":
            shown.update(k=self.k, origin=list(self.origin), box=list(self.box))
            if self.revealed:
                shown.update(truth=list(self.truth), steep=None if self.steep is None else list(self.steep))
        else:
            shown.update(text=self.text, options=list(self.options))
            if self.revealed:
                shown.update(answer=self.answer)
        return shown


@dataclass(frozen=True)
class Room:
    """One class: see the module's docstring. ``result`` is the last reveal's (``step_result`` or
    ``choice_result``), shown on every page."""

    code: str
    token_hash: str
    created: float
    active: float  # the lecturer's last change
    version: int = 1
    view: View = field(default_factory=View)
    question: Question | None = None
    result: dict | None = None
    ended: bool = False

    def closed(self, now: float) -> bool:
        return self.ended or now > self.active + IDLE_SECONDS

    def public(self) -> dict:
        """The room as every follower sees it (never the token's hash)."""
        view = asdict(self.view)
        view["camera"] = None if self.view.camera is None else list(self.view.camera)
        return {"code": self.code, "version": self.version, "ended": self.ended, "view": view,
                "question": None if self.question is None else self.question.public(), "result": self.result}

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> "Room":
        raw = json.loads(text)
        view = raw["view"]
        raw["view"] = View(link=dict(view["link"]), step=int(view["step"]), playing=bool(view["playing"]),
                           camera=None if view["camera"] is None else tuple(view["camera"]),
                           changed_at=float(view["changed_at"]), speed=str(view.get("speed", "")))
        if raw["question"] is not None:
            q = raw["question"]
            for name in ("origin", "truth", "box", "steep", "options"):
                if q.get(name) is not None:
                    q[name] = tuple(q[name])
            raw["question"] = Question(**q)
        return cls(**raw)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text) -> str:
    """A code as typed (lower case, a space or a dash in the middle) in its canonical form; a
    ClassError (404) when it cannot be a room's code."""
    code = re.sub(r"[\s-]", "", str(text))[:32].upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ClassError(f"“{str(text)[:12]}” is not a class code: a code has {CODE_LENGTH} letters and digits, "
                         "as on the projector.", 404)
    return code


# ---------------------------------------------------------------- checking what is sent

def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


CLASS_PARAM = "class"  # ?class=CODE: a student's link names the room, nothing else


def room_link(state: PageState) -> dict:
    """The link a room shares for a page state, canonical: no step, camera or presenter mode (they
    travel apart, or are the lecturer's own), no lesson and no uploaded file (a file cannot travel).

    >>> room_link(PageState(lr=0.3, step=5, present=True, camera=(1.0, 2.0, 3.0)))
    {'lr': '0.3'}
    """
    return state.replace(step=None, camera=None, present=False, lesson=None, scene=None, upload=None).to_link()


def students_link(base: str, code: str) -> str:
    """The students' link: the page at ``base`` with the room's code.

    >>> students_link("http://hall.example/", "ABC234")
    'http://hall.example/?class=ABC234'
    """
    return f"{base.rstrip('/')}/?{urlencode({CLASS_PARAM: code})}"


def checked_link(link) -> dict:
    """A lecturer's page-state link, bounded and read by PageState's own codec, in canonical form
    (without step, camera and presenter mode); a ClassError with the codec's note when it is bad."""
    if not isinstance(link, dict):
        raise ClassError("The settings must be a link's parameters (names and values).")
    if len(link) > MAX_LINK_KEYS or not all(isinstance(k, str) and isinstance(v, str) for k, v in link.items()):
        raise ClassError(f"The settings must be at most {MAX_LINK_KEYS} names, each with one text value.")
    if any(len(k) > 40 or len(v) > MAX_VALUE_CHARS for k, v in link.items()) or \
            sum(len(k) + len(v) for k, v in link.items()) > MAX_LINK_CHARS:
        raise ClassError("The settings are too long to share with the class.", 413)
    state, notes = PageState.from_link({name: [value] for name, value in link.items()})
    if notes:
        raise ClassError(f"The class's settings were not changed: {notes[0]}")
    return room_link(state)


def checked_camera(camera) -> tuple | None:
    if camera is None:
        return None
    if isinstance(camera, list) and len(camera) == 3 and all(map(_finite, camera)) and \
            all(abs(v) <= 100 for v in camera):
        return tuple(round(float(v), 3) for v in camera)
    raise ClassError("The camera must be three finite numbers (x, y, z) no larger than 100.")


def checked_step(step) -> int:
    if isinstance(step, int) and not isinstance(step, bool) and 0 <= step <= MAX_STEP:
        return step
    raise ClassError(f"The step must be a whole number from 0 to {MAX_STEP}.")


SPEEDS = ("2", "5", "10", "25", "60", "run5")  # the step bar's choices (index.html's #speed)


def checked_speed(speed) -> str:
    if speed in SPEEDS:
        return speed
    raise ClassError(f"The speed is one of the step bar's: {', '.join(SPEEDS)}.")


def checked_browser(browser) -> str:
    if isinstance(browser, str) and BROWSER_ID.fullmatch(browser):
        return browser
    raise ClassError("This page has no valid browser id (8 to 64 letters, digits, - or _); reload the page.")


def _number_text(value) -> str:
    return f"“{str(value)[:20]}”"


def checked_point(question: Question, w, b) -> tuple[float, float]:
    """A guess (w, b): two finite numbers inside the question's box."""
    if not (_finite(w) and _finite(b)):
        bad = w if not _finite(w) else b
        raise ClassError(f"A guess is two finite numbers, w and b; this one had {_number_text(bad)}. "
                         "Tap on the contours to guess.")
    w_low, w_high, b_low, b_high = question.box
    if not (w_low <= w <= w_high and b_low <= b <= b_high):
        raise ClassError(f"That point (w = {w:.4g}, b = {b:.4g}) is outside the contours on screen (w from "
                         f"{w_low:.4g} to {w_high:.4g}, b from {b_low:.4g} to {b_high:.4g}); tap inside them.")
    return float(w), float(b)


# ---------------------------------------------------------------- questions and their results

def step_question(lecture, k: int, question_id: int = 0) -> Question:
    """The question "where does step k+1 land?" of a lecture's run (gdviz.pipeline.Lecture), in the
    contours' plane: (w of the feature shown, b), its box as the spec draws it, and the steep
    direction of the Hessian at step k restricted to that plane (the loss's own curvature there)."""
    run, spec = lecture.run, lecture.spec
    if run is None or spec is None:
        raise ClassError("This view has no run to predict.", 409)
    last = min(len(run.b), len(run.w)) - 1
    if not 0 <= k < last:
        raise ClassError(f"There is no step after step {k} in this run (it has steps 0 to {last}).", 409)
    feature = int(lecture.state.feature) if run.w.shape[1] > 1 else 0
    origin = (float(run.w[k, feature]), float(run.b[k]))
    truth = (float(run.w[k + 1, feature]), float(run.b[k + 1]))
    if not all(map(math.isfinite, origin + truth)):
        raise ClassError(f"Step {k + 1} of this run is not a finite point (the run diverged): nothing to predict.",
                         409)
    box = contour_box(spec)
    steep = None
    try:
        d = run.w.shape[1]
        H = model.hessian(lecture.data, objective=run.objective, l2=float(run.settings.get("l2") or 0.0),
                          at=(np.array(run.w[k], dtype=np.float64), float(run.b[k])))
        plane = np.asarray(H, dtype=np.float64)[np.ix_([feature, d], [feature, d])]
        steep = steep_direction(plane)
    except (ValueError, np.linalg.LinAlgError):  # no Hessian here: the sentence speaks of the step instead
        steep = None
    return Question(id=question_id, kind="step", k=int(k), origin=origin, truth=truth, box=box, steep=steep)


def contour_box(spec: dict) -> tuple[float, float, float, float]:
    """(w_low, w_high, b_low, b_high): the contours' axes as the spec draws them (their ranges, or
    the extent of the contour grid)."""
    figure = json.loads(spec["figures"]["contour"])
    layout = figure.get("layout", {})
    ranges = [layout.get(axis, {}).get("range") for axis in ("xaxis", "yaxis")]
    if not all(ranges):
        grid = next(t for t in figure["data"] if t.get("type") == "contour")
        ranges = [[float(np.min(_array(grid[name]))), float(np.max(_array(grid[name])))] for name in ("x", "y")]
    (w_low, w_high), (b_low, b_high) = (sorted(float(v) for v in r) for r in ranges)
    return (w_low, w_high, b_low, b_high)


def _array(value) -> np.ndarray:
    if isinstance(value, dict) and "bdata" in value:  # plotly 7's typed arrays
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"])
    return np.asarray(value, dtype=np.float64)


def steep_direction(hessian_2x2) -> tuple[float, float] | None:
    """The unit eigenvector of a symmetric 2x2 matrix's larger eigenvalue (its sign: first non-zero
    entry positive); None when the two eigenvalues are equal (a round bowl: no steep direction)."""
    H = np.asarray(hessian_2x2, dtype=np.float64)
    if not np.all(np.isfinite(H)):
        return None
    values, vectors = np.linalg.eigh((H + H.T) / 2)
    if values[1] - values[0] <= 1e-9 * max(abs(values[1]), abs(values[0]), 1e-300):
        return None
    v = vectors[:, 1]
    if v[0] < 0 or (v[0] == 0 and v[1] < 0):
        v = -v
    return (float(v[0]), float(v[1]))


def miss_sentence(origin, truth, mean, steep) -> str:
    """How the mean guess missed the true step, in the lecture's words: decomposed along the
    Hessian's steep and shallow eigen-directions (along and across the step when the bowl is round),
    the larger part named: "went too far along the steep direction" (the same way as the step, past
    it), "did not go far enough along …" (the same way, short of it), "went the wrong way along …"
    (against the step), "strayed along the …, where the step hardly moves"."""
    origin, truth, mean = (np.asarray(v, dtype=np.float64) for v in (origin, truth, mean))
    step, error = truth - origin, mean - truth
    length = float(np.hypot(*step))
    if length == 0.0:
        return "the true step did not move at all"
    if float(np.hypot(*error)) <= NEAR * length:
        return "the mean guess landed close to the true step"
    if steep is None:
        along = step / length
        names = ("along the step", "across the step")
    else:
        along = np.asarray(steep, dtype=np.float64) / float(np.hypot(*steep))
        names = ("along the steep direction", "along the shallow direction")
    across = np.array([-along[1], along[0]])
    parts = [(float(error @ u), float(step @ u), name) for u, name in zip((along, across), names)]
    missed, moved, name = max(parts, key=lambda part: abs(part[0]))
    if abs(moved) < 0.05 * length:
        return f"the mean guess strayed {name}, where the step hardly moves"
    if missed * moved > 0:
        return f"the mean guess went too far {name}"
    if abs(missed) <= abs(moved):
        return f"the mean guess did not go far enough {name}"
    return f"the mean guess went the wrong way {name}"


def step_result(question: Question, points) -> dict:
    """The reveal of a step question from the guesses (w, b): how many, the mean, how many landed
    within one step length of the truth, each distance, and the spread sentence, e.g. "41 of 63
    within one step length; the mean guess went too far along the steep direction"."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    truth = np.asarray(question.truth, dtype=np.float64)
    length = float(np.hypot(*(truth - np.asarray(question.origin))))
    count = len(points)
    result = {"kind": "step", "k": question.k, "truth": list(question.truth), "origin": list(question.origin),
              "length": length, "count": count}
    if count == 0:
        return {**result, "mean": None, "within": 0, "sentence": "Nobody guessed this step."}
    distances = np.hypot(*(points - truth).T)
    within = int(np.sum(distances <= length))
    mean = points.mean(axis=0)
    sentence = f"{within} of {count} within one step length; {miss_sentence(question.origin, truth, mean, question.steep)}."
    return {**result, "mean": [float(mean[0]), float(mean[1])], "within": within, "sentence": sentence,
            "mean_distance": float(np.hypot(*(mean - truth)))}


def choice_result(question: Question, answers) -> dict:
    """The reveal of a multiple-choice question: the count per option (and the right one, if given)."""
    counts = [0] * len(question.options)
    for answer in answers:
        counts[answer] += 1
    total = sum(counts)
    parts = ", ".join(f"{option}: {n}" for option, n in zip(question.options, counts))
    sentence = f"{total} answer{'s' if total != 1 else ''}: {parts}." if total else "Nobody answered."
    if question.answer is not None and total:
        sentence += f" {counts[question.answer]} of {total} chose the right answer ({question.options[question.answer]})."
    return {"kind": "choice", "counts": counts, "count": total, "answer": question.answer, "sentence": sentence}


def choice_question(text, options, answer=None, question_id: int = 0) -> Question:
    """A multiple-choice question, checked: a short text, 2 to MAX_OPTIONS short options, the right
    answer's index or None."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUESTION_CHARS:
        raise ClassError(f"A question is a text of 1 to {MAX_QUESTION_CHARS} characters.")
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS or not all(
            isinstance(o, str) and o.strip() and len(o) <= MAX_OPTION_CHARS for o in options):
        raise ClassError(f"A question has 2 to {MAX_OPTIONS} answers, each 1 to {MAX_OPTION_CHARS} characters.")
    if answer is not None and not (isinstance(answer, int) and not isinstance(answer, bool)
                                   and 0 <= answer < len(options)):
        raise ClassError("The right answer must be the number of one of the answers (0 for the first).")
    return Question(id=question_id, kind="choice", text=text.strip(), options=tuple(o.strip() for o in options),
                    answer=answer)
