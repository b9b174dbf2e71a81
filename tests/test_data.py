import numpy as np
import pytest

from gdviz import DataError, Dataset, synthetic


def test_one_dimensional_x_becomes_a_column_of_float64():
    data = Dataset([1, 2, 3], [2, 4, 7])
    assert data.X.shape == (3, 1) and data.X.dtype == np.float64
    assert data.y.dtype == np.float64 and data.feature_names == ("x",)
    assert (data.m, data.d) == (3, 1)


def test_the_callers_arrays_are_copied_and_the_stored_ones_are_read_only():
    X = np.array([[1.0], [2.0], [3.0]])
    data = Dataset(X, [1.0, 2.0, 3.0])
    X[0, 0] = 99.0
    assert data.X[0, 0] == 1.0
    with pytest.raises(ValueError):
        data.X[0, 0] = 5.0


@pytest.mark.parametrize("X, y, words", [
    ([1.0, np.nan, 3.0], [1, 2, 3], "missing or infinite value (first at row 2)"),
    ([1.0, 2.0, 3.0], [1, np.inf, 3], "target contain a missing or infinite"),
    ([1.0, 2.0, 3.0], [1, 2], "3 rows but the target has 2"),
    ([1.0], [1.0], "at least two points"),
    (np.zeros((3, 0)), [1, 2, 3], "no feature"),
    ([[1, 2], [3]], [1, 2], "numbers of one shape"),
    (["a", "b"], [1, 2], "numbers of one shape"),
    (np.zeros((2, 2, 2)), [1, 2], "table"),
])
def test_bad_data_raises_a_data_error_a_student_can_read(X, y, words):
    with pytest.raises(DataError, match=None) as error:
        Dataset(X, y)
    assert words in str(error.value)
    assert isinstance(error.value, ValueError)


def test_feature_names_must_match():
    assert Dataset(np.ones((3, 2)), [1, 2, 3], feature_names=["a", "b"]).feature_names == ("a", "b")
    with pytest.raises(DataError):
        Dataset(np.ones((3, 2)), [1, 2, 3], feature_names=["a"])


def test_synthetic_is_reproducible_and_follows_its_line():
    a = synthetic(n=500, weights=[2.0, -1.0], bias=0.5, noise=0.0, seed=7)
    b = synthetic(n=500, weights=[2.0, -1.0], bias=0.5, noise=0.0, seed=7)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_allclose(a.y, a.X @ [2.0, -1.0] + 0.5)
    assert a.true_weights.tolist() == [2.0, -1.0] and a.true_bias == 0.5
    assert not np.array_equal(a.X, synthetic(n=500, weights=[2.0, -1.0], seed=8).X)


def test_synthetic_range_offset_and_outliers():
    data = synthetic(n=300, x_range=(1.0, 2.0), x_offset=100.0, noise=0.0, outliers=3, seed=1)
    assert data.X.min() >= 101.0 and data.X.max() <= 102.0
    off_line = np.abs(data.y - (data.X[:, 0] * 2.0 + 1.0)) > 1e-9
    assert off_line.sum() == 3


@pytest.mark.parametrize("kwargs", [dict(n=1), dict(noise=-1.0), dict(x_range=(2, 1)),
                                    dict(weights=[]), dict(bias=np.nan), dict(outliers=99, n=10)])
def test_synthetic_rejects_impossible_settings(kwargs):
    with pytest.raises(DataError):
        synthetic(**kwargs)


def test_standardised_features_have_mean_zero_and_unit_spread_and_map_back():
    data = synthetic(n=200, weights=[3.0, -1.0], bias=2.0, seed=2, x_offset=50.0)
    scaled = data.standardized()
    np.testing.assert_allclose(scaled.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.X.std(axis=0), 1, rtol=1e-12)
    W_scaled, b_scaled = np.array([0.7, -0.2]), 1.5
    W, b = scaled.to_original_units(W_scaled, b_scaled)
    np.testing.assert_allclose(data.X @ W + b, scaled.X @ W_scaled + b_scaled, rtol=1e-10)
    assert scaled.standardized() is scaled and scaled.scaling is not None
    constant = Dataset(np.column_stack([np.arange(5.0), np.full(5, 3.0)]), np.arange(5.0)).standardized()
    assert np.isfinite(constant.X).all()
