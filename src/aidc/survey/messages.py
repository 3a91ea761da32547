"""Korean wording of validation problems (``aidc/data/survey/messages_ko.yaml``).

Problems are built in English; the edges (CLI, web) show them in the user's language through
:func:`localise`. Text that no entry matches is shown as it is, never dropped.
"""

from __future__ import annotations

import re
from functools import cache

import aidc.data as data
from aidc.errors import Problem


@cache
def _table(kind: str) -> list[tuple[re.Pattern[str], str]]:
    raw = data.load_yaml("survey/messages_ko.yaml")[kind]
    return [(re.compile(e["en"]), e["ko"]) for e in raw]


def _translate(text: str | None, kind: str) -> str | None:
    if text is None:
        return None
    for pattern, ko in _table(kind):
        m = pattern.fullmatch(text)
        if m:
            return ko.format(**m.groupdict())
    return text


def localise(problem: Problem, lang: str) -> tuple[str, str | None]:
    """Return (message, expected) of a problem in ``lang`` ('en' returns them unchanged).

    Examples
    --------
    >>> localise(Problem("not a number", expected="a number"), "ko")
    ('숫자가 아님', '숫자')
    """
    if lang != "ko":
        return problem.message, problem.expected
    message = _translate(problem.message, "messages") or problem.message
    return message, _translate(problem.expected, "expected")
