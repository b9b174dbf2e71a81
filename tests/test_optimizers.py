"""Every optimizer against its torch.optim update rule, written out again here, step by step.

The references loop over parameters one number at a time, with the gradient from the rows
(the definition), so they share no code with gdviz.
"""
import math

import numpy as np
import pytest

from conftest import direct_gradient
from gdviz import descend, synthetic
from gdviz.optimizers import DEFAULTS, make

try:
    import torch
except ImportError:  # PyTorch is not a dependency; the cross-check below runs where it happens to exist
    torch = None


def reference_run(X, y, rule, lr, steps, w0, b0, **h):
    theta = list(w0) + [b0]
    state = {}
    path = [list(theta)]
    for t in range(1, steps + 1):
        gw, gb = direct_gradient(X, y, np.array(theta[:-1]), theta[-1])
        g = list(gw) + [gb]
        for i, gi in enumerate(g):
            if rule == "gd":
                theta[i] -= lr * gi
            elif rule in ("momentum", "nesterov"):
                mu = h.get("momentum", 0.9)
                buf = gi if t == 1 else mu * state[i] + gi  # torch: buffer = grad at the first step
                state[i] = buf
                theta[i] -= lr * (gi + mu * buf if rule == "nesterov" else buf)
            elif rule == "adagrad":
                eps = h.get("eps", 1e-10)
                state[i] = state.get(i, 0.0) + gi * gi
                theta[i] -= lr * gi / (math.sqrt(state[i]) + eps)
            elif rule == "rmsprop":
                alpha, eps = h.get("alpha", 0.99), h.get("eps", 1e-8)
                state[i] = alpha * state.get(i, 0.0) + (1 - alpha) * gi * gi
                theta[i] -= lr * gi / (math.sqrt(state[i]) + eps)
            elif rule == "adam":
                (beta1, beta2), eps = h.get("betas", (0.9, 0.999)), h.get("eps", 1e-8)
                m1, v1 = state.get(i, (0.0, 0.0))
                m1 = beta1 * m1 + (1 - beta1) * gi
                v1 = beta2 * v1 + (1 - beta2) * gi * gi
                state[i] = (m1, v1)
                m_hat = m1 / (1 - beta1 ** t)
                v_hat = v1 / (1 - beta2 ** t)
                theta[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)  # the paper's form; torch's is equal
        path.append(list(theta))
    return np.array(path)


PROBLEMS = {
    "one feature": lambda: synthetic(n=30, weights=2.0, bias=1.0, seed=1),
    "offset valley": lambda: synthetic(n=50, weights=-1.0, bias=2.0, seed=2, x_range=(0, 2), x_offset=3.0),
    "two features": lambda: synthetic(n=40, weights=[1.5, -0.5], bias=0.2, seed=3),
}
RUNS = {"gd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("name", RUNS)
def test_each_optimizer_follows_its_documented_rule(name, problem):
    data = PROBLEMS[problem]()
    w0 = np.full(data.d, -1.0)
    run = descend(data, optimizer=name, lr=RUNS[name], steps=40, w0=w0, b0=0.5)
    expected = reference_run(data.X, data.y, name, RUNS[name], 40, w0, 0.5)
    got = np.column_stack([run.w, run.b])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-10)
    assert run.diverged_at is None


@pytest.mark.parametrize("name, hyper", [
    ("momentum", {"momentum": 0.5}), ("nesterov", {"momentum": 0.7}), ("adagrad", {"eps": 1e-3}),
    ("rmsprop", {"alpha": 0.9, "eps": 1e-4}), ("adam", {"betas": (0.8, 0.99), "eps": 1e-6}),
])
def test_hyper_parameters_can_be_overridden(name, hyper):
    data = PROBLEMS["one feature"]()
    run = descend(data, optimizer=name, lr=0.02, steps=25, **hyper)
    expected = reference_run(data.X, data.y, name, 0.02, 25, [0.0], 0.0, **hyper)
    np.testing.assert_allclose(np.column_stack([run.w, run.b]), expected, rtol=1e-9, atol=1e-10)
    for key, value in hyper.items():
        assert run.settings[key] == value


def test_defaults_are_pytorchs():
    assert DEFAULTS["momentum"] == {"momentum": 0.9} and DEFAULTS["nesterov"] == {"momentum": 0.9}
    assert DEFAULTS["adagrad"] == {"eps": 1e-10}
    assert DEFAULTS["rmsprop"] == {"alpha": 0.99, "eps": 1e-8}
    assert DEFAULTS["adam"] == {"betas": (0.9, 0.999), "eps": 1e-8}


@pytest.mark.parametrize("name, hyper, words", [
    ("sgd", {}, "Unknown optimizer"), ("gd", {"momentum": 0.9}, "no setting momentum"),
    ("adam", {"betas": (0.9, 1.5)}, "below 1"), ("rmsprop", {"eps": -1}, "≥ 0"),
    ("adam", {"betas": (0.9,)}, "pair"), ("momentum", {"momentum": float("nan")}, "finite"),
])
def test_bad_settings_say_what_is_wrong(name, hyper, words):
    with pytest.raises(ValueError, match=words):
        make(name, 0.1, **hyper)


def test_updates_act_on_many_learning_rates_at_once():
    lrs = np.array([[0.1], [0.01]])
    opt, _ = make("adam", lrs)
    grad = np.array([[1.0, -2.0], [1.0, -2.0]])
    step, _ = opt.update(grad, opt.init(grad))
    np.testing.assert_allclose(step[0], 10 * step[1])


TORCH_STATE = {"gd": {}, "momentum": {"v": "momentum_buffer"}, "nesterov": {"v": "momentum_buffer"},
               "adagrad": {"s": "sum"}, "rmsprop": {"s": "square_avg"}, "adam": {"m": "exp_avg", "v": "exp_avg_sq"}}


@pytest.mark.skipif(torch is None, reason="PyTorch not installed: optional cross-check against torch.optim")
@pytest.mark.parametrize("name", RUNS)
def test_against_torch_optim_when_available(name):
    data = PROBLEMS["two features"]()
    run = descend(data, optimizer=name, lr=RUNS[name], steps=30)
    X = torch.tensor(data.X, dtype=torch.float64)
    y = torch.tensor(data.y, dtype=torch.float64)
    W = torch.zeros(data.d, dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    make_torch = {
        "gd": lambda p: torch.optim.SGD(p, lr=RUNS[name]),
        "momentum": lambda p: torch.optim.SGD(p, lr=RUNS[name], momentum=0.9),
        "nesterov": lambda p: torch.optim.SGD(p, lr=RUNS[name], momentum=0.9, nesterov=True),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=RUNS[name]),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=RUNS[name]),
        "adam": lambda p: torch.optim.Adam(p, lr=RUNS[name]),
    }[name]
    opt = make_torch([W, b])
    for t in range(1, 31):
        opt.zero_grad()
        ((X @ W + b - y) ** 2).mean().backward()
        opt.step()
        np.testing.assert_allclose(W.detach().numpy(), run.w[t], rtol=1e-9, atol=1e-11)
        assert float(b.detach()) == pytest.approx(run.b[t], rel=1e-9, abs=1e-11)
        # torch's own state after step t is row t − 1 of the recorded state (the one update t used)
        for symbol, key in TORCH_STATE[name].items():
            theirs = np.append(opt.state[W][key].numpy(), float(opt.state[b][key]))
            np.testing.assert_allclose(run.state[symbol][t - 1], theirs, rtol=1e-9, atol=1e-11)


# ---- the optimizer's state at every step: the update re-derived from the recorded row ----

STATE_SYMBOLS = {"gd": set(), "momentum": {"v"}, "nesterov": {"v"}, "adagrad": {"s"}, "rmsprop": {"s"},
                 "adam": {"m", "v", "m_hat", "v_hat"}}


def step_from_state(name, state, t, g, lr, h):
    """−α·(the documented rule at step t, written with the recorded state row t and the used gradient g)."""
    if name == "gd":
        return -lr * g
    if name == "momentum":
        return -lr * state["v"][t]
    if name == "nesterov":
        return -lr * (g + h["momentum"] * state["v"][t])
    if name in ("adagrad", "rmsprop"):
        return -lr * g / (np.sqrt(state["s"][t]) + h["eps"])
    return -lr * state["m_hat"][t] / (np.sqrt(state["v_hat"][t]) + h["eps"])


def state_from_previous(name, state, t, g, h):
    """Row t of each recorded array from row t−1 (zeros before the first), by the documented recurrences."""
    before = {key: (rows[t - 1] if t else np.zeros_like(rows[0])) for key, rows in state.items()}
    if name in ("momentum", "nesterov"):
        return {"v": h["momentum"] * before["v"] + g}
    if name == "adagrad":
        return {"s": before["s"] + g * g}
    if name == "rmsprop":
        return {"s": h["alpha"] * before["s"] + (1 - h["alpha"]) * g * g}
    if name == "adam":
        (beta1, beta2) = h["betas"]
        m = beta1 * before["m"] + (1 - beta1) * g
        v = beta2 * before["v"] + (1 - beta2) * g * g
        return {"m": m, "v": v, "m_hat": m / (1 - beta1 ** (t + 1)), "v_hat": v / (1 - beta2 ** (t + 1))}
    return {}


@pytest.mark.parametrize("batch_size", [None, 7], ids=["full batch", "mini-batches of 7"])
@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("name", RUNS)
def test_the_recorded_state_rederives_every_update(name, problem, batch_size):
    data = PROBLEMS[problem]()
    run = descend(data, optimizer=name, lr=RUNS[name], steps=60, w0=np.full(data.d, -1.0), b0=0.5,
                  batch_size=batch_size, seed=3)
    h, lr, k = run.settings, RUNS[name], run.steps
    assert k == 60 and set(run.state) == STATE_SYMBOLS[name]
    for rows in run.state.values():
        assert rows.shape == (k + 1, data.d + 1) and np.isfinite(rows).all()
        np.testing.assert_array_equal(rows[k], rows[k - 1])  # the last row: the state the run ends with
    theta = np.column_stack([run.w, run.b])
    used = np.column_stack([run.used_grad_w, run.used_grad_b])
    for t in range(k):
        step = step_from_state(name, run.state, t, used[t], lr, h)
        made = theta[t + 1] - theta[t]
        # 1e-12 relative to the step, plus the rounding of θ_{t+1} itself (the step was added to it)
        assert (np.abs(made - step) <= 1e-12 * np.abs(step) + 4 * np.finfo(float).eps * np.abs(theta[t + 1])).all()
        for key, value in state_from_previous(name, run.state, t, used[t], h).items():
            np.testing.assert_allclose(run.state[key][t], value, rtol=1e-12, atol=0)
    if batch_size is not None:  # the state follows the mini-batch gradient, not the full one
        assert not np.allclose(used[:k], np.column_stack([run.grad_w, run.grad_b])[:k])


@pytest.mark.parametrize("name", RUNS)
def test_the_state_of_short_stopped_and_diverged_runs_has_no_nan(name):
    data = PROBLEMS["offset valley"]()
    none = descend(data, optimizer=name, lr=RUNS[name], steps=0)
    assert all(rows.shape == (1, 2) and (rows == 0).all() for rows in none.state.values())  # the initial state
    stopped = descend(data, optimizer=name, lr=RUNS[name], steps=5000, tol=1e-1)
    boom = descend(data, optimizer=name, lr=1e6, steps=200)  # adaptive rules too: steps of about α
    for run in (stopped, boom):
        k = run.steps
        assert set(run.state) == STATE_SYMBOLS[name]
        for rows in run.state.values():
            assert rows.shape == (k + 1, 2) and np.isfinite(rows).all()
            if k:
                np.testing.assert_array_equal(rows[k], rows[k - 1])
    assert stopped.converged_at is not None and boom.diverged_at is not None
