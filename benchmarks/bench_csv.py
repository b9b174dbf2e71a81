"""Benchmark gdviz.read_csv against pandas.read_csv on large two-column CSV files, side by side.

Run from the repository root (no install needed):

    python3 benchmarks/bench_csv.py [--rows N] [--repeat R]

It writes two files of N rows (default 1,000,000) of "x,y", y = 2x + 1 + noise with seed 0: one with
every number as ``%.6f`` (short numbers, like most real files) and one with 17 significant digits
(``%.17g``: every float64 round-trips, the longest numbers a float64 needs). On each file it times
``read_csv(path)`` against ``pandas.read_csv(path)``, alternating the two (and the files) so a busy
machine slows both alike. Each time is the best of R tries, as wall time (time.perf_counter) and
as CPU time of this process (time.process_time; both readers run on one thread, so on a busy
machine the CPU time is the steadier of the two). read_csv does more than pandas (decoding,
guessing the separator, checking every column and every number, building a Dataset), so the budget
is a ratio: read_csv within 2x of pandas.

It first times both readers on files of commas within the upload cap (one line of a million commas,
one of twenty million, rows as wide as allowed under a two-name header, 500 columns of numbers):
each is read or refused by read_csv within the same 2x of pandas on the same bytes.

This is a measurement script, not a test: it asserts no time limits, but exits 1 if the values
read by the two disagree (they are compared exactly, with each other and with the numbers written).
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
from gdviz import read_csv  # noqa: E402

BUDGET = 2.0  # read_csv within 2x of pandas.read_csv
FORMATS = {"%.6f": "%.6f", "17 digits": "%.17g"}


def write_csv(path: Path, rows: int, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Write the file, and return the numbers as written (parsed back from the text itself)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-50.0, 150.0, rows)
    y = 2.0 * x + 1.0 + rng.standard_normal(rows)
    with open(path, "w", newline="") as file:
        file.write("x,y\n")
        np.savetxt(file, np.column_stack([x, y]), fmt=fmt, delimiter=",", newline="\n")
    if fmt == "%.17g":
        return x, y  # %.17g round-trips every float64 exactly
    return np.array([float(fmt % v) for v in x]), np.array([float(fmt % v) for v in y])


def time_all(paths: dict[str, Path], repeat: int):
    """Best wall and CPU times of read_csv and pandas.read_csv on each file, interleaved, and the
    last result of each: {(file, reader): seconds}, and the same for results."""
    wall, cpu, results = {}, {}, {}
    readers = {"gdviz": read_csv, "pandas": pd.read_csv}
    for _ in range(repeat):
        for label, path in paths.items():
            for reader, read in readers.items():
                key = (label, reader)
                start, start_cpu = time.perf_counter(), time.process_time()
                results[key] = read(path)
                cpu[key] = min(cpu.get(key, float("inf")), time.process_time() - start_cpu)
                wall[key] = min(wall.get(key, float("inf")), time.perf_counter() - start)
    return wall, cpu, results


def checks(data, frame, x, y, rows: int) -> dict[str, bool]:
    return {
        "shape": data.X.shape == (rows, 1) and data.y.shape == (rows,),
        "names": data.feature_names == ("x",) and data.target_name == "y" and data.rows_dropped == 0,
        "read_csv == pandas": np.array_equal(data.X[:, 0], frame["x"].to_numpy(np.float64))
                              and np.array_equal(data.y, frame["y"].to_numpy(np.float64)),
        "read_csv == values written": np.array_equal(data.X[:, 0], x) and np.array_equal(data.y, y),
    }


UPLOAD_CAP = 20 * 2**20  # .streamlit/config.toml's maxUploadSize (20 MB)


def hostile_files() -> dict[str, bytes]:
    """Files of commas within the upload cap (issue 21, item 7): each is refused by both readers
    (or, the last, read by both)."""
    row = ",".join(["1"] * 499) + "\n"  # as wide as a row may be (500 values)
    return {
        "1M commas on one line (1 MB)": b"x,y\n1,2\n" + b"," * 1_000_000 + b"\n",
        "20M commas on one line (20 MB)": b"x,y\n" + b"," * (UPLOAD_CAP - 10) + b"\n",
        "rows of 499 commas, 2 names": b"x,y\n" + (b"," * 499 + b"\n") * (UPLOAD_CAP // 500),
        "500 columns of 1s (20 MB)": (",".join(f"c{i}" for i in range(500)) + "\n").encode()
        + ((row.rstrip("\n") + ",1\n").encode()) * (UPLOAD_CAP // 1000),
    }


PANDAS_LIMIT = 60.0  # seconds: pandas takes minutes on a line of twenty million commas right after the header


def pandas_within(raw: bytes, limit: float) -> str:
    """pandas.read_csv of ``raw`` in a child process cut off after ``limit`` seconds: "<seconds> read",
    "<seconds> refused: …" (timed in the child, after pandas is imported and the bytes read) or "over …"."""
    import subprocess

    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        file.write(raw)
        file.flush()
        code = ("import sys, time, io, pandas as pd\n"
                "raw = open(sys.argv[1], 'rb').read(); start = time.perf_counter()\n"
                "try:\n    pd.read_csv(io.BytesIO(raw)); what = 'read'\n"
                "except Exception as error:\n    what = 'refused: ' + str(error).splitlines()[0][:70]\n"
                "print(time.perf_counter() - start, what)\n")
        try:
            done = subprocess.run([sys.executable, "-c", code, file.name], capture_output=True, text=True,
                                  timeout=limit)
        except subprocess.TimeoutExpired:
            return f"over {limit:.0f} s (stopped)"
    return done.stdout.strip()


def time_hostile(repeat: int) -> None:
    """Wall time of read_csv (read or refused with a sentence) against pandas.read_csv (read, or its
    ParserError) on the same bytes, best of ``repeat``."""
    import io

    from gdviz import DataError

    print(f"Files of commas within the upload cap ({UPLOAD_CAP // 2**20} MB); best of {repeat}, wall seconds:")
    for label, raw in hostile_files().items():
        best = {"gdviz": float("inf"), "pandas": float("inf")}
        outcome = {}
        for _ in range(repeat):
            for reader in best:
                if reader == "pandas" and outcome.get("pandas", "").startswith("over"):
                    continue
                start = time.perf_counter()
                try:
                    if reader == "gdviz":
                        read_csv(raw)
                    else:
                        answer = pandas_within(raw, PANDAS_LIMIT)
                        if answer.startswith("over"):
                            best[reader], outcome[reader] = PANDAS_LIMIT, answer
                            continue
                        seconds, outcome[reader] = answer.split(" ", 1)
                        best[reader] = min(best[reader], float(seconds))
                        continue
                    outcome[reader] = "read"
                except (DataError, pd.errors.ParserError, ValueError) as error:
                    outcome[reader] = f"refused: {str(error).splitlines()[0][:70]}"
                best[reader] = min(best[reader], time.perf_counter() - start)
        ratio = best["gdviz"] / best["pandas"]
        print(f"  {label:<32} {len(raw) / 2**20:5.1f} MB  gdviz {best['gdviz']:7.3f}  pandas {best['pandas']:7.3f}  "
              f"ratio {ratio:5.2f}x (budget {BUDGET:g}x: {'within' if ratio <= BUDGET else 'OVER'})")
        print(f"      gdviz {outcome['gdviz']}; pandas {outcome.get('pandas', '')}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in each CSV file (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="tries per reader and file; the best counts (default 5)")
    parser.add_argument("--hostile-only", action="store_true", help="only the files of commas (issue 21, item 7)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"cpu count {os.cpu_count()}, {platform.machine()}, load {os.getloadavg()[0]:.1f}")
    time_hostile(min(args.repeat, 3))
    if args.hostile_only:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        paths, written, sizes = {}, {}, {}
        for label, fmt in FORMATS.items():
            paths[label] = Path(folder) / f"big_{len(paths)}.csv"
            written[label] = write_csv(paths[label], args.rows, fmt)
            sizes[label] = paths[label].stat().st_size
        wall, cpu, results = time_all(paths, args.repeat)

    print(f"{args.rows:,} rows x 2 columns; best of {args.repeat}, seconds (wall / CPU):")
    print(f"  {'file':<10} {'MB':>6}  {'gdviz.read_csv':>15}  {'pandas.read_csv':>15}  "
          f"{'ratio wall':>10}  {'ratio CPU':>9}")
    failed = False
    for label in FORMATS:
        g, p = (label, "gdviz"), (label, "pandas")
        ratio_wall, ratio_cpu = wall[g] / wall[p], cpu[g] / cpu[p]
        verdict = "within" if min(ratio_wall, ratio_cpu) <= BUDGET else "OVER"
        print(f"  {label:<10} {sizes[label] / 2**20:6.1f}  {wall[g]:6.3f} / {cpu[g]:6.3f}  "
              f"{wall[p]:6.3f} / {cpu[p]:6.3f}  {ratio_wall:9.2f}x  {ratio_cpu:8.2f}x  "
              f"(budget {BUDGET:g}x: {verdict})")
    for label in FORMATS:
        for what, ok in checks(results[(label, "gdviz")], results[(label, "pandas")], *written[label],
                               args.rows).items():
            print(f"check {label}, {what}: {'ok' if ok else 'FAILED'}")
            failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
