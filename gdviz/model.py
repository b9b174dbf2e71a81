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

import functools
import math
import weakref
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .dataset import DataError, shown
from .test_functions import TestFunction


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
    return DataError("The squares and sums the loss needs are too large for float64 on this data; "
                     "rescaling the columns (e.g. other units) fixes this.")


def mean_residual(q: Quadratic, W, b) -> np.ndarray:
    """c = x̄ᵀW + b − ȳ, the mean of the residuals XW + b − y, computed as x̄ᵀ(W − W*) + (b − b*).

    The second form is equal (ȳ = x̄ᵀW* + b*) and keeps its digits near the optimum even when
    x̄ is large, where x̄ᵀW and ȳ would cancel.
    """
    W = np.asarray(W, dtype=np.float64)
    return (W - q.w_opt) @ q.x_mean + (np.asarray(b, dtype=np.float64) - q.b_opt)


def loss(data, W, b, *, objective: str = "mse", l2: float = 0.0):
    """The loss L(W, b) of ``objective`` on ``data``, plus the ridge penalty λ‖W‖² (λ = ``l2``; b is
    not penalised). W of shape (..., d) with b of shape (...) gives shape (...).

        "mse"       L = (1/m) Σ (XW + b − y)², from the sufficient statistics (no pass over the rows)
        "logistic"  L = −(1/m) Σ [y log p + (1 − y) log(1 − p)], p = σ(XW + b), y ∈ {0, 1}
                      = (1/m) Σ softplus((1 − 2y) z), z = XW + b (see logistic_loss)

    ``data`` may also be a test surface (gdviz.test_function): its own L(w, b), objective and l2 left out.

    >>> from gdviz import Dataset
    >>> float(loss(Dataset([0.0, 1.0], [1.0, 3.0]), [0.0], 0.0))  # ((0−1)² + (0−3)²) / 2
    5.0
    >>> float(loss(Dataset([0.0, 1.0], [1.0, 3.0]), [1.0], 0.0, l2=0.5))  # ((0−1)² + (1−3)²) / 2 + 0.5·1²
    3.0
    """
    objective, l2 = checked_objective(data, objective, l2)
    if objective == "mse":
        value = _mse_loss(quadratic(data), W, b)
    elif objective == "logistic":
        value = logistic_loss(logistic(data), W, b)
    else:
        return data.loss(W, b)
    return value if l2 == 0.0 else value + l2 * _squared_norm(W)


def _squared_norm(W) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    return np.einsum("...i,...i->...", W, W)


def _mse_loss(q: Quadratic, W, b):
    """(1/m) Σ (XW + b − y)² from the statistics (the module docstring's centred form)."""
    W = np.asarray(W, dtype=np.float64)
    delta = W - q.w_opt
    curve = np.einsum("...i,...i->...", delta @ q.sxx, delta)  # Sxx·δ first: δδᵀ alone could overflow
    c = mean_residual(q, W, b)
    return np.maximum(curve, 0.0) + c * c + q.loss_min


def gradient(data, W, b, *, objective: str = "mse", l2: float = 0.0):
    """(∂L/∂W, ∂L/∂b) of loss() with the same keywords; the penalty adds 2λW to ∂L/∂W.

        "mse"       ((2/m) Xᵀ(XW + b − y), (2/m) Σ (XW + b − y)), from the statistics
        "logistic"  ((1/m) Xᵀ(p − y), (1/m) Σ (p − y)), p = σ(XW + b)

    >>> from gdviz import Dataset
    >>> gw, gb = gradient(Dataset([0.0, 1.0], [1.0, 3.0]), [0.0], 0.0)
    >>> gw.tolist(), float(gb)  # residuals (−1, −3): 2/2·(0·−1 + 1·−3), 2/2·(−1 − 3)
    ([-3.0], -4.0)
    """
    objective, l2 = checked_objective(data, objective, l2)
    if objective == "mse":
        grad_w, grad_b = _mse_gradient(quadratic(data), W, b)
    elif objective == "logistic":
        _, grad_w, grad_b = logistic_terms(logistic(data), W, b)
    else:
        return data.gradient(W, b)
    if l2 != 0.0:
        grad_w = grad_w + 2.0 * l2 * np.asarray(W, dtype=np.float64)
    return grad_w, grad_b


def _mse_gradient(q: Quadratic, W, b):
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


# ---- the objective in use: checked once, then one interface for descend() and sweep() ----

OBJECTIVES = ("mse", "logistic")


def _surface(data) -> bool:
    return isinstance(data, TestFunction)


def checked_l2(l2) -> float:
    """λ of the ridge penalty λ‖W‖² as a float: a ValueError with a sentence unless finite and ≥ 0."""
    try:
        value = float(l2)
    except (TypeError, ValueError):
        raise ValueError(f"The ridge penalty λ must be a number, not {l2!r}.") from None
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"The ridge penalty λ must be a finite number ≥ 0 (0 is no penalty), not {l2!r}.")
    return value


def checked_objective(data, objective, l2) -> tuple[str, float]:
    """(objective, λ) checked against the data: a ValueError/DataError with a sentence otherwise.

    A test surface is its own loss: its objective is its name, and it takes no penalty."""
    if _surface(data):
        if objective not in ("mse", data.name):
            raise ValueError(f"{data.title} is its own loss: it takes no objective ({objective!r}).")
        if checked_l2(l2) != 0.0:
            raise ValueError(f"{data.title} is its own loss: it takes no ridge penalty.")
        return data.name, 0.0
    if objective not in OBJECTIVES:
        raise ValueError(f"Unknown objective {objective!r}; choose \"mse\" (linear regression) or "
                         "\"logistic\" (logistic regression).")
    l2 = checked_l2(l2)
    if objective == "logistic":
        logistic(data)  # checks the target is 0/1
    return objective, l2


# ---- logistic regression: p = σ(XW + b), y ∈ {0, 1} ----

@dataclass(frozen=True, eq=False)
class Logistic:
    """The rows of a 0/1 classification problem: the logistic loss needs them at every evaluation.

    sign = 1 − 2y (+1 for class 0, −1 for class 1), so that every example's loss is softplus(sign·z)."""

    X: np.ndarray  # (m, d)
    y: np.ndarray  # (m,), each 0 or 1
    sign: np.ndarray  # (m,), 1 − 2y

    @property
    def m(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


_logistic_cache: "weakref.WeakKeyDictionary[object, Logistic]" = weakref.WeakKeyDictionary()


def logistic(data) -> Logistic:
    """The rows of ``data`` for logistic regression, checked: a DataError naming the target column and
    the first row whose target is not 0 or 1. Remembered per data set object while it lives."""
    if isinstance(data, Logistic):
        return data
    try:
        return _logistic_cache[data]
    except (KeyError, TypeError):
        pass
    X, y = getattr(data, "X", None), getattr(data, "y", None)
    if X is None or y is None:
        raise ValueError("Logistic regression needs the data rows, not only their statistics.")
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64).reshape(len(y), -1)
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        row = int(bad[0])
        name = shown(getattr(data, "target_name", "y"))
        raise DataError(f"Logistic regression needs a target of 0s and 1s, but column '{name}' has "
                        f"{y[row]:.6g} (first at row {row + 1}); choose a 0/1 target, or linear regression (MSE).")
    result = Logistic(X, y, 1.0 - 2.0 * y)
    try:
        _logistic_cache[data] = result
    except TypeError:
        pass
    return result


def _softplus(s):
    """log(1 + eˢ) for any s, without overflow: numpy's logaddexp(0, s)."""
    return np.logaddexp(0.0, s)


def _sigmoid(s):
    """σ(s) = 1/(1 + e⁻ˢ) = exp(−softplus(−s)) for any s: no overflow, no warning (tiny values underflow to 0)."""
    return np.exp(-np.logaddexp(0.0, -s))


LOGISTIC_CHUNK = 2 ** 21  # logits computed at once (W points × m rows): keeps a grid's memory small


def logistic_terms(lg: Logistic, W, b, *, gradient: bool = True):
    """(L, ∂L/∂W, ∂L/∂b) of the logistic loss at W (..., d), b (...), without the penalty:

        z = XW + b,  s = (1 − 2y) z,  L = (1/m) Σ softplus(s)   (= −(1/m) Σ [y log p + (1 − y) log(1 − p)])
        p − y = (1 − 2y) σ(s),  ∂L/∂W = (1/m) Xᵀ(p − y),  ∂L/∂b = (1/m) Σ (p − y)

    Written through s, each example's loss is one softplus (never log(0), never the difference of two
    large numbers) and p − y is one sigmoid, accurate even where p rounds to 0 or 1.
    ``gradient=False`` returns (L, None, None).
    """
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    shape = np.broadcast_shapes(W.shape[:-1], b.shape)
    d, m = lg.d, lg.m
    if W.shape[-1] != d:
        raise ValueError(f"W needs {d} weight{'s' if d > 1 else ''} (one per feature), got {W.shape[-1]}.")
    Wf = np.broadcast_to(W, shape + (d,)).reshape(-1, d)
    bf = np.broadcast_to(b, shape).reshape(-1)
    n = len(bf)
    L = np.empty(n)
    GW = np.empty((n, d)) if gradient else None
    GB = np.empty(n) if gradient else None
    chunk = max(1, LOGISTIC_CHUNK // m)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, n, chunk):
            part = slice(start, start + chunk)
            s = (Wf[part] @ lg.X.T + bf[part, None]) * lg.sign
            L[part] = _softplus(s).mean(axis=1)
            if gradient:
                r = _sigmoid(s) * lg.sign  # p − y
                GW[part] = (r @ lg.X) / m
                GB[part] = r.mean(axis=1)
    if not gradient:
        return L.reshape(shape), None, None
    return L.reshape(shape), GW.reshape(shape + (d,)), GB.reshape(shape)


def logistic_loss(lg: Logistic, W, b):
    """The logistic loss alone (see logistic_terms)."""
    return logistic_terms(lg, W, b, gradient=False)[0]


def logistic_point(lg: Logistic, W: np.ndarray, b: float) -> tuple[float, np.ndarray, float]:
    """(L, ∂L/∂W, ∂L/∂b) at one point: the inner loop of descend() on the logistic loss."""
    s = (lg.X @ W + b) * lg.sign
    r = _sigmoid(s) * lg.sign
    return float(_softplus(s).mean()), (r @ lg.X) / lg.m, float(r.mean())


def logistic_gradient_on_rows(X, y, W, b) -> tuple[np.ndarray, float]:
    """The logistic gradient over the rows given (a mini-batch): ((1/n) Xᵀ(p − y), (1/n) Σ (p − y))."""
    sign = 1.0 - 2.0 * y
    r = _sigmoid((X @ W + b) * sign) * sign
    return (X.T @ r) / len(y), float(r.mean())


def logistic_hessian(lg: Logistic, W, b, l2: float = 0.0) -> np.ndarray:
    """H = (1/m) Aᵀ diag(p(1 − p)) A + 2λ diag(1, …, 1, 0), A = [X 1], at one point (d+1, d+1).

    p(1 − p) = σ(s)σ(−s) ≤ ¼, largest where z = 0: at W = 0, b = 0 (p = ½ everywhere) the Hessian
    is at least as large as anywhere else, H ≤ ¼·(1/m) AᵀA + 2λD."""
    W = np.asarray(W, dtype=np.float64).reshape(-1)
    s = (lg.X @ W + float(b)) * lg.sign
    weight = _sigmoid(s) * _sigmoid(-s)
    A = np.column_stack([lg.X, np.ones(lg.m)])
    H = (A.T * weight) @ A / lg.m
    H[np.arange(lg.d), np.arange(lg.d)] += 2.0 * l2
    return H


class Problem(NamedTuple):
    """One loss, ready to be descended: what descend() and sweep() need of an objective.

    at(W, b) → (L, ∂L/∂W, ∂L/∂b) at one point; many(W (n, d), b (n,)) → the same for n points;
    on_rows(rows, W, b) → a mini-batch gradient (None: no rows); scale: a loss this run's numbers
    are measured against (divergence); bounds: (w_low, w_high, b_low, b_high) a run must stay in (test
    surfaces), else None."""

    objective: str
    l2: float
    d: int
    m: int | None
    at: Callable
    many: Callable
    on_rows: Callable | None
    scale: float
    bounds: tuple[float, float, float, float] | None = None


def problem(data, objective: str = "mse", l2: float = 0.0) -> Problem:
    """The Problem of minimising ``objective`` (+ λ‖W‖²) on ``data`` (a data set or a test surface)."""
    objective, l2 = checked_objective(data, objective, l2)
    if _surface(data):
        def at(W, b):
            gw, gb = data.gradient(W, b)
            return float(data.loss(W, b)), gw, float(gb)

        def many(W, b):
            return (data.loss(W, b), *data.gradient(W, b))

        start = abs(float(data.loss([data.start[0]], data.start[1])))
        return Problem(objective, 0.0, 1, None, at, many, None, max(start, 1.0), data.bounds)
    X, y = getattr(data, "X", None), getattr(data, "y", None)
    if objective == "mse":
        q = quadratic(data)
        rows = None if X is None else functools.partial(_rows_gradient, gradient_on_rows, X, y)
        at = functools.partial(loss_and_gradient, q)
        many = functools.partial(_mse_many, q)
        scale, m, d = q.syy + q.y_mean * q.y_mean, q.m, q.d
    else:
        lg = logistic(data)
        rows = functools.partial(_rows_gradient, logistic_gradient_on_rows, lg.X, lg.y)
        at = functools.partial(logistic_point, lg)
        many = functools.partial(logistic_terms, lg)
        scale, m, d = math.log(2.0), lg.m, lg.d  # log 2: the loss of z = 0, p = ½
    if l2 != 0.0:
        at, many, rows = _penalised(at, l2), _penalised(many, l2), None if rows is None else _penalised_rows(rows, l2)
    return Problem(objective, l2, d, m, at, many, rows, scale)


def _mse_many(q, W, b):
    return (_mse_loss(q, W, b), *_mse_gradient(q, W, b))


def _rows_gradient(rule, X, y, rows, W, b):
    return rule(X[rows], y[rows], W, b)


def _penalised(evaluate, l2: float):
    """The same evaluation with λ‖W‖² added to L and 2λW to ∂L/∂W."""
    def penalised(W, b):
        value, grad_w, grad_b = evaluate(W, b)
        return value + l2 * _squared_norm(W), grad_w + 2.0 * l2 * np.asarray(W), grad_b
    return penalised


def _penalised_rows(rows_gradient, l2: float):
    def penalised(rows, W, b):
        grad_w, grad_b = rows_gradient(rows, W, b)
        return grad_w + 2.0 * l2 * W, grad_b
    return penalised


def example_gradients(data, W, b, *, objective: str = "mse", l2: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
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
    objective, l2 = checked_objective(data, objective, l2)
    if objective != "mse" or l2 != 0.0:
        return _example_gradients(data, W, b, objective, l2)
    q = quadratic(data)
    X = np.asarray(X, dtype=np.float64).reshape(q.m, q.d)
    W = np.asarray(W, dtype=np.float64).reshape(-1)
    if W.shape != (q.d,):
        raise ValueError(f"W needs {q.d} weight{'s' if q.d > 1 else ''} (one per feature), got {W.size}.")
    c = float(mean_residual(q, W, float(b)))
    residual = (X - q.x_mean) @ W - (np.asarray(y, dtype=np.float64) - q.y_mean) + c  # ŷᵢ − yᵢ
    grad_b = 2.0 * residual
    return grad_b[:, None] * X, grad_b


def _example_gradients(data, W, b, objective: str, l2: float):
    """example_gradients for logistic regression, Gw[i] = (pᵢ − yᵢ) xᵢ and gb[i] = pᵢ − yᵢ, and for
    a penalty, which every example carries whole: + 2λW on each row (so the mean stays ∂L/∂W)."""
    W = np.asarray(W, dtype=np.float64).reshape(-1)
    if objective == "mse":
        grad_w, grad_b = example_gradients(data, W, b)
    else:
        lg = logistic(data)
        if W.shape != (lg.d,):
            raise ValueError(f"W needs {lg.d} weight{'s' if lg.d > 1 else ''} (one per feature), got {W.size}.")
        grad_b = _sigmoid((lg.X @ W + float(b)) * lg.sign) * lg.sign
        grad_w = grad_b[:, None] * lg.X
    return grad_w + 2.0 * l2 * W, grad_b


def optimum(data, *, objective: str = "mse", l2: float = 0.0) -> tuple[np.ndarray, float]:
    """The (W*, b*) minimising loss(data, W, b, objective=..., l2=...).

    "mse", λ = 0: least squares in closed form. When XᵀX is singular (a constant feature, a repeated
    feature) every minimiser has the same loss and the one with the smallest ‖W‖ is returned.
    "mse", λ > 0: ridge regression in closed form, W* = (Sxx + λI)⁻¹ Sxy, b* = ȳ − x̄ᵀW* (with b free
    the mean residual is 0 at the optimum; what is left is (W − W_ls)ᵀSxx(W − W_ls) + λ‖W‖²).
    "logistic": Newton's method (see logistic_optimum); a DataError when there is no finite optimum.
    A test surface: its first known minimum (a ValueError for the saddle, which has none).

    >>> from gdviz import Dataset
    >>> w, b = optimum(Dataset([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]))
    >>> w.round(12).tolist(), round(b, 12)
    ([2.0], 1.0)
    >>> w, b = optimum(Dataset([-1.0, 1.0], [-1.0, 1.0]), l2=1.0)  # Sxx = Sxy = 1: W* = 1/(1 + 1)
    >>> w.tolist(), b
    ([0.5], 0.0)
    """
    objective, l2 = checked_objective(data, objective, l2)
    if objective == "logistic":
        return logistic_optimum(data, l2)
    if objective != "mse":
        if not data.minima:
            raise ValueError(f"{data.title} has no minimum: L = {data.formula.split('= ')[-1]} falls without end.")
        w, b = data.minima[0]
        return np.array([w]), b
    q = quadratic(data)
    if l2 == 0.0:
        return q.w_opt.copy(), q.b_opt
    w = np.linalg.solve(q.sxx + l2 * np.eye(q.d), q.sxy)
    return w, float(q.y_mean - q.x_mean @ w)


_newton_cache: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()
NEWTON_STEPS = 100


def logistic_optimum(data, l2: float = 0.0) -> tuple[np.ndarray, float]:
    """The minimiser of the logistic loss + λ‖W‖², by Newton's method from W = 0, b = 0:

        θ ← θ − t H⁻¹ ∇L,   H = (1/m) Aᵀ diag(p(1 − p)) A + 2λD (logistic_hessian),

    t halved until the loss does not rise (the loss is convex, so this converges, quadratically
    near the optimum). Stops after one last full step once the Newton decrement gᵀH⁻¹g ≈ 2(L − L*) is
    rounding (≤ 1e-20), or the step changes no digit that matters (|Δθ| ≤ 1e-13·(1 + |θ|)).

    With λ = 0 there may be no finite optimum: when a threshold on XW + b separates the two classes
    (perfectly, or with ties on the line), the loss keeps falling as ‖W‖ grows. Then a DataError says
    so; any λ > 0 gives a finite optimum. Remembered per data set and λ.
    """
    lg = logistic(data)
    try:
        return _copy(_newton_cache[data][l2])
    except (KeyError, TypeError):
        pass
    result = _newton(lg, l2, getattr(data, "target_name", "y"))
    try:
        _newton_cache.setdefault(data, {})[l2] = result
    except TypeError:
        pass
    return _copy(result)


def _copy(result):
    if isinstance(result, Exception):
        raise result
    return result[0].copy(), result[1]


def _newton(lg: Logistic, l2: float, target_name: str):
    d = lg.d
    if (lg.y == lg.y[0]).all():
        return DataError(f"Column '{shown(target_name)}' holds only {int(lg.y[0])}s: logistic regression needs "
                         "both classes; with one, the loss keeps falling as b grows and there is no finite optimum.")
    theta = np.zeros(d + 1)
    value, gw, gb = _penalised(functools.partial(logistic_point, lg), l2)(theta[:d], theta[d]) if l2 \
        else logistic_point(lg, theta[:d], theta[d])
    converged = False
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_STEPS):
            grad = np.append(gw, gb)
            H = logistic_hessian(lg, theta[:d], theta[d], l2)
            # minimum-norm step: a flat direction (a constant or repeated feature) stays where it is
            step = np.linalg.lstsq(H, grad, rcond=1e-12)[0]
            if not np.isfinite(step).all():
                break
            # the Newton decrement gᵀH⁻¹g ≈ 2(L − L*): once it is at rounding's level, one last full
            # step takes θ to its rounding floor (an ill-conditioned H keeps |Δθ| itself above 1e-13)
            if float(grad @ step) <= 1e-20 * max(1.0, abs(value)) or \
                    np.all(np.abs(step) <= 1e-13 * (1.0 + np.abs(theta))):
                theta = theta - step
                converged = True
                break
            t = 1.0
            while True:
                trial = theta - t * step
                new = logistic_point(lg, trial[:d], trial[d])
                new_value = new[0] + l2 * float(trial[:d] @ trial[:d])
                if new_value <= value + 1e-14 * abs(value) or t < 1e-10:  # a rise of rounding is no rise
                    break
                t /= 2
            theta = trial
            value, gw, gb = new_value, new[1] + 2.0 * l2 * trial[:d], new[2]
    margins = (lg.X @ theta[:d] + theta[d]) * -lg.sign  # > 0: the example is on its own class's side
    ties = 1e-6 * np.abs(margins).max()  # examples on the threshold itself (quasi-separation)
    # No finite optimum exactly when some (W, b) puts every example on its side (or on the line): then
    # the loss falls along that direction for ever, and Newton's end point (where the gradient has
    # underflowed, or none) is such a (W, b). On data that are not separated, some example is not.
    if l2 == 0.0 and (margins >= -ties).all() and margins.max() > 1.0:
        return DataError(f"A threshold on the features separates the two classes of '{shown(target_name)}' "
                         "(every example on its own class's side, or on the threshold itself), so the logistic "
                         "loss keeps falling as the weights grow: there is no finite optimum. A ridge penalty "
                         "(λ > 0) gives one.")
    if not converged or not np.isfinite(theta).all():
        return DataError(f"Newton's method found no single optimum of the logistic loss for "
                         f"'{shown(target_name)}' (a feature with one value, or columns that move together, "
                         "leave it undetermined); a ridge penalty (λ > 0) fixes one.")
    return theta[:d].copy(), float(theta[d])


def hessian(data, *, objective: str = "mse", l2: float = 0.0, at=None) -> np.ndarray:
    """The Hessian of L in (W, b), shape (d+1, d+1), the bias last.

    "mse": H = (2/m) AᵀA + 2λD with A = [X 1], D = diag(1, …, 1, 0), the same everywhere; built from
    centred statistics, (1/m) AᵀA = [[Sxx + x̄x̄ᵀ, x̄], [x̄ᵀ, 1]]. "logistic" and test surfaces: the
    Hessian at ``at`` = (W, b) (default: the optimum), see logistic_hessian.
    """
    objective, l2 = checked_objective(data, objective, l2)
    if objective != "mse":
        W, b = optimum(data, objective=objective, l2=l2) if at is None else at
        W = np.asarray(W, dtype=np.float64).reshape(-1)
        if objective == "logistic":
            return logistic_hessian(logistic(data), W, b, l2)
        return data.hessian(W[0], b)
    q = quadratic(data)
    d = q.d
    H = np.empty((d + 1, d + 1))
    H[:d, :d] = q.sxx + np.outer(q.x_mean, q.x_mean)
    H[:d, d] = H[d, :d] = q.x_mean
    H[d, d] = 1.0
    if l2 != 0.0:
        H[np.arange(d), np.arange(d)] += l2
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
    # how the Hessian was found: "" for the quadratic (exact, the same everywhere); otherwise one plain
    # sentence saying where it was taken (the logistic loss, a test surface: at the start and the optimum)
    estimate: str = ""


def curvature(data, *, objective: str = "mse", l2: float = 0.0, w0=None, b0: float | None = None) -> Curvature:
    """Eigen-analysis of the Hessian of L (and what it says of plain gradient descent's rate).

    "mse": H = (2/m) AᵀA + 2λD is the same everywhere (exact; ``estimate`` is ""). A penalty adds 2λ
    along every weight. The logistic loss and the test surfaces are not quadratics: their Hessian
    changes from point to point, so it is taken at the start (w0, b0) (default: W = 0, b = 0 for the
    logistic loss, the surface's suggested start) and at the optimum (every known minimum of a
    surface, its stationary point when it has none), and the one with the larger λ_max is kept:
    lr_max = 2/λ_max is then the largest rate that is stable at both. ``estimate`` says so with the
    numbers. (For the logistic loss from W = 0, b = 0 that is the start's: p(1 − p) ≤ ¼ is largest there.)

    The quadratic's analysis, accurate even for a long thin valley:

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
    objective, l2 = checked_objective(data, objective, l2)
    if objective != "mse":
        return _curvature_at_points(data, objective, l2, w0, b0)
    q = quadratic(data)
    H = hessian(q, l2=l2)
    # The vectors are accurate from H itself (an eigenvector's error is rounding over the gap to
    # the next eigenvalue, relative to ‖H‖); only the small eigenvalues need H⁻¹ below.
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    flat = q.flat.shape[1] if l2 == 0.0 else 0  # a penalty curves every direction of W
    if flat:  # a constant, repeated or dependent feature: flat directions, λ = 0 exactly
        eigenvalues = np.maximum(eigenvalues, 0.0)
        eigenvalues[:flat] = 0.0
    else:
        d = q.d
        m_inverse = np.eye(d + 1)
        m_inverse[d, :d] = -q.x_mean
        inner = np.zeros((d + 1, d + 1))
        # Sxx⁻¹ = S⁻¹ R⁻¹ S⁻¹ through the correlation matrix R, so the features' units do not matter.
        # With a penalty Sxx + λI takes Sxx's place: H = 2 Mᵀ diag(Sxx + λI, 1) M, since ‖W‖² = ‖(Mθ)_W‖².
        sxx = q.sxx if l2 == 0.0 else q.sxx + l2 * np.eye(d)
        s = np.sqrt(np.diag(sxx))
        inner[:d, :d] = np.linalg.inv(sxx / np.outer(s, s)) / np.outer(s, s)
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


def _curvature_at_points(data, objective: str, l2: float, w0, b0) -> Curvature:
    """curvature() of a loss that is not a quadratic: the Hessian at the start and at the optimum
    (or a surface's known minima / stationary point), the one with the larger λ_max kept."""
    surface = _surface(data)
    if surface:
        d = 1
        start_w = data.start[0] if w0 is None else np.asarray(w0, dtype=np.float64).reshape(-1)[0]
        start = (np.array([float(start_w)]), float(data.start[1] if b0 is None else b0))
        others = [(np.array([w]), b) for w, b in (data.minima or data.stationary)]
        where = "its known minim" + ("um" if len(data.minima) == 1 else "a") if data.minima else "its saddle point"
    else:
        lg = logistic(data)
        d = lg.d
        start = (np.zeros(d) if w0 is None else np.asarray(w0, dtype=np.float64).reshape(-1),
                 0.0 if b0 is None else float(b0))
        try:
            others = [optimum(data, objective=objective, l2=l2)]
            where = "the optimum"
        except ValueError:  # no finite optimum (separated classes): the start alone
            others, where = [], ""
    points = [start, *others]
    hessians = [hessian(data, objective=objective, l2=l2, at=p) for p in points]
    analyses = [np.linalg.eigh(H) for H in hessians]
    tops = [float(values[-1]) for values, _ in analyses]
    chosen = int(np.argmax(tops))
    H, (eigenvalues, eigenvectors) = hessians[chosen], analyses[chosen]
    high, low = float(eigenvalues[-1]), float(eigenvalues[0])
    positive = eigenvalues[eigenvalues > 0]
    smallest_curved = float(positive[0]) if positive.size else high
    condition = high / low if low > 0 else float("inf")
    what = data.title if surface else "The logistic loss"
    at_start = f"at the start (λ_max = {tops[0]:.4g})"
    if not others:
        estimate = (f"{what} is not a quadratic and has no finite optimum here: α_max = 2/λ_max uses "
                    f"the Hessian {at_start}.")
    elif all(np.array_equal(H, hessians[0]) for H in hessians):  # the saddle: a quadratic after all
        estimate = (f"{what} has the same Hessian everywhere (eigenvalues "
                    f"{', '.join(f'{v:.4g}' for v in eigenvalues)}): α_max = 2/λ_max is exact.")
    else:
        at_others = f"at {where} (λ_max = {', '.join(f'{t:.4g}' for t in tops[1:])})"
        estimate = (f"{what} is not a quadratic: its Hessian changes from point to point. α_max = 2/λ_max "
                    f"uses the larger λ_max of the Hessian {at_start} and {at_others}.")
    return Curvature(H, eigenvalues, 2.0 / high if high > 0 else float("inf"),
                     2.0 / (smallest_curved + high) if high > 0 else float("inf"), condition, eigenvectors, estimate)


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
