"""``aidc economics [SCENARIO] [--samples N] [--compare B]``: CAPEX, OPEX, revenue, financing, NPV, IRR."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aidc import economics as economics_stage
from aidc.cli._common import JsonOpt, ScenarioArg, console, print_json, scenario_or_exit
from aidc.cli.plan import AloneOpt, native_stdout_quiet, run_stages
from aidc.economics import Economics, MonteCarlo
from aidc.scenario import DEFAULT_SCENARIO
from aidc.summary import Difference, difference

BN = 1e9  # money is shown in billions of KRW

SamplesOpt = Annotated[
    int, typer.Option("--samples", min=0, help="Monte Carlo samples over demand growth, prices and costs.")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of the draws (default: the scenario's).")]
CompareOpt = Annotated[
    str | None,
    typer.Option("--compare", help="A second scenario: print what changes from SCENARIO to it, as lines "
                 "that add up (NPV by cash-flow line, CAPEX by part, revenue by line)."),
]


def _money(x: float) -> str:
    return f"{x / BN:,.1f}" if np.isfinite(x) else "–"


def _print(e: Economics) -> None:
    capex = Table("part", "bn KRW", "share", title="CAPEX over the horizon")
    for r in e.capex.itertuples(index=False):
        capex.add_row(r.part, _money(r.capex_krw), f"{r.share_frac:.1%}")
    console.print(capex)
    cash = Table("year", "capex", "revenue", "opex", "energy", "CFADS", "debt svc", "DSCR", "project CF",
                 title="Cash flows (bn KRW)")
    for (_, r), energy in zip(e.cash_flow.iterrows(), e.opex["energy_krw"], strict=True):
        cash.add_row(str(int(r.year)), _money(r.capex_krw), _money(r.revenue_krw), _money(r.opex_krw),
                     _money(energy), _money(r.cfads_krw), _money(r.debt_service_krw),
                     f"{r.dscr:.2f}" if np.isfinite(r.dscr) else "–", _money(r.project_cash_flow_krw))
    console.print(cash)
    rev = e.revenue.groupby("tenant_class")[["gpu_h", "vcpu_h", "revenue_krw"]].sum()
    discount = e.revenue.groupby("tenant_class")["discount_frac"].first()
    classes = Table("tenant class", "GPU-h (M)", "vCPU-h (M)", "discount", "revenue bn KRW",
                    title="Revenue by tenant class, whole horizon")
    for cls, r in rev.iterrows():
        classes.add_row(str(cls), f"{r.gpu_h / 1e6:,.2f}", f"{r.vcpu_h / 1e6:,.1f}", f"{discount[cls]:.0%}",
                        _money(r.revenue_krw))
    console.print(classes)
    sold = e.revenue_lines.groupby(["line", "unit"], sort=False)[["quantity", "revenue_krw"]].sum()
    lines = Table("line", "sold (M)", "unit", "revenue bn KRW", title="Revenue by what the fleet sells")
    for (line, unit), r in sold.iterrows():
        lines.add_row(str(line), f"{r.quantity / 1e6:,.3f}", str(unit), _money(r.revenue_krw))
    console.print(lines)
    s = e.summary
    summary = Table("", "", title="PFV summary", show_header=False)
    for label, value in [
        ("CAPEX, phase 1 (year 0)", f"{_money(s['phase1_capex_krw'])} bn KRW"),
        ("debt / equity at financial close", f"{_money(s['debt_krw'])} / {_money(s['equity_krw'])} bn KRW"),
        ("DSCR min / mean", f"{s['min_dscr']:.2f} / {s['mean_dscr']:.2f}"),
        (f"project NPV at {s['discount_rate_frac']:.1%}", f"{_money(s['npv_krw'])} bn KRW"),
        ("project IRR", f"{s['irr_frac']:.1%}" if np.isfinite(s["irr_frac"]) else "none"),
        ("equity NPV / IRR", f"{_money(s['equity_npv_krw'])} bn KRW / "
         + (f"{s['equity_irr_frac']:.1%}" if np.isfinite(s["equity_irr_frac"]) else "none")),
        ("payback", f"{s['payback_y']:.1f} y" if np.isfinite(s["payback_y"]) else "not within the horizon"),
        ("levelised cost per GPU-hour", f"{s['lcoe_krw_per_gpu_h']:,.0f} KRW"
         if np.isfinite(s["lcoe_krw_per_gpu_h"]) else "no GPU-hours sold"),
    ]:
        summary.add_row(label, value)
    console.print(summary)
    for note in e.fallbacks:
        console.print(f"  [dim]fallback: {note}[/]")


def _print_difference(d: Difference) -> None:
    """Print ``b - a`` as three tables whose lines add up to their total row."""
    for title, lines, total, total_name in (
        (f"NPV: {d.scenario_b} - {d.scenario_a}, by cash-flow line (present values, bn KRW)",
         d.npv_lines_krw, d.npv_krw, "NPV"),
        ("CAPEX by part over the horizon (bn KRW)", d.capex_by_part_krw, d.capex_krw, "CAPEX"),
        ("Revenue by line over the horizon (bn KRW)", d.revenue_by_line_krw, d.revenue_krw, "revenue"),
    ):
        table = Table("line", "change", title=title)
        for line, krw in lines.items():
            table.add_row(line, _money(krw))
        table.add_row(f"[bold]{total_name}[/]", f"[bold]{_money(total)}[/]")
        console.print(table)
    console.print(f"OPEX over the horizon: {_money(d.opex_krw)} bn KRW")


def _print_mc(mc: MonteCarlo) -> None:
    m = mc.summary
    console.print(f"NPV over {int(m['n_samples'])} samples: mean {_money(m['npv_mean_krw'])}, "
                  f"5 % {_money(m['npv_p05_krw'])}, median {_money(m['npv_p50_krw'])}, "
                  f"95 % {_money(m['npv_p95_krw'])} bn KRW; P(NPV < 0) = {m['npv_negative_prob_frac']:.0%}")
    table = Table("year", "P(phase 2 built by then)", title="When phase 2 is needed")
    for r in mc.phase2_by_year.itertuples(index=False):
        table.add_row(str(r.year), f"{r.phase2_prob_frac:.0%}")
    console.print(table)


def economics_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO, samples: SamplesOpt = 0, seed: SeedOpt = None,
    json_: JsonOpt = False, alone: AloneOpt = False, compare: CompareOpt = None,
) -> None:
    """Cost the project and its PFV: CAPEX by part, OPEX, revenue, financing, NPV, IRR, payback.

    The earlier stages run through the pipeline's stage table, as in ``aidc run`` (``--alone``:
    only the plan, on the documented fallbacks).
    """
    s = scenario_or_exit(scenario)
    with console.status("running the earlier stages ..."), native_stdout_quiet(json_):
        r = run_stages(s, ("plan", "economics"), alone)
    e = r.economics
    assert e is not None  # economics has no hard input: it always runs
    if compare is not None:
        s_b = scenario_or_exit(compare)
        with console.status("running the second scenario ..."), native_stdout_quiet(json_):
            r_b = run_stages(s_b, ("plan", "economics"), alone)
        assert r.summary is not None  # pipeline.run always summarises
        assert r_b.summary is not None
        diff = difference(r.summary, r_b.summary)
        if json_:
            print_json(dataclasses.asdict(diff))
        else:
            _print_difference(diff)
        return
    mc = None
    if samples:
        rng = np.random.default_rng(s.seed if seed is None else seed)
        with Progress(TextColumn("Monte Carlo"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True, disable=json_) as progress:
            task = progress.add_task("samples", total=samples)
            with native_stdout_quiet(json_):
                mc = economics_stage.monte_carlo(
                    s, r.design, r.demand, n_samples=samples, rng=rng, energy=r.energy,
                    simulation=r.simulation, progress=lambda i: progress.update(task, completed=i))
    if json_:
        print_json(economics_json(e, mc))
        return
    _print(e)
    if mc is not None:
        _print_mc(mc)


def economics_json(e: Economics, mc: MonteCarlo | None) -> dict[str, Any]:
    """Return the economics (and Monte Carlo) as JSON-ready values; NaN becomes null."""
    def clean(v: Any) -> Any:
        v = v.item() if isinstance(v, np.generic) else v
        return None if isinstance(v, float) and not np.isfinite(v) else v

    def records(df: Any) -> list[dict[str, Any]]:
        return [{k: clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]

    out: dict[str, Any] = {"summary": {k: clean(v) for k, v in e.summary.items()}, "capex": records(e.capex),
                           "opex": records(e.opex), "revenue": records(e.revenue),
                           "revenue_lines": records(e.revenue_lines),
                           "cash_flow": records(e.cash_flow), "fallbacks": list(e.fallbacks)}
    if mc is not None:
        out["monte_carlo"] = {"summary": mc.summary, "phase2_by_year": records(mc.phase2_by_year),
                              "samples": records(mc.samples)}
    return out


def register(app: typer.Typer) -> None:
    """Add ``aidc economics`` to the app."""
    app.command("economics")(economics_command)
