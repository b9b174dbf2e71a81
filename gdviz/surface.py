"""Loss grids over (w, b) for the surface and contour views: the MSE exact from the sufficient statistics,
the logistic loss from the rows, a test surface from its formula."""
from __future__ import annotations

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


def view_box(w_points, b_points, *, pad: float = 0.18, min_span: float = 1.0):
    """(w_low, w_high, b_low, b_high): the smallest box holding all the points, padded by ``pad`` of
    its span on each side, each side at least ``min_span`` wide so a still run still has a view.
    A pad of 0.18 leaves room for gradient arrows of 12% of the view drawn from any point."""
    w_points = np.asarray(w_points, dtype=np.float64)
    b_points = np.asarray(b_points, dtype=np.float64)
    box = []
    for values in (w_points, b_points):
        low, high = float(values.min()), float(values.max())
        span = max(high - low, min_span)
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
