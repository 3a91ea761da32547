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
4. **Size.** Phase 2 adds the GPUs that keep the demand factor at the forecast's upper bound,
   ``ops.phase2_serve_months`` after the break month, below the break factor (waits assumed to
   depend on the demand-to-fleet ratio), in whole servers of phase 1's GPU server type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aidc import data
from aidc.errors import InputError
from aidc.ops import growth as fc
from aidc.ops import twin
from aidc.ops.store import monthly
from aidc.units import S_PER_H, W_PER_KW

BASE_MONTHS = 12  # a year of records is the base: every season once


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
    phase2_n_gpus: int
    phase2_n_servers: int
    phase2_server_type: str
    phase2_it_power_kw: float
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


def _gpu_server(scenario: Any, design: Any) -> tuple[str, int, float]:
    catalog = scenario.servers()
    gpu_types = {k: n for k, n in design.fleet.servers.items() if catalog[k].n_gpus > 0 and n > 0}
    key = max(gpu_types, key=lambda k: (gpu_types[k], k))
    return key, int(catalog[key].n_gpus), float(catalog[key].power_max_w)


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

    key, gpus_per_server, power_w = _gpu_server(scenario, design)
    n_gpus_now = cluster.n_gpus
    n_servers = 0
    if break_at is not None and math.isfinite(factor):
        serve = min(break_at + int(data.value("ops.phase2_serve_months")), len(months) - 1)
        needed = math.ceil(n_gpus_now * float(hi_q[serve]) / factor)
        n_servers = max(0, math.ceil((needed - n_gpus_now) / gpus_per_server))
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
        phase2_n_gpus=n_servers * gpus_per_server,
        phase2_n_servers=n_servers,
        phase2_server_type=key,
        phase2_it_power_kw=n_servers * power_w / W_PER_KW,
        base_months=base_months,
        service_levels_h=levels,
        growth_frac_per_y=fit.growth_frac_per_y,
    )
