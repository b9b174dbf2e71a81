"""Measure the page budgets of the gdviz app against a minimal one-chart Streamlit app, side by side.

Run from the repository root (Streamlit, websockets; Playwright and Debian's /usr/bin/chromium for
part 3, which is skipped with a note when they are missing):

    python benchmarks/bench_app.py [--rounds 3] [--values 8] [--views 4] [--no-browser] [--profile]

Both apps are served by real ``streamlit run`` processes on 127.0.0.1 and driven the way a browser
drives them: over the websocket ``/_stcore/stream`` (subprotocol "streamlit"), sending ``BackMsg``
protobufs with ``rerun_script`` and reading ``ForwardMsg`` protobufs until ``script_finished``.

1. Bytes. (a) The total size of the ForwardMsgs of one full script run at the defaults (a fresh
   session's first run), with the component's JSON args shown apart. Streamlit's websocket
   compression is off by default (server.enableWebsocketCompression), so these are the bytes on the
   wire. (b) The component's static files (index.html, plotly.min.js) fetched over HTTP with and
   without ``Accept-Encoding: gzip``. Every run's messages are searched for plotly.js itself (its
   "plotly.js v" banner and three 64-byte pieces of its code); the served plotly.min.js is the
   positive control.
2. Rerun time. After a first run, rerun BackMsgs change the "Learning rate" select_slider of gdviz
   (its widget id found in the first run's messages; the value sent is the formatted option string,
   as the frontend sends it) or the slider of the one-chart app. Time is from sending the BackMsg to
   receiving ``script_finished``. Each round uses new servers, so the first pass over V values misses
   gdviz's st.cache_data; a second pass over the same values hits it ("repeat"). Like the browser,
   the client reports the hashes of the large messages it already holds (``cached_message_hashes``),
   so a repeated message comes back as a small reference. Unlike the browser, it sends only the
   changed widget's state (the others keep their values on the server). Requests of the two apps
   alternate. Each rerun is checked to have reached the app (the component's spec.run.lr, or the
   one-chart figure, changed as sent).
3. First view in Chromium (Playwright, fresh browser context per view, apps alternating, after one
   unmeasured warm-up view of each): from ``page.goto`` to the gdviz component iframe's
   ``#surface`` Plotly graph (the element carrying ``js-plotly-plot``) and ``stApp`` in script state
   ``notRunning``; for the one-chart app to ``[data-testid='stPlotlyChart'] .js-plotly-plot``. In one
   extra gdviz view the learning rate is then changed with the keyboard, and the websocket bytes and
   requests for plotly.min.js are counted. A busy main thread delays Playwright's polling, so the
   page's own clock is read too (a MutationObserver, a timing-only wrapper on the component's
   Plotly.react, resource timing), giving a timeline of the first view; the ``streamlit:render``
   events that reach the component in the 5 s after it is ready are counted (a steady view gets none).
   ``--profile`` adds one view per app with a JavaScript CPU profile of the page up to "ready"
   (sampled self time per script file: what the first view spends its time on).

``--ref REF`` measures a clean ``git archive REF`` snapshot of app.py, gdviz and .streamlit instead
of the working tree (useful while someone is mid-edit). Both servers run from the measured checkout,
so both read its .streamlit/config.toml.

Times are medians (time.perf_counter); the machine is noisy, so read the ratios. This script asserts
no time limits. It exits 1 only if the measurement itself is broken (a server does not come up, a
run does not finish, a rerun does not reach the app).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import plotly

sys.path.insert(0, str(Path(__file__).resolve().parent))
from st_client import (RUN_TIMEOUT, BenchError, Run, Session, describe, find_slider,  # noqa: E402
                       select_slider_state, slider_state, streamlit_server)

ROOT = Path(__file__).resolve().parents[1]  # the app measured (--ref swaps in a clean snapshot)
GDVIZ_APP = ROOT / "app.py"
ONE_CHART_APP = Path(__file__).resolve().parent / "one_chart_app.py"
# The plotly.js the component serves as plotly.min.js: the lean bundle (tools/plotly-bundle).
PLOTLY_JS = ROOT / "gdviz" / "vendor" / "plotly-gdviz.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# The brief's "#surface .js-plotly-plot": Plotly.react(gd) marks gd itself, and the frontend's gd is #surface.
SURFACE = "#surface.js-plotly-plot, #surface .js-plotly-plot"
SETTLE_SECONDS = 5.0  # after a gdviz first view: how long to watch the component for render events
# In-page clocks (every frame of each browser context): when the page itself did things, on the epoch clock,
# independent of how late Playwright's polling notices them on a busy main thread. The component's window
# is kept when its iframe navigates from about:blank, so the wrapper on window.Plotly catches the
# component's plotly.js (the wrapper only records times). Messages count Streamlit's component protocol.
PAGE_CLOCKS = r"""
(() => {
  if (window.__bench) return;
  const B = window.__bench = {marks: {}, renders: 0, heights: []};
  const now = () => performance.timeOrigin + performance.now();
  const mark = (name) => { if (!(name in B.marks)) B.marks[name] = now(); };
  window.addEventListener("message", (event) => {
    const d = event.data || {};
    if (d.type === "streamlit:render") { B.renders += 1; mark("render"); }
    if (d.type === "streamlit:setFrameHeight") B.heights.push([now(), d.height]);
  });
  const watch = () => new MutationObserver(() => {
    if (document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot")) mark("stPlotlyChart");
    if (document.querySelector("iframe[data-testid='stCustomComponentV1']")) mark("iframe");
    const app = document.querySelector("[data-testid='stApp']");
    const state = app && app.getAttribute("data-test-script-state");
    if (state === "running") mark("running");
    if (state === "notRunning" && "running" in B.marks) mark("notRunning");
  }).observe(document, {subtree: true, childList: true, attributes: true});
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch); else watch();
  let plotly;
  Object.defineProperty(window, "Plotly", {configurable: true, get: () => plotly, set(value) {
    plotly = value;
    mark("plotly.js");
    const react = value && value.react;
    if (typeof react !== "function") return;
    value.react = function (gd, ...rest) {
      const id = gd && gd.id;
      mark("react " + id);
      const result = react.call(this, gd, ...rest);
      Promise.resolve(result).then(() => mark("drawn " + id), () => {});
      return result;
    };
  }});
})();
"""
MB = 1_000_000


def plotly_markers() -> list[bytes]:
    """Byte strings that occur in plotly.js and nowhere else: its banner and pieces of its code."""
    code = PLOTLY_JS.read_bytes()
    markers = [b"plotly.js v"]
    for at in (len(code) // 4, len(code) // 2, 3 * len(code) // 4):
        markers.append(code[at:at + 64])
    return markers


MARKERS = plotly_markers()


def has_plotly_js(blob: bytes) -> bool:
    return any(marker in blob for marker in MARKERS)


def plotly_js_inside(run: Run) -> bool:
    return any(has_plotly_js(frame) for frame in run.frames)


def server(app: Path, log_dir: Path):
    """A server of ``app`` run from the measured checkout (both apps read its .streamlit/config.toml)."""
    return streamlit_server(app, log_dir, cwd=GDVIZ_APP.parent)


# ---------------------------------------------------------------- checks that a rerun reached the app

def component_args(run: Run) -> list[dict]:
    return [json.loads(c.json_args) for c in run.elements("component_instance")]


def check_lr(run: Run, lr: str, phase: str, seen: dict) -> None:
    """The rerun reached the app: the component got spec.run.lr == lr (or, for a rate seen before,
    the reference to the message that carried it)."""
    if phase == "new":
        for msg in run.messages:
            if (msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element"
                    and msg.delta.new_element.WhichOneof("type") == "component_instance"):
                got = json.loads(msg.delta.new_element.component_instance.json_args)["spec"]["run"]["lr"]
                if abs(got - float(lr)) <= 1e-12:
                    seen[lr] = msg.hash
                    return
                raise BenchError(f"sent lr={lr}, the component got lr={got}")
        raise BenchError(f"sent lr={lr}, no component message in the rerun")
    if not any(msg.WhichOneof("type") == "ref_hash" and msg.ref_hash == seen.get(lr) for msg in run.messages):
        raise BenchError(f"lr={lr} again: the component message was not a reference to the earlier one")


def check_chart(run: Run, value: float, phase: str, seen: dict) -> None:
    """The one-chart rerun reached the app: a new figure for a new value, the same for a repeat."""
    specs = [chart.spec for chart in run.elements("plotly_chart")]
    refs = [msg.ref_hash for msg in run.messages if msg.WhichOneof("type") == "ref_hash"]
    if phase == "new":
        if len(specs) != 1 or specs[0] in seen.values():
            raise BenchError(f"slider={value}: the one-chart app did not draw a new figure")
        seen[value] = specs[0]
    elif not refs and specs != [seen.get(value)]:
        raise BenchError(f"slider={value} again: the one-chart app drew a different figure")


# ---------------------------------------------------------------- static files

def http_get(port: int, path: str, gzip: bool) -> tuple[int, dict, int]:
    """Status, headers and the body's size on the wire (not decompressed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip" if gzip else "identity"})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, len(body)
    finally:
        conn.close()


def static_assets(port: int, component: str) -> list[dict]:
    rows = []
    for name in ("index.html", "plotly.min.js"):
        path = f"/component/{component}/{name}"
        row = {"path": path}
        for gzip in (False, True):
            status, headers, size = http_get(port, path, gzip)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}")
            row["gzip" if gzip else "plain"] = size
            row["encoding_gzip" if gzip else "encoding_plain"] = headers.get("content-encoding", "-")
            row["cache"] = headers.get("cache-control", "-")
        rows.append(row)
    # positive control for the plotly.js search
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", f"/component/{component}/plotly.min.js", headers={"Accept-Encoding": "identity"})
        body = conn.getresponse().read()
    finally:
        conn.close()
    rows[1]["markers_found"] = has_plotly_js(body)
    return rows


# ---------------------------------------------------------------- parts 1 and 2

def measure_rounds(rounds: int, n_values: int, log_dir: Path) -> dict:
    out = {k: [] for k in ("g_cold", "o_cold", "g_warm", "o_warm", "g_new", "o_new", "g_rep", "o_rep",
                           "g_new_bytes", "g_rep_bytes", "o_new_bytes", "o_rep_bytes")}
    plotly_found = 0
    runs_searched = 0
    for r in range(rounds):
        with ExitStack() as stack:
            g_port = stack.enter_context(server(GDVIZ_APP, log_dir))
            o_port = stack.enter_context(server(ONE_CHART_APP, log_dir))
            g = stack.enter_context(Session(g_port))
            o = stack.enter_context(Session(o_port))
            g_first, o_first = g.run(), o.run()
            out["g_cold"].append(g_first.seconds)
            out["o_cold"].append(o_first.seconds)
            lr = find_slider(g_first, "Learning rate")
            start_lr = component_args(g_first)[0]["spec"]["run"]["lr"]
            options = list(lr.options)
            at = min(range(len(options)), key=lambda i: abs(float(options[i]) - start_lr))
            if at < n_values:
                raise BenchError("not enough learning rates below the default")
            g_values = [options[at - 1 - i] for i in range(n_values)]  # smaller rates: none diverges
            freq = find_slider(o_first, "Frequency")
            freq_now = (list(freq.value) or list(freq.default))[0]
            o_values = [freq.min + freq.step * (i + 1) for i in range(n_values)
                        if freq.min + freq.step * (i + 1) != freq_now]
            o_values = (o_values + [freq.max])[:n_values]
            if r == 0:
                out["first_run"] = g_first
                out["one_first_run"] = o_first
                out["component"] = next(g_first.elements("component_instance")).component_name
                out["static"] = static_assets(g_port, out["component"])
                out["lr_id"], out["lr_values"] = lr.id, g_values
                out["start_lr"] = start_lr
            seen: dict[str, str] = {}  # learning rate -> hash of its component message
            o_seen: dict[float, str] = {}  # slider value -> the one-chart figure's JSON
            for phase in ("new", "rep"):
                for gv, ov in zip(g_values, o_values):
                    g_run = g.run([select_slider_state(lr.id, gv)])
                    check_lr(g_run, gv, phase, seen)
                    o_run = o.run([slider_state(freq.id, ov)])
                    check_chart(o_run, ov, phase, o_seen)
                    out[f"g_{phase}"].append(g_run.seconds)
                    out[f"o_{phase}"].append(o_run.seconds)
                    out[f"g_{phase}_bytes"].append(g_run.total_bytes)
                    out[f"o_{phase}_bytes"].append(o_run.total_bytes)
                    plotly_found += plotly_js_inside(g_run)
                    runs_searched += 1
            # A fresh session on a server that has run the defaults: a second page view.
            with Session(g_port) as g2, Session(o_port) as o2:
                g_warm, o_warm = g2.run(), o2.run()
            out["g_warm"].append(g_warm.seconds)
            out["o_warm"].append(o_warm.seconds)
            for run in (g_first, g_warm):
                plotly_found += plotly_js_inside(run)
                runs_searched += 1
            if g_warm.total_bytes != g_first.total_bytes:
                cold = Counter(describe(m) for m in g_first.messages)
                warm = Counter(describe(m) for m in g_warm.messages)
                note = (f"gdviz first run {g_first.total_bytes:,} B on a new server, "
                    f"{g_warm.total_bytes:,} B in a 2nd session (only in the first: "
                    f"{dict(cold - warm) or '-'}; only in the 2nd: {dict(warm - cold) or '-'})")
                if note not in out.setdefault("notes", []):
                    out["notes"].append(note)
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    out["plotly_found"], out["runs_searched"] = plotly_found, runs_searched
    return out


# ---------------------------------------------------------------- part 3: Chromium

def browser_views(n_views: int, log_dir: Path, profile: bool = False) -> dict:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} is missing (apt-get install -y chromium)"}

    def view(browser, port: int, gdviz_page: bool, change_lr: bool = False, profile: bool = False) -> dict:
        try:
            return one_view(browser, port, gdviz_page, change_lr, profile)
        except PlaywrightError as error:
            raise BenchError(f"Chromium: {str(error).splitlines()[0]}") from None

    def one_view(browser, port: int, gdviz_page: bool, change_lr: bool, profile: bool) -> dict:
        context = browser.new_context(viewport={"width": 1600, "height": 1100})
        context.add_init_script(PAGE_CLOCKS)
        try:
            page = context.new_page()
            if profile:  # the page's JavaScript CPU profile (the same-origin component iframe shares it)
                cdp = context.new_cdp_session(page)
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": 1000})
                cdp.send("Profiler.start")
            ws_bytes = [0]
            plotly_requests = [0]

            def on_ws(ws):
                ws.on("framereceived", lambda payload: ws_bytes.__setitem__(
                    0, ws_bytes[0] + len(payload if isinstance(payload, bytes) else payload.encode())))

            page.on("websocket", on_ws)
            page.on("request", lambda req: plotly_requests.__setitem__(
                0, plotly_requests[0] + req.url.endswith("/plotly.min.js")))
            timeout = RUN_TIMEOUT * 1000
            idle = page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")
            start = time.perf_counter()
            epoch = time.time() * 1000.0
            page.goto(f"http://127.0.0.1:{port}/", wait_until="commit", timeout=timeout)
            try:
                if gdviz_page:
                    frame = page.frame_locator("iframe[data-testid='stCustomComponentV1']").first
                    frame.locator(SURFACE).first.wait_for(state="attached", timeout=timeout)
                    idle.wait_for(state="attached", timeout=timeout)
                else:
                    page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first.wait_for(
                        state="attached", timeout=timeout)
            finally:
                seconds = time.perf_counter() - start
                shown = page.locator("[data-testid='stException']")
                if shown.count():
                    raise BenchError("the page shows an exception: " + shown.first.inner_text()[:300])
            result = {"seconds": seconds, "ws_bytes": ws_bytes[0], "plotly_requests": plotly_requests[0]}
            if profile:
                result["cpu_ms"] = cpu_by_script(cdp.send("Profiler.stop")["profile"])
            main = page.evaluate("window.__bench")
            marks = {k: (v - epoch) / 1000.0 for k, v in main["marks"].items()}
            if gdviz_page:
                component = next(f for f in page.frames if "/component/" in f.url)
                inner = component.evaluate("window.__bench") or {"marks": {}, "renders": 0}
                fetched = component.evaluate("""(() => {
                    const e = performance.getEntriesByType("resource").find((r) => r.name.endsWith("/plotly.min.js"));
                    return e ? [performance.timeOrigin + e.startTime, performance.timeOrigin + e.responseEnd] : null;
                })()""")
                if fetched:
                    marks["plotly.min.js asked"] = (fetched[0] - epoch) / 1000.0
                    marks["plotly.min.js received"] = (fetched[1] - epoch) / 1000.0
                marks.update({k: (v - epoch) / 1000.0 for k, v in inner["marks"].items()})
                renders_at_ready = inner["renders"]
                heights_at_ready = len(main["heights"])
                page.wait_for_timeout(SETTLE_SECONDS * 1000)
                inner = component.evaluate("window.__bench")
                heights = [h for _, h in page.evaluate("window.__bench")["heights"]]
                result["renders_after"] = inner["renders"] - renders_at_ready
                result["heights_after"] = heights[heights_at_ready:]
                result["heights"] = heights
                marks.update({k: (v - epoch) / 1000.0 for k, v in inner["marks"].items()})
                result["page_exists"] = max(marks.get("react surface", float("nan")), marks.get("notRunning", 0))
                result["page_drawn"] = max(marks.get("drawn surface", float("nan")), marks.get("notRunning", 0))
            else:
                result["page_exists"] = result["page_drawn"] = marks.get("stPlotlyChart", float("nan"))
            result["marks"] = marks
            if change_lr:
                page.wait_for_timeout(1000)
                before_ws, before_js = ws_bytes[0], plotly_requests[0]
                thumb = page.locator("[data-testid='stSlider']").filter(has_text="Learning rate").get_by_role(
                    "slider").first
                thumb.focus()
                page.keyboard.press("ArrowLeft")
                # The rerun has reached the page when the component shows the new rate.
                frame = page.frame_locator("iframe[data-testid='stCustomComponentV1']").first
                deadline = time.monotonic() + RUN_TIMEOUT
                while ws_bytes[0] == before_ws and time.monotonic() < deadline:
                    page.wait_for_timeout(50)
                page.wait_for_timeout(300)
                idle.wait_for(state="attached", timeout=timeout)
                frame.locator(SURFACE).first.wait_for(state="attached", timeout=timeout)
                page.wait_for_timeout(1500)
                result["rerun_ws_bytes"] = ws_bytes[0] - before_ws
                result["rerun_plotly_requests"] = plotly_requests[0] - before_js
                result["lr_after"] = page.locator("[data-testid='stSlider']").filter(
                    has_text="Learning rate").get_by_role("slider").first.get_attribute("aria-valuetext")
            return result
        finally:
            context.close()

    out = {"g": [], "o": []}
    with ExitStack() as stack:
        g_port = stack.enter_context(server(GDVIZ_APP, log_dir))
        o_port = stack.enter_context(server(ONE_CHART_APP, log_dir))
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        stack.callback(browser.close)
        view(browser, g_port, True)   # warm-up: server caches, browser start-up
        view(browser, o_port, False)
        for _ in range(n_views):
            out["g"].append(view(browser, g_port, True))
            out["o"].append(view(browser, o_port, False))
        out["g_rerun"] = view(browser, g_port, True, change_lr=True)
        if profile:
            out["g_profile"] = view(browser, g_port, True, profile=True)
            out["o_profile"] = view(browser, o_port, False, profile=True)
    return out


def cpu_by_script(profile: dict) -> dict:
    """Milliseconds of sampled self time per script file (or V8 pseudo-frame like "(program)")."""
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    totals: dict[str, float] = {}
    for sample, delta in zip(profile["samples"], profile["timeDeltas"]):
        frame = nodes[sample]
        name = frame["url"].split("?")[0].rstrip("/").split("/")[-1] or frame["functionName"] or "?"
        totals[name] = totals.get(name, 0.0) + delta / 1000.0
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


# ---------------------------------------------------------------- report

def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "app.py", "gdviz"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{head}{' + uncommitted changes in app.py/gdviz' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def med(values) -> float:
    return statistics.median(values)


def spread(values, unit=1.0, fmt="{:.3f}") -> str:
    return (f"median {fmt.format(med(values) / unit)}  (min {fmt.format(min(values) / unit)}, "
            f"max {fmt.format(max(values) / unit)}, n={len(values)})")


def report(parts: dict, browser: dict, args) -> None:
    first: Run = parts["first_run"]
    one_first: Run = parts["one_first_run"]
    comp = next(first.elements("component_instance"))
    comp_frame = next(frame for frame, msg in zip(first.frames, first.messages)
                      if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element"
                      and msg.delta.new_element.WhichOneof("type") == "component_instance")
    spec = json.loads(comp.json_args)["spec"]
    figure_bytes = {name: len(fig) for name, fig in spec["figures"].items()}
    timeline_bytes = len(json.dumps(spec["timeline"]))
    line = "-" * 100
    print()
    print(line)
    print(f"gdviz page budgets   python {platform.python_version()}, {os.cpu_count()} cpu, "
          f"streamlit {__import__('streamlit').__version__}, plotly {plotly.__version__}, "
          f"rounds={args.rounds}, values={args.values}, views={args.views}")
    print(f"commit {parts['git']}; load average {parts['load_start']} at start, "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at end")
    print(line)
    print("1. BYTES (defaults)")
    print(f"   (a) one full script run over the websocket, gdviz   {first.total_bytes:>10,} B "
          f"= {first.total_bytes / MB:.3f} MB in {len(first.frames)} ForwardMsgs   budget <= 2 MB")
    print(f"       of which the component message ({comp.component_name})  {len(comp_frame):>10,} B "
          f"(json_args {len(comp.json_args):,} B)")
    print(f"         figures JSON: " + ", ".join(f"{k} {v:,}" for k, v in figure_bytes.items())
          + f"; timeline {timeline_bytes:,} B")
    print(f"       all other messages                          {first.total_bytes - len(comp_frame):>10,} B")
    print("       largest messages: " + ", ".join(f"{describe(m)} {len(f):,} B" for f, m in
                                                sorted(zip(first.frames, first.messages), key=lambda fm: -len(fm[0]))[:4]))
    print(f"       one-chart app, one full run                 {one_first.total_bytes:>10,} B "
          f"in {len(one_first.frames)} ForwardMsgs")
    print(f"       rerun, new learning rate (gdviz)            {int(med(parts['g_new_bytes'])):>10,} B median "
          f"(min {min(parts['g_new_bytes']):,}, max {max(parts['g_new_bytes']):,})")
    print(f"       rerun, learning rate seen before (gdviz)    {int(med(parts['g_rep_bytes'])):>10,} B median "
          f"(cached message sent as a reference)")
    print(f"       rerun, one-chart app (new / seen value)     {int(med(parts['o_new_bytes'])):>10,} B / "
          f"{int(med(parts['o_rep_bytes'])):,} B")
    print(f"       plotly.js found in gdviz run messages       {parts['plotly_found']} of "
          f"{parts['runs_searched']} runs searched (markers: 'plotly.js v' + 3 code pieces)")
    print(f"   (b) static files of the component, once per page (GET, bytes of body on the wire)")
    print(f"       {'path':48s} {'identity':>12s} {'gzip asked':>12s}  encoding  cache-control")
    for row in parts["static"]:
        print(f"       {row['path']:48s} {row['plain']:>12,} {row['gzip']:>12,}  "
              f"{row['encoding_gzip']:8s}  {row['cache']}")
    print(f"       plotly.js markers found in the served plotly.min.js (positive control): "
          f"{parts['static'][1]['markers_found']}")
    print(line)
    print("2. RERUN TIME, websocket, send BackMsg -> script_finished (seconds)")
    rows = [
        ("gdviz, new learning rate (cache miss)", parts["g_new"]),
        ("gdviz, learning rate seen before (cached)", parts["g_rep"]),
        ("one-chart app, slider changed", parts["o_new"]),
        ("one-chart app, slider changed (2nd pass)", parts["o_rep"]),
        ("gdviz, first run of a new server (cold)", parts["g_cold"]),
        ("one-chart, first run of a new server", parts["o_cold"]),
        ("gdviz, first run of a 2nd session (warm)", parts["g_warm"]),
        ("one-chart, first run of a 2nd session", parts["o_warm"]),
    ]
    for label, values in rows:
        print(f"   {label:44s} {spread(values)}")
    miss_ratio = med(parts["g_new"]) / med(parts["o_new"])
    hit_ratio = med(parts["g_rep"]) / med(parts["o_rep"])
    print(f"   RATIO gdviz new-rate rerun / one-chart rerun  {miss_ratio:6.2f} x   budget <= 4x")
    print(f"   ratio gdviz cached rerun / one-chart rerun    {hit_ratio:6.2f} x")
    print(f"   ratio first view over websocket (warm)        "
          f"{med(parts['g_warm']) / med(parts['o_warm']):6.2f} x")
    print(f"   learning rates sent: {', '.join(parts['lr_values'])} (default {parts['start_lr']})")
    print(line)
    print("3. FIRST VIEW IN CHROMIUM, page.goto -> ready (seconds)")
    if "skipped" in browser:
        print(f"   skipped: {browser['skipped']}")
    else:
        g = [v["seconds"] for v in browser["g"]]
        o = [v["seconds"] for v in browser["o"]]
        print(f"   {'gdviz (#surface plot in iframe + notRunning)':44s} {spread(g)}")
        print(f"   {'one-chart app (stPlotlyChart plot)':44s} {spread(o)}")
        print(f"   RATIO gdviz / one-chart first view            {med(g) / med(o):6.2f} x   budget <= 2x")
        gp = [v["page_exists"] for v in browser["g"]]
        op = [v["page_exists"] for v in browser["o"]]
        print(f"   the same on the page's own clock (not Playwright's polling):")
        print(f"   {'gdviz: surface exists + notRunning':44s} {spread(gp)}")
        print(f"   {'gdviz: surface drawn (Plotly.react resolved)':44s} {spread([v['page_drawn'] for v in browser['g']])}")
        print(f"   {'one-chart: stPlotlyChart plot exists':44s} {spread(op)}")
        print(f"   ratio gdviz / one-chart, page clock           {med(gp) / med(op):6.2f} x")
        keys = ["running", "notRunning", "stPlotlyChart", "iframe", "plotly.min.js asked", "plotly.min.js received",
                "plotly.js", "render", "react surface", "drawn surface", "drawn contour", "drawn data", "drawn loss"]
        steps = []
        for key in keys:
            values = [v["marks"][key] for v in browser["g"] if key in v["marks"]]
            if values:
                steps.append(f"{key} {med(values):.1f}")
        print(f"   gdviz first view, median seconds after goto (plotly.js = the component's copy executed; "
              f"stPlotlyChart = Streamlit's own chart on the page):\n     " + ", ".join(steps)
              + f", Playwright saw it {med(g):.1f}")
        renders = [v["renders_after"] for v in browser["g"]]
        heights = browser["g"][-1]["heights"]
        print(f"   after gdviz is ready: {med(renders):.0f} streamlit:render events reach the component in the "
              f"next {SETTLE_SECONDS:.0f} s (median; each redraws the views); iframe heights it asked for: "
              f"{len(heights)}, {heights[0] if heights else '-'} px first, {heights[-1] if heights else '-'} px last")
        print(f"   websocket bytes the browser received, first view: gdviz "
              f"{int(med([v['ws_bytes'] for v in browser['g']])):,} B, one-chart "
              f"{int(med([v['ws_bytes'] for v in browser['o']])):,} B")
        print(f"   plotly.min.js requests per gdviz first view: "
              f"{sorted(set(v['plotly_requests'] for v in browser['g']))}")
        rr = browser["g_rerun"]
        print(f"   learning rate changed in the browser (ArrowLeft, now {rr['lr_after']}): websocket "
              f"{rr['rerun_ws_bytes']:,} B received, plotly.min.js requests {rr['rerun_plotly_requests']}")
        for key, name in (("g_profile", "gdviz"), ("o_profile", "one-chart")):
            if key in browser:
                cpu = browser[key]["cpu_ms"]
                busy = sum(v for k, v in cpu.items() if k != "(idle)")
                top = ", ".join(f"{k} {v / 1000:.1f}" for k, v in list(cpu.items())[:6])
                print(f"   profiled {name} view (goto -> Playwright saw it) {browser[key]['seconds']:.1f} s, "
                      f"main thread busy {busy / 1000:.1f} s, by script: {top}")
    print(line)
    print("How measured: real `streamlit run` servers on 127.0.0.1 (new ones each round), a websocket client "
          "speaking Streamlit's\nprotobufs like the browser (subprotocol 'streamlit', rerun_script with widget "
          "states and cached message hashes);\nbytes are serialized ForwardMsgs (websocket compression is off "
          "by default); times are perf_counter medians.\nChromium: Playwright on /usr/bin/chromium, fresh "
          "context per view, after one unmeasured warm-up view per app; 'page clock' times come from\nthe "
          "page itself (performance.timeOrigin + now(): MutationObserver, a timing wrapper on the component's "
          "Plotly.react, resource timing),\nwhich a busy main thread cannot delay the way it delays "
          "Playwright's polling.")
    for note in parts.get("notes", []):
        print("note:", note)
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh server pairs for parts 1-2")
    parser.add_argument("--values", type=int, default=8, help="new learning rates per round")
    parser.add_argument("--views", type=int, default=4, help="Chromium first views per app")
    parser.add_argument("--no-browser", action="store_true", help="skip part 3")
    parser.add_argument("--ref", help="measure a clean `git archive REF` snapshot of app.py and gdviz "
                        "instead of the working tree (for when the tree is mid-edit)")
    parser.add_argument("--profile", action="store_true",
                        help="after part 3, one extra view per app with a JavaScript CPU profile (by script)")
    args = parser.parse_args()
    global GDVIZ_APP
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    git = git_state()
    with tempfile.TemporaryDirectory(prefix="gdviz-bench-") as tmp:
        log_dir = Path(tmp)
        if args.ref:
            snapshot = log_dir / "snapshot"
            snapshot.mkdir()
            archive = subprocess.run(["git", "archive", "--format=tar", args.ref, "app.py", "gdviz", ".streamlit"], cwd=ROOT,
                                     capture_output=True, timeout=60)
            if archive.returncode:
                print(f"git archive {args.ref} failed: {archive.stderr.decode()}", file=sys.stderr)
                return 1
            subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive.stdout, check=True, timeout=60)
            GDVIZ_APP = snapshot / "app.py"
            ref = subprocess.run(["git", "rev-parse", "--short", args.ref], cwd=ROOT, capture_output=True,
                                 text=True, timeout=10).stdout.strip()
            git = f"{ref} (clean snapshot of {args.ref}, working tree not measured)"
        try:
            print("parts 1-2: websocket rounds ...", file=sys.stderr, flush=True)
            parts = measure_rounds(args.rounds, args.values, log_dir)
            if args.no_browser:
                browser = {"skipped": "--no-browser"}
            else:
                print("part 3: Chromium first views ...", file=sys.stderr, flush=True)
                browser = browser_views(args.views, log_dir, args.profile)
        except BenchError as error:
            print(f"measurement failed: {error}", file=sys.stderr)
            for log in sorted(log_dir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 1
    parts["load_start"], parts["git"] = load_start, git
    report(parts, browser, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
