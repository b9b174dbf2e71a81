"""The figures carry the run's numbers: checked on the figures' data arrays, not on pictures.

The figures are built by web.lecture_spec from frames.step_frame (the moving traces) and the
figure builders (the looks); tests/test_frames.py checks the frames themselves."""
import json

import numpy as np
import pytest

from gdviz import descend, figures, optimum, synthetic, web
from gdviz.surface import readable_steps


def values(v):
    if isinstance(v, dict):
        return web.decode(v)
    return np.asarray([np.nan if x is None else x for x in v], dtype=float) if isinstance(v, list) else v


def trace(fig, uid):
    (found,) = [t for t in fig["data"] if t.get("uid") == uid]
    return found


def figure(spec, name):
    return json.loads(spec["figures"][name])


@pytest.fixture(scope="module")
def scene():
    data = synthetic(n=40, seed=1)
    run = descend(data, lr=0.05, steps=30, w0=[-2.0], b0=3.0)
    return data, run


def test_view_box_holds_the_start_the_optimum_and_the_path(scene):
    data, run = scene
    fig = figure(web.lecture_spec(data, run), "contour")
    (w_lo, w_hi), (b_lo, b_hi) = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    w_star, b_star = optimum(data)
    for w, b in [(run.w[0, 0], run.b[0]), (w_star[0], b_star), (run.w[-1, 0], run.b[-1])]:
        assert w_lo < w < w_hi and b_lo < b < b_hi


def test_gradient_arrows_are_the_scaled_gradient(scene):
    data, run = scene
    spec = web.lecture_spec(data, run)
    scale = spec["run"]["arrow_scale"]
    dw = web.decode(spec["timeline"]["tip_w"]) - run.w[:, 0]
    db = web.decode(spec["timeline"]["tip_b"]) - run.b
    np.testing.assert_allclose(dw * run.grad_b, db * run.grad_w[:, 0], rtol=1e-9, atol=1e-15)  # along ∇L
    assert (np.sign(dw) == np.sign(run.grad_w[:, 0])).all() and scale > 0


def test_surface_figure_shows_the_path_to_step_k_and_every_gradient(scene):
    data, run = scene
    spec = web.lecture_spec(data, run, step=10)
    fig = figure(spec, "surface")
    path = trace(fig, "path")
    np.testing.assert_allclose(values(path["x"]), run.w[:11, 0])
    np.testing.assert_allclose(values(path["y"]), run.b[:11])
    assert values(path["z"])[0] > run.loss[0]  # lifted just above the surface
    np.testing.assert_allclose(values(path["customdata"])[:, 3], run.loss[:11])
    arrows = trace(fig, "gradients")  # one trace, None between the segments
    tip_w = web.decode(spec["timeline"]["tip_w"])
    assert len(arrows["x"]) == 3 * 11 and arrows["x"][2] is None and arrows["x"][1] == pytest.approx(tip_w[0])
    update = trace(fig, "current-update")
    assert list(values(update["x"])) == pytest.approx([run.w[10, 0], run.w[11, 0]])
    names = {t.get("name") for t in fig["data"]}
    assert "path" not in names and any(n and n.startswith("gradient ∇L") for n in names)
    z = values(trace(fig, "surface")["z"])
    assert fig["layout"]["scene"]["zaxis"]["range"][1] == pytest.approx(min(z.max(), 3 * run.loss.max()) * 1.02)


def test_contour_figure_equal_scales_and_arrow_heads(scene):
    data, run = scene
    fig = figure(web.lecture_spec(data, run, step=5, equal_scales=True), "contour")
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x"
    assert "scaleanchor" not in figure(web.lecture_spec(data, run, step=5), "contour")["layout"]["yaxis"]
    heads = fig["layout"]["annotations"]
    assert len(heads) == 2 and heads[1]["ax"] == pytest.approx(run.w[5, 0]) and heads[1]["ay"] == pytest.approx(run.b[5])
    # the update arrow points along θ₆ − θ₅ (direction-only, fixed length); its head is apart from ∇L's
    step = np.array([heads[1]["x"] - heads[1]["ax"], heads[1]["y"] - heads[1]["ay"]])
    true_step = np.array([run.w[6, 0] - run.w[5, 0], run.b[6] - run.b[5]])
    assert step @ true_step == pytest.approx(np.linalg.norm(step) * np.linalg.norm(true_step), rel=1e-9)
    assert (heads[0]["x"], heads[0]["y"]) != pytest.approx((heads[1]["x"], heads[1]["y"]), rel=0.05)
    true = figure(_spec_with_true_arrows(data, run, step=5), "contour")["layout"]["annotations"]
    assert true[1]["x"] == pytest.approx(run.w[6, 0]) and true[1]["y"] == pytest.approx(run.b[6])
    assert heads[0]["arrowcolor"] == figures.GRADIENT and heads[1]["arrowcolor"] == figures.UPDATE
    assert len(values(trace(fig, "path")["x"])) == 6


def _spec_with_true_arrows(data, run, **options):
    """lecture_spec with true-scale arrows (its ``arrows`` keyword where it has one)."""
    import inspect

    from gdviz.web import frames
    if "arrows" in inspect.signature(web.lecture_spec).parameters:
        return web.lecture_spec(data, run, arrows="true", **options)
    original = frames.arrow_scale
    try:
        frames.arrow_scale = lambda *a, **k: original(*a, **{**k, "arrows": "true"})
        return web.lecture_spec(data, run, **options)
    finally:
        frames.arrow_scale = original


def test_data_figure_draws_the_line_at_step_k_with_residuals(scene):
    data, run = scene
    fig = figure(web.lecture_spec(data, run, step=7), "data")
    fit = trace(fig, "fit")
    x0, x1 = data.X.min(), data.X.max()
    assert list(values(fit["y"])) == pytest.approx([run.w[7, 0] * x0 + run.b[7], run.w[7, 0] * x1 + run.b[7]])
    assert fit["name"] == "ŷ = w x + b at step 7"
    residuals = trace(fig, "residuals")
    assert residuals["y"][1] == pytest.approx(run.w[7, 0] * data.X[0, 0] + run.b[7]) and residuals["y"][2] is None
    assert values(trace(fig, "truth")["y"])[0] == pytest.approx(2.0 * x0 + 1.0)


def test_loss_figure_marks_the_step_and_offers_a_log_axis(scene):
    data, run = scene
    fig = figure(web.lecture_spec(data, run, step=12, log_loss=True), "loss")
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert list(values(trace(fig, "current-point")["x"])) == [12]
    np.testing.assert_array_equal(values(trace(fig, "loss")["y"]), run.loss)
    assert "∂L/∂b" in trace(fig, "loss")["hovertemplate"] and "step" in trace(fig, "loss")["hovertemplate"]


def test_names_from_a_file_reach_the_figures_as_text():
    from gdviz import Dataset
    data = Dataset(np.arange(10.0), 2 * np.arange(10.0) + 1, feature_names=["<b>%{y}</b>"], target_name="a&b")
    spec = web.lecture_spec(data, descend(data, lr=0.01, steps=5))
    text = json.dumps([figure(spec, name)["layout"] for name in ("surface", "data")]) + json.dumps(figure(spec, "data")["data"])
    assert "<b>" not in text and "%{y}" not in text and "&lt;b&gt;&#37;{y}&lt;/b&gt;" in text and "a&amp;b" in text


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


def test_the_sweep_keeps_diverged_rates_off_the_log_axis_and_its_labels_apart():
    from gdviz import curvature, sweep
    data = synthetic(n=40, seed=1)
    c = curvature(data)
    rates = np.logspace(-3, 1, 40)
    result = sweep(data, rates, steps=60, w0=[-2.0], b0=3.0)
    assert result.diverged.any()
    fig = figures.sweep_figure(result, c).to_plotly_json()
    final = trace(fig, "final-loss")
    crosses = trace(fig, "diverged")
    assert crosses["yaxis"] == "y3" and list(fig["layout"]["yaxis3"]["range"]) == [0, 1]
    assert set(values(crosses["y"]).tolist()) == {0.965}  # along the top edge, on an axis of their own
    assert set(values(crosses["x"]).tolist()) >= set(rates[result.diverged].tolist())
    low, high = fig["layout"]["yaxis"]["range"]
    finals = values(final["y"]).astype(float)
    assert 10 ** low < finals.min() and finals.max() < 10 ** high < 1e3 * finals.max()  # no 100T axis
    # the highest converged point stays below the crosses' row
    assert (np.log10(finals.max()) - low) / (high - low) < 0.95
    notes = fig["layout"]["annotations"]
    assert [n["xanchor"] for n in notes[:2]] == ["right", "left"] and notes[0]["y"] != notes[1]["y"]
    assert "plain" not in json.dumps(notes)
    adam = figures.sweep_figure(sweep(data, rates, optimizer="adam", steps=60, w0=[-2.0], b0=3.0), c).to_plotly_json()
    text = json.dumps(adam["layout"]["annotations"], ensure_ascii=False)
    assert "α_max = 2/λmax (plain GD)" in text and "plain gradient descent's limits; Adam" in text


def test_legends_under_the_2d_views_sit_in_the_bottom_margin_not_on_the_x_title(scene):
    data, run = scene
    spec = web.lecture_spec(data, run)
    for name in ("contour", "data", "loss"):
        legend = figure(spec, name)["layout"]["legend"]
        assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom"), name


def test_the_3d_view_draws_the_path_over_a_surface_that_covers_the_box_and_ends_below_the_top():
    from gdviz import surface as surfaces
    data = synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2, 2), x_offset=8.0)
    fitted = data.standardized()
    run = descend(fitted, lr=0.1, steps=100, w0=[-3.0], b0=4.0)
    spec = web.lecture_spec(fitted, run, original=data)
    fig = figure(spec, "surface")
    scene, surface = fig["layout"]["scene"], trace(fig, "surface")
    z = values(surface["z"]).reshape(len(values(surface["y"])), len(values(surface["x"])))
    top = scene["zaxis"]["range"][1]
    assert surface["opacity"] == 1.0 and np.nanmax(z) <= top  # nothing cut flat by the axis
    w_values, b_values = values(surface["x"]), values(surface["y"])
    assert w_values[0] < run.w[:, 0].min() and run.w[:, 0].max() < w_values[-1]  # under the whole path
    assert b_values[0] < run.b.min() and run.b.max() < b_values[-1]
    # the path sits above the surface's triangles: the lift beats the chord error between grid points
    path = trace(fig, "path")
    true_z = surfaces.loss_surface(fitted, w_values, b_values)
    lift = spec["run"]["lift"]
    chord = max(np.abs(np.diff(true_z, 2, axis=0)).max(), np.abs(np.diff(true_z, 2, axis=1)).max()) / 4
    assert lift >= chord and np.allclose(values(path["z"]), run.loss[:len(values(path["z"]))] + lift)
    # a standardised weight: one scale for w′ and b; the eye far enough out for the near corner
    assert scene["aspectmode"] == "manual"
    ratio = scene["aspectratio"]
    assert ratio["x"] / ratio["y"] == pytest.approx((w_values[-1] - w_values[0]) / (b_values[-1] - b_values[0]))
    plain = figure(web.lecture_spec(data, descend(data, lr=0.01, steps=20)), "surface")["layout"]["scene"]
    assert plain["aspectmode"] == "cube" and np.linalg.norm(list(plain["camera"]["eye"].values())) > 2.3
    pressed = figures.surface_z(np.array([[0.0, 50.0, 100.0, 1000.0]]), 100.0)
    assert pressed[0, 0] == 0 and pressed[0, 1] == 50 and (np.diff(pressed) > 0).all() and pressed.max() <= 100


def test_equal_scales_follow_standardisation_on_the_contours():
    data = synthetic(n=40, seed=1, x_offset=8.0)
    fitted = data.standardized()
    spec = web.lecture_spec(fitted, descend(fitted, lr=0.1, steps=20), original=data)
    assert figure(spec, "contour")["layout"]["yaxis"]["scaleanchor"] == "x"
    assert "scaleanchor" not in figure(web.lecture_spec(data, descend(data, lr=1e-3, steps=20)), "contour")["layout"]["yaxis"]


def test_pull_and_eigen_draw_their_traces_and_nothing_without_them(scene):
    data, run = scene
    plain = web.lecture_spec(data, run)
    spec = web.lecture_spec(data, run, step=4, pull=True, eigen=True)
    contour, data_fig = figure(spec, "contour"), figure(spec, "data")
    uids = [t.get("uid") for t in contour["data"]]
    for uid in ("pull-over", "pull-under", "pull-mean", "pull-highlight", "eigen-line-1", "eigen-line-2",
                "eigen-label-1", "eigen-label-2"):
        assert uid in uids and figures.UID.match(uid)
    assert uids.index("pull-mean") > uids.index("path")  # the mean over the path
    names = {t["uid"]: t.get("name", "") for t in contour["data"]}
    assert "ŷ > y" in names["pull-over"] and "ŷ < y" in names["pull-under"] and "mean" in names["pull-mean"]
    over, under = trace(contour, "pull-over"), trace(contour, "pull-under")
    assert over["line"]["color"] != under["line"]["color"]
    assert trace(contour, "pull-highlight")["x"] == [] and trace(data_fig, "pull-highlight")["x"] == []
    assert contour["layout"]["annotations"][-1]["arrowwidth"] > contour["layout"]["annotations"][0]["arrowwidth"]
    eigen = figure(spec, "eigen")
    assert all(figures.UID.match(t["uid"]) for t in eigen["data"])
    assert eigen["layout"]["yaxis"]["type"] == "log" and eigen["layout"]["xaxis"]["title"]["text"] == "step"
    assert list(values(trace(eigen, "eigen-now")["x"])) == [4, 4]
    assert "eigen" not in plain["figures"]
    for name in ("contour", "data"):
        assert not any(t.get("uid", "").startswith(("pull", "eigen")) for t in figure(plain, name)["data"])
    assert plain["run"]["pull_rows"] is None and spec["run"]["pull_rows"] == list(range(data.m))


def test_the_eigen_view_states_the_learning_rates_limit_with_the_runs_numbers():
    data = synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2, 2), x_offset=1.0)
    from gdviz import curvature
    top = curvature(data).eigenvalues[-1]
    notes = {}
    for name, lr, extra in (("diverging", 0.4, {}), ("zig-zag", 0.3, {}), ("calm", 0.1, {}),
                            ("momentum", 0.1, {"optimizer": "momentum", "momentum": 0.9})):
        run = descend(data, lr=lr, steps=20, w0=[-3.0], b0=4.0, **extra)
        fig = figure(web.lecture_spec(data, run, eigen=True), "eigen")
        notes[name] = fig["layout"]["annotations"][0]["text"]
    g = lambda v: f"{v:.3g}".replace("-", "−")  # noqa: E731
    assert notes["diverging"] == (f"α = 0.4 &gt; α_max = 2/λ_max = {g(2 / top)}: along the steep direction each step "
                                  f"multiplies the error by 1 − αλ_max = {g(1 - 0.4 * top)}, so it grows")
    assert 1 - 0.4 * top < -1 and -1 < 1 - 0.3 * top < 0 < 1 - 0.1 * top
    assert "zig-zags" in notes["zig-zag"] and g(1 - 0.3 * top) in notes["zig-zag"]
    assert "between 0 and 1" in notes["calm"]
    assert notes["momentum"].endswith(f"αλ_max = {g(0.1 * top)}, 2 + 2μ = 3.8: stable")


@pytest.mark.parametrize("name", ["rosenbrock", "beale"])
def test_a_test_surfaces_3d_view_is_whole_and_its_path_sits_on_it(name):
    """Rosenbrock's path was hidden behind walls pressed flat, Beale's minimum under speckled slabs."""
    from gdviz import surface as surfaces
    from gdviz.test_functions import test_function
    data = test_function(name)
    run = descend(data, lr=5e-4, steps=300, w0=[data.start[0]], b0=data.start[1])
    spec = web.lecture_spec(data, run)
    fig = figure(spec, "surface")
    drawn, scene = trace(fig, "surface"), fig["layout"]["scene"]
    w_values, b_values = values(drawn["x"]), values(drawn["y"])
    loss = surfaces.loss_surface(data, w_values, b_values)
    z = values(drawn["z"]).reshape(loss.shape)
    h = surfaces.heights_for(loss, [run.loss], [0.0])  # the minimum, L = 0, is marked
    assert h.log and scene["zaxis"]["title"]["text"] == "loss (log)"
    np.testing.assert_allclose(z, np.log10(1 + (loss - h.floor) / h.scale), rtol=1e-9)  # whole: nothing pressed
    assert z.max() <= scene["zaxis"]["range"][1]
    lift = spec["run"]["lift"]
    np.testing.assert_allclose(values(trace(fig, "path")["z"]), h(run.loss[:len(values(trace(fig, "path")["z"]))]) + lift)
    assert values(trace(fig, "optimum")["z"]) == pytest.approx([lift])  # L = 0 at the minimum
    assert trace(fig, "surface")["customdata"] is not None  # the hover names the loss, not its height
    ticks = scene["zaxis"]
    assert ticks["tickvals"] == pytest.approx(list(h(np.array([float(t.replace("×10⁵", "e5")) for t in ticks["ticktext"]]))))


def test_the_z_axis_keeps_its_title_clear_of_the_tick_labels():
    data = synthetic(n=40, seed=1, x_offset=8.0)
    fig = figure(web.lecture_spec(data, descend(data, lr=1e-3, steps=20)), "surface")
    axis = fig["layout"]["scene"]["zaxis"]
    low, high = axis["range"]
    assert axis["title"]["text"] == "loss" and len(axis["tickvals"]) >= 3
    assert all(abs(v - (low + high) / 2) > 0.1 * (high - low) for v in axis["tickvals"])  # the title sits mid-axis
    assert all(len(t) <= 4 for t in axis["ticktext"])  # 1.5k, not 1500.00
    assert fig["layout"]["scene"]["domain"]["x"][0] > 0  # room at the left for the title


def test_the_eigen_view_ends_at_float64s_floor_and_says_so():
    data = synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2, 2), x_offset=1.0)
    run = descend(data, lr=0.1, steps=100, w0=[-3.0], b0=4.0)
    fig = figure(web.lecture_spec(data, run, eigen=True), "eigen")
    w_star, b_star = optimum(data)
    from gdviz import curvature
    c0 = np.abs(np.append(run.w[0] - w_star, run.b[0] - b_star) @ curvature(data).eigenvectors)
    floor = np.finfo(np.float64).eps * max(c0.max(), abs(w_star[0]), abs(b_star))
    low, high = fig["layout"]["yaxis"]["range"]
    assert 10 ** low < floor < 10 ** (low + 1)  # the axis ends at the floor, not at 1e-40
    predicted = values(trace(fig, "eigen-predicted-2")["y"])
    assert predicted.min() < floor  # the prediction runs below it: drawn down to the floor, off the axis there
    (line,) = fig["layout"]["shapes"]
    assert line["y0"] == line["y1"] == pytest.approx(floor)
    assert any("float64's floor" in note["text"] for note in fig["layout"]["annotations"])
