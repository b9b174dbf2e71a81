"""Loss grids over (w, b) for the surface and contour views: the MSE exact from the sufficient statistics,
the logistic loss from the rows, a test surface from its formula."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import model

SLICE_CAP = 2.0  # several features: the moving slice is pressed below this many times the path's highest point

def loss_surface(data, w_values, b_values, *, feature: int = 0, weights=None, objective: str = "mse",
                 l2: float = 0.0) -> np.ndarray:
    """L[j, i] = L(W with W[feature] = w_values[i], b_values[j]): shape (len(b_values), len(w_values)).

    Rows follow b and columns follow w, as Plotly's ``z`` expects. With several features this is the
    slice through one weight and b, the other weights held at ``weights`` (default: the optimum of
    the same objective and penalty). ``objective`` and ``l2`` as in gdviz.loss: the MSE comes from the
    sufficient statistics, the logistic loss from the rows (a pass over them per grid row), the
    penalty λ‖W‖² is added. ``data`` may be a test surface (gdviz.test_function): its L(w, b).

    >>> from gdviz import Dataset
    >>> z = loss_surface(Dataset([0.0, 1.0], [1.0, 3.0]), [0.0, 2.0], [1.0])  # L(0, 1), L(2, 1)
    >>> z.shape, z.round(12).tolist()
    ((1, 2), [[2.0, 0.0]])
    """
    objective, l2 = model.checked_objective(data, objective, l2)
    w_values = np.asarray(w_values, dtype=np.float64).reshape(-1)
    b_values = np.asarray(b_values, dtype=np.float64).reshape(-1)
    if objective not in model.OBJECTIVES:  # a test surface: L(w, b) itself
        if feature != 0:
            raise ValueError(f"A test surface has one weight w: feature must be 0, not {feature}.")
        with np.errstate(over="ignore", invalid="ignore"):
            return data.loss(w_values[None, :, None], b_values[:, None])
    q = model.quadratic(data) if objective == "mse" else model.logistic(data)
    if not 0 <= feature < q.d:
        raise ValueError(f"feature must be from 0 to {q.d - 1}, not {feature}.")
    if weights is None:
        base = q.w_opt.copy() if objective == "mse" and l2 == 0.0 else model.optimum(data, objective=objective,
                                                                                       l2=l2)[0]
    else:
        base = np.array(weights, dtype=np.float64).reshape(-1)
    if base.shape != (q.d,):
        raise ValueError(f"weights needs {q.d} values, got {base.size}.")
    grid_w = np.repeat(base[None, :], len(w_values), axis=0)
    grid_w[:, feature] = w_values
    with np.errstate(over="ignore", invalid="ignore"):
        if objective == "mse":
            z = model.loss(q, grid_w[None, :, :], b_values[:, None])
        else:
            z = model.logistic_loss(q, grid_w[None, :, :], b_values[:, None])
        return z if l2 == 0.0 else z + l2 * (grid_w * grid_w).sum(axis=1)[None, :]


def view_box(w_points, b_points, *, pad: float = 0.18, min_span: float = 1.0, min_ratio: float = 0.05):
    """(w_low, w_high, b_low, b_high): the smallest box holding all the points, padded by ``pad`` of
    its span on each side. A side narrower than ``min_ratio`` of the other is widened to that (a
    still run, or one that only moves along the other coordinate, keeps a view), and only when the
    points do not spread at all is a side ``min_span`` wide: an absolute width would be wrong in
    the units of raw data (faithful's w lives within 0.1, where a width of 1 is a wall of 2000).
    A pad of 0.18 leaves room for gradient arrows of 12% of the view drawn from any point.

    >>> [round(v, 3) for v in view_box([0.0, 0.01], [0.0, -2.0])]  # w: a tenth of b's 2, not 1
    [-0.063, 0.073, -2.36, 0.36]
    """
    w_points = np.asarray(w_points, dtype=np.float64)
    b_points = np.asarray(b_points, dtype=np.float64)
    spans = [float(values.max() - values.min()) for values in (w_points, b_points)]
    widest = max(spans)
    box = []
    for values in (w_points, b_points):
        low, high = float(values.min()), float(values.max())
        span = max(high - low, min_ratio * widest) if widest > 0 else min_span
        middle = (low + high) / 2
        box += [middle - span * (0.5 + pad), middle + span * (0.5 + pad)]
    return tuple(box)


def readable_steps(loss, *, growth: float = 50.0) -> int:
    """How many leading rows of a run to keep in view: all, unless the loss flies past ``growth``
    times its start (a diverging run), in which case the rows up to there (at least the first step)."""
    loss = np.asarray(loss, dtype=np.float64)
    too_big = np.flatnonzero(loss > growth * max(loss[0], 1e-300))
    return len(loss) if too_big.size == 0 else max(int(too_big[0]), min(2, len(loss)))


def press(z, top: float) -> np.ndarray:
    """Heights above 92% of ``top`` (measured from the lowest) pressed smoothly into the last 8%:
    top − band · e^(−(z − knee) / band), band = 0.08 (top − min z), knee = top − band; a surface that
    would pass the z axis's end bends into a rim below it. Continuous with slope 1 at the knee.
    (figures.surface_z, web/frames.py and frames.js draw with this one formula.)

    >>> press([0.0, 1.0, 1.9, 5.0], 2.0).round(3).tolist()
    [0.0, 1.0, 1.89, 2.0]
    """
    z = np.asarray(z, dtype=np.float64)
    band = 0.08 * (top - float(z.min()))
    if band <= 0:
        return z.copy()
    knee = top - band
    with np.errstate(over="ignore"):
        return np.where(z > knee, top - band * np.exp(-(z - knee) / band), z)


LOG_RISE = 3.0  # a surface rising more than this many times the paths' height above its floor is drawn log-like
LOG_DETAIL = 100.0  # log-like heights: linear up to 1/LOG_DETAIL of the paths' height, logarithmic above


@dataclass(frozen=True)
class Heights:
    """How the 3-D view draws a loss L as a height: linear (``scale`` None), h = L; or log-like,
    h = log₁₀(1 + (L − floor)/scale), 0 at the floor, close to linear below ``scale`` and
    logarithmic above it, so walls decades above the path and the valley floor under it fit one box.
    The same function draws the surface, the paths and the marked points; ``ticks`` names round
    losses at their heights for the z axis.

    >>> h = Heights(floor=0.0, scale=1.0)
    >>> h([0.0, 9.0, 99.0]).tolist(), Heights()([5.0]).tolist()
    ([0.0, 1.0, 2.0], [5.0])
    """

    floor: float = 0.0
    scale: float | None = None

    @property
    def log(self) -> bool:
        return self.scale is not None

    def __call__(self, loss) -> np.ndarray:
        loss = np.asarray(loss, dtype=np.float64)
        if self.scale is None:
            return loss
        with np.errstate(over="ignore", invalid="ignore"):
            return np.log10(1.0 + np.maximum(loss - self.floor, 0.0) / self.scale)

    def ticks(self, top: float) -> tuple[list[float], list[str]] | None:
        """(heights, labels) of round losses (1, 2, 5 of each decade, and the floor) from the floor up
        to ``top`` (a loss), at least a tenth of the height apart; None for linear heights."""
        if not self.log or not top > self.floor:
            return None
        gap = float(self(top)) / 10.0
        low = math.floor(math.log10(max(self.scale, abs(self.floor) * 1e-3, 1e-300))) - 1
        candidates = sorted({m * 10.0 ** k for k in range(low, math.ceil(math.log10(max(abs(top), 1e-300))) + 1)
                             for m in (1, 2, 5)} | ({0.0} if self.floor == 0 else set()))
        values = [self.floor] + [v for v in candidates if self.floor < v <= top]
        kept: list[float] = []
        for value in values:
            if not kept or float(self(value)) - float(self(kept[-1])) >= gap:
                kept.append(value)
        return [float(self(v)) for v in kept], [_tick(v) for v in kept]


def _tick(value: float) -> str:
    """A loss on the 3-D z axis (WebGL draws raw text: no markup): 0.245, 20, 5000, 2×10⁵."""
    if value == 0:
        return "0"
    if 1 <= abs(value) < 1e5 and value == round(value):
        return f"{value:.0f}".replace("-", "−")
    if 1e-3 <= abs(value) < 1e5:
        return f"{value:.3g}".replace("-", "−")
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}×10{str(int(exponent)).translate(str.maketrans('-0123456789', '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'))}".replace("-", "−")


def heights_for(z, losses, marks=()) -> Heights:
    """The heights the 3-D view draws (the same rule for every problem): linear while the grid ``z``
    rises at most LOG_RISE times the paths' height above its floor (the lowest of the grid, the
    paths ``losses`` and the marked ``marks``); log-like above that, with its linear part up to
    1/LOG_DETAIL of the paths' height, so the path keeps the box's lower half and no wall is cut
    flat (Rosenbrock's walls rise 100 times above its start, raw faithful's 150 times)."""
    z = np.asarray(z, dtype=np.float64)
    finite = z[np.isfinite(z)]
    paths = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in losses] or [np.zeros(0)])
    paths = paths[np.isfinite(paths)]
    if finite.size == 0 or paths.size == 0:
        return Heights()
    floor = min(float(finite.min()), float(paths.min()), *[float(v) for v in marks if np.isfinite(v)])
    height, rise = float(paths.max()) - floor, float(finite.max()) - floor
    if rise <= LOG_RISE * height:
        return Heights()
    return Heights(floor=floor, scale=max(height / LOG_DETAIL, rise * 1e-9, 1e-300))
