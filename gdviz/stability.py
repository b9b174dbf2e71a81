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

With a learning-rate schedule the rate changes from step to step: plain descent multiplies the error
along direction i by Π_j (1 − α_jλᵢ) over the steps taken, and the constant-rate limits describe one
rate at a time. The numbers are written as gdviz.words.number writes them (three significant digits,
a true minus sign). stability_note (from the data) and note (from the eigenvalues: the eigen view's
shorter note) share every sentence.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import model
from .optimizers import DESCRIPTIONS
from .words import factor as factor_text
from .words import number

ADAPTIVE = {d.name: d.label for d in DESCRIPTIONS.values() if d.adaptive}
KNOWN = tuple(DESCRIPTIONS)
_ON_THE_LIMIT = 1e-9  # relative: closer than this to a limit counts as on it
_SAME = 1e-9  # relative to the largest |λ|: eigenvalues closer than this are one (a round bowl's differ by rounding)


def eigenvalues(data, *, l2: float = 0.0, objective: str = "mse") -> np.ndarray:
    """The Hessian's eigenvalues λᵢ, ascending: gdviz.curvature(data).eigenvalues; with a ridge penalty
    l2·‖W‖² (the bias not penalised) those of H + 2·l2·diag(1, …, 1, 0)."""
    return _curvature(data, l2, objective)[0]


def _curvature(data, l2: float, objective: str) -> tuple[np.ndarray, str]:
    """(eigenvalues, the curvature's ``estimate`` sentence: "" for the quadratic, exact everywhere;
    for a loss that is not a quadratic the local curvature at its optimum, see local_curvature)."""
    if not l2 and objective == "mse" and not hasattr(data, "minima"):
        c = model.curvature(data)
        return np.asarray(c.eigenvalues, dtype=np.float64), ""
    c = local_curvature(data, objective=objective, l2=l2)
    return c.eigenvalues, c.estimate


@dataclass(frozen=True, eq=False)
class Local:
    """The Hessian's eigen-analysis where the theory of a quadratic applies: everywhere for the mean
    squared error (with or without a ridge penalty) and the saddle (``where`` ""); at the optimum of
    the logistic loss or a test surface's minimum otherwise (``where`` "near the optimum", "near the
    minimum (3, 2)"), where the loss is close to a quadratic with this Hessian. ``at``: (W, b) of
    that point (None when the loss has no minimum); ``estimate``: one sentence saying which."""

    eigenvalues: np.ndarray  # ascending
    eigenvectors: np.ndarray  # column i: eigenvalues[i]'s
    at: tuple | None
    where: str
    estimate: str

    @property
    def lam_max(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def lr_max(self) -> float:
        return 2.0 / self.lam_max if self.lam_max > 0 else float("inf")

    @property
    def lr_best(self) -> float:
        curved = self.eigenvalues[self.eigenvalues > 0]
        return 2.0 / (float(curved[0]) + self.lam_max) if curved.size else float("inf")

    @property
    def condition_number(self) -> float:
        low = float(self.eigenvalues[0])
        return self.lam_max / low if low > 0 else float("inf")


def _point(w, b) -> str:
    return f"({number(w)}, {number(b)})"


def local_curvature(data, *, objective: str = "mse", l2: float = 0.0, near=None) -> Local:
    """The curvature the learning-rate theory may use (see Local). A test surface with several
    minima: the one nearest ``near`` = (w, b) (default: its suggested start). The logistic loss
    without a finite optimum (separated classes): the Hessian at ``near`` (default W = 0, b = 0),
    said so.

    >>> c = local_curvature(__import__("gdviz").test_function("rosenbrock"))
    >>> round(c.lam_max, 1), c.where
    (1001.6, 'near the minimum (1, 1)')
    """
    surface = hasattr(data, "minima")
    if not surface and objective == "mse":
        c = model.curvature(data, l2=l2)
        try:
            at = model.optimum(data, l2=l2)
        except ValueError:
            at = None
        return Local(np.asarray(c.eigenvalues, dtype=np.float64), c.eigenvectors, at, "", "")
    if surface:
        if not data.minima:  # the saddle: the same Hessian everywhere
            w, b = data.stationary[0]
            values, vectors = np.linalg.eigh(data.hessian(w, b))
            return Local(values, vectors, None, "",
                         f"{data.title} has the same Hessian everywhere (λ = "
                         f"{', '.join(number(v) for v in values[::-1])}): a quadratic with no minimum.")
        w0, b0 = data.start if near is None else near
        w, b = min(data.minima, key=lambda p: (p[0] - w0) ** 2 + (p[1] - b0) ** 2)
        values, vectors = np.linalg.eigh(data.hessian(w, b))
        where = f"near the minimum {_point(w, b)}"
        return Local(values, vectors, (np.array([w]), float(b)), where,
                     f"{data.title} is not a quadratic: α_max, α_best and the condition number are local, from "
                     f"the Hessian at its minimum {_point(w, b)} (λ = {', '.join(number(v) for v in values[::-1])}); "
                     "far from it the curvature differs.")
    try:
        W, b = model.optimum(data, objective=objective, l2=l2)
    except ValueError:  # separated classes: no optimum to be near
        W, b = (np.zeros(data.d), 0.0) if near is None else (np.atleast_1d(np.asarray(near[0], dtype=float)),
                                                                 float(near[1]))
        values, vectors = np.linalg.eigh(model.hessian(data, objective=objective, l2=l2, at=(W, b)))
        return Local(values, vectors, None, "at the start",
                     "The logistic loss is not a quadratic and has no finite optimum here: α_max = 2/λ_max uses the "
                     f"Hessian at the start (λ_max = {number(values[-1])}).")
    values, vectors = np.linalg.eigh(model.hessian(data, objective=objective, l2=l2, at=(W, b)))
    return Local(values, vectors, (np.asarray(W, dtype=float), float(b)), "near the optimum",
                 "The logistic loss is not a quadratic: α_max, α_best and the condition number are local, from the "
                 f"Hessian at the optimum (λ = {', '.join(number(v) for v in values[::-1])}); far from it the "
                 "curvature differs (at W = 0 it is largest).")


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
        return "it flips sign each step and keeps its size (a zig-zag that neither shrinks nor grows)"
    if factor < 0:
        return "negative: it shrinks by that factor each step and zig-zags"
    if factor == 0:
        return "it is gone after one step"
    if factor < 0.999:
        return "it shrinks by that factor each step, from one side"
    if factor < 1:  # 1000 steps keep more than a third of it
        return "it barely moves: it shrinks by that factor each step, from one side"
    if factor == 1:
        return "it never changes (a flat direction: the gradient has no part along it)"
    return "it grows each step"


def distinct(lams) -> list[float]:
    """The eigenvalues, largest first, with those equal to within _SAME of the largest |λ| taken as
    one (a round bowl's 2 and 2(1 + 10⁻¹⁵) are one curvature, not a steep and a shallow direction)."""
    values = sorted((float(v) for v in np.asarray(lams, dtype=np.float64).ravel()), reverse=True)
    if not values:
        return []
    tolerance = _SAME * max(abs(values[0]), abs(values[-1]))
    out = [values[0]]
    for value in values[1:]:
        if out[-1] - value > tolerance:
            out.append(value)
    return out


def _directions(lams: np.ndarray) -> list[tuple[str, float]]:
    """The eigen-directions worth naming: all of them up to three, else the steepest and the
    shallowest (the others lie between), with their names."""
    values = distinct(lams)
    if len(values) == 1:
        return [("every direction", values[0])]
    if len(values) == 2:
        return [("steep", values[0]), ("shallow", values[1])]
    if len(values) == 3:
        return [("steepest", values[0]), ("middle", values[1]), ("shallowest", values[2])]
    return [("steepest", values[0]), ("shallowest", values[-1])]


def _steep(lams: np.ndarray) -> str:
    """The steep direction's name: "every direction" when all curvatures are one."""
    return "every direction" if len(distinct(lams)) == 1 else "the steep direction"


def _on(value: float, limit: float) -> bool:
    return abs(value - limit) <= _ON_THE_LIMIT * abs(limit)


def _plain(alpha: float, lams: np.ndarray, a: str, short: bool) -> str:
    """Plain gradient descent at the rate ``alpha`` (written ``a``: "α", or "α₀" with a schedule)."""
    lam_max = float(lams[-1])
    limit = 2.0 / lam_max
    head = f"{a} = {number(alpha)}"
    factor = 1.0 - alpha * lam_max
    steep = _steep(lams)
    along = "along every direction" if steep == "every direction" else "along the steep direction"
    if _on(alpha, limit):
        return (f"{head} = α_max = 2/λ_max = {number(limit)}: on the limit. {along.capitalize()} each step multiplies "
                f"the error by 1 − {a}λ_max = −1, so it flips sign each step and keeps its size: a zig-zag that "
                f"neither shrinks nor grows" + ("" if short else "."))
    if alpha > limit:
        return (f"{head} > α_max = 2/λ_max = {number(limit)}: {along} each step multiplies the "
                f"error by 1 − {a}λ_max = {factor_text(factor)}, so it grows" + ("" if short else "."))
    if lams[0] < 0:  # a saddle: along a direction curving down no learning rate keeps the error small
        lam_min = float(lams[0])
        return (f"{head} < 2/λ_max = {number(limit)}, yet no learning rate is stable here: along the direction "
                f"curving down (λ = {number(lam_min)} < 0) each step multiplies the error by 1 − {a}λ = "
                f"{factor_text(1.0 - alpha * lam_min)} > 1, so the path slides away from the saddle point; along the "
                f"direction curving up 1 − {a}λ = {factor_text(factor)}: {_gd_direction(factor)}.")
    if short:
        if factor < 0:
            return (f"{head} < α_max = 2/λ_max = {number(limit)}: 1 − {a}λ_max = {factor_text(factor)} < 0, so "
                    f"{steep} zig-zags and shrinks")
        return f"{head} < α_max = 2/λ_max = {number(limit)}: every factor 1 − {a}λ is between 0 and 1"
    parts = [f"{name} (λ = {number(lam)}): 1 − {a}λ = {factor_text(1.0 - alpha * lam)}, {_gd_direction(1.0 - alpha * lam)}"
             for name, lam in _directions(lams)]
    curved = lams[lams > 0]
    pace = float(np.max(np.abs(1.0 - alpha * curved))) if curved.size else 1.0
    tail = ""
    if len(distinct(lams)) > 3:
        tail += " The other directions' factors lie between these."
    if curved.size and pace > 0:
        tail += f" The error as a whole shrinks like {factor_text(pace)}ᵏ (the direction whose factor is closest to ±1 sets the pace)."
    if curved.size < lams.size:
        tail += " Along a flat direction the error keeps what the start gave it."
    return (f"{head} < α_max = 2/λ_max = {number(limit)}: stable. Each step multiplies the error along each "
            f"eigen-direction by 1 − {a}λᵢ; " + "; ".join(parts) + "." + tail)


def _momentum(alpha: float, lams: np.ndarray, mu: float, nesterov: bool, a: str, short: bool) -> str:
    lam_max = float(lams[-1])
    x = alpha * lam_max
    limit = momentum_limit(mu, nesterov=nesterov)
    formula = "(2 + 2μ)/(1 + 2μ)" if nesterov else "2 + 2μ"
    bound = f"{formula} = {number(limit)}"
    kind = "Nesterov momentum" if nesterov else "Heavy-ball momentum"
    alpha_limit = number(limit / lam_max)
    if short:
        verdict = "on the limit" if _on(x, limit) else "unstable" if x > limit else "stable"
        return (f"{kind.lower() if not nesterov else kind} (μ = {number(mu)}) is stable when 0 < αλ < {formula}: "
                f"here {a}λ_max = {number(x)}, {bound}: {verdict}")
    head = (f"{kind} (μ = {number(mu)}) is stable when 0 < αλ < {bound} for every direction "
            f"(plain gradient descent's limit is αλ < 2). ")
    if _on(x, limit):
        return head + (f"{a}λ_max = {number(x)} = {formula}: on the limit ({a} = {alpha_limit}); the steep direction "
                       f"neither shrinks nor grows.")
    rho = max(momentum_factor(alpha * lam, mu, nesterov=nesterov) for lam in lams if lam > 0) if (lams > 0).any() else 1.0
    if x > limit:
        return head + (f"{a}λ_max = {number(x)} > {bound}: unstable, the steep direction's error grows by about "
                       f"{factor_text(rho)} per step, so it diverges ({a} must stay below {alpha_limit}).")
    return head + (f"{a}λ_max = {number(x)} < {bound}: stable ({a} below {alpha_limit}); the error shrinks like "
                   f"{factor_text(rho)}ᵏ, its slowest direction setting the pace.")


def _adaptive(alpha: float, lam_max: float, name: str, a: str, short: bool) -> str:
    head = f"The limit α_max = 2/λ_max = {number(2.0 / lam_max)} is plain gradient descent's only: {name} "
    if short:
        return head + "divides each coordinate's step by its own running gradient size"
    return head + (f"divides each coordinate's step by its own running gradient size (g/(√s + ε)), so the size of "
                   f"its steps is set by {a} = {number(alpha)}, not by the curvature (how large, step by step, "
                   f"depends on the gradients' history); it does not blow up like plain descent, but with a large "
                   f"{a} it can circle the optimum.")


def _scheduled(rates: np.ndarray, lams: np.ndarray, optimizer: str, short: bool) -> str:
    """What a schedule adds: plain descent's factors multiplied over the steps taken; else that the
    limits hold for one constant rate at a time."""
    n = len(rates)
    if optimizer != "gd":
        return (" α_k then changes with the schedule: the limit is for a constant rate, so it holds for each α_k "
                "only while it lasts" + ("" if short else "."))
    with np.errstate(all="ignore"):
        products = [(name, lam, float(np.prod(1.0 - rates * lam))) for name, lam in _directions(lams)]

    def overall(p: float) -> str:
        size = abs(p)
        return "it shrinks overall" if size < 1 else "it grows overall" if size > 1 else "it keeps its size overall"
    if short:
        p = products[0][2]
        return (f"; α_k then changes with the schedule, and over the {n} steps taken the steep direction's "
                f"factors 1 − α_kλ_max multiply to {number(p)}: {overall(p)}")
    listed = "; ".join(f"{name} (λ = {number(lam)}): {number(p)}, {overall(p)}" for name, lam, p in products)
    return (f" With the schedule α_k changes from step to step: over the {n} steps taken each step multiplies the "
            f"error along eigen-direction i by its own 1 − α_kλᵢ, in all Π(1 − α_kλᵢ); {listed}.")


def stability_note(data, optimizer: str, lr, *, momentum: float = 0.9, l2: float = 0.0, objective: str = "mse",
                   rates=None) -> str:
    """One sentence, with the numbers, saying whether ``optimizer`` at learning rate ``lr`` is stable
    on ``data``'s quadratic, and why (see the module's docstring for the formulas).

    Plain gradient descent multiplies the error along eigen-direction i by 1 − αλᵢ per step: above
    α_max = 2/λ_max the steep direction grows; below, each factor is given (negative: a zig-zag).
    Momentum (heavy ball, μ = ``momentum``) is stable iff 0 < αλ < 2 + 2μ; Nesterov's form iff
    0 < αλ < (2 + 2μ)/(1 + 2μ). Adagrad, RMSprop and Adam: the limit 2/λ_max is plain descent's only.
    ``l2``: a ridge penalty l2·‖W‖² adds 2·l2 to the weights' curvature. ``objective`` as gdviz.curvature
    takes it: a loss that is not a quadratic ("logistic", a test surface) has its Hessian taken where
    gdviz.curvature says, and the note ends with that sentence. A learning rate that is not a
    positive number, or a flat surface, is a sentence too. ``rates``: the rate each update used
    (Trajectory.lr); with a schedule they change, and the note speaks of α₀ and of what the changing
    rates did (see note). Raises ValueError for an unknown optimizer.

    >>> from gdviz import Dataset
    >>> s = np.sqrt(1 / 0.336)  # x = ±s: λ_max = 2·mean(x²) = 2/0.336
    >>> stability_note(Dataset([-s, s], [0.0, 1.0]), "gd", 0.5)
    'α = 0.5 > α_max = 2/λ_max = 0.336: along the steep direction each step multiplies the error by 1 − αλ_max = −1.98, so it grows.'
    """
    if optimizer not in KNOWN:
        raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of {', '.join(KNOWN)}.")
    problem = _checked(lr, optimizer, momentum)
    if problem:
        return problem
    lams, estimate = _curvature(data, l2, objective)
    return note(lams, optimizer, lr, momentum=momentum, rates=rates) + (" " + estimate if estimate else "")


def _checked(lr, optimizer: str, momentum) -> str:
    """A sentence when the learning rate or μ cannot be used, else ""."""
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
    return ""


def note(eigenvalues, optimizer: str, lr, *, momentum: float = 0.9, rates=None, short: bool = False) -> str:
    """The sentence stability_note makes, from the Hessian's eigenvalues λᵢ: ``short`` gives its
    headline only (the eigen view's note: α against α_max and the steep direction's factor, or
    αλ_max against momentum's limit 2 + 2μ or (2 + 2μ)/(1 + 2μ) with this μ). ``rates``: the rate
    each update used (Trajectory.lr); when they change (a schedule) the note speaks of α₀ and adds
    Π(1 − α_kλ) over the steps taken for plain descent. Raises ValueError for an unknown optimizer."""
    if optimizer not in KNOWN:
        raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of {', '.join(KNOWN)}.")
    problem = _checked(lr, optimizer, momentum)
    if problem:
        return problem
    alpha, mu = float(lr), float(momentum)
    rates = None if rates is None else np.asarray(rates, dtype=np.float64).ravel()
    scheduled = rates is not None and rates.size > 0 and bool(np.any(rates != rates[0]))
    if scheduled:
        alpha = float(rates[0])
    a = "α₀" if scheduled else "α"
    lams = np.sort(np.asarray(eigenvalues, dtype=np.float64).ravel())
    lam_max = float(lams[-1]) if lams.size else float("nan")
    if not math.isfinite(lam_max):
        return "The curvature of this loss is not a finite number, so no learning-rate limit can be given."
    if lam_max <= 0:
        return ("The loss is flat here or curves downwards (λ_max ≤ 0): its curvature sets no limit on α, and "
                "a step moves only as far as the gradient says.")
    if optimizer in ADAPTIVE:
        return _adaptive(alpha, lam_max, ADAPTIVE[optimizer], a, short)
    plain = optimizer == "gd" or mu == 0
    if not scheduled:
        return _plain(alpha, lams, a, short) if plain else _momentum(alpha, lams, mu, optimizer == "nesterov", a, short)
    if plain:  # the first step's factor, without a verdict: the schedule's product gives it
        factor = 1.0 - alpha * lam_max
        relation = "=" if _on(alpha, 2.0 / lam_max) else ">" if alpha > 2.0 / lam_max else "<"
        return (f"α₀ = {number(alpha)} {relation} α_max = 2/λ_max = {number(2.0 / lam_max)}: the first step multiplies "
                f"the error {'along every direction' if _steep(lams) == 'every direction' else 'along the steep direction'}"
                f" by 1 − α₀λ_max = {number(factor)}" + ("" if short else ".") + _scheduled(rates, lams, "gd", short))
    body = _momentum(alpha, lams, mu, optimizer == "nesterov", a, short)
    return body + ("." if short else "") + _scheduled(rates, lams, optimizer, short)
