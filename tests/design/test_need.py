"""The coincident GPU need: tenant classes combined hour by hour, not by adding their peaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.demand import Demand
from aidc.design import size
from aidc.design.checks import years_met
from aidc.design.need import busy_gpus_hourly, coincident_need
from aidc.scenario import load_scenario
from aidc.units import H_PER_YEAR, S_PER_H


def test_classes_that_do_not_overlap_need_the_larger_peak_not_the_sum() -> None:
    """Courses (3,000 GPUs, hours 0-10) and a training run (2,000 GPUs, hours 20-30) never meet."""
    hourly = busy_gpus_hourly(np.array([0.0, 20 * S_PER_H]), np.array([10 * S_PER_H, 10 * S_PER_H]),
                              np.array([3000, 2000]), 48)
    assert hourly.max() == 3000  # the sum of the two peaks would be 3,000 + 2,000
    assert hourly[:10].tolist() == [3000.0] * 10
    assert hourly[20:30].tolist() == [2000.0] * 10
    assert hourly[10:20].sum() == 0


def test_a_job_across_an_hour_boundary_counts_its_share() -> None:
    # 4 GPUs from 0:30 to 2:15: hour 0 holds half an hour, hour 1 a whole, hour 2 a quarter.
    hourly = busy_gpus_hourly(np.array([0.5 * S_PER_H]), np.array([1.75 * S_PER_H]), np.array([4]), 3)
    assert hourly.tolist() == pytest.approx([4 * 0.5, 4 * 1.0, 4 * 0.25])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 90), st.floats(0.01, 30), st.integers(1, 64)),
                min_size=1, max_size=30))
def test_gpu_hours_are_conserved(jobs: list[tuple[float, float, int]]) -> None:
    """Every GPU-hour of a job inside the window lands in some hour, and nothing else does."""
    start_h, length_h, n = (np.array(c, dtype=float) for c in zip(*jobs, strict=True))
    hourly = busy_gpus_hourly(start_h * S_PER_H, length_h * S_PER_H, n, 200)
    assert hourly.sum() == pytest.approx(float(np.sum(n * length_h)), rel=1e-9)
    assert hourly.min() >= -1e-9
    assert hourly.max() <= n.sum() + 1e-9  # never more than all jobs at once


def _service(need_id: str, tenant: str, n_gpus: int, start_year: int) -> dict[str, object]:
    # An inference service holding n_gpus all year: the job stream starts it on 1 January.
    return {"need_id": need_id, "kind": "inference", "respondent_id": need_id, "tenant_class": tenant,
            "support_programme": "", "gpu_model": "h100_sxm", "start_year": start_year,
            "growth_frac_per_y": 0.0, "gpu_h_per_y": n_gpus * H_PER_YEAR, "peak_gpus": n_gpus,
            "job_mode": "service", "job_n_gpus": n_gpus, "n_jobs_per_y": 1.0, "n_semesters_per_y": 0.0,
            "cpu_vcpus": 0.0, "memory_gb": 0.0, "storage_tb": 0.0}


@pytest.fixture(scope="module")
def two_year_demand() -> Demand:
    by_need = pd.DataFrame([_service("a", "public", 3000, 2028), _service("b", "research", 2000, 2028),
                            _service("c", "university", 1000, 2029)])
    by_year = pd.DataFrame({"year": [2028, 2028, 2029, 2029, 2029],
                            "peak_gpus": [3000, 2000, 3000, 2000, 1000], "gpu_model": "h100_sxm",
                            "gpu_hours": [n * H_PER_YEAR for n in (3000, 2000, 3000, 2000, 1000)],
                            "tenant_class": ["public", "research"] * 2 + ["university"]})
    return Demand(by_year=by_year, by_need=by_need, years=(2028, 2029))


def test_the_design_check_compares_the_first_years_coincident_need(two_year_demand: Demand) -> None:
    """jeonbuk-ai installs 666 x 8 = 5,328 GPUs; 2028 needs 3,000 + 2,000 (both held all year)."""
    d = size(load_scenario("jeonbuk-ai"), two_year_demand)
    c = next(c for c in d.checks if c.name == "demand_gpus")
    assert (c.value, c.limit, c.ok) == (666 * 8, 3000 + 2000, True)
    need = d.gpu_need_by_year
    assert need is not None
    assert need == pytest.approx({2028: 5000.0, 2029: 6000.0})
    assert d.gpu_sum_of_peaks_by_year == {2028: 5000.0, 2029: 6000.0}
    # phase 1 meets 2028; 2029 is short by 6,000 - 5,328 GPUs
    assert years_met(666 * 8, need) == (2028, 2029, 6000 - 666 * 8)


def test_weights_count_h100_equivalents(two_year_demand: Demand) -> None:
    need = coincident_need(load_scenario("jeonbuk-ai"), two_year_demand)
    assert need.peak_by_year({"h100_sxm": 2.0}) == pytest.approx({2028: 2 * 5000.0, 2029: 2 * 6000.0})
    assert need.sum_of_peaks_by_year == {2028: 5000.0, 2029: 6000.0}


def test_the_need_is_drawn_once_per_input(two_year_demand: Demand) -> None:
    """A sweep's variants share the survey and the seed: the streams are drawn once, read-only."""
    s = load_scenario("jeonbuk-ai")
    first = coincident_need(s, two_year_demand)
    assert coincident_need(s, two_year_demand) is first
    other = coincident_need(s.model_copy(update={"seed": s.seed + 1}), two_year_demand)
    assert other is not first
    hourly = next(iter(first.hourly_by_year[2028].values()))
    with pytest.raises(ValueError, match="read-only"):
        hourly[0] = 1.0


def test_a_rescaled_demand_scales_its_classes_load(two_year_demand: Demand) -> None:
    """The operations forecast doubles the public class's GPU-hours: its load doubles, the others stay."""
    from dataclasses import replace

    from aidc.design.need import class_scale

    s = load_scenario("jeonbuk-ai")
    by_year = two_year_demand.by_year.assign(gpu_hours=[2 * 3000 * H_PER_YEAR, 2000 * H_PER_YEAR,
                                                        2 * 3000 * H_PER_YEAR, 2000 * H_PER_YEAR,
                                                        1000 * H_PER_YEAR])
    need = coincident_need(s, replace(two_year_demand, by_year=by_year))
    scale = class_scale(need, by_year)
    assert scale[2028] == pytest.approx({"public": 2.0, "research": 1.0})
    assert need.peak_by_year(None, scale) == pytest.approx({2028: 2 * 3000 + 2000.0,
                                                            2029: 2 * 3000 + 2000 + 1000.0})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 30), st.floats(0.01, 20), st.integers(1, 64), st.integers(0, 2)),
                min_size=1, max_size=30))
def test_groups_add_up_to_the_whole(jobs: list[tuple[float, float, int, int]]) -> None:
    """The profile of each group, added up, is the profile of all the jobs together."""
    from aidc.design.need import busy_gpus_hourly_by_group

    start_h, length_h, n, group = (np.array(c) for c in zip(*jobs, strict=True))
    by_group = busy_gpus_hourly_by_group(start_h * S_PER_H, length_h * S_PER_H, n, group, 3, 48)
    whole = busy_gpus_hourly(start_h * S_PER_H, length_h * S_PER_H, n, 48)
    assert by_group.sum(axis=0) == pytest.approx(whole, abs=1e-9)
    for g in range(3):
        mine = group == g
        alone = busy_gpus_hourly(start_h[mine] * S_PER_H, length_h[mine] * S_PER_H, n[mine], 48)
        assert by_group[g] == pytest.approx(alone, abs=1e-9)


def test_job_arrays_draw_the_job_streams_jobs() -> None:
    """The unsorted arrays hold the very jobs of the job stream (same draws, same order of needs)."""
    import aidc
    from aidc.demand.jobs import job_arrays, job_stream

    s = load_scenario("jeonbuk-ai")
    demand = aidc.run(s, ["demand"]).demand
    assert demand is not None
    stream = job_stream(demand, s, s.start_year, np.random.default_rng(7))
    arrays = job_arrays(demand, s, s.start_year, np.random.default_rng(7))
    order = np.argsort(arrays["submit_s"], kind="stable")
    assert np.array_equal(arrays["submit_s"][order], stream["submit_s"].to_numpy())
    assert np.array_equal(arrays["n_gpus"][order], stream["n_gpus"].to_numpy(float))
    tenants = arrays["need_tenant"][arrays["need"]][order]
    assert list(tenants) == list(stream["tenant"])


def test_the_summary_states_the_gap_in_gpus_and_years(two_year_demand: Demand) -> None:
    """By hand: 5,328 GPUs against 5,000 (2028) and 6,000 (2029): met until 2028, 2029 short by 672."""
    from aidc.pipeline import Result
    from aidc.summary import summarize

    s = load_scenario("jeonbuk-ai")
    r = Result(scenario=s, scenario_hash="", aidc_version="", seed=s.seed, demand=two_year_demand,
               design=size(s, two_year_demand))
    out = summarize(r)
    assert out.gpu_need_by_year == pytest.approx({2028: 5000.0, 2029: 6000.0})
    assert (out.phase1_meets_until_year, out.gpu_first_short_year) == (2028, 2029)
    assert out.gpu_first_short_n == 6000 - 666 * 8
    assert out.gpu_gap_n == 6000 - 666 * 8  # the largest year's need less phase 1's GPUs
    assert out.gpu_need_sum_of_peaks_n == 6000.0  # services held all year: no diversity to gain
