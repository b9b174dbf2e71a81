"""Script-run time of three reruns BEFORE and AFTER the caching rework, side by side in one run.

Run from the repository root (Streamlit, websockets; no browser):

    python benchmarks/bench_reruns.py [--before 99b72b4] [--after HEAD] [--rounds 8] [--steps 2000]

Each ref is unpacked with ``git archive`` (app.py, gdviz, .streamlit) into a temporary directory and
served by its own real ``streamlit run`` process. One websocket session per server speaks Streamlit's
protocol (rerun_script BackMsgs, ForwardMsgs until script_finished: benchmarks/st_client.py). After
the first run, whose messages give the widget ids, each round sends, alternating the two servers:

  (i)   a learning rate not sent before (the "Learning rate" select_slider; a cache miss),
  (ii)  the "Presenter mode" toggle (key "present") on, then off again,
  (iii) the "Log scale for the loss" checkbox on, then off again.
"on" follows a new learning rate, so it asks for a combination never computed; "off" goes back to
the one computed by (i). Whether that is a cache miss depends on the code: that is what is compared.

Time is from sending the BackMsg to script_finished (perf_counter). Each rerun is checked to have
reached the app (the component's spec.run.lr, spec.present, the loss axis type; or, for a message the
client already holds, Streamlit's reference to it). Medians and AFTER/BEFORE ratios are printed; the
machine is noisy, so read the ratios. No time limit is asserted; exit 1 only if the measurement broke.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parent))
from st_client import ROOT, BenchError, Session, select_slider_state, streamlit_server  # noqa: E402


def snapshot(ref: str, into: Path) -> Path:
    """app.py, gdviz and .streamlit of ``git archive REF``, unpacked into ``into``; returns its app.py."""
    into.mkdir()
    tar = subprocess.run(["git", "archive", "--format=tar", ref, "app.py", "gdviz", ".streamlit"], cwd=ROOT,
                         capture_output=True, check=True, timeout=60).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True, timeout=60)
    return into / "app.py"


def widget(run, kind: str, label: str):
    """The first ``kind`` element (slider, checkbox; st.toggle is a checkbox) labelled ``label``."""
    for element in run.elements(kind):
        if element.label == label:
            return element
    raise BenchError(f"no {kind} labelled {label!r} in the first run")


def bool_state(widget_id: str, value: bool) -> WidgetState:
    return WidgetState(id=widget_id, bool_value=value)


def spec_of(run) -> dict | None:
    """The component's spec in this rerun, or None when it came as a reference to a message held."""
    for element in run.elements("component_instance"):
        return json.loads(element.json_args)["spec"]
    if any(msg.WhichOneof("type") == "ref_hash" for msg in run.messages):
        return None
    raise BenchError("the rerun sent no component message")


def loss_axis(spec: dict) -> str:
    loss = spec["figures"]["loss"]
    loss = json.loads(loss) if isinstance(loss, str) else loss
    return loss["layout"]["yaxis"].get("type", "linear")


CHECKS = {"lr": lambda spec, value: abs(spec["run"]["lr"] - float(value)) <= 1e-12,
          "present": lambda spec, value: bool(spec.get("present")) == value,
          "log": lambda spec, value: (loss_axis(spec) == "log") == value}


class Page:
    """One server's session and its widget ids."""

    def __init__(self, session: Session, name: str, steps: int):
        self.session, self.name = session, name
        first = session.run()
        self.first = first.seconds
        if steps != 100:  # the "Steps" slider (default 100) moved first, unmeasured
            state = WidgetState(id=widget(first, "slider", "Steps").id)
            state.double_array_value.data.append(steps)  # what the frontend sends for st.slider
            if spec_of(session.run([state]))["run"].get("steps", steps) != steps:
                raise BenchError(f"{name}: steps={steps} did not reach the app")
        self.lr = widget(first, "slider", "Learning rate")
        self.present = widget(first, "checkbox", "Presenter mode").id
        self.log = widget(first, "checkbox", "Log scale for the loss").id
        start = json.loads(next(first.elements("component_instance")).json_args)["spec"]["run"]["lr"]
        options = list(self.lr.options)
        self.at = min(range(len(options)), key=lambda i: abs(float(options[i]) - start))
        self.times: dict[str, list[float]] = {}

    def rerun(self, what: str, state: WidgetState, value) -> None:
        run = self.session.run([state])
        spec = spec_of(run)
        if spec is not None and not CHECKS[what](spec, value):
            raise BenchError(f"{self.name}: sent {what}={value}, the component did not show it")
        key = what if what == "lr" else f"{what} {'on' if value else 'off'}"
        self.times.setdefault(key, []).append(run.seconds)

    def round(self, r: int, order: list[str]) -> None:
        """One round: reruns named in ``order`` ("lr", "present", "log")."""
        for what in order:
            if what == "lr":  # smaller rates than the default (none diverges), a new one each round
                value = self.lr.options[self.at - 1 - r]
                self.rerun("lr", select_slider_state(self.lr.id, value), value)
            else:
                wid = self.present if what == "present" else self.log
                for value in (True, False):
                    self.rerun(what, bool_state(wid, value), value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="99b72b4", help="the code before the caching rework")
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=100, help="the Steps slider, set before measuring "
                        "(default: the page's 100; 2000, its maximum, makes a cache miss costlier)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    refs = [(name, ref, subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True,
                                       text=True, check=True).stdout.strip())
            for name, ref in (("BEFORE", args.before), ("AFTER", args.after))]
    with tempfile.TemporaryDirectory(prefix="gdviz-reruns-") as tmp, ExitStack() as stack:
        tmp = Path(tmp)
        try:
            pages = []
            for name, ref, _ in refs:
                app = snapshot(ref, tmp / name)
                port = stack.enter_context(streamlit_server(app, tmp, cwd=app.parent))
                pages.append(Page(stack.enter_context(Session(port)), name, args.steps))
            if any(page.at < args.rounds for page in pages):
                raise BenchError("not enough learning rates below the default for --rounds")
            for r in range(args.rounds):
                # alternate the servers rerun by rerun, and which goes first round by round
                for what in ("lr", "present", "log"):
                    for page in (pages if r % 2 == 0 else pages[::-1]):
                        page.round(r, [what])
                print(f"  round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
        except BenchError as error:
            print(f"measurement failed: {error}", file=sys.stderr)
            for log in tmp.glob("*.log"):
                print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 1
    before, after = pages
    print(f"\ngdviz rerun times, websocket, BackMsg -> script_finished (seconds, median of n; min-max)\n"
          f"BEFORE {refs[0][1]} = {refs[0][2]}, AFTER {refs[1][1]} = {refs[1][2]} (clean git archive snapshots); "
          f"steps={args.steps}; {os.cpu_count()} cpu, load {load:.1f} at start, {os.getloadavg()[0]:.1f} at end")
    print(f"{'rerun':44s} {'BEFORE':>20s} {'AFTER':>20s} {'AFTER/BEFORE':>13s}")
    rows = [("first run of the page (one sample)", [before.first], [after.first]),
            ("(i) a new learning rate (cache miss)", before.times["lr"], after.times["lr"]),
            ("(ii) presenter mode on (after (i): new state)", before.times["present on"], after.times["present on"]),
            ("     presenter mode off again", before.times["present off"], after.times["present off"]),
            ("(iii) log scale on (new state)", before.times["log on"], after.times["log on"]),
            ("     log scale off again", before.times["log off"], after.times["log off"])]
    for label, b, a in rows:
        cell = lambda v: f"{statistics.median(v):.3f} ({min(v):.2f}-{max(v):.2f})"
        print(f"{label:44s} {cell(b):>20s} {cell(a):>20s} {statistics.median(a) / statistics.median(b):12.2f}x"
              + f"   n={len(a)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
