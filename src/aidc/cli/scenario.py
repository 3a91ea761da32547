"""``aidc scenario list|show|validate|new``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table

from aidc import DEFAULT_SCENARIO, i18n
from aidc.cli._common import ScenarioArg, check_lang, console, print_json, scenario_or_exit
from aidc.i18n import gettext

app = typer.Typer(help="List, show, validate and create scenarios.", no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """List the shipped scenarios."""
    from aidc.report.i18n import text
    from aidc.scenario import list_scenarios

    t = text(check_lang(None))
    table = Table(gettext("name", t.lang), gettext("title", t.lang))
    for name, title in list_scenarios().items():
        key = f"scenario_title.{name}"
        table.add_row(f"[cyan]{name}[/]", t(key) if t.has(key) else title)
    console.print(table)


@app.command()
def show(scenario: ScenarioArg = DEFAULT_SCENARIO) -> None:
    """Print a scenario as complete YAML, defaults filled in."""
    from aidc.scenario import dump_scenario

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
        lang = i18n.current_lang()
        message = gettext("{scenario} is a valid scenario ('{name}')", lang, scenario=scenario, name=s.name)
        console.print(f"[green]{gettext('ok', lang)}[/]: {message}", highlight=False)


NameOpt = Annotated[str | None, typer.Option(
    "--name", help="Name of the new scenario (it names its output folder); asked for when not given.")]


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Where to write the new scenario YAML.")],
    base: Annotated[str, typer.Option(help="Shipped scenario or scenario file to start from.")
                    ] = DEFAULT_SCENARIO,
    name: NameOpt = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Write a new scenario file and a copy of its survey beside it, ready to edit."""
    from aidc.scenario import dump_scenario
    from aidc.survey.validate import example_path

    lang = check_lang(None)
    source = scenario_or_exit(base)
    if name is None:
        name = typer.prompt(gettext("Name of the new scenario", lang), default=path.stem)
    if name == source.name:
        # the output folder is named after the scenario: a copy under the same name would overwrite it
        _fail(gettext("the new scenario needs a name of its own: '{name}' is the name of '{base}', whose "
                      "output (aidc-out/{name}/) it would overwrite; pass --name",
                      lang, name=name, base=base))
    survey_from = Path(source.demand.survey) if source.demand.survey else example_path()
    survey_to = path.parent / f"{path.stem}-survey{survey_from.suffix}"
    for target in (path, survey_to):
        if target.exists() and not force:
            _fail(gettext("{path} exists; pass --force to overwrite it", lang, path=str(target)))
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(survey_from, survey_to)
    # the survey path is relative: scenario and survey move together (load_scenario resolves it)
    copy = source.model_copy(update={"name": name,
                                     "demand": source.demand.model_copy(update={"survey": survey_to.name})})
    path.write_text(dump_scenario(copy), encoding="utf-8")
    console.print(gettext("wrote {path} (scenario '{name}') and its survey {survey}", lang, path=str(path),
                          name=name, survey=str(survey_to)), highlight=False)


def _fail(message: str) -> NoReturn:
    console.print(f"[red]{gettext('error', i18n.current_lang())}:[/] {message}", highlight=False)
    raise typer.Exit(1)
