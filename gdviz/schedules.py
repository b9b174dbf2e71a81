"""Learning-rate schedules: the rate α_t each update t = 0, 1, … uses, as PyTorch's schedulers give it.

A schedule is None (constant: α_t = α) or a pair (name, parameters):

    ("step",        {"step_size": s, "gamma": g})     α_t = α · g^⌊t/s⌋                  (StepLR)
    ("exponential", {"gamma": g})                     α_t = α · gᵗ                       (ExponentialLR)
    ("cosine",      {"T_max": T, "eta_min": e})       α_t = e + ½(α − e)(1 + cos(π t/T))  (CosineAnnealingLR)

The numbers are torch.optim.lr_scheduler's with the scheduler stepped once after every update,
computed the way torch computes them: each rate from the previous one (StepLR and ExponentialLR
multiply by g; CosineAnnealingLR uses its recursive form, which past T climbs back up again),
so they agree with torch to the last digits, not only with the closed forms above.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

# name → (parameters it takes with their defaults (None: required), what it is called in a sentence)
SCHEDULES: dict[str, dict[str, Any]] = {
    "constant": {},
    "step": {"step_size": None, "gamma": 0.1},
    "exponential": {"gamma": None},
    "cosine": {"T_max": None, "eta_min": 0.0},
}
LABELS = {"constant": "constant", "step": "step decay", "exponential": "exponential decay",
          "cosine": "cosine annealing"}
MAX_PERIOD = 1_000_000  # a step_size or T_max beyond any run's length is a typo, not a schedule


def checked(schedule, lr: float | None = None) -> tuple[str, dict[str, Any]]:
    """The schedule as (name, all its parameters), checked: a ValueError with a sentence otherwise.

    None, "constant" and ("constant", {}) are the constant rate. ``lr`` (if given) bounds eta_min.

    >>> checked(("step", {"step_size": 10}))
    ('step', {'step_size': 10, 'gamma': 0.1})
    """
    if schedule is None:
        return "constant", {}
    if isinstance(schedule, str):
        schedule = (schedule, {})
    try:
        name, parameters = schedule
        parameters = dict(parameters or {})
    except (TypeError, ValueError):
        raise ValueError(f"A schedule is a pair (name, parameters), e.g. (\"exponential\", {{\"gamma\": 0.99}}), "
                         f"not {schedule!r}.") from None
    if name not in SCHEDULES:
        raise ValueError(f"Unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}.")
    allowed = SCHEDULES[name]
    unknown = sorted(set(parameters) - set(allowed))
    if unknown:
        takes = ", ".join(allowed) or "no parameters"
        raise ValueError(f"The {LABELS[name]} schedule has no parameter {', '.join(map(str, unknown))} "
                         f"(it takes: {takes}).")
    settings = {}
    for key, default in allowed.items():
        value = parameters.get(key, default)
        if value is None:
            raise ValueError(f"The {LABELS[name]} schedule needs {key}.")
        settings[key] = _checked_value(name, key, value, lr)
    return name, settings


def _checked_value(name: str, key: str, value, lr):
    label = LABELS[name]
    if key in ("step_size", "T_max"):
        whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        if not (whole or (isinstance(value, float) and value.is_integer())) or not 1 <= value <= MAX_PERIOD:
            raise ValueError(f"{key} of the {label} schedule must be a whole number of steps from 1 to "
                             f"{MAX_PERIOD:,}, not {value!r}.")
        return int(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} of the {label} schedule must be a number, not {value!r}.") from None
    if key == "gamma" and not (math.isfinite(number) and 0 < number <= 1):
        raise ValueError(f"gamma of the {label} schedule must be above 0 and at most 1 (the factor the rate "
                         f"is multiplied by), not {value!r}.")
    if key == "eta_min":
        if not (math.isfinite(number) and number >= 0):
            raise ValueError(f"eta_min of the {label} schedule must be a finite number ≥ 0, not {value!r}.")
        if lr is not None and number > lr:
            raise ValueError(f"eta_min of the {label} schedule ({number:g}) must not exceed the learning rate "
                             f"({lr:g}): it is the lowest rate the schedule reaches.")
    return number


def learning_rates(lr: float, schedule, steps: int) -> np.ndarray:
    """α_t for the updates t = 0 … steps − 1: shape (steps,), what torch's scheduler sets before each.

    >>> learning_rates(1.0, ("step", {"step_size": 2, "gamma": 0.5}), 5).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25]
    >>> learning_rates(1.0, ("cosine", {"T_max": 2}), 5).round(12).tolist()  # down to 0 at T, back up
    [1.0, 0.5, 0.0, 0.5, 1.0]
    """
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"The learning rate must be a number, not {lr!r}.") from None
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"The learning rate must be a positive finite number, not {lr!r}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number ≥ 0, not {steps!r}.")
    sequence = rates(lr, checked(schedule, lr))
    return np.array([next(sequence) for _ in range(steps)], dtype=np.float64)


def rates(lr, schedule):
    """An endless generator of α_0, α_1, …: ``lr`` a number or an array of rates (one schedule each,
    the same operations element by element, so each equals learning_rates of its own rate)."""
    name, p = checked(schedule)
    rate = lr
    t = 0
    while True:
        if t == 0:
            rate = lr
        elif name == "step":
            rate = rate * p["gamma"] if t % p["step_size"] == 0 else rate
        elif name == "exponential":
            rate = rate * p["gamma"]
        elif name == "cosine":
            T, low = p["T_max"], p["eta_min"]
            if (t - 1 - T) % (2 * T) == 0:  # torch's branch where the recursion's denominator is 0
                rate = rate + (lr - low) * (1 - math.cos(math.pi / T)) / 2
            else:
                rate = ((1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                        * (rate - low) + low)
        yield rate
        t += 1


def describe(schedule) -> str:
    """One line saying what the schedule does, for a caption.

    >>> describe(("exponential", {"gamma": 0.99}))
    'exponential decay: α_t = α · 0.99ᵗ'
    """
    name, p = checked(schedule)
    if name == "step":
        return f"step decay: α multiplied by {p['gamma']:g} every {p['step_size']} steps"
    if name == "exponential":
        return f"exponential decay: α_t = α · {p['gamma']:g}ᵗ"
    if name == "cosine":
        return (f"cosine annealing: from α down to {p['eta_min']:g} over {p['T_max']} steps "
                "(and back up after, as torch's does)")
    return "constant: α_t = α"
