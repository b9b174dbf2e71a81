"""Settings chosen from the curvature: real data opens on a run that reaches the least-squares fit,
and each learning-rate preset puts plain gradient descent in the regime it names, on every data set."""
import numpy as np
import pytest

import gdviz
from gdviz.data import SAMPLES, sample
from gdviz.presets import GLIDE, PRESETS, learning_rate_presets, settings_that_fit


@pytest.mark.parametrize("title", list(SAMPLES))
def test_every_sample_set_reaches_its_fit_raw_or_standardised(title):
    data = sample(title)
    fit = settings_that_fit(data)
    if fit is None:
        data = data.standardized()
        fit = settings_that_fit(data)
    lr, steps = fit
    run = gdviz.descend(data, lr=lr, steps=steps, w0=np.zeros(data.d), b0=0.0)
    least = gdviz.loss(data, *gdviz.optimum(data))
    assert run.diverged_at is None and run.loss[-1] - least <= 0.01 * least
    assert 0.5 <= lr * gdviz.curvature(data).eigenvalues[-1] <= 1.0  # it glides: no zig-zag


def test_a_valley_too_long_for_the_step_budget_says_none():
    data = gdviz.synthetic(n=50, noise=1.0, seed=0, x_offset=40.0)
    assert settings_that_fit(data) is None
    assert settings_that_fit(data.standardized()) is not None


def test_the_fewest_steps_that_get_there_are_chosen():
    data = gdviz.synthetic(n=50, noise=1.0, seed=0)
    lr, steps = settings_that_fit(data, step_choices=(5, 10, 20, 50, 100, 2000))
    least = gdviz.loss(data, *gdviz.optimum(data))
    run = gdviz.descend(data, lr=lr, steps=steps)
    shorter = gdviz.descend(data, lr=lr, steps=max(s for s in (5, 10, 20, 50, 100) if s < steps) if steps > 5 else 1)
    assert run.loss[-1] - least <= 0.01 * least < shorter.loss[-1] - least


# ---- the four presets: each in its band of αλ_max, and the run doing what the name says ----

BANDS = {"too small": (0.0, 0.1), "just right": (0.5, 1.0), "oscillating": (1.3, 1.9), "diverging": (2.1, 3.0)}
PRESET_DATA = {**{title: (lambda title=title: sample(title)) for title in SAMPLES},
               **{f"synthetic, x offset {offset}": (lambda offset=offset: gdviz.synthetic(n=50, seed=0, x_offset=offset))
                  for offset in (0, 8, 40)}}
STARTS = {"zero": lambda d: (np.zeros(d), 0.0), "the page's": lambda d: (np.full(d, -3.0), 4.0)}


def largest_curvature(data):
    """λ_max of H = (2/m) AᵀA, A = [X 1], written out (the reference, not gdviz.curvature)."""
    A = np.column_stack([data.X, np.ones(data.m)])
    return np.linalg.eigvalsh(2.0 / data.m * A.T @ A)[-1]


def steepest_error(data, run):
    """(θ_k − θ*)·v_max at every step (v_max: H's eigenvector of λ_max) and the level of rounding in it."""
    A = np.column_stack([data.X, np.ones(data.m)])
    top = np.linalg.eigh(2.0 / data.m * A.T @ A)[1][:, -1]
    best = np.linalg.lstsq(A, data.y, rcond=None)[0]
    error = (np.column_stack([run.w, run.b]) - best) @ top
    return error, 1e-9 * (np.abs(best).max() + np.abs(error[0]))


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("standardise", [False, True], ids=["raw", "standardised"])
@pytest.mark.parametrize("name", PRESET_DATA)
def test_each_preset_lands_in_its_regime_on_every_data_set(name, standardise, start):
    data = PRESET_DATA[name]()
    data = data.standardized() if standardise else data
    presets = learning_rate_presets(data)
    assert list(presets) == ["too small", "just right", "oscillating", "diverging"]
    top = largest_curvature(data)
    for preset, (low, high) in BANDS.items():
        assert low < presets[preset] * top <= high, (preset, presets[preset] * top)
    w0, b0 = STARTS[start](data.d)
    least = gdviz.loss(data, *gdviz.optimum(data))
    run = {preset: gdviz.descend(data, lr=lr, steps=100, w0=w0, b0=b0) for preset, lr in presets.items()}
    gap = {preset: (r.loss - least) / (r.loss[0] - least) for preset, r in run.items()}

    # too small crawls: every direction keeps ≥ 0.98¹⁰⁰ of itself, so more than 1% of the loss gap is left
    assert run["too small"].diverged_at is None and gap["too small"][-1] > 0.01
    # just right glides: the loss never rises, and the steep direction's error never changes sign
    right = run["just right"]
    assert right.diverged_at is None and (np.diff(right.loss) <= 1e-13 * right.loss[:-1]).all()
    error, noise = steepest_error(data, right)
    seen = np.abs(error) > noise
    assert seen[:2].all() and (np.sign(error[seen]) == np.sign(error[0])).all()
    # oscillating zig-zags: the steep error flips sign every step, shrinking by 1 − αλ_max, and the run converges
    wobble = run["oscillating"]
    assert wobble.diverged_at is None and (np.diff(wobble.loss) <= 1e-13 * wobble.loss[:-1]).all()
    assert gap["oscillating"][-1] < gap["too small"][-1]
    error, noise = steepest_error(data, wobble)
    both = (np.abs(error[1:]) > noise) & (np.abs(error[:-1]) > noise)
    assert both[:10].all() and (np.sign(error[1:][both]) == -np.sign(error[:-1][both])).all()
    np.testing.assert_allclose(error[1:11] / error[:10], 1 - presets["oscillating"] * top, rtol=1e-6)
    # diverging blows up within the 100 steps
    assert run["diverging"].diverged_at is not None


def test_presets_are_defined_by_alpha_lambda_max_and_say_so_in_one_line():
    assert [p.regime for p in PRESETS.values()] == ["crawls", "glides", "zig-zags", "diverges"]
    assert PRESETS["just right"].alpha_lambda_max == GLIDE
    for name, preset in PRESETS.items():
        low, high = BANDS[name]
        assert low < preset.alpha_lambda_max <= high
        assert preset.description.startswith(f"{preset.regime}: αλ_max = {preset.alpha_lambda_max:g}")
        assert "\n" not in preset.description and len(preset.description) < 120
    data = gdviz.synthetic(n=50, seed=0, x_offset=8)
    top = largest_curvature(data)
    for name, lr in learning_rate_presets(data).items():
        assert lr == pytest.approx(PRESETS[name].alpha_lambda_max / top, rel=1e-3)  # four digits
        assert lr == float(f"{lr:.4g}")
    assert gdviz.learning_rate_presets is learning_rate_presets and gdviz.PRESETS is PRESETS


def test_just_right_is_the_rate_real_data_opens_on():
    for title in SAMPLES:
        data = sample(title)
        fit = settings_that_fit(data) or settings_that_fit(data.standardized())
        data = data if settings_that_fit(data) else data.standardized()
        assert fit[0] == learning_rate_presets(data)["just right"]


def test_over_a_long_run_just_right_beats_too_small_and_the_theorys_rates_stay():
    data = gdviz.synthetic(n=80, weights=[1.0, -2.0, 0.5], seed=3, x_offset=1.0)
    c = gdviz.curvature(data)
    presets = learning_rate_presets(data)
    start = dict(w0=np.full(data.d, 3.0), b0=-3.0, steps=int(min(100_000, 20 * c.condition_number + 200)))
    least = gdviz.loss(data, *gdviz.optimum(data))
    small, right = (gdviz.descend(data, lr=presets[name], **start) for name in ("too small", "just right"))
    assert right.loss[-1] - least < 1e-3 * (small.loss[-1] - least)
    # α_best and α_max remain the theory's numbers: on this valley the presets straddle them
    assert presets["just right"] < c.lr_best < c.lr_max < presets["diverging"]
    assert presets["oscillating"] < c.lr_max


# ---- issue 20: presets judged by what the class will see, on every problem ----
@pytest.mark.parametrize("steps", [30, 100, 300, 2000])
def test_too_small_keeps_two_thirds_of_every_direction_over_the_steps(steps):
    from gdviz.presets import too_small
    x = too_small(steps)
    assert (1 - x) ** steps >= 2 / 3 and (1 - 1.2 * x) ** steps < 2 / 3 + 0.05  # as large as that allows


def test_presets_on_other_problems_are_checked_by_a_run_or_absent_with_a_reason():
    from gdviz.presets import judged_presets
    data = sample(next(t for t in SAMPLES if "Challenger" in t)).standardized()
    judged = judged_presets(data, objective="logistic", steps=100)
    assert judged["diverging"].lr is None and "gradient is bounded" in judged["diverging"].sentence
    for name in ("rosenbrock", "himmelblau", "beale"):
        judged = judged_presets(gdviz.test_function(name), steps=300)
        run = gdviz.descend(gdviz.test_function(name), lr=judged["diverging"].lr, steps=300,
                            w0=[gdviz.test_function(name).start[0]], b0=gdviz.test_function(name).start[1])
        assert run.diverged_at is not None and f"step {run.diverged_at} of 300" in judged["diverging"].sentence


def test_settings_that_fit_is_exact_on_exact_fit_data():
    data = gdviz.Dataset([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0])  # y = 2x + 1, L* ≈ 4e-31 by rounding
    assert settings_that_fit(data) is not None
