import io
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from conftest import direct_gradient, direct_loss
from gdviz import OPTIMIZERS, Dataset, descend, hessian, optimum, sweep, synthetic
from gdviz.data import LARGEST


def lr_max(data):
    return 2.0 / np.linalg.eigvalsh(hessian(data)).max()


def test_rows_are_the_start_then_one_per_update(data):
    run = descend(data, lr=0.5 * lr_max(data), steps=25, w0=np.ones(data.d), b0=-2.0)
    assert run.w.shape == (26, data.d) and run.b.shape == run.loss.shape == run.grad_b.shape == (26,)
    assert run.grad_w.shape == (26, data.d)
    assert run.used_grad_w.shape == (25, data.d) and run.used_grad_b.shape == (25,)
    assert run.w[0].tolist() == [1.0] * data.d and run.b[0] == -2.0 and run.steps == 25
    for t in (0, 7, 25):
        assert run.loss[t] == pytest.approx(direct_loss(data.X, data.y, run.w[t], run.b[t]), rel=1e-9)
        ref_w, ref_b = direct_gradient(data.X, data.y, run.w[t], run.b[t])
        # Deep in a thin valley the gradient is a small difference of large terms: judge it against
        # the gradient's scale over the run, since float64 inputs themselves carry that much doubt.
        scale = max(np.abs(run.grad_w).max(), np.abs(run.grad_b).max())
        np.testing.assert_allclose(run.grad_w[t], ref_w, rtol=1e-8, atol=1e-9 * scale)
        assert run.grad_b[t] == pytest.approx(ref_b, rel=1e-8, abs=1e-9 * scale)


def test_plain_gradient_descent_is_the_lecture_update_rule(data):
    lr = 0.3 * lr_max(data)
    run = descend(data, lr=lr, steps=30)
    W, b = np.zeros(data.d), 0.0
    for t in range(30):
        grad_w, grad_b = direct_gradient(data.X, data.y, W, b)
        W, b = W - lr * grad_w, b - lr * grad_b  # W ← W − α ∂L/∂W, b ← b − α ∂L/∂b
        scale = max(np.abs(W).max(), abs(b), 1.0)
        np.testing.assert_allclose(run.w[t + 1], W, rtol=1e-8, atol=1e-10 * scale)
        assert run.b[t + 1] == pytest.approx(b, rel=1e-8, abs=1e-10 * scale)
    np.testing.assert_array_equal(run.used_grad_w, run.grad_w[:-1])  # full batch: the update used ∇L
    np.testing.assert_allclose(run.update_w, -lr * run.grad_w[:-1], rtol=1e-9, atol=1e-12 * np.abs(run.w).max())


def test_a_good_learning_rate_converges_to_least_squares(data):
    if data.X.mean() > 1000:
        pytest.skip("a valley of condition number 1e8 needs about 1e8 steps")
    run = descend(data, lr=2.0 / (np.linalg.eigvalsh(hessian(data)).sum()), steps=200_000, tol=1e-10)
    w_star, b_star = optimum(data)
    assert run.converged_at is not None and run.diverged_at is None
    assert run.converged_at == run.steps
    np.testing.assert_allclose(run.w[-1], w_star, rtol=1e-6, atol=1e-6)
    assert run.grad_norm[-1] < 1e-10 <= run.grad_norm[-2]


def test_divergence_stops_the_run_and_keeps_only_finite_rows(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning may escape
        run = descend(data, lr=2.5 * lr_max(data), steps=5000)
    assert run.diverged_at is not None and run.diverged_at == run.steps + 1
    for values in (run.w, run.b, run.loss, run.grad_w, run.grad_b, run.used_grad_w, run.used_grad_b):
        assert np.isfinite(values).all()
    assert run.loss[-1] > run.loss[0]


@pytest.mark.parametrize("lr", [1e3, 1e30, 1e300, 1.7e308])
def test_absurd_learning_rates_end_cleanly(lr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = descend(synthetic(seed=2), lr=lr, steps=100, optimizer="gd")
    assert run.diverged_at is not None and np.isfinite(run.loss).all() and run.steps < 100


def test_no_false_alarm_at_a_small_learning_rate(data):
    for name in ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"):
        run = descend(data, optimizer=name, lr=min(1e-4, 0.05 * lr_max(data)), steps=2000)
        assert run.diverged_at is None and run.steps == 2000
        assert run.loss[-1] <= run.loss[0]


def test_just_under_the_stability_limit_converges_and_just_over_diverges(data):
    under = descend(data, lr=0.98 * lr_max(data), steps=20_000)
    over = descend(data, lr=1.02 * lr_max(data), steps=20_000)
    assert under.diverged_at is None and under.loss[-1] < under.loss[0]
    assert over.diverged_at is not None


def test_far_from_zero_features_descend_exactly():
    rng = np.random.default_rng(9)
    x = 10_000 + rng.uniform(-1, 1, 300)
    data = Dataset(x, 0.5 * x - 4000 + rng.normal(size=300))
    run = descend(data, lr=0.5 * lr_max(data), steps=50, w0=[0.49], b0=-3900.0)
    for t in (0, 10, 50):
        assert run.loss[t] == pytest.approx(direct_loss(data.X, data.y, run.w[t], run.b[t]), rel=1e-9)


def test_mini_batches_are_reproducible_and_follow_the_batch_gradient():
    data = synthetic(n=37, seed=4)
    a = descend(data, lr=0.01, steps=50, batch_size=5, seed=3)
    b = descend(data, lr=0.01, steps=50, batch_size=5, seed=3)
    c = descend(data, lr=0.01, steps=50, batch_size=5, seed=4)
    np.testing.assert_array_equal(a.w, b.w)
    assert not np.array_equal(a.w, c.w)
    # Written out again: a fresh permutation per epoch from default_rng(seed), cut into batches of 5.
    rng = np.random.default_rng(3)
    W, bias, t = np.zeros(1), 0.0, 0
    while t < 50:
        order = rng.permutation(37)
        for start in range(0, 37, 5):
            if t == 50:
                break
            rows = order[start:start + 5]
            gw, gb = direct_gradient(data.X[rows], data.y[rows], W, bias)
            np.testing.assert_allclose(a.used_grad_w[t], gw, rtol=1e-12)
            W, bias, t = W - 0.01 * gw, bias - 0.01 * gb, t + 1
            np.testing.assert_allclose(a.w[t], W, rtol=1e-12)
    # the recorded gradient is still the full-data one
    ref_w, _ = direct_gradient(data.X, data.y, a.w[20], a.b[20])
    np.testing.assert_allclose(a.grad_w[20], ref_w, rtol=1e-9)
    assert not np.allclose(a.used_grad_w, a.grad_w[:-1])


def test_batch_size_of_one_is_sgd_and_batch_size_m_is_full_batch():
    data = synthetic(n=20, seed=5)
    full = descend(data, lr=0.05, steps=30)
    np.testing.assert_allclose(descend(data, lr=0.05, steps=30, batch_size=20).w, full.w, rtol=1e-12)
    np.testing.assert_allclose(descend(data, lr=0.05, steps=30, batch_size=500).w, full.w, rtol=1e-12)
    sgd = descend(data, lr=0.05, steps=30, batch_size=1, seed=1)
    row = np.random.default_rng(1).permutation(20)[0]
    gw, gb = direct_gradient(data.X[[row]], data.y[[row]], np.zeros(1), 0.0)
    np.testing.assert_allclose(sgd.used_grad_w[0], gw, rtol=1e-12)
    assert sgd.used_grad_b[0] == pytest.approx(gb, rel=1e-12)


@pytest.mark.parametrize("kwargs, words", [
    (dict(lr=0.0), "learning rate must be a positive"), (dict(lr=float("nan")), "positive finite"),
    (dict(lr="fast"), "must be a number"), (dict(lr=-1), "positive"), (dict(steps=-1), "steps"),
    (dict(steps=2.5), "whole number"), (dict(w0=[1.0, 2.0]), "needs 1 weight"),
    (dict(b0=float("inf")), "finite"), (dict(batch_size=0), "batch_size"),
    (dict(optimizer="lbfgs"), "Unknown optimizer"), (dict(tol=-1.0), "tolerance"),
])
def test_bad_arguments_raise_plain_value_errors(kwargs, words):
    arguments = {"lr": 0.1, "steps": 10, **kwargs}
    with pytest.raises(ValueError, match=words):
        descend(synthetic(), **arguments)


def test_zero_steps_and_settings_are_recorded():
    run = descend(synthetic(), optimizer="adam", lr=0.1, steps=0, w0=[3.0], b0=1.0)
    assert run.steps == 0 and run.used_grad_w.shape == (0, 1)
    assert run.settings["optimizer"] == "adam" and run.settings["betas"] == (0.9, 0.999)
    assert run.settings["w0"] == [3.0] and run.settings["lr"] == 0.1


def test_to_frame_has_one_row_per_step_with_the_trajectory_numbers():
    data = synthetic(n=30, weights=[1.0, 2.0], seed=6)
    run = descend(data, optimizer="momentum", lr=0.01, steps=12)
    frame = run.to_frame()
    assert len(frame) == 13 and frame["step"].tolist() == list(range(13))
    np.testing.assert_array_equal(frame["w2"], run.w[:, 1])
    np.testing.assert_array_equal(frame["dL/db"], run.grad_b)
    np.testing.assert_allclose(frame["update b"][:-1], np.diff(run.b))
    assert np.isnan(frame["update w1"].iloc[-1])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(1, 3), fraction=st.floats(0.05, 0.95),
       offset=st.sampled_from([0.0, 3.0, -20.0]))
def test_property_gd_below_the_limit_never_increases_the_loss(seed, d, fraction, offset):
    data = synthetic(n=25, weights=np.linspace(-1, 1, d), seed=seed, x_offset=offset)
    run = descend(data, lr=fraction * lr_max(data), steps=60, w0=np.full(d, 2.0), b0=-1.0)
    assert run.diverged_at is None
    assert (np.diff(run.loss) <= 1e-9 * run.loss[0]).all()


# ---- the learning-rate sweep: one row per learning rate, each equal to its own descend() ----

@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_sweep_rows_equal_separate_runs(optimizer):
    data = synthetic(n=40, seed=3, x_offset=2.0)
    lrs = np.geomspace(1e-3, 2.0, 25)
    result = sweep(data, lrs, optimizer=optimizer, steps=150, w0=[-2.0], b0=3.0, tol=1e-3)
    for i, lr in enumerate(lrs):
        run = descend(data, optimizer=optimizer, lr=lr, steps=150, w0=[-2.0], b0=3.0, tol=1e-3)
        assert result.final_loss[i] == pytest.approx(run.loss[-1], rel=1e-9)
        assert result.min_loss[i] == pytest.approx(run.loss.min(), rel=1e-9)
        assert result.diverged_at[i] == (-1 if run.diverged_at is None else run.diverged_at)
        assert result.converged_at[i] == (-1 if run.converged_at is None else run.converged_at)
    assert (~result.diverged).any() and result.diverged.any() == (optimizer != "adam")  # Adam's steps stay ≈ α
    assert np.isfinite(result.final_loss).all()


def test_sweep_rejects_bad_learning_rates():
    with pytest.raises(ValueError, match="learning rate"):
        sweep(synthetic(), [0.1, -1.0], steps=10)


@pytest.mark.parametrize("kwargs, words", [
    (dict(steps=-1), "steps"), (dict(steps=2.5), "whole number"), (dict(w0=[1.0, 2.0]), "needs 1 weight"),
    (dict(b0=float("inf")), "finite"), (dict(b0="high"), "must be numbers"), (dict(tol=0.0), "tolerance"),
    (dict(optimizer="lbfgs"), "Unknown optimizer"), (dict(momentum=0.5), "no setting momentum"),
])
def test_sweep_and_descend_check_their_arguments_alike(kwargs, words):
    arguments = {"steps": 10, **kwargs}
    with pytest.raises(ValueError, match=words) as from_descend:
        descend(synthetic(), lr=0.1, **arguments)
    with pytest.raises(ValueError, match=words) as from_sweep:
        sweep(synthetic(), [0.1], **arguments)
    assert str(from_descend.value) == str(from_sweep.value)


# ---- data near float64's bounds, absurd starts and learning rates: a clean stop, never a NaN ----

I = np.arange(40.0)
EXTREME = {
    "x at ±1e150": Dataset(LARGEST * (-1.0) ** I, I),
    "y at ±1e150": Dataset(I, LARGEST * (-1.0) ** I),
    "both near 1e150": Dataset(LARGEST * np.sin(I), LARGEST * np.cos(I)),
    "x near 1e150, far from zero": Dataset(0.9 * LARGEST + 1e140 * I, I),
    "tiny x": Dataset(1e-150 * (I + 1), I),
    "two features": Dataset(np.column_stack([1e150 * np.sin(I), np.cos(I)]), 1e150 * np.sin(3 * I)),
}


@pytest.mark.parametrize("name", EXTREME)
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_extreme_data_with_absurd_starts_and_learning_rates_end_cleanly(name, optimizer):
    data = EXTREME[name]
    outcomes = set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning, no exception
        for lr in (1e-3, 1.0, 100.0):
            for w0, b0 in ((1e6, 1e6), (-1e6, 1e6), (1e6, -1e6), (0.0, 0.0)):
                for batch_size in (None, 7):
                    try:
                        run = descend(data, optimizer=optimizer, lr=lr, steps=300, w0=np.full(data.d, w0), b0=b0,
                                      batch_size=batch_size)
                    except ValueError as error:  # only when the start's own loss is beyond float64
                        assert "The loss at the start (w0, b0) is too large for float64" in str(error)
                        assert w0 != 0.0  # L(0, 0) is the mean of y², always within float64 here
                        outcomes.add("start refused")
                        continue
                    for values in (run.w, run.b, run.loss, run.grad_w, run.grad_b, run.used_grad_w, run.used_grad_b):
                        assert np.isfinite(values).all()
                    assert len(run.loss) == (run.steps + 1) and run.steps <= 300
                    outcomes.add("diverged" if run.diverged_at is not None else "ran")
            result = sweep(data, [1e-3, 1.0, 100.0], optimizer=optimizer, steps=100)
            assert np.isfinite(result.final_loss).all() and np.isfinite(result.min_loss).all()
    if optimizer in ("gd", "momentum", "nesterov"):  # Adagrad, RMSprop and Adam take steps of about α
        assert "diverged" in outcomes  # the divergence handling was exercised, not only skipped


def test_a_start_whose_loss_float64_cannot_hold_is_refused_with_a_sentence():
    data = EXTREME["x at ±1e150"]  # ŷ = 1e6·1e150: its square is beyond float64
    sentence = (r"^The loss at the start \(w0, b0\) is too large for float64 on this data: start nearer the "
                r"optimum, or rescale the columns \(e\.g\. other units\)\.$")
    with pytest.raises(ValueError, match=sentence):
        descend(data, lr=0.1, steps=10, w0=[1e6], b0=0.0)
    with pytest.raises(ValueError, match="too large for float64"):
        sweep(data, [0.1, 0.2], steps=10, w0=[1e6])


def test_a_loss_just_below_float64s_limit_still_counts_as_diverging():
    # y ≈ 1e150 makes the divergence bound (1e10 × the start's scale) larger than float64: it is capped,
    # so a loss that overflows ends the run instead of being recorded
    data = EXTREME["y at ±1e150"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = descend(data, lr=100.0, steps=50, b0=1e6)
    assert run.diverged_at is not None and np.isfinite(run.loss).all()


def test_the_csv_export_carries_the_trajectorys_exact_numbers():
    run = descend(synthetic(n=30, seed=8), optimizer="adam", lr=0.05, steps=40, batch_size=7)
    table = pd.read_csv(io.StringIO(run.to_frame().to_csv(index=False)))
    np.testing.assert_array_equal(table["w"], run.w[:, 0])  # exact: the text keeps every digit
    np.testing.assert_array_equal(table["b"], run.b)
    np.testing.assert_array_equal(table["loss"], run.loss)
    np.testing.assert_array_equal(table["used dL/dw"][:-1], run.used_grad_w[:, 0])
    np.testing.assert_array_equal(table["update b"][:-1], np.diff(run.b))
