"""``aidc demand [SURVEY]``: demand by tenant class and year as tables and a chart, written to files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from aidc import demand as demand_stage
from aidc import survey
from aidc.cli._common import JsonOpt, console, print_json, render_input_error, scenario_or_exit
from aidc.errors import InputError
from aidc.scenario import DEFAULT_SCENARIO


def _pivot(by_year: pd.DataFrame, value: str) -> pd.DataFrame:
    return by_year.pivot_table(index="tenant_class", columns="year", values=value, aggfunc="sum",
                               fill_value=0)


def _rich_table(by_year: pd.DataFrame, value: str, title: str, scale: float, years: list[int]) -> Table:
    """One row per year, one column per tenant class, and the total (years fit a terminal's height)."""
    pv = _pivot(by_year, value).reindex(columns=years, fill_value=0).T
    table = Table("year", *[str(c) for c in pv.columns], "[bold]total[/]", title=title)
    for year, row in pv.iterrows():
        table.add_row(str(year), *[f"{v / scale:,.0f}" for v in row], f"[bold]{row.sum() / scale:,.0f}[/]")
    return table


def _resources(by_year: pd.DataFrame) -> Table:
    totals = by_year.groupby("year")[["cpu_vcpus", "memory_gb", "storage_tb"]].sum()
    table = Table("year", "vCPUs", "memory (GB)", "storage (TB)", title="Cloud CPU and storage (all classes)")
    for year, row in totals.iterrows():
        table.add_row(str(year), f"{row.cpu_vcpus:,.0f}", f"{row.memory_gb:,.0f}", f"{row.storage_tb:,.0f}")
    return table


def _figure_html(by_year: pd.DataFrame, path: Path) -> None:
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("GPU-hours [thousand GPU·h]", "Peak GPUs"))
    gh, pk = _pivot(by_year, "gpu_hours"), _pivot(by_year, "peak_gpus")
    for i, cls in enumerate(gh.index):
        fig.add_bar(x=gh.columns, y=gh.loc[cls] / 1e3, name=str(cls), legendgroup=str(cls), row=1, col=1,
                    marker_color=f"hsl({i * 55},60%,50%)")
        fig.add_bar(x=pk.columns, y=pk.loc[cls], name=str(cls), legendgroup=str(cls), showlegend=False,
                    row=1, col=2, marker_color=f"hsl({i * 55},60%,50%)")
    fig.update_layout(barmode="stack", title="Demand by tenant class and year", template="plotly_white")
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
) -> None:
    """Show the demand a survey implies (GPU-hours, peak GPUs, vCPUs, storage by tenant class and year)."""
    s = scenario_or_exit(scenario)
    try:
        path = survey_file or s.demand.survey or survey.example_path()
        d = demand_stage.estimate(survey.read(path), s)
    except InputError as exc:
        render_input_error(exc)
        raise typer.Exit(2) from None
    files: list[str] = []
    if not no_write:
        out.mkdir(parents=True, exist_ok=True)
        d.by_year.to_csv(out / "demand_by_year.csv", index=False)
        d.by_year.to_parquet(out / "demand_by_year.parquet", index=False)
        d.by_need.to_csv(out / "demand_by_need.csv", index=False)
        _figure_html(d.by_year, out / "demand.html")
        files = [str(out / n) for n in ("demand_by_year.csv", "demand_by_year.parquet",
                                        "demand_by_need.csv", "demand.html")]
    if json_:
        print_json({"survey": str(path), "years": list(d.years), "files": files,
                    "by_year": d.by_year.to_dict(orient="records")})
        return
    years = list(d.years)
    console.print(_rich_table(d.by_year, "gpu_hours", "GPU-hours (thousand GPU·h)", 1e3, years))
    console.print(_rich_table(d.by_year, "peak_gpus", "Peak GPUs", 1.0, years))
    console.print(_resources(d.by_year))
    console.print(f"survey: {path}" + (f"\nwrote: {', '.join(files)}" if files else ""), highlight=False)


def register(root: typer.Typer) -> None:
    """Add ``aidc demand`` to the root app."""
    root.command("demand")(demand)
