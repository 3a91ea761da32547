"""Every message a survey problem can carry has a stable code, and no two messages share one."""

from __future__ import annotations

import ast
from pathlib import Path

import aidc
from aidc.errors import Problem
from aidc.i18n.extract import PROBLEM_CALLS
from aidc.survey.codes import PROBLEM_CODES, UNKNOWN_CODE, problem_code
from aidc.survey.parse import bounds_message
from aidc.survey.schema import sheets
from aidc.web.survey_io import PROBLEM_CODES_WEB

SRC = Path(aidc.__file__).parent
#: Where survey problems are made: the stage, and the web's upload reader and answer checks.
MODULES = [*sorted((SRC / "survey").glob("*.py")), SRC / "web" / "survey_io.py", SRC / "web" / "uploads.py"]


def literal_messages(path: Path) -> set[str]:
    """Return the message ids given as literals to the problem constructors in ``path``."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        index = PROBLEM_CALLS.get(name)
        if name == "Note" or index is None or len(node.args) <= index:
            continue
        arg = node.args[index]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            out.add(arg.value)
    return out


def bounds_messages() -> set[str]:
    """Return the messages :func:`bounds_message` gives, found by trying each column's bounds."""
    out = set()
    for spec in sheets().values():
        for c in spec.columns:
            for value in (-1e30, 1e30, (c.warn_max or 0) * 1.01 + 1e-9):
                found = bounds_message(c, value)
                if found is not None:
                    out.add(found[1])
    return out


def test_every_problem_message_has_a_code() -> None:
    messages = set().union(*(literal_messages(p) for p in MODULES)) | bounds_messages()
    assert {"not a number", "merged cells", "out of range", "implausible value"} <= messages  # the scan works
    assert sorted(m for m in messages if m not in PROBLEM_CODES_WEB) == []


def test_codes_are_distinct_names() -> None:
    codes = list(PROBLEM_CODES_WEB.values())
    # the one shared code: a workbook that cannot be opened, said by the stage or by the upload limits
    assert len(codes) - len(set(codes)) == 1
    assert all(c.isidentifier() and c.islower() for c in codes)
    assert UNKNOWN_CODE not in codes


def test_the_survey_table_is_part_of_the_webs() -> None:
    assert PROBLEM_CODES.items() <= PROBLEM_CODES_WEB.items()
    assert problem_code(Problem("not a number")) == "not_a_number"
    assert problem_code(Problem("a sentence no reader raises")) == UNKNOWN_CODE
