"""The lean plotly.js (gdviz/vendor/plotly-gdviz.min.js, built by tools/plotly-bundle/build.sh)
holds every trace type the page's figures use, and is the plotly.js version the pinned python
plotly package ships.

A trace type missing from a partial bundle fails quietly: plotly.js coerces an unknown ``type`` to
its default, scatter, and draws the wrong thing. So the figures of many settings (test_frames.CASES:
one feature, two features, compared runs, mini-batch, Adam, diverged, ...; presenter mode; the
sweep) are built here and their trace types checked against the modules the bundle registers, read
from its text and, where Chromium is installed, from plotly.js itself after drawing each kind of
figure (``gd._fullData`` keeps the types asked for).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import plotly
import plotly.io
import pytest

from gdviz import curvature, figures, sweep, synthetic, web

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "gdviz" / "vendor" / "plotly-gdviz.min.js"
TOOL = ROOT / "tools" / "plotly-bundle"
FULL_PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# Kept in the bundle for the views being added (logistic regression, test surfaces) even if unused today.
KEPT = {"scatter", "scatter3d", "surface", "contour", "heatmap"}


def banner_version(path: Path) -> str:
    head = path.read_text(encoding="utf-8", errors="replace")[:400]
    found = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    assert found, f"{path.name} does not start with plotly.js's banner"
    return found.group(1)


def registered(kind: str = "trace") -> set[str]:
    """The modules plotly.js registers in the bundle: its register() calls take objects written
    {moduleType: "trace", name: "surface", ...}, which minifying keeps as text."""
    text = BUNDLE.read_text(encoding="utf-8")
    return set(re.findall(r'moduleType:"' + kind + r'",name:"([a-z0-9]+)"', text))


def all_figures() -> list[tuple[str, dict]]:
    """(where, figure JSON) of the page's figures in many settings, and the sweep's."""
    from test_frames import CASES, spec_of

    out = []
    for case in CASES:
        spec = spec_of(case)
        out += [(f"{case}: {name}", json.loads(fig)) for name, fig in spec["figures"].items()]
    data = synthetic(n=40, seed=1)
    run = __import__("gdviz").descend(data, lr=0.05, steps=30, w0=[-2.0], b0=3.0)
    present = {**web.lecture_spec(data, run, step=5), "present": True}  # presenter mode: same figures
    out += [(f"presenter: {name}", json.loads(fig)) for name, fig in present["figures"].items()]
    for optimizer in ("gd", "adam"):
        result = sweep(data, np.logspace(-3, 1, 12), optimizer=optimizer, steps=40, w0=[-2.0], b0=3.0)
        out.append((f"sweep ({optimizer})", figures.sweep_figure(result, curvature(data)).to_plotly_json()))
    return out


def trace_types(fig: dict) -> set[str]:
    return {trace.get("type", "scatter") for trace in fig["data"]}


@pytest.fixture(scope="module")
def figures_used():
    return all_figures()


def test_the_bundle_is_the_plotly_js_the_python_package_ships_and_the_lock_pins():
    version = banner_version(FULL_PLOTLY)
    assert banner_version(BUNDLE) == version
    package = json.loads((TOOL / "package.json").read_text())
    lock = json.loads((TOOL / "package-lock.json").read_text())
    assert package["devDependencies"]["plotly.js"] == version  # exact, no range
    assert lock["packages"]["node_modules/plotly.js"]["version"] == version
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["devDependencies"]["esbuild"])
    assert lock["packages"]["node_modules/esbuild"]["version"] == package["devDependencies"]["esbuild"]


def test_the_page_and_the_offline_export_serve_the_bundle_not_the_full_plotly_js(tmp_path):
    assert web.PLOTLY_JS == BUNDLE
    assert BUNDLE.stat().st_size < FULL_PLOTLY.stat().st_size / 2
    served = Path(web.component_dir()) / "plotly.min.js"  # the name index.html and export.js load
    assert served.read_bytes() == BUNDLE.read_bytes()
    data = synthetic(n=20, seed=2)
    page = web.standalone_html(web.lecture_spec(data, __import__("gdviz").descend(data, lr=0.05, steps=5)))
    code = BUNDLE.read_text(encoding="utf-8")
    assert code[len(code) // 2:len(code) // 2 + 200] in page
    full = FULL_PLOTLY.read_text(encoding="utf-8")
    assert full[len(full) // 2:len(full) // 2 + 200] not in page


def test_the_bundle_keeps_the_trace_types_and_components_the_views_use(figures_used):
    traces = registered("trace")
    assert KEPT <= traces, f"the bundle lacks {sorted(KEPT - traces)}"
    for where, fig in figures_used:
        missing = trace_types(fig) - traces
        assert not missing, f"{where} draws {sorted(missing)}, which plotly-gdviz.min.js lacks: add it to " \
                            "tools/plotly-bundle/entry.js and run tools/plotly-bundle/build.sh"
    components = registered("component")
    assert {"annotations", "shapes", "legend", "colorbar", "colorscale", "fx", "modebar"} <= components
    used = {key for _, fig in figures_used for key in ("annotations", "shapes") if fig["layout"].get(key)}
    assert used <= components


def test_plotly_js_itself_draws_every_kind_of_figure_with_the_types_asked(figures_used, tmp_path):
    """In Chromium: each distinct set of trace types is drawn with the bundle, and plotly.js kept
    every trace's type (an unregistered type would come back as scatter)."""
    try:
        from test_browser import chromium  # noqa: F401  (the fixture, and its skip without Chromium)
    except pytest.skip.Exception as skipped:
        pytest.skip(skipped.msg)
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, CHROMIUM_ARGS

    kinds: dict[tuple, dict] = {}
    for _, fig in figures_used:
        kinds.setdefault(tuple(sorted(trace_types(fig))), fig)
    page_file = tmp_path / "bundle.html"
    page_file.write_text(f'<!doctype html><html><body><div id="g" style="width:600px;height:400px"></div>'
                         f'<script src="{BUNDLE.as_uri()}"></script></body></html>', encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_file.as_uri())
            assert page.evaluate("Plotly.version") == banner_version(FULL_PLOTLY)
            schema_traces = set(page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)"))
            assert KEPT <= schema_traces and schema_traces == registered("trace")
            for types, fig in kinds.items():
                drawn = page.evaluate("""(fig) => Plotly.newPlot('g', fig.data, fig.layout).then((gd) =>
                    [gd.data.map((t) => t.type || 'scatter'), gd._fullData.map((t) => t.type)])""",
                                      json.loads(plotly.io.json.to_json_plotly(fig)))
                asked, kept = drawn
                assert kept == asked, f"plotly.js drew {kept} for {asked}"
            assert not errors, errors
        finally:
            browser.close()
