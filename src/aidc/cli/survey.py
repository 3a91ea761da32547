"""``aidc survey template|validate|example``: the demand survey workbook and its checks."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aidc.cli._common import JsonOpt, LangOpt, check_lang, console, print_json
from aidc.errors import Problem
from aidc.i18n import N_, gettext, ngettext
from aidc.i18n.problems import localise

app = typer.Typer(help="Write the demand survey template and check returned surveys.", no_args_is_help=True)


@app.command()
def template(
    lang: LangOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Workbook to write (.xlsx).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write the Excel survey workbook: instructions, one sheet per kind of need, drop-down lists."""
    from aidc import survey  # pandas, openpyxl: when the subcommand runs, not for the help

    lang = check_lang(lang)
    path = out or Path(f"aidc_survey_{lang}.xlsx")
    if path.exists() and not force:
        console.print(f"[red]{gettext('error', lang)}:[/] "
                      + gettext("{path} exists; pass --force to overwrite it", lang, path=path))
        raise typer.Exit(1)
    survey.write_template(path, lang)
    console.print(gettext("wrote {path}", lang, path=path))


_HEADS = (N_("sheet"), N_("row"), N_("column"), N_("cell"), N_("found"), N_("problem"), N_("expected"))


def _table(problems: list[Problem], title: str, colour: str, lang: str) -> Table:
    table = Table(*(gettext(h, lang) for h in _HEADS), title=title, title_style=colour)
    for p in problems:
        message, expected = localise(p, lang)
        table.add_row(p.sheet or "", "" if p.row is None else str(p.row), p.column or "", p.cell or "",
                      "" if p.found is None else repr(p.found), message, expected or "")
    return table


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Survey file: .xlsx, .csv (UTF-8 or CP949) or .yaml.")],
    json_: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Check a returned survey; list every error and warning (exit 2 when there are errors)."""
    from aidc import survey  # pandas, openpyxl: when the subcommand runs, not for the help

    lang = check_lang(lang)
    report = survey.validate(file)
    counts = {} if report.table is None else {k: len(v) for k, v in report.table.needs.items()}
    n_resp = 0 if report.table is None else len(report.table.respondents)
    if json_:
        print_json({"valid": report.ok, "n_respondents": n_resp, "n_needs": counts,
                    "errors": [asdict(p) for p in report.errors],
                    "warnings": [asdict(p) for p in report.warnings]})
    else:
        if report.errors:
            title = ngettext("{n} error", "{n} errors", len(report.errors), lang)
            console.print(_table(report.errors, title, "bold red", lang))
        if report.warnings:
            title = ngettext("{n} warning", "{n} warnings", len(report.warnings), lang)
            console.print(_table(report.warnings, title, "bold yellow", lang))
        specs = survey.sheets()
        needs = ", ".join(f"{specs[k].title(lang)} {n}" for k, n in counts.items() if n)
        verdict = (f"[green]{gettext('valid', lang)}[/]" if report.ok
                   else f"[red]{gettext('not valid', lang)}[/]")
        line = gettext("{file}: {verdict} — {n} respondent(s), valid needs: {needs}", lang, file=file,
                       verdict=verdict, n=n_resp, needs=needs or gettext("none", lang))
        console.print(line, highlight=False)
    if not report.ok:
        raise typer.Exit(2)


@app.command()
def example(
    out: Annotated[Path | None, typer.Option("--out", help="Copy the example survey (YAML) here.")] = None,
    lang: LangOpt = None,
) -> None:
    """Print the path of the shipped example survey (30 fictional respondents), or copy it."""
    from aidc import survey  # pandas, openpyxl: when the subcommand runs, not for the help

    lang = check_lang(lang)
    src = survey.example_path()
    if out is None:
        typer.echo(str(src))
        return
    out.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    console.print(gettext("wrote {path}", lang, path=out))


def register(root: typer.Typer) -> None:
    """Add ``aidc survey`` to the root app."""
    root.add_typer(app, name="survey")
