"""The phase-2 trigger: lead time by hand, the break factor's bracket, the decision's arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aidc.errors import InputError
from aidc.ops import import_records, lead_time_months, trigger, write_sacct
from aidc.ops.phase2 import _breaks
from aidc.ops.twin import observed_trace, operations_record, scaled

from .conftest import small_scenario


def test_shipped_lead_time_by_hand() -> None:
    """design 6 + permits 12 + construction 12 = 30 = design 6 + grid 24 (data/ops/lead_times.yaml)."""
    total, steps = lead_time_months()
    assert total == 6 + 12 + 12
    assert steps.set_index("step").loc["grid_connection", "end_month"] == 6 + 24
    assert steps["source"].str.len().min() > 40  # every step says where its duration comes from


def test_lead_time_refuses_a_step_after_an_unknown_one() -> None:
    with pytest.raises(InputError):
        lead_time_months({"a": {"value": 1, "after": ["b"]}})


def test_scaled_traces_are_nested_and_sized() -> None:
    trace = pd.DataFrame(
        {
            "job_id": np.arange(2000),
            "tenant": "u",
            "submit_s": np.arange(2000) * 600.0,
            "n_gpus": 1,
            "duration_s": 60.0,
        }
    )
    small, large = scaled(trace, 1.5, 0), scaled(trace, 2.5, 0)
    assert set(small["job_id"]) <= set(large["job_id"])
    assert len(small) == pytest.approx(1.5 * 2000, abs=4 * np.sqrt(2000 * 0.25))
    assert len(scaled(trace, 1.0, 0)) == 2000


def test_trigger_needs_service_levels(plan) -> None:
    _, _, design = plan
    jobs = pd.DataFrame({"month": ["2028-01"]})
    with pytest.raises(InputError) as err:
        trigger(jobs, small_scenario(), design)
    assert err.value.problems[0].field == "simulation.service_levels"


def test_trigger_on_a_generated_year(plan, tmp_path) -> None:
    """The break factor is bracketed (holds just below, breaks at it); decide = break - lead time."""
    scenario, _, design = plan
    demand = plan[1]
    log, t0 = operations_record(scenario, demand, design, (scenario.start_year,))
    path = tmp_path / "sacct.txt"
    path.write_text(write_sacct(log, t0), encoding="utf-8")
    jobs = import_records(sacct=path).jobs
    out = trigger(jobs, scenario, design)
    assert out.base_months == [f"{scenario.start_year}-{m:02d}" for m in range(1, 13)]
    trace = observed_trace(jobs, t0, {"h100_sxm"})
    levels = out.service_levels_h
    assert _breaks(trace, out.break_factor, scenario, design, levels, None) == out.breaking_class
    step = (32 - 1) / 2**7 if out.break_factor > 1 else 1 / 2**7  # the bisection's last bracket
    assert _breaks(trace, out.break_factor - step, scenario, design, levels, None) is None
    assert out.lead_time_months == 30
    if out.break_month is not None and not out.already_broken:
        months = pd.Period(out.break_month, freq="M") - pd.Period(out.decide_by, freq="M")
        assert months.n == 30
    assert (out.phase2_year is None) == (out.phase2_it_kw == 0)  # the plan's phase 2 builds blocks
    p = out.by_month["p_break_frac"].to_numpy()
    assert ((p >= 0) & (p <= 1)).all()


def test_phase2_size_is_the_plans_for_the_forecast(plan, tmp_path) -> None:
    """Phase 2 is what aidc.plan.optimize chooses for the survey demand scaled, per class and year, to
    the forecast median (scaled here by hand); a forecast growing 60 %/y needs it within the horizon."""
    from dataclasses import replace as dc_replace

    from aidc.ops.phase2 import phase2_of, plan_for_forecast
    from aidc.ops.store import monthly
    from aidc.plan import optimize

    scenario, demand, design = plan
    log, t0 = operations_record(scenario, demand, design, (scenario.start_year,))
    path = tmp_path / "sacct.txt"
    path.write_text(write_sacct(log, t0), encoding="utf-8")
    jobs = import_records(sacct=path).jobs
    base_months = [f"{scenario.start_year}-{m:02d}" for m in range(1, 13)]
    months = [str(pd.Period(f"{scenario.start_year + 1}-01", freq="M") + i) for i in range(60)]
    by_month = pd.DataFrame({"month": months, "demand_factor_median": 1.6 ** (np.arange(60) / 12)})
    size = phase2_of(plan_for_forecast(scenario, design, jobs, by_month, base_months))

    per_class = monthly(jobs).groupby("tenant_class", observed=True)["gpu_h"].sum()  # jobs = the base year
    want_y = by_month.groupby([int(m[:4]) for m in months])["demand_factor_median"].mean() * per_class.sum()
    rows = demand.by_year.astype({"gpu_hours": float, "peak_gpus": float})
    gpu = rows["gpu_model"] != "none"
    shared = [c for c in per_class.index if per_class[c] > 0 and c in set(rows.loc[gpu, "tenant_class"])]
    share = per_class[shared] / per_class[shared].sum()
    for (y, c), idx in rows[gpu].groupby(["year", "tenant_class"]).groups.items():
        want = want_y[min(max(y, want_y.index[0]), want_y.index[-1])] * share.get(c, 0.0)
        rows.loc[idx, ["gpu_hours", "peak_gpus"]] *= want / rows.loc[idx, "gpu_hours"].sum()
    expected = optimize(scenario, design, dc_replace(demand, by_year=rows))

    assert expected.phase2_year is not None
    assert size["phase2_year"] == expected.phase2_year
    built = expected.schedule[expected.schedule["year"] == expected.phase2_year]
    blocks_kw = float(built.loc[built["kind"] == "block", "it_capacity_kw"].sum())
    assert size["phase2_it_kw"] == pytest.approx(blocks_kw)
    assert size["phase2_it_kw"] > 0
    assert size["plan_feasible"] == expected.feasible
    # the survey's own plan is not the answer: the forecast changes what phase 2 must serve
    surveyed = optimize(scenario, design, demand).capacity_by_year["n_gpus_needed"].to_numpy()
    assert not np.allclose(surveyed, expected.capacity_by_year["n_gpus_needed"].to_numpy())
