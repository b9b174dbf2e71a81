"""Issue 12's page, headless (Streamlit's AppTest): the Problem choice (linear regression, logistic
regression, four test surfaces), the ridge penalty and the learning-rate schedules, from the menu
and from a link, against the core's own numbers; bad input ends in a sentence, never a traceback or
a NaN. Also gdviz.data.synthetic_classes, the page's two-class synthetic data."""
from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import gdviz
from gdviz import lessons, web
from gdviz.data import BINARY_SAMPLES, sample, synthetic_classes
from gdviz import state
from gdviz.web import frames

from test_app import APP, open_app_with, spec_of

CHALLENGER = next(iter(BINARY_SAMPLES))
SURFACES = ("rosenbrock", "himmelblau", "beale", "saddle")


def figure(spec, name):
    return json.loads(spec["figures"][name])


def trace(fig, uid):
    return next(t for t in fig["data"] if t.get("uid") == uid)


def column(spec, name):
    return web.decode(spec["timeline"][name])


def finite_spec(spec):
    """Every number the browser gets is finite (script_json refuses NaN and inf) and so is every column."""
    web.script_json(spec)
    for name, value in spec["timeline"].items():
        if isinstance(value, dict):
            assert np.isfinite(web.decode(value)).all(), name


def texts(elements):
    return " ".join(e.value for e in elements).replace("\\", "")


# ---- synthetic classes ----
def test_synthetic_classes_are_zeros_and_ones_drawn_from_the_sigmoid():
    a = synthetic_classes(n=4000, weight=2.0, bias=-1.0, seed=5)
    assert set(np.unique(a.y)) == {0.0, 1.0}
    assert np.array_equal(a.X, synthetic_classes(n=4000, weight=2.0, bias=-1.0, seed=5).X)
    assert np.array_equal(a.y, synthetic_classes(n=4000, weight=2.0, bias=-1.0, seed=5).y)
    x = a.X[:, 0]
    for low in (-2.0, -1.0, 0.0, 1.0):  # the share of 1s in a bin is σ(2x − 1) there, within sampling error
        inside = (x >= low) & (x < low + 1.0)
        expected = np.mean(1.0 / (1.0 + np.exp(-(2.0 * x[inside] - 1.0))))
        assert abs(a.y[inside].mean() - expected) < 4 * np.sqrt(0.25 / inside.sum())
    w, _ = gdviz.optimum(a, objective="logistic")  # the maximum-likelihood fit finds the true sigmoid
    assert abs(w[0] - 2.0) < 0.3


def test_synthetic_classes_refuse_bad_settings():
    with pytest.raises(gdviz.DataError):
        synthetic_classes(n=1)
    with pytest.raises(gdviz.DataError):
        synthetic_classes(weight=float("nan"))


# ---- each problem opens, from the menu and from a link ----
@pytest.mark.parametrize("name", list(state.PROBLEMS))
def test_each_problem_opens_from_the_menu(name):
    at = open_app_with({})
    at.selectbox(key="problem").set_value(state.PROBLEMS[name]).run()
    assert not at.exception
    spec = spec_of(at)
    finite_spec(spec)
    assert spec["run"]["objective"] == name
    if name != "mse":  # the address bar is a link to this problem
        assert at.query_params["problem"] in (name, [name])
    if name in SURFACES:
        f = gdviz.test_function(name)
        assert "A test surface has no data" in " ".join(c.value for c in at.caption)
        assert spec["run"]["formula"] == f.formula
        assert (at.number_input(key="w0").value, at.number_input(key="b0").value) == f.start  # its own start
        contour = figure(spec, "contour")
        assert contour["layout"]["xaxis"]["range"] == [f.box[0], f.box[1]]  # its own view box
        assert contour["layout"]["yaxis"]["range"] == [f.box[2], f.box[3]]
        marked = trace(contour, "optimum")
        assert sorted(zip(marked["x"], marked["y"])) == sorted(f.minima or f.stationary)


@pytest.mark.parametrize("name", list(state.PROBLEMS))
def test_each_problem_opens_from_a_link_and_the_link_says_it(name):
    at = open_app_with({"problem": name})
    spec = spec_of(at)
    finite_spec(spec)
    assert spec["run"]["objective"] == name
    assert at.selectbox(key="problem").value == state.PROBLEMS[name]
    if name != "mse":
        assert at.query_params["problem"] in (name, [name])


def test_every_test_surface_marks_its_known_minima_in_3d_too():
    at = open_app_with({"problem": "himmelblau"})
    spec = spec_of(at)
    marked = trace(figure(spec, "surface"), "optimum")
    assert len(marked["x"]) == 4 and "known minim" in marked["name"]
    assert np.allclose(marked["z"], spec["run"]["lift"], atol=1e-9)  # L = 0 at each, lifted like the paths
    saddle = spec_of(open_app_with({"problem": "saddle"}))
    assert "saddle point" in trace(figure(saddle, "contour"), "optimum")["name"]
    assert "sweep" not in saddle["figures"]  # a loss without end: no sweep, and a caption says why


# ---- logistic regression ----
@pytest.fixture(scope="module")
def challenger_app():
    return open_app_with({"problem": "logistic", "data": "challenger"})


def test_logistic_regression_on_the_challenger_launches_reaches_the_cores_optimum(challenger_app):
    at = challenger_app
    spec = spec_of(at)
    data = sample(CHALLENGER)
    fitted = data.standardized() if at.checkbox(key="standardise").value else data
    w_star, b_star = gdviz.optimum(fitted, objective="logistic")
    assert spec["run"]["optimum"] == pytest.approx([w_star[0], b_star], rel=1e-12)
    loss = column(spec, "loss")
    least = float(gdviz.loss(fitted, w_star, b_star, objective="logistic"))
    assert loss[-1] <= least * 1.01  # within 1% of the maximum-likelihood loss
    assert "Least loss L*" in [m.label for m in at.metric]
    # the data view: two classes at 0 and 1, the sigmoid at step k, the boundary at p = 0.5
    fig = figure(spec, "data")
    assert set(trace(fig, "data")["y"]) <= {0.0, 1.0} or set(web.decode(trace(fig, "data")["y"])) <= {0.0, 1.0}
    k = spec["run"]["steps"]
    frame = frames.step_frame(spec, k)["traces"]["data"]
    W, b = column(spec, "W")[k], column(spec, "b")[k]
    curve_x = np.asarray(web.decode(trace(fig, "fit")["x"]) if isinstance(trace(fig, "fit")["x"], dict)
                         else trace(fig, "fit")["x"])
    mean, std = data.X[:, 0].mean(), fitted.scaling[1][0] if fitted is not data else 1.0
    if fitted is not data:
        mean = fitted.scaling[0][0]
        expected = 1.0 / (1.0 + np.exp(-(W[0] * (curve_x - mean) / std + b)))
    else:
        expected = 1.0 / (1.0 + np.exp(-(W[0] * curve_x + b)))
    assert np.allclose(frame["fit"]["y"], expected, rtol=1e-12, atol=1e-15)
    boundary = frame["boundary"]["x"][0]  # p = 0.5 there
    slope, intercept = fitted.to_original_units(W[None, :], np.array([b])) if fitted is not data else (W, b)
    assert float(np.ravel(slope)[0]) * boundary + float(np.ravel(intercept)[0]) == pytest.approx(0.0, abs=1e-9)
    maths = " ".join(str(p) for row in frames.step_frame(spec, 3)["panel"]["rows"] for p in row["parts"])
    assert "σ(" in maths and "log p" in maths and "(1/m) X′ᵀ(p − y)" in maths


def test_logistic_on_synthetic_data_draws_classes():
    at = open_app_with({"problem": "logistic"})
    spec = spec_of(at)
    assert set(column(spec, "y").tolist()) == {0.0, 1.0}
    assert "noise" not in [s.key for s in at.slider]  # the noise knob is not drawn for classes
    assert "true p(x)" in trace(figure(spec, "data"), "truth")["name"]


def test_logistic_on_a_target_that_is_not_zero_or_one_says_so_and_keeps_a_usable_page():
    at = open_app_with({"problem": "logistic", "data": "cars"})
    assert "0s and 1s" in texts(at.error) and "stopping_distance_ft" in texts(at.error)
    spec = spec_of(at)
    finite_spec(spec)
    assert spec["run"]["m"] == sample(CHALLENGER).m  # the 0/1 data in use is kept


def test_the_views_only_linear_regression_explains_are_switched_off_elsewhere():
    at = open_app_with({"problem": "logistic", "pull": "1", "eig": "1"})
    assert at.checkbox(key="pull").disabled and at.checkbox(key="eigen").disabled
    spec = spec_of(at)
    assert not spec["run"]["pull"] and not spec["run"]["eigen"] and "eigen" not in spec["figures"]
    assert not spec["editable"] or spec["run"]["d"] == 1
    assert not spec_of(open_app_with({"problem": "rosenbrock"}))["editable"]


# ---- the ridge penalty ----
def test_the_ridge_penalty_moves_the_optimum_shown_to_the_cores_ridge_optimum():
    at = open_app_with({})
    plain = spec_of(at)["run"]["optimum"]
    at.select_slider(key="l2").set_value(1.0).run()
    assert not at.exception
    spec = spec_of(at)
    data = state.Synthetic().load()
    w_star, b_star = gdviz.optimum(data, l2=1.0)
    assert spec["run"]["optimum"] == pytest.approx([w_star[0], b_star], rel=1e-12)
    assert spec["run"]["optimum"] != pytest.approx(plain)
    contour = figure(spec, "contour")
    with_penalty, without = trace(contour, "optimum"), trace(contour, "optimum-2")
    assert "with the penalty" in with_penalty["name"] and "without the penalty" in without["name"]
    assert [without["x"][0], without["y"][0]] == pytest.approx(plain, rel=1e-12)
    assert "+ 2λw" in " ".join(str(p) for row in frames.step_frame(spec, 0)["panel"]["rows"] for p in row["parts"])
    assert at.query_params["l2"] in ("1", ["1"], "1.0", ["1.0"])


def test_the_penalty_control_is_only_for_the_regressions():
    at = open_app_with({"problem": "beale"})
    assert "l2" not in [s.key for s in at.select_slider]


# ---- learning-rate schedules ----
@pytest.mark.parametrize("text, schedule", [
    ("step:30:0.5", ("step", {"step_size": 30, "gamma": 0.5})),
    ("exponential:0.98", ("exponential", {"gamma": 0.98})),
    ("cosine:100:0", ("cosine", {"T_max": 100, "eta_min": 0.0})),
])
def test_each_schedules_rates_are_the_cores(text, schedule):
    at = open_app_with({"sched": text, "steps": "150"})
    spec = spec_of(at)
    lr, steps = spec["run"]["lr"], spec["run"]["steps"]
    expected = gdviz.learning_rates(lr, schedule, steps)
    assert np.array_equal(column(spec, "alpha")[:-1], expected)
    loss_view = figure(spec, "loss")
    assert trace(loss_view, "lr")["yaxis"] == "y2"
    for k in (0, 40, steps):  # the marker of α_k moves with the step
        now = frames.step_frame(spec, k)["traces"]["loss"]["lr-now"]
        assert now["x"][0] == k and now["y"][0] == column(spec, "alpha")[k]
    assert spec["run"]["schedule"] == gdviz.schedules.describe(schedule)
    assert at.query_params["sched"] in (text, [text])


def test_the_schedule_widgets_drive_the_run():
    at = open_app_with({})
    at.selectbox(key="sched").set_value("exponential").run()
    at.number_input(key="sched_exp_gamma").set_value(0.9).run()
    assert not at.exception
    spec = spec_of(at)
    expected = gdviz.learning_rates(spec["run"]["lr"], ("exponential", {"gamma": 0.9}), spec["run"]["steps"])
    assert np.array_equal(column(spec, "alpha")[:-1], expected)
    at.selectbox(key="sched").set_value("cosine").run()
    assert {"sched_t_max", "sched_eta_min"} <= {n.key for n in at.number_input}


# ---- bad input: a sentence, no traceback, no NaN ----
@pytest.mark.parametrize("params, words", [
    ({"l2": "-1"}, "not a valid ridge penalty"),
    ({"l2": "nan"}, "not a valid ridge penalty"),
    ({"sched": "step:0:0.5"}, "not a valid learning-rate schedule"),
    ({"sched": "exponential:0"}, "not a valid learning-rate schedule"),
    ({"sched": "cosine:-5:0"}, "not a valid learning-rate schedule"),
    ({"sched": "cosine:100:-1"}, "not a valid learning-rate schedule"),
    ({"problem": "banana"}, "not a valid problem"),
])
def test_a_bad_link_value_is_a_note_and_the_default(params, words):
    at = open_app_with(params)
    assert words in texts(at.info).replace("\\", "")
    spec = spec_of(at)
    finite_spec(spec)
    assert spec["run"]["l2"] == 0.0 and spec["run"]["schedule"] is None


def test_an_eta_min_above_the_rate_is_a_sentence_and_a_constant_rate():
    at = open_app_with({"sched": "cosine:100:5"})
    assert "eta_min" in texts(at.warning).replace("\\", "")
    assert spec_of(at)["run"]["schedule"] is None


@pytest.mark.parametrize("name", SURFACES)
def test_a_test_surface_with_an_absurd_learning_rate_diverges_in_a_sentence(name):
    at = open_app_with({"problem": name, "lr": "50"})
    assert "Diverged at step" in texts(at.error)
    spec = spec_of(at)
    finite_spec(spec)
    assert spec["run"]["diverged_at"] is not None
    assert all(m.value not in ("nan", "inf") for m in at.metric)


# ---- lessons carry the new settings ----
def test_a_lesson_scene_may_carry_the_problem_the_penalty_and_the_schedule():
    params = {"problem": "logistic", "l2": "0.1", "sched": "cosine:50:0"}
    assert lessons.check_params(params, "scene 1") == params
    with pytest.raises(lessons.LessonError):
        lessons.check_params({"sched": "cosine:0:0"}, "scene 1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    values, notes = state.decode({name: [value] for name, value in params.items()})
    assert notes == [] and values["problem"] == state.PROBLEMS["logistic"] and values["sched_t_max"] == 50


def test_a_round_trip_through_a_test_surface_keeps_the_data_choice():
    at = open_app_with({"data": "faithful", "l2": "1"})
    at.selectbox(key="problem").set_value(state.PROBLEMS["beale"]).run()
    assert not at.exception and spec_of(at)["run"]["objective"] == "beale"
    at.selectbox(key="problem").set_value(state.PROBLEMS["mse"]).run()
    assert not at.exception
    assert at.selectbox(key="source").value == state.SAMPLE_IDS["faithful"]
    spec = spec_of(at)
    assert spec["run"]["objective"] == "mse" and spec["run"]["m"] == sample(state.SAMPLE_IDS["faithful"]).m
    assert at.select_slider(key="l2").value == 1.0 and spec["run"]["l2"] == 1.0


@pytest.mark.parametrize("name", ["logistic", "beale"])
def test_presenter_mode_carries_the_problem(name):
    at = open_app_with({"problem": name, "present": "1", "sched": "step:10:0.5"})
    spec = spec_of(at)
    assert spec["present"] and spec["run"]["objective"] == name and spec["run"]["schedule"]
    assert "lr-now" in {t.get("uid") for t in figure(spec, "loss")["data"]}


def test_separable_classes_have_no_optimum_and_the_page_says_so():
    at = open_app_with({"problem": "logistic", "n": "10", "w": "5", "b": "0", "offset": "0"})
    assert "no finite optimum" in texts(at.warning)
    spec = spec_of(at)
    finite_spec(spec)
    assert spec["run"]["optimum"] is None and "optimum" not in {t.get("uid") for t in figure(spec, "contour")["data"]}
    assert all(m.value not in ("nan", "inf") for m in at.metric)
