"""read_csv(): a CSV file into a Dataset, or a DataError saying what is wrong and where.

The parsing is pandas' C parser (fast, and forgiving where it should be); around it, the checks that
turn whatever arrives into a Dataset or one plain sentence: size limits, binary files, encodings,
separators, ragged rows, duplicate names, stray words in numeric columns, missing and infinite values.
The size limits (MAX_BYTES, MAX_COLUMNS, MAX_ROWS) are read at each call, so changing them takes effect
at once; gdviz.data re-exports them, and setting them there sets them here too.
"""
from __future__ import annotations

import csv
import io
import os
import re
import threading
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from .dataset import DataError, Dataset, check_magnitudes
from .dataset import shown as _shown

# What a file may hold (read at each call).
MAX_BYTES = 200 * 2**20  # a CSV larger than this is refused with a message, not read
MAX_COLUMNS = 500
MAX_ROWS = 5_000_000

# catch_warnings changes process-wide state; sessions read files in threads, so one at a time.
_PARSE_LOCK = threading.Lock()


def read_csv(source, features=None, target=None, *, name: str = "") -> Dataset:
    """Read a CSV file into a Dataset, or raise DataError saying what is wrong and where.

    ``source`` is a path, bytes, or a binary file object (what Streamlit's uploader gives).
    By default the target is the last numeric column and the features are the other numeric
    columns; columns of text (an id, a name) are left out. Rows with a missing value in a column
    used are dropped and counted in ``rows_dropped``; an infinite value is an error, and so is a
    number too large or too small for float64 to square (see gdviz.dataset.check_magnitudes). Reads a
    UTF-8 byte-order mark, CRLF line ends, quoted headers, spaces around values, scientific
    notation, blank lines, and ``;`` or tab separators. Refuses files over MAX_BYTES, MAX_COLUMNS or
    MAX_ROWS (below; gdviz.data re-exports them).

    >>> data = read_csv(b"speed,dist\\n4,2\\n7,4\\n8,16\\n")
    >>> data.feature_names, data.target_name, data.m
    (('speed',), 'dist', 3)
    """
    raw, default_name = _read_bytes(source)
    decoded = _decode(raw)
    frame = _parse(decoded, _path_of(source))
    columns = [str(c) for c in frame.columns]
    numeric, problems = _numeric_columns(frame, _separator_of(decoded[2]))
    target = _pick_target(target, columns, numeric, problems)
    features = _pick_features(features, target, columns, numeric, problems, frame)
    used = features + [target]
    # One conversion of the columns used (pandas keeps same-typed columns in one block), then views.
    matrix = frame[used].to_numpy(dtype=np.float64, na_value=np.nan)
    values = [matrix[:, j] for j in range(len(used))]
    # A finite sum means no NaN and no infinity (the common case: one cheap pass, no temporaries).
    clean = all(np.isfinite(v.sum()) for v in values)
    keep = None
    if not clean:
        _refuse_infinite(values, used)
        missing = np.zeros(len(values[0]), dtype=bool)
        for v in values:
            missing |= np.isnan(v)
        if missing.any():
            keep = ~missing
    m = len(values[0]) if keep is None else int(keep.sum())
    if m < 2:
        raise DataError(f"Only {m} of the {len(values[0])} rows have a value in every one of "
                        f"{_names(used)}: a line needs at least two points.")
    if keep is not None:
        values = [v[keep] for v in values]
        # the file's row numbers, for a message about a value too large or too small
        rows = np.flatnonzero(keep) + 1
        for v, column in zip(values, used):
            check_magnitudes(v, [column], rows)
    dropped = 0 if keep is None else len(keep) - m
    note = f"{dropped} row{'s' if dropped != 1 else ''} with a missing value dropped." if dropped else ""
    X = np.ascontiguousarray(values[0] if len(features) == 1 else
                             (matrix[:, :-1] if keep is None else np.column_stack(values[:-1])))
    return Dataset(X, np.ascontiguousarray(values[-1]), tuple(features), target, name or default_name, rows_dropped=dropped, note=note)


def _refuse_infinite(values, names) -> None:
    """DataError for the first infinite value (by row, then by column), if there is one."""
    first = None
    for col, v in enumerate(values):
        where = np.flatnonzero(np.isinf(v))
        if where.size and (first is None or where[0] < first[0]):
            first = (int(where[0]), col)
    if first is not None:
        row, col = first
        raise DataError(f"Column '{_shown(names[col])}' has an infinite value at row {row + 1}: "
                        "replace it with a number or leave the cell empty.")



def csv_columns(source) -> tuple[list[str], list[str]]:
    """(all columns, numeric columns) of a CSV file: what a picker offers. Raises DataError."""
    raw, _ = _read_bytes(source)
    decoded = _decode(raw)
    frame = _parse(decoded, _path_of(source))
    numeric, _ = _numeric_columns(frame, _separator_of(decoded[2]))
    return [str(c) for c in frame.columns], numeric


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


def _path_of(source) -> str | None:
    """The absolute path of a file source (an absolute path is never taken for a URL), else None."""
    return str(Path(source).resolve()) if isinstance(source, (str, os.PathLike)) else None


def _parse(decoded, path: str | None = None):
    """The table pandas' C parser makes of the checked bytes.

    Given the file's ``path`` (the bytes were read from it and checked), pandas reads the file
    itself: with UTF-8 it then decodes in C instead of through a Python TextIOWrapper around the
    bytes, a third of its time on a large file. Nothing else differs (no compression is guessed
    from the name; pandas skips the byte-order mark _decode removed)."""
    import pandas as pd  # the C parser: fast and forgiving where it should be

    raw, encoding, header = decoded
    separator = _separator_of(header)
    if header.count(separator) + 1 > MAX_COLUMNS:
        raise DataError(f"The file has {header.count(separator) + 1} columns; the limit is {MAX_COLUMNS}.")
    _refuse_wide_rows(raw, separator)
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
            # A column whose type differs between pandas' chunks comes back as objects (checked
            # below, value by value), so pandas' note about it is noise.
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            frame = pd.read_csv(path if path is not None else io.BytesIO(raw), compression=None,
                                encoding=encoding, encoding_errors="replace", sep=separator,
                                skipinitialspace=_a_field_starts_with_a_space(raw, separator),
                                skip_blank_lines=True, nrows=MAX_ROWS + 1, on_bad_lines="error",
                                index_col=False)
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


def _refuse_wide_rows(raw: bytes, separator: str) -> None:
    """DataError for the first row with more values than MAX_COLUMNS, found before pandas parses it
    (pandas takes about 25 µs a column to refuse a row wider than its header: a line of a million
    commas held a thread for half a minute). Only a line at least MAX_COLUMNS bytes long can be that
    wide, so only those lines are counted (separators inside quotes do not count)."""
    text = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(text == (ord("\n") if b"\n" in raw else ord("\r")))
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(raw)]))
    sep = separator.encode("ascii")
    for row in np.flatnonzero(stops - starts >= MAX_COLUMNS):
        start, stop = int(starts[row]), int(stops[row])
        if raw.find(b'"', start, stop) < 0:
            values = raw.count(sep, start, stop) + 1
        else:
            values = re.sub(rb'"[^"]*"', b"", raw[start:stop]).count(sep) + 1
        if values > MAX_COLUMNS:
            raise DataError(f"The file's line {row + 1} has {values:,} values; a row has at most {MAX_COLUMNS} (one per "
                            "column of the header).")


def _a_field_starts_with_a_space(raw: bytes, separator: str) -> bool:
    """Whether skipinitialspace can change anything: a space after a separator or at a line start.

    Without one the flag is a no-op, and leaving it off keeps pandas on its fastest path (a quarter
    of the time of a large file). The search is over bytes: separators and spaces are ASCII in
    UTF-8 and cp1252 alike."""
    if b" " not in raw:  # one memchr: most files of numbers have no space at all
        return False
    text = np.frombuffer(raw, dtype=np.uint8)
    spaces = np.flatnonzero(text == ord(" "))
    before = text[spaces[spaces > 0] - 1]
    return bool(spaces[0] == 0 or np.isin(before, list(b"\r\n" + separator.encode("ascii"))).any())


def _separator_of(header: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header)
    return max([",", ";", "\t"], key=unquoted.count)


def _numeric_columns(frame, separator=",") -> tuple[list[str], dict[str, str]]:
    """Columns whose every value is a number (or missing); for mostly-numeric columns with a stray
    word, a message naming the first bad value and its row."""
    import pandas as pd

    numeric, problems = [], {}
    kinds = frame.dtypes.map(lambda dtype: dtype.kind)
    empty = frame.isna().all()  # once over pandas' blocks, not a column at a time
    for column in frame.columns:
        if empty[column]:
            continue  # an empty column (trailing commas): nothing to use
        if kinds[column] in "fiu":
            numeric.append(column)
            continue
        series = frame[column]
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
