"""gdviz — the lecture page. Reads the controls, calls gdviz (cached), places the views.

All maths lives in gdviz; the views that follow the step control live in the browser
(gdviz/web), so stepping and playing never rerun this script.
"""
from __future__ import annotations

import numpy as np
import streamlit as st
import streamlit.components.v1 as components

import gdviz
from gdviz import web
from gdviz.optimizers import LABELS

st.set_page_config(page_title="gdviz — gradient descent", page_icon="⛰️", layout="wide")

# The learning-rate scale: 10 values a decade from 1e-4 to 10 (a log slider).
LEARNING_RATES = sorted({round(m * 10.0 ** e, 12) for e in range(-4, 1) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)}
                        | {10.0})
TOLERANCES = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10]
DEFAULTS = dict(n=60, true_w=2.0, true_b=-1.0, noise=1.0, seed=0, offset=1.0,
                optimizer="gd", lr=0.1, steps=100, w0=-3.0, b0=4.0)


@st.cache_data(max_entries=32, show_spinner=False)
def make_data(n: int, true_w: float, true_b: float, noise: float, seed: int, offset: float) -> gdviz.Dataset:
    return gdviz.synthetic(n=n, weights=true_w, bias=true_b, noise=noise, seed=seed,
                           x_range=(-2.0, 2.0), x_offset=offset)


@st.cache_data(max_entries=64, show_spinner=False)
def make_views(data_key: tuple, optimizer: str, lr: float, steps: int, w0: float, b0: float,
               batch_size: int | None, tol: float | None, log_loss: bool, equal_scales: bool):
    """One run and everything the browser needs to show it (cached: a class shares the work)."""
    data = make_data(*data_key)
    run = gdviz.descend(data, optimizer=optimizer, lr=lr, steps=steps, w0=[w0], b0=b0,
                        batch_size=batch_size, seed=data_key[4], tol=tol)
    spec = web.lecture_spec(data, run, log_loss=log_loss, equal_scales=equal_scales)
    summary = dict(steps=run.steps, diverged_at=run.diverged_at, converged_at=run.converged_at,
                   final_loss=float(run.loss[-1]), start_loss=float(run.loss[0]))
    return spec, summary


@st.cache_resource
def views_component():
    return components.declare_component("gdviz_views", path=web.component_dir())


@st.cache_data(max_entries=32, show_spinner=False)
def theory(data_key: tuple):
    data = make_data(*data_key)
    w_star, b_star = gdviz.optimum(data)
    c = gdviz.curvature(data)
    return dict(w_star=float(w_star[0]), b_star=b_star, loss_min=float(gdviz.loss(data, w_star, b_star)),
                lr_max=c.lr_max, lr_best=c.lr_best, condition=c.condition_number, m=data.m, name=data.name)


def start_from_click() -> None:
    """A click on the contour map moves the start (w0, b0) there."""
    value = st.session_state.get("views")
    if isinstance(value, dict) and isinstance(value.get("start"), list) and len(value["start"]) == 2:
        w, b = value["start"]
        if all(isinstance(v, (int, float)) and np.isfinite(v) for v in (w, b)):
            st.session_state["w0"] = round(float(w), 3)
            st.session_state["b0"] = round(float(b), 3)


def nice(value: float) -> str:
    return f"{value:.4g}"


for key, value in DEFAULTS.items():
    st.session_state.setdefault(key, value)

# ---- controls ----
with st.sidebar:
    st.header("Data")
    n = st.slider("Points", 10, 1000, key="n", help="How many (x, y) pairs.")
    true_w = st.slider("True weight", -5.0, 5.0, step=0.1, key="true_w")
    true_b = st.slider("True bias", -5.0, 5.0, step=0.1, key="true_b")
    noise = st.slider("Noise", 0.0, 5.0, step=0.1, key="noise", help="Standard deviation of the noise on y.")
    offset = st.slider("Offset of x", -10.0, 50.0, step=0.5, key="offset",
                       help="x is drawn from offset ± 2. Far from zero, w and b fight: a long, thin valley.")
    seed = st.number_input("Seed", 0, 1_000_000, step=1, key="seed")

    st.header("Gradient descent")
    optimizer = st.selectbox("Optimizer", list(LABELS), format_func=LABELS.get, key="optimizer")
    lr = st.select_slider("Learning rate", LEARNING_RATES, key="lr", format_func=nice,
                          help="α in W ← W − α ∂L/∂W (log scale from 0.0001 to 10).")
    steps = st.slider("Steps", 1, 2000, key="steps")
    left, right = st.columns(2)
    w0 = left.number_input("Start w₀", -1e6, 1e6, step=0.5, key="w0", format="%.3f")
    b0 = right.number_input("Start b₀", -1e6, 1e6, step=0.5, key="b0", format="%.3f")
    st.caption("Or click the contour map to start from there.")
    batch_mode = st.radio("Batch", ["full batch", "mini-batch", "1 (SGD)"], horizontal=True, key="batch_mode")
    batch_size = None
    if batch_mode == "mini-batch":
        batch_size = st.slider("Mini-batch size", 2, max(2, n - 1), min(10, max(2, n - 1)), key="batch_size")
    elif batch_mode == "1 (SGD)":
        batch_size = 1
    use_tol = st.checkbox("Stop when |∇L| < tolerance", key="use_tol")
    tol = st.select_slider("Tolerance", TOLERANCES, value=1e-3, key="tol", format_func=nice) if use_tol else None

    st.header("View")
    log_loss = st.checkbox("Log scale for the loss", key="log_loss")
    equal_scales = st.checkbox("Equal scales on the contour map", key="equal_scales")

# ---- the page ----
st.markdown("## Gradient descent on linear regression &nbsp;·&nbsp; ŷ = XW + b, mean squared error")
data_key = (int(n), float(true_w), float(true_b), float(noise), int(seed), float(offset))
numbers = theory(data_key)
spec, summary = make_views(data_key, optimizer, float(lr), int(steps), float(w0), float(b0), batch_size, tol,
                           bool(log_loss), bool(equal_scales))

if summary["diverged_at"] is not None:
    st.error(f"**Diverged at step {summary['diverged_at']}.** The loss grew from {nice(summary['start_loss'])} "
             f"past any sensible size, so the run stops there. With this data plain gradient descent "
             f"diverges above α = 2/λ_max = {nice(numbers['lr_max'])}: try a smaller learning rate.")
elif summary["converged_at"] is not None:
    st.success(f"**Converged at step {summary['converged_at']}:** |∇L| fell below {nice(tol)}.")
elif summary["final_loss"] > summary["start_loss"]:
    st.warning("The loss went up: this learning rate overshoots. Watch the path zig-zag across the valley.")

views_component()(spec=spec, key="views", on_change=start_from_click, default=None)

cols = st.columns(6)
cols[0].metric("Final loss", nice(summary["final_loss"]))
cols[1].metric("Optimum w*", nice(numbers["w_star"]))
cols[2].metric("Optimum b*", nice(numbers["b_star"]))
cols[3].metric("Least loss L*", nice(numbers["loss_min"]))
cols[4].metric("α_max = 2/λ_max", nice(numbers["lr_max"]), help="Plain gradient descent diverges above it.")
cols[5].metric("α_best = 2/(λ_min+λ_max)", nice(numbers["lr_best"]), help="The fastest plain gradient descent.")
st.caption(f"Data: {numbers['name']} ({numbers['m']} points). Keys in the views: ← → step, space play/pause, "
           "Home back to the start. Drag the 3-D view to turn it; it stays turned while you step and play.")
