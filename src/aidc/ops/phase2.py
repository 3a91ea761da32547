"""The phase-2 trigger: when the service levels break, how long building takes, when to decide.

1. **Break factor.** The last twelve months of records (the base) are replayed on the real
   fleet with their demand multiplied by a factor (:func:`aidc.ops.twin.scaled`); a bisection
   finds the smallest factor at which some tenant class's p95 wait exceeds its service level
   (``scenario.simulation.service_levels``). Assumed: demand grows with the base's mix of job
   kinds and its daily and seasonal pattern.
2. **Probability by month.** The growth model of :mod:`aidc.ops.growth`, fitted to the total
   monthly GPU-hours (all classes: the break factor scales the base's mix as a whole, and a
   small class's steep start does not swamp the total), is sampled from its predictive
   distribution; a month's demand factor is its GPU-hours over the base's monthly mean, and the
   probability of a break is the share of draws above the break factor.
3. **Decision.** The break month is the first with at least ``ops.trigger_break_probability_frac``;
   the lead time is the longest path through the build steps of ``data/ops/lead_times.yaml``
   (each a sourced record); the latest month to decide is the break month minus the lead time.
4. **Size.** The plan stage (:func:`aidc.plan.optimize`, run through the pipeline's stage
   table) is given the survey's demand replaced by the forecast (:func:`forecast_demand`: each
   year's GPU demand per tenant class scaled to the forecast median's GPU-hours of that year,
   split by the classes' shares of the base); its phase-2 year and what it builds that year
   (power blocks, GPU servers) are the answer. Assumed: peak GPUs grow with GPU-hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from aidc import data
from aidc.errors import InputError
from aidc.ops import growth as fc
from aidc.ops import twin
from aidc.ops.store import monthly
from aidc.units import MONTHS_PER_YEAR, S_PER_H

BASE_MONTHS = MONTHS_PER_YEAR  # a year of records is the base: every season once


@dataclass(frozen=True, slots=True)
class Trigger:
    """The trigger's answer (see the module docstring for the method)."""

    by_month: pd.DataFrame
    break_factor: float
    breaking_class: str | None
    already_broken: bool
    break_month: str | None
    lead_time_months: int
    lead_steps: pd.DataFrame
    decide_by: str | None
    months_late: int
    phase2_year: int | None
    phase2_it_kw: float
    phase2_n_servers: int
    phase2_gpu_eq: float
    plan_feasible: bool
    base_months: list[str]
    service_levels_h: dict[str, float]
    growth_frac_per_y: float


def lead_time_months(steps: dict[str, dict[str, Any]] | None = None) -> tuple[int, pd.DataFrame]:
    """Return the lead time (longest path through the build steps) and each step's start and end.

    Examples
    --------
    >>> total, table = lead_time_months({"a": {"value": 2, "after": []}, "b": {"value": 3, "after": ["a"]},
    ...                                  "c": {"value": 4, "after": ["a"]}})
    >>> total, table["end_month"].tolist()
    (6, [2, 5, 6])
    """
    steps = steps if steps is not None else data.load_yaml("ops/lead_times.yaml")
    end: dict[str, int] = {}

    def finish(name: str, seen: tuple[str, ...] = ()) -> int:
        if name in seen or name not in steps:
            raise InputError.single(
                "build steps must name earlier steps",
                file="ops/lead_times.yaml",
                field=f"{seen[-1] if seen else name}.after",
                found=name,
            )
        if name not in end:
            after = steps[name].get("after") or []
            end[name] = max((finish(a, (*seen, name)) for a in after), default=0) + int(steps[name]["value"])
        return end[name]

    for name in steps:
        finish(name)
    table = pd.DataFrame(
        [
            {
                "step": n,
                "duration_months": int(r["value"]),
                "start_month": end[n] - int(r["value"]),
                "end_month": end[n],
                "source": r.get("source", ""),
            }
            for n, r in steps.items()
        ]
    )
    return max(end.values()), table


def service_levels_h(scenario: Any) -> dict[str, float]:
    """Return the scenario's p95 wait limit per tenant class [h]; refuse a scenario without any."""
    levels = {k: float(v.p95_wait_h) for k, v in scenario.simulation.service_levels.items()}
    if not levels:
        raise InputError.single(
            "the trigger needs service levels to watch",
            field="simulation.service_levels",
            expected="e.g. {university: {p95_wait_h: 24}}",
        )
    return levels


def _breaks(
    trace: pd.DataFrame,
    factor: float,
    scenario: Any,
    design: Any,
    levels: dict[str, float],
    placement: str | None,
) -> str | None:
    """Return the first class whose p95 wait exceeds its level at ``factor`` (None if all hold)."""
    if factor <= 0:
        return None
    result = twin.simulate_trace(twin.scaled(trace, factor, scenario.seed), scenario, design, placement)
    waits = result.tenants["p95_wait_s"]
    over = [c for c, limit_h in sorted(levels.items()) if c in waits.index and waits[c] > limit_h * S_PER_H]
    return over[0] if over else None


def break_factor(
    trace: pd.DataFrame, scenario: Any, design: Any, levels: dict[str, float], placement: str | None = None
) -> tuple[float, str | None]:
    """Return the smallest demand factor found to break a service level (``inf`` if none up to the cap)."""
    at_one = _breaks(trace, 1.0, scenario, design, levels, placement)
    lo, hi, cls = (0.0, 1.0, at_one) if at_one else (1.0, float(data.value("ops.trigger_factor_max")), None)
    if not at_one:
        cls = _breaks(trace, hi, scenario, design, levels, placement)
        if cls is None:
            return math.inf, None
    for _ in range(int(data.value("ops.trigger_search_steps"))):
        mid = (lo + hi) / 2
        found = _breaks(trace, mid, scenario, design, levels, placement)
        lo, hi, cls = (lo, mid, found) if found else (mid, hi, cls)
    return hi, cls


def demand_factors(
    total: fc.GrowthFit, base_gpu_h_per_month: float, months: list[str], rng: np.random.Generator
) -> np.ndarray:
    """Draw each month's demand factor (total GPU-hours over the base's monthly mean): draws x months."""
    n_draws = int(data.value("ops.trigger_n_draws"))
    loc, scale, df = fc.predictive(total, fc.month_index(months, total.first_month))
    return np.exp(loc + scale * rng.standard_t(df, size=(n_draws, len(months)))) / base_gpu_h_per_month


def forecast_demand(
    demand: Any, jobs: pd.DataFrame, by_month: pd.DataFrame, base_months: list[str]
) -> Any:
    """Return ``demand`` with its GPU rows scaled per year and tenant class to the forecast median.

    The forecast median GPU-hours of a year is the base's monthly mean times the mean median
    demand factor of its forecast months, times 12. It is split by each class's share of the
    base's GPU-hours (classes both observed and surveyed; none in common: one factor for all),
    and each class's surveyed ``gpu_hours`` and ``peak_gpus`` are scaled to its part. Years before
    the first forecast year take its factor, years after the last take the last's. CPU-only
    rows are kept as surveyed.
    """
    table = monthly(jobs)
    base = table[table["month"].isin(base_months)]
    base_mean = float(base["gpu_h"].sum()) / len(base_months)
    year = pd.PeriodIndex(by_month["month"], freq="M").year
    per_year = by_month.groupby(year)["demand_factor_median"].mean() * base_mean * 12
    gpu = demand.by_year["gpu_model"] != "none"
    surveyed = demand.by_year[gpu].groupby(["year", "tenant_class"])["gpu_hours"].sum()
    observed = base.groupby("tenant_class", observed=True)["gpu_h"].sum()
    classes = sorted(set(observed[observed > 0].index) & set(surveyed.index.get_level_values(1)))
    share = observed[classes] / observed[classes].sum() if classes else None
    factors: dict[tuple[int, str], float] = {}
    for y in sorted(demand.by_year["year"].unique()):
        want = float(per_year.iloc[0] if y < per_year.index[0]
                     else per_year.iloc[-1] if y > per_year.index[-1] else per_year.get(y, per_year.iloc[-1]))
        in_year = y in surveyed.index.get_level_values(0)
        have = surveyed.xs(y, level="year") if in_year else pd.Series(dtype=float)
        for cls, h in have.items():
            if share is None:
                part, total = want, float(have.sum())
            else:
                part, total = want * float(share.get(cls, 0.0)), float(h)
            factors[(int(y), str(cls))] = part / total if total > 0 else 0.0
    rows = demand.by_year
    keys = list(zip(rows["year"].astype(int), rows["tenant_class"].astype(str), strict=True))
    scale = np.where(gpu, [factors.get(k, 0.0) for k in keys], 1.0)
    by_year = demand.by_year.assign(gpu_hours=demand.by_year["gpu_hours"] * scale,
                                    peak_gpus=demand.by_year["peak_gpus"] * scale)
    return replace(demand, by_year=by_year, source=f"{demand.source} (scaled to the operations forecast)")


def plan_for_forecast(
    scenario: Any, design: Any, jobs: pd.DataFrame, by_month: pd.DataFrame, base_months: list[str]
) -> Any:
    """Return the plan (:func:`aidc.plan.optimize` via the stage table) for the forecast demand."""
    from aidc import demand as dm
    from aidc.pipeline import run

    surveyed = dm.estimate(dm.load_survey(scenario), scenario)
    given = {"demand": forecast_demand(surveyed, jobs, by_month, base_months), "design": design}
    return run(scenario, ("plan",), given=given).plan


def phase2_of(plan: Any) -> dict[str, Any]:
    """Return the plan's phase-2 year and what it builds that year.

    ``phase2_it_kw`` the power blocks' IT capacity [kW]; ``phase2_n_servers`` the GPU servers
    bought and ``phase2_gpu_eq`` their GPUs in H100-equivalents [GPU] (the plan's GPU unit).
    """
    year = plan.phase2_year
    built = plan.schedule[plan.schedule["year"] == year] if year is not None else plan.schedule.iloc[:0]
    p = plan.problem
    per_server = dict(zip(p.options, p.capacity[:, list(p.products).index("n_gpus")], strict=True))
    servers = built[(built["kind"] == "server") & (built["item"].map(per_server).fillna(0.0) > 0)]
    return {"phase2_year": year,
            "phase2_it_kw": float(built.loc[built["kind"] == "block", "it_capacity_kw"].sum()),
            "phase2_n_servers": int(servers["n_units"].sum()),
            "phase2_gpu_eq": float(sum(r.n_units * per_server[r.item] for r in servers.itertuples())),
            "plan_feasible": bool(plan.feasible)}


def _base(jobs: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    months = sorted(jobs["month"].unique())[-BASE_MONTHS:]
    return jobs[jobs["month"].isin(months)], months


def trigger(jobs: pd.DataFrame, scenario: Any, design: Any, placement: str | None = None) -> Trigger:
    """Say by which month phase 2 must be decided so that it is ready before the service levels break.

    Parameters
    ----------
    jobs : pandas.DataFrame
        Imported jobs (:attr:`aidc.ops.store.Records.jobs`), at least a few months.
    scenario, design
        The plan: service levels and scheduling settings, and phase 1's fleet.
    placement : str, optional
        ``pooled`` (fast) or ``node``; default the scenario's.
    """
    levels = service_levels_h(scenario)
    table = monthly(jobs)
    total = table.groupby("month")["gpu_h"].sum()
    if (total > 0).sum() < fc.min_months():
        raise InputError.single("too few months of records to forecast", field="jobs.month",
                                found=int((total > 0).sum()),
                                expected=f">= {fc.min_months()} months with GPU use")
    base_jobs, base_months = _base(jobs)
    cluster = twin.cluster_of(scenario, design, placement)
    t0 = pd.Period(base_months[0], freq="M").to_timestamp()
    trace = twin.observed_trace(base_jobs, t0, {c.gpu_class for c in cluster.classes})
    factor, cls = break_factor(trace, scenario, design, levels, placement)

    horizon = int(data.value("ops.trigger_horizon_months"))
    fit = fc.fit("all", list(total.index), total.to_numpy())
    base = float(total[total.index.isin(base_months)].sum()) / len(base_months)
    months = fc.months_after(max(table["month"]), horizon)
    draws = demand_factors(fit, base, months, np.random.default_rng(scenario.seed))
    alpha = float(data.value("ops.forecast_alpha_frac"))
    lo_q, hi_q = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    p_break = (draws > factor).mean(axis=0) if math.isfinite(factor) else np.zeros(len(months))
    by_month = pd.DataFrame(
        {
            "month": months,
            "demand_factor_median": np.median(draws, axis=0),
            "demand_factor_lo": lo_q,
            "demand_factor_hi": hi_q,
            "p_break_frac": p_break,
        }
    )

    threshold = float(data.value("ops.trigger_break_probability_frac"))
    hit = np.flatnonzero(p_break >= threshold)
    already = factor <= 1.0
    break_at = 0 if already else (int(hit[0]) if len(hit) else None)
    lead, steps = lead_time_months()
    break_month = (
        str(pd.Period(base_months[-1], freq="M"))
        if already
        else months[break_at]
        if break_at is not None
        else None
    )
    decide_index = None if break_at is None else break_at - lead
    decide_by = None if decide_index is None else str(pd.Period(months[0], freq="M") + decide_index)
    late = max(0, -decide_index) if decide_index is not None else 0

    size = phase2_of(plan_for_forecast(scenario, design, jobs, by_month, base_months))
    return Trigger(
        by_month=by_month,
        break_factor=factor,
        breaking_class=cls,
        already_broken=already,
        break_month=break_month,
        lead_time_months=lead,
        lead_steps=steps,
        decide_by=decide_by,
        months_late=late,
        **size,
        base_months=base_months,
        service_levels_h=levels,
        growth_frac_per_y=fit.growth_frac_per_y,
    )
