"""The figures carry the run's numbers: checked on fig.data arrays, not on pictures."""
import json

import numpy as np
import pytest

from gdviz import descend, figures, loss_surface, optimum, synthetic, web
from gdviz.surface import readable_steps, view_box


def trace(fig, uid):
    (found,) = [t for t in fig.data if t.uid == uid]
    return found


@pytest.fixture(scope="module")
def scene():
    data = synthetic(n=40, seed=1)
    run = descend(data, lr=0.05, steps=30, w0=[-2.0], b0=3.0)
    w_star, b_star = optimum(data)
    box = view_box(np.append(run.w[:, 0], w_star), np.append(run.b, b_star))
    w_values, b_values = np.linspace(box[0], box[1], 21), np.linspace(box[2], box[3], 17)
    z = loss_surface(data, w_values, b_values)
    line = figures.timeline(run, box)
    return data, run, line, w_values, b_values, z, (w_star[0], b_star, 1.0)


def test_view_box_holds_the_start_the_optimum_and_the_path(scene):
    data, run, line, w_values, b_values, *_ = scene
    w_star, b_star = optimum(data)
    for w, b in [(run.w[0, 0], run.b[0]), (w_star[0], b_star), (run.w[-1, 0], run.b[-1])]:
        assert w_values[0] < w < w_values[-1] and b_values[0] < b < b_values[-1]


def test_gradient_arrows_are_the_scaled_gradient(scene):
    _, run, line, *_ = scene
    np.testing.assert_allclose(line.tip_w - run.w[:, 0], line.arrow_scale * run.grad_w[:, 0])
    np.testing.assert_allclose(line.tip_b - run.b, line.arrow_scale * run.grad_b)
    assert line.arrow_scale > 0


def test_surface_figure_shows_the_path_to_step_k_and_every_gradient(scene):
    data, run, line, w_values, b_values, z, opt = scene
    fig = figures.surface_figure(w_values, b_values, z, line, opt, step=10)
    np.testing.assert_array_equal(trace(fig, "surface").z, z)
    path = trace(fig, "path")
    np.testing.assert_allclose(path.x, run.w[:11, 0])
    np.testing.assert_allclose(path.y, run.b[:11])
    assert path.z[0] > run.loss[0]  # lifted just above the surface
    np.testing.assert_allclose(np.asarray(path.customdata)[:, 3], run.loss[:11])
    arrows = trace(fig, "gradients")  # one trace, None between the segments
    assert len(arrows.x) == 3 * 11 and arrows.x[2] is None and arrows.x[1] == pytest.approx(line.tip_w[0])
    update = trace(fig, "current update")
    assert list(update.x) == pytest.approx([run.w[10, 0], run.w[11, 0]])
    names = {t.name for t in fig.data}
    assert "path" in names and any(n.startswith("gradient ∇L") for n in names)
    assert fig.layout.scene.zaxis.range[1] == pytest.approx(min(z.max(), 3 * run.loss.max()) * 1.02)


def test_contour_figure_equal_scales_and_arrow_heads(scene):
    data, run, line, w_values, b_values, z, opt = scene
    fig = figures.contour_figure(w_values, b_values, z, line, opt, step=5, equal_scales=True)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert figures.contour_figure(w_values, b_values, z, line, opt, step=5).layout.yaxis.scaleanchor is None
    heads = fig.layout.annotations
    assert len(heads) == 2 and heads[1].x == pytest.approx(run.w[6, 0]) and heads[1].ax == pytest.approx(run.w[5, 0])
    assert len(trace(fig, "path").x) == 6


def test_data_figure_draws_the_line_at_step_k_with_residuals(scene):
    data, run, line, *_ = scene
    fig = figures.data_figure(data.X[:, 0], data.y, line, step=7, true_line=(2.0, 1.0))
    fit = trace(fig, "fit")
    x0, x1 = data.X.min(), data.X.max()
    assert list(fit.y) == pytest.approx([run.w[7, 0] * x0 + run.b[7], run.w[7, 0] * x1 + run.b[7]])
    residuals = trace(fig, "residuals")
    assert residuals.y[1] == pytest.approx(run.w[7, 0] * data.X[0, 0] + run.b[7]) and residuals.y[2] is None
    assert trace(fig, "truth").y[0] == pytest.approx(2.0 * x0 + 1.0)


def test_loss_figure_marks_the_step_and_offers_a_log_axis(scene):
    _, run, line, *_ = scene
    fig = figures.loss_figure(line, step=12, log_y=True)
    assert fig.layout.yaxis.type == "log"
    assert list(trace(fig, "current point").x) == [12]
    np.testing.assert_array_equal(trace(fig, "loss").y, run.loss)
    assert "∂L/∂b" in trace(fig, "loss").hovertemplate and "step" in trace(fig, "loss").hovertemplate


def test_a_diverging_run_keeps_readable_axes():
    data = synthetic(n=40, seed=2)
    run = descend(data, lr=5.0, steps=500)
    assert run.diverged_at is not None
    spec = web.lecture_spec(data, run)
    shown = spec["run"]["shown"]
    assert shown == readable_steps(run.loss) and shown < run.steps + 1
    surface = json.loads(spec["figures"]["surface"])
    z_top = surface["layout"]["scene"]["zaxis"]["range"][1]
    assert np.isfinite(z_top) and z_top < 1e4 * run.loss[0]
    for name, text in spec["figures"].items():  # JSON's NaN/Infinity constants must never appear
        json.loads(text, parse_constant=lambda constant: pytest.fail(f"{constant} in the {name} figure"))
    path = next(t for t in surface["data"] if t.get("uid") == "path")
    assert np.isfinite(web.decode(path["z"])).all() and len(web.decode(path["z"])) == shown


def test_the_spec_round_trips_the_trajectory():
    data = synthetic(n=30, seed=3)
    run = descend(data, optimizer="adam", lr=0.1, steps=40)
    spec = web.lecture_spec(data, run, step=5)
    t = spec["timeline"]
    np.testing.assert_array_equal(web.decode(t["W"]), run.w)
    np.testing.assert_array_equal(web.decode(t["grad_b"]), run.grad_b)
    np.testing.assert_allclose(web.decode(t["rmse"]) ** 2, run.loss)
    assert spec["step"] == 5 and spec["run"]["optimizer"] == "adam" and spec["run"]["steps"] == 40
    assert spec["run_id"] != web.lecture_spec(data, descend(data, lr=0.1, steps=40))["run_id"]
    json.dumps(spec)  # all of it travels as JSON
