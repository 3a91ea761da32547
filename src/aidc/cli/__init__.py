"""The ``aidc`` command line: thin commands over the library, one module per topic."""

from __future__ import annotations

import sys

import typer

from aidc.cli import scenario as _scenario
from aidc.cli._common import console_err, render_input_error, root_options
from aidc.errors import InputError

app = typer.Typer(
    name="aidc",
    help="Plan, size, simulate and cost an AI data center.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.callback()(root_options)  # ``aidc --lang ko <command>``: every command speaks it
app.add_typer(_scenario.app, name="scenario")


def _register() -> None:
    # Each topic module adds its commands to ``app``; imported here so that a module that
    # is not there yet (its stage still to come) does not break the others.
    import importlib

    for name in ("design", "survey", "demand", "simulate", "energy", "plan", "economics", "run",
                 "serve", "sweep"):
        try:
            module = importlib.import_module(f"aidc.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"aidc.cli.{name}":
                raise
            continue
        module.register(app)


_register()


def main() -> None:
    """Entry point of the ``aidc`` script: renders bad input as a message, not a traceback."""
    try:
        code = app(standalone_mode=False)
    except InputError as exc:
        render_input_error(exc)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console_err.print("Aborted.")
        sys.exit(1)
    except Exception as exc:
        # Usage errors of Typer's (vendored) click: show the usage line, not a traceback.
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
