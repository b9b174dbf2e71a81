"""The mean-squared-error loss of ŷ = XW + b as an exact quadratic in (W, b).

    L(W, b)  = (1/m) Σ (XW + b − y)²
    ∂L/∂W    = (2/m) Xᵀ(XW + b − y)      (same shape as W)
    ∂L/∂b    = (2/m) Σ (XW + b − y)

L is a quadratic, so everything full-batch follows from sufficient statistics gathered once:
the means x̄, ȳ, the centred second moments Sxx = (1/m) Σ (x−x̄)(x−x̄)ᵀ and Sxy, and the least-squares
optimum (W*, b*) with its loss L*. Writing c = x̄ᵀW + b − ȳ = x̄ᵀ(W − W*) + (b − b*) for the mean residual,

    L(W, b)  = (W − W*)ᵀ Sxx (W − W*) + c² + L*
    ∂L/∂W    = 2 Sxx (W − W*) + 2 c x̄
    ∂L/∂b    = 2 c

Every term is centred, so no digit is lost when features sit far from zero, the loss is never
negative, and the gradient is exactly zero at the optimum. After the one pass over the rows nothing
costs anything per row. Functions broadcast: W of shape (..., d) with b of shape (...).
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Quadratic:
    """Sufficient statistics of the MSE of a data set (see the module docstring for the formulas)."""

    m: int
    x_mean: np.ndarray  # x̄, shape (d,)
    y_mean: float  # ȳ
    sxx: np.ndarray  # (1/m) Σ (x−x̄)(x−x̄)ᵀ, shape (d, d)
    sxy: np.ndarray  # (1/m) Σ (x−x̄)(y−ȳ), shape (d,)
    syy: float  # (1/m) Σ (y−ȳ)²
    w_opt: np.ndarray  # W*, the minimum-norm least-squares weights
    b_opt: float  # b* = ȳ − x̄ᵀW*
    loss_min: float  # L* = L(W*, b*)

    @property
    def d(self) -> int:
        return self.x_mean.shape[0]


_cache: "weakref.WeakKeyDictionary[object, Quadratic]" = weakref.WeakKeyDictionary()


def quadratic(data) -> Quadratic:
    """The sufficient statistics of ``data`` (a Dataset, anything with X and y, or a Quadratic).

    Computed once per data set object and remembered while it lives.

    >>> import numpy as np
    >>> from gdviz import Dataset
    >>> q = quadratic(Dataset([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]))
    >>> round(float(q.w_opt[0]), 12), round(q.b_opt, 12), round(q.loss_min, 12)
    (2.0, 1.0, 0.0)
    """
    if isinstance(data, Quadratic):
        return data
    try:
        return _cache[data]
    except (KeyError, TypeError):
        pass
    q = statistics(data.X, data.y)
    try:
        _cache[data] = q
    except TypeError:  # not weak-referenceable: just don't remember it
        pass
    return q


def statistics(X: np.ndarray, y: np.ndarray) -> Quadratic:
    """Gather the sufficient statistics of rows X (m, d) and targets y (m,) in a few passes."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m = X.shape[0]
    x_mean = X.mean(axis=0)
    y_mean = float(y.mean())
    Xc = X - x_mean
    yc = y - y_mean
    sxx = (Xc.T @ Xc) / m
    sxy = (Xc.T @ yc) / m
    syy = float(yc @ yc) / m
    w_opt = _least_squares(Xc, yc, sxx, sxy)
    b_opt = float(y_mean - x_mean @ w_opt)
    residual = Xc @ w_opt - yc  # equals XW* + b* − y, without the cancellation of the raw form
    loss_min = float(residual @ residual) / m
    return Quadratic(m, x_mean, y_mean, sxx, sxy, syy, w_opt, b_opt, loss_min)


def _least_squares(Xc, yc, sxx, sxy) -> np.ndarray:
    """Minimum-norm W* solving Sxx W = Sxy. From the d×d statistics when Sxx is well conditioned
    (no pass over the rows); otherwise lstsq on the centred rows, whose conditioning is unsquared
    and which handles a constant or repeated feature."""
    eigenvalues = np.linalg.eigvalsh(sxx)
    if eigenvalues[0] > 1e-6 * eigenvalues[-1] > 0:
        return np.linalg.solve(sxx, sxy)
    return np.linalg.lstsq(Xc, yc, rcond=None)[0]


def mean_residual(q: Quadratic, W, b) -> np.ndarray:
    """c = x̄ᵀW + b − ȳ, the mean of the residuals XW + b − y, computed as x̄ᵀ(W − W*) + (b − b*).

    The second form is equal (ȳ = x̄ᵀW* + b*) and keeps its digits near the optimum even when
    x̄ is large, where x̄ᵀW and ȳ would cancel.
    """
    W = np.asarray(W, dtype=np.float64)
    return (W - q.w_opt) @ q.x_mean + (np.asarray(b, dtype=np.float64) - q.b_opt)


def loss(data, W, b):
    """Mean squared error L(W, b) = (1/m) Σ (XW + b − y)², from the sufficient statistics.

    >>> from gdviz import Dataset
    >>> float(loss(Dataset([0.0, 1.0], [1.0, 3.0]), [0.0], 0.0))  # ((0−1)² + (0−3)²) / 2
    5.0
    """
    q = quadratic(data)
    W = np.asarray(W, dtype=np.float64)
    delta = W - q.w_opt
    curve = np.einsum("...i,ij,...j->...", delta, q.sxx, delta)
    c = mean_residual(q, W, b)
    return np.maximum(curve, 0.0) + c * c + q.loss_min


def gradient(data, W, b):
    """(∂L/∂W, ∂L/∂b) = ((2/m) Xᵀ(XW + b − y), (2/m) Σ (XW + b − y)), from the statistics.

    >>> from gdviz import Dataset
    >>> gw, gb = gradient(Dataset([0.0, 1.0], [1.0, 3.0]), [0.0], 0.0)
    >>> gw.tolist(), float(gb)  # residuals (−1, −3): 2/2·(0·−1 + 1·−3), 2/2·(−1 − 3)
    ([-3.0], -4.0)
    """
    q = quadratic(data)
    W = np.asarray(W, dtype=np.float64)
    c = mean_residual(q, W, b)
    grad_w = 2.0 * ((W - q.w_opt) @ q.sxx) + 2.0 * c[..., None] * q.x_mean
    return grad_w, 2.0 * c


def loss_and_gradient(q: Quadratic, W: np.ndarray, b: float) -> tuple[float, np.ndarray, float]:
    """(L, ∂L/∂W, ∂L/∂b) at one point, sharing the work: the inner loop of descend()."""
    delta = W - q.w_opt
    c = float(delta @ q.x_mean) + (b - q.b_opt)
    curve = q.sxx @ delta
    loss_value = max(float(delta @ curve), 0.0) + c * c + q.loss_min
    return loss_value, 2.0 * curve + (2.0 * c) * q.x_mean, 2.0 * c


def loss_on_rows(X, y, W, b) -> float:
    """The MSE written directly over the rows given: (1/n) Σ (XW + b − y)²."""
    residual = X @ W + b - y
    return float(residual @ residual) / len(y)


def gradient_on_rows(X, y, W, b) -> tuple[np.ndarray, float]:
    """The gradient over the rows given (a mini-batch): ((2/n) Xᵀr, (2/n) Σ r) with r = XW + b − y."""
    residual = X @ W + b - y
    n = len(y)
    return (2.0 / n) * (X.T @ residual), 2.0 * float(residual.sum()) / n


def optimum(data) -> tuple[np.ndarray, float]:
    """The least-squares (W*, b*) minimising L, in closed form.

    When XᵀX is singular (a constant feature, a repeated feature) every minimiser has the same
    loss and the one with the smallest ‖W‖ is returned.

    >>> from gdviz import Dataset
    >>> w, b = optimum(Dataset([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]))
    >>> w.round(12).tolist(), round(b, 12)
    ([2.0], 1.0)
    """
    q = quadratic(data)
    return q.w_opt.copy(), q.b_opt


def hessian(data) -> np.ndarray:
    """H = (2/m) AᵀA with A = [X 1]: the constant Hessian of L in (W, b), shape (d+1, d+1).

    Built from centred statistics: (1/m) AᵀA = [[Sxx + x̄x̄ᵀ, x̄], [x̄ᵀ, 1]].
    """
    q = quadratic(data)
    d = q.d
    H = np.empty((d + 1, d + 1))
    H[:d, :d] = q.sxx + np.outer(q.x_mean, q.x_mean)
    H[:d, d] = H[d, :d] = q.x_mean
    H[d, d] = 1.0
    return 2.0 * H


def r_squared(data, loss_values):
    """R² = 1 − L / Var(y): the share of the target's variance the line explains (1 is perfect).

    Var(y) is the loss of the best constant line, so R² < 0 means worse than predicting ȳ.
    Returns None where y is constant (R² undefined).
    """
    q = quadratic(data)
    if q.syy <= 0:
        return None
    return 1.0 - np.asarray(loss_values, dtype=np.float64) / q.syy


@dataclass(frozen=True)
class Curvature:
    """The Hessian of L in (W, b) and what it says about plain gradient descent's learning rate.

    lr_max = 2/λ_max: above it plain gradient descent diverges; lr_best = 2/(λ_min + λ_max): the
    fastest plain gradient descent; condition_number = λ_max/λ_min: how long and thin the valley is.
    """

    hessian: np.ndarray
    eigenvalues: np.ndarray  # ascending
    lr_max: float
    lr_best: float
    condition_number: float


def curvature(data) -> Curvature:
    """Eigen-analysis of H = (2/m) AᵀA, A = [X 1], accurate even for a long thin valley.

    The largest eigenvalues come from H itself; the small ones from H⁻¹ = ½ M⁻¹ diag(Sxx⁻¹, 1) M⁻ᵀ
    (M = [[I, 0], [x̄ᵀ, 1]], from A = [X−x̄ 1]·M), which keeps their relative digits when features
    sit far from zero and λ_min is a tiny difference of huge entries of H.

    >>> from gdviz import Dataset
    >>> c = curvature(Dataset([-1.0, 1.0], [0.0, 0.0]))  # H = 2·diag(1, 1)
    >>> c.eigenvalues.tolist(), c.lr_max, c.condition_number
    ([2.0, 2.0], 1.0, 1.0)
    """
    q = quadratic(data)
    H = hessian(q)
    eigenvalues = np.linalg.eigvalsh(H)
    sxx_eigen = np.linalg.eigvalsh(q.sxx)
    if sxx_eigen[0] > 1e-13 * max(sxx_eigen[-1], 1.0):
        d = q.d
        m_inverse = np.eye(d + 1)
        m_inverse[d, :d] = -q.x_mean
        inner = np.zeros((d + 1, d + 1))
        inner[:d, :d] = np.linalg.inv(q.sxx)
        inner[d, d] = 1.0
        h_inverse = 0.5 * m_inverse @ inner @ m_inverse.T
        from_inverse = np.sort(1.0 / np.linalg.eigvalsh(h_inverse))
        # Each eigenvalue from whichever matrix holds it with full relative precision.
        middle = np.sqrt(eigenvalues[0] * eigenvalues[-1]) if eigenvalues[0] > 0 else 0.0
        eigenvalues = np.where(eigenvalues < middle, from_inverse, eigenvalues)
    else:  # a constant or repeated feature: a flat direction, λ_min = 0
        eigenvalues = np.maximum(eigenvalues, 0.0)
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    condition = high / low if low > 0 else float("inf")
    return Curvature(H, eigenvalues, 2.0 / high, 2.0 / (low + high), condition)


def learning_rate_presets(data) -> dict[str, float]:
    """Learning rates for plain gradient descent that show its four regimes on this data.

    "too small" crawls (lr_best/30); "just right" is lr_best = 2/(λ_min+λ_max), the fastest
    worst-case rate; "oscillating" lies between lr_best and lr_max (60% of the way), where the steep
    direction's factor 1 − αλ_max is close to −1 so the path zig-zags across the valley; "diverging"
    sits just over the limit (1.15·lr_max: that factor is −1.3, so each zig-zag grows).
    """
    c = curvature(data)
    return {"too small": c.lr_best / 30, "just right": c.lr_best,
            "oscillating": c.lr_best + 0.6 * (c.lr_max - c.lr_best), "diverging": 1.15 * c.lr_max}


def slice_coefficients(data, W_rows, feature: int) -> dict[str, np.ndarray | float]:
    """The loss on the (w_f, b) slice through each row of ``W_rows`` (the other weights held there).

    With u = w_f − w*_f, v = b − b* and δ = W − W* the slice is the quadratic

        L(u, v) = S_ff u² + 2 p u + q + (x̄_f u + r + v)² + L*

    where p = Σ_{j≠f} S_fj δ_j, q = δ_oᵀ S_oo δ_o, r = x̄_oᵀ δ_o (o: the other weights).
    Returns S_ff, x̄_f, w*_f, b*, L* and the arrays p, q, r (one value per row), so a view can
    redraw the slice at any step without the data.
    """
    q_ = quadratic(data)
    W_rows = np.atleast_2d(np.asarray(W_rows, dtype=np.float64))
    delta = W_rows - q_.w_opt
    others = np.arange(q_.d) != feature
    delta_o = delta[:, others]
    s_oo = q_.sxx[np.ix_(others, others)]
    return {"s_ff": float(q_.sxx[feature, feature]), "x_f": float(q_.x_mean[feature]),
            "w_opt": float(q_.w_opt[feature]), "b_opt": q_.b_opt, "loss_min": q_.loss_min,
            "p": delta_o @ q_.sxx[feature, others], "q": np.einsum("ki,ij,kj->k", delta_o, s_oo, delta_o),
            "r": delta_o @ q_.x_mean[others]}


def slice_loss(coefficients: dict, row: int, w_values, b_values) -> np.ndarray:
    """Evaluate slice_coefficients' quadratic at row ``row`` on a grid: shape (len(b), len(w))."""
    c = coefficients
    u = np.asarray(w_values, dtype=np.float64)[None, :] - c["w_opt"]
    v = np.asarray(b_values, dtype=np.float64)[:, None] - c["b_opt"]
    curve = c["s_ff"] * u * u + 2.0 * c["p"][row] * u + c["q"][row]
    mean = c["x_f"] * u + c["r"][row] + v
    return np.maximum(curve, 0.0) + mean * mean + c["loss_min"]
