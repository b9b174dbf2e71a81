"""A small Streamlit client for the benchmarks: serve an app, open a session the way a browser tab
does, rerun the script, and read what the server sends until the run is over.

    with streamlit_server(app, log_dir) as port, Session(port) as session:
        run = session.run()                                     # the first run, at the defaults
        rerun = session.run([select_slider_state(widget.id, "0.01")])
        run.seconds, run.total_bytes, list(run.elements("component_instance"))

The protocol is Streamlit's own: a websocket on ``/_stcore/stream`` (subprotocol "streamlit")
carrying ``BackMsg`` protobufs one way (``rerun_script`` with widget states and the hashes of the
large messages already held) and ``ForwardMsg`` protobufs the other, until ``script_finished``.
Times are time.perf_counter from sending the BackMsg to receiving script_finished; bytes are the
serialized ForwardMsgs (Streamlit's websocket compression is off by default, so they are the bytes
on the wire). Loopback only; every wait is bounded.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT = 120.0  # seconds one script run may take before the benchmark gives up


class BenchError(RuntimeError):
    """The measurement could not be made (not a slow result: a broken one)."""


# ---------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(process, port: int, what: str, seconds: float, detail) -> None:
    """Until http://127.0.0.1:port/_stcore/health answers "ok"; BenchError (with ``detail()``) if
    ``process`` exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise BenchError(f"{what} exited with {process.returncode}; {detail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"{what} did not answer /_stcore/health in {seconds:.0f} s; {detail()}")
        time.sleep(0.1)


def stop(process) -> None:
    """Terminate a server; kill it if it will not stop."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@contextmanager
def streamlit_server(app: Path, log_dir: Path, cwd: Path = ROOT):
    """A `streamlit run` of ``app`` on a free loopback port, started in ``cwd`` (whose
    .streamlit/config.toml it reads); yields the port; always terminated. Its output goes to a log
    in ``log_dir``."""
    port = free_port()
    log = open(log_dir / f"{app.stem}-{port}.log", "w")
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1",
               "--server.port", str(port), "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(process, port, f"{app.name} server", 60, lambda: f"see {log.name}")
        yield port
    finally:
        stop(process)
        log.close()


# ---------------------------------------------------------------- a session

@dataclass
class Run:
    """One script run as the client saw it: its time, the raw frames and the parsed messages."""
    seconds: float
    frames: list[bytes]
    messages: list[ForwardMsg]
    status: int = -1

    @property
    def total_bytes(self) -> int:
        return sum(len(frame) for frame in self.frames)

    def elements(self, kind: str):
        """The new elements of type ``kind`` (slider, component_instance, plotly_chart, exception...)."""
        for msg in self.messages:
            if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == kind:
                    yield getattr(element, kind)

    def count(self, kind: str) -> int:
        return sum(msg.WhichOneof("type") == kind for msg in self.messages)


@dataclass
class Session:
    """One browser tab's worth of protocol: a websocket session that runs the script on request."""
    port: int
    ws: object = None
    page_script_hash: str = ""
    cached_hashes: set = field(default_factory=set)

    def __enter__(self):
        self.ws = connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                          compression=None, max_size=None, open_timeout=20, close_timeout=5).__enter__()
        return self

    def __exit__(self, *exc):
        self.ws.close()

    def _receive(self, deadline: float) -> tuple[bytes, ForwardMsg, float]:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise BenchError(f"no script_finished within {RUN_TIMEOUT:.0f} s")
        try:
            frame = self.ws.recv(timeout=remaining)
        except TimeoutError:
            raise BenchError(f"no script_finished within {RUN_TIMEOUT:.0f} s") from None
        arrived = time.perf_counter()
        if isinstance(frame, str):
            raise BenchError("the server sent a text frame")
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        return frame, msg, arrived

    def run(self, widgets: list[WidgetState] | None = None) -> Run:
        """Send rerun_script and read ForwardMsgs until script_finished (then drain stragglers).

        Like the browser, it reports the hashes of the large messages it already holds, so a
        repeated message comes back as a small reference; unlike the browser, it sends only the
        widget states given (the others keep their values on the server)."""
        back = BackMsg()
        state = back.rerun_script
        state.query_string = ""
        state.page_script_hash = self.page_script_hash
        state.cached_message_hashes.extend(sorted(self.cached_hashes))
        for widget in widgets or []:
            state.widget_states.widgets.append(widget)
        frames, messages = [], []
        start = time.perf_counter()
        deadline = start + RUN_TIMEOUT
        self.ws.send(back.SerializeToString())
        while True:
            frame, msg, arrived = self._receive(deadline)
            frames.append(frame)
            messages.append(msg)
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                self.cached_hashes.add(msg.hash)
            if kind == "new_session":
                self.page_script_hash = msg.new_session.page_script_hash
            if kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                run = Run(arrived - start, frames, messages, msg.script_finished)
                break
        # Messages sent just after script_finished (session status) belong to this run's bytes.
        try:
            while True:
                frame = self.ws.recv(timeout=0.05)
                run.frames.append(frame)
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                run.messages.append(msg)
        except TimeoutError:
            pass
        if run.status != ForwardMsg.FINISHED_SUCCESSFULLY:
            raise BenchError(f"script finished with status {run.status}")
        if any(True for _ in run.elements("exception")):
            raise BenchError("the script raised: " + next(run.elements("exception")).message)
        return run


# ---------------------------------------------------------------- widgets and messages

def find_slider(run: Run, label: str):
    """The slider (or select_slider) labelled ``label`` in a run's elements."""
    for slider in run.elements("slider"):
        if slider.label == label:
            return slider
    raise BenchError(f"no slider labelled {label!r} in the first run")


def select_slider_state(widget_id: str, formatted: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.string_array_value.data.append(formatted)  # what the frontend sends for st.select_slider
    return state


def slider_state(widget_id: str, value: float) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.double_array_value.data.append(value)  # what the frontend sends for st.slider
    return state


def describe(msg: ForwardMsg) -> str:
    """A short name for a message: the element type and label for new elements, else its type."""
    kind = msg.WhichOneof("type")
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        inner = getattr(element, kind)
        name = getattr(inner, "label", "") or getattr(inner, "component_name", "") or getattr(inner, "id", "")
        return f"{kind}({name.split('-')[-1] if name.startswith('$$ID') else name})"
    if kind == "delta":
        return f"delta.{msg.delta.WhichOneof('type')}"
    return kind
