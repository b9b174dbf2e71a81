"""Every sentence the page says about a run, each with the numbers it rests on.

A ``Claim`` is (kind, sentence, evidence): the kind names what can be checked against the run
(tests/test_claims.py runs every one), the evidence holds the numbers the sentence was made from.

Theory where theory holds: the mean squared error (with or without a ridge penalty) is one fixed
quadratic, so at a constant rate plain descent multiplies the error along eigen-direction i by
1 − αλᵢ (gdviz.stability). The logistic loss and the test surfaces are not quadratics: their
theory is *local*, from the Hessian at the optimum or minimum (stability.local_curvature), named
"near the optimum", and the sentence then says what the run itself did. A saddle has no minimum,
and with mini-batches the steps are noisy: there the theory's words are not borrowed.

Kinds checked against the run (evidence in brackets):
    diverged       the run stopped at ``step``: non-finite or past the cut-off there, not before
    converged      |∇L| fell below ``tol`` at ``step``
    not_converged  |∇L| still above ``tol`` after ``steps``
    grows          the loss grows (``along`` "loss"), or the error along ``vector`` from ``at`` does
    falls          the loss fell from the start to the end (``every_step``: at every step)
    glides         no sign change of the error along ``vector`` (from ``at``) after the first step
    zig_zags       the error along ``vector`` changes sign (``flips`` times, when observed)
    shrinks_like   the error's per-step ratio over the last third is within 5% of ``ratio``
    product        along ``vector`` the error's end/start ratio is ``product`` (a schedule on a quadratic)
    reaches_fit    first within the fit at ``step`` (``floor``: the loss it counts as the least)
    local          the local curvature: ``eigenvalues`` of the Hessian at ``at``
    too_small, just_right, oscillating, diverging, absent: the presets (their help sentences)
Kinds that are not about the run's numbers: "note", "adaptive", "stochastic", "no_theory", "hedge".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from . import stability
from .optimizers import LABELS
from .presets import EXACT_FLOOR  # an exact fit's L* counts as this share of the start's loss
from .words import nice, number

FIT_WITHIN = 0.01  # "reaches the fit": within 1% of the least loss
NOISE = 1e-9  # relative: error components below this share of the start's are rounding, not a direction
RATE_FLOOR = 1e-7  # relative: distances below this share of the start's are rounding, not a rate
SAME_RATE = 0.05  # "shrinks like r": the observed ratio within 5% of r


@dataclass(frozen=True)
class Claim:
    """One sentence about a run and the numbers it rests on (see the module's docstring for kinds)."""

    kind: str
    sentence: str
    evidence: dict = field(default_factory=dict)


# ---- what a run did, measured ----
def theta(run) -> np.ndarray:
    """The run's parameters (W, b) at every step, shape (k+1, d+1)."""
    return np.column_stack([run.w, run.b])


def point(at) -> np.ndarray:
    return np.append(np.asarray(at[0], dtype=np.float64).ravel(), float(at[1]))


def along(run, at, vector) -> tuple[np.ndarray, float]:
    """(θ_k − θ*)·v at every step, and the level of rounding in it."""
    star = point(at)
    error = (theta(run) - star) @ np.asarray(vector, dtype=np.float64)
    return error, NOISE * (np.abs(star).max() + np.abs(error[0]) + 1e-300)


def flips(error: np.ndarray, noise: float) -> int:
    """Sign changes of an error series after the first step (values at the level of rounding ignored)."""
    seen = error[1:][np.abs(error[1:]) > noise]
    return int(np.count_nonzero(np.sign(seen[1:]) != np.sign(seen[:-1])))


def observed_ratio(distances) -> float | None:
    """The error's per-step ratio over the last third of a run: from the largest distance to the
    optimum in the first quarter of that window to the largest in its last quarter (so a zig-zag or a
    spiral is measured by its envelope), steps below RATE_FLOOR of the start's distance left out
    (rounding). None when fewer than 8 steps are left to measure."""
    d = np.asarray(distances, dtype=np.float64)
    n = len(d) - 1
    first = n - n // 3
    if n // 3 < 8 or not np.isfinite(d).all() or d[0] <= 0:
        return None
    valid = np.flatnonzero(d[first:] > RATE_FLOOR * d[0]) + first
    if valid.size < 8 or valid[-1] - first < 8:
        return None
    last = int(valid[-1])
    quarter = max(1, (last - first) // 4)
    a, b = d[first:first + quarter].max(), d[last - quarter + 1:last + 1].max()
    gap = last - quarter + 1 - first
    return float((b / a) ** (1.0 / gap)) if a > 0 and gap > 0 else None


def fit_reached(run, loss_min: float) -> tuple[int | None, float]:
    """(the first step within 1% of the least loss L*, the L* counted): an exact fit's L* (rounding,
    e.g. 4e-31) counts as EXACT_FLOOR of the start's loss, a relative floor, never L* == 0."""
    if not np.isfinite(loss_min):
        return None, loss_min
    floor = max(float(loss_min), EXACT_FLOOR * float(run.loss[0]))
    reached = np.flatnonzero(run.loss - loss_min <= FIT_WITHIN * floor)
    return (int(reached[0]) if reached.size else None), floor


# ---- the "Why:" sentence ----
def why(data, problem: str, optimizer: str, lr: float, run, *, momentum: float = 0.9, l2: float = 0.0,
        full_batch: bool = True, local=None) -> list[Claim]:
    """The claims of the "Why:" sentence for ``run`` (``optimizer`` at ``lr`` on ``problem``): the
    theory where it holds, the local theory named as local, and what the run did."""
    checked = stability._checked(lr, optimizer, momentum)
    if checked:
        return [Claim("note", checked)]
    objective = "logistic" if problem == "logistic" else "mse"
    if local is None:
        local = stability.local_curvature(data, objective=objective, l2=l2,
                                          near=(float(run.w[-1, 0]), float(run.b[-1])) if hasattr(data, "minima") else None)
    rates = None if run.lr is None or len(run.lr) == 0 else np.asarray(run.lr)
    scheduled = rates is not None and bool(np.any(rates != rates[0]))
    lams, top = local.eigenvalues, local.eigenvectors[:, -1]
    text = stability.note(lams, optimizer, lr, momentum=momentum, rates=rates)
    saddle = problem == "saddle"
    quadratic = problem == "mse"
    out: list[Claim] = []
    if saddle:
        down = local.eigenvectors[:, 0]
        stationary = (np.array([data.stationary[0][0]]), data.stationary[0][1])
        if optimizer == "gd" and not scheduled:
            out.append(Claim("grows", text, dict(along="direction", vector=down.tolist(), at=stationary)))
        else:
            out.append(Claim("no_theory", f"No learning-rate limit applies to {LABELS[optimizer]} on a saddle: along "
                                          f"the direction curving down (λ = {number(lams[0])}) every step pushes the "
                                          "path away from the saddle point, whatever α.",
                             dict(eigenvalues=lams.tolist())))
        return out + observed(run, None, None, lead="This run:")
    if not quadratic:
        lead = f"{local.where[0].upper()}{local.where[1:]}" if local.where else "Here"
        out.append(Claim("local", f"{lead}, where the loss is close to a quadratic: {text}" + ("" if text.endswith(".")
                                                                                               else ".")
                         + (f" {local.estimate}" if local.estimate else ""),
                         dict(eigenvalues=lams.tolist(), at=None if local.at is None else
                              (np.asarray(local.at[0]).tolist(), local.at[1]), lr_max=local.lr_max)))
        return out + observed(run, local.at, top, lead="This run:")
    at = local.at
    evidence = dict(vector=top.tolist(), at=(np.asarray(at[0]).tolist(), at[1]))
    if not full_batch:
        return [Claim("stochastic", text + " These numbers are for full-batch steps: with mini-batches each step uses "
                                           "a noisy gradient, so the run wanders about the optimum instead of settling on it.")]
    if optimizer in stability.ADAPTIVE:
        return [Claim("adaptive", text)]
    lam_max = float(lams[-1])
    if scheduled:
        if optimizer != "gd":
            return [Claim("hedge", text)]
        out = [Claim("hedge", text)]
        with np.errstate(all="ignore"):
            for value, vector in zip(lams, local.eigenvectors.T):
                if value in (lam_max, float(lams[0])):
                    out.append(Claim("product", "", dict(vector=vector.tolist(), at=evidence["at"],
                                                         product=float(np.prod(1.0 - rates * value)))))
        return out
    plain = optimizer == "gd" or momentum == 0
    if plain:
        limit = 2.0 / lam_max
        if stability._on(lr, limit):
            return [Claim("hedge", text)]
        if lr > limit:
            return [Claim("grows", text, dict(along="direction", **evidence))]
        factor = 1.0 - lr * lam_max
        kind = "zig_zags" if factor < 0 else "glides"
        curved = lams[lams > 0]
        pace = float(np.max(np.abs(1.0 - lr * curved))) if curved.size else 1.0
        out = [Claim(kind, text, dict(evidence))]
    else:
        x, limit = lr * lam_max, stability.momentum_limit(momentum, nesterov=optimizer == "nesterov")
        if stability._on(x, limit):
            return [Claim("hedge", text)]
        if x > limit:
            return [Claim("grows", text, dict(along="direction", **evidence))]
        pace = max(stability.momentum_factor(lr * lam, momentum, nesterov=optimizer == "nesterov")
                   for lam in lams if lam > 0) if (lams > 0).any() else 1.0
        out = [Claim("hedge", text)]
    if pace > 0 and (lams > 0).any():
        seen = observed_ratio(np.linalg.norm(theta(run) - point(at), axis=1))
        shown = number(pace) + "ᵏ"
        if seen is not None and abs(seen / pace - 1.0) > SAME_RATE and shown in out[0].sentence:
            sentence = out[0].sentence.replace(
                shown, f"{shown} in the long run (over this run's last third it shrank by about {number(seen)} "
                       "per step: the other directions had not died out yet)", 1)
            out[0] = Claim(out[0].kind, sentence, out[0].evidence)
            pace = seen
        out.append(Claim("shrinks_like", "", dict(ratio=pace, at=evidence["at"])))
    return out


def observed(run, at, vector, *, lead: str) -> list[Claim]:
    """What the run did, in one sentence: the loss from start to end, a zig-zag along ``vector`` or
    none, and the error's per-step ratio over its last third (``at``: the optimum; None: no optimum)."""
    loss = np.asarray(run.loss, dtype=np.float64)
    start, end = float(loss[0]), float(loss[-1])
    parts, claims = [], []
    if len(loss) < 2:
        return []
    if end > start:
        claims.append(Claim("grows", "", dict(along="loss")))
        parts.append(f"the loss went up from {nice(start)} to {nice(end)}")
    else:
        every = bool((np.diff(loss) <= 1e-12 * np.abs(loss[:-1])).all())
        claims.append(Claim("falls", "", dict(every_step=every)))
        parts.append(f"the loss fell from {nice(start)} to {nice(end)}" + (" at every step" if every else
                                                                             ", though not at every step"))
    if at is not None and vector is not None:
        error, noise = along(run, at, vector)
        count = flips(error, noise)
        evidence = dict(vector=np.asarray(vector).tolist(), at=(np.asarray(at[0]).tolist(), at[1]))
        if count:
            claims.append(Claim("zig_zags", "", dict(evidence, flips=count)))
            parts.append(f"its error along the steep direction changed sign {count} time{'s' if count > 1 else ''} "
                         "(a zig-zag)")
        else:
            claims.append(Claim("glides", "", evidence))
            parts.append("its error along the steep direction never changed sign (no zig-zag)")
        ratio = observed_ratio(np.linalg.norm(theta(run) - point(at), axis=1))
        if ratio is not None:
            claims.append(Claim("shrinks_like", "", dict(ratio=ratio, at=evidence["at"])))
            parts.append(f"over its last third its distance to the optimum changed by about {number(ratio)} per step")
    if run.diverged_at is not None:
        parts.append(f"it stopped at step {run.diverged_at}")
    sentence = f"{lead} " + "; ".join(parts) + "."
    return [Claim(claims[0].kind, sentence, claims[0].evidence)] + claims[1:]


def why_sentence(claims: list[Claim]) -> str:
    """The "Why:" caption: the claims' sentences in order."""
    return " ".join(c.sentence for c in claims if c.sentence)


# ---- the verdict above the views ----
def verdict(run, *, tol: float | None, use_tol: bool, why_text: str, advice: str, loss_min: float,
            fit_name: str | None) -> list[Claim]:
    """What the run did, for the messages above the views: diverged, converged, did not converge,
    went up, or reached the fit. Each claim's evidence has ``shown`` (the message's kind) and
    ``lead`` (its bold lead)."""
    if run.diverged_at is not None:
        how = run.note or f"The loss grew from {nice(float(run.loss[0]))} past any sensible size, so the run stops there."
        return [Claim("diverged", f"{how} {why_text} {advice}",
                      dict(step=run.diverged_at, shown="error", lead=f"Diverged at step {run.diverged_at}."))]
    if run.converged_at is not None:
        return [Claim("converged", f"|∇L| fell below {nice(tol)}.",
                      dict(step=run.converged_at, tol=tol, shown="success", lead=f"Converged at step {run.converged_at}:"))]
    if use_tol:
        return [Claim("not_converged", f"|∇L| is still {nice(float(run.grad_norm[-1]))}, above the tolerance {nice(tol)}.",
                      dict(steps=run.steps, tol=tol, shown="warning", lead=f"Did not converge in {run.steps} steps:"))]
    if float(run.loss[-1]) > float(run.loss[0]):
        return [Claim("grows", f"The loss went up, from {nice(float(run.loss[0]))} to {nice(float(run.loss[-1]))}: this "
                               "learning rate overshoots.", dict(along="loss", shown="warning", lead=""))]
    step, floor = fit_reached(run, loss_min)
    if step is None or fit_name is None:
        return []
    how = ("within 1% of its least loss" if floor == loss_min else
           f"the data fit exactly: the loss within 1% of {number(EXACT_FLOOR)} of its start's")
    return [Claim("reaches_fit", f"These settings reach the {fit_name} fit ({how}) at step {step} of {run.steps}.",
                  dict(step=step, steps=run.steps, loss_min=loss_min, floor=floor, shown="caption", lead=""))]


def compared_diverged(label: str, run) -> Claim:
    return Claim("diverged", f"Compared run “{label}” diverged at step {run.diverged_at}.",
                 dict(step=run.diverged_at, label=label, shown="warning", lead=""))


# ---- the presets and the race ----
PRESET_KINDS = {"too small": "too_small", "just right": "just_right", "oscillating": "oscillating",
                "diverging": "diverging"}


def preset_claims(judged: dict, *, start, steps: int) -> dict[str, Claim]:
    """name → the preset's help sentence as a claim (kind "absent" when the preset is not offered)."""
    out = {}
    for name, j in judged.items():
        if j.lr is None:
            out[name] = Claim("absent", j.sentence, dict(name=name))
        else:
            out[name] = Claim(PRESET_KINDS[name], f"Plain gradient descent {j.sentence[0].lower()}{j.sentence[1:]}"
                              if not j.sentence.startswith("On a saddle") else j.sentence,
                              dict(j.evidence, lr=j.lr, start=(np.asarray(start[0]).tolist(), start[1]), steps=steps))
    return out


def best_rate(result) -> float | None:
    """The rate of a sweep with the best final loss (the smallest rate within rounding of it), to four digits."""
    final = np.asarray(result.final_loss, dtype=np.float64)
    fine = (np.asarray(result.diverged_at) < 0) & np.isfinite(final)
    if not fine.any():
        return None
    best = float(final[fine].min())
    start = float(np.nanmax(result.min_loss[np.isfinite(result.min_loss)]))
    close = fine & (final - best <= 1e-9 * max(abs(start - best), 1e-300))
    return float(f"{float(np.asarray(result.learning_rates)[close].min()):.4g}")


def comparison(rates: dict, *, steps: int) -> Claim:
    """The "GD vs momentum vs Adam" preset: each optimizer at its own sweep's best rate, said so."""
    listed = ", ".join(f"{LABELS[name]} α = {nice(rate)}" for name, rate in rates.items())
    return Claim("hedge", f"Each optimizer at the rate of its own sweep (the same 80 rates, start and {steps} steps) "
                          f"with the lowest final loss (the smallest such rate where several reach it), so the race is fair: {listed}.", dict(rates=dict(rates)))


def first_sentence_number(text: str) -> float | None:
    """The first number after "shrinks like" in a sentence (for tests and readers of a caption)."""
    found = re.search(r"shrinks like (−?[\d.]+)", text)
    return None if found is None else float(found.group(1).replace("−", "-"))
