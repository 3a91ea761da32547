"""Problems of bad input (:class:`aidc.errors.Problem`) in the reader's language.

A problem carries English message ids with ``{placeholders}`` and their ``params``; here they
are looked up in the catalog and filled in, and the location is written the way a respondent
reads a spreadsheet: ``시트 '모델학습', 7행, 열 '연산 정밀도' (C7)``.
"""

from __future__ import annotations

from aidc.errors import Problem
from aidc.i18n import gettext


def localise(problem: Problem, lang: str) -> tuple[str, str | None]:
    """Return (message, expected) of a problem in ``lang``.

    Examples
    --------
    >>> localise(Problem("not a number", expected="a number"), "ko")
    ('숫자가 아님', '숫자')
    >>> localise(Problem("duplicate respondent ID (first at row {n})", params=(("n", 3),)), "ko")
    ('중복된 응답기관 ID (처음 나온 행: 3)', None)
    """
    params = dict(problem.params)
    message = gettext(problem.message, lang, **params)
    expected = None if problem.expected is None else gettext(problem.expected, lang, **params)
    return message, expected


def location(problem: Problem, lang: str) -> str:
    """Return where a problem is, in ``lang``, with the cell address when there is one.

    Examples
    --------
    >>> location(Problem("x", sheet="모델학습", row=7, column="연산 정밀도", cell="C7"), "ko")
    "시트 '모델학습', 7행, 열 '연산 정밀도' (C7)"
    >>> location(Problem("x", sheet="Training", row=7, column="Precision", cell="C7"), "en")
    "sheet 'Training', row 7, column 'Precision' (C7)"
    """
    parts: list[str] = []
    if problem.file is not None:
        parts.append(problem.file if problem.line is None else f"{problem.file}:{problem.line}")
    elif problem.line is not None:
        parts.append(gettext("line {n}", lang, n=problem.line))
    if problem.sheet is not None:
        parts.append(gettext("sheet '{name}'", lang, name=problem.sheet))
    if problem.row is not None:
        parts.append(gettext("row {n}", lang, n=problem.row))
    if problem.column is not None:
        column = gettext("column '{name}'", lang, name=problem.column)
        parts.append(f"{column} ({problem.cell})" if problem.cell else column)
    elif problem.cell is not None:
        parts.append(gettext("cell {address}", lang, address=problem.cell))
    if problem.field is not None:
        parts.append(gettext("field '{name}'", lang, name=problem.field))
    return ", ".join(parts)


def describe(problem: Problem, lang: str) -> str:
    """Return one line: location, message, what was found and what was expected, in ``lang``."""
    message, expected = localise(problem, lang)
    if problem.found is not None:
        found = repr(problem.found)
        tail = (gettext("found {found}; expected {expected}", lang, found=found, expected=expected)
                if expected else gettext("found {found}", lang, found=found))
        message = f"{message} ({tail})"
    elif expected:
        message = f"{message} ({gettext('expected {expected}', lang, expected=expected)})"
    where = location(problem, lang)
    return f"{where}: {message}" if where else message
