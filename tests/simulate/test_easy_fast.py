"""The EASY fast path (pooled, no failures) against the event engine's EasyBackfill."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.simulate import Cluster, configured, job_table
from aidc.simulate.cluster import NodeClass
from aidc.simulate.easy import easy_pooled_start_s
from aidc.simulate.engine import simulate


@st.composite
def traces(draw: st.DrawFn) -> pd.DataFrame:
    k = draw(st.integers(1, 40))
    return pd.DataFrame({
        "job_id": [str(i) for i in range(k)], "tenant": "t",
        "submit_s": draw(st.lists(st.integers(0, 30), min_size=k, max_size=k)),
        "n_gpus": draw(st.lists(st.sampled_from([1, 2, 3, 5, 8]), min_size=k, max_size=k)),
        "duration_s": draw(st.lists(st.integers(0, 15), min_size=k, max_size=k)),
    })


@settings(max_examples=150, deadline=None)
@given(jobs=traces(), depth=st.integers(1, 6))
def test_fast_easy_equals_engine(jobs: pd.DataFrame, depth: int) -> None:
    table = job_table(jobs)
    state = simulate(table, NodeClass("any", 1, 8), "pooled", configured("easy", depth=depth))
    start, reserved = easy_pooled_start_s(table.submit_s, table.n_gpus, table.duration_s, 8, depth)
    assert start.tolist() == state.start_s
    assert reserved == state.scheduler.reserved_start_s  # type: ignore[attr-defined]


def test_run_takes_the_fast_path_with_the_same_log() -> None:
    jobs = pd.DataFrame({"job_id": list("ABCD"), "tenant": "t", "submit_s": [0, 0, 1, 1],
                         "n_gpus": [2, 4, 2, 2], "duration_s": [10, 5, 5, 20]})
    from aidc import simulate as sim

    log = sim.run(jobs, Cluster(4, 4), "easy").jobs
    assert log["start_s"].tolist() == [0.0, 10.0, 1.0, 15.0]
    # B became the head at 0 s and was promised 10 s (A's end); it started then
    assert np.isnan(log["reserved_start_s"][0])
    assert log["reserved_start_s"][1] == 10.0


@settings(max_examples=150, deadline=None)
@given(jobs=traces(), tenants=st.lists(st.sampled_from("abc"), min_size=40, max_size=40),
       share_a=st.sampled_from([0.2, 0.5, 0.7]), quota_b=st.integers(0, 4))
def test_fast_fair_share_equals_engine(jobs: pd.DataFrame, tenants: list[str], share_a: float,
                                       quota_b: int) -> None:
    from aidc.simulate.easy import fair_share_pooled_start_s
    from aidc.simulate.policies import tenant_shares

    jobs = jobs.assign(tenant=tenants[: len(jobs)])
    table = job_table(jobs)
    shares, quotas = {"a": share_a}, {"b": quota_b}
    state = simulate(table, NodeClass("any", 1, 8), "pooled",
                     configured("fair_share", shares=shares, quotas_gpus=quotas))
    share, quota = tenant_shares(table.tenants, shares, quotas)
    start = fair_share_pooled_start_s(table.submit_s, table.n_gpus, table.duration_s, table.tenant, share,
                                      quota, 8)
    assert start.tolist() == state.start_s


@settings(max_examples=150, deadline=None)
@given(jobs=traces(), tenants=st.lists(st.sampled_from("abc"), min_size=40, max_size=40),
       quota_b=st.integers(0, 4), block=st.integers(1, 5), scalar_min=st.integers(1, 5))
def test_fair_share_switches_between_numpy_and_the_event_loop(
        jobs: pd.DataFrame, tenants: list[str], quota_b: int, block: int, scalar_min: int) -> None:
    # tiny blocks and stretches: the hybrid loop hands over between its two modes many times
    from aidc.simulate import easy
    from aidc.simulate.policies import tenant_shares

    jobs = jobs.assign(tenant=tenants[: len(jobs)])
    table = job_table(jobs)
    shares, quotas = {"a": 0.5}, {"b": quota_b}
    state = simulate(table, NodeClass("any", 1, 8), "pooled",
                     configured("fair_share", shares=shares, quotas_gpus=quotas))
    share, quota = tenant_shares(table.tenants, shares, quotas)
    saved = easy.FS_BLOCK_MIN, easy.FS_BLOCK_MAX, easy.FS_SCALAR_MIN
    try:
        easy.FS_BLOCK_MIN, easy.FS_BLOCK_MAX, easy.FS_SCALAR_MIN = block, 2 * block, scalar_min
        start = easy.fair_share_pooled_start_s(table.submit_s, table.n_gpus, table.duration_s, table.tenant,
                                               share, quota, 8)
    finally:
        easy.FS_BLOCK_MIN, easy.FS_BLOCK_MAX, easy.FS_SCALAR_MIN = saved
    assert start.tolist() == state.start_s


def test_fair_share_zero_length_job_holds_its_gpus_through_its_instant() -> None:
    # Found by hypothesis: 8 GPUs, at 2 s A (tenant a, 5 GPUs, 0 s long) and B (tenant b, 8 GPUs,
    # 12 s) arrive together. b is under its 4-GPU quota, so B is ranked first and takes all 8;
    # A no longer fits in that instant's pass and starts when B ends, at 14 s (in FIFO order A
    # would start and end at 2 s and B start at 2 s too: numpy's no-wait check must not assume it).
    from aidc.simulate.easy import fair_share_pooled_start_s
    from aidc.simulate.policies import tenant_shares

    jobs = pd.DataFrame({"job_id": ["A", "C", "B"], "tenant": ["a", "a", "b"], "submit_s": [2, 23, 2],
                         "n_gpus": [5, 2, 8], "duration_s": [0, 8, 12]})
    table = job_table(jobs)
    share, quota = tenant_shares(table.tenants, {"a": 0.5}, {"b": 4})
    start = fair_share_pooled_start_s(table.submit_s, table.n_gpus, table.duration_s, table.tenant, share,
                                      quota, 8)
    state = simulate(table, NodeClass("any", 1, 8), "pooled",
                     configured("fair_share", shares={"a": 0.5}, quotas_gpus={"b": 4}))
    assert start.tolist() == state.start_s == [14.0, 2.0, 23.0]


@st.composite
def long_traces(draw: st.DrawFn) -> pd.DataFrame:
    # hundreds of jobs with stretches of light load (nobody waits) between bursts (a queue forms)
    k = draw(st.integers(1, 400))
    gaps = draw(st.lists(st.sampled_from([0, 0, 1, 2, 5, 20]), min_size=k, max_size=k))
    return pd.DataFrame({
        "job_id": [str(i) for i in range(k)], "tenant": "t", "submit_s": np.cumsum(gaps),
        "n_gpus": draw(st.lists(st.sampled_from([1, 1, 2, 3, 5, 8]), min_size=k, max_size=k)),
        "duration_s": draw(st.lists(st.integers(0, 40), min_size=k, max_size=k)),
    })


@settings(max_examples=200, deadline=None)
@given(jobs=long_traces(), depth=st.integers(1, 8), block=st.integers(1, 6), scalar_min=st.integers(1, 6))
def test_easy_numpy_stretches_equal_the_per_job_loop(jobs: pd.DataFrame, depth: int, block: int,
                                                      scalar_min: int) -> None:
    # the per-job loop alone (vectorise=False) is the reference; tiny blocks and stretches make
    # the hybrid hand over between numpy and the loop many times, queue or no queue
    from aidc.simulate import easy

    table = job_table(jobs)
    args = (table.submit_s, table.n_gpus, table.duration_s, 8, depth)
    want_start, want_reserved = easy.easy_pooled_start_s(*args, vectorise=False)
    saved = easy.FS_BLOCK_MIN, easy.FS_BLOCK_MAX, easy.FS_SCALAR_MIN
    try:
        easy.FS_BLOCK_MIN, easy.FS_BLOCK_MAX, easy.FS_SCALAR_MIN = block, 2 * block, scalar_min
        start, reserved = easy.easy_pooled_start_s(*args)
    finally:
        easy.FS_BLOCK_MIN, easy.FS_BLOCK_MAX, easy.FS_SCALAR_MIN = saved
    assert start.tolist() == want_start.tolist()
    assert reserved == want_reserved


def test_easy_zero_length_job_holds_its_gpus_through_its_instant() -> None:
    # 8 GPUs, nobody waiting: at 2 s A (5 GPUs, 0 s long) and B (8 GPUs, 12 s) arrive. A starts;
    # B does not fit beside it in that instant, so numpy must hand the instant to the loop, where
    # A's end at 2 s frees the GPUs and B starts at 2 s too (the event engine agrees).
    jobs = pd.DataFrame({"job_id": ["A", "B", "C"], "tenant": "t", "submit_s": [2, 2, 3],
                         "n_gpus": [5, 8, 1], "duration_s": [0, 12, 4]})
    table = job_table(jobs)
    start, reserved = easy_pooled_start_s(table.submit_s, table.n_gpus, table.duration_s, 8, 4)
    state = simulate(table, NodeClass("any", 1, 8), "pooled", configured("easy", depth=4))
    assert start.tolist() == state.start_s == [2.0, 2.0, 14.0]
    assert reserved == {1: 2.0, 2: 14.0}
