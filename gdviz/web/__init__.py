"""The lecture views in the browser: the Python that feeds gdviz/web/frontend/index.html.

The page's heavy figures are sent once per run; stepping and playing happen in the browser (the
frontend replaces only the traces that move with the step), so they never rerun the script and the
3-D camera stays where the lecturer turned it. plotly.js is served as a static file of the
component, loaded once per page, never inlined in a rerun.
"""
from __future__ import annotations

import base64
import html
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import plotly
import plotly.io

from .. import figures, model, optimizers, surface

FRONTEND = Path(__file__).parent / "frontend"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
UPDATE_RULES = {
    "gd": "θ ← θ − α ∇L",
    "momentum": "v ← μ v + ∇L;  θ ← θ − α v",
    "nesterov": "v ← μ v + ∇L;  θ ← θ − α (∇L + μ v)",
    "adagrad": "s ← s + (∇L)²;  θ ← θ − α ∇L / (√s + ε)",
    "rmsprop": "s ← a s + (1 − a)(∇L)²;  θ ← θ − α ∇L / (√s + ε)",
    "adam": "m ← β₁m + (1−β₁)∇L;  v ← β₂v + (1−β₂)(∇L)²;  θ ← θ − α m̂ / (√v̂ + ε)",
}


def component_dir() -> str:
    """A folder holding the frontend and plotly.js side by side, for Streamlit to serve.

    plotly.js comes from the installed plotly package (so it always matches it); the folder's name
    carries a hash of both files, so a changed frontend never meets a stale copy.
    """
    index = (FRONTEND / "index.html").read_bytes()
    tag = hashlib.sha256(index + plotly.__version__.encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"gdviz-web-{tag}"
    if not (target / "plotly.min.js").exists():
        staging = Path(tempfile.mkdtemp(prefix="gdviz-web-"))
        shutil.copyfile(FRONTEND / "index.html", staging / "index.html")
        shutil.copyfile(PLOTLY_JS, staging / "plotly.min.js")
        try:
            staging.rename(target)
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    return str(target)


def encode(values) -> dict:
    """A float64 array as Plotly's typed-array JSON {dtype, bdata, shape}: compact and exact."""
    array = np.ascontiguousarray(values, dtype=np.float64)
    return {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii"),
            "shape": list(array.shape)}


def decode(spec: dict) -> np.ndarray:
    """The inverse of encode (also reads Plotly's own typed arrays)."""
    array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    return array.reshape(spec["shape"]) if "shape" in spec else array


MAX_SHOWN_ROWS = 2000  # the data view draws at most this many rows (a fixed random subset)


def display_rows(m: int) -> np.ndarray:
    """Which rows the data view draws: all of them, or a fixed random subset of MAX_SHOWN_ROWS."""
    if m <= MAX_SHOWN_ROWS:
        return np.arange(m)
    return np.sort(np.random.default_rng(0).choice(m, MAX_SHOWN_ROWS, replace=False))


def lecture_spec(data, trajectory, *, feature: int = 0, step: int | None = None, log_loss: bool = False,
                 equal_scales: bool = False, grid: int = 61, label: str | None = None,
                 others: tuple = (), original=None, data_view: str = "feature", sweep=None) -> dict:
    """Everything the browser needs to show ``trajectory`` on ``data``, as JSON-ready values.

    ``figures`` holds the four Plotly figures at ``step`` (default: the last) as JSON strings;
    ``timeline`` the per-step arrays the frontend slices when the step changes; ``run`` the
    settings and numbers for the maths panel. ``others`` are (label, trajectory) pairs of runs
    compared on the same surface. When ``data`` was standardised, ``original`` is the data in its
    own units: the data view draws the line there.
    """
    q = model.quadratic(data)
    w_star, b_star = model.optimum(data)
    runs = [trajectory] + [run for _, run in others]
    shown = [surface.readable_steps(run.loss) for run in runs]
    w_points = np.concatenate([run.w[:n, feature] for run, n in zip(runs, shown)] + [w_star[feature:feature + 1]])
    b_points = np.concatenate([run.b[:n] for run, n in zip(runs, shown)] + [[b_star]])
    box = surface.view_box(w_points, b_points)
    w_values = np.linspace(box[0], box[1], grid)
    b_values = np.linspace(box[2], box[3], grid)
    last = max(run.steps for run in runs)
    step = last if step is None else int(np.clip(step, 0, last))
    # Other weights are held at their values at the step shown; the browser redraws the slice as
    # the step moves, from coefficients (model.slice_coefficients) sent below.
    held = trajectory.w[min(step, trajectory.steps)]
    z = surface.loss_surface(data, w_values, b_values, feature=feature, weights=held)
    label = label or optimizers.LABELS.get(trajectory.settings.get("optimizer", "gd"), "path")
    line = figures.timeline(trajectory, box, feature=feature, shown=shown[0], label=label)
    other_lines = tuple(
        figures.timeline(run, box, feature=feature, shown=n, label=name, arrow_scale=line.arrow_scale,
                         colour=figures.RUN_COLOURS[(i + 1) % len(figures.RUN_COLOURS)])
        for i, ((name, run), n) in enumerate(zip(others, shown[1:])))
    optimum_point = (float(w_star[feature]), b_star, float(model.loss(data, w_star, b_star)))
    shown_data = original if original is not None else data
    names = list(getattr(shown_data, "feature_names", None) or [f"x{i + 1}" for i in range(q.d)])
    scaling = None
    if getattr(data, "scaling", None) is not None:
        scaling = (float(data.scaling[0][feature]), float(data.scaling[1][feature]))
    prime = "′" if scaling else ""
    w_label = f"w{prime}" if q.d == 1 else f"w{feature + 1}{prime} (weight of {names[feature]})"
    true_line = None
    if getattr(shown_data, "true_weights", None) is not None and q.d == 1:
        true_line = (float(shown_data.true_weights[0]), float(shown_data.true_bias))
    rows = display_rows(q.m)
    x_shown, y_shown = shown_data.X[rows, feature], shown_data.y[rows]
    X_rows = data.X[rows]  # in the fitted units: ŷ = X W + b is the same number either way
    k = min(step, trajectory.steps)
    mode = "actual" if data_view == "actual" else ("several" if q.d > 1 else "feature")
    predicted = X_rows @ trajectory.w[k] + trajectory.b[k]
    figs = {
        "surface": figures.surface_figure(w_values, b_values, z, line, optimum_point, step=step, w_label=w_label,
                                          others=other_lines),
        "contour": figures.contour_figure(w_values, b_values, z, line, optimum_point, step=step,
                                          equal_scales=equal_scales, w_label=w_label, others=other_lines),
        "data": figures.data_figure(x_shown, y_shown, line, step=step, true_line=true_line,
                                    x_label=names[feature], y_label=getattr(shown_data, "target_name", "y"),
                                    others=other_lines, scaling=scaling, predicted=predicted, mode=mode),
        "loss": figures.loss_figure(line, step=step, log_y=log_loss, others=other_lines),
    }
    r2 = model.r_squared(data, trajectory.loss)
    distance = np.sqrt(((trajectory.w - w_star) ** 2).sum(axis=1) + (trajectory.b - b_star) ** 2)
    timeline = {
        "W": encode(trajectory.w), "b": encode(trajectory.b), "loss": encode(trajectory.loss),
        "grad_W": encode(trajectory.grad_w), "grad_b": encode(trajectory.grad_b),
        "used_grad_W": encode(trajectory.used_grad_w), "used_grad_b": encode(trajectory.used_grad_b),
        "tip_w": encode(line.tip_w), "tip_b": encode(line.tip_b),
        "used_tip_w": None if line.used_tip_w is None else encode(line.used_tip_w),
        "used_tip_b": None if line.used_tip_b is None else encode(line.used_tip_b),
        "rmse": encode(np.sqrt(trajectory.loss)), "distance": encode(distance),
        "r2": None if r2 is None else encode(r2),
        "x": encode(x_shown), "y": encode(y_shown), "X_rows": encode(X_rows),
    }
    if q.d > 1:
        coefficients = model.slice_coefficients(data, trajectory.w, feature)
        slice_ = {key: encode(value) if isinstance(value, np.ndarray) else value
                  for key, value in coefficients.items()}
        slice_.update(w_values=encode(w_values), b_values=encode(b_values))
    else:
        slice_ = None
    compared = [{"label": other.label, "colour": other.colour, "shown": other.shown, "steps": other.last,
                 "w": encode(other.w), "b": encode(other.b), "loss": encode(other.loss),
                 "grad_w": encode(other.grad_w), "grad_b": encode(other.grad_b),
                 "diverged_at": run.diverged_at}
                for other, (_, run) in zip(other_lines, others)]
    settings = trajectory.settings
    run = {
        "optimizer": settings.get("optimizer", "gd"), "label": label,
        "optimizer_label": optimizers.LABELS.get(settings.get("optimizer", "gd"), "gradient descent"),
        "rule": UPDATE_RULES.get(settings.get("optimizer", "gd"), ""),
        "lr": settings.get("lr"), "m": q.m, "d": q.d, "feature": feature, "names": names,
        "steps": trajectory.steps, "last": last, "shown": shown[0], "diverged_at": trajectory.diverged_at,
        "converged_at": trajectory.converged_at, "batch_size": settings.get("batch_size"),
        "optimum": [float(v) for v in w_star] + [b_star], "loss_min": optimum_point[2],
        "lift": figures.surface_height(z, line, other_lines)[1], "arrow_scale": line.arrow_scale,
        "scaling": scaling, "data_view": mode, "slice": slice_,
    }
    if sweep is not None:
        figs["sweep"] = sweep
    # to_json() would drop the traces' uids, which the browser uses to find the moving traces.
    body = {"figures": {name: plotly.io.json.to_json_plotly(fig if isinstance(fig, dict) else fig.to_plotly_json())
                        for name, fig in figs.items()},
            "timeline": timeline, "run": run, "others": compared}
    run_id = hashlib.sha256(json.dumps([body["timeline"], run, compared], sort_keys=True).encode()).hexdigest()[:16]
    return {**body, "step": step, "run_id": run_id}


# Inside a <script> element "</script", "<!--" and "<script" change how the page is parsed; JSON may
# write every <, > and & as a \\u escape, so no text in the data can close or comment out the script.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value) -> str:
    """``value`` as JSON that is safe to place inside an HTML <script> element, whatever its text."""
    return json.dumps(value, allow_nan=False).translate(_SCRIPT_SAFE)


def standalone_html(spec: dict, title: str = "gdviz — gradient descent") -> str:
    """The same views as one self-contained HTML page: plotly.js inlined, the run embedded, no
    server. Opened from a disk or a slide it plays, steps and keeps a turned camera like the app."""
    page = (FRONTEND / "index.html").read_text(encoding="utf-8")
    data = script_json({**spec, "present": False})
    plotly_js = PLOTLY_JS.read_text(encoding="utf-8").replace("</script", "<\\/script")
    page = page.replace('<script src="plotly.min.js"></script>',
                        f"<script>{plotly_js}</script>\n<script>window.GDVIZ_SPEC = {data};</script>", 1)
    return page.replace("<title>gdviz views</title>", f"<title>{html.escape(title)}</title>", 1)


def views_png(spec: dict, *, width: int = 1800) -> bytes:
    """A PNG of the four views at the spec's step, for slides: 3-D surface and contours above,
    data and loss below. Needs kaleido and a Chromium; raises RuntimeError saying so otherwise."""
    import io

    import plotly.graph_objects as go

    try:
        import kaleido  # noqa: F401
        from PIL import Image
    except ImportError as error:
        raise RuntimeError(f"PNG export needs the kaleido and Pillow packages ({error.name} is missing).") from None
    half = width // 2
    sizes = {"surface": (half, 700), "contour": (half, 700), "data": (half, 560), "loss": (half, 560)}
    images = {}
    try:
        for name, (w, h) in sizes.items():
            fig = go.Figure(json.loads(spec["figures"][name]))
            images[name] = Image.open(io.BytesIO(fig.to_image(format="png", width=w, height=h, scale=1)))
    except Exception as error:  # kaleido reports a missing browser in several ways
        raise RuntimeError("PNG export needs a Chromium browser on the server (Debian: apt-get install chromium); "
                           f"it could not start one ({type(error).__name__}).") from None
    sheet = Image.new("RGB", (width, 700 + 560), "white")
    sheet.paste(images["surface"], (0, 0))
    sheet.paste(images["contour"], (half, 0))
    sheet.paste(images["data"], (0, 700))
    sheet.paste(images["loss"], (half, 700))
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()
