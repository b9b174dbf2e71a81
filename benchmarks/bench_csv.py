"""Benchmark gdviz.data.read_csv against pandas.read_csv on a large two-column CSV file.

Run from the repository root (no install needed):

    python3 benchmarks/bench_csv.py [--rows N] [--repeat R] [--digits D]

It writes N rows (default 1,000,000) of "x,y" to a temporary file, y = 2x + 1 + noise with
seed 0, each number with D significant digits (default 17: every float64 round-trips), and times
``read_csv(path)`` against ``pandas.read_csv(path)`` on that file, alternating the two so a busy
machine slows both alike. Each time is the best of R tries, as wall time (time.perf_counter) and
as CPU time of this process (time.process_time; both readers run on one thread, so on a busy
machine the CPU time is the steadier of the two). read_csv does more
than pandas (decoding, guessing the separator, checking every column, building a Dataset), so the
issue's budget is a ratio: read_csv within 3x of pandas.

This is a measurement script, not a test: it asserts no time limits, but exits 1 if the values
read by the two disagree (they are compared exactly).
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

# Benchmark the checkout this file lives in, not whatever gdviz may be installed elsewhere.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gdviz.data import read_csv  # noqa: E402

BUDGET = 3.0  # the issue: read_csv within 3x of pandas.read_csv


def write_csv(path: Path, rows: int, digits: int) -> tuple[np.ndarray, np.ndarray]:
    """Write the file, and return the numbers as written (parsed back from the text itself)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-50.0, 150.0, rows)
    y = 2.0 * x + 1.0 + rng.standard_normal(rows)
    fmt = f"%.{digits}g"
    with open(path, "w", newline="") as file:
        file.write("x,y\n")
        np.savetxt(file, np.column_stack([x, y]), fmt=fmt, delimiter=",", newline="\n")
    if digits >= 17:
        return x, y  # %.17g round-trips every float64 exactly
    return np.array([float(fmt % v) for v in x]), np.array([float(fmt % v) for v in y])


def time_both(path: Path, repeat: int):
    """Best wall and CPU times of read_csv and pandas.read_csv, interleaved, and the last result of each."""
    wall = {"gdviz": float("inf"), "pandas": float("inf")}
    cpu = dict(wall)
    results = {}
    readers = {"gdviz": lambda: read_csv(path), "pandas": lambda: pd.read_csv(path)}
    for _ in range(repeat):
        for label, reader in readers.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            results[label] = reader()
            cpu[label] = min(cpu[label], time.process_time() - start_cpu)
            wall[label] = min(wall[label], time.perf_counter() - start)
    return wall, cpu, results


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the CSV file (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="tries per reader; the best counts (default 3)")
    parser.add_argument("--digits", type=int, default=17, help="significant digits per number (default 17)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"cpu count {os.cpu_count()}, {platform.machine()}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        start = time.perf_counter()
        x, y = write_csv(path, args.rows, args.digits)
        size = path.stat().st_size
        print(f"file: {args.rows:,} rows x 2 columns, {args.digits} significant digits, "
              f"{size / 2**20:.1f} MB (written in {time.perf_counter() - start:.1f} s)")
        wall, cpu, results = time_both(path, args.repeat)

    data, frame = results["gdviz"], results["pandas"]
    print(f"best of {args.repeat}:                  wall s     CPU s   MB/s (wall)")
    for label, call in (("gdviz", "gdviz.data.read_csv(path)"), ("pandas", "pandas.read_csv(path)")):
        print(f"  {call:<26} {wall[label]:8.3f}  {cpu[label]:8.3f}   {size / 2**20 / wall[label]:7.1f}")
    for what, best in (("wall", wall), ("CPU", cpu)):
        ratio = best["gdviz"] / best["pandas"]
        print(f"  ratio read_csv / pandas, {what:<4} {ratio:6.2f} x  (budget {BUDGET:g} x: "
              f"{'within' if ratio <= BUDGET else 'OVER'})")

    checks = {
        "shape": data.X.shape == (args.rows, 1) and data.y.shape == (args.rows,),
        "names": data.feature_names == ("x",) and data.target_name == "y" and data.rows_dropped == 0,
        "read_csv == pandas": np.array_equal(data.X[:, 0], frame["x"].to_numpy(np.float64))
                              and np.array_equal(data.y, frame["y"].to_numpy(np.float64)),
        "read_csv == values written": np.array_equal(data.X[:, 0], x) and np.array_equal(data.y, y),
    }
    for what, ok in checks.items():
        print(f"check {what}: {'ok' if ok else 'FAILED'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
