"""What every CLI command shares: consoles, error rendering, scenario argument."""

from __future__ import annotations

import json
import os
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from aidc import i18n
from aidc.errors import InputError

if TYPE_CHECKING:  # rich and the scenario schema (pydantic) are imported where they are used
    from rich.console import Console

    from aidc.scenario import Scenario

    console: Console
    console_err: Console


def _width(stream: TextIO) -> int | None:
    # Rich wraps output that goes to a pipe or file at 80 columns, which cuts the wider tables
    # to '…'; a terminal reports its own width, and COLUMNS (if set) wins.
    return None if stream.isatty() or "COLUMNS" in os.environ else PIPE_WIDTH_COLUMNS


PIPE_WIDTH_COLUMNS = 140  # wide enough for every table of the CLI; a layout choice, not a fact


def _console(name: str) -> Console:
    # ``console`` and ``console_err`` are made on first use: a command that prints only JSON
    # (``aidc simulate --json``) then never imports rich's console (~0.035 s of every start-up).
    made = globals().get(name)
    if made is None:
        from rich.console import Console

        stderr = name == "console_err"
        made = globals()[name] = Console(stderr=stderr, width=_width(sys.stderr if stderr else sys.stdout))
    return made


def __getattr__(name: str) -> Any:
    if name in ("console", "console_err"):
        return _console(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

ScenarioArg = Annotated[
    str,
    typer.Argument(help="Shipped scenario name (see 'aidc scenario list') or path of a scenario YAML file."),
]
LangOpt = Annotated[str | None, typer.Option(
    "--lang", help="Language of the output: ko or en (default: AIDC_LANG, then the locale: ko when "
    "LANG is Korean).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]


def render_input_error(exc: InputError) -> None:
    """Print every problem of an :class:`InputError`, one per line, in red, in the output language."""
    from aidc.i18n.problems import describe

    lang = i18n.current_lang()
    one, many = "{n} problem in the input", "{n} problems in the input"
    console_err = _console("console_err")
    console_err.print(f"[bold red]{i18n.gettext('error', lang)}:[/] "
                      f"{i18n.ngettext(one, many, len(exc.problems), lang)}")
    for p in exc.problems:
        colour = "yellow" if p.severity == "warning" else "red"
        console_err.print(f"  [{colour}]{i18n.gettext(p.severity, lang)}[/] ", end="")
        console_err.print(describe(p, lang), highlight=False, markup=False)


def scenario_or_exit(name_or_path: str | None = None) -> Scenario:
    """Load a scenario (default: the shipped default); on bad input print the problems and exit 2."""
    from aidc.scenario import DEFAULT_SCENARIO, load_scenario

    try:
        return load_scenario(name_or_path or DEFAULT_SCENARIO)
    except InputError as exc:
        render_input_error(exc)
        raise typer.Exit(2) from None


def print_json(obj: Any) -> None:
    """Print an object as JSON on stdout (no colour, no wrapping), for ``--json``."""
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def check_lang(lang: str | None) -> str:
    """Resolve ``--lang`` and speak it for the rest of the command.

    A command's own ``--lang`` wins; else the root's (``aidc --lang ko …``), else ``AIDC_LANG``,
    else the locale (:func:`aidc.i18n.detect_lang`).
    """
    try:
        resolved = i18n.detect_lang(lang) if lang else (_root_lang.get() or i18n.detect_lang())
    except ValueError:
        raise typer.BadParameter(f"--lang must be 'en' or 'ko', not {lang!r}") from None
    _speak(resolved)
    return resolved


_root_lang: ContextVar[str | None] = ContextVar("aidc_cli_root_lang", default=None)
_in_command: ContextVar[bool] = ContextVar("aidc_cli_in_command", default=False)


def _speak(lang: str) -> None:
    # Inside a command line run, the root callback restores the catalog's language when the run
    # ends (CliRunner runs many commands in one process: a language must not leak to the next);
    # a command function called directly (a test) gets ``lang`` passed and sets nothing global.
    if _in_command.get():
        i18n._current.set(lang)


def root_options(ctx: typer.Context, lang: LangOpt = None) -> None:
    """Plan, size, simulate and cost an AI data center."""
    resolved = check_lang(lang)
    tokens = (_root_lang.set(resolved if lang else None), _in_command.set(True),
              i18n._current.set(resolved))

    def restore() -> None:
        _root_lang.reset(tokens[0])
        _in_command.reset(tokens[1])
        i18n._current.reset(tokens[2])

    ctx.call_on_close(restore)
