"""A full lecture hall: thirty students open the lecturer's link within seconds.

Run from the repository root:

    python benchmarks/bench_hall.py [--students 30] [--within 3] [--rounds 2]

For each of two apps, gdviz (app.py) and a minimal one-chart Streamlit app (one_chart_app.py), a
fresh ``streamlit run`` server on 127.0.0.1 receives N websocket sessions (the way a browser tab
runs the page, see st_client.py), each starting at a random moment within W seconds. Each session
runs the script once and reads every message until ``script_finished``. Reported per app: how many
got a whole page (script finished, no exception, the views' component or the chart present), the
median and the slowest time from opening the socket to the whole page, and the server's peak
resident memory (sampled from /proc every 0.1 s). gdviz's sessions all open the same link, so its
shared caches should compute the run once: the script's cache misses are counted from its log.

Loopback only; the number of sessions and every wait are bounded. A measurement script, not a
test: it prints ratios and asserts no time limits.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from st_client import BenchError, Session, streamlit_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APPS = {"gdviz": ROOT / "app.py", "one chart": ROOT / "benchmarks" / "one_chart_app.py"}
MAX_STUDENTS = 200


def server_pid(port: int) -> int | None:
    """The streamlit process listening on ``port`` (found by its command line)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(command) and str(port).encode() in command:
            return int(proc.name)
    return None


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def student(port: int, delay: float, results: list, index: int, kind: str) -> None:
    time.sleep(delay)
    start = time.perf_counter()
    try:
        with Session(port) as session:
            run = session.run()
        whole = any(True for _ in run.elements(kind))
        results[index] = ("ok" if whole else "incomplete page", time.perf_counter() - start)
    except (BenchError, OSError, TimeoutError) as error:
        results[index] = (f"error: {error}", time.perf_counter() - start)


def hall(app: Path, kind: str, students: int, within: float, log_dir: Path) -> dict:
    with streamlit_server(app, log_dir) as port:
        pid = server_pid(port)
        with Session(port) as warm:  # the server's own start-up is not the students' wait
            warm.run()
        peak, stop = [0.0], threading.Event()

        def sample():
            while not stop.is_set():
                if pid:
                    peak[0] = max(peak[0], resident_mb(pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        results: list = [None] * students
        rng = random.Random(0)
        threads = [threading.Thread(target=student, args=(port, rng.uniform(0, within), results, i, kind))
                   for i in range(students)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        stop.set()
        sampler.join(timeout=5)
    times = [t for status, t in results if status == "ok"]
    errors = [status for status, _ in results if status != "ok"]
    return {"whole": len(times), "errors": errors, "median": statistics.median(times) if times else float("nan"),
            "slowest": max(times) if times else float("nan"), "peak_mb": peak[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--within", type=float, default=3.0, help="seconds over which the students arrive")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    students = max(1, min(args.students, MAX_STUDENTS))
    log_dir = Path(tempfile.mkdtemp(prefix="gdviz-hall-"))
    print(f"{students} students arriving within {args.within:g} s, {args.rounds} rounds per app, apps alternating")
    rows = {name: [] for name in APPS}
    for _ in range(args.rounds):
        for name, app in APPS.items():
            kind = "component_instance" if name == "gdviz" else "plotly_chart"
            rows[name].append(hall(app, kind, students, args.within, log_dir))
    print(f"\n{'app':12s}{'whole pages':>14s}{'median s':>10s}{'slowest s':>11s}{'peak MB':>9s}")
    for name, results in rows.items():
        for r in results:
            print(f"{name:12s}{r['whole']:>9d} / {students:<3d}{r['median']:>10.2f}{r['slowest']:>11.2f}{r['peak_mb']:>9.0f}")
            for error in r["errors"][:3]:
                print(f"{'':12s}{error}")
    slow = {name: statistics.median(r["slowest"] for r in results) for name, results in rows.items()}
    median = {name: statistics.median(r["median"] for r in results) for name, results in rows.items()}
    print(f"\nslowest student, gdviz / one chart: {slow['gdviz'] / slow['one chart']:.2f}x (budget 4x)")
    print(f"median student,  gdviz / one chart: {median['gdviz'] / median['one chart']:.2f}x")
    print(f"gdviz server peak memory: {max(r['peak_mb'] for r in rows['gdviz']):.0f} MB (budget 1024 MB)")
    print(f"logs: {log_dir}")
    return 0 if all(r["whole"] == students for results in rows.values() for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
