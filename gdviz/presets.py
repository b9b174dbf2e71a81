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

STEP_CHOICES = (100, 200, 500, 1000, 2000)
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
    # every factor 1 − αλᵢ ≥ 0.98: after 100 steps at least 0.98¹⁰⁰ ≈ 13% of every direction is left
    "too small": Preset(0.02, "crawls", "crawls: αλ_max = 0.02, no direction shrinks by more than 2% a step"),
    "just right": Preset(GLIDE, "glides", f"glides: αλ_max = {GLIDE:g}, every direction shrinks and none "
                                          "zig-zags (αλ < 1)"),
    # factor −0.8: the zig-zag halves only every 3 steps, so it stays in sight for a dozen (at 1.6, −0.6,
    # it is gone after five and the slow direction's slide is all one sees)
    "oscillating": Preset(1.8, "zig-zags", "zig-zags: αλ_max = 1.8, the steepest direction flips sign every "
                                           "step (factor −0.8) and still shrinks"),
    "diverging": Preset(2.5, "diverges", "diverges: αλ_max = 2.5, past 2 the steepest direction flips sign "
                                         "and grows 1.5× every step"),
}


def learning_rate_presets(data, *, objective: str = "mse", l2: float = 0.0) -> dict[str, float]:
    """Learning rates for plain gradient descent showing its four regimes on this data:
    α = PRESETS[name].alpha_lambda_max / λ_max, to four significant digits (a rate to read aloud).

    "too small" αλ_max = 0.02 (crawls), "just right" 0.9 = GLIDE (glides: the rate settings_that_fit
    opens on), "oscillating" 1.8 (zig-zags and converges), "diverging" 2.5 (blows up). On data with a
    flat valley floor λ_max is still the largest eigenvalue; the flat directions (λ = 0) never move.

    ``objective`` and ``l2`` as in gdviz.loss: the penalty adds 2λ to every weight's curvature. On the
    logistic loss and a test surface the Hessian changes from point to point: λ_max is the larger of
    the start's and the optimum's (curvature(...).estimate says which numbers), so the regimes hold
    near both and are a guide in between.

    >>> from gdviz import Dataset
    >>> learning_rate_presets(Dataset([-1.0, 0.0, 1.0], [0.0, 1.0, 1.0]))  # λ_max = 2
    {'too small': 0.01, 'just right': 0.45, 'oscillating': 0.9, 'diverging': 1.25}
    """
    largest = float(curvature(data, objective=objective, l2=l2).eigenvalues[-1])
    return {name: _readable(preset.alpha_lambda_max / largest) for name, preset in PRESETS.items()}


def _readable(lr: float) -> float:
    """A rate to four significant digits: shown and said aloud as it is used (αλ_max moves < 1e-4)."""
    return float(f"{lr:.4g}")


def settings_that_fit(data, *, within: float = 0.01, w0=None, b0: float = 0.0,
                      step_choices=STEP_CHOICES, objective: str = "mse", l2: float = 0.0) -> tuple[float, int] | None:
    """(learning rate, steps) with which plain gradient descent from (w0, b0) ends within
    ``within`` (relative) of the least loss L*: α = 0.9/λ_max (to four digits: the "just right"
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
    # an exact fit (L* = 0) counts as reached when the loss has fallen by the same factor from the start
    enough = within * (least if least > 0 else float(run.loss[0]) * 1e-6)
    reached = np.flatnonzero(run.loss - least <= enough)
    if run.diverged_at is not None or reached.size == 0:
        return None
    first = int(reached[0])
    return lr, min(choice for choice in step_choices if choice >= first)
