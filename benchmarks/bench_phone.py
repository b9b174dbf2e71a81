"""A student's phone: gdviz's first views in Chromium with the CPU slowed 4x, against a one-chart app.

Run from the repository root (Playwright and Debian's /usr/bin/chromium):

    python benchmarks/bench_phone.py [--views 3] [--rates 4,1] [--before REF] [--ref REF]

Chromium's CPU throttling (the DevTools protocol's Emulation.setCPUThrottlingRate, rate 4: roughly a
mid-range phone) is set on each fresh page before it opens. Served by real ``streamlit run`` processes
on 127.0.0.1: gdviz (app.py) and the one-chart app showing one Plotly surface
(one_chart_app.py?chart=surface), views alternating, after one unmeasured warm-up view of each per
rate. Times are read on the page's own clock (a MutationObserver in every frame; a busy main thread
delays Playwright's polling, not these marks), from just before ``page.goto``:

  first 3-D       the first paint of the 3-D traces, the figure compared: plotly.js's first WebGL draw
                  call of a surface trace's shader into the view's canvas (not a picking buffer),
                  then the end of the next frame's paint and commit (a task queued from that
                  frame's animation callback). Both apps draw
                  with plotly.js's gl3d (gdviz its lean bundle, the one-chart app Streamlit's own),
                  so the same shader marks both. A canvas that merely exists is not counted: plotly.js
                  creates the scene's canvas (axes only) before the traces are drawn into it.
  first readable  gdviz: the contours' SVG (``#contour .main-svg``) exists and the maths panel
                  (``#maths``) has text: a student can read numbers.
  3-D drawn       gdviz: the component's Plotly.react on #surface has resolved (reported, not compared).

Goals (issue 24, item 12): the first 3-D paint within 1.3x the one-chart app's with the CPU throttled
4x, within 1.5x unthrottled. ``--before REF`` also serves a clean ``git archive REF`` snapshot of
app.py, gdviz and .streamlit (for example the commit before a change) in the same alternation, so
before and after are measured in one run; ``--ref REF`` measures such a snapshot as "gdviz" instead
of the working tree. A measurement script, not a test: it prints ratios and asserts no time limits.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import CHROMIUM, CHROMIUM_ARGS, PAGE_CLOCKS  # noqa: E402
from st_client import RUN_TIMEOUT, BenchError, streamlit_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ONE_CHART_APP = Path(__file__).resolve().parent / "one_chart_app.py"
# Marks on the page's own clock (epoch ms), in every frame: the top page and the component's iframe.
PHONE_CLOCKS = r"""
(() => {
  // The component's iframe keeps its window when it navigates from about:blank, and the init script
  // does not run again for the new document: so watch whichever document is current, from window
  // events (they survive), once per document.
  const P = window.__phone = window.__phone || {};
  const now = () => performance.timeOrigin + performance.now();
  const mark = (name) => { if (!(name in P)) P[name] = now(); };
  const check = () => {
    if (document.querySelector("#contour .main-svg")) mark("contour svg");
    const maths = document.querySelector("#maths");
    if (maths && maths.textContent.trim()) mark("maths text");
    if (document.querySelector("#surface canvas")) mark("surface canvas");
    if (document.querySelector("[data-testid='stPlotlyChart'] canvas")) mark("chart canvas");
  };
  const watch = () => {
    if (document.__phoneWatched) return;
    document.__phoneWatched = true;
    new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
    check();
  };
  // The first paint of the 3-D traces, the same in both apps (both draw with plotly.js's gl3d): the
  // first WebGL draw call of a surface trace's shader (gl-surface3d's, "attribute vec4 uv; attribute
  // vec3 f;") into the canvas itself (not a picking buffer), then the end of the next frame's
  // rendering: a task queued from its animation callback runs after that frame's paint and commit.
  // Patched once per realm: the iframe's window survives its navigation.
  const SURFACE = /attribute\s+vec4\s+uv;\s*attribute\s+vec3\s+f;/;
  for (const GL of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    const proto = GL && GL.prototype;
    if (!proto || proto.__phonePatched) continue;
    proto.__phonePatched = true;
    const source = proto.shaderSource, attach = proto.attachShader, use = proto.useProgram;
    proto.shaderSource = function (shader, text) { if (shader) shader.__text = text; return source.call(this, shader, text); };
    proto.attachShader = function (program, shader) {
      if (program && shader && SURFACE.test(shader.__text || "")) program.__surface = true;
      return attach.call(this, program, shader);
    };
    proto.useProgram = function (program) { this.__program = program; return use.call(this, program); };
    const seen = function () {
      if ("3d draw" in P || !this.__program || !this.__program.__surface) return;
      if (this.getParameter(this.FRAMEBUFFER_BINDING) !== null) return;   // the picking pass
      mark("3d draw");
      requestAnimationFrame(() => setTimeout(() => mark("3d paint"), 0));
    };
    for (const name of ["drawArrays", "drawElements"]) {
      const draw = proto[name];
      proto[name] = function (...args) { seen.call(this); return draw.apply(this, args); };
    }
  }
  if (window.__phoneHooked) return;
  window.__phoneHooked = true;
  window.addEventListener("DOMContentLoaded", watch);
  window.addEventListener("message", watch);
  if (document.readyState !== "loading") watch();
})();
"""


# The gdviz first view's steps (PAGE_CLOCKS's marks in the component, then the views drawn).
TIMELINE = ["page notRunning", "page iframe", "plotly.js", "render", "maths text", "react surface", "surface canvas", "3d draw", "3d paint",
            "drawn surface", "react contour", "contour svg", "drawn contour", "drawn data", "drawn loss"]
ONE_TIMELINE = ["chart canvas", "3d draw", "3d paint"]


def snapshot(ref: str, into: Path) -> Path:
    """A clean ``git archive REF`` of app.py, gdviz and .streamlit; returns its app.py."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", ref, "app.py", "gdviz", ".streamlit"], cwd=ROOT,
                             capture_output=True, timeout=60)
    if archive.returncode:
        raise BenchError(f"git archive {ref} failed: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True, timeout=60)
    return into / "app.py"


def one_view(browser, url: str, gdviz_page: bool, rate: float) -> dict:
    """Seconds from just before goto to each mark (page clock), in a fresh context."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    context.add_init_script(PAGE_CLOCKS)
    context.add_init_script(PHONE_CLOCKS)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        if rate != 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})
        timeout = RUN_TIMEOUT * 1000 * max(1.0, rate)
        epoch = time.time() * 1000.0
        page.goto(url, wait_until="commit", timeout=timeout)
        shown = page.locator("[data-testid='stException']")
        deadline = time.monotonic() + timeout / 1000
        while True:  # poll the page's own marks (and fail at once on an exception shown)
            if shown.count():
                raise BenchError("the page shows an exception: " + shown.first.inner_text()[:300])
            if gdviz_page:
                component = next((f for f in page.frames if "/component/" in f.url), None)
                try:
                    inner = component.evaluate("[window.__phone || {}, (window.__bench || {marks: {}}).marks]") \
                        if component else [{}, {}]
                except PlaywrightError:  # the frame is navigating
                    inner = [{}, {}]
                top = page.evaluate("(window.__bench || {marks: {}}).marks")   # the page around the views
                marks = {**{f"page {k}": v for k, v in top.items()}, **inner[1], **inner[0]}
                if {"3d paint", "contour svg", "maths text", "drawn surface"} <= set(marks):
                    break
            else:
                marks = page.evaluate("window.__phone || {}")
                if "3d paint" in marks:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"no first view within {timeout / 1000:.0f} s (marks so far: {sorted(marks)})")
            page.wait_for_timeout(100)
        if errors:
            raise BenchError(f"page errors: {errors[:3]}")
        seconds = {name: (value - epoch) / 1000.0 for name, value in marks.items()}
        if gdviz_page:
            return {"readable": max(seconds.get("contour svg", float("nan")), seconds.get("maths text", float("nan"))),
                    "3d": seconds["3d paint"], "3d drawn": seconds.get("drawn surface", float("nan")),
                    "timeline": {k: seconds[k] for k in TIMELINE if k in seconds}}
        return {"3d": seconds["3d paint"], "timeline": {k: seconds[k] for k in ONE_TIMELINE if k in seconds}}
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=3, help="measured first views per app and rate")
    parser.add_argument("--rates", default="4,1", help="CPU throttling rates, comma-separated (1 = none)")
    parser.add_argument("--before", help="also measure a clean snapshot of this git ref (e.g. before a change)")
    parser.add_argument("--ref", help="measure a clean snapshot of this ref as gdviz instead of the working tree")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    views = max(1, min(args.views, 20))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed (pip install -r requirements-dev.txt)", file=sys.stderr)
        return 1
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install -y chromium)", file=sys.stderr)
        return 1
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="gdviz-phone-") as tmp, ExitStack() as stack:
        log_dir = Path(tmp)
        apps = {"gdviz": snapshot(args.ref, log_dir / "ref") if args.ref else ROOT / "app.py"}
        if args.before:
            apps["before"] = snapshot(args.before, log_dir / "before")
        try:
            urls = {name: f"http://127.0.0.1:{stack.enter_context(streamlit_server(app, log_dir, cwd=app.parent))}/"
                    for name, app in apps.items()}
            one_port = stack.enter_context(streamlit_server(ONE_CHART_APP, log_dir, cwd=ROOT))
            urls["one chart"] = f"http://127.0.0.1:{one_port}/?chart=surface"
            browser = stack.enter_context(sync_playwright()).chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            stack.callback(browser.close)
            results = {rate: {name: [] for name in urls} for rate in rates}
            for rate in rates:
                for name, url in urls.items():  # warm-up: server caches, browser start-up
                    one_view(browser, url, name != "one chart", rate)
                for i in range(views):
                    for name, url in urls.items():
                        results[rate][name].append(one_view(browser, url, name != "one chart", rate))
                    print(f"  rate {rate:g}: view {i + 1}/{views} done", file=sys.stderr, flush=True)
        except BenchError as error:
            print(f"measurement failed: {error}", file=sys.stderr)
            for log in sorted(log_dir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text()[-2000:]}", file=sys.stderr)
            return 1
    med = statistics.median
    each = lambda views: ", ".join(f"{v['3d']:.2f}" for v in views)  # noqa: E731
    print(f"\nFirst views in Chromium, seconds from goto on the page's clock (median of {views}; "
          f"load average {load_start} at start, {' '.join(f'{x:.1f}' for x in os.getloadavg())} at end)")
    for rate in rates:
        r = results[rate]
        one = med(v["3d"] for v in r["one chart"])
        print(f"\nCPU throttled {rate:g}x" if rate != 1 else "\nCPU not throttled")
        print(f"  {'one-chart app, first 3-D paint':44s} {one:7.2f}   (each view: "
              f"{each(r['one chart'])})")
        for name in [n for n in urls if n != "one chart"]:
            readable = med(v["readable"] for v in r[name])
            first3d = med(v["3d"] for v in r[name])
            drawn = med(v["3d drawn"] for v in r[name])
            label = "gdviz" if name == "gdviz" else f"gdviz at {args.before}"
            print(f"  {label + ', first readable view':44s} {readable:7.2f}   ratio {readable / one:5.2f}x")
            print(f"  {label + ', first 3-D paint':44s} {first3d:7.2f}   RATIO {first3d / one:5.2f}x   "
                  f"goal {'1.3' if rate != 1 else '1.5'}x   (Plotly.react resolved {drawn:.2f}; each view: "
                  f"{each(r[name])})")
            steps = [(k, med(v["timeline"][k] for v in r[name] if k in v["timeline"])) for k in TIMELINE
                     if any(k in v["timeline"] for v in r[name])]
            print("    timeline: " + ", ".join(f"{k} {t:.1f}" for k, t in steps)
                  + "  (page notRunning = the script's run ended; page iframe = the views' frame in the page; "
                  "plotly.js = the component's plotly.js executed; render = the spec reached it)")
        steps = [(k, med(v["timeline"][k] for v in r["one chart"] if k in v["timeline"])) for k in ONE_TIMELINE
                 if any(k in v["timeline"] for v in r["one chart"])]
        print("    one-chart timeline: " + ", ".join(f"{k} {t:.1f}" for k, t in steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
