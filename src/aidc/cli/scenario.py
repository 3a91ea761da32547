"""``aidc scenario list|show|validate|new``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aidc.cli._common import ScenarioArg, console, print_json, scenario_or_exit
from aidc.scenario import DEFAULT_SCENARIO, dump_scenario, list_scenarios

app = typer.Typer(help="List, show, validate and create scenarios.", no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """List the shipped scenarios."""
    table = Table("name", "title")
    for name, title in list_scenarios().items():
        table.add_row(name, title)
    console.print(table)


@app.command()
def show(scenario: ScenarioArg = DEFAULT_SCENARIO) -> None:
    """Print a scenario as complete YAML, defaults filled in."""
    typer.echo(dump_scenario(scenario_or_exit(scenario)), nl=False)


@app.command()
def validate(
    scenario: ScenarioArg,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check a scenario file; print every problem with its line and field (exit 2 if any)."""
    s = scenario_or_exit(scenario)
    if json_:
        print_json({"valid": True, "name": s.name})
    else:
        console.print(f"[green]ok[/]: {scenario} is a valid scenario ('{s.name}')")


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Where to write the new scenario YAML.")],
    base: Annotated[str, typer.Option(help="Shipped scenario to start from.")] = DEFAULT_SCENARIO,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a new scenario file, a complete copy of a shipped one, ready to edit."""
    if path.exists() and not force:
        console.print(f"[red]error:[/] {path} exists; pass --force to overwrite it")
        raise typer.Exit(1)
    path.write_text(dump_scenario(scenario_or_exit(base)), encoding="utf-8")
    console.print(f"wrote {path}")
