"""Learning-rate schedules: each rate equals PyTorch's scheduler stepped once per update, and a run
with a schedule equals torch.optim with that scheduler, for all six optimizers."""
import math
import warnings

import numpy as np
import pytest

import gdviz
from gdviz.schedules import checked, describe, learning_rates, rates

SCHEDULES = {
    "step": ("step", {"step_size": 7, "gamma": 0.5}),
    "step, torch's gamma": ("step", {"step_size": 3}),
    "exponential": ("exponential", {"gamma": 0.97}),
    "cosine": ("cosine", {"T_max": 25, "eta_min": 1e-4}),
    "cosine, past T_max and back": ("cosine", {"T_max": 10}),
    "cosine, T_max 1": ("cosine", {"T_max": 1, "eta_min": 1e-4}),
}


def torch_rates(lr, schedule, steps):
    """The rate torch's optimizer holds before each of ``steps`` updates, the scheduler stepped after each."""
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    name, params = checked(schedule)
    scheduler = {
        "step": lambda: torch.optim.lr_scheduler.StepLR(opt, **params),
        "exponential": lambda: torch.optim.lr_scheduler.ExponentialLR(opt, **params),
        "cosine": lambda: torch.optim.lr_scheduler.CosineAnnealingLR(opt, **params),
    }[name]()
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(out)


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("lr", [0.1, 0.7, 3e-4])
def test_each_rate_is_torchs(schedule, lr):
    ours = learning_rates(lr, SCHEDULES[schedule], 120)
    theirs = torch_rates(lr, SCHEDULES[schedule], 120)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_the_closed_forms_the_docstring_gives():
    t = np.arange(60)
    np.testing.assert_allclose(learning_rates(0.5, ("step", {"step_size": 7, "gamma": 0.5}), 60),
                               0.5 * 0.5 ** (t // 7), rtol=1e-13)
    np.testing.assert_allclose(learning_rates(0.5, ("exponential", {"gamma": 0.9}), 60), 0.5 * 0.9 ** t, rtol=1e-12)
    T, low = 40, 0.01
    expected = low + 0.5 * (0.5 - low) * (1 + np.cos(np.pi * t / T))
    np.testing.assert_allclose(learning_rates(0.5, ("cosine", {"T_max": T, "eta_min": low}), 60), expected,
                               rtol=1e-10)
    np.testing.assert_array_equal(learning_rates(0.5, None, 5), np.full(5, 0.5))
    np.testing.assert_array_equal(learning_rates(0.5, "constant", 5), np.full(5, 0.5))
    assert learning_rates(0.5, None, 0).shape == (0,)


def test_many_rates_at_once_equal_one_at_a_time():
    lrs = np.array([0.01, 0.3, 1.7])
    for schedule in SCHEDULES.values():
        sequence = rates(lrs, checked(schedule))
        together = np.array([next(sequence) for _ in range(50)])
        for i, lr in enumerate(lrs):
            np.testing.assert_array_equal(together[:, i], learning_rates(lr, schedule, 50))


@pytest.mark.parametrize("schedule, words", [
    (("step", {"step_size": 0}), "step_size of the step decay schedule must be a whole number"),
    (("step", {"step_size": 2.5}), "whole number of steps"),
    (("step", {"step_size": 5, "gamma": 0}), "gamma of the step decay schedule must be above 0"),
    (("exponential", {"gamma": -0.5}), "must be above 0 and at most 1"),
    (("exponential", {"gamma": 1.5}), "at most 1"),
    (("exponential", {"gamma": float("nan")}), "at most 1"),
    (("exponential", {}), "needs gamma"),
    (("cosine", {"T_max": -3}), "T_max of the cosine annealing schedule must be a whole number"),
    (("cosine", {"T_max": 10, "eta_min": -1}), "eta_min of the cosine annealing schedule must be a finite number ≥ 0"),
    (("cosine", {"T_max": 10, "eta_min": 5.0}), "must not exceed the learning rate"),
    (("cosine", {"T_max": 10, "gamma": 0.5}), "has no parameter gamma"),
    (("linear", {}), "Unknown schedule 'linear'"),
    (42, "A schedule is a pair"),
])
def test_bad_schedules_are_a_sentence(schedule, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        gdviz.descend(gdviz.synthetic(n=10), lr=0.1, steps=5, schedule=schedule)


def test_describe_says_what_each_does():
    assert describe(None) == "constant: α_t = α"
    assert "every 10 steps" in describe(("step", {"step_size": 10}))
    assert "cosine annealing" in describe(("cosine", {"T_max": 5}))


def test_trajectory_lr_records_the_rate_of_each_update():
    data = gdviz.synthetic(n=30, seed=2)
    schedule = ("step", {"step_size": 4, "gamma": 0.5})
    run = gdviz.descend(data, lr=0.2, steps=20, schedule=schedule)
    assert run.lr.shape == (20,) and run.settings["schedule"] == ("step", {"step_size": 4, "gamma": 0.5})
    np.testing.assert_array_equal(run.lr, learning_rates(0.2, schedule, 20))
    theta = np.column_stack([run.w, run.b])
    used = np.column_stack([run.used_grad_w, run.used_grad_b])
    np.testing.assert_allclose(np.diff(theta, axis=0), -run.lr[:, None] * used, rtol=1e-12, atol=1e-15)
    frame = run.to_frame()
    np.testing.assert_array_equal(frame["lr"][:-1], run.lr)
    assert np.isnan(frame["lr"].iloc[-1])
    plain = gdviz.descend(data, lr=0.2, steps=20)
    assert plain.settings["schedule"] is None and (plain.lr == 0.2).all() and plain.lr.shape == (20,)
    stopped = gdviz.descend(data, lr=0.2, steps=500, tol=1e-3, schedule=("exponential", {"gamma": 0.999}))
    assert stopped.lr.shape == (stopped.steps,)


def test_a_schedule_that_decays_tames_a_rate_that_would_diverge():
    data = gdviz.synthetic(n=40, seed=1)
    too_big = 2.3 * gdviz.curvature(data).lr_max / 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gdviz.descend(data, lr=too_big, steps=300).diverged_at is not None
        tamed = gdviz.descend(data, lr=too_big, steps=300, schedule=("step", {"step_size": 3, "gamma": 0.5}))
    assert tamed.diverged_at is None and np.isfinite(tamed.loss).all()


def test_sweep_rows_end_as_descend_with_the_schedule():
    data = gdviz.synthetic(n=30, seed=4, x_offset=2.0)
    lrs = [0.01, 0.05, 0.1]
    schedule = ("cosine", {"T_max": 15, "eta_min": 0.001})
    result = gdviz.sweep(data, lrs, optimizer="adam", steps=40, schedule=schedule)
    for i, lr in enumerate(lrs):
        run = gdviz.descend(data, optimizer="adam", lr=lr, steps=40, schedule=schedule)
        assert result.final_loss[i] == pytest.approx(run.loss[-1], rel=1e-12)


TORCH_RUNS = {"gd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1}


@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine, past T_max and back"])
@pytest.mark.parametrize("name", TORCH_RUNS)
def test_runs_with_a_schedule_equal_torch_optim_with_its_scheduler(name, schedule):
    from test_objectives import torch_path

    data = gdviz.synthetic(n=40, weights=[1.5, -0.5], bias=0.2, seed=3)
    run = gdviz.descend(data, optimizer=name, lr=TORCH_RUNS[name], steps=30, w0=[0.5, -1.0], b0=0.3,
                        schedule=SCHEDULES[schedule])
    theirs = torch_path(data, "mse", 0.0, name, TORCH_RUNS[name], 30, [0.5, -1.0], 0.3, SCHEDULES[schedule])
    np.testing.assert_allclose(np.column_stack([run.w, run.b]), theirs, rtol=1e-9, atol=1e-12)
    assert math.isclose(run.lr[-1], torch_rates(TORCH_RUNS[name], SCHEDULES[schedule], 30)[-1], rel_tol=1e-12)
