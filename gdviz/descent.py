"""descend(): run an optimizer on a loss and record every step as a Trajectory.

The loss is the MSE of a data set (linear regression), its logistic loss (logistic regression), either
with a ridge penalty λ‖W‖², or a test surface (gdviz.test_function). Each step records copies of
(W, b, loss, full-data gradient), the gradient the update used and the learning rate it used (a
schedule changes it from step to step, as torch.optim.lr_scheduler does). A run that blows up
(non-finite numbers, or a loss 1e10 times its scale) ends there: only finite rows are kept and
``diverged_at`` says where, so no NaN or infinity ever reaches a plot. On a test surface a run also
ends where it leaves the surface's ``bounds``, and ``note`` says so.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import model, optimizers, schedules

DIVERGENCE_FACTOR = 1e10  # a loss this many times its starting scale counts as blown up
MAX_STEPS = 1_000_000


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The recorded run: row 0 is the start, row t the parameters after t updates.

    w (k+1, d), b (k+1,), loss (k+1,), grad_w (k+1, d), grad_b (k+1,): full-data values at each row.
    used_grad_w (k, d), used_grad_b (k,): the gradient update t actually used (a mini-batch one when
    batches are smaller than the data). ``diverged_at`` is the step that blew up (the rows stop just
    before it); ``converged_at`` the step where |∇L| fell below ``settings['tol']``.

    ``state``: the optimizer's memory in the lecture's notation, each array of shape (k+1, d+1),
    columns the d weights then b. Row t (t < k) is the state the update from step t to t+1 computes
    from g_t = (used_grad_w[t], used_grad_b[t]) and then uses, so that with α = settings['lr']

        momentum  "v":  v_t = μ v_{t−1} + g_t,               θ_{t+1} = θ_t − α v_t
        nesterov  "v":  v_t = μ v_{t−1} + g_t,               θ_{t+1} = θ_t − α (g_t + μ v_t)
        adagrad   "s":  s_t = s_{t−1} + g_t²,                θ_{t+1} = θ_t − α g_t / (√s_t + ε)
        rmsprop   "s":  s_t = a s_{t−1} + (1 − a) g_t²,      θ_{t+1} = θ_t − α g_t / (√s_t + ε)
        adam      "m", "v", "m_hat", "v_hat":  m_t = β₁ m_{t−1} + (1 − β₁) g_t,  v_t = β₂ v_{t−1} + (1 − β₂) g_t²,
                  m̂_t = m_t / (1 − β₁^(t+1)),  v̂_t = v_t / (1 − β₂^(t+1)),  θ_{t+1} = θ_t − α m̂_t / (√v̂_t + ε)

    (v_{−1} = s_{−1} = m_{−1} = 0; θ_t is row t of w and b.) The last row, k, has no update after it:
    it repeats row k−1, the state the run ends with (zeros, the initial state, when k = 0), so it
    is never NaN. Plain gradient descent remembers nothing: ``state`` is {}.

    ``lr`` (k,): the learning rate α_t update t used (all equal to settings['lr'] without a schedule;
    with one, α above reads α_t). ``objective``: "mse", "logistic" or the test surface's name, with
    the penalty in settings['l2'] and the schedule in settings['schedule']. ``note``: a sentence when
    the run stopped for a reason ``diverged_at`` alone does not say (it left a test surface's bounds).
    """

    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    grad_w: np.ndarray
    grad_b: np.ndarray
    used_grad_w: np.ndarray
    used_grad_b: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)
    diverged_at: int | None = None
    converged_at: int | None = None
    state: dict[str, np.ndarray] = field(default_factory=dict)
    lr: np.ndarray | None = None
    note: str = ""

    @property
    def objective(self) -> str:
        """What was minimised: "mse", "logistic", or the test surface's name."""
        return self.settings.get("objective", "mse")

    @property
    def steps(self) -> int:
        """k, the number of updates recorded."""
        return len(self.loss) - 1

    @property
    def grad_norm(self) -> np.ndarray:
        """|∇L| = √(Σ (∂L/∂W)² + (∂L/∂b)²) at each row."""
        return np.sqrt((self.grad_w ** 2).sum(axis=1) + self.grad_b ** 2)

    @property
    def update_w(self) -> np.ndarray:
        """The change W_{t+1} − W_t made by update t, shape (k, d)."""
        return np.diff(self.w, axis=0)

    @property
    def update_b(self) -> np.ndarray:
        """The change b_{t+1} − b_t made by update t, shape (k,)."""
        return np.diff(self.b)

    def to_frame(self, feature_names=None):
        """One row per step: step, weights, b, loss, gradient entries, the update that followed and its rate."""
        import pandas as pd  # only the export needs pandas

        d = self.w.shape[1]
        names = list(feature_names) if feature_names else (["w"] if d == 1 else [f"w{i + 1}" for i in range(d)])
        columns: dict[str, Any] = {"step": np.arange(len(self.loss))}
        for i, name in enumerate(names):
            columns[name] = self.w[:, i]
        columns["b"] = self.b
        columns["loss"] = self.loss
        for i, name in enumerate(names):
            columns[f"dL/d{name}"] = self.grad_w[:, i]
        columns["dL/db"] = self.grad_b
        pad = np.full((1,), np.nan)  # the last row has no update after it
        for i, name in enumerate(names):
            columns[f"used dL/d{name}"] = np.concatenate([self.used_grad_w[:, i], pad])
        columns["used dL/db"] = np.concatenate([self.used_grad_b, pad])
        for i, name in enumerate(names):
            columns[f"update {name}"] = np.concatenate([self.update_w[:, i], pad])
        columns["update b"] = np.concatenate([self.update_b, pad])
        if self.lr is not None:  # the rate the update after each row used (a schedule changes it)
            columns["lr"] = np.concatenate([self.lr, pad])
        return pd.DataFrame(columns)


def descend(data, *, optimizer: str = "gd", lr: float, steps: int, w0=None, b0: float = 0.0,
            batch_size: int | None = None, seed: int = 0, tol: float | None = None,
            objective: str = "mse", l2: float = 0.0, schedule=None, **hyper) -> Trajectory:
    """Run ``steps`` updates of ``optimizer`` from (w0, b0) on the loss of ``data``; record them all.

    W ← W − α ∂L/∂W and b ← b − α ∂L/∂b for plain gradient descent; the other optimizers follow
    torch.optim (see optimizers.py); ``hyper`` overrides their settings (momentum, betas, alpha, eps).
    ``objective`` "mse" (linear regression) or "logistic" (logistic regression, y ∈ {0, 1}), plus
    the ridge penalty λ‖W‖² with λ = ``l2`` (see gdviz.loss); ``data`` may be a test surface
    (gdviz.test_function), w its one weight. ``schedule`` None (constant α) or a pair such as
    ("cosine", {"T_max": 100}): update t uses α_t = schedules.learning_rates(lr, schedule, steps)[t],
    what torch's scheduler stepped once per update gives (see schedules.py).
    ``batch_size`` None or ≥ m is full batch; smaller draws mini-batches without replacement,
    reshuffled each epoch from ``np.random.default_rng(seed)``. ``tol`` stops the run once
    |∇L| < tol. Full-batch MSE steps cost nothing per row: they use the sufficient statistics; the
    logistic loss takes a pass over the rows at every step.

    >>> from gdviz import synthetic
    >>> run = descend(synthetic(n=20, seed=1), lr=0.1, steps=3)
    >>> run.w.shape, run.steps, run.diverged_at
    ((4, 1), 3, None)
    """
    lr = _positive_number(lr, "The learning rate")
    problem = model.problem(data, objective, l2)
    w, b, tol = _checked_start(problem, steps, w0, b0, tol)
    d = problem.d
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError(f"batch_size must be a whole number ≥ 1 or None, not {batch_size!r}.")
    full_batch = batch_size is None or (problem.m is not None and batch_size >= problem.m)
    if not full_batch and problem.on_rows is None:
        raise ValueError("Mini-batches need the data rows, not only their statistics."
                         if problem.bounds is None else "A test surface has no rows to draw mini-batches from.")
    name, parameters = schedules.checked(schedule, lr)
    scheduled = name != "constant"
    # With a schedule the rule runs at α = 1 and each step is scaled by α_t: every rule's step is α times
    # a direction that does not depend on α (torch's too), so this is the rule at α_t.
    opt, hyper = optimizers.make(optimizer, 1.0 if scheduled else lr, **hyper)
    rates = schedules.learning_rates(lr, (name, parameters), steps) if scheduled else None
    start_loss, start_grad_w, start_grad_b = _start_point(problem, w[None, :], np.array([b]))

    # Preallocated records, trimmed at the end; row t is the point after t updates.
    W = np.empty((steps + 1, d))
    B = np.empty(steps + 1)
    L = np.empty(steps + 1)
    GW = np.empty((steps + 1, d))
    GB = np.empty(steps + 1)
    UW = np.empty((steps, d))
    UB = np.empty(steps)

    theta = np.append(w, b)
    W[0], B[0], L[0], GW[0], GB[0] = w, b, start_loss[0], start_grad_w[0], start_grad_b[0]
    bound = _divergence_bound(problem, L[0])
    evaluate, bounds = problem.at, problem.bounds
    state = opt.init(theta)
    # The optimizer's state in the lecture's notation: row t is the state update t computes and uses.
    records = {symbol: np.empty((steps + 1, d + 1)) for symbol, _ in opt.notation}
    recorded = [(records[symbol], type(state)._fields.index(name)) for symbol, name in opt.notation]
    batches = None if full_batch else _batches(problem.m, int(batch_size), seed)
    diverged_at = converged_at = None
    note = ""
    k = 0
    with np.errstate(all="ignore"):  # overflow is detected below and reported, not printed
        for t in range(steps):
            if tol is not None and math.sqrt(GW[t] @ GW[t] + GB[t] ** 2) < tol:
                converged_at = t
                break
            used = np.empty(d + 1)
            if full_batch:
                used[:d], used[d] = GW[t], GB[t]
            else:
                rows = next(batches)
                used[:d], used[d] = problem.on_rows(rows, theta[:d], theta[d])
            step, state = opt.update(used, state)
            if rates is not None:
                step = rates[t] * step
            for record, index in recorded:
                record[t] = state[index]
            theta = theta + step
            w, b = theta[:d], float(theta[d])
            loss, grad_w, grad_b = evaluate(w, b)
            # the bound is finite, so an infinite loss fails `<=`, and so does NaN
            if not (loss <= bound and math.isfinite(grad_b) and np.isfinite(theta).all()
                    and np.isfinite(used).all() and np.isfinite(grad_w).all()):
                diverged_at = t + 1
                break
            if bounds is not None and not (bounds[0] <= w[0] <= bounds[1] and bounds[2] <= b <= bounds[3]):
                diverged_at = t + 1
                note = _left_bounds(data, bounds, t + 1)
                break
            UW[t], UB[t] = used[:d], used[d]
            W[t + 1], B[t + 1], L[t + 1] = w, b, loss
            GW[t + 1], GB[t + 1] = grad_w, grad_b
            k = t + 1
        if tol is not None and k == steps and converged_at is None and diverged_at is None:
            if math.sqrt(GW[k] @ GW[k] + GB[k] ** 2) < tol:
                converged_at = k

    settings = {"optimizer": optimizer, "lr": lr, **hyper, "steps": steps,
                "w0": W[0].tolist(), "b0": float(B[0]),
                "batch_size": None if full_batch else int(batch_size), "seed": seed, "tol": tol,
                "objective": problem.objective, "l2": problem.l2,
                "schedule": (name, parameters) if scheduled else None}
    used_rates = rates[:k].copy() if scheduled else np.full(k, lr)
    return Trajectory(W[:k + 1].copy(), B[:k + 1].copy(), L[:k + 1].copy(), GW[:k + 1].copy(),
                      GB[:k + 1].copy(), UW[:k].copy(), UB[:k].copy(), settings, diverged_at, converged_at,
                      _state_record(opt, records, k), used_rates, note)


def _left_bounds(data, bounds, step: int) -> str:
    w_low, w_high, b_low, b_high = bounds
    title = data.title[0].lower() + data.title[1:] if data.title.startswith("A ") else data.title
    return (f"The run left the region where {title} is followed (w from {w_low:g} to {w_high:g}, b from "
            f"{b_low:g} to {b_high:g}) at step {step}, so it stops there"
            + (": a saddle has no bottom to reach." if not data.minima else "."))


def _state_record(opt, records, k: int) -> dict[str, np.ndarray]:
    """Rows 0..k of each recorded state, the last one repeating row k−1 (no update follows it; with
    no update at all it is the initial state, zeros), plus what the optimizer derives from them."""
    state = {}
    for symbol, record in records.items():
        record[k] = record[k - 1] if k else 0.0
        state[symbol] = record[:k + 1].copy()
    if opt.derived is not None:
        counts = np.minimum(np.arange(1, k + 2), k)  # updates seen by each row's state
        state.update(opt.derived(state, counts))
    return state


def _checked_start(problem, steps, w0, b0, tol):
    """(w0, b0, tol) of a run, checked: a ValueError with a sentence for anything wrong."""
    d = problem.d
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 0 to {MAX_STEPS:,}, not {steps!r}.")
    try:
        w = np.zeros(d) if w0 is None else np.array(w0, dtype=np.float64).reshape(-1)
        b = float(b0)
    except (TypeError, ValueError):
        raise ValueError(f"The start (w0, b0) must be numbers, not {w0!r} and {b0!r}.") from None
    if w.shape != (d,):
        raise ValueError(f"w0 needs {d} weight{'s' if d > 1 else ''} (one per feature), got {w.size}.")
    if not (np.isfinite(w).all() and math.isfinite(b)):
        raise ValueError("The start (w0, b0) must be finite numbers.")
    if tol is not None:
        tol = _positive_number(tol, "The stopping tolerance")
    if problem.bounds is not None:
        w_low, w_high, b_low, b_high = problem.bounds
        if not (w_low <= w[0] <= w_high and b_low <= b <= b_high):
            raise ValueError(f"The start must lie where the surface is followed: w from {w_low:g} to {w_high:g}, "
                             f"b from {b_low:g} to {b_high:g}.")
    return w, b, tol


def _start_point(problem, W, b):
    """(L, ∂L/∂W, ∂L/∂b) at the start, rows of W (n, d) and b (n,); a ValueError if not finite."""
    with np.errstate(all="ignore"):
        loss, grad_w, grad_b = problem.many(W, b)
    if not (np.isfinite(loss).all() and np.isfinite(grad_w).all() and np.isfinite(grad_b).all()):
        raise ValueError("The loss at the start (w0, b0) is too large for float64 on this data: start "
                         "nearer the optimum, or rescale the columns (e.g. other units).")
    return loss, grad_w, grad_b


def _divergence_bound(problem, start_loss: float) -> float:
    """A loss above this counts as blown up: DIVERGENCE_FACTOR times the larger of the start's loss
    and the problem's scale (MSE: the zero line's, the mean of y²; logistic: log 2, the loss at z = 0;
    a test surface: 1 or |L| at its suggested start), and never beyond the largest float64."""
    scale = max(float(start_loss), problem.scale, 1e-300)
    return min(DIVERGENCE_FACTOR * scale, sys.float_info.max)


def _positive_number(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}.") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{what} must be a positive finite number, not {value!r}.")
    return number


def _batches(m: int, batch_size: int, seed: int):
    """Index arrays of mini-batches: each epoch a fresh permutation cut into consecutive batches."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            yield order[start:start + batch_size]


@dataclass(frozen=True, eq=False)
class Sweep:
    """Many full-batch runs that differ only in their learning rate, summed up.

    final_loss: the loss after the last step (for a diverged run: the last finite loss);
    diverged_at / converged_at: the step, or -1 for never; min_loss: the least loss along the way.
    """

    learning_rates: np.ndarray
    final_loss: np.ndarray
    min_loss: np.ndarray
    diverged_at: np.ndarray
    converged_at: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0


def sweep(data, learning_rates, *, optimizer: str = "gd", steps: int, w0=None, b0: float = 0.0,
          tol: float | None = None, objective: str = "mse", l2: float = 0.0, schedule=None, **hyper) -> Sweep:
    """Run ``descend`` (full batch) once per learning rate, all at once: every array carries one row
    per learning rate, so 100 learning rates cost about as much as one run. Row i ends as
    ``descend(data, lr=learning_rates[i], ...)`` does (with the same objective, l2 and schedule; the
    schedule starts from each row's own rate).
    """
    lrs = np.array([_positive_number(v, "Each learning rate") for v in np.ravel(learning_rates)])
    problem = model.problem(data, objective, l2)
    w, b0, tol = _checked_start(problem, steps, w0, b0, tol)
    d = problem.d
    name, parameters = schedules.checked(schedule, float(lrs.min()) if len(lrs) else None)
    scheduled = name != "constant"
    opt, hyper = optimizers.make(optimizer, np.ones((len(lrs), 1)) if scheduled else lrs[:, None], **hyper)
    rates = schedules.rates(lrs, (name, parameters)) if scheduled else None
    n = len(lrs)
    theta = np.tile(np.append(w, b0), (n, 1))
    loss, grad_w, grad_b = _start_point(problem, theta[:, :d], theta[:, d])
    bound = _divergence_bound(problem, loss[0])
    bounds = problem.bounds
    final, least = loss.copy(), loss.copy()
    diverged_at = np.full(n, -1)
    converged_at = np.full(n, -1)
    alive = np.ones(n, dtype=bool)
    state = opt.init(theta)
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            if tol is not None:
                small = alive & (np.sqrt((grad_w ** 2).sum(axis=1) + grad_b ** 2) < tol)
                converged_at[small] = t
                alive &= ~small
            if t == steps or not alive.any():
                break
            grad = np.column_stack([grad_w, grad_b])
            step, state = opt.update(grad, state)
            if rates is not None:
                step = next(rates)[:, None] * step
            theta = np.where(alive[:, None], theta + step, theta)  # finished runs stand still
            loss, grad_w, grad_b = problem.many(theta[:, :d], theta[:, d])
            bad = alive & ~((loss <= bound) & np.isfinite(theta).all(axis=1)
                            & np.isfinite(grad_w).all(axis=1) & np.isfinite(grad_b))
            if bounds is not None:
                bad |= alive & ~((bounds[0] <= theta[:, 0]) & (theta[:, 0] <= bounds[1])
                                 & (bounds[2] <= theta[:, 1]) & (theta[:, 1] <= bounds[3]))
            diverged_at[bad] = t + 1
            alive &= ~bad
            final = np.where(alive, loss, final)
            least = np.where(alive, np.minimum(least, loss), least)
    settings = {"optimizer": optimizer, **hyper, "steps": steps, "w0": w.tolist(), "b0": float(b0), "tol": tol,
                "objective": problem.objective, "l2": problem.l2, "schedule": (name, parameters) if scheduled else None}
    return Sweep(lrs, final, least, diverged_at, converged_at, settings)
