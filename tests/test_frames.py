"""The one owner of each step's picture (gdviz.web.frames): the frame at step k is what the figures
draw when built at step k, its numbers are the trajectory's, for every kind of run the page shows.
tests/test_browser_parity.py checks the browser's frames.js against the same step_frame."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

import gdviz
from gdviz import web
from gdviz.web import frames

FRONTEND = Path(web.__file__).parent / "frontend"


def _default_data():
    return gdviz.synthetic(n=60, weights=2.0, bias=-1.0, noise=1.0, seed=0, x_range=(-2, 2), x_offset=1.0)


def _trees():
    return gdviz.data.sample("Black cherry trees: volume from girth and height (2 features)")


def one_feature():
    data = _default_data()
    return data, gdviz.descend(data, lr=0.1, steps=100, w0=[-3.0], b0=4.0), {}


def standardised():
    data = _default_data()
    fitted = data.standardized()
    return fitted, gdviz.descend(fitted, optimizer="momentum", lr=0.1, steps=40), {"original": data}


def two_features():
    data = _trees()
    return data, gdviz.descend(data, optimizer="adam", lr=0.5, steps=80), {"feature": 1}


def two_features_actual():
    data = _trees()
    return data, gdviz.descend(data, lr=1e-4, steps=50), {"data_view": "actual"}


def compared():
    data = _default_data()
    others = (("momentum", gdviz.descend(data, optimizer="momentum", lr=0.1, steps=60, w0=[-3.0], b0=4.0)),
              ("Adam", gdviz.descend(data, optimizer="adam", lr=0.1, steps=100, w0=[-3.0], b0=4.0)))
    return data, gdviz.descend(data, lr=0.1, steps=100, w0=[-3.0], b0=4.0), {"others": others}


def mini_batch():
    data = _default_data()
    return data, gdviz.descend(data, lr=0.1, steps=70, batch_size=8, w0=[-3.0], b0=4.0), {}


def diverged():
    data = _default_data()
    return data, gdviz.descend(data, lr=1.5, steps=100, w0=[-3.0], b0=4.0), {}


def adam():
    data = _default_data()
    return data, gdviz.descend(data, optimizer="adam", lr=0.1, steps=60, w0=[-3.0], b0=4.0), {}


def momentum_mini_batch():
    data = _default_data()
    return data, gdviz.descend(data, optimizer="momentum", lr=0.05, steps=50, batch_size=8, w0=[-3.0], b0=4.0), {}


def pulled():
    data, run, options = one_feature()
    return data, run, {**options, "pull": True, "eigen": True}


def pulled_two_features():
    data, run, options = two_features()
    return data, run, {**options, "pull": True, "eigen": True}


def pulled_many_rows():
    data = gdviz.synthetic(n=500, weights=[1.0, -2.0], bias=0.5, noise=1.0, seed=7, x_offset=2.0)
    return data, gdviz.descend(data, lr=0.05, steps=60, batch_size=50, w0=[-1.0, 1.0], b0=2.0), \
        {"pull": True, "eigen": True, "feature": 1}


def pulled_diverged():
    data, run, options = diverged()
    return data, run, {**options, "pull": True, "eigen": True}


def pulled_standardised():
    data, run, options = standardised()
    return data, run, {**options, "pull": True, "eigen": True, "arrows": "true"}


PULL_CASES = {"pull and eigen": pulled, "pull and eigen, two features": pulled_two_features,
              "pull and eigen, many rows": pulled_many_rows, "pull and eigen, diverged": pulled_diverged,
              "pull and eigen, standardised": pulled_standardised}

def _challenger():
    return gdviz.data.sample(next(iter(gdviz.data.BINARY_SAMPLES)))


def logistic():
    data = gdviz.data.synthetic_classes(n=80, weight=2.0, bias=-1.0, seed=2, x_offset=1.0)
    return data, gdviz.descend(data, objective="logistic", lr=0.5, steps=80, w0=[-2.0], b0=2.0), {}


def logistic_standardised_compared():
    data = _challenger()
    fitted = data.standardized()
    maths = dict(objective="logistic", steps=60, l2=0.05)
    others = (("Adam", gdviz.descend(fitted, optimizer="adam", lr=0.3, **maths)),)
    return fitted, gdviz.descend(fitted, lr=3.0, schedule=("exponential", {"gamma": 0.97}), **maths), \
        {"original": data, "others": others}


def logistic_two_features():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 2))
    y = (rng.uniform(size=50) < 1 / (1 + np.exp(-(X @ [1.5, -1.0] + 0.3)))).astype(float)
    data = gdviz.Dataset(X, y)
    return data, gdviz.descend(data, objective="logistic", optimizer="momentum", lr=0.3, steps=40), {}


def ridge_step_schedule():
    data = _default_data()
    return data, gdviz.descend(data, lr=0.1, steps=90, w0=[-3.0], b0=4.0, l2=1.0,
                               schedule=("step", {"step_size": 20, "gamma": 0.5})), {}


def rosenbrock_compared():
    f = gdviz.test_function("rosenbrock")
    others = (("GD", gdviz.descend(f, lr=0.001, steps=300, w0=[-1.2], b0=1.0)),)
    return f, gdviz.descend(f, optimizer="adam", lr=0.05, steps=300, w0=[-1.2], b0=1.0), {"others": others}


def himmelblau_cosine():
    f = gdviz.test_function("himmelblau")
    return f, gdviz.descend(f, lr=0.01, steps=120, w0=[0.0], b0=0.0, schedule=("cosine", {"T_max": 60})), {}


def saddle_diverged():
    f = gdviz.test_function("saddle")
    return f, gdviz.descend(f, lr=0.3, steps=100, w0=[1.5], b0=0.05), {}


PROBLEM_CASES = {"logistic": logistic, "logistic, standardised, penalty, schedule, compared": logistic_standardised_compared,
                 "logistic, two features": logistic_two_features, "ridge, step schedule": ridge_step_schedule,
                 "rosenbrock, adam vs gd": rosenbrock_compared, "himmelblau, cosine": himmelblau_cosine,
                 "saddle, diverged": saddle_diverged}

CASES = {**PULL_CASES, **PROBLEM_CASES, "adam": adam, "momentum, mini-batch": momentum_mini_batch, "one feature": one_feature, "standardised": standardised, "two features": two_features,
         "two features, predicted against actual": two_features_actual, "compared runs": compared,
         "mini-batch": mini_batch, "diverged": diverged}


def spec_of(case: str, step=None) -> dict:
    data, run, options = CASES[case]()
    return web.lecture_spec(data, run, step=step, **options)


def steps_of(spec) -> list[int]:
    last, shown = spec["run"]["last"], spec["run"]["shown"]
    return sorted({0, 1, 3, shown - 1, min(shown, last), last // 2, max(last - 1, 0), last})


def values(v):
    if isinstance(v, dict) and "bdata" in v:
        return web.decode(v)
    return v


def assert_same(a, b, where=""):
    """Equal structure; numbers equal to 1e-12 relative (None where the other has None)."""
    a, b = frames.jsonable(a), frames.jsonable(b)
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths {len(a)} != {len(b) if isinstance(b, list) else b}"
        if a and all(isinstance(v, (int, float)) or v is None for v in a + b):
            x = np.array([np.nan if v is None else v for v in a], dtype=float)
            y = np.array([np.nan if v is None else v for v in b], dtype=float)
            assert (np.isnan(x) == np.isnan(y)).all(), f"{where}: None in different places"
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, equal_nan=True, err_msg=where)
        else:
            for i, (u, v) in enumerate(zip(a, b)):
                assert_same(u, v, f"{where}[{i}]")
    elif isinstance(a, (int, float)) and not isinstance(a, bool) and a is not None:
        assert b is not None and b == pytest.approx(a, rel=1e-12, abs=0), f"{where}: {a} != {b}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


@pytest.mark.parametrize("case", list(CASES))
def test_the_frame_at_k_is_what_the_figures_draw_at_k(case):
    data, run, options = CASES[case]()
    views = frames.views_of_spec(web.lecture_spec(data, run, **options))
    for k in steps_of(web.lecture_spec(data, run, **options))[::2]:
        spec = web.lecture_spec(data, run, step=k, **options)
        frame = frames.step_frame(views, k)
        for view, traces in frame["traces"].items():
            figure = json.loads(spec["figures"][view])
            by_uid = {t.get("uid"): t for t in figure["data"]}
            for uid, attrs in traces.items():
                assert uid in by_uid, f"{case}: no trace {uid!r} in the {view} figure"
                for attr, value in attrs.items():
                    assert_same(values(by_uid[uid][attr]), value, f"{case} k={k} {view}/{uid}.{attr}")
        for view, annotations in frame["annotations"].items():
            assert_same(json.loads(spec["figures"][view])["layout"].get("annotations", []), annotations,
                        f"{case} k={k} {view} arrows")


@pytest.mark.parametrize("case", list(CASES))
def test_a_spec_and_its_views_give_the_same_frame(case):
    data, run, options = CASES[case]()
    spec = web.lecture_spec(data, run, **options)
    for k in steps_of(spec):
        assert_same(frames.step_frame(spec, k), frames.step_frame(frames.views_of_spec(spec), k), f"{case} k={k}")


def test_the_numbers_are_the_trajectory():
    data, run, _ = one_feature()
    spec = web.lecture_spec(data, run)
    w_star, b_star = gdviz.optimum(data)
    for k in (0, 5, 99, 100):
        frame = frames.step_frame(spec, k)
        contour, loss = frame["traces"]["contour"], frame["traces"]["loss"]
        np.testing.assert_array_equal(contour["path"]["x"], run.w[:k + 1, 0])
        np.testing.assert_array_equal(contour["path"]["y"], run.b[:k + 1])
        np.testing.assert_array_equal(contour["path"]["customdata"],
                                      np.column_stack([np.arange(k + 1), run.w[:k + 1, 0], run.b[:k + 1],
                                                       run.loss[:k + 1], run.grad_w[:k + 1, 0], run.grad_b[:k + 1]]))
        assert list(loss["current-point"]["y"]) == [run.loss[k]] and list(loss["current-point"]["x"]) == [k]
        fit = frame["traces"]["data"]["fit"]["y"]
        x = web.decode(spec["timeline"]["x"])
        np.testing.assert_allclose(fit, [run.w[k, 0] * x.min() + run.b[k], run.w[k, 0] * x.max() + run.b[k]], rtol=1e-12)
        np.testing.assert_allclose(frame["traces"]["data"]["residuals"]["y"][1::3].astype(float), data.X[:, 0] * run.w[k, 0] + run.b[k],
                                   rtol=1e-12)
        metrics = {m["label"]: m["value"] for m in frame["panel"]["metrics"]}
        assert metrics["w"] == run.w[k, 0] and metrics["b"] == run.b[k] and metrics["loss L"] == run.loss[k]
        assert metrics["|∇L|"] == pytest.approx(np.hypot(run.grad_w[k, 0], run.grad_b[k]), rel=1e-14)
        assert metrics["distance to optimum"] == pytest.approx(np.hypot(run.w[k, 0] - w_star[0], run.b[k] - b_star), rel=1e-14)
        assert metrics["RMSE"] == pytest.approx(np.sqrt(run.loss[k]), rel=1e-15)
        rows = frame["panel"]["rows"]
        numbers = [p["n"] for row in rows for p in row["parts"] if isinstance(p, dict) and "n" in p]
        if k < run.steps:  # w ← w − α ∂L/∂w = w_k − α × g_k = w_k+1
            assert [run.w[k, 0], 0.1, run.used_grad_w[k, 0], run.w[k + 1, 0]] == numbers[-8:-4]
            assert not any("no update follows" in str(row) for row in rows)
        else:
            assert any("no update follows" in str(row) for row in rows)


def _numbers(row):
    """A panel row's numbers in order: scalars, and vectors as arrays."""
    return [np.array(p["vec"]) if "vec" in p else p["n"] for p in row["parts"] if isinstance(p, dict) and ("n" in p or "vec" in p)]


def _state_rows(frame):
    return [row for row in frame["panel"]["rows"] if row["cls"] in ("s", "u")]


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_the_panel_writes_each_optimizers_update_out_so_it_can_be_checked_by_hand(optimizer):
    """Every substituted number is the run's, and the update rule written out again (PyTorch's
    documented rules) on the numbers shown gives the state and the next θ shown."""
    data = gdviz.synthetic(n=40, weights=[1.5, -2.0], bias=0.5, noise=0.5, seed=4)
    run = gdviz.descend(data, optimizer=optimizer, lr=0.05, steps=30, batch_size=10, w0=[0.5, 0.5], b0=-1.0)
    spec = web.lecture_spec(data, run)
    h = run.settings
    for k in (0, 1, 7, 29):
        rows = _state_rows(frames.step_frame(spec, k))
        theta, theta_next = np.append(run.w[k], run.b[k]), np.append(run.w[k + 1], run.b[k + 1])
        g = np.append(run.used_grad_w[k], run.used_grad_b[k])
        nums = [_numbers(row) for row in rows]
        np.testing.assert_array_equal(nums[-1][0], theta)
        np.testing.assert_array_equal(nums[-1][-1], theta_next)
        lr = nums[-1][1]
        assert lr == 0.05
        if optimizer in ("momentum", "nesterov"):
            mu, v_prev, g_shown, v = nums[0]
            assert mu == h["momentum"] and (g_shown == g).all()
            np.testing.assert_allclose(v, mu * v_prev + g_shown, rtol=1e-12)
            step = v if optimizer == "momentum" else nums[-1][2] + nums[-1][3] * nums[-1][4]
            np.testing.assert_allclose(theta_next, theta - lr * step, rtol=1e-12, atol=1e-15)
        elif optimizer in ("adagrad", "rmsprop"):
            if optimizer == "adagrad":
                s_prev, g_shown, s_now = nums[0]
                np.testing.assert_allclose(s_now, s_prev + g_shown ** 2, rtol=1e-12)
            else:
                a, s_prev, a_again, g_shown, s_now = nums[0]
                assert a == a_again == h["alpha"]
                np.testing.assert_allclose(s_now, a * s_prev + (1 - a) * g_shown ** 2, rtol=1e-12)
            _, _, g_again, s_again, eps = nums[-1][:5]
            assert eps == h["eps"] and (g_again == g).all() and (s_again == s_now).all()
            np.testing.assert_allclose(theta_next, theta - lr * g / (np.sqrt(s_now) + eps), rtol=1e-12, atol=1e-15)
        else:
            b1, m_prev, _, g_shown, m = nums[0]
            b2, v_prev, _, _, v = nums[1]
            t, m_again, bias1, m_hat = nums[2]
            v_again, bias2, v_hat = nums[3]
            assert (b1, b2, t) == (*h["betas"], k + 1) and (g_shown == g).all()
            np.testing.assert_allclose(m, b1 * m_prev + (1 - b1) * g, rtol=1e-12)
            np.testing.assert_allclose(v, b2 * v_prev + (1 - b2) * g ** 2, rtol=1e-12)
            assert bias1 == pytest.approx(1 - b1 ** t, rel=1e-15) and bias2 == pytest.approx(1 - b2 ** t, rel=1e-15)
            np.testing.assert_allclose(m_hat, m / bias1, rtol=1e-12)
            np.testing.assert_allclose(v_hat, v / bias2, rtol=1e-12)
            eps = nums[-1][4]
            np.testing.assert_allclose(theta_next, theta - lr * m_hat / (np.sqrt(v_hat) + eps), rtol=1e-12, atol=1e-15)


def test_the_panel_brackets_negative_substitutions_and_primes_standardised_weights():
    data, run, options = standardised()
    spec = web.lecture_spec(data, run, **options)
    text = json.dumps(frames.step_frame(spec, 3)["panel"], ensure_ascii=False)
    assert "∂L/∂w′" in text and "ŷ = X′w′ + b" in text
    data, run, _ = one_feature()
    rows = frames.step_frame(web.lecture_spec(data, run), 0)["panel"]["rows"]
    update = next(row for row in rows if row["cls"] == "u")
    grad = next(p for p in update["parts"] if isinstance(p, dict) and p.get("n") == run.used_grad_w[0, 0])
    assert grad["n"] < 0 and grad.get("paren") is True  # × (−14.428)
    panel = (FRONTEND / "panel.js").read_text(encoding="utf-8")
    assert 'part.paren && part.n < 0 ? ["(", number(part.n), ")"]' in panel


def test_several_features_write_the_vector_update_out():
    data, run, _ = two_features_actual()
    rows = frames.step_frame(web.lecture_spec(data, run), 4)["panel"]["rows"]
    update = next(row for row in rows if row["cls"] == "u")
    W, lr, g, W_next = _numbers(update)
    np.testing.assert_array_equal(W, run.w[4])
    np.testing.assert_array_equal(g, run.used_grad_w[4])
    np.testing.assert_allclose(W_next, W - lr * g, rtol=1e-12)
    np.testing.assert_array_equal(W_next, run.w[5])


def test_a_diverged_run_stops_the_views_at_the_last_step_in_view():
    data, run, _ = diverged()
    spec = web.lecture_spec(data, run)
    shown = spec["run"]["shown"]
    assert run.diverged_at is not None and shown < run.steps + 1
    late = frames.step_frame(spec, run.steps)
    assert len(late["traces"]["surface"]["path"]["x"]) == shown  # the views stop at the last step in view
    update = late["traces"]["contour"]["current-point"]["x"]
    assert list(update) == [run.w[shown - 1, 0]]
    assert list(late["traces"]["loss"]["current-point"]["x"]) == [run.steps]  # the loss view goes on
    assert all(np.isfinite(v) for v in late["traces"]["surface"]["path"]["z"])
    assert late["traces"]["surface"]["current-update"]["x"][1] == run.w[shown - 1, 0]  # no arrow off the chart
    for k in range(run.steps + 1):
        panel = frames.jsonable(frames.step_frame(spec, k)["panel"])
        assert "nan" not in json.dumps(panel).lower() and "infinity" not in json.dumps(panel).lower()


def test_mini_batch_arrows_are_the_gradient_each_update_used():
    data, run, _ = mini_batch()
    spec = web.lecture_spec(data, run)
    scale = spec["run"]["arrow_scale"]
    frame = frames.step_frame(spec, 6)
    arrows = frame["traces"]["contour"]["batch-gradients"]
    assert len(arrows["x"]) == 3 * 6  # one arrow for each update made before step 6
    span_w, span_b = _spans(spec)
    dw = arrows["x"][1::3].astype(float) - run.w[:6, 0]
    db = arrows["y"][1::3].astype(float) - run.b[:6]
    # direction-only arrows (the default): along the gradient each update used, all one length in the view
    np.testing.assert_allclose(dw * run.used_grad_b[:6], db * run.used_grad_w[:6, 0], rtol=1e-9, atol=1e-12)
    assert (np.sign(dw) == np.sign(run.used_grad_w[:6, 0])).all()
    np.testing.assert_allclose(np.hypot(dw / span_w, db / span_b), frames.DIRECTION_FRACTION, rtol=1e-12)
    # the panel: the full gradient, then the mini-batch gradient the update used, labelled, then the update
    rows = [json.dumps(row, ensure_ascii=False) for row in frame["panel"]["rows"]]
    full = next(i for i, row in enumerate(rows) if "full-data ∂L/∂b" in row)
    batch = next(i for i, row in enumerate(rows) if "the 8 rows this update used" in row)
    update = next(i for i, row in enumerate(rows) if "b ← b − α g_b" in row)
    assert full < batch < update
    parts = frame["panel"]["rows"][batch]["parts"]
    assert [p["n"] for p in parts if isinstance(p, dict) and "n" in p] == [run.used_grad_b[6]]
    assert [p["vec"] for p in parts if isinstance(p, dict) and "vec" in p] == [[run.used_grad_w[6, 0]]]
    numbers = [p["n"] for p in frame["panel"]["rows"][update]["parts"] if isinstance(p, dict) and "n" in p]
    assert numbers == [run.b[6], 0.1, run.used_grad_b[6], run.b[7]]  # b_k − α × g_b = b_k+1


def _spans(spec):
    w_values, b_values = (web.decode(spec["run"]["slice"][key]) for key in ("w_values", "b_values")) \
        if spec["run"].get("slice") else (None, None)
    figure = json.loads(spec["figures"]["contour"])
    (w0, w1), (b0, b1) = figure["layout"]["xaxis"]["range"], figure["layout"]["yaxis"]["range"]
    return w1 - w0, b1 - b0


def test_arrows_are_direction_only_by_default_and_true_scale_on_request():
    data, run, _ = one_feature()
    box = gdviz.surface.view_box(run.w[:, 0], run.b)
    spans = (box[1] - box[0], box[3] - box[2])
    for mode in ("direction", "true"):
        scale = frames.arrow_scale(run, box, feature=0, shown=run.steps + 1, arrows=mode)
        assert scale.mode == mode and scale.spans == spans
        columns = frames.main_columns(data, run, feature=0, scale=scale, lift=0.0, optimum=gdviz.optimum(data))
        dw, db = columns["tip_w"] - run.w[:, 0], columns["tip_b"] - run.b
        length = np.hypot(dw / spans[0], db / spans[1])
        if mode == "direction":  # every arrow the same length, along ∇L, late steps as visible as early ones
            np.testing.assert_allclose(length, frames.DIRECTION_FRACTION, rtol=1e-12)
            np.testing.assert_allclose(dw * run.grad_b, db * run.grad_w[:, 0], rtol=1e-9, atol=1e-15)
            step = np.hypot(columns["step_tip_w"][:-1] - run.w[:-1, 0], columns["step_tip_b"][:-1] - run.b[:-1])
            assert (step > 0).all()
        else:  # ∇L × scale, and arrows too short to draw apart are left out (tip at the point)
            drawn = length > 0
            np.testing.assert_allclose(dw[drawn], float(scale) * run.grad_w[drawn, 0], rtol=1e-12)
            assert drawn[0] and not drawn[-1]
            assert (length[drawn] >= frames.MIN_FRACTION * (1 - 1e-12)).all()
            assert float(scale) * np.hypot(run.grad_w[~drawn, 0] / spans[0], run.grad_b[~drawn] / spans[1]).max() \
                < frames.MIN_FRACTION
    assert frames.arrow_scale(run, box, feature=0, shown=3, arrows="true").__reduce__()[1][2] == "true"
    import pickle
    again = pickle.loads(pickle.dumps(frames.arrow_scale(run, box, feature=0, shown=3, arrows="true")))
    assert again.mode == "true" and again.spans == spans
    with pytest.raises(ValueError):
        frames.arrow_scale(run, box, feature=0, shown=3, arrows="big")


def test_compared_runs_follow_their_own_clocks():
    data, run, options = compared()
    spec = web.lecture_spec(data, run, **options)
    momentum = options["others"][0][1]
    frame = frames.step_frame(spec, 80)  # past the momentum run's 60 steps
    assert len(frame["traces"]["surface"]["other-path-1"]["x"]) == 61
    assert list(frame["traces"]["loss"]["other-point-1"]["x"]) == [60]
    assert list(frame["traces"]["loss"]["other-point-2"]["x"]) == [80]
    ends = frame["traces"]["data"]["other-fit-1"]["y"]
    x = web.decode(spec["timeline"]["x"])
    np.testing.assert_allclose(ends, momentum.w[60, 0] * np.array([x.min(), x.max()]) + momentum.b[60], rtol=1e-12)


def test_two_features_redraw_the_slice_through_the_other_weight():
    data, run, options = two_features()
    spec = web.lecture_spec(data, run, **options)
    w_values, b_values = (web.decode(spec["run"]["slice"][key]) for key in ("w_values", "b_values"))
    for k in (0, 10, 80):
        frame = frames.step_frame(spec, k)
        drawn = frame["traces"]["surface"]["surface"]["z"]
        z = gdviz.loss_surface(data, w_values, b_values, feature=1, weights=run.w[k])
        cap = frames.SLICE_CAP * web.decode(spec["timeline"]["z"])[:spec["run"]["shown"]].max()
        knee = cap - 0.08 * (cap - z.min())
        np.testing.assert_allclose(drawn[z <= knee], z[z <= knee], rtol=1e-9)  # the loss itself up to the rim
        assert (drawn <= cap).all() and (np.diff(drawn, axis=1)[np.diff(z, axis=1) > 0] >= 0).all()  # below the cap, same order
        np.testing.assert_allclose(frame["traces"]["contour"]["contours"]["z"], np.log10(z + 1e-300), rtol=1e-9)
        yhat = frame["traces"]["data"]["predicted"]["y"]
        np.testing.assert_allclose(yhat, data.X @ run.w[k] + run.b[k], rtol=1e-12)
        vec = next(p["vec"] for row in frame["panel"]["rows"] for p in row["parts"] if isinstance(p, dict) and "vec" in p)
        assert vec == list(run.w[k])


def test_the_page_at_defaults_stays_small():
    data, run, _ = one_feature()
    assert len(json.dumps(web.lecture_spec(data, run))) < 0.3e6


# ---------------------------------------------------------------- the script modules

MODULES = [FRONTEND / name for name in web.MODULES]


def test_the_modules_put_text_in_the_page_as_text_only():
    for path in [FRONTEND / "index.html", *MODULES, Path(web.__file__), Path(frames.__file__)]:
        text = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{sink} in {path.name}"


def test_the_looks_travel_in_the_spec_not_in_the_scripts():
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"#[0-9a-fA-F]{6}\b|rgba?\(|\.(width|size|color)\s*=(?!=)", text), path.name
        assert not re.search(r"arrow(head|size|width|color)", text), path.name
    data, run, _ = compared()
    spec = web.lecture_spec(data, run, others=compared()[2]["others"])
    assert spec["looks"]["colours"]["grad"] == gdviz.figures.GRADIENT
    assert [other["colour"] for other in spec["others"]] == list(gdviz.figures.RUN_COLOURS[1:3])
    assert spec["frames"]["annotations"][0]["arrows"][0]["style"] == gdviz.figures.ARROW_STYLES["grad"]


def test_no_module_can_close_its_script_element():
    for path in MODULES:
        text = path.read_text(encoding="utf-8").lower()
        assert "</script" not in text and "<!--" not in text and "<script" not in text, path.name
    with pytest.raises(ValueError):
        web.inline_script("const a = '<!--';")
    assert web.inline_script("const a = '</script>';") == "<script>const a = '<\\/script>';</script>"


def test_the_modules_are_small_functions_with_no_global_state():
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        top = [line for line in text.splitlines() if re.match(r"^(const|let|var) ", line)]
        assert len(top) <= 1 and all(re.match(r"^const [A-Z][a-zA-Z]* = \(\(\) => \{$", line) for line in top), \
            f"{path.name}: top-level bindings {top}"
        for name, body in _functions(text):
            assert body <= 40, f"{path.name}: {name} is {body} lines long"


def _functions(text: str):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        found = re.match(r"^(\s*)function (\w+)", line)
        if found:
            indent = found.group(1)
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(indent + "}"))
            yield found.group(2), end - i + 1


def test_the_component_folder_serves_every_module_and_its_name_covers_them(tmp_path, monkeypatch):
    folder = Path(web.component_dir())
    for path in [FRONTEND / "index.html", *MODULES]:
        assert (folder / path.name).read_bytes() == path.read_bytes()
        assert path.name == "index.html" or f'<script src="{path.name}"></script>' in (FRONTEND / "index.html").read_text()
    copy = tmp_path / "frontend"
    copy.mkdir()
    for path in [FRONTEND / "index.html", *MODULES]:
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "panel.js").write_text((copy / "panel.js").read_text() + "\n// changed\n")
    monkeypatch.setattr(web, "FRONTEND", copy)
    assert Path(web.component_dir()).name != folder.name


def test_the_export_inlines_every_module_once():
    data, run, _ = one_feature()
    page = web.standalone_html(web.lecture_spec(data, run, step=3))
    assert '<script src="' not in page
    for path in MODULES:
        assert page.count(path.read_text(encoding="utf-8")) == 1, path.name


# ---------------------------------------------------------------- each example's pull, the eigen-directions

def _tips(frame):
    """The pull arrows' tips drawn at a frame (both signs; point 3i + 1 of each trace) and their rows."""
    contour = frame["traces"]["contour"]
    tips = {}
    for uid in ("pull-over", "pull-under"):
        x, y = (np.asarray(contour[uid][a], dtype=object) for a in ("x", "y"))
        for i in range(len(x) // 3):
            if x[3 * i + 1] is not None:
                assert i not in tips, f"row {i} drawn in both colours"
                tips[i] = (float(x[3 * i + 1]), float(y[3 * i + 1]))
    return tips


@pytest.mark.parametrize("case", ["pull and eigen", "pull and eigen, standardised", "pull and eigen, two features"])
def test_the_mean_of_the_pulls_is_the_bold_arrow_and_each_pull_is_its_examples_gradient(case):
    data, run, options = PULL_CASES[case]()
    spec = web.lecture_spec(data, run, **options)
    f = options.get("feature", 0)
    scales = web.decode(spec["timeline"]["pull_scale"])
    span_w, span_b = _spans(spec)
    for k in (0, 1, 5, 20, run.steps):
        frame = frames.step_frame(spec, k)
        tips = _tips(frame)
        assert sorted(tips) == list(range(data.m))  # every example drawn (m ≤ 200), each once
        s = scales[k]
        Gw, gb = gdviz.example_gradients(data, run.w[k], run.b[k])  # the core's own, from the rows
        for i, (tw, tb) in tips.items():  # each arrow is its example's −gradient × the common factor
            assert tw == pytest.approx(run.w[k, f] - s * Gw[i, f], rel=1e-9, abs=1e-9 * span_w)
            assert tb == pytest.approx(run.b[k] - s * gb[i], rel=1e-9, abs=1e-9 * span_b)
        # the mean of the thin arrows' tips is the bold arrow's tip, −s ∇L from the point
        mean = np.array(list(tips.values())).mean(axis=0)
        bold = frame["traces"]["contour"]["pull-mean"]
        (x0, x1), (y0, y1) = bold["x"], bold["y"]
        assert (x0, y0) == (run.w[k, f], run.b[k])
        gw, gb_ = gdviz.gradient(data, run.w[k], run.b[k])
        np.testing.assert_allclose([x1, y1], [run.w[k, f] - s * gw[f], run.b[k] - s * gb_], rtol=1e-9, atol=1e-9 * span_w)
        np.testing.assert_allclose(mean, [x1, y1], rtol=1e-9, atol=1e-9 * max(span_w, span_b))
        arrow = frame["annotations"]["contour"][-1]  # drawn bold, over the other arrows
        assert (arrow["x"], arrow["y"], arrow["ax"], arrow["ay"]) == (x1, y1, x0, y0)
        # one factor: the ∇L arrow's own length, unless the longest pull would pass PULL_FRACTION of the view
        own = (web.decode(spec["timeline"]["tip_w"])[k] - run.w[k, f]) / run.grad_w[k, f]
        longest = max(np.hypot((tw - x0) / span_w, (tb - y0) / span_b) for tw, tb in tips.values())
        assert longest <= frames.PULL_FRACTION * (1 + 1e-9)
        if spec["run"]["arrow_scale"].mode == "direction":
            assert s == pytest.approx(own, rel=1e-9) or longest == pytest.approx(frames.PULL_FRACTION, rel=1e-9)
            assert s <= own * (1 + 1e-12)


def test_the_first_step_pulls_at_the_gradient_arrows_length():
    data, run, options = pulled()
    spec = web.lecture_spec(data, run, **options)
    frame = frames.step_frame(spec, 0)
    span_w, span_b = _spans(spec)
    (x0, x1), (y0, y1) = frame["traces"]["contour"]["pull-mean"]["x"], frame["traces"]["contour"]["pull-mean"]["y"]
    grad = frame["annotations"]["contour"][0]  # the ∇L arrow: the same length, the other way
    assert np.hypot((x1 - x0) / span_w, (y1 - y0) / span_b) == pytest.approx(frames.DIRECTION_FRACTION, rel=1e-9)
    np.testing.assert_allclose([x1 - x0, y1 - y0], [grad["ax"] - grad["x"], grad["ay"] - grad["y"]], rtol=1e-9)


def test_many_rows_draw_a_fixed_subset_of_the_rows_the_data_view_draws():
    data, run, options = pulled_many_rows()
    spec = web.lecture_spec(data, run, **options)
    drawn = spec["run"]["pull_rows"]
    assert len(drawn) == frames.MAX_PULLS and drawn == sorted(set(drawn)) and drawn[-1] < data.m
    assert drawn == [int(i) for i in frames.pull_rows(data.m)]  # fixed: the same rows at every step and run
    rows = web.display_rows(data.m)[drawn]
    np.testing.assert_array_equal(web.decode(spec["timeline"]["pull_X"]), data.X[rows])
    contour = json.loads(spec["figures"]["contour"])
    over = next(t for t in contour["data"] if t.get("uid") == "pull-over")
    np.testing.assert_array_equal(values(over["customdata"])[1::3], rows)  # hover names the data's row
    assert f"{frames.MAX_PULLS} of {data.m} drawn" in over["name"]
    assert len(_tips(frames.step_frame(spec, 10))) == frames.MAX_PULLS


def test_a_long_run_with_many_rows_sends_no_rows_times_steps_numbers():
    data = gdviz.synthetic(n=5000, weights=[1.0, -2.0], bias=0.5, noise=1.0, seed=8)
    run = gdviz.descend(data, lr=0.05, steps=2000, w0=[-1.0, 1.0], b0=2.0)
    plain = len(json.dumps(web.lecture_spec(data, run)))
    pulled_size = len(json.dumps(web.lecture_spec(data, run, pull=True, eigen=True)))
    assert pulled_size - plain < 0.6e6  # per step a few numbers, per row drawn a few: not 5000 × 2001


@pytest.mark.parametrize("case", ["pull and eigen", "pull and eigen, two features", "pull and eigen, standardised"])
def test_the_panel_unfolds_the_sum_with_the_gradients_numbers(case):
    from conftest import direct_gradient
    data, run, options = PULL_CASES[case]()
    spec = web.lecture_spec(data, run, **options)
    m, d = data.m, data.d
    for k in (0, 3, run.steps):
        rows = frames.step_frame(spec, k)["panel"]["rows"]
        text = [json.dumps(row, ensure_ascii=False) for row in rows]
        residual_row = next(row for row, t in zip(rows, text) if "r = ŷ − y = [" in t)
        shape_row = next(row for row, t in zip(rows, text) if "(d×m)(m×1) = d×1" in t)
        assert f"({d}×{m})({m}×1) = {d}×1, the same shape as" in json.dumps(shape_row, ensure_ascii=False)
        mean_w = next(row for row, t in zip(rows, text) if "(2/m) X" in t and "ᵀr = " in t and "×" in t)
        mean_b = next(row for row, t in zip(rows, text) if "mean of 2rᵢ" in t)
        r = data.X[:3] @ run.w[k] + run.b[k] - data.y[:3]
        np.testing.assert_allclose(_numbers(residual_row), r, rtol=1e-9, atol=1e-12 * np.abs(data.y).max())
        gw, gb = gdviz.gradient(data, run.w[k], run.b[k])
        direct_w, direct_b = direct_gradient(data.X, data.y, run.w[k], run.b[k])
        (Xtr,) = _numbers(shape_row)
        two_over_m, Xtr_again, grad_w = _numbers(mean_w)
        assert two_over_m == 2 / m
        np.testing.assert_allclose(Xtr, m / 2 * direct_w, rtol=1e-9)  # Xᵀr itself
        np.testing.assert_array_equal(Xtr_again, Xtr)
        np.testing.assert_allclose(grad_w, gw, rtol=1e-12)
        np.testing.assert_allclose(two_over_m * Xtr, gw, rtol=1e-12)
        two_over_m, sum_r, grad_b = _numbers(mean_b)
        assert sum_r == pytest.approx(m / 2 * direct_b, rel=1e-9) and grad_b == pytest.approx(gb, rel=1e-12)
        assert two_over_m * sum_r == pytest.approx(gb, rel=1e-12)
    assert not any("sum unfolded" in json.dumps(r_, ensure_ascii=False)
                   for r_ in frames.step_frame(web.lecture_spec(data, run), 0)["panel"]["rows"])


@pytest.mark.parametrize("case", ["pull and eigen", "pull and eigen, two features"])
def test_the_eigen_lines_run_along_the_eigenvectors_through_the_optimum(case):
    data, run, options = PULL_CASES[case]()
    f = options.get("feature", 0)
    spec = web.lecture_spec(data, run, **options)
    contour = json.loads(spec["figures"]["contour"])
    w_star, b_star = gdviz.optimum(data)
    # the reference: the Hessian from its definition (2/m) AᵀA, A = [X 1], in the (w_f, b) plane
    A = np.column_stack([data.X, np.ones(data.m)])
    H = 2 / data.m * A.T @ A
    keep = [f, data.d]
    values_, vectors = np.linalg.eigh(H[np.ix_(keep, keep)]) if data.d > 1 else np.linalg.eigh(H)
    if data.d == 1:
        np.testing.assert_allclose(np.abs(gdviz.curvature(data).eigenvectors), np.abs(vectors), rtol=1e-9, atol=1e-12)
    (w0, w1), (b0, b1) = contour["layout"]["xaxis"]["range"], contour["layout"]["yaxis"]["range"]
    for i in (1, 2):
        line = next(t for t in contour["data"] if t.get("uid") == f"eigen-line-{i}")
        (xa, xb), (ya, yb) = values(line["x"]), values(line["y"])
        direction = np.array([xb - xa, yb - ya]) / np.hypot(xb - xa, yb - ya)
        assert abs(direction @ vectors[:, i - 1]) == pytest.approx(1.0, rel=1e-9)
        # through the optimum: (w*_f, b*) lies on the segment
        t = np.array([w_star[f] - xa, b_star - ya])
        assert abs(t[0] * direction[1] - t[1] * direction[0]) < 1e-9 * max(w1 - w0, b1 - b0)
        assert w0 - 1e-9 <= min(xa, xb) and max(xa, xb) <= w1 + 1e-9 and b0 - 1e-9 <= min(ya, yb) <= max(ya, yb) <= b1 + 1e-9
        label = next(t for t in contour["data"] if t.get("uid") == f"eigen-label-{i}")["text"][0]
        sub = "₁₂"[i - 1]
        lam = values_[i - 1]
        assert label == f"λ{sub} = {lam:.3g} · 1−αλ{sub} = {1 - run.settings['lr'] * lam:.3g}".replace("-", "−")


def test_the_eigen_view_predicts_plain_descent_and_observes_the_rest():
    data, run, options = pulled()
    spec = web.lecture_spec(data, run, **options)
    fig = json.loads(spec["figures"]["eigen"])
    c = gdviz.curvature(data)
    w_star, b_star = gdviz.optimum(data)
    W, b = gdviz.predicted_path(data, 0.1, run.w[0], run.b[0], run.steps)
    closed = np.abs((np.column_stack([W, b]) - np.append(w_star, b_star)) @ c.eigenvectors)
    c0 = np.abs(np.append(run.w[0] - w_star, run.b[0] - b_star) @ c.eigenvectors)
    observed = np.abs((np.column_stack([run.w, run.b]) - np.append(w_star, b_star)) @ c.eigenvectors)
    for i in range(2):
        predicted = values(next(t for t in fig["data"] if t.get("uid") == f"eigen-predicted-{i + 1}")["y"])
        dots = values(next(t for t in fig["data"] if t.get("uid") == f"eigen-observed-{i + 1}")["y"])
        np.testing.assert_allclose(predicted, c0[i] * np.abs(1 - 0.1 * c.eigenvalues[i]) ** np.arange(run.steps + 1),
                                   rtol=1e-12)
        floor = 1e-9 * c0.max()  # relative to the start's error: the rest is rounding of θ
        np.testing.assert_allclose(predicted, closed[:, i], rtol=1e-9, atol=floor)  # = model.predicted_path
        np.testing.assert_allclose(dots, observed[:, i], rtol=1e-12)
        np.testing.assert_allclose(dots, predicted, rtol=1e-9, atol=floor)  # observed = predicted for plain GD
    for k in (0, 7, run.steps):
        now = frames.step_frame(spec, k)["traces"]["eigen"]["eigen-now"]
        assert list(now["x"]) == [k, k]
        np.testing.assert_allclose(now["y"], observed[k], rtol=1e-12)
    assert "plain full-batch GD only" not in fig["layout"]["title"]["text"]
    # Adam, and mini-batches: observed only, and the title says so
    for case in ("pull and eigen, two features", "pull and eigen, many rows"):
        data, run, options = PULL_CASES[case]()
        fig = json.loads(web.lecture_spec(data, run, **options)["figures"]["eigen"])
        uids = [t.get("uid") for t in fig["data"]]
        assert not any(u.startswith("eigen-predicted") for u in uids)
        assert sum(u.startswith("eigen-observed") for u in uids) == data.d + 1
        assert "prediction for plain full-batch GD only" in fig["layout"]["title"]["text"]
        assert fig["layout"]["yaxis"]["type"] == "log"


def test_a_diverged_run_shows_its_finite_steps_only():
    data, run, options = pulled_diverged()
    spec = web.lecture_spec(data, run, **options)
    fig = json.loads(spec["figures"]["eigen"])
    for trace in fig["data"]:
        if trace.get("uid", "").startswith("eigen-") and trace["uid"] != "eigen-now":
            assert np.isfinite(values(trace["y"])).all()
    finite = spec["frames"]["clocks"][0]["finite"]
    late = frames.step_frame(spec, run.steps)
    assert np.isfinite(late["traces"]["eigen"]["eigen-now"]["y"]).all() and late["traces"]["eigen"]["eigen-now"]["x"][0] == finite
    text = json.dumps(frames.jsonable(late), allow_nan=False)  # no NaN anywhere in a frame
    assert "Infinity" not in text
    # the steep direction's factor is below −1: the error grows, observed as predicted
    c = gdviz.curvature(data)
    assert 1 - 1.5 * c.eigenvalues[-1] < -1
    observed = values(next(t for t in fig["data"] if t["uid"] == "eigen-observed-2")["y"])
    predicted = values(next(t for t in fig["data"] if t["uid"] == "eigen-predicted-2")["y"])
    assert observed[-1] > observed[0]
    np.testing.assert_allclose(observed, predicted, rtol=1e-9)


@pytest.mark.parametrize("case", ["pull and eigen", "pull and eigen, two features", "pull and eigen, standardised"])
def test_the_derivation_rows_take_the_notes_steps_with_the_steps_numbers(case):
    """Rows of class "derive" (shown by a scene that reveals the maths): the loss as the mean over the
    data, then ∂L/∂ŷᵢ with 2/m and the first residuals, ∂ŷᵢ/∂W, and the means that give ∂L/∂W and
    ∂L/∂b, each number against the definition written out again."""
    data, run, options = PULL_CASES[case]()
    m = data.m
    for k in (0, 3, run.steps):
        rows = [row for row in frames.step_frame(web.lecture_spec(data, run, **options), k)["panel"]["rows"]
                if "derive" in row["cls"].split()]
        text = [json.dumps(row, ensure_ascii=False) for row in rows]
        assert len(rows) == 5 and "E[(ŷ − y)²]" in text[0] and "∂L/∂ŷᵢ = (2/m)(ŷᵢ − yᵢ)" in text[1]
        assert "∂ŷᵢ/∂" in text[2] and "∂ŷᵢ/∂b = 1" in text[2]
        residual = data.X @ run.w[k] + run.b[k] - data.y
        (loss,) = _numbers(rows[0])
        assert loss == pytest.approx(np.mean(residual ** 2), rel=1e-9)
        two_over_m, *first = _numbers(rows[1])
        assert two_over_m == 2 / m
        np.testing.assert_allclose(first, residual[:3], rtol=1e-9, atol=1e-12 * np.abs(data.y).max())
        (grad_w,) = _numbers(rows[3])
        np.testing.assert_allclose(grad_w, np.mean(2 * residual[:, None] * data.X, axis=0), rtol=1e-9, atol=1e-12)
        (grad_b,) = _numbers(rows[4])
        assert grad_b == pytest.approx(np.mean(2 * residual), rel=1e-9, abs=1e-12)
    plain = frames.step_frame(web.lecture_spec(data, run), 0)["panel"]["rows"]
    assert sum("derive" in row["cls"] for row in plain) == 5   # without the pull: the same steps, no residuals


def test_sgd_names_its_one_example_not_the_1_rows():
    """Issue 24, item 10: batch size 1 is "the one example", never "the 1 rows"."""
    data = gdviz.synthetic(n=20, seed=3)
    run = gdviz.descend(data, lr=0.05, steps=4, batch_size=1)
    spec = gdviz.web.lecture_spec(data, run)
    text = json.dumps(spec["frames"]["panel"], ensure_ascii=False)
    assert "the one example this update used" in text and "the 1 rows" not in text
