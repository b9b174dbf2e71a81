"""The page as people use it, headless (Streamlit's AppTest): every control, the figures' contents."""
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import gdviz
from gdviz import web
from gdviz.web.frames import step_frame
from gdviz.state import SAMPLE_IDS
from gdviz.words import nice


APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_app():
    return open_app_with({})


def open_app_with(params):
    """The page as a link with these parameters opens it."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def spec_of(at):
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)["spec"]


def figure(at, name):
    return json.loads(spec_of(at)["figures"][name])


def trace(fig, uid):
    return next(t for t in fig["data"] if t.get("uid") == uid)


def values(v):
    return web.decode(v) if isinstance(v, dict) else np.asarray(v, dtype=float)


@pytest.fixture(scope="module")
def default_app():
    return open_app()


def test_defaults_tell_a_story_with_no_error(default_app):
    at = default_app
    spec = spec_of(at)
    assert spec["run"]["steps"] == 100 and spec["run"]["diverged_at"] is None
    loss = web.decode(spec["timeline"]["loss"])
    assert loss[-1] < 0.05 * loss[0]  # it glides down
    labels = [m.label for m in at.metric]
    assert "Final loss" in labels and "α_max = 2/λ_max" in labels
    assert not at.error
    data = gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2, 2), x_offset=1.0)
    w_star, b_star = gdviz.optimum(data)
    assert [m.value for m in at.metric if m.label == "Optimum w*"] == [f"{w_star[0]:.4g}"]


def test_the_figures_carry_the_run(default_app):
    spec = spec_of(default_app)
    data = gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2, 2), x_offset=1.0)
    run = gdviz.descend(data, lr=0.1, steps=100, w0=[-3.0], b0=4.0)
    assert spec["step"] == 0  # the page opens where the story starts: Play is the first press
    surface = figure(default_app, "surface")
    path = trace(surface, "path")
    np.testing.assert_allclose(values(path["x"]), run.w[:1, 0])
    last = step_frame(spec, 100)["traces"]["surface"]["path"]
    np.testing.assert_allclose(np.asarray(last["x"], dtype=float), run.w[:, 0])
    np.testing.assert_allclose(np.asarray(last["y"], dtype=float), run.b)
    assert {"path", "gradients", "current-gradient", "current-update", "optimum", "surface"} <= \
        {t.get("uid") for t in surface["data"]}
    assert any(t.get("name", "").startswith("gradient") for t in surface["data"])
    contour = figure(default_app, "contour")
    arrows = step_frame(spec, 100)["traces"]["contour"]["gradients"]
    assert len(arrows["x"]) == 3 * 101 and arrows["x"][2] is None  # one trace, None between arrows
    loss = trace(figure(default_app, "loss"), "loss")
    np.testing.assert_allclose(values(loss["y"]), run.loss)
    assert "step" in loss["hovertemplate"] and "∂L/∂w" in loss["hovertemplate"]
    data_fig = figure(default_app, "data")
    assert trace(data_fig, "truth")["name"].startswith("true line")
    np.testing.assert_allclose(web.decode(spec["timeline"]["grad_b"]), run.grad_b)


def test_the_page_sends_little(default_app):
    size = len(default_app.get("component_instance")[0].proto.json_args)
    assert size < 2_000_000
    assert "plotly.js v" not in default_app.get("component_instance")[0].proto.json_args


@pytest.mark.parametrize("key, value, check", [
    ("n", 200, lambda s: s["run"]["m"] == 200),
    ("true_w", -1.5, lambda s: json.loads(s["figures"]["data"])["data"][2]["name"].startswith("true line (-1.5")),
    ("true_b", 2.0, lambda s: "+ 2)" in json.loads(s["figures"]["data"])["data"][2]["name"]),
    ("noise", 0.0, lambda s: abs(s["run"]["loss_min"]) < 1e-20),
    ("offset", 5.0, lambda s: web.decode(s["timeline"]["x"]).min() >= 3.0),
    ("seed", 7, lambda s: web.decode(s["timeline"]["x"])[0] != pytest.approx(0.0)),
    ("optimizer", "adam", lambda s: s["run"]["optimizer"] == "adam" and "m̂" in s["run"]["rule"]),
    ("lr", 0.01, lambda s: s["run"]["lr"] == 0.01),
    ("steps", 500, lambda s: s["run"]["steps"] == 500),
    ("w0", 1.5, lambda s: web.decode(s["timeline"]["W"])[0, 0] == 1.5),
    ("b0", -2.0, lambda s: web.decode(s["timeline"]["b"])[0] == -2.0),
    ("log_loss", True, lambda s: json.loads(s["figures"]["loss"])["layout"]["yaxis"]["type"] == "log"),
    ("equal_scales", True, lambda s: json.loads(s["figures"]["contour"])["layout"]["yaxis"]["scaleanchor"] == "x"),
])
def test_every_control_reaches_the_views(key, value, check):
    at = open_app()
    before = spec_of(at)
    element = next(w for kind in ("slider", "select_slider", "number_input", "selectbox", "checkbox")
                   for w in at.get(kind) if getattr(w, "key", None) == key)
    element.set_value(value).run()
    assert not at.exception
    after = spec_of(at)
    assert check(after), key
    assert after != before


def test_batch_modes():
    at = open_app()
    at.radio(key="batch_mode").set_value("mini-batch").run()
    spec = spec_of(at)
    assert spec["run"]["batch_size"] == 10 and not at.exception
    at.slider(key="batch_size").set_value(5).run()
    assert spec_of(at)["run"]["batch_size"] == 5
    at.radio(key="batch_mode").set_value("1 (SGD)").run()
    spec = spec_of(at)
    assert spec["run"]["batch_size"] == 1
    used, full = web.decode(spec["timeline"]["used_grad_W"]), web.decode(spec["timeline"]["grad_W"])
    assert not np.allclose(used, full[:-1])  # the update used the one-row gradient


def test_tolerance_stops_and_says_converged():
    at = open_app()
    at.slider(key="steps").set_value(2000).run()
    at.checkbox(key="use_tol").check().run()
    at.select_slider(key="tol").set_value(1e-4).run()
    spec = spec_of(at)
    assert spec["run"]["converged_at"] is not None and spec["run"]["steps"] < 2000
    assert any(f"Converged at step {spec['run']['converged_at']}" in s.value for s in at.success)


@pytest.mark.parametrize("lr", [1.0, 10.0])
def test_a_diverging_learning_rate_says_so_and_draws_only_finite_steps(lr):
    at = open_app()
    at.select_slider(key="lr").set_value(lr).run()
    assert not at.exception
    spec = spec_of(at)
    diverged = spec["run"]["diverged_at"]
    assert diverged is not None
    assert any(f"Diverged at step {diverged}" in e.value for e in at.error)
    for name, text in spec["figures"].items():
        json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in {name}"))
    surface = json.loads(spec["figures"]["surface"])
    assert surface["layout"]["scene"]["zaxis"]["range"][1] < 1e5
    for key in ("W", "b", "loss", "grad_W", "grad_b"):
        assert np.isfinite(web.decode(spec["timeline"][key])).all()
    assert all(np.isfinite(float(m.value)) for m in at.metric if m.label == "Final loss")




# ---- exploring learning rates (presets, runs side by side, sweep, scaling) ----
def default_data():
    return gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2, 2), x_offset=1.0)


@pytest.mark.parametrize("preset, regime", [("too small", "crawls"), ("just right", "glides"),
                                            ("oscillating", "zig-zags"), ("diverging", "diverges")])
def test_presets_put_the_run_in_their_regime(preset, regime):
    at = open_app()
    at.button(key=f"preset_{preset}").click().run()
    assert not at.exception
    expected = gdviz.learning_rate_presets(default_data())[preset]
    spec = spec_of(at)
    assert spec["run"]["lr"] == pytest.approx(expected, rel=1e-12) and spec["run"]["optimizer"] == "gd"
    loss = web.decode(spec["timeline"]["loss"])
    L_star = spec["run"]["loss_min"]
    if regime == "crawls":
        assert loss[-1] - L_star > 0.05 * (loss[0] - L_star)  # still far above after 100 steps
    elif regime == "glides":
        assert loss[-1] - L_star < 1e-6 * (loss[0] - L_star)
    elif regime == "zig-zags":
        b = web.decode(spec["timeline"]["b"])
        assert (np.diff(np.sign(np.diff(b[:12]))) != 0).sum() >= 8  # b goes up, down, up, ...
        assert spec["run"]["diverged_at"] is None
    else:
        assert spec["run"]["diverged_at"] is not None and at.error


def test_gd_momentum_and_adam_side_by_side():
    """The race: each optimizer at the rate of its own sweep with the lowest final loss (issue 20)."""
    at = open_app()
    at.button(key="preset_compare").click().run()
    assert not at.exception and at.session_state["compare_n"] == 2
    spec = spec_of(at)
    assert spec["run"]["optimizer"] == "gd" and [o["label"].split(",")[0] for o in spec["others"]] == ["momentum", "Adam"]
    rates = {"gd": spec["run"]["lr"], **{name: float(o["label"].split("α = ")[1])
                                         for name, o in zip(("momentum", "adam"), spec["others"])}}
    data = default_data()
    step = (3e4) ** (1 / 79)  # the sweep's spacing: 80 rates from α_max·1e-4 to 3·α_max
    for name, rate in rates.items():
        final = {q: gdviz.descend(data, optimizer=name, lr=rate * q, steps=100, w0=[-3.0], b0=4.0).loss[-1]
                 for q in (1 / step, 1.0, step)}
        assert final[1.0] <= min(final.values()) * (1 + 1e-6), (name, final)  # no neighbouring rate does better
    adam = gdviz.descend(data, optimizer="adam", lr=rates["adam"], steps=100, w0=[-3.0], b0=4.0)
    np.testing.assert_allclose(web.decode(spec["others"][1]["w"]), adam.w[:, 0])
    surface = figure(at, "surface")
    colours = {t["uid"]: t["line"]["color"] for t in surface["data"] if t.get("uid", "").endswith("path")
               or t.get("uid", "").startswith("other-path")}
    assert len(set(colours.values())) == 3  # one colour each
    loss = figure(at, "loss")
    assert {"loss", "other-loss-1", "other-loss-2"} <= {t.get("uid") for t in loss["data"]}


def test_compare_controls_choose_optimizer_and_learning_rate():
    at = open_app()
    at.slider(key="compare_n").set_value(3).run()
    at.selectbox(key="cmp_opt_3").set_value("rmsprop").run()
    at.select_slider(key="cmp_lr_3").set_value(0.01).run()
    assert not at.exception
    others = spec_of(at)["others"]
    assert len(others) == 3 and others[2]["label"] == "RMSprop, α = 0.01"


def test_the_sweep_marks_the_theory():
    at = open_app()
    assert not at.get("plotly_chart")  # drawn inside the views' page: the browser loads one plotly.js
    fig = figure(at, "sweep")
    c = gdviz.curvature(default_data())
    lines = [shape["x0"] for shape in fig["layout"]["shapes"]]
    assert lines[0] == pytest.approx(c.lr_best) and lines[1] == pytest.approx(c.lr_max)
    final = next(t for t in fig["data"] if t["name"] == "final loss")
    crosses = next(t for t in fig["data"] if t["name"] == "diverged")
    assert len(values(final["x"])) + len(values(crosses["x"])) >= 60
    assert values(crosses["x"]).min() > c.lr_max  # only the rates beyond the limit diverge
    assert fig["layout"]["xaxis"]["type"] == "log"


def test_standardising_rounds_the_valley_and_keeps_the_line_in_x_units():
    at = open_app()
    at.slider(key="offset").set_value(8.0).run()
    before = next(m for m in at.metric if m.label == "Condition number").value
    at.checkbox(key="standardise").check().run()
    assert not at.exception
    metric = next(m for m in at.metric if m.label == "Condition number")
    assert float(metric.value) < 1.01 < float(before) and "was" in metric.delta
    spec = spec_of(at)
    assert spec["run"]["scaling"] is not None
    x = web.decode(spec["timeline"]["x"])
    assert x.min() >= 6.0  # the data view stays in the original units
    fit = step_frame(spec, 100)["traces"]["data"]["fit"]
    w, b = web.decode(spec["timeline"]["W"])[-1, 0], web.decode(spec["timeline"]["b"])[-1]
    mean, std = spec["run"]["scaling"]
    assert float(fit["y"][0]) == pytest.approx(w / std * x.min() + b - w * mean / std)
    w0, b0 = web.decode(spec["timeline"]["W"])[0, 0], web.decode(spec["timeline"]["b"])[0]  # the first frame: step 0
    assert values(trace(figure(at, "data"), "fit")["y"])[0] == pytest.approx(w0 / std * x.min() + b0 - w0 * mean / std)


# ---- your own data: samples, pickers, several features ----
TREES = "Black cherry trees: volume from girth and height (2 features)"


@pytest.mark.parametrize("title", list(gdviz.data.SAMPLES))
def test_every_sample_set_is_one_click_away(title):
    at = open_app()
    at.selectbox(key="source").set_value(title).run()
    assert not at.exception and not at.error
    spec = spec_of(at)
    data = gdviz.data.sample(title)
    assert spec["run"]["m"] == data.m and spec["run"]["names"] == list(data.feature_names)
    assert spec["run"]["diverged_at"] is None  # new data starts at a learning rate that glides
    np.testing.assert_array_equal(web.decode(spec["timeline"]["y"]), data.y)


def test_pickers_choose_target_and_features():
    at = open_app()
    at.selectbox(key="source").set_value(TREES).run()
    at.multiselect(key=f"features_{TREES}").set_value(["girth_in"]).run()
    assert spec_of(at)["run"]["d"] == 1 and spec_of(at)["run"]["names"] == ["girth_in"]
    at.selectbox(key=f"target_{TREES}").set_value("height_ft").run()
    assert not at.exception
    spec = spec_of(at)
    assert spec["run"]["names"] == ["girth_in"]
    assert any("height_ft" in c.value.replace("\\", "") for c in at.caption)  # names are escaped markdown


def test_no_feature_is_a_sentence_and_the_data_stays():
    at = open_app()
    at.selectbox(key="source").set_value(TREES).run()
    at.multiselect(key=f"features_{TREES}").set_value([]).run()
    assert not at.exception
    assert any("cannot be used" in e.value and "Choose at least one feature" in e.value for e in at.error)
    assert spec_of(at)["run"]["d"] == 2  # the data that was in use stays in use


def test_several_features_show_the_whole_gradient_and_a_slice():
    at = open_app()
    at.selectbox(key="source").set_value(TREES).run()
    spec = spec_of(at)
    assert spec["run"]["d"] == 2 and spec["run"]["data_view"] == "several"
    assert web.decode(spec["timeline"]["grad_W"]).shape == (spec["run"]["steps"] + 1, 2)
    slice_ = spec["run"]["slice"]
    assert spec["run"]["scaling"] is not None  # real data opens standardised where the raw valley is too thin
    data = gdviz.data.sample(TREES).standardized()
    W = web.decode(spec["timeline"]["W"])
    coefficients = {k: web.decode(v) if isinstance(v, dict) else v for k, v in slice_.items()}
    from gdviz.model import slice_loss
    w_values, b_values = coefficients.pop("w_values"), coefficients.pop("b_values")
    np.testing.assert_allclose(slice_loss(coefficients, 5, w_values[:3], b_values[:3]),
                               gdviz.loss_surface(data, w_values[:3], b_values[:3], weights=W[5]), rtol=1e-9)
    at.selectbox(key="feature").set_value(1).run()
    assert spec_of(at)["run"]["feature"] == 1 and not at.exception
    surface = figure(at, "surface")["layout"]
    assert surface["scene"]["xaxis"]["title"]["text"] == "w2′" and "height_ft" in surface["title"]["text"]
    at.radio(key="data_view").set_value("predicted against actual").run()
    data_fig = figure(at, "data")
    assert {"predicted", "diagonal", "residuals"} <= {t.get("uid") for t in data_fig["data"]}


@pytest.mark.parametrize("sample_id", ["cars", "faithful", "trees", "anscombe_1", "anscombe_4"])
def test_a_sample_set_from_a_link_or_the_menu_reaches_its_fit(sample_id):
    for at in (open_app_with({"data": sample_id}), open_app()):
        if "data" not in dict(at.query_params):
            at.selectbox(key="source").set_value(SAMPLE_IDS[sample_id]).run()
        spec = spec_of(at)
        data = gdviz.data.sample(SAMPLE_IDS[sample_id])
        data = data.standardized() if spec["run"]["scaling"] else data
        least = gdviz.loss(data, *gdviz.optimum(data))
        loss = web.decode(spec["timeline"]["loss"])
        assert spec["run"]["diverged_at"] is None and loss[-1] - least <= 0.01 * least
        assert any("reach the least-squares fit" in c.value.replace("\\", "") for c in at.caption)


def test_a_tolerance_not_met_says_did_not_converge():
    at = open_app_with({"tol": "1e-10", "steps": "20"})
    assert any("Did not converge in 20 steps" in w.value for w in at.warning)


def test_gradient_arrows_are_direction_only_by_default_and_true_scale_on_request():
    at = open_app()
    spec = spec_of(at)
    first = step_frame(spec, 100)["traces"]["contour"]["gradients"]
    lengths = lambda tr: np.hypot(np.diff(np.asarray(tr["x"], dtype=float).reshape(-1, 3)[:, :2]).ravel(),  # noqa: E731
                                  np.diff(np.asarray(tr["y"], dtype=float).reshape(-1, 3)[:, :2]).ravel())
    direction = lengths(first)
    at.radio(key="arrows").set_value("true scale").run()
    true = lengths(step_frame(spec_of(at), 100)["traces"]["contour"]["gradients"])
    assert direction.max() / direction.min() < 3  # about one length (in view units)
    assert true[0] > 100 * true[-1]  # they shrink with |∇L| as the run converges
    assert dict(at.query_params)["arrows"] == "true"


def test_unticking_standardise_on_cars_opens_the_raw_valley_on_a_rate_that_shows_it():
    """?data=cars advises to untick "Standardise"; doing so once kept α = 0.45 and diverged at step 3."""
    at = open_app_with({"data": "cars"})
    assert at.checkbox(key="standardise").value and not at.error
    at.checkbox(key="standardise").uncheck().run()
    assert not at.exception and not at.error
    lr = at.session_state["lr"]
    assert lr < 0.45
    said = [i.value.replace("\\", "") for i in at.info]
    assert any("“Standardise” unticked" in text and f"α = {nice(lr)}" in text for text in said), said
    assert spec_of(at)["run"]["diverged_at"] is None and spec_of(at)["run"]["scaling"] is None
