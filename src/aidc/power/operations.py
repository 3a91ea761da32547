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
    delaying starts. A step fits if its p95 wait rises by at most
    ``power.oversubscribe_wait_added_h``, its capped jobs lose at most
    ``power.oversubscribe_throughput_lost_frac`` of the GPU time held, and all its jobs run; the
    answer is the last step before the first that does not fit (a larger fleet that happens to
    fit past a failing step is not offered).
    """
    capping = PowerControls(
        gpu_capping=True,
        flexible_tenants=(controls or PowerControls()).flexible_tenants,
    )
    from aidc.simulate import run_scenario

    step = float(data.value("power.oversubscribe_step_frac"))
    tolerance_s = float(data.value("power.oversubscribe_wait_added_h")) * S_PER_H
    lost_allowed_frac = float(data.value("power.oversubscribe_throughput_lost_frac"))
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
        row["fits"] = bool(
            row["p95_wait_added_s"] <= tolerance_s
            and row["throughput_lost_frac"] <= lost_allowed_frac
            and not_run == 0
        )
        rows.append(row)
        if not row["fits"]:
            break  # the answer is found: larger fleets only add load
        best = row
    return {
        "it_limit_kw": it_limit,
        "wait_added_allowed_s": tolerance_s,
        "throughput_lost_allowed_frac": lost_allowed_frac,
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
    controls: PowerControls | None = None,
) -> list[dict[str, Any]]:
    """Won saved against p95 wait added, for caps at shares of the uncontrolled peak and each shift mode.

    The other settings (flexible classes, maximum delay, GPU capping) are those of ``controls``.
    """
    like = controls or PowerControls()
    points = []
    for shift in shifts:
        for frac in (None, *cap_fracs):
            if shift == "none" and frac is None:
                continue
            cap = None if frac is None else frac * base.summary["peak_demand_kw"]
            try:
                r = evaluate(sim, s, like.model_copy(update={"cap_kw": cap, "shift": shift}))
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
    return mark_front(points)


def mark_front(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark (``pareto``) the points no other beats on both won saved and p95 wait added; return them.

    Examples
    --------
    >>> pts = [{"saved_krw": 5.0, "p95_wait_added_h": 2.0}, {"saved_krw": 1.0, "p95_wait_added_h": 3.0},
    ...        {"saved_krw": 2.0, "p95_wait_added_h": 0.5}]
    >>> [p["pareto"] for p in mark_front(pts)]
    [True, False, True]
    """
    best = -np.inf
    for p in sorted(points, key=lambda p: (p["p95_wait_added_h"], -p["saved_krw"])):
        p["pareto"] = bool(p["saved_krw"] > best)
        best = max(best, p["saved_krw"])
    return points


def _alone(controls: PowerControls) -> list[tuple[str, PowerControls]]:
    """Each control the operator set, alone, then all of them together (when more than one)."""
    off = controls.model_copy(update={"cap_kw": None, "gpu_capping": False, "shift": "none"})
    parts = []
    if controls.cap_kw is not None:
        parts.append(("cap", off.model_copy(update={"cap_kw": controls.cap_kw})))
        if controls.gpu_capping:
            parts.append(("cap_gpu", off.model_copy(update={"cap_kw": controls.cap_kw, "gpu_capping": True})))
    if controls.shift != "none":
        parts.append((controls.shift, off.model_copy(update={"shift": controls.shift})))
    if len(parts) > 1 and not (len(parts) == 2 and parts[1][0] == "cap_gpu"):
        parts.append(("all", controls))
    return parts


def _row(name: str, base: PowerResult, r: PowerResult) -> dict[str, Any]:
    """One line of the comparison: the bill by component, peak and contract, what the tenants pay."""
    c = compare(base, r)
    return {
        "control": name,
        **{k: r.summary[k] for k in ("bill_krw", "bill_by_component_krw", "peak_demand_kw",
                                     "contract_kw_to_apply", "carbon_t", "gpu_hours_lost_to_capping")},
        "saved_krw": c["saved_krw"],
        "p95_wait_added_s": c["p95_wait_added_s"],
        "p95_wait_added_h": c["p95_wait_added_s"] / S_PER_H,
        "mean_wait_added_s": r.summary["mean_wait_s"] - base.summary["mean_wait_s"],
        "gpu_hours_pushed_past_year": c["gpu_hours_pushed_past_year"],
        "deadlines_missed": sum(d.get("deadlines_missed", 0) for d in r.summary.get("delays", {}).values()),
    }


def year(
    scenario: Any,
    design: Any,
    demand: Any,
    sim: SimulationResult,
    controls: PowerControls,
    *,
    with_pareto: bool = False,
) -> dict[str, Any]:
    """Return the power-aware year for the CLI and the report: headline, bill, waits, effect.

    ``by_control`` has one line without controls, one for each control alone and one for all
    of them together: the bill by component, the peak, the contract to apply for, the waits
    added and the GPU-hours lost to capping.
    """
    s = setup(scenario, design, len(sim.jobs))
    base = evaluate(sim, s)
    out: dict[str, Any] = {}
    rows = [_row("none", base, base)]
    if controls.cap_kw is not None or controls.shift != "none":
        controlled = evaluate(sim, s, controls)
        out = controlled.summary | {
            "without_controls": _headline(base.summary),
            "effect": compare(base, controlled),
        }
        parts = _alone(controls)
        for name, alone in parts:
            same = alone == controls
            rows.append(_row(name, base, controlled if same else evaluate(sim, s, alone)))
    else:
        out = dict(base.summary)
    out["by_control"] = mark_front(rows)
    if controls.oversubscribe_frac > 0:
        out["oversubscription"] = oversubscribe(
            scenario, design, demand, base, controls.oversubscribe_frac, controls
        )
    if with_pareto:
        out["pareto"] = pareto(sim, s, base, controls=controls)
    return out
