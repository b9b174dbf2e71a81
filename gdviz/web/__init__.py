"""The lecture views in the browser: the Python that feeds gdviz/web/frontend (index.html and its
modules protocol.js, frames.js, views.js, panel.js, player.js, main.js).

The page's heavy figures are sent once per run; stepping and playing happen in the browser (the
frontend replaces only the traces that move with the step), so they never rerun the script and the
3-D camera stays where the lecturer turned it. What each moving trace and the maths panel show at a
step has one owner, gdviz.web.frames: the spec carries per-step columns and recipes, and frames.js
interprets the recipes exactly as frames.step_frame does. plotly.js and the modules are served as
static files of the component, loaded once per page, never inlined in a rerun.
"""
from __future__ import annotations

import html
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import plotly
import plotly.io

from .. import figures, model, optimizers, schedules, stability, surface, words
from ..state import CAMERA_LIMIT, camera_eye  # noqa: F401 - a camera is part of the page state
from . import frames
from .arrays import decode, encode  # noqa: F401 - gdviz.web.decode/encode, as ever

FRONTEND = Path(__file__).parent / "frontend"
# plotly.js with only the trace types the views draw (built by tools/plotly-bundle/build.sh from the
# plotly.js version the python plotly package ships; tests/test_bundle.py checks both). Served and
# inlined under the name "plotly.min.js", which index.html and export.js load.
PLOTLY_JS = Path(__file__).resolve().parent.parent / "vendor" / "plotly-gdviz.min.js"  # third-party: apart from ours


# The Streamlit page's own styles around the views (app.py), and presenter mode's.
PAGE_CSS = (Path(__file__).parent / "page.css").read_text(encoding="utf-8")
PRESENTER_CSS = (Path(__file__).parent / "presenter.css").read_text(encoding="utf-8")
MODULES = ("protocol.js", "frames.js", "views.js", "panel.js", "player.js", "touch.js", "export.js", "class.js", "main.js",
           "a11y.js")  # in index.html's order


def frontend_files() -> list[Path]:
    """The page and its script modules, as index.html loads them."""
    return [FRONTEND / "index.html"] + [FRONTEND / name for name in MODULES]


def component_dir() -> str:
    """A folder holding the frontend (the page and its modules) and plotly.js side by side, for
    Streamlit to serve as static files.

    plotly.js is the lean bundle PLOTLY_JS, copied as plotly.min.js; the folder's name carries a
    hash of every file (the bundle too), so a changed frontend never meets a stale copy.
    """
    digest = hashlib.sha256(plotly.__version__.encode() + PLOTLY_JS.read_bytes())
    for path in frontend_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    target = Path(tempfile.gettempdir()) / f"gdviz-web-{digest.hexdigest()[:12]}"
    if not (target / "plotly.min.js").exists():
        staging = Path(tempfile.mkdtemp(prefix="gdviz-web-"))
        for path in frontend_files():
            shutil.copyfile(path, staging / path.name)
        shutil.copyfile(PLOTLY_JS, staging / "plotly.min.js")
        try:
            staging.rename(target)
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    return str(target)


MAX_SHOWN_ROWS = 2000  # the data view draws at most this many rows (a fixed random subset)


def display_rows(m: int) -> np.ndarray:
    """Which rows the data view draws: all of them, or a fixed random subset of MAX_SHOWN_ROWS."""
    if m <= MAX_SHOWN_ROWS:
        return np.arange(m)
    return np.sort(np.random.default_rng(0).choice(m, MAX_SHOWN_ROWS, replace=False))


def lecture_spec(data, trajectory, *, feature: int = 0, step: int | None = None, log_loss: bool = False,
                 equal_scales: bool = False, grid: int = 61, label: str | None = None,
                 others: tuple = (), original=None, data_view: str = "feature", sweep=None,
                 camera=None, arrows: str = "direction", pull: bool = False, eigen: bool = False) -> dict:
    """Everything the browser needs to show ``trajectory`` on ``data``, as JSON-ready values.

    ``figures`` holds the four Plotly figures at ``step`` (default: the last) as JSON strings, their
    moving traces filled by frames.step_frame; ``timeline`` the main run's per-step columns and
    ``others`` each compared run's; ``frames`` the recipes that say which columns each moving trace
    and the maths panel read at a step (the browser's frames.js interprets them); ``run`` the
    settings. ``others`` are (label, trajectory) pairs of runs compared on the same surface. When
    ``data`` was standardised, ``original`` is the data in its own units: the data view draws there.
    ``camera`` is the 3-D view's eye (x, y, z), as a link's ``cam=x,y,z`` gives it (see camera_eye);
    None keeps the figure's own. It is written into the 3-D figure, so the page, the HTML export and
    the PNG all show it, and into ``spec["camera"]``.

    ``pull``: on the contours, each example's pull at the step (its own −gradient, one thin arrow per
    example, coloured by its residual's sign, at most frames.MAX_PULLS of the rows drawn) and their
    mean, −∇L, bold; hovering an arrow marks its point in the data view and the reverse; the maths
    panel unfolds the sum. ``eigen``: the Hessian's eigen-directions through the optimum on the
    contours, labelled with λᵢ and 1 − αλᵢ, and a view "eigen": the error along each direction
    against the step, observed and (plain full-batch gradient descent) predicted.
    """
    eye = camera_eye(camera)
    settings = trajectory.settings
    objective, l2 = trajectory.objective, float(settings.get("l2") or 0.0)
    test_surface = hasattr(data, "minima")  # gdviz.test_function: no data, L(w, b) is its formula
    plain_mse = objective == "mse" and l2 == 0.0 and not test_surface
    pull, eigen = pull and plain_mse, eigen and plain_mse  # each example's pull, the eigen-analysis: the MSE's
    d, m = data.d, (None if test_surface else data.m)
    marks = optimum_marks(data, objective, l2)
    w_star, b_star = (marks[0]["W"], marks[0]["b"]) if marks and marks[0]["optimum"] else (None, None)
    runs = [trajectory] + [run for _, run in others]
    shown = [surface.readable_steps(run.loss) for run in runs]
    if test_surface:
        box = tuple(float(v) for v in data.box)
    else:
        w_points = np.concatenate([run.w[:n, feature] for run, n in zip(runs, shown)] + [[mk["W"][feature] for mk in marks]])
        b_points = np.concatenate([run.b[:n] for run, n in zip(runs, shown)] + [[mk["b"] for mk in marks]])
        box = surface.view_box(w_points, b_points)
    w_values = np.linspace(box[0], box[1], grid)
    b_values = np.linspace(box[2], box[3], grid)
    last = max(run.steps for run in runs)
    step = last if step is None else int(np.clip(step, 0, last))
    label = label or optimizers.LABELS.get(trajectory.settings.get("optimizer", "gd"), "path")
    labels = [label] + [name for name, _ in others]
    colours = [figures.PATH] + [figures.RUN_COLOURS[(i + 1) % len(figures.RUN_COLOURS)] for i in range(len(others))]
    for mk in marks:  # each marked point's height on the surface drawn
        mk["L"] = float(model.loss(data, mk["W"], mk["b"], objective=objective if not test_surface else "mse", l2=l2))
    optimum_point = [(float(mk["W"][feature]), mk["b"], mk["L"], mk["name"]) for mk in marks]
    shown_data = original if original is not None else data
    names = list(getattr(shown_data, "feature_names", None) or [f"x{i + 1}" for i in range(d)])
    scaling = None
    if getattr(data, "scaling", None) is not None:
        scaling = (float(data.scaling[0][feature]), float(data.scaling[1][feature]))
    prime = "′" if scaling else ""
    w_symbol = f"w{prime}" if d == 1 else f"w{feature + 1}{prime}"
    w_label = w_symbol if d == 1 else f"{w_symbol} (weight of {names[feature]})"
    true_line = None
    if getattr(shown_data, "true_weights", None) is not None and d == 1 and not test_surface:
        true_line = (float(shown_data.true_weights[0]), float(shown_data.true_bias))
    if test_surface:  # no data: the rows are empty and the data view shows the progress instead
        rows, x_shown, y_shown, X_rows = np.arange(0), np.zeros(0), np.zeros(0), np.zeros((0, 1))
        mode = "progress"
    else:
        rows = display_rows(m)
        x_shown, y_shown, X_rows = shown_data.X[rows, feature], shown_data.y[rows], data.X[rows]
        if objective == "logistic":
            mode = "classes" if d == 1 and data_view != "actual" else "probability"
        else:
            mode = "actual" if data_view == "actual" else ("several" if d > 1 else "feature")
    # With several features the surface is the (w_f, b) slice through the other weights at the step
    # in view; the browser redraws it as the step moves, from model.slice_coefficients' p, q, r.
    # (The MSE without a penalty only: otherwise the slice is drawn once, through the weights at the
    # last step in view.)
    slice_ = None
    if test_surface:
        z = surface.loss_surface(data, w_values, b_values)
    elif d > 1 and not plain_mse:
        z = surface.loss_surface(data, w_values, b_values, feature=feature, weights=trajectory.w[shown[0] - 1],
                                 objective=objective, l2=l2)
    elif d > 1:
        slice_ = {**model.slice_coefficients(data, trajectory.w, feature), "w_values": w_values, "b_values": b_values}
        # Heights, colours and contour levels are those of the slice at the last step in view, so the
        # page looks the same whichever step it opens at; the frame gives the slice at the step.
        z = model.slice_loss(slice_, shown[0] - 1, w_values, b_values)
    else:
        z = surface.loss_surface(data, w_values, b_values, feature=feature, objective=objective, l2=l2,
                                 weights=None if plain_mse else trajectory.w[shown[0] - 1])  # (no optimum needed)
    looks = [figures.RunLook(name, colour, run.loss, None, n) for name, colour, run, n in zip(labels, colours, runs, shown)]
    # One rule for every problem: a surface whose walls rise far above the paths (Rosenbrock's to 2500
    # over a start at 24, raw faithful's 150 times) is drawn with log-like heights, whole, never cut
    # flat; the moving slice of several features keeps linear heights (frames.js presses it).
    heights = surface.Heights() if slice_ is not None else surface.heights_for(
        z, [run.loss[:n] for run, n in zip(runs, shown)], [mk["L"] for mk in marks])
    drawn = heights(z)
    top_at_least = float(np.nanmax(drawn)) if heights.log else None
    top, lift = figures.surface_height(drawn, [figures.RunLook(look.label, look.colour, heights(look.loss), None, look.shown)
                                               for look in looks], top_at_least)
    scale = frames.arrow_scale(trajectory, box, feature=feature, shown=shown[0], arrows=arrows)
    ends = (float(x_shown.min()), float(x_shown.max())) if mode in ("feature", "classes") else None
    targets = [(mk["W"], mk["b"]) for mk in marks] if test_surface else None
    columns = [frames.main_columns(data, trajectory, feature=feature, scale=scale, lift=lift,
                                   optimum=None if w_star is None else (w_star, b_star), ends=ends, targets=targets,
                                   heights=heights)]
    columns += [frames.other_columns(data, run, feature=feature, lift=lift, ends=ends, targets=targets, heights=heights)
                for run in runs[1:]]
    curve = None
    if mode == "classes":  # the fitted sigmoid is drawn on a grid of x, in the data's units and the fitted ones
        span = (ends[1] - ends[0]) or 1.0
        curve_x = np.linspace(ends[0] - 0.1 * span, ends[1] + 0.1 * span, 121)
        scaling_f = getattr(data, "scaling", None)
        curve_X = ((curve_x - scaling_f[0][0]) / scaling_f[1][0] if scaling_f is not None else curve_x)[:, None]
        curve = {"x": curve_x, "X": curve_X}
    pulled = frames.pull_rows(len(rows)) if pull else None
    if pull:
        pull_X, pull_y = data.X[rows][pulled], data.y[rows][pulled]
        columns[0].update(frames.pull_columns(trajectory, pull_X, pull_y, feature=feature, scale=scale))
        columns[0].update(frames.unfold_columns(data, trajectory))
    errors = frames.eigen_errors(data, trajectory) if eigen else None
    if eigen:
        columns[0]["eig_err"] = errors["observed"]
    schedule = settings.get("schedule")
    described = optimizers.DESCRIPTIONS.get(settings.get("optimizer", "gd"), optimizers.DESCRIPTIONS["gd"])
    chosen = [{"key": h.key, "symbol": h.symbol, "value": h.value(settings)} for h in described.hyper
              if h.key is not None and h.keyword in settings]  # the run's μ, β₁, β₂
    run = {
        "optimizer": settings.get("optimizer", "gd"), "label": label,
        "optimizer_label": described.label, "rule": described.rule, "adaptive": described.adaptive,
        "hyper": chosen, "why": described.why.format(**{h["symbol"]: words.nice(h["value"]) for h in chosen}),
        "lr": settings.get("lr"), "m": m, "d": d, "feature": feature, "names": names,
        "steps": trajectory.steps, "last": last, "shown": shown[0], "diverged_at": trajectory.diverged_at,
        "converged_at": trajectory.converged_at, "note": trajectory.note, "batch_size": settings.get("batch_size"),
        "optimum": None if w_star is None else [float(v) for v in w_star] + [b_star],
        "loss_min": optimum_point[0][2] if optimum_point else None,
        "objective": objective, "l2": l2, "formula": getattr(data, "formula", None) if test_surface else None,
        "minima": len(getattr(data, "minima", ())) if test_surface else None,
        "schedule": schedules.describe(schedule) if schedule else None,
        "lift": lift, "arrow_scale": scale, "scaling": scaling, "data_view": mode,
        "pull": bool(pull), "pull_rows": None if pulled is None else [int(i) for i in pulled],
        "eigen": bool(eigen),
    }
    clocks = [{"view": n - 1, "last": r.steps} for r, n in zip(runs, shown)]
    if eigen:
        clocks[0]["finite"] = errors["finite"]
    views = frames.Views(
        runs=columns, clocks=clocks,
        rows={"x": x_shown, "y": y_shown, "X": X_rows,  # X in the fitted units: ŷ = X W + b either way
              **({"pull_X": pull_X, "pull_y": pull_y} if pull else {}),
              **({"curve_X": curve["X"]} if curve is not None else {})},
        traces=frames.trace_recipes(feature=feature, n_others=len(others), batch=bool(settings.get("batch_size")),
                                    several=slice_ is not None, data_mode=mode, pull=pull,
                                    eigen=d + 1 if eigen else 0, rates=bool(schedule)),
        annotations=frames.arrow_recipes(feature, figures.ARROW_STYLES, pull=pull),
        panel=frames.panel_recipe(run, batch_size=settings.get("batch_size")), slice=slice_)
    first = frames.step_frame(views, step)
    moving = first["traces"]
    looks = [figures.RunLook(look.label, look.colour, look.loss, frames.hover_rows(cols, frames.run_names(i, feature)),
                             look.shown) for i, (look, cols) in enumerate(zip(looks, columns))]
    lines = _eigen_lines(data, feature, box, (float(w_star[feature]), b_star), settings.get("lr"),
                         scheduled=bool(schedule)) if eigen else None
    pull_look = None
    if pull:
        pull_look = {"rows": [int(rows[i]) for i in pulled], "m": m}
    figs = {
        "surface": figures.surface_figure(w_values, b_values, z, looks, optimum_point, moving["surface"],
                                          arrow_scale=scale, w_label=w_label, w_symbol=w_symbol,
                                          top_at_least=top_at_least, heights=heights),
        "contour": figures.contour_figure(w_values, b_values, z, looks, optimum_point, moving["contour"],
                                          first["annotations"]["contour"], equal_scales=equal_scales, w_label=w_label,
                                          pull=pull_look, eigen_lines=lines),
        "data": (figures.progress_figure([np.asarray(c["distance"]) for c in columns], looks, moving["data"],
                                         minima=bool(getattr(data, "minima", ()))) if test_surface else
                 figures.classes_figure(x_shown, y_shown, looks, moving["data"], curve_x=curve["x"],
                                        true_curve=true_line, x_label=names[feature],
                                        y_label=getattr(shown_data, "target_name", "y")) if mode == "classes" else
                 figures.probability_figure(y_shown, moving["data"], y_label=getattr(shown_data, "target_name", "y"))
                 if mode == "probability" else
                 figures.data_figure(x_shown, y_shown, looks, moving["data"], true_line=true_line,
                                     x_label=names[feature], y_label=getattr(shown_data, "target_name", "y"), mode=mode,
                                     pull_highlight=bool(pull))),
        "loss": figures.loss_figure(looks, moving["loss"], log_y=log_loss, y_title=loss_title(objective, l2, test_surface),
                                    rates=columns[0]["alpha"] if schedule else None,
                                    lr_max=_lr_max(data, objective, l2, test_surface) if schedule else None),
    }
    if eigen:
        figs["eigen"] = _eigen_figure(errors, settings, moving.get("eigen", {}))
    timeline = {name: encode(value) for name, value in columns[0].items()}
    timeline.update(x=encode(x_shown), y=encode(y_shown), X_rows=encode(X_rows))
    if curve is not None:
        timeline.update(curve_X=encode(curve["X"]))
    if pull:
        timeline.update(pull_X=encode(pull_X), pull_y=encode(pull_y))
    timeline.setdefault("r2", None)
    if slice_ is not None:
        run["slice"] = {key: encode(value) if isinstance(value, np.ndarray) else value for key, value in slice_.items()}
    else:
        run["slice"] = None
    compared = [{"label": name, "colour": colour, "shown": n, "steps": other.steps, "diverged_at": other.diverged_at,
                 **{key: encode(value) for key, value in cols.items()}}
                for name, colour, n, other, cols in zip(labels[1:], colours[1:], shown[1:], runs[1:], columns[1:])]
    recipes = {"columns": [list(cols) for cols in columns], "clocks": views.clocks, "traces": views.traces,
               "annotations": views.annotations, "panel": views.panel}
    if eye is not None:
        figs["surface"].update_layout(scene_camera_eye=dict(zip("xyz", eye)))
    elif test_surface:  # from higher up: a test surface's valley floor lies between steep walls
        figs["surface"].update_layout(scene_camera_eye=dict(x=-0.7, y=-1.0, z=2.3))
    if sweep is not None:
        figs["sweep"] = sweep
    # to_json() would drop the traces' uids, which the browser uses to find the moving traces.
    body = {"figures": {name: plotly.io.json.to_json_plotly(fig if isinstance(fig, dict) else fig.to_plotly_json())
                        for name, fig in figs.items()},
            "timeline": timeline, "run": run, "others": compared, "frames": recipes,
            "looks": {"colours": figures.PAGE_COLOURS, "presenter": figures.PRESENTER},
            "rows": {"index": rows.tolist()}}  # the data set's row of each point drawn (touch.js: a dragged point)
    run_id = hashlib.sha256(json.dumps([body["timeline"], run, compared], sort_keys=True).encode()).hexdigest()[:16]
    return {**body, "step": step, "camera": list(eye) if eye is not None else None, "run_id": run_id}


def optimum_marks(data, objective: str, l2: float) -> list[dict]:
    """The points marked on the contours and the 3-D view, each {"W", "b", "name", "optimum"}: the
    optimum of the loss drawn (with a ridge penalty also the optimum without it), a test surface's
    known minima (the saddle's stationary point), or nothing when the loss has no finite optimum
    (logistic regression on separable classes)."""
    if hasattr(data, "minima"):
        if data.minima:
            many = len(data.minima) > 1
            return [{"W": np.array([w]), "b": float(b), "optimum": i == 0,
                     "name": f"known minim{'a' if many else 'um'} (L = {data.loss_min:g})"}
                    for i, (w, b) in enumerate(data.minima)]
        return [{"W": np.array([w]), "b": float(b), "optimum": False, "name": "saddle point (∇L = 0, no minimum)"}
                for w, b in data.stationary]
    what = "least squares" if objective == "mse" else "maximum likelihood"
    try:
        w_star, b_star = model.optimum(data, objective=objective, l2=l2)
    except ValueError:  # a DataError: no finite optimum
        return []
    marks = [{"W": np.asarray(w_star, dtype=np.float64), "b": float(b_star), "optimum": True,
              "name": f"optimum with the penalty λ = {l2:g}" if l2 else f"optimum ({what})"}]
    if l2:
        try:
            w_plain, b_plain = model.optimum(data, objective=objective)
            marks.append({"W": np.asarray(w_plain, dtype=np.float64), "b": float(b_plain), "optimum": False,
                          "name": f"optimum without the penalty (λ = 0, {what})"})
        except ValueError:
            pass
    return marks


def _lr_max(data, objective: str, l2: float, test_surface: bool) -> float | None:
    """Plain gradient descent's α_max = 2/λ_max of the loss drawn (estimated where it is not a quadratic)."""
    try:
        c = model.curvature(data) if test_surface else model.curvature(data, objective=objective, l2=l2)
    except ValueError:
        return None
    return float(c.lr_max) if np.isfinite(c.lr_max) else None


def loss_title(objective: str, l2: float, test_surface: bool) -> str:
    """The loss axis's title: which loss is drawn."""
    if test_surface:
        return "loss L(w, b)"
    name = "loss L (MSE" if objective == "mse" else "loss L (cross-entropy"
    return name + (" + λ‖W‖²)" if l2 else ")")


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _eigen_lines(data, feature: int, box, optimum, lr, *, scheduled: bool = False) -> dict:
    """The eigen-directions on the contours: each a line through the optimum across the view, with
    its label "λ₁ = 0.42 · 1−αλ₁ = 0.79" (α the run's learning rate; with a schedule α₀, its first)."""
    values, vectors, sliced = frames.eigen_directions(data, feature)
    a = "α₀" if scheduled else "α"
    lines = []
    for i, (value, vector) in enumerate(zip(values, vectors.T), start=1):
        start, end = frames.line_in_box(optimum, vector, box)
        sub = str(i).translate(SUBSCRIPTS)
        label = f"λ{sub} = {words.short(value)}"
        if lr is not None:
            label += f" · 1−{a}λ{sub} = {words.short(1.0 - float(lr) * value)}"
        lines.append({"start": start, "end": end, "through": optimum, "label": label, "eigenvalue": float(value),
                      "direction": vector})
    name = "eigen-directions (the slice's Hessian)" if sliced else "eigen-directions (Hessian)"
    return {"lines": lines, "name": name}


def _eigen_figure(errors: dict, settings: dict, moving: dict):
    """The eigen view: |error| along each eigen-direction against the step, finite steps only, with
    the learning rate's limit as gdviz.stability.note states it (this run's optimizer, μ and rates)."""
    last, lr = errors["finite"], settings.get("lr")
    observed = errors["observed"][:last + 1]
    predicted = errors["predicted"][:last + 1] if errors["predicted"] is not None else None
    rates = np.asarray(errors.get("rates", ()), dtype=np.float64)
    scheduled = bool(settings.get("schedule")) and rates.size > 0 and bool(np.any(rates != rates[0]))
    first = float(rates[0]) if scheduled else (None if lr is None else float(lr))
    labels = []
    for i, value in enumerate(errors["eigenvalues"], start=1):
        sub = str(i).translate(SUBSCRIPTS)
        if first is None:
            labels.append(f"λ{sub} = {words.short(value)}")
        elif scheduled:  # the first update's factor only: the later ones differ
            labels.append(f"λ{sub} = {words.short(value)}, 1−α₀λ{sub} = {words.short(1.0 - first * value)}, "
                          "then α_k changes")
        else:
            factor = 1.0 - first * value  # below 0 the error changes sign each step; below −1 it grows
            how = " (grows, zig-zag)" if factor < -1 else " (zig-zag)" if factor < 0 else ""
            labels.append(f"λ{sub} = {words.short(value)}, 1−αλ{sub} = {words.short(factor)}{how}")
    note = None
    if lr is not None and float(errors["eigenvalues"][-1]) > 0:
        note = stability.note(errors["eigenvalues"], settings.get("optimizer", "gd"), lr,
                              momentum=settings.get("momentum", 0.9), rates=rates if scheduled else None, short=True)
    return figures.eigen_figure(observed, predicted, labels, moving, note=note, floor=errors.get("floor"))


# Inside a <script> element "</script", "<!--" and "<script" change how the page is parsed; JSON may
# write every <, > and & as a \\u escape, so no text in the data can close or comment out the script.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value) -> str:
    """``value`` as JSON that is safe to place inside an HTML <script> element, whatever its text."""
    return json.dumps(value, allow_nan=False).translate(_SCRIPT_SAFE)


def inline_script(source: str) -> str:
    """``source`` inside a <script> element of its own: "</script" and "<!--" are written so the HTML
    parser cannot see them (a backslash before "/" or "!" changes nothing in JavaScript's strings)."""
    lowered = source.lower()
    if "<script" in lowered.replace("</script", "") or "<!--" in source:
        raise ValueError("a script module holds '<script' or '<!--': write it differently")
    out, i = [], 0
    while (j := lowered.find("</script", i)) >= 0:
        out += [source[i:j], "<\\/"]
        i = j + 2
    return "<script>" + "".join(out) + source[i:] + "</script>"


def standalone_html(spec: dict, title: str = "gdviz — gradient descent") -> str:
    """The same views as one self-contained HTML page: plotly.js and the modules inlined (each as its
    own <script>), the run embedded, no server. Opened from a disk or a slide it plays, steps and
    keeps a turned camera like the app."""
    page = (FRONTEND / "index.html").read_text(encoding="utf-8")
    data = script_json({**spec, "present": False})
    plotly_js = PLOTLY_JS.read_text(encoding="utf-8").replace("</script", "<\\/script")
    page = page.replace('<script src="plotly.min.js"></script>',
                        f"<script>{plotly_js}</script>\n<script>window.GDVIZ_SPEC = {data};</script>", 1)
    for name in MODULES:
        module = inline_script((FRONTEND / name).read_text(encoding="utf-8"))
        page = page.replace(f'<script src="{name}"></script>', module, 1)
    return page.replace("<title>gdviz views</title>", f"<title>{html.escape(title)}</title>", 1)


def views_png(spec: dict, *, width: int = 1800) -> bytes:
    """A PNG of the four views at the spec's step, for slides: 3-D surface and contours above,
    data and loss below, from Python (a notebook, a script); the page makes its PNG in the browser.
    Needs kaleido (pip install kaleido==1.5.0, not a dependency of the app) and a Chromium; raises
    RuntimeError saying so otherwise."""
    import io

    import plotly.graph_objects as go

    try:
        import kaleido  # noqa: F401
        from PIL import Image
    except ImportError as error:
        raise RuntimeError(f"PNG export needs the kaleido and Pillow packages ({error.name} is missing).") from None
    half = width // 2
    sizes = {"surface": (half, 700), "contour": (half, 700), "data": (half, 560), "loss": (half, 560)}
    images = {}
    try:
        for name, (w, h) in sizes.items():
            fig = go.Figure(json.loads(spec["figures"][name]))
            images[name] = Image.open(io.BytesIO(fig.to_image(format="png", width=w, height=h, scale=1)))
    except Exception as error:  # kaleido reports a missing browser in several ways
        raise RuntimeError("PNG export needs a Chromium browser on the server (Debian: apt-get install chromium); "
                           f"it could not start one ({type(error).__name__}).") from None
    sheet = Image.new("RGB", (width, 700 + 560), "white")
    sheet.paste(images["surface"], (0, 0))
    sheet.paste(images["contour"], (half, 0))
    sheet.paste(images["data"], (0, 700))
    sheet.paste(images["loss"], (half, 700))
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()
