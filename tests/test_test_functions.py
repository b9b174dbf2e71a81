"""The test surfaces: exact gradients and Hessians (against finite differences), their known minima,
runs of every optimizer equal to PyTorch's, and runs that leave the view ending in a sentence."""
import math
import warnings

import numpy as np
import pytest

import gdviz
from gdviz import test_function as surface_named  # (pytest must not collect it by its name)
from gdviz.test_functions import FUNCTIONS

NAMES = list(FUNCTIONS)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_and_hessian_are_the_slopes(name):
    f = surface_named(name)
    w_low, w_high, b_low, b_high = f.box
    rng = np.random.default_rng(1)
    h = 1e-6
    for _ in range(20):
        w, b = rng.uniform(w_low, w_high), rng.uniform(b_low, b_high)
        L = lambda w_, b_: float(f.loss([w_], b_))  # noqa: E731
        gw, gb = f.gradient([w], b)
        scale = 1 + abs(L(w, b))
        assert gw.shape == (1,) and gw[0] == pytest.approx((L(w + h, b) - L(w - h, b)) / (2 * h), rel=1e-6, abs=1e-6 * scale)
        assert float(gb) == pytest.approx((L(w, b + h) - L(w, b - h)) / (2 * h), rel=1e-6, abs=1e-6 * scale)
        H = f.hessian(w, b)
        for j, e in enumerate(np.eye(2) * h):
            plus = np.append(*f.gradient([w + e[0]], b + e[1]))
            minus = np.append(*f.gradient([w - e[0]], b - e[1]))
            np.testing.assert_allclose(H[:, j], (plus - minus) / (2 * h), rtol=1e-6, atol=1e-5)
        # the public functions take the surface in place of a data set
        assert float(gdviz.loss(f, [w], b)) == L(w, b)
        np.testing.assert_array_equal(gdviz.gradient(f, [w], b)[0], gw)


@pytest.mark.parametrize("name", NAMES)
def test_the_known_minima_are_minima(name):
    f = surface_named(name)
    assert f.d == 1 and f.name == name and f.title and f.formula.startswith("L(w, b) = ")
    w_low, w_high, b_low, b_high = f.box
    assert w_low < f.start[0] < w_high and b_low < f.start[1] < b_high
    for w, b in f.minima:
        assert w_low < w < w_high and b_low < b < b_high
        assert float(f.loss([w], b)) == pytest.approx(f.loss_min, abs=1e-24)
        assert np.abs(np.append(*f.gradient([w], b))).max() < 1e-12
        assert (np.linalg.eigvalsh(f.hessian(w, b)) > 0).all()
    for w, b in f.stationary:  # the saddle point: ∇L = 0, one curvature up and one down
        assert np.abs(np.append(*f.gradient([w], b))).max() == 0
        low, high = np.linalg.eigvalsh(f.hessian(w, b))
        assert low < 0 < high
    expected = {"rosenbrock": 1, "himmelblau": 4, "beale": 1, "saddle": 0}[name]
    assert len(f.minima) == expected
    if name == "saddle":
        with pytest.raises(ValueError, match="has no minimum"):
            gdviz.optimum(f)
    else:
        w, b = gdviz.optimum(f)
        assert (float(w[0]), b) == f.minima[0]


def test_himmelblau_minima_match_the_published_digits():
    published = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for (w, b), (pw, pb) in zip(surface_named("himmelblau").minima, published):
        assert abs(w - pw) < 1e-6 and abs(b - pb) < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_loss_surface_is_the_formula_on_the_grid(name):
    f = surface_named(name)
    w_values, b_values = np.linspace(*f.box[:2], 7), np.linspace(*f.box[2:], 5)
    z = gdviz.loss_surface(f, w_values, b_values)
    assert z.shape == (5, 7)
    for j, b in enumerate(b_values):
        for i, w in enumerate(w_values):
            assert z[j, i] == float(f.loss([w], b))


TORCH_RUNS = {  # rates that keep each run inside the view for 60 steps
    "rosenbrock": {"gd": 5e-4, "momentum": 2e-4, "nesterov": 2e-4, "adagrad": 0.2, "rmsprop": 0.01, "adam": 0.05},
    "himmelblau": {"gd": 0.005, "momentum": 0.002, "nesterov": 0.002, "adagrad": 0.5, "rmsprop": 0.05, "adam": 0.1},
    "beale": {"gd": 0.002, "momentum": 0.001, "nesterov": 0.001, "adagrad": 0.2, "rmsprop": 0.01, "adam": 0.05},
    "saddle": {"gd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05},
}


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
@pytest.mark.parametrize("name", NAMES)
def test_every_optimizer_equals_torch_on_every_surface(name, optimizer):
    from test_objectives import torch_path

    f = surface_named(name)
    lr = TORCH_RUNS[name][optimizer]
    for schedule in (None, ("cosine", {"T_max": 30})):
        run = gdviz.descend(f, optimizer=optimizer, lr=lr, steps=60, w0=[f.start[0]], b0=f.start[1], schedule=schedule)
        assert run.objective == name
        # every run stays in view for 60 steps, but on the saddle some leave it first (and stop there)
        assert run.diverged_at is None and run.steps == 60 if name != "saddle" else run.steps >= 25
        theirs = torch_path(f, name, 0.0, optimizer, lr, 60, [f.start[0]], f.start[1], schedule)
        np.testing.assert_allclose(np.column_stack([run.w, run.b]), theirs[:run.steps + 1], rtol=1e-9, atol=1e-12)


def test_a_run_that_leaves_the_saddle_stops_with_a_sentence():
    f = surface_named("saddle")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gdviz.descend(f, lr=0.1, steps=1000, w0=[f.start[0]], b0=f.start[1])
    assert run.diverged_at is not None and run.steps == run.diverged_at - 1
    w_low, w_high, b_low, b_high = f.bounds
    assert (run.b >= b_low).all() and (run.b <= b_high).all() and np.isfinite(run.loss).all()
    assert "left the region where a saddle is followed" in run.note and "no bottom" in run.note
    assert f"at step {run.diverged_at}" in run.note
    # started exactly on the ridge (b = 0) gradient descent walks into the saddle point and stays
    stuck = gdviz.descend(f, lr=0.1, steps=200, w0=[1.5], b0=0.0)
    assert stuck.diverged_at is None and abs(stuck.w[-1, 0]) < 1e-9 and stuck.b[-1] == 0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_an_absurd_learning_rate_ends_in_diverged_at_not_overflow(name, optimizer):
    f = surface_named(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gdviz.descend(f, optimizer=optimizer, lr=1e6, steps=100, w0=[f.start[0]], b0=f.start[1])
        result = gdviz.sweep(f, [1e-6, 1e6], optimizer=optimizer, steps=100, w0=[f.start[0]], b0=f.start[1])
    assert run.diverged_at is not None and np.isfinite(run.loss).all() and np.isfinite(run.w).all()
    assert result.diverged_at[1] >= 0 and np.isfinite(result.final_loss).all()


def test_what_a_surface_does_not_take_is_a_sentence():
    f = surface_named("rosenbrock")
    with pytest.raises(ValueError, match="Rosenbrock's valley is its own loss: it takes no ridge penalty"):
        gdviz.descend(f, lr=0.001, steps=5, l2=0.1)
    with pytest.raises(ValueError, match="takes no objective"):
        gdviz.loss(f, [0.0], 0.0, objective="logistic")
    with pytest.raises(ValueError, match="no rows to draw mini-batches"):
        gdviz.descend(f, lr=0.001, steps=5, batch_size=4)
    with pytest.raises(ValueError, match="The start must lie where the surface is followed"):
        gdviz.descend(f, lr=0.001, steps=5, w0=[100.0], b0=0.0)
    with pytest.raises(ValueError, match="no test surface called 'ackley'"):
        surface_named("ackley")
    with pytest.raises(ValueError, match="W of shape"):
        f.loss([1.0, 2.0], 0.0)


def test_curvature_and_presets_of_a_surface_say_how_they_were_estimated():
    f = surface_named("rosenbrock")
    c = gdviz.curvature(f)
    start = np.linalg.eigvalsh(f.hessian(*f.start))[-1]
    at_minimum = np.linalg.eigvalsh(f.hessian(1.0, 1.0))[-1]
    assert c.eigenvalues[-1] == pytest.approx(max(start, at_minimum), rel=1e-12)
    assert "at the start" in c.estimate and "known minimum" in c.estimate
    presets = gdviz.learning_rate_presets(f)
    assert presets["just right"] == pytest.approx(0.9 / max(start, at_minimum), rel=1e-3)
    assert "same Hessian everywhere" in gdviz.curvature(surface_named("saddle")).estimate
    lr, steps = gdviz.settings_that_fit(surface_named("himmelblau"))
    run = gdviz.descend(surface_named("himmelblau"), lr=lr, steps=steps, w0=[0.0], b0=0.0)
    assert run.loss[-1] <= 0.01 * run.loss[0] and math.isfinite(run.loss[-1])
