"""The Dataset record and the checks every data set passes on the way in, whatever its source.

A Dataset holds X of shape (m, d) and y of shape (m,) as read-only float64 arrays, checked once on
the way in so that nothing downstream ever meets a NaN, a ragged shape or a single row. This module is
the floor under gdviz.data (the generators and the samples) and gdviz.csv_reader (files): both import
it, neither imports the other's way up. gdviz.data re-exports everything here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# What float64 can carry through the loss: |v| ≤ LARGEST keeps every square, sum (of up to 4e7
# rows), loss, gradient and Hessian finite; a non-zero |v| < SMALLEST would square to nothing.
LARGEST = 1e150
SMALLEST = 1e-150


class DataError(ValueError):
    """Raised when data cannot be used for regression; the message is meant for a student."""


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so model.py can cache per data set
class Dataset:
    """Features X (m rows, d features) and target y (m values) of a regression problem.

    X may be given as shape (m,) for one feature; it is stored as float64 of shape (m, d).
    ``true_weights``/``true_bias`` are the parameters that generated synthetic data (None otherwise);
    ``rows_dropped`` counts rows a reader left out for missing values.

    >>> Dataset([1, 2, 3], [2, 4, 6]).X.shape
    (3, 1)
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...] | None = None
    target_name: str = "y"
    name: str = ""
    true_weights: np.ndarray | None = None
    true_bias: float | None = None
    rows_dropped: int = 0
    note: str = field(default="", compare=False)
    scaling: tuple[np.ndarray, np.ndarray] | None = None  # (mean, std) if the features were standardised

    def __post_init__(self) -> None:
        X = _as_float_array(self.X, "X")
        y = _as_float_array(self.y, "y")
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2:
            raise DataError(f"The features must be a table (rows × columns); got {X.ndim} dimensions.")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise DataError("The target must be one column of numbers.")
        m, d = X.shape
        if d == 0:
            raise DataError("There is no feature: regression needs at least one input column.")
        if len(y) != m:
            raise DataError(f"The features have {m} rows but the target has {len(y)} values; "
                            "they must have one value per row.")
        if m < 2:
            raise DataError(f"Only {m} row of data: a line needs at least two points.")
        names = self.feature_names
        if names is None:
            names = ("x",) if d == 1 else tuple(f"x{i + 1}" for i in range(d))
        names = tuple(str(n) for n in names)
        if len(names) != d:
            raise DataError(f"{len(names)} feature names were given for {d} features.")
        low, high = check_magnitudes(X, names, what="features")
        y_low, y_high = check_magnitudes(y, (str(self.target_name),), what="target")
        _check_spans(high - low, float(y_high[0] - y_low[0]), m, names)
        X = np.ascontiguousarray(X)
        X.setflags(write=False)
        y = np.ascontiguousarray(y)
        y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "feature_names", names)
        if self.true_weights is not None:
            true_w = np.asarray(self.true_weights, dtype=np.float64).reshape(-1)
            object.__setattr__(self, "true_weights", true_w)

    @property
    def m(self) -> int:
        """Number of rows (examples)."""
        return self.X.shape[0]

    @property
    def d(self) -> int:
        """Number of features (weights)."""
        return self.X.shape[1]

    def standardized(self) -> "Dataset":
        """The same data with every feature rescaled to x' = (x − mean) / std (a constant feature is
        only centred). Fitting x' instead of x turns a long thin valley into a round bowl;
        ``to_original_units`` maps the fitted (W', b') back to the line in x's units."""
        if self.scaling is not None:
            return self
        constant = (self.X == self.X[0]).all(axis=0)
        mean = np.where(constant, self.X[0], self.X.mean(axis=0))  # a constant column becomes exact zeros
        std = _spread(self.X - mean)
        std = np.where(constant | ~(std > 0), 1.0, std)
        return Dataset((self.X - mean) / std, self.y, self.feature_names, self.target_name,
                       f"{self.name} (standardised)" if self.name else "standardised", self.true_weights,
                       self.true_bias, self.rows_dropped, self.note, (mean, std))

    def to_original_units(self, W, b):
        """(W, b) of the line in the original units: for x' = (x − μ)/σ, ŷ = W'·x' + b' means
        W = W'/σ and b = b' − Σ W'μ/σ. Works on arrays of many (W', b') rows at once."""
        W = np.asarray(W, dtype=np.float64)
        if self.scaling is None:
            return W, np.asarray(b, dtype=np.float64)
        mean, std = self.scaling
        return W / std, np.asarray(b, dtype=np.float64) - (W * (mean / std)).sum(axis=-1)

    def __repr__(self) -> str:
        return f"Dataset({self.name or 'unnamed'!r}, m={self.m}, d={self.d})"


def _spread(centred: np.ndarray) -> np.ndarray:
    """The root mean square of each column, √((1/m) Σ v²), which the squares cannot overflow: a
    column whose sum of squares would pass float64's range is first scaled by a power of two (exact)."""
    m = len(centred)
    with np.errstate(over="ignore"):
        spread = np.sqrt(np.einsum("ij,ij->j", centred, centred) / m)
    wide = ~np.isfinite(spread)
    if wide.any():
        columns = centred[:, wide]
        scale = np.ldexp(1.0, -np.frexp(np.abs(columns).max(axis=0))[1])
        spread[wide] = np.sqrt(np.einsum("ij,ij->j", columns * scale, columns * scale) / m) / scale
    return spread


def _as_float_array(values, what: str) -> np.ndarray:
    try:
        array = np.array(values, dtype=np.float64)  # a copy: the caller's array stays theirs
    except (TypeError, ValueError) as error:
        raise DataError(f"The {what} must be numbers of one shape ({error}).") from None
    return array


def check_magnitudes(values, names, rows=None, what: str = "values") -> tuple[np.ndarray, np.ndarray]:
    """Raise DataError if a number is missing, infinite, or beyond what the loss can square and sum
    in float64; else return each column's (lowest, highest) value.

    ``values`` is one column (m,) or a table (m, k) with one name per column (``what`` says what
    they are); the message names the first column with such a number and its first row
    (``rows[i]``, if given, is row i's number in the file; otherwise rows count from 1).

    >>> check_magnitudes(np.array([1.0, 2e200]), ["price"])
    Traceback (most recent call last):
    ...
    gdviz.dataset.DataError: Column 'price' has a number too large for the squares and sums the loss needs (first at row 2: 2e+200, larger than 1e+150 in size); rescaling the column (e.g. other units) fixes this.
    """
    values = np.asarray(values, dtype=np.float64)
    table = values.reshape(len(values), -1)
    low, high = table.min(axis=0), table.max(axis=0)  # reductions only: no temporary array
    if not (low.min() >= -LARGEST and high.max() <= LARGEST):  # NaN and infinity fail this too
        missing = ~np.isfinite(table)
        if missing.any():
            row = int(np.argwhere(missing)[0][0])
            row = row + 1 if rows is None else int(rows[row])
            raise DataError(f"The {what} contain a missing or infinite value (first at row {row}); "
                            "remove or fix it.")
        _refuse(table, np.abs(table) > LARGEST, names, rows, "too large for the squares and sums the loss needs",
                f"larger than {LARGEST:g} in size")
    one_signed = ((low >= SMALLEST) | (high <= -SMALLEST)).all()  # then no number can be tiny
    if not one_signed:
        tiny = np.abs(table) < SMALLEST
        if np.count_nonzero(tiny) > table.size - np.count_nonzero(table):  # a tiny number that is not 0
            _refuse(table, tiny & (table != 0), names, rows,
                    "too small (but not zero) for the squares the loss needs", f"smaller than {SMALLEST:g} in size")
    return low, high


def _check_spans(spans: np.ndarray, target_span: float, m: int, names) -> None:
    """Raise DataError if a feature varies so little that its centred squares vanish (a span below
    SMALLEST), or so much less than the target that the best weight, about (target's spread) /
    (feature's spread), could pass float64's range.

    With a spread s ≥ span/√(2m) and the correlation test of model._flat_directions (which lets
    collinearity multiply a weight by at most 1e12), |W*| ≤ 1e12·span_y·√(m/2)/span_x: refused
    when that could exceed 1e300. Only absurd data (a feature of width 1e-140 against a target of
    width 1e150) come near it."""
    vanishing = (spans > 0) & (spans < SMALLEST)
    if vanishing.any():
        j = int(np.flatnonzero(vanishing)[0])
        raise DataError(f"Column '{shown(names[j])}' varies too little (its values span {spans[j]:.3g}, less than "
                        f"{SMALLEST:g}): the squares the loss needs vanish in float64; rescaling the column "
                        "(e.g. other units) fixes this.")
    reach = target_span * np.sqrt(m / 2.0)
    narrow = (spans > 0) & (reach / 1e288 > spans)
    if narrow.any():
        j = int(np.flatnonzero(narrow)[0])
        raise DataError(f"Column '{shown(names[j])}' varies too little for this target (its values span "
                        f"{spans[j]:.3g}, the target's {target_span:.3g}): the best weight would be too large "
                        "for float64; rescaling the column (e.g. other units) fixes this.")


def _refuse(table, bad, names, rows, what: str, beyond: str):
    column = int(np.flatnonzero(bad.any(axis=0))[0])
    index = int(np.flatnonzero(bad[:, column])[0])
    row = index + 1 if rows is None else int(rows[index])
    raise DataError(f"Column '{shown(names[column])}' has a number {what} (first at row {row}: "
                    f"{table[index, column]:.3g}, {beyond}); rescaling the column (e.g. other units) "
                    "fixes this.")


def shown(text, limit: int = 40) -> str:
    """A name or cell as shown in a message: control characters made visible, at most ``limit`` chars."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"
