"""Failures counted right: run segments, lost work, checkpoint writes, down time, GPU-hour balance."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import data
from aidc import simulate as sim
from aidc.simulate import job_table
from aidc.simulate.cluster import NodeClass
from aidc.simulate.engine import Failures, simulate
from aidc.simulate.policies import fifo

from ._helpers import trace
from .test_engine import _Draws
from .test_invariants import GPN, N_GPUS, traces

H = 3600.0


def test_checkpoint_writes_and_the_account_by_hand() -> None:
    # One 4-GPU node; job A does 10,000 s of work, checkpointing every 3,600 s of work, each
    # write taking 60 s. It plans ceil(10,000 / 3,600) - 1 = 2 writes. The node fails at 5,000 s:
    # one full cycle (3,600 + 60 s) is kept, 5,000 - 3,660 = 1,340 s are lost. Repaired at
    # 6,000 s, A does the remaining 6,400 s with ceil(6,400 / 3,600) - 1 = 1 write: it ends at
    # 6,000 + 6,400 + 60 = 12,460 s.
    jobs = trace([("A", "t", 0, 4, 10_000)])
    failures = Failures(mtbf_h=1.0, mttr_h=1.0, checkpoint_interval_s=3600, checkpoint_write_s=60)
    state = simulate(job_table(jobs), NodeClass("any", 1, 4), "node", fifo, failures,
                     _Draws([5000.0, 1000.0, 1e9]))  # type: ignore[arg-type]
    assert state.end_s == [12_460.0]
    assert state.lost_s == [5000 - 3660.0]
    assert state.checkpoint_s == [60.0 + 60.0]
    assert state.segments == [(0, 0.0, 5000.0), (0, 6000.0, 12_460.0)]
    assert state.down_gpu_s == 4 * 1000.0
    assert state.idle_gpu_s == 0.0  # the one node ran A or was down all the time
    assert state.n_failures == 1


def test_utilization_counts_running_time_only() -> None:
    # the same case through run(): A holds its GPUs 5,000 + 6,460 s of the 12,460 s, not the
    # 1,000 s it waited for the repair
    jobs = trace([("A", "t", 0, 4, 10_000)])
    failures = Failures(mtbf_h=1.0, mttr_h=1.0, checkpoint_interval_s=3600, checkpoint_write_s=60)
    r = sim.run(jobs, sim.Cluster(4, 4, "node"), "fifo", failures=failures, seed=0)
    s = r.summary
    busy_s = s["served_gpu_h"] + s["lost_gpu_h"] + s["checkpoint_overhead_gpu_h"]
    held_s = r.jobs["duration_s"][0] + r.jobs["lost_s"][0] + r.jobs["checkpoint_s"][0]
    assert busy_s * H / 4 == pytest.approx(held_s)
    assert s["utilization_frac"] == pytest.approx(busy_s * H / (4 * s["makespan_s"]))
    # waiting to restart is not running: the hourly series holds only run segments
    assert r.hourly["busy_gpus"].sum() == pytest.approx(busy_s)


@settings(max_examples=40, deadline=None)
@given(jobs=traces(max_jobs=30), seed=st.integers(0, 5), write_s=st.sampled_from([0.0, 1.0, 3.0]),
       policy=st.sampled_from(["fifo", "easy", "fair_share", "priority"]))
def test_gpu_hours_are_conserved_under_failures(jobs: pd.DataFrame, seed: int, write_s: float,
                                                policy: str) -> None:
    """Served + lost + checkpoint overhead + idle + down = capacity x time (idle, down: engine's count)."""
    failures = Failures(mtbf_h=0.01, mttr_h=0.002, checkpoint_interval_s=5, checkpoint_write_s=write_s)
    r = sim.run(jobs, sim.Cluster(N_GPUS, GPN, "node"), policy, seed, failures=failures)
    s = r.summary
    names = ("served_gpu_h", "lost_gpu_h", "checkpoint_overhead_gpu_h", "idle_gpu_h", "down_gpu_h")
    parts = tuple(s[k] for k in names)
    assert min(parts) >= -1e-12
    assert sum(parts) == pytest.approx(s["capacity_gpu_h"], rel=1e-9, abs=1e-9)
    assert s["served_gpu_h"] == pytest.approx((jobs["n_gpus"] * jobs["duration_s"]).sum() / H)
    assert s["n_restarts"] == r.jobs["n_restarts"].sum()
    assert r.hourly["busy_gpus"].sum() == pytest.approx(sum(parts[:3]))


def test_gpu_failure_rate_record_is_the_llama3_figure() -> None:
    """Llama 3 report (arXiv:2407.21783, sec. 3.3.4): 419 interruptions in 54 days on 16,384 GPUs."""
    assert data.value("simulation.gpu_mtbf_h") == round(16_384 * 54 * 24 / 419)
    assert "2407.21783" in data.record("simulation.gpu_mtbf_h")["source"]
