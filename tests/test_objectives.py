"""Logistic regression and the ridge penalty: the loss, gradient, optimum, curvature and presets
against their definitions (written out in extended precision), finite differences, least squares,
and PyTorch (where installed) for every optimizer's path."""
import math
import warnings

import numpy as np
import pytest

import gdviz
from conftest import EXTENDED, direct_gradient, direct_loss
from gdviz import DataError, Dataset
from gdviz.data import BINARY_SAMPLES, SAMPLES, sample
from gdviz.model import logistic_hessian, logistic
from gdviz.presets import PRESETS, learning_rate_presets, settings_that_fit
from gdviz.schedules import checked

CHALLENGER = "Challenger O-ring damage against launch temperature (0/1, 1986)"


def binary(n=60, d=1, seed=0, offset=0.0, noise=1.0):
    """Overlapping classes: y = 1 with probability σ(x·w + 0.3), so the optimum is finite."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + offset
    z = (X - offset) @ np.linspace(1.0, -0.5, d) * 2.0 / noise + 0.3
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(float)
    return Dataset(X, y, target_name="class")


def direct_logistic_loss(X, y, W, b):
    """−(1/m) Σ [y log p + (1 − y) log(1 − p)], p = 1/(1 + e^(−z)), in extended precision."""
    X, y, W = (np.asarray(v, dtype=EXTENDED) for v in (X, y, W))
    z = X @ W + EXTENDED(b)
    p = 1 / (1 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def direct_logistic_gradient(X, y, W, b):
    X, y, W = (np.asarray(v, dtype=EXTENDED) for v in (X, y, W))
    r = 1 / (1 + np.exp(-(X @ W + EXTENDED(b)))) - y
    return (X.T @ r / len(y)).astype(np.float64), float(r.mean())


# ---- the logistic loss and its gradient ----

@pytest.mark.parametrize("d", [1, 3])
def test_logistic_loss_and_gradient_are_the_definition(d):
    data = binary(n=50, d=d, seed=d)
    rng = np.random.default_rng(7)
    for _ in range(5):
        W, b = rng.normal(size=d), float(rng.normal())
        assert gdviz.loss(data, W, b, objective="logistic") == pytest.approx(
            direct_logistic_loss(data.X, data.y, W, b), rel=1e-13)
        gw, gb = gdviz.gradient(data, W, b, objective="logistic")
        ew, eb = direct_logistic_gradient(data.X, data.y, W, b)
        np.testing.assert_allclose(gw, ew, rtol=1e-12, atol=1e-15)
        assert gb == pytest.approx(eb, rel=1e-12, abs=1e-15)


def test_logistic_gradient_is_the_slope_of_the_loss():
    data = binary(n=40, d=2, seed=5)
    W, b, h = np.array([0.4, -0.7]), 0.2, 1e-6
    gw, gb = gdviz.gradient(data, W, b, objective="logistic", l2=0.3)
    f = lambda W_, b_: float(gdviz.loss(data, W_, b_, objective="logistic", l2=0.3))  # noqa: E731
    for i in range(2):
        e = np.eye(2)[i] * h
        assert gw[i] == pytest.approx((f(W + e, b) - f(W - e, b)) / (2 * h), rel=1e-7)
    assert gb == pytest.approx((f(W, b + h) - f(W, b - h)) / (2 * h), rel=1e-7)


def test_any_logit_is_finite_exact_and_silent():
    data = Dataset([-1.0, 0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for w in (1e3, 1e10, 1e300, -1e300):
            value = float(gdviz.loss(data, [w], 0.0, objective="logistic"))
            gw, gb = gdviz.gradient(data, [w], 0.0, objective="logistic")
            assert math.isfinite(value) and np.isfinite(gw).all() and math.isfinite(gb)
        # each example's loss is softplus(±z): z = (−1e10, 0, 1e10, 2e10) cost 0, log 2, 0 and 2e10
        assert float(gdviz.loss(data, [1e10], 0.0, objective="logistic")) == pytest.approx((2e10 + math.log(2)) / 4,
                                                                                          rel=1e-15)
        # p − y keeps its digits where p rounds to 1: 1 − σ(40) = σ(−40) ≈ 4.25e-18, not 0
        gw, gb = gdviz.gradient(Dataset([1.0, 1.0], [1.0, 1.0]), [20.0], 20.0, objective="logistic")
        assert gb == pytest.approx(-1 / (1 + math.exp(40)), rel=1e-14)


def test_a_target_that_is_not_zero_or_one_is_a_sentence_naming_column_and_row():
    data = Dataset([1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.5, 2.0], target_name="damage")
    for call in (lambda: gdviz.loss(data, [0.0], 0.0, objective="logistic"),
                 lambda: gdviz.descend(data, lr=0.1, steps=3, objective="logistic"),
                 lambda: gdviz.loss_surface(data, [0.0], [0.0], objective="logistic")):
        with pytest.raises(DataError) as caught:
            call()
        message = str(caught.value)
        assert "'damage'" in message and "0.5" in message and "row 3" in message and "0s and 1s" in message


def test_an_unknown_objective_and_a_bad_penalty_are_sentences():
    data = gdviz.synthetic(n=10)
    with pytest.raises(ValueError, match="Unknown objective 'hinge'"):
        gdviz.loss(data, [0.0], 0.0, objective="hinge")
    for bad in (-0.1, float("nan"), float("inf"), "a lot"):
        with pytest.raises(ValueError, match="ridge penalty λ must be"):
            gdviz.descend(data, lr=0.1, steps=2, l2=bad)
    with pytest.raises(ValueError, match="needs the data rows"):
        gdviz.loss(gdviz.model.quadratic(data), [0.0], 0.0, objective="logistic")


# ---- the ridge penalty on the MSE ----

def test_the_penalty_adds_lambda_w_squared_and_leaves_the_bias_alone(data):
    rng = np.random.default_rng(3)
    W, b, lam = rng.normal(size=data.d), float(rng.normal()), 0.37
    assert gdviz.loss(data, W, b, l2=lam) == pytest.approx(direct_loss(data.X, data.y, W, b) + lam * W @ W, rel=1e-9)
    gw, gb = gdviz.gradient(data, W, b, l2=lam)
    ew, eb = direct_gradient(data.X, data.y, W, b)
    np.testing.assert_allclose(gw, ew + 2 * lam * W, rtol=1e-8, atol=1e-8)
    assert gb == pytest.approx(eb, rel=1e-8, abs=1e-8)
    assert gdviz.loss(data, W, b, l2=0.0) == gdviz.loss(data, W, b)  # the default, to the bit


def test_ridge_optimum_is_the_penalised_least_squares_solution(data):
    lam = 0.5
    w, b = gdviz.optimum(data, l2=lam)
    # minimise (1/m)‖Xw + b − y‖² + λ‖w‖²: least squares on rows stacked with √(mλ)·I (the bias free)
    m, d = data.X.shape
    A = np.vstack([np.column_stack([data.X, np.ones(m)]), np.column_stack([math.sqrt(m * lam) * np.eye(d), np.zeros(d)])])
    expected = np.linalg.lstsq(A, np.concatenate([data.y, np.zeros(d)]), rcond=None)[0]
    np.testing.assert_allclose(np.append(w, b), expected, rtol=1e-7, atol=1e-9)
    gw, gb = gdviz.gradient(data, w, b, l2=lam)
    scale = np.abs(np.append(*gdviz.gradient(data, np.zeros(data.d), 0.0, l2=lam))).max()
    assert np.abs(np.append(gw, gb)).max() < 1e-10 * scale  # zero up to the rounding of the gradient itself
    assert gdviz.loss(data, w, b, l2=lam) <= gdviz.loss(data, *gdviz.optimum(data), l2=lam)
    assert np.linalg.norm(w) < np.linalg.norm(gdviz.optimum(data)[0])  # the penalty shrinks W


def test_ridge_curvature_adds_two_lambda_on_the_weights(data):
    lam = 0.8
    A = np.column_stack([data.X, np.ones(data.m)])
    H = 2.0 / data.m * A.T @ A + np.diag([2 * lam] * data.d + [0.0])
    c = gdviz.curvature(data, l2=lam)
    np.testing.assert_allclose(c.eigenvalues, np.linalg.eigvalsh(H), rtol=1e-7)
    np.testing.assert_allclose(gdviz.hessian(data, l2=lam), H, rtol=1e-9, atol=1e-9)
    assert c.lr_max == pytest.approx(2 / np.linalg.eigvalsh(H)[-1], rel=1e-9) and c.estimate == ""
    presets = learning_rate_presets(data, l2=lam)
    assert presets["just right"] == pytest.approx(PRESETS["just right"].alpha_lambda_max / np.linalg.eigvalsh(H)[-1],
                                                  rel=1e-3)


def test_a_penalty_rounds_a_flat_valley_floor():
    data = Dataset([3.0, 3.0, 3.0], [1.0, 2.0, 4.0])  # one value of x: the slope is not determined
    assert gdviz.curvature(data).condition_number == math.inf
    c = gdviz.curvature(data, l2=1.0)
    assert c.eigenvalues[0] > 0 and math.isfinite(c.condition_number)
    w, b = gdviz.optimum(data, l2=1.0)
    assert abs(float(gdviz.gradient(data, w, b, l2=1.0)[0][0])) < 1e-12


# ---- the logistic optimum, curvature and presets ----

def test_challenger_sample_is_binary_and_its_logistic_fit_is_the_published_one():
    assert CHALLENGER in SAMPLES and CHALLENGER in BINARY_SAMPLES and BINARY_SAMPLES <= set(SAMPLES)
    data = sample(CHALLENGER)
    assert data.m == 23 and set(data.y) == {0.0, 1.0} and data.y.sum() == 7
    assert data.feature_names == ("launch_temp_F",) and data.target_name == "o_ring_damage"
    w, b = gdviz.optimum(data, objective="logistic")
    assert round(b, 4) == 15.0429 and round(float(w[0]), 4) == -0.2322  # Dalal et al. (1989), the binary fit
    gw, gb = gdviz.gradient(data, w, b, objective="logistic")
    assert np.abs(gw).max() < 1e-12 and abs(gb) < 1e-13
    # linear regression on it still works (every sample is a regression sample too)
    assert settings_that_fit(data.standardized()) is not None


@pytest.mark.parametrize("lam", [0.0, 0.05])
def test_logistic_optimum_is_where_the_gradient_vanishes(lam):
    data = binary(n=80, d=2, seed=11)
    w, b = gdviz.optimum(data, objective="logistic", l2=lam)
    gw, gb = gdviz.gradient(data, w, b, objective="logistic", l2=lam)
    assert np.abs(gw).max() < 1e-12 and abs(gb) < 1e-12
    value = gdviz.loss(data, w, b, objective="logistic", l2=lam)
    rng = np.random.default_rng(0)
    for _ in range(20):  # convex: every other point is higher
        assert gdviz.loss(data, w + 0.01 * rng.normal(size=2), b + 0.01 * rng.normal(), objective="logistic",
                          l2=lam) > value


def test_separated_classes_have_no_optimum_and_say_so():
    separated = Dataset([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 1.0, 1.0], target_name="passed")
    touching = Dataset([1.0, 2.0, 2.0, 4.0], [0.0, 0.0, 1.0, 1.0], target_name="passed")
    for data in (separated, touching):
        with pytest.raises(DataError, match="separates the two classes of 'passed'.*no finite optimum.*ridge penalty"):
            gdviz.optimum(data, objective="logistic")
        w, b = gdviz.optimum(data, objective="logistic", l2=0.1)  # a penalty gives one
        assert np.abs(gdviz.gradient(data, w, b, objective="logistic", l2=0.1)[0]).max() < 1e-12
        c = gdviz.curvature(data, objective="logistic")  # the start alone
        assert "no finite optimum" in c.estimate and math.isfinite(c.lr_max)
        assert settings_that_fit(data, objective="logistic") is None
    with pytest.raises(DataError, match="holds only 1s"):
        gdviz.optimum(Dataset([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]), objective="logistic", l2=1.0)


def test_logistic_hessian_is_the_slope_of_the_gradient():
    data = binary(n=40, d=2, seed=2)
    W, b, h, lam = np.array([0.3, -0.2]), 0.1, 1e-6, 0.2
    H = gdviz.hessian(data, objective="logistic", l2=lam, at=(W, b))
    theta = np.append(W, b)
    for j in range(3):
        e = np.eye(3)[j] * h
        plus = np.append(*gdviz.gradient(data, (theta + e)[:2], (theta + e)[2], objective="logistic", l2=lam))
        minus = np.append(*gdviz.gradient(data, (theta - e)[:2], (theta - e)[2], objective="logistic", l2=lam))
        np.testing.assert_allclose(H[:, j], (plus - minus) / (2 * h), rtol=1e-6, atol=1e-9)


def test_logistic_curvature_takes_the_larger_of_start_and_optimum():
    data = sample(CHALLENGER).standardized()
    c = gdviz.curvature(data, objective="logistic")
    start = np.linalg.eigvalsh(logistic_hessian(logistic(data), [0.0], 0.0))[-1]
    at_optimum = np.linalg.eigvalsh(logistic_hessian(logistic(data), *gdviz.optimum(data, objective="logistic")))[-1]
    assert c.eigenvalues[-1] == pytest.approx(max(start, at_optimum), rel=1e-12)
    assert c.lr_max == pytest.approx(2 / max(start, at_optimum), rel=1e-12)
    assert "at the start" in c.estimate and "at the optimum" in c.estimate and "not a quadratic" in c.estimate
    # from W = 0, b = 0 (p = ½) the start's Hessian is ¼ of the MSE's /2: the largest anywhere
    A = np.column_stack([data.X, np.ones(data.m)])
    assert start == pytest.approx(np.linalg.eigvalsh(A.T @ A / data.m / 4)[-1], rel=1e-12) and start >= at_optimum
    presets = learning_rate_presets(data, objective="logistic")
    assert presets["just right"] == pytest.approx(0.9 / c.eigenvalues[-1], rel=1e-3)
    lr, steps = settings_that_fit(data, objective="logistic")
    run = gdviz.descend(data, lr=lr, steps=steps, objective="logistic")
    least = gdviz.loss(data, *gdviz.optimum(data, objective="logistic"), objective="logistic")
    assert run.loss[-1] - least <= 0.01 * least and run.objective == "logistic"
    # no "diverging" preset on the logistic loss: its gradient is bounded, so even 10x α_max wanders
    # and never blows up (issue 20: a preset is what the class will see, or absent)
    assert "diverging" not in presets
    boom = gdviz.descend(data, lr=10 * c.lr_max, steps=200, objective="logistic")
    assert np.isfinite(boom.loss).all() and boom.diverged_at is None


def test_example_gradients_of_logistic_regression_average_to_the_gradient():
    data = binary(n=30, d=2, seed=8)
    W, b, lam = np.array([0.5, -1.0]), 0.25, 0.1
    Gw, gb = gdviz.example_gradients(data, W, b, objective="logistic", l2=lam)
    p = 1 / (1 + np.exp(-(data.X @ W + b)))
    np.testing.assert_allclose(gb, p - data.y, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(Gw, (p - data.y)[:, None] * data.X + 2 * lam * W, rtol=1e-12, atol=1e-15)
    gw, g_b = gdviz.gradient(data, W, b, objective="logistic", l2=lam)
    np.testing.assert_allclose(Gw.mean(axis=0), gw, rtol=1e-12)
    assert gb.mean() == pytest.approx(g_b, rel=1e-12)
    mse = gdviz.example_gradients(data, W, b, l2=lam)[0].mean(axis=0)
    np.testing.assert_allclose(mse, gdviz.gradient(data, W, b, l2=lam)[0], rtol=1e-10)


@pytest.mark.parametrize("objective, lam", [("mse", 0.3), ("logistic", 0.0), ("logistic", 0.4)])
def test_loss_surface_is_the_loss_at_each_grid_point(objective, lam):
    data = binary(n=30, d=2, seed=1)
    w_values, b_values = np.linspace(-2, 2, 5), np.linspace(-1, 1, 4)
    weights = np.array([0.3, -0.4])
    z = gdviz.loss_surface(data, w_values, b_values, feature=1, weights=weights, objective=objective, l2=lam)
    for j, b in enumerate(b_values):
        for i, w in enumerate(w_values):
            W = weights.copy()
            W[1] = w
            assert z[j, i] == pytest.approx(float(gdviz.loss(data, W, b, objective=objective, l2=lam)), rel=1e-12)
    default = gdviz.loss_surface(data, [0.0], [0.0], objective=objective, l2=lam)  # others at that optimum
    W = gdviz.optimum(data, objective=objective, l2=lam)[0]
    W[0] = 0.0
    assert default[0, 0] == pytest.approx(float(gdviz.loss(data, W, 0.0, objective=objective, l2=lam)), rel=1e-12)


def test_the_loss_surface_of_many_rows_is_computed_in_pieces():
    data = binary(n=3000, d=1, seed=3)
    w_values, b_values = np.linspace(-3, 3, 40), np.linspace(-2, 2, 30)
    z = gdviz.loss_surface(data, w_values, b_values, objective="logistic")
    assert z.shape == (30, 40)
    assert z[7, 11] == pytest.approx(direct_logistic_loss(data.X, data.y, [w_values[11]], b_values[7]), rel=1e-12)


# ---- runs: every optimizer on every objective equals PyTorch ----

TORCH_RUNS = {"gd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1}
TORCH_FUNCTIONS = {
    "rosenbrock": lambda w, b: (1 - w) ** 2 + 100 * (b - w ** 2) ** 2,
    "himmelblau": lambda w, b: (w ** 2 + b - 11) ** 2 + (w + b ** 2 - 7) ** 2,
    "beale": lambda w, b: (1.5 - w + w * b) ** 2 + (2.25 - w + w * b ** 2) ** 2 + (2.625 - w + w * b ** 3) ** 2,
    "saddle": lambda w, b: w ** 2 - b ** 2,
}


def torch_path(data, objective, l2, name, lr, steps, w0, b0, schedule=None, **hyper):
    """(steps+1, d+1): torch.optim's path on the same loss (built in torch), its scheduler stepped per update."""
    torch = pytest.importorskip("torch")
    W = torch.tensor(np.asarray(w0, dtype=np.float64), requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    if objective in TORCH_FUNCTIONS:
        def loss():
            return TORCH_FUNCTIONS[objective](W[0], b)
    else:
        X = torch.tensor(data.X, dtype=torch.float64)
        y = torch.tensor(data.y, dtype=torch.float64)

        def loss():
            z = X @ W + b
            value = (torch.nn.functional.binary_cross_entropy_with_logits(z, y) if objective == "logistic"
                     else ((z - y) ** 2).mean())
            return value + l2 * (W ** 2).sum()
    opt = {
        "gd": lambda p: torch.optim.SGD(p, lr=lr),
        "momentum": lambda p: torch.optim.SGD(p, lr=lr, momentum=hyper.get("momentum", 0.9)),
        "nesterov": lambda p: torch.optim.SGD(p, lr=lr, momentum=hyper.get("momentum", 0.9), nesterov=True),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=lr),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=lr),
        "adam": lambda p: torch.optim.Adam(p, lr=lr),
    }[name]([W, b])
    scheduler = None
    if schedule is not None:
        kind, params = checked(schedule)
        scheduler = {"step": torch.optim.lr_scheduler.StepLR, "exponential": torch.optim.lr_scheduler.ExponentialLR,
                     "cosine": torch.optim.lr_scheduler.CosineAnnealingLR}[kind](opt, **params)
    path = [np.append(W.detach().numpy(), float(b.detach()))]
    for _ in range(steps):
        opt.zero_grad()
        loss().backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        path.append(np.append(W.detach().numpy(), float(b.detach())))
    return np.array(path)


@pytest.mark.parametrize("objective, lam, schedule", [
    ("logistic", 0.0, None), ("logistic", 0.1, None), ("logistic", 0.05, ("cosine", {"T_max": 20, "eta_min": 0.01})),
    ("mse", 0.2, None), ("mse", 0.2, ("exponential", {"gamma": 0.95})),
])
@pytest.mark.parametrize("name", TORCH_RUNS)
def test_every_optimizer_equals_torch_on_every_objective(name, objective, lam, schedule):
    data = binary(n=50, d=2, seed=4) if objective == "logistic" else gdviz.synthetic(n=40, weights=[1.5, -0.5], seed=3)
    lr = TORCH_RUNS[name] * (0.1 if objective == "mse" and name in ("gd", "momentum", "nesterov") else 1.0)
    run = gdviz.descend(data, optimizer=name, lr=lr, steps=40, w0=[0.5, -1.0], b0=0.3, objective=objective, l2=lam,
                        schedule=schedule)
    assert run.diverged_at is None and run.settings["objective"] == objective and run.settings["l2"] == lam
    theirs = torch_path(data, objective, lam, name, lr, 40, [0.5, -1.0], 0.3, schedule)
    np.testing.assert_allclose(np.column_stack([run.w, run.b]), theirs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run.loss, [float(gdviz.loss(data, w, b, objective=objective, l2=lam))
                                          for w, b in zip(run.w, run.b)], rtol=1e-13)


def test_logistic_regression_on_the_raw_challenger_rows_equals_torch():
    data = sample(CHALLENGER)  # temperatures near 70: a long thin valley
    lr = gdviz.learning_rate_presets(data, objective="logistic")["just right"]
    run = gdviz.descend(data, optimizer="gd", lr=lr, steps=200, objective="logistic")
    np.testing.assert_allclose(np.column_stack([run.w, run.b]),
                               torch_path(data, "logistic", 0.0, "gd", lr, 200, [0.0], 0.0), rtol=1e-9, atol=1e-12)
    assert run.diverged_at is None and run.loss[-1] < run.loss[0]


def test_logistic_mini_batches_use_the_rows_gradient():
    data = binary(n=40, d=2, seed=6)
    run = gdviz.descend(data, lr=0.3, steps=12, batch_size=8, seed=2, objective="logistic", l2=0.1)
    rng = np.random.default_rng(2)
    order = rng.permutation(40)
    rows = order[:8]
    gw, gb = direct_logistic_gradient(data.X[rows], data.y[rows], run.w[0], run.b[0])
    np.testing.assert_allclose(run.used_grad_w[0], gw + 0.2 * run.w[0], rtol=1e-12, atol=1e-15)
    assert run.used_grad_b[0] == pytest.approx(gb, rel=1e-12)


def test_sweep_on_the_logistic_loss_ends_as_descend():
    data = binary(n=50, d=1, seed=9)
    lrs = [0.1, 1.0, 10.0]
    result = gdviz.sweep(data, lrs, steps=50, objective="logistic", l2=0.01)
    for i, lr in enumerate(lrs):
        run = gdviz.descend(data, lr=lr, steps=50, objective="logistic", l2=0.01)
        assert result.final_loss[i] == pytest.approx(run.loss[-1], rel=1e-12)
        assert result.diverged_at[i] == (-1 if run.diverged_at is None else run.diverged_at)


def test_a_penalised_run_with_a_rate_past_its_limit_diverges_without_warnings():
    data = binary(n=30, d=1, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gdviz.descend(data, lr=50.0, steps=500, objective="logistic", l2=1.0)  # 1 − 2αλ = −99
    assert run.diverged_at is not None and np.isfinite(run.loss).all() and np.isfinite(run.w).all()


def test_existing_calls_are_unchanged():
    data = gdviz.synthetic(n=30, seed=5, x_offset=3.0)
    plain = gdviz.descend(data, optimizer="adam", lr=0.1, steps=50)
    explicit = gdviz.descend(data, optimizer="adam", lr=0.1, steps=50, objective="mse", l2=0.0, schedule=None)
    np.testing.assert_array_equal(plain.w, explicit.w)
    np.testing.assert_array_equal(plain.loss, explicit.loss)
    assert plain.objective == "mse" and plain.settings["l2"] == 0.0 and plain.note == ""
    np.testing.assert_array_equal(gdviz.optimum(data)[0], gdviz.optimum(data, objective="mse", l2=0.0)[0])
    assert gdviz.curvature(data).lr_max == gdviz.curvature(data, l2=0.0).lr_max
