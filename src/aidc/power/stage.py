"""The power- and tariff-aware year: a job log coupled to 15-minute power, the KEPCO bill and carbon.

:func:`evaluate` takes a simulated job log (any engine's: ``job_id, tenant, gpu_class,
n_gpus, submit_s, start_s, end_s``), applies the scenario's power controls to it, and
meters the year in 15-minute intervals. With every control off the log is left as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from aidc import data
from aidc.energy import carbon, tariff
from aidc.energy.site import facility_from_design
from aidc.energy.weather import default_weather, prepare_weather
from aidc.i18n import N_
from aidc.power.capping import default_levels
from aidc.power.controls import Plan, Schedule, schedule
from aidc.power.coupling import (
    PowerModel,
    facility_intervals,
    gpu_kw_allowed,
    interval_mean,
    job_gpu_kw,
    power_model,
)
from aidc.power.profiles import job_power_factors
from aidc.scenario.power_controls import PowerControls
from aidc.simulate.result import SimulationResult, summarize
from aidc.units import S_PER_H

Array = npt.NDArray[np.float64]

#: Notes of a metered year: message ids of the catalog (the JSON carries them in English too).
NOTE_ANNUAL_FACTOR = N_(
    "no sourced hourly grid-intensity profile for Korea: every interval at the annual factor {ef} tCO2eq/MWh "
    "({period}); carbon shifting has nothing to act on"
)
NOTE_HOURLY_GIVEN = N_("hourly grid intensity given by the caller")
NOTE_MOVED = N_("jobs moved by the power controls are checked against GPU counts, not node fragmentation")
NOTE_CAPPED = N_(
    "GPU power limits are set per 15-minute interval where the cap needs them, on flexible jobs only "
    "(starting or running); the throughput curve is one measured transformer training workload on an "
    "NVIDIA A40 (Zeus, NSDI 2023)"
)


@dataclass(frozen=True, slots=True)
class PowerResult:
    """A metered year: the (controlled) simulation, per-interval power, the monthly bill and a summary."""

    simulation: SimulationResult
    intervals: pd.DataFrame
    monthly_bill: pd.DataFrame
    summary: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Setup:
    """What every evaluation of one scenario shares: the power model, calendar, tariff, job factors."""

    model: PowerModel
    cal: pd.DataFrame
    tariff: tariff.Tariff
    contract_kw: float | None
    factors: Array
    intensity_t_per_mwh: Array
    intensity_note: tuple[str, dict[str, Any]]  # message id and its parameters
    it_limit_kw: float
    year: int


def setup(
    scenario: Any,
    design: Any,
    n_jobs: int,
    weather: pd.DataFrame | None = None,
    grid_intensity_t_per_mwh_hourly: npt.ArrayLike | None = None,
) -> Setup:
    """Gather the facility, weather, tariff and each job's power factor for :func:`evaluate`."""
    interval_s = float(data.value("power.interval_min")) * 60.0
    facility = facility_from_design(scenario, design)
    catalog = scenario.servers()
    gpu_class = {k: (catalog[k].gpu_model or k) for k in facility.fleet.index}
    factors, factor_max = job_power_factors(n_jobs, np.random.default_rng([scenario.seed, 17]))
    model = power_model(
        facility,
        scenario.energy,
        prepare_weather(weather if weather is not None else default_weather()),
        gpu_class,
        interval_s,
        factor_max,
    )
    year = scenario.simulation.year if scenario.simulation.year is not None else scenario.start_year
    cal = tariff.interval_calendar(year, int(data.value("power.interval_min")))
    ef_year = scenario.energy.grid_ef_year or year
    if grid_intensity_t_per_mwh_hourly is not None:
        hourly = np.asarray(grid_intensity_t_per_mwh_hourly, float)
        intensity = np.repeat(hourly, model.per_hour)[: len(cal)]
        note: tuple[str, dict[str, Any]] = (NOTE_HOURLY_GIVEN, {})
    else:
        ef, rec = carbon.grid_factor_t_per_mwh(ef_year)
        intensity = np.full(len(cal), ef)
        note = (NOTE_ANNUAL_FACTOR, {"ef": ef, "period": rec["period"]})
    return Setup(
        model,
        cal,
        tariff.get_tariff(scenario.energy.tariff),
        facility.contract_kw,
        factors,
        intensity,
        note,
        float(scenario.power.it_capacity_kw),
        year,
    )


def _class_index(log: pd.DataFrame, model: PowerModel) -> npt.NDArray[np.int64]:
    names = log["gpu_class"].astype(str).to_numpy()
    index = {c: i for i, c in enumerate(model.classes)}
    return np.array([index.get(n, 0) for n in names], dtype=np.int64)


def controlled(
    log: pd.DataFrame, s: Setup, controls: PowerControls, it_cap_kw: float | None = None
) -> Schedule:
    """Return each job's start and end under the controls, and the power of the capped jobs.

    Starts are NaN where no room was found within the horizon; see :func:`aidc.power.controls.schedule`.
    """
    dt = s.model.interval_s
    n_year = len(s.cal)
    start, end = log["start_s"].to_numpy(float), log["end_s"].to_numpy(float)
    last = float(np.nanmax(end, initial=0.0))
    horizon = max(n_year, int(math.ceil(last / dt))) + int(
        math.ceil(float(np.nanmax(end - start, initial=0.0)) / dt)
    )
    horizon += int(math.ceil(controls.max_delay_h * S_PER_H / dt)) + n_year  # room to delay past the year
    cap = gpu_kw_allowed(s.model, n_year, controls.cap_kw, None)
    if controls.cap_hours == "billing":  # KEPCO's billing demand leaves out the light-load hours
        rule_bands = s.tariff.billing_demand.get("bands", s.tariff.bands)
        cap[~tariff.classify_hours(s.tariff, s.cal)["band"].isin(rule_bands).to_numpy()] = np.inf
    if it_cap_kw is not None:
        cap = np.minimum(cap, gpu_kw_allowed(s.model, n_year, None, it_cap_kw))
    signal = None
    if controls.shift == "tou":
        signal = tariff.classify_hours(s.tariff, s.cal)[f"rate_{s.tariff.money}_per_kwh"].to_numpy(float)
    elif controls.shift == "carbon":
        signal = s.intensity_t_per_mwh
    tile = lambda a: np.resize(a, horizon)  # noqa: E731  the year repeats beyond its end
    ci = _class_index(log, s.model)
    flexible = log["tenant"].astype(str).isin(controls.flexible_tenants).to_numpy()
    power_frac, throughput_frac = default_levels() if controls.gpu_capping else (np.zeros(0), np.zeros(0))
    plan = Plan(
        start_s=start,
        end_s=end,
        n_gpus=log["n_gpus"].to_numpy(np.int64),
        class_index=ci,
        power_kw=job_gpu_kw(log["n_gpus"].to_numpy(), s.factors[: len(log)], ci, s.model),
        flexible=flexible,
        capacity_gpus=s.model.capacity_gpus,
        allowed_kw=tile(cap),
        signal=None if signal is None else tile(signal),
        interval_s=dt,
        max_delay_s=controls.max_delay_h * S_PER_H,
        window_s=float(data.value("power.shift_window_h")) * S_PER_H,
        cap_power_frac=power_frac,
        cap_throughput_frac=throughput_frac,
        cappable=flexible,  # batch work that tolerates running slower, as it tolerates starting later
    )
    return schedule(plan)


def meter(log: pd.DataFrame, s: Setup, sched: Schedule | None = None) -> pd.DataFrame:
    """Facility power of each 15-minute interval of the year from the log's running jobs.

    ``sched``: the controls' schedule, whose capped jobs draw and work as it says, interval by
    interval (None: no job capped). ``work_gpus`` counts busy GPUs at the speed they keep, so
    that a capped job's longer run is not counted as more work.
    """
    n = len(s.cal)
    held = np.isfinite(log["start_s"].to_numpy(float))
    ran = held & ~sched.capped if sched is not None else held
    ci = _class_index(log, s.model)[ran]
    kw = job_gpu_kw(log["n_gpus"].to_numpy()[ran], s.factors[: len(log)][ran], ci, s.model)
    start, end = log["start_s"].to_numpy(float)[ran], log["end_s"].to_numpy(float)[ran]
    gpu_kw = (
        np.stack(
            [
                interval_mean(start[ci == c], end[ci == c], kw[ci == c], n, s.model.interval_s)
                for c in range(len(s.model.classes))
            ]
        )
        if len(s.model.classes)
        else np.zeros((0, n))
    )
    if sched is not None:
        gpu_kw = gpu_kw + sched.capped_kw[:, :n]
    out = facility_intervals(s.model, gpu_kw)
    out.insert(1, "timestamp", s.cal["timestamp"].to_numpy())
    out.insert(2, "month", s.cal["month"].to_numpy())
    gpus, t0, t1 = (log[c].to_numpy(float) for c in ("n_gpus", "start_s", "end_s"))
    out["busy_gpus"] = interval_mean(t0[held], t1[held], gpus[held], n, s.model.interval_s)
    out["work_gpus"] = interval_mean(start, end, gpus[ran], n, s.model.interval_s)
    if sched is not None:
        out["work_gpus"] += sched.capped_work_gpus[:, :n].sum(axis=0)
    out["gpu_power_kw"] = gpu_kw.sum(axis=0)
    out["grid_ef_t_per_mwh"] = s.intensity_t_per_mwh
    step_h = s.model.interval_s / S_PER_H
    out["facility_energy_kwh"] = out["facility_power_kw"] * step_h
    out["carbon_t"] = carbon.carbon_t(out["facility_energy_kwh"], s.intensity_t_per_mwh)
    return out


def _tenant_delays(
    base: pd.DataFrame, new: pd.DataFrame, controls: PowerControls, capped: npt.NDArray[np.bool_]
) -> dict[str, dict[str, Any]]:
    added = new["start_s"].to_numpy(float) - base["start_s"].to_numpy(float)
    tenant = base["tenant"].astype(str).to_numpy()
    deadline = controls.max_delay_h * S_PER_H
    flexible = np.isin(tenant, controls.flexible_tenants)
    out = {}
    for t in sorted(set(tenant)):
        m = tenant == t
        a = added[m]
        done = np.isfinite(a)
        out[t] = {
            "n_jobs_delayed": int((a[done] > 0).sum()),
            "wait_added_mean_s": float(a[done].mean()) if done.any() else 0.0,
            "wait_added_max_s": float(a[done].max()) if done.any() else 0.0,
            "jobs_not_run": int((~done).sum()),
            "n_jobs_capped": int(capped[m].sum()),
            "deadlines_missed": int((a[done] > deadline + 1e-6).sum()) if flexible[m].any() else 0,
        }
    return out


def _bill_summary(intervals: pd.DataFrame, s: Setup) -> tuple[pd.DataFrame, dict[str, Any]]:
    fac = intervals["facility_power_kw"].to_numpy()
    peak_kw = float(fac.max())
    contract_apply_kw = float(math.ceil(peak_kw))
    contract_kw = s.contract_kw or contract_apply_kw
    bill = tariff.bill_15min(fac, s.cal, s.tariff, contract_kw)
    cur = s.tariff.money
    parts = [c for c in bill.columns if c.endswith(f"_{cur}") and c != f"total_{cur}"]
    step_h = s.model.interval_s / S_PER_H
    return bill, {
        f"bill_{cur}": float(bill[f"total_{cur}"].sum()),
        f"bill_by_component_{cur}": {c.removesuffix(f"_{cur}"): float(bill[c].sum()) for c in parts},
        "peak_demand_kw": peak_kw,
        "billing_demand_kw_by_month": [float(x) for x in bill["billing_demand_kw"]],
        "facility_kwh": float(fac.sum() * step_h),
        "it_kwh": float(intervals["it_power_kw"].sum() * step_h),
        # work done inside the year (at uncapped speed): a control that pushes jobs past its end
        # lowers the bill by not doing them
        "gpu_hours_in_year": float(intervals["work_gpus"].sum() * step_h),
        "peak_it_kw": float(intervals["it_power_kw"].max()),
        "carbon_t": float(intervals["carbon_t"].sum()),
        "contract_kw_billed": float(contract_kw),
        "contract_kw_to_apply": contract_apply_kw,
        "tariff": s.tariff.key,
        "interval_min": int(round(s.model.interval_s / 60)),
    }


def evaluate(
    sim: SimulationResult, s: Setup, controls: PowerControls | None = None, *, it_cap_kw: float | None = None
) -> PowerResult:
    """Meter a simulated year in 15-minute intervals, after applying the power controls to its job log.

    Parameters
    ----------
    sim : SimulationResult
        The simulated year (only its job log is read).
    s : Setup
        From :func:`setup`.
    controls : PowerControls, optional
        None or all off: the log is metered as it is and ``simulation`` is ``sim`` itself.
    it_cap_kw : float, optional
        Also keep IT power under this (the oversubscription limit). [kW]

    Returns
    -------
    PowerResult
        ``summary`` holds ``bill_krw``, ``bill_by_component_krw``, ``peak_demand_kw``,
        ``facility_kwh``, ``carbon_t``, ``contract_kw_to_apply``, the per-tenant waits
        (``tenants``) and, under controls, the delays they added (``delays``).
    """
    controls = controls or PowerControls()
    log, notes = sim.jobs, [s.intensity_note]
    result = sim
    delays: dict[str, dict[str, Any]] = {}
    sched: Schedule | None = None
    lost_gpu_h = 0.0
    if controls.cap_kw is not None or controls.shift != "none" or it_cap_kw is not None:
        sched = controlled(log, s, controls, it_cap_kw)
        new = log.copy()
        new["start_s"] = sched.start_s
        new["end_s"] = sched.end_s  # a capped job runs slower
        run_s = (log["end_s"] - log["start_s"]).to_numpy(float)
        extra_s = np.where(sched.capped, sched.end_s - sched.start_s - run_s, 0.0)
        lost_gpu_h = float((log["n_gpus"].to_numpy(float) * extra_s).sum() / S_PER_H)
        new["wait_s"] = new["start_s"] - new["submit_s"]
        new["jct_s"] = new["end_s"] - new["submit_s"]
        delays = _tenant_delays(log, new, controls, sched.capped)
        extra: dict[str, Any] = {k: sim.summary[k] for k in ("policy", "placement") if k in sim.summary}
        result = summarize(
            new,
            int(sim.summary.get("n_gpus", s.model.capacity_gpus.sum())),
            {},
            data.value("simulation.slowdown_min_duration_s"),
            len(sim.hourly),
            extra,
        )
        notes.append((NOTE_MOVED, {}))
        if controls.gpu_capping:
            notes.append((NOTE_CAPPED, {}))
    intervals = meter(result.jobs, s, sched)
    bill, summary = _bill_summary(intervals, s)
    summary |= {
        "controls": controls.model_dump(),
        "p95_wait_s": result.summary["p95_wait_s"],
        "mean_wait_s": result.summary["mean_wait_s"],
        "tenants": {
            t: {k: v for k, v in row.items() if k in ("n_jobs", "mean_wait_s", "p95_wait_s", "mean_jct_s")}
            for t, row in result.summary["tenants"].items()
        },
        "gpu_hours": result.summary["gpu_hours"],
        # GPU-hours the capped jobs' slower run took beyond their uncapped run
        "gpu_hours_lost_to_capping": lost_gpu_h,
        "n_jobs_capped": int(sched.capped.sum()) if sched is not None else 0,
    }
    if delays:
        summary["delays"] = delays
    english = tuple(msgid.format(**params) for msgid, params in notes)
    summary["notes"] = list(english)
    summary["note_ids"] = [{"msgid": msgid, "params": params} for msgid, params in notes]
    return PowerResult(result, intervals, bill, summary, english)
