"""Benchmark the learning-rate sweep: many full-batch runs at once from the sufficient statistics.

Run from the repository root:

    python3 benchmarks/bench_sweep.py [--rows N] [--rates R] [--steps S] [--timed-rates K]

On N synthetic rows (default 1,000,000) it times, side by side in one run:
1. ``gdviz.sweep`` over R learning rates (default 60, log-spaced across the stability limit),
   S full-batch steps each (default 100), statistics gathering included (a fresh Dataset);
2. the same runs as R separate ``gdviz.descend`` calls (same statistics, one run at a time);
3. a plain NumPy loop over the rows: for every learning rate, every step visits all N rows.
   That takes minutes, so only K learning rates (default 3) are timed and the time is scaled
   up linearly to R; the output says so.
Final losses are checked to agree to 1e-9 relative. A measurement script, not a test.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gdviz  # noqa: E402


def naive_final_loss(X, y, lr, steps, bound):
    """Plain gradient descent over all rows at every step; the final loss (or the last finite one)."""
    w, b, m = np.zeros(X.shape[1]), 0.0, len(y)
    last = np.mean(y ** 2)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            residual = X @ w + b - y
            w, b = w - lr * (2.0 / m) * (X.T @ residual), b - lr * (2.0 / m) * residual.sum()
            loss = np.mean((X @ w + b - y) ** 2)
            if not loss <= bound:
                return last
            last = loss
    return last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rates", type=int, default=60)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--timed-rates", type=int, default=3)
    args = parser.parse_args()

    data = gdviz.synthetic(n=args.rows, seed=0, x_offset=1.0)
    lr_max = gdviz.curvature(data).lr_max
    rates = np.geomspace(lr_max * 1e-3, lr_max * 2, args.rates)
    print(f"numpy {np.__version__}; {args.rows:,} rows, {args.rates} learning rates, {args.steps} steps each")

    fresh = gdviz.Dataset(data.X, data.y)
    start = time.perf_counter()
    result = gdviz.sweep(fresh, rates, steps=args.steps)
    t_sweep = time.perf_counter() - start

    start = time.perf_counter()
    separate = [gdviz.descend(fresh, lr=lr, steps=args.steps) for lr in rates]
    t_separate = time.perf_counter() - start

    bound = gdviz.descent.DIVERGENCE_FACTOR * float(np.mean(data.y ** 2))
    picks = np.linspace(0, args.rates - 1, args.timed_rates).astype(int)
    start = time.perf_counter()
    naive = [naive_final_loss(data.X, data.y, rates[i], args.steps, bound) for i in picks]
    t_naive = (time.perf_counter() - start) * args.rates / len(picks)

    ok = all(abs(result.final_loss[i] - run.loss[-1]) <= 1e-9 * abs(run.loss[-1])
             for i, run in enumerate(separate))
    ok &= all(result.diverged[i] or abs(result.final_loss[i] - value) <= 1e-9 * abs(value)
              for i, value in zip(picks, naive))
    print(f"check: sweep = separate descend runs = row loop (on {len(picks)} rates): {'OK' if ok else 'FAILED'}")
    print(f"{result.diverged.sum()} of {args.rates} rates diverged (α_max = {lr_max:.4g})")
    print(f"row loop timed on {len(picks)} of {args.rates} rates and scaled up x{args.rates / len(picks):.0f}\n")
    print(f"{'what':44s}{'seconds':>10s}{'ratio':>16s}")
    print(f"{'gdviz.sweep (all rates at once)':44s}{t_sweep:10.3f}{'1x':>16s}")
    print(f"{'separate gdviz.descend runs':44s}{t_separate:10.3f}{t_separate / t_sweep:>15.0f}x")
    print(f"{'NumPy loop over the rows (extrapolated)':44s}{t_naive:10.1f}{t_naive / t_sweep:>15.0f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
