"""Each optimizer described once (gdviz.optimizers.DESCRIPTIONS): its defaults against the factories'
signatures, the page's μ, β₁, β₂ turned into descend()'s keywords and checked against the update rules
written out again by hand, the maths panel and the stability sentences with the chosen μ, the
α = α_max wording, a round bowl, and the eigen view's prediction under a schedule."""
import inspect
import json
import math

import numpy as np
import pytest

import gdviz
from gdviz import optimizers, stability, web, words
from gdviz.optimizers import DESCRIPTIONS, LABELS, OPTIMIZERS, PAGE_HYPER, hyper_settings
from gdviz.web import frames


def signature_defaults(name):
    """The factory's own settings besides lr, read from its signature here (not through DEFAULTS)."""
    parameters = list(inspect.signature(OPTIMIZERS[name]).parameters.values())[1:]
    return {p.name: p.default for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_description_has_the_factorys_hyper_parameters_and_defaults(name):
    described = {}
    for h in DESCRIPTIONS[name].hyper:
        if h.index is None:
            described[h.keyword] = h.default
        else:
            entries = described.setdefault(h.keyword, {})
            entries[h.index] = h.default
    described = {k: tuple(v[i] for i in sorted(v)) if isinstance(v, dict) else v for k, v in described.items()}
    assert described == signature_defaults(name)
    assert DESCRIPTIONS[name].name == name and LABELS[name] == DESCRIPTIONS[name].label


def test_every_optimizer_is_described_and_adaptive_ones_are_marked():
    assert list(DESCRIPTIONS) == list(OPTIMIZERS)
    assert {n for n, d in DESCRIPTIONS.items() if d.adaptive} == {"adagrad", "rmsprop", "adam"}
    assert set(stability.ADAPTIVE) == {"adagrad", "rmsprop", "adam"} and stability.KNOWN == tuple(OPTIMIZERS)
    assert "m̂" in DESCRIPTIONS["adam"].rule and "μ" in DESCRIPTIONS["nesterov"].rule


def test_the_page_controls_carry_what_a_slider_needs():
    assert set(PAGE_HYPER) == {"mu", "beta1", "beta2"}
    expected = {"mu": (0.9, 0.0, 0.99), "beta1": (0.9, 0.0, 0.999), "beta2": (0.999, 0.0, 0.9999)}
    for key, h in PAGE_HYPER.items():
        assert (h.default, h.low, h.high) == expected[key]
        assert h.low <= h.default <= h.high and 0 < h.step <= h.high - h.low
        assert h.label and h.help and h.symbol in ("μ", "β₁", "β₂")
    assert optimizers.PAGE_HYPER_USERS == {"mu": ("momentum", "nesterov"), "beta1": ("adam",), "beta2": ("adam",)}
    # the slider's ends are values make() accepts; 1 is not
    optimizers.make("momentum", 0.1, momentum=PAGE_HYPER["mu"].high)
    optimizers.make("adam", 0.1, betas=(PAGE_HYPER["beta1"].high, PAGE_HYPER["beta2"].high))
    for bad in ({"momentum": 1.0}, {"momentum": -0.1}, {"momentum": float("nan")}):
        with pytest.raises(ValueError, match="momentum"):
            optimizers.make("nesterov", 0.1, **bad)
    for bad in ((0.9, 1.0), (1.0, 0.9), (0.9,), 0.5):
        with pytest.raises(ValueError, match="betas"):
            optimizers.make("adam", 0.1, betas=bad)


def test_hyper_settings_maps_the_page_values_to_each_optimizers_keywords():
    page = {"mu": 0.5, "beta1": 0.8, "beta2": 0.95}
    assert hyper_settings("momentum", page) == {"momentum": 0.5}
    assert hyper_settings("nesterov", page) == {"momentum": 0.5}
    assert hyper_settings("adam", page) == {"betas": (0.8, 0.95)}
    assert hyper_settings("adam", {"beta1": 0.7}) == {"betas": (0.7, 0.999)}
    for name in ("gd", "adagrad", "rmsprop"):
        assert hyper_settings(name, page) == {}
    with pytest.raises(ValueError, match="Unknown optimizer"):
        hyper_settings("lbfgs", page)


def full_gradient(data, theta):
    """∇L of the MSE from its definition: (2/m) Aᵀ(Aθ − y), A = [X 1]."""
    A = np.column_stack([data.X, np.ones(data.m)])
    return 2.0 / data.m * A.T @ (A @ theta - data.y)


@pytest.mark.parametrize("name,page", [("momentum", {"mu": 0.5}), ("nesterov", {"mu": 0.3}),
                                       ("adam", {"beta1": 0.8, "beta2": 0.95})])
def test_descend_with_the_page_values_follows_the_rule_written_out(name, page):
    data = gdviz.synthetic(n=25, seed=7)
    lr = 0.05
    run = gdviz.descend(data, optimizer=name, lr=lr, steps=3, w0=[1.5], b0=-0.5, **hyper_settings(name, page))
    theta, v, m, s = np.array([1.5, -0.5]), np.zeros(2), np.zeros(2), np.zeros(2)
    path = [theta]
    for t in range(1, 4):
        g = full_gradient(data, theta)
        if name in ("momentum", "nesterov"):
            mu = page["mu"]
            v = mu * v + g
            theta = theta - lr * ((g + mu * v) if name == "nesterov" else v)
        else:
            b1, b2 = page["beta1"], page["beta2"]
            m = b1 * m + (1 - b1) * g
            s = b2 * s + (1 - b2) * g * g
            theta = theta - lr * (m / (1 - b1 ** t)) / (np.sqrt(s / (1 - b2 ** t)) + 1e-8)
        path.append(theta)
    np.testing.assert_allclose(np.column_stack([run.w, run.b]), np.array(path), rtol=1e-12, atol=1e-14)


def panel_rows(spec, k=0):
    return frames.step_frame(spec, k)["panel"]["rows"]


def test_the_maths_panel_shows_the_chosen_mu():
    data = gdviz.synthetic(n=30, seed=2)
    run = gdviz.descend(data, optimizer="momentum", lr=0.05, steps=5, momentum=0.5)
    spec = web.lecture_spec(data, run)
    assert spec["run"]["hyper"] == [{"key": "mu", "symbol": "μ", "value": 0.5}]
    assert spec["run"]["rule"] == DESCRIPTIONS["momentum"].rule and "μ = 0.5 times" in spec["run"]["why"]
    rows = panel_rows(spec)
    update = next(r for r in rows if r["parts"][0] == "v ← μv + g = ")
    assert update["parts"][1] == {"n": 0.5}  # μ, boxed, in the rule with the numbers
    head = next(r for r in rows if str(r["parts"][0]).startswith("momentum (α = "))
    assert head["parts"][2:4] == [", μ = ", {"fmt": 0.5}]
    # v₀ = μ·0 + g₀ and the boxed numbers agree with the run
    g0 = np.array([run.used_grad_w[0, 0], run.used_grad_b[0]])
    np.testing.assert_allclose(update["parts"][-1]["vec"], g0, rtol=1e-15)
    np.testing.assert_allclose(panel_rows(spec, 1)[rows.index(update)]["parts"][-1]["vec"],
                               0.5 * g0 + np.array([run.used_grad_w[1, 0], run.used_grad_b[1]]), rtol=1e-12)


def test_the_maths_panel_shows_adams_chosen_betas():
    data = gdviz.synthetic(n=30, seed=2)
    run = gdviz.descend(data, optimizer="adam", lr=0.05, steps=5, betas=(0.8, 0.95))
    rows = panel_rows(web.lecture_spec(data, run), 1)
    first = next(r for r in rows if r["parts"][0].startswith("m ← β₁m"))
    second = next(r for r in rows if r["parts"][0].startswith("v ← β₂v"))
    assert first["parts"][1] == {"n": 0.8} and second["parts"][1] == {"n": 0.95}
    t_row = next(r for r in rows if r["parts"][0] == "with t = ")
    assert t_row["parts"][1] == {"n": 2.0} and t_row["parts"][5] == {"n": pytest.approx(1 - 0.8 ** 2, rel=1e-15)}


def example_data():
    """x = ±s, centred: H = diag(2s², 2), λ_max = 2s² = 6."""
    s = math.sqrt(3.0)
    return gdviz.Dataset([-s, s, -s, s], [0.0, 1.0, 0.5, 2.0])


def eigen_note(data, run):
    return json.loads(web.lecture_spec(data, run, eigen=True)["figures"]["eigen"])["layout"]["annotations"][0]["text"]


@pytest.mark.parametrize("optimizer,limit,formula", [("momentum", 3.0, "2 + 2μ"), ("nesterov", 1.5, "(2 + 2μ)/(1 + 2μ)")])
def test_both_stability_sentences_use_the_runs_mu(optimizer, limit, formula):
    data = example_data()
    lam_max = gdviz.curvature(data).eigenvalues[-1]
    assert 2 + 2 * 0.5 == limit if optimizer == "momentum" else (2 + 2 * 0.5) / (1 + 2 * 0.5) == limit
    lr = 0.9 * limit / lam_max
    why = gdviz.stability_note(data, optimizer, lr, momentum=0.5)
    assert f"{formula} = {words.number(limit)}" in why and "μ = 0.5" in why and ": stable" in why
    run = gdviz.descend(data, optimizer=optimizer, lr=lr, steps=20, momentum=0.5)
    note = eigen_note(data, run)
    assert note.endswith(f"αλ_max = {words.number(lr * lam_max)}, {formula} = {words.number(limit)}: stable")
    assert "μ = 0.5" in note
    # just above the limit with μ = 0.5 (stable with μ = 0.9): unstable, and the run diverges
    above = 1.05 * limit / lam_max
    assert ": unstable" in gdviz.stability_note(data, optimizer, above, momentum=0.5)
    assert gdviz.descend(data, optimizer=optimizer, lr=above, steps=3000, momentum=0.5).diverged_at is not None


def test_exactly_on_the_limit_the_steep_direction_zig_zags_at_a_constant_size():
    data = example_data()
    c = gdviz.curvature(data)
    lr = c.lr_max
    run = gdviz.descend(data, lr=lr, steps=6, w0=[2.0], b0=0.0)
    w_star, b_star = gdviz.optimum(data)
    steep = (np.column_stack([run.w, run.b]) - [w_star[0], b_star]) @ c.eigenvectors[:, -1]
    np.testing.assert_allclose(steep[1:] / steep[:-1], -1.0, rtol=1e-9)  # the run itself: −1 each step
    for note in (gdviz.stability_note(data, "gd", lr), eigen_note(data, run)):
        assert "<" not in note and "&lt;" not in note and ">" not in note and "&gt;" not in note
        assert "zig-zags and shrinks" not in note and "neither shrinks nor grows" in note
        assert "α_max" in note and "on the limit" in note


def test_a_round_bowl_is_one_curvature():
    lams = np.array([2.0, 2.0 * (1 + 1e-15)])
    assert stability.distinct(lams) == [2.0 * (1 + 1e-15)]
    for short in (False, True):
        note = stability.note(lams, "gd", 0.3, short=short)
        assert "steep (" not in note and "shallow" not in note
    assert "every direction (λ = 2): 1 − αλ = 0.4" in stability.note(lams, "gd", 0.3)
    # a bowl whose curvatures truly differ keeps its two directions
    assert "shallow (λ = 1.99)" in stability.note(np.array([1.99, 2.0]), "gd", 0.3)


def test_the_eigen_prediction_follows_a_schedules_rates():
    data = gdviz.synthetic(n=60, seed=0)
    c = gdviz.curvature(data)
    run = gdviz.descend(data, lr=1.2 * c.lr_max, steps=100, schedule=("cosine", {"T_max": 100, "eta_min": 0.0}))
    assert run.diverged_at is None and run.lr[0] > c.lr_max > run.lr[-1]
    spec = web.lecture_spec(data, run, eigen=True)
    fig = json.loads(spec["figures"]["eigen"])
    w_star, b_star = gdviz.optimum(data)
    observed = np.abs((np.column_stack([run.w, run.b]) - np.append(w_star, b_star)) @ c.eigenvectors)
    # the reference: e₀ Π_{j<k} |1 − α_j λ|, the rates from the schedule's own formula
    t = np.arange(100)
    rates = 0.5 * 1.2 * c.lr_max * (1 + np.cos(np.pi * t / 100))
    np.testing.assert_allclose(run.lr, rates, rtol=1e-12)
    for i, lam in enumerate(c.eigenvalues):
        factors = np.concatenate([[1.0], np.cumprod(np.abs(1 - rates * lam))])
        y = next(tr for tr in fig["data"] if tr.get("uid") == f"eigen-predicted-{i + 1}")["y"]
        predicted = web.decode(y) if isinstance(y, dict) else np.asarray(y, dtype=np.float64)
        np.testing.assert_allclose(predicted, observed[0, i] * factors, rtol=1e-9)
        np.testing.assert_allclose(predicted, observed[:, i], rtol=1e-9, atol=1e-9 * observed[0].max())
    note = fig["layout"]["annotations"][0]["text"]
    assert "grows" not in note and "α₀" in note and "shrinks overall" in note
    for trace in fig["data"]:
        assert "grows" not in trace.get("name", "")


@pytest.mark.parametrize("value,nice,short,number", [
    (0.123456, "0.1235", "0.123", "0.123"), (-1.976, "-1.976", "−1.98", "−1.98"), (2.0, "2", "2", "2"),
    (1.234e-4, "0.0001234", "0.000123", "1.23×10⁻⁴"), (-11634.2, "-1.163e+04", "−1.16e+04", "−1.16×10⁴")])
def test_the_words_formatters(value, nice, short, number):
    assert (words.nice(value), words.short(value), words.number(value)) == (nice, short, number)
    assert stability.number is words.number
    assert (words.amount(float("inf")), words.amount(float("nan")), words.amount(value)) == ("infinite", "none", nice)
