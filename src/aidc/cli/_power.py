"""``aidc simulate SCENARIO --power [--cap-kw KW [--gpu-cap]] [--shift tou|carbon] [--oversubscribe F]``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from aidc.cli._common import console, console_err, print_json, scenario_or_exit


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run(
    name: str | None,
    cap_kw: float | None,
    shift: str | None,
    oversubscribe: float | None,
    json_: bool,
    pareto: Path | None,
    cap_hours: str | None = None,
    gpu_cap: bool = False,
) -> None:
    """Simulate the scenario's year, meter it in 15-minute intervals, apply the controls, print."""
    from aidc import pipeline, power
    from aidc.i18n import gettext
    from aidc.power import operations

    if shift not in (None, "none", "tou", "carbon"):
        raise typer.BadParameter(f"--shift must be tou or carbon, not {shift!r}")
    scenario = scenario_or_exit(name)
    update: dict[str, Any] = {}
    if cap_kw is not None:
        update["cap_kw"] = cap_kw
    if shift is not None:
        update["shift"] = shift
    if cap_hours is not None:
        if cap_hours not in ("all", "billing"):
            raise typer.BadParameter(f"--cap-hours must be all or billing, not {cap_hours!r}")
        update["cap_hours"] = cap_hours
    if oversubscribe is not None:
        update["oversubscribe_frac"] = oversubscribe
    if gpu_cap:
        update["gpu_capping"] = True
    controls = power.PowerControls.model_validate(scenario.simulation.power.model_dump() | update)
    # the stage table wires what feeds the simulated year, as in 'aidc run'; the command line's
    # controls (and the Pareto chart) make this view the power stage's with other settings
    earlier = pipeline.run(scenario, ["simulation"])
    if earlier.simulation is None:
        raise typer.BadParameter(gettext(earlier.missing.get("simulation", "simulation"), None))
    out = operations.year(scenario, earlier.design, earlier.demand, earlier.simulation, controls,
                          with_pareto=pareto is not None)
    if pareto is not None:
        from aidc.i18n import current_lang
        from aidc.report.i18n import text
        from aidc.report.power_section import pareto_figure

        pareto_figure(out["pareto"], text(current_lang())).write_html(pareto, include_plotlyjs="cdn")
        console_err.print(f"wrote the Pareto chart to {pareto}")
    if json_:
        print_json(_clean(out))
        return
    _print(out)


def _print(out: dict[str, Any]) -> None:
    from aidc.i18n import label

    table = Table(
        "", label("power.without_controls"), label("power.with_controls"), title=label("power.table_title")
    )
    before = out.get("without_controls", out)
    for key in (
        "bill_krw",
        "peak_demand_kw",
        "facility_kwh",
        "carbon_t",
        "p95_wait_s",
        "contract_kw_to_apply",
    ):
        table.add_row(escape(label(f"power.{key}")), f"{before[key]:,.0f}", f"{out[key]:,.0f}")
    console.print(table)
    if len(out.get("by_control", [])) > 1:
        _print_controls(out["by_control"])
    from aidc.i18n import gettext

    for note in out.get("note_ids", []):
        console.print(escape(gettext(note["msgid"], None, **note["params"])))
    over = out.get("oversubscription")
    if over:
        console.print(
            label(
                "power.oversubscription",
                gpus=f"{over['gpus_gained']:,}",
                frac=f"{over['frac']:.0%}",
                limit=f"{over['it_limit_kw']:,.0f}",
            )
        )


def _print_controls(rows: list[dict[str, Any]]) -> None:
    """Each control alone and all together: bill, peak, waits added, GPU-hours lost, in the user's units."""
    from aidc.i18n import current_lang
    from aidc.report.i18n import text

    t = text(current_lang())
    columns = ("bill_krw", "saved_krw", "peak_demand_kw", "p95_wait_added_s", "gpu_hours_lost_to_capping",
               "gpu_hours_pushed_past_year", "deadlines_missed")
    table = Table(t("power.col.control"), *(t(f"power.col.{c}") for c in columns),
                  title=t("power.table.by_control"))
    for r in rows:
        table.add_row(
            escape(t(f"power.control.{r['control']}")), t.krw(r["bill_krw"]), t.krw(r["saved_krw"]),
            t.with_unit(t.num(r["peak_demand_kw"], 0), "kW"), t.duration(r["p95_wait_added_s"]),
            t.num(r["gpu_hours_lost_to_capping"], 0), t.num(r["gpu_hours_pushed_past_year"], 0),
            t.num(r["deadlines_missed"], 0),
        )
    console.print(table)
