import warnings

import numpy as np
import pytest

import gdviz
import gdviz.csv_reader
from gdviz import DataError, Dataset, curvature, quadratic, read_csv, synthetic


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


# ---- numbers float64 cannot carry through the loss: refused when the Dataset is built ----

I = np.arange(50.0)


@pytest.mark.parametrize("X, y, names, target, words", [
    (1e300 * (I + 1), I, None, "y", ["Column 'x'", "too large", "first at row 1: 1e+300"]),
    (I, 1e300 * (I + 1), None, "price", ["Column 'price'", "too large", "row 1"]),
    (1e200 * (I + 1), I, None, "y", ["Column 'x'", "too large", "1e+200"]),
    (np.column_stack([I, np.where(I == 2, -3e151, I)]), I, ("age", "income"), "y", ["Column 'income'", "row 3"]),
    (np.where(I == 1, 1e-200, I), I, None, "y", ["Column 'x'", "too small (but not zero)", "row 2: 1e-200"]),
    (I, np.where(I == 4, -2e-151, I), None, "dist", ["Column 'dist'", "too small", "row 5"]),
])
def test_numbers_the_loss_cannot_carry_are_a_data_error(X, y, names, target, words):
    with pytest.raises(DataError) as error:
        Dataset(X, y, feature_names=names, target_name=target)
    message = str(error.value)
    for word in words + ["rescaling the column (e.g. other units) fixes this."]:
        assert word in message, (word, message)
    assert len(message) <= 300 and message.count(".") <= 4


def test_the_bounds_themselves_and_zero_are_carried():
    x = np.array([-1e150, 1e-150, 0.0, -1e-150, 1e150, 3.0])
    data = Dataset(x, x[::-1].copy())
    assert np.array_equal(data.X[:, 0], x)
    assert np.isfinite(quadratic(data).sxx).all() and np.isfinite(curvature(data).eigenvalues).all()


def test_a_feature_that_barely_varies_is_refused():
    # its centred squares (about 1e-318) are below float64's normal numbers: no digit of Sxx is left
    with pytest.raises(DataError, match=r"Column 'x' varies too little \(its values span 4.9e-159, less than 1e-150\)"):
        Dataset(1e-150 * (1 + 1e-10 * I), I)
    # a span of 1e-140 against a target of 1e150: W* ≈ 1e290·√m could pass float64's range
    with pytest.raises(DataError, match="Column 'b' varies too little for this target"):
        Dataset(np.column_stack([I, 1e-130 + 1e-142 * I]), 1e150 * (-1.0) ** I, feature_names=["a", "b"])
    Dataset(np.column_stack([I, 1e-130 + 1e-142 * I]), I)  # the same feature against a target of size 50 is fine


def test_read_csv_names_the_column_and_the_files_row():
    with pytest.raises(DataError, match=r"Column 'y' has a number too large .*first at row 4: 1e\+200"):
        read_csv(b"x,y\n1,2\n,3\n2,4\n3,1e200\n")  # row 2 is dropped (missing x); the row is still the file's
    with pytest.raises(DataError, match=r"Column 'x' has a number too small .*first at row 2"):
        read_csv(b"x,y\n1,2\n1e-300,3\n2,4\n")


def test_read_csv_is_public_and_the_same_everywhere():
    data = gdviz.read_csv(b"a,b,c\n1,2,3\n2,3,5\n4,1,4\n", features=["b"], target="a")
    assert data.feature_names == ("b",) and data.target_name == "a" and data.y.tolist() == [1.0, 2.0, 4.0]
    assert gdviz.read_csv is gdviz.data.read_csv is gdviz.csv_reader.read_csv
    assert gdviz.data.csv_columns is gdviz.csv_reader.csv_columns
    assert gdviz.read_csv(b"x,y\n1,2\n2,3\n", name="mine").name == "mine"


def test_standardising_numbers_near_the_bound_stays_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (1e150 * np.sin(I), 2e148 * (I + 1), 1e-149 * (I + 1)):
            scaled = Dataset(x, I).standardized()
            assert np.isfinite(scaled.X).all()
            np.testing.assert_allclose(scaled.X.mean(), 0.0, atol=1e-14)
            np.testing.assert_allclose(scaled.X.std(), 1.0, rtol=1e-12)
            assert np.isfinite(curvature(scaled).condition_number)


def test_the_spread_of_columns_whose_squares_overflow():
    # √(mean of squares) of ±1e300 is 1e300 although each square is beyond float64
    centred = np.array([[1e300, 2.0], [-1e300, -2.0], [1e300, 2.0], [-1e300, -2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(gdviz.data._spread(centred), [1e300, 2.0], rtol=1e-15)


def test_a_constant_column_standardises_to_exact_zeros():
    data = Dataset(np.column_stack([I, np.full(50, 0.1)]), I)
    scaled = data.standardized()
    assert (scaled.X[:, 1] == 0.0).all()
    W, b = scaled.to_original_units(np.array([1.0, 5.0]), 0.0)
    np.testing.assert_allclose(data.X @ W + b, scaled.X @ [1.0, 5.0], rtol=1e-12, atol=1e-12)


def test_the_synthetic_name_writes_the_line_with_a_minus_sign():
    assert gdviz.synthetic(weights=2.0, bias=-1.0, noise=1.0).name == "synthetic: y = 2·x − 1 + noise 1"
    assert gdviz.synthetic(weights=2.0, bias=1.0, noise=0.5).name == "synthetic: y = 2·x + 1 + noise 0.5"
    name = gdviz.synthetic(weights=[-1.5, 2.0, -0.25], bias=0.0).name
    assert name == "synthetic: y = −1.5·x1 + 2·x2 − 0.25·x3 + 0 + noise 1"
    assert "+ -" not in name and "-" not in name  # the minus sign (U+2212), never a hyphen
