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

DESCRIPTIONS says once what each optimizer is for the page (its label, this rule in the lecture's
notation, its hyper-parameters with symbols and, for the page's controls μ, β₁, β₂, slider ranges;
adaptive or not); LABELS, PAGE_HYPER and hyper_settings() are read from it, and a test checks its
defaults against the factories' signatures (DEFAULTS).

Each optimizer names its state in that notation (``Optimizer.notation``): v for momentum and
Nesterov, s for Adagrad and RMSprop, m and v (and the derived m̂, v̂) for Adam; plain gradient
descent has none. descend() records them at every step (Trajectory.state).
"""
from __future__ import annotations

import functools
import inspect
import math
from typing import Any, Callable, Mapping, NamedTuple

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


# ---------------------------------------------------------------- each optimizer described once

class Hyper(NamedTuple):
    """One hyper-parameter as a student meets it: its symbol in the rule, and, when the page has a
    control for it (``key`` not None), everything that control needs (label, default, range, step, help).

    ``keyword`` is what make() and descend() take; ``index`` picks one entry of a tuple keyword
    (Adam's betas: 0 for β₁, 1 for β₂)."""

    key: str | None
    keyword: str
    symbol: str
    label: str
    default: float
    low: float
    high: float
    step: float
    help: str
    index: int | None = None

    def value(self, settings: Mapping[str, Any]) -> float:
        """This hyper-parameter's value in a run's settings (Trajectory.settings or make()'s)."""
        value = settings[self.keyword]
        return float(value[self.index] if self.index is not None else value)


class Description(NamedTuple):
    """What an optimizer is, for the page: its name and label, its update rule in the lecture's
    notation (g = ∇L), its hyper-parameters in the order the rule names them, whether it is adaptive
    (divides each coordinate's step by its own running gradient size), and ``why``: how its step
    relates to the gradient arrow, a phrase completing "The gradient arrow at step k ..." with
    ``{symbol}`` fields for its page hyper-parameters' values."""

    name: str
    label: str
    rule: str
    hyper: tuple[Hyper, ...]
    adaptive: bool
    why: str


_MU = Hyper("mu", "momentum", "μ", "Momentum μ", 0.9, 0.0, 0.99, 0.01,
            "How much of the last step each step keeps: v ← μv + ∇L. 0 is plain gradient descent; near 1 "
            "the path keeps rolling (and the largest stable α grows: αλ < 2 + 2μ).")
_BETA1 = Hyper("beta1", "betas", "β₁", "Adam's β₁ (mean of g)", 0.9, 0.0, 0.999, 0.001,
               "How slowly Adam's running mean m of the gradient forgets: m ← β₁m + (1 − β₁)g.", 0)
_BETA2 = Hyper("beta2", "betas", "β₂", "Adam's β₂ (mean of g²)", 0.999, 0.0, 0.9999, 0.0001,
               "How slowly Adam's running mean v of the squared gradient forgets: v ← β₂v + (1 − β₂)g².", 1)


def _eps(default: float) -> Hyper:
    return Hyper(None, "eps", "ε", "ε", default, 0.0, 1e-3, default,
                 "A tiny number added to the divisor so a zero gradient never divides by zero.")


_MOMENTUM_WHY = ("is only part of it: the step is −α v, and v carries μ = {μ} times the last one, so the path "
                 "keeps going the way it went")

DESCRIPTIONS: dict[str, Description] = {d.name: d for d in (
    Description("gd", "gradient descent", "θ ← θ − α ∇L", (), False,
                "explains it: the step is −α∇L, against the arrow"),
    Description("momentum", "momentum", "v ← μ v + ∇L;  θ ← θ − α v", (_MU,), False, _MOMENTUM_WHY),
    Description("nesterov", "Nesterov momentum", "v ← μ v + ∇L;  θ ← θ − α (∇L + μ v)", (_MU,), False,
                _MOMENTUM_WHY.replace("−α v", "−α (∇L + μv)")),
    Description("adagrad", "Adagrad", "s ← s + (∇L)²;  θ ← θ − α ∇L / (√s + ε)", (_eps(1e-10),), True,
                "gives the signs: Adagrad divides each coordinate's step by its own running gradient size, so "
                "the step is not along −∇L"),
    Description("rmsprop", "RMSprop", "s ← a s + (1 − a)(∇L)²;  θ ← θ − α ∇L / (√s + ε)",
                (Hyper(None, "alpha", "a", "RMSprop's a", 0.99, 0.0, 0.999, 0.001,
                       "How slowly the running mean s of g² forgets: s ← a s + (1 − a)g²."), _eps(1e-8)), True,
                "gives the signs: RMSprop divides each coordinate's step by its own running gradient size, so "
                "the step is not along −∇L"),
    Description("adam", "Adam", "m ← β₁m + (1−β₁)∇L;  v ← β₂v + (1−β₂)(∇L)²;  θ ← θ − α m̂ / (√v̂ + ε)",
                (_BETA1, _BETA2, _eps(1e-8)), True,
                "gives the signs: Adam (β₁ = {β₁}, β₂ = {β₂}) divides each coordinate's step by its own running "
                "gradient size, so the step is not along −∇L"),
)}

LABELS = {d.name: d.label for d in DESCRIPTIONS.values()}

# Every hyper-parameter the page has a control for, once, by its key ("mu", "beta1", "beta2").
PAGE_HYPER: dict[str, Hyper] = {h.key: h for d in DESCRIPTIONS.values() for h in d.hyper if h.key is not None}

# The optimizers each page control applies to ("mu": momentum and nesterov).
PAGE_HYPER_USERS: dict[str, tuple[str, ...]] = {
    key: tuple(d.name for d in DESCRIPTIONS.values() if any(h.key == key for h in d.hyper)) for key in PAGE_HYPER}


def hyper_settings(optimizer: str, values: Mapping[str, float]) -> dict[str, Any]:
    """The keywords make() and descend(**hyper) take for ``optimizer``, from the page's values by key
    ({"mu": 0.5, "beta1": 0.8, "beta2": 0.99}): momentum → {"momentum": 0.5}, adam → {"betas": (0.8, 0.99)},
    gd → {}. Keys the optimizer does not use are ignored; a missing key takes its default.

    >>> hyper_settings("adam", {"mu": 0.5, "beta1": 0.8})
    {'betas': (0.8, 0.999)}
    """
    if optimizer not in DESCRIPTIONS:
        raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of {', '.join(DESCRIPTIONS)}.")
    out: dict[str, Any] = {}
    for h in DESCRIPTIONS[optimizer].hyper:
        if h.key is None:
            continue
        value = float(values.get(h.key, h.default))
        if h.index is None:
            out[h.keyword] = value
        else:
            entries = list(out.get(h.keyword, DEFAULTS[optimizer][h.keyword]))
            entries[h.index] = value
            out[h.keyword] = tuple(entries)
    return out


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
    if "betas" in settings:
        betas = settings["betas"]
        if isinstance(betas, (str, bytes)) or np.ndim(betas) != 1 or len(betas) != 2:
            raise ValueError(f"betas must be a pair (β₁, β₂), not {betas!r}.")
    for key, value in settings.items():
        try:
            values = np.atleast_1d(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            raise ValueError(f"{key} must be a number, not {value!r}.") from None
        if not np.isfinite(values).all() or (values < 0).any():
            raise ValueError(f"{key} must be a finite number ≥ 0, not {value!r}.")
        if key in ("momentum", "alpha", "betas") and (values >= 1).any():
            raise ValueError(f"{key} must be below 1, not {value!r}.")
    if "betas" in settings:
        settings["betas"] = tuple(float(v) for v in settings["betas"])
    return OPTIMIZERS[name](lr, **settings), settings
