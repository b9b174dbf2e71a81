"""The views' colours for every student: the pairs a lecture asks students to tell apart stay apart
under the three common colour-vision deficiencies, none of them by colour alone, and text is
readable (WCAG 2.1 AA: contrast ≥ 4.5:1).

Colour-vision deficiency is simulated with Machado, Oliveira & Fernandes (2009), severity 1.0 (the
dichromat: deuteranopia, protanopia, tritanopia), a matrix applied in linear RGB; colours are
compared by CIEDE2000 (CIE 2001) in CIELAB under D65. Both are written out here from the papers,
independently of the palette (figures.py). The distance asked is ΔE₀₀ ≥ 12: about 1 is a just
noticeable difference between large patches, and thin lines and small marks need several times
more; 12 is past the "clearly different at a glance" of 10 that palette tools use for categories.
The CIEDE2000 code is checked against Sharma, Wu & Dalal's (2005) published test pairs.
"""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

import gdviz
from gdviz import figures, web

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "gdviz" / "web" / "frontend" / "index.html"
DISTINCT = 12.0   # ΔE₀₀ between colours that must be told apart, for every kind of vision
TEXT_CONTRAST = 4.5

# Machado et al. 2009, Table 1 at severity 1.0, rows for R', G', B' from linear R, G, B.
MACHADO = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
VISIONS = ("normal", *MACHADO)
# Viridis's low end (Plotly's scale, at 0, 0.11, 0.22): the colours around the optimum on the
# contours and on the surface, where the loss is lowest.
VIRIDIS_LOW = ("#440154", "#482878", "#3e4989")


# ---------------------------------------------------------------- colour science, from the papers

def srgb(colour: str) -> np.ndarray:
    colour = colour.strip()
    if colour.startswith("#"):
        h = colour[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0
    found = re.match(r"rgba?\(([^)]*)\)", colour)
    if found:
        return np.array([float(v) for v in found.group(1).split(",")[:3]]) / 255.0
    named = {"white": "#ffffff", "black": "#000000"}
    return srgb(named[colour])


def linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def seen(colour: str, vision: str) -> np.ndarray:
    """Linear RGB as a person with ``vision`` sees ``colour`` (clipped to the gamut)."""
    rgb = linear(srgb(colour))
    return rgb if vision == "normal" else np.clip(np.asarray(MACHADO[vision]) @ rgb, 0.0, 1.0)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear sRGB colour."""
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ rgb_linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """ΔE₀₀ (Sharma, Wu & Dalal 2005, equations 1-22, kL = kC = kH = 1)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    C_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(C_mean ** 7 / (C_mean ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if C1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if C2p else 0.0
    dLp, dCp = L2 - L1, C2p - C1p
    if C1p * C2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    else:
        dhp = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dhp / 2))
    Lp, Cp = (L1 + L2) / 2, (C1p + C2p) / 2
    if C1p * C2p == 0:
        hp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp = (h1p + h2p) / 2
    else:
        hp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    T = (1 - 0.17 * np.cos(np.radians(hp - 30)) + 0.24 * np.cos(np.radians(2 * hp))
         + 0.32 * np.cos(np.radians(3 * hp + 6)) - 0.20 * np.cos(np.radians(4 * hp - 63)))
    d_theta = 30 * np.exp(-(((hp - 275) / 25) ** 2))
    R_C = 2 * np.sqrt(Cp ** 7 / (Cp ** 7 + 25.0 ** 7))
    S_L = 1 + 0.015 * (Lp - 50) ** 2 / np.sqrt(20 + (Lp - 50) ** 2)
    S_C, S_H = 1 + 0.045 * Cp, 1 + 0.015 * Cp * T
    R_T = -np.sin(np.radians(2 * d_theta)) * R_C
    return float(np.sqrt((dLp / S_L) ** 2 + (dCp / S_C) ** 2 + (dHp / S_H) ** 2 + R_T * (dCp / S_C) * (dHp / S_H)))


def distance(colour1: str, colour2: str, vision: str) -> float:
    return ciede2000(lab(seen(colour1, vision)), lab(seen(colour2, vision)))


def luminance(colour: str) -> float:
    return float(np.array([0.2126, 0.7152, 0.0722]) @ linear(srgb(colour)))


def contrast(colour1: str, colour2: str) -> float:
    """WCAG 2.1's contrast ratio (L1 + 0.05) / (L2 + 0.05)."""
    high, low = sorted((luminance(colour1), luminance(colour2)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# ---------------------------------------------------------------- the science checked

@pytest.mark.parametrize("lab1, lab2, expected", [   # Sharma, Wu & Dalal 2005, Table 1 (pairs 1, 7, 17, 25, 34)
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
])
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_the_simulation_keeps_greys_and_merges_what_dichromats_confuse():
    for vision in MACHADO:  # each matrix's rows sum to 1: white stays white, greys stay grey
        assert np.allclose(seen("#ffffff", vision), 1.0, atol=1e-3)
    assert distance("#ff0000", "#00ff00", "normal") > 80
    # red and green, far apart for most eyes, come close for the red-green dichromats; blue and
    # yellow-green for the tritanope: the matrices do what they are for
    assert distance("#d62728", "#2ca02c", "deuteranopia") < 0.45 * distance("#d62728", "#2ca02c", "normal")
    assert distance("#1f77b4", "#2ca02c", "tritanopia") < 0.5 * distance("#1f77b4", "#2ca02c", "normal")
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)   # WCAG's grey at the limit


# ---------------------------------------------------------------- the palette

def _pairs() -> dict[str, tuple[str, str]]:
    pairs = {"path / gradient": (figures.PATH, figures.GRADIENT), "path / update": (figures.PATH, figures.UPDATE),
             "gradient / update": (figures.GRADIENT, figures.UPDATE),
             "pull over / pull under": (figures.PULL_OVER, figures.PULL_UNDER),
             "mini-batch gradient / gradient": (figures.BATCH, figures.GRADIENT)}
    for i, j in itertools.combinations(range(len(figures.RUN_COLOURS)), 2):
        pairs[f"run {i} / run {j}"] = (figures.RUN_COLOURS[i], figures.RUN_COLOURS[j])
    for i, colour in enumerate(figures.RUN_COLOURS[1:], start=1):   # a compared run beside the step's arrows
        pairs[f"run {i} / gradient"] = (colour, figures.GRADIENT)
        pairs[f"run {i} / update"] = (colour, figures.UPDATE)
    for low in VIRIDIS_LOW:   # the optimum's yellow star / diamond where the loss is lowest
        pairs[f"optimum / contours {low}"] = (figures.OPTIMUM, low)
    return pairs


@pytest.mark.parametrize("vision", VISIONS)
def test_the_colours_a_lecture_compares_stay_apart(vision):
    close = {name: round(distance(a, b, vision), 1) for name, (a, b) in _pairs().items()
             if distance(a, b, vision) < DISTINCT}
    assert close == {}, f"{vision}: ΔE00 under {DISTINCT} for {close}"


def _spec():
    data = gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2.0, 2.0), x_offset=1.0)
    run = gdviz.descend(data, lr=0.1, steps=40, w0=[-3.0], b0=4.0)
    others = tuple((name, gdviz.descend(data, optimizer=optimizer, lr=0.1, steps=40, w0=[-3.0], b0=4.0))
                   for name, optimizer in (("momentum", "momentum"), ("Adam", "adam"), ("RMSProp", "rmsprop")))
    return web.lecture_spec(data, run, others=others, pull=True, step=10)


@pytest.fixture(scope="module")
def spec():
    return _spec()


def _looks(trace: dict) -> tuple:
    """What tells a trace apart without its colour: its name, marker symbol, dash and mode."""
    marker, line = trace.get("marker") or {}, trace.get("line") or {}
    return (trace.get("name"), json.dumps(marker.get("symbol")), line.get("dash"), trace.get("mode"))


def _colour(trace: dict) -> str | None:
    return (trace.get("line") or {}).get("color") or (trace.get("marker") or {}).get("color")


def test_every_pair_also_differs_by_a_word_a_shape_or_a_dash(spec):
    """Never colour alone: in each view, two traces of colours a lecture compares differ in their
    name (the legend's word), their marker symbol or their dash, and the step's ∇L and update
    arrows on the contours (annotations, no legend) differ in their heads."""
    compared = {frozenset(pair) for pair in _pairs().values()}
    checked = 0
    for view, text in spec["figures"].items():
        traces = [t for t in json.loads(text)["data"] if isinstance(_colour(t), str)]
        for t1, t2 in itertools.combinations(traces, 2):
            c1, c2 = _colour(t1).upper(), _colour(t2).upper()
            if c1 != c2 and frozenset((c1, c2)) in {frozenset(c.upper() for c in p) for p in compared}:
                if t1.get("showlegend") is False or t2.get("showlegend") is False:
                    continue   # a marker of the step: it sits on its own path, which carries the name
                checked += 1
                assert _looks(t1) != _looks(t2), f"{view}: {t1.get('uid')} and {t2.get('uid')} differ by colour alone"
    assert checked >= 10, f"only {checked} pairs found: the spec no longer draws what this test reads"
    grad, update = figures.ARROW_STYLES["grad"], figures.ARROW_STYLES["update"]
    assert grad["arrowhead"] != update["arrowhead"]
    names = [t.get("name") for t in json.loads(spec["figures"]["contour"])["data"]]
    assert any("ŷ > y" in str(n) for n in names) and any("ŷ < y" in str(n) for n in names)   # the pulls' signs in words
    marks = [t for t in json.loads(spec["figures"]["contour"])["data"] if t.get("uid") == "optimum"]
    assert marks and marks[0]["marker"]["symbol"] == "star"   # the optimum is a shape, not only a yellow


def _figure_text_colours(fig: dict) -> list[tuple[str, str, str]]:
    """(where, text colour, background) of every text a figure writes on its paper."""
    layout = fig["layout"]
    paper = layout.get("paper_bgcolor", "white")
    out = [("font", layout.get("font", {}).get("color", "#444444"), paper)]
    title = layout.get("title", {})
    if isinstance(title, dict) and "color" in title.get("font", {}):
        out.append(("title", title["font"]["color"], paper))
    for key, axis in layout.items():
        if re.match(r"[xy]axis\d*$", key) and isinstance(axis, dict):
            for part in ("tickfont",):
                if "color" in axis.get(part, {}):
                    out.append((f"{key}.{part}", axis[part]["color"], paper))
            axis_title = axis.get("title", {})
            if isinstance(axis_title, dict) and "color" in axis_title.get("font", {}):
                out.append((f"{key}.title", axis_title["font"]["color"], paper))
    for i, note in enumerate(layout.get("annotations", [])):
        if note.get("text") and "color" in note.get("font", {}):
            background = note.get("bgcolor", paper)   # a translucent white box over the plot: judged as white
            out.append((f"annotation {i} {note['text']!r}", note["font"]["color"],
                        "white" if str(background).startswith("rgba(255,255,255") else background))
    return out


def test_the_figures_text_is_readable(spec):
    data, rates, steps = _sweep_inputs()
    sweep = gdviz.sweep(data, rates, steps=steps, w0=[-3.0], b0=4.0, tol=1e-3)
    curvature = gdviz.curvature(data)
    figs = {name: json.loads(text) for name, text in spec["figures"].items()}
    figs["sweep"] = figures.sweep_figure(sweep, curvature).to_plotly_json()
    figs["sweep (this run)"] = figures.mark_learning_rate(figs["sweep"], 0.1)
    low = {}
    for name, fig in figs.items():
        for where, colour, background in _figure_text_colours(fig):
            ratio = contrast(colour, background)
            if ratio < TEXT_CONTRAST:
                low[f"{name}: {where}"] = (colour, background, round(ratio, 2))
    assert low == {}


def _sweep_inputs():
    data = gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2.0, 2.0), x_offset=1.0)
    return data, np.geomspace(0.01, 1.2, 12), 40


def _css(text: str, selector: str, prop: str) -> str:
    rule = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", text)
    assert rule, selector
    value = re.search(r"(?:^|;|\s)" + re.escape(prop) + r"\s*:\s*([^;]+)", rule.group(1))
    assert value, (selector, prop)
    return value.group(1).strip()


def test_the_page_around_the_views_has_readable_text():
    """The maths panel, the bar and the note: each text colour of index.html's style sheet on its
    background, the spec's page colours (the maths' ∇L and update rows, the Play button) included."""
    html = INDEX.read_text(encoding="utf-8")
    variables = dict(re.findall(r"--(ink|muted)\s*:\s*(#[0-9a-fA-F]{6})", html))
    variables.update({name: colour for name, colour in figures.PAGE_COLOURS.items()})
    resolve = lambda v: variables[re.match(r"var\(--([a-z]+)\)", v).group(1)] if v.startswith("var(") else v  # noqa: E731
    bar = _css(html, "#bar", "background")
    metric = _css(html, ".metric", "background")
    number = _css(html, ".eq .n", "background")
    pairs = {
        "text": (resolve(_css(html, "body", "color")), "#ffffff"),
        "muted text": (variables["muted"], "#ffffff"),
        "the bar's labels": (variables["muted"], bar),
        "a metric's name": (variables["muted"], metric),
        "a metric's value": (variables["ink"], metric),
        "a number in the maths": (_css(html, ".eq .n", "color"), number),
        "the maths' ∇L rows": (variables["grad"], "#ffffff"),
        "the maths' update rows": (variables["update"], "#ffffff"),
        "the Play button": ("#ffffff", variables["grad"]),
        "a diverged run's note": (_css(html, "#note.bad", "color"), "#ffffff"),
    }
    low = {name: round(contrast(*colours), 2) for name, colours in pairs.items() if contrast(*colours) < TEXT_CONTRAST}
    assert low == {}
