"""``aidc run [SCENARIO] [--lang ko|en] [--out DIR]``: every stage, then the report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from aidc.cli._common import LangOpt, ScenarioArg, check_lang, console, scenario_or_exit
from aidc.pipeline import STAGE_NAMES, run
from aidc.scenario import DEFAULT_SCENARIO

OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Folder for report.html, report.xlsx and data/ "
                 "(default aidc-out/<scenario>/)."),
]


def run_command(scenario: ScenarioArg = DEFAULT_SCENARIO, lang: LangOpt = None, out: OutOpt = None) -> None:
    """Run survey -> demand -> design -> plan -> simulate -> energy -> economics and write the report."""
    from aidc import report

    lang = check_lang(lang)
    s = scenario_or_exit(scenario)
    out_dir = out if out is not None else Path("aidc-out") / s.name
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("stages", total=len(STAGE_NAMES) + 1)

        def on_stage(stage: str, event: str) -> None:
            if event == "start":
                progress.update(task, description=f"[cyan]{stage}[/] …")
                return
            mark = "[green]done[/]" if event == "done" else "[yellow]skipped[/]"
            progress.console.print(f"  {stage:<11} {mark}")
            progress.advance(task)

        result = run(s, on_stage=on_stage)
        for stage, why in result.missing.items():
            progress.console.print(f"  [yellow]{stage} skipped:[/] {why}")
        progress.update(task, description="[cyan]report[/] …")
        files = report.build(result, lang=lang, out_dir=out_dir)
        progress.update(task, advance=1, description="[green]finished[/]")
    console.print(f"report: [bold]{files.html}[/]")
    console.print(f"workbook: {files.xlsx}")
    console.print(f"data: {files.data}/")


def register(app: typer.Typer) -> None:
    """Add ``aidc run`` to the app."""
    app.command("run")(run_command)
