"""The package as a student installs it, and the views in a notebook.

The wheel is built from a copy of the working tree, installed into a fresh venv (with the system's
site-packages, so Streamlit and numpy are not fetched again) and used from outside the repository:
``import gdviz`` is the venv's, every data file of gdviz/ is in it (the page and the Streamlit config
as the files their symlinks name), ``gdviz serve`` answers, and examples/gradient-descent.ipynb runs
through nbclient on a kernel of the venv's Python, its ``gdviz.show`` outputs holding the views: the
standalone page (plotly.js and the frontend modules inlined, the spec of gdviz.lecture(state)) in a
sandboxed ``<iframe srcdoc>``. With Chromium, the output is drawn and stepped in a browser too.
"""
from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import nbclient
import nbformat
import pytest

import gdviz
from gdviz import web

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "gradient-descent.ipynb"
# What a clean clone does not have, or the build makes: left out of the copy the wheel is built from.
NOT_SOURCE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".hypothesis",
                                    ".pytest_cache", "node_modules", "tmp", "out", ".benchmarks")
SERVER_START = 60.0  # s until /_stcore/health answers on a slow, shared machine


def _env() -> dict:
    """The environment of everything run in the venv: nothing points Python back at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    return {**env, "PYTHONNOUSERSITE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _run(command: list, cwd: Path, timeout: float = 180) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """{"wheel", "venv", "python", "site", "outside"}: the wheel built and installed in a fresh venv."""
    tmp = tmp_path_factory.mktemp("package")
    source = tmp / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)  # the symlinks stay symlinks
    # The build's own setuptools (requirements-dev.txt), not a download per run: no build isolation.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp / "dist", source],
         cwd=tmp)
    wheels = sorted((tmp / "dist").glob("gdviz-*.whl"))
    assert len(wheels) == 1, wheels
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], cwd=tmp)
    python = venv / "bin" / "python"
    # With the system's site-packages the venv's Python finds pip too; it installs into the venv.
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheels[0]], cwd=tmp)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp).strip())
    outside = tmp / "elsewhere"
    outside.mkdir()
    return {"wheel": wheels[0], "source": source, "venv": venv, "python": python, "site": site, "outside": outside}


def _package_files(root: Path) -> dict[str, bytes]:
    """{path under gdviz/: content} of every file of the package but Python's caches (symlinks read through)."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts}


def test_the_wheel_carries_every_file_of_the_package_with_the_page_and_config_as_their_content(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        shipped = {name.removeprefix("gdviz/"): wheel.read(name) for name in wheel.namelist()
                   if name.startswith("gdviz/")}
        metadata = next(wheel.read(n).decode() for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        entry_points = next(wheel.read(n).decode() for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    source = _package_files(installed["source"] / "gdviz")
    assert sorted(shipped) == sorted(source)  # a data file added to gdviz/ must be named in pyproject.toml
    assert shipped == source
    # the symlinks' targets, as files: one page, one config, kept in one place each
    assert shipped["page.py3"] == (ROOT / "app.py").read_bytes()
    assert shipped["streamlit_config.toml"] == (ROOT / ".streamlit" / "config.toml").read_bytes()
    assert {"samples/trees.csv", "vendor/plotly-gdviz.min.js", "web/frontend/index.html",
            "web/frontend/main.js"} <= set(shipped)
    requirements = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([0-9.]+)", (ROOT / "requirements.txt").read_text(), re.M))
    assert requirements
    for name, pinned in requirements.items():  # every pin of requirements.txt is a dependency, and allowed by it
        declared = [line for line in metadata.splitlines() if line.lower().startswith(f"requires-dist: {name}")]
        assert declared, f"{name} is not a dependency of the package"
        low = declared[0].split(">=")[1].split(",")[0]
        assert tuple(map(int, low.split("."))) <= tuple(map(int, pinned.split("."))), (declared, pinned)
    assert "gdviz = gdviz.cli:main" in entry_points


def test_the_installed_package_works_from_anywhere(installed):
    probe = """
import json, gdviz, gdviz.cli, gdviz.web as web
from gdviz.data import SAMPLES, SAMPLES_DIR
title = next(iter(SAMPLES))
data = gdviz.read_csv(SAMPLES_DIR / SAMPLES[title])
state = gdviz.PageState(source=title)
print(json.dumps({"gdviz": gdviz.__file__, "page": str(gdviz.cli.page()), "rows": data.m, "title": title,
                  "frontend": [str(p) for p in web.frontend_files()], "plotly": str(web.PLOTLY_JS),
                  "spec": sorted(gdviz.lecture(state).spec["figures"]), "has_show": callable(gdviz.show)}))
"""
    found = json.loads(_run([installed["python"], "-c", probe], cwd=installed["outside"]).strip().splitlines()[-1])
    site = installed["site"]
    assert Path(found["gdviz"]).is_relative_to(site / "gdviz"), found["gdviz"]
    assert Path(found["page"]) == site / "gdviz" / "page.py3"
    assert found["rows"] > 10 and {"surface", "contour", "data", "loss"} <= set(found["spec"])
    assert all(Path(p).is_file() and Path(p).is_relative_to(site) for p in found["frontend"] + [found["plotly"]])
    assert found["has_show"]
    help_text = _run([installed["venv"] / "bin" / "gdviz", "--help"], cwd=installed["outside"])
    assert "serve" in help_text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gdviz_serve_starts_the_packaged_page(installed, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(installed["venv"] / "bin" / "gdviz"), "serve", "--port", str(port),
                                   "--address", "127.0.0.1"], cwd=installed["outside"], env=_env(),
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        answer, deadline = "", time.monotonic() + SERVER_START
        while answer != "ok" and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    answer = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert answer == "ok", f"gdviz serve did not answer on port {port}:\n{log.read_text()[-3000:]}"
        # the server is this process (exec), running the page inside the installed package
        command = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        served = Path(next(part for part in command if part.endswith(b"gdviz_page.py")).decode())
        assert served.read_bytes() == (installed["site"] / "gdviz" / "page.py3").read_bytes()
        assert b"--client.showErrorDetails" in command  # the repository's production settings came along
        with pytest.raises(urllib.error.HTTPError) as refused:  # the class's routes are served beside the page
            urllib.request.urlopen(f"http://127.0.0.1:{port}/class/NOROOM/state", timeout=10)
        assert refused.value.code == 404 and "class code" in json.loads(refused.value.read())["error"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# ---- the notebook ----

class _Iframes(html.parser.HTMLParser):
    """The attributes of every <iframe> in an HTML fragment (srcdoc unescaped, as the browser reads it)."""

    def __init__(self, text: str):
        super().__init__()
        self.frames: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.frames.append(dict(attrs))


def _spec_of(page: str) -> dict:
    start = page.index("window.GDVIZ_SPEC = ") + len("window.GDVIZ_SPEC = ")
    return json.loads(page[start:page.index(";</script>", start)])


@pytest.fixture(scope="module")
def executed(installed) -> nbformat.NotebookNode:
    """examples/gradient-descent.ipynb run by nbclient in the venv's Python (its kernel is that
    Python's ipykernel, so the notebook imports the installed gdviz), plus a cell saying which gdviz."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("print(gdviz.__file__)"))
    path = installed["outside"] / "run.ipynb"
    nbformat.write(notebook, path)
    runner = ("import sys, nbclient, nbformat\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "nbclient.NotebookClient(nb, timeout=120, kernel_name='python3', "
              "resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
              "nbformat.write(nb, sys.argv[1])\n")
    _run([installed["python"], "-c", runner, path, installed["outside"]], cwd=installed["outside"], timeout=300)
    return nbformat.read(path, as_version=4)


def _shown(cell) -> list[dict]:
    """The HTML outputs of a cell, each with its one iframe's attributes."""
    out = []
    for output in cell.outputs:
        assert output.output_type != "error", "\n".join(output.traceback)
        if "text/html" in output.get("data", {}):
            frames = _Iframes(output.data["text/html"]).frames
            assert len(frames) == 1
            out.append(frames[0])
    return out


def test_the_example_notebook_shows_the_views_offline_from_the_installed_package(executed, installed):
    cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert "gdviz.show(" in cells[0].source and cells[0].source.count("\n") == 2  # three lines of use
    assert cells[-1].outputs[0].text.strip().startswith(str(installed["site"] / "gdviz"))
    first = _shown(cells[0])
    assert len(first) == 1  # show() as a cell's last expression is drawn once, not twice
    frame = first[0]
    assert frame["sandbox"] == "allow-scripts allow-downloads"  # its scripts apart from the notebook's
    assert int(frame["style"].split("height:")[1].split("px")[0]) >= 1000
    page = frame["srcdoc"]
    # the page's own frontend: index.html's views, every module and plotly.js inlined, nothing fetched
    for view in ("surface", "contour", "data", "loss", "steplabel", "slider"):
        assert f'id="{view}"' in page
    for name in web.MODULES:
        assert web.inline_script((web.FRONTEND / name).read_text(encoding="utf-8")) in page
    assert web.PLOTLY_JS.read_text(encoding="utf-8")[:2000] in page
    assert not re.search(r'<(script|link|img|iframe)\b[^>]*\b(src|href)=', page)  # nothing fetched
    # the spec is gdviz.lecture(state)'s, for the state the cell shows
    state = gdviz.PageState(lr=0.3)
    assert "PageState(lr=0.3)" in cells[0].source
    expected = json.loads(web.script_json({**gdviz.lecture(state).spec, "present": False}))
    assert _spec_of(page) == expected
    # the run of the second cell: the run's own numbers, with the data it ran on
    (second,) = _shown(cells[1])
    spec = _spec_of(second["srcdoc"])
    data = gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0)
    run = gdviz.descend(data, lr=0.28, steps=40)
    assert "gdviz.descend(data, lr=0.28, steps=40)" in cells[1].source
    assert spec == json.loads(web.script_json({**web.lecture_spec(data, run), "present": False}))


def test_show_takes_a_state_a_lecture_a_run_with_its_data_and_says_what_it_cannot():
    state = gdviz.PageState(lr=0.05)
    a, b = gdviz.show(state), gdviz.show(gdviz.lecture(state))
    assert a.spec == b.spec == gdviz.lecture(state).spec
    assert gdviz.show(gdviz.PageState(), lr=0.05).spec == a.spec  # options change the state's fields
    assert 'srcdoc="' in a._repr_html_() and "&lt;!doctype html&gt;" in a._repr_html_()
    data = gdviz.synthetic(n=30, seed=2)
    run = gdviz.descend(data, lr=0.2, steps=15)
    assert gdviz.show(run, data=data, step=3).spec["step"] == 3
    with pytest.raises(TypeError, match="data="):
        gdviz.show(run)
    with pytest.raises(TypeError, match="PageState"):
        gdviz.show("lr=0.3")
    with pytest.raises(TypeError, match="no options"):
        gdviz.show(gdviz.lecture(state), lr=0.2)


def test_import_gdviz_does_not_import_ipython():
    code = "import sys, gdviz; print('IPython' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


# ---- the notebook's output in a browser ----

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _browser_or_skip():
    missing = [] if CHROMIUM else ["no Chromium (apt-get install -y chromium)"]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("the playwright package is missing")
        sync_playwright = None
    if missing:
        why = "NOTEBOOK BROWSER TEST NOT RUN: " + "; ".join(missing)
        if os.environ.get("GDVIZ_REQUIRE_BROWSER") == "1":
            pytest.fail(why + " -- and GDVIZ_REQUIRE_BROWSER=1 requires them.", pytrace=False)
        pytest.skip(why)
    return sync_playwright


def test_the_notebook_output_draws_and_steps_in_a_browser_apart_from_the_notebook(executed):
    sync_playwright = _browser_or_skip()
    output = next(o for o in executed.cells[1].outputs if "text/html" in o.get("data", {}))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": 900})
            errors = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.set_content("<!doctype html><html><body><p>a notebook</p>" + output.data["text/html"] + "</body></html>")
            views = tab.frame_locator("iframe")
            for view in ("surface", "contour", "data", "loss"):
                views.locator(f"#{view} .main-svg").first.wait_for(timeout=120_000)
            label = views.locator("#steplabel")
            assert label.inner_text() == "step 0 / 100"
            views.locator("#forward").click()
            assert label.inner_text() == "step 1 / 100"
            frame = tab.frames[1]
            assert frame.evaluate("window.origin") == "null"  # sandboxed: no reach into the notebook
            assert tab.evaluate("typeof window.Plotly + ' ' + typeof window.gdviz") == "undefined undefined"
            assert frame.evaluate("window.gdviz.frameAt(1) !== null")
            assert errors == []
        finally:
            browser.close()
