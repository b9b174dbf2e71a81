"""The quadratic form against the definition, finite differences and least squares."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import gdviz
from conftest import EXTENDED, direct_gradient, direct_loss
from gdviz import (DataError, Dataset, curvature, degeneracy, descend, example_gradients, gradient, hessian,
                   learning_rate_presets, loss, optimum, predicted_path, quadratic, synthetic)
from gdviz.data import LARGEST
from gdviz.model import statistics


def random_points(data, n=10, seed=0):
    rng = np.random.default_rng(seed)
    w_star, b_star = optimum(data)
    for _ in range(n):
        yield w_star + rng.normal(0, 3, data.d), b_star + rng.normal(0, 3)


def test_loss_equals_the_direct_mean_squared_error(data):
    for W, b in random_points(data):
        assert loss(data, W, b) == pytest.approx(direct_loss(data.X, data.y, W, b), rel=1e-9)


def test_loss_at_zero_is_the_mean_of_y_squared(data):
    assert loss(data, np.zeros(data.d), 0.0) == pytest.approx(np.mean(data.y ** 2), rel=1e-9)


def test_gradient_equals_the_vector_formula(data):
    for W, b in random_points(data):
        grad_w, grad_b = gradient(data, W, b)
        ref_w, ref_b = direct_gradient(data.X, data.y, W, b)
        assert grad_w.shape == W.shape  # the gradient has the shape of the parameters
        scale = np.abs(np.concatenate([ref_w, [ref_b]])).max()
        np.testing.assert_allclose(grad_w, ref_w, rtol=1e-9, atol=1e-9 * scale)
        assert grad_b == pytest.approx(ref_b, rel=1e-9, abs=1e-9 * scale)


def test_gradient_against_central_finite_differences(data):
    for W, b in random_points(data, n=4):
        grad_w, grad_b = gradient(data, W, b)
        h = 1e-5
        for i in range(data.d):
            e = np.zeros(data.d)
            e[i] = h
            numeric = (direct_loss(data.X, data.y, W + e, b) - direct_loss(data.X, data.y, W - e, b)) / (2 * h)
            assert grad_w[i] == pytest.approx(numeric, rel=1e-5, abs=1e-4)
        numeric_b = (direct_loss(data.X, data.y, W, b + h) - direct_loss(data.X, data.y, W, b - h)) / (2 * h)
        assert grad_b == pytest.approx(numeric_b, rel=1e-5, abs=1e-4)


def test_optimum_matches_numpy_lstsq(data):
    A = np.column_stack([data.X, np.ones(data.m)])
    reference = np.linalg.lstsq(A, data.y, rcond=None)[0]
    w_star, b_star = optimum(data)
    np.testing.assert_allclose(w_star, reference[:-1], rtol=1e-7)
    assert b_star == pytest.approx(reference[-1], rel=1e-7)
    grad_w, grad_b = gradient(data, w_star, b_star)
    assert np.abs(grad_w).max() < 1e-9 and abs(grad_b) < 1e-9
    assert loss(data, w_star, b_star) == pytest.approx(direct_loss(data.X, data.y, w_star, b_star), rel=1e-9)


def test_optimum_is_sound_when_a_feature_is_constant_or_repeated():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    y = 3 * x + 2 + rng.normal(size=50) * 0.1
    for X in (np.column_stack([x, np.full(50, 4.0)]), np.column_stack([x, x])):
        data = Dataset(X, y)
        w_star, b_star = optimum(data)
        assert np.isfinite(w_star).all() and np.isfinite(b_star)
        A = np.column_stack([X, np.ones(50)])
        best = np.linalg.lstsq(A, y, rcond=None)[0]
        assert loss(data, w_star, b_star) == pytest.approx(direct_loss(X, y, best[:-1], best[-1]), rel=1e-9)
    twin = optimum(Dataset(np.column_stack([x, x]), y))[0]  # the minimum-norm answer splits evenly
    assert twin[0] == pytest.approx(twin[1], rel=1e-9)
    assert twin.sum() == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-9)


def test_far_from_zero_features_keep_their_digits():
    rng = np.random.default_rng(11)
    x = 10_000 + rng.uniform(-1, 1, 1000)
    y = 0.5 * x - 4000 + rng.normal(size=1000)
    data = Dataset(x, y)
    for W, b in [(np.array([0.0]), 0.0), (np.array([0.5]), -4000.0), (np.array([0.49]), -3900.0)]:
        assert loss(data, W, b) == pytest.approx(direct_loss(data.X, y, W, b), rel=1e-9)
        grad_w, grad_b = gradient(data, W, b)
        ref_w, ref_b = direct_gradient(data.X, y, W, b)
        assert grad_w[0] == pytest.approx(ref_w[0], rel=1e-9)
        assert grad_b == pytest.approx(ref_b, rel=1e-9)


def test_functions_broadcast_over_many_points(data):
    points = list(random_points(data, n=6))
    Ws = np.array([W for W, _ in points])
    bs = np.array([b for _, b in points])
    np.testing.assert_allclose(loss(data, Ws, bs), [loss(data, W, b) for W, b in points], rtol=1e-12)
    grad_w, grad_b = gradient(data, Ws, bs)
    for i, (W, b) in enumerate(points):
        np.testing.assert_allclose(grad_w[i], gradient(data, W, b)[0], rtol=1e-12)


def test_hessian_is_two_over_m_a_transpose_a(data):
    A = np.column_stack([data.X, np.ones(data.m)])
    np.testing.assert_allclose(hessian(data), 2.0 / data.m * A.T @ A, rtol=1e-9, atol=1e-9)


def test_statistics_are_computed_once_per_data_set(data):
    assert quadratic(data) is quadratic(data)


@settings(max_examples=60, deadline=None)
@given(m=st.integers(2, 30), d=st.integers(1, 3), seed=st.integers(0, 2**32 - 1),
       scale=st.sampled_from([1e-3, 1.0, 1e3]), offset=st.sampled_from([0.0, 50.0, -1e4]))
def test_property_loss_and_gradient_match_the_definition(m, d, seed, scale, offset):
    rng = np.random.default_rng(seed)
    X = offset + scale * rng.normal(size=(m, d))
    y = rng.normal(size=m) * scale
    data = Dataset(X, y)
    W, b = rng.normal(size=d), float(rng.normal())
    ref = direct_loss(X, y, W, b)
    assert loss(data, W, b) == pytest.approx(ref, rel=1e-7, abs=1e-12 * max(1.0, ref))
    assert loss(data, W, b) >= 0
    grad_w, grad_b = gradient(data, W, b)
    ref_w, ref_b = direct_gradient(X, y, W, b)
    size = max(np.abs(ref_w).max(), abs(ref_b), 1e-300)
    np.testing.assert_allclose(grad_w, ref_w, rtol=1e-7, atol=1e-9 * size)
    assert grad_b == pytest.approx(ref_b, rel=1e-7, abs=1e-9 * size)


@settings(max_examples=40, deadline=None)
@given(values=arrays(np.float64, st.tuples(st.integers(3, 20)),
                    elements=st.floats(-100, 100).map(lambda v: 0.0 if abs(v) < 1e-150 else v)))
def test_property_the_optimum_is_no_worse_than_any_nearby_point(values):
    m = len(values)
    X = np.arange(m, dtype=float)
    data = Dataset(X, values)
    w_star, b_star = optimum(data)
    best = loss(data, w_star, b_star)
    for dw, db in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)]:
        assert loss(data, w_star + dw, b_star + db) >= best


# ---- curvature: the theory of the learning rate ----

def test_curvature_against_an_eigen_decomposition(data):
    A = np.column_stack([data.X, np.ones(data.m)]).astype(np.longdouble)
    H = 2 * (A.T @ A) / data.m
    c = curvature(data)
    np.testing.assert_allclose(c.hessian, H.astype(float), rtol=1e-9, atol=1e-9)
    reference = np.linalg.eigvalsh(H.astype(float))
    assert c.eigenvalues[-1] == pytest.approx(reference[-1], rel=1e-12)
    if data.d == 1:  # for 2×2 the product of the eigenvalues is det H, known to extended precision
        det = H[0, 0] * H[1, 1] - H[0, 1] ** 2
        assert c.eigenvalues[0] == pytest.approx(float(det) / c.eigenvalues[-1], rel=1e-6)
    else:
        np.testing.assert_allclose(c.eigenvalues, reference, rtol=1e-9)
    assert c.lr_max == pytest.approx(2 / reference[-1], rel=1e-12)
    assert c.lr_best == pytest.approx(2 / (c.eigenvalues[0] + c.eigenvalues[-1]), rel=1e-12)
    assert c.condition_number == pytest.approx(c.eigenvalues[-1] / c.eigenvalues[0], rel=1e-12)


def test_curvature_of_a_flat_direction():
    x = np.linspace(-1, 1, 20)
    c = curvature(Dataset(np.column_stack([x, x]), 2 * x))
    assert c.eigenvalues[0] == 0 and c.condition_number == float("inf") and np.isfinite(c.lr_max)


BOUNDARY_DATA = {
    "round": lambda: synthetic(n=50, seed=1),
    "offset valley": lambda: synthetic(n=50, seed=2, x_offset=6.0),
    "three features": lambda: synthetic(n=80, weights=[1.0, -2.0, 0.5], seed=3, x_offset=1.0),
    "small x": lambda: synthetic(n=30, seed=4, x_range=(-0.1, 0.1)),
}


@pytest.mark.parametrize("name", BOUNDARY_DATA)
def test_the_theory_holds_on_real_runs(name):
    data = BOUNDARY_DATA[name]()
    c = curvature(data)
    steps = int(min(200_000, 60 * c.condition_number + 2000))
    under = descend(data, lr=0.995 * c.lr_max, steps=steps, w0=np.ones(data.d), b0=1.0)
    over = descend(data, lr=1.005 * c.lr_max, steps=steps, w0=np.ones(data.d), b0=1.0)
    assert under.diverged_at is None and under.loss[-1] < under.loss[0]
    assert over.diverged_at is not None


# ---- data near the bounds: every statistic, loss, gradient and Hessian finite ----

I = np.arange(60.0)
NEAR_THE_BOUND = {
    "x at ±1e150": lambda: Dataset(LARGEST * (-1.0) ** I, I),
    "y at ±1e150": lambda: Dataset(I, LARGEST * (-1.0) ** I),
    "both near 1e150": lambda: Dataset(LARGEST * np.sin(I), LARGEST * np.cos(I)),
    "x far from zero, near 1e150": lambda: Dataset(0.9 * LARGEST + 1e140 * I, I),
    "tiny x": lambda: Dataset(1e-150 * (I + 1), I),
    "two features near the bound": lambda: Dataset(np.column_stack([LARGEST * np.sin(I), LARGEST * np.cos(3 * I)]),
                                                   LARGEST * np.sin(2 * I)),
}


@pytest.mark.parametrize("name", NEAR_THE_BOUND)
def test_numbers_near_the_bound_keep_every_quantity_finite(name):
    data = NEAR_THE_BOUND[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = quadratic(data)
        for value in (q.x_mean, q.y_mean, q.sxx, q.sxy, q.syy, q.w_opt, q.b_opt, q.loss_min):
            assert np.isfinite(value).all()
        zero = np.zeros(data.d)
        # L(0, 0) is the mean of y², here computed on y scaled by a power of two (exact)
        scale = 2.0 ** -500
        assert loss(data, zero, 0.0) == pytest.approx(np.mean((data.y * scale) ** 2) / scale ** 2, rel=1e-9)
        for W, b in [(zero, 0.0), (q.w_opt, q.b_opt), (q.w_opt + 1.0, q.b_opt - 1.0)]:
            assert np.isfinite(loss(data, W, b)) and all(np.isfinite(g).all() for g in gradient(data, W, b))
        c = curvature(data)
        assert np.isfinite(hessian(data)).all() and np.isfinite(c.eigenvalues).all()
        assert np.isfinite([c.lr_max, c.lr_best]).all()
        assert np.isfinite(list(learning_rate_presets(data).values())).all()


def test_sums_of_squares_that_overflow_are_rescaled():
    # each square is 1.44e308 (finite), but a sum of 64 of them is not: the statistics must not care
    X = 1.2e154 * (-1.0) ** np.arange(64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = statistics(X[:, None], X[::-1].copy())
    assert q.sxx[0, 0] == pytest.approx(1.2e154 ** 2, rel=1e-15)
    assert q.syy == pytest.approx(1.2e154 ** 2, rel=1e-15) and q.sxy[0] == pytest.approx(-1.2e154 ** 2, rel=1e-15)
    assert q.w_opt[0] == pytest.approx(-1.0, rel=1e-15) and q.loss_min == pytest.approx(0.0, abs=1e-300)


def test_a_quadratic_beyond_float64_is_a_data_error_not_a_nan():
    # not a Dataset (which refuses such data when built): anything with X and y reaches the backstop
    class Rows:
        X = (1e200 * I)[:, None]
        y = I

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a sentence, and no "invalid value encountered" on the way
        with pytest.raises(DataError, match="too large for float64"):
            quadratic(Rows())
        with pytest.raises(DataError, match="too large for float64"):
            statistics(Rows.X, Rows.y)


def test_rows_near_float64s_limit_give_no_warning_on_the_way_to_the_sentence():
    # means finite, squares not: the rescaled sums divide by 2⁻ᵏ twice (2⁻²ᵏ alone underflows to 0)
    X = (1e300 * (-1.0) ** I)[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match="too large for float64"):
            statistics(X, I)
        # x̄ ≈ 1.4e163, whose (1e-8·x̄)² would overflow; every x exact, so the slope is exactly 2⁻⁵⁰²
        q = statistics((2.0 ** 542 * (1 + I * 2.0 ** -40))[:, None], I)
    assert q.w_opt[0] == pytest.approx(2.0 ** -502, rel=1e-12)


# ---- singular data: a flat valley floor, exact zeros, finite learning rates and one sentence ----

RNG = np.random.default_rng(21)
U = RNG.normal(size=40)
V = RNG.normal(size=40)
TARGET = 2 * U - V + 1 + 0.1 * RNG.normal(size=40)
SINGULAR = {  # name: (X, names, words of the sentence, number of flat directions)
    "all x equal": (np.full(40, 3.0), None, ["x has one value (3)", "slope is not determined", "a line"], 1),
    "two rows, one x": (np.array([0.1, 0.1]), ["speed"], ["speed has one value (0.1)"], 1),
    "a constant column": (np.column_stack([U, np.full(40, 30.0)]), ["size", "age"],
                          ["Column 'age' has one value (30)", "bias", "a line"], 1),
    "two constant columns": (np.column_stack([np.full(40, 2.0), U, np.full(40, -1.5)]), ["k", "u", "c"],
                             ["Columns 'k' and 'c' each have one value", "a plane"], 2),
    "duplicate columns": (np.column_stack([U, U]), ["a", "b"],
                          ["Columns 'a' and 'b' move together (they are copies of each other)"], 1),
    "multiple of a column": (np.column_stack([U, V, 3 * U + 2]), ["a", "v", "b"],
                             ["Columns 'a' and 'b' move together (b = 3·a + 2)"], 1),
    "a linear combination": (np.column_stack([U, V, U - 2 * V]), ["a", "v", "w"],
                             ["Columns 'a', 'v' and 'w' are linearly dependent"], 1),
    "fewer rows than weights": (RNG.normal(size=(3, 4)), None, ["only 3 rows for 4 weights"], 2),
}
NOT_SINGULAR = {
    "two identical x rows": np.r_[U[:39], U[0]],
    "two rows, two x": np.array([1.0, 2.0]),
    "x far from zero": 1e6 + U,
    "features of very different units": np.column_stack([1e-7 * U, 1e7 * V]),
    "correlated but not dependent": np.column_stack([U, U + 1e-4 * V]),
}


def target_for(X):
    return TARGET[:len(X)] if len(X) == 40 else np.arange(len(X), dtype=float) ** 2


@pytest.mark.parametrize("name", SINGULAR)
def test_singular_data_has_exact_zero_eigenvalues_and_finite_learning_rates(name):
    X, names, words, flat = SINGULAR[name]
    data = Dataset(X, target_for(X), feature_names=names)
    A = np.column_stack([data.X, np.ones(data.m)])
    assert np.linalg.matrix_rank(A) == data.d + 1 - flat  # the reference: the rank of [X 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = curvature(data)
        presets = learning_rate_presets(data)
        w_star, b_star = optimum(data)
    assert (c.eigenvalues[:flat] == 0.0).all() and (c.eigenvalues[flat:] > 0).all()
    np.testing.assert_allclose(c.eigenvalues[flat:], np.linalg.eigvalsh(c.hessian)[flat:], rtol=1e-9)
    assert c.condition_number == float("inf")
    assert np.isfinite([c.lr_max, c.lr_best]).all() and c.lr_best == pytest.approx(
        2 / (c.eigenvalues[flat] + c.eigenvalues[-1]), rel=1e-12)
    assert np.isfinite(list(presets.values())).all()
    assert presets["too small"] < presets["just right"] <= presets["oscillating"] <= c.lr_max < presets["diverging"]
    # the optimum: least squares with the smallest ‖W‖ (the reference: lstsq on the centred rows)
    reference = np.linalg.lstsq(data.X - data.X.mean(axis=0), data.y - data.y.mean(), rcond=1e-10)[0]
    np.testing.assert_allclose(w_star, reference, rtol=1e-7, atol=1e-9)
    assert loss(data, w_star, b_star) == pytest.approx(direct_loss(data.X, data.y, reference,
                                                                   data.y.mean() - data.X.mean(axis=0) @ reference),
                                                       rel=1e-9, abs=1e-12)
    # gradient descent lowers the loss to the valley floor and stops there; past the limit it diverges
    steps = int(40 * c.eigenvalues[-1] / c.eigenvalues[flat]) + 1000  # the curved part's condition number
    right = descend(data, lr=presets["just right"], steps=steps, w0=np.full(data.d, 2.0), b0=-1.0)
    assert right.diverged_at is None
    assert right.loss[-1] == pytest.approx(loss(data, w_star, b_star), rel=1e-9, abs=1e-12)
    assert descend(data, lr=presets["diverging"], steps=3000).diverged_at is not None
    sentence = degeneracy(data)
    for word in words:
        assert word in sentence, (word, sentence)
    assert sentence.endswith("gradient descent still lowers the loss and stops somewhere on that valley floor.")
    assert sentence.count(". ") == 0 and len(sentence) < 300


@pytest.mark.parametrize("name", NOT_SINGULAR)
def test_well_posed_data_has_no_degeneracy_and_a_finite_condition_number(name):
    X = NOT_SINGULAR[name]
    data = Dataset(X, target_for(X))
    assert np.linalg.matrix_rank(np.column_stack([data.X / np.abs(data.X).max(axis=0), np.ones(data.m)])) == data.d + 1
    c = curvature(data)
    assert degeneracy(data) is None
    assert (c.eigenvalues > 0).all() and np.isfinite(c.condition_number)


def test_degeneracy_uses_the_datasets_feature_names():
    data = Dataset(np.column_stack([U, U]), TARGET, feature_names=["height_cm", "height copy"])
    assert "Columns 'height_cm' and 'height copy' move together" in degeneracy(data)
    assert gdviz.degeneracy is degeneracy


# ---- where the gradient comes from: one gradient per example ----

def test_each_examples_gradient_and_their_mean(data):
    X = data.X.astype(EXTENDED)
    for W, b in random_points(data, n=5):
        Gw, gb = example_gradients(data, W, b)
        assert Gw.shape == (data.m, data.d) and gb.shape == (data.m,)
        residual = X @ W.astype(EXTENDED) + EXTENDED(b) - data.y  # ŷᵢ − yᵢ, the definition in extended precision
        np.testing.assert_allclose(gb, (2 * residual).astype(float), rtol=1e-12, atol=1e-12 * np.abs(gb).max())
        np.testing.assert_allclose(Gw, (2 * residual[:, None] * X).astype(float), rtol=1e-12,
                                   atol=1e-12 * np.abs(Gw).max())
        # their means are the full gradient (rounding measured against the size of the terms averaged)
        grad_w, grad_b = gradient(data, W, b)
        np.testing.assert_allclose(Gw.mean(axis=0), grad_w, rtol=1e-12, atol=1e-12 * np.abs(Gw).mean())
        assert gb.mean() == pytest.approx(grad_b, rel=1e-12, abs=1e-12 * np.abs(gb).mean())


def test_each_examples_gradient_against_finite_differences_of_its_squared_error(data):
    W, b = next(random_points(data, n=1, seed=5))
    Gw, gb = example_gradients(data, W, b)
    X, y = data.X.astype(EXTENDED), data.y.astype(EXTENDED)
    h = EXTENDED(1e-4) * max(1.0, np.abs(W).max(), abs(b))

    def squared_error(W_, b_):  # every example's (xᵢᵀW + b − yᵢ)², in extended precision
        return (X @ np.asarray(W_, dtype=EXTENDED) + EXTENDED(b_) - y) ** 2

    for j in range(data.d):
        e = np.zeros(data.d, dtype=EXTENDED)
        e[j] = h
        numeric = ((squared_error(W + e, b) - squared_error(W - e, b)) / (2 * h)).astype(float)
        np.testing.assert_allclose(Gw[:, j], numeric, rtol=1e-6, atol=1e-6 * np.abs(numeric).max())
    numeric_b = ((squared_error(W, b + h) - squared_error(W, b - h)) / (2 * h)).astype(float)
    np.testing.assert_allclose(gb, numeric_b, rtol=1e-6, atol=1e-6 * np.abs(numeric_b).max())


def test_example_gradients_need_the_rows():
    data = synthetic(n=10, seed=1)
    with pytest.raises(ValueError, match="rows"):
        example_gradients(quadratic(data), [0.0], 0.0)
    with pytest.raises(ValueError, match="1 weight"):
        example_gradients(data, [0.0, 1.0], 0.0)
    assert gdviz.example_gradients is example_gradients


# ---- the eigenvectors of the curvature ----

def check_eigenvectors(data, c):
    A = np.column_stack([data.X, np.ones(data.m)]).astype(EXTENDED)
    H = (2 * (A.T @ A) / data.m).astype(float)  # the reference Hessian, from the rows
    V, lam = c.eigenvectors, c.eigenvalues
    assert V.shape == (data.d + 1, data.d + 1)
    np.testing.assert_allclose(V.T @ V, np.eye(data.d + 1), atol=1e-12)
    np.testing.assert_allclose(H @ V, V * lam, atol=1e-12 * lam[-1])
    return H


def test_eigenvectors_belong_to_their_eigenvalues(data):
    c = curvature(data)
    H = check_eigenvectors(data, c)
    assert (np.diff(c.eigenvalues) >= 0).all()
    # the steepest one is H's own (a well separated eigenvalue has a well defined vector)
    top = np.linalg.eigh(H)[1][:, -1]
    assert abs(top @ c.eigenvectors[:, -1]) == pytest.approx(1.0, abs=1e-12)


def test_eigenvectors_of_a_far_from_zero_valley_keep_the_eigenvalues_accurate():
    rng = np.random.default_rng(11)
    data = Dataset(10_000 + rng.uniform(-1, 1, 1000), rng.normal(size=1000))
    c = curvature(data)
    check_eigenvectors(data, c)
    A = np.column_stack([data.X, np.ones(data.m)]).astype(EXTENDED)
    H = 2 * (A.T @ A) / data.m
    det = H[0, 0] * H[1, 1] - H[0, 1] ** 2  # λ_min = det H / λ_max, in extended precision
    assert c.eigenvalues[0] == pytest.approx(float(det) / c.eigenvalues[-1], rel=1e-6)
    # along the slow eigenvector ŷ hardly changes: w up by v_w, b down by about 10⁴ v_w
    slow = c.eigenvectors[:, 0]
    assert slow[1] / slow[0] == pytest.approx(-data.X.mean(), rel=1e-6)


@pytest.mark.parametrize("name", SINGULAR)
def test_flat_eigenvectors_leave_every_prediction_unchanged(name):
    X, names, words, flat = SINGULAR[name]
    data = Dataset(X, target_for(X), feature_names=names)
    c = curvature(data)
    check_eigenvectors(data, c)
    A = np.column_stack([data.X, np.ones(data.m)])
    scale = np.abs(A).max() * np.sqrt(data.d + 1)
    assert np.abs(A @ c.eigenvectors[:, :flat]).max() <= 1e-10 * scale  # ŷ = A θ does not move along them


# ---- plain gradient descent in closed form ----

PATH_DATA = {
    "one feature": lambda: synthetic(n=40, weights=2.0, bias=1.0, seed=1),
    "offset x": lambda: synthetic(n=60, weights=-1.5, bias=3.0, noise=0.5, seed=2, x_offset=5.0),
    "far offset x": lambda: synthetic(n=50, seed=0, x_offset=40.0),
    "three features": lambda: synthetic(n=80, weights=[1.0, -2.0, 0.5], bias=0.3, seed=3, x_offset=1.0),
    "x near 10⁴ (κ ≈ 1e16)": lambda: Dataset(10_000 + np.random.default_rng(4).uniform(-2, 2, 200),
                                             np.random.default_rng(5).standard_normal(200)),
    "cars": lambda: gdviz.data.sample("Stopping distance of cars (Ezekiel, 1930)"),
    "trees (2 features)": lambda: gdviz.data.sample("Black cherry trees: volume from girth and height (2 features)"),
    "a constant column": lambda: Dataset(np.column_stack([U, np.full(40, 30.0)]), TARGET),
    "duplicate columns": lambda: Dataset(np.column_stack([U, U]), TARGET),
    "a linear combination": lambda: Dataset(np.column_stack([U, V, U - 2 * V]), TARGET),
    "fewer rows than weights": lambda: Dataset(RNG.normal(size=(3, 4)), np.arange(3.0) ** 2),
}


@pytest.mark.parametrize("fraction", [0.05, 0.6, 0.999, 1.0, 1.01])
@pytest.mark.parametrize("name", PATH_DATA)
def test_the_closed_form_is_the_path_descend_takes(name, fraction):
    data = PATH_DATA[name]()
    c = curvature(data)
    lr = fraction * c.lr_max
    w0, b0 = np.linspace(-3, 2, data.d), 4.0
    run = descend(data, lr=lr, steps=400, w0=w0, b0=b0)
    w, b = predicted_path(data, lr, w0, b0, 400)
    assert w.shape == (401, data.d) and b.shape == (401,)
    k = run.steps + 1  # where the run is finite (1.01·α_max: until it is stopped as diverged)
    got = np.column_stack([run.w, run.b])
    predicted = np.column_stack([w, b])[:k]
    size = np.abs(got).max(axis=1, keepdims=True)
    assert (np.abs(predicted - got) <= 1e-9 * size).all(), np.abs(predicted - got).max(axis=1)[-1] / size[-1]
    if fraction == 1.01:
        assert run.steps > 50  # the comparison reached into the growing zig-zag


def test_the_closed_form_along_each_eigenvector_and_beyond_float64():
    data = PATH_DATA["offset x"]()
    c = curvature(data)
    w_star, b_star = optimum(data)
    for i in range(2):  # from θ* + vᵢ the error stays on vᵢ, scaled by (1 − αλᵢ)ᵏ
        start = np.append(w_star, b_star) + c.eigenvectors[:, i]
        w, b = predicted_path(data, 0.5 * c.lr_max, start[:1], start[1], 5)
        error = np.column_stack([w, b]) - np.append(w_star, b_star)
        expected = (1 - 0.5 * c.lr_max * c.eigenvalues[i]) ** np.arange(6)
        np.testing.assert_allclose(error @ c.eigenvectors[:, i], expected, rtol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w, b = predicted_path(data, 3 * c.lr_max, [0.0], 0.0, 2000)  # factor −2: 2²⁰⁰⁰ is past float64
    assert np.isfinite(w[:100]).all() and np.isnan(w[-1]).all() and np.isnan(b[-1])
    for bad in [dict(lr=0.0), dict(lr=float("nan")), dict(w0=[0.0, 1.0]), dict(steps=-1), dict(steps=2.5)]:
        with pytest.raises(ValueError):
            predicted_path(data, **{**dict(lr=0.1, w0=[0.0], b0=0.0, steps=3), **bad})
    assert gdviz.predicted_path is predicted_path
