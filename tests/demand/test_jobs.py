"""demand.job_stream: the canonical trace, seeded, conserving the year's GPU-hours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.demand import TRACE_COLUMNS, estimate, job_stream, load_survey
from aidc.demand.jobs import _service
from aidc.design.need import busy_gpus_hourly
from aidc.scenario import load_scenario

SCENARIO = load_scenario("jeonbuk-phase1")  # the article plan: no GPU server, every model asked kept
DEMAND = estimate(load_survey(SCENARIO), SCENARIO)
TOLERANCE = 1e-6  # relative: durations are rescaled to the demand, so only rounding remains


def _gpu_hours(jobs: pd.DataFrame) -> float:
    return float((jobs["n_gpus"] * jobs["duration_s"]).sum() / 3600)


def test_trace_columns_sorted_and_typed() -> None:
    jobs = job_stream(DEMAND, SCENARIO, 2029, np.random.default_rng(1))
    assert list(jobs.columns) == TRACE_COLUMNS
    assert jobs["submit_s"].is_monotonic_increasing
    assert list(jobs["job_id"]) == list(range(len(jobs)))
    assert (jobs["n_gpus"] >= 1).all()
    assert (jobs["duration_s"] > 0).all()
    assert ((jobs["submit_s"] >= 0) & (jobs["submit_s"] < 8760 * 3600)).all()
    assert set(jobs["tenant"]) <= set(DEMAND.by_year["tenant_class"])
    assert set(jobs["gpu_class"]) <= set(DEMAND.by_year["gpu_model"]) - {"none"}


@pytest.mark.parametrize("year", [2028, 2031])
def test_gpu_hours_match_demand(year: int) -> None:
    jobs = job_stream(DEMAND, SCENARIO, year, np.random.default_rng(0))
    assert _gpu_hours(jobs) == pytest.approx(DEMAND.gpu_hours(year), rel=TOLERANCE)
    by_class = jobs.assign(h=jobs["n_gpus"] * jobs["duration_s"] / 3600).groupby("tenant")["h"].sum()
    want = DEMAND.by_year.query("year == @year").groupby("tenant_class")["gpu_hours"].sum()
    want = want[want > 0]
    pd.testing.assert_series_equal(by_class.sort_index(), want.sort_index(), check_names=False,
                                   rtol=TOLERANCE)


def test_seeded() -> None:
    a = job_stream(DEMAND, SCENARIO, 2029, np.random.default_rng(7))
    b = job_stream(DEMAND, SCENARIO, 2029, np.random.default_rng(7))
    c = job_stream(DEMAND, SCENARIO, 2029, np.random.default_rng(8))
    pd.testing.assert_frame_equal(a, b)
    assert not a["submit_s"].equals(c["submit_s"])


def test_kinds_have_their_shapes() -> None:
    jobs = job_stream(DEMAND, SCENARIO, 2028, np.random.default_rng(0))
    # Services (priority 3): replicas held from the start of the year, and the daily peak's
    # replicas within a day, centred on the middle of the working day (13:30).
    services = jobs[jobs["priority"] == 3]
    all_year = services["submit_s"] == 0
    assert all_year.any()
    assert (services["duration_s"] <= 8760 * 3600 + 1e-6).all()
    daily = services[~all_year]
    assert (daily["duration_s"] <= 86400 + 1e-6).all()
    centre_h = (daily["submit_s"] + daily["duration_s"] / 2) % 86400 / 3600
    assert np.allclose(centre_h, 13.5)
    # Education jobs (priority 2) fall in the semesters: from 1 March and 1 September, 16 weeks each.
    edu = jobs[jobs["priority"] == 2]["submit_s"] / 86400
    in_spring = (edu >= 59) & (edu < 59 + 16 * 7)
    in_autumn = (edu >= 243) & (edu < 243 + 16 * 7)
    assert (in_spring | in_autumn).all()
    assert in_spring.any()
    assert in_autumn.any()
    # The 70B pretraining run of the large-model consortium is one job on its deadline GPU count.
    run = DEMAND.by_need.query("need_id == 'training:L01:1'").iloc[0]
    big = jobs[(jobs["tenant"] == "large_model") & (jobs["n_gpus"] == int(run["job_n_gpus"]))]
    assert len(big) == 1
    # Batch jobs (plain GPU-hours) are mostly single-GPU, as in the Philly trace.
    batch = jobs[jobs["priority"] == 0]
    assert (batch["n_gpus"] == 1).mean() > 0.85


def test_year_before_any_need_is_empty() -> None:
    jobs = job_stream(DEMAND, SCENARIO, 2020, np.random.default_rng(0))
    assert list(jobs.columns) == TRACE_COLUMNS
    assert jobs.empty


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_conservation_for_any_seed(seed: int) -> None:
    jobs = job_stream(DEMAND, SCENARIO, 2030, np.random.default_rng(seed))
    assert _gpu_hours(jobs) == pytest.approx(DEMAND.gpu_hours(2030), rel=TOLERANCE)


def test_gpu_models_missing_from_the_fleet_ask_for_any_gpu() -> None:
    """jeonbuk-ai has only DGX H100: L40S, H200 and B200 needs run on 'any GPU' ('')."""
    scenario = load_scenario("jeonbuk-ai")
    jobs = job_stream(estimate(load_survey(scenario), scenario), scenario, 2030, np.random.default_rng(0))
    assert set(jobs["gpu_class"]) == {"h100_sxm", ""}
    assert _gpu_hours(jobs) == pytest.approx(DEMAND.gpu_hours(2030), rel=TOLERANCE)
    # The article's plan has no GPU server at all: the models asked are kept for the record.
    assert set(job_stream(DEMAND, SCENARIO, 2030, np.random.default_rng(0))["gpu_class"]) == {
        "h100_sxm", "h200_sxm", "b200", "l40s"}


def _service_need(mean_gpus: float, peak_gpus: float, per_replica: float) -> pd.Series:
    return pd.Series({"job_n_gpus": per_replica, "peak_gpus": peak_gpus, "gpu_h_per_y": mean_gpus * 8760})


def test_a_service_holds_its_daily_peak_in_the_busy_hours_by_hand() -> None:
    # Mean 30 GPUs, peak 90, 2 GPUs a replica: one replica all year, 44 more for the part of the
    # day that makes the mean: (30 - 2) x 24 h / (44 x 2) = 7.636 h a day, 13:30 +- 3.818 h.
    submit, n_gpus, duration = _service(_service_need(30, 90, 2), 30 * 8760, 1.0, np.random.default_rng(0))
    assert submit[0] == 0
    assert duration[0] == 8760 * 3600
    window_h = (30 - 2) * 24 / (44 * 2)
    assert np.allclose(duration[1:], window_h * 3600)
    assert len(submit) == 1 + 44 * 365
    assert np.allclose(submit[1:45], (13.5 - window_h / 2) * 3600)
    assert np.allclose(submit[45:89], 86400 + (13.5 - window_h / 2) * 3600)
    assert (n_gpus == 2).all()


def test_a_reserved_service_stays_flat() -> None:
    # Peak = mean (GPUs reserved all year): whole replicas at the mean, from 1 January.
    submit, n_gpus, duration = _service(_service_need(8, 8, 2), 8 * 8760, 1.0, np.random.default_rng(0))
    assert (submit == 0).all()
    assert len(submit) == 4
    assert np.allclose(duration, 8760 * 3600)


@settings(max_examples=60, deadline=None)
@given(per_replica=st.sampled_from([1, 2, 4, 8]), mean_replicas=st.floats(1.0, 40.0),
       peak_to_average=st.floats(1.0, 6.0), factor=st.floats(1.0, 3.0))
def test_a_services_stream_keeps_its_gpu_hours_and_reaches_its_peak(
    per_replica: int, mean_replicas: float, peak_to_average: float, factor: float
) -> None:
    # The stream's GPU-hours are the year's; its busiest hour holds the demand's grown peak in
    # whole replicas (what the coincident need and the simulator then see), never more.
    mean_gpus = mean_replicas * per_replica
    peak = np.ceil(max(mean_gpus * peak_to_average, per_replica) / per_replica - 1e-9) * per_replica
    gpu_h = mean_gpus * 8760 * factor
    submit, n_gpus, duration = _service(_service_need(mean_gpus, peak, per_replica), gpu_h, factor,
                                        np.random.default_rng(0))
    assert float(np.sum(n_gpus * duration)) / 3600 == pytest.approx(gpu_h, rel=1e-9)
    busy = busy_gpus_hourly(submit, duration, n_gpus, 8760)
    grown_peak = np.ceil(peak * factor - 1e-9)
    assert busy.max() <= np.ceil(grown_peak / per_replica - 1e-9) * per_replica + 1e-6
    assert busy.max() >= min(grown_peak, gpu_h / 8760) - 1e-6
    if len(submit) > 1 and duration[1] >= 2 * 3600:  # a whole hour inside every busy window
        assert busy.max() == pytest.approx(np.ceil(grown_peak / per_replica - 1e-9) * per_replica)
