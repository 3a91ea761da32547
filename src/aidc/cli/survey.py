"""``aidc survey template|validate|example``: the demand survey workbook and its checks."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aidc import survey
from aidc.cli._common import JsonOpt, LangOpt, check_lang, console, print_json
from aidc.errors import Problem
from aidc.i18n.problems import localise

app = typer.Typer(help="Write the demand survey template and check returned surveys.", no_args_is_help=True)


@app.command()
def template(
    lang: LangOpt = "ko",
    out: Annotated[Path | None, typer.Option("--out", help="Workbook to write (.xlsx).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write the Excel survey workbook: instructions, one sheet per kind of need, drop-down lists."""
    check_lang(lang)
    path = out or Path(f"aidc_survey_{lang}.xlsx")
    if path.exists() and not force:
        console.print(f"[red]error:[/] {path} exists; pass --force to overwrite it")
        raise typer.Exit(1)
    survey.write_template(path, lang)
    console.print(f"wrote {path}")


_HEADS = {"en": ("sheet", "row", "column", "found", "problem", "expected"),
          "ko": ("시트", "행", "열", "입력값", "문제", "기대값")}


def _table(problems: list[Problem], title: str, colour: str, lang: str) -> Table:
    table = Table(*_HEADS[lang], title=title, title_style=colour)
    for p in problems:
        message, expected = localise(p, lang)
        table.add_row(p.sheet or "", "" if p.row is None else str(p.row), p.column or "",
                      "" if p.found is None else repr(p.found), message, expected or "")
    return table


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Survey file: .xlsx, .csv (UTF-8 or CP949) or .yaml.")],
    json_: JsonOpt = False,
    lang: LangOpt = "en",
) -> None:
    """Check a returned survey; list every error and warning (exit 2 when there are errors)."""
    check_lang(lang)
    report = survey.validate(file)
    counts = {} if report.table is None else {k: len(v) for k, v in report.table.needs.items()}
    n_resp = 0 if report.table is None else len(report.table.respondents)
    if json_:
        print_json({"valid": report.ok, "n_respondents": n_resp, "n_needs": counts,
                    "errors": [asdict(p) for p in report.errors],
                    "warnings": [asdict(p) for p in report.warnings]})
    else:
        if report.errors:
            title = f"{len(report.errors)} " + ("오류" if lang == "ko" else "error(s)")
            console.print(_table(report.errors, title, "bold red", lang))
        if report.warnings:
            title = f"{len(report.warnings)} " + ("경고" if lang == "ko" else "warning(s)")
            console.print(_table(report.warnings, title, "bold yellow", lang))
        needs = ", ".join(f"{k} {n}" for k, n in counts.items() if n)
        if lang == "ko":
            verdict = "[green]유효함[/]" if report.ok else "[red]유효하지 않음[/]"
            line = f"{file}: {verdict} — 응답기관 {n_resp}곳, 유효한 수요: {needs or '없음'}"
        else:
            verdict = "[green]valid[/]" if report.ok else "[red]not valid[/]"
            line = f"{file}: {verdict} — {n_resp} respondent(s) and valid needs: {needs or 'none'}"
        console.print(line, highlight=False)
    if not report.ok:
        raise typer.Exit(2)


@app.command()
def example(
    out: Annotated[Path | None, typer.Option("--out", help="Copy the example survey (YAML) here.")] = None,
) -> None:
    """Print the path of the shipped example survey (30 fictional respondents), or copy it."""
    src = survey.example_path()
    if out is None:
        typer.echo(str(src))
        return
    out.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    console.print(f"wrote {out}")


def register(root: typer.Typer) -> None:
    """Add ``aidc survey`` to the root app."""
    root.add_typer(app, name="survey")
