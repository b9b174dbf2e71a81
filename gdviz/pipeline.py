"""One page state, one lecture: ``lecture(state) -> Lecture`` owns every policy of the page.

What a page state *means* is worked out here and nowhere else: the data it fits (with the points
moved on it), the settings a new data set opens on (``opening``), the start, the run and the
compared runs, the sweep of learning rates (the rates the schedule allows), the theory's numbers,
every sentence the page says about the run, and the per-step frames every picture is drawn from
(``Lecture.spec``: the browser, the HTML/PNG export, the slides and the GIF all read it). Pure:
no Streamlit. The page (app.py) reads its widgets into a PageState, calls ``lecture`` once through
one cache and places what it returns; a notebook or the slides call it the same way.

Runs, sweeps and the theory are memoised here by their maths inputs only, so a view option (the
log scale, the camera, presenter mode) redraws the figures without running anything again.
"""
from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import data as gdata
from . import claims, figures, model, schedules, slides, web
from .descent import Trajectory, descend, sweep
from . import lessons
from .lessons import page_params
from .model import curvature, degeneracy, optimum
from .optimizers import LABELS
from .presets import PRESETS, STEP_CHOICES, judged_presets, learning_rate_presets, settings_that_fit
from .stability import local_curvature
from .state import (BATCH, LEARNING_RATES, MAX_FEATURES, REGRESSIONS, VIEWS, ARROWS, PageState, Sample, Synthetic,
                    Upload, named, same_data_set, unedited)
from .test_functions import test_function
from .words import amount, markdown_text, nice

SWEEP_RATES = 80  # learning rates in the sweep, from α_max·1e-4 to 3·α_max
FIT_WITHIN = claims.FIT_WITHIN  # "reaches the fit": within 1% of the least loss
COMPARED = ("gd", "momentum", "adam")  # the "GD vs momentum vs Adam" preset


@dataclass(frozen=True)
class Message:
    """A sentence about the run for the page: ``kind`` is "error", "warning", "success", "info" or
    "caption"; ``bold`` a short lead in bold; ``text`` plain words (the page escapes both)."""

    kind: str
    text: str
    bold: str = ""
    lead: str = ""  # gdviz's own words before the text, not bold ("From the link:")

    @property
    def markdown(self) -> str:
        """As Streamlit's markdown shows it: the bold lead, the lead, every character of the words as written."""
        return (f"**{self.bold}** " if self.bold else "") + (f"{self.lead} " if self.lead else "") \
            + markdown_text(self.text)


@dataclass(frozen=True)
class Metric:
    """One number under the views: a label, its value as shown, and help or a comparison."""

    label: str
    value: str
    help: str | None = None
    delta: str | None = None


@dataclass(frozen=True)
class Lecture:
    """Everything the page shows for one PageState (see ``lecture``)."""

    state: PageState  # the state as drawn: a weight the data lacks back to 0, a start moved onto a surface
    data: object  # what is descended: the data as fitted (standardised if asked) or a test surface
    original: object  # the data in its own units (None for a test surface)
    run: Trajectory | None
    others: tuple = ()  # (label, Trajectory) of each compared run
    theory: dict = field(default_factory=dict)
    spec: dict | None = None  # the per-step frames and figures (gdviz.web.lecture_spec); None: cannot be drawn
    messages: tuple[Message, ...] = ()  # above the views
    metrics: tuple[Metric, ...] = ()
    captions: tuple[Message, ...] = ()  # under the views: why, the sweep, the data and the keys
    presets: dict = field(default_factory=dict)  # name → learning rate, from this data's curvature
    preset_caption: str = ""
    title: str = ""  # the run's label, e.g. "gradient descent, α = 0.1"
    claims: tuple = ()  # every claims.Claim the sentences above were made from, with its evidence
    preset_help: dict = field(default_factory=dict)  # name → the preset's sentence (why it is absent, if it is)
    comparison: tuple = ()  # ((optimizer, learning rate), …) of the "GD vs momentum vs Adam" preset
    comparison_help: str = "The race needs settings that can be drawn."  # (a run that cannot: no race)


# ---- what the state says, as maths inputs ----
def objective_of(problem: str) -> str:
    return "logistic" if problem == "logistic" else "mse"


def run_label(optimizer: str, lr: float) -> str:
    return f"{LABELS[optimizer]}, α = {nice(lr)}"


@functools.lru_cache(maxsize=16)
def dataset(choice) -> gdata.Dataset:
    """The data set a choice names (Synthetic, Sample, Upload, Edited), loaded once."""
    return choice.load()


@functools.lru_cache(maxsize=16)
def descended(choice, standardise: bool, problem: str):
    """What is descended: the data as fitted, or the test surface ``problem``."""
    if problem not in REGRESSIONS:
        return test_function(problem)
    data = dataset(choice)
    return data.standardized() if standardise else data


def _key(schedule):
    return None if schedule is None else (schedule[0], tuple(schedule[1].items()))


def _unkey(key):
    return None if key is None else (key[0], dict(key[1]))


@functools.lru_cache(maxsize=64)
def _run(choice, standardise, problem, optimizer, lr, start, steps, batch_size, tol, l2, schedule, hyper) -> Trajectory:
    data = descended(choice, standardise, problem)
    return descend(data, optimizer=optimizer, lr=lr, steps=steps, w0=list(start[:-1]), b0=start[-1],
                   batch_size=batch_size, seed=0, tol=tol, objective=objective_of(problem), l2=l2,
                   schedule=_unkey(schedule), **dict(hyper))


@functools.lru_cache(maxsize=32)
def _sweep(choice, standardise, problem, optimizer, start, steps, tol, l2, schedule, hyper) -> tuple[dict, str]:
    """(the sweep figure as a dict, a sentence on the rates left out): final loss for 80 rates
    around the stability limit in one vectorised run, with the run's loss, penalty and schedule."""
    data = descended(choice, standardise, problem)
    maths = dict(objective=objective_of(problem), l2=l2)
    c = _local(data, problem, l2, start)
    rates = np.geomspace(c.lr_max * 1e-4, c.lr_max * 3, SWEEP_RATES)
    left_out = ""
    floor = dict(_unkey(schedule)[1]).get("eta_min", 0.0) if schedule else 0.0
    if floor > 0:  # a cosine schedule cannot start below its floor η_min: those rates are not runs
        kept = rates[rates >= floor]
        if len(kept) < len(rates):
            left_out = (f" It leaves out the {len(rates) - len(kept)} rates below η_min = {nice(floor)}, where "
                        "the cosine schedule cannot start.")
        rates = kept
    if len(rates) == 0:
        return None, left_out
    result = sweep(data, rates, optimizer=optimizer, steps=steps, w0=list(start[:-1]), b0=start[-1], tol=tol,
                   schedule=_unkey(schedule), **maths, **dict(hyper))
    return figures.sweep_figure(result, c).to_plotly_json(), left_out


def _local(data, problem: str, l2: float, start=None):
    """The curvature the theory uses: exact for the quadratic, local at the optimum (a surface: the
    minimum nearest ``start``) otherwise (stability.local_curvature)."""
    near = (float(start[0]), float(start[-1])) if start is not None and problem not in REGRESSIONS else None
    return local_curvature(data, objective=objective_of(problem), l2=l2, near=near)


@functools.lru_cache(maxsize=32)
def _presets(choice, standardise: bool, problem: str, l2: float, start: tuple, steps: int) -> dict:
    """The presets as the class will see them over the page's steps from its start (judged_presets)."""
    data = descended(choice, standardise, problem)
    return judged_presets(data, objective=objective_of(problem), l2=l2, steps=steps,
                          start=(list(start[:-1]), start[-1]))


@functools.lru_cache(maxsize=32)
def _comparison(choice, standardise, problem, start, steps, tol, l2, schedule, hyper) -> tuple:
    """((optimizer, rate), …) for the race: each optimizer at its own sweep's best final loss."""
    data = descended(choice, standardise, problem)
    c = _local(data, problem, l2, start)
    rates = np.geomspace(c.lr_max * 1e-4, c.lr_max * 3, SWEEP_RATES)
    floor = dict(_unkey(schedule)[1]).get("eta_min", 0.0) if schedule else 0.0
    rates = rates[rates >= floor]
    chosen = []
    for name in COMPARED:
        if len(rates) == 0:
            break
        result = sweep(data, rates, optimizer=name, steps=steps, w0=list(start[:-1]), b0=start[-1], tol=tol,
                       schedule=_unkey(schedule), objective=objective_of(problem), l2=l2,
                       **dict(dict(hyper)[name]))
        best = claims.best_rate(result)
        if best is not None:
            chosen.append((name, best))
    return tuple(chosen)


@functools.lru_cache(maxsize=32)
def theory(choice, standardise: bool, problem: str, l2: float, feature: int) -> dict:
    """The optimum, the curvature's numbers, the presets and what is degenerate about the data (for
    a loss that is not a quadratic the curvature is estimated, and ``estimate`` says how)."""
    data = descended(choice, standardise, problem)
    maths = dict(objective=objective_of(problem), l2=l2)
    surface = problem not in REGRESSIONS
    try:
        w_star, b_star = optimum(data, **maths)
        found = dict(w_star=float(w_star[feature]), b_star=b_star,
                     loss_min=float(model.loss(data, w_star, b_star, **maths)), no_optimum=None)
    except ValueError as error:  # the saddle, separable classes: no finite minimum
        found = dict(w_star=float("nan"), b_star=float("nan"), loss_min=float("nan"), no_optimum=str(error))
    c = _local(data, problem, l2)
    raw_condition = float("nan")
    if not surface and standardise:
        try:
            raw_condition = _local(dataset(choice), problem, l2).condition_number
        except ValueError:
            pass
    return dict(**found, lr_max=c.lr_max, lr_best=c.lr_best, condition=c.condition_number,
                eigenvalues=c.eigenvalues.tolist(), presets={}, local=c.where,
                raw_condition=raw_condition, estimate=c.estimate, surface=surface, d=data.d,
                degeneracy=None if surface else degeneracy(data))


# ---- policies ----
def scale_below(rate: float) -> float:
    """The largest learning rate on the slider's scale at most ``rate``."""
    return max([r for r in LEARNING_RATES if r <= rate] or [LEARNING_RATES[0]])


def opening(state: PageState, previous: PageState | None = None, given=frozenset()) -> tuple[PageState, list[str]]:
    """The settings a page opens on when its data set or problem is new (not a tweak of the
    synthetic knobs or of the columns): (the state with them, notes). Settings named in ``given``
    (what a link or a scene set) win. Points moved on other data are dropped. Real data whose
    "Standardise" changed is a new loss too: it opens on that loss's rate (``rescaled``).

    Synthetic data: the start (−3, 4) (0, 0 for classes) at the largest rate on the scale at most
    half of α_best. Real data: plain full-batch descent from 0 at the rate and steps with which it
    reaches the fit (settings_that_fit, with the penalty and the objective in force), standardised
    only when the raw valley is too long for that. A test surface: its own start at its "just right"
    preset, at least 300 steps.
    """
    if previous is not None and state.regression and "edits" not in given and \
            unedited(previous.data_choice()) != unedited(state.data_choice()):
        state = state.replace(edits=())  # moved points belong to the data they were made on
    if previous is not None and previous.problem_id == state.problem_id and (
            not state.regression or same_data_set(previous.data_choice(), state.data_choice())):
        if state.regression and bool(previous.standardise) != bool(state.standardise):
            return rescaled(state, previous, given)
        return state, []
    problem, notes = state.problem_id, []
    if not state.regression:
        data = test_function(problem)
        suited = dict(lr=scale_below(learning_rate_presets(data)["just right"]), w0=float(data.start[0]),
                      b0=float(data.start[1]), compared=(), steps=max(state.steps, 300))
    else:
        objective = objective_of(problem)
        choice = data_in_use(state)[0]
        best = curvature(descended(choice, False, problem), objective=objective, l2=state.l2).lr_best
        start = (-3.0, 4.0) if isinstance(choice, Synthetic) and objective == "mse" else (0.0, 0.0)
        suited = dict(lr=scale_below(best / 2), w0=start[0], b0=start[1], feature=0, compared=())
        if not isinstance(choice, Synthetic):  # real data: open on settings that reach the fit
            named = "standardise" in given  # a link that says raw (or standardised) is that loss's
            for standardise in ((bool(state.standardise),) if named else (False, True)):
                try:
                    fit = settings_that_fit(descended(choice, standardise, problem), objective=objective, l2=state.l2)
                except ValueError:  # no finite optimum (separable classes)
                    fit = None
                if fit is not None:
                    suited.update(lr=fit[0], steps=fit[1], standardise=standardise, optimizer="gd",
                                  batch_mode=BATCH["full"], sched="constant")
                    if standardise and not named:
                        notes.append("Opened with x standardised: the raw valley is too long and thin to reach the "
                                     "fit in a few steps — untick “Standardise” to see it. The line is still drawn "
                                     "in x's own units.")
                    break
            else:  # no fit within the steps on the loss the link names: its "just right" preset, said so
                if named and "lr" not in given:
                    data = descended(choice, bool(state.standardise), problem)
                    suited["lr"] = learning_rate_presets(data, objective=objective, l2=state.l2,
                                                         steps=int(state.steps))["just right"]
                    notes.append(f"Plain gradient descent does not reach the fit on this loss even in "
                                 f"{max(STEP_CHOICES)} steps, so it opens on its “just right” preset, α = "
                                 f"{nice(suited['lr'])}.")
    return state.replace(**{k: v for k, v in suited.items() if k not in given}), notes


def rescaled(state: PageState, previous: PageState, given=frozenset()) -> tuple[PageState, list[str]]:
    """Real data whose "Standardise" was just ticked or unticked is a new loss: it opens on a rate
    that shows that loss (the rate before would blow the raw valley up, or crawl in the round bowl),
    with a sentence saying which: the rate and steps with which plain gradient descent reaches the
    fit (settings_that_fit), or else the new loss's "just right" preset. A rate or steps the link or
    scene named (``given``) win; synthetic data keeps its settings."""
    choice = data_in_use(state)[0]
    if isinstance(choice, Synthetic) or "lr" in given:
        return state, []
    problem, standardise = state.problem_id, bool(state.standardise)
    objective = objective_of(problem)
    data = descended(choice, standardise, problem)
    try:
        fit = settings_that_fit(data, objective=objective, l2=state.l2)
    except ValueError:  # no finite optimum (separable classes)
        fit = None
    what = ("“Standardise” ticked: x′ = (x − mean)/std rounds the valley" if standardise else
            "“Standardise” unticked: the raw valley, in x's own units")
    if fit is not None:
        suited = dict(lr=fit[0], steps=fit[1])
        how = f"with which plain gradient descent reaches the fit within {fit[1]} steps"
    else:
        suited = dict(lr=learning_rate_presets(data, objective=objective, l2=state.l2,
                                               steps=int(state.steps))["just right"])
        how = (f"this loss's “just right” preset (plain gradient descent does not reach the fit here even in "
               f"{max(STEP_CHOICES)} steps)")
    lr_max = curvature(data, objective=objective, l2=state.l2).lr_max
    before = float(previous.lr)
    why = (f" α = {nice(before)} is above this loss's α_max = 2/λ_max = {nice(lr_max)}: it would diverge."
           if before > lr_max else "")
    suited = {k: v for k, v in suited.items() if k not in given}
    note = f"{what}, so the rate is now α = {nice(suited.get('lr', state.lr))}, {how}.{why}"
    return state.replace(**suited), [note]


def _logistic_data(state: PageState, choice) -> tuple[object, str | None]:
    """Logistic regression needs a 0/1 target: other data is the core's sentence and the Challenger
    launches instead."""
    try:
        model.checked_objective(dataset(choice), "logistic", 0.0)
        return choice, None
    except gdata.DataError as error:
        title = next(t for t in gdata.SAMPLES if t in gdata.BINARY_SAMPLES)
        return Sample(title), f"That data cannot be used for logistic regression: {error} Showing the Challenger launches."


def _start(state: PageState, data, feature: int) -> tuple[tuple, str | None]:
    """The start (W, b): w₀ for the weight on the surface, 0 for the others. On a test surface a
    start outside the region the run is followed in moves to its edge, with the core's sentence."""
    w0, b0 = float(state.w0), float(state.b0)
    if hasattr(data, "bounds") and not data.inside(w0, b0):
        w_low, w_high, b_low, b_high = data.bounds
        box = data.box  # moved into the view, so the run has room to move before it leaves the region
        moved = (float(np.clip(w0, box[0], box[1])), float(np.clip(b0, box[2], box[3])))
        note = (f"The start must lie where the surface is followed: w from {w_low:g} to {w_high:g}, b from "
                f"{b_low:g} to {b_high:g}; it starts at the view's edge, ({nice(moved[0])}, {nice(moved[1])}), "
                "instead.")
        return (moved[0], moved[1]), note
    return tuple(w0 if i == feature else 0.0 for i in range(data.d)) + (b0,), None


def _batch_size(state: PageState, m: int | None) -> int | None:
    if state.batch_mode == BATCH["mini"] and m:
        return int(np.clip(state.batch_size, 2, max(3, m - 1)))
    return 1 if state.batch_mode == BATCH["sgd"] and m else None


def data_in_use(state: PageState) -> tuple[object, PageState, list[Message]]:
    """(the data choice a regression fits, the state without what cannot be used, sentences): moved
    points that do not fit the data are dropped, and logistic regression on data that is not 0/1
    falls back to the Challenger launches. (None for a test surface.)"""
    messages = []
    choice = state.data_choice() if state.regression else None
    if choice is not None and state.edits:
        try:
            dataset(choice)
        except gdata.DataError as error:  # the moved points belong to another data set
            messages.append(Message("warning", f"The moved or added points were dropped: {error}"))
            choice, state = choice.base, state.replace(edits=())
    if state.problem_id == "logistic":
        choice, why = _logistic_data(state, choice)
        if why:
            messages.append(Message("error", why, "That data cannot be used."))
    return choice, state, messages


@functools.lru_cache(maxsize=16)
def columns(choice) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(the numeric columns, read_csv's default features and target) of a Sample's file or an Upload
    (kept by its digest, so a page's reruns read the file once)."""
    source = choice.raw if isinstance(choice, Upload) else gdata.SAMPLES_DIR / gdata.SAMPLES[choice.title]
    data = gdata.read_csv(source)
    return tuple(gdata.csv_columns(source)[1]), tuple(data.feature_names), data.target_name


def feature_choices(numeric: list[str], target: str, chosen) -> tuple[list[str], list[str], str | None]:
    """(the columns a file offers as features once ``target`` is the target, the ``chosen`` ones still
    among them, at most MAX_FEATURES, and a sentence when the file has more than the views show)."""
    choices = [c for c in numeric if c != target]
    note = (f"This file has {len(choices)} numeric columns besides the target; the views show at most "
            f"{MAX_FEATURES} weights (the first ones unless you pick others).") if len(choices) > MAX_FEATURES else None
    return choices, [c for c in chosen if c in choices][:MAX_FEATURES], note


def notices(shown: Lecture, link: list[str] = (), opening: list[str] = (), edit: str | None = None,
            bad_file: str | None = None) -> list[Message]:
    """What the page says above the views: the link's notes, the settings new data opened on, a point
    that could not move, a file that cannot be used, then the lecture's own messages."""
    said = [Message("info", note, lead="From the link:") for note in link] + [Message("info", note) for note in opening]
    said += [Message("warning", edit)] if edit else []
    said += [Message("error", f"{bad_file} Still showing: {shown.data.name}.", "That data cannot be used:")] \
        if bad_file else []
    return said + list(shown.messages)


def widget_values(state: PageState) -> dict:
    """A state as the widgets' values by session key; a sample set's column pickers (keyed by the
    set) hold its columns, or the file's defaults."""
    values = {k: v for k, v in state.as_values().items() if k not in ("features", "target", "upload", "lesson",
                                                                     "scene", "step")}
    if state.features is not None or state.target is not None:
        _, features, target = columns(Sample(state.source))  # the file's defaults, as its pickers offer them
        values[f"features_{state.source}"] = list(state.features or features)
        values[f"target_{state.source}"] = state.target or target
    return values


def shown_data(state: PageState) -> tuple[gdata.Dataset, int]:
    """The data set a regression's state fits (moved points included) and its rows before the edits."""
    choice = data_in_use(state)[0]
    return dataset(choice), dataset(unedited(choice)).m


def lecture(state: PageState) -> Lecture:
    """Everything the page shows for ``state``: the runs, the sweep, the theory, every sentence
    and the per-step frames. Bad settings end in a sentence (``Lecture.spec`` None and an error
    message), never an exception."""
    problem = state.problem_id
    choice, state, messages = data_in_use(state)
    standardise = bool(state.standardise) and state.regression
    data = descended(choice, standardise, problem)
    original = dataset(choice) if state.regression else None
    feature = state.feature
    if feature >= data.d:
        if feature:
            messages.append(Message("info", f"“wf={feature}”: this data has {data.d} feature"
                                            f"{'s' if data.d > 1 else ''}, so the surface shows the first weight."))
        feature = 0
    if data.d == 1:
        feature = 0
    state = state.replace(feature=feature)
    start, moved = _start(state, data, feature)
    if moved:
        messages.append(Message("warning", moved))
        state = state.replace(w0=start[0], b0=start[-1])
    schedule = state.schedule
    if schedule is not None:
        try:
            schedules.checked(schedule, state.lr)
            messages.append(Message("caption", f"α_k: {schedules.describe(schedule)}."))
        except ValueError as error:
            messages.append(Message("warning", f"{error} The rate is held constant until it is.",
                                    "That schedule cannot be used:"))
            schedule = None
    numbers = dict(theory(choice, standardise, problem, state.l2, feature))
    judged = _presets(choice, standardise, problem, state.l2, tuple(start), int(state.steps))
    numbers["presets"] = {name: j.lr for name, j in judged.items() if j.lr is not None}
    preset_claims = claims.preset_claims(judged, start=(list(start[:-1]), start[-1]), steps=int(state.steps))
    maths = dict(start=start, steps=int(state.steps), batch_size=_batch_size(state, getattr(data, "m", None)) if
                 state.regression else None, tol=state.tol if state.use_tol else None, l2=state.l2,
                 schedule=_key(schedule))

    def run(optimizer, lr):
        return _run(choice, standardise, problem, optimizer, float(lr), **maths,
                    hyper=tuple(sorted(state.hyper(optimizer).items())))

    base = dict(state=state, data=data, original=original, theory=numbers, presets=numbers["presets"],
                preset_help={name: c.sentence for name, c in preset_claims.items()})
    try:
        main = run(state.optimizer, state.lr)
        others = tuple((run_label(name, rate), run(name, rate)) for name, rate in state.compared)
        sweep_figure, left_out = (None, "") if problem == "saddle" else _sweep(
            choice, standardise, problem, state.optimizer, start, int(state.steps), maths["tol"], state.l2,
            _key(schedule), tuple(sorted(state.hyper(state.optimizer).items())))
        spec = web.lecture_spec(
            data, main, feature=feature, log_loss=state.log_loss, equal_scales=state.equal_scales,
            label=run_label(state.optimizer, state.lr), others=others,
            original=original if standardise else None,
            data_view="actual" if state.data_view == VIEWS["actual"] else "feature", step=state.step or 0,
            sweep=None if sweep_figure is None else figures.mark_learning_rate(sweep_figure, state.lr),
            camera=state.camera, arrows="true" if state.arrows == ARROWS["true"] else "direction",
            pull=state.pull and problem == "mse" and not state.l2,
            eigen=state.eigen and problem == "mse" and not state.l2)
        spec.update(focus=list(state.focus), reveal=bool(state.reveal))  # presenter's first views; maths line by line
        web.script_json(spec)  # raises ValueError if a non-finite number would reach the browser
    except ValueError as error:  # numbers beyond float64 (a DataError says which); never a traceback
        reason = str(error) if isinstance(error, gdata.DataError) else \
            "Some numbers of this run are beyond what float64 holds."
        messages.append(Message("error", f"{reason} Try a smaller learning rate or start, or standardise x.",
                                "These settings cannot be drawn."))
        return Lecture(**base, run=None, messages=tuple(messages), title=run_label(state.optimizer, state.lr))
    local = _local(data, problem, state.l2, (float(main.w[-1, 0]), float(main.b[-1])))
    why_claims = claims.why(data, problem, state.optimizer, float(state.lr), main, l2=state.l2, local=local,
                            full_batch=maths["batch_size"] is None, **_momentum(state))
    why = claims.why_sentence(why_claims)
    verdict_claims = _verdict(state, main, others, numbers, why, standardise)
    messages += [Message(c.evidence["shown"], c.sentence, c.evidence["lead"]) if "shown" in c.evidence else
                 Message("warning", c.sentence) for c in verdict_claims]
    race = _comparison(choice, standardise, problem, tuple(start), int(state.steps), maths["tol"], state.l2,
                       _key(schedule), tuple((name, tuple(sorted(state.hyper(name).items()))) for name in COMPARED))
    race_claim = claims.comparison(dict(race), steps=int(state.steps))
    return Lecture(**base, run=main, others=others, spec=spec, messages=tuple(messages),
                   metrics=_metrics(state, main, numbers, standardise),
                   captions=_captions(state, data, numbers, why, schedule, left_out, standardise),
                   preset_caption=_preset_caption(state, numbers), title=run_label(state.optimizer, state.lr),
                   claims=tuple(why_claims) + tuple(verdict_claims) + tuple(preset_claims.values()) + (race_claim,),
                   comparison=race, comparison_help=race_claim.sentence)


def _momentum(state: PageState) -> dict:
    hyper = state.hyper(state.optimizer)
    return {"momentum": hyper["momentum"]} if "momentum" in hyper else {}


# ---- sentences: each made from the numbers it rests on ----
def _verdict(state, run, others, numbers, why, standardise) -> list:
    """What the run did, in words (claims.verdict): diverged, converged, did not converge, went up;
    the compared runs that diverged; no optimum; the data's degeneracy; how close the run came to the fit."""
    out = []
    problem, regression = state.problem_id, state.regression
    if numbers["no_optimum"] and regression:
        out.append(claims.Claim("note", numbers["no_optimum"], dict(shown="warning", lead="")))
    if numbers["degeneracy"]:
        out.append(claims.Claim("note", numbers["degeneracy"], dict(shown="warning", lead="")))
    advice = ("A saddle has no minimum: from any start off the line b = 0 the run slides away along b, whatever "
              "the learning rate." if problem == "saddle" else
              "Try a smaller learning rate" + ("." if standardise or not regression or numbers["condition"] < 100
                                               else ", or standardise x."))
    fit_name = None
    if regression and not isinstance(state.data_choice(), Synthetic):
        fit_name = "maximum-likelihood" if problem == "logistic" else "least-squares"
    out += claims.verdict(run, tol=state.tol, use_tol=state.use_tol, why_text=why, advice=advice,
                          loss_min=numbers["loss_min"], fit_name=fit_name)
    out += [claims.compared_diverged(label, other) for label, other in others if other.diverged_at is not None]
    return out


def fit_reached(run: Trajectory, numbers: dict) -> int | None:
    """The first step whose loss is within 1% of the least loss L* (None: never, or no L*); an exact
    fit's L* counts as a relative floor of the start's loss (claims.fit_reached)."""
    return claims.fit_reached(run, numbers["loss_min"])[0]


def _metrics(state, run, numbers, standardise) -> tuple[Metric, ...]:
    regression = state.regression
    prime = "′" if standardise else ""
    w_name = "w" if numbers["d"] == 1 else f"w{state.feature + 1}"
    optimum_name = "Known minimum" if not regression else ("Penalised optimum" if state.l2 else "Optimum")
    estimated = f" {numbers['estimate']}" if numbers["estimate"] else ""
    condition_help = "λ_max/λ_min: how long and thin the valley is (infinite: a flat valley floor, λ_min = 0)."
    condition = (Metric("Condition number", amount(numbers["condition"]), condition_help + " Standardising rounds it.",
                        f"was {amount(numbers['raw_condition'])}") if standardise and regression else
                 Metric("Condition number", amount(numbers["condition"]), condition_help))
    return (Metric("Final loss", nice(float(run.loss[-1]))),
            Metric(f"{optimum_name} {w_name}*{prime}", amount(numbers["w_star"]),
                   numbers["no_optimum"] or ("The optimum of L + λ‖W‖²." if state.l2 else None)),
            Metric(f"{optimum_name} b*", amount(numbers["b_star"])),
            Metric("Least loss L*", amount(numbers["loss_min"])),
            Metric("α_max = 2/λ_max", amount(numbers["lr_max"]), "Plain gradient descent diverges above it." + estimated),
            Metric("α_best = 2/(λ_min+λ_max)", amount(numbers["lr_best"]),
                   "The fastest plain gradient descent." + estimated),
            condition)


def _captions(state, data, numbers, why, schedule, left_out, standardise) -> tuple[Message, ...]:
    problem = state.problem_id
    out = [Message("caption", why, "Why:")]
    how_swept = ("all at once, from the data's sufficient statistics" if problem == "mse" and not state.l2 else
                 "all at once, the same loss" + (", penalty" if state.l2 else "") + (" and schedule" if schedule else ""))
    if problem == "saddle":
        out.append("No sweep of learning rates for the saddle: its loss falls without end, so every rate that moves "
                   "away from the saddle point ends lower, and “final loss” compares nothing.")
    else:
        out.append(f"The sweep at the bottom of the views: {LABELS[state.optimizer]} from the same start for "
                   f"{SWEEP_RATES} learning rates, {state.steps} full-batch steps each ({how_swept}); crosses diverged."
                   + left_out
                   + (" α_max is local: the loss is not a quadratic, so it is 2/λ_max of the Hessian at the optimum "
                      "(a surface: its minimum nearest the start), where the run ends up if it converges."
                      if numbers["local"] else ""))
    if state.regression:
        dropped = data.rows_dropped
        rows = f", {dropped} row{'s' if dropped > 1 else ''} with a missing value dropped" if dropped else ""
        about = (f"Data: {data.name} ({data.m} rows{rows}; features {', '.join(data.feature_names)}; "
                 f"target {data.target_name}).")
    else:
        about = f"Test surface: {data.title}, {data.formula}."
    out.append(f"{about} Keys in the views: ← → step, space play/pause, Home back to the start, End to the last step "
               "— also right after a click on a button, checkbox or toggle (sliders keep their arrows, text boxes "
               "every key). Drag the 3-D view to turn it; it stays turned while you step and play."
               + (" The start (w₀, b₀) is in the standardised units." if standardise else ""))
    return tuple(out[:1]) + tuple(Message("caption", text) for text in out[1:])


def _preset_caption(state, numbers) -> str:
    presets = numbers["presets"]
    lead = "Presets from this data's curvature: α = " if state.regression else "Presets from this surface's curvature: α = "
    lam = max(numbers["eigenvalues"]) if numbers["eigenvalues"] else float("nan")
    shown = [name for name in PRESETS if name in presets]
    absent = [name for name in PRESETS if name not in presets]
    return (lead + ", ".join(nice(presets[name]) for name in shown)
            + (f" (αλ_max = {', '.join(f'{presets[name] * lam:.2g}' for name in shown)})" if lam > 0 else "")
            + f", each checked on a run of the page's {state.steps} steps"
            + (f"; no {' or '.join(absent)} preset here" if absent else "") + "; "
            + f"λ = {', '.join(nice(v) for v in numbers['eigenvalues'])}"
            + (f" ({numbers['local']})" if numbers["local"] else "") + "."
            + (f" {numbers['estimate']}" if numbers["estimate"] else ""))


TITLES = {"mse": "Gradient descent on linear regression &nbsp;·&nbsp; ŷ = XW + b, mean squared error",
          "logistic": "Gradient descent on logistic regression &nbsp;·&nbsp; p = σ(XW + b), cross-entropy"}


def page_title(state: PageState) -> str:
    """The page's heading for the problem on screen (markdown)."""
    return TITLES.get(state.problem_id, "Gradient descent on a test surface &nbsp;·&nbsp; L(w, b)")


def scene_state(scene) -> PageState:
    """The whole page state a lesson scene says: its parameters over the defaults, and where it
    does not say, the settings its data set opens on (as a link to it would open) — the same state
    however the scene is reached."""
    state, _ = PageState.from_link(page_params(scene))
    return opening(state, PageState(), named(scene.params))[0].replace(step=None)


@dataclass(frozen=True)
class Link:
    """What a link opens: its state (``given``: the settings it names), the lesson and scene it names,
    notes on what could not be used, and whether the scene alone is the view (``lesson=…&scene=k``
    with no other setting; with settings beside it, the settings are the view)."""

    state: PageState
    given: frozenset
    lesson: object = None
    scene: int = 1
    scene_only: bool = False
    notes: tuple = ()


def read_link(params: dict[str, list[str]]) -> Link:
    """A link's parameters (each name with every value it was given) as the page opens them; a class's
    room code (``class``) is the class's to read (gdviz.classroom_page.join), not a setting."""
    params = {name: texts for name, texts in params.items() if name != "class"}
    state, notes = PageState.from_link(params)
    given = named(params)
    settings = bool(set(params) - {"lesson", "scene", "present", "step"})  # how to show a scene is no setting
    if state.lesson is None:
        return Link(state, frozenset(given), notes=tuple(notes))
    try:
        lesson = lessons.lesson_from_link(state.lesson)
    except lessons.LessonError as error:
        return Link(state, frozenset(given), notes=(*notes, f"The lesson in the link cannot be opened: {error}"))
    n, k = len(lesson.scenes), state.scene
    if not 1 <= k <= n:
        notes.append(f"This lesson has {n} scenes, not {k}; opening scene 1.")
    return Link(state, frozenset(given), lesson, k if 1 <= k <= n else 1, not settings, tuple(notes))


def lesson_specs(lesson) -> list[tuple[str, dict]]:
    """(title, the per-step frames) of each scene of a lesson, for the slides; a scene that cannot
    be drawn keeps its title and no frames."""
    return [(scene.title, lecture(scene_state(scene)).spec) for scene in lesson.scenes]


def lesson_slides(lesson, *, progress=None) -> bytes:
    """A zip of one picture per scene, drawn from each scene's frames; refused (slides.ExportTooCostly,
    a sentence with the estimate and the budget) before anything is drawn when it would cost too much."""
    slides.check_slides(scene_state(scene) for scene in lesson.scenes)
    return slides.slides_zip(slides.lesson_pictures(lesson_specs(lesson), progress=progress))


def preview(state: PageState, rows: int = 200):
    """The first rows of the data in use as a table (features, then the target)."""
    data = dataset(data_in_use(state)[0])
    table = pd.DataFrame(data.X[:rows], columns=list(data.feature_names))
    table[data.target_name] = data.y[:rows]
    return table


def data_csv(state: PageState) -> str:
    """The data in use as CSV (features, then the target), moved or added points included; a name a
    spreadsheet would run as a formula (=, +, -, @, tab, CR at the start of a cell) is written as
    text (``_cell``); the numbers are written as numbers (repr of a float: a negative stays one)."""
    data = dataset(data_in_use(state)[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_cell(name) for name in [*data.feature_names, data.target_name]])
    for row, target in zip(data.X, data.y):
        writer.writerow([repr(float(v)) for v in row] + [repr(float(target))])
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's CSV-injection rule: a cell beginning so runs


def _cell(text: str) -> str:
    """A name or text as a cell no spreadsheet runs as a formula (OWASP's CSV-injection rule): one
    that begins with = + - @ tab or CR gets a leading ', and so does such a character after a
    separator another spreadsheet may split on (; , | tab, a line end), which would begin a cell
    there. The csv module then quotes the cell and doubles its quotes."""
    text = re.sub(r"([;,|\t\r\n])(?=[=+\-@\t\r])", r"\1'", str(text))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
