"""A class of 500 on two replicas: how fast the lecturer's change reaches every student, how fast 500
guesses reach the lecturer's screen, and what a room costs each replica (issue 22).

Run from the repository root (needs nginx and redis-server, Debian's packages):

    python benchmarks/bench_class.py [--students 500] [--changes 20] [--every 1.0]

What runs: a redis-server on a free loopback port; two ``streamlit run app.py`` replicas with
GDVIZ_REDIS_URL pointing at it (so a room started through one is followed through the other);
deploy/nginx.conf in front of them on loopback (its ``location /class/``, as a hall's proxy). One
room is started through nginx. ``--students`` simulated students (HTTP/1.1 clients on asyncio, one
keep-alive connection each, as a phone's browser holds one) follow it by long poll,
``GET /class/{code}/state?since=v&browser=id``, the way class.js does; their connections spread over
both replicas. The lecturer then makes ``--changes`` step changes, one every ``--every`` seconds
(``POST /class/{code}/state``, with the key); for each change and each student, the time from the
lecturer's POST leaving to that student's poll answering with it. Then the lecturer asks (Predict),
every student posts one guess at once, and the lecturer's screen polls ``/guesses`` every 0.1 s (class.js
does every 0.5 s) until all of them are counted: the time from the last guess answered to the
count being whole. Reported: p50, p95 and the slowest delivery; the guesses' time; each replica's
resident memory before the room and after (from /proc).

Loopback only; every loop is bounded in count and time. A measurement script, not a test.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hall import nginx, percentile, resident_mb, server_pid  # noqa: E402
from st_client import BenchError, free_port, streamlit_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MAX_STUDENTS = 2000
MAX_CHANGES = 200
GIVE_UP = 60.0  # s: a student, a change or the guesses not done by then is counted as lost


@contextmanager
def redis_server(log_dir: Path):
    """Debian's redis-server on a free loopback port, nothing saved; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise BenchError("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    log = open(log_dir / "redis.log", "w")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError("redis-server did not answer PING within 20 s")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


class Client:
    """One HTTP/1.1 keep-alive connection to nginx (a student's phone, or the lecturer's page)."""

    def __init__(self, port: int, key: str | None = None):
        self.port, self.key = port, key
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        for attempt in range(2):  # a keep-alive connection the proxy closed meanwhile: open another once
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                data = b"" if body is None else json.dumps(body).encode()
                head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(data)}"]
                if body is not None:
                    head.append("Content-Type: application/json")
                if self.key:
                    head.append(f"Authorization: Bearer {self.key}")
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                await self.writer.drain()
                status_line = await self.reader.readline()
                status, length = int(status_line.split()[1]), 0
                while (line := await self.reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                return status, json.loads(await self.reader.readexactly(length)) if length else {}
            except (ConnectionError, asyncio.IncompleteReadError, IndexError, ValueError):
                self.close()
                if attempt:
                    raise
        raise BenchError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def follow(port: int, code: str, index: int, seen: dict, stop: asyncio.Event, ready: list) -> None:
    """A student's page: long polls, noting when each answer arrives and the step it shows."""
    client, since, browser = Client(port), 0, f"student-{index:05d}"
    try:
        while not stop.is_set():
            status, room = await client.request("GET", f"/class/{code}/state?since={since}&browser={browser}")
            now = time.perf_counter()
            if stop.is_set():  # the class is over: what it answers now (410, ended) is not a refusal
                break
            if status != 200:
                seen.setdefault("errors", []).append(status)
                await asyncio.sleep(1)
                continue
            if since == 0:
                ready.append(index)
            since = room["version"]
            seen.setdefault(index, []).append((now, room["view"]["step"]))
    finally:
        client.close()


async def guess(port: int, code: str, index: int, question: dict) -> tuple[int, float]:
    client = Client(port)
    w_low, w_high, b_low, b_high = question["box"]
    body = {"browser": f"student-{index:05d}", "question": question["id"],
            "w": random.uniform(w_low, w_high), "b": random.uniform(b_low, b_high)}
    try:
        status, _ = await client.request("POST", f"/class/{code}/guess", body)
        return status, time.perf_counter()
    finally:
        client.close()


async def lecture(port: int, students: int, changes: int, every: float) -> dict:
    lecturer = Client(port)
    status, started = await lecturer.request("POST", "/class/start", {"link": {"steps": "100"}})
    if status != 200:
        raise BenchError(f"/class/start answered {status}: {started}")
    code, lecturer.key, version = started["code"], started["token"], started["version"]
    seen: dict = {}
    stop, ready = asyncio.Event(), []
    followers = [asyncio.create_task(follow(port, code, i, seen, stop, ready)) for i in range(students)]
    deadline = time.monotonic() + GIVE_UP
    while len(ready) < students and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    joined = len(ready)
    await asyncio.sleep(0.5)  # every student is waiting in its long poll
    sent = {}
    for step in range(1, changes + 1):
        version += 1
        sent[step] = time.perf_counter()
        status, room = await lecturer.request("POST", f"/class/{code}/state", {"version": version, "step": step})
        if status != 200:
            raise BenchError(f"the lecturer's change answered {status}: {room}")
        await asyncio.sleep(every)
    await asyncio.sleep(2)
    # a change reached a student when its poll first answered with that step or a later one
    delays = [next((at for at, shown in seen.get(i, []) if shown >= step and at >= sent[step]), float("inf")) - sent[step]
              for step in sent for i in range(students)]

    status, room = await lecturer.request("POST", f"/class/{code}/question", {"k": 10})
    if status != 200:
        raise BenchError(f"Predict answered {status}: {room}")
    question = room["question"]
    asked = time.perf_counter()
    answers = await asyncio.gather(*(guess(port, code, i, question) for i in range(students)))
    last = max(at for _, at in answers)
    counted, count = float("inf"), 0
    deadline = time.monotonic() + GIVE_UP
    while time.monotonic() < deadline:
        status, cloud = await lecturer.request("GET", f"/class/{code}/guesses")
        count = cloud.get("count", 0)
        if count >= sum(status == 200 for status, _ in answers):
            counted = time.perf_counter()
            break
        await asyncio.sleep(0.1)
    stop.set()
    await lecturer.request("POST", f"/class/{code}/end", {})
    for task in followers:
        task.cancel()
    await asyncio.gather(*followers, return_exceptions=True)
    lecturer.close()
    return {"joined": joined, "delays": delays, "guessed": sum(s == 200 for s, _ in answers), "counted": count,
            "after_last": counted - last, "answered_in": last - asked, "errors": seen.get("errors", [])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between the lecturer's changes")
    parser.add_argument("--page", type=Path, default=ROOT / "app.py", help="the page Streamlit serves (app.py)")
    args = parser.parse_args()
    if not 1 <= args.students <= MAX_STUDENTS or not 1 <= args.changes <= MAX_CHANGES or not 0.1 <= args.every <= 10:
        parser.error(f"--students 1..{MAX_STUDENTS}, --changes 1..{MAX_CHANGES}, --every 0.1..10")
    log_dir = Path(tempfile.mkdtemp(prefix="bench-class-"))
    with ExitStack() as stack:
        url = stack.enter_context(redis_server(log_dir))
        os.environ["GDVIZ_REDIS_URL"] = url  # both replicas' rooms in this Redis
        ports = [stack.enter_context(streamlit_server(args.page, log_dir)) for _ in range(2)]
        pids = [server_pid(port) for port in ports]
        before = [resident_mb(pid) for pid in pids]
        proxy, _ = stack.enter_context(nginx(ports, log_dir))
        result = asyncio.run(lecture(proxy, args.students, args.changes, args.every))
        after = [resident_mb(pid) for pid in pids]
    delays = result["delays"]
    arrived = [d for d in delays if d != float("inf")]
    print(f"{args.students} students ({result['joined']} joined) in one room, two replicas over Redis behind nginx; "
          f"{args.changes} step changes, one every {args.every:g} s")
    print(f"lecturer's change → student's page: p50 {percentile(arrived, 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(arrived, 0.95) * 1000:.0f} ms, slowest {max(arrived) * 1000:.0f} ms "
          f"({len(arrived)} of {len(delays)} deliveries; goal p95 ≤ 1000 ms)")
    print(f"{result['guessed']} guesses sent at once, all answered within {result['answered_in'] * 1000:.0f} ms; "
          f"{result['counted']} counted on the lecturer's screen {result['after_last'] * 1000:.0f} ms after the last "
          f"was answered (goal ≤ 2000 ms)")
    print("resident memory per replica: " + ", ".join(f"{b:.0f} MB before the room, {a:.0f} MB after"
                                                      for b, a in zip(before, after)))
    if result["errors"]:
        print(f"refused polls: {len(result['errors'])} ({sorted(set(result['errors']))})")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}; logs: {log_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
