"""Plotly figures of a run: pure functions that return go.Figure.

Nothing here computes the maths or a step's numbers: loss, gradients and the optimum arrive from the
core, and every trace that moves with the step takes its data from a frame (gdviz.web.frames
.step_frame, the one owner of each step's picture), keyed by the trace's ``uid``. The browser
replaces the same traces by uid when the step changes. The figures own the looks: colours, widths,
sizes, names and hover templates.
Many arrows are one trace with None between segments, as in plotly's quiver factory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from .optimizers import LABELS
from .surface import SLICE_CAP, press

# Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
PATH = "#D55E00"  # vermillion
GRADIENT = "#0072B2"  # blue
UPDATE = "#009E73"  # green
UPDATE_TEXT = "#00785A"  # the update's green as text: 5.5:1 on white (the line's #009E73 is 3.4:1, under WCAG's 4.5:1)
OPTIMUM = "#F0E442"  # yellow
TRUTH = "#999999"
DATA = "#56B4E9"  # sky blue
BATCH = "#CC79A7"  # reddish purple: the mini-batch gradient
PULL_OVER = "#E69F00"  # orange: an example the model over-predicts (ŷ > y) pulls w and b down
PULL_UNDER = "#56B4E9"  # sky blue: an example it under-predicts (ŷ < y)
PULL_MEAN = "#000000"  # their mean, −∇L, bold
HIGHLIGHT = "#000000"
EIGEN_LINE = "#CC79A7"  # reddish purple: reads on the contours' dark and light ends
EIGEN_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")  # one per eigen-direction
# compared runs: vermillion, black, purple, wine (Tol's): the orange that was fourth sat too close to the
# vermillion for deuteranopes and to the purple for tritanopes (tests/test_colours.py)
RUN_COLOURS = ("#D55E00", "#000000", "#CC79A7", "#882255")
FONT = dict(size=16, family="Inter, 'Segoe UI', Helvetica, Arial, sans-serif")
# The contour view's arrow heads for the step shown: ∇L (blue) and the update (green).
ARROW_STYLES = {"grad": dict(arrowhead=2, arrowsize=1.3, arrowwidth=4, arrowcolor=GRADIENT),
                "update": dict(arrowhead=3, arrowsize=1.3, arrowwidth=4, arrowcolor=UPDATE),  # a barbed head: not by colour alone
                "pull": dict(arrowhead=2, arrowsize=1.1, arrowwidth=5, arrowcolor="#000000")}  # −∇L, the pulls' mean

# The page around the views takes its colours from here too (the slider, the play button, the maths
# panel's ∇L and update rows), and presenter mode grows type, lines and hover labels by these.
PAGE_COLOURS = {"path": PATH, "grad": GRADIENT, "update": UPDATE_TEXT}  # "update" colours the maths' text
PRESENTER = {"type_scale": 1.35, "line_scale": 1.6, "hover_size": 24}

HOVER = ("step %{customdata[0]}<br>w = %{customdata[1]:.5g}<br>b = %{customdata[2]:.5g}"
         "<br>loss = %{customdata[3]:.5g}<br>∂L/∂w = %{customdata[4]:.4g}<br>∂L/∂b = %{customdata[5]:.4g}"
         "<extra></extra>")


@dataclass(frozen=True)
class RunLook:
    """How one run is drawn, and what its still traces need: its label and colour, the loss and the
    hover rows (step, w, b, loss, ∂L/∂w, ∂L/∂b) of every recorded step, how many leading steps are in view."""

    label: str
    colour: str
    loss: np.ndarray
    hover: np.ndarray
    shown: int


def plotly_text(name) -> str:
    """A name from a file or a link as plain text in a figure: Plotly reads a small HTML subset in
    titles, legends and hover labels, and %{...} in hover templates. Entities show the characters
    themselves (Plotly decodes &lt; &gt; &amp; and &#37;), so nothing in a name is markup or a template.

    >>> plotly_text("<a href=x>%{y}_rate & co</a>")
    '&lt;a href=x&gt;&#37;{y}_rate &amp; co&lt;/a&gt;'
    """
    return (str(name).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("%", "&#37;"))


def segments(x0, y0, x1, y1):
    """Arrays for many still line segments in one trace: x0→x1, y0→y1, separated by None."""
    out = []
    for start, end in ((x0, x1), (y0, y1)):
        values = np.empty(3 * len(x0), dtype=object)
        values[0::3], values[1::3], values[2::3] = start, end, None
        out.append(values)
    return out


# A trace's uid: plotly.js 4.1.1 builds a selector '.cb' + uid when a trace is removed, so a uid
# with a space ("other path 1") made every later Plotly.react on that view fail.
UID = re.compile(r"^[a-z0-9-]+$")

# A legend under a 2-D view: at the bottom of the figure (container coordinates), so Plotly grows the
# bottom margin to hold both the x axis's title and the legend, whatever the type size (presenter
# mode) or the number of rows; placed in the plot's coordinates below it, it covered the x title.
LEGEND_BELOW = dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom")

GRID = "#E3E8F0"
# Plotly's white look, set directly: applying a named template deep-copies hundreds of properties
# and made up most of the cost of building the views.
AXIS_STYLE = dict(gridcolor=GRID, linecolor=GRID, zerolinecolor=GRID, zerolinewidth=2, ticks="", automargin=True)
SCENE_AXIS_STYLE = dict(gridcolor="#D5DDE8", linecolor=GRID, zerolinecolor=GRID, showbackground=True,
                        backgroundcolor="white", gridwidth=2, ticks="")


def _merge(base: dict, extra: dict) -> dict:
    """``base`` updated by ``extra``, nested dicts merged rather than replaced."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _figure(traces: list[dict], title: str, **extra) -> go.Figure:
    """One Figure from plain trace and layout dicts, built in one validated step: adding traces and
    updating the layout one call at a time costs several times more."""
    layout = dict(title=dict(text=title, font=dict(size=20)), font={**FONT, "color": "#2a3f5f"},
                  template="none", paper_bgcolor="white", plot_bgcolor="white",
                  margin=dict(l=10, r=10, t=50, b=10), legend=dict(font=dict(size=15)),
                  hoverlabel=dict(font=dict(size=16)), uirevision="gdviz", xaxis=AXIS_STYLE, yaxis=AXIS_STYLE)
    for trace in traces:  # plotly.js builds CSS selectors from uids: a space breaks Plotly.react
        if "uid" in trace and not UID.match(trace["uid"]):
            raise ValueError(f"trace uid {trace['uid']!r} is not made of a-z, 0-9 and '-'")
    return go.Figure(data=traces, layout=_merge(layout, extra))


MARK_SYMBOLS = {"surface": ("diamond", "circle"), "contour": ("star", "star-open")}
PLAIN_OPTIMUM = "#FFFFFF"  # the optimum without the penalty: white with a black edge, beside the yellow one


def _marks(optimum) -> list[tuple]:
    """The points to mark as (w, b, L, name): ``optimum`` is one (w*, b*, L*) or a list of
    (w, b, L, name) (web.optimum_marks: a penalised and an un-penalised optimum, a surface's minima)."""
    if optimum is None:
        return []
    if len(optimum) == 3 and not isinstance(optimum[0], (tuple, list)):
        return [(*optimum, "optimum (least squares)")]
    return [tuple(mark) for mark in optimum]


def _mark_traces(optimum, view: str, lift: float = 0.0, heights=None) -> list[dict]:
    """One trace per kind of marked point (uid "optimum" for the first, "optimum-2", … after),
    points of the same name together (a surface's four minima: one legend entry); in 3-D at the
    height ``heights`` draws their loss at (default: the loss), the hover naming the loss itself."""
    groups: dict[str, list] = {}
    for w, b, L, name in _marks(optimum):
        groups.setdefault(name, []).append((w, b, L))
    traces = []
    for i, (name, points) in enumerate(groups.items()):
        plain = "without the penalty" in name or "saddle" in name
        colour = PLAIN_OPTIMUM if plain else OPTIMUM
        ws, bs, Ls = (list(v) for v in zip(*points))
        uid = "optimum" if i == 0 else f"optimum-{i + 1}"
        if view == "surface":
            drawn = Ls if heights is None else heights(Ls).tolist()
            traces.append(dict(type="scatter3d", x=ws, y=bs, z=[v + lift for v in drawn], uid=uid,
                               name=plotly_text(name), mode="markers", customdata=Ls,
                               marker=dict(size=9, color=colour, symbol="diamond", line=dict(color="black", width=2)),
                               hovertemplate=f"{plotly_text(name)}<br>w = %{{x:.5g}}<br>b = %{{y:.5g}}<br>L = "
                                             "%{customdata:.5g}<extra></extra>"))
        else:
            traces.append(dict(type="scatter", x=ws, y=bs, uid=uid, name=plotly_text(name), mode="markers",
                               marker=dict(size=18, color=colour, symbol="star", line=dict(color="black", width=1.5)),
                               hovertemplate=f"{plotly_text(name)}<br>w = %{{x:.5g}}<br>b = %{{y:.5g}}<extra></extra>"))
    return traces


def _moves(moving: dict, uid: str, **looks) -> dict:
    """A trace that moves with the step: its looks here, its data from the frame."""
    return dict(uid=uid, **looks, **moving[uid])


def _other_paths(moving: dict, runs, *, kind: str, widths: tuple, sizes: tuple) -> list[dict]:
    """Each compared run's path and point (the paths of runs 1, 2, ... of ``runs``)."""
    traces = []
    for i, run in enumerate(runs[1:], start=1):
        traces.append(_moves(moving, f"other-path-{i}", type=kind, name=run.label, mode="lines+markers",
                             line=dict(color=run.colour, width=widths[0]), marker=dict(size=sizes[0], color=run.colour),
                             hovertemplate=HOVER))
        traces.append(_moves(moving, f"other-point-{i}", type=kind, mode="markers", showlegend=False,
                             hovertemplate=HOVER, marker=dict(size=sizes[1], color=run.colour,
                                                              line=dict(color="black", width=2))))
    return traces


def surface_figure(w_values, b_values, z, runs, optimum: tuple[float, float, float], moving: dict, *,
                   arrow_scale: float, w_label: str = "w", w_symbol: str | None = None,
                   equal_scales: bool | None = None, top_at_least: float | None = None, heights=None) -> go.Figure:
    """The 3-D loss surface L(w, b), the path on it, the gradient ∇L at every step (horizontal
    arrows in the (w, b) plane at the point's height), the current step's ∇L and update emphasised.
    ``runs`` are RunLooks (the main run first, then compared runs), ``optimum`` is (w*, b*, L*),
    ``moving`` the frame's traces of this view (with several features the surface itself moves).
    WebGL draws the 3-D axis titles as raw text (no entities), so the w axis carries only the
    weight's symbol ``w_symbol``; a longer ``w_label`` with a column's name goes in the title.

    The paths are drawn over an opaque surface, lifted just above its triangles, so they keep their
    own colours. ``equal_scales`` gives w and b one scale (a standardised feature's round bowl looks
    round); None turns it on when the weight is a standardised one (its symbol carries ′) and the
    box is not far from square. ``arrow_scale`` (a frames.ArrowScale) names how arrows are drawn.
    ``heights`` (a surface.Heights, surface.heights_for) draws each loss as a height, the same for
    the surface, the paths (their frames' "z") and the marks; log-like heights put round losses on
    the z axis and the loss itself in the surface's hover."""
    line = runs[0]
    loss_z = np.asarray(z, dtype=np.float64)
    log_heights = heights is not None and heights.log
    if heights is not None:
        z = heights(loss_z)
        runs = [RunLook(run.label, run.colour, heights(run.loss), run.hover, run.shown) for run in runs]
    heading = "Loss surface L(w, b) and the path"
    if w_symbol is not None and w_symbol != w_label:
        heading = f"Loss over {plotly_text(w_label)} and b"
    w_label = w_symbol if w_symbol is not None else plotly_text(w_label)
    top, lift = surface_height(z, runs, top_at_least)
    bottom = min(0.0, float(np.min(z)))  # a saddle goes below 0
    moving_surface = moving.get("surface", {})
    if "z" in moving_surface:  # several features: the slice moves, pressed below SLICE_CAP x the paths' top
        top = max(top, SLICE_CAP * (max(float(run.loss[:run.shown].max()) for run in runs) + lift) * 1.01)
    arrows = "direction" if getattr(arrow_scale, "mode", "true") == "direction" else f"×{float(arrow_scale):.3g}"
    traces = [dict(type="surface", x=w_values, y=b_values, z=surface_z(z, top), uid="surface", name="loss surface",
                   colorscale="Viridis", opacity=1.0, showscale=False, cmin=float(np.min(z)), cmax=top,
                   contours=dict(z=dict(show=True, usecolormap=True, project=dict(z=True), width=2)),
                   hovertemplate="w = %{x:.4g}<br>b = %{y:.4g}<br>L = %{z:.4g}<extra>surface</extra>")
              | (dict(customdata=loss_z, hovertemplate="w = %{x:.4g}<br>b = %{y:.4g}<br>L = %{customdata:.4g}"
                                                       "<extra>surface</extra>") if log_heights else {})
              | moving_surface,
              *_mark_traces(optimum, "surface", lift, heights),
              _moves(moving, "gradients", type="scatter3d", name=f"gradient ∇L ({arrows})", mode="lines",
                     line=dict(color=GRADIENT, width=3), hoverinfo="skip")]
    if "batch-gradients" in moving:
        traces.append(_moves(moving, "batch-gradients", type="scatter3d", name="mini-batch gradient used",
                             mode="lines", line=dict(color=BATCH, width=3), hoverinfo="skip"))
    traces += [_moves(moving, "path", type="scatter3d", name=line.label, mode="lines+markers",
                      line=dict(color=line.colour, width=6), marker=dict(size=3.5, color=line.colour),
                      hovertemplate=HOVER),
               _moves(moving, "current-gradient", type="scatter3d", name="∇L at this step", mode="lines",
                      line=dict(color=GRADIENT, width=10), hoverinfo="skip"),
               _moves(moving, "current-update", type="scatter3d", name="update Δθ (−α∇L for gd)", mode="lines",
                      line=dict(color=UPDATE, width=10), hoverinfo="skip"),
               _moves(moving, "current-point", type="scatter3d", mode="markers", showlegend=False,
                      marker=dict(size=8, color=line.colour, line=dict(color="black", width=2)), hovertemplate=HOVER)]
    traces += _other_paths(moving, runs, kind="scatter3d", widths=(6,), sizes=(3, 7))
    axis = dict(tickfont=dict(size=13), nticks=7, **SCENE_AXIS_STYLE)
    title = lambda text: dict(text=text, font=dict(size=18))  # noqa: E731
    span_w, span_b = float(w_values[-1] - w_values[0]), float(b_values[-1] - b_values[0])
    if equal_scales is None:
        equal_scales = "′" in (w_symbol or "") and max(span_w, span_b) <= 4 * min(span_w, span_b)
    aspect, eye = dict(aspectmode="cube"), dict(x=-1.25, y=-1.35, z=1.65)  # from above, far enough to hold the near corner
    if equal_scales:
        longest = max(span_w, span_b)
        aspect = dict(aspectmode="manual", aspectratio=dict(x=span_w / longest, y=span_b / longest, z=0.8))
        eye = dict(x=-0.95, y=-1.05, z=1.25)  # a smaller box: a closer eye
    z_ticks = _z_ticks(bottom, top, heights if log_heights else None, float(np.nanmax(loss_z)))
    if log_heights:  # the title says the scale is not linear
        z_ticks["title"] = title("loss (log)")
    return _figure(traces, heading,
                   scene=dict(xaxis=dict(title=title(w_label), range=[w_values[0], w_values[-1]], **axis),
                              yaxis=dict(title=title("b"), range=[b_values[0], b_values[-1]], **axis),
                              zaxis=dict(title=title("loss"), range=[bottom, top], **axis) | z_ticks,
                              **aspect, camera=dict(eye=eye),
                              domain=dict(x=[0.05, 1], y=[0.08, 1])),  # room at the left for the z title
                   legend=dict(orientation="h", x=0.0, y=0.0, yanchor="bottom", font=dict(size=15)))


def _z_ticks(bottom: float, top: float, heights=None, loss_top: float | None = None) -> dict:
    """The 3-D view's z ticks: about five round losses (log-like ``heights``: Heights.ticks), short
    (1k, 2.5k), none near the axis's middle, where Plotly puts the axis title, so "loss" never sits on
    a label (nor does the presenter's larger type)."""
    if heights is not None:
        values, texts = heights.ticks(loss_top)
    else:
        raw = (top - bottom) / 6
        unit = 10.0 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
        step = unit * min((m for m in (1, 2, 2.5, 5, 10) if unit * m >= raw), default=10)
        values = list(np.arange(np.ceil(bottom / step), np.floor(top / step) + 1) * step)
        texts = [_short_tick(v) for v in values]
    middle, half = (bottom + top) / 2, (top - bottom) / 2
    kept = [(float(v), t) for v, t in zip(values, texts) if bottom <= v <= top and abs(v - middle) > 0.2 * half]
    return dict(tickmode="array", tickvals=[v for v, _ in kept], ticktext=[t for _, t in kept])


def _short_tick(value: float) -> str:
    """A linear z tick: 0, 0.5, 20, 1.5k, 2M (a true minus sign)."""
    value = float(round(value, 12))
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}".replace("-", "−")
    return f"{value:.3g}".replace("-", "−")


def surface_height(z, runs, top_at_least: float | None = None) -> tuple[float, float]:
    """(top of the z axis, lift of the paths above the surface) for RunLooks ``runs``.

    The top is the grid's highest loss, so the surface covers the whole box and ends at its edges,
    never cut flat by the axis; only when that is far above the paths (more than 3x their highest
    point, as a diverging run's box can be) is it capped there, and surface_z then bends the
    surface's rim down to the cap. The lift keeps the paths above the surface's flat triangles,
    which lie above a convex loss by up to an eighth of its second differences between grid points.
    """
    z = np.asarray(z, dtype=np.float64)
    highest = max(float(run.loss[:run.shown].max()) for run in runs)
    low = float(np.min(z))
    top = min(float(np.max(z)), max(3.0 * highest, highest + 0.25 * (highest - low))) * 1.02
    top = max(top, highest * 1.02)
    if top_at_least is not None:  # a test surface: its walls up to this height, the valley floor below them
        top = max(top, min(float(np.max(z)), float(top_at_least)))
    chord = 0.0
    if z.shape[0] > 2 and z.shape[1] > 2:
        inside = z <= top
        second = [np.abs(np.diff(z, 2, axis=axis)) for axis in (0, 1)]
        mixed = np.abs(np.diff(np.diff(z, axis=0), axis=1))
        chord = max(float(second[0][inside[1:-1, :]].max(initial=0.0)), float(second[1][inside[:, 1:-1]].max(initial=0.0)),
                    float(mixed.max(initial=0.0))) / 4.0
    return top, max(0.006 * (top - low), 1.5 * chord)


def surface_z(z, top: float) -> np.ndarray:
    """The surface's heights as drawn: when some pass ``top`` (the z axis's end), those above 92% of
    it are pressed smoothly into the last 8% (top − band · e^(−excess / band)), so a capped surface
    ends in a gentle rim instead of being cut flat like a wall. frames.press (and frames.js) is the
    same formula for the moving slice of several features."""
    z = np.asarray(z, dtype=np.float64)
    return z if float(np.max(z)) <= top else press(z, top)


def contour_figure(w_values, b_values, z, runs, optimum: tuple[float, float, float], moving: dict,
                   annotations: list, *, equal_scales: bool = False, w_label: str = "w", pull: dict | None = None,
                   eigen_lines: dict | None = None) -> go.Figure:
    """The loss from above as contours, with the path, the gradient arrows (one trace) and the
    current step's ∇L and update drawn as arrows (``annotations``, from the frame). Click anywhere
    to start a run from there. ``equal_scales`` gives w and b one scale; a standardised weight
    (its label carries ′) always has it, so its bowl looks round.

    ``pull`` ({"rows": the data's row number of each pull arrow, "m"}): each example's pull, thin
    arrows by residual sign, their mean bold, and an empty trace the page fills to mark one arrow
    (hover linking). ``eigen_lines`` ({"lines": [{"start", "end", "label"}], "name"}): the
    eigen-directions through the optimum, labelled."""
    line = runs[0]
    w_label = plotly_text(w_label)
    log_z = contour_levels(z)
    low, high = float(log_z.min()), float(log_z.max())
    traces = [dict(type="contour", x=w_values, y=b_values, z=log_z, uid="contours",
                   name="log₁₀ loss", colorscale="Viridis", showscale=False, showlegend=False,
                   contours=dict(coloring="heatmap", showlines=True, start=low, end=high, size=(high - low) / 18 or 1.0),
                   line=dict(width=1, color="rgba(255,255,255,0.5)"), customdata=np.asarray(z),
                   hovertemplate="w = %{x:.4g}<br>b = %{y:.4g}<br>L = %{customdata:.4g}<br>click: start here<extra></extra>")
              | moving.get("contours", {}),
              *_mark_traces(optimum, "contour"),
              _moves(moving, "gradients", type="scatter", name="gradient ∇L", mode="lines",
                     line=dict(color=GRADIENT, width=2), hoverinfo="skip")]
    if "batch-gradients" in moving:
        traces.append(_moves(moving, "batch-gradients", type="scatter", name="mini-batch gradient used",
                             mode="lines", line=dict(color=BATCH, width=2), hoverinfo="skip"))
    if eigen_lines is not None:
        traces += _eigen_line_traces(eigen_lines, (w_values[-1] - w_values[0], b_values[-1] - b_values[0]), w_values[0])
    if pull is not None:
        traces += _pull_traces(moving, pull)
    traces += _other_paths(moving, runs, kind="scatter", widths=(3,), sizes=(5, 12))
    traces += [_moves(moving, "path", type="scatter", name=line.label, mode="lines+markers",
                      line=dict(color=line.colour, width=3), marker=dict(size=6, color=line.colour), hovertemplate=HOVER),
               _moves(moving, "current-point", type="scatter", mode="markers", showlegend=False, hovertemplate=HOVER,
                      marker=dict(size=14, color=line.colour, line=dict(color="black", width=2)))]
    if pull is not None:  # over the path: the mean of the pulls, then the arrow the page marks on hover
        traces += [_moves(moving, "pull-mean", type="scatter", name="−∇L = mean of the pulls", mode="lines+markers",
                          line=dict(color=PULL_MEAN, width=4), hoverinfo="skip",
                          marker=dict(size=[0, 14], symbol="arrow", angleref="previous", color=PULL_MEAN)),  # under its annotation
                   dict(type="scatter", x=[], y=[], uid="pull-highlight", mode="lines+markers", showlegend=False,
                        line=dict(color=HIGHLIGHT, width=5), hoverinfo="skip",
                        marker=dict(size=[0, 16], symbol="arrow", angleref="previous", color=HIGHLIGHT))]
    yaxis = dict(title="b", range=[b_values[0], b_values[-1]], constrain="domain")
    if equal_scales or w_label.split(" (")[0].endswith("′"):  # a standardised weight: its round bowl is the point
        yaxis.update(scaleanchor="x", scaleratio=1)
    return _figure(traces, "Contours · click to start there",
                   xaxis=dict(title=w_label, range=[w_values[0], w_values[-1]], constrain="domain"),
                   yaxis=yaxis, legend=LEGEND_BELOW, clickmode="event",
                   annotations=list(annotations))


def contour_levels(z) -> np.ndarray:
    """What the contours are drawn of: log₁₀ L, so a long valley's floor keeps its rings; when L
    reaches 0 (a test surface's minimum on the grid) log₁₀ of L − min L plus a thousandth of its range,
    the same order of rings; below 0 (a saddle) L itself (the hover shows L either way)."""
    z = np.asarray(z, dtype=np.float64)
    low = float(z.min())
    if low > 0:
        return np.log10(z + 1e-300)
    if low < 0:  # a saddle: L itself, its rings evenly spaced on both sides of 0
        return z.copy()
    return np.log10(z - low + 1e-3 * (float(z.max()) - low or 1.0))


def _pull_traces(moving: dict, pull: dict) -> list[dict]:
    """Each example's pull, one trace per residual sign: point 3i is the current point, 3i + 1 row i's
    tip (an arrow head there), None between; hovering a tip names its row."""
    n, m = len(pull["rows"]), pull["m"]
    some = "" if n == m else f", {n} of {m} drawn"
    rows = np.repeat(np.asarray(pull["rows"], dtype=np.float64), 3)
    sizes = np.tile([0.0, 9.0, 0.0], n)
    out = []
    for uid, colour, text in (("pull-over", PULL_OVER, "ŷ > y"), ("pull-under", PULL_UNDER, "ŷ < y")):
        out.append(_moves(moving, uid, type="scatter", name=f"pull, {text}{some}", mode="lines+markers",
                          line=dict(color=colour, width=1.5), customdata=rows,
                          marker=dict(size=sizes, symbol="arrow", angleref="previous", color=colour),
                          hovertemplate=f"row %{{customdata}}: its pull ({text})<extra></extra>"))
    return out


def _eigen_line_traces(eigen: dict, spans, left: float) -> list[dict]:
    """Each eigen-direction as a dashed line through the optimum, its label near one end."""
    traces = []
    for i, line in enumerate(eigen["lines"], start=1):
        (x0, y0), (x1, y1) = line["start"], line["end"]
        # the label sits on the longer side of the optimum (in the view's fractions), 30% of the way out
        (ox, oy) = line["through"]
        far = [np.hypot((x - ox) / spans[0], (y - oy) / spans[1]) for x, y in ((x0, y0), (x1, y1))]
        ex, ey = (x1, y1) if far[1] >= far[0] else (x0, y0)
        traces.append(dict(type="scatter", x=[x0, x1], y=[y0, y1], uid=f"eigen-line-{i}", mode="lines",
                           name=eigen["name"], legendgroup="eigen", showlegend=i == 1,
                           line=dict(color=EIGEN_LINE, width=3, dash="dash"), hoverinfo="skip"))
        x, y = ox + 0.3 * (ex - ox), oy + 0.3 * (ey - oy)
        across = (x - left) / spans[0]  # the text runs away from the nearer side edge, so it stays in view
        side = "top left" if across > 0.6 else "top right" if across < 0.4 else "top center"
        traces.append(dict(type="scatter", x=[x], y=[y], uid=f"eigen-label-{i}",
                           mode="text", text=[plotly_text(line["label"])], textposition=side,
                           textfont=dict(color="white"), showlegend=False, hoverinfo="skip"))  # the page's type size
    return traces


def eigen_figure(observed, predicted, labels, moving: dict, *, note: str | None = None,
                 floor: float | None = None) -> go.Figure:
    """|error| along each eigen-direction, |vᵢᵀ(θ_k − θ*)|, against the step on a log axis: observed
    on the run (dots) and, for plain full-batch gradient descent, predicted by the closed form
    (lines, ``predicted`` None otherwise, and the title says so); the step shown marked ("eigen-now").
    ``floor`` (float64's, frames.eigen_errors): the axis ends there, a dotted line and a label say
    so, and both the prediction and the dots are drawn down to it, no further (below it θ − θ* is
    rounding: a prediction running on to 10⁻⁴⁰ would look like theory and practice disagreeing)."""
    observed = np.asarray(observed, dtype=np.float64)
    steps = np.arange(observed.shape[0])
    traces = []
    for i, label in enumerate(labels):
        colour = EIGEN_COLOURS[i % len(EIGEN_COLOURS)]
        if predicted is not None:
            traces.append(dict(type="scatter", x=steps, y=np.asarray(predicted)[:, i], uid=f"eigen-predicted-{i + 1}",
                               mode="lines", name=f"{label} (predicted)", legendgroup=f"e{i}",
                               line=dict(color=colour, width=2.5),
                               hovertemplate="step %{x}<br>predicted |error| = %{y:.4g}<extra></extra>"))
        traces.append(dict(type="scatter", x=steps, y=observed[:, i], uid=f"eigen-observed-{i + 1}", mode="markers",
                           name=f"{label} (observed)" if predicted is not None else label, legendgroup=f"e{i}",
                           marker=dict(size=5, color=colour),
                           hovertemplate="step %{x}<br>observed |error| = %{y:.4g}<extra></extra>"))
    colours = [EIGEN_COLOURS[i % len(EIGEN_COLOURS)] for i in range(len(labels))]
    traces.append(_moves(moving, "eigen-now", type="scatter", mode="markers", showlegend=False, hoverinfo="skip",
                         marker=dict(size=14, color=colours, line=dict(color="black", width=2))))
    title = "Error along each eigen-direction, |vᵢᵀ(θ − θ*)|"
    if predicted is None:
        title += " · prediction for plain full-batch GD only"
    notes = []
    if note:  # the learning rate's limit with this run's numbers, under the title
        notes.append(dict(xref="paper", yref="paper", x=0.0, y=1.0, xanchor="left", yanchor="bottom", showarrow=False,
                          text=plotly_text(note), font=dict(size=15, color="#A33200" if "grows" in note or "unstable"
                                                            in note else "#555555")))
    yaxis = dict(title="|error| (log)", type="log", exponentformat="power")
    shapes = []
    if floor is not None and floor > 0:
        shown = [observed] + ([np.asarray(predicted, dtype=np.float64)] if predicted is not None else [])
        highest = max((float(np.nanmax(np.where(np.isfinite(v), v, np.nan))) for v in shown if np.isfinite(v).any()),
                       default=1.0)
        top = np.log10(max(highest, floor * 10))
        yaxis["range"] = [np.log10(floor) - 0.04 * (top - np.log10(floor)), top + 0.3]
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=floor, y1=floor,
                           line=dict(color="#555555", width=2, dash="dot")))
        notes.append(dict(xref="paper", yref="y", x=1.0, y=float(np.log10(floor)), xanchor="right", yanchor="bottom",
                          showarrow=False, text="float64's floor: below it the error is rounding, not descent",
                          font=dict(size=14, color="#555555"), bgcolor="rgba(255,255,255,0.8)"))
    return _figure(traces, title, xaxis=dict(title="step"), yaxis=yaxis, shapes=shapes,
                   legend=LEGEND_BELOW, annotations=notes, margin=dict(t=80))


def data_figure(x, y, runs, moving: dict, *, true_line: tuple[float, float] | None = None,
                x_label: str = "x", y_label: str = "y", mode: str = "feature", pull_highlight: bool = False) -> go.Figure:
    """The data and the model at the step, in the data's own units.

    mode "feature" (one feature): the fitted line ŷ = w x + b, its residuals, the true line and the
    compared runs' lines; "several": ŷ of each row drawn as open circles with residuals; "actual":
    predicted against actual, with the diagonal ŷ = y where a perfect fit would sit. The line's ends,
    ŷ and the residuals come from the frame (``moving``).
    """
    line = runs[0]
    x_label, y_label = plotly_text(x_label), plotly_text(y_label)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ends = np.array([x.min(), x.max()])
    along = y if mode == "actual" else x
    residual_x, _ = segments(along, along, along, along)
    traces = [_moves(moving, "residuals", type="scatter", x=residual_x, name="residuals ŷ − y", mode="lines",
                     line=dict(color=line.colour, width=1.5, dash="dot"), hoverinfo="skip")]
    if mode == "actual":
        predicted = np.asarray(moving["predicted"]["y"], dtype=np.float64)
        low, high = float(min(y.min(), predicted.min())), float(max(y.max(), predicted.max()))
        traces.append(dict(type="scatter", x=[low, high], y=[low, high], uid="diagonal", name="perfect fit ŷ = y",
                           mode="lines", line=dict(color=TRUTH, width=2, dash="dash"), hoverinfo="skip"))
        traces.append(_moves(moving, "predicted", type="scatter", x=y, mode="markers",
                             marker=dict(size=9, color=DATA, line=dict(color="#333", width=1)),
                             hovertemplate=f"{y_label} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>"))
        traces += _data_highlight(pull_highlight)
        return _figure(traces, "Predicted against actual at this step", xaxis=dict(title=f"actual {y_label}"),
                       yaxis=dict(title="predicted ŷ"), legend=LEGEND_BELOW)
    traces.append(dict(type="scatter", x=x, y=y, uid="data", name="data", mode="markers",
                       marker=dict(size=9, color=DATA, line=dict(color="#333", width=1)),
                       hovertemplate=f"{x_label} = %{{x:.4g}}<br>{y_label} = %{{y:.4g}}<extra></extra>"))
    if true_line is not None:
        traces.append(dict(type="scatter", x=ends, y=true_line[0] * ends + true_line[1], uid="truth",
                           name=f"true line ({true_line[0]:.3g}·x {'+' if true_line[1] >= 0 else '−'} "
                                f"{abs(true_line[1]):.3g})", mode="lines",
                           line=dict(color=TRUTH, width=2, dash="dash"), hoverinfo="skip"))
    if mode == "several":
        traces.append(_moves(moving, "predicted", type="scatter", x=x, mode="markers",
                             marker=dict(size=9, color="rgba(0,0,0,0)", line=dict(color=line.colour, width=2)),
                             hovertemplate=f"{x_label} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>"))
    else:
        for i, other in enumerate(runs[1:], start=1):
            traces.append(_moves(moving, f"other-fit-{i}", type="scatter", x=ends, name=other.label, mode="lines",
                                 line=dict(color=other.colour, width=3), hoverinfo="skip"))
        traces.append(_moves(moving, "fit", type="scatter", x=ends, mode="lines", line=dict(color=line.colour, width=4),
                             hoverinfo="skip"))
    traces += _data_highlight(pull_highlight)
    span = float(y.max() - y.min()) or 1.0
    title = "Data and the line at this step" if mode != "several" else f"{y_label} against {x_label}, ŷ at this step"
    return _figure(traces, title, xaxis=dict(title=x_label), legend=LEGEND_BELOW,
                   yaxis=dict(title=y_label, range=[y.min() - 0.25 * span, y.max() + 0.25 * span]))


def _data_highlight(on: bool) -> list[dict]:
    """An empty trace the page fills to mark the point whose pull is hovered on the contours."""
    if not on:
        return []
    return [dict(type="scatter", x=[], y=[], uid="pull-highlight", mode="markers", showlegend=False, hoverinfo="skip",
                 marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(color=HIGHLIGHT, width=3)))]


def loss_figure(runs, moving: dict, *, log_y: bool = False, y_title: str = "loss L (MSE)", rates=None,
                lr_max: float | None = None) -> go.Figure:
    """Loss against step, the current step marked; hover shows step, w, b, loss and gradient. With
    ``rates`` (α_k at each step, a schedule's) the learning rate is drawn against the step on a
    second axis at the right, dashed, its value at the step marked ("lr-now"), and ``lr_max`` (plain
    gradient descent's α_max = 2/λ_max) as a dotted level on that axis when it is in range."""
    traces = []
    for i, run in enumerate(runs):
        traces.append(dict(type="scatter", x=np.arange(len(run.loss)), y=run.loss,
                           uid=("loss" if i == 0 else f"other-loss-{i}"), name=run.label, mode="lines+markers",
                           line=dict(color=run.colour, width=3), marker=dict(size=4), customdata=run.hover,
                           hovertemplate=HOVER))
        traces.append(_moves(moving, "current-point" if i == 0 else f"other-point-{i}", type="scatter", mode="markers",
                             showlegend=False, hovertemplate=HOVER,
                             marker=dict(size=16 if i == 0 else 12, color=run.colour, line=dict(color="black", width=2))))
    highest = max(float(run.loss[:run.shown].max()) for run in runs)
    lowest = min(0.0, min(float(run.loss[:run.shown].min()) for run in runs))
    yaxis = dict(title=y_title, type="log" if log_y and lowest >= 0 else "linear")
    if yaxis["type"] == "linear":
        yaxis["range"] = [lowest * 1.05, highest * 1.05 or 1.0]
    extra, title = {}, "Loss at each step"
    if rates is not None:
        rates = np.asarray(rates, dtype=np.float64)
        traces.append(dict(type="scatter", x=np.arange(len(rates)), y=rates, uid="lr", yaxis="y2",
                           name="learning rate α_k (right axis)", mode="lines", line=dict(color=GRADIENT, width=3, dash="dash"),
                           hovertemplate="step %{x}<br>α_k = %{y:.4g}<extra></extra>"))
        traces.append(_moves(moving, "lr-now", type="scatter", yaxis="y2", mode="markers", showlegend=False,
                             hoverinfo="skip", marker=dict(size=14, symbol="diamond", color=GRADIENT,
                                                           line=dict(color="black", width=2))))
        top = max(float(rates.max()), float(lr_max or 0.0) if lr_max and lr_max < 2 * rates.max() else 0.0) * 1.08 or 1.0
        extra = dict(yaxis2=dict(title=dict(text="learning rate α_k", font=dict(color=GRADIENT)), overlaying="y",
                                 side="right", showgrid=False, tickfont=dict(color=GRADIENT), tickmode="auto", nticks=6,
                                 tickformat=".2g", range=[0, top], automargin=True))
        if lr_max and lr_max * 1.08 <= top * 1.0001:
            traces.append(dict(type="scatter", x=[0, len(rates) - 1], y=[lr_max, lr_max], uid="lr-max", yaxis="y2",
                               mode="lines", name=f"α_max = 2/λ_max = {lr_max:.3g} (plain GD)", hoverinfo="skip",
                               line=dict(color="#A33200", width=2, dash="dot")))
            extra["annotations"] = [dict(x=len(rates) - 1, y=lr_max, xref="x", yref="y2", xanchor="right",
                                         yanchor="bottom", showarrow=False, text=f"α_max = {lr_max:.3g}",
                                         font=dict(color="#A33200", size=20), bgcolor="rgba(255,255,255,0.8)")]
        title = "Loss and learning rate α_k at each step"
    return _figure(traces, title, xaxis=dict(title="step"), yaxis=yaxis, showlegend=len(runs) > 1 or rates is not None,
                   legend=LEGEND_BELOW, **extra)


def classes_figure(x, y, runs, moving: dict, *, curve_x, true_curve=None, x_label: str = "x",
                   y_label: str = "y") -> go.Figure:
    """Logistic regression on one feature, in the data's own units: the two classes as points at y = 0
    and y = 1, the fitted sigmoid p(x) = σ(w x + b) at the step (from the frame), the compared runs'
    sigmoids, the decision boundary x = −b/w where p = 0.5 (a vertical line, "boundary"), and the
    true sigmoid of synthetic classes (``true_curve`` (w, b), dashed)."""
    line = runs[0]
    x_label, y_label = plotly_text(x_label), plotly_text(y_label)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    curve_x = np.asarray(curve_x, dtype=np.float64)
    traces = [dict(type="scatter", x=x, y=y, uid="data", name="data (class 0 or 1)", mode="markers",
                   marker=dict(size=11, color=DATA, opacity=0.8, line=dict(color="#333", width=1)),
                   hovertemplate=f"{x_label} = %{{x:.4g}}<br>{y_label} = %{{y:.0f}}<extra></extra>")]
    if true_curve is not None:
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(-(true_curve[0] * curve_x + true_curve[1])))
        traces.append(dict(type="scatter", x=curve_x, y=p, uid="truth", mode="lines", hoverinfo="skip",
                           name=f"true p(x) = σ({true_curve[0]:.3g}·x {'+' if true_curve[1] >= 0 else '−'} "
                                f"{abs(true_curve[1]):.3g})", line=dict(color=TRUTH, width=2, dash="dash")))
    traces.append(dict(type="scatter", x=[float(curve_x[0]), float(curve_x[-1])], y=[0.5, 0.5], uid="half",
                       mode="lines", name="p = 0.5", showlegend=False, hoverinfo="skip",
                       line=dict(color=TRUTH, width=1, dash="dot")))
    for i, other in enumerate(runs[1:], start=1):
        traces.append(_moves(moving, f"other-fit-{i}", type="scatter", x=curve_x, name=other.label, mode="lines",
                             line=dict(color=other.colour, width=3), hoverinfo="skip"))
    traces.append(_moves(moving, "boundary", type="scatter", y=[-0.08, 1.08], mode="lines",
                         name="decision boundary x = −b/w (p = 0.5)", line=dict(color=UPDATE, width=3, dash="dash"),
                         hoverinfo="skip"))
    traces.append(_moves(moving, "fit", type="scatter", x=curve_x, mode="lines", line=dict(color=line.colour, width=4),
                         hovertemplate=f"{x_label} = %{{x:.4g}}<br>p = %{{y:.3f}}<extra></extra>"))
    return _figure(traces, "The two classes and p(x) = σ(w x + b) at this step", legend=LEGEND_BELOW,
                   xaxis=dict(title=x_label, range=[float(curve_x[0]), float(curve_x[-1])]),
                   yaxis=dict(title=f"{y_label} · p(x)", range=[-0.12, 1.12], tickvals=[0, 0.25, 0.5, 0.75, 1]))


def probability_figure(y, moving: dict, *, y_label: str = "y") -> go.Figure:
    """Logistic regression with several features: each row's predicted probability p = σ(XW + b) at
    the step against its class (spread a little sideways, the same spread at every step), p = 0.5
    dotted: a good fit puts class 0 low and class 1 high."""
    y = np.asarray(y, dtype=np.float64)
    spread = (np.random.default_rng(0).uniform(-0.15, 0.15, size=len(y)))
    traces = [dict(type="scatter", x=[-0.5, 1.5], y=[0.5, 0.5], uid="half", mode="lines", name="p = 0.5",
                   hoverinfo="skip", line=dict(color=TRUTH, width=2, dash="dot")),
              _moves(moving, "predicted", type="scatter", x=y + spread, mode="markers",
                     marker=dict(size=9, color=DATA, line=dict(color="#333", width=1)),
                     hovertemplate="class %{x:.0f}<br>p = %{y:.3f}<extra></extra>")]
    return _figure(traces, "Predicted probability against the class, at this step", legend=LEGEND_BELOW,
                   xaxis=dict(title=f"actual {plotly_text(y_label)} (class)", tickvals=[0, 1], range=[-0.5, 1.5]),
                   yaxis=dict(title="predicted p = σ(XW + b)", range=[-0.05, 1.05]))


def progress_figure(distances, runs, moving: dict, *, minima: bool = True) -> go.Figure:
    """A test surface has no data: in the data view's place, each run's distance to the nearest known
    minimum (the saddle point when there is none) against the step, log scale, the step marked."""
    traces = []
    for i, (distance, run) in enumerate(zip(distances, runs)):
        n = run.shown
        traces.append(dict(type="scatter", x=np.arange(n), y=np.maximum(np.asarray(distance)[:n], 1e-16),
                           uid="progress" if i == 0 else f"other-progress-line-{i}", name=run.label, mode="lines",
                           line=dict(color=run.colour, width=3), hovertemplate="step %{x}<br>distance %{y:.4g}<extra></extra>"))
        traces.append(_moves(moving, "progress-now" if i == 0 else f"other-progress-{i}", type="scatter", mode="markers",
                             showlegend=False, hoverinfo="skip",
                             marker=dict(size=14 if i == 0 else 11, color=run.colour, line=dict(color="black", width=2))))
    what = "the nearest known minimum" if minima else "the saddle point"
    return _figure(traces, f"Distance to {what} at each step", xaxis=dict(title="step"),
                   yaxis=dict(title="distance (log)", type="log", exponentformat="power"), legend=LEGEND_BELOW,
                   showlegend=len(runs) > 1)


OFF_CHART = 10.0  # a final loss above this many times the starting loss is drawn at the top edge


def sweep_figure(result, curvature=None) -> go.Figure:
    """Final loss against learning rate (log–log) for a Sweep: lr_best and lr_max marked (plain
    gradient descent's limits: for another optimizer they are labelled so), steps to the tolerance
    on a second axis. Diverged rates, and rates whose final loss grew past OFF_CHART x the start, are
    drawn as crosses along the top edge (an axis of their own), so they never stretch the log axis
    and flatten the rates that converged."""
    lrs = result.learning_rates
    final = np.asarray(result.final_loss, dtype=np.float64)
    # Every rate starts at the same loss and a diverging one never goes below it: the largest least
    # loss along the way is the starting loss (or just under it).
    finite = np.isfinite(result.min_loss)
    start = float(np.max(result.min_loss[finite])) if finite.any() else 1.0
    limit = OFF_CHART * max(start, 1e-300)
    off = result.diverged | ~np.isfinite(final) | (final > limit)
    fine = ~off
    # A test surface's minimum is L = 0 exactly, which a log axis cannot show: such rates sit at its floor.
    floor = 1e-16 * max(start, 1e-300)
    final = np.where(fine & (final < floor), floor, final)
    traces = []
    traces.append(dict(type="scatter", x=lrs[fine], y=final[fine], uid="final-loss", name="final loss",
                       mode="lines+markers", line=dict(color=PATH, width=3), marker=dict(size=7),
                       hovertemplate="α = %{x:.4g}<br>final loss = %{y:.5g}<extra></extra>"))
    if off.any():
        diverged_at = np.asarray(result.diverged_at)[off]
        text = [f"diverged at step {int(at)}" if at >= 0 else f"final loss {value:.3g} (off the chart)"
                for at, value in zip(diverged_at, final[off])]
        traces.append(dict(type="scatter", x=lrs[off], y=np.full(int(off.sum()), 0.965), yaxis="y3", uid="diverged",
                           name="diverged", mode="markers", text=text, cliponaxis=False,
                           marker=dict(symbol="x", size=13, color="#A33200", line=dict(width=2)),
                           hovertemplate="α = %{x:.4g}<br>%{text}<extra></extra>"))
    if result.settings.get("tol") is not None:
        reached = result.converged_at >= 0
        traces.append(dict(type="scatter", x=lrs[reached], y=result.converged_at[reached], uid="steps-to-tolerance",
                           name=f"steps to |∇L| < {result.settings['tol']:g}", yaxis="y2", mode="lines+markers",
                           line=dict(color=GRADIENT, width=2, dash="dot"), marker=dict(size=6),
                           hovertemplate="α = %{x:.4g}<br>%{y} steps<extra></extra>"))
    optimizer = result.settings.get("optimizer", "gd")
    marks = []
    if curvature is not None:
        whose = "" if optimizer == "gd" else " (plain GD)"
        # α_max/α_best = (λmin + λmax)/λmax: close to 1 in a long thin valley; the labels then sit on
        # either side of their lines, one row apart
        marks += [(float(curvature.lr_best), f"α_best = 2/(λmin+λmax){whose}", UPDATE_TEXT),
                  (float(curvature.lr_max), f"α_max = 2/λmax{whose}", "#A33200")]
    shapes, notes = [], []
    for i, (x, text, colour) in enumerate(marks):
        shape, note = _rate_mark(x, text, colour, i)
        shapes.append(shape)
        notes.append(note)
    title = f"Loss after {result.settings.get('steps')} steps, for each learning rate"
    if optimizer != "gd" and curvature is not None:
        notes.append(dict(xref="paper", yref="paper", x=0.0, y=1.0, xanchor="left", yanchor="bottom", showarrow=False,
                          text="α_best and α_max are plain gradient descent's limits; "
                               f"{LABELS.get(optimizer, plotly_text(optimizer))} has limits of its own",
                          font=dict(size=13, color="#555555")))
    yaxis = dict(title="final loss", type="log")
    if fine.any():  # room above the highest converged rate for the crosses along the top edge
        low, high = np.log10(float(final[fine].min())), np.log10(float(final[fine].max()))
        span = high - low + 0.6
        yaxis["range"] = [low - 0.3, high + 0.3 + 0.15 * span]
        if span < 3:  # a short log axis: labels at 1, 2 and 5 of each decade, not every digit
            yaxis["dtick"] = "D2"
    return _figure(traces, title, shapes=shapes, annotations=notes,
                   xaxis=dict(title="learning rate α", type="log"), yaxis=yaxis,
                   yaxis2=dict(title="steps to tolerance", overlaying="y", side="right", showgrid=False,
                               rangemode="tozero", nticks=6, automargin=True),
                   yaxis3=dict(overlaying="y", range=[0, 1], visible=False, fixedrange=True),
                   margin=dict(t=80), legend=LEGEND_BELOW)


def _rate_mark(x: float, text: str, colour: str, i: int) -> tuple[dict, dict]:
    """A dashed vertical line at learning rate ``x`` and its label, the ``i``-th mark of the sweep:
    each mark its own row, and alternate sides of the line, so close rates keep their labels apart."""
    shape = dict(type="line", x0=x, x1=x, xref="x", yref="paper", y0=0, y1=1, line=dict(color=colour, width=2, dash="dash"))
    note = dict(x=float(np.log10(x)), xref="x", yref="paper", y=0.86 - 0.09 * i, text=f" {text} ", showarrow=False,
                xanchor="right" if i % 2 == 0 else "left", font=dict(color=colour, size=15),
                bgcolor="rgba(255,255,255,0.85)")
    return shape, note


def mark_learning_rate(sweep: dict, lr: float) -> dict:
    """A copy of a sweep figure (as a plain dict) with the current run's learning rate marked.

    Kept apart from sweep_figure so the sweep, which does not depend on the current rate, is
    computed once per data set and start and only this mark follows the learning-rate slider.
    """
    layout = dict(sweep.get("layout", {}))
    shape, note = _rate_mark(lr, "this run", "#555555", 2)
    layout["shapes"] = [*layout.get("shapes", ()), shape]
    layout["annotations"] = [*layout.get("annotations", ()), note]
    return {**sweep, "layout": layout}
