"""Why a run converges, zig-zags or diverges, in one sentence with its numbers.

On the quadratic L(θ) = L* + ½ (θ − θ*)ᵀ H (θ − θ*), with H's eigenvalues λᵢ (gdviz.curvature), the
error e = θ − θ* splits into one part per eigen-direction, and each part evolves on its own:

    plain GD   e ← (1 − αλ) e                    stable iff |1 − αλ| < 1, i.e. 0 < α < α_max = 2/λ_max
    momentum   v ← μv + λe;  e ← e − αv           (torch.optim.SGD, dampening 0: the heavy ball)
               z² − (1 + μ − αλ) z + μ = 0        stable iff 0 < αλ < 2 + 2μ
    Nesterov   v ← μv + λe;  e ← e − α(λe + μv)   (torch.optim.SGD, nesterov=True)
               z² − (1 + μ − αλ(1 + μ)) z + μ(1 − αλ) = 0
                                                  stable iff 0 < αλ < (2 + 2μ)/(1 + 2μ)

For the two momentum forms the per-step factor of a direction is ρ = the largest |z| of its
quadratic (the error behaves like ρᵏ); the bounds follow from the Jury conditions on z² − T z + D:
|D| < 1, 1 − T + D > 0 and 1 + T + D > 0. Adagrad, RMSprop and Adam divide each coordinate's step by
its own running gradient size, so their step is not α∇L and none of these limits applies.

The numbers are written with three significant digits and a true minus sign.
"""
from __future__ import annotations

import math

import numpy as np

from . import model

ADAPTIVE = {"adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}
KNOWN = ("gd", "momentum", "nesterov") + tuple(ADAPTIVE)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_ON_THE_LIMIT = 1e-9  # relative: closer than this to a limit counts as on it


def number(value: float) -> str:
    """A number as the note writes it: three significant digits, a true minus sign, ×10ⁿ when very
    large or small (0.336, −1.98, 3.8, 1.2×10⁻⁴)."""
    value = float(value)
    if not math.isfinite(value):
        return "∞" if value > 0 else ("−∞" if value < 0 else "not a number")
    if value == 0:
        return "0"
    sign, size = ("−" if value < 0 else ""), abs(value)
    if size >= 1e5 or size < 1e-3:
        mantissa, exponent = f"{size:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{sign}{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return sign + f"{size:.3g}"


def eigenvalues(data, *, l2: float = 0.0, objective: str = "mse") -> np.ndarray:
    """The Hessian's eigenvalues λᵢ, ascending: gdviz.curvature(data).eigenvalues; with a ridge penalty
    l2·‖W‖² (the bias not penalised) those of H + 2·l2·diag(1, …, 1, 0)."""
    return _curvature(data, l2, objective)[0]


def _curvature(data, l2: float, objective: str) -> tuple[np.ndarray, str]:
    """(eigenvalues, the curvature's ``estimate`` sentence: "" for the quadratic, exact everywhere)."""
    if not l2 and objective == "mse":
        c = model.curvature(data)
    else:
        c = model.curvature(data, objective=objective, l2=l2)
    return np.asarray(c.eigenvalues, dtype=np.float64), str(getattr(c, "estimate", "") or "")


def momentum_factor(x, momentum: float, *, nesterov: bool = False) -> float:
    """ρ: how much one direction's error is multiplied by per step (in the long run) under heavy-ball
    momentum, or Nesterov's form, with x = αλ: the largest |z| of z² − T z + D = 0, T = 1 + μ − x,
    D = μ for the heavy ball; T = 1 + μ − x(1 + μ), D = μ(1 − x) for Nesterov."""
    mu = float(momentum)
    if nesterov:
        trace, det = 1.0 + mu - x * (1.0 + mu), mu * (1.0 - x)
    else:
        trace, det = 1.0 + mu - x, mu
    root = np.sqrt(complex(trace * trace - 4.0 * det))
    return float(max(abs((trace + root) / 2.0), abs((trace - root) / 2.0)))


def momentum_limit(momentum: float, *, nesterov: bool = False) -> float:
    """The largest stable αλ: 2 + 2μ for heavy-ball momentum, (2 + 2μ)/(1 + 2μ) for Nesterov's."""
    mu = float(momentum)
    return (2.0 + 2.0 * mu) / (1.0 + 2.0 * mu) if nesterov else 2.0 + 2.0 * mu


def _gd_direction(factor: float) -> str:
    """What multiplying a direction's error by the factor 1 − αλ each step does to it."""
    if factor < -1:
        return "it grows and flips sign each step (a widening zig-zag)"
    if factor == -1:
        return "it flips sign each step and never shrinks"
    if factor < 0:
        return "negative: it shrinks by that factor each step and zig-zags"
    if factor == 0:
        return "it is gone after one step"
    if factor < 1:
        return "it shrinks by that factor each step, from one side"
    if factor == 1:
        return "it never changes (a flat direction: the gradient has no part along it)"
    return "it grows each step"


def _directions(lams: np.ndarray) -> list[tuple[str, float]]:
    """The eigen-directions worth naming: all of them up to three, else the steepest and the
    shallowest (the others lie between), with their names."""
    distinct = sorted(set(float(v) for v in lams), reverse=True)
    if len(distinct) == 1:
        return [("every direction", distinct[0])]
    if len(distinct) == 2:
        return [("steep", distinct[0]), ("shallow", distinct[1])]
    if len(distinct) == 3:
        return [("steepest", distinct[0]), ("middle", distinct[1]), ("shallowest", distinct[2])]
    return [("steepest", distinct[0]), ("shallowest", distinct[-1])]


def _plain(alpha: float, lams: np.ndarray) -> str:
    lam_max = float(lams[-1])
    limit = 2.0 / lam_max
    head = f"α = {number(alpha)}"
    factor = 1.0 - alpha * lam_max
    if abs(alpha - limit) <= _ON_THE_LIMIT * limit:
        return (f"{head} = α_max = 2/λ_max = {number(limit)}: on the limit. Along the steep direction each step "
                f"multiplies the error by 1 − αλ_max = −1, so it flips sign for ever and never shrinks.")
    if alpha > limit:
        return (f"{head} > α_max = 2/λ_max = {number(limit)}: along the steep direction each step multiplies the "
                f"error by 1 − αλ_max = {number(factor)}, so it grows.")
    parts = [f"{name} (λ = {number(lam)}): 1 − αλ = {number(1.0 - alpha * lam)}, {_gd_direction(1.0 - alpha * lam)}"
             for name, lam in _directions(lams)]
    if lams[0] < 0:  # a saddle: along a direction curving down no learning rate keeps the error small
        lam_min = float(lams[0])
        return (f"{head} < 2/λ_max = {number(limit)}, yet no learning rate is stable here: along the direction "
                f"curving down (λ = {number(lam_min)} < 0) each step multiplies the error by 1 − αλ = "
                f"{number(1.0 - alpha * lam_min)} > 1, so the path slides away from the saddle point; along the "
                f"direction curving up 1 − αλ = {number(factor)}: {_gd_direction(factor)}.")
    curved = lams[lams > 0]
    pace = float(np.max(np.abs(1.0 - alpha * curved))) if curved.size else 1.0
    tail = ""
    if len(set(lams.tolist())) > 3:
        tail += " The other directions' factors lie between these."
    if curved.size and pace > 0:
        tail += f" The error as a whole shrinks like {number(pace)}ᵏ (the direction whose factor is closest to ±1 sets the pace)."
    if curved.size < lams.size:
        tail += " Along a flat direction the error keeps what the start gave it."
    return (f"{head} < α_max = 2/λ_max = {number(limit)}: stable. Each step multiplies the error along each "
            f"eigen-direction by 1 − αλᵢ; " + "; ".join(parts) + "." + tail)


def _momentum(alpha: float, lams: np.ndarray, mu: float, nesterov: bool) -> str:
    lam_max = float(lams[-1])
    x = alpha * lam_max
    limit = momentum_limit(mu, nesterov=nesterov)
    formula = "(2 + 2μ)/(1 + 2μ)" if nesterov else "2 + 2μ"
    bound = f"{formula} = {number(limit)}"
    kind = "Nesterov momentum" if nesterov else "Heavy-ball momentum"
    head = (f"{kind} (μ = {number(mu)}) is stable when 0 < αλ < {bound} for every direction "
            f"(plain gradient descent's limit is αλ < 2). ")
    alpha_limit = number(limit / lam_max)
    if abs(x - limit) <= _ON_THE_LIMIT * limit:
        return head + f"αλ_max = {number(x)} = {formula}: on the limit (α = {alpha_limit}); the steep direction neither shrinks nor grows."
    rho = max(momentum_factor(alpha * lam, mu, nesterov=nesterov) for lam in lams if lam > 0) if (lams > 0).any() else 1.0
    if x > limit:
        return head + (f"αλ_max = {number(x)} > {bound}: unstable, the steep direction's error grows by about "
                       f"{number(rho)} per step, so it diverges (α must stay below {alpha_limit}).")
    return head + (f"αλ_max = {number(x)} < {bound}: stable (α below {alpha_limit}); the error shrinks like "
                   f"{number(rho)}ᵏ, its slowest direction setting the pace.")


def stability_note(data, optimizer: str, lr, *, momentum: float = 0.9, l2: float = 0.0, objective: str = "mse") -> str:
    """One sentence, with the numbers, saying whether ``optimizer`` at learning rate ``lr`` is stable
    on ``data``'s quadratic, and why (see the module's docstring for the formulas).

    Plain gradient descent multiplies the error along eigen-direction i by 1 − αλᵢ per step: above
    α_max = 2/λ_max the steep direction grows; below, each factor is given (negative: a zig-zag).
    Momentum (heavy ball, μ = ``momentum``) is stable iff 0 < αλ < 2 + 2μ; Nesterov's form iff
    0 < αλ < (2 + 2μ)/(1 + 2μ). Adagrad, RMSprop and Adam: the limit 2/λ_max is plain descent's only.
    ``l2``: a ridge penalty l2·‖W‖² adds 2·l2 to the weights' curvature. ``objective`` as gdviz.curvature
    takes it: a loss that is not a quadratic ("logistic", a test surface) has its Hessian taken where
    gdviz.curvature says, and the note ends with that sentence. A learning rate that is not a
    positive number, or a flat surface, is a sentence too. Raises ValueError for an unknown optimizer.

    >>> from gdviz import Dataset
    >>> s = np.sqrt(1 / 0.336)  # x = ±s: λ_max = 2·mean(x²) = 2/0.336
    >>> stability_note(Dataset([-s, s], [0.0, 1.0]), "gd", 0.5)
    'α = 0.5 > α_max = 2/λ_max = 0.336: along the steep direction each step multiplies the error by 1 − αλ_max = −1.98, so it grows.'
    """
    if optimizer not in KNOWN:
        raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of {', '.join(KNOWN)}.")
    try:
        alpha = float(lr)
    except (TypeError, ValueError):
        return f"The learning rate α must be a number, not {lr!r}: no step can be taken."
    if not math.isfinite(alpha):
        return "The learning rate α must be a finite positive number: no step can be taken."
    if alpha <= 0:
        return f"The learning rate α must be a positive number, not {number(alpha)}: no step can be taken."
    try:
        mu = float(momentum)
    except (TypeError, ValueError):
        mu = float("nan")
    if optimizer in ("momentum", "nesterov") and not (math.isfinite(mu) and 0 <= mu < 1):
        return f"The momentum μ must be a number from 0 up to (not including) 1, not {momentum!r}."
    lams, estimate = _curvature(data, l2, objective)
    return _note(alpha, lams, optimizer, mu) + (" " + estimate if estimate else "")


def _note(alpha: float, lams: np.ndarray, optimizer: str, mu: float) -> str:
    lam_max = float(lams[-1]) if lams.size else float("nan")
    if not math.isfinite(lam_max):
        return "The curvature of this loss is not a finite number, so no learning-rate limit can be given."
    if lam_max <= 0:
        return ("The loss is flat here or curves downwards (λ_max ≤ 0): its curvature sets no limit on α, and "
                "a step moves only as far as the gradient says.")
    if optimizer in ADAPTIVE:
        name = ADAPTIVE[optimizer]
        return (f"The limit α_max = 2/λ_max = {number(2.0 / lam_max)} is plain gradient descent's only: {name} "
                f"divides each coordinate's step by its own running gradient size (g/(√s + ε)), so a step is of the order of "
                f"α = {number(alpha)} per coordinate whatever the curvature; it does not blow up like plain "
                f"descent, but with a large α it can circle the optimum at about that distance.")
    if optimizer == "gd" or mu == 0:
        return _plain(alpha, lams)
    return _momentum(alpha, lams, mu, optimizer == "nesterov")
