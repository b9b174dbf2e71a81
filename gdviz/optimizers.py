"""Optimizers as (init, update) pairs of pure functions, with the update rules of torch.optim.

An optimizer sees only gradients, never the loss. ``init(params)`` returns its state;
``update(grad, state)`` returns ``(step, new_state)`` and the caller applies ``params + step``.
The parameters are one flat vector θ = (W, b); every rule acts elementwise, and ``lr`` may be an
array broadcasting against θ's leading axes (several learning rates at once).

The rules, written as PyTorch documents them (t counts updates from 1, g is the gradient):
    gd        θ ← θ − α g
    momentum  v ← μ v + g;              θ ← θ − α v                (μ = 0.9, dampening 0)
    nesterov  v ← μ v + g;              θ ← θ − α (g + μ v)        (μ = 0.9)
    adagrad   s ← s + g²;               θ ← θ − α g / (√s + ε)     (ε = 1e-10)
    rmsprop   s ← a s + (1 − a) g²;     θ ← θ − α g / (√s + ε)     (a = 0.99, ε = 1e-8)
    adam      m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
              θ ← θ − (α / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε)    (β = (0.9, 0.999), ε = 1e-8)
              which is θ ← θ − α m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)

Each optimizer names its state in that notation (``Optimizer.notation``): v for momentum and
Nesterov, s for Adagrad and RMSprop, m and v (and the derived m̂, v̂) for Adam; plain gradient
descent has none. descend() records them at every step (Trajectory.state).
"""
from __future__ import annotations

import functools
import inspect
import math
from typing import Any, Callable, NamedTuple

import numpy as np


class Optimizer(NamedTuple):
    """A pair of pure functions: ``init(params) -> state`` and ``update(grad, state) -> (step, state)``.

    ``notation`` names the state's arrays in the lecture's notation: pairs (symbol, field of the
    state), e.g. (("v", "velocity"),). ``derived(records, counts)`` adds quantities the rule computes
    from them (Adam's bias-corrected m̂ and v̂): ``records`` maps each symbol to its states stacked
    row by row, ``counts`` says how many updates each row's state has seen.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any], tuple[np.ndarray, Any]]
    notation: tuple[tuple[str, str], ...] = ()
    derived: Callable[[dict[str, np.ndarray], np.ndarray], dict[str, np.ndarray]] | None = None


class EmptyState(NamedTuple):
    """Plain gradient descent remembers nothing."""


class MomentumState(NamedTuple):
    velocity: np.ndarray  # v, PyTorch's momentum_buffer


class AdagradState(NamedTuple):
    sum_of_squares: np.ndarray  # s = Σ g²


class RMSpropState(NamedTuple):
    mean_square: np.ndarray  # s, PyTorch's square_avg


class AdamState(NamedTuple):
    count: int  # t, the number of updates so far
    mean: np.ndarray  # m, first moment
    mean_square: np.ndarray  # v, second moment


def gd(lr) -> Optimizer:
    """Plain gradient descent: θ ← θ − α g."""
    def init(params):
        return EmptyState()

    def update(grad, state):
        return -lr * grad, state

    return Optimizer(init, update)


def sgd(lr, momentum: float = 0.9, *, nesterov: bool = False) -> Optimizer:
    """SGD with momentum (torch.optim.SGD, dampening 0): v ← μv + g; θ ← θ − α v, or with
    ``nesterov`` θ ← θ − α (g + μ v)."""
    def init(params):
        return MomentumState(np.zeros_like(params))

    def update(grad, state):
        velocity = momentum * state.velocity + grad
        direction = grad + momentum * velocity if nesterov else velocity
        return -lr * direction, MomentumState(velocity)

    return Optimizer(init, update, (("v", "velocity"),))


def adagrad(lr, eps: float = 1e-10) -> Optimizer:
    """Adagrad (torch.optim.Adagrad, lr_decay 0): s ← s + g²; θ ← θ − α g / (√s + ε)."""
    def init(params):
        return AdagradState(np.zeros_like(params))

    def update(grad, state):
        total = state.sum_of_squares + grad * grad
        return -lr * (grad / (np.sqrt(total) + eps)), AdagradState(total)

    return Optimizer(init, update, (("s", "sum_of_squares"),))


def rmsprop(lr, alpha: float = 0.99, eps: float = 1e-8) -> Optimizer:
    """RMSprop (torch.optim.RMSprop, not centred, no momentum): s ← a s + (1−a) g²; θ ← θ − α g/(√s + ε)."""
    def init(params):
        return RMSpropState(np.zeros_like(params))

    def update(grad, state):
        mean_square = alpha * state.mean_square + (1.0 - alpha) * grad * grad
        return -lr * (grad / (np.sqrt(mean_square) + eps)), RMSpropState(mean_square)

    return Optimizer(init, update, (("s", "mean_square"),))


def adam(lr, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Optimizer:
    """Adam (torch.optim.Adam) with bias correction:
    θ ← θ − (α / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε)."""
    beta1, beta2 = betas

    def init(params):
        return AdamState(0, np.zeros_like(params), np.zeros_like(params))

    def update(grad, state):
        t = state.count + 1
        mean = beta1 * state.mean + (1.0 - beta1) * grad
        mean_square = beta2 * state.mean_square + (1.0 - beta2) * grad * grad
        step_size = lr / (1.0 - beta1 ** t)
        denominator = np.sqrt(mean_square) / math.sqrt(1.0 - beta2 ** t) + eps
        return -step_size * (mean / denominator), AdamState(t, mean, mean_square)

    def derived(records, counts):
        """m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), t the updates each row's state has seen (0: zeros)."""
        t = np.asarray(counts, dtype=np.float64)[:, None]
        seen = t > 0
        return {"m_hat": np.divide(records["m"], 1.0 - beta1 ** t, out=np.zeros_like(records["m"]), where=seen),
                "v_hat": np.divide(records["v"], 1.0 - beta2 ** t, out=np.zeros_like(records["v"]), where=seen)}

    return Optimizer(init, update, (("m", "mean"), ("v", "mean_square")), derived)


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "gd": gd, "momentum": sgd, "nesterov": functools.partial(sgd, nesterov=True),
    "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam,
}


def _hyper_parameters(factory) -> dict[str, Any]:
    """The settings a factory takes besides lr, with their defaults, read from its signature (the
    one place they are written). Keyword-only arguments are fixed per name (nesterov), not settings."""
    parameters = list(inspect.signature(factory).parameters.values())[1:]
    return {p.name: p.default for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD}


# The hyper-parameters each optimizer accepts besides lr, with PyTorch's defaults.
DEFAULTS: dict[str, dict[str, Any]] = {name: _hyper_parameters(factory) for name, factory in OPTIMIZERS.items()}

LABELS = {"gd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov momentum",
          "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}


def make(name: str, lr, **hyper) -> tuple[Optimizer, dict[str, Any]]:
    """The optimizer called ``name`` with learning rate ``lr``, and its full hyper-parameters.

    Raises ValueError for an unknown name or a hyper-parameter the optimizer does not have.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}.")
    unknown = set(hyper) - set(DEFAULTS[name])
    if unknown:
        allowed = ", ".join(DEFAULTS[name]) or "none"
        raise ValueError(f"{name} has no setting {', '.join(sorted(unknown))} (it takes: {allowed}).")
    settings = {**DEFAULTS[name], **hyper}
    for key, value in settings.items():
        values = np.atleast_1d(np.asarray(value, dtype=np.float64))
        if not np.isfinite(values).all() or (values < 0).any():
            raise ValueError(f"{key} must be a finite number ≥ 0, not {value!r}.")
        if key in ("momentum", "alpha", "betas") and (values >= 1).any():
            raise ValueError(f"{key} must be below 1, not {value!r}.")
    if "betas" in settings:
        settings["betas"] = tuple(float(v) for v in settings["betas"])
        if len(settings["betas"]) != 2:
            raise ValueError("betas must be a pair (β₁, β₂).")
    return OPTIMIZERS[name](lr, **settings), settings
