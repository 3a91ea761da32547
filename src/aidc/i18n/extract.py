"""Babel extractor for aidc's Python: gettext calls, plus the messages of input problems.

Problems (:class:`aidc.errors.Problem`, the survey's ``CellError``) are built with English message
ids as plain literals — the stage that finds them knows nothing of languages — so Babel's own
Python extractor would not see them. This one yields them too: the first positional argument
and the ``expected=`` keyword of ``Problem(...)``, ``InputError.single(...)``, ``CellError(...)``
and ``_problem(file, ...)`` when they are string literals, and a stage's ``Note(...)``.
``babel.cfg`` names it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any

from babel.messages.extract import extract_python

#: Calls whose literal arguments are message ids: name -> index of the message argument (a stage's
#: :class:`aidc.errors.Note` too).
PROBLEM_CALLS = {"Problem": 0, "single": 0, "CellError": 0, "_problem": 1, "Note": 0}


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any,
) -> Iterator[Any]:
    """Yield Babel's gettext messages of a Python file, then its problem messages.

    Items are ``(line, function name, message, comments)``, what Babel's ``extract`` reads
    (its type stubs describe the processed result instead, hence ``Any``).
    """
    source = fileobj.read()
    fileobj.seek(0)
    # ``t`` is the report's label function; elsewhere in the code a ``t`` is anything (a dict).
    if "report" not in str(getattr(fileobj, "name", "")):
        keywords = [k for k in keywords if k != "t"]
    yield from extract_python(fileobj, keywords, comment_tags, options)
    for lineno, text in problem_messages(source.decode("utf-8")):
        yield lineno, None, text, []


def problem_messages(source: str) -> Iterator[tuple[int, str]]:
    """Yield (line, literal) of the message ids passed to the problem constructors in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in PROBLEM_CALLS:
            continue
        index = PROBLEM_CALLS[name]
        args = [node.args[index]] if len(node.args) > index else []
        args += [k.value for k in node.keywords if k.arg in ("expected", "message")]
        if name == "CellError" and len(node.args) > 1:
            args.append(node.args[1])
        for arg in args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                yield arg.lineno, arg.value
