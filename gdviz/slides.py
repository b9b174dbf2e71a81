"""Pictures for slides, drawn with Pillow straight from gdviz's numbers (no browser, no kaleido).

``scene_picture``: one still of a run at step k — the contour map of L(w, b) with the least-squares
optimum (★), the path to step k, the gradient ∇L and the update at k, and beside it the data with
the model at step k — under a title and "step k / N · α = … · loss = …" in type read from the back
of a hall. ``lesson_pictures`` makes one per scene of a lesson (each run as its scene defines it,
drawn at its last step), ``slides_zip`` packs them as PNGs, ``run_gif`` animates a run.

A diverging run is drawn as far as its recorded (finite) rows go: every line is clipped to its
panel and every number tested, so no NaN or infinity ever reaches a picture.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import model, surface
from .descent import Trajectory, descend
from .figures import DATA, GRADIENT, OPTIMUM, PATH, RUN_COLOURS, TRUTH, UPDATE
from .optimizers import LABELS
from .presets import settings_that_fit
from .web import state

INK = "#2a3f5f"  # the page's text colour (figures.py)
MUTED = "#5b6b82"
GRID = "#E3E8F0"
FRAME = "#c8d0dc"
DIVERGED = "#A33200"
RESIDUAL = "#EBA77F"  # the path's vermillion, lightened: residuals stay behind the line
# Plotly's Viridis, the page's colour map for the loss (dark: low, yellow: high).
VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725']
BANDS = 18  # filled contour bands, as on the page
MAX_FRAMES = 60
FONTS = Path("/usr/share/fonts/truetype/dejavu")


# ---- type ----
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (it has ∂, α, ←, ′ and subscripts) if installed, else Pillow's own scalable font."""
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size=size)


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _colour_map(values: np.ndarray) -> np.ndarray:
    """RGB (uint8) of values in [0, 1] along Viridis."""
    stops = np.array([_hex(c) for c in VIRIDIS], dtype=np.float64)
    where = np.linspace(0.0, 1.0, len(stops))
    return np.stack([np.interp(values, where, stops[:, i]) for i in range(3)], axis=-1).round().astype(np.uint8)


def nice(value: float) -> str:
    return state.nice(float(value))


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round numbers (1, 2 or 5 × 10ⁿ apart) inside [low, high], about ``count`` of them."""
    span = high - low
    if not np.isfinite(span) or span <= 0:
        return [low]
    raw = span / count
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = np.ceil(low / step) * step
    return [float(v) for v in np.arange(first, high + step * 1e-9, step)][:count * 3]


def tick_text(value: float, step: float) -> str:
    if abs(value) < step * 1e-6:
        value = 0.0
    text = f"{value:.4g}"
    return text.replace("-", "−")


# ---- a panel: data coordinates → pixels, with clipping ----
@dataclass
class Panel:
    """A plotting area in pixels (left, top, right, bottom) showing x in [x0, x1], y in [y0, y1]."""

    left: int
    top: int
    right: int
    bottom: int
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, x, y):
        """Pixel coordinates of data points (arrays), y up."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            u = self.left + (x - self.x0) / (self.x1 - self.x0) * (self.right - self.left)
            v = self.bottom - (y - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)
        return u, v

    def clip(self, u0, v0, u1, v1):
        """The part of segment (u0, v0)–(u1, v1) inside the panel (Liang–Barsky), or None."""
        if not all(np.isfinite(v) for v in (u0, v0, u1, v1)):
            return None
        du, dv = u1 - u0, v1 - v0
        t0, t1 = 0.0, 1.0
        for p, q in ((-du, u0 - self.left), (du, self.right - u0), (-dv, v0 - self.top), (dv, self.bottom - v0)):
            if p == 0:
                if q < 0:
                    return None
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return None
        return (u0 + t0 * du, v0 + t0 * dv, u0 + t1 * du, v0 + t1 * dv)

    def inside(self, u, v, margin: float = 0.0) -> bool:
        return bool(np.isfinite(u) and np.isfinite(v) and self.left - margin <= u <= self.right + margin
                    and self.top - margin <= v <= self.bottom + margin)


def thinned(us, vs, spacing: float = 1.5):
    """The pixel points of a path without those closer than ``spacing`` to the last one kept (a run of
    2000 steps that converges piles most of them on one spot); the first and last always stay."""
    us, vs = np.asarray(us, dtype=np.float64), np.asarray(vs, dtype=np.float64)
    if len(us) <= 2:
        return us, vs
    keep = [0]
    lu, lv = us[0], vs[0]
    for i in range(1, len(us) - 1):
        if not (abs(us[i] - lu) < spacing and abs(vs[i] - lv) < spacing):  # NaN-safe: a NaN is kept, then clipped
            keep.append(i)
            lu, lv = us[i], vs[i]
    keep.append(len(us) - 1)
    return us[keep], vs[keep]


def _line(draw: ImageDraw.ImageDraw, panel: Panel, us, vs, colour, width: int) -> None:
    """A polyline through pixel points, each segment clipped to the panel."""
    us, vs = thinned(us, vs)
    for i in range(len(us) - 1):
        piece = panel.clip(us[i], vs[i], us[i + 1], vs[i + 1])
        if piece is not None:
            draw.line(piece, fill=colour, width=width)
    for u, v in zip(us[1:-1], vs[1:-1]):  # round joints for thick lines
        if panel.inside(u, v):
            draw.ellipse((u - width / 2, v - width / 2, u + width / 2, v + width / 2), fill=colour)


def _arrow(draw, panel: Panel, u0, v0, u1, v1, colour, width: int, head: float) -> None:
    """An arrow from (u0, v0) to (u1, v1) in pixels, drawn if it starts inside the panel."""
    length = float(np.hypot(u1 - u0, v1 - v0))
    if not panel.inside(u0, v0) or not np.isfinite(length) or length < 2:
        return
    piece = panel.clip(u0, v0, u1, v1)
    if piece is None:
        return
    draw.line(piece, fill=colour, width=width)
    if piece[2:] != (u1, v1):  # the head is out of the panel
        return
    ux, uy = (u1 - u0) / length, (v1 - v0) / length
    h = min(head, length * 0.6)
    base = (u1 - ux * h, v1 - uy * h)
    draw.polygon([(u1, v1), (base[0] - uy * h * 0.5, base[1] + ux * h * 0.5),
                  (base[0] + uy * h * 0.5, base[1] - ux * h * 0.5)], fill=colour)


def _star(draw, u, v, r, fill, outline, width) -> None:
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, r, r * 0.45)
    points = [(u + rr * np.cos(a), v - rr * np.sin(a)) for rr, a in zip(radii, angles)]
    draw.polygon(points, fill=fill, outline=outline, width=width)


def _dot(draw, u, v, r, fill, outline="black", width=2) -> None:
    draw.ellipse((u - r, v - r, u + r, v + r), fill=fill, outline=outline, width=width)


def _axes(draw, panel: Panel, x_label: str, y_label: str, s: float, *, grid: bool = True) -> None:
    """Tick labels, optional grid lines and axis titles around a panel."""
    small = font(max(12, round(22 * s)))
    label = font(max(13, round(26 * s)), bold=True)
    xt = ticks(panel.x0, panel.x1)
    yt = ticks(panel.y0, panel.y1)
    xstep = xt[1] - xt[0] if len(xt) > 1 else 1.0
    ystep = yt[1] - yt[0] if len(yt) > 1 else 1.0
    for value in xt:
        u, _ = panel.px(value, panel.y0)
        if grid:
            draw.line((u, panel.top, u, panel.bottom), fill=GRID, width=max(1, round(s * 2)))
        draw.text((u, panel.bottom + 6 * s), tick_text(value, xstep), fill=MUTED, font=small, anchor="mt")
    for value in yt:
        _, v = panel.px(panel.x0, value)
        if grid:
            draw.line((panel.left, v, panel.right, v), fill=GRID, width=max(1, round(s * 2)))
        draw.text((panel.left - 8 * s, v), tick_text(value, ystep), fill=MUTED, font=small, anchor="rm")
    draw.text(((panel.left + panel.right) / 2, panel.bottom + 36 * s), x_label, fill=INK, font=label, anchor="mt")
    ymid = (panel.top + panel.bottom) / 2
    text_w = round(draw.textlength(y_label, font=label)) + 8
    text_h = round(label.size * 1.4)
    rotated = Image.new("RGBA", (text_w, text_h), (255, 255, 255, 0))
    ImageDraw.Draw(rotated).text((text_w / 2, text_h / 2), y_label, fill=INK, font=label, anchor="mm")
    rotated = rotated.rotate(90, expand=True)
    x_room = max(draw.textlength(tick_text(v, ystep), font=small) for v in yt) + 8 * s
    draw._image.paste(rotated, (round(panel.left - x_room - 12 * s - rotated.width), round(ymid - rotated.height / 2)),
                      rotated)


# ---- what a picture of a run needs, prepared once per run ----
class RunPicture:
    """The view box, the data shown and the contour grid of one run, so its frames are cheap."""

    def __init__(self, data, trajectory: Trajectory, *, feature: int = 0, size=(1600, 900), others=(),
                 equal_scales: bool | None = None):
        q = model.quadratic(data)
        if not 0 <= feature < q.d:
            raise ValueError(f"feature must be from 0 to {q.d - 1}, not {feature}.")
        self.data, self.run, self.feature, self.size = data, trajectory, feature, tuple(int(v) for v in size)
        self.d = q.d
        w_star, b_star = model.optimum(data)
        self.optimum = (float(w_star[feature]), float(b_star))
        self.shown = surface.readable_steps(trajectory.loss)
        self.others = [(str(label), run, surface.readable_steps(run.loss)) for label, run in others][:3]
        w_points = np.concatenate([trajectory.w[:self.shown, feature], [self.optimum[0]]]
                                  + [run.w[:n, feature] for _, run, n in self.others])
        b_points = np.concatenate([trajectory.b[:self.shown], [self.optimum[1]]]
                                  + [run.b[:n] for _, run, n in self.others])
        self.box = surface.view_box(w_points, b_points)
        width, height = self.size
        self.s = width / 1600  # type and lines scale with the picture
        s = self.s
        self.header = round(150 * s)
        top, bottom = self.header + round(20 * s), height - round(120 * s)
        split = round(width * 0.56)
        self.contour = Panel(round(130 * s), top, split - round(40 * s), bottom, *self.box)
        scaling = getattr(data, "scaling", None)
        if equal_scales or (equal_scales is None and scaling is not None):  # a standardised bowl looks round
            self._equal_scales()
        beside = Panel(split + round(120 * s), top, width - round(40 * s), bottom, 0, 1, 0, 1)
        self.data_panel = self._data_panel(beside)
        self._background = None  # the contour image of one feature (the same at every step)
        scaling = getattr(data, "scaling", None)
        prime = "′" if scaling is not None else ""
        self.w_label = f"w{prime}" if q.d == 1 else f"w{feature + 1}{prime}"
        optimizer = trajectory.settings.get("optimizer", "gd")
        self.label = LABELS.get(optimizer, optimizer)
        if trajectory.settings.get("lr") is not None:
            self.label += f", α = {nice(trajectory.settings['lr'])}"

    def _equal_scales(self) -> None:
        """Widen the box along one axis so that a unit of w and a unit of b are as many pixels."""
        p = self.contour
        w0, w1, b0, b1 = self.box
        per_w = (w1 - w0) / (p.right - p.left)
        per_b = (b1 - b0) / (p.bottom - p.top)
        if per_w > per_b:
            half = per_w * (p.bottom - p.top) / 2
            middle = (b0 + b1) / 2
            self.box = (w0, w1, middle - half, middle + half)
        else:
            half = per_b * (p.right - p.left) / 2
            middle = (w0 + w1) / 2
            self.box = (middle - half, middle + half, b0, b1)
        p.x0, p.x1, p.y0, p.y1 = self.box

    # -- the data beside the map, in the data's own units --
    def _data_panel(self, panel: Panel) -> Panel:
        from .web import display_rows

        data = self.data
        rows = display_rows(data.m)
        X = data.X[rows]
        if data.scaling is not None:
            X = X * data.scaling[1] + data.scaling[0]
        self.rows, self.y = rows, data.y[rows]
        self.mode = "feature" if self.d == 1 else "actual"
        self.x = X[:, self.feature] if self.mode == "feature" else self.y
        self.X_fit = data.X[rows]
        if self.mode == "feature":
            x_low, x_high = float(self.x.min()), float(self.x.max())
            y_low, y_high = float(self.y.min()), float(self.y.max())
        else:
            x_low = y_low = float(self.y.min())
            x_high = y_high = float(self.y.max())
        pad_x = (x_high - x_low) * 0.08 or 1.0
        pad_y = (y_high - y_low) * 0.12 or 1.0
        return Panel(panel.left, panel.top, panel.right, panel.bottom, x_low - pad_x, x_high + pad_x,
                     y_low - pad_y, y_high + pad_y)

    # -- the loss from above --
    def _contour_image(self, k: int) -> Image.Image:
        """Filled contours of log₁₀ L over the box (the slice through the other weights at step k)."""
        p = self.contour
        width, height = p.right - p.left, p.bottom - p.top
        gw, gh = max(2, width // 3), max(2, height // 3)  # a coarse grid, smoothed up: the surface is smooth
        w_values = np.linspace(self.box[0], self.box[1], gw)
        b_values = np.linspace(self.box[3], self.box[2], gh)  # top row first: b grows upwards
        weights = self.run.w[min(k, self.run.steps)] if self.d > 1 else None
        z = surface.loss_surface(self.data, w_values, b_values, feature=self.feature, weights=weights)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_z = np.log10(np.where(np.isfinite(z), z, np.nan) + 1e-300)
        finite = np.isfinite(log_z)
        if not finite.any():
            log_z = np.zeros_like(log_z)
        else:
            log_z = np.where(finite, log_z, np.nanmax(np.where(finite, log_z, -np.inf)))
        smooth = np.asarray(Image.fromarray(log_z.astype(np.float32), "F").resize((width, height), Image.BILINEAR))
        low, high = float(smooth.min()), float(smooth.max())
        level = np.floor((smooth - low) / ((high - low) or 1.0) * BANDS).clip(0, BANDS - 1).astype(np.intp)
        rgb = _colour_map((np.arange(BANDS) + 0.5) / BANDS)[level]  # one colour per band
        edge = np.zeros(level.shape, dtype=bool)
        edge[:, 1:] |= level[:, 1:] != level[:, :-1]
        edge[1:, :] |= level[1:, :] != level[:-1, :]
        rgb[edge] = (rgb[edge] * 0.45 + 255 * 0.55).astype(np.uint8)  # thin light lines between bands
        return Image.fromarray(rgb, "RGB")

    def background(self, k: int) -> Image.Image:
        if self.d > 1:
            return self._contour_image(k)
        if self._background is None:
            self._background = self._contour_image(0)
        return self._background

    # -- one picture --
    def draw(self, k: int, *, title: str = "", subtitle: str | None = None) -> Image.Image:
        run, s = self.run, self.s
        k = int(np.clip(k, 0, run.steps))
        image = Image.new("RGB", self.size, "white")
        draw = ImageDraw.Draw(image)
        self._header(draw, k, title, subtitle)
        p = self.contour
        image.paste(self.background(k), (p.left, p.top))
        draw.rectangle((p.left, p.top, p.right, p.bottom), outline=FRAME, width=max(1, round(2 * s)))
        _axes(draw, p, self.w_label, "b", s, grid=False)
        self._path(draw, k)
        self._data(draw, k)
        self._legend(draw)
        return image

    def _header(self, draw, k: int, title: str, subtitle: str | None) -> None:
        s, run = self.s, self.run
        width = self.size[0]
        big = font(round(48 * s), bold=True)
        medium = font(round(34 * s))
        title = title or LABELS.get(run.settings.get("optimizer", "gd"), "gradient descent")
        while draw.textlength(title, font=big) > width - 80 * s and len(title) > 4:
            title = title[:-2].rstrip() + "…" if not title.endswith("…") else title[:-3].rstrip() + "…"
        draw.text((50 * s, 30 * s), title, fill=INK, font=big)
        if subtitle is None:
            subtitle = self.subtitle(k)
        draw.text((50 * s, 96 * s), subtitle, fill=MUTED, font=medium)
        if run.diverged_at is not None:
            note = f"diverged at step {run.diverged_at}"
            draw.text((width - 50 * s, 96 * s), note, fill=DIVERGED, font=font(round(34 * s), bold=True), anchor="ra")
        draw.line((50 * s, self.header, width - 50 * s, self.header), fill=GRID, width=max(1, round(3 * s)))

    def subtitle(self, k: int) -> str:
        run = self.run
        settings = run.settings
        parts = [f"step {k} / {run.steps}"]
        if settings.get("lr") is not None:
            parts.append(f"α = {nice(settings['lr'])}")
        parts.append(f"loss = {nice(run.loss[k])}")
        optimizer = settings.get("optimizer", "gd")
        if optimizer != "gd":
            parts.append(LABELS.get(optimizer, optimizer))
        if settings.get("batch_size"):
            parts.append(f"batch {settings['batch_size']}")
        return "   ·   ".join(parts)

    def _path(self, draw, k: int) -> None:
        run, p, s, f = self.run, self.contour, self.s, self.feature
        for i, (_, other, _) in enumerate(self.others, start=1):  # compared runs first, under the main one
            j = min(k, other.steps)
            ou, ov = p.px(other.w[:j + 1, f], other.b[:j + 1])
            colour = RUN_COLOURS[i % len(RUN_COLOURS)]
            _line(draw, p, ou, ov, colour, max(2, round(4 * s)))
            if p.inside(float(ou[-1]), float(ov[-1])):
                _dot(draw, float(ou[-1]), float(ov[-1]), 10 * s, colour, "black", max(1, round(2 * s)))
        us, vs = p.px(run.w[:k + 1, f], run.b[:k + 1])
        width = max(2, round(5 * s))
        _line(draw, p, us, vs, PATH, width)
        r = max(2, round(5 * s))
        du, dv = thinned(us[:-1], vs[:-1], spacing=2 * r)  # a marker per step, where they do not pile up
        for u, v in zip(du, dv):
            if p.inside(u, v):
                draw.ellipse((u - r, v - r, u + r, v + r), fill=PATH)
        ou, ov = p.px(self.optimum[0], self.optimum[1])
        if p.inside(ou, ov):
            _star(draw, float(ou), float(ov), 22 * s, OPTIMUM, "black", max(1, round(2 * s)))
        u, v = float(us[-1]), float(vs[-1])
        # ∇L at step k, direction only: 12% of the view, measured in the view's own proportions
        gw, gb = float(run.grad_w[k, f]), float(run.grad_b[k])
        span_w, span_b = self.box[1] - self.box[0], self.box[3] - self.box[2]
        norm = float(np.hypot(gw / span_w, gb / span_b))
        head = 22 * s
        start = float(run.grad_norm[0])
        moving = float(run.grad_norm[k]) > 1e-3 * start  # at the bottom the direction is noise: no arrow
        if np.isfinite(norm) and norm > 0 and moving:
            tip = p.px(run.w[k, f] + gw / span_w / norm * 0.12 * span_w, run.b[k] + gb / span_b / norm * 0.12 * span_b)
            _arrow(draw, p, u, v, float(tip[0]), float(tip[1]), GRADIENT, max(2, round(6 * s)), head)
        if k < run.steps:  # the update that follows: to the next point, at true length
            nu, nv = p.px(run.w[k + 1, f], run.b[k + 1])
            _arrow(draw, p, u, v, float(nu), float(nv), UPDATE, max(2, round(6 * s)), head)
        if p.inside(u, v):
            _dot(draw, u, v, 13 * s, PATH, "black", max(1, round(3 * s)))

    def _data(self, draw, k: int) -> None:
        p, s, run = self.data_panel, self.s, self.run
        _axes(draw, p, self._x_label(), self._y_label(), s)
        draw.rectangle((p.left, p.top, p.right, p.bottom), outline=FRAME, width=max(1, round(2 * s)))
        W, b = run.w[k], float(run.b[k])
        with np.errstate(over="ignore", invalid="ignore"):
            predicted = self.X_fit @ W + b
        if self.mode == "feature":
            Wo, bo = self.data.to_original_units(W, b) if self.data.scaling is not None else (W, b)
            x_ends = np.array([p.x0, p.x1])
            with np.errstate(over="ignore", invalid="ignore"):
                y_ends = float(Wo[0]) * x_ends + float(bo)
            truth = getattr(self.data, "true_weights", None)
            if truth is not None and self.data.true_bias is not None and self.data.scaling is None:
                tu, tv = p.px(x_ends, truth[0] * x_ends + self.data.true_bias)
                _dashed(draw, p, tu, tv, TRUTH, max(1, round(3 * s)), 14 * s)
            us, vs = p.px(self.x, self.y)
            eu, ev = p.px(self.x, predicted)
            if len(us) <= 300:  # residuals: each point's distance to the line
                for u, v, e in zip(us, vs, ev):
                    piece = p.clip(u, v, u, e)
                    if piece is not None:
                        draw.line(piece, fill=RESIDUAL, width=max(1, round(2 * s)))
            lu, lv = p.px(x_ends, y_ends)
            self._points(draw, us, vs)
            _line(draw, p, lu, lv, PATH, max(2, round(6 * s)))
        else:
            du, dv = p.px([p.x0, p.x1], [p.x0, p.x1])
            _dashed(draw, p, du, dv, TRUTH, max(1, round(3 * s)), 14 * s)
            us, vs = p.px(self.y, predicted)
            self._points(draw, us, vs, colour=PATH)

    def _points(self, draw, us, vs, colour=DATA) -> None:
        r = max(3, round(9 * self.s)) if len(us) <= 300 else max(2, round(5 * self.s))
        for u, v in zip(us, vs):
            if self.data_panel.inside(u, v):
                draw.ellipse((u - r, v - r, u + r, v + r), fill=colour, outline="#333333", width=max(1, round(self.s)))

    def _x_label(self) -> str:
        names = self.data.feature_names
        return names[self.feature] if self.mode == "feature" else f"actual {self.data.target_name}"

    def _y_label(self) -> str:
        return self.data.target_name if self.mode == "feature" else f"predicted {self.data.target_name}"

    def _legend(self, draw) -> None:
        s = self.s
        y = self.size[1] - round(42 * s)
        x = 50 * s
        items = [(self.label if self.others else "path", PATH, "dot")]
        items += [(label, RUN_COLOURS[i % len(RUN_COLOURS)], "dot") for i, (label, _, _) in enumerate(self.others, 1)]
        items += [("∇L (direction)", GRADIENT, "arrow"), ("update", UPDATE, "arrow"),
                  ("least squares", OPTIMUM, "star")]
        if not self.others:
            items.append(("model at the step", PATH, "line") if self.mode == "feature" else ("ŷ = y", TRUTH, "line"))
        size = round(26 * s)  # smaller type if the legend would not fit on one line
        room = self.size[0] - 80 * s
        while size > 12 and sum(draw.textlength(t, font=font(size)) + 86 * s for t, _, _ in items) > room:
            size -= 1
        small = font(size)
        for text, colour, mark in items:
            if mark == "dot":
                _dot(draw, x + 12 * s, y, 10 * s, colour, "black", max(1, round(2 * s)))
            elif mark == "star":
                _star(draw, x + 12 * s, y, 16 * s, colour, "black", max(1, round(2 * s)))
            elif mark == "arrow":
                draw.line((x, y, x + 26 * s, y), fill=colour, width=max(2, round(5 * s)))
                draw.polygon([(x + 34 * s, y), (x + 22 * s, y - 8 * s), (x + 22 * s, y + 8 * s)], fill=colour)
            else:
                draw.line((x, y, x + 34 * s, y), fill=colour, width=max(2, round(5 * s)))
            x += 46 * s
            draw.text((x, y), text, fill=INK, font=small, anchor="lm")
            x += draw.textlength(text, font=small) + 40 * s


def _dashed(draw, panel: Panel, us, vs, colour, width: int, dash: float) -> None:
    piece = panel.clip(float(us[0]), float(vs[0]), float(us[-1]), float(vs[-1]))
    if piece is None:
        return
    u0, v0, u1, v1 = piece
    length = float(np.hypot(u1 - u0, v1 - v0))
    n = max(1, int(length / dash))
    for i in range(0, n, 2):
        a, c = i / n, min(1.0, (i + 1) / n)
        draw.line((u0 + (u1 - u0) * a, v0 + (v1 - v0) * a, u0 + (u1 - u0) * c, v0 + (v1 - v0) * c),
                  fill=colour, width=width)


# ---- the public pictures ----
def scene_picture(data, trajectory: Trajectory, k: int, *, title: str = "", feature: int = 0,
                  size=(1600, 900), others=(), equal_scales: bool | None = None) -> Image.Image:
    """One slide: the contour map of L(w, b) (log₁₀ L in Viridis bands, ★ at the least-squares
    optimum) with the path to step k, ∇L (blue, direction) and the update θ_{k+1} − θ_k (green);
    beside it the data and the model at step k (one feature: the line; several: predicted against
    actual); above, ``title`` and "step k / N · α = … · loss = …". k is clipped to the run.
    ``others``: (label, trajectory) of up to three runs compared on the same map, in their colours.
    ``equal_scales``: one scale for w and b (None: only for standardised data, whose bowl is round)."""
    return RunPicture(data, trajectory, feature=feature, size=size, others=others,
                      equal_scales=equal_scales).draw(k, title=title)


def slides_zip(pictures: Iterable[tuple[str, Image.Image]]) -> bytes:
    """A zip of one PNG per (name, picture); names are made safe and unique (01-name.png, …)."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
        for i, (name, picture) in enumerate(pictures, start=1):
            stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(name)).strip("-.")[:60] or f"scene-{i}"
            stem = stem.removesuffix(".png")
            file = f"{stem}.png"
            while file in used:
                file = f"{stem}-{len(used)}.png"
            used.add(file)
            png = io.BytesIO()
            picture.save(png, format="PNG", optimize=False)
            archive.writestr(file, png.getvalue())
    return buffer.getvalue()


def frame_steps(steps: int, frames: int = MAX_FRAMES) -> list[int]:
    """Which steps a GIF shows: at most ``frames`` (≤ 60), evenly spread from 0 to the last."""
    frames = int(np.clip(frames, 1, MAX_FRAMES))
    return sorted({int(round(v)) for v in np.linspace(0, steps, min(frames, steps + 1))})


def run_gif(data, trajectory: Trajectory, *, frames: int = MAX_FRAMES,
            progress: Callable[[int, int], None] | None = None,
            title: str = "", feature: int = 0, size=(960, 540), fps: float = 10.0, hold: float = 2.0,
            others=()) -> bytes:
    """An animated GIF of the run: up to ``frames`` (≤ 60) steps spread over it, ``fps`` frames a
    second, the last held ``hold`` seconds. ``progress(done, total)`` is called after each frame."""
    picture = RunPicture(data, trajectory, feature=feature, size=size, others=others)
    steps = frame_steps(max([trajectory.steps] + [run.steps for _, run in others]), frames)
    images = []
    for done, k in enumerate(steps, start=1):
        images.append(picture.draw(k, title=title).quantize(colors=128, method=Image.Quantize.FASTOCTREE,
                                                            dither=Image.Dither.NONE))
        if progress is not None:
            progress(done, len(steps))
    durations = [round(1000 / fps)] * len(images)
    durations[-1] = round(1000 * hold)
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   disposal=1, optimize=False)
    return buffer.getvalue()


# ---- a scene's run, as the page makes it ----
@dataclass(frozen=True)
class SceneRun:
    """What the page shows for a scene: the fitted data, the run, the weight on the surface and the
    compared runs as (label, trajectory)."""

    data: object
    trajectory: Trajectory
    feature: int
    others: tuple = ()
    equal_scales: bool = False


def scene_run(scene) -> SceneRun:
    """The data and run a scene's link parameters make on the page (gdviz.lessons.Scene): every
    control at its default unless the scene sets it; a sample set starts from 0 at settings that
    reach the fit where the scene does not say (as the page does).

    Not yet issue 12's settings: a scene's ``problem``, ``l2`` and ``sched`` open on the page, but the
    slides (RunPicture draws linear regression's surface and data view) show the scene as linear
    regression with a constant rate until RunPicture can draw the other losses."""
    from .lessons import page_params  # noqa: PLC0415 - lessons imports nothing from here

    values, _ = state.decode(page_params(scene))
    given = set(values)
    v = {**state.defaults(), **values}
    source = v["source"]
    if source == state.SYNTHETIC:
        choice = state.Synthetic(n=v["n"], true_w=v["true_w"], true_b=v["true_b"], noise=v["noise"], seed=v["seed"],
                                 offset=v["offset"])
    else:
        features = v.get("features")
        choice = state.Sample(source, tuple(features) if features else None, v.get("target") if features else None)
        if "w0" not in given:
            v["w0"] = 0.0
        if "b0" not in given:
            v["b0"] = 0.0
        if "lr" not in given:
            for standardise in (False, True):
                loaded = choice.load()
                fit = settings_that_fit(loaded.standardized() if standardise else loaded)
                if fit is not None:
                    v.update(lr=fit[0], steps=fit[1] if "steps" not in given else v["steps"],
                             standardise=v["standardise"] if "standardise" in given else standardise)
                    break
    data = choice.load()
    if v.get("edits") and hasattr(state, "with_edits"):  # points the lecturer moved or added (pts=…)
        data = state.with_edits(data, v["edits"])
    data = data.standardized() if v["standardise"] else data
    feature = int(v["feature"]) if v["feature"] < data.d else 0
    batch_size = None
    if v["batch_mode"] == state.BATCH["mini"]:
        batch_size = int(np.clip(v["batch_size"], 2, max(3, data.m - 1)))
    elif v["batch_mode"] == state.BATCH["sgd"]:
        batch_size = 1
    w0 = [float(v["w0"]) if i == feature else 0.0 for i in range(data.d)]
    maths = dict(steps=int(v["steps"]), w0=w0, b0=float(v["b0"]), batch_size=batch_size, seed=0,
                 tol=v["tol"] if v.get("use_tol") else None)
    run = descend(data, optimizer=v["optimizer"], lr=float(v["lr"]), **maths)
    others = []
    for i in range(1, int(v.get("compare_n") or 0) + 1):
        name, rate = v[f"cmp_opt_{i}"], float(v[f"cmp_lr_{i}"])
        others.append((f"{LABELS[name]}, α = {nice(rate)}", descend(data, optimizer=name, lr=rate, **maths)))
    return SceneRun(data, run, feature, tuple(others), bool(v["equal_scales"]))


def drawable(scene) -> bool:
    """Whether the slides draw this scene as the page shows it: linear regression (MSE) without a
    ridge penalty or a schedule (the pictures draw the least-squares surface and the data view)."""
    from .lessons import page_params  # noqa: PLC0415 - lessons imports nothing from here

    values, _ = state.decode(page_params(scene))
    return (values.get("problem", state.CONTROLS["problem"].default) == state.CONTROLS["problem"].default
            and not values.get("l2") and values.get("sched", "constant") == "constant")


def lesson_pictures(lesson, *, size=(1600, 900), progress: Callable[[int, int], None] | None = None
                    ) -> list[tuple[str, Image.Image]]:
    """One picture per scene, each run drawn at its last step, named "01-title"; for slides_zip.
    A scene the pictures cannot draw faithfully (see ``drawable``) is left out, never drawn wrong:
    ``left_out(lesson)`` names them."""
    pictures = []
    total = len(lesson.scenes)
    for i, scene in enumerate(lesson.scenes, start=1):
        if drawable(scene):
            made = scene_run(scene)
            picture = RunPicture(made.data, made.trajectory, feature=made.feature, size=size, others=made.others,
                                 equal_scales=True if made.equal_scales else None)
            title = f"{i}. {scene.title}"
            last = picture.shown - 1  # a diverging run: its last step still in view
            pictures.append((f"{i:02d}-{scene.title}", picture.draw(last, title=title)))
        if progress is not None:
            progress(i, total)
    return pictures


def left_out(lesson) -> list[str]:
    """The scenes lesson_pictures leaves out, as "scene k (title)": logistic regression, test
    surfaces, a ridge penalty or a schedule (save those from the page: "save view · PNG")."""
    return [f"scene {i} ({scene.title})" for i, scene in enumerate(lesson.scenes, start=1) if not drawable(scene)]
