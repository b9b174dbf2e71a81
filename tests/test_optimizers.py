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
        assert float(b) == pytest.approx(run.b[t], rel=1e-9, abs=1e-11)
