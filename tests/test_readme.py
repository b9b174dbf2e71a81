"""The README says what the code does: its link table against the control schema, its two commands
against .ci/run, its Python examples run.

Each check is a function that returns a list of problems in plain words (empty: the README is true),
so a test can feed it a README with a row missing and see the problem caught.
"""
from __future__ import annotations

import ast
import re
import urllib.parse
from pathlib import Path

import pytest

from gdviz import optimizers
from gdviz.state import (ARROWS, BATCH, COLUMNS, CONTROLS, LESSON, PROBLEMS, SAMPLE_IDS, SCENE, STEP, VIEWS,
                         PageState, decode, links)

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

# The parameters the page reads besides the controls' links: checked against gdviz.state's names.
EXTRA = {STEP: "the step shown", LESSON: "the lesson", SCENE: "its scene",
         **{name: "a sample set's columns" for name in COLUMNS}}
# What a choice control's reader takes, by link name: every one must be named in its row.
CHOICES = {"problem": list(PROBLEMS), "data": ["synthetic", *SAMPLE_IDS], "opt": list(optimizers.LABELS),
           "batch": list(BATCH), "view": list(VIEWS), "arrows": list(ARROWS)}
RANGE = re.compile(r"(−?\d[\d.]*)–(−?\d[\d.]*)")


# ---- reading the README ----
def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a markdown heading line), up to the next heading of its level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    try:
        start = lines.index(heading) + 1
    except ValueError:
        return ""
    out, in_code = [], False
    for line in lines[start:]:
        in_code ^= line.startswith("```")
        hashes = len(line) - len(line.lstrip("#"))
        if not in_code and 0 < hashes <= level and line[hashes:hashes + 1] == " ":
            break
        out.append(line)
    return "\n".join(out)


def cells(line: str) -> list[str]:
    """A table row's cells (``\\|`` inside a cell is a pipe, not a border)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every markdown table in ``text``: (header cells, rows of cells)."""
    found, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2 and set(block[1].replace("|", "").strip()) <= set("-: "):
            found.append((cells(block[0]), [cells(row) for row in block[2:]]))
        block = []
    return found


def ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def link_rows(text: str) -> list[list[str]] | None:
    """The rows of the link table under "## Sharing a view" (header: parameter | meaning | example)."""
    for header, rows in tables(section(text, "## Sharing a view")):
        if [h.lower() for h in header] == ["parameter", "meaning", "example"]:
            return rows
    return None


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.M | re.S)


# ---- the checks ----
def link_table_problems(text: str) -> list[str]:
    """What the README's link table gets wrong about gdviz.state's schema."""
    rows = link_rows(text)
    if rows is None:
        return ["no link table (parameter | meaning | example) under “## Sharing a view”"]
    known = links()
    problems: list[str] = []
    where: dict[str, list[str]] = {}
    for row in rows:
        if len(row) != 3:
            problems.append(f"a row without three cells: {row}")
            continue
        names = ticked(row[0])
        if not names:
            problems.append(f"a row names no parameter: {row}")
        for name in names:
            where.setdefault(name, []).append(" | ".join(row))
            if name not in known and name not in EXTRA:
                problems.append(f"the table names `{name}`, which is no link parameter of gdviz.state")
        example = ticked(row[2])
        if len(example) != 1:
            problems.append(f"the row of {', '.join(names)} has no single example link")
            continue
        params = urllib.parse.parse_qs(example[0], keep_blank_values=True)
        _, notes = PageState.from_link(params)
        if notes:
            problems.append(f"the example `{example[0]}` is not a good link: {notes}")
        if not set(params) & set(names):
            problems.append(f"the example `{example[0]}` uses none of {', '.join(names)}")
    for name, control in known.items():
        if name not in where:
            problems.append(f"`{name}` ({control.what}) has no row in the link table")
    for name, what in EXTRA.items():
        if name not in where:
            problems.append(f"`{name}` ({what}) has no row in the link table")
    problems += [f"`{name}` has {len(rs)} rows" for name, rs in where.items() if len(rs) > 1]
    for name, control in known.items():  # the ranges the schema's readers check, as the table says them
        row = " ".join(where.get(name, []))
        for low, high in RANGE.findall(control.what):
            if row and not re.search(rf"(?<![\d.]){re.escape(low)}–{re.escape(high)}(?![\d.])", row):
                problems.append(f"the row of `{name}` does not give its range {low}–{high}")
    for name, options in CHOICES.items():
        row = " ".join(where.get(name, []))
        for option in options:
            if row and option not in ticked(row):
                problems.append(f"the row of `{name}` does not name its value `{option}`")
    return problems


def other_parameter_tables_problems(text: str) -> list[str]:
    """Any other table of link parameters (e.g. the Problem section's) names only real ones."""
    known = links()
    problems = []
    for header, rows in tables(text):
        if header and header[0].lower() in ("parameter", "link parameter"):
            for row in rows:
                problems += [f"a table names `{name}`, which is no link parameter of gdviz.state"
                             for name in ticked(row[0]) if name not in known and name not in EXTRA]
    return problems


def hyper_table_problems(text: str) -> list[str]:
    """The table of the page's μ/β controls under "### Adding a control" against optimizers.PAGE_HYPER."""
    wanted = {key: [f"`{key}`", f"{h.low:g}–{h.high:g}", f"{h.default:g}",
                    ", ".join(f"`{name}`" for name in optimizers.PAGE_HYPER_USERS[key])]
              for key, h in optimizers.PAGE_HYPER.items()}
    for header, rows in tables(section(text, "### Adding a control")):
        if header[:1] == ["link parameter"]:
            problems = []
            said = {ticked(row[0])[0]: row for row in rows if ticked(row[0])}
            for key, (name, span, default, users) in wanted.items():
                row = said.get(key)
                if row is None or len(row) != 5:
                    problems.append(f"`{key}` has no row in the table of the page's hyper-parameters")
                elif not (row[2].startswith(span + " ") or row[2] == span) or row[3] != default or row[4] != users:
                    problems.append(f"the row of `{key}` says {row[2:]}, not {[span, default, users]}")
            problems += [f"the hyper-parameter table names `{k}`, which PAGE_HYPER lacks" for k in said if k not in wanted]
            return problems
    return ["no table of the page's hyper-parameters (link parameter | …) under “### Adding a control”"]


def _steps(command: str) -> list[list[str]]:
    """A shell command as its `&&` steps, each a list of words; pip's -q (quiet) does not count."""
    steps = [part.split() for part in command.split("&&")]
    return [[w for w in step if not (step[:2] == ["pip", "install"] and w == "-q")] for step in steps]


def commands_problems(text: str, ci: str) -> list[str]:
    """The README's two commands exist, and its test command is the one .ci/run runs."""
    blocks = [block.strip() for block in fenced(section(text, "## The two commands"), "bash")]
    if len(blocks) != 2:
        return [f"“## The two commands” has {len(blocks)} bash blocks, not 2"]
    run, test = blocks
    problems = []
    if "streamlit run app.py" not in run:
        problems.append(f"the run command `{run}` does not run `streamlit run app.py`")
    for path in re.findall(r"-r (\S+)", run + " " + test):
        if not (ROOT / path).is_file():
            problems.append(f"the commands install {path}, which does not exist")
    ci_lines = [line.strip() for line in ci.splitlines() if "pytest" in line and not line.lstrip().startswith("#")]
    if len(ci_lines) != 1:
        problems.append(f".ci/run has {len(ci_lines)} pytest commands, not 1")
    elif _steps(ci_lines[0]) != _steps(test):
        problems.append(f"the README's test command `{test}` is not .ci/run's `{ci_lines[0]}`")
    return problems


# ---- the README as it is ----
def test_the_link_table_is_the_schema():
    assert link_table_problems(README) == []


def test_other_parameter_tables_name_real_parameters():
    assert other_parameter_tables_problems(README) == []


def test_the_hyper_parameter_table_is_page_hyper():
    assert hyper_table_problems(README) == []


def test_the_two_commands_exist_and_ci_runs_the_test_command():
    assert commands_problems(README, CI) == []
    assert (ROOT / "app.py").is_file()
    assert re.search(r"^streamlit==", (ROOT / "requirements.txt").read_text(), flags=re.M)
    assert re.search(r"^pytest==", (ROOT / "requirements-dev.txt").read_text(), flags=re.M)


def test_the_page_state_example_runs_and_says_what_it_gives():
    block = fenced(section(README, "### The page state and the lecture, from Python"), "python")
    assert len(block) == 1
    namespace: dict = {}
    exec(compile(block[0], "README.md", "exec"), namespace)
    assert namespace["notes"] == []
    lecture = namespace["L"]
    said = [line[1:].strip() for line in block[0].strip().splitlines() if line.startswith("#")]
    assert said[0].startswith("→ ")  # "→ 438.9…, (Message(…),)," then "{'data': …}"
    assert repr(float(lecture.run.loss[-1])).startswith(said[0][2:].split("…")[0])
    assert lecture.state.to_link() == ast.literal_eval(said[-1])
    assert [m.kind for m in lecture.messages] == ["caption"]
    assert "reach the least-squares fit" in lecture.messages[0].text
    # "lecture(state) alone keeps the defaults: ... Diverged at step 3."
    alone = namespace["lecture"](namespace["state"])
    assert "Diverged at step 3." in [m.bold for m in alone.messages]


def test_the_lessons_example_runs(tmp_path, monkeypatch):
    block = [b for b in fenced(section(README, "## Lessons: the file format"), "python") if "slides" in b]
    assert len(block) == 1
    toml = fenced(section(README, "## Lessons: the file format"), "toml")[0]
    (tmp_path / "deck.toml").write_text(toml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(block[0], "README.md", "exec"), {})
    assert (tmp_path / "slides.zip").stat().st_size and (tmp_path / "deck.json").stat().st_size
    assert (tmp_path / "scene-1.gif").read_bytes()[:6] == b"GIF89a"


# ---- the checks can fail ----
def _without_row(text: str, first_cell: str) -> str:
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_cell} |"))
    return "\n".join(lines[:row] + lines[row + 1:])


def test_a_missing_row_is_caught():
    problems = link_table_problems(_without_row(README, "`mu`, `beta1`, `beta2`"))
    assert [p.split(" ")[0] for p in problems] == ["`mu`", "`beta1`", "`beta2`"]
    assert any(p.startswith("`step`") for p in link_table_problems(_without_row(README, "`step`")))
    assert "`lesson` (the lesson) has no row in the link table" in link_table_problems(
        _without_row(README, "`lesson`, `scene`"))


def test_a_row_the_schema_lacks_is_caught():
    extra = README.replace("| `tol` |", "| `momentum` | μ | `momentum=0.5` |\n| `tol` |", 1)
    assert "the table names `momentum`, which is no link parameter of gdviz.state" in link_table_problems(extra)
    assert other_parameter_tables_problems(README.replace("| `sched` |", "| `schedule` |", 1))


def test_a_wrong_range_value_or_example_is_caught():
    assert "the row of `mu` does not give its range 0–0.99" in link_table_problems(
        README.replace("momentum μ (0–0.99,", "momentum μ (0–0.9,", 1))
    assert "the row of `data` does not name its value `challenger`" in link_table_problems(
        README.replace(", `challenger` (0/1", " (0/1", 1))
    assert any("is not a good link" in p for p in link_table_problems(README.replace("`opt=adam&lr=0.05`", "`opt=adam&lr=fast`", 1)))
    assert hyper_table_problems(README.replace("| 0–0.9999 (step 0.0001) | 0.999 |", "| 0–0.999 (step 0.0001) | 0.999 |", 1))
    assert hyper_table_problems(README.replace("| `adam` |\n| `beta2`", "| `adam`, `gd` |\n| `beta2`", 1))


def test_a_test_command_unlike_ci_is_caught():
    assert commands_problems(README, CI.replace("python -m pytest -q", "python -m pytest -x", 1))
    assert commands_problems(README.replace("streamlit run app.py", "streamlit run page.py", 1), CI)
    assert commands_problems(README, CI) == []


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_the_choices_checked_are_what_the_readers_take(name):
    """CHOICES is the schema's own: every value listed reads without a note through the link reader."""
    for option in CHOICES[name]:
        assert decode({name: [option]})[1] == [], (name, option)
    assert name in links() and CONTROLS[links()[name].key]
