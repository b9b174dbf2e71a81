"""Settings chosen from the curvature: real data opens on a run that reaches the least-squares fit."""
import numpy as np
import pytest

import gdviz
from gdviz.data import SAMPLES, sample
from gdviz.presets import settings_that_fit


@pytest.mark.parametrize("title", list(SAMPLES))
def test_every_sample_set_reaches_its_fit_raw_or_standardised(title):
    data = sample(title)
    fit = settings_that_fit(data)
    if fit is None:
        data = data.standardized()
        fit = settings_that_fit(data)
    lr, steps = fit
    run = gdviz.descend(data, lr=lr, steps=steps, w0=np.zeros(data.d), b0=0.0)
    least = gdviz.loss(data, *gdviz.optimum(data))
    assert run.diverged_at is None and run.loss[-1] - least <= 0.01 * least
    assert 0.5 <= lr * gdviz.curvature(data).eigenvalues[-1] <= 1.0  # it glides: no zig-zag


def test_a_valley_too_long_for_the_step_budget_says_none():
    data = gdviz.synthetic(n=50, noise=1.0, seed=0, x_offset=40.0)
    assert settings_that_fit(data) is None
    assert settings_that_fit(data.standardized()) is not None


def test_the_fewest_steps_that_get_there_are_chosen():
    data = gdviz.synthetic(n=50, noise=1.0, seed=0)
    lr, steps = settings_that_fit(data, step_choices=(5, 10, 20, 50, 100, 2000))
    least = gdviz.loss(data, *gdviz.optimum(data))
    run = gdviz.descend(data, lr=lr, steps=steps)
    shorter = gdviz.descend(data, lr=lr, steps=max(s for s in (5, 10, 20, 50, 100) if s < steps) if steps > 5 else 1)
    assert run.loss[-1] - least <= 0.01 * least < shorter.loss[-1] - least
