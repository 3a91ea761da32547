"""``aidc demand [SURVEY]``: demand by tenant class and year as tables and a chart, written to files."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from aidc import DEFAULT_SCENARIO
from aidc.cli._common import (
    JsonOpt,
    LangOpt,
    check_lang,
    console,
    print_json,
    render_input_error,
    scenario_or_exit,
)
from aidc.errors import InputError
from aidc.i18n import N_, gettext

if TYPE_CHECKING:  # pandas and the stages are imported when the command runs, not for its help
    import pandas as pd


#: The words of the demand tables and chart, English message ids of the catalog.
_WORDS = {"year": N_("year"), "total": N_("total"), "gpu_h": N_("GPU-hours (thousand GPU·h)"),
          "peak": N_("Peak GPUs"), "cpu_title": N_("Cloud CPU and storage (all classes)"),
          "chart": N_("Demand by tenant class and year"), "sum_of_peaks": N_("sum of peaks"),
          "coincident": N_("coincident (all classes)")}
_CPU_COLUMNS = (N_("term.vcpus"), N_("memory (GB)"), N_("storage (TB)"))


def _words(lang: str) -> dict[str, Any]:
    """Return the demand tables' words in ``lang`` (from the message catalog)."""
    words: dict[str, Any] = {k: gettext(v, lang) for k, v in _WORDS.items()}
    return words | {"cpu": tuple(gettext(c, lang) for c in _CPU_COLUMNS)}


def _label(tenant_class: object, lang: str) -> str:
    from aidc.survey.schema import choices

    labels = choices("tenant_classes").get(str(tenant_class))
    return labels[lang] if labels else str(tenant_class)


def _pivot(by_year: pd.DataFrame, value: str) -> pd.DataFrame:
    from aidc.survey.schema import choices

    pv = by_year.pivot_table(index="tenant_class", columns="year", values=value, aggfunc="sum", fill_value=0)
    order = [k for k in choices("tenant_classes") if k in pv.index]  # the survey's order, not A-Z
    return pv.reindex(order + [k for k in pv.index if k not in order])


def _rich_table(
    by_year: pd.DataFrame, value: str, title: str, scale: float, years: list[int], lang: str,
    coincident: dict[int, float] | None = None,
) -> Table:
    """One row per year, one column per tenant class, and the total (years fit a terminal's height).

    With ``coincident`` (peak GPUs: the run's coincident need by year) the classes' sum is named
    the sum of peaks, and the coincident need, the figure the run's headline states, follows it.
    """
    pv = _pivot(by_year, value).reindex(columns=years, fill_value=0).T
    t = _words(lang)
    total = t["total"] if coincident is None else t["sum_of_peaks"]
    extra = () if coincident is None else (f"[bold]{t['coincident']}[/]",)
    table = Table(t["year"], *[_label(c, lang) for c in pv.columns], f"[bold]{total}[/]", *extra, title=title)
    for year, row in pv.iterrows():
        need = () if coincident is None else (f"[bold]{_ceil(coincident.get(int(year))):,.0f}[/]",)
        cells = [f"{v / scale:,.0f}" for v in row]
        table.add_row(str(year), *cells, f"[bold]{row.sum() / scale:,.0f}[/]", *need)
    return table


def _ceil(gpus: float | None) -> float:
    # whole GPUs, as the run counts a need (a fraction of a GPU needs one more)
    return float("nan") if gpus is None else float(math.ceil(gpus - 1e-9))


def _resources(by_year: pd.DataFrame, lang: str) -> Table:
    totals = by_year.groupby("year")[["cpu_vcpus", "memory_gb", "storage_tb"]].sum()
    t = _words(lang)
    table = Table(t["year"], *t["cpu"], title=t["cpu_title"])
    for year, row in totals.iterrows():
        table.add_row(str(year), f"{row.cpu_vcpus:,.0f}", f"{row.memory_gb:,.0f}", f"{row.storage_tb:,.0f}")
    return table


def _figure_html(by_year: pd.DataFrame, path: Path, lang: str) -> None:
    from plotly.subplots import make_subplots

    t = _words(lang)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t["gpu_h"], t["peak"]))
    gh, pk = _pivot(by_year, "gpu_hours"), _pivot(by_year, "peak_gpus")
    for i, cls in enumerate(gh.index):
        name, colour = _label(cls, lang), f"hsl({i * 55},60%,50%)"
        fig.add_bar(x=gh.columns, y=gh.loc[cls] / 1e3, name=name, legendgroup=name, row=1, col=1,
                    marker_color=colour)
        fig.add_bar(x=pk.columns, y=pk.loc[cls], name=name, legendgroup=name, showlegend=False,
                    row=1, col=2, marker_color=colour)
    fig.update_layout(barmode="stack", title=t["chart"], template="plotly_white")
    # Embed plotly.js: reports must open offline (nothing is downloaded at run time).
    fig.write_html(path, include_plotlyjs=True)


def demand(
    survey_file: Annotated[Path | None, typer.Argument(
        metavar="SURVEY", help="Survey file (xlsx/csv/yaml); default: the scenario's survey.")] = None,
    scenario: Annotated[str, typer.Option("--scenario", "-s", help="Shipped scenario or YAML.")] = (
        DEFAULT_SCENARIO),
    json_: JsonOpt = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for demand_by_year.csv/.parquet, "
                                      "demand_by_need.csv and demand.html.")] = Path("aidc-output"),
    no_write: Annotated[bool, typer.Option("--no-write", help="Only print; write no files.")] = False,
    lang: LangOpt = None,
) -> None:
    """Show the demand a survey implies (GPU-hours, peak GPUs, vCPUs, storage by tenant class and year)."""
    from aidc import survey
    from aidc.pipeline import run

    lang = check_lang(lang)
    s = scenario_or_exit(scenario)
    try:
        path = survey_file or s.demand.survey or survey.example_path()
        if survey_file is not None:
            s = s.model_copy(update={"demand": s.demand.model_copy(update={"survey": str(survey_file)})})
        # the stage table's demand, and the coincident need the run's summary states (the design
        # draws the job streams it rests on; a service-level fleet, if stated, scales it)
        ran = run(s, ("service",))
        d = ran.demand
        assert d is not None  # demand needs only the survey, read above
        assert ran.summary is not None  # every run ends with its summary
        need = ran.summary.gpu_need_by_year or {}
    except InputError as exc:
        render_input_error(exc)
        raise typer.Exit(2) from None
    files: list[str] = []
    if not no_write:
        out.mkdir(parents=True, exist_ok=True)
        d.by_year.to_csv(out / "demand_by_year.csv", index=False)
        d.by_year.to_parquet(out / "demand_by_year.parquet", index=False)
        d.by_need.to_csv(out / "demand_by_need.csv", index=False)
        _figure_html(d.by_year, out / "demand.html", lang)
        files = [str(out / n) for n in ("demand_by_year.csv", "demand_by_year.parquet",
                                        "demand_by_need.csv", "demand.html")]
    if json_:
        print_json({"survey": str(path), "years": list(d.years), "files": files,
                    "gpu_need_by_year": {str(y): v for y, v in need.items()},
                    "gpu_demand_peak_n": ran.summary.gpu_demand_peak_n,
                    "by_year": d.by_year.to_dict(orient="records")})
        return
    years = list(d.years)
    t = _words(lang)
    console.print(_rich_table(d.by_year, "gpu_hours", t["gpu_h"], 1e3, years, lang))
    console.print(_rich_table(d.by_year, "peak_gpus", t["peak"], 1.0, years, lang, need))
    console.print(_resources(d.by_year, lang))

    console.print(f"{gettext('survey', lang)}: {path}"
                  + (f"\n{gettext('wrote', lang)}: {', '.join(files)}" if files else ""), highlight=False)


def register(root: typer.Typer) -> None:
    """Add ``aidc demand`` to the root app."""
    root.command("demand")(demand)
