"""Invariants on random traces (hypothesis): causality, capacity, work, order, reservations, shares."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import simulate as sim
from aidc.simulate.cluster import Placement
from aidc.simulate.engine import Failures
from aidc.simulate.fast import fifo_pooled_start_s
from aidc.simulate.policies import Fifo

from ._helpers import max_busy, max_busy_per_node

GPN = 4  # GPUs per node in these tests
N_GPUS = 8


@st.composite
def traces(draw: st.DrawFn, max_jobs: int = 25, max_gpus: int = N_GPUS) -> pd.DataFrame:
    n = draw(st.integers(1, max_jobs))
    submit = sorted(draw(st.lists(st.integers(0, 60), min_size=n, max_size=n)))
    return pd.DataFrame({
        "job_id": [str(i) for i in range(n)],
        "tenant": draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)),
        "submit_s": np.array(draw(st.permutations(submit)), dtype=float),  # unsorted input on purpose
        "n_gpus": draw(st.lists(st.sampled_from([1, 2, 3, 4, 8]), min_size=n, max_size=n)),
        "duration_s": draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)),
        "priority": draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
    }).astype({"n_gpus": int}).assign(n_gpus=lambda d: d["n_gpus"].clip(upper=max_gpus))


POLICIES = ["fifo", "easy", "fair_share", "priority", "reserved"]
PARAMS: dict[str, dict[str, Any]] = {"reserved": {"windows": [sim.Window("a", 0.0, 0.01, 4)]},
                                     "fair_share": {"shares": {"a": 0.5}}}


@pytest.mark.parametrize("placement", ["pooled", "node"])
@pytest.mark.parametrize("policy", POLICIES)
@settings(max_examples=12, deadline=None)
@given(jobs=traces())
def test_physical_invariants(jobs: pd.DataFrame, policy: str, placement: Placement) -> None:
    r = sim.run(jobs, sim.Cluster(N_GPUS, GPN, placement), policy, policy_params=PARAMS.get(policy))
    log = r.jobs
    assert len(log) == len(jobs)  # every job, once
    assert set(log["job_id"]) == set(jobs["job_id"])
    assert (log["start_s"] >= log["submit_s"]).all()  # no job starts before it is submitted
    np.testing.assert_allclose(log["end_s"] - log["start_s"], log["duration_s"])  # runs exactly its duration
    assert max_busy(log) <= N_GPUS  # capacity at every instant
    if placement == "node":
        assert max_busy_per_node(log, GPN) <= GPN
    # work is conserved in the hourly series too: sum of hourly busy GPUs = GPU-hours
    assert r.hourly["busy_gpus"].sum() == pytest.approx((log["n_gpus"] * log["duration_s"]).sum() / 3600)


@pytest.mark.parametrize("placement", ["pooled", "node"])
@settings(max_examples=25, deadline=None)
@given(jobs=traces())
def test_fifo_starts_in_submission_order(jobs: pd.DataFrame, placement: Placement) -> None:
    log = sim.run(jobs, sim.Cluster(N_GPUS, GPN, placement), "fifo").jobs
    assert log["submit_s"].is_monotonic_increasing
    assert log["start_s"].is_monotonic_increasing


@pytest.mark.parametrize("placement", ["pooled", "node"])
@settings(max_examples=30, deadline=None)
@given(jobs=traces())
def test_easy_never_delays_the_head_reservation(jobs: pd.DataFrame, placement: Placement) -> None:
    log = sim.run(jobs, sim.Cluster(N_GPUS, GPN, placement), "easy").jobs
    reserved = log.dropna(subset=["reserved_start_s"])
    assert (reserved["start_s"] <= reserved["reserved_start_s"]).all()


@settings(max_examples=30, deadline=None)
@given(jobs=traces(max_jobs=40))
def test_fast_fifo_path_equals_event_engine(jobs: pd.DataFrame) -> None:
    fast = sim.run(jobs, sim.Cluster(N_GPUS, GPN), "fifo").jobs
    engine = sim.run(jobs, sim.Cluster(N_GPUS, GPN), Fifo).jobs  # a callable: no fast path
    np.testing.assert_array_equal(fast["start_s"], engine["start_s"])


@settings(max_examples=25, deadline=None)
@given(jobs=traces(max_jobs=30), seed=st.integers(0, 5))
def test_failures_conserve_work_plus_lost_work(jobs: pd.DataFrame, seed: int) -> None:
    failures = Failures(mtbf_h=0.01, mttr_h=0.002, checkpoint_interval_s=5)
    log = sim.run(jobs, sim.Cluster(N_GPUS, GPN, "node"), "easy", seed, failures=failures).jobs
    assert (log["start_s"] >= log["submit_s"]).all()
    # a job ran its duration plus the work lost at each failure; it also waited between runs
    assert (log["end_s"] - log["start_s"] >= log["duration_s"] + log["lost_s"] - 1e-6).all()
    assert (log["lost_s"] <= log["n_restarts"] * 5 + 1e-9).all()  # at most one interval lost per failure


def test_fifo_fast_path_reference_case() -> None:
    # 3 GPUs: [2 GPUs, 10 s] at 0, [2, 10] at 0, [1, 5] at 1 -> second waits for the first;
    # the third (FIFO) may not pass it, so it starts at 10 s too.
    submit_s, n_gpus, duration_s = np.array([0.0, 0.0, 1.0]), np.array([2, 2, 1]), np.array([10.0, 10.0, 5.0])
    start = fifo_pooled_start_s(submit_s, n_gpus, duration_s, 3)
    assert start.tolist() == [0.0, 10.0, 10.0]


def test_fair_share_converges_to_configured_shares() -> None:
    """Saturated cluster: every tenant always has work waiting; GPU time splits as configured."""
    rng = np.random.default_rng(0)
    shares = {"a": 0.5, "b": 0.3, "c": 0.2}
    n_per = 4000
    rows = [(f"{t}{i}", t, 0.0, 1, float(d))
            for t in shares for i, d in enumerate(rng.integers(60, 600, n_per))]
    jobs = pd.DataFrame(rows, columns=["job_id", "tenant", "submit_s", "n_gpus", "duration_s"])
    r = sim.run(jobs, sim.Cluster(64, 8), "fair_share", policy_params={"shares": shares})
    log = r.jobs
    # window while all tenants are still backlogged: until the first tenant's last start
    horizon_s = log.groupby("tenant")["start_s"].max().min()
    used = (log["end_s"].clip(upper=horizon_s) - log["start_s"].clip(upper=horizon_s)) * log["n_gpus"]
    got = used.groupby(log["tenant"]).sum() / used.sum()
    for tenant, share in shares.items():
        assert got[tenant] == pytest.approx(share, abs=0.01)


@pytest.mark.parametrize("load_frac", [0.3, 0.95, 3.0])
def test_fast_fifo_blocks_and_stretches_equal_engine(load_frac: float) -> None:
    """Long traces exercise the vectorised blocks, their failures and the heap-loop stretches."""
    rng = np.random.default_rng(1)
    n = 6000
    n_gpus = rng.choice([1, 2, 4, 8, 32], n, p=[0.6, 0.15, 0.1, 0.1, 0.05])
    duration_s = np.round(rng.lognormal(np.log(300), 1.5, n))
    duration_s[::50] = 0.0  # zero-length jobs too
    gap_s = (n_gpus * duration_s).mean() / (64 * load_frac)
    jobs = pd.DataFrame({"job_id": np.arange(n).astype(str), "tenant": "t", "n_gpus": n_gpus,
                         "submit_s": np.round(np.cumsum(rng.exponential(gap_s, n))),
                         "duration_s": duration_s})
    fast = sim.run(jobs, sim.Cluster(64, 8), "fifo").jobs["start_s"].to_numpy()
    engine = sim.run(jobs, sim.Cluster(64, 8), Fifo).jobs["start_s"].to_numpy()
    np.testing.assert_array_equal(fast, engine)
