"""Benchmark gdviz's core against the textbook ways of computing the same numbers.

Run from the repository root (no install needed, torch optional):

    python3 benchmarks/bench_core.py [--rows N] [--repeat R] [--grid-rows K]
    PYTHONPATH=. /path/to/venv-with-torch/bin/python benchmarks/bench_core.py

On N synthetic rows with one feature (default 1,000,000, seed 0), it times side by side:

1. 1,000 full-batch gradient-descent steps at half the largest stable learning rate:
   ``gdviz.descend`` against a plain NumPy loop that visits every row at every step, and against a
   PyTorch autograd loop (``loss.backward()`` + ``torch.optim.SGD``) when torch is importable.
   All three record the loss and the gradient at each of the 1,001 points, as descend does.
2. A 200 x 200 ``gdviz.loss_surface`` around the optimum against evaluating mean((Xw + b - y)^2)
   over all rows for every grid cell. The naive surface takes minutes, so only K of its 200 b-rows
   are timed and the time is scaled up linearly; the output says so.

gdviz's timings include gathering its sufficient statistics: every repetition gets a fresh Dataset,
so nothing cached by an earlier call helps. Building that Dataset is left outside the timer, as the
naive loops get their arrays for free too. Each time is the best of R repetitions
(time.perf_counter). Results of gdviz and the naive versions are checked to agree to 1e-9 relative.
This is a measurement script, not a test: it asserts no time limits, but exits 1 if a check fails.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

# Benchmark the checkout this file lives in, not whatever gdviz may be installed elsewhere.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gdviz  # noqa: E402

STEPS = 1_000
GRID = 200
TOLERANCE = 1e-9  # relative agreement demanded between gdviz and the naive computations
CHUNK_BYTES = 256 * 2**20  # the naive surface's broadcast block: keeps peak memory far below 2 GB


def best_of(repeat: int, setup, run):
    """Best wall time of ``run(setup())`` over ``repeat`` tries, and the last result.

    ``setup`` runs outside the timer, so each try can start from fresh, uncached inputs.
    """
    best, result = float("inf"), None
    for _ in range(repeat):
        args = setup()
        start = time.perf_counter()
        result = run(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def fresh(data: gdviz.Dataset) -> gdviz.Dataset:
    """A new Dataset object with the same rows: gdviz caches statistics per object, so this has none."""
    return gdviz.Dataset(data.X, data.y)


def relative_difference(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b) / scale))


# --- 1. gradient descent -------------------------------------------------------------------------

def numpy_descent(X: np.ndarray, y: np.ndarray, lr: float, steps: int):
    """Full-batch GD touching every row at every step, recording loss and gradient like descend."""
    m = len(y)
    w, b = np.zeros(X.shape[1]), 0.0
    losses, grads_w, grads_b = np.empty(steps + 1), np.empty((steps + 1, X.shape[1])), np.empty(steps + 1)
    for t in range(steps + 1):  # steps + 1 points: the start and the point after each update
        residual = X @ w + b - y
        grad_w = 2.0 / m * (X.T @ residual)
        grad_b = 2.0 / m * residual.sum()
        losses[t], grads_w[t], grads_b[t] = np.mean(residual ** 2), grad_w, grad_b
        if t < steps:
            w, b = w - lr * grad_w, b - lr * grad_b
    return w, b


def torch_descent(X, y, lr: float, steps: int):
    """The same descent written as a PyTorch user would: autograd for the gradient, SGD to step."""
    import torch

    w = torch.zeros(X.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    losses, grads_w, grads_b = np.empty(steps + 1), np.empty((steps + 1, X.shape[1])), np.empty(steps + 1)
    for t in range(steps + 1):
        optimizer.zero_grad()
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        losses[t], grads_w[t], grads_b[t] = loss.item(), w.grad.numpy(), b.grad.item()
        if t < steps:
            optimizer.step()
    return w.detach().numpy().copy(), b.item()


def check_final(label: str, run: gdviz.Trajectory, w, b) -> bool:
    """Print and return whether a naive descent ended where gdviz did."""
    dw, db = relative_difference(run.w[-1], w), relative_difference(run.b[-1], b)
    ok = max(dw, db) <= TOLERANCE
    print(f"check descend vs {label}: final w {run.w[-1][0]:.12g} vs {np.ravel(w)[0]:.12g} "
          f"(rel diff {dw:.1e}), b {run.b[-1]:.12g} vs {b:.12g} (rel diff {db:.1e}): "
          f"{'OK' if ok else 'MISMATCH'} (tolerance {TOLERANCE:g})")
    return ok


def bench_descent(data: gdviz.Dataset, repeat: int):
    """Rows of the results table for descend vs NumPy (and torch), and whether the checks passed."""
    lr = 0.5 * 2.0 / np.linalg.eigvalsh(gdviz.hessian(data)).max()  # half of lr_max
    print(f"descent: {STEPS:,} full-batch steps, lr = 0.5 * lr_max = {lr:.6g}")
    t_gdviz, run = best_of(repeat, lambda: (fresh(data),),
                           lambda d: gdviz.descend(d, optimizer="gd", lr=lr, steps=STEPS))
    if run.steps != STEPS:
        print(f"warning: descend stopped after {run.steps} steps (diverged_at={run.diverged_at})")
    t_numpy, (w, b) = best_of(repeat, lambda: (data.X, data.y), lambda X, y: numpy_descent(X, y, lr, STEPS))
    ok = check_final("NumPy loop", run, w, b)
    rows = [(f"descend, {STEPS:,} steps vs NumPy loop", t_gdviz, t_numpy)]

    try:
        import torch
    except ImportError:
        print("PyTorch not installed: autograd ratio skipped")
        return rows, ok
    X, y = torch.tensor(data.X), torch.tensor(data.y)  # copies made once, outside the timer
    t_torch, (w, b) = best_of(repeat, lambda: (X, y), lambda X, y: torch_descent(X, y, lr, STEPS))
    ok &= check_final("torch autograd", run, w, b)
    rows.append((f"descend, {STEPS:,} steps vs torch autograd", t_gdviz, t_torch))
    return rows, ok


# --- 2. loss surface -----------------------------------------------------------------------------

def naive_surface_rows(X: np.ndarray, y: np.ndarray, w_values, b_values) -> np.ndarray:
    """mean((x w + b - y)^2) over all rows for each (b, w) cell, broadcast in blocks of w values."""
    x, m = X[:, 0], len(y)
    chunk = max(1, min(len(w_values), CHUNK_BYTES // (8 * m)))
    out = np.empty((len(b_values), len(w_values)))
    for j, b in enumerate(b_values):
        offset = b - y  # shared by every w of this row
        for start in range(0, len(w_values), chunk):
            residual = np.multiply.outer(w_values[start:start + chunk], x)
            residual += offset
            out[j, start:start + chunk] = np.einsum("ij,ij->i", residual, residual) / m
    return out


def bench_surface(data: gdviz.Dataset, repeat: int, timed_rows: int):
    """The results-table row for loss_surface vs the naive grid, and whether the values agree."""
    w_opt, b_opt = gdviz.optimum(data)
    w_values = np.linspace(w_opt[0] - 3.0, w_opt[0] + 3.0, GRID)
    b_values = np.linspace(b_opt - 3.0, b_opt + 3.0, GRID)
    t_gdviz, surface = best_of(repeat, lambda: (fresh(data),),
                               lambda d: gdviz.loss_surface(d, w_values, b_values))

    # Rows spread over the whole grid, so the value check covers it; each row costs the same.
    timed_rows = max(1, min(timed_rows, GRID))
    picked = np.linspace(0, GRID - 1, timed_rows).round().astype(int)
    t_subset, naive = best_of(repeat, lambda: (data.X, data.y),
                              lambda X, y: naive_surface_rows(X, y, w_values, b_values[picked]))
    t_naive = t_subset * GRID / timed_rows
    extrapolated = timed_rows < GRID
    print(f"surface: {GRID}x{GRID} grid, w* +/- 3, b* +/- 3; naive version timed on {timed_rows} of "
          f"{GRID} b-rows ({timed_rows * GRID:,} cells, best {t_subset:.3f} s)"
          + (f" and extrapolated linearly x{GRID / timed_rows:g} to the full grid" if extrapolated else ""))
    diff = relative_difference(surface[picked], naive)
    ok = diff <= TOLERANCE
    print(f"check loss_surface vs naive on the {timed_rows * GRID:,} cells computed: max rel diff "
          f"{diff:.1e}: {'OK' if ok else 'MISMATCH'} (tolerance {TOLERANCE:g})")
    label = f"loss_surface {GRID}x{GRID} vs naive" + (" (extrapolated)" if extrapolated else "")
    return [(label, t_gdviz, t_naive)], ok


# --- report --------------------------------------------------------------------------------------

def print_machine() -> None:
    print(f"python {platform.python_version()}, numpy {np.__version__}, cpu count {os.cpu_count()}, "
          f"{platform.machine()} {platform.system()}")
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}")
    try:
        import torch
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    except ImportError:
        pass


def print_table(rows) -> None:
    width = max(len(what) for what, *_ in rows)
    print(f"{'what':<{width}}  {'gdviz s':>9}  {'naive s':>9}  {'ratio':>14}")
    for what, t_gdviz, t_naive in rows:
        ratio = t_naive / t_gdviz
        verdict = f"{ratio:8.0f}x faster" if ratio >= 1 else f"{1 / ratio:8.1f}x slower"
        print(f"{what:<{width}}  {t_gdviz:9.4f}  {t_naive:9.3f}  {verdict}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="data rows (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; best is kept (default 3)")
    parser.add_argument("--grid-rows", type=int, default=8,
                        help=f"b-rows of the {GRID}x{GRID} grid the naive surface is timed on (default 8)")
    args = parser.parse_args(argv)
    if args.rows < 2 or args.repeat < 1 or args.grid_rows < 1:
        parser.error("need --rows >= 2, --repeat >= 1 and --grid-rows >= 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print_machine()
    data = gdviz.synthetic(n=args.rows, weights=2.0, bias=1.0, noise=1.0, seed=0)
    print(f"data: {data.m:,} rows, 1 feature, seed 0; best of {args.repeat}; gdviz times include "
          "gathering its statistics (fresh Dataset each repetition)")
    descent_rows, descent_ok = bench_descent(data, args.repeat)
    surface_rows, surface_ok = bench_surface(data, args.repeat, args.grid_rows)
    print()
    print_table(descent_rows + surface_rows)
    return 0 if descent_ok and surface_ok else 1


if __name__ == "__main__":
    sys.exit(main())
