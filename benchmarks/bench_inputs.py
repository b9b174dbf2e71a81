"""Every input within the caps is served within a few times the default page, with bounded memory.

Run from the repository root (Playwright and Debian's /usr/bin/chromium; never a downloaded browser):

    python benchmarks/bench_inputs.py [--ref REF] [--timeout 300]

One real ``streamlit run app.py`` server (st_client.streamlit_server, flags as in FIELD-NOTES) and
Chromium driven by Playwright, a fresh browser context per case, after one unmeasured warm-up view:

  (a) the default page's first view (median of 2): goto -> the component's views drawn and stApp
      ``notRunning``;
  (b) ``/?opt=adam&steps=2000``, "Upload a CSV file" chosen in "Data set", a 50x500 CSV given to the
      uploader; (c) the same with a 2000x500 CSV (about 6.5 MB); (d) another 2000x500 CSV (new to the
      caches) on a link with two compared runs (``&cmp=momentum:0.001,gd:0.001``); (d2) the same with
      the two compared runs added after the upload (the views only gain traces; see (d)'s errors);
      (e) a 1,000,000-row two-column CSV of ``%.6f`` numbers (18 MB, under the 20 MB cap), ``&batch=sgd``.

New data resets the optimizer, steps, batch and compared runs (the page opens real data on settings
that reach the fit), so after the upload the link's settings are set again through the widgets
(Optimizer -> Adam, Steps -> End = 2000, Batch -> SGD, "Other runs" -> 2 by two key presses). Each of
these steps is timed on its own: from ``set_input_files`` (or the change) until the script is idle and
the views are drawn from the new spec (the component's ``spec.run.m``/``d`` are the file's rows and
min(columns - 1, MAX_FEATURES), or its run id changed; every Plotly.react has resolved or failed).

For each case: the slowest step, its ratio to (a) (budget 5x), the largest websocket message the
browser received from the upload on (Playwright's frame events), and the server's RSS peak (VmRSS of
the streamlit process and its children, sampled every 0.2 s; budget 1.5 GiB). Errors thrown in the page
(Plotly.react rejections, uncaught exceptions) are listed as BROKEN. The machine is noisy: read the
ratios. No time limit is asserted; the exit code is 1 if a case broke or could not be measured.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reruns import snapshot  # noqa: E402
from st_client import ROOT, BenchError, streamlit_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MAX_FEATURES = 20  # gdviz/state.py
BUDGET_RATIO, BUDGET_RSS = 5.0, 1.5 * 2**30
LINK = "/?opt=adam&steps=2000"
# In every frame: count Plotly.react calls still pending, keep their errors.
PLOTLY_WATCH = r"""(() => {
  const W = window.__inputs = {pending: 0, errors: []};
  let plotly;
  Object.defineProperty(window, "Plotly", {configurable: true, get: () => plotly, set(value) {
    plotly = value;
    const react = value && value.react;
    if (typeof react === "function") value.react = function (...args) {
      W.pending += 1;
      const done = () => { W.pending -= 1; }, failed = (e) => { W.errors.push(String(e).slice(0, 300)); done(); };
      try { const result = react.apply(this, args); Promise.resolve(result).then(done, failed); return result; }
      catch (error) { failed(error); throw error; }
    };
  }});
})();"""
VIEWS_STATE = """() => { const g = window.gdviz && gdviz.state, s = g && g.spec, r = s && s.run;
  return r ? {m: r.m, d: r.d, runId: g.runId, optimizer: r.optimizer, steps: r.steps, batch: r.batch_size,
  others: (s.others || []).length, pending: window.__inputs.pending, errors: window.__inputs.errors} : null; }"""
PAGE_STATE = """() => [document.querySelector("[data-testid='stApp']")?.getAttribute("data-test-script-state"),
  [...document.querySelectorAll("[data-testid='stException'], [data-testid='stAlert']")]
    .map((e) => e.innerText).filter((t) => /cannot be used|Error|Traceback/.test(t)).join(" | ")]"""


# ---------------------------------------------------------------- the server's memory

def server_pid(port: int) -> int:
    """The `streamlit run` process serving ``port`` (found by its command line)."""
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if f"--server.port\0{port}\0" in open(f"/proc/{entry}/cmdline").read():
                return int(entry)
        except OSError:
            pass
    raise BenchError(f"no streamlit process serves port {port}")


def rss_bytes(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants (0 for any that has gone)."""
    try:
        status = open(f"/proc/{pid}/status").read()
        kids = [int(kid) for task in os.listdir(f"/proc/{pid}/task")
                for kid in open(f"/proc/{pid}/task/{task}/children").read().split()]
    except OSError:
        return 0
    rss = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return rss + sum(rss_bytes(kid) for kid in kids)


class RssPeak(threading.Thread):
    """Samples rss_bytes(pid) every 0.2 s; ``take()`` gives the peak since the last take()."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, threading.Event()

    def run(self):
        while not self.stopped.wait(0.2):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def take(self) -> int:
        peak, self.peak = max(self.peak, rss_bytes(self.pid)), rss_bytes(self.pid)
        return peak


# ---------------------------------------------------------------- the inputs

def write_csv(path: Path, rows: int, cols: int, fmt: str, seed: int = 0) -> Path:
    """``rows`` x ``cols`` numbers: cols - 1 features and a target linear in them plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 5, (rows, cols - 1)) if cols == 2 else rng.normal(0, 1, (rows, cols - 1))
    y = x @ rng.uniform(0.2, 1.0, cols - 1) + 0.5 + rng.normal(0, 0.3, rows)
    header = ",".join([f"x{i + 1}" for i in range(cols - 1)] + ["y"])
    np.savetxt(path, np.column_stack([x, y]), fmt=fmt, delimiter=",", header=header, comments="")
    return path


# ---------------------------------------------------------------- Chromium

def slider(page, label: str):
    return page.locator("[data-testid='stSlider']").filter(has_text=label).get_by_role("slider").first


def choose(page, box: str, option: str) -> None:
    for attempt in range(3):  # a rerun that redraws the box closes its list: open it again
        try:
            page.get_by_role("combobox", name=box).click()
            page.get_by_role("option", name=option, exact=True).click(timeout=2000)
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")


# The link's settings, set again through the widgets after an upload (new data resets them).
SETTINGS = {"adam": lambda page: choose(page, "Optimizer", "Adam"),
            "2000 steps": lambda page: (slider(page, "Steps").focus(), page.keyboard.press("End")),
            "SGD": lambda page: page.get_by_text("1 (SGD)", exact=True).click(),
            "+1 compared run": lambda page: (slider(page, "Other runs").focus(), page.keyboard.press("ArrowRight"))}


def measure(browser, port: int, link: str, csv: Path | None, rows: int, cols: int, settings: list[str],
            rss: RssPeak, timeout: float) -> dict:
    """Open ``link``; with ``csv``, upload it once the page is ready and time the upload (and then
    each of ``settings``) instead: each until the views are drawn again and the script is idle."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    context.add_init_script(PLOTLY_WATCH)
    largest, errors = [0], []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)[:300]))
        page.on("websocket", lambda ws: ws.on("framereceived", lambda data: largest.__setitem__(
            0, max(largest[0], len(data if isinstance(data, bytes) else data.encode())))))
        rss.take()
        start = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}{link}", wait_until="commit")
        out = {"opened": wait_views(page, lambda v: True, start, timeout, link), "steps": []}
        if csv is not None:
            choose(page, "Data set", "Upload a CSV file")
            uploader = page.locator("[data-testid='stFileUploader'] input[type='file']")
            uploader.wait_for(state="attached", timeout=timeout * 1000)
            wait_views(page, lambda v: True, time.perf_counter(), timeout, "choosing the upload")
            largest[0] = 0
            start = time.perf_counter()
            uploader.set_input_files(str(csv))
            features = min(cols - 1, MAX_FEATURES)
            seconds = wait_views(page, lambda v: (v["m"], v["d"]) == (rows, features), start, timeout, csv.name)
            out["steps"].append(("upload", seconds, views(page)))
            for name in settings:
                before = views(page)["runId"]
                SETTINGS[name](page)
                start = time.perf_counter()  # from the change made (a list may need opening twice)
                seconds = wait_views(page, lambda v: v["runId"] != before, start, timeout, name)
                out["steps"].append((name, seconds, views(page)))
        out.update(largest=largest[0], rss=rss.take(), errors=views(page).get("errors", []) + errors)
        return out
    finally:
        context.close()


def views(page) -> dict:
    for frame in page.frames:
        if "/component/" in frame.url:
            try:
                return frame.evaluate(VIEWS_STATE) or {}
            except PlaywrightError:  # the frame is (re)loading
                return {}
    return {}


def wait_views(page, ready, start: float, timeout: float, what: str) -> float:
    """Poll until the script is idle and the views are drawn (every Plotly.react has resolved or
    failed) from a spec for which ``ready(views)`` holds; returns the seconds since ``start``."""
    while time.perf_counter() - start < timeout:
        state, error = page.evaluate(PAGE_STATE)
        if error:
            raise BenchError(f"{what}: the page shows {error[:300]!r}")
        v = views(page)
        if state == "notRunning" and v.get("m") and v["pending"] == 0 and ready(v):
            return time.perf_counter() - start
        page.wait_for_timeout(100)
    raise BenchError(f"{what}: the views were not drawn within {timeout:.0f} s (last seen {views(page)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", help="measure a clean `git archive REF` snapshot instead of the working tree")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a case counts as broken")
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="gdviz-inputs-") as tmp:
        tmp = Path(tmp)
        app = snapshot(args.ref, tmp / "snapshot") if args.ref else ROOT / "app.py"
        wide = write_csv(tmp / "wide-50x500.csv", 50, 500, "%.6f")
        wider = write_csv(tmp / "wide-2000x500.csv", 2000, 500, "%.3f")
        other, other2 = (write_csv(tmp / f"other{seed}-2000x500.csv", 2000, 500, "%.3f", seed) for seed in (1, 2))
        tall = write_csv(tmp / "tall-1000000x2.csv", 1_000_000, 2, "%.6f")
        if tall.stat().st_size >= 20 * 2**20:
            raise BenchError(f"{tall.name} is {tall.stat().st_size:,} B, over the 20 MB upload cap")
        cases = [("(b) 50x500 CSV, adam, 2000 steps", LINK, wide, 50, 500, ["adam", "2000 steps"]),
                 ("(c) 2000x500 CSV, adam, 2000 steps", LINK, wider, 2000, 500, ["adam", "2000 steps"]),
                 ("(d) (c) + 2 compared runs (cmp in the link)", LINK + "&cmp=momentum:0.001,gd:0.001", other,
                  2000, 500, ["adam", "2000 steps", "+1 compared run", "+1 compared run"]),
                 ("(d2) (c) + 2 compared runs added after", LINK, other2, 2000, 500,
                  ["adam", "2000 steps", "+1 compared run", "+1 compared run"]),
                 ("(e) 1,000,000x2 CSV, adam, 2000 steps, SGD", LINK + "&batch=sgd", tall, 1_000_000, 2,
                  ["adam", "2000 steps", "SGD"])]
        results, broken = [], []
        try:
            with streamlit_server(app, tmp, cwd=app.parent) as port, sync_playwright() as p:
                rss = RssPeak(server_pid(port))
                rss.start()
                idle = rss_bytes(rss.pid)
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                measure(browser, port, "/", None, 0, 0, [], rss, args.timeout)  # warm-up: caches, browser start
                first = [measure(browser, port, "/", None, 0, 0, [], rss, args.timeout) for _ in range(2)]
                base = statistics.median(v["opened"] for v in first)
                results.append(("(a) default page, first view (median of 2)", 0, base, "",
                                max(v["largest"] for v in first), max(v["rss"] for v in first)))
                for label, link, csv, n, k, settings in cases:
                    print(f"  {label} ...", file=sys.stderr, flush=True)
                    try:
                        v = measure(browser, port, link, csv, n, k, settings, rss, args.timeout)
                    except (BenchError, PlaywrightError) as error:  # one broken case: say so, go on
                        broken.append(f"{label}: {str(error).splitlines()[0]}")
                        continue
                    slowest = max(v["steps"], key=lambda step: step[1])
                    results.append((label, csv.stat().st_size, slowest[1], slowest[0], v["largest"], v["rss"]))
                    for name, seconds, w in v["steps"]:
                        print(f"    {label.split()[0]:4s} {name:16s} {seconds:6.2f} s {seconds / base:5.2f}x (a)  drawn: "
                              f"{w['m']:,} rows, {w['d']} features, {w['optimizer']}, {w['steps']} steps, "
                              f"batch {w['batch']}, {w['others']} compared; Plotly.react errors so far "
                              f"{len(w['errors'])}", flush=True)
                    seen = dict.fromkeys(e.split("Error: ", 1)[-1] for e in v["errors"])  # react's + uncaught
                    broken += [f"{label}: in the page: {e}" for e in seen]
                browser.close()
                rss.stopped.set()
        except BenchError as error:
            print(f"measurement failed: {error}", file=sys.stderr)
            for log in tmp.glob("*.log"):
                print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 1
    head = subprocess.run(["git", "rev-parse", "--short", args.ref or "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    print(f"\ngdviz inputs within the caps   commit {head}{'' if args.ref else ' + working tree'}, "
          f"{os.cpu_count()} cpu, load {load[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end; "
          f"server RSS idle {idle / 2**20:,.0f} MiB")
    print(f"{'case':46s} {'file':>8s} {'slowest s':>9s} {'(which)':16s} {'x (a)':>6s} {'largest ws msg':>14s} "
          f"{'server RSS peak':>15s}  within 5x / 1.5 GiB")
    for label, size, seconds, which, largest, peak in results:
        ratio = seconds / base
        print(f"{label:46s} {f'{size / 1e6:.2f} MB' if size else '-':>8s} {seconds:9.2f} {which:16s} {ratio:6.2f} "
              f"{largest / 1e6:11.3f} MB {peak / 2**20:11,.0f} MiB  {'yes' if ratio <= BUDGET_RATIO else 'NO'} / "
              f"{'yes' if peak < BUDGET_RSS else 'NO'}")
    for line in broken:
        print("BROKEN", line)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
