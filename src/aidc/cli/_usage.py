"""Command-line usage errors in the reader's language.

Typer's vendored click writes its usage errors from English literals ("No such option: --json",
"Invalid value for '--gpus': Input should be greater than or equal to 1"). For a reader of
another language :func:`usage_error_text` writes the same error from the catalog: the usage
line (already translated with the help, :mod:`aidc.cli._help`), where to find help, and what was
wrong — a value refused by typer's pydantic adapter is named with the scenario files' messages
(:data:`aidc.scenario._base.PYDANTIC_MESSAGES`), so the command line and a scenario file say
"must be at least 1" the same way. English keeps click's own text, unchanged.

click names the error only in its message for some kinds (no such command, an extra argument,
an option without its value); those are read from typer 0.29's wording, which pyproject pins.
"""

from __future__ import annotations

import re
from typing import Any

from aidc import i18n
from aidc.i18n import N_, gettext

_NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.(?: Did you mean '(?P<close>.*)'\?)?")
_EXTRA = re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)")
_NEEDS_VALUE = re.compile(r"Option '(?P<option>.*)' requires an argument\.")
_TAKES_NO_VALUE = re.compile(r"Option '(?P<option>.*)' does not take a value\.")
_NO_FILE = re.compile(r"(?:File|Path|Directory) '(?P<path>.*)' does not exist\.")


def _hint(exc: Any) -> str:
    param = getattr(exc, "param", None)
    if getattr(exc, "param_hint", None):
        hint = exc.param_hint
        return " / ".join(hint) if isinstance(hint, list | tuple) else str(hint)
    return str(param.get_error_hint()) if param is not None else ""


def _refused_value(exc: Any, lang: str) -> str | None:
    """Return why typer's pydantic adapter refused a value, in ``lang`` (None: not pydantic's)."""
    cause = exc.__cause__ or exc.__context__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    from aidc.scenario._base import error_message

    first = errors()[0]
    msgid, params = error_message(first)
    return gettext("{field}: {problem} (given: '{value}')", lang, field=_hint(exc),
                   problem=gettext(msgid, lang, **dict(params)), value=first.get("input", ""))


def _problem(exc: Any, lang: str) -> str:
    """Return what was wrong with the command line, in ``lang``."""
    from typer._click import exceptions as click

    message = str(getattr(exc, "message", "") or "")
    if isinstance(exc, click.NoSuchOption):
        text = gettext("no such option: {option}", lang, option=exc.option_name)
        if exc.possibilities:
            close = ", ".join(sorted(exc.possibilities))
            text += " " + gettext("(did you mean {options}?)", lang, options=close)
        return text
    if isinstance(exc, click.MissingParameter):
        return gettext("{field} is required", lang, field=_hint(exc))
    if isinstance(exc, click.BadParameter):
        refused = _refused_value(exc, lang)
        if refused is not None:
            return refused
        if found := _NO_FILE.fullmatch(message):
            return gettext("{field}: no such file: '{path}'", lang, field=_hint(exc), path=found["path"])
        if i18n.has(message, lang):  # aidc's own refusal, written as a catalog message
            return gettext(message, lang)
        return gettext("{field}: the value cannot be read ({detail})", lang, field=_hint(exc), detail=message)
    for pattern, msgid in ((_NEEDS_VALUE, N_("option {option} needs a value")),
                           (_TAKES_NO_VALUE, N_("option {option} takes no value")),
                           (_EXTRA, N_("more arguments than the command takes: {args}"))):
        if found := pattern.fullmatch(message):
            return gettext(msgid, lang, **found.groupdict())
    if found := _NO_SUCH_COMMAND.fullmatch(message):
        text = gettext("no such command: '{name}'", lang, name=found["name"])
        if found["close"]:
            text += " " + gettext("(did you mean '{close}'?)", lang, close=found["close"])
        return text
    return message  # a kind click did not name: its own words rather than nothing


def usage_error_text(exc: Any, lang: str) -> str:
    """Return a usage error of typer's click as the lines to print, in ``lang`` (not English)."""
    ctx = getattr(exc, "ctx", None)
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(gettext("Help: '{command} {option}'", lang, command=ctx.command_path,
                                 option=ctx.help_option_names[0]))
        lines.append("")
    lines.append(gettext("Error: {problem}", lang, problem=_problem(exc, lang)))
    return "\n".join(lines)
