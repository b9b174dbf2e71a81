"""stability_note: the issue's numbers, the factor 1 − αλ_max against the run itself, and the momentum
limits against runs (gdviz.descend and torch.optim.SGD) just below and just above them."""
import math
import re

import numpy as np
import pytest

import gdviz
from gdviz import stability
from gdviz.stability import momentum_factor, momentum_limit, number, stability_note


def example_data(lr_max=0.336):
    """Centred x = ±s: H = 2·diag(mean(x²), 1), so λ_max = 2s² and α_max = 1/s² = lr_max."""
    s = math.sqrt(1.0 / lr_max)
    return gdviz.Dataset([-s, s, -s, s], [0.0, 1.0, 0.5, 2.0])


def test_the_issues_example_word_for_word():
    data = example_data()
    assert gdviz.curvature(data).lr_max == pytest.approx(0.336, rel=1e-12)
    assert stability_note(data, "gd", 0.5) == (
        "α = 0.5 > α_max = 2/λ_max = 0.336: along the steep direction each step multiplies the error by "
        "1 − αλ_max = −1.98, so it grows.")


def steep_error_ratios(data, lr, steps=6):
    """The run's own error along the steepest eigenvector, step over step (an independent reference:
    the recorded trajectory, not the formula)."""
    c = gdviz.curvature(data)
    w_star, b_star = gdviz.optimum(data)
    run = gdviz.descend(data, optimizer="gd", lr=lr, steps=steps, w0=np.full(data.X.shape[1], 3.0), b0=-2.0)
    errors = np.column_stack([run.w - w_star, run.b - b_star]) @ c.eigenvectors[:, -1]
    return errors[1:] / errors[:-1], c.eigenvalues[-1]


@pytest.mark.parametrize("lr", [0.5, 0.4, 0.34])
def test_the_factor_is_one_minus_alpha_lambda_max_and_the_run_shows_it(lr):
    data = example_data()
    ratios, lam_max = steep_error_ratios(data, lr)
    np.testing.assert_allclose(ratios, 1 - lr * lam_max, rtol=1e-9)
    note = stability_note(data, "gd", lr)
    assert f"1 − αλ_max = {number(1 - lr * lam_max)}, so it grows." in note
    assert number(ratios[0]) in note


def test_below_the_limit_every_direction_has_its_factor_and_sign():
    data = gdviz.synthetic(n=40, seed=3)
    lams = gdviz.curvature(data).eigenvalues
    lr = 1.5 / lams[-1]  # steep factor −0.5: zig-zags; the shallow one shrinks from one side
    note = stability_note(data, "gd", lr)
    assert note.startswith(f"α = {number(lr)} < α_max = 2/λ_max = {number(2 / lams[-1])}: stable.")
    assert f"(λ = {number(lams[-1])}): 1 − αλ = −0.5, negative: it shrinks by that factor each step and zig-zags" in note
    assert f"(λ = {number(lams[0])}): 1 − αλ = {number(1 - lr * lams[0])}, it shrinks by that factor each step, from one side" in note
    ratios, _ = steep_error_ratios(data, lr)
    np.testing.assert_allclose(ratios, -0.5, rtol=1e-8)


def test_the_note_with_many_features_names_the_steepest_and_the_shallowest():
    rng = np.random.default_rng(0)
    data = gdviz.Dataset(rng.normal(size=(50, 4)) * [1, 2, 3, 4], rng.normal(size=50))
    lams = gdviz.curvature(data).eigenvalues
    note = stability_note(data, "gd", 0.5 / lams[-1])
    assert f"steepest (λ = {number(lams[-1])})" in note and f"shallowest (λ = {number(lams[0])})" in note
    assert "lie between" in note


def test_a_flat_direction_is_named():
    note = stability_note(gdviz.Dataset([3.0, 3.0, 3.0], [1.0, 2.0, 4.0]), "gd", 0.05)
    assert "λ = 0): 1 − αλ = 1, it never changes" in note


def test_on_the_limit():
    data = example_data()
    assert "on the limit" in stability_note(data, "gd", gdviz.curvature(data).lr_max)


@pytest.mark.parametrize("optimizer,nesterov", [("momentum", False), ("nesterov", True)])
@pytest.mark.parametrize("mu", [0.9, 0.5])
def test_momentum_limit_against_gdviz_runs(optimizer, nesterov, mu):
    data = gdviz.synthetic(n=30, seed=1)
    lam_max = gdviz.curvature(data).eigenvalues[-1]
    limit = momentum_limit(mu, nesterov=nesterov) / lam_max
    below = gdviz.descend(data, optimizer=optimizer, lr=0.99 * limit, steps=3000, momentum=mu)
    above = gdviz.descend(data, optimizer=optimizer, lr=1.01 * limit, steps=3000, momentum=mu)
    assert below.diverged_at is None and np.isfinite(below.loss).all()
    assert below.loss[-1] == pytest.approx(gdviz.loss(data, *gdviz.optimum(data)), rel=1e-6)
    assert above.diverged_at is not None
    assert ": stable" in stability_note(data, optimizer, 0.99 * limit, momentum=mu)
    assert ": unstable" in stability_note(data, optimizer, 1.01 * limit, momentum=mu)


def test_the_heavy_ball_numbers_are_stated():
    data = example_data()
    lam_max = gdviz.curvature(data).eigenvalues[-1]
    note = stability_note(data, "momentum", 0.5)
    assert f"αλ_max = {number(0.5 * lam_max)} < 2 + 2μ = 3.8: stable" in note
    assert "μ = 0.9" in note


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_limit_against_torch(nesterov):
    """torch.optim.SGD with momentum (dampening 0) on the same quadratic: bounded just below the
    limit, blown up just above."""
    torch = pytest.importorskip("torch")
    data = gdviz.synthetic(n=30, seed=2)
    lam_max = gdviz.curvature(data).eigenvalues[-1]
    limit = momentum_limit(0.9, nesterov=nesterov) / lam_max
    X, y = torch.tensor(data.X), torch.tensor(data.y)

    def final_loss(lr):
        w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w, b], lr=lr, momentum=0.9, nesterov=nesterov)
        for _ in range(1500):
            opt.zero_grad()
            loss = ((X[:, 0] * w + b - y) ** 2).mean()
            loss.backward()
            opt.step()
        return float(((X[:, 0] * w + b - y) ** 2).mean().detach())

    assert final_loss(0.99 * limit) == pytest.approx(gdviz.loss(data, *gdviz.optimum(data)), rel=1e-6)
    assert not final_loss(1.01 * limit) < 1e6


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("x", [0.05, 0.5, 1.0, 1.3, 2.5, 3.7, 3.9])
def test_momentum_factor_is_the_growth_rate_of_the_recursion(nesterov, x):
    """ρ against the one-direction recursion itself (v ← μv + λe; e ← e − α v or − α(λe + μv)),
    iterated: |e_k|^(1/k) tends to ρ."""
    mu, lam = 0.9, 1.0
    e, v, k = 1.0, 0.0, 400
    logs = []
    for _ in range(k):
        v = mu * v + lam * e
        e = e - x * ((lam * e + mu * v) if nesterov else v)
        size = math.hypot(e, v)
        if size == 0:  # a factor 0 (Nesterov at αλ = 1): the error is gone
            break
        logs.append(math.log(size))
        e, v = e / size, v / size  # renormalised: the growth is summed in logs, never overflows
    rate = math.exp(np.mean(logs[k // 2:])) if size else 0.0
    assert rate == pytest.approx(momentum_factor(x, mu, nesterov=nesterov), rel=2e-2)
    assert (momentum_factor(x, mu, nesterov=nesterov) < 1) == (0 < x < momentum_limit(mu, nesterov=nesterov))


@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam"])
def test_adaptive_optimizers_are_told_the_limit_is_plain_descents(optimizer):
    note = stability_note(example_data(), optimizer, 0.5)
    assert "α_max = 2/λ_max = 0.336 is plain gradient descent's only" in note
    assert "each coordinate's step" in note


@pytest.mark.parametrize("lr", [0, -1, float("nan"), float("inf"), "fast", None])
def test_a_learning_rate_that_is_not_positive_is_a_sentence(lr):
    note = stability_note(example_data(), "gd", lr)
    assert note.startswith("The learning rate α must be")


def test_bad_momentum_and_unknown_optimizer():
    assert "momentum μ" in stability_note(example_data(), "momentum", 0.1, momentum=1.5)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        stability_note(example_data(), "lbfgs", 0.1)


def test_l2_adds_to_the_weights_curvature():
    data = example_data()
    l2 = 0.7
    H = gdviz.hessian(data) + np.diag([2 * l2, 0.0])
    lam_max = np.linalg.eigvalsh(H)[-1]
    np.testing.assert_allclose(stability.eigenvalues(data, l2=l2), np.linalg.eigvalsh(H), rtol=1e-12)
    assert f"α_max = 2/λ_max = {number(2 / lam_max)}" in stability_note(data, "gd", 0.01, l2=l2)


@pytest.mark.parametrize("value,text", [(0.33557, "0.336"), (-1.976, "−1.98"), (3.8, "3.8"), (0.0, "0"),
                                        (1.234e-4, "1.23×10⁻⁴"), (2.5e7, "2.5×10⁷"), (100.0, "100")])
def test_number(value, text):
    assert number(value) == text
    assert not re.search(r"\d-", number(value))


def test_ridge_through_curvatures_own_keyword_matches_the_hessian_written_out():
    data = gdviz.synthetic(n=25, seed=4)
    l2 = 0.3
    expected = np.linalg.eigvalsh(gdviz.hessian(data) + np.diag([2 * l2, 0.0]))
    np.testing.assert_allclose(stability.eigenvalues(data, l2=l2), expected, rtol=1e-10)


def test_a_loss_that_is_not_a_quadratic_says_where_its_curvature_was_taken():
    rng = np.random.default_rng(5)
    x = rng.normal(size=60)
    data = gdviz.Dataset(x, (x + 0.5 * rng.normal(size=60) > 0).astype(float))
    c = stability.local_curvature(data, objective="logistic")
    note = stability_note(data, "gd", 0.1, objective="logistic")
    assert c.estimate and note.endswith(c.estimate) and "local" in c.estimate and c.where == "near the optimum"
    # issue 20: α_max is the optimum's local limit (the Hessian there, by its definition), not the start's
    W, b = gdviz.optimum(data, objective="logistic")
    z = W[0] * x + b
    p = 1 / (1 + np.exp(-z))
    A = np.column_stack([x, np.ones_like(x)])
    reference = np.linalg.eigvalsh(A.T @ (A * (p * (1 - p))[:, None]) / len(x))[-1]
    assert c.lr_max == pytest.approx(2 / reference, rel=1e-9)
    assert f"α_max = 2/λ_max = {number(c.lr_max)}" in note


def test_a_saddle_is_never_called_stable():
    note = gdviz.stability_note(gdviz.test_function("saddle"), "gd", 0.1)
    assert "stable:" not in note and "no learning rate is stable" in note
    assert "1 − αλ = 1.2 > 1" in note
    w = gdviz.descend(gdviz.test_function("saddle"), lr=0.1, steps=200, w0=[0.5], b0=0.01).b
    assert abs(w[-1]) > abs(w[0])  # the run slides away along b, as the note says



def test_a_factor_that_barely_shrinks_never_reads_as_one():
    """Raw faithful once read "1 − αλ = 1, it shrinks by that factor … shrinks like 1ᵏ" (issue 24, item 10):
    its shallow factor, from the Hessian (2/m)[X 1]ᵀ[X 1] written out, is 0.99999…, and says so."""
    data = gdviz.data.sample("Old Faithful: eruption length against waiting time")
    design = np.column_stack([data.X, np.ones(data.m)])
    lams = np.linalg.eigvalsh(2.0 / data.m * design.T @ design)
    alpha = 0.9 / lams[-1]
    shallow = 1.0 - alpha * lams[0]
    assert 0.99999 < shallow < 1.0
    why = stability_note(data, "gd", alpha)
    assert "= 1," not in why and " 1ᵏ" not in why, why
    assert f"shrinks like {shallow:.7f}ᵏ" in why, why
    assert f"1 − αλ = {shallow:.7f}, it barely moves" in why, why
