"""``aidc run [SCENARIO] [--lang ko|en] [--out DIR]``: every stage, then the report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aidc import DEFAULT_SCENARIO, i18n
from aidc.cli._common import LangOpt, ScenarioArg, check_lang, console, scenario_or_exit

if TYPE_CHECKING:  # the pipeline (pydantic, the stages) is imported when a run starts, not for the help
    from collections.abc import Callable

    from aidc.pipeline import Result
    from aidc.scenario import Scenario


def run(scenario: Scenario, on_stage: Callable[[str, str], None]) -> Result:
    """Run every stage of the pipeline's table on ``scenario`` (tests replay a stored run here)."""
    from aidc.pipeline import run as run_pipeline

    return run_pipeline(scenario, on_stage=on_stage)


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
    """Run survey -> demand -> design -> service -> plan -> simulation -> energy -> economics -> power and write the report."""  # noqa: E501
    from aidc import report
    from aidc.i18n import gettext
    from aidc.pipeline import STAGE_NAMES
    from aidc.report.i18n import text

    lang = check_lang(lang)
    t = text(lang)
    s = scenario_or_exit(scenario)
    out_dir = out if out is not None else Path("aidc-out") / s.name
    if out is None:
        _claim_or_exit(out_dir, scenario, lang)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task(gettext("stages", lang), total=len(STAGE_NAMES) + 1)

        def on_stage(stage: str, event: str) -> None:
            name = t(f"section.{stage}")
            if event == "start":
                progress.update(task, description=f"[cyan]{name}[/] …")
                return
            mark = f"[green]{gettext('done', lang)}[/]" if event == "done" else \
                f"[yellow]{gettext('skipped', lang)}[/]"
            progress.console.print(f"  {name:<11} {mark}")
            progress.advance(task)

        result = run(s, on_stage=on_stage)
        for stage, why in result.missing.items():
            progress.console.print(f"  [yellow]{t(f'section.{stage}')} {gettext('skipped', lang)}:[/] "
                                   f"{i18n.gettext(why, lang)}")
        progress.update(task, description=f"[cyan]{t('section.report')}[/] …")
        files = report.build(result, lang=lang, out_dir=out_dir)
        progress.update(task, advance=1, description=f"[green]{gettext('finished', lang)}[/]")
    _print_summary(result, lang)
    console.print(f"{gettext('report', lang)}: [bold]{files.html}[/]")
    console.print(f"{gettext('workbook', lang)}: {files.xlsx}")
    console.print(f"{gettext('data', lang)}: {files.data}/")
    if pdf and files.briefing is not None:
        _print_pdf(files.briefing, lang)


#: File in an output folder naming the scenario (shipped name or file path) whose output it holds.
OWNER_FILE = ".aidc-scenario"


def scenario_source(name_or_path: str) -> str:
    """Return what identifies a scenario argument: the resolved file path, or ``shipped:<name>``."""
    path = Path(name_or_path)
    return str(path.resolve()) if path.is_file() else f"shipped:{name_or_path}"


def claim_out_dir(out_dir: Path, source: str) -> str | None:
    """Record that ``source`` writes ``out_dir``; return the other source if another one already does.

    A copied scenario that kept its name would otherwise overwrite the original's report in the
    default folder ``aidc-out/<name>/``.
    """
    owner = out_dir / OWNER_FILE
    if owner.is_file():
        other = owner.read_text(encoding="utf-8").strip()
        if other and other != source:
            return other
    out_dir.mkdir(parents=True, exist_ok=True)
    owner.write_text(source + "\n", encoding="utf-8")
    return None


def _claim_or_exit(out_dir: Path, scenario: str, lang: str) -> None:
    from aidc.i18n import gettext

    other = claim_out_dir(out_dir, scenario_source(scenario))
    if other is not None:
        console.print(f"[red]{gettext('error', lang)}:[/] " + gettext(
            "{folder} holds the output of another scenario with the same name ({other}); give this one a "
            "name of its own (the name: field) or pass --out", lang, folder=str(out_dir), other=other),
            highlight=False)
        raise typer.Exit(1)


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
    from aidc.report import content, estimates
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
        # the Summary's one list, named for the reader; the full table is in the report and workbook
        used = result.summary.estimates_used
        console.print(estimates.note(t, used, ESTIMATE_MARK), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``aidc run`` to the app."""
    app.command("run")(run_command)
