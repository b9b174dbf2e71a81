"""Settings chosen from the data's curvature, so that a run tells the story it is meant to tell.

``settings_that_fit``: the learning rate and the number of steps with which plain gradient descent
reaches the least-squares fit on a data set (what a lecturer wants when showing real data).
"""
from __future__ import annotations

import numpy as np

from .descent import descend
from .model import curvature, quadratic

STEP_CHOICES = (100, 200, 500, 1000, 2000)
GLIDE = 0.9  # αλ_max of a rate that glides: every direction shrinks without a zig-zag (αλ < 1)


def settings_that_fit(data, *, within: float = 0.01, w0=None, b0: float = 0.0,
                      step_choices=STEP_CHOICES) -> tuple[float, int] | None:
    """(learning rate, steps) with which plain gradient descent from (w0, b0) ends within
    ``within`` (relative) of the least loss L*: α = 0.9/λ_max (to four digits), and the fewest steps of
    ``step_choices`` that get there, L_k − L* ≤ within·L*. None if even the most steps do not
    (a long thin valley: standardising the features rounds it).

    >>> from gdviz import Dataset
    >>> settings_that_fit(Dataset([-1.0, 0.0, 1.0], [0.0, 1.0, 1.0]))  # H = 2·diag(2/3, 1): λ_max = 2
    (0.45, 100)
    """
    lr = float(f"{GLIDE / float(curvature(data).eigenvalues[-1]):.4g}")  # four digits: a rate to read aloud
    run = descend(data, optimizer="gd", lr=lr, steps=max(step_choices), w0=w0, b0=b0)
    least = quadratic(data).loss_min
    # an exact fit (L* = 0) counts as reached when the loss has fallen by the same factor from the start
    enough = within * (least if least > 0 else float(run.loss[0]) * 1e-6)
    reached = np.flatnonzero(run.loss - least <= enough)
    if run.diverged_at is not None or reached.size == 0:
        return None
    first = int(reached[0])
    return lr, min(choice for choice in step_choices if choice >= first)
