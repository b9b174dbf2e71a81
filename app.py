"""gdviz — the lecture page. Reads the controls, calls gdviz (cached), places the views.

All maths lives in gdviz; the views that follow the step control live in the browser
(gdviz/web), so stepping and playing never rerun this script. Every control is described once in
gdviz/web/state.py (default, widget, link name); this file draws them and wires them together.
"""
from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

import gdviz
from gdviz import DataError, figures, lessons, slides, web
from gdviz.data import SAMPLES, csv_columns, read_csv
from gdviz.optimizers import LABELS
from gdviz.presets import PRESETS, settings_that_fit
from gdviz.web import state
from gdviz.web.state import (COMPARE_DEFAULTS, CONTROLS, LEARNING_RATES, MAX_FEATURES, SYNTHETIC, TOLERANCES, UPLOAD,
                             Sample, Synthetic, Upload, nice)

st.set_page_config(page_title="gdviz — gradient descent", page_icon="⛰️", layout="wide")
DEFAULT_DATA = Synthetic()


# ---- cached calls into gdviz; every input arrives as an argument (uploaded bytes as _raw) ----
@st.cache_data(max_entries=16, show_spinner=False)
def load_dataset(choice: state.DataChoice, _raw: bytes | None = None) -> gdviz.Dataset:
    """The data set a choice names (an upload is keyed by its bytes' hash, which the choice holds)."""
    return choice.load(_raw)


@st.cache_data(max_entries=16, show_spinner=False)
def columns_of(identity: str, _raw: bytes | None) -> tuple[list[str], list[str], str]:
    """Numeric columns of a file and read_csv's default features (at most MAX_FEATURES) and target."""
    source = _raw if _raw is not None else gdviz.data.SAMPLES_DIR / SAMPLES[identity]
    _, numeric = csv_columns(source)
    default = read_csv(source)
    return numeric, list(default.feature_names), default.target_name


def fitted(choice, raw, standardise: bool) -> gdviz.Dataset:
    data = load_dataset(choice, raw)
    return data.standardized() if standardise else data


def problem_data(choice, raw, standardise: bool, problem: str):
    """What is descended: the data in use (fitted as shown) for the two regressions, or the test surface."""
    if problem in state.REGRESSIONS:
        return fitted(choice, raw, standardise)
    return gdviz.test_function(problem)


def objective_of(problem: str) -> str:
    return "logistic" if problem == "logistic" else "mse"


def as_schedule(key):
    """A schedule's cache key ((name, ((parameter, value), …)) or None) as gdviz.descend takes it."""
    return None if key is None else (key[0], dict(key[1]))


def start_weights(d: int, feature: int, w0: float) -> list[float]:
    """The start W: w₀ for the weight on the surface, 0 for the others."""
    return [w0 if i == feature else 0.0 for i in range(d)]


def run_label(optimizer: str, lr: float) -> str:
    return f"{LABELS[optimizer]}, α = {nice(lr)}"


@st.cache_data(max_entries=64, show_spinner=False)
def make_run(choice, _raw, standardise: bool, optimizer: str, lr: float, start: tuple, steps: int,
             batch_size: int | None, tol: float | None, problem: str = "mse", l2: float = 0.0,
             schedule=None) -> gdviz.Trajectory:
    """One run, keyed by the maths inputs only (a compared run is cached on its own)."""
    data = problem_data(choice, _raw, standardise, problem)
    return gdviz.descend(data, optimizer=optimizer, lr=lr, steps=steps, w0=list(start[:-1]), b0=start[-1],
                         batch_size=batch_size, seed=0, tol=tol, objective=objective_of(problem), l2=l2,
                         schedule=as_schedule(schedule))


@st.cache_data(max_entries=32, show_spinner=False)
def make_sweep(choice, _raw, standardise: bool, optimizer: str, start: tuple, steps: int, tol: float | None,
               problem: str = "mse", l2: float = 0.0, schedule=None) -> dict:
    """Final loss for 80 learning rates around the stability limit, one vectorised run (the same loss,
    penalty and schedule as the run; α_max of a loss that is not a quadratic is estimated from the
    Hessian at the start and the optimum). It does not depend on the run's own learning rate: that
    marker is added apart (figures.mark_learning_rate)."""
    data = problem_data(choice, _raw, standardise, problem)
    maths = dict(objective=objective_of(problem), l2=l2)
    c = gdviz.curvature(data, **maths, **({} if maths["objective"] == "mse" and problem in state.REGRESSIONS
                                          else dict(w0=list(start[:-1]), b0=start[-1])))
    rates = np.geomspace(c.lr_max * 1e-4, c.lr_max * 3, 80)
    result = gdviz.sweep(data, rates, optimizer=optimizer, steps=steps, w0=list(start[:-1]), b0=start[-1], tol=tol,
                         schedule=as_schedule(schedule), **maths)
    return figures.sweep_figure(result, c).to_plotly_json()  # a dict: cheap to copy from the cache


@st.cache_data(max_entries=32, show_spinner=False)
def make_views(choice, _raw, standardise: bool, feature: int, data_view: str, optimizer: str, lr: float,
               start: tuple, steps: int, batch_size: int | None, tol: float | None, compared: tuple,
               log_loss: bool, equal_scales: bool, step: int | None, camera: tuple | None = None,
               arrows: str = "direction", pull: bool = False, eigen: bool = False, problem: str = "mse",
               l2: float = 0.0, schedule=None):
    """Everything the browser needs to show the runs (cached: a class shares the work). The runs and
    the sweep come from their own caches, so a view option only rebuilds the figures."""
    data = problem_data(choice, _raw, standardise, problem)
    maths = dict(start=start, steps=steps, batch_size=batch_size, tol=tol, problem=problem, l2=l2, schedule=schedule)
    run = make_run(choice, _raw, standardise, optimizer, lr, **maths)
    others = tuple((run_label(name, rate), make_run(choice, _raw, standardise, name, rate, **maths))
                   for name, rate in compared)
    sweep = None if problem == "saddle" else figures.mark_learning_rate(  # a saddle's loss falls without end
        make_sweep(choice, _raw, standardise, optimizer, start, steps, tol, problem, l2, schedule), lr)
    spec = web.lecture_spec(data, run, feature=feature, log_loss=log_loss, equal_scales=equal_scales,
                            label=run_label(optimizer, lr), others=others,
                            original=load_dataset(choice, _raw) if standardise and problem in state.REGRESSIONS else None,
                            data_view="actual" if data_view == state.VIEWS["actual"] else "feature",
                            step=step, sweep=sweep, camera=camera, arrows=arrows,
                            **{name: True for name, on in (("pull", pull), ("eigen", eigen)) if on})
    web.script_json(spec)  # raises ValueError if a non-finite number would reach the browser
    summary = dict(steps=run.steps, diverged_at=run.diverged_at, converged_at=run.converged_at,
                   final_loss=float(run.loss[-1]), start_loss=float(run.loss[0]), grad_norm=float(run.grad_norm[-1]),
                   others=[(label, other.diverged_at) for label, other in others], note=run.note,
                   csv=run.to_frame().to_csv(index=False))
    return spec, summary


@st.cache_data(max_entries=32, show_spinner=False)
def theory(choice, _raw, standardise: bool, feature: int, problem: str = "mse", l2: float = 0.0):
    """The optimum, the curvature's numbers and what is degenerate about the data being fitted (for a
    loss that is not a quadratic the curvature is estimated, and ``estimate`` says how)."""
    data = problem_data(choice, _raw, standardise, problem)
    maths = dict(objective=objective_of(problem), l2=l2)
    surface = problem not in state.REGRESSIONS
    try:
        w_star, b_star = gdviz.optimum(data, **maths)
        optimum = dict(w_star=float(w_star[feature]), b_star=b_star,
                       loss_min=float(gdviz.loss(data, w_star, b_star, **maths)))
        no_optimum = None
    except ValueError as error:  # the saddle, separable classes: no finite minimum
        optimum, no_optimum = dict(w_star=float("nan"), b_star=float("nan"), loss_min=float("nan")), str(error)
    c = gdviz.curvature(data, **maths)
    raw_condition = float("nan")
    if not surface:
        try:
            raw_condition = gdviz.curvature(load_dataset(choice, _raw), **maths).condition_number
        except ValueError:
            pass
    return dict(**optimum, no_optimum=no_optimum, lr_max=c.lr_max, lr_best=c.lr_best, condition=c.condition_number,
                m=None if surface else data.m, d=data.d, name=data.title if surface else data.name,
                eigenvalues=c.eigenvalues.tolist(), presets=gdviz.learning_rate_presets(data, **maths),
                raw_condition=raw_condition, estimate=c.estimate, surface=surface,
                formula=data.formula if surface else None,
                rows_dropped=0 if surface else data.rows_dropped, names=list(data.feature_names),
                target=None if surface else data.target_name,
                degeneracy=None if surface else gdviz.degeneracy(data))


@st.cache_data(max_entries=64, show_spinner=False)
def stability(choice, _raw, standardise: bool, optimizer: str, lr: float, problem: str = "mse", l2: float = 0.0) -> str:
    """Why this learning rate converges, zig-zags or diverges, with the curvature's numbers."""
    objective = objective_of(problem) if problem in state.REGRESSIONS else problem
    return gdviz.stability_note(problem_data(choice, _raw, standardise, problem), optimizer, lr, objective=objective,
                                l2=l2)


@st.cache_data(max_entries=16, show_spinner=False)
def data_csv(choice, _raw) -> str:
    """The data in use as CSV (features, then the target), moved or added points included."""
    data = load_dataset(choice, _raw)
    table = pd.DataFrame(data.X, columns=list(data.feature_names))
    table[data.target_name] = data.y
    return table.to_csv(index=False)


@st.cache_resource
def views_component():
    return components.declare_component("gdviz_views", path=web.component_dir())


# ---- text and widgets ----
MARKDOWN_SIGNS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:=&%^\"'@/,;?"})


# Streamlit's markdown turns a bare address (https://…, www.…, a@b.c) into a link even when its
# signs are escaped: an invisible word joiner in "://", "www." and after "@" keeps it text.
AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")


def plain(text) -> str:
    """User text (a file or column name, a link's value) for a markdown element: every ASCII
    punctuation sign escaped, so it shows as written and never becomes a link, an image or formatting."""
    return AUTOLINK.sub("\u2060", str(text)).translate(MARKDOWN_SIGNS)


def number_text(value: float) -> str:
    """A number for a metric: four digits, "infinite" rather than "inf", "none" rather than "nan"."""
    if value != value:
        return "none"
    return "infinite" if value == float("inf") else nice(value)


def draw(container, key: str, **live):
    """The widget of control ``key`` (gdviz/web/state.py), with arguments that depend on the data."""
    control = CONTROLS[key]
    return getattr(container, control.widget)(control.label, key=key, **{**control.options, **live})


def rates_with(*values: float) -> list[float]:
    """The log scale plus any preset values in use, so a preset lands exactly on the slider."""
    return sorted(set(LEARNING_RATES) | {float(v) for v in values if v is not None})


def made_file(container, name: str, key: str, label: str, file_name: str, mime: str, make, help_text: str) -> None:
    """A button that makes a file with a progress bar (frames take a moment), then offers it for
    download until what it was made from changes."""
    made = st.session_state.get(f"made_{name}")
    if made is not None and made[0] == key:
        container.download_button(f"Download: {label.lower()}", made[1], file_name=file_name, mime=mime,
                                  width="stretch", key=f"download_{name}")
        return
    if container.button(label, key=f"make_{name}", width="stretch", help=help_text):
        bar = container.progress(0.0, text="Drawing…")
        data = make(lambda done, total: bar.progress(done / total, text=f"Drawing {done} of {total}…"))
        st.session_state[f"made_{name}"] = (key, data)
        bar.empty()
        container.download_button(f"Download: {label.lower()}", data, file_name=file_name, mime=mime,
                                  width="stretch", key=f"download_{name}")


# ---- callbacks (they run before the script, so they may set widgets' values) ----
def finite_numbers(*values) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in values)


def from_views() -> None:
    """What the views sent: a click on the contour map moves the start (w0, b0) there; a dragged
    data point moves that point; PageDown/PageUp in a lesson move to another scene."""
    value = st.session_state.get("views")
    if not isinstance(value, dict):
        return
    start, point = value.get("start"), value.get("point")
    if isinstance(start, list) and len(start) == 2 and finite_numbers(*start):
        st.session_state["w0"] = float(np.clip(round(float(start[0]), 3), -1e6, 1e6))
        st.session_state["b0"] = float(np.clip(round(float(start[1]), 3), -1e6, 1e6))
    if isinstance(point, dict) and finite_numbers(point.get("row", 0), point.get("x"), point.get("y")):
        row = point.get("row")
        move_point(None if row is None else int(row), float(point["x"]), float(point["y"]))
    if value.get("scene") in (1, -1) and "lesson" in st.session_state:
        go_to_scene(st.session_state.get("scene", 1) + value["scene"])


def move_point(row: int | None, x: float, y: float) -> None:
    """A dragged point (row of the data as shown; rows past the original ones are added points) or a
    new one (row None) becomes an edit of the data in use (x and y rounded to 4 significant digits)."""
    edits, base_m = st.session_state.get("edits", ()), st.session_state.get("base_m", 0)
    x, y = (float(f"{v:.4g}") for v in (x, y))
    if st.session_state.get("problem_in_use") == "logistic":  # a class: the point lands on 0 or 1
        y = 1.0 if y >= 0.5 else 0.0
    try:
        if row is not None and row >= base_m:  # an added point moved again: it stays one added point
            added = [i for i, e in enumerate(edits) if e[0] == state.ADDED]
            if row - base_m < len(added):
                i = added[row - base_m]
                st.session_state["edits"] = edits[:i] + ((state.ADDED, x, y),) + edits[i + 1:]
            return
        st.session_state["edits"] = state.add_edit(edits, state.ADDED if row is None else row, x, y)
    except ValueError as error:
        st.session_state["edit_note"] = str(error)


def add_outlier(data: gdviz.Dataset) -> None:
    """One click: a point far below the fitted line at the right end of x (the next one a little left)."""
    x, y = data.X[:, 0], data.y
    n_added = sum(1 for e in st.session_state.get("edits", ()) if e[0] == state.ADDED)
    span_x, span_y = float(np.ptp(x)) or 1.0, float(np.ptp(y)) or 1.0
    move_point(None, float(x.max()) - 0.08 * n_added * span_x, float(y.min()) - 0.6 * span_y)


def undo_edit() -> None:
    st.session_state["edits"] = st.session_state.get("edits", ())[:-1]


def reset_edits() -> None:
    st.session_state["edits"] = ()


def apply_preset(lr: float, compare: tuple = ()) -> None:
    """A preset button: plain gradient descent at a learning rate chosen by the theory."""
    st.session_state["lr"] = lr
    st.session_state["optimizer"] = "gd"
    st.session_state["compare_n"] = len(compare)
    for i, name in enumerate(compare, start=1):
        st.session_state[f"cmp_opt_{i}"] = name
        st.session_state[f"cmp_lr_{i}"] = lr


def scale_below(rate: float) -> float:
    """The largest learning rate on the slider's scale at most ``rate``."""
    return max([r for r in LEARNING_RATES if r <= rate] or [LEARNING_RATES[0]])


def suit_new_data(choice, raw: bytes | None, data, problem: str = "mse") -> None:
    """New data (not a tweak of the synthetic knobs) or a new problem: start from 0 at a learning rate
    that glides on it (the largest on the scale at most half of α_best), before the widgets are drawn.
    A test surface starts where its story starts (TestFunction.start) at its "just right" preset."""
    from_link = st.session_state.pop("link_keys", set())  # what a link set wins, on its first view
    previous = st.session_state.get("data_in_use", DEFAULT_DATA)
    previous_problem = st.session_state.get("problem_in_use", "mse")
    st.session_state["data_in_use"], st.session_state["problem_in_use"] = choice, problem
    surface = problem not in state.REGRESSIONS
    if previous_problem == problem and (surface or state.same_data_set(previous, choice)):
        return
    objective = objective_of(problem)
    if surface:
        rate = scale_below(gdviz.learning_rate_presets(data)["just right"])
        suited = dict(lr=rate, w0=float(data.start[0]), b0=float(data.start[1]), compare_n=0,
                      steps=max(int(st.session_state.get("steps", 100)), 300))
    else:
        best = gdviz.curvature(data, objective=objective).lr_best
        start = (-3.0, 4.0) if isinstance(choice, Synthetic) and objective == "mse" else (0.0, 0.0)
        suited = dict(lr=scale_below(best / 2), w0=start[0], b0=start[1], feature=0, compare_n=0)
        if not isinstance(choice, Synthetic):  # real data: open on settings that reach the fit
            suited.update(fit_settings(choice, raw, objective))
    st.session_state.update({key: value for key, value in suited.items() if key not in from_link})


def fit_settings(choice, raw, objective: str = "mse") -> dict:
    """Learning rate, steps and standardisation with which plain gradient descent reaches within 1%
    of the least loss on this data (standardised only if the raw valley is too long)."""
    for standardise in (False, True):
        try:
            fit = settings_that_fit(fitted(choice, raw, standardise), objective=objective)
        except ValueError:  # no finite optimum (separable classes)
            fit = None
        if fit is not None:
            st.session_state["fit_note"] = (choice, standardise, fit[1])
            return dict(lr=fit[0], steps=fit[1], standardise=standardise, optimizer="gd", batch_mode=state.BATCH["full"])
    return {}


def read_link() -> None:
    """On a session's first run: the link's settings become the widgets' values (bad ones: a note).
    A link to a lesson's scene alone (``lesson=builtin&scene=3``) opens that scene; with settings
    beside it, the settings are the view (they are what the page wrote while the scene was changed)."""
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    lesson_text, scene_text = params.pop(state.LESSON, [None])[-1], params.pop(state.SCENE, [None])[-1]
    notes = open_lesson_link(lesson_text, scene_text, settings=bool(params)) if lesson_text else []
    if params or not lesson_text:
        apply_params(params, notes)
    else:
        st.session_state["link_notes"] = notes


def apply_params(params: dict[str, list[str]], notes: list[str]) -> None:
    """Link parameters (a link's or a scene's) into the widgets' values; what cannot be used: a note."""
    values, more = state.decode(params)
    notes = notes + more
    st.session_state["link_step"] = values.pop(state.STEP, None)
    title = values.get("source")
    columns = {name: values.pop(name) for name in state.COLUMNS if name in values}
    if columns and title not in SAMPLES:
        notes.append("The link names columns (features, target), which only a sample set has; ignored.")
    elif columns:
        numeric, _, _ = columns_of(title, None)
        wanted = [*columns.get("features", []), *([columns["target"]] if "target" in columns else [])]
        if all(c in numeric for c in wanted) and columns.get("target") not in columns.get("features", []):
            for name, chosen in columns.items():
                st.session_state[f"{name}_{title}"] = chosen
        else:
            notes.append(f"The link names columns that {title} does not have (or one twice); using its own.")
    st.session_state["link_keys"] = set(values)
    st.session_state["link_feature"] = values.get("feature")
    st.session_state.update(values)
    st.session_state["link_notes"] = notes


def current_params(choice, dims: int) -> dict[str, str]:
    """The page's state as link parameters (what a link or a scene carries)."""
    values = {key: st.session_state.get(key) for key in CONTROLS}
    values.update({name: st.session_state.get(name) for i in range(1, 4) for name in (f"cmp_opt_{i}", f"cmp_lr_{i}")})
    if dims == 1:
        values["feature"] = CONTROLS["feature"].default  # one weight: nothing to choose
    base = state.unedited(choice)
    if isinstance(base, Sample) and columns_of(base.title, None)[1:] != (list(base.features), base.target):
        values["features"], values["target"] = list(base.features), base.target  # not the set's own columns
    return state.encode(values)


def write_link(choice, dims: int) -> None:
    """The page's state into the URL, so the address bar is always a link to this view (and to the
    lesson's scene, when a lesson is open)."""
    params = current_params(choice, dims)
    step = st.session_state.get("link_step")
    if step is not None:
        params[state.STEP] = str(step)
    params.update(lesson_params())
    if {name: st.query_params.get_all(name) for name in st.query_params} != {k: [v] for k, v in params.items()}:
        st.query_params.from_dict(params)


# ---- a lesson: an ordered list of scenes (each a whole page state), moved through with a clicker ----
def open_lesson_link(text: str, scene_text: str | None, settings: bool) -> list[str]:
    """The lesson a link names (``builtin`` or a compressed one) at its scene; notes if it cannot be."""
    try:
        lesson = lessons.builtin_lesson() if text == "builtin" else lessons.lesson_from_link(text)
    except lessons.LessonError as error:
        return [f"The lesson in the link cannot be opened: {error}"]
    notes = []
    try:
        k = state.READ_STEP(scene_text) if scene_text is not None else 1
    except ValueError:
        k = 1
        notes.append(f"“scene={str(scene_text)[:40]}” is not a scene number; opening scene 1.")
    if not 1 <= k <= len(lesson.scenes):
        notes.append(f"This lesson has {len(lesson.scenes)} scenes, not {k}; opening scene 1.")
        k = 1
    st.session_state["lesson"] = lesson
    if settings:  # the link's own settings are the view: only the scene's number is taken
        st.session_state["scene"] = k
    else:
        go_to_scene(k)
    return notes + st.session_state.get("link_notes", [])


def go_to_scene(k: int) -> None:
    """Scene k (clamped to the lesson) on the page: every control back to its default, then the
    scene's settings; it opens at step 0 and plays by itself if the scene says so."""
    lesson = st.session_state["lesson"]
    k = min(max(int(k), 1), len(lesson.scenes))
    scene = lesson.scenes[k - 1]
    st.session_state["scene"] = k
    for key, value in state.defaults().items():
        st.session_state[key] = value
    apply_params(lessons.page_params(scene), [])
    st.session_state["autoplay"] = bool(scene.play)


def lesson_params() -> dict[str, str]:
    """``lesson`` and ``scene`` for the link: "builtin", or the lesson compressed if it fits."""
    lesson = st.session_state.get("lesson")
    if lesson is None:
        return {}
    if lesson == lessons.builtin_lesson():
        text = "builtin"
    elif lessons.fits_in_link(lesson):
        text = lessons.lesson_to_link(lesson)
    else:
        return {}
    return {state.LESSON: text, state.SCENE: str(st.session_state.get("scene", 1))}


for name, value in state.defaults().items():
    st.session_state.setdefault(name, value)
if "link_notes" not in st.session_state:
    read_link()


# ---- controls ----
DATA_KEYS = ("source", "n", "true_w", "true_b", "noise", "offset", "seed", "standardise", "feature", "data_view",
             "batch_mode", "batch_size")
CHALLENGER = next(title for title in SAMPLES if title in gdviz.data.BINARY_SAMPLES)


def choose_synthetic(classes: bool = False) -> Synthetic:
    """The synthetic knobs: a noisy line, or (logistic regression) classes y ~ Bernoulli(σ(w x + b))."""
    keys = ("n", "true_w", "true_b", "offset", "seed") if classes else ("n", "true_w", "true_b", "noise", "offset", "seed")
    values = {key: draw(st, key) for key in keys}
    if classes:
        st.caption("Classes: each y is 1 with probability σ(true weight · x + true bias), else 0.")
    return Synthetic(n=int(values["n"]), true_w=float(values["true_w"]), true_b=float(values["true_b"]),
                     noise=float(st.session_state["noise"]), seed=int(values["seed"]), offset=float(values["offset"]),
                     classes=classes)


def binary_data(choice, raw, data, problem):
    """Logistic regression needs a 0/1 target: other data gives the core's sentence, and the page keeps
    the last 0/1 data it showed (the Challenger launches at first)."""
    try:
        gdviz.model.checked_objective(data, "logistic", 0.0)
        st.session_state["good_logistic"] = (choice, raw)
        return choice, raw, data, problem
    except DataError as error:
        _, features, target = columns_of(CHALLENGER, None)
        kept, kept_raw = st.session_state.get("good_logistic", (Sample(CHALLENGER, tuple(features), target), None))
        return kept, kept_raw, load_dataset(kept, kept_raw), f"{error}"


def choose_schedule(lr: float):
    """The schedule widgets; (the schedule's cache key or None, a sentence when it cannot be used)."""
    name = draw(st, "sched")
    parameters = {"step": ("sched_step_size", "sched_step_gamma"), "exponential": ("sched_exp_gamma",),
                  "cosine": ("sched_t_max", "sched_eta_min")}.get(name, ())
    columns = st.columns(max(len(parameters), 1))
    for column, key in zip(columns, parameters):
        low, high = CONTROLS[key].options["min_value"], CONTROLS[key].options["max_value"]
        st.session_state[key] = type(CONTROLS[key].default)(np.clip(st.session_state[key], low, high))
        draw(column, key)
    schedule = state.schedule_of(st.session_state)
    if schedule is None:
        return None, None
    try:
        gdviz.schedules.checked(schedule, lr)
    except ValueError as error:
        return None, f"{error} The rate is held constant until it is."
    st.caption(f"α_k: {gdviz.schedules.describe(schedule)}.")
    return (schedule[0], tuple(schedule[1].items())), None


def choose_columns(identity: str, raw: bytes | None) -> tuple[tuple[str, ...], str]:
    """The pickers for a file's target and features (features capped at MAX_FEATURES)."""
    numeric, default_features, default_target = columns_of(identity, raw)
    st.session_state.setdefault(f"target_{identity}", default_target)
    target = st.selectbox("Target y", numeric, key=f"target_{identity}")
    choices = [c for c in numeric if c != target]
    chosen = st.session_state.get(f"features_{identity}", default_features[:MAX_FEATURES])
    st.session_state[f"features_{identity}"] = [c for c in chosen if c in choices][:MAX_FEATURES]
    features = st.multiselect("Features X", choices, key=f"features_{identity}", max_selections=MAX_FEATURES)
    if len(choices) > MAX_FEATURES:
        st.caption(f"This file has {len(choices)} numeric columns besides the target; the views show at most "
                   f"{MAX_FEATURES} weights, so at most {MAX_FEATURES} features are used (the first ones unless "
                   "you pick others).")
    return tuple(features), target


def choose_data(problem: str = "mse") -> tuple[state.DataChoice, bytes | None, str | None]:
    """(the data choice in use, an upload's bytes, a sentence about a file that cannot be used)."""
    source = draw(st, "source")
    if source == SYNTHETIC:
        return choose_synthetic(classes=problem == "logistic"), None, None
    raw, identity, name = None, source, None
    if source == UPLOAD:
        upload = st.file_uploader("CSV file (features…, target)", type=["csv", "txt", "tsv"], key="upload",
                                  help="The last numeric column is the target by default; text columns are left out.")
        if upload is None:
            st.info("Choose a CSV file: one column per feature, the target last. Until then the page keeps "
                    "the data it was showing.")
            return None, None, None
        raw, name = upload.getvalue(), upload.name
        st.caption("A link cannot carry an uploaded file: the page's link opens the synthetic data. Share the "
                   "file itself, or a sample set.")
        identity = hashlib.sha256(raw).hexdigest()[:16]
    try:
        features, target = choose_columns(identity, raw)
        choice = Sample(source, features, target) if source != UPLOAD else Upload(identity, name, features, target)
        load_dataset(choice, raw)  # fails here, with a sentence, if the choice is unusable
        return choice, raw, None
    except DataError as error:
        return None, None, str(error)


def with_points(base, raw) -> tuple[state.DataChoice, gdviz.Dataset]:
    """The data in use with the points moved or added on it (they belong to the data they were made
    on: a new data choice drops them, unless a link brought both). One copy per rerun: st.cache_data
    hands every call its own copy, which costs for a big upload."""
    data = load_dataset(base, raw)
    st.session_state["base_m"] = data.m
    if st.session_state.get("edits_base", base) != base and "edits" not in st.session_state.get("link_keys", ()):
        st.session_state["edits"] = ()
    st.session_state["edits_base"] = base
    edits = st.session_state.get("edits", ())
    if not edits:
        return base, data
    choice = state.Edited(base, edits)
    try:
        return choice, load_dataset(choice, raw)
    except DataError as error:
        st.session_state["edits"] = ()
        st.session_state["edit_note"] = f"The moved or added points were dropped: {error}"
        return base, data


def point_buttons(data: gdviz.Dataset, edited: bool) -> None:
    """Touch the data: add an outlier, undo, reset (one feature: the data view is where points move)."""
    st.caption("Drag a point in the data view to move it, or add an outlier: the surface, the optimum and the "
               "path follow.")
    st.button("Add an outlier", key="add_outlier", on_click=add_outlier, args=(data,), width="stretch",
              help="A point far below the line at the right end of x: watch the optimum and the bowl move.")
    middle, right = st.columns(2)
    middle.button("Undo", key="undo_edit", on_click=undo_edit, disabled=not edited, width="stretch")
    right.button("Reset", key="reset_edits", on_click=reset_edits, disabled=not edited, width="stretch",
                 help="The data as it was, every moved or added point undone.")
    if edited:
        st.caption(f"Edited data: {state.edit_summary(st.session_state['edits'])} (in the link and the data CSV).")


def lesson_bar(container) -> None:
    """"Scene k / N · title", the lecturer's note and the buttons to move (a clicker's PageDown/PageUp
    do the same from anywhere on the page)."""
    lesson, k = st.session_state["lesson"], st.session_state.get("scene", 1)
    scene = lesson.scenes[k - 1]
    back, forward, text = container.columns([0.5, 0.5, 14], vertical_alignment="center", gap="small")
    back.button("◀", key="scene_back", on_click=go_to_scene, args=(k - 1,), disabled=k <= 1,
                help="The previous scene (PageUp)")
    forward.button("▶", key="scene_next", on_click=go_to_scene, args=(k + 1,), disabled=k >= len(lesson.scenes),
                   help="The next scene (PageDown)")
    text.markdown(f"**Scene {k} / {len(lesson.scenes)} · {plain(scene.title)}** &nbsp; :gray[{plain(scene.note)}]")
    container.html("<style>.st-key-scene_back button, .st-key-scene_next button {min-height: 2rem; padding: 0 0.6rem;}"
                   "</style>")


def open_builtin_lesson() -> None:
    st.session_state["lesson"] = lessons.builtin_lesson()
    go_to_scene(1)


def close_lesson() -> None:
    st.session_state.pop("lesson", None)
    st.session_state.pop("scene", None)


def lesson_from_file() -> None:
    """An uploaded lesson file replaces the lesson in use; a malformed one keeps it, with a sentence."""
    upload = st.session_state.get("lesson_file")
    if upload is None:
        return
    try:
        lesson = lessons.read_lesson(upload.getvalue(), upload.name)
    except lessons.LessonError as error:
        st.session_state["lesson_note"] = f"That lesson file cannot be opened: {error}"
        return
    st.session_state["lesson"] = lesson
    go_to_scene(1)


def add_this_scene(params: dict[str, str]) -> None:
    """The view on screen becomes a scene after the current one (title and note from the boxes), with
    the 3-D camera the views last wrote into the address bar."""
    camera = st.query_params.get(CONTROLS["camera"].link)
    if camera is not None:
        params = {**params, CONTROLS["camera"].link: camera}
    lesson = st.session_state.get("lesson")
    count = len(lesson.scenes) if lesson else 0
    title = st.session_state.get("new_scene_title", "").strip() or f"Scene {count + 1}"
    at = st.session_state.get("scene", 0) if lesson else 0
    try:
        scene = lessons.Scene(title=title, note=st.session_state.get("new_scene_note", "").strip(), params=params,
                              play=bool(st.session_state.get("new_scene_play")))
        st.session_state["lesson"] = (lessons.add_scene(lesson, scene, at=at) if lesson
                                      else lessons.Lesson(title="My lesson", scenes=(scene,)))
    except lessons.LessonError as error:
        st.session_state["lesson_note"] = str(error)
        return
    st.session_state["scene"] = at + 1
    st.session_state["new_scene_title"] = st.session_state["new_scene_note"] = ""


def edit_deck(action: str, i: int) -> None:
    """Move scene i (0-based) up or down, or delete it; the scene shown follows its own scene."""
    lesson = st.session_state["lesson"]
    shown = st.session_state.get("scene", 1) - 1
    if action == "delete":
        if len(lesson.scenes) == 1:
            close_lesson()
            return
        st.session_state["lesson"] = lessons.delete_scene(lesson, i)
        st.session_state["scene"] = min(shown + (-1 if i < shown else 0), len(lesson.scenes) - 2) + 1
        return
    j = i - 1 if action == "up" else i + 1
    st.session_state["lesson"] = lessons.move_scene(lesson, i, j)
    st.session_state["scene"] = {i: j, j: i}.get(shown, shown) + 1


def lesson_panel(params: dict[str, str]) -> None:
    """The sidebar's lesson tools: open the built-in lesson or a file, add this view, reorder, delete,
    download, share."""
    lesson = st.session_state.get("lesson")
    with st.expander("Lesson: scenes for a lecture", expanded=lesson is not None):
        if "lesson_note" in st.session_state:
            st.error(plain(st.session_state.pop("lesson_note")))
        left, right = st.columns(2)
        left.button("Built-in lesson", key="open_builtin", on_click=open_builtin_lesson, width="stretch",
                    help="The lecture notes' story in scenes: PageDown/PageUp (a clicker) move through it.")
        right.button("Close lesson", key="close_lesson", on_click=close_lesson, disabled=lesson is None,
                     width="stretch")
        st.file_uploader("Open a lesson file (TOML or JSON)", type=["toml", "json"], key="lesson_file",
                         on_change=lesson_from_file)
        st.text_input("Title of a new scene", key="new_scene_title", max_chars=80)
        st.text_input("Note for the lecturer", key="new_scene_note", max_chars=300)
        st.checkbox("Plays by itself", key="new_scene_play")
        st.button("Add this view as a scene", key="add_scene", on_click=add_this_scene, args=(params,),
                  width="stretch", help="After the scene shown, with everything on screen (the 3-D camera too).")
        if lesson is None:
            return
        for i, scene in enumerate(lesson.scenes):
            name, up, down, delete = st.columns([5, 1, 1, 1], vertical_alignment="center")
            shown = "▸ " if i + 1 == st.session_state.get("scene") else ""
            name.button(f"{shown}{i + 1}. {plain(scene.title)}", key=f"goto_scene_{i}", on_click=go_to_scene, args=(i + 1,),
                        type="tertiary")
            up.button("↑", key=f"scene_up_{i}", on_click=edit_deck, args=("up", i), disabled=i == 0)
            down.button("↓", key=f"scene_down_{i}", on_click=edit_deck, args=("down", i),
                        disabled=i == len(lesson.scenes) - 1)
            delete.button("✕", key=f"scene_delete_{i}", on_click=edit_deck, args=("delete", i))
        left, right = st.columns(2)
        left.download_button("Lesson (TOML)", lessons.lesson_to_toml(lesson), file_name="gdviz-lesson.toml",
                             mime="application/toml", width="stretch")
        right.download_button("Lesson (JSON)", lessons.lesson_to_json(lesson), file_name="gdviz-lesson.json",
                              mime="application/json", width="stretch")
        if not lessons.fits_in_link(lesson):
            st.caption("This lesson is too long for a link: share the file.")


TITLES = {"mse": "Gradient descent on linear regression &nbsp;·&nbsp; ŷ = XW + b, mean squared error",
          "logistic": "Gradient descent on logistic regression &nbsp;·&nbsp; p = σ(XW + b), cross-entropy"}

# ---- the top of the page, laid out before the sidebar fills it ----
presenting = bool(st.session_state["present"])
if presenting:  # one row with what a lecturer changes live: the sidebar is hidden
    row = st.columns([1.3, 2.2, 0.9, 0.9, 0.9, 0.9, 1.5, 1.0], vertical_alignment="bottom")
    live, preset_columns, present_home, preset_caption = {"optimizer": row[0], "lr": row[1]}, row[2:7], row[7], None
    messages = st.container()
else:
    title_column, present_home = st.columns([5, 1])
    title_column.markdown("## " + TITLES.get(state.problem_name(st.session_state["problem"]),
                                             "Gradient descent on a test surface &nbsp;·&nbsp; L(w, b)"))
    messages = st.container()
    row = st.columns([1, 1, 1, 1, 1.6, 2.4])
    live, preset_columns, preset_caption = {}, row[:5], row[5]

problem = None  # a sentence about a bad file, shown above the views
with st.sidebar:
    problem_id = state.problem_name(draw(st, "problem"))
    regression = problem_id in state.REGRESSIONS
    l2 = 0.0
    if regression:
        l2 = float(draw(st, "l2", options=sorted(set(state.PENALTIES) | {float(st.session_state["l2"])})))
    st.header("Data")
    if regression:
        choice, raw, problem = choose_data(problem_id)
        if choice is None:  # keep showing the data that was in use
            choice, raw = st.session_state.get("good_data", (DEFAULT_DATA, None))
        st.session_state["good_data"] = (choice, raw)
        choice, data_in_use = with_points(choice, raw)
        if problem_id == "logistic":
            choice, raw, data_in_use, problem = binary_data(choice, raw, data_in_use, problem)
        suit_new_data(choice, raw, data_in_use, problem_id)
        standardise = draw(st, "standardise")
    else:  # keep the data widgets' values for when a regression comes back
        for key in (*DATA_KEYS, "l2"):
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
        data_in_use = gdviz.test_function(problem_id)
        choice, raw, standardise = None, None, False
        st.caption(f"A test surface has no data: the loss is its formula, {data_in_use.formula}, with w and b as its "
                   "two coordinates. Its known minima are marked (the saddle's stationary point, which is no minimum).")
        suit_new_data(None, None, data_in_use, problem_id)
    dims = data_in_use.d
    feature = 0
    if st.session_state["feature"] >= dims:
        if st.session_state.get("link_feature") is not None:
            st.session_state["link_notes"].append(
                f"“wf={st.session_state['feature']}”: this data has {dims} feature{'s' if dims > 1 else ''}, "
                "so the surface shows the first weight.")
        st.session_state["feature"] = 0
    st.session_state["link_feature"] = None
    if dims > 1:
        names = list(data_in_use.feature_names)
        feature = draw(st, "feature", options=range(dims), format_func=lambda i: f"w{i + 1} ({names[i]})")
    data_view = draw(st, "data_view") if regression else state.VIEWS["feature"]
    if dims == 1 and regression:
        point_buttons(data_in_use, bool(st.session_state.get("edits")))

    st.header("Gradient descent")
    optimizer = draw(live.get("optimizer", st), "optimizer")
    lr = draw(live.get("lr", st), "lr", options=rates_with(st.session_state["lr"]))
    schedule, schedule_note = choose_schedule(float(lr))
    steps = draw(st, "steps")
    left, right = st.columns(2)
    w0 = draw(left, "w0")
    b0 = draw(right, "b0")
    st.caption("Or click the contour map to start from there.")
    batch_mode = draw(st, "batch_mode") if regression else state.BATCH["full"]
    m_rows = data_in_use.m if regression else 0
    batch_size = None
    if batch_mode == state.BATCH["mini"]:
        st.session_state["batch_size"] = int(np.clip(st.session_state["batch_size"], 2, max(3, m_rows - 1)))
        batch_size = draw(st, "batch_size", max_value=max(3, m_rows - 1))
    elif batch_mode == state.BATCH["sgd"]:
        batch_size = 1
    use_tol = draw(st, "use_tol")
    tol = draw(st, "tol", options=sorted(set(TOLERANCES) | {float(st.session_state["tol"])}, reverse=True)) \
        if use_tol else None

    st.header("Compare runs")
    compare_n = draw(st, "compare_n")
    compared = []
    for i in range(1, compare_n + 1):
        st.session_state.setdefault(f"cmp_opt_{i}", COMPARE_DEFAULTS[i - 1])
        st.session_state.setdefault(f"cmp_lr_{i}", st.session_state["lr"])
        left, right = st.columns([1, 1.3])
        name = left.selectbox(f"Run {i + 1}", list(LABELS), format_func=LABELS.get, key=f"cmp_opt_{i}")
        rate = right.select_slider(f"α of run {i + 1}", rates_with(st.session_state[f"cmp_lr_{i}"]),
                                   key=f"cmp_lr_{i}", format_func=nice)
        compared.append((name, float(rate)))

    st.header("View")
    log_loss = draw(st, "log_loss")
    equal_scales = draw(st, "equal_scales")
    arrows = draw(st, "arrows")
    plain_mse = problem_id == "mse" and l2 == 0.0
    only = "Linear regression without a penalty only (its loss is the quadratic these views explain)."
    pull = draw(st, "pull", disabled=not plain_mse, **({} if plain_mse else {"help": only})) and plain_mse
    eigen = draw(st, "eigen", disabled=not plain_mse, **({} if plain_mse else {"help": only})) and plain_mse
    lesson_panel(current_params(choice, dims))

# ---- the page ----
present = draw(present_home, "present")
if present:  # the sidebar and Streamlit's header go; the views take the screen
    st.markdown("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], header "
                "{display: none !important;} .block-container {padding: 0.6rem 1rem !important; "
                "max-width: 100% !important;}</style>", unsafe_allow_html=True)
numbers = {**theory(choice, raw, bool(standardise), feature, problem_id, l2),
           "stability": stability(choice, raw, bool(standardise), optimizer, float(lr), problem_id, l2)}
presets = numbers["presets"]
with messages:  # above the views, under the title (or the presenter's row)
    if st.session_state.get("lesson") is not None:
        lesson_bar(st)
    for note in st.session_state.get("link_notes", []):
        st.info(f"From the link: {plain(note)}")
    if "edit_note" in st.session_state:
        st.warning(plain(st.session_state.pop("edit_note")))
    if problem:
        st.error(f"**That data cannot be used:** {plain(problem)} Still showing: {plain(data_in_use.name)}.")
    if schedule_note:
        st.warning(f"**That schedule cannot be used:** {plain(schedule_note)}")
    if numbers["no_optimum"] and regression:
        st.warning(plain(numbers["no_optimum"]))
    fit_note = st.session_state.get("fit_note")
    if regression and fit_note and fit_note[0] == choice and fit_note[1] == bool(standardise) and int(steps) == fit_note[2]:
        fit_name = "maximum-likelihood" if problem_id == "logistic" else "least-squares"
        st.caption(f"Opened on settings that reach the {fit_name} fit in {fit_note[2]} steps (α = 0.9/λ_max: "
                   "it glides)" + (", with x standardised: the raw valley is too long and thin for that — untick "
                                  "“Standardise” to see it. The line is still drawn in x's own units." if fit_note[1] else "."))
    if numbers["degeneracy"]:
        st.warning(plain(numbers["degeneracy"]))

for column, (name, preset) in zip(preset_columns, PRESETS.items()):
    column.button(name.capitalize(), key=f"preset_{name}", on_click=apply_preset, args=(presets[name],),
                  help=f"Plain gradient descent at α = {nice(presets[name])}: it {preset.description}.",
                  width="stretch")
preset_columns[4].button("GD vs momentum vs Adam", key="preset_compare", on_click=apply_preset,
                  args=(presets["just right"] / 3, ("momentum", "adam")), width="stretch",
                  help="Three optimizers at the same learning rate, from the same start.")
if preset_caption is not None:
    preset_caption.caption(("Presets from this surface's curvature: α = " if not regression else
                            "Presets from this data's curvature: α = ")
                           + ", ".join(nice(presets[name]) for name in PRESETS)
                           + f" (αλ_max = {', '.join(f'{p.alpha_lambda_max:g}' for p in PRESETS.values())}); "
                           + f"λ = {', '.join(nice(v) for v in numbers['eigenvalues'])}."
                           + (f" {plain(numbers['estimate'])}" if numbers["estimate"] else ""))

start = (*start_weights(dims, feature, float(w0)), float(b0))
try:
    spec, summary = make_views(choice, raw, bool(standardise), feature, data_view, optimizer, float(lr), start,
                               int(steps), batch_size, tol, tuple(compared), bool(log_loss), bool(equal_scales),
                               st.session_state.get("link_step") or 0,  # a run opens at step 0: Play is the first press
                               st.session_state.get("camera"), "true" if arrows == state.ARROWS["true"] else "direction",
                               bool(pull), bool(eigen), problem_id, l2, schedule)
except ValueError as error:  # numbers beyond float64 (a DataError says which); never a traceback or a NaN
    reason = plain(error) if isinstance(error, DataError) else "Some numbers of this run are beyond what float64 holds."
    st.error(f"**These settings cannot be drawn.** {reason} Try a smaller learning rate or start, or standardise x.")
    st.stop()
# View options that are never part of a cached computation: presenter mode, whether a data point
# can be dragged (one feature, drawn against its target).
spec = {**spec, "present": bool(present),
        "editable": regression and dims == 1 and data_view == state.VIEWS["feature"],
        "autoplay": bool(st.session_state.pop("autoplay", False))}
if st.session_state.get("lesson") is not None:  # PageDown/PageUp (a clicker) move through it
    spec["lesson"] = {"k": st.session_state.get("scene", 1), "n": len(st.session_state["lesson"].scenes)}

if summary["diverged_at"] is not None:
    how = (plain(summary["note"]) if summary["note"] else
           f"The loss grew from {nice(summary['start_loss'])} past any sensible size, so the run stops there.")
    advice = ("A saddle has no minimum: from any start off the line b = 0 the run slides away along b, whatever "
              "the learning rate." if problem_id == "saddle" else
              "Try a smaller learning rate" + ("." if standardise or not regression or numbers["condition"] < 100
                                               else ", or standardise x."))
    st.error(f"**Diverged at step {summary['diverged_at']}.** {how} {plain(numbers['stability'])} {advice}")
elif summary["converged_at"] is not None:
    st.success(f"**Converged at step {summary['converged_at']}:** |∇L| fell below {nice(tol)}.")
elif tol is not None:
    st.warning(f"**Did not converge in {summary['steps']} steps:** |∇L| is still {nice(summary['grad_norm'])}, "
               f"above the tolerance {nice(tol)}.")
elif summary["final_loss"] > summary["start_loss"]:
    st.warning("The loss went up: this learning rate overshoots. Watch the path zig-zag across the valley.")
for label, diverged_at in summary["others"]:
    if diverged_at is not None:
        st.warning(f"Compared run “{label}” diverged at step {diverged_at}.")

views_component()(spec=spec, key="views", on_change=from_views, default=None)

cols = st.columns(7)
prime = "′" if standardise else ""
w_name = "w" if numbers["d"] == 1 else f"w{feature + 1}"
optimum_name = "Known minimum" if not regression else ("Penalised optimum" if l2 else "Optimum")
estimated = f" {numbers['estimate']}" if numbers["estimate"] else ""
cols[0].metric("Final loss", nice(summary["final_loss"]))
cols[1].metric(f"{optimum_name} {w_name}*{prime}", number_text(numbers["w_star"]),
               help=numbers["no_optimum"] or ("The optimum of L + λ‖W‖²." if l2 else None))
cols[2].metric(f"{optimum_name} b*", number_text(numbers["b_star"]))
cols[3].metric("Least loss L*", number_text(numbers["loss_min"]))
cols[4].metric("α_max = 2/λ_max", number_text(numbers["lr_max"]),
               help="Plain gradient descent diverges above it." + estimated)
cols[5].metric("α_best = 2/(λ_min+λ_max)", number_text(numbers["lr_best"]),
               help="The fastest plain gradient descent." + estimated)
condition_help = "λ_max/λ_min: how long and thin the valley is (infinite: a flat valley floor, λ_min = 0)."
if standardise and regression:
    cols[6].metric("Condition number", number_text(numbers["condition"]),
                   delta=f"was {number_text(numbers['raw_condition'])}", delta_color="off",
                   help=condition_help + " Standardising rounds it.")
else:
    cols[6].metric("Condition number", number_text(numbers["condition"]), help=condition_help)
dropped = (f", {numbers['rows_dropped']} row{'s' if numbers['rows_dropped'] > 1 else ''} with a missing value dropped"
           if numbers["rows_dropped"] else "")
st.caption(f"**Why:** {plain(numbers['stability'])}")
how_swept = ("all at once, from the data's sufficient statistics" if problem_id == "mse" else
             "all at once, the same loss" + (", penalty" if l2 else "") + (" and schedule" if schedule else ""))
if problem_id == "saddle":
    st.caption("No sweep of learning rates for the saddle: its loss falls without end, so every rate that moves "
               "away from the saddle point ends lower, and “final loss” compares nothing.")
else:
    st.caption(f"The sweep at the bottom of the views: {LABELS[optimizer]} from the same start for 80 learning rates, "
               f"{steps} full-batch steps each ({how_swept}); crosses diverged."
               + (" α_max is estimated: the loss is not a quadratic, so it uses the Hessian at the start and at the "
                  "optimum (a surface: its known minima)." if numbers["estimate"] else ""))
about = (f"Data: {plain(numbers['name'])} ({numbers['m']} rows{dropped}; features "
         f"{plain(', '.join(numbers['names']))}; target {plain(numbers['target'])})." if regression else
         f"Test surface: {plain(numbers['name'])}, {plain(numbers['formula'])}.")
st.caption(f"{about} Keys in the views: ← → step, "
           "space play/pause, Home back to the start, End to the last step — also right after a click on a button, "
           "checkbox or toggle (sliders keep their arrows, text boxes every key). Drag the 3-D view to turn it; it stays turned while you "
           "step and play." + (" The start (w₀, b₀) is in the standardised units." if standardise else ""))

st.markdown("### Take it with you")
exports = st.columns([1, 1, 3])
exports[0].download_button("Trajectory (CSV)", summary["csv"], file_name="gdviz-trajectory.csv", mime="text/csv",
                           help="One row per step: step, weights, b, loss, gradient, the gradient used, the update.",
                           width="stretch")
if regression:
    exports[1].download_button("Data (CSV)", data_csv(choice, raw), file_name="gdviz-data.csv", mime="text/csv",
                               help="The data in use, with any moved or added points.", width="stretch")
exports[2].caption("This view as an interactive page that works offline (HTML) or a picture for slides (PNG), at the "
                   "step and 3-D camera on screen: “save view · HTML / PNG” in the views' bar.")
pictures = st.columns([1, 1, 3])
run_key = repr((choice, bool(standardise), optimizer, float(lr), start, int(steps), batch_size, tol, tuple(compared),
                feature))
if not plain_mse:
    pictures[0].caption("The animated GIF draws linear regression's data view: for this problem, save the view "
                        "as HTML or PNG in the views' bar.")
else:
    made_file(pictures[0], "gif", run_key, "Animated GIF of this run", "gdviz-run.gif", "image/gif",
            lambda progress: slides.run_gif(
                fitted(choice, raw, bool(standardise)),
                make_run(choice, raw, bool(standardise), optimizer, float(lr), start, int(steps), batch_size, tol, schedule=schedule),
                progress=progress, title=run_label(optimizer, float(lr)), feature=feature,
                others=tuple((run_label(name, rate), make_run(choice, raw, bool(standardise), name, rate, start,
                                                              int(steps), batch_size, tol, schedule=schedule)) for name, rate in compared)),
            "Up to 60 frames spread over the run (10 a second, the last held), contours and data side by side.")
if st.session_state.get("lesson") is not None:
    lesson = st.session_state["lesson"]
    made_file(pictures[1], "slides", repr(lesson), "Slides: a PNG per scene (zip)", "gdviz-lesson-slides.zip",
              "application/zip", lambda progress: slides.slides_zip(slides.lesson_pictures(lesson, progress=progress)),
              "One 1600x900 picture per scene of the lesson, each run drawn to its last step in view: for slides.")
    skipped = slides.left_out(lesson)
    if skipped:
        pictures[2].caption(f"The slides draw linear regression only, so they leave out {plain(', '.join(skipped))}: "
                            "save those from the page with “save view · PNG”.")

if regression and not isinstance(choice, Synthetic):
    with st.expander(f"Preview of the data ({numbers['m']} rows used{dropped})"):
        preview = pd.DataFrame(data_in_use.X[:200], columns=list(data_in_use.feature_names))
        preview[data_in_use.target_name] = data_in_use.y[:200]
        st.dataframe(preview, hide_index=True, height=260)


write_link(choice, dims)
st.session_state["link_step"] = None  # the link's step applies to the first view only
