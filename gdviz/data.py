"""Data sets for linear (and logistic) regression: the synthetic generators and the built-in samples.

gdviz.data is the one place to ask for data: it re-exports the Dataset record and its checks (from
gdviz.dataset, the floor both this module and the reader stand on) and read_csv/csv_columns (from
gdviz.csv_reader). A Dataset holds X of shape (m, d) and y of shape (m,) as read-only float64 arrays,
checked once on the way in so that nothing downstream ever meets a NaN, a ragged shape or a single row.
"""
from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np

from . import csv_reader
from .csv_reader import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, csv_columns, read_csv
from .dataset import LARGEST, SMALLEST, DataError, Dataset, check_magnitudes, shown
from .dataset import _spread  # noqa: F401 - tests/test_data.py checks it here

__all__ = ["BINARY_SAMPLES", "LARGEST", "MAX_BYTES", "MAX_COLUMNS", "MAX_ROWS", "SAMPLES", "SAMPLES_DIR",
           "SMALLEST", "DataError", "Dataset", "check_magnitudes", "csv_columns", "read_csv", "sample", "shown",
           "synthetic", "synthetic_classes"]

SAMPLES_DIR = Path(__file__).parent / "samples"


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


class _Limits(types.ModuleType):
    """gdviz.data with one addition: setting MAX_BYTES, MAX_COLUMNS or MAX_ROWS here sets the reader's
    own limit (gdviz.csv_reader reads its limits at each call), so the limits can still be changed
    where they were always read, without the reader importing this module back."""

    def __setattr__(self, name, value):
        if name in ("MAX_BYTES", "MAX_COLUMNS", "MAX_ROWS"):
            setattr(csv_reader, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Limits
