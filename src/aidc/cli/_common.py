"""What every CLI command shares: consoles, error rendering, scenario argument."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console

from aidc.errors import InputError

if TYPE_CHECKING:  # the scenario schema (pydantic) is imported by the commands that load one
    from aidc.scenario import Scenario


def _width(stream: TextIO) -> int | None:
    # Rich wraps output that goes to a pipe or file at 80 columns, which cuts the wider tables
    # to '…'; a terminal reports its own width, and COLUMNS (if set) wins.
    return None if stream.isatty() or "COLUMNS" in os.environ else PIPE_WIDTH_COLUMNS


PIPE_WIDTH_COLUMNS = 140  # wide enough for every table of the CLI; a layout choice, not a fact
console = Console(width=_width(sys.stdout))
console_err = Console(stderr=True, width=_width(sys.stderr))

ScenarioArg = Annotated[
    str,
    typer.Argument(help="Shipped scenario name (see 'aidc scenario list') or path of a scenario YAML file."),
]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of the output: en or ko.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]


def render_input_error(exc: InputError) -> None:
    """Print every problem of an :class:`InputError`, one per line, in red."""
    n = len(exc.problems)
    console_err.print(f"[bold red]error:[/] {n} problem{'s' if n != 1 else ''} in the input")
    for p in exc.problems:
        colour = "yellow" if p.severity == "warning" else "red"
        console_err.print(f"  [{colour}]{p.severity}[/] ", end="")
        console_err.print(str(p), highlight=False, markup=False)


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


def check_lang(lang: str) -> str:
    """Validate ``--lang``."""
    if lang not in ("en", "ko"):
        raise typer.BadParameter(f"--lang must be 'en' or 'ko', not {lang!r}")
    return lang
