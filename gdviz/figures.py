"""Plotly figures of a run: pure functions of (data, timeline, grid) that return go.Figure.

Nothing here computes the maths: loss, gradients and the optimum arrive from the core. The figures
show step k of a run; the traces that move with k carry a ``uid`` (path, gradients, current ...)
so the browser can replace just those when the step changes (gdviz/web does that).
Many arrows are one trace with None between segments, as in plotly's quiver factory.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

# Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
PATH = "#D55E00"  # vermillion
GRADIENT = "#0072B2"  # blue
UPDATE = "#009E73"  # green
OPTIMUM = "#F0E442"  # yellow
TRUTH = "#999999"
DATA = "#56B4E9"  # sky blue
BATCH = "#CC79A7"  # reddish purple: the mini-batch gradient
RUN_COLOURS = ("#D55E00", "#000000", "#CC79A7", "#E69F00")  # compared runs: vermillion, black, purple, orange
FONT = dict(size=16, family="Inter, 'Segoe UI', Helvetica, Arial, sans-serif")
ARROW_FRACTION = 0.12  # the longest gradient arrow spans this fraction of the view (it fits in view_box's pad)

HOVER = ("step %{customdata[0]}<br>w = %{customdata[1]:.5g}<br>b = %{customdata[2]:.5g}"
         "<br>loss = %{customdata[3]:.5g}<br>∂L/∂w = %{customdata[4]:.4g}<br>∂L/∂b = %{customdata[5]:.4g}"
         "<extra></extra>")


@dataclass(frozen=True)
class Timeline:
    """What the views need at every step of a run, for the weight shown (``feature``).

    w, b, loss, grad_w, grad_b: shape (k+1,); tip_w, tip_b: where each drawn gradient arrow ends
    (the gradient scaled by ``arrow_scale`` to fit the view). ``shown`` leading rows are in view.
    """

    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    grad_w: np.ndarray
    grad_b: np.ndarray
    tip_w: np.ndarray
    tip_b: np.ndarray
    arrow_scale: float
    shown: int
    used_tip_w: np.ndarray | None = None  # mini-batch runs: where the arrow of the gradient used ends
    used_tip_b: np.ndarray | None = None
    label: str = "path"
    colour: str = PATH

    @property
    def last(self) -> int:
        return len(self.loss) - 1

    def hover(self, upto: int) -> np.ndarray:
        """Rows (step, w, b, loss, ∂L/∂w, ∂L/∂b) for steps 0..upto, the hover readout."""
        steps = np.arange(upto + 1)
        return np.column_stack([steps, self.w[:upto + 1], self.b[:upto + 1], self.loss[:upto + 1],
                                self.grad_w[:upto + 1], self.grad_b[:upto + 1]])


def plotly_text(name) -> str:
    """A name from a file or a link as plain text in a figure: Plotly reads a small HTML subset in
    titles, legends and hover labels, and %{...} in hover templates. Entities show the characters
    themselves (Plotly decodes &lt; &gt; &amp; and &#37;), so nothing in a name is markup or a template.

    >>> plotly_text("<a href=x>%{y}_rate & co</a>")
    '&lt;a href=x&gt;&#37;{y}_rate &amp; co&lt;/a&gt;'
    """
    return (str(name).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("%", "&#37;"))


def timeline(trajectory, box, *, feature: int = 0, shown: int | None = None, label: str = "path",
             colour: str = PATH, arrow_scale: float | None = None) -> Timeline:
    """The per-step display arrays of ``trajectory`` in the view ``box`` = (w_lo, w_hi, b_lo, b_hi).

    Gradient arrows are scaled so the longest in view spans ARROW_FRACTION of the view (or by
    ``arrow_scale`` when given); for a mini-batch run the gradient each update used gets arrows too.
    """
    w = trajectory.w[:, feature]
    grad_w = trajectory.grad_w[:, feature]
    shown = len(w) if shown is None else shown
    span_w, span_b = box[1] - box[0], box[3] - box[2]
    # Arrow length in view units (fractions of each axis), so the scale suits both axes.
    length = np.hypot(grad_w[:shown] / span_w, trajectory.grad_b[:shown] / span_b)
    longest = float(length.max()) if length.size else 0.0
    scale = arrow_scale if arrow_scale is not None else (ARROW_FRACTION / longest if longest > 0 else 0.0)
    used_w = used_b = None
    if trajectory.settings.get("batch_size"):
        used_w = w[:-1] + scale * trajectory.used_grad_w[:, feature]
        used_b = trajectory.b[:-1] + scale * trajectory.used_grad_b
    return Timeline(w, trajectory.b, trajectory.loss, grad_w, trajectory.grad_b,
                    w + scale * grad_w, trajectory.b + scale * trajectory.grad_b, scale, shown,
                    used_w, used_b, label, colour)


def segments(x0, y0, x1, y1, z0=None, z1=None):
    """Arrays for many line segments in one trace: x0→x1, y0→y1 (z0→z1), separated by None."""
    n = len(x0)
    out = []
    for start, end in ((x0, x1), (y0, y1)) + (((z0, z1),) if z0 is not None else ()):
        values = np.empty(3 * n, dtype=object)
        values[0::3], values[1::3], values[2::3] = start, end, None
        out.append(values)
    return out


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
    return go.Figure(data=traces, layout=_merge(layout, extra))


def surface_figure(w_values, b_values, z, line: Timeline, optimum: tuple[float, float, float], *,
                   step: int, w_label: str = "w", others: tuple[Timeline, ...] = ()) -> go.Figure:
    """The 3-D loss surface L(w, b), the path up to ``step`` on it, the gradient ∇L at every step
    (horizontal arrows in the (w, b) plane at the point's height), and the current step's ∇L and
    update emphasised. ``optimum`` is (w*, b*, L*); ``others`` are compared runs (path and point)."""
    k = min(step, line.shown - 1)
    w_label = plotly_text(w_label)
    top, lift = surface_height(z, line, others)
    traces = []
    traces.append(dict(type="surface", x=w_values, y=b_values, z=z, uid="surface", name="loss surface",
                             colorscale="Viridis", opacity=0.88, showscale=False, cmin=float(np.min(z)), cmax=top,
                             contours=dict(z=dict(show=True, usecolormap=True, project=dict(z=True), width=2)),
                             hovertemplate="w = %{x:.4g}<br>b = %{y:.4g}<br>L = %{z:.4g}<extra>surface</extra>"))
    traces.append(dict(type="scatter3d", x=[optimum[0]], y=[optimum[1]], z=[optimum[2] + lift], uid="optimum",
                               name="optimum (least squares)", mode="markers",
                               marker=dict(size=9, color=OPTIMUM, symbol="diamond", line=dict(color="black", width=2)),
                               hovertemplate="optimum<br>w* = %{x:.5g}<br>b* = %{y:.5g}<br>L* = %{z:.5g}<extra></extra>"))
    gx, gy, gz = segments(line.w[:k + 1], line.b[:k + 1], line.tip_w[:k + 1], line.tip_b[:k + 1],
                          line.loss[:k + 1] + lift, line.loss[:k + 1] + lift)
    traces.append(dict(type="scatter3d", x=gx, y=gy, z=gz, uid="gradients", name=f"gradient ∇L (×{line.arrow_scale:.3g})",
                               mode="lines", line=dict(color=GRADIENT, width=3), hoverinfo="skip"))
    if line.used_tip_w is not None:
        j = min(k, len(line.used_tip_w))
        ux, uy, uz = segments(line.w[:j], line.b[:j], line.used_tip_w[:j], line.used_tip_b[:j],
                              line.loss[:j] + lift, line.loss[:j] + lift)
        traces.append(dict(type="scatter3d", x=ux, y=uy, z=uz, uid="batch gradients", name="mini-batch gradient used",
                                   mode="lines", line=dict(color=BATCH, width=3), hoverinfo="skip"))
    path = line.hover(k)
    traces.append(dict(type="scatter3d", x=path[:, 1], y=path[:, 2], z=path[:, 3] + lift, uid="path", name=line.label,
                               mode="lines+markers", line=dict(color=line.colour, width=6),
                               marker=dict(size=3.5, color=line.colour), customdata=path, hovertemplate=HOVER))
    current = _current_arrows(line, k)
    traces.append(dict(type="scatter3d", x=current["grad"][0], y=current["grad"][1], z=[line.loss[k] + lift] * 2,
                               uid="current gradient", name="∇L at this step", mode="lines",
                               line=dict(color=GRADIENT, width=10), hoverinfo="skip"))
    traces.append(dict(type="scatter3d", x=current["update"][0], y=current["update"][1],
                               z=[line.loss[k] + lift, line.loss[min(k + 1, line.shown - 1)] + lift],
                               uid="current update", name="update Δθ (−α∇L for gd)", mode="lines",
                               line=dict(color=UPDATE, width=10), hoverinfo="skip"))
    traces.append(dict(type="scatter3d", x=[line.w[k]], y=[line.b[k]], z=[line.loss[k] + lift], uid="current point",
                               name=f"step {k}", mode="markers", showlegend=False,
                               marker=dict(size=8, color=line.colour, line=dict(color="black", width=2)),
                               customdata=path[k:k + 1], hovertemplate=HOVER))
    for i, other in enumerate(others, start=1):
        j = min(step, other.shown - 1)
        rows = other.hover(j)
        traces.append(dict(type="scatter3d", x=rows[:, 1], y=rows[:, 2], z=rows[:, 3] + lift, uid=f"other path {i}",
                                   name=other.label, mode="lines+markers", line=dict(color=other.colour, width=6),
                                   marker=dict(size=3, color=other.colour), customdata=rows, hovertemplate=HOVER))
        traces.append(dict(type="scatter3d", x=[other.w[j]], y=[other.b[j]], z=[other.loss[j] + lift], uid=f"other point {i}",
                                   mode="markers", showlegend=False, customdata=rows[j:j + 1], hovertemplate=HOVER,
                                   marker=dict(size=7, color=other.colour, line=dict(color="black", width=2))))
    axis = dict(tickfont=dict(size=13), **SCENE_AXIS_STYLE)
    title = lambda text: dict(text=text, font=dict(size=18))  # noqa: E731
    return _figure(traces, "Loss surface L(w, b) and the path",
                   scene=dict(xaxis=dict(title=title(w_label), range=[w_values[0], w_values[-1]], **axis),
                              yaxis=dict(title=title("b"), range=[b_values[0], b_values[-1]], **axis),
                              zaxis=dict(title=title("loss"), range=[0, top], **axis),
                              aspectmode="cube", camera=dict(eye=dict(x=-1.2, y=-1.3, z=0.85)),
                              domain=dict(x=[0, 1], y=[0.08, 1])),
                   legend=dict(orientation="h", x=0.0, y=0.0, yanchor="bottom", font=dict(size=15)))


def surface_height(z, line: Timeline, others: tuple[Timeline, ...] = ()) -> tuple[float, float]:
    """(top of the z axis, lift of the path above the surface).

    The corners of a wide box can sit far above the path: the height is capped at 3x the path's
    highest point so the valley stays readable (a diverging run would flatten it otherwise).
    """
    highest = max(float(run.loss[:run.shown].max()) for run in (line, *others))
    top = min(float(np.max(z)), 3.0 * highest) * 1.02
    return top, 0.004 * (top - float(np.min(z)))


def _current_arrows(line: Timeline, k: int) -> dict:
    nxt = min(k + 1, line.shown - 1)  # a diverging run's next point may fly off the view
    return {"grad": ([line.w[k], line.tip_w[k]], [line.b[k], line.tip_b[k]]),
            "update": ([line.w[k], line.w[nxt]], [line.b[k], line.b[nxt]])}


def contour_figure(w_values, b_values, z, line: Timeline, optimum: tuple[float, float, float], *,
                   step: int, equal_scales: bool = False, w_label: str = "w",
                   others: tuple[Timeline, ...] = ()) -> go.Figure:
    """The loss from above as contours, with the path, the gradient arrows (one trace) and the
    current step's ∇L and update drawn as arrows. Click anywhere to start a run from there."""
    k = min(step, line.shown - 1)
    w_label = plotly_text(w_label)
    traces = []
    log_z = np.log10(np.asarray(z) + 1e-300)
    low, high = float(log_z.min()), float(log_z.max())
    traces.append(dict(type="contour", x=w_values, y=b_values, z=log_z, uid="contours",
                             name="log₁₀ loss", colorscale="Viridis", showscale=False, showlegend=False,
                             contours=dict(coloring="heatmap", showlines=True, start=low, end=high,
                                           size=(high - low) / 18 or 1.0),
                             line=dict(width=1, color="rgba(255,255,255,0.5)"),
                             customdata=np.asarray(z),
                             hovertemplate="w = %{x:.4g}<br>b = %{y:.4g}<br>L = %{customdata:.4g}"
                                           "<br>click: start here<extra></extra>"))
    traces.append(dict(type="scatter", x=[optimum[0]], y=[optimum[1]], uid="optimum", name="optimum", mode="markers",
                             marker=dict(size=18, color=OPTIMUM, symbol="star", line=dict(color="black", width=1.5)),
                             hovertemplate="optimum<br>w* = %{x:.5g}<br>b* = %{y:.5g}<extra></extra>"))
    gx, gy = segments(line.w[:k + 1], line.b[:k + 1], line.tip_w[:k + 1], line.tip_b[:k + 1])
    traces.append(dict(type="scatter", x=gx, y=gy, uid="gradients", name="gradient ∇L", mode="lines",
                             line=dict(color=GRADIENT, width=2), hoverinfo="skip"))
    if line.used_tip_w is not None:
        j = min(k, len(line.used_tip_w))
        ux, uy = segments(line.w[:j], line.b[:j], line.used_tip_w[:j], line.used_tip_b[:j])
        traces.append(dict(type="scatter", x=ux, y=uy, uid="batch gradients", name="mini-batch gradient used",
                                 mode="lines", line=dict(color=BATCH, width=2), hoverinfo="skip"))
    for i, other in enumerate(others, start=1):
        j = min(step, other.shown - 1)
        rows = other.hover(j)
        traces.append(dict(type="scatter", x=rows[:, 1], y=rows[:, 2], uid=f"other path {i}", name=other.label,
                                 mode="lines+markers", line=dict(color=other.colour, width=3),
                                 marker=dict(size=5, color=other.colour), customdata=rows, hovertemplate=HOVER))
        traces.append(dict(type="scatter", x=[other.w[j]], y=[other.b[j]], uid=f"other point {i}", mode="markers",
                                 showlegend=False, customdata=rows[j:j + 1], hovertemplate=HOVER,
                                 marker=dict(size=12, color=other.colour, line=dict(color="black", width=2))))
    path = line.hover(k)
    traces.append(dict(type="scatter", x=path[:, 1], y=path[:, 2], uid="path", name=line.label, mode="lines+markers",
                             line=dict(color=line.colour, width=3), marker=dict(size=6, color=line.colour),
                             customdata=path, hovertemplate=HOVER))
    traces.append(dict(type="scatter", x=[line.w[k]], y=[line.b[k]], uid="current point", name=f"step {k}",
                             mode="markers", showlegend=False, customdata=path[k:k + 1], hovertemplate=HOVER,
                             marker=dict(size=14, color=line.colour, line=dict(color="black", width=2))))
    current = _current_arrows(line, k)
    yaxis = dict(title="b", range=[b_values[0], b_values[-1]], constrain="domain")
    if equal_scales:
        yaxis.update(scaleanchor="x", scaleratio=1)
    return _figure(traces, "Contours · click to start there",
                   xaxis=dict(title=w_label, range=[w_values[0], w_values[-1]], constrain="domain"),
                   yaxis=yaxis, legend=dict(orientation="h", y=-0.14, x=0), clickmode="event",
                   annotations=arrow_annotations(current))


def arrow_annotations(current: dict) -> list[dict]:
    """Arrow-headed annotations for the current step: ∇L (blue) and the update (green)."""
    arrows = []
    for key, colour in (("grad", GRADIENT), ("update", UPDATE)):
        (x0, x1), (y0, y1) = current[key]
        if x0 == x1 and y0 == y1:
            continue
        arrows.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=2, arrowsize=1.3, arrowwidth=4, arrowcolor=colour))
    return arrows


def line_in_data_units(w, b, scaling=None):
    """Slope and intercept of ŷ = w x' + b drawn against the original x, where x' = (x − μ)/σ
    when the feature was standardised (``scaling`` = (μ, σ)): slope w/σ, intercept b − wμ/σ."""
    if scaling is None:
        return w, b
    mean, std = scaling
    return w / std, b - w * mean / std


def data_figure(x, y, line: Timeline, *, step: int, true_line: tuple[float, float] | None = None,
                x_label: str = "x", y_label: str = "y", others: tuple[Timeline, ...] = (),
                scaling: tuple[float, float] | None = None, predicted=None, mode: str = "feature") -> go.Figure:
    """The data and the model at ``step``, in the data's own units.

    mode "feature": the feature against the target. With one feature, the fitted line
    ŷ = w x + b (undoing a standardisation, see line_in_data_units), its residuals and the true line;
    with several, ``predicted`` (ŷ of each row at this step) drawn as open circles with residuals.
    mode "actual": predicted against actual, with the diagonal ŷ = y where a perfect fit would sit.
    """
    k = min(step, line.last)
    x_label, y_label = plotly_text(x_label), plotly_text(y_label)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ends = np.array([x.min(), x.max()])
    slope, intercept = line_in_data_units(line.w[k], line.b[k], scaling)
    if predicted is None:
        predicted = slope * x + intercept
    predicted = np.asarray(predicted, dtype=np.float64)
    along = y if mode == "actual" else x
    traces = []
    rx, ry = segments(along, y if mode != "actual" else along, along, predicted)
    traces.append(dict(type="scatter", x=rx, y=ry, uid="residuals", name="residuals ŷ − y", mode="lines",
                             line=dict(color=line.colour, width=1.5, dash="dot"), hoverinfo="skip"))
    if mode == "actual":
        low, high = float(min(y.min(), predicted.min())), float(max(y.max(), predicted.max()))
        traces.append(dict(type="scatter", x=[low, high], y=[low, high], uid="diagonal", name="perfect fit ŷ = y",
                                 mode="lines", line=dict(color=TRUTH, width=2, dash="dash"), hoverinfo="skip"))
        traces.append(dict(type="scatter", x=y, y=predicted, uid="predicted", name=f"ŷ at step {k}", mode="markers",
                                 marker=dict(size=9, color=DATA, line=dict(color="#333", width=1)),
                                 hovertemplate=f"{y_label} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>"))
        return _figure(traces, "Predicted against actual at this step", xaxis=dict(title=f"actual {y_label}"),
                       yaxis=dict(title=f"predicted ŷ"), legend=dict(orientation="h", y=-0.18, x=0))
    traces.append(dict(type="scatter", x=x, y=y, uid="data", name="data", mode="markers",
                             marker=dict(size=9, color=DATA, line=dict(color="#333", width=1)),
                             hovertemplate=f"{x_label} = %{{x:.4g}}<br>{y_label} = %{{y:.4g}}<extra></extra>"))
    if true_line is not None:
        traces.append(dict(type="scatter", x=ends, y=true_line[0] * ends + true_line[1], uid="truth",
                                 name=f"true line ({true_line[0]:.3g}·x {'+' if true_line[1] >= 0 else '−'} "
                                      f"{abs(true_line[1]):.3g})", mode="lines",
                                 line=dict(color=TRUTH, width=2, dash="dash"), hoverinfo="skip"))
    if mode == "several":
        traces.append(dict(type="scatter", x=x, y=predicted, uid="predicted", name=f"ŷ at step {k}", mode="markers",
                                 marker=dict(size=9, color="rgba(0,0,0,0)", line=dict(color=line.colour, width=2)),
                                 hovertemplate=f"{x_label} = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra></extra>"))
    else:
        for i, other in enumerate(others, start=1):
            j = min(step, other.last)
            other_slope, other_intercept = line_in_data_units(other.w[j], other.b[j], scaling)
            traces.append(dict(type="scatter", x=ends, y=other_slope * ends + other_intercept, uid=f"other fit {i}",
                                     name=other.label, mode="lines", line=dict(color=other.colour, width=3),
                                     hoverinfo="skip"))
        traces.append(dict(type="scatter", x=ends, y=slope * ends + intercept, uid="fit", name=f"ŷ = w x + b at step {k}",
                                 mode="lines", line=dict(color=line.colour, width=4), hoverinfo="skip"))
    span = float(y.max() - y.min()) or 1.0
    title = "Data and the line at this step" if mode != "several" else f"{y_label} against {x_label}, ŷ at this step"
    return _figure(traces, title, xaxis=dict(title=x_label), legend=dict(orientation="h", y=-0.18, x=0),
                   yaxis=dict(title=y_label, range=[y.min() - 0.25 * span, y.max() + 0.25 * span]))


def loss_figure(line: Timeline, *, step: int, log_y: bool = False,
                others: tuple[Timeline, ...] = ()) -> go.Figure:
    """Loss against step, the current step marked; hover shows step, w, b, loss and gradient."""
    traces = []
    for i, run in enumerate((line, *others)):
        k = min(step, run.last)
        rows = run.hover(run.last)
        suffix = "" if i == 0 else f" {i}"
        traces.append(dict(type="scatter", x=np.arange(run.last + 1), y=run.loss, uid=("loss" if i == 0 else f"other loss {i}"),
                                 name=run.label, mode="lines+markers", line=dict(color=run.colour, width=3),
                                 marker=dict(size=4), customdata=rows, hovertemplate=HOVER))
        traces.append(dict(type="scatter", x=[k], y=[run.loss[k]], uid=("current point" if i == 0 else f"other point{suffix}"),
                                 mode="markers", showlegend=False, customdata=rows[k:k + 1], hovertemplate=HOVER,
                                 marker=dict(size=16 if i == 0 else 12, color=run.colour,
                                             line=dict(color="black", width=2))))
    highest = max(float(run.loss[:run.shown].max()) for run in (line, *others))
    yaxis = dict(title="loss L (MSE)", type="log" if log_y else "linear")
    if not log_y:
        yaxis["range"] = [0, highest * 1.05 or 1.0]
    return _figure(traces, "Loss at each step", xaxis=dict(title="step"), yaxis=yaxis, showlegend=bool(others),
                   legend=dict(orientation="h", y=-0.18, x=0))


def sweep_figure(result, curvature=None) -> go.Figure:
    """Final loss against learning rate (log–log) for a Sweep: lr_best and lr_max marked,
    diverged runs shown as crosses along the top, steps to the tolerance on a second axis."""
    lrs = result.learning_rates
    fine = ~result.diverged
    traces = []
    traces.append(dict(type="scatter", x=lrs[fine], y=result.final_loss[fine], uid="final loss", name="final loss",
                             mode="lines+markers", line=dict(color=PATH, width=3), marker=dict(size=7),
                             hovertemplate="α = %{x:.4g}<br>final loss = %{y:.5g}<extra></extra>"))
    if result.diverged.any():
        top = float(result.final_loss[fine].max()) * 3 if fine.any() else 1.0
        traces.append(dict(type="scatter", x=lrs[~fine], y=np.full(int((~fine).sum()), top), uid="diverged",
                                 name="diverged", mode="markers",
                                 marker=dict(symbol="x", size=13, color="#A33200", line=dict(width=2)),
                                 customdata=result.diverged_at[~fine],
                                 hovertemplate="α = %{x:.4g}<br>diverged at step %{customdata}<extra></extra>"))
    if result.settings.get("tol") is not None:
        reached = result.converged_at >= 0
        traces.append(dict(type="scatter", x=lrs[reached], y=result.converged_at[reached], uid="steps to tolerance",
                                 name=f"steps to |∇L| < {result.settings['tol']:g}", yaxis="y2", mode="lines+markers",
                                 line=dict(color=GRADIENT, width=2, dash="dot"), marker=dict(size=6),
                                 hovertemplate="α = %{x:.4g}<br>%{y} steps<extra></extra>"))
    marks = []
    if curvature is not None:
        marks += [(curvature.lr_best, "α_best = 2/(λmin+λmax)", UPDATE), (curvature.lr_max, "α_max = 2/λmax", "#A33200")]
    shapes, notes = [], []
    for i, (x, text, colour) in enumerate(marks):
        shape, note = _rate_mark(x, text, colour, i)
        shapes.append(shape)
        notes.append(note)
    return _figure(traces, f"Loss after {result.settings.get('steps')} steps, for each learning rate",
                   shapes=shapes, annotations=notes,
                   xaxis=dict(title="learning rate α", type="log"), yaxis=dict(title="final loss", type="log"),
                   yaxis2=dict(title="steps to tolerance", overlaying="y", side="right", showgrid=False),
                   legend=dict(orientation="h", y=-0.2, x=0))


def _rate_mark(x: float, text: str, colour: str, i: int) -> tuple[dict, dict]:
    """A dashed vertical line at learning rate ``x`` and its label, the ``i``-th mark of the sweep."""
    shape = dict(type="line", x0=x, x1=x, xref="x", yref="paper", y0=0, y1=1, line=dict(color=colour, width=2, dash="dash"))
    # α_best and α_max sit close together: one label to the left of its line, the next to the right
    note = dict(x=float(np.log10(x)), xref="x", yref="paper", y=1.0 - 0.09 * i, text=f" {text} ", showarrow=False,
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
