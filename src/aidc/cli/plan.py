"""``aidc plan [SCENARIO]``: the phased build schedule (MILP), demand against capacity, binding limit."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from aidc import DEFAULT_SCENARIO, units
from aidc.cli._common import JsonOpt, LangOpt, ScenarioArg, check_lang, console, print_json, scenario_or_exit
from aidc.i18n import gettext

if TYPE_CHECKING:  # the plan (scipy, pandas) is imported when the command runs, not for its help
    from aidc.pipeline import Result
    from aidc.plan.solution import Plan
    from aidc.scenario import Scenario

BN = 1e9  # money is shown in billions of KRW (English) or in 억 원 (Korean, units.KRW_PER_EOK)


def money(lang: str) -> tuple[float, str]:
    """Return how sums of won are shown in ``lang``: the divisor and its unit (bn KRW, 억 원)."""
    return (units.KRW_PER_EOK, "억 원") if lang == "ko" else (BN, "bn KRW")


def _label(key: str, lang: str) -> str:
    from aidc.report.i18n import text

    return gettext(key, lang) if key == "power block" else text(lang).value(key, "text")

OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Folder for plan.html (default aidc-out/<scenario>/).")
]
AloneOpt = Annotated[
    bool, typer.Option("--alone", help="Do not run survey, demand and design; use the documented fallbacks.")
]


@contextmanager
def native_stdout_quiet(active: bool = True) -> Iterator[None]:
    """Send file descriptor 1 to /dev/null inside the block.

    HiGHS's C++ core can print a stray diagnostic line straight to fd 1 while solving; this
    keeps ``--json`` output parseable. Python's own ``sys.stdout`` writes are not affected
    once the block ends (it is flushed before and restored after).
    """
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def run_stages(scenario: Scenario, stages: tuple[str, ...], alone: bool) -> Result:
    """Run ``stages`` through the pipeline's one stage table.

    With every input, as ``aidc run`` does; or ``alone``, on the stages' documented fallbacks.
    """
    from aidc.pipeline import run

    return run(scenario, stages, inputs="needs" if alone else "all")


def _schedule_table(plan: Plan, lang: str) -> Table:
    scale, unit = money(lang)
    table = Table(*(gettext(h, lang) for h in ("year", "what", "units", "IT kW")),
                  gettext("capex [{unit}]", lang, unit=unit), gettext("in service until", lang),
                  title=gettext("Build schedule", lang))
    for r in plan.schedule.sort_values(["year", "kind"]).itertuples(index=False):
        table.add_row(str(r.year), _label(r.item, lang), f"{r.n_units:,}", f"{r.it_capacity_kw:,.0f}",
                      f"{r.capex_krw / scale:,.2f}", str(r.retire_year - 1))
    return table


SHORT = {"n_gpus": "GPU-eq", "n_vcpus": "vCPU", "storage_tb": "TB"}


def _capacity_table(plan: Plan, lang: str, fill: dict[int, float] | None = None) -> Table:
    from aidc.plan.solution import product_column

    cap = plan.capacity_by_year
    products = plan.problem.products
    fill = fill or {}
    headers = ("year", "blocks", "built kW", "load kW", "envelope used", "floors")
    table = Table(*(gettext(h, lang) for h in headers),
                  *[gettext("{product} need/have", lang, product=gettext(SHORT.get(p, p), lang))
                    for p in products],
                  title=gettext("Demand against capacity", lang))
    for _, r in cap.iterrows():
        used = fill.get(int(r.year))
        cells = [str(int(r.year)), str(int(r.n_blocks)), f"{r.it_capacity_kw:,.0f}", f"{r.it_load_kw:,.0f}",
                 "" if used is None else f"{used:.0%}", f"{r.floors_used:.2f}"]
        for p in products:
            cell = f"{r[product_column(p, 'needed')]:,.0f}/{r[product_column(p, 'installed')]:,.0f}"
            cells.append(f"[red]{cell}[/]" if r[product_column(p, "short")] > 1e-6 else cell)
        table.add_row(*cells)
    return table


def plan_json(plan: Plan, notes: list[str]) -> dict[str, Any]:
    """Return the plan as plain JSON-ready values."""
    import numpy as np

    def records(df: Any) -> list[dict[str, Any]]:
        return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                for row in df.to_dict(orient="records")]

    return {"feasible": plan.feasible, "binding_limit": plan.binding_limit, "limits": list(plan.limits),
            "npc_krw": plan.npc_krw, "phase2_year": plan.phase2_year, "fallbacks": notes,
            "schedule": records(plan.schedule), "capacity_by_year": records(plan.capacity_by_year)}


def _service_json(r: Result) -> dict[str, Any]:
    """Return the service-level sizing the plan's GPU need follows (empty: no levels stated)."""
    if r.service is None:
        return {}
    sz = r.service
    return {"service_sizing": {"n_gpus": sz.n_gpus, "n_gpu_servers": sz.n_gpu_servers,
                               "binding_class": sz.binding_class,
                               "curve": sz.curve.to_dict(orient="records")}}


def plan_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO, json_: JsonOpt = False, out: OutOpt = None,
    alone: AloneOpt = False, lang: LangOpt = None,
) -> None:
    """Find the least-cost build schedule over the horizon: power blocks, servers, refreshes."""
    from aidc.plan.stage import fallbacks
    from aidc.report.briefing import limit_text
    from aidc.report.i18n import scenario_text, text

    lang = check_lang(lang)
    s = scenario_or_exit(scenario)
    scale, unit = money(lang)
    with console.status(gettext("sizing and solving the expansion plan (HiGHS) ...", lang)), \
            native_stdout_quiet(json_):
        r = run_stages(s, ("plan",), alone)
    assert r.plan is not None  # the plan stage has no hard input: it always runs
    plan, notes = r.plan, fallbacks(s, r.design, r.demand)
    if json_:
        print_json(plan_json(plan, notes) | _service_json(r))
        return
    if r.service is not None:
        from aidc.cli.design import service_table
        from aidc.design import labels

        console.print(service_table(r.service, labels(lang), lang))
    console.print(_schedule_table(plan, lang))
    console.print(_capacity_table(plan, lang, r.summary.envelope_fill_frac_by_year if r.summary else None))
    if plan.feasible:
        console.print(gettext("net present cost: {npc} {unit} (discount rate {rate})", lang,
                              npc=f"{plan.npc_krw / scale:,.1f}", unit=unit,
                              rate=f"{plan.problem.discount_rate_frac:.1%}"), highlight=False)
        phase2 = str(plan.phase2_year) if plan.phase2_year else gettext("not needed in the horizon", lang)
        console.print(gettext("phase 2 (a block beyond phase 1): {year}", lang, year=phase2))
    else:
        console.print(f"[bold red]{gettext('no plan fits the limits', lang)}[/]")
    t = text(lang)
    for limit in plan.limits:
        label = f"[red]{gettext('binding limit', lang)}:[/]" if not plan.feasible else \
            f"[yellow]{gettext('note', lang)}:[/]"
        console.print(f"  {label} {limit if lang == 'en' else limit_text(t, limit)}")
    for note in notes:
        console.print(f"  [dim]{gettext('fallback', lang)}: {gettext(note, lang)}[/]")
    out_dir = out if out is not None else Path("aidc-out") / s.name
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "plan.html"
    from aidc.plan.figures import schedule_figure

    title = f"{gettext('Build schedule', lang)} — {scenario_text(t, s)[0]}"
    figure = schedule_figure(plan, title=title)
    figure.write_html(html, include_plotlyjs=True)
    console.print(f"{gettext('chart', lang)}: {html}")


def register(app: typer.Typer) -> None:
    """Add ``aidc plan`` to the app."""
    app.command("plan")(plan_command)
