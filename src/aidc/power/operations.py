"""What the operator sees: the year with and without the power controls, oversubscription, the Pareto front.

Each function takes the stages' results (scenario, design, demand, the simulated year) and
returns plain dictionaries ready for JSON, the CLI table and the report.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from aidc import data
from aidc.errors import InputError
from aidc.power.stage import PowerResult, Setup, evaluate, setup
from aidc.scenario.power_controls import PowerControls
from aidc.simulate.result import SimulationResult
from aidc.units import S_PER_H

HEADLINE = (
    "bill_krw",
    "peak_demand_kw",
    "facility_kwh",
    "carbon_t",
    "p95_wait_s",
    "mean_wait_s",
    "contract_kw_to_apply",
    "gpu_hours_in_year",
)


def _headline(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: summary[k] for k in HEADLINE} | {"bill_by_component_krw": summary["bill_by_component_krw"]}


def compare(base: PowerResult, controlled: PowerResult) -> dict[str, Any]:
    """Return the savings and costs of the controls: won saved, peak lowered, waits added per tenant class."""
    b, c = base.summary, controlled.summary
    tenants = {}
    for t, row in c["tenants"].items():
        before = b["tenants"].get(t, {})
        tenants[t] = {
            "mean_wait_added_s": row["mean_wait_s"] - before.get("mean_wait_s", 0.0),
            "p95_wait_added_s": row["p95_wait_s"] - before.get("p95_wait_s", 0.0),
            "mean_jct_added_s": row["mean_jct_s"] - before.get("mean_jct_s", 0.0),
        } | c.get("delays", {}).get(t, {})
    return {
        "saved_krw": b["bill_krw"] - c["bill_krw"],
        "peak_lowered_kw": b["peak_demand_kw"] - c["peak_demand_kw"],
        "carbon_saved_t": b["carbon_t"] - c["carbon_t"],
        "p95_wait_added_s": c["p95_wait_s"] - b["p95_wait_s"],
        "gpu_hours_pushed_past_year": b["gpu_hours_in_year"] - c["gpu_hours_in_year"],
        "by_tenant": tenants,
    }


def _scaled(design: Any, scenario: Any, frac: float) -> Any:
    """Return the design with ``1 + frac`` times its GPU servers (rounded down), all else equal."""
    catalog = scenario.servers()
    servers = {
        k: (math.floor(n * (1.0 + frac)) if catalog[k].n_gpus > 0 else n)
        for k, n in design.fleet.servers.items()
    }
    return dataclasses.replace(design, fleet=dataclasses.replace(design.fleet, servers=servers))


def oversubscribe(
    scenario: Any,
    design: Any,
    demand: Any,
    base: PowerResult,
    frac_max: float,
    controls: PowerControls | None = None,
) -> dict[str, Any]:
    """How many more GPU servers fit under the IT limit for the stated loss (``power.oversubscribe_*``).

    Each step adds ``power.oversubscribe_step_frac`` more GPU servers, simulates the year on
    the larger fleet, and keeps IT power under ``power.it_capacity_kw`` by power-limiting the
    GPUs of flexible jobs (``controls.flexible_tenants``) and, where that is not enough, by
    delaying starts. The largest step whose p95 wait rises by at most
    ``power.oversubscribe_wait_added_h`` and whose jobs all run is the answer; each step says
    the GPU-hours its capped jobs lost to running slower.
    """
    capping = PowerControls(
        gpu_capping=True,
        flexible_tenants=(controls or PowerControls()).flexible_tenants,
    )
    from aidc.simulate import run_scenario

    step = float(data.value("power.oversubscribe_step_frac"))
    tolerance_s = float(data.value("power.oversubscribe_wait_added_h")) * S_PER_H
    it_limit = float(scenario.power.it_capacity_kw)
    n_steps = int(math.floor(frac_max / step + 1e-9))
    rows, best = [], None
    for frac in [step * i for i in range(1, n_steps + 1)]:
        bigger = _scaled(design, scenario, frac)
        sim = run_scenario(scenario, bigger, demand)
        result = evaluate(sim, setup(scenario, bigger, len(sim.jobs)), capping, it_cap_kw=it_limit)
        s = result.summary
        not_run = sum(d["jobs_not_run"] for d in s.get("delays", {}).values())
        row = {
            "frac": frac,
            "n_gpus": int(sim.summary["n_gpus"]),
            "gpus_gained": int(sim.summary["n_gpus"] - base.simulation.summary["n_gpus"]),
            "p95_wait_added_s": s["p95_wait_s"] - base.summary["p95_wait_s"],
            "gpu_hours_lost": base.summary["gpu_hours"] - s["gpu_hours"],
            "gpu_hours_lost_to_capping": s["gpu_hours_lost_to_capping"],
            "n_jobs_capped": s["n_jobs_capped"],
            # share of the GPUs' busy time spent on the capped jobs' slower run
            "throughput_lost_frac": s["gpu_hours_lost_to_capping"] / max(s["gpu_hours"], 1e-9),
            "jobs_not_run": int(not_run),
            "peak_it_kw": s["peak_it_kw"],
            "peak_demand_kw": s["peak_demand_kw"],
            "bill_krw": s["bill_krw"],
        }
        row["fits"] = bool(row["p95_wait_added_s"] <= tolerance_s and not_run == 0)
        rows.append(row)
        if row["fits"]:
            best = row
    return {
        "it_limit_kw": it_limit,
        "wait_added_allowed_s": tolerance_s,
        "steps": rows,
        "frac": best["frac"] if best else 0.0,
        "gpus_gained": best["gpus_gained"] if best else 0,
    }


def pareto(
    sim: SimulationResult,
    s: Setup,
    base: PowerResult,
    cap_fracs: tuple[float, ...] = (0.98, 0.95, 0.9),
    shifts: tuple[str, ...] = ("none", "tou"),
) -> list[dict[str, Any]]:
    """Won saved against p95 wait added, for caps at shares of the uncontrolled peak and each shift mode."""
    points = []
    for shift in shifts:
        for frac in (None, *cap_fracs):
            if shift == "none" and frac is None:
                continue
            cap = None if frac is None else frac * base.summary["peak_demand_kw"]
            try:
                r = evaluate(sim, s, PowerControls(cap_kw=cap, shift=shift))
            except InputError:  # a cap below the idle demand: not a point of the front
                continue
            c = compare(base, r)
            points.append(
                {
                    "shift": shift,
                    "cap_kw": cap,
                    "saved_krw": c["saved_krw"],
                    "p95_wait_added_h": c["p95_wait_added_s"] / S_PER_H,
                    "peak_demand_kw": r.summary["peak_demand_kw"],
                }
            )
    front = sorted(points, key=lambda p: (p["p95_wait_added_h"], -p["saved_krw"]))
    best = -np.inf
    for p in front:
        p["pareto"] = bool(p["saved_krw"] > best)
        best = max(best, p["saved_krw"])
    return points


def year(
    scenario: Any,
    design: Any,
    demand: Any,
    sim: SimulationResult,
    controls: PowerControls,
    *,
    with_pareto: bool = False,
) -> dict[str, Any]:
    """Return the power-aware year for the CLI and the report: headline, bill, waits, effect."""
    s = setup(scenario, design, len(sim.jobs))
    base = evaluate(sim, s)
    out: dict[str, Any] = {}
    if controls.cap_kw is not None or controls.shift != "none":
        controlled = evaluate(sim, s, controls)
        out = controlled.summary | {
            "without_controls": _headline(base.summary),
            "effect": compare(base, controlled),
        }
    else:
        out = dict(base.summary)
    if controls.oversubscribe_frac > 0:
        out["oversubscription"] = oversubscribe(
            scenario, design, demand, base, controls.oversubscribe_frac, controls
        )
    if with_pareto:
        out["pareto"] = pareto(sim, s, base)
    return out
