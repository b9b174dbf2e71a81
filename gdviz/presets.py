"""Settings chosen from the data's curvature, so that a run tells the story it is meant to tell.

``learning_rate_presets``: four learning rates for plain gradient descent, one per regime, each
defined by αλ_max (α the learning rate, λ_max the largest eigenvalue of the Hessian H):

    along H's eigenvector i the error θ − θ* is multiplied by (1 − αλᵢ) at every step, so
    0 < αλ_max < 1:  every factor lies in (0, 1): each direction shrinks without changing sign (glides)
    1 < αλ_max < 2:  the steepest factor lies in (−1, 0): it flips sign each step and shrinks (zig-zags)
    αλ_max > 2:      the steepest factor is below −1: it flips sign and grows (diverges)

Written through αλ_max, each preset lands in its regime on every data set, however long and thin
the valley. The theory's own two rates stay in ``Curvature``: α_max = 2/λ_max (the limit) and
α_best = 2/(λ_min + λ_max) (the best worst-case rate), which on an ill-conditioned valley is a hair
under α_max, which is why it is not one of the presets.

``settings_that_fit``: the learning rate and the number of steps with which plain gradient descent
reaches the least-squares fit on a data set (what a lecturer wants when showing real data); with
``objective``/``l2``, the optimum of that loss (logistic regression, a ridge penalty, a test surface).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .descent import descend
from .model import curvature, loss, optimum, quadratic
from .stability import local_curvature
from .words import number

STEP_CHOICES = (100, 200, 500, 1000, 2000)
EXACT_FLOOR = 1e-10  # relative to the start's loss: an L* below it is an exact fit (rounding)
GLIDE = 0.9  # αλ_max of a rate that glides: every direction shrinks without a zig-zag (αλ < 1)


class Preset(NamedTuple):
    """One learning-rate preset: α = ``alpha_lambda_max`` / λ_max, what the run does, and one line
    saying so (for a tooltip)."""

    alpha_lambda_max: float  # αλ_max
    regime: str  # what the run does, in one word: "crawls", "glides", "zig-zags", "diverges"
    description: str  # one plain line, e.g. "crawls: αλ_max = 0.02 (...)"


# The four presets by αλ_max, in the order a lecture shows them. The bands they must stay in:
# too small ≤ 0.1, just right in [0.5, 1], oscillating in [1.3, 1.9], diverging in [2.1, 3].
PRESETS: dict[str, Preset] = {
    # every factor 1 − αλᵢ ≥ 0.996: after 100 steps at least 0.996¹⁰⁰ ≈ 67% of every direction is left
    "too small": Preset(0.004, "crawls", "crawls: αλ_max = 0.004, after 100 steps every direction keeps at least "
                                         "two thirds of its error"),
    "just right": Preset(GLIDE, "glides", f"glides: αλ_max = {GLIDE:g}, every direction shrinks and none "
                                          "zig-zags (αλ < 1)"),
    # factor −0.8: the zig-zag halves only every 3 steps, so it stays in sight for a dozen (at 1.6, −0.6,
    # it is gone after five and the slow direction's slide is all one sees)
    "oscillating": Preset(1.8, "zig-zags", "zig-zags: αλ_max = 1.8, the steepest direction flips sign every "
                                           "step (factor −0.8) and still shrinks"),
    "diverging": Preset(2.5, "diverges", "diverges: αλ_max = 2.5, past 2 the steepest direction flips sign "
                                         "and grows 1.5× every step"),
}


def too_small(steps: int) -> float:
    """αλ_max of the "too small" preset over ``steps`` steps: the largest x of two significant digits
    with (1 − x)^steps ≥ 2/3, so every direction keeps at least two thirds of its error (0.004 for 100)."""
    x = 1.0 - (2.0 / 3.0) ** (1.0 / max(int(steps), 1))
    scale = 10.0 ** (np.floor(np.log10(x)) - 1)
    return float(f"{np.floor(x / scale) * scale:.2g}")


def learning_rate_presets(data, *, objective: str = "mse", l2: float = 0.0, steps: int = 100,
                          start=None) -> dict[str, float]:
    """Learning rates for plain gradient descent showing its four regimes on this data, judged over
    ``steps`` steps from ``start`` = (W, b) (see judged_presets): the presets that exist here, by name.

    On the quadratic (mean squared error, with or without a penalty) α = αλ_max / λ_max, to four
    significant digits (a rate to read aloud): "too small" too_small(steps) (0.004 for 100 steps:
    crawls, every direction keeps two thirds of its error), "just right" 0.9 = GLIDE (glides: the rate
    settings_that_fit opens on), "oscillating" 1.8 (zig-zags and converges), "diverging" 2.5 (blows up;
    more when the steps are too few to see it). On data with a flat valley floor λ_max is still the
    largest eigenvalue; the flat directions (λ = 0) never move.

    >>> from gdviz import Dataset
    >>> learning_rate_presets(Dataset([-1.0, 0.0, 1.0], [0.0, 1.0, 1.0]))  # λ_max = 2
    {'too small': 0.002, 'just right': 0.45, 'oscillating': 0.9, 'diverging': 1.25}
    """
    judged = judged_presets(data, objective=objective, l2=l2, steps=steps, start=start)
    return {name: j.lr for name, j in judged.items() if j.lr is not None}


class Judged(NamedTuple):
    """A preset as the class will see it: ``lr`` None when no rate shows the regime here (``sentence``
    then says why); otherwise ``sentence`` says what the run does, from ``evidence`` (the run's numbers)."""

    name: str
    lr: float | None
    sentence: str
    evidence: dict


def _start_of(data, start):
    if start is not None:
        return np.atleast_1d(np.asarray(start[0], dtype=np.float64)), float(start[1])
    if hasattr(data, "minima"):
        return np.array([float(data.start[0])]), float(data.start[1])
    return np.zeros(data.d), 0.0


def _flips(error: np.ndarray, noise: float) -> int:
    """Sign changes of an error series after its first step, ignoring values at the level of rounding."""
    seen = error[1:][np.abs(error[1:]) > noise]
    return int(np.count_nonzero(np.sign(seen[1:]) != np.sign(seen[:-1])))


def _along(run, at, vector) -> tuple[np.ndarray, float]:
    """(θ_k − θ*)·v at every step, and the level of rounding in it."""
    theta = np.column_stack([run.w, run.b])
    star = np.append(np.asarray(at[0], dtype=np.float64).ravel(), float(at[1]))
    error = (theta - star) @ vector
    return error, 1e-9 * (np.abs(star).max() + np.abs(error[0]) + 1e-300)


def _distance(run, at) -> np.ndarray:
    theta = np.column_stack([run.w, run.b])
    return np.linalg.norm(theta - np.append(np.asarray(at[0], dtype=np.float64).ravel(), float(at[1])), axis=1)


def judged_presets(data, *, objective: str = "mse", l2: float = 0.0, steps: int = 100, start=None) -> dict:
    """The four presets as the class will see them over ``steps`` steps of plain gradient descent from
    ``start`` (default: W = 0, b = 0; a test surface's own start): name → Judged.

    too small: after the steps at least two thirds of the distance to the optimum is left; just right:
    no zig-zag along the steep direction (and whether it reaches the fit, said); oscillating: the
    steep direction's error changes sign and the run converges; diverging: it diverges within the
    steps. On the quadratic the rates follow from λ_max (see learning_rate_presets); on the logistic
    loss and a test surface each is tried near the local curvature and kept only if the run does
    what it says, else the preset is absent and the sentence says why. On the saddle the regimes are
    those of w, the direction curving up; b slides away whatever the rate.
    """
    w0, b0 = _start_of(data, start)
    steps = max(int(steps), 1)
    local = local_curvature(data, objective=objective, l2=l2, near=(w0[0], b0) if hasattr(data, "minima") else None)
    quadratic_loss = objective == "mse" and not hasattr(data, "minima")
    saddle = hasattr(data, "minima") and not data.minima
    lam = local.lam_max
    if not lam > 0:
        return {name: Judged(name, None, "This loss does not curve upwards, so its curvature sets no rate.", {})
                for name in PRESETS}
    top = local.eigenvectors[:, -1]
    at = local.at if local.at is not None else ((np.zeros(data.d), 0.0) if not saddle else
                                                (np.array([data.stationary[0][0]]), data.stationary[0][1]))
    steepest = float(curvature(data, objective=objective, l2=l2, w0=w0, b0=b0).eigenvalues[-1]) \
        if not quadratic_loss and not saddle else lam
    least = None
    if not saddle:
        try:
            least = float(loss(data, *optimum(data, objective=objective, l2=l2), objective=objective, l2=l2))
        except ValueError:
            least = None

    def run(lr):
        return descend(data, optimizer="gd", lr=lr, steps=steps, w0=w0, b0=b0, objective=objective, l2=l2)

    def reach(r):
        if least is None:
            return None
        gap = r.loss - least
        hit = np.flatnonzero(gap <= 0.01 * (gap[0] if gap[0] > 0 else 1.0))
        return int(hit[0]) if hit.size else None

    out = {}
    lead = ("On a saddle no rate converges: along b (λ < 0) the path slides away whatever α. Along w "
            f"(λ = {lam:.3g}) it " if saddle else "")
    # too small
    x = too_small(steps)
    for shrink in (1.0, 0.5, 0.25, 0.125):
        lr = _readable(x * shrink / steepest)
        r = run(lr)
        kept = (abs(r.w[-1, 0] - at[0][0]) / abs(w0[0] - at[0][0]) if saddle and w0[0] != at[0][0] else
                float(_distance(r, at)[-1] / max(_distance(r, at)[0], 1e-300)))
        if kept >= 2.0 / 3.0:
            end = f" (its run leaves the region at step {r.diverged_at})" if r.diverged_at is not None else ""
            what = "w" if saddle else "the distance to the optimum"
            out["too small"] = Judged("too small", lr, (lead if saddle else "") +
                                      f"{'crawls' if not saddle else 'crawls'}: α = {lr:g}, after {len(r.loss) - 1} "
                                      f"steps {100 * kept:.0f}% of {what} is left" + end + ".",
                                      dict(lr=lr, steps=steps, kept=kept, left_at=r.diverged_at))
            break
    else:
        out["too small"] = Judged("too small", None, "No small rate tried keeps two thirds of the distance here.", {})
    # just right: the largest rate that glides
    candidates = [GLIDE / steepest * f for f in (1.0, 0.7, 0.5, 0.35, 0.25, 0.1, 0.03, 0.01)]
    for lr in map(_readable, candidates):
        r = run(lr)
        error, noise = _along(r, at, top)
        flips = _flips(error, noise)
        if (r.diverged_at is None or saddle) and flips == 0:
            reached = reach(r)
            if saddle:
                tail = f", while b slides away: the run leaves the region at step {r.diverged_at}" \
                    if r.diverged_at is not None else ", while b slides away"
                sentence = lead + f"glides: α = {lr:g}, w shrinks towards 0 without a zig-zag" + tail + "."
            else:
                tail = (f"; from this start it reaches the fit (the loss within 1% of the way down to its least) "
                        f"at step {reached}" if reached is not None else
                        f"; in {steps} steps it does not reach the fit ({100 * (r.loss[-1] - least) / (r.loss[0] - least):.0f}% "
                        "of the excess loss is left): the valley is too long for this many steps"
                        if least is not None and r.loss[0] > least else "")
                sentence = (f"glides: α = {lr:g}, the steep direction's error shrinks without a zig-zag" + tail + ".")
            out["just right"] = Judged("just right", lr, sentence, dict(lr=lr, steps=steps, reached=reached,
                                                                        left_at=r.diverged_at))
            break
    else:
        out["just right"] = Judged("just right", None, "No rate tried glides from this start without a zig-zag.", {})
    # oscillating
    for ratio in ((1.8,) if quadratic_loss or saddle else (1.8, 1.6, 1.4, 1.9, 1.2, 1.1, 1.05)):
        lr = _readable(ratio / lam)
        r = run(lr)
        error, noise = _along(r, at, top)
        flips = _flips(error, noise)
        settles = r.diverged_at is None and (least is None or r.loss[-1] - least < r.loss[0] - least)
        if flips >= 3 and (settles or saddle):
            factor = 1.0 - lr * lam
            where = f" {local.where}" if local.where else ""
            out["oscillating"] = Judged(
                "oscillating", lr, lead + f"zig-zags: α = {lr:g}, the steep direction's error flips sign "
                f"({flips} times in {len(r.loss) - 1} steps; factor 1 − αλ_max = {number(factor)}{where})"
                + (" and shrinks: the run converges." if not saddle else "."),
                dict(lr=lr, steps=steps, flips=flips))
            break
    else:
        out["oscillating"] = Judged("oscillating", None, f"No rate tried both zig-zags and converges from this start "
                                                         f"in {steps} steps: the curvature along the way is too "
                                                         "different from the optimum's.", {})
    # diverging: the smallest rate tried that blows up within the steps
    for ratio in (2.5, 3.0, 4.0, 6.0, 10.0, 20.0):
        lr = _readable(ratio / lam)
        r = run(lr)
        if r.diverged_at is not None and (saddle or r.diverged_at <= max(0.8 * steps, 1)):
            how = ("leaves the region" if hasattr(data, "minima") else "blows up")
            out["diverging"] = Judged(
                "diverging", lr, lead + f"diverges: α = {lr:g} (αλ_max = {lr * lam:.2g}), the run {how} at step "
                f"{r.diverged_at} of {steps}.", dict(lr=lr, steps=steps, diverged_at=r.diverged_at))
            break
    else:
        why = ("on the logistic loss the gradient is bounded: a large rate wanders, it does not explode"
               if objective == "logistic" else f"no rate up to 20/λ_max blows up within {steps} steps from this start")
        out["diverging"] = Judged("diverging", None, f"No diverging preset here: {why}.", {})
    return out


def _readable(lr: float) -> float:
    """A rate to four significant digits: shown and said aloud as it is used (αλ_max moves < 1e-4)."""
    return float(f"{lr:.4g}")


def settings_that_fit(data, *, within: float = 0.01, w0=None, b0: float = 0.0,
                      step_choices=STEP_CHOICES, objective: str = "mse", l2: float = 0.0) -> tuple[float, int] | None:
    """(learning rate, steps) with which plain gradient descent from (w0, b0) ends within
    ``within`` (relative) of the least loss L* (at least EXACT_FLOOR of the start's loss: an exact fit's L* is
    rounding): α = 0.9/λ_max (to four digits: the "just right"
    preset), and the fewest steps of ``step_choices`` that get there, L_k − L* ≤ within·L*. None if
    even the most steps do not (a long thin valley: standardising the features rounds it).

    ``objective`` and ``l2`` as in gdviz.loss: L* is then the least loss of that objective with that
    penalty (None too when it has no finite optimum, e.g. separated classes without a penalty, or a
    saddle). On the logistic loss and a test surface α = 0.9/λ_max with λ_max from curvature(...) at
    the start (w0, b0) and the optimum.

    >>> from gdviz import Dataset
    >>> settings_that_fit(Dataset([-1.0, 0.0, 1.0], [0.0, 1.0, 1.0]))  # H = 2·diag(2/3, 1): λ_max = 2
    (0.45, 100)
    """
    if objective == "mse" and l2 == 0.0 and not hasattr(data, "minima"):
        largest = float(curvature(data).eigenvalues[-1])
        least = quadratic(data).loss_min
    else:
        start = {} if w0 is None else {"w0": w0, "b0": b0}
        largest = float(curvature(data, objective=objective, l2=l2, **start).eigenvalues[-1])
        try:
            least = float(loss(data, *optimum(data, objective=objective, l2=l2), objective=objective, l2=l2))
        except ValueError:  # no finite optimum: nothing to reach
            return None
        if hasattr(data, "minima") and w0 is None:  # a test surface starts where it suggests
            w0, b0 = [data.start[0]], data.start[1]
    if not largest > 0:
        return None
    lr = _readable(GLIDE / largest)
    run = descend(data, optimizer="gd", lr=lr, steps=max(step_choices), w0=w0, b0=b0, objective=objective, l2=l2)
    # a relative floor, never L* == 0: an exact fit's L* is rounding (4e-31 for y = 2x + 1), so the loss
    # counts as the least once within ``within`` of EXACT_FLOOR of the start's loss
    enough = within * max(least, EXACT_FLOOR * float(run.loss[0]))
    reached = np.flatnonzero(run.loss - least <= enough)
    if run.diverged_at is not None or reached.size == 0:
        return None
    first = int(reached[0])
    return lr, min(choice for choice in step_choices if choice >= first)
