"""Pictures for slides: a Pillow backend of the browser's own figures and per-step frames.

Nothing here computes a picture's geometry. ``gdviz.web.lecture_spec`` owns every view: the
contour figure (its z grid, levels, colour scale, axis ranges, the marked optima), the data view
(points and line, classes and sigmoid, predicted against actual, or a test surface's progress) and,
through ``gdviz.web.frames.step_frame``, every trace that moves with the step (the paths, the current
point, ∇L and the update as arrows, the fitted line, ...). This module draws those figures with
Pillow, the moving traces of step k laid over the still ones, in type and lines read from the back of
a lecture hall; the only computation is mapping data coordinates to pixels (``Axes``) and, where a
figure leaves an axis to Plotly's autorange, that range from the traces drawn.

``picture(spec, k)``: one slide of a run at step k, the contours on the left and the data view on
the right, under a title and "step k / N · α = … · loss = …"; ``run_gif`` animates a run;
``lesson_pictures`` makes one picture per (title, spec) and ``slides_zip`` packs them as PNGs.
No NaN or infinity ever reaches a picture: a non-finite value is a gap, as in Plotly.
"""
from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from .web import decode, frames

INK = "#2a3f5f"  # the page's text colour (figures.py)
MUTED = "#5b6b82"
GRID = "#E3E8F0"
FRAME = "#c8d0dc"
DIVERGED = "#A33200"
MAX_FRAMES = 60
FONTS = Path("/usr/share/fonts/truetype/dejavu")
# A slide is seen from far away: lines and markers are this many times as thick as on the page
# (whose presenter mode grows them 1.6 times), at 1600 pixels wide.
LINE_SCALE = 2.0
MARKER_SCALE = 2.0
TEXT_SCALE = 1.5  # a text trace's type (16 px on the page)
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


# ---- type ----
# Where DejaVu Sans lives: Debian's fonts-dejavu-core (the Dockerfile installs it), other systems' packages.
FONT_FOLDERS = (FONTS, Path("/usr/share/fonts/dejavu"), Path("/usr/share/fonts/TTF"),
                Path("/usr/share/fonts/dejavu-sans-fonts"), Path("/usr/local/share/fonts"))
NO_FONT = "no DejaVu font installed (fonts-dejavu-core): symbols spelled out"


def font_file(bold: bool = False) -> Path | None:
    """DejaVu Sans (bold) where it is installed, else None."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return next((folder / name for folder in FONT_FOLDERS if (folder / name).is_file()), None)


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (it has ∂, α, ∇, ←, −, ′, λ and subscripts) if installed; else Pillow's own
    scalable font, which has none of them: it then writes every text with those symbols spelled out
    (α as alpha, ∇ as grad, ₁ as 1, ...) instead of drawing boxes, and each slide says so (NO_FONT)."""
    path = font_file(bold)
    if path is not None:
        try:
            return ImageFont.truetype(str(path), max(1, int(size)))
        except OSError:
            pass
    fallback = ImageFont.load_default(size=max(1, int(size)))
    if isinstance(fallback, ImageFont.FreeTypeFont):
        fallback.__class__ = _SpelledOut
    return fallback


def has_symbols() -> bool:
    """Whether the slides' type has the lecture's symbols (DejaVu is installed)."""
    return not isinstance(font(10), _SpelledOut)


_SPELLED = {"α": "alpha", "β": "beta", "γ": "gamma", "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda",
            "μ": "mu", "σ": "sigma", "∂": "d", "∇": "grad ", "←": "<-", "→": "->", "−": "-", "′": "'", "·": "*",
            "×": "x", "…": "...", "≈": "~", "≤": "<=", "≥": ">=", "“": '"', "”": '"', "‘": "'", "’": "'",
            "–": "-", "—": "-", "ŷ": "y^", "²": "^2", "³": "^3", "√": "sqrt", "∞": "inf", "Σ": "sum ", "ᵀ": "^T"}
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")


def spelled_out(text: str) -> str:
    """``text`` in ASCII, the lecture's symbols spelled out (for a font without them)."""
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + unicodedata.normalize("NFKC", m.group()).replace("−", "-"), str(text))
    out = []
    for c in text:
        if c.isascii():
            out.append(c)
        elif c in _SPELLED:
            out.append(_SPELLED[c])
        else:
            plain_c = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
            name = unicodedata.name(c, "")
            out.append(plain_c or (name.split()[-1].lower() if name.startswith("GREEK") else "?"))
    return "".join(out)


class _SpelledOut(ImageFont.FreeTypeFont):
    """Pillow's built-in font, which has no Greek letters, arrows or subscripts: every text it
    measures or draws is spelled_out first, so it never draws the missing-glyph box."""

    def getmask2(self, text, *args, **kwargs):
        return super().getmask2(spelled_out(text), *args, **kwargs)

    def getlength(self, text, *args, **kwargs):
        return super().getlength(spelled_out(text), *args, **kwargs)

    def getbbox(self, text, *args, **kwargs):
        return super().getbbox(spelled_out(text), *args, **kwargs)


def nice(value) -> str:
    """A number as the page shows it: four significant digits, a true minus sign."""
    if value is None or not np.isfinite(float(value)):
        return "—"
    return f"{float(value):.4g}".replace("-", "−")


def plain(text) -> str:
    """A figure's text (Plotly's escaped HTML subset) as the characters it shows."""
    return html.unescape(re.sub(r"<br\s*/?>", " ", str(text or "")))


def rgba(colour, opacity: float = 1.0) -> tuple[int, int, int, int]:
    """A Plotly colour ("#rrggbb", "rgb(…)", "rgba(…, a)", a CSS name) as RGBA bytes."""
    text = str(colour).strip()
    found = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if found:
        parts = [float(p) for p in found.group(1).split(",")]
        r, g, b = parts[:3]
        alpha = parts[3] if len(parts) > 3 else 1.0
    else:
        r, g, b = ImageColor.getrgb(text)[:3]
        alpha = 1.0
    return int(round(r)), int(round(g)), int(round(b)), int(round(255 * np.clip(alpha * opacity, 0.0, 1.0)))


# ---- reading a spec ----
def _decoded(value):
    """Plotly JSON with its typed arrays ({"dtype", "bdata", "shape"}) as numpy arrays."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            return decode(value)
        return {key: _decoded(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def figure_of(spec: dict, name: str) -> dict:
    """The spec's figure ``name`` ("contour", "data", ...) as a dict of plain values and arrays."""
    return _decoded(json.loads(spec["figures"][name]))


def floats(values) -> np.ndarray:
    """Values of a trace as float64, None and anything not finite as NaN (a gap, as in Plotly)."""
    if values is None:
        return np.zeros(0)
    array = np.asarray(values)
    if array.dtype.kind not in "fiub":
        flat = array.ravel() if array.ndim else [array.item()]
        array = np.array([float(v) if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else np.nan
                          for v in flat], dtype=np.float64)
    array = np.atleast_1d(array.astype(np.float64)).ravel()
    return np.where(np.isfinite(array), array, np.nan)


def merged_traces(figure: dict, moving: dict) -> list[dict]:
    """The figure's traces in drawing order, each moving one (by uid) with its data at the step."""
    return [{**trace, **moving.get(trace.get("uid"), {})} for trace in figure.get("data", [])]


# ---- an axes box: data coordinates → pixels ----
@dataclass
class Axes:
    """A plotting area in pixels (left, top, right, bottom) showing ``x_range`` and ``y_range``, in
    log₁₀ units on a log axis (as Plotly writes a log axis's range)."""

    left: float
    top: float
    right: float
    bottom: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_log: bool = False
    y_log: bool = False

    def px(self, x, y):
        """Pixel coordinates (u right, v down) of data points; NaN where a value cannot be drawn."""
        x, y = floats(x), floats(y)
        with np.errstate(all="ignore"):
            if self.x_log:
                x = np.where(x > 0, np.log10(np.where(x > 0, x, 1.0)), np.nan)
            if self.y_log:
                y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
            (x0, x1), (y0, y1) = self.x_range, self.y_range
            u = self.left + (x - x0) / (x1 - x0) * (self.right - self.left)
            v = self.bottom - (y - y0) / (y1 - y0) * (self.bottom - self.top)
        return np.where(np.isfinite(u), u, np.nan), np.where(np.isfinite(v), v, np.nan)

    def point(self, x, y) -> tuple[float, float]:
        """One data point's pixel."""
        u, v = self.px([x], [y])
        return float(u[0]), float(v[0])

    @property
    def box(self) -> tuple[int, int, int, int]:
        return int(round(self.left)), int(round(self.top)), int(round(self.right)), int(round(self.bottom))

    def local(self) -> "Axes":
        """The same axes in the coordinates of an image of the box alone (for drawing, clipped)."""
        left, top, right, bottom = self.box
        return replace(self, left=self.left - left, top=self.top - top, right=self.right - left,
                       bottom=self.bottom - top)


def autorange(values: np.ndarray, length: float, *, log: bool = False, padded: bool = True,
              pad_px: float = 0.0) -> tuple[float, float]:
    """The range Plotly's autorange gives an axis ``length`` pixels long holding ``values``: their
    extent, widened so 5% of the length (``padded``, when markers are drawn) and ``pad_px`` (half
    the largest marker) stay free at each end; a single value gets ±1 (Plotly's own fallback)."""
    values = floats(values)
    if log:
        values = np.log10(values[values > 0])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (0.0, 1.0) if log else (-1.0, 6.0)
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12 * max(1.0, abs(low)):
        return low - 1.0, high + 1.0
    pad = (0.05 * length if padded else 0.0) + pad_px
    share = min(2 * pad / length, 0.5)
    span = (high - low) / (1 - share)
    return low - span * share / 2, high + span * share / 2


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round numbers (1, 2 or 5 × 10ⁿ apart) inside [low, high], about ``count`` of them."""
    span = high - low
    if not np.isfinite(span) or span <= 0:
        return [low]
    raw = span / count
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * 0.999)
    first = np.ceil(low / step) * step
    return [float(v) for v in np.arange(first, high + step * 1e-9, step)][:count * 3]


def log_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Ticks of a log axis showing 10^low to 10^high (positions in log₁₀ units, labels as values):
    powers of ten (every n-th, at most six), or 1, 2, 5 × 10ⁿ, or round values when the range
    spans less than a decade."""
    first, last = int(np.ceil(low - 1e-9)), int(np.floor(high + 1e-9))
    if last - first >= 2:
        every = max(1, int(np.ceil((last - first + 1) / 6)))
        return [(float(e), "1" if e == 0 else "10" if e == 1 else f"10{str(e).translate(SUPERSCRIPTS)}")
                for e in range(first, last + 1, every)]
    values = [m * 10.0 ** e for e in range(first - 1, last + 1) for m in (1, 2, 5)]
    values = [v for v in values if low - 1e-9 <= np.log10(v) <= high + 1e-9]
    if len(values) < 3:
        values = [v for v in ticks(10 ** low, 10 ** high, 4) if v > 0]
    step = min((b - a for a, b in zip(values, values[1:])), default=1.0)
    return [(float(np.log10(v)), f"{v:.3g}".replace("-", "−")) for v in values]


SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))  # Plotly's default tick suffixes


def tick_text(value: float, step: float) -> str:
    """A tick's label: 0.25, −3, 200k, 1.5M (Plotly's suffixes), 2×10⁻⁵ for tiny and huge values."""
    if abs(value) < abs(step) * 1e-6:
        value = 0.0
    size = abs(value)
    if size >= 1e4 and size < 1e15:
        scale, suffix = next((s, name) for s, name in SI if size >= s)
        text = f"{value / scale:.4g}{suffix}"
    elif size >= 1e15 or (0 < size < 1e-4):
        mantissa, exponent = f"{value:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    else:
        text = f"{value:.4g}"
    return text.replace("-", "−")


# ---- drawing one Plotly trace ----
def _pieces(axes: Axes, u: np.ndarray, v: np.ndarray, margin: float) -> list[list[tuple[float, float]]]:
    """The polylines a line trace draws: split at gaps (NaN), clipped to the box widened by ``margin``
    (Liang–Barsky), points closer than a pixel to the last kept one dropped."""
    left, top, right, bottom = axes.left - margin, axes.top - margin, axes.right + margin, axes.bottom + margin
    out: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i in range(len(u) - 1):
        u0, v0, u1, v1 = u[i], v[i], u[i + 1], v[i + 1]
        if not (np.isfinite(u0) and np.isfinite(v0) and np.isfinite(u1) and np.isfinite(v1)):
            if current:
                out.append(current)
            current = []
            continue
        du, dv = u1 - u0, v1 - v0
        t0, t1, inside = 0.0, 1.0, True
        for p, q in ((-du, u0 - left), (du, right - u0), (-dv, v0 - top), (dv, bottom - v0)):
            if p == 0:
                if q < 0:
                    inside = False
                    break
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                inside = False
                break
        if not inside:
            if current:
                out.append(current)
            current = []
            continue
        a = (u0 + t0 * du, v0 + t0 * dv)
        b = (u0 + t1 * du, v0 + t1 * dv)
        if current and t0 == 0.0:
            last = current[-1]
            if abs(b[0] - last[0]) >= 1.0 or abs(b[1] - last[1]) >= 1.0 or t1 < 1.0:
                current.append(b)
        else:
            if current:
                out.append(current)
            current = [a, b]
        if t1 < 1.0:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _dashes(points: list[tuple[float, float]], on: float, off: float) -> list[list[tuple[float, float]]]:
    """A polyline cut into dashes ``on`` pixels long with ``off`` pixels between."""
    out, current, drawing, left = [], [points[0]], True, on
    for (u0, v0), (u1, v1) in zip(points, points[1:]):
        length = float(np.hypot(u1 - u0, v1 - v0))
        at = 0.0
        while length - at > left:
            at += left
            p = (u0 + (u1 - u0) * at / length, v0 + (v1 - v0) * at / length)
            if drawing:
                current.append(p)
                out.append(current)
            else:
                current = [p]
            drawing = not drawing
            left = on if drawing else off
        left -= length - at
        if drawing:
            current.append((u1, v1))
    if drawing and len(current) > 1:
        out.append(current)
    return out


def _polyline(draw: ImageDraw.ImageDraw, axes: Axes, u, v, colour, width: int, dash: str | None = None) -> None:
    for piece in _pieces(axes, u, v, margin=width + 4):
        if len(piece) < 2:
            continue
        if dash and dash != "solid":
            unit = max(width, 3)  # plotly.js: dot = lw, dash = 3 lw, longdash = 5 lw (lw at least 3)
            on, off = {"dot": (unit, unit), "dash": (3 * unit, 3 * unit), "longdash": (5 * unit, 5 * unit),
                       "dashdot": (3 * unit, unit)}.get(dash, (3 * unit, 3 * unit))
            for part in _dashes(piece, on, off):
                draw.line(part, fill=colour, width=width)
        else:
            draw.line(piece, fill=colour, width=width, joint="curve")
            if width >= 4:  # round ends, as Plotly's round caps
                for end in (piece[0], piece[-1]):
                    r = width / 2 - 0.5
                    draw.ellipse((end[0] - r, end[1] - r, end[0] + r, end[1] + r), fill=colour)


def _symbol(draw, u: float, v: float, size: float, symbol: str, fill, outline, outline_width: int,
            direction: tuple[float, float] | None = None) -> None:
    """A Plotly marker symbol of ``size`` pixels (its diameter) centred at (u, v); "arrow" has its tip
    at (u, v), pointing along ``direction``."""
    base = symbol.replace("-open", "")
    if symbol.endswith("-open"):
        outline, fill = fill if fill is not None else outline, None
        outline_width = max(outline_width, 2)
    if size <= 0:
        return
    # Plotly strokes a marker's edge on its outline, half inside: Pillow strokes inside the shape
    r = size / 2 + (outline_width / 2 if outline is not None and outline_width else 0)
    if base == "star":
        angles = np.pi / 2 + np.arange(10) * np.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, r * 1.25, r * 0.5)
        points = [(u + rr * np.cos(a), v - rr * np.sin(a)) for rr, a in zip(radii, angles)]
        draw.polygon(points, fill=fill, outline=outline, width=outline_width)
    elif base == "diamond":
        draw.polygon([(u, v - r * 1.2), (u + r * 1.2, v), (u, v + r * 1.2), (u - r * 1.2, v)], fill=fill,
                     outline=outline, width=outline_width)
    elif base == "square":
        draw.rectangle((u - r, v - r, u + r, v + r), fill=fill, outline=outline, width=outline_width)
    elif base == "arrow":
        du, dv = direction if direction is not None else (0.0, -1.0)
        length = float(np.hypot(du, dv)) or 1.0
        du, dv = du / length, dv / length
        back = (u - du * size, v - dv * size)
        draw.polygon([(u, v), (back[0] - dv * r * 0.6, back[1] + du * r * 0.6),
                      (back[0] + dv * r * 0.6, back[1] - du * r * 0.6)], fill=fill, outline=outline, width=outline_width)
    else:  # circle, and anything else drawn as one
        draw.ellipse((u - r, v - r, u + r, v + r), fill=fill, outline=outline, width=outline_width)


def _each(value, n: int) -> list:
    """A marker property for each of n points (Plotly accepts one value or one per point)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        values = list(value)
        return [values[i] if i < len(values) else values[-1] for i in range(n)] if values else [None] * n
    return [value] * n


def _markers(draw, axes: Axes, u, v, trace: dict, s: float) -> None:
    marker = trace.get("marker") or {}
    n = len(u)
    opacity = float(trace.get("opacity", 1.0)) * float(marker.get("opacity", 1.0) if not isinstance(
        marker.get("opacity"), (list, np.ndarray)) else 1.0)
    default = (trace.get("line") or {}).get("color", "#1f77b4")
    colours = _each(marker.get("color", default), n)
    sizes = _each(marker.get("size", 6), n)
    symbols = _each(marker.get("symbol", "circle"), n)
    edge = marker.get("line") or {}
    edge_colours = _each(edge.get("color", "#444"), n)
    edge_widths = _each(edge.get("width", 0), n)
    for i in range(n):
        if not (np.isfinite(u[i]) and np.isfinite(v[i])):
            continue
        size = float(sizes[i] or 0) * MARKER_SCALE * s
        if size <= 0 or not (axes.left - size <= u[i] <= axes.right + size and axes.top - size <= v[i] <= axes.bottom + size):
            continue
        fill = rgba(colours[i], opacity) if colours[i] is not None else None
        width = int(round(float(edge_widths[i] or 0) * LINE_SCALE * s))
        outline = rgba(edge_colours[i], opacity) if width > 0 else None
        direction = None
        if str(symbols[i]).startswith("arrow") and i > 0:
            direction = (u[i] - u[i - 1], v[i] - v[i - 1])
            if not np.all(np.isfinite(direction)):
                continue
        _symbol(draw, float(u[i]), float(v[i]), size, str(symbols[i]), fill, outline, width, direction)


def draw_scatter(draw: ImageDraw.ImageDraw, axes: Axes, trace: dict, s: float) -> None:
    """One Plotly scatter trace (lines and/or markers, None as gaps) on ``axes``."""
    if trace.get("visible", True) in (False, "legendonly"):
        return
    x, y = floats(trace.get("x")), floats(trace.get("y"))
    n = min(len(x), len(y))
    if n == 0:
        return
    u, v = axes.px(x[:n], y[:n])
    mode = trace.get("mode") or ("lines+markers" if n < 20 else "lines")
    opacity = float(trace.get("opacity", 1.0))
    if "lines" in mode:
        line = trace.get("line") or {}
        width = max(1, int(round(float(line.get("width", 2)) * LINE_SCALE * s)))
        _polyline(draw, axes, u, v, rgba(line.get("color", "#1f77b4"), opacity), width, line.get("dash"))
    if "markers" in mode:
        _markers(draw, axes, u, v, trace, s)
    if "text" in mode:
        _texts(draw, axes, u, v, trace, s)


TEXT_ANCHORS = {"top": "b", "bottom": "t", "middle": "m", "left": "r", "right": "l", "center": "m"}


def _texts(draw, axes: Axes, u, v, trace: dict, s: float) -> None:
    """A text trace's labels beside their points, placed as ``textposition`` says ("top left": above
    the point, ending at it)."""
    texts = _each(trace.get("text"), len(u))
    positions = _each(trace.get("textposition", "middle center"), len(u))
    style = trace.get("textfont") or {}
    colour = rgba(style.get("color", INK))
    type_ = font(round(float(style.get("size", 16)) * TEXT_SCALE * s))
    for i, text in enumerate(texts):
        if text is None or not (np.isfinite(u[i]) and np.isfinite(v[i])):
            continue
        words = str(positions[i] or "middle center").split()
        vertical, horizontal = (words + ["center"])[:2] if len(words) > 1 else ("middle", words[0])
        anchor = TEXT_ANCHORS.get(horizontal, "m") + {"top": "s", "bottom": "t"}.get(vertical, "m")
        gap = 6 * s
        du = {"l": gap, "r": -gap}.get(anchor[0], 0.0)
        dv = {"s": -gap, "t": gap}.get(anchor[1], 0.0)
        draw.text((float(u[i]) + du, float(v[i]) + dv), plain(text), fill=colour, font=type_, anchor=anchor)


def _in_box(axes: Axes, u: float, v: float) -> bool:
    return bool(np.isfinite(u) and np.isfinite(v) and axes.left <= u <= axes.right and axes.top <= v <= axes.bottom)


def draw_arrow(draw: ImageDraw.ImageDraw, axes: Axes, annotation: dict, s: float) -> None:
    """A Plotly arrow annotation in data coordinates: a line from (ax, ay) with its head's tip at
    (x, y); hidden when the tip is out of view, as Plotly hides it."""
    (u0, v0), (u1, v1) = axes.point(annotation["ax"], annotation["ay"]), axes.point(annotation["x"], annotation["y"])
    if not all(np.isfinite((u0, v0, u1, v1))):
        return
    if not _in_box(axes, u1, v1):
        return
    colour = rgba(annotation.get("arrowcolor", INK))
    width = max(2, int(round(float(annotation.get("arrowwidth", 2)) * LINE_SCALE * s)))
    length = float(np.hypot(u1 - u0, v1 - v0))
    if length < 1:
        return
    du, dv = (u1 - u0) / length, (v1 - v0) / length
    head = min(2.6 * width * float(annotation.get("arrowsize", 1.0)), 0.6 * length)
    half = 0.5 * head
    base = (u1 - du * head, v1 - dv * head)
    _polyline(draw, axes, np.array([u0, base[0] + du]), np.array([v0, base[1] + dv]), colour, width)
    draw.polygon([(u1, v1), (base[0] - dv * half, base[1] + du * half), (base[0] + dv * half, base[1] - du * half)],
                 fill=colour)


# ---- the contour view's colours ----
def colour_scale(scale) -> tuple[np.ndarray, np.ndarray]:
    """A Plotly colour scale ([[0, "#440154"], …] or a name) as (positions, RGB rows)."""
    if isinstance(scale, str):
        import plotly.colors  # noqa: PLC0415 - only for a scale the figure names

        scale = plotly.colors.get_colorscale(scale)
    where = np.array([float(p) for p, _ in scale])
    colours = np.array([rgba(c)[:3] for _, c in scale], dtype=np.float64)
    return where, colours


def _grid_at(values: np.ndarray, low: float, high: float, n: int) -> np.ndarray:
    """The fractional grid index of each of n pixel centres spanning [low, high] (NaN off the grid)."""
    centres = low + (np.arange(n) + 0.5) / n * (high - low)
    index = np.interp(centres, values, np.arange(len(values), dtype=np.float64), left=np.nan, right=np.nan)
    if values[0] > values[-1]:
        index = np.interp(centres, values[::-1], np.arange(len(values), dtype=np.float64)[::-1], left=np.nan,
                          right=np.nan)
    return index


def contour_image(trace: dict, axes: Axes, s: float) -> Image.Image:
    """A contour trace as an image of the axes box: z interpolated bilinearly between the grid's
    nodes (x, y), coloured by the trace's scale from contours.start to contours.end (smoothly for
    coloring "heatmap", by band otherwise) with a line where z crosses each level (start + i·size)."""
    left, top, right, bottom = axes.box
    width, height = right - left, bottom - top
    x, y = floats(trace["x"]), floats(trace["y"])
    z = np.asarray(trace["z"], dtype=np.float64).reshape(len(y), len(x))
    local = axes.local()
    fx = _grid_at(x, local.x_range[0] + (0 - local.left) / (local.right - local.left) * (local.x_range[1] - local.x_range[0]),
                  local.x_range[0] + (width - local.left) / (local.right - local.left) * (local.x_range[1] - local.x_range[0]),
                  width)
    fy = _grid_at(y, local.y_range[1] - (0 - local.top) / (local.bottom - local.top) * (local.y_range[1] - local.y_range[0]),
                  local.y_range[1] - (height - local.top) / (local.bottom - local.top) * (local.y_range[1] - local.y_range[0]),
                  height)
    ix = np.clip(np.floor(np.nan_to_num(fx)), 0, len(x) - 2).astype(np.intp)
    iy = np.clip(np.floor(np.nan_to_num(fy)), 0, len(y) - 2).astype(np.intp)
    tx, ty = (np.nan_to_num(fx) - ix)[None, :], (np.nan_to_num(fy) - iy)[:, None]
    with np.errstate(all="ignore"):
        z00, z01 = z[iy][:, ix], z[iy][:, ix + 1]
        z10, z11 = z[iy + 1][:, ix], z[iy + 1][:, ix + 1]
        field = (z00 * (1 - tx) + z01 * tx) * (1 - ty) + (z10 * (1 - tx) + z11 * tx) * ty
    field[np.isnan(fy)[:, None] | np.isnan(fx)[None, :]] = np.nan
    contours = trace.get("contours") or {}
    finite = field[np.isfinite(field)]
    start = float(contours.get("start", finite.min() if finite.size else 0.0))
    end = float(contours.get("end", finite.max() if finite.size else 1.0))
    size = float(contours.get("size") or (end - start) / 15 or 1.0)
    with np.errstate(all="ignore"):
        band = np.floor((field - start) / size)
        if contours.get("coloring", "fill") == "heatmap":
            t = (field - start) / ((end - start) or 1.0)
        else:
            t = (band + 0.5) * size / ((end - start) or 1.0)
    where, stops = colour_scale(trace.get("colorscale", "Viridis"))
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    rgb = np.stack([np.interp(t, where, stops[:, i]) for i in range(3)], axis=-1)
    blank = ~np.isfinite(field)
    if contours.get("showlines", True):
        edges = np.zeros(field.shape, dtype=bool)
        across, down = band[:, 1:] != band[:, :-1], band[1:, :] != band[:-1, :]
        across &= np.isfinite(band[:, 1:]) & np.isfinite(band[:, :-1])
        down &= np.isfinite(band[1:, :]) & np.isfinite(band[:-1, :])
        edges[:, 1:] |= across
        edges[1:, :] |= down
        thick = max(1, int(round(float((trace.get("line") or {}).get("width", 1)) * LINE_SCALE * s)))
        for _ in range(thick - 1):  # grow the line to its width
            edges[:, :-1] |= edges[:, 1:].copy()
            edges[:-1, :] |= edges[1:, :].copy()
        r, g, b, a = rgba((trace.get("line") or {}).get("color", "rgba(255,255,255,0.5)"))
        alpha = a / 255
        rgb[edges] = rgb[edges] * (1 - alpha) + np.array([r, g, b]) * alpha
    rgb[blank] = 255.0
    return Image.fromarray(np.round(rgb).astype(np.uint8), "RGB")


def _fit(draw: ImageDraw.ImageDraw, text: str, type_, room: float) -> str:
    """``text`` cut short with "…" to fit ``room`` pixels."""
    if draw.textlength(text, font=type_) <= room:
        return text
    while len(text) > 1 and draw.textlength(text + "…", font=type_) > room:
        text = text[:-1]
    return text.rstrip() + "…"


# ---- a slide of a spec ----
def _axis(layout: dict, name: str) -> dict:
    return layout.get(name) or {}


def _title(axis: dict) -> str:
    title = axis.get("title")
    return plain(title.get("text", "") if isinstance(title, dict) else title)


class Slide:
    """A spec drawn as slides: the contour view (left) and the data view (right) of its figures,
    their moving traces at step k from ``frames.step_frame``. Made once per spec, so the frames of a
    GIF cost only their drawing. ``draw(k)`` returns the picture; its ``panels`` attribute holds the
    data → pixel ``Axes`` of "contour" and "data" at that step."""

    def __init__(self, spec: dict, *, size=(1600, 900)):
        self.spec, self.run = spec, spec["run"]
        self.size = (int(size[0]), int(size[1]))
        width, height = self.size
        self.s = s = min(width / 1600, height / 900)
        self.views = frames.views_of_spec(spec)
        self.figures = {"contour": figure_of(spec, "contour"), "data": figure_of(spec, "data")}
        self.arrow_names = self._arrow_names(spec)
        self.header = round(140 * s)
        top, bottom = self.header + round(66 * s), height - round(190 * s)
        split = round(width * 0.53)
        self.boxes = {"contour": (round(125 * s), top, split - round(30 * s), bottom),
                      "data": (split + round(125 * s), top, width - round(40 * s), bottom)}
        self._background: tuple | None = None

    @staticmethod
    def _arrow_names(spec: dict) -> dict:
        """The contour's arrows have no names: each is named as the 3-D view names the same arrow
        (its "current-…" trace of that colour), or as the contour trace of that colour (the pulls' mean)."""
        names = {}
        for view in ("surface", "contour"):
            if view not in spec["figures"]:
                continue
            for trace in json.loads(spec["figures"][view]).get("data", []):
                uid = str(trace.get("uid", ""))
                if (uid.startswith("current-") or uid == "pull-mean") and trace.get("name"):
                    colour = (trace.get("line") or {}).get("color")
                    if colour:
                        names.setdefault(rgba(colour), plain(trace["name"]))
        return names

    # -- steps --
    @property
    def last_in_view(self) -> int:
        """The last step any run is in view (a diverging run flies off the chart after it)."""
        return max(int(clock["view"]) for clock in self.views.clocks)

    def frame(self, k: int) -> dict:
        return frames.step_frame(self.views, k)

    # -- axes --
    def axes(self, view: str, traces: list[dict]) -> Axes:
        """The view's axes: its box, and each axis's range as the figure sets it, or as Plotly's
        autorange makes it from the traces drawn; the contour's one scale for w and b when the
        figure anchors them (the box shrinks, centred, as Plotly's constrain="domain")."""
        layout = self.figures[view].get("layout", {})
        left, top, right, bottom = self.boxes[view]
        xaxis, yaxis = _axis(layout, "xaxis"), _axis(layout, "yaxis")
        x_log, y_log = xaxis.get("type") == "log", yaxis.get("type") == "log"
        ranges = []
        for axis, key, length, log in ((xaxis, "x", right - left, x_log), (yaxis, "y", bottom - top, y_log)):
            given = axis.get("range")
            if given is not None and axis.get("autorange") is not True and len(given) == 2 and all(
                    v is not None and np.isfinite(float(v)) for v in given):
                ranges.append((float(given[0]), float(given[1])))
                continue
            values, padded, pad_px = [], False, 0.0
            for trace in traces:
                if trace.get("type", "scatter") != "scatter" or trace.get(f"{key}axis", key) != key:
                    continue
                data = floats(trace.get(key))
                if data.size == 0:
                    continue
                values.append(data)
                mode = trace.get("mode") or "lines"
                if "markers" in mode or "text" in mode:
                    padded = True
                    sizes = floats((trace.get("marker") or {}).get("size", 6))
                    if sizes.size and np.isfinite(sizes).any():
                        pad_px = max(pad_px, float(np.nanmax(sizes)) / 2 * MARKER_SCALE * self.s)
                elif key == "y":  # Plotly pads y of lines too
                    padded = True
            ranges.append(autorange(np.concatenate(values) if values else np.zeros(0), length, log=log,
                                    padded=padded, pad_px=pad_px))
        axes = Axes(left, top, right, bottom, ranges[0], ranges[1], x_log, y_log)
        if yaxis.get("scaleanchor") == "x":
            ratio = float(yaxis.get("scaleratio", 1.0))
            per_x = (right - left) / abs(ranges[0][1] - ranges[0][0])
            per_y = (bottom - top) / abs(ranges[1][1] - ranges[1][0]) / ratio
            unit = min(per_x, per_y)
            w = unit * abs(ranges[0][1] - ranges[0][0])
            h = unit * ratio * abs(ranges[1][1] - ranges[1][0])
            cx, cy = (left + right) / 2, (top + bottom) / 2
            axes = replace(axes, left=cx - w / 2, right=cx + w / 2, top=cy - h / 2, bottom=cy + h / 2)
        return axes

    # -- one picture --
    def draw(self, k: int | None = None, *, title: str = "") -> Image.Image:
        """The slide at step ``k`` (None: the main run's last step in view; clipped to the runs)."""
        k = int(self.run["shown"]) - 1 if k is None else int(np.clip(int(k), 0, max(0, int(self.run["last"]))))
        frame = self.frame(k)
        image = Image.new("RGB", self.size, "white")
        draw = ImageDraw.Draw(image, "RGBA")
        panels = {}
        legend = []
        for view in ("contour", "data"):
            traces = merged_traces(self.figures[view], frame["traces"].get(view, {}))
            axes = self.axes(view, traces)
            panels[view] = axes
            self._panel(image, view, axes, traces, frame["annotations"].get(view, []))
            self._axes_labels(draw, view, axes)
            shown = [a for a in frame["annotations"].get(view, []) if _in_box(axes, *axes.point(a["x"], a["y"]))]
            legend += self._legend_items(view, traces, shown)
        self._header(draw, frame, k, title)
        self._legend(draw, legend)
        image.panels = panels  # the data → pixel transforms of this picture (tests, overlays)
        image.step = k
        return image

    def _panel(self, image: Image.Image, view: str, axes: Axes, traces: list[dict], annotations: list) -> None:
        """The traces (and arrows) of one view drawn inside its box, clipped to it."""
        s = self.s
        left, top, right, bottom = axes.box
        local = axes.local()
        canvas = None
        for trace in traces:
            if trace.get("type") == "contour":
                canvas = self._contour_background(trace, axes).copy()
        if canvas is None:
            canvas = Image.new("RGB", (right - left, bottom - top), "white")
            pen = ImageDraw.Draw(canvas)
            self._grid(pen, local, view)
        pen = ImageDraw.Draw(canvas, "RGBA")
        for trace in traces:
            if trace.get("type", "scatter") == "scatter":
                draw_scatter(pen, local, trace, s)
        for annotation in annotations:
            if annotation.get("showarrow") and annotation.get("axref") == "x":
                draw_arrow(pen, local, annotation, s)
        image.paste(canvas, (left, top))
        ImageDraw.Draw(image).rectangle((left, top, right, bottom), outline=FRAME, width=max(1, round(2 * s)))

    def _contour_background(self, trace: dict, axes: Axes) -> Image.Image:
        z = np.ascontiguousarray(trace.get("z"), dtype=np.float64)
        key = (hashlib.blake2b(z.tobytes(), digest_size=16).digest(), axes.box, axes.x_range, axes.y_range)
        if self._background is None or self._background[0] != key:
            self._background = (key, contour_image(trace, axes, self.s))
        return self._background[1]

    # -- axes, ticks, titles --
    def _ticks(self, axes: Axes, layout_axis: dict, key: str) -> list[tuple[float, str]]:
        low, high = sorted(axes.x_range if key == "x" else axes.y_range)
        log = axes.x_log if key == "x" else axes.y_log
        values = layout_axis.get("tickvals")
        if values is not None:
            values = [float(v) for v in floats(values) if np.isfinite(v)]
            step = min((b - a for a, b in zip(values, values[1:])), default=1.0)
            return [(v, tick_text(v, step)) for v in values if low <= v <= high]
        if log:
            return log_ticks(low, high)
        out = ticks(low, high, 6)
        step = out[1] - out[0] if len(out) > 1 else 1.0
        return [(v, tick_text(v, step)) for v in out]

    def _grid(self, pen: ImageDraw.ImageDraw, local: Axes, view: str) -> None:
        layout = self.figures[view].get("layout", {})
        width = max(1, round(2 * self.s))
        for value, _ in self._ticks(local, _axis(layout, "xaxis"), "x"):
            u = self._place(local, "x", value)
            pen.line((u, local.top, u, local.bottom), fill=GRID, width=width)
        for value, _ in self._ticks(local, _axis(layout, "yaxis"), "y"):
            v = self._place(local, "y", value)
            pen.line((local.left, v, local.right, v), fill=GRID, width=width)

    @staticmethod
    def _place(axes: Axes, key: str, value: float) -> float:
        """A tick's pixel (the value in the axis's own units: log₁₀ on a log axis)."""
        if key == "x":
            (x0, x1) = axes.x_range
            return axes.left + (value - x0) / (x1 - x0) * (axes.right - axes.left)
        (y0, y1) = axes.y_range
        return axes.bottom - (value - y0) / (y1 - y0) * (axes.bottom - axes.top)

    def _axes_labels(self, draw: ImageDraw.ImageDraw, view: str, axes: Axes) -> None:
        s = self.s
        layout = self.figures[view].get("layout", {})
        small = font(round(23 * s))
        label = font(round(27 * s), bold=True)
        xaxis, yaxis = _axis(layout, "xaxis"), _axis(layout, "yaxis")
        for value, text in self._ticks(axes, xaxis, "x"):
            draw.text((self._place(axes, "x", value), axes.bottom + 8 * s), text, fill=MUTED, font=small, anchor="mt")
        y_ticks = self._ticks(axes, yaxis, "y")
        for value, text in y_ticks:
            draw.text((axes.left - 10 * s, self._place(axes, "y", value)), text, fill=MUTED, font=small, anchor="rm")
        x_title = _fit(draw, _title(xaxis), label, axes.right - axes.left + 80 * s)
        draw.text(((axes.left + axes.right) / 2, axes.bottom + 42 * s), x_title, fill=INK, font=label, anchor="mt")
        y_title = _title(yaxis)
        if y_title:
            text_w = round(draw.textlength(y_title, font=label)) + 8
            text_h = round(label.size * 1.4)
            rotated = Image.new("RGBA", (text_w, text_h), (255, 255, 255, 0))
            ImageDraw.Draw(rotated).text((text_w / 2, text_h / 2), y_title, fill=INK, font=label, anchor="mm")
            rotated = rotated.rotate(90, expand=True)
            room = max((draw.textlength(text, font=small) for _, text in y_ticks), default=0) + 10 * s
            middle = (axes.top + axes.bottom) / 2
            spot = (round(max(0, axes.left - room - 8 * s - rotated.width)),
                    round(max(axes.top - 40 * s, middle - rotated.height / 2)))
            draw._image.paste(rotated, spot, rotated)
        heading = plain((layout.get("title") or {}).get("text", "")).split(" · ")[0]
        left, top, right, _ = self.boxes[view]
        start = left - 95 * s  # over the y axis's labels: the heading spans the whole view
        size = round(28 * s)
        while size > 18 * s and draw.textlength(heading, font=font(size, bold=True)) > right - start:
            size -= 1
        draw.text((start, top - 18 * s), _fit(draw, heading, font(size, bold=True), right - start), fill=MUTED,
                  font=font(size, bold=True), anchor="ls")

    # -- header --
    def subtitle(self, frame: dict, k: int) -> str:
        """ "step k / N · α = … · loss = …", and what else sets the run apart: the optimizer, a
        schedule's α_k, the penalty, a mini-batch (the numbers from the frame's maths panel)."""
        run = self.run
        metrics = {m["label"]: m["value"] for m in (frame.get("panel") or {}).get("metrics", [])}
        parts = [f"step {k} / {run['steps']}"]
        if run.get("schedule"):  # the schedule's name, its first rate and the rate of this step
            name = str(run["schedule"]).split(":")[0].split(" (")[0]
            parts.append(f"{name} from α = {nice(run.get('lr'))}: α_k = {nice(metrics.get('α_k'))}")
        elif run.get("lr") is not None:
            parts.append(f"α = {nice(run['lr'])}")
        parts.append(f"loss = {nice(metrics.get('loss L'))}")
        if run.get("optimizer", "gd") != "gd":
            parts.append(str(run.get("optimizer_label", run["optimizer"])))
        if run.get("l2"):
            parts.append(f"ridge λ = {nice(run['l2'])}")
        if run.get("batch_size"):
            parts.append(f"batch {run['batch_size']}")
        if run.get("formula"):
            parts.append(str(run["formula"]))
        if not has_symbols():
            parts.append(NO_FONT)
        return "   ·   ".join(parts)

    def _header(self, draw: ImageDraw.ImageDraw, frame: dict, k: int, title: str) -> None:
        s, width = self.s, self.size[0]
        big = font(round(50 * s), bold=True)
        title = title or str(self.run.get("label") or "gradient descent")
        note = f"diverged at step {self.run['diverged_at']}" if self.run.get("diverged_at") is not None else ""
        note_font = font(round(32 * s), bold=True)
        note_room = draw.textlength(note, font=note_font) + 40 * s if note else 0
        title = _fit(draw, title, big, width - 100 * s)
        draw.text((50 * s, 22 * s), title, fill=INK, font=big)
        subtitle = self.subtitle(frame, k)
        size = round(32 * s)
        while size > 16 * s and draw.textlength(subtitle, font=font(size)) > width - 100 * s - note_room:
            size -= 1
        draw.text((50 * s, 88 * s), subtitle, fill=MUTED, font=font(size))
        if note:
            draw.text((width - 50 * s, 88 * s), note, fill=DIVERGED, font=note_font, anchor="ra")
        draw.line((50 * s, self.header, width - 50 * s, self.header), fill=GRID, width=max(1, round(3 * s)))

    # -- legend --
    def _legend_items(self, view: str, traces: list[dict], annotations: list) -> list[dict]:
        """What the page's legends name: each named trace shown in the legend, and the arrows."""
        items = []
        layout = self.figures[view].get("layout", {})
        if layout.get("showlegend") is False:
            traces = []
        for trace in traces:
            if trace.get("showlegend") is False or not trace.get("name") or trace.get("type") == "contour":
                continue
            if trace.get("visible", True) in (False, "legendonly"):
                continue
            if floats(trace.get("x")).size == 0 and floats(trace.get("y")).size == 0:
                continue
            items.append({"label": plain(trace["name"]), "mode": trace.get("mode") or "lines",
                          "line": trace.get("line") or {}, "marker": trace.get("marker") or {}})
            if trace.get("uid") == "gradients":  # the arrows of the step follow the arrows of the path
                for annotation in annotations:
                    colour = rgba(annotation.get("arrowcolor", INK))
                    if colour in self.arrow_names:
                        items.append({"label": self.arrow_names[colour], "mode": "arrow", "colour": colour})
        return items

    def _legend(self, draw: ImageDraw.ImageDraw, items: list[dict]) -> None:
        s, (width, height) = self.s, self.size
        seen, unique = set(), []
        for item in items:
            if item["label"] not in seen:
                seen.add(item["label"])
                unique.append(item)
        if not unique:
            return
        room = width - 100 * s
        top = self.boxes["contour"][3] + round(95 * s)
        largest = max(8, round(26 * s))
        for size in range(largest, min(largest, max(7, round(15 * s))) - 1, -1):
            type_ = font(size)
            rows, row, used = [], [], 0.0
            for item in unique:
                need = 60 * s + draw.textlength(item["label"], font=type_) + 30 * s
                if row and used + need > room:
                    rows.append(row)
                    row, used = [], 0.0
                row.append((item, need))
                used += need
            rows.append(row)
            line_height = size * 1.7
            if top + len(rows) * line_height <= height - 6 * s:
                break
        for r, row in enumerate(rows):
            y = top + (r + 0.5) * line_height
            x = 50 * s
            for item, need in row:
                self._legend_mark(draw, x, y, item)
                draw.text((x + 56 * s, y), item["label"], fill=INK, font=type_, anchor="lm")
                x += need

    def _legend_mark(self, draw: ImageDraw.ImageDraw, x: float, y: float, item: dict) -> None:
        s = self.s
        if item["mode"] == "arrow":
            colour = item["colour"]
            draw.line((x, y, x + 30 * s, y), fill=colour, width=max(2, round(7 * s)))
            draw.polygon([(x + 46 * s, y), (x + 28 * s, y - 10 * s), (x + 28 * s, y + 10 * s)], fill=colour)
            return
        line, marker = item["line"], item["marker"]
        if "lines" in item["mode"]:
            colour = rgba(line.get("color", INK))
            w = max(2, round(float(line.get("width", 2)) * LINE_SCALE * s))
            dash = line.get("dash")
            if dash and dash != "solid":
                for a in np.arange(0, 46, 12):
                    draw.line((x + a * s, y, x + min(46, a + 7) * s, y), fill=colour, width=w)
            else:
                draw.line((x, y, x + 46 * s, y), fill=colour, width=w)
        if "markers" in item["mode"]:
            colour = marker.get("color", line.get("color", INK))
            colour = colour[0] if isinstance(colour, (list, np.ndarray)) else colour
            size = marker.get("size", 6)
            size = float(np.nanmax(floats(size))) if isinstance(size, (list, np.ndarray)) else float(size)
            edge = marker.get("line") or {}
            width = int(round(float(edge.get("width", 0) or 0) * LINE_SCALE * s))
            symbol = marker.get("symbol", "circle")
            symbol = symbol[0] if isinstance(symbol, (list, np.ndarray)) else symbol
            if str(symbol).startswith("arrow"):
                return
            _symbol(draw, x + 23 * s, y, min(max(size, 8), 20) * MARKER_SCALE * s, str(symbol), rgba(colour),
                    rgba(edge.get("color", "#444")) if width else None, width)


# ---- the public pictures ----
def picture(spec: dict, k: int | None = None, *, title: str = "", size=(1600, 900)) -> Image.Image:
    """One slide of ``spec`` (gdviz.web.lecture_spec) at step ``k`` (None: the last step in view):
    the contour view on the left and the data view on the right, each the spec's own figure with the
    traces that move drawn as ``frames.step_frame(spec, k)`` gives them; above, ``title`` (default:
    the run's label) and "step k / N · α = … · loss = …"; below, the legend. The picture's ``panels``
    attribute maps each view's data coordinates to its pixels (``Axes.px``)."""
    return Slide(spec, size=size).draw(k, title=title)


def slides_zip(pictures: Iterable[tuple[str, Image.Image]]) -> bytes:
    """A zip of one PNG per (name, picture); names are made safe and unique (01-name.png, …)."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
        for i, (name, image) in enumerate(pictures, start=1):
            stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(name)).strip("-.")[:60] or f"scene-{i}"
            stem = stem.removesuffix(".png")
            file = f"{stem}.png"
            while file in used:
                file = f"{stem}-{len(used)}.png"
            used.add(file)
            png = io.BytesIO()
            image.save(png, format="PNG", optimize=False)
            archive.writestr(file, png.getvalue())
    return buffer.getvalue()


# ---- what an export costs, known before it starts ----
# One click may cost at most EXPORT_BUDGET seconds of a server's core (issue 21): the slides of a lesson
# beyond it are refused with a sentence, a GIF is drawn with fewer frames. The estimate is planned at
# half the budget, as a busy 2-core machine runs about twice as slow. The unit costs were measured on
# the 2-core machine by benchmarks/bench_exports.py (which also times the worst lesson a link carries).
EXPORT_BUDGET = 20.0
PLANNED_SHARE = 0.5
SCENE_SECONDS = 0.25  # a scene's lecture (its runs and the sweep) and its picture, at the least
RUN_STEP_SECONDS = 1.2e-4  # each step of each run (the runs, their frames and the paths drawn)
BATCH_FACTOR = 1.6  # a mini-batch or SGD step draws its batch: dearer than a full-batch step
POINT_SECONDS = 2e-4  # each row of the data drawn
FRAME_SECONDS = 0.06  # a GIF frame (960 × 540) at the least
FRAME_POINT_SECONDS = 3e-5  # each point of each path and each row drawn in a GIF frame
DATA_ROWS_UNKNOWN = 1000  # a sample set or upload's rows, when the state does not say (the views draw at most this many)


class ExportTooCostly(ValueError):
    """An export whose work, estimated before it starts, is beyond EXPORT_BUDGET: one sentence."""


def scene_cost(state) -> float:
    """Seconds a scene's lecture and picture take, estimated from its state alone: its steps, its
    compared runs, its batches and its rows (gdviz.PageState or anything with those fields)."""
    runs = 1 + len(getattr(state, "compared", ()) or ())
    batches = BATCH_FACTOR if str(getattr(state, "batch_mode", "full")).lower() != "full batch" else 1.0
    rows = state.n if getattr(state, "source", "") == "Synthetic data" else DATA_ROWS_UNKNOWN
    return SCENE_SECONDS + RUN_STEP_SECONDS * runs * int(state.steps) * batches + POINT_SECONDS * min(rows, 2000)


def check_slides(states) -> float:
    """The estimated seconds of a lesson's slides (one state per scene); ExportTooCostly beyond the
    planned share of EXPORT_BUDGET, saying the estimate and the budget."""
    states = list(states)
    cost = sum(scene_cost(state) for state in states)
    if cost > EXPORT_BUDGET * PLANNED_SHARE:
        longest = max(int(state.steps) for state in states)
        raise ExportTooCostly(
            f"These slides would take about {cost:.0f} s to draw on this server ({len(states)} scenes, "
            f"runs of up to {longest:,} steps); one export may take {EXPORT_BUDGET:.0f} s, so they are not drawn: "
            "split the lesson, or give its scenes fewer steps or compared runs.")
    return cost


def gif_frames(spec: dict, frames: int = MAX_FRAMES) -> int:
    """How many frames a GIF of ``spec`` may have (at most ``frames``) to stay within the planned
    share of EXPORT_BUDGET: each frame draws every run's path so far and the data."""
    run = spec.get("run", {}) if isinstance(spec, dict) else {}
    steps = int(run.get("steps") or 0)
    runs = 1 + len(spec.get("others", []) or []) if isinstance(spec, dict) else 1
    rows = int(run.get("m", DATA_ROWS_UNKNOWN) or DATA_ROWS_UNKNOWN)
    per_frame = FRAME_SECONDS + FRAME_POINT_SECONDS * (runs * steps / 2 + min(rows, 2000))
    return int(np.clip(EXPORT_BUDGET * PLANNED_SHARE // per_frame, 2, min(frames, MAX_FRAMES)))


def frame_steps(steps: int, frames: int = MAX_FRAMES) -> list[int]:
    """Which steps a GIF shows: at most ``frames`` (≤ 60), evenly spread from 0 to the last."""
    frames = int(np.clip(frames, 1, MAX_FRAMES))
    return sorted({int(round(v)) for v in np.linspace(0, steps, min(frames, steps + 1))})


def run_gif(spec: dict, *, frames: int = MAX_FRAMES, fps: float = 10.0, hold: float = 2.0, title: str = "",
            progress: Callable[[int, int], None] | None = None, size=(960, 540)) -> bytes:
    """An animated GIF of the spec's runs: up to ``frames`` (≤ 60) steps spread from 0 to the last
    step in view, ``fps`` frames a second, the last held ``hold`` seconds. ``progress(done, total)``
    is called after each frame (for a progress bar). Fewer frames when more would cost more than the
    budget (``gif_frames``)."""
    slide = Slide(spec, size=size)
    steps = frame_steps(slide.last_in_view, gif_frames(spec, frames))
    images = []
    for done, k in enumerate(steps, start=1):
        images.append(slide.draw(k, title=title).quantize(colors=128, method=Image.Quantize.FASTOCTREE,
                                                          dither=Image.Dither.NONE))
        if progress is not None:
            progress(done, len(steps))
    durations = [round(1000 / fps)] * len(images)
    durations[-1] = round(1000 * hold)
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   disposal=1, optimize=False)
    return buffer.getvalue()


def lesson_pictures(scenes: Iterable[tuple[str, dict]], *, size=(1600, 900),
                    progress: Callable[[int, int], None] | None = None) -> list[tuple[str, Image.Image]]:
    """One picture per (title, spec) pair, each at its last step in view, titled "i. title" and named
    "01-title" (for slides_zip). ``progress(done, total)`` after each."""
    scenes = list(scenes)
    pictures = []
    for i, (title, spec) in enumerate(scenes, start=1):
        pictures.append((f"{i:02d}-{title}", picture(spec, None, title=f"{i}. {title}", size=size)))
        if progress is not None:
            progress(i, len(scenes))
    return pictures
