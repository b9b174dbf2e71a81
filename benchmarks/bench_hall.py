"""A full lecture hall: thirty students open the lecturer's link within seconds.

Run from the repository root:

    python benchmarks/bench_hall.py [--students 30] [--within 3] [--rounds 2]
    python benchmarks/bench_hall.py --replicas 2 [--students 500] [--within 10] [--ref HEAD]   # needs nginx

For each of two apps, gdviz (app.py) and a minimal one-chart Streamlit app (one_chart_app.py), a
fresh ``streamlit run`` server on 127.0.0.1 receives N websocket sessions (the way a browser tab
runs the page, see st_client.py), each starting at a random moment within W seconds. Each session
runs the script once and reads every message until ``script_finished``. Reported per app: how many
got a whole page (script finished, no exception, the views' component or the chart present), the
median and the slowest time from opening the socket to the whole page, and the server's peak
resident memory (sampled from /proc every 0.1 s). gdviz's sessions all open the same link, so its
shared caches should compute the run once: the script's cache misses are counted from its log.

``--replicas N`` (the lecture hall past one process): N ``streamlit run`` replicas of app.py behind
nginx (Debian's package; deploy/nginx.conf with its compose service replaced by the loopback
replicas, so the same cookie-sticky upstream and websocket upgrade), then, in the same run, one
replica behind the same nginx, then the one-chart app (one replica behind nginx). Each receives
``--students`` (default 500) websocket sessions through nginx, arriving within W seconds, whose
links carry one of ten learning rates (``?lr=...``, as a link the lecturer shows); when every first
run is over, each session changes its learning rate once (the select_slider's widget state, as the
browser sends it; the one-chart app: its slider), again within W seconds. Reported: sessions served
(script finished, no exception, the component's spec.run.lr equal to the rate asked), the slowest
first run, the median and p95 of the change, and each replica's peak resident memory.

Loopback only; the number of sessions and every wait are bounded. A measurement script, not a
test: it prints ratios and asserts no time limits.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import st_client  # noqa: E402
from st_client import (BenchError, Session, find_slider, free_port, select_slider_state, slider_state,  # noqa: E402
                       streamlit_server)
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APPS = {"gdviz": ROOT / "app.py", "one chart": ROOT / "benchmarks" / "one_chart_app.py"}
MAX_STUDENTS = 200
MAX_HALL = 1000  # sessions through nginx (--replicas)
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
# Ten learning rates a lecturer's links carry (all converge on the default data; each is one of the
# control's options, so the change below picks another of them).
LINK_RATES = ["0.01", "0.012", "0.015", "0.02", "0.025", "0.03", "0.04", "0.05", "0.06", "0.08"]


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


# ---------------------------------------------------------------- --replicas: behind nginx

@dataclass
class LinkSession(Session):
    """A Session whose every rerun_script carries a link's query string, as a browser sends its URL."""
    query: str = ""

    def __enter__(self):
        # As Session, without the client's keepalive pings (a browser sends none): with hundreds of
        # sessions in one Python process, a late pong would close a session the server still serves.
        self.ws = connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"], compression=None,
                          max_size=None, open_timeout=60, close_timeout=5, ping_interval=None).__enter__()
        send = self.ws.send

        def with_link(data):
            back = BackMsg()
            back.ParseFromString(data)
            if back.WhichOneof("type") == "rerun_script":
                back.rerun_script.query_string = self.query
            send(back.SerializeToString())

        self.ws.send = with_link
        return self


def loopback_conf(port: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with its compose service ('app', which resolves only inside compose)
    replaced by loopback replicas, listening on 127.0.0.1:port (tests/test_deploy.py does the same)."""
    text = NGINX_CONF.read_text()
    servers = " ".join(f"server 127.0.0.1:{p};" for p in upstreams)
    text, n = re.subn(r"server\s+app:\d+\s*;", servers, text)
    text, m = re.subn(r"listen\s+\d+\s*;", f"listen 127.0.0.1:{port};", text)
    if (n, m) != (1, 1):
        raise BenchError("deploy/nginx.conf has no 'server app:PORT;' upstream or no 'listen PORT;'")
    return text


@contextmanager
def nginx(upstreams: list[int], log_dir: Path):
    """Debian's nginx in front of ``upstreams`` on a free loopback port; yields the port."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise BenchError("nginx is not installed (apt-get install -y nginx)")
    port = free_port()
    prefix = Path(tempfile.mkdtemp(prefix="nginx-", dir=log_dir))
    conf = prefix / "nginx.conf"
    conf.write_text(loopback_conf(port, upstreams))
    log = open(prefix / "nginx.log", "w")
    process = subprocess.Popen([binary, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf),
                                "-g", f"daemon off; pid {prefix / 'nginx.pid'};"], stdout=log, stderr=subprocess.STDOUT)
    try:
        st_client.wait_until_healthy(process, port, "nginx", 30, lambda: (prefix / "error.log").read_text()[-500:])
        yield port, process.pid
    finally:
        st_client.stop(process)
        log.close()


def tree_mb(pid: int) -> float:
    """Resident memory of a process and its children (nginx: master and workers)."""
    total = resident_mb(pid)
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                if int((child / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    total += resident_mb(int(child.name))
            except (OSError, ValueError, IndexError):
                pass
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))] if ordered else float("nan")


def lr_of(run) -> float | None:
    for component in run.elements("component_instance"):
        return json.loads(component.json_args)["spec"]["run"]["lr"]
    return None


def linked_student(port: int, gdviz_app: bool, rate: str, arrive: float, change_at: float, start_changes: threading.Event,
                   out: dict) -> None:
    """One student: opens the link, waits for the whole page, then changes the learning rate once."""
    try:
        time.sleep(arrive)
        with LinkSession(port, query=f"lr={rate}" if gdviz_app else "") as session:
            start = time.perf_counter()
            first = session.run()
            out["first"] = time.perf_counter() - start
            if gdviz_app:
                got = lr_of(first)
                if got is None or abs(got - float(rate)) > 1e-12:
                    raise BenchError(f"link lr={rate}: the page shows lr={got}")
                slider = find_slider(first, "Learning rate")
                new = LINK_RATES[(LINK_RATES.index(rate) + 1) % len(LINK_RATES)]
                option = next(o for o in slider.options if abs(float(o) - float(new)) <= 1e-12)
                change = [select_slider_state(slider.id, option)]
            else:
                if not any(True for _ in first.elements("plotly_chart")):
                    raise BenchError("the one-chart app drew no chart")
                slider = find_slider(first, "Frequency")
                new = slider.max - slider.step * (int(out["key"]) % 5)  # away from the default
                change = [slider_state(slider.id, new)]
            out["ready"] = True
            start_changes.wait(timeout=st_client.RUN_TIMEOUT * 3)
            time.sleep(change_at)
            start = time.perf_counter()
            second = session.run(change)
            out["change"] = time.perf_counter() - start
            if gdviz_app:
                got = lr_of(second)
                if got is not None and abs(got - float(new)) > 1e-12:
                    raise BenchError(f"changed to lr={new}: the page shows lr={got}")
                if got is None and not second.count("ref_hash"):
                    raise BenchError(f"changed to lr={new}: no component in the rerun")
    except (BenchError, OSError, TimeoutError, StopIteration) as error:
        out["error"] = f"{type(error).__name__}: {error}"
    except Exception as error:  # noqa: BLE001 - a student's failure is a result, not the benchmark's end
        out["error"] = f"{type(error).__name__}: {error}"
    finally:
        out["ready"] = True


def replica_hall(app: Path, gdviz_app: bool, replicas: int, students: int, within: float, log_dir: Path) -> dict:
    with ExitStack() as stack:
        ports = [stack.enter_context(streamlit_server(app, log_dir, cwd=app.parent)) for _ in range(replicas)]
        pids = [server_pid(port) for port in ports]
        for port in ports:  # each replica's own start-up is not the students' wait
            with Session(port) as warm:
                warm.run()
        proxy, nginx_pid = stack.enter_context(nginx(ports, log_dir))
        peaks, stop = [0.0] * replicas, threading.Event()
        proxy_peak = [0.0]

        def sample():
            while not stop.is_set():
                for i, pid in enumerate(pids):
                    if pid:
                        try:
                            peaks[i] = max(peaks[i], resident_mb(pid))
                        except OSError:
                            pass
                try:
                    proxy_peak[0] = max(proxy_peak[0], tree_mb(nginx_pid))
                except OSError:  # a worker came or went
                    pass
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rng = random.Random(0)
        outs = [{"key": str(i)} for i in range(students)]
        go = threading.Event()
        threads = [threading.Thread(target=linked_student, daemon=True,
                                    args=(proxy, gdviz_app, LINK_RATES[i % len(LINK_RATES)], rng.uniform(0, within),
                                          rng.uniform(0, within), go, outs[i]))
                   for i in range(students)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + within + st_client.RUN_TIMEOUT * 2
        while not all(o.get("ready") for o in outs) and time.monotonic() < deadline:
            time.sleep(0.2)
        opened = time.perf_counter() - began
        after_first = [resident_mb(pid) if pid else 0.0 for pid in pids]
        go.set()
        for thread in threads:
            thread.join(timeout=within + st_client.RUN_TIMEOUT * 2)
        stop.set()
        sampler.join(timeout=5)
    firsts = [o["first"] for o in outs if "first" in o]
    changes = [o["change"] for o in outs if "change" in o and "error" not in o]
    errors = [o["error"] for o in outs if "error" in o]
    return {"served": sum("change" in o and "error" not in o for o in outs), "errors": errors,
            "first_slowest": max(firsts, default=float("nan")), "first_median": statistics.median(firsts) if firsts else float("nan"),
            "first_p95": percentile(firsts, 0.95), "change_median": statistics.median(changes) if changes else float("nan"),
            "change_p95": percentile(changes, 0.95), "change_slowest": max(changes, default=float("nan")),
            "peaks": peaks, "after_first": after_first, "proxy_mb": proxy_peak[0], "opened": opened}


def replicas_main(args) -> int:
    students = max(1, min(args.students, MAX_HALL))
    st_client.RUN_TIMEOUT = args.run_timeout
    log_dir = Path(tempfile.mkdtemp(prefix="gdviz-hall-"))
    gdviz_app = APPS["gdviz"]
    if args.ref:  # a clean snapshot of app.py, gdviz and .streamlit (the working tree may be mid-edit)
        from bench_phone import snapshot
        gdviz_app = snapshot(args.ref, log_dir / "snapshot")
    configs = [("gdviz", gdviz_app, True, args.replicas), ("gdviz", gdviz_app, True, 1),
               ("one chart", APPS["one chart"], False, 1)]
    print(f"{students} sessions through nginx, arriving within {args.within:g} s, links with {len(LINK_RATES)} "
          f"learning rates; then each changes its rate once, within {args.within:g} s; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    rows = []
    for name, app, gdviz_app, replicas in configs:
        print(f"  {name}, {replicas} replica(s) ...", file=sys.stderr, flush=True)
        try:
            rows.append((name, replicas, replica_hall(app, gdviz_app, replicas, students, args.within, log_dir)))
        except BenchError as error:
            print(f"measurement failed: {error}; logs in {log_dir}", file=sys.stderr)
            return 1
    print(f"\n{'app':10s}{'replicas':>9s}{'served':>12s}{'first run: median':>19s}{'p95':>7s}{'slowest':>9s}"
          f"{'lr change: median':>19s}{'p95':>7s}{'slowest':>9s}   peak MB per replica (after first runs)  nginx MB")
    for name, replicas, r in rows:
        memory = ", ".join(f"{p:.0f} ({a:.0f})" for p, a in zip(r["peaks"], r["after_first"]))
        print(f"{name:10s}{replicas:>9d}{r['served']:>7d} / {students:<3d}{r['first_median']:>19.2f}{r['first_p95']:>7.2f}"
              f"{r['first_slowest']:>9.2f}{r['change_median']:>19.2f}{r['change_p95']:>7.2f}{r['change_slowest']:>9.2f}"
              f"   {memory}  {r['proxy_mb']:.0f}")
        for error in sorted(set(r["errors"]))[:5]:
            print(f"{'':10s}{r['errors'].count(error)} x {error[:200]}")
    (_, _, many), (_, _, one), (_, _, chart) = rows
    print(f"\nslowest first run: gdviz {args.replicas} replicas / one-chart {many['first_slowest'] / chart['first_slowest']:.2f}x, "
          f"gdviz 1 replica / one-chart {one['first_slowest'] / chart['first_slowest']:.2f}x, "
          f"{args.replicas} replicas / 1 replica {many['first_slowest'] / one['first_slowest']:.2f}x")
    print(f"p95 of the lr change: gdviz {args.replicas} replicas / one-chart {many['change_p95'] / chart['change_p95']:.2f}x, "
          f"gdviz 1 replica / one-chart {one['change_p95'] / chart['change_p95']:.2f}x, "
          f"{args.replicas} replicas / 1 replica {many['change_p95'] / one['change_p95']:.2f}x")
    per = [p for p in many["peaks"]]
    print(f"memory per gdviz replica: peak {max(per):.0f} MB with ~{students // args.replicas} sessions each "
          f"(1 replica, {students} sessions: {one['peaks'][0]:.0f} MB; one-chart: {chart['peaks'][0]:.0f} MB)")
    print(f"load average at end {' '.join(f'{x:.1f}' for x in os.getloadavg())}; logs: {log_dir}")
    return 0 if all(r["served"] == students for _, _, r in rows) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--within", type=float, default=3.0, help="seconds over which the students arrive")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--replicas", type=int, default=0,
                        help="the hall behind nginx: this many gdviz replicas, then 1, then the one-chart app")
    parser.add_argument("--ref", help="--replicas: serve a clean `git archive REF` snapshot of app.py, gdviz, .streamlit")
    parser.add_argument("--run-timeout", type=float, default=600.0, help="seconds one run may take (--replicas)")
    args = parser.parse_args()
    if args.replicas:
        if "--students" not in sys.argv:
            args.students = 500
        if "--within" not in sys.argv:
            args.within = 10.0
        return replicas_main(args)
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
