"""The ``aidc`` command line: thin commands over the library, one module per topic.

Start-up is kept to Typer's own cost: a topic module is imported only when its command runs, and
the topic modules import their stages (pandas, scipy, pydantic) inside the command, so that
``aidc <command> --help`` and the parsing of a command line load none of them; option values are
read without Typer's pydantic adapters (:mod:`aidc.cli._params`). :data:`COMMANDS` lists each
command (named as its module) with its one-line help, which is all ``aidc --help`` shows; a test
checks that each line equals the help of the command it stands for. ``tests/cli/test_startup.py``
holds what each path may import.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from aidc.cli._common import root_options
from aidc.cli._params import quicken

# command (= its module under aidc.cli) -> the one-line help ``aidc --help`` shows, in that order
COMMANDS: dict[str, str] = {
    "design": "Size the facility of a scenario: fleet, racks, floors, power chain, cooling, network, checks.",
    "demand": ("Show the demand a survey implies (GPU-hours, peak GPUs, vCPUs, storage by "
               "tenant class and year)."),
    "simulate": "Simulate a year of the scenario's GPU cloud, or replay a job trace on N GPUs.",
    "energy": ("Print a year of the facility: energy, PUE, peak, free cooling, water, the "
               "monthly bill and carbon."),
    "plan": "Find the least-cost build schedule over the horizon: power blocks, servers, refreshes.",
    "economics": "Cost the project and its PFV: CAPEX by part, OPEX, revenue, financing, NPV, IRR, payback.",
    "run": "Run survey -> demand -> design -> service -> plan -> simulation -> energy -> economics -> power and write the report.",  # noqa: E501 (one catalog message)
    "sweep": ("Run every variant of a scenario's sweep: section and write sweep.parquet, "
              "sweep.csv, charts.html."),
    "scenario": "List, show, validate and create scenarios.",
    "survey": "Write the demand survey template and check returned surveys.",
    "serve": "Run the web service (survey portal, scenario workspace, REST API).",
    "ops": "Operate phase 1: import records, compare with the plan, forecast, phase-2 trigger.",
}


def load_command(name: str) -> Any:
    """Import the module of command ``name`` and return its click command."""
    module = importlib.import_module(f"aidc.cli.{name}")
    holder = typer.Typer()
    if hasattr(module, "register"):
        module.register(holder)
    else:  # a topic that is only a sub-app (``aidc scenario ...``)
        holder.add_typer(module.app, name=name)
    group = typer.main.get_group(holder)
    command = group.commands[name]
    quicken(command)
    return command


class LazyGroup(TyperGroup):
    """The root group: lists every command from :data:`COMMANDS`, imports one when it runs."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, text in COMMANDS.items():
            # a stand-in carrying the help line; replaced by the real command on first use
            self.commands.setdefault(name, typer.core.TyperCommand(name=name, help=text))
        quicken(self)
        self._loaded: set[str] = set()
        self._help_lang = "en"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # noqa: D102
        # the help is written in the run's language before click (eagerly) prints any of it
        from aidc.cli._help import help_lang, translate_command

        self._help_lang = help_lang(args)
        translate_command(self, self._help_lang)
        return list(super().parse_args(ctx, args))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:  # noqa: D102
        from aidc.cli._help import translate_command

        name = args[0] if args else ""
        if name in COMMANDS and name not in self._loaded:
            self.commands[name] = load_command(name)
            translate_command(self.commands[name], self._help_lang)
            self._loaded.add(name)
        return super().resolve_command(ctx, args)

app = typer.Typer(
    name="aidc",
    help="Plan, size, simulate and cost an AI data center.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)
app.callback()(root_options)  # ``aidc --lang ko <command>``: every command speaks it


def main() -> None:
    """Entry point of the ``aidc`` script: renders bad input as a message, not a traceback."""
    from aidc.errors import InputError

    # OpenBLAS starts a thread per core when numpy is imported: on the 2-core machine
    # `python -c "import numpy"` took 0.120 CPU-s (best of 8) against 0.090 s with one thread.
    # aidc's arrays are element-wise work and small solves, which one thread does as fast, and
    # every command imports numpy. A value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    try:
        code = app(standalone_mode=False)
    except InputError as exc:
        from aidc import i18n
        from aidc.cli._common import render_input_error
        from aidc.cli._help import help_lang

        # the command has ended and given its language back: say the problems in the run's own
        with i18n.use_lang(help_lang(sys.argv[1:])):
            render_input_error(exc)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        from aidc.cli._common import console_err

        console_err.print("Aborted.")
        sys.exit(1)
    except Exception as exc:
        # Usage errors of Typer's (vendored) click: show the usage line, not a traceback.
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            from aidc.cli._help import help_lang

            lang = help_lang(sys.argv[1:])
            if lang == "en" or not isinstance(getattr(exc, "message", None), str):
                show()
            else:  # click's own words are English: the catalog writes them in the reader's language
                from aidc.cli._usage import usage_error_text

                print(usage_error_text(exc, lang), file=sys.stderr)
            sys.exit(exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
