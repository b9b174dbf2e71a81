"""Data sets for linear regression: the Dataset record and the synthetic generator.

A Dataset holds X of shape (m, d) and y of shape (m,) as read-only float64 arrays, checked once on
the way in so that nothing downstream ever meets a NaN, a ragged shape or a single row.
"""
from __future__ import annotations

import csv
import io
import os
import re
import threading
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_BYTES = 200 * 2**20  # a CSV larger than this is refused with a message, not read
MAX_COLUMNS = 500
MAX_ROWS = 5_000_000
SAMPLES_DIR = Path(__file__).parent / "samples"
# catch_warnings changes process-wide state; sessions read files in threads, so one at a time.
_PARSE_LOCK = threading.Lock()


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
        for values, what in ((X, "features"), (y, "target")):
            bad = ~np.isfinite(values)
            if bad.any():
                row = int(np.argwhere(bad)[0][0])
                raise DataError(f"The {what} contain a missing or infinite value (first at row {row + 1}); "
                                "remove or fix it.")
        names = self.feature_names
        if names is None:
            names = ("x",) if d == 1 else tuple(f"x{i + 1}" for i in range(d))
        names = tuple(str(n) for n in names)
        if len(names) != d:
            raise DataError(f"{len(names)} feature names were given for {d} features.")
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
        mean = self.X.mean(axis=0)
        std = self.X.std(axis=0)
        std = np.where(std > 0, std, 1.0)
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


def _as_float_array(values, what: str) -> np.ndarray:
    try:
        array = np.array(values, dtype=np.float64)  # a copy: the caller's array stays theirs
    except (TypeError, ValueError) as error:
        raise DataError(f"The {what} must be numbers of one shape ({error}).") from None
    return array


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
        line = " + ".join(f"{w:g}·x{i + 1 if true_w.size > 1 else ''}" for i, w in enumerate(true_w))
        name = f"synthetic: y = {line} + {bias:g} + noise {noise:g}"
    return Dataset(X, y, name=name, true_weights=true_w, true_bias=float(bias))


def read_csv(source, features=None, target=None, *, name: str = "") -> Dataset:
    """Read a CSV file into a Dataset, or raise DataError saying what is wrong and where.

    ``source`` is a path, bytes, or a binary file object (what Streamlit's uploader gives).
    By default the target is the last numeric column and the features are the other numeric
    columns; columns of text (an id, a name) are left out. Rows with a missing value in a column
    used are dropped and counted in ``rows_dropped``; an infinite value is an error. Reads a UTF-8
    byte-order mark, CRLF line ends, quoted headers, spaces around values, scientific notation,
    blank lines, and ``;`` or tab separators. Refuses files over MAX_BYTES, MAX_COLUMNS or MAX_ROWS.

    >>> data = read_csv(b"speed,dist\\n4,2\\n7,4\\n8,16\\n")
    >>> data.feature_names, data.target_name, data.m
    (('speed',), 'dist', 3)
    """
    raw, default_name = _read_bytes(source)
    decoded = _decode(raw)
    frame = _parse(decoded)
    columns = [str(c) for c in frame.columns]
    numeric, problems = _numeric_columns(frame, _separator_of(decoded[2]))
    target = _pick_target(target, columns, numeric, problems)
    features = _pick_features(features, target, columns, numeric, problems, frame)
    used = frame[features + [target]].astype(np.float64)
    values = used.to_numpy()
    infinite = np.isinf(values)
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise DataError(f"Column '{_shown((features + [target])[col])}' has an infinite value at row {row + 1}: "
                        "replace it with a number or leave the cell empty.")
    keep = ~np.isnan(values).any(axis=1)
    dropped = int((~keep).sum())
    if keep.sum() < 2:
        raise DataError(f"Only {int(keep.sum())} of the {len(values)} rows have a value in every one of "
                        f"{_names(features + [target])}: a line needs at least two points.")
    note = f"{dropped} row{'s' if dropped != 1 else ''} with a missing value dropped." if dropped else ""
    return Dataset(values[keep, :-1], values[keep, -1], tuple(features), target, name or default_name,
                   rows_dropped=dropped, note=note)


def _shown(text, limit: int = 40) -> str:
    """A name or cell as shown in a message: control characters made visible, at most ``limit`` chars."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _names(columns, limit: int = 5) -> str:
    shown = ", ".join(_shown(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _read_bytes(source) -> tuple[bytes, str]:
    try:
        return _read_bytes_unchecked(source)
    except OSError as error:
        what = _shown(Path(str(getattr(source, "name", source))).name)
        raise DataError(f"Could not read {what}: {error.strerror or 'the system refused'}.") from None


def _read_bytes_unchecked(source) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw, name = bytes(source), "uploaded data"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"There is no file at {_shown(path, 120)}.")
        if path.stat().st_size > MAX_BYTES:
            raise DataError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB; the limit is "
                            f"{MAX_BYTES // 2**20} MB.")
        raw, name = path.read_bytes(), path.stem
    elif hasattr(source, "read"):
        raw = source.read(MAX_BYTES + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        name = Path(str(getattr(source, "name", "uploaded data"))).stem
    else:
        raise DataError("Give a file path, the file's bytes, or an open file.")
    if len(raw) > MAX_BYTES:
        raise DataError(f"The file is larger than {MAX_BYTES // 2**20} MB, the limit.")
    return raw, name


def _decode(raw: bytes) -> tuple[bytes, str, str]:
    """(the bytes to parse, their encoding, the header line as text); the bytes are never decoded
    whole when they are ASCII, so pandas parses them directly."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if not raw or raw.isspace():
        raise DataError("The file is empty.")
    head = raw[:8192]
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"\x89PNG", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")):
        raise DataError("This is not a text file (is it a spreadsheet, an image or a zip?). "
                        "Save it as CSV (comma-separated values) and upload that.")
    encoding = "utf-8"
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"  # older spreadsheet exports
    body = raw.lstrip(b"\r\n") if raw[:1] in (b"\r", b"\n") else raw
    ends = [k for k in (body.find(b"\n"), body.find(b"\r")) if k >= 0]
    header = body[:min(ends)] if ends else body
    return raw, encoding, header.decode(encoding, errors="replace")


def _parse(decoded):
    import pandas as pd  # the C parser: fast and forgiving where it should be

    raw, encoding, header = decoded
    separator = _separator_of(header)
    if header.count(separator) + 1 > MAX_COLUMNS:
        raise DataError(f"The file has {header.count(separator) + 1} columns; the limit is {MAX_COLUMNS}.")
    try:
        names = [n.strip() for n in next(csv.reader([header], delimiter=separator), [])]
    except csv.Error:  # a name longer than the csv module's field limit: leave it to pandas
        names = []
    twice = [n for n, k in Counter(names).items() if k > 1]
    if twice:
        raise DataError(f"Two columns have the same name, '{_shown(twice[0])}'; give every column its own name.")
    try:
        with _PARSE_LOCK, warnings.catch_warnings():
            # pandas only warns when a row has more values than the header: make that an error
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.BytesIO(raw), encoding=encoding, encoding_errors="replace", sep=separator,
                                skipinitialspace=True, skip_blank_lines=True, nrows=MAX_ROWS + 1,
                                on_bad_lines="error", low_memory=False, index_col=False)
    except pd.errors.ParserWarning:
        raise DataError("Some rows have more values than the header has names; every row must have "
                        "one value per column.") from None
    except pd.errors.EmptyDataError:
        raise DataError("The file has no columns: it is empty.") from None
    except pd.errors.ParserError as error:
        message = str(error).split("\n")[0]
        raise DataError(f"The file is not a regular table: {message.replace('Error tokenizing data. C error: ', '')}. "
                        "Every row must have as many values as the header has names.") from None
    except (ValueError, UnicodeError) as error:
        raise DataError(f"The file could not be read as CSV ({error}).") from None
    if len(frame) > MAX_ROWS:
        raise DataError(f"The file has more than {MAX_ROWS:,} rows, the limit.")
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(set(frame.columns)) != len(frame.columns):
        raise DataError("Two columns have the same name; give every column its own name.")
    if len(frame) == 0:
        raise DataError("The file has a header but no rows of data.")
    return frame


def _separator_of(header: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header)
    return max([",", ";", "\t"], key=unquoted.count)


def _numeric_columns(frame, separator=",") -> tuple[list[str], dict[str, str]]:
    """Columns whose every value is a number (or missing); for mostly-numeric columns with a stray
    word, a message naming the first bad value and its row."""
    import pandas as pd

    numeric, problems = [], {}
    for column in frame.columns:
        series = frame[column]
        if series.isna().all():
            continue  # an empty column (trailing commas): nothing to use
        if series.dtype.kind in "fiu":
            numeric.append(column)
            continue
        if series.dtype.kind == "b":
            continue
        text = series.astype("string").str.strip()
        converted = pd.to_numeric(text, errors="coerce")
        if separator == ";":  # a European export: 1,5 means 1.5
            alternative = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        else:  # a quoted "1,250" in a comma file: thousands separators
            grouped = text.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?").fillna(False).astype(bool)
            alternative = pd.to_numeric(text.where(~grouped, text.str.replace(",", "", regex=False)), errors="coerce")
        if alternative.notna().sum() > converted.notna().sum():
            converted = alternative
        bad = converted.isna() & text.notna() & (text != "")
        present = int(text.notna().sum())
        if present and not bad.any():
            frame[column] = converted
            numeric.append(column)
        elif present and (~bad & text.notna()).sum() > present / 2:
            row = int(np.flatnonzero(bad.to_numpy())[0])
            problems[column] = (f"Column '{_shown(column)}' has a value that is not a number at row {row + 1}: "
                                f"'{_shown(series.iloc[row])}'.")
    return numeric, problems


def _pick_target(target, columns, numeric, problems) -> str:
    if target is not None:
        target = str(target)
        if target not in columns:
            raise DataError(f"There is no column '{_shown(target)}'; the columns are: {_names(columns, 20)}.")
        if target not in numeric:
            raise DataError(problems.get(target, f"Column '{_shown(target)}' is not numeric, so it cannot be the target."))
        return target
    if problems:
        raise DataError(next(iter(problems.values())))
    if len(numeric) < 2:
        raise DataError(f"Regression needs at least two numeric columns (a feature and a target); this file has "
                        f"{len(numeric)}{': ' + _shown(numeric[0]) if numeric else ''}.")
    return numeric[-1]


def _is_row_number(column: str, frame) -> bool:
    """An id or index column (named so, counting 0, 1, 2... or 1, 2, 3...): not a feature by default."""
    if column.lower().strip("_ #") not in {"id", "index", "row", "rownames", "no", "n"} \
            and not column.startswith("Unnamed:"):
        return False
    values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(len(values) > 1 and np.all(np.diff(values) == 1))


def _pick_features(features, target, columns, numeric, problems, frame) -> list[str]:
    if features is None:
        chosen = [c for c in numeric if c != target and not _is_row_number(c, frame)]
        if not chosen:  # only a counting column is left: better a feature than nothing
            chosen = [c for c in numeric if c != target and c.lower().strip("_ #") not in {"id", "index", "rownames"}
                      and not c.startswith("Unnamed:")]
        if not chosen:
            raise DataError("There is no numeric column left to be a feature besides the target.")
        return chosen
    chosen = [str(f) for f in ([features] if isinstance(features, str) else features)]
    if not chosen:
        raise DataError("Choose at least one feature.")
    for column in chosen:
        if column not in columns:
            raise DataError(f"There is no column '{_shown(column)}'; the columns are: {_names(columns, 20)}.")
        if column not in numeric:
            raise DataError(problems.get(column, f"Column '{_shown(column)}' is not numeric, so it cannot be a feature."))
        if column == target:
            raise DataError(f"Column '{_shown(column)}' is the target; it cannot also be a feature.")
    if len(set(chosen)) != len(chosen):
        raise DataError("A feature is listed twice.")
    return chosen


def csv_columns(source) -> tuple[list[str], list[str]]:
    """(all columns, numeric columns) of a CSV file: what a picker offers. Raises DataError."""
    raw, _ = _read_bytes(source)
    decoded = _decode(raw)
    frame = _parse(decoded)
    numeric, _ = _numeric_columns(frame, _separator_of(decoded[2]))
    return [str(c) for c in frame.columns], numeric


SAMPLES = {
    "Stopping distance of cars (Ezekiel, 1930)": "cars.csv",
    "Old Faithful: eruption length against waiting time": "faithful.csv",
    "Anscombe's quartet I": "anscombe_1.csv",
    "Anscombe's quartet II (a curve)": "anscombe_2.csv",
    "Anscombe's quartet III (an outlier)": "anscombe_3.csv",
    "Anscombe's quartet IV (one point decides)": "anscombe_4.csv",
    "Black cherry trees: volume from girth and height (2 features)": "trees.csv",
}


def sample(title: str) -> Dataset:
    """One of the real data sets shipped with gdviz (see gdviz/samples/README.md), by its title."""
    if title not in SAMPLES:
        raise DataError(f"There is no sample called {title!r}; choose one of: {', '.join(SAMPLES)}.")
    return read_csv(SAMPLES_DIR / SAMPLES[title], name=title)
