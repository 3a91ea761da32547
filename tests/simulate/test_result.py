"""Outputs: per-tenant statistics, hourly series and summary, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import simulate as sim
from aidc.errors import InputError
from aidc.simulate.result import WAIT_PERCENTILES, hourly_mean, wait_percentiles

from ._helpers import trace


def test_tenant_statistics_by_hand() -> None:
    # 8 GPUs. u1 (8 GPUs, 1 h) runs at 0; u2 (8 GPUs, 1 h) waits 1 h; s1 (4 GPUs, 5 s) waits 2 h.
    jobs = trace([("u1", "uni", 0, 8, 3600), ("u2", "uni", 0, 8, 3600), ("s1", "startup", 0, 4, 5)])
    r = sim.run(jobs, sim.Cluster(8, 8), "fifo")
    uni, startup = r.tenants.loc["uni"], r.tenants.loc["startup"]
    assert uni["n_jobs"] == 2
    assert uni["gpu_hours"] == 8 * 1 + 8 * 1
    assert uni["mean_wait_s"] == (0 + 3600) / 2
    assert uni["p50_wait_s"] == 1800.0
    assert uni["mean_jct_s"] == (3600 + 7200) / 2
    assert uni["mean_slowdown"] == (1 + 2) / 2
    # bounded slowdown: a 5 s job counts as 10 s long -> (7200 + 5) / 10
    assert startup["mean_slowdown"] == pytest.approx((7200 + 5) / 10)
    assert startup["gpu_hours"] == pytest.approx(4 * 5 / 3600)
    assert uni["share_frac"] == pytest.approx(16 / (16 + 4 * 5 / 3600))
    s = r.summary
    assert s["n_jobs"] == 3
    assert s["makespan_s"] == 7205.0
    assert s["p95_wait_s"] == pytest.approx(np.percentile([0, 3600, 7200], 95))
    assert s["tenants"]["uni"]["n_jobs"] == 2
    assert set(s) >= {"n_jobs", "mean_wait_s", "p95_wait_s", "mean_jct_s", "makespan_s", "utilization_frac",
                      "tenants"}


def test_hourly_series_by_hand() -> None:
    # 8 GPUs busy 0-1 h, 8 GPUs busy 1-2 h; the second job queued (8 GPUs asked) during hour 0.
    jobs = trace([("a", "t", 0, 8, 3600), ("b", "t", 0, 8, 3600)])
    h = sim.run(jobs, sim.Cluster(8, 8), "fifo").hourly
    assert h.columns.tolist() == ["t_h", "busy_gpus", "queued_jobs", "queued_gpus"]
    assert h["t_h"].tolist() == [0.0, 1.0]
    assert h["busy_gpus"].tolist() == [8.0, 8.0]
    assert h["queued_jobs"].tolist() == [1.0, 0.0]
    assert h["queued_gpus"].tolist() == [8.0, 0.0]


def test_horizon_gives_a_year_of_hours() -> None:
    jobs = trace([("a", "t", 0, 1, 10)])
    assert len(sim.run(jobs, sim.Cluster(8, 8), horizon_h=8760).hourly) == 8760


@given(start=st.lists(st.floats(0, 36_000), min_size=1, max_size=20), length=st.floats(0, 20_000),
       weight=st.integers(1, 8))
def test_hourly_mean_conserves_the_integral(start: list[float], length: float, weight: int) -> None:
    a = np.array(start)
    b = a + length
    n_hours = int(np.ceil(b.max() / 3600)) + 1
    got = hourly_mean(a, b, np.full(len(a), weight), n_hours)
    assert got.sum() * 3600 == pytest.approx(weight * length * len(a), rel=1e-9, abs=1e-6)
    assert (got >= -1e-9).all()


def test_hourly_mean_accepts_series_and_arrays() -> None:
    s = pd.Series([0.0, 1800.0])
    e = pd.Series([3600.0, 5400.0])
    w = pd.Series([2, 4])
    arrays = hourly_mean(s.to_numpy(), e.to_numpy(), w.to_numpy(), 2)
    assert hourly_mean(s, e, w, 2).tolist() == arrays.tolist()
    assert hourly_mean(s, e, w, 2).tolist() == [2 + 4 * 0.5, 4 * 0.5]


@pytest.mark.parametrize(
    ("rows", "column"),
    [
        ([("a", "t", -1, 1, 10)], "submit_s"),
        ([("a", "t", 0, 0, 10)], "n_gpus"),
        ([("a", "t", 0, 1, float("nan"))], "duration_s"),
    ],
)
def test_bad_jobs_are_named(rows: list[tuple], column: str) -> None:
    with pytest.raises(InputError) as err:
        sim.run(trace(rows), sim.Cluster(8, 8))
    assert err.value.problems[0].column == column
    assert err.value.problems[0].row == 1


def test_job_larger_than_cluster_and_unknown_policy() -> None:
    with pytest.raises(InputError, match="more GPUs"):
        sim.run(trace([("a", "t", 0, 16, 10)]), sim.Cluster(8, 8))
    with pytest.raises(InputError, match="unknown scheduling policy"):
        sim.run(trace([("a", "t", 0, 1, 10)]), sim.Cluster(8, 8), "lottery")
    with pytest.raises(InputError, match="multiple"):
        sim.Cluster(10, 8, "node")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12, allow_nan=False), min_size=1, max_size=300))
def test_wait_percentiles_are_numpys_bit_for_bit(values: list[float]) -> None:
    # the summary's p50/p95/p99 must not move by one ulp when numpy's percentile is replaced
    a = np.array(values)
    assert wait_percentiles(a).tolist() == np.percentile(a, WAIT_PERCENTILES).tolist()
