"""The lecture views in the browser: the Python that feeds gdviz/web/frontend/index.html.

The page's heavy figures are sent once per run; stepping and playing happen in the browser (the
frontend replaces only the traces that move with the step), so they never rerun the script and the
3-D camera stays where the lecturer turned it. plotly.js is served as a static file of the
component, loaded once per page, never inlined in a rerun.
"""
from __future__ import annotations

import base64
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


def lecture_spec(data, trajectory, *, feature: int = 0, step: int | None = None, log_loss: bool = False,
                 equal_scales: bool = False, grid: int = 81) -> dict:
    """Everything the browser needs to show ``trajectory`` on ``data``, as JSON-ready values.

    ``figures`` holds the four Plotly figures at ``step`` (default: the last) as JSON strings;
    ``timeline`` the per-step arrays the frontend slices when the step changes; ``run`` the
    settings and the theory's numbers for the maths panel.
    """
    q = model.quadratic(data)
    w_star, b_star = model.optimum(data)
    shown = surface.readable_steps(trajectory.loss)
    w_path = trajectory.w[:shown, feature]
    box = surface.view_box(np.append(w_path, w_star[feature]), np.append(trajectory.b[:shown], b_star))
    w_values = np.linspace(box[0], box[1], grid)
    b_values = np.linspace(box[2], box[3], grid)
    held = trajectory.w[-1]  # other weights held at the run's values (one feature: irrelevant)
    z = surface.loss_surface(data, w_values, b_values, feature=feature, weights=held)
    line = figures.timeline(trajectory, box, feature=feature, shown=shown)
    last = trajectory.steps
    step = last if step is None else int(np.clip(step, 0, last))
    optimum_point = (float(w_star[feature]), b_star, float(model.loss(data, w_star, b_star)))
    names = list(getattr(data, "feature_names", None) or [f"x{i + 1}" for i in range(q.d)])
    w_label = "w" if q.d == 1 else f"w{feature + 1} (weight of {names[feature]})"
    true_line = None
    if getattr(data, "true_weights", None) is not None and q.d == 1:
        true_line = (float(data.true_weights[0]), float(data.true_bias))
    figs = {
        "surface": figures.surface_figure(w_values, b_values, z, line, optimum_point, step=step, w_label=w_label),
        "contour": figures.contour_figure(w_values, b_values, z, line, optimum_point, step=step,
                                          equal_scales=equal_scales, w_label=w_label),
        "data": figures.data_figure(data.X[:, feature], data.y, line, step=step, true_line=true_line,
                                    x_label=names[feature], y_label=getattr(data, "target_name", "y")),
        "loss": figures.loss_figure(line, step=step, log_y=log_loss),
    }
    r2 = model.r_squared(data, trajectory.loss)
    distance = np.sqrt(((trajectory.w - w_star) ** 2).sum(axis=1) + (trajectory.b - b_star) ** 2)
    timeline = {
        "W": encode(trajectory.w), "b": encode(trajectory.b), "loss": encode(trajectory.loss),
        "grad_W": encode(trajectory.grad_w), "grad_b": encode(trajectory.grad_b),
        "used_grad_W": encode(trajectory.used_grad_w), "used_grad_b": encode(trajectory.used_grad_b),
        "tip_w": encode(line.tip_w), "tip_b": encode(line.tip_b),
        "rmse": encode(np.sqrt(trajectory.loss)), "distance": encode(distance),
        "r2": None if r2 is None else encode(r2),
        "x": encode(data.X[:, feature]), "y": encode(data.y),
    }
    settings = trajectory.settings
    run = {
        "optimizer": settings.get("optimizer", "gd"),
        "optimizer_label": optimizers.LABELS.get(settings.get("optimizer", "gd"), "gradient descent"),
        "rule": UPDATE_RULES.get(settings.get("optimizer", "gd"), ""),
        "lr": settings.get("lr"), "m": q.m, "d": q.d, "feature": feature, "names": names,
        "steps": last, "shown": shown, "diverged_at": trajectory.diverged_at,
        "converged_at": trajectory.converged_at, "batch_size": settings.get("batch_size"),
        "optimum": [float(v) for v in w_star] + [b_star], "loss_min": optimum_point[2],
        "lift": figures.surface_height(z, line)[1], "arrow_scale": line.arrow_scale,
    }
    # to_json() would drop the traces' uids, which the browser uses to find the moving traces.
    body = {"figures": {name: plotly.io.json.to_json_plotly(fig.to_plotly_json()) for name, fig in figs.items()},
            "timeline": timeline, "run": run}
    run_id = hashlib.sha256(json.dumps([body["timeline"], run], sort_keys=True).encode()).hexdigest()[:16]
    return {**body, "step": step, "run_id": run_id}
