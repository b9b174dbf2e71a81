"""Data sets for linear (and logistic) regression: the Dataset record, the synthetic generator, the samples.

A Dataset holds X of shape (m, d) and y of shape (m,) as read-only float64 arrays, checked once on
the way in so that nothing downstream ever meets a NaN, a ragged shape or a single row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# What a file may hold (read_csv, in gdviz.csv_reader, reads these here at each call).
MAX_BYTES = 200 * 2**20  # a CSV larger than this is refused with a message, not read
MAX_COLUMNS = 500
MAX_ROWS = 5_000_000
# What float64 can carry through the loss: |v| ≤ LARGEST keeps every square, sum (of up to 4e7
# rows), loss, gradient and Hessian finite; a non-zero |v| < SMALLEST would square to nothing.
LARGEST = 1e150
SMALLEST = 1e-150
SAMPLES_DIR = Path(__file__).parent / "samples"


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
    gdviz.data.DataError: Column 'price' has a number too large for the squares and sums the loss needs (first at row 2: 2e+200, larger than 1e+150 in size); rescaling the column (e.g. other units) fixes this.
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


def synthetic(n: int = 50, weights=2.0, bias: float = 1.0, noise: float = 1.0, seed: int = 0,
              x_range: tuple[float, float] = (-3.0, 3.0), x_offset: float = 0.0,
              outliers: int = 0, name: str = "") -> Dataset:
    """Reproducible noisy linear data: y = X·weights + bias + noise·ε with ε ~ N(0, 1).

    Each feature is drawn uniformly from ``x_range`` shifted by ``x_offset``; an offset far from zero
    makes the loss valley long and thin (the weight and the bias fight each other). ``outliers`` rows
    get their target pushed by ±10 noise units (at least 10), to show how squared error reacts.
    ``weights`` is a number (one feature) or a sequence (one weight per feature).

    >>> data = synthetic(n=5, weights=[1.0, -2.0], seed=1)
    >>> data.X.shape, data.true_bias
    ((5, 2), 1.0)
    """
    true_w = np.atleast_1d(np.asarray(weights, dtype=np.float64))
    if true_w.ndim != 1 or true_w.size == 0:
        raise DataError("weights must be a number or a list of numbers.")
    if not (isinstance(n, (int, np.integer)) and n >= 2):
        raise DataError("A data set needs at least two points (n ≥ 2).")
    low, high = (float(v) for v in x_range)
    if not (np.isfinite([low, high, x_offset, bias, noise]).all() and np.isfinite(true_w).all()):
        raise DataError("The settings of the synthetic data must be finite numbers.")
    if high < low or noise < 0 or not 0 <= outliers <= n:
        raise DataError("Need x_range low ≤ high, noise ≥ 0 and 0 ≤ outliers ≤ n.")
    rng = np.random.default_rng(seed)
    X = rng.uniform(low, high, size=(n, true_w.size)) + x_offset
    y = X @ true_w + bias + noise * rng.standard_normal(n)
    if outliers:
        rows = rng.choice(n, size=outliers, replace=False)
        y[rows] += rng.choice([-1.0, 1.0], size=outliers) * 10.0 * max(noise, 1.0)
    if not name:
        name = f"synthetic: y = {_formula(true_w, bias)} + noise {noise:g}"
    return Dataset(X, y, name=name, true_weights=true_w, true_bias=float(bias))


def synthetic_classes(n: int = 60, weight: float = 2.0, bias: float = -1.0, seed: int = 0,
                      x_range: tuple[float, float] = (-2.0, 2.0), x_offset: float = 0.0) -> Dataset:
    """Reproducible two-class data for logistic regression: x uniform on ``x_range`` + ``x_offset``,
    y ~ Bernoulli(σ(weight·x + bias)), σ(z) = 1/(1 + e^(−z)), so y is 0 or 1 and the probability of
    a 1 follows the true sigmoid p(x) = σ(weight·x + bias).

    >>> data = synthetic_classes(n=8, seed=3)
    >>> sorted(set(data.y.tolist())) == [0.0, 1.0], data.X.shape
    (True, (8, 1))
    """
    if not (isinstance(n, (int, np.integer)) and n >= 2):
        raise DataError("A data set needs at least two points (n ≥ 2).")
    low, high = (float(v) for v in x_range)
    if not (np.isfinite([low, high, x_offset, weight, bias]).all() and low <= high):
        raise DataError("The settings of the synthetic classes must be finite numbers, with x_range low ≤ high.")
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=n) + x_offset
    z = weight * x + bias
    p = np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))
    y = (rng.uniform(size=n) < p).astype(np.float64)
    name = f"synthetic classes: P(y = 1) = σ({_formula(np.array([weight]), bias)})"
    return Dataset(x, y, name=name, true_weights=np.array([float(weight)]), true_bias=float(bias))


def _formula(weights, bias: float) -> str:
    """The line as a reader writes it: "2·x − 1", "1·x1 − 2·x2 + 0.5" (a minus sign, never "+ -").

    >>> _formula(np.array([2.0]), -1.0), _formula(np.array([-1.0, 2.5]), 0.0)
    ('2·x − 1', '−1·x1 + 2.5·x2 + 0')
    """
    terms = [f"{abs(w):g}·x{i + 1 if len(weights) > 1 else ''}" for i, w in enumerate(weights)] + [f"{abs(bias):g}"]
    signs = ["−" if value < 0 else "+" for value in (*weights, bias)]
    first = ("−" if signs[0] == "−" else "") + terms[0]
    return first + "".join(f" {sign} {term}" for sign, term in zip(signs[1:], terms[1:]))


SAMPLES = {
    "Stopping distance of cars (Ezekiel, 1930)": "cars.csv",
    "Old Faithful: eruption length against waiting time": "faithful.csv",
    "Anscombe's quartet I": "anscombe_1.csv",
    "Anscombe's quartet II (a curve)": "anscombe_2.csv",
    "Anscombe's quartet III (an outlier)": "anscombe_3.csv",
    "Anscombe's quartet IV (one point decides)": "anscombe_4.csv",
    "Black cherry trees: volume from girth and height (2 features)": "trees.csv",
    "Challenger O-ring damage against launch temperature (0/1, 1986)": "challenger.csv",
}
# The samples whose target is a class, 0 or 1 (for logistic regression). They are in SAMPLES too, and
# linear regression on them works (the "linear probability" line), so every sample stays a regression one.
BINARY_SAMPLES = frozenset({"Challenger O-ring damage against launch temperature (0/1, 1986)"})


def sample(title: str) -> Dataset:
    """One of the real data sets shipped with gdviz (see gdviz/samples/README.md), by its title."""
    if title not in SAMPLES:
        raise DataError(f"There is no sample called {title!r}; choose one of: {', '.join(SAMPLES)}.")
    return read_csv(SAMPLES_DIR / SAMPLES[title], name=title)


from .csv_reader import csv_columns, read_csv  # noqa: E402  (the reader needs Dataset, defined above)
