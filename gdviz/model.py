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

import math
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
    constant: np.ndarray  # bool (d,): features with one value (up to rounding)
    flat: np.ndarray  # (d, k): orthonormal weight directions along which L does not change

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
    _check_finite(q)
    try:
        _cache[data] = q
    except TypeError:  # not weak-referenceable: just don't remember it
        pass
    return q


def statistics(X: np.ndarray, y: np.ndarray) -> Quadratic:
    """Gather the sufficient statistics of rows X (m, d) and targets y (m,) in a few passes."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m, d = X.shape
    x_mean = X.mean(axis=0)
    Xc = X - x_mean
    y_mean = float(y.mean())
    yc = y - y_mean
    sxx, sxy, syy = _second_moments(Xc, yc)
    if not (np.isfinite(sxx).all() and np.isfinite(sxy).all() and np.isfinite(syy)):
        raise _too_large()  # nothing below can make sense of an infinite square (and must not warn)
    # A column (or the target) that is constant or nearly so must be centred to the last digit: its
    # spread is then rounding, and a float64 mean of m values carries m roundings. Rarely needed.
    exactly_constant = np.zeros(d, dtype=bool)
    # compared as spreads, not squares: (1e-8·x̄)² would overflow for a mean beyond 1e162
    narrow = np.flatnonzero(np.sqrt(np.diag(sxx)) <= 1e-8 * np.abs(x_mean))
    for j in narrow:
        x_mean[j], Xc[:, j], exactly_constant[j] = _centred_exactly(X[:, j], x_mean[j], Xc[:, j])
    narrow_target = math.sqrt(syy) <= 1e-8 * abs(y_mean)
    if narrow_target:
        y_mean, yc, _ = _centred_exactly(y, y_mean, yc)
    if narrow.size or narrow_target:
        sxx, sxy, syy = _second_moments(Xc, yc)
    constant, flat, scale = _flat_directions(sxx, x_mean, exactly_constant)
    w_opt = _least_squares(Xc, yc, sxx, sxy, constant, flat, scale)
    b_opt = float(y_mean - x_mean @ w_opt)
    residual = Xc @ w_opt - yc  # equals XW* + b* − y, without the cancellation of the raw form
    loss_min = _mean_square(residual)
    return Quadratic(m, x_mean, y_mean, sxx, sxy, syy, w_opt, b_opt, loss_min, constant, flat)


def _centred_exactly(values, mean, centred):
    """(mean, values − mean, whether all values are equal) with the mean corrected once more: the
    mean of one repeated value is that value, so its centred values are exact zeros."""
    if (values == values[0]).all():
        return float(values[0]), np.zeros_like(centred), True
    shift = float(centred.mean())
    return float(mean + shift), centred - shift, False


def _second_moments(Xc, yc) -> tuple[np.ndarray, np.ndarray, float]:
    """(Sxx, Sxy, Syy) = (1/m)(XcᵀXc, Xcᵀyc, ycᵀyc). Their sums can overflow where the means do not
    (many rows of numbers near 1e150): then again with the rows scaled by powers of two (exact)."""
    m = len(yc)
    with np.errstate(over="ignore", invalid="ignore"):
        sxx, sxy, syy = (Xc.T @ Xc) / m, (Xc.T @ yc) / m, float(yc @ yc) / m
    if np.isfinite(sxx).all() and np.isfinite(sxy).all() and np.isfinite(syy):
        return sxx, sxy, syy
    a = _power_of_two_below(np.abs(Xc).max())
    c = _power_of_two_below(np.abs(yc).max())
    Xs, ys = Xc * a, yc * c
    # divided by each factor in turn: a·a itself can underflow to 0 for rows near float64's limit
    with np.errstate(over="ignore", invalid="ignore"):  # an entry beyond float64 stays infinite
        return ((Xs.T @ Xs) / m) / a / a, ((Xs.T @ ys) / m) / a / c, (float(ys @ ys) / m) / c / c


def _power_of_two_below(largest: float) -> float:
    """2⁻ᵏ with 2⁻ᵏ·largest ≤ 1 (1 for 0): scaling by it is exact."""
    return 1.0 if largest == 0 else float(np.ldexp(1.0, -int(np.frexp(largest)[1])))


def _mean_square(values: np.ndarray) -> float:
    with np.errstate(over="ignore"):
        result = float(values @ values) / len(values)
    if np.isfinite(result):
        return result
    a = _power_of_two_below(np.abs(values).max())
    return (float((values * a) @ (values * a)) / len(values)) / (a * a)


# A curvature this small relative to the largest is rounding, not data: that direction is flat.
FLAT = 1e-12
# A feature whose spread is this small relative to its size has one value up to rounding
# (about 450 units in the last place of a float64).
CONSTANT = 1e-13


def _flat_directions(sxx, x_mean, exactly_constant):
    """(constant, flat, scale): which features have one value; an orthonormal basis (d, k) of the
    weight directions along which L is flat (Sxx u = 0); each feature's spread √Sxx_jj.

    Judged on the correlation matrix R = Sxx / (s sᵀ), s_j = √Sxx_jj, so that the units of a
    feature do not matter: a direction is flat when R's eigenvalue is ≤ FLAT·(d+1)·λ_max(R) (copies,
    multiples and combinations of columns, fewer rows than features), and a feature is constant when
    its spread is ≤ CONSTANT·|x̄_j|. Sxx = S R S, so u = S⁻¹v for each flat eigenvector v of R.
    """
    d = len(sxx)
    scale = np.sqrt(np.maximum(np.diag(sxx), 0.0))
    constant = exactly_constant | (scale <= CONSTANT * np.abs(x_mean))
    directions = [np.eye(d)[:, j] for j in np.flatnonzero(constant)]
    live = np.flatnonzero(~constant)
    if live.size:
        s = scale[live]
        correlation = sxx[np.ix_(live, live)] / np.outer(s, s)
        eigenvalues, vectors = np.linalg.eigh(correlation)
        for i in np.flatnonzero(eigenvalues <= FLAT * (d + 1) * eigenvalues[-1]):
            u = np.zeros(d)
            u[live] = vectors[:, i] / s
            directions.append(u)
    if not directions:
        return constant, np.zeros((d, 0)), scale
    flat = np.linalg.qr(np.column_stack(directions))[0]
    return constant, flat, scale


def _least_squares(Xc, yc, sxx, sxy, constant, flat, scale) -> np.ndarray:
    """Minimum-norm W* solving Sxx W = Sxy.

    A constant feature gets weight 0 (the bias does its work). The others are solved in units of
    their spread: from the d×d correlation matrix when it is well conditioned (no pass over the
    rows); otherwise lstsq on the rescaled centred rows, whose conditioning is unsquared, cutting
    exactly the directions _flat_directions calls flat. Last, the flat part of W is removed, which
    leaves the same loss and the smallest ‖W‖.
    """
    d = len(sxx)
    w = np.zeros(d)
    live = np.flatnonzero(~constant)
    if live.size:
        s = scale[live]
        correlation = sxx[np.ix_(live, live)] / np.outer(s, s)
        eigenvalues = np.linalg.eigvalsh(correlation)
        if flat.shape[1] == 0 and eigenvalues[0] > 1e-6 * eigenvalues[-1]:
            w[live] = np.linalg.solve(correlation, sxy[live] / s) / s
        else:
            cut = np.sqrt(FLAT * (d + 1))  # singular values: the square roots of R's eigenvalues
            w[live] = np.linalg.lstsq(Xc[:, live] / s, yc, rcond=cut)[0] / s
    if flat.shape[1]:
        w -= flat @ (flat.T @ w)
    return w


def _check_finite(q: Quadratic) -> None:
    """A DataError if a statistic is beyond float64. Dataset refuses such data when it is built
    (gdviz.data.check_magnitudes); this is for anything else with X and y."""
    if not all(np.isfinite(v).all() for v in (q.sxx, q.sxy, q.syy, q.w_opt, q.b_opt, q.loss_min)):
        raise _too_large()


def _too_large():
    from .data import DataError

    return DataError("The squares and sums the loss needs are too large for float64 on this data; "
                     "rescaling the columns (e.g. other units) fixes this.")


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
    curve = np.einsum("...i,...i->...", delta @ q.sxx, delta)  # Sxx·δ first: δδᵀ alone could overflow
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


def gradient_on_rows(X, y, W, b) -> tuple[np.ndarray, float]:
    """The gradient over the rows given (a mini-batch): ((2/n) Xᵀr, (2/n) Σ r) with r = XW + b − y."""
    residual = X @ W + b - y
    n = len(y)
    return (2.0 / n) * (X.T @ residual), 2.0 * float(residual.sum()) / n


def example_gradients(data, W, b) -> tuple[np.ndarray, np.ndarray]:
    """Each example's own gradient: the gradient of its squared error (ŷᵢ − yᵢ)², ŷᵢ = xᵢᵀW + b,

        Gw[i] = 2 (ŷᵢ − yᵢ) xᵢ        shape (m, d)
        gb[i] = 2 (ŷᵢ − yᵢ)           shape (m,)

    Their means are the full gradient, ∂L/∂W = mean_i Gw[i] and ∂L/∂b = mean_i gb[i] (the same
    numbers as gradient(), up to rounding). Computed from the rows, one per example; the residual is
    formed as (xᵢ − x̄)ᵀW − (yᵢ − ȳ) + c (c the mean residual) so that it keeps its digits when
    features sit far from zero.

    >>> from gdviz import Dataset
    >>> Gw, gb = example_gradients(Dataset([0.0, 1.0], [1.0, 3.0]), [0.0], 0.0)  # residuals (−1, −3)
    >>> Gw.tolist(), gb.tolist(), Gw.mean(axis=0).tolist(), float(gb.mean())
    ([[-0.0], [-6.0]], [-2.0, -6.0], [-3.0], -4.0)
    """
    X, y = getattr(data, "X", None), getattr(data, "y", None)
    if X is None or y is None:
        raise ValueError("Each example's gradient needs the data rows, not only their statistics.")
    q = quadratic(data)
    X = np.asarray(X, dtype=np.float64).reshape(q.m, q.d)
    W = np.asarray(W, dtype=np.float64).reshape(-1)
    if W.shape != (q.d,):
        raise ValueError(f"W needs {q.d} weight{'s' if q.d > 1 else ''} (one per feature), got {W.size}.")
    c = float(mean_residual(q, W, float(b)))
    residual = (X - q.x_mean) @ W - (np.asarray(y, dtype=np.float64) - q.y_mean) + c  # ŷᵢ − yᵢ
    grad_b = 2.0 * residual
    return grad_b[:, None] * X, grad_b


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
    When the data leave a direction flat (see degeneracy), its eigenvalues are exactly 0 and the
    condition number is infinite; gradient descent never moves along such a direction (the gradient
    has no part there), so lr_best uses the smallest non-zero eigenvalue and stays finite.
    ``eigenvectors`` V: along column i plain gradient descent multiplies the error θ − θ* by
    (1 − αλᵢ) at every step (see predicted_path).
    """

    hessian: np.ndarray
    eigenvalues: np.ndarray  # ascending
    lr_max: float
    lr_best: float
    condition_number: float
    # V, shape (d+1, d+1), orthonormal: column i is the eigenvector of eigenvalues[i], so H V = V diag(λ);
    # rows 0..d−1 are the weights, row d the bias
    eigenvectors: np.ndarray


def curvature(data) -> Curvature:
    """Eigen-analysis of H = (2/m) AᵀA, A = [X 1], accurate even for a long thin valley.

    The largest eigenvalues come from H itself; the small ones from H⁻¹ = ½ M⁻¹ diag(Sxx⁻¹, 1) M⁻ᵀ
    (M = [[I, 0], [x̄ᵀ, 1]], from A = [X−x̄ 1]·M), which keeps their relative digits when features
    sit far from zero and λ_min is a tiny difference of huge entries of H. H is singular exactly
    when Sxx is (M is invertible); those eigenvalues are reported as 0.

    >>> from gdviz import Dataset
    >>> c = curvature(Dataset([-1.0, 1.0], [0.0, 0.0]))  # H = 2·diag(1, 1)
    >>> c.eigenvalues.tolist(), c.lr_max, c.condition_number
    ([2.0, 2.0], 1.0, 1.0)
    >>> c = curvature(Dataset([3.0, 3.0, 3.0], [1.0, 2.0, 4.0]))  # one value of x: a flat valley floor
    >>> c.eigenvalues.tolist(), c.condition_number, c.lr_best == c.lr_max / 2
    ([0.0, 20.0], inf, True)
    >>> v = c.eigenvectors[:, 0] * np.sign(c.eigenvectors[0, 0])  # an eigenvector's sign is arbitrary
    >>> (v * np.sqrt(10)).round(12).tolist()  # the flat direction: w up 1, b down 3 (ŷ = 3w + b stays)
    [1.0, -3.0]
    """
    q = quadratic(data)
    H = hessian(q)
    # The vectors are accurate from H itself (an eigenvector's error is rounding over the gap to
    # the next eigenvalue, relative to ‖H‖); only the small eigenvalues need H⁻¹ below.
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    flat = q.flat.shape[1]
    if flat:  # a constant, repeated or dependent feature: flat directions, λ = 0 exactly
        eigenvalues = np.maximum(eigenvalues, 0.0)
        eigenvalues[:flat] = 0.0
    else:
        d = q.d
        m_inverse = np.eye(d + 1)
        m_inverse[d, :d] = -q.x_mean
        inner = np.zeros((d + 1, d + 1))
        # Sxx⁻¹ = S⁻¹ R⁻¹ S⁻¹ through the correlation matrix R, so the features' units do not matter
        s = np.sqrt(np.diag(q.sxx))
        inner[:d, :d] = np.linalg.inv(q.sxx / np.outer(s, s)) / np.outer(s, s)
        inner[d, d] = 1.0
        h_inverse = 0.5 * m_inverse @ inner @ m_inverse.T
        # H's smallest eigenvalues are 1/(H⁻¹'s largest), which H⁻¹ holds accurately; its smallest
        # (H's largest) may round to 0 or below, and are not used.
        inverse_eigenvalues = np.linalg.eigvalsh(h_inverse)[::-1]
        from_inverse = np.divide(1.0, inverse_eigenvalues, out=np.full(d + 1, np.inf),
                                 where=inverse_eigenvalues > 0)
        # Each eigenvalue from whichever matrix holds it with full relative precision.
        # (H's own smallest may have rounded to 0: the split is where H⁻¹'s accurate one says.)
        middle = np.sqrt(from_inverse[0] * eigenvalues[-1])
        # H's i-th smallest eigenvalue is the i-th smallest from H⁻¹: the columns keep their order
        eigenvalues = np.where(eigenvalues < middle, from_inverse, eigenvalues)
        order = np.argsort(eigenvalues, kind="stable")
        eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    high = float(eigenvalues[-1])  # ≥ H's last diagonal entry, 2
    low = float(eigenvalues[0])
    smallest_curved = float(eigenvalues[flat])
    condition = high / low if low > 0 else float("inf")
    return Curvature(H, eigenvalues, 2.0 / high, 2.0 / (smallest_curved + high), condition, eigenvectors)


def predicted_path(data, lr, w0, b0, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Plain gradient descent's path in closed form: L is a quadratic, so with H = V diag(λ) Vᵀ
    (see curvature) each eigen-direction's error is multiplied by (1 − αλᵢ) at every step,

        θ_k = θ* + V diag(1 − αλᵢ)ᵏ Vᵀ (θ₀ − θ*),    θ = (W, b),

    θ* the optimum (W*, b*) of optimum(). Returns (W, b) of shapes (steps+1, d) and (steps+1,), row k
    the point after k steps, like Trajectory.w and .b of descend(optimizer="gd"), with which it agrees
    to rounding wherever that run is finite. A flat direction (λ = 0, singular data) has factor 1:
    gradient descent keeps that component of the start, so any minimiser as θ* gives the same path.
    Past α_max = 2/λ_max the steep factor is below −1 and the path grows; rows whose numbers pass
    float64 are NaN.

    >>> from gdviz import Dataset
    >>> w, b = predicted_path(Dataset([-1.0, 1.0], [0.0, 0.0]), 0.25, [1.0], 1.0, 2)  # H = 2I: factor ½
    >>> w[:, 0].tolist(), b.tolist()
    ([1.0, 0.5, 0.25], [1.0, 0.5, 0.25])
    """
    q = quadratic(data)
    d = q.d
    try:
        lr, b0 = float(lr), float(b0)
        w0 = np.array(w0, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"The learning rate and the start must be numbers, not {lr!r}, {w0!r}, {b0!r}.") from None
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"The learning rate must be a positive finite number, not {lr!r}.")
    if w0.shape != (d,) or not (np.isfinite(w0).all() and math.isfinite(b0)):
        raise ValueError(f"w0 needs {d} finite weight{'s' if d > 1 else ''} (one per feature) and b0 a finite number.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number ≥ 0, not {steps!r}.")
    c = curvature(q)
    optimum_ = np.append(q.w_opt, q.b_opt)
    start = np.append(w0, b0) - optimum_
    coefficients = c.eigenvectors.T @ start  # the start's error along each eigenvector
    factors = 1.0 - lr * c.eigenvalues
    with np.errstate(over="ignore", invalid="ignore"):
        powers = factors[None, :] ** np.arange(steps + 1, dtype=np.float64)[:, None]  # (steps+1, d+1)
        theta = optimum_ + (powers * coefficients) @ c.eigenvectors.T
    theta[~np.isfinite(theta).all(axis=1)] = np.nan
    return theta[:, :d].copy(), theta[:, d].copy()


def degeneracy(data) -> str | None:
    """None when the data determine one best (W, b); otherwise one plain sentence saying why not.

    The least-loss set is then a line (or a plane, ...) instead of a point: a feature with one
    value, two columns that move together (copies, multiples), fewer rows than weights, or another
    linear dependence. Names come from ``data.feature_names``.

    >>> from gdviz import Dataset
    >>> degeneracy(Dataset([1.0, 2.0, 2.0], [1.0, 2.0, 3.0])) is None
    True
    >>> print(degeneracy(Dataset([3.0, 3.0, 3.0], [1.0, 2.0, 4.0])))
    x has one value (3): the slope is not determined; the least-loss set is a line, not a point, and gradient descent still lowers the loss and stops somewhere on that valley floor.
    """
    q = quadratic(data)
    k = q.flat.shape[1]
    if k == 0:
        return None
    names = getattr(data, "feature_names", None) or tuple(f"x{i + 1}" for i in range(q.d))
    names = [_shown(name) for name in names]
    shape = {1: "a line", 2: "a plane"}.get(k, f"a flat of {k} dimensions")
    tail = (f"the least-loss set is {shape}, not a point, and gradient descent still lowers the loss "
            "and stops somewhere on that valley floor.")
    constant = np.flatnonzero(q.constant)
    if q.d == 1:
        return f"{names[0]} has one value ({q.x_mean[0]:.6g}): the slope is not determined; {tail}"
    if constant.size == 1:
        j = constant[0]
        return (f"Column '{names[j]}' has one value ({q.x_mean[j]:.6g}): it does the bias's work, so its "
                f"weight and the bias are not determined; {tail}")
    if constant.size > 1:
        return (f"Columns {_listed([names[j] for j in constant])} each have one value: they do the bias's "
                f"work, so their weights and the bias are not determined; {tail}")
    pair = _pair_moving_together(q)
    if pair is not None:
        a, b = pair
        slope = q.sxx[a, b] / q.sxx[a, a]
        offset = q.x_mean[b] - slope * q.x_mean[a]
        no_offset = abs(offset) <= 1e-9 * max(abs(q.x_mean[b]), np.sqrt(q.sxx[b, b]))
        if abs(slope - 1) <= 1e-9 and no_offset:
            how = "they are copies of each other"
        else:
            how = f"{names[b]} = {slope:.4g}·{names[a]}"
            if not no_offset:
                how += f" {'+' if offset > 0 else '−'} {abs(offset):.4g}"
        return (f"Columns '{names[a]}' and '{names[b]}' move together ({how}): their weights are not "
                f"determined separately; {tail}")
    if q.m <= q.d:
        return (f"There are only {q.m} rows for {q.d} weights and the bias: the weights are not "
                f"determined; {tail}")
    involved = np.flatnonzero(np.abs(q.flat[:, 0]) * np.sqrt(np.diag(q.sxx))
                              > 1e-6 * np.max(np.abs(q.flat[:, 0]) * np.sqrt(np.diag(q.sxx))))
    return (f"Columns {_listed([names[j] for j in involved])} are linearly dependent (one is a "
            f"combination of the others): the weights are not determined; {tail}")


def _pair_moving_together(q: Quadratic) -> tuple[int, int] | None:
    """The first two features whose correlation is ±1 up to rounding (the test of a flat direction)."""
    live = ~q.constant
    s = np.sqrt(np.diag(q.sxx))
    together = np.zeros((q.d, q.d), dtype=bool)
    together[np.ix_(live, live)] = 1.0 - np.abs(q.sxx[np.ix_(live, live)]) / np.outer(s[live], s[live]) \
        <= FLAT * (q.d + 1)
    pairs = np.argwhere(np.triu(together, k=1))
    return (int(pairs[0][0]), int(pairs[0][1])) if len(pairs) else None


def _listed(names, limit: int = 4) -> str:
    quoted = [f"'{name}'" for name in names[:limit]] + ([f"{len(names) - limit} more"] if len(names) > limit else [])
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _shown(name) -> str:
    from .data import shown

    return shown(name)


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
