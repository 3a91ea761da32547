"""demand.job_stream: the canonical trace, seeded, conserving the year's GPU-hours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.demand import TRACE_COLUMNS, estimate, job_stream, load_survey
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
    # Services (priority 3) start at the beginning of the year and last up to a year.
    services = jobs[jobs["priority"] == 3]
    assert (services["submit_s"] == 0).all()
    assert (services["duration_s"] <= 8760 * 3600 + 1e-6).all()
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
