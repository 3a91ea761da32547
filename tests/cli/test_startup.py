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
