"""``aidc simulate SCENARIO --power [--cap-kw KW] [--shift tou|carbon] [--oversubscribe FRAC]``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer
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


def run(name: str, cap_kw: float | None, shift: str | None, oversubscribe: float | None, json_: bool,
        pareto: Path | None) -> None:
    """Simulate the scenario's year, meter it in 15-minute intervals, apply the controls, print."""
    from aidc import demand, design, power
    from aidc import simulate as sim
    from aidc.power import operations

    if shift not in (None, "none", "tou", "carbon"):
        raise typer.BadParameter(f"--shift must be tou or carbon, not {shift!r}")
    scenario = scenario_or_exit(name)
    update: dict[str, Any] = {}
    if cap_kw is not None:
        update["cap_kw"] = cap_kw
    if shift is not None:
        update["shift"] = shift
    if oversubscribe is not None:
        update["oversubscribe_frac"] = oversubscribe
    controls = power.PowerControls.model_validate(scenario.simulation.power.model_dump() | update)
    dem = demand.estimate(demand.load_survey(scenario), scenario)
    des = design.size(scenario, dem)
    year = sim.run_scenario(scenario, des, dem)
    out = operations.year(scenario, des, dem, year, controls, with_pareto=pareto is not None)
    if pareto is not None:
        from aidc.power.figures import pareto_figure

        pareto_figure(out["pareto"]).write_html(pareto, include_plotlyjs="cdn")
        console_err.print(f"wrote the Pareto chart to {pareto}")
    if json_:
        print_json(_clean(out))
        return
    _print(out)


def _print(out: dict[str, Any]) -> None:
    table = Table("", "without controls", "with controls", title="power- and tariff-aware year")
    before = out.get("without_controls", out)
    for key, fmt in (("bill_krw", "{:,.0f}"), ("peak_demand_kw", "{:,.0f}"), ("facility_kwh", "{:,.0f}"),
                     ("carbon_t", "{:,.0f}"), ("p95_wait_s", "{:,.0f}"), ("contract_kw_to_apply", "{:,.0f}")):
        table.add_row(key, fmt.format(before[key]), fmt.format(out[key]))
    console.print(table)
    for note in out.get("notes", []):
        console.print(f"note: {note}")
    over = out.get("oversubscription")
    if over:
        console.print(f"oversubscription: {over['gpus_gained']:,} more GPUs ({over['frac']:.0%}) under "
                      f"{over['it_limit_kw']:,.0f} kW IT")
