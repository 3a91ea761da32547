"""``aidc economics [SCENARIO] [--samples N] [--compare B]``: CAPEX, OPEX, revenue, financing, NPV, IRR."""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aidc import DEFAULT_SCENARIO
from aidc.cli._common import JsonOpt, LangOpt, ScenarioArg, check_lang, console, print_json, scenario_or_exit
from aidc.cli.plan import AloneOpt, money, native_stdout_quiet, run_stages
from aidc.i18n import gettext

if TYPE_CHECKING:  # the stages (scipy, pandas) are imported when the command runs, not for its help
    from aidc.economics import Economics, MonteCarlo
    from aidc.summary import Difference

SamplesOpt = Annotated[
    int, typer.Option("--samples", min=0, help="Monte Carlo samples over demand growth, prices and costs.")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of the draws (default: the scenario's).")]
CompareOpt = Annotated[
    str | None,
    typer.Option("--compare", help="A second scenario: print what changes from SCENARIO to it, as lines "
                 "that add up (NPV by cash-flow line, CAPEX by part, revenue by line)."),
]


def _money(x: float, lang: str = "en") -> str:
    scale, _ = money(lang)
    return f"{x / scale:,.1f}" if math.isfinite(x) else "–"


def _print(e: Economics, lang: str = "en") -> None:
    from aidc.report.checks import text_value
    from aidc.report.i18n import text

    t = text(lang)
    _, unit = money(lang)

    def m(x: float) -> str:
        return _money(x, lang)

    def g(message: str, **values: Any) -> str:
        return gettext(message, lang, **values)

    def shown(key: str) -> str:  # English keeps the data's keys, Korean reads their labels
        return key if lang == "en" else t.value(key, "text")

    capex = Table(g("part"), unit, g("share"), title=g("CAPEX over the horizon"))
    for r in e.capex.itertuples(index=False):
        capex.add_row(shown(r.part), m(r.capex_krw), f"{r.share_frac:.1%}")
    console.print(capex)
    cash = Table(*(g(h) for h in ("year", "capex", "revenue", "opex", "energy", "CFADS", "debt svc", "DSCR",
                                  "project CF")), title=g("Cash flows ({unit})", unit=unit))
    for (_, r), energy in zip(e.cash_flow.iterrows(), e.opex["energy_krw"], strict=True):
        cash.add_row(str(int(r.year)), m(r.capex_krw), m(r.revenue_krw), m(r.opex_krw),
                     m(energy), m(r.cfads_krw), m(r.debt_service_krw),
                     f"{r.dscr:.2f}" if math.isfinite(r.dscr) else "–", m(r.project_cash_flow_krw))
    console.print(cash)
    rev = e.revenue.groupby("tenant_class")[["gpu_h", "vcpu_h", "revenue_krw"]].sum()
    discount = e.revenue.groupby("tenant_class")["discount_frac"].first()
    classes = Table(g("tenant class"), g("GPU-h (M)"), g("vCPU-h (M)"), g("discount"),
                    g("revenue [{unit}]", unit=unit), title=g("Revenue by tenant class, whole horizon"))
    for cls, r in rev.iterrows():
        classes.add_row(shown(str(cls)), f"{r.gpu_h / 1e6:,.2f}", f"{r.vcpu_h / 1e6:,.1f}",
                        f"{discount[cls]:.0%}", m(r.revenue_krw))
    console.print(classes)
    sold = e.revenue_lines.groupby(["line", "unit"], sort=False)[["quantity", "revenue_krw"]].sum()
    lines = Table(g("line"), g("sold (M)"), g("unit"), g("revenue [{unit}]", unit=unit),
                  title=g("Revenue by what the fleet sells"))
    for (line, line_unit), r in sold.iterrows():
        lines.add_row(shown(str(line)), f"{r.quantity / 1e6:,.3f}", t.unit(str(line_unit)) if lang != "en"
                      else str(line_unit), m(r.revenue_krw))
    console.print(lines)
    s = e.summary
    summary = Table("", "", title=g("PFV summary"), show_header=False)
    none = g("none")
    for label, value in [
        (g("CAPEX, phase 1 (year 0)"), f"{m(s['phase1_capex_krw'])} {unit}"),
        (g("debt / equity at financial close"), f"{m(s['debt_krw'])} / {m(s['equity_krw'])} {unit}"),
        (g("DSCR min / mean"), f"{s['min_dscr']:.2f} / {s['mean_dscr']:.2f}"),
        (g("project NPV at {rate}", rate=f"{s['discount_rate_frac']:.1%}"), f"{m(s['npv_krw'])} {unit}"),
        (g("project IRR"), f"{s['irr_frac']:.1%}" if math.isfinite(s["irr_frac"]) else none),
        (g("equity NPV / IRR"), f"{m(s['equity_npv_krw'])} {unit} / "
         + (f"{s['equity_irr_frac']:.1%}" if math.isfinite(s["equity_irr_frac"]) else none)),
        (g("payback"), g("{years} y", years=f"{s['payback_y']:.1f}") if math.isfinite(s["payback_y"])
         else g("not within the horizon")),
        (g("levelised cost per GPU-hour"), g("{krw} KRW", krw=f"{s['lcoe_krw_per_gpu_h']:,.0f}")
         if math.isfinite(s["lcoe_krw_per_gpu_h"]) else g("no GPU-hours sold")),
        # the revenue above rests on it (economics.gpu_hour_price_change_frac_per_y)
        (g("GPU-hour list price change per year"), f"{s['gpu_hour_price_change_frac_per_y']:+.1%}"),
    ]:
        summary.add_row(label, value)
    console.print(summary)
    for note in e.fallbacks:
        console.print(f"  [dim]{g('fallback')}: {note if lang == 'en' else text_value(t, note)}[/]")


def _print_difference(d: Difference, lang: str = "en") -> None:
    """Print ``b - a`` as three tables whose lines add up to their total row."""
    from aidc.report.i18n import text

    t = text(lang)
    _, unit = money(lang)
    for title, lines, total, total_name in (
        (gettext("NPV: {b} - {a}, by cash-flow line (present values, {unit})", lang, b=d.scenario_b,
                 a=d.scenario_a, unit=unit), d.npv_lines_krw, d.npv_krw, "NPV"),
        (gettext("CAPEX by part over the horizon ({unit})", lang, unit=unit), d.capex_by_part_krw,
         d.capex_krw, "CAPEX"),
        (gettext("Revenue by line over the horizon ({unit})", lang, unit=unit), d.revenue_by_line_krw,
         d.revenue_krw, gettext("revenue", lang)),
    ):
        table = Table(gettext("line", lang), gettext("change", lang), title=title)
        for line, krw in lines.items():
            # English keeps the data's keys (capex:building); Korean reads their labels (설비투자비 · 건축)
            table.add_row(line if lang == "en" else t.value(line, "text"), _money(krw, lang))
        table.add_row(f"[bold]{total_name}[/]", f"[bold]{_money(total, lang)}[/]")
        console.print(table)
    console.print(gettext("OPEX over the horizon: {opex} {unit}", lang, opex=_money(d.opex_krw, lang),
                          unit=unit))


def _print_mc(mc: MonteCarlo, lang: str = "en") -> None:
    m = mc.summary
    _, unit = money(lang)
    console.print(gettext("NPV over {n} samples: mean {mean}, 5 % {p05}, median {p50}, 95 % {p95} {unit}; "
                          "P(NPV < 0) = {negative}", lang, n=int(m["n_samples"]),
                          mean=_money(m["npv_mean_krw"], lang), p05=_money(m["npv_p05_krw"], lang),
                          p50=_money(m["npv_p50_krw"], lang), p95=_money(m["npv_p95_krw"], lang), unit=unit,
                          negative=f"{m['npv_negative_prob_frac']:.0%}"), highlight=False)
    table = Table(gettext("year", lang), gettext("P(phase 2 built by then)", lang),
                  title=gettext("When phase 2 is needed", lang))
    for r in mc.phase2_by_year.itertuples(index=False):
        table.add_row(str(r.year), f"{r.phase2_prob_frac:.0%}")
    console.print(table)


def economics_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO, samples: SamplesOpt = 0, seed: SeedOpt = None,
    json_: JsonOpt = False, alone: AloneOpt = False, compare: CompareOpt = None, lang: LangOpt = None,
) -> None:
    """Cost the project and its PFV: CAPEX by part, OPEX, revenue, financing, NPV, IRR, payback.

    The earlier stages run through the pipeline's stage table, as in ``aidc run`` (``--alone``:
    only the plan, on the documented fallbacks).
    """
    import numpy as np

    from aidc import economics as economics_stage
    from aidc.summary import difference

    lang = check_lang(lang)
    s = scenario_or_exit(scenario)
    with console.status(gettext("running the earlier stages ...", lang)), native_stdout_quiet(json_):
        r = run_stages(s, ("plan", "economics"), alone)
    e = r.economics
    assert e is not None  # economics has no hard input: it always runs
    if compare is not None:
        s_b = scenario_or_exit(compare)
        with console.status(gettext("running the second scenario ...", lang)), native_stdout_quiet(json_):
            r_b = run_stages(s_b, ("plan", "economics"), alone)
        assert r.summary is not None  # pipeline.run always summarises
        assert r_b.summary is not None
        diff = difference(r.summary, r_b.summary)
        if json_:
            print_json(dataclasses.asdict(diff))
        else:
            _print_difference(diff, lang)
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
    _print(e, lang)
    if mc is not None:
        _print_mc(mc, lang)


def economics_json(e: Economics, mc: MonteCarlo | None) -> dict[str, Any]:
    """Return the economics (and Monte Carlo) as JSON-ready values; NaN becomes null."""
    import numpy as np

    def clean(v: Any) -> Any:
        v = v.item() if isinstance(v, np.generic) else v
        return None if isinstance(v, float) and not math.isfinite(v) else v

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
