"""Start-up of the command line: ``aidc`` imports a command's modules only when that command runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aidc import cli

HEAVY = ("numpy", "pandas", "scipy", "pyarrow", "pydantic", "plotly", "aidc.scenario", "aidc.pipeline",
         "aidc.simulate")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_cli_leaves_heavy_modules_unloaded() -> None:
    loaded = _modules_after("import aidc.cli")
    assert "aidc.cli" in loaded  # the probe did import it
    assert sorted(loaded & set(HEAVY)) == []
    # nor rich's console (made when a command first prints) nor typer's pydantic adapters
    assert sorted(loaded & {"rich.console", "typer._adapters", "typer.rich_utils"}) == []


def test_help_loads_no_command_module() -> None:
    # ``aidc --help`` lists every command from the table, not by importing the commands
    probe = ("import sys\nsys.argv = ['aidc', '--help']\nfrom aidc.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass")
    loaded = _modules_after(probe)
    assert sorted(loaded & {f"aidc.cli.{m}" for m in cli.COMMANDS}) == []
    assert sorted(loaded & set(HEAVY)) == []


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_help_line_is_the_commands_own(name: str) -> None:
    real = cli.load_command(name)
    assert real.name == name
    assert cli.COMMANDS[name] == (real.help or "").split("\n\n")[0].strip()


def test_every_command_module_is_listed() -> None:
    here = Path(cli.__file__).parent
    modules = {p.stem for p in here.glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(cli.COMMANDS)


# Enters the command's function, records what is imported by then, and leaves without running it.
_ENTRY_PROBE = """
import os, sys
import typer._click.core as click_core
invoke = click_core.Context.invoke
def probe(self, callback, *args, **kwargs):
    if getattr(callback, "__module__", "").startswith("aidc.cli.") and callback.__name__ != "root_options":
        print("ENTERED", callback.__name__, kwargs.get("port"), kwargs.get("host"))
        print("\\n".join(sys.modules))
        sys.stdout.flush()
        os._exit(0)
    return invoke(self, callback, *args, **kwargs)
click_core.Context.invoke = probe
sys.argv = ["aidc", *ARGS]
from aidc.cli import main
main()
"""


def _modules_on_entry(*args: str) -> tuple[str, set[str]]:
    out = subprocess.run([sys.executable, "-c", _ENTRY_PROBE.replace("ARGS", repr(list(args)))],
                         capture_output=True, text=True, check=True)
    first, *modules = out.stdout.splitlines()
    return first, set(modules)


def test_parsing_a_command_line_imports_nothing_heavy() -> None:
    # typer reads option values through pydantic TypeAdapters (typer._adapters); aidc reads plain
    # ones itself (aidc.cli._params), so a command starts without pydantic unless it needs it
    entered, loaded = _modules_on_entry("--lang", "en", "serve", "--host", "0.0.0.0", "--port", "8001",
                                        "--database-url", "sqlite:///x.db")
    assert entered == "ENTERED serve 8001 0.0.0.0"
    assert sorted(loaded & {*HEAVY, "typer._adapters", "typer.rich_utils"}) == []


#: Commands whose module still imports a stage at module level (owned elsewhere; see issue 16).
_HEAVY_AT_IMPORT: set[str] = set()  # simulate imports its stage when it runs, too


@pytest.mark.parametrize("name", sorted(set(cli.COMMANDS) - _HEAVY_AT_IMPORT))
def test_a_commands_help_loads_no_stage(name: str) -> None:
    probe = (f"import sys\nsys.argv = ['aidc', {name!r}, '--help']\nfrom aidc.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass")
    loaded = _modules_after(probe)
    assert f"aidc.cli.{name}" in loaded  # the probe did load the command
    assert sorted(loaded & set(HEAVY)) == []


def test_the_default_scenario_is_named_once() -> None:
    # commands show the default without importing the scenario schema; the schema uses the same name
    import aidc
    from aidc.scenario import DEFAULT_SCENARIO, list_scenarios

    assert DEFAULT_SCENARIO == aidc.DEFAULT_SCENARIO
    assert aidc.DEFAULT_SCENARIO in list_scenarios()
