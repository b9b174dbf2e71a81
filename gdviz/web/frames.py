"""One owner of each step's picture: what every moving trace and the maths panel show at step k.

Python computes every per-step number of a run once, as *columns* (one value per step: the weight
shown, b, the loss lifted for the 3-D view, the arrow tips, the fitted line's two ends in the data's
units, |∇L|, the distance to the optimum, ...). Each moving trace is a small declarative *recipe*
that says which columns it slices at step k, e.g. ``{"view": "contour", "uid": "path", "run": 0,
"clock": "view", "attrs": {"x": ["upto", "w"], "customdata": ["rows", "upto", HOVER]}}``.

``step_frame(views, k)`` interprets the recipes at step k; the figure builders use it for the first
frame and gdviz/web/frontend/frames.js interprets the very same recipes in the browser, by slicing
and indexing only. Two things cannot be sent for every step and are computed where they are drawn,
each written once in Python (here, with gdviz.model) and once in frames.js, and compared by
tests/test_browser_parity.py: the (w_f, b) slice of the surface with several features
(model.slice_coefficients' p, q, r) with its heights as drawn (press), and ŷ = X W_k + b_k of the
rows drawn.

Expressions (in a recipe's ``attrs``; ``col`` names a column of the recipe's run, ``"W[1]"`` the
second component of a 2-D column, ``"#"`` the step number itself; j is the recipe's clock at k):
    ["upto", col]                 col[0..j]
    ["before", col]               col[0..j-1]
    ["at", col]                   [col[j]]
    ["pick", [col, i], ...]       [col[i], ...], i "k" (j) or "next" (j + 1, within the clock)
    ["rows", "upto"|"at", [cols]] [[c1[t], c2[t], ...] for each t]: hover rows
    ["interleave", e1, e2]        [e1[0], e2[0], None, e1[1], ...]: many segments in one trace
    ["data", name]                a per-row array of the data drawn ("x", "y")
    ["predicted"]                 ŷ = X W_j + b_j of the rows drawn
    ["sigmoid", rows, W]          p = σ(rows W_j + b_j), σ(z) = 1/(1 + e⁻ᶻ) (computed as e^z/(1 + e^z) for z < 0),
                                  for a per-row array of the data ("X": the rows drawn, "curve_X": the grid
                                  the fitted sigmoid is drawn on), W the run's weight column ("W" or "w")
    ["slice", "z"|"log_z"]        the loss on the (w_f, b) grid, other weights held at W_j
    ["slice", "drawn", c]         that loss as the 3-D view draws it: press(z, c x the main run's
                                  highest "z" in view), a rim below the axis's end, not a wall
    ["stepname", text]            text followed by j
    ["pull", "w"|"b", sign, f]    each example's pull: for the pull rows, [start, tip, None] where the
                                  residual rᵢ = ŷᵢ − yᵢ has this sign (1: ŷ > y, −1: ŷ < y), else
                                  [None, None, None]; start (W_j[f], b_j), tip = start − s_j · 2 rᵢ (xᵢ_f, 1),
                                  s_j the column "pull_scale" (see pull_columns)
A run's clocks: "view" stops at the last step in view (a diverging run flies off the chart),
"last" at the last recorded step, "finite" (the main run, with eigen-directions) at the last step
whose numbers are finite.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .. import model
from ..optimizers import DESCRIPTIONS
from ..surface import SLICE_CAP, press
from .arrays import decode

HOVER = ["#", "w", "b", "loss", "gw", "gb"]  # hover rows: step, w, b, loss, ∂L/∂w, ∂L/∂b
ARROW_FRACTION = 0.12  # the longest gradient arrow spans this fraction of the view (it fits in view_box's pad)
DIRECTION_FRACTION = 0.08  # "direction" arrows: each this fraction of the view long
PULL_FRACTION = 0.45  # each example's pull: the longest drawn spans at most this fraction of the view
MAX_PULLS = 200  # at most this many examples' pulls are drawn (a fixed subset of the rows drawn)
MIN_FRACTION = 0.015  # "true" arrows shorter than this fraction of the view are left out (no merged heads)
ARROW_MODES = ("direction", "true")
_COMPONENT = re.compile(r"^(.+)\[(\d+)\]$")


@dataclass
class Views:
    """Everything step_frame reads: each run's columns and clocks, the rows drawn, the slice's
    coefficients (several features), the recipes and the panel's description. Plain numpy arrays."""

    runs: list[dict]          # per run: {column name: array with one row per step}
    clocks: list[dict]        # per run: {"view": last step in view, "last": last recorded step}
    rows: dict                # {"x", "y": arrays of the rows drawn; "X": (rows, d) in the fitted units;
                              #  with pulls "pull_X", "pull_y": the pull rows in the fitted units}
    traces: list[dict]
    annotations: list[dict] = field(default_factory=list)
    panel: dict | None = None
    slice: dict | None = None  # model.slice_coefficients plus w_values, b_values
    _slices: dict = field(default_factory=dict, repr=False)


# ---------------------------------------------------------------- per-step columns

class ArrowScale(float):
    """The true-scale factor of the gradient arrows (∇L × this spans ARROW_FRACTION of the view at
    its longest), carrying how the arrows are drawn: ``mode`` "direction" (the default for lectures:
    every arrow the same length in the view, DIRECTION_FRACTION, along its vector) or "true" (∇L ×
    the factor; an arrow shorter than MIN_FRACTION of the view is left out so heads never merge),
    and ``spans``, the view's (w, b) widths that lengths are measured in."""

    def __new__(cls, value: float, *, spans=(1.0, 1.0), mode: str = "direction"):
        if mode not in ARROW_MODES:
            raise ValueError(f"arrows must be one of {', '.join(ARROW_MODES)}, not {mode!r}.")
        out = super().__new__(cls, value)
        out.spans, out.mode = (float(spans[0]), float(spans[1])), mode
        return out

    def __reduce__(self):  # a cached spec is pickled
        return (_arrow_scale, (float(self), self.spans, self.mode))


def _arrow_scale(value, spans, mode):
    return ArrowScale(value, spans=spans, mode=mode)


def arrow_scale(trajectory, box, *, feature: int, shown: int, arrows: str = "direction") -> ArrowScale:
    """Gradient arrows are scaled so the longest in view spans ARROW_FRACTION of the view, measured in
    fractions of each axis so the scale suits both axes. ``arrows`` "direction" draws every arrow
    the same length instead (see ArrowScale)."""
    span_w, span_b = box[1] - box[0], box[3] - box[2]
    length = np.hypot(trajectory.grad_w[:shown, feature] / span_w, trajectory.grad_b[:shown] / span_b)
    longest = float(length.max()) if length.size else 0.0
    return ArrowScale(ARROW_FRACTION / longest if longest > 0 else 0.0, spans=(span_w, span_b), mode=arrows)


def arrow_tips(w, b, dw, db, scale) -> tuple[np.ndarray, np.ndarray]:
    """Where the arrows from (w, b) along (dw, db) end: DIRECTION_FRACTION of the view long in
    "direction" mode; (dw, db) × scale in "true" mode, or no arrow (the tip at the start) when that
    is shorter than MIN_FRACTION of the view. A zero vector has no arrow either way."""
    mode, (span_w, span_b) = getattr(scale, "mode", "true"), getattr(scale, "spans", (1.0, 1.0))
    dw, db = np.asarray(dw, dtype=np.float64), np.asarray(db, dtype=np.float64)
    length = np.hypot(dw / span_w, db / span_b)  # in fractions of the view
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "direction":
            factor = np.where(length > 0, DIRECTION_FRACTION / length, 0.0)
        else:
            factor = np.where(length * float(scale) >= MIN_FRACTION, float(scale), 0.0)
    factor = np.where(np.isfinite(factor), factor, 0.0)
    return w + factor * dw, b + factor * db


def distance_to(trajectory, targets) -> np.ndarray:
    """The distance from each step's (W, b) to the nearest of ``targets`` ((W, b) pairs: the optimum,
    or a test surface's known minima)."""
    t = trajectory
    with np.errstate(all="ignore"):
        return np.min([np.sqrt(((t.w - np.atleast_1d(w)) ** 2).sum(axis=1) + (t.b - b) ** 2) for w, b in targets],
                      axis=0)


def rate_column(trajectory) -> np.ndarray:
    """α_k, the learning rate the update after step k uses (Trajectory.lr), one per step: the last
    step, with no update after it, repeats the rate before it."""
    t = trajectory
    rates = np.asarray(t.lr if t.lr is not None else np.full(t.steps, float(t.settings.get("lr", 0.0))), dtype=np.float64)
    last = rates[-1:] if rates.size else np.array([float(t.settings.get("lr", 0.0))])
    return np.concatenate([rates, last])


def boundary_column(data, trajectory, ends) -> np.ndarray:
    """Logistic regression on one feature: the decision boundary x = −b/w (p = 0.5) at each step in
    the data's own units, kept within ``ends`` widened by twice their span (where w = 0, or the
    boundary is far away, it sits off the drawn range, at its left)."""
    to_original = getattr(data, "to_original_units", None)
    slope, intercept = to_original(trajectory.w, trajectory.b) if to_original else (trajectory.w, trajectory.b)
    slope = np.asarray(slope, dtype=np.float64)[:, 0]
    span = (ends[1] - ends[0]) or 1.0
    low, high = ends[0] - 2 * span, ends[1] + 2 * span
    with np.errstate(all="ignore"):
        x = -np.asarray(intercept, dtype=np.float64) / slope
    return np.where(np.isfinite(x), np.clip(x, low, high), low)


def main_columns(data, trajectory, *, feature: int, scale: float, lift: float, optimum, ends=None,
                 targets=None, heights=None) -> dict:
    """The main run's columns (raw arrays): the trajectory, the arrows (``scale``, an ArrowScale,
    says how they are drawn), the panel's numbers and the optimizer's state, and, when ``ends`` (the
    data's lowest and highest x) is given, the fitted line's ends in the data's units. ``optimum``
    (W*, b*) or None (no finite optimum); ``targets`` the points the distance is measured to (default:
    the optimum). The objective (Trajectory.objective) decides what else: "alpha" (the rate each
    update uses), RMSE and R² for the MSE, the accuracy and the decision boundary for logistic
    regression (``ends`` given). ``heights`` (a surface.Heights, default linear) draws the loss as the
    3-D view's height "z", lifted by ``lift``."""
    t = trajectory
    objective = t.objective
    w, gw = t.w[:, feature], t.grad_w[:, feature]
    tip_w, tip_b = arrow_tips(w, t.b, gw, t.grad_b, scale)
    # The update arrow on the contours: along θ_{k+1} − θ_k (the last row has none).
    step_w, step_b = np.append(np.diff(w), 0.0), np.append(np.diff(t.b), 0.0)
    if getattr(scale, "mode", "true") == "direction":
        step_tip_w, step_tip_b = arrow_tips(w, t.b, step_w, step_b, scale)
    else:  # the true step, left out when too short to draw apart from ∇L's head
        short = np.hypot(step_w / scale.spans[0], step_b / scale.spans[1]) < MIN_FRACTION if hasattr(scale, "spans") \
            else np.zeros(len(w), dtype=bool)
        step_tip_w, step_tip_b = np.where(short, w, w + step_w), np.where(short, t.b, t.b + step_b)
    columns = {"W": t.w, "b": t.b, "loss": t.loss, "grad_W": t.grad_w, "grad_b": t.grad_b,
               "used_grad_W": t.used_grad_w, "used_grad_b": t.used_grad_b,
               "tip_w": tip_w, "tip_b": tip_b, "step_tip_w": step_tip_w, "step_tip_b": step_tip_b,
               "z": _height(t.loss, heights) + lift,
               "grad_norm": np.sqrt(t.grad_b ** 2 + (t.grad_w ** 2).sum(axis=1)),
               "alpha": rate_column(t)}
    targets = targets if targets is not None else ([optimum] if optimum is not None else [])
    if targets:
        columns["distance"] = distance_to(t, targets)
    if objective == "mse" and not t.settings.get("l2"):
        columns["rmse"] = np.sqrt(t.loss)
        r2 = model.r_squared(data, t.loss)
        if r2 is not None:
            columns["r2"] = r2
    if objective == "logistic":
        with np.errstate(all="ignore"):
            z = t.w @ np.asarray(data.X, dtype=np.float64).T + t.b[:, None]
        columns["accuracy"] = ((z > 0) == (np.asarray(data.y) > 0.5)[None, :]).mean(axis=1)
        if ends is not None:
            columns["boundary"] = boundary_column(data, t, ends)
        ends = None  # no straight line to draw
    if t.settings.get("batch_size"):
        columns["used_tip_w"], columns["used_tip_b"] = arrow_tips(w[:-1], t.b[:-1], t.used_grad_w[:, feature],
                                                                  t.used_grad_b, scale)
    columns.update(state_columns(t))
    if ends is not None:
        columns.update(line_ends(data, t.w, t.b, ends))
    return columns


# The panel's "hyper" column: each optimizer's described hyper-parameters, in its description's order
# (gdviz.optimizers.DESCRIPTIONS), e.g. adam: ("β₁", "β₂", "ε").
HYPER = {name: tuple(h.symbol for h in d.hyper) for name, d in DESCRIPTIONS.items() if d.hyper}


def hyper_index(optimizer: str, symbol: str) -> int:
    """Where the hyper-parameter written ``symbol`` ("μ", "β₁", "ε") sits in the "hyper" column."""
    return HYPER[optimizer].index(symbol)


def state_columns(trajectory) -> dict:
    """What the maths panel needs to write an optimizer's update out with numbers: θ = (W, b) and
    the gradient g each update used as rows of d+1 numbers; each state array of Trajectory.state
    (v; s; m, v, m_hat, v_hat) at row k and the row before ("v_prev", zeros at step 0); Adam's
    t = k + 1 and bias corrections 1 − β₁ᵗ, 1 − β₂ᵗ; and "hyper", the run's values of the optimizer's
    hyper-parameters (HYPER's order, read from Trajectory.settings)."""
    t = trajectory
    settings = dict(t.settings)
    name = settings.get("optimizer", "gd")
    out = {"theta": np.column_stack([t.w, t.b]), "g_used": np.column_stack([t.used_grad_w, t.used_grad_b])}
    for symbol, rows in t.state.items():
        rows = np.asarray(rows, dtype=np.float64)
        out[symbol] = rows
        if symbol in ("v", "s", "m"):
            out[f"{symbol}_prev"] = np.vstack([np.zeros((1, rows.shape[1])), rows[:-1]])
    if name in HYPER:
        out["hyper"] = np.array([h.value(settings) for h in DESCRIPTIONS[name].hyper])
    if name == "adam":
        count = np.arange(1, t.steps + 2, dtype=np.float64)
        out["t"] = count
        beta1, beta2 = (float(v) for v in settings["betas"])
        out["bias1"], out["bias2"] = 1.0 - beta1 ** count, 1.0 - beta2 ** count
    return out


def pull_rows(drawn: int) -> np.ndarray:
    """Which of the rows drawn (web.display_rows) get a pull arrow: all of them, or a fixed random
    subset of MAX_PULLS, so an arrow's point is always one the data view draws."""
    if drawn <= MAX_PULLS:
        return np.arange(drawn)
    return np.sort(np.random.default_rng(1).choice(drawn, MAX_PULLS, replace=False))


def pull_columns(trajectory, X, y, *, feature: int, scale) -> dict:
    """Each example's pull, drawn from the current point: example i's own −gradient in the (w_f, b)
    plane, −2 rᵢ (xᵢ_f, 1) with rᵢ = ŷᵢ − yᵢ (model.example_gradients), for the pull rows ``X``, ``y``
    (fitted units). All arrows of a step share ONE factor s_k ("pull_scale"), so the mean of the
    arrows' tips is the tip of the mean arrow, −s_k ∇L ("pull_tip_w", "pull_tip_b"). s_k is the
    factor of the ∇L arrow (``scale``: its length in the view), lowered when that would make the
    longest pull drawn span more than PULL_FRACTION of the view (near the optimum the pulls cancel:
    ∇L is small, each pull is not). Only s_k travels per step; the browser forms the arrows from ŷ."""
    t = trajectory
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w, gw, gb = t.w[:, feature], t.grad_w[:, feature], t.grad_b
    span_w, span_b = getattr(scale, "spans", (1.0, 1.0))
    with np.errstate(all="ignore"):
        residual = t.w @ X.T + t.b[:, None] - y  # (steps + 1, rows)
        length = np.hypot(2.0 * residual * X[:, feature] / span_w, 2.0 * residual / span_b)
        longest = length.max(axis=1) if X.shape[0] else np.zeros(len(w))
        cap = PULL_FRACTION / longest
        if getattr(scale, "mode", "true") == "direction":
            own = DIRECTION_FRACTION / np.hypot(gw / span_w, gb / span_b)
        else:
            own = np.full(len(w), float(scale))
        factor = np.fmin(own, cap)
    factor = np.where(np.isfinite(factor) & (factor > 0), factor, 0.0)
    return {"pull_scale": factor, "pull_tip_w": w - factor * gw, "pull_tip_b": t.b - factor * gb}


UNFOLDED = 3  # the maths panel unfolds the residual vector's first rows


def unfold_columns(data, trajectory) -> dict:
    """The maths panel's unfolded sum: the first UNFOLDED residuals rᵢ = ŷᵢ − yᵢ at every step
    (formed as model.example_gradients forms them), Xᵀr = (m/2) ∂L/∂W and Σ r = (m/2) ∂L/∂b."""
    t, q = trajectory, model.quadratic(data)
    n = min(UNFOLDED, q.m)
    X, y = np.asarray(data.X, dtype=np.float64)[:n], np.asarray(data.y, dtype=np.float64)[:n]
    with np.errstate(all="ignore"):
        c = model.mean_residual(q, t.w, t.b)
        head = (X - q.x_mean) @ t.w.T - (y - q.y_mean)[:, None] + c  # (n, steps + 1)
    return {"resid_head": head.T, "Xtr": 0.5 * q.m * t.grad_w, "sum_r": 0.5 * q.m * t.grad_b}


def eigen_directions(data, feature: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """The eigen-directions drawn on the contours, in the (w_f, b) plane: (λ ascending, V with the
    directions as columns, sliced). One feature: the Hessian's own (model.curvature). Several: the
    curvature of the (w_f, b) slice, the 2×2 block of H for w_f and b (sliced=True); the full
    directions have d+1 components and do not lie in the plane."""
    q = model.quadratic(data)
    if q.d == 1:
        c = model.curvature(data)
        return c.eigenvalues, c.eigenvectors, False
    keep = [feature, q.d]
    values, vectors = np.linalg.eigh(model.hessian(data)[np.ix_(keep, keep)])
    return values, vectors, True


def eigen_errors(data, trajectory) -> dict:
    """The error along each eigen-direction of H = V diag(λ) Vᵀ, |Vᵀ(θ_k − θ*)|, observed on the run
    ("observed", one row per step) and predicted by plain gradient descent's closed form
    |c₀ᵢ| Π_{j<k} |1 − α_jλᵢ|, c₀ = Vᵀ(θ₀ − θ*), α_j the rate update j used (Trajectory.lr: a schedule
    changes it; without one |1 − αλᵢ|ᵏ |c₀ᵢ|, the components of model.predicted_path without its
    rounding; "predicted", None for another optimizer or mini-batches), the last step whose numbers
    are finite ("finite"), the rates α_j ("rates") and float64's floor ("floor"): ε = 2.2×10⁻¹⁶ of the
    larger of the start's error and θ*, below which θ_k − θ* is rounding, not descent."""
    t, c = trajectory, model.curvature(data)
    w_star, b_star = model.optimum(data)
    theta_star = np.append(w_star, b_star)
    with np.errstate(all="ignore"):
        observed = np.abs((np.column_stack([t.w, t.b]) - theta_star) @ c.eigenvectors)
    finite = np.isfinite(observed).all(axis=1)
    last = int(np.argmin(finite)) - 1 if not finite.all() else len(finite) - 1
    rates = rate_column(t)[:t.steps]
    predicted = None
    if t.settings.get("optimizer", "gd") == "gd" and not t.settings.get("batch_size"):
        with np.errstate(all="ignore"):
            if rates.size and np.all(rates == rates[0]):
                factors = np.abs(1.0 - float(rates[0]) * c.eigenvalues)
                predicted = observed[0] * factors ** np.arange(t.steps + 1, dtype=np.float64)[:, None]
            else:  # a schedule: each update's own factor, multiplied up
                factors = np.abs(1.0 - rates[:, None] * c.eigenvalues[None, :])
                predicted = observed[0] * np.vstack([np.ones((1, len(c.eigenvalues))), np.cumprod(factors, axis=0)])
    scale = max(float(observed[0].max()), float(np.abs(theta_star).max()))
    floor = float(np.finfo(np.float64).eps) * (scale if np.isfinite(scale) and scale > 0 else 1.0)
    return {"observed": observed, "predicted": predicted, "finite": max(last, 0), "eigenvalues": c.eigenvalues,
            "rates": rates, "floor": floor}


def line_in_box(point, direction, box) -> tuple[np.ndarray, np.ndarray]:
    """The two ends of the line through ``point`` along ``direction`` inside ``box`` (w0, w1, b0, b1)."""
    point, direction = np.asarray(point, dtype=np.float64), np.asarray(direction, dtype=np.float64)
    lo, hi = -np.inf, np.inf
    for p, v, (a, b) in zip(point, direction, ((box[0], box[1]), (box[2], box[3]))):
        if v != 0:
            t0, t1 = sorted(((a - p) / v, (b - p) / v))
            lo, hi = max(lo, t0), min(hi, t1)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        lo, hi = 0.0, 0.0
    return point + lo * direction, point + hi * direction


def _height(loss, heights) -> np.ndarray:
    return np.asarray(loss, dtype=np.float64) if heights is None else heights(loss)


def other_columns(data, trajectory, *, feature: int, lift: float, ends=None, targets=None, heights=None) -> dict:
    """A compared run's columns: its path (the weight shown), loss, gradient and line (for logistic
    regression its sigmoid is drawn from w and b instead); with ``targets``, its distance to the
    nearest of them."""
    t = trajectory
    columns = {"w": t.w[:, feature], "b": t.b, "loss": t.loss, "grad_w": t.grad_w[:, feature],
               "grad_b": t.grad_b, "z": _height(t.loss, heights) + lift}
    if targets:
        columns["distance"] = distance_to(t, targets)
    if ends is not None and t.objective == "mse":
        columns.update(line_ends(data, t.w, t.b, ends))
    return columns


def line_ends(data, W, b, ends) -> dict:
    """The fitted line ŷ = w x + b at every step, as its values at the data's lowest and highest x, in
    the data's own units (Dataset.to_original_units undoes a standardisation)."""
    to_original = getattr(data, "to_original_units", None)
    slope, intercept = to_original(W, b) if to_original else (np.asarray(W), np.asarray(b))
    slope = np.asarray(slope)[:, 0]
    return {"fit_lo": slope * ends[0] + intercept, "fit_hi": slope * ends[1] + intercept}


def run_names(run: int, feature: int) -> dict:
    """The recipes' names of a run's columns: the main run keeps whole vectors (W, grad_W) and shows
    one component of them; a compared run carries just the weight shown."""
    if run == 0:
        return {"w": f"W[{feature}]", "gw": f"grad_W[{feature}]", "gb": "grad_b"}
    return {"w": "w", "gw": "grad_w", "gb": "grad_b"}


# ---------------------------------------------------------------- recipes

def _hover(names: dict) -> list:
    return [names.get(c, c) for c in HOVER]


def _recipe(view: str, uid: str, run: int, clock: str, **attrs) -> dict:
    return {"view": view, "uid": uid, "run": run, "clock": clock, "attrs": attrs}


def trace_recipes(*, feature: int, n_others: int, batch: bool, several: bool, data_mode: str, pull: bool = False,
                  eigen: int = 0, rates: bool = False) -> list[dict]:
    """Every moving trace of the views, in the order the figures draw them. ``pull``: each example's
    pull and their mean on the contours; ``eigen``: how many eigen-directions the eigen view marks;
    ``rates``: the loss view marks α_k of a schedule at the step. ``data_mode`` "feature", "actual",
    "several" (linear regression), "classes" (logistic, one feature: the sigmoid and the boundary),
    "probability" (logistic: predicted probability against the class), "progress" (a test surface:
    the distance to the nearest minimum against the step)."""
    out = []
    if several:
        out.append(_recipe("surface", "surface", 0, "view", z=["slice", "drawn", SLICE_CAP]))
        out.append(_recipe("contour", "contours", 0, "view", z=["slice", "log_z"], customdata=["slice", "z"]))
    for view in ("surface", "contour"):
        out += _path_recipes(view, feature, batch=batch, n_others=n_others)
    out += _data_recipes(data_mode, n_others)
    for i in range(n_others + 1):
        out.append(_recipe("loss", "current-point" if i == 0 else f"other-point-{i}", i, "last", x=["at", "#"],
                           y=["at", "loss"], customdata=["rows", "at", _hover(run_names(i, feature))]))
    if rates:
        out.append(_recipe("loss", "lr-now", 0, "last", x=["at", "#"], y=["at", "alpha"]))
    if pull:
        out += pull_recipes(feature)
    if eigen:
        out.append(_recipe("eigen", "eigen-now", 0, "finite", x=["pick", *[["#", "k"]] * eigen],
                           y=["pick", *[[f"eig_err[{i}]", "k"] for i in range(eigen)]]))
    return out


def pull_recipes(feature: int) -> list[dict]:
    """Each example's pull on the contours, one trace per residual sign, and their mean (−∇L, bold)."""
    w = run_names(0, feature)["w"]
    return [_recipe("contour", "pull-over", 0, "view", x=["pull", "w", 1, feature], y=["pull", "b", 1, feature]),
            _recipe("contour", "pull-under", 0, "view", x=["pull", "w", -1, feature], y=["pull", "b", -1, feature]),
            _recipe("contour", "pull-mean", 0, "view", x=["pick", [w, "k"], ["pull_tip_w", "k"]],
                    y=["pick", ["b", "k"], ["pull_tip_b", "k"]])]


def _path_recipes(view: str, feature: int, *, batch: bool, n_others: int) -> list[dict]:
    """The paths, gradient arrows and current points of the 3-D view (with heights) or the contours."""
    names = run_names(0, feature)
    w, height = names["w"], view == "surface"

    def points(kind, run_w="w"):
        return dict(x=[kind, run_w], y=[kind, "b"], **({"z": [kind, "z"]} if height else {}))

    def arrows(kind, tip_w, tip_b):
        out = dict(x=["interleave", [kind, w], [kind, tip_w]], y=["interleave", [kind, "b"], [kind, tip_b]])
        return {**out, "z": ["interleave", [kind, "z"], [kind, "z"]]} if height else out

    def ends(*refs):  # a segment from this step's point
        return dict(x=["pick", [w, "k"], refs[0]], y=["pick", ["b", "k"], refs[1]], z=["pick", ["z", "k"], refs[2]])

    out = [_recipe(view, "gradients", 0, "view", **arrows("upto", "tip_w", "tip_b"))]
    if batch:
        out.append(_recipe(view, "batch-gradients", 0, "view", **arrows("before", "used_tip_w", "used_tip_b")))
    out.append(_recipe(view, "path", 0, "view", **points("upto", w), customdata=["rows", "upto", _hover(names)]))
    if height:
        out.append(_recipe(view, "current-gradient", 0, "view", **ends(["tip_w", "k"], ["tip_b", "k"], ["z", "k"])))
        out.append(_recipe(view, "current-update", 0, "view", **ends([w, "next"], ["b", "next"], ["z", "next"])))
    out.append(_recipe(view, "current-point", 0, "view", **points("at", w), customdata=["rows", "at", _hover(names)]))
    for i in range(1, n_others + 1):
        hover = _hover(run_names(i, feature))
        out.append(_recipe(view, f"other-path-{i}", i, "view", **points("upto"), customdata=["rows", "upto", hover]))
        out.append(_recipe(view, f"other-point-{i}", i, "view", **points("at"), customdata=["rows", "at", hover]))
    return out


def _data_recipes(mode: str, n_others: int) -> list[dict]:
    if mode == "progress":
        return [_recipe("data", "progress-now" if i == 0 else f"other-progress-{i}", i, "view", x=["at", "#"],
                        y=["at", "distance"]) for i in range(n_others + 1)]
    if mode == "probability":
        return [_recipe("data", "predicted", 0, "last", y=["sigmoid", "X", "W"], name=["stepname", "p at step "])]
    if mode == "classes":
        curves = [_recipe("data", f"other-fit-{i}", i, "last", y=["sigmoid", "curve_X", "w"]) for i in range(1, n_others + 1)]
        return [*curves, _recipe("data", "boundary", 0, "last", x=["pick", ["boundary", "k"], ["boundary", "k"]]),
                _recipe("data", "fit", 0, "last", y=["sigmoid", "curve_X", "W"], name=["stepname", "p(x) = σ(w x + b) at step "])]
    residuals = _recipe("data", "residuals", 0, "last", y=["interleave", ["data", "y"], ["predicted"]])
    if mode in ("actual", "several"):
        return [residuals, _recipe("data", "predicted", 0, "last", y=["predicted"], name=["stepname", "ŷ at step "])]
    ends = dict(y=["pick", ["fit_lo", "k"], ["fit_hi", "k"]])
    return [residuals, *[_recipe("data", f"other-fit-{i}", i, "last", **ends) for i in range(1, n_others + 1)],
            _recipe("data", "fit", 0, "last", **ends, name=["stepname", "ŷ = w x + b at step "])]


def arrow_recipes(feature: int, styles: dict, *, pull: bool = False) -> list[dict]:
    """The contour view's arrow-headed annotations at the step: ∇L and the update (``styles`` by name)
    and, with ``pull``, the mean of the pulls (−∇L) over them, bold (annotations lie above traces)."""
    w = run_names(0, feature)["w"]
    arrows = [{"from": [[w, "k"], ["b", "k"]], "to": [["tip_w", "k"], ["tip_b", "k"]], "style": styles["grad"]},
              {"from": [[w, "k"], ["b", "k"]], "to": [["step_tip_w", "k"], ["step_tip_b", "k"]], "style": styles["update"]}]
    if pull:
        arrows.append({"from": [[w, "k"], ["b", "k"]], "to": [["pull_tip_w", "k"], ["pull_tip_b", "k"]],
                       "style": styles["pull"]})
    return [{"view": "contour", "run": 0, "clock": "view", "arrows": arrows}]


# ---------------------------------------------------------------- the maths panel

def _n(col, at="k", paren=True) -> dict:
    """A number from a column at step k (or "next"); ``paren``: in brackets when negative, as a
    substitution after an operator is written (× (−4.2483))."""
    return {"n": [col, at], "paren": True} if paren else {"n": [col, at]}


def _v(col, at="k") -> dict:
    return {"vec": [col, at]}


def _h(optimizer: str, symbol: str) -> dict:
    """The run's value of ``optimizer``'s hyper-parameter ``symbol``: a fixed row of the "hyper" column."""
    return {"n": ["hyper", hyper_index(optimizer, symbol)]}


def panel_recipe(run: dict, *, batch_size) -> dict:
    """The maths panel's rows as text pieces and references to per-step numbers (filled in at step k):
    a piece is a string, {"n": [col, at]} or {"n": number} (a number in a box; "paren": in brackets
    when negative), {"vec": [col, at]} (a vector), {"fmt": number} (a number in running text),
    {"span": class, "parts": [...]}. ``at`` is "k", "next" or a fixed row (the "hyper" column).
    A row shows "always", or when an update follows the step ("next") or not ("end")."""
    d, f = run["d"], run["feature"]
    prime = "′" if run.get("scaling") else ""
    W = ("w" if d == 1 else "W") + prime
    full = "full-data " if batch_size else ""
    objective, l2 = run.get("objective", "mse"), float(run.get("l2") or 0.0)
    ridge, ridge_g = (f" + λ‖{W}‖²", f" + 2λ{W}") if l2 else ("", "")
    lam = [" \u00a0", {"span": "rule", "parts": ["(λ = ", {"fmt": l2}, ")"]}] if l2 else []
    if run.get("formula"):  # a test surface: its formula is the loss, w and b its coordinates
        rows = [_row("", [f"{run['formula']} \u00a0 at w = ", {"n": ["W[0]", "k"]}, ", b = ", {"n": ["b", "k"]}]),
                _row("", ["L = ", {"n": ["loss", "k"]}]),
                _row("g", ["∂L/∂w = ", {"n": ["grad_W[0]", "k"]}, ", \u00a0∂L/∂b = ", {"n": ["grad_b", "k"]}])]
    elif objective == "logistic":
        rows = _scaling_rows(run) + [
            _row("", [f"p = σ(X{prime}{W} + b), σ(z) = 1/(1 + e⁻ᶻ) \u00a0 with {W} = ", {"vec": ["W", "k"]}, ", b = ",
                      {"n": ["b", "k"]}]),
            _row("", [f"L = −(1/m) Σ [y log p + (1 − y) log(1 − p)]{ridge} = ", {"n": ["loss", "k"]}, " \u00a0",
                      {"span": "rule", "parts": [f"(m = {run['m']})"]}, *lam]),
            _row("g", [f"{full}∂L/∂{W} = (1/m) X{prime}ᵀ(p − y){ridge_g} = ", {"vec": ["grad_W", "k"]}]),
            _row("g", [f"{full}∂L/∂b = (1/m) Σ (p − y) = ", {"n": ["grad_b", "k"]}])]
    else:
        rows = _scaling_rows(run) + [
            _row("", [f"ŷ = X{prime}{W} + b \u00a0 with {W} = ", {"vec": ["W", "k"]}, ", b = ", {"n": ["b", "k"]}]),
            _row("", [f"L = (1/m) Σ (ŷ − y)²{ridge} = ", {"n": ["loss", "k"]}, " \u00a0",
                      {"span": "rule", "parts": [f"(m = {run['m']})"]}, *lam]),
            *([] if l2 else _derivation_rows(run, W, prime)),
            _row("g", [f"{full}∂L/∂{W} = (2/m) X{prime}ᵀ(ŷ − y){ridge_g} = ", {"vec": ["grad_W", "k"]}]),
            _row("g", [f"{full}∂L/∂b = (2/m) Σ (ŷ − y) = ", {"n": ["grad_b", "k"]}])]
    if run.get("schedule"):
        rows.append(_row("", [f"α_k = {run['schedule']}: α_k = ", {"n": ["alpha", "k"]}], when="next"))
    rows.append(_row("rule", ["Last recorded step: no update follows."], when="end"))
    if run.get("pull"):
        rows += _unfold_rows(run, W, prime)
    if batch_size:  # the gradient the update used, beside the full one, before the update
        used = "the one example this update used" if batch_size == 1 else f"the {batch_size} rows this update used"
        rows.append(_row("g", [f"mini-batch gradient g ({used}): ∂L/∂{W} ≈ ",
                               {"vec": ["used_grad_W", "k"]}, ", ∂L/∂b ≈ ", {"n": ["used_grad_b", "k"]}], when="next"))
    rows += _update_rows(run, W, batch=bool(batch_size))
    metrics = [{"label": ("w" if d == 1 else f"w{f + 1}") + prime, "value": [f"W[{f}]", "k"]},
               {"label": "b", "value": ["b", "k"]}, {"label": "loss L", "value": ["loss", "k"]},
               {"label": "|∇L|", "value": ["grad_norm", "k"]}]
    if run.get("formula"):
        metrics.append({"label": "distance to the nearest minimum" if run.get("minima") else "distance to the saddle point",
                        "value": ["distance", "k"]})
    else:
        metrics.append({"label": "distance to optimum", "value": ["distance", "k"]})
    if objective == "logistic":
        metrics.append({"label": "accuracy (p > 0.5)", "value": ["accuracy", "k"], "digits": 4})
    elif not run.get("formula") and not l2:
        metrics += [{"label": "RMSE", "value": ["rmse", "k"]}, {"label": "R²", "value": ["r2", "k"], "digits": 4}]
    if run.get("schedule"):
        metrics.append({"label": "α_k", "value": ["alpha", "k"]})
    return {"run": 0, "clock": "last", "rows": rows, "metrics": metrics}


def _derivation_rows(run: dict, W: str, prime: str) -> list[dict]:
    """The lecture notes' derivation (class "derive": the page shows these rows only when a scene reveals
    the maths line by line): the loss as an expected value over the data, then the chain rule for one
    example, ∂L/∂ŷᵢ, then ∂ŷᵢ/∂W and ∂ŷᵢ/∂b, then the mean over the examples, with this step's numbers
    (the first residuals where the panel unfolds the sum)."""
    m, x = run["m"], f"x{prime}ᵢ"
    residuals = []
    if run.get("pull"):
        n = min(UNFOLDED, m)
        for i in range(n):
            residuals += [", " if i else "", {"n": [f"resid_head[{i}]", "k"]}]
        residuals = [" \u00a0 with ŷ − y = [", *residuals, ", …]" if m > n else "]"]
    return [
        _row("derive", ["L = (1/m) Σᵢ (ŷᵢ − yᵢ)² = E[(ŷ − y)²]: the mean over the examples, an average over the "
                        "data = ", {"n": ["loss", "k"]}]),
        _row("derive", ["chain rule, one example i: ∂L/∂ŷᵢ = (2/m)(ŷᵢ − yᵢ), \u00a0(2/m = ", {"n": 2.0 / m}, ")",
                        *residuals]),
        _row("derive", [f"ŷᵢ = {x}{W} + b, so ∂ŷᵢ/∂{W} = {x} and ∂ŷᵢ/∂b = 1"]),
        _row("derive g", [f"∂L/∂{W} = Σᵢ ∂L/∂ŷᵢ · ∂ŷᵢ/∂{W} = (2/m) Σᵢ (ŷᵢ − yᵢ) {x}: the mean of 2(ŷᵢ − yᵢ) {x} = ",
                          {"vec": ["grad_W", "k"]}]),
        _row("derive g", ["∂L/∂b = Σᵢ ∂L/∂ŷᵢ · 1 = (2/m) Σᵢ (ŷᵢ − yᵢ): the mean of 2(ŷᵢ − yᵢ) = ",
                          {"n": ["grad_b", "k"]}]),
    ]


def _unfold_rows(run: dict, W: str, prime: str) -> list[dict]:
    """The sum unfolded (each example's pull): the residual vector's first rows, Xᵀr with the shapes
    of the product (the same shape as W), then the means (2/m) Xᵀr and (2/m) Σ r."""
    d, m = run["d"], run["m"]
    n = min(UNFOLDED, m)
    head = []
    for i in range(n):
        head += [", " if i else "", {"n": [f"resid_head[{i}]", "k"]}]
    more = ", …" if m > n else ""
    shape = f"({d}×{m})({m}×1) = {d}×1"
    return [
        _row("rule", ["The sum unfolded: example i pulls with its own −gradient, −2rᵢ(xᵢ, 1); −∇L is their mean."]),
        _row("", [f"r = ŷ − y = [", *head, f"{more}]ᵀ \u00a0", {"span": "rule", "parts": [f"(the first {n} of m = {m})"]}]),
        _row("", [f"X{prime}ᵀr: (d×m)(m×1) = d×1 = {shape}, the same shape as {W}: X{prime}ᵀr = ", {"vec": ["Xtr", "k"]}]),
        _row("g", [f"∂L/∂{W} = (2/m) X{prime}ᵀr = ", {"n": 2.0 / m}, " × ", {"vec": ["Xtr", "k"]}, " = ",
                   {"vec": ["grad_W", "k"]}]),
        _row("g", ["∂L/∂b = mean of 2rᵢ = (2/m) Σ rᵢ = ", {"n": 2.0 / m}, " × ", {"n": ["sum_r", "k"], "paren": True},
                   " = ", {"n": ["grad_b", "k"]}]),
    ]


def _row(cls: str, parts: list, when: str = "always") -> dict:
    return {"cls": cls, "parts": parts, "when": when}


def _scaling_rows(run: dict) -> list[dict]:
    scaling = run.get("scaling")
    if not scaling:
        return []
    if run["d"] == 1 and run.get("objective") == "logistic":
        return [_row("rule", ["Feature standardised: x′ = (x − ", {"fmt": scaling[0]}, ") / ", {"fmt": scaling[1]},
                              ". The model is p = σ(w′x′ + b), so the surface is over (w′, b); the curve is drawn in "
                              "x's units."])]
    if run["d"] == 1:
        return [_row("rule", ["Feature standardised: x′ = (x − ", {"fmt": scaling[0]}, ") / ", {"fmt": scaling[1]},
                              ". The model is ŷ = w′x′ + b, so the surface is over (w′, b); the line is drawn in "
                              "x's units: slope w′/σ, intercept b − w′μ/σ."])]
    return [_row("rule", ["Features standardised: x′ = (x − mean) / std for each one (", run["names"][run["feature"]],
                          ": mean ", {"fmt": scaling[0]}, ", std ", {"fmt": scaling[1]}, "), so W′ is in those units."])]


def _update_rows(run: dict, W: str, *, batch: bool) -> list[dict]:
    lr, name = run["lr"], run["optimizer"]
    if run.get("schedule"):  # the rate this update uses, α_k, from the step's column
        lr = ["alpha", "k"]
    if name == "gd":
        gw, gb = (f"g_{W}", "g_b") if batch else (f"∂L/∂{W}", "∂L/∂b")
        if run["d"] == 1:
            change = [_n("W[0]", paren=False), " − ", {"n": lr}, " × ", _n("used_grad_W[0]"), " = ", _n("W[0]", "next", False)]
        else:
            change = [_v("W"), " − ", {"n": lr}, " × ", _v("used_grad_W"), " = ", _v("W", "next")]
        return [_row("u", [f"{W} ← {W} − α {gw} = ", *change], when="next"),
                _row("u", [f"b ← b − α {gb} = ", _n("b", paren=False), " − ", {"n": lr}, " × ", _n("used_grad_b"),
                           " = ", _n("b", "next", False)], when="next")]
    theta = _v("theta")
    used = "the mini-batch gradient g" if batch else "g = ∇L"
    chosen = []  # the run's μ, β₁, β₂ beside α
    for hyper in run.get("hyper") or ():
        chosen += [f", {hyper['symbol']} = ", {"fmt": hyper["value"]}]
    head = _row("rule", [f"{run['optimizer_label']} (α{'₀' if run.get('schedule') else ''} = ", {"fmt": run["lr"]}, *chosen,
                         f"), on θ = ({W}, b) and {used}, element by element; the state after this step's update:"],
                when="next")
    step_rows = {
        "momentum": [
            ["v ← μv + g = ", _h("momentum", "μ"), " × ", _v("v_prev"), " + ", _v("g_used"), " = ", _v("v")],
            ["θ ← θ − α v = ", theta, " − ", {"n": lr}, " × ", _v("v"), " = ", _v("theta", "next")]],
        "nesterov": [
            ["v ← μv + g = ", _h("nesterov", "μ"), " × ", _v("v_prev"), " + ", _v("g_used"), " = ", _v("v")],
            ["θ ← θ − α (g + μv) = ", theta, " − ", {"n": lr}, " × (", _v("g_used"), " + ", _h("nesterov", "μ"), " × ", _v("v"),
             ") = ", _v("theta", "next")]],
        "adagrad": [
            ["s ← s + g² = ", _v("s_prev"), " + ", _v("g_used"), "² = ", _v("s")],
            ["θ ← θ − α g / (√s + ε) = ", theta, " − ", {"n": lr}, " × ", _v("g_used"), " / (√", _v("s"), " + ", _h("adagrad", "ε"),
             ") = ", _v("theta", "next")]],
        "rmsprop": [
            ["s ← a s + (1 − a) g² = ", _h("rmsprop", "a"), " × ", _v("s_prev"), " + (1 − ", _h("rmsprop", "a"), ") × ", _v("g_used"), "² = ",
             _v("s")],
            ["θ ← θ − α g / (√s + ε) = ", theta, " − ", {"n": lr}, " × ", _v("g_used"), " / (√", _v("s"), " + ", _h("rmsprop", "ε"),
             ") = ", _v("theta", "next")]],
        "adam": [
            ["m ← β₁m + (1 − β₁) g = ", _h("adam", "β₁"), " × ", _v("m_prev"), " + (1 − ", _h("adam", "β₁"), ") × ", _v("g_used"), " = ",
             _v("m")],
            ["v ← β₂v + (1 − β₂) g² = ", _h("adam", "β₂"), " × ", _v("v_prev"), " + (1 − ", _h("adam", "β₂"), ") × ", _v("g_used"), "² = ",
             _v("v")],
            ["with t = ", _n("t", paren=False), ": m̂ = m / (1 − β₁ᵗ) = ", _v("m"), " / ", _n("bias1", paren=False), " = ",
             _v("m_hat")],
            ["v̂ = v / (1 − β₂ᵗ) = ", _v("v"), " / ", _n("bias2", paren=False), " = ", _v("v_hat")],
            ["θ ← θ − α m̂ / (√v̂ + ε) = ", theta, " − ", {"n": lr}, " × ", _v("m_hat"), " / (√", _v("v_hat"), " + ",
             _h("adam", "ε"), ") = ", _v("theta", "next")]],
    }
    if name not in step_rows:
        return [head]
    return [head] + [_row("u" if i == len(step_rows[name]) - 1 else "s", parts, when="next")
                     for i, parts in enumerate(step_rows[name])]


# ---------------------------------------------------------------- step k

def step_frame(views, k: int) -> dict:
    """Every moving trace's data, the contour's arrows and the maths panel's numbers at step ``k``:
    {"k", "traces": {view: {uid: {attr: value}}}, "annotations": {view: [...]}, "panel": {...}}.
    ``views`` is a Views or a lecture spec (as web.lecture_spec returns it)."""
    if isinstance(views, dict):
        views = views_of_spec(views)
    k = int(k)
    traces: dict = {}
    for recipe in views.traces:
        at = _Clock(views, recipe, k)
        attrs = {name: _evaluate(expr, at) for name, expr in recipe["attrs"].items()}
        traces.setdefault(recipe["view"], {})[recipe["uid"]] = attrs
    annotations = {}
    for recipe in views.annotations:
        at = _Clock(views, recipe, k)
        annotations[recipe["view"]] = [a for a in (_arrow(arrow, at) for arrow in recipe["arrows"]) if a]
    frame = {"k": k, "traces": traces, "annotations": annotations}
    if views.panel is not None:
        frame["panel"] = _panel(views.panel, _Clock(views, views.panel, k))
    return frame


class _Clock:
    """Step k read on one run's clock: j, the step the recipe shows, and its next step."""

    def __init__(self, views: Views, recipe: dict, k: int):
        self.views, self.run = views, recipe["run"]
        limit = views.clocks[self.run][recipe["clock"]]
        self.j = max(0, min(k, limit))
        self.next = min(self.j + 1, limit)

    def column(self, name: str):
        return column(self.views.runs[self.run], name, self.j)

    def index(self, which) -> int:
        if isinstance(which, int):  # a fixed row (the "hyper" column)
            return which
        return self.j if which == "k" else self.next

    def value(self, ref):
        """A number: a literal, or [column, "k"|"next"] (a row of a 2-D column is a vector)."""
        if not isinstance(ref, list):
            return ref
        column = self.column(ref[0])
        i = self.index(ref[1])
        if column is None or i >= len(column):
            return None
        return column[i]


def column(columns: dict, name: str, j: int):
    """A run's column by name: "W[1]" is the second component of the 2-D column W; "#" is the step
    number itself (up to j + 1); None when the run has no such column."""
    if name == "#":
        return np.arange(j + 2, dtype=np.float64)
    if name in columns:
        return columns[name]
    found = _COMPONENT.match(name)
    if found and found.group(1) in columns:
        return columns[found.group(1)][:, int(found.group(2))]
    return None


def _span(kind: str, at: _Clock) -> slice:
    return slice(0, at.j + 1) if kind == "upto" else slice(0, at.j) if kind == "before" else slice(at.j, at.j + 1)


def _evaluate(expr, at: _Clock):
    op = expr[0]
    if op in ("upto", "before", "at"):
        return at.column(expr[1])[_span(op, at)]
    if op == "pick":
        return np.array([at.column(name)[at.index(i)] for name, i in expr[1:]], dtype=np.float64)
    if op == "rows":
        span = _span(expr[1], at)
        return np.column_stack([at.column(name)[span] for name in expr[2]])
    if op == "interleave":
        first, second = _evaluate(expr[1], at), _evaluate(expr[2], at)
        out = np.empty(3 * len(first), dtype=object)
        out[0::3], out[1::3], out[2::3] = first, second, None
        return out
    if op == "data":
        return at.views.rows[expr[1]]
    if op == "predicted":
        return predicted(at.views.rows["X"], at.column("W")[at.j], at.column("b")[at.j])
    if op == "sigmoid":
        return sigmoid(predicted(at.views.rows[expr[1]], np.atleast_1d(at.column(expr[2])[at.j]), at.column("b")[at.j]))
    if op == "slice":
        return _drawn_slice(at.views, at.j, expr[2]) if expr[1] == "drawn" else _slice(at.views, at.j)[expr[1]]
    if op == "stepname":
        return f"{expr[1]}{at.j}"
    if op == "pull":
        return _pull(at, *expr[1:])
    raise ValueError(f"unknown recipe expression {op!r}")


def predicted(X, W, b) -> np.ndarray:
    """ŷ = X W + b for the rows drawn, summed feature by feature in the order frames.js sums them."""
    out = np.full(X.shape[0], float(b))
    for j in range(X.shape[1]):
        out = out + X[:, j] * W[j]
    return out


def sigmoid(z) -> np.ndarray:
    """σ(z) = 1/(1 + e⁻ᶻ) for z ≥ 0 and e^z/(1 + e^z) below (no overflow), as frames.js computes it."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _pull(at: _Clock, axis: str, sign: int, feature: int) -> np.ndarray:
    """["pull", axis, sign, f]: the pull rows' arrows whose residual has this sign, [start, tip, None]
    each (and [None, None, None] for the others, so a row keeps its place: point 3i + 1 is row i's tip)."""
    rows = at.views.rows
    X, W, b = rows["pull_X"], at.column("W")[at.j], at.column("b")[at.j]
    residual = predicted(X, W, b) - rows["pull_y"]
    factor = at.column("pull_scale")[at.j]
    start = W[feature] if axis == "w" else b
    tip = start - factor * (2 * residual * X[:, feature] if axis == "w" else 2 * residual)
    keep = np.nonzero(residual > 0 if sign > 0 else residual < 0)[0]
    out = np.full(3 * len(residual), None, dtype=object)
    out[3 * keep], out[3 * keep + 1] = start, tip[keep]
    return out


def _slice(views: Views, j: int) -> dict:
    """The (w_f, b) slice at step j (model.slice_loss), its log for the contours and its heights as
    the 3-D view draws them (pressed below SLICE_CAP x the main path's highest lifted point in view,
    so the surface ends smoothly instead of being cut flat), kept per step."""
    if j not in views._slices:
        c = views.slice
        z = model.slice_loss(c, j, c["w_values"], c["b_values"])
        views._slices = {j: {"z": z, "log_z": np.log10(z + 1e-300)}}
    return views._slices[j]


def _drawn_slice(views: Views, j: int, cap: float) -> np.ndarray:
    """The slice at step j as the 3-D view draws it: pressed below ``cap`` x the main path's highest
    lifted point in view."""
    return press(_slice(views, j)["z"], cap * float(views.runs[0]["z"][:views.clocks[0]["view"] + 1].max()))


def _arrow(arrow: dict, at: _Clock) -> dict | None:
    (x0, y0), (x1, y1) = ([float(at.value(ref)) for ref in end] for end in (arrow["from"], arrow["to"]))
    if x0 == x1 and y0 == y1:
        return None
    return {"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
            "text": "", "showarrow": True, **arrow["style"]}


def _panel(panel: dict, at: _Clock) -> dict:
    has_next = at.j < at.views.clocks[at.run]["last"]
    shown = [row for row in panel["rows"]
             if row["when"] == "always" or (row["when"] == "next") == has_next]
    rows = [{"cls": row["cls"], "parts": [_piece(part, at) for part in row["parts"]]} for row in shown]
    metrics = []
    for metric in panel["metrics"]:
        value = at.value(metric["value"])
        metrics.append({"label": metric["label"], "value": None if value is None else float(value),
                        "digits": metric.get("digits", 5)})
    return {"rows": rows, "metrics": metrics}


def _piece(part, at: _Clock):
    if isinstance(part, str):
        return part
    if "span" in part:
        return {"span": part["span"], "parts": [_piece(p, at) for p in part["parts"]]}
    if "vec" in part:
        value = at.value(part["vec"])
        return {"vec": [float(v) for v in np.atleast_1d(value)]}
    if "n" in part:
        value = at.value(part["n"])
        out = {"n": None if value is None else float(value)}
        return {**out, "paren": True} if part.get("paren") else out
    return {"fmt": part["fmt"]}


# ---------------------------------------------------------------- from a spec

def views_of_spec(spec: dict) -> Views:
    """The Views a lecture spec carries (what frames.js reads in the browser)."""
    def columns(source: dict, names) -> dict:
        return {name: decode(source[name]) for name in names if isinstance(source.get(name), dict)}

    timeline, frames = spec["timeline"], spec["frames"]
    runs = [columns(timeline, frames["columns"][0])]
    runs += [columns(other, names) for other, names in zip(spec.get("others", []), frames["columns"][1:])]
    rows = {"x": decode(timeline["x"]), "y": decode(timeline["y"]), "X": decode(timeline["X_rows"])}
    if isinstance(timeline.get("curve_X"), dict):
        rows["curve_X"] = decode(timeline["curve_X"])
    if isinstance(timeline.get("pull_X"), dict):
        rows.update(pull_X=decode(timeline["pull_X"]), pull_y=decode(timeline["pull_y"]))
    slice_ = None
    if spec["run"].get("slice"):
        slice_ = {key: decode(value) if isinstance(value, dict) else value for key, value in spec["run"]["slice"].items()}
    return Views(runs=runs, clocks=frames["clocks"], rows=rows, traces=frames["traces"],
                 annotations=frames["annotations"], panel=frames["panel"], slice=slice_)


def jsonable(value):
    """A frame as plain JSON values (lists, floats, None): what the browser's frameAt returns."""
    if isinstance(value, dict):
        return {key: jsonable(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def hover_rows(columns: dict, names: dict) -> np.ndarray:
    """The hover rows (step, w, b, loss, ∂L/∂w, ∂L/∂b) of every recorded step of a run."""
    last = len(columns["b"]) - 1
    return np.column_stack([column(columns, name, last)[:last + 1] for name in _hover(names)])
