"""Loss grids over (w, b) for the surface and contour views, exact from the sufficient statistics."""
from __future__ import annotations

import numpy as np

from . import model


def loss_surface(data, w_values, b_values, *, feature: int = 0, weights=None) -> np.ndarray:
    """L[j, i] = L(W with W[feature] = w_values[i], b_values[j]): shape (len(b_values), len(w_values)).

    Rows follow b and columns follow w, as Plotly's ``z`` expects. With several features this is the
    slice through one weight and b, the other weights held at ``weights`` (default: the optimum).

    >>> from gdviz import Dataset
    >>> z = loss_surface(Dataset([0.0, 1.0], [1.0, 3.0]), [0.0, 2.0], [1.0])  # L(0, 1), L(2, 1)
    >>> z.shape, z.round(12).tolist()
    ((1, 2), [[2.0, 0.0]])
    """
    q = model.quadratic(data)
    w_values = np.asarray(w_values, dtype=np.float64).reshape(-1)
    b_values = np.asarray(b_values, dtype=np.float64).reshape(-1)
    if not 0 <= feature < q.d:
        raise ValueError(f"feature must be from 0 to {q.d - 1}, not {feature}.")
    base = q.w_opt.copy() if weights is None else np.array(weights, dtype=np.float64).reshape(-1)
    if base.shape != (q.d,):
        raise ValueError(f"weights needs {q.d} values, got {base.size}.")
    grid_w = np.repeat(base[None, :], len(w_values), axis=0)
    grid_w[:, feature] = w_values
    with np.errstate(over="ignore", invalid="ignore"):
        return model.loss(q, grid_w[None, :, :], b_values[:, None])
