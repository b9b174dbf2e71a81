"""gdviz — the lecture page. Reads the controls, calls gdviz (cached), places the views.

All maths lives in gdviz; the views that follow the step control live in the browser
(gdviz/web), so stepping and playing never rerun this script.
"""
from __future__ import annotations

import hashlib
import os
import shutil

import numpy as np
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

import gdviz
from gdviz import DataError, figures, links, web
from gdviz.data import SAMPLES, csv_columns, read_csv, sample
from gdviz.optimizers import LABELS

st.set_page_config(page_title="gdviz — gradient descent", page_icon="⛰️", layout="wide")

# The learning-rate scale: 10 values a decade from 1e-6 to 10 (a log slider).
LEARNING_RATES = sorted({round(m * 10.0 ** e, 12) for e in range(-6, 1) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)}
                        | {10.0})
TOLERANCES = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10]
DEFAULTS = dict(source="Synthetic data", n=60, true_w=2.0, true_b=-1.0, noise=1.0, seed=0, offset=1.0,
                optimizer="gd", lr=0.1, steps=100, w0=-3.0, b0=4.0, compare_n=0, feature=0,
                data_view="feature against target", standardise=False, batch_mode="full batch", batch_size=10,
                use_tol=False, tol=1e-3, log_loss=False, equal_scales=False, present=False)
SYNTHETIC, UPLOAD = "Synthetic data", "Upload a CSV file"
SOURCES = [SYNTHETIC, *SAMPLES, UPLOAD]
COMPARE_DEFAULTS = ("momentum", "adam", "nesterov")


# ---- cached calls into gdviz; every input arrives as an argument (uploaded bytes as _raw) ----
@st.cache_data(max_entries=16, show_spinner=False)
def load_dataset(key: tuple, _raw: bytes | None = None) -> gdviz.Dataset:
    """The data set a key names: ("synthetic", n, w, b, noise, seed, offset),
    ("sample", title, features, target) or ("upload", digest, name, features, target)."""
    kind = key[0]
    if kind == "synthetic":
        n, true_w, true_b, noise, seed, offset = key[1:]
        return gdviz.synthetic(n=n, weights=true_w, bias=true_b, noise=noise, seed=seed,
                               x_range=(-2.0, 2.0), x_offset=offset)
    if kind == "sample":
        title, features, target = key[1:]
        data = sample(title)
        return data if features is None else read_csv(gdviz.data.SAMPLES_DIR / SAMPLES[title], list(features),
                                                      target, name=title)
    _, _, name, features, target = key
    return read_csv(_raw, None if features is None else list(features), target, name=name)


@st.cache_data(max_entries=16, show_spinner=False)
def columns_of(identity: str, _raw: bytes | None) -> tuple[list[str], tuple, str]:
    """Numeric columns of a file and read_csv's default features and target (for the pickers)."""
    source = _raw if _raw is not None else gdviz.data.SAMPLES_DIR / SAMPLES[identity]
    _, numeric = csv_columns(source)
    default = read_csv(source)
    return numeric, default.feature_names, default.target_name


def fitted(key: tuple, raw, standardise: bool) -> gdviz.Dataset:
    data = load_dataset(key, raw)
    return data.standardized() if standardise else data


def start_weights(d: int, feature: int, w0: float) -> list[float]:
    """The start W: w₀ for the weight on the surface, 0 for the others."""
    return [w0 if i == feature else 0.0 for i in range(d)]


def run_label(optimizer: str, lr: float) -> str:
    return f"{LABELS[optimizer]}, α = {nice(lr)}"


@st.cache_data(max_entries=64, show_spinner=False)
def make_views(key: tuple, _raw, standardise: bool, feature: int, data_view: str, optimizer: str, lr: float,
               steps: int, w0: float, b0: float, batch_size: int | None, tol: float | None, log_loss: bool,
               equal_scales: bool, compared: tuple = (), step: int | None = None, present: bool = False):
    """The runs and everything the browser needs to show them (cached: a class shares the work)."""
    data = fitted(key, _raw, standardise)
    sweep = make_sweep(key, _raw, standardise, feature, optimizer, steps, w0, b0, tol, lr)
    settings = dict(steps=steps, w0=start_weights(data.d, feature, w0), b0=b0, batch_size=batch_size, seed=0, tol=tol)
    run = gdviz.descend(data, optimizer=optimizer, lr=lr, **settings)
    others = tuple((run_label(name, rate), gdviz.descend(data, optimizer=name, lr=rate, **settings))
                   for name, rate in compared)
    spec = web.lecture_spec(data, run, feature=feature, log_loss=log_loss, equal_scales=equal_scales,
                            label=run_label(optimizer, lr), others=others,
                            original=load_dataset(key, _raw) if standardise else None,
                            data_view="actual" if data_view == "predicted against actual" else "feature",
                            step=step, sweep=sweep)
    spec["present"] = present
    summary = dict(steps=run.steps, diverged_at=run.diverged_at, converged_at=run.converged_at,
                   final_loss=float(run.loss[-1]), start_loss=float(run.loss[0]),
                   others=[(label, other.diverged_at) for label, other in others],
                   csv=run.to_frame().to_csv(index=False))
    return spec, summary


@st.cache_data(max_entries=32, show_spinner=False)
def make_sweep(key: tuple, _raw, standardise: bool, feature: int, optimizer: str, steps: int, w0: float, b0: float,
               tol: float | None, lr: float):
    """Final loss for 80 learning rates around the stability limit, one vectorised run."""
    data = fitted(key, _raw, standardise)
    c = gdviz.curvature(data)
    rates = np.geomspace(c.lr_max * 1e-4, c.lr_max * 3, 80)
    result = gdviz.sweep(data, rates, optimizer=optimizer, steps=steps, w0=start_weights(data.d, feature, w0),
                         b0=b0, tol=tol)
    return figures.sweep_figure(result, c, current_lr=lr).to_plotly_json()  # a dict: cheap to copy from the cache


@st.cache_data(max_entries=32, show_spinner=False)
def theory(key: tuple, _raw, standardise: bool, feature: int):
    """The optimum and the curvature's numbers for the data being fitted."""
    data = fitted(key, _raw, standardise)
    w_star, b_star = gdviz.optimum(data)
    c = gdviz.curvature(data)
    return dict(w_star=float(w_star[feature]), b_star=b_star, loss_min=float(gdviz.loss(data, w_star, b_star)),
                lr_max=c.lr_max, lr_best=c.lr_best, condition=c.condition_number, m=data.m, d=data.d,
                name=data.name, eigenvalues=c.eigenvalues.tolist(), presets=gdviz.learning_rate_presets(data),
                raw_condition=gdviz.curvature(load_dataset(key, _raw)).condition_number,
                rows_dropped=data.rows_dropped, names=list(data.feature_names), target=data.target_name)


@st.cache_resource
def has_browser() -> bool:
    """Whether kaleido can make pictures here: it needs its package and a Chromium."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    return bool(os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("google-chrome"))


@st.cache_resource
def views_component():
    return components.declare_component("gdviz_views", path=web.component_dir())


# ---- callbacks (they run before the script, so they may set widgets' values) ----
def start_from_click() -> None:
    """A click on the contour map moves the start (w0, b0) there."""
    value = st.session_state.get("views")
    if isinstance(value, dict) and isinstance(value.get("start"), list) and len(value["start"]) == 2:
        w, b = value["start"]
        if all(isinstance(v, (int, float)) and np.isfinite(v) for v in (w, b)):
            st.session_state["w0"] = round(float(w), 3)
            st.session_state["b0"] = round(float(b), 3)


def apply_preset(lr: float, compare: tuple = ()) -> None:
    """A preset button: plain gradient descent at a learning rate chosen by the theory."""
    st.session_state["lr"] = lr
    st.session_state["optimizer"] = "gd"
    st.session_state["compare_n"] = len(compare)
    for i, name in enumerate(compare, start=1):
        st.session_state[f"cmp_opt_{i}"] = name
        st.session_state[f"cmp_lr_{i}"] = lr


def rates_with(*values: float) -> list[float]:
    """The log scale plus any preset values in use, so a preset lands exactly on the slider."""
    return sorted(set(LEARNING_RATES) | {float(v) for v in values if v is not None})


def nice(value: float) -> str:
    return f"{value:.4g}"


MARKDOWN_SIGNS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:=&%^\"'@/,;?"})


def plain(text) -> str:
    """User text (a file or column name, a link's value) for a markdown element: every ASCII
    punctuation sign escaped, so it shows as written and never becomes a link, an image or formatting."""
    return str(text).translate(MARKDOWN_SIGNS)


def suit_new_data(key: tuple, data: gdviz.Dataset) -> None:
    """New data (not a tweak of the synthetic knobs): start from 0 at a learning rate that glides
    on it (the largest on the scale at most half of α_best), before the widgets are drawn."""
    identity = key[:2] if key[0] != "synthetic" else ("synthetic",)
    if st.session_state.get("data_identity", ("synthetic",)) == identity:
        return
    st.session_state["data_identity"] = identity
    best = gdviz.curvature(data).lr_best
    st.session_state["lr"] = max([r for r in LEARNING_RATES if r <= best / 2] or [LEARNING_RATES[0]])
    st.session_state["w0"], st.session_state["b0"] = (0.0, 0.0) if key[0] != "synthetic" else (-3.0, 4.0)
    st.session_state["feature"] = 0
    st.session_state["compare_n"] = 0


def read_link() -> None:
    """On a session's first run: the link's settings become the widgets' values (bad ones: a note)."""
    values, notes = links.decode(dict(st.query_params))
    st.session_state["link_step"] = values.pop("step", None)
    title = values.get("source")
    for name in ("features", "target"):
        chosen = values.pop(name, None)
        if chosen and title in SAMPLES:
            numeric, _, _ = columns_of(title, None)
            if all(c in numeric for c in ([chosen] if name == "target" else chosen)):
                st.session_state[f"{name}_{title}"] = chosen
            else:
                notes.append(f"The link names a column that {title} does not have; using its defaults.")
    if title and title in SAMPLES:
        st.session_state["data_identity"] = ("sample", title)  # the link's start and rate win
    st.session_state.update(values)
    st.session_state["link_notes"] = notes


def write_link(key: tuple) -> None:
    """The page's state into the URL, so the address bar is always a link to this view."""
    state = {name: st.session_state.get(name) for name in (*DEFAULTS, "use_tol", "tol", "compare_n")}
    for i in range(1, 4):
        state[f"cmp_opt_{i}"], state[f"cmp_lr_{i}"] = st.session_state.get(f"cmp_opt_{i}"), st.session_state.get(f"cmp_lr_{i}")
    if key[0] == "sample":
        state["features"], state["target"] = list(key[2]), key[3]
    params = links.encode(state, DEFAULTS)
    if st.session_state.get("link_step") is not None:
        params["step"] = str(st.session_state["link_step"])
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


for name, value in DEFAULTS.items():
    st.session_state.setdefault(name, value)
if "link_notes" not in st.session_state:
    read_link()

# ---- controls ----
problem = None  # a sentence about a bad file, shown above the views
with st.sidebar:
    st.header("Data")
    source = st.selectbox("Data set", SOURCES, key="source")
    raw = None
    if source == SYNTHETIC:
        n = st.slider("Points", 10, 1000, key="n", help="How many (x, y) pairs.")
        true_w = st.slider("True weight", -5.0, 5.0, step=0.1, key="true_w")
        true_b = st.slider("True bias", -5.0, 5.0, step=0.1, key="true_b")
        noise = st.slider("Noise", 0.0, 5.0, step=0.1, key="noise", help="Standard deviation of the noise on y.")
        offset = st.slider("Offset of x", -10.0, 50.0, step=0.5, key="offset",
                           help="x is drawn from offset ± 2. Far from zero, w and b fight: a long, thin valley.")
        seed = st.number_input("Seed", 0, 1_000_000, step=1, key="seed")
        key = ("synthetic", int(n), float(true_w), float(true_b), float(noise), int(seed), float(offset))
    else:
        identity = source
        if source == UPLOAD:
            upload = st.file_uploader("CSV file (features…, target)", type=["csv", "txt", "tsv"], key="upload",
                                      help="The last numeric column is the target by default; text columns are left out.")
            if upload is not None:
                raw = upload.getvalue()
                identity = hashlib.sha256(raw).hexdigest()[:16]
        key = None
        if source != UPLOAD or raw is not None:
            try:
                numeric, default_features, default_target = columns_of(identity, raw)
                st.session_state.setdefault(f"target_{identity}", default_target)
                target = st.selectbox("Target y", numeric, key=f"target_{identity}")
                choices = [c for c in numeric if c != target]
                chosen = st.session_state.get(f"features_{identity}", list(default_features))
                st.session_state[f"features_{identity}"] = [c for c in chosen if c in choices]
                features = st.multiselect("Features X", choices, key=f"features_{identity}")
                picked = (tuple(features), target)
                key = (("sample", source) if source != UPLOAD else ("upload", identity, upload.name)) + picked
                load_dataset(key, raw)  # fails here, with a sentence, if the choice is unusable
            except DataError as error:
                problem, key = str(error), None
        if source == UPLOAD and raw is None:
            st.info("Choose a CSV file: one column per feature, the target last. Until then the page keeps "
                    "the data it was showing.")
        if key is None:  # keep showing the data that was in use
            key, raw = st.session_state.get("good_data", (("synthetic", 60, 2.0, -1.0, 1.0, 0, 1.0), None))
    st.session_state["good_data"] = (key, raw)
    # One copy per rerun: st.cache_data hands every call its own copy, which costs for a big upload.
    data_in_use = load_dataset(key, raw)
    suit_new_data(key, data_in_use)
    standardise = st.checkbox("Standardise x: x′ = (x − mean) / std", key="standardise",
                              help="Fit on the rescaled features: a long thin valley becomes a round bowl.")
    dims = data_in_use.d
    feature = 0
    if dims > 1:
        names = list(data_in_use.feature_names)
        st.session_state["feature"] = min(st.session_state["feature"], dims - 1)
        feature = st.selectbox("Weight on the surface", range(dims), format_func=lambda i: f"w{i + 1} ({names[i]})",
                               key="feature", help="The surface is the slice through this weight and b; the other "
                                                   "weights are held at their values at the step shown.")
    data_view = st.radio("Data view", ["feature against target", "predicted against actual"], key="data_view",
                         horizontal=True)

    st.header("Gradient descent")
    optimizer = st.selectbox("Optimizer", list(LABELS), format_func=LABELS.get, key="optimizer")
    lr = st.select_slider("Learning rate", rates_with(st.session_state["lr"]), key="lr", format_func=nice,
                          help="α in W ← W − α ∂L/∂W (log scale from 0.000001 to 10).")
    steps = st.slider("Steps", 1, 2000, key="steps")
    left, right = st.columns(2)
    w0 = left.number_input("Start w₀", -1e6, 1e6, step=0.5, key="w0", format="%.3f")
    b0 = right.number_input("Start b₀", -1e6, 1e6, step=0.5, key="b0", format="%.3f")
    st.caption("Or click the contour map to start from there.")
    batch_mode = st.radio("Batch", ["full batch", "mini-batch", "1 (SGD)"], horizontal=True, key="batch_mode")
    m_rows = data_in_use.m
    batch_size = None
    if batch_mode == "mini-batch":
        st.session_state["batch_size"] = int(np.clip(st.session_state["batch_size"], 2, max(3, m_rows - 1)))
        batch_size = st.slider("Mini-batch size", 2, max(3, m_rows - 1), key="batch_size")
    elif batch_mode == "1 (SGD)":
        batch_size = 1
    use_tol = st.checkbox("Stop when |∇L| < tolerance", key="use_tol")
    tol_options = sorted(set(TOLERANCES) | {float(st.session_state["tol"])}, reverse=True)
    tol = st.select_slider("Tolerance", tol_options, key="tol", format_func=nice) if use_tol else None

    st.header("Compare runs")
    compare_n = st.slider("Other runs on the same surface", 0, 3, key="compare_n",
                          help="Same data, same start: other optimizers or learning rates, one colour each.")
    compared = []
    for i in range(1, compare_n + 1):
        st.session_state.setdefault(f"cmp_opt_{i}", COMPARE_DEFAULTS[i - 1])
        st.session_state.setdefault(f"cmp_lr_{i}", st.session_state["lr"])
        left, right = st.columns([1, 1.3])
        name = left.selectbox(f"Run {i + 1}", list(LABELS), format_func=LABELS.get, key=f"cmp_opt_{i}")
        rate = right.select_slider(f"α of run {i + 1}", rates_with(st.session_state[f"cmp_lr_{i}"]),
                                   key=f"cmp_lr_{i}", format_func=nice)
        compared.append((name, float(rate)))

    st.header("View")
    log_loss = st.checkbox("Log scale for the loss", key="log_loss")
    equal_scales = st.checkbox("Equal scales on the contour map", key="equal_scales")

# ---- the page ----
title_column, present_column = st.columns([5, 1])
title_column.markdown("## Gradient descent on linear regression &nbsp;·&nbsp; ŷ = XW + b, mean squared error")
present = present_column.toggle("Presenter mode", key="present",
                                help="Large type, thick lines, controls tucked away: for the projector.")
if present:  # the sidebar and Streamlit's header go; the views take the screen
    st.markdown("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], header "
                "{display: none !important;} .block-container {padding: 0.6rem 1rem !important; "
                "max-width: 100% !important;}</style>", unsafe_allow_html=True)
for note in st.session_state.get("link_notes", []):
    st.info(f"From the link: {plain(note)}")
if problem:
    st.error(f"**That data cannot be used:** {plain(problem)} Still showing: {plain(data_in_use.name)}.")
numbers = theory(key, raw, bool(standardise), feature)
presets = numbers["presets"]

buttons = st.columns([1, 1, 1, 1, 1.6, 2.4])
for column, (name, caption) in zip(buttons, [("too small", "crawls"), ("just right", "α_best"),
                                             ("oscillating", "zig-zags"), ("diverging", "just over α_max")]):
    column.button(name.capitalize(), key=f"preset_{name}", on_click=apply_preset, args=(presets[name],),
                  help=f"Plain gradient descent that {caption} on this data: α = {nice(presets[name])}.",
                  width="stretch")
buttons[4].button("GD vs momentum vs Adam", key="preset_compare", on_click=apply_preset,
                  args=(presets["just right"] / 3, ("momentum", "adam")), width="stretch",
                  help="Three optimizers at the same learning rate, from the same start.")
buttons[5].caption("Presets from this data's curvature: α = "
                   + ", ".join(nice(presets[name]) for name in ("too small", "just right", "oscillating", "diverging"))
                   + f"; λ = {', '.join(nice(v) for v in numbers['eigenvalues'])}.")

spec, summary = make_views(key, raw, bool(standardise), feature, data_view, optimizer, float(lr), int(steps),
                           float(w0), float(b0), batch_size, tol, bool(log_loss), bool(equal_scales), tuple(compared),
                           st.session_state.get("link_step"), bool(present))

if summary["diverged_at"] is not None:
    st.error(f"**Diverged at step {summary['diverged_at']}.** The loss grew from {nice(summary['start_loss'])} "
             f"past any sensible size, so the run stops there. With this data plain gradient descent "
             f"diverges above α = 2/λ_max = {nice(numbers['lr_max'])}: try a smaller learning rate"
             + ("." if standardise or numbers["condition"] < 100 else ", or standardise x."))
elif summary["converged_at"] is not None:
    st.success(f"**Converged at step {summary['converged_at']}:** |∇L| fell below {nice(tol)}.")
elif summary["final_loss"] > summary["start_loss"]:
    st.warning("The loss went up: this learning rate overshoots. Watch the path zig-zag across the valley.")
for label, diverged_at in summary["others"]:
    if diverged_at is not None:
        st.warning(f"Compared run “{label}” diverged at step {diverged_at}.")

views_component()(spec=spec, key="views", on_change=start_from_click, default=None)

cols = st.columns(7)
prime = "′" if standardise else ""
w_name = "w" if numbers["d"] == 1 else f"w{feature + 1}"
cols[0].metric("Final loss", nice(summary["final_loss"]))
cols[1].metric(f"Optimum {w_name}*{prime}", nice(numbers["w_star"]))
cols[2].metric("Optimum b*", nice(numbers["b_star"]))
cols[3].metric("Least loss L*", nice(numbers["loss_min"]))
cols[4].metric("α_max = 2/λ_max", nice(numbers["lr_max"]), help="Plain gradient descent diverges above it.")
cols[5].metric("α_best = 2/(λ_min+λ_max)", nice(numbers["lr_best"]), help="The fastest plain gradient descent.")
if standardise:
    cols[6].metric("Condition number", nice(numbers["condition"]), delta=f"was {nice(numbers['raw_condition'])}",
                   delta_color="off", help="λ_max/λ_min: how long and thin the valley is. Standardising rounds it.")
else:
    cols[6].metric("Condition number", nice(numbers["condition"]), help="λ_max/λ_min: how long and thin the valley is.")
dropped = f", {numbers['rows_dropped']} rows with a missing value dropped" if numbers["rows_dropped"] else ""
st.caption(f"The sweep at the bottom of the views: {LABELS[optimizer]} from the same start for 80 learning rates, "
           f"{steps} full-batch steps each (all at once, from the data's sufficient statistics); crosses diverged.")
st.caption(f"Data: {plain(numbers['name'])} ({numbers['m']} rows{dropped}; features "
           f"{plain(', '.join(numbers['names']))}; target {plain(numbers['target'])}). Keys in the views: ← → step, space play/pause, Home back to the start. "
           "Drag the 3-D view to turn it; it stays turned while you step and play."
           + (" The start (w₀, b₀) is in the standardised units." if standardise else ""))

st.markdown("### Take it with you")
exports = st.columns([1, 1, 1, 2])
exports[0].download_button("Trajectory (CSV)", summary["csv"], file_name="gdviz-trajectory.csv", mime="text/csv",
                           help="One row per step: step, weights, b, loss, gradient, the gradient used, the update.",
                           width="stretch")
exports[1].download_button("Interactive page (HTML)", lambda: web.standalone_html(spec), width="stretch",
                           file_name="gdviz-views.html", mime="text/html", key="export_html",
                           help="These views as one file that works offline: play, step, turn the 3-D view.")
if has_browser():
    exports[2].download_button("Picture of the views (PNG)", lambda: web.views_png(spec), width="stretch",
                               file_name="gdviz-views.png", mime="image/png", key="export_png",
                               help="The four views at the step the page opened on, for slides (takes a few seconds).")
else:
    exports[2].caption("A PNG of the views needs a Chromium browser on the server (apt-get install chromium); "
                       "use the HTML page or your browser's screenshot instead.")
exports[3].caption("Animated GIF/MP4: play the HTML page and record the screen; gdviz makes no video itself.")

if source != SYNTHETIC:
    with st.expander(f"Preview of the data ({numbers['m']} rows used{dropped})"):
        preview = pd.DataFrame(data_in_use.X[:200], columns=list(data_in_use.feature_names))
        preview[data_in_use.target_name] = data_in_use.y[:200]
        st.dataframe(preview, hide_index=True, height=260)


write_link(key)
st.session_state["link_step"] = None  # the link's step applies to the first view only
