"""``aidc run [SCENARIO] [--lang ko|en] [--out DIR]``: every stage, then the report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aidc.cli._common import LangOpt, ScenarioArg, check_lang, console, scenario_or_exit
from aidc.pipeline import STAGE_NAMES, Result, run
from aidc.scenario import DEFAULT_SCENARIO

#: Mark beside a figure of the summary table that rests on a catalog estimate (explained below the table).
ESTIMATE_MARK = "*"

OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Folder for report.html, report.xlsx and data/ "
                 "(default aidc-out/<scenario>/)."),
]


PdfOpt = Annotated[bool, typer.Option("--pdf", help="Also print the one-page briefing to briefing.pdf "
                                       "(needs the system Chromium).")]


def run_command(scenario: ScenarioArg = DEFAULT_SCENARIO, lang: LangOpt = None, out: OutOpt = None,
                pdf: PdfOpt = False) -> None:
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
        files = report.build(result, lang=lang, out_dir=out_dir, power=_power_view(result))
        progress.update(task, advance=1, description="[green]finished[/]")
    _print_summary(result, lang)
    console.print(f"report: [bold]{files.html}[/]")
    console.print(f"workbook: {files.xlsx}")
    console.print(f"data: {files.data}/")
    if pdf and files.briefing is not None:
        _print_pdf(files.briefing, lang)


def _power_view(result: Result) -> dict[str, Any] | None:
    """Return the power-aware year for the report's power section, if the scenario turns a control on."""
    controls = result.scenario.simulation.power
    if not controls.active or result.simulation is None or result.design is None:
        return None
    from aidc.power import operations

    return operations.year(result.scenario, result.design, result.demand, result.simulation, controls)


def _print_pdf(briefing: Path, lang: str) -> None:
    from aidc.i18n import gettext
    from aidc.report.pdf import PdfUnavailable, print_pdf

    try:
        path = print_pdf(briefing, briefing.with_suffix(".pdf"))
    except PdfUnavailable as exc:
        console.print(f"[red]{gettext('error', lang)}:[/] " + gettext(
            "cannot print the briefing to PDF ({reason}); install Chromium (Debian: apt-get install "
            "chromium) or set AIDC_CHROMIUM, or print {html} from a browser", lang, reason=str(exc),
            html=str(briefing)), highlight=False)
        raise typer.Exit(1) from None
    console.print(f"PDF: [bold]{path}[/]")


def _print_summary(result: Result, lang: str) -> None:
    """Print the run's headline figures (its one Summary) in the language of the report."""
    from aidc.report import content
    from aidc.report.checks import free_value
    from aidc.report.i18n import text

    t = text(lang)
    table = Table("", "", title=t("section.summary"), show_header=False)
    field = {key: name for key, _, name, _ in content.HEADLINES}
    estimated = (result.summary.estimates_by_figure if result.summary is not None else None) or {}
    for f in content.headline(result):
        value = free_value(t, f.value) if f.kind == "text" else t.value(f.value, f.kind)
        if field.get(f.key) in estimated:  # the figure rests on a catalog estimate
            value += f" {ESTIMATE_MARK}"
        style = "bold red" if f.key == "warnings" else ""
        table.add_row(t(f"headline.{f.key}"), f"[{style}]{value}[/]" if style else value)
    console.print(table)
    if estimated and result.summary is not None:
        used = result.summary.estimates_used
        console.print(t("headline.estimate_note", mark=ESTIMATE_MARK, n=len(used), keys=", ".join(used)),
                      markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``aidc run`` to the app."""
    app.command("run")(run_command)
