"""The page's state, described once: every control's default, widget, link (URL) name and reader,
and ``PageState``, the frozen, typed value generated from them that says what is on screen.

A control is one ``Control``: app.py draws its widget from it, the session starts from its
default, a shared link is read with its reader and written back with its writer. Adding a control
is one entry in ``CONTROLS`` (an optimizer's hyper-parameter: one description in optimizers.py)
plus its use in gdviz.lecture. The data in use is a typed choice — ``Synthetic``, ``Sample`` or
``Upload`` — which also keys the caches. A link, a lesson's scene and the widgets all become a
``PageState`` (``PageState.from_link``, ``PageState.from_values``); ``PageState.to_link`` writes it
back canonically. Nothing here imports Streamlit or draws: the lessons, the slides and a notebook
use it as the page does.
"""
from __future__ import annotations

import hashlib
import math
import re

from dataclasses import dataclass, field, fields, make_dataclass, replace
from typing import Any, Callable

import numpy as np

from . import data as gdata
from . import optimizers, schedules
from .optimizers import LABELS
from .words import nice

SYNTHETIC, UPLOAD = "Synthetic data", "Upload a CSV file"
SOURCES = [SYNTHETIC, *gdata.SAMPLES, UPLOAD]
SAMPLE_IDS = {filename.removesuffix(".csv"): title for title, filename in gdata.SAMPLES.items()}
BATCH = {"full": "full batch", "mini": "mini-batch", "sgd": "1 (SGD)"}
ARROWS = {"direction": "direction (fixed length)", "true": "true scale"}
VIEWS = {"feature": "feature against target", "actual": "predicted against actual"}
COMPARE_DEFAULTS = ("momentum", "adam", "nesterov")
MAX_FEATURES = 20  # the views and the maths panel show at most this many weights (a wide file: a note)
MAX_NOTES = 5  # a link with many bad parameters gets a few notes and one summary
# The learning-rate scale: 10 values a decade from 1e-6 to 10 (a log slider).
LEARNING_RATES = sorted({round(m * 10.0 ** e, 12) for e in range(-6, 1) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)}
                        | {10.0})
TOLERANCES = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10]
# The problem on screen, by its link name: two regressions on data, or a classic test surface L(w, b).
PROBLEMS = {"mse": "linear regression (MSE)", "logistic": "logistic regression",
            "rosenbrock": "test surface: Rosenbrock", "himmelblau": "test surface: Himmelblau",
            "beale": "test surface: Beale", "saddle": "test surface: saddle (w² − b²)"}
REGRESSIONS = ("mse", "logistic")  # the problems with data; the others are test surfaces
# The ridge penalty λ: 0 and a log-ish scale up to where the bowl is visibly rounder and has moved.
PENALTIES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0]
MAX_PENALTY = 1000.0
SCHEDULE_NAMES = {"constant": "constant", "step": "step decay (StepLR)", "exponential": "exponential decay (ExponentialLR)",
                  "cosine": "cosine annealing (CosineAnnealingLR)"}


# ---- the data in use: a typed choice (hashable, so it keys st.cache_data) ----
@dataclass(frozen=True)
class Synthetic:
    """Points drawn around y = true_w·x + true_b, x from offset ± 2."""

    n: int = 60
    true_w: float = 2.0
    true_b: float = -1.0
    noise: float = 1.0
    seed: int = 0
    offset: float = 1.0
    classes: bool = False  # logistic regression: y ~ Bernoulli(σ(true_w·x + true_b)) instead of the noisy line

    def load(self, raw: bytes | None = None) -> gdata.Dataset:
        if self.classes:
            return gdata.synthetic_classes(n=self.n, weight=self.true_w, bias=self.true_b, seed=self.seed,
                                           x_range=(-2.0, 2.0), x_offset=self.offset)
        return gdata.synthetic(n=self.n, weights=self.true_w, bias=self.true_b, noise=self.noise, seed=self.seed,
                               x_range=(-2.0, 2.0), x_offset=self.offset)


@dataclass(frozen=True)
class Sample:
    """A built-in sample set by its title; its own columns unless features/target are given."""

    title: str
    features: tuple[str, ...] | None = None
    target: str | None = None

    def load(self, raw: bytes | None = None) -> gdata.Dataset:
        if self.features is None:
            return gdata.sample(self.title)
        return gdata.read_csv(gdata.SAMPLES_DIR / gdata.SAMPLES[self.title], list(self.features), self.target,
                              name=self.title)


@dataclass(frozen=True)
class Upload:
    """A CSV file the user uploaded, named by the hash of its bytes (the bytes travel beside it)."""

    digest: str
    name: str
    features: tuple[str, ...] | None = None
    target: str | None = None
    raw: bytes = field(default=b"", compare=False, hash=False, repr=False)  # the file itself, keyed by digest

    @classmethod
    def of(cls, raw: bytes, name: str) -> "Upload":
        """The file ``raw`` as uploaded, its digest the first 16 hex digits of its SHA-256."""
        return cls(hashlib.sha256(raw).hexdigest()[:16], name, raw=raw)

    def load(self, raw: bytes | None = None) -> gdata.Dataset:
        features = None if self.features is None else list(self.features)
        return gdata.read_csv(self.raw if raw is None else raw, features, self.target, name=self.name)


MAX_EDITS = 20  # moved or added points a page (and its link) carries
ADDED = -1  # the row of an edit that adds a point


@dataclass(frozen=True)
class Edited:
    """A data set with some points moved (by dragging) or added (an outlier): ``edits`` is a tuple of
    (row, x, y) in the data's own units, row ``ADDED`` for a new point. One feature only."""

    base: Any  # a Synthetic, Sample or Upload choice
    edits: tuple[tuple[int, float, float], ...] = ()

    def load(self, raw: bytes | None = None) -> gdata.Dataset:
        data = self.base.load(raw)
        return with_edits(data, self.edits)


def with_edits(data: gdata.Dataset, edits) -> gdata.Dataset:
    """``data`` with row i moved to (x, y) for each edit (i, x, y), and (x, y) appended for row ADDED."""
    if not edits:
        return data
    if data.d != 1:
        raise gdata.DataError("Points can be moved or added only on data with one feature.")
    X, y = data.X[:, 0].copy(), data.y.copy()
    added_x, added_y = [], []
    for row, x, target in edits:
        if row == ADDED:
            added_x.append(x)
            added_y.append(target)
        elif 0 <= row < data.m:
            X[row], y[row] = x, target
        else:
            raise gdata.DataError(f"This data set has {data.m} rows, so row {row + 1} cannot be moved.")
    return gdata.Dataset(np.concatenate([X, added_x]), np.concatenate([y, added_y]), feature_names=data.feature_names,
                         target_name=data.target_name, name=f"{data.name} (edited: {edit_summary(edits)})",
                         true_weights=data.true_weights, true_bias=data.true_bias, rows_dropped=data.rows_dropped)


def edit_summary(edits) -> str:
    """"2 points moved, 1 added"."""
    added = sum(1 for row, _, _ in edits if row == ADDED)
    moved = len(edits) - added
    parts = [f"{moved} point{'s' if moved != 1 else ''} moved"] * bool(moved) + [f"{added} added"] * bool(added)
    return ", ".join(parts)


def add_edit(edits: tuple, row: int, x: float, y: float) -> tuple:
    """The edits with one more (a row moved again replaces its earlier edit; at most MAX_EDITS)."""
    kept = tuple(e for e in edits if row == ADDED or e[0] != row)
    if len(kept) >= MAX_EDITS:
        raise ValueError(f"At most {MAX_EDITS} points can be moved or added; undo one or reset the data.")
    return kept + ((int(row), float(x), float(y)),)


def moved(edits: tuple, base_m: int, row: int | None, x: float, y: float, classes: bool = False) -> tuple:
    """The edits after a point of the data as shown is dragged to (x, y), both to 4 significant
    digits (a class, ``classes``: y lands on 0 or 1): rows from ``base_m`` on are added points
    (moved again, they stay one added point); row None adds a point."""
    x, y = (float(f"{v:.4g}") for v in (x, y))
    y = (1.0 if y >= 0.5 else 0.0) if classes else y
    if row is not None and row >= base_m:
        added = [i for i, e in enumerate(edits) if e[0] == ADDED]
        if row - base_m >= len(added):
            return edits
        i = added[row - base_m]
        return edits[:i] + ((ADDED, x, y),) + edits[i + 1:]
    return add_edit(edits, ADDED if row is None else int(row), x, y)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def from_views(value) -> dict:
    """What the views sent, checked: {"start": (w0, b0)} for a click on the contours (rounded to 3
    decimals, within ±1e6), {"point": (row or None, x, y)} for a dragged or added point, {"scene": ±1}
    for PageDown/PageUp. Anything else is dropped."""
    out = {}
    if not isinstance(value, dict):
        return out
    start, point = value.get("start"), value.get("point")
    if isinstance(start, list) and len(start) == 2 and all(map(_finite, start)):
        out["start"] = tuple(min(max(round(float(v), 3), -1e6), 1e6) for v in start)
    if isinstance(point, dict) and _finite(point.get("x")) and _finite(point.get("y")) and (
            point.get("row") is None or _finite(point["row"])):
        out["point"] = (None if point.get("row") is None else int(point["row"]), float(point["x"]), float(point["y"]))
    if value.get("scene") in (1, -1):
        out["scene"] = value["scene"]
    return out


def outlier(data: gdata.Dataset, edits: tuple) -> tuple[float, float]:
    """Where "Add an outlier" puts a point: far below the data at the right end of x (each next one
    a little further left)."""
    x, y = data.X[:, 0], data.y
    n_added = sum(1 for e in edits if e[0] == ADDED)
    span_x, span_y = float(np.ptp(x)) or 1.0, float(np.ptp(y)) or 1.0
    return float(x.max()) - 0.08 * n_added * span_x, float(y.min()) - 0.6 * span_y


DataChoice = Synthetic | Sample | Upload | Edited


def unedited(choice):
    """The data choice without its moved or added points."""
    return choice.base if isinstance(choice, Edited) else choice


def same_data_set(a: DataChoice, b: DataChoice) -> bool:
    """Whether two choices are the same data set (a tweak of the synthetic knobs or of the columns is,
    and so is a moved or added point)."""
    a, b = unedited(a), unedited(b)
    if isinstance(a, Synthetic) or isinstance(b, Synthetic):
        return isinstance(a, Synthetic) and isinstance(b, Synthetic)
    return type(a) is type(b) and (a.title if isinstance(a, Sample) else a.digest) == \
        (b.title if isinstance(b, Sample) else b.digest)


# ---- readers and writers of link values (a reader raises ValueError on a bad value) ----
# What Python's float() accepts is wider than a link should be: no "1_0", no Arabic-Indic digits, no "nan".
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def number(low: float, high: float, integer: bool = False) -> Callable[[str], Any]:
    """A reader of a plain decimal number (ASCII digits, optional exponent) within [low, high]."""
    def read(text: str):
        if not _PLAIN_NUMBER.fullmatch(text.strip()):
            raise ValueError
        value = float(text)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError
        if integer:
            if value != int(value):
                raise ValueError
            return int(value)
        return value
    return read


def choice(options: dict) -> Callable[[str], Any]:
    return lambda text: options[text]


def flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError
    return text == "1"


def write_number(value) -> str:
    """The shortest text that reads back as the same number (so a link reopens the same run)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def write_flag(value) -> str:
    return "1" if value else "0"


def write_choice(options: dict) -> Callable[[Any], str]:
    names = {value: name for name, value in options.items()}
    return lambda value: names[value]


def read_source(text: str) -> str:
    return SYNTHETIC if text == "synthetic" else SAMPLE_IDS[text]


def write_source(value: str) -> str | None:
    if value == SYNTHETIC:
        return "synthetic"
    ids = {title: sample_id for sample_id, title in SAMPLE_IDS.items()}
    return ids.get(value)  # an uploaded file cannot travel in a link


def read_runs(text: str) -> dict[str, Any]:
    """``optimizer:lr,…`` (one to three compared runs) as the compare widgets' values."""
    parts = text.split(",")
    if not 1 <= len(parts) <= 3:
        raise ValueError
    values: dict[str, Any] = {"compare_n": len(parts)}
    for i, part in enumerate(parts, start=1):
        name, rate = part.split(":")
        if name not in LABELS:
            raise ValueError
        values[f"cmp_opt_{i}"], values[f"cmp_lr_{i}"] = name, number(1e-9, 100.0)(rate)
    return values


def race_values(race) -> dict[str, Any]:
    """A race ((optimizer, rate), …) as the widgets' values: the first is the run, the others are
    compared with it (a preset button sets them; no race: nothing)."""
    if not race:
        return {}
    (first, lr), rest = race[0], race[1:]
    values: dict[str, Any] = {"optimizer": first, "lr": lr, "compare_n": len(rest)}
    for i, (name, rate) in enumerate(rest, start=1):
        values[f"cmp_opt_{i}"], values[f"cmp_lr_{i}"] = name, rate
    return values


def write_runs(state: dict) -> str | None:
    runs = [(state.get(f"cmp_opt_{i}"), state.get(f"cmp_lr_{i}")) for i in range(1, (state.get("compare_n") or 0) + 1)]
    return ",".join(f"{name}:{write_number(rate)}" for name, rate in runs) or None


def read_tolerance(text: str) -> dict[str, Any]:
    return {"use_tol": True, "tol": number(1e-12, 1.0)(text)}


def write_tolerance(state: dict) -> str | None:
    return write_number(state["tol"]) if state.get("use_tol") else None


def problem_name(label: str) -> str:
    """The link name ("mse", "logistic", "rosenbrock", …) of a Problem choice's label."""
    return {value: name for name, value in PROBLEMS.items()}[label]


def read_schedule(text: str) -> dict[str, Any]:
    """``constant``, ``step:s:g``, ``exponential:g`` or ``cosine:T:e`` as the schedule widgets' values;
    a ValueError (the page's note, and the default) when a parameter is not one the schedule takes
    (step sizes and periods whole numbers ≥ 1, 0 < γ ≤ 1, η_min ≥ 0)."""
    name, *parts = text.split(":")
    sizes = {"constant": 0, "step": 2, "exponential": 1, "cosine": 2}
    if name not in sizes or len(parts) != sizes[name]:
        raise ValueError
    numbers = [number(-1e12, 1e12)(part) for part in parts]
    values: dict[str, Any] = {"sched": name}
    if name == "step":
        keys, parameters = ("sched_step_size", "sched_step_gamma"), {"step_size": numbers[0], "gamma": numbers[1]}
    elif name == "exponential":
        keys, parameters = ("sched_exp_gamma",), {"gamma": numbers[0]}
    elif name == "cosine":
        keys, parameters = ("sched_t_max", "sched_eta_min"), {"T_max": numbers[0], "eta_min": numbers[1]}
    else:
        return values
    checked = schedules.checked((name, parameters))[1]  # ValueError for a non-positive parameter
    for key, value in zip(keys, checked.values()):
        options = CONTROLS[key].options  # what the widget can show: beyond it, the note and the default
        if not options["min_value"] <= value <= options["max_value"]:
            raise ValueError
        values[key] = value
    return values


def schedule_of(state: dict):
    """The schedule the widgets' values say, as gdviz.descend takes it: None (constant) or (name, parameters)."""
    name = state.get("sched", "constant")
    if name == "step":
        return ("step", {"step_size": int(state.get("sched_step_size", 30)), "gamma": float(state.get("sched_step_gamma", 0.5))})
    if name == "exponential":
        return ("exponential", {"gamma": float(state.get("sched_exp_gamma", 0.98))})
    if name == "cosine":
        return ("cosine", {"T_max": int(state.get("sched_t_max", 100)), "eta_min": float(state.get("sched_eta_min", 0.0))})
    return None


def write_schedule(state: dict) -> str | None:
    schedule = schedule_of(state)
    if schedule is None:
        return None
    return ":".join([schedule[0], *(write_number(v) if isinstance(v, float) else str(v) for v in schedule[1].values())])


CAMERA_LIMIT = 100.0  # an eye further than this from the box's centre shows a dot


def camera_eye(camera) -> tuple[float, float, float] | None:
    """A 3-D camera's eye as three floats, from (x, y, z), {"x", "y", "z"} or a link's "x,y,z";
    None for None. Raises ValueError for anything else: not three finite numbers, farther than
    CAMERA_LIMIT, or at the centre (the eye would see nothing)."""
    if camera is None:
        return None
    if isinstance(camera, str):
        camera = camera.split(",")
    elif isinstance(camera, dict):
        camera = [camera.get(axis) for axis in "xyz"]
    try:
        eye = tuple(float(v) for v in camera)
    except (TypeError, ValueError):
        raise ValueError(f"a camera is three numbers x,y,z, not {camera!r}") from None
    if len(eye) != 3 or not all(np.isfinite(eye)):
        raise ValueError(f"a camera is three finite numbers x,y,z, not {camera!r}")
    size = float(np.linalg.norm(eye))
    if not 1e-3 <= size <= CAMERA_LIMIT:
        raise ValueError(f"a camera's eye must be between 0.001 and {CAMERA_LIMIT:g} from the centre, not {size:g}")
    return eye


def read_camera(text: str) -> tuple[float, float, float]:
    """The 3-D camera's eye from a link's ``x,y,z`` (plain decimals; checked by camera_eye)."""
    parts = text.split(",")
    if len(parts) != 3 or not all(_PLAIN_NUMBER.fullmatch(part.strip()) for part in parts):
        raise ValueError
    return camera_eye(parts)


def read_edits(text: str) -> tuple[tuple[int, float, float], ...]:
    """``row:x:y,…`` (row 0-based, ``a`` for an added point), at most MAX_EDITS, plain decimals."""
    parts = [part for part in text.split(",") if part]
    if not 1 <= len(parts) <= MAX_EDITS:
        raise ValueError
    value = number(-1e12, 1e12)
    edits: tuple = ()
    for part in parts:
        row, x, y = part.split(":")
        edits = add_edit(edits, ADDED if row == "a" else number(0, 10_000_000, integer=True)(row), value(x), value(y))
    return edits


def write_edits(edits) -> str | None:
    return ",".join(f"{'a' if row == ADDED else row}:{write_number(x)}:{write_number(y)}" for row, x, y in edits) or None


def write_camera(eye) -> str:
    return ",".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in eye)


FOCUS_VIEWS = ("surface", "contour", "maths", "data", "loss", "eigen", "sweep")  # the views a scene may name first


def _focus(text: str) -> tuple[str, ...]:
    """A comma list of known view names (each once, at most four) as the views a scene shows first."""
    views = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not 1 <= len(views) <= 4 or not set(views) <= set(FOCUS_VIEWS):
        raise ValueError
    return views


# ---- the controls ----
@dataclass(frozen=True)
class Control:
    """One control of the page.

    ``key``: its session-state key (the widget's key); ``default``; ``widget``: the Streamlit
    widget's name and ``label``/``options`` its arguments (app.py may add live ones, such as a
    range that depends on the data); ``link``: its URL parameter, read by ``read`` (text → value,
    ValueError if bad) and written by ``write`` (value → text). A control whose link value sets
    several widgets (the compared runs, the tolerance) has ``read_many``/``write_many`` instead.
    """

    key: str
    default: Any
    widget: str | None = None
    label: str = ""
    options: dict = field(default_factory=dict)
    link: str | None = None
    what: str = ""
    read: Callable[[str], Any] | None = None
    write: Callable[[Any], str | None] = write_number
    read_many: Callable[[str], dict] | None = None
    write_many: Callable[[dict], str | None] | None = None


CONTROLS: dict[str, Control] = {c.key: c for c in [
    Control("problem", PROBLEMS["mse"], "selectbox", "Problem",
            dict(options=list(PROBLEMS.values()),
                 help="Linear regression (mean squared error), logistic regression (two classes, cross-entropy) or a "
                      "classic test surface L(w, b) of optimisation, with no data."),
            "problem", "problem (" + ", ".join(PROBLEMS) + ")", choice({name: label for name, label in PROBLEMS.items()}),
            write_choice(PROBLEMS)),
    Control("source", SYNTHETIC, "selectbox", "Data set", dict(options=SOURCES), "data", "data set",
            read_source, write_source),
    Control("n", 60, "slider", "Points", dict(min_value=10, max_value=1000, help="How many (x, y) pairs."),
            "n", "number of points (10–1000)", number(10, 1000, integer=True)),
    Control("true_w", 2.0, "slider", "True weight", dict(min_value=-5.0, max_value=5.0, step=0.1),
            "w", "true weight (−5–5)", number(-5, 5)),
    Control("true_b", -1.0, "slider", "True bias", dict(min_value=-5.0, max_value=5.0, step=0.1),
            "b", "true bias (−5–5)", number(-5, 5)),
    Control("noise", 1.0, "slider", "Noise", dict(min_value=0.0, max_value=5.0, step=0.1,
                                                  help="Standard deviation of the noise on y."),
            "noise", "noise (0–5)", number(0, 5)),
    Control("offset", 1.0, "slider", "Offset of x",
            dict(min_value=-10.0, max_value=50.0, step=0.5,
                 help="x is drawn from offset ± 2. Far from zero, w and b fight: a long, thin valley."),
            "offset", "offset of x (−10–50)", number(-10, 50)),
    Control("seed", 0, "number_input", "Seed", dict(min_value=0, max_value=1_000_000, step=1),
            "seed", "seed (0–1000000)", number(0, 1_000_000, integer=True)),
    Control("standardise", False, "checkbox", "Standardise x: x′ = (x − mean) / std",
            dict(help="Fit on the rescaled features: a long thin valley becomes a round bowl."),
            "std", "standardise (0 or 1)", flag, write_flag),
    Control("feature", 0, "selectbox", "Weight on the surface",
            dict(help="The surface is the slice through this weight and b; the other weights are held at "
                      "their values at the step shown."),
            "wf", "weight on the surface", number(0, MAX_FEATURES - 1, integer=True)),
    Control("data_view", VIEWS["feature"], "radio", "Data view", dict(options=list(VIEWS.values()), horizontal=True),
            "view", "data view (feature or actual)", choice(VIEWS), write_choice(VIEWS)),
    Control("optimizer", "gd", "selectbox", "Optimizer", dict(options=list(LABELS), format_func=LABELS.get),
            "opt", "optimizer", choice({name: name for name in LABELS}), str),
    Control("lr", 0.1, "select_slider", "Learning rate",
            dict(format_func=nice, help="α in W ← W − α ∂L/∂W (log scale from 0.000001 to 10)."),
            "lr", "learning rate", number(1e-9, 100.0)),
    Control("l2", 0.0, "select_slider", "Ridge penalty λ",
            dict(format_func=nice, help="L + λ‖W‖² (the bias is not penalised): the bowl gets rounder and its "
                                        "optimum moves towards W = 0."),
            "l2", f"ridge penalty λ (a number from 0 to {MAX_PENALTY:g})", number(0.0, MAX_PENALTY)),
    Control("sched", "constant", "selectbox", "Learning-rate schedule",
            dict(options=list(SCHEDULE_NAMES), format_func=SCHEDULE_NAMES.get,
                 help="The rate α_k each update uses, as PyTorch's schedulers set it (stepped once per update)."),
            "sched", "learning-rate schedule (constant, step:30:0.5, exponential:0.98 or cosine:100:0)",
            read_many=read_schedule, write_many=write_schedule),
    Control("sched_step_size", 30, "number_input", "Every (steps)", dict(min_value=1, max_value=100_000, step=1)),
    Control("sched_step_gamma", 0.5, "number_input", "multiply α by γ",
            dict(min_value=0.01, max_value=1.0, step=0.05, format="%.3f")),
    Control("sched_exp_gamma", 0.98, "number_input", "γ (α_k = α·γᵏ)",
            dict(min_value=0.5, max_value=1.0, step=0.005, format="%.4f")),
    Control("sched_t_max", 100, "number_input", "T_max (steps)", dict(min_value=1, max_value=100_000, step=1)),
    Control("sched_eta_min", 0.0, "number_input", "η_min (lowest α)",
            dict(min_value=0.0, max_value=100.0, step=0.0001, format="%.5f")),
    Control("steps", 100, "slider", "Steps", dict(min_value=1, max_value=2000),
            "steps", "steps (1–2000)", number(1, 2000, integer=True)),
    Control("w0", -3.0, "number_input", "Start w₀", dict(min_value=-1e6, max_value=1e6, step=0.5, format="%.3f"),
            "w0", "start w₀", number(-1e6, 1e6)),
    Control("b0", 4.0, "number_input", "Start b₀", dict(min_value=-1e6, max_value=1e6, step=0.5, format="%.3f"),
            "b0", "start b₀", number(-1e6, 1e6)),
    Control("batch_mode", BATCH["full"], "radio", "Batch", dict(options=list(BATCH.values()), horizontal=True),
            "batch", "batch (full, mini or sgd)", choice(BATCH), write_choice(BATCH)),
    Control("batch_size", 10, "slider", "Mini-batch size", dict(min_value=2),
            "bs", "mini-batch size", number(2, 10_000_000, integer=True)),
    Control("use_tol", False, "checkbox", "Stop when |∇L| < tolerance"),
    Control("tol", 1e-3, "select_slider", "Tolerance", dict(format_func=nice),
            "tol", "tolerance", read_many=read_tolerance, write_many=write_tolerance),
    Control("compare_n", 0, "slider", "Other runs on the same surface",
            dict(min_value=0, max_value=3, help="Same data, same start: other optimizers or learning rates, one "
                                                "colour each."),
            "cmp", "compared runs (e.g. momentum:0.1,adam:0.1)", read_many=read_runs, write_many=write_runs),
    Control("log_loss", False, "checkbox", "Log scale for the loss", link="log", what="log scale (0 or 1)",
            read=flag, write=write_flag),
    Control("equal_scales", False, "checkbox", "Equal scales on the contour map", link="equal",
            what="equal scales (0 or 1)", read=flag, write=write_flag),
    Control("arrows", ARROWS["direction"], "radio", "Gradient arrows",
            dict(options=list(ARROWS.values()), horizontal=True,
                 help="Direction: every ∇L arrow the same length, so each step's direction stays visible. True "
                      "scale: lengths proportional to |∇L| (one scale for the run), which shrink as the run converges."),
            "arrows", "gradient arrows (direction or true)", choice(ARROWS), write_choice(ARROWS)),
    Control("pull", False, "checkbox", "Each example's pull",
            dict(help="One thin arrow per example from the current point: its own −gradient, coloured by the sign "
                      "of its residual. Their mean is the bold −∇L. The maths panel unfolds the sum."),
            "pull", "each example's pull (0 or 1)", flag, write_flag),
    Control("eigen", False, "checkbox", "Eigen-directions and their errors",
            dict(help="The Hessian's eigen-directions through the optimum, with λ and the factor 1 − αλ each step "
                      "multiplies the error by; a plot of the error along each, predicted and observed."),
            "eig", "eigen-directions (0 or 1)", flag, write_flag),
    Control("edits", (), link="pts", what="moved or added points (row:x:y,…)", read=read_edits, write=write_edits),
    Control("camera", None, link="cam", what="3-D camera (x,y,z)", read=read_camera, write=write_camera),
    Control("focus", (), link="focus", what="views to show first (" + ", ".join(FOCUS_VIEWS) + ")",
            read=lambda text: _focus(text), write=lambda views: ",".join(views) or None),
    Control("reveal", False, link="reveal", what="reveal the maths line by line (0 or 1)", read=flag, write=write_flag),
    Control("present", False, "toggle", "Presenter mode",
            dict(help="Large type, thick lines, controls tucked away: for the projector."),
            "present", "presenter mode (0 or 1)", flag, write_flag),
]}


def _hyper_control(h) -> Control:
    """An optimizer's hyper-parameter as a slider and a link parameter, from its one description."""
    return Control(h.key, h.default, "slider", h.label,
                   dict(min_value=h.low, max_value=h.high, step=h.step, help=h.help),
                   h.key, f"{h.label} ({h.low:g}–{h.high:g})", number(h.low, h.high))


CONTROLS.update({key: _hyper_control(h) for key, h in optimizers.PAGE_HYPER.items()})
# The page's buttons and the lesson editor's fields: no part of a state, described here once so the
# page draws each by its key (app.draw) and the tests find it by the same key.
_WIDE = dict(width="stretch")
ACTIONS: dict[str, Control] = {c.key: c for c in [
    Control("upload", None, "file_uploader", "CSV file (features…, target)",
            dict(type=["csv", "txt", "tsv"],
                 help="The last numeric column is the target by default; text columns are left out.")),
    Control("add_outlier", None, "button", "Add an outlier",
            dict(_WIDE, help="A point far below the line at the right end of x: watch the optimum and the bowl move.")),
    Control("undo_edit", None, "button", "Undo", _WIDE),
    Control("reset_edits", None, "button", "Reset", dict(_WIDE, help="The data as it was, every moved or added point "
                                                                     "undone.")),
    Control("open_builtin", None, "button", "Built-in lesson",
            dict(_WIDE, help="The lecture notes' story in scenes: PageDown/PageUp (a clicker) move through it.")),
    Control("close_lesson", None, "button", "Close lesson", _WIDE),
    Control("lesson_file", None, "file_uploader", "Open a lesson file (TOML or JSON)", dict(type=["toml", "json"])),
    Control("new_scene_title", None, "text_input", "Title of a new scene", dict(max_chars=80)),
    Control("new_scene_note", None, "text_input", "Note for the lecturer", dict(max_chars=300)),
    Control("new_scene_play", None, "checkbox", "Plays by itself"),
    Control("add_scene", None, "button", "Add this view as a scene",
            dict(_WIDE, help="After the scene shown, with everything on screen (the 3-D camera too).")),
    Control("scene_back", None, "button", "◀", dict(help="The previous scene (PageUp)", width="content")),
    Control("scene_next", None, "button", "▶", dict(help="The next scene (PageDown)", width="content")),
    Control("preset_compare", None, "button", "GD vs momentum vs Adam", _WIDE),
    Control("trajectory_csv", None, "download_button", "Trajectory (CSV)",
            dict(_WIDE, file_name="gdviz-trajectory.csv", mime="text/csv",
                 help="One row per step: step, weights, b, loss, gradient, the gradient used, the update.")),
    Control("data_csv", None, "download_button", "Data (CSV)",
            dict(_WIDE, file_name="gdviz-data.csv", mime="text/csv",
                 help="The data in use, with any moved or added points.")),
    Control("make_gif", None, "button", "Animated GIF of this run",
            dict(_WIDE, help="Up to 60 frames spread over the run (10 a second, the last held), contours and data "
                             "side by side.")),
    Control("download_gif", None, "download_button", "Download: animated GIF of this run",
            dict(_WIDE, file_name="gdviz-run.gif", mime="image/gif")),
    Control("make_slides", None, "button", "Slides: a PNG per scene (zip)",
            dict(_WIDE, help="One 1600x900 picture per scene of the lesson, each run drawn to its last step in view: "
                             "for slides.")),
    Control("download_slides", None, "download_button", "Download: slides: a PNG per scene (zip)",
            dict(_WIDE, file_name="gdviz-lesson-slides.zip", mime="application/zip")),
    Control("lesson_toml", None, "download_button", "Lesson (TOML)",
            dict(_WIDE, file_name="gdviz-lesson.toml", mime="application/toml")),
    Control("lesson_json", None, "download_button", "Lesson (JSON)",
            dict(_WIDE, file_name="gdviz-lesson.json", mime="application/json")),
]}
STEP = "step"  # the step shown when a link opens (written by the views as they step)
LESSON, SCENE = "lesson", "scene"  # a lesson ("builtin" or a compressed one) and its scene (1-based) in a link
COLUMNS = ("features", "target")  # a sample set's columns, checked by the page against the file
READ_STEP = number(0, 1_000_000, integer=True)


def links() -> dict[str, Control]:
    """The controls that travel in a link, by their URL parameter."""
    return {c.link: c for c in CONTROLS.values() if c.link}


def defaults() -> dict[str, Any]:
    """Every control's default, by session key."""
    return {key: control.default for key, control in CONTROLS.items()}


def _visible(text, limit: int = 40) -> str:
    """A link's name or value in a note: its first ``limit`` characters, control characters (a line
    break, a tab) shown as "�" so a note stays one line."""
    return "".join(c if c.isprintable() else "\ufffd" for c in str(text)[:limit])


def decode(params: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """(session values, notes) from a link's parameters (each name with every value it was given).

    A bad value, an unknown name or a name given twice gives a note in plain words; nothing raises.
    ``features`` and ``target`` come back as given (the page checks them against the data set).

    >>> decode({"lr": ["0.05"], "opt": ["adam"], "steps": ["many"]})
    ({'lr': 0.05, 'optimizer': 'adam'}, ['“steps=many” is not a valid steps (1–2000); using the default.'])
    """
    values: dict[str, Any] = {}
    notes: list[str] = []
    known = links()
    unknown = [name for name in params if name not in known and name not in COLUMNS and name != STEP]
    for name, texts in params.items():
        if name in unknown:
            continue
        texts = [str(t)[:2000] for t in (texts if isinstance(texts, list) else [texts])]
        text = texts[-1]
        if len(texts) > 1:
            notes.append(f"“{_visible(name)}” is given {len(texts)} times; using the last ({_visible(text)}).")
        if name in COLUMNS:
            values[name] = _columns(name, text, notes)
            continue
        try:
            values.update(_read(known.get(name), text))
        except (ValueError, KeyError, TypeError):
            what = "step" if name == STEP else known[name].what
            notes.append(f"“{_visible(name)}={_visible(text)}” is not a valid {what}; using the default.")
    if unknown:
        shown = ", ".join(f"“{_visible(name)}”" for name in unknown[:3]) + (", …" if len(unknown) > 3 else "")
        what = "is not a setting" if len(unknown) == 1 else f"{len(unknown)} parameters are not settings"
        notes.append(f"{shown} {what} gdviz knows; ignored." if len(unknown) == 1
                     else f"{what[0].upper() + what[1:]} gdviz knows ({shown}); ignored.")
    if len(notes) > MAX_NOTES:  # a page of boxes helps nobody: the first few and a count
        notes[MAX_NOTES - 1:] = [f"… and {len(notes) - MAX_NOTES + 1} more problems with the link; those "
                                 "settings use their defaults."]
    return values, notes


def _read(control: Control | None, text: str) -> dict[str, Any]:
    if control is None:  # the step
        return {STEP: READ_STEP(text)}
    if control.read_many is not None:
        return control.read_many(text)
    return {control.key: control.read(text)}


def _columns(name: str, text: str, notes: list[str]):
    if name == "target":
        return text
    chosen = [part for part in text.split(",") if part]
    unique = list(dict.fromkeys(chosen))
    if len(unique) < len(chosen):
        notes.append("The link names a feature twice; each is used once.")
    return unique


def encode(state: dict[str, Any]) -> dict[str, str]:
    """Query parameters for the page's state, leaving out what equals its default (short links).

    ``state`` holds session values by key, plus ``features``/``target`` for a sample set's columns
    and ``step``; a value the page does not use (``feature`` on one feature) is left out by the page.
    """
    params: dict[str, str] = {}
    for name, control in links().items():
        if control.write_many is not None:
            text = control.write_many(state)
        elif control.key not in state or state[control.key] == control.default:
            continue
        else:
            text = control.write(state[control.key])
        if text is not None:
            params[name] = text
    if state.get("features"):
        params["features"] = ",".join(state["features"])
    if state.get("target"):
        params["target"] = str(state["target"])
    if state.get(STEP) is not None:
        params[STEP] = str(state[STEP])
    return params


# ---- the page state: one frozen, typed value generated from the controls ----
MAX_COMPARED = 3  # other runs on the same surface


def _type_of(default) -> Any:
    return Any if default is None else type(default)


_EXTRA = [  # what is on screen besides the controls' values
    ("compared", tuple, ()),  # the other runs: ((optimizer, learning rate), …)
    ("features", Any, None),  # a sample set's feature columns (None: its own)
    ("target", Any, None),  # a sample set's target column (None: its own)
    ("upload", Any, None),  # an uploaded file (an Upload choice; a link cannot carry it)
    ("lesson", Any, None),  # the lesson in a link: "builtin" or a compressed lesson
    ("scene", Any, None),  # its scene, 1-based
    ("step", Any, None),  # the step shown when the page opens (None: step 0)
]
_WIDGET_ONLY = ("compare_n",)  # widget plumbing: ``compared`` says it


def _canonical(self) -> None:
    """A state says each thing once: a value the page does not use (the tolerance with no stop,
    the parameters of another schedule, the mini-batch size of a full batch) is its default, so
    two states that show the same page are equal (and key the same cache entry)."""
    defaults = {f.name: f.default for f in fields(self)}
    values = {f.name: getattr(self, f.name) for f in fields(self)}
    unused = {key for key in WHEN if not WHEN[key](values)}
    if not (_regression(values) and self.source in gdata.SAMPLES):  # a sample set's own columns
        unused |= {"features", "target"}
    for name in unused:
        object.__setattr__(self, name, defaults[name])
    object.__setattr__(self, "compared", tuple((str(name), float(rate)) for name, rate in self.compared))
    for name in ("features", "edits"):
        value = getattr(self, name)
        if isinstance(value, list):
            object.__setattr__(self, name, tuple(value))


def _regression(values) -> bool:
    return problem_name(values["problem"]) in REGRESSIONS


def _synthetic(values) -> bool:
    return _regression(values) and values["source"] == SYNTHETIC


# When a control means something, as a test of the state's (or the session's) values: its widget is
# drawn only then, and a state keeps its default otherwise (a test surface has no data, penalty or
# batches; the tolerance needs the stop; each schedule its own parameters; classes have no noise).
WHEN: dict[str, Callable[[Any], bool]] = {
    **{key: _regression for key in ("l2", "source", "standardise", "feature", "data_view", "batch_mode", "edits",
                                    "pull", "eigen")},
    **{key: _synthetic for key in ("n", "true_w", "true_b", "offset", "seed")},
    "noise": lambda values: _synthetic(values) and problem_name(values["problem"]) != "logistic",
    "batch_size": lambda values: _regression(values) and values["batch_mode"] == BATCH["mini"],
    "tol": lambda values: bool(values["use_tol"]),
    **{key: (lambda name: lambda values: values["sched"] == name)(name)
       for name, keys in {"step": ("sched_step_size", "sched_step_gamma"), "exponential": ("sched_exp_gamma",),
                          "cosine": ("sched_t_max", "sched_eta_min")}.items() for key in keys},
    **{key: (lambda users: lambda values: bool(set(users) & optimizers_in(values)))(users)  # μ, β₁, β₂
       for key, users in optimizers.PAGE_HYPER_USERS.items()},
}


def optimizers_in(values) -> set[str]:
    """The optimizers a state's (or the session's) runs use: the run's and the compared runs'."""
    compared = values.get("compared")
    if compared is None:  # the session's widgets
        compared = [(values.get(f"cmp_opt_{i}"), None) for i in range(1, int(values.get("compare_n") or 0) + 1)]
    return {values["optimizer"], *(name for name, _ in compared)}


def used(key: str, values) -> bool:
    """Whether control ``key`` means something for these values (WHEN)."""
    return key not in WHEN or WHEN[key](values)


def rate_scale(*values: float) -> list[float]:
    """The log scale of rates plus any value in use, so a preset lands exactly on the slider."""
    return sorted(set(LEARNING_RATES) | {float(v) for v in values})


def widget_options(key: str, values) -> dict:
    """A widget's arguments that depend on the values in use (the session's): its scale with the value
    in use on it, a mini-batch smaller than the data's rows (``base_m``)."""
    if key in ("lr", "l2"):
        return {"options": rate_scale(values[key], *(PENALTIES if key == "l2" else ()))}
    if key == "tol":
        return {"options": sorted(set(TOLERANCES) | {float(values["tol"])}, reverse=True)}
    if key == "batch_size":
        return {"max_value": max(3, int(values.get("base_m") or 0) - 1)}
    if key in ("pull", "eigen") and (problem_name(values["problem"]) != "mse" or values["l2"]):
        return {"disabled": True, "help": "Linear regression without a penalty only (its loss is the quadratic these "
                                          "views explain)."}
    return {}


# The widgets of a regression (its data, penalty, batches and data-only views), kept while a test surface hides them.
DATA_KEYS = ("l2", "source", "standardise", "feature", "data_view", "batch_mode", "batch_size", "n", "true_w", "true_b",
             "noise", "offset", "seed", "pull", "eigen")
SCHEDULE_KEYS = ("sched_step_size", "sched_step_gamma", "sched_exp_gamma", "sched_t_max", "sched_eta_min")
SYNTHETIC_KEYS = ("n", "true_w", "true_b", "noise", "offset", "seed")


class _PageStateMethods:
    """What a page state means, asked of the state itself (gdviz.lecture does the rest)."""

    def __post_init__(self) -> None:
        _canonical(self)

    def replace(self, **changes) -> "PageState":
        return replace(self, **changes)

    # ---- meanings the lecture asks for ----
    @property
    def problem_id(self) -> str:
        """"mse", "logistic" or a test surface's name."""
        return problem_name(self.problem)

    @property
    def regression(self) -> bool:
        return self.problem_id in REGRESSIONS

    @property
    def schedule(self):
        """None (a constant rate) or (name, parameters), as gdviz.descend takes it."""
        return schedule_of(self.as_values())

    def hyper(self, optimizer: str) -> dict:
        """The keywords gdviz.descend takes for ``optimizer`` from this state's μ, β₁, β₂."""
        return optimizers.hyper_settings(optimizer, {key: getattr(self, key) for key in optimizers.PAGE_HYPER})

    def data_choice(self):
        """The data in use as a typed choice (Synthetic, Sample, Upload; Edited with moved points)."""
        if self.source == SYNTHETIC:
            base = Synthetic(n=self.n, true_w=self.true_w, true_b=self.true_b, noise=self.noise, seed=self.seed,
                             offset=self.offset, classes=self.problem_id == "logistic")
        elif self.source == UPLOAD:
            base = self.upload
        else:
            base = Sample(self.source, self.features, self.target if self.features else None)
        return Edited(base, self.edits) if self.edits and base is not None else base

    # ---- the session's widget values ----
    def as_values(self) -> dict[str, Any]:
        """The widgets' values by session key (the compared runs as compare_n, cmp_opt_i, cmp_lr_i)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        compared = values.pop("compared")
        values["compare_n"] = len(compared)
        for i, (name, rate) in enumerate(compared, start=1):
            values[f"cmp_opt_{i}"], values[f"cmp_lr_{i}"] = name, rate
        return values

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> "PageState":
        """A state from the widgets' values by session key; missing keys take their defaults."""
        names = {f.name for f in fields(cls)}
        given = {key: value for key, value in values.items() if key in names}
        if "compared" not in given and "compare_n" in values:
            given["compared"] = tuple((values.get(f"cmp_opt_{i}", COMPARE_DEFAULTS[i - 1]),
                                       float(values.get(f"cmp_lr_{i}", values.get("lr", CONTROLS["lr"].default))))
                                      for i in range(1, int(values.get("compare_n") or 0) + 1))
        return cls(**given)

    # ---- the link ----
    def to_link(self) -> dict[str, str]:
        """The state as a link's parameters, canonical: what equals its default is left out.

        >>> PageState(lr=0.05, optimizer="adam").to_link()
        {'opt': 'adam', 'lr': '0.05'}
        """
        values = self.as_values()
        params = encode({**values, STEP: None})
        if self.step is not None:
            params[STEP] = str(self.step)
        if self.lesson is not None:
            params[LESSON] = str(self.lesson)
            params[SCENE] = str(self.scene or 1)
        return params

    @classmethod
    def from_link(cls, params: dict[str, list[str]]) -> tuple["PageState", list[str]]:
        """(the state a link's parameters say, notes on what could not be used). Every bad value is
        a note in plain words and its default; nothing raises. A sample set's ``features``/``target``
        are checked against its file."""
        params = {name: texts if isinstance(texts, list) else [texts] for name, texts in params.items()}
        lesson, scene = params.pop(LESSON, [None])[-1], params.pop(SCENE, [None])[-1]
        values, notes = decode(params)
        values[STEP] = values.pop(STEP, None)
        columns = {name: values.pop(name) for name in COLUMNS if name in values}
        source = values.get("source", CONTROLS["source"].default)
        if columns:
            why = _columns_problem(source, columns)
            if why:
                notes.append(why)
            else:
                values.update(features=tuple(columns["features"]) if "features" in columns else None,
                              target=columns.get("target"))
        if lesson is not None:
            values[LESSON] = str(lesson)[:8000]
            try:
                values[SCENE] = READ_STEP(str(scene)) if scene is not None else 1
            except ValueError:
                notes.append(f"“scene={_visible(scene)}” is not a scene number; opening scene 1.")
                values[SCENE] = 1
        elif scene is not None:
            notes.append("The link names a scene but no lesson; ignored.")
        made = cls.from_values(values)
        if not made.regression:  # a test surface has no data, penalty or batches: their settings mean nothing
            keys = {*DATA_KEYS, "edits"}
            unused = [name for name in params if (name in links() and links()[name].key in keys
                                                  and links()[name].key in values) or name in columns]
            if unused:
                shown = ", ".join(f"“{name}”" for name in unused[:4]) + (", …" if len(unused) > 4 else "")
                notes.append(f"{shown} {'means' if len(unused) == 1 else 'mean'} nothing on a test surface (it has "
                             "no data); ignored.")
        for key, users in optimizers.PAGE_HYPER_USERS.items():  # μ without momentum, β without Adam
            if key in values and getattr(made, key) != values[key]:  # the canonical state dropped it
                notes.append(f"“{key}” is a setting of {' and '.join(users)}, which this link does not run; ignored.")
        return made, notes

    def scene_params(self) -> dict[str, str]:
        """The state as a lesson scene carries it: its difference from the defaults, in link form
        (no step, lesson or scene: a scene opens at step 0)."""
        return self.replace(step=None, lesson=None, scene=None, upload=None).to_link()


def named(params: dict) -> frozenset[str]:
    """The state's fields a link's parameters set (a value equal to its default counts: ``std=0``
    says "raw" as plainly as ``std=1`` says "standardised")."""
    values, _ = decode({name: texts if isinstance(texts, list) else [texts] for name, texts in params.items()})
    return frozenset("compared" if key == "compare_n" or key.startswith("cmp_") else key for key in values)


def _columns_problem(source: str, columns: dict) -> str | None:
    """Why a link's ``features``/``target`` cannot be used with ``source`` (None: they can)."""
    if source not in gdata.SAMPLES:
        return "The link names columns (features, target), which only a sample set has; ignored."
    _, numeric = gdata.csv_columns(gdata.SAMPLES_DIR / gdata.SAMPLES[source])
    wanted = [*columns.get("features", []), *([columns["target"]] if "target" in columns else [])]
    if all(c in numeric for c in wanted) and columns.get("target") not in columns.get("features", []):
        return None
    return f"The link names columns that {source} does not have (or one twice); using its own."


PageState = make_dataclass(
    "PageState",
    [(c.key, _type_of(c.default), field(default=c.default)) for c in CONTROLS.values() if c.key not in _WIDGET_ONLY]
    + [(name, kind, field(default=default)) for name, kind, default in _EXTRA],
    bases=(_PageStateMethods,), frozen=True)
PageState.__module__ = __name__  # pickled by name (the page's cache copies it)
PageState.__doc__ = """What is on screen, as one frozen value: every control's value (generated from CONTROLS),
the compared runs, the moved points (``edits``), a sample set's columns, an uploaded file, the lesson
and scene, the 3-D camera and the step. gdviz.lecture(state) turns it into everything drawn."""
