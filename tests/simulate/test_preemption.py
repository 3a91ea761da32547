"""Preemption: event logs of hand-worked traces, and conservation of jobs and GPU-hours (hypothesis)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aidc import data
from aidc import simulate as sim
from aidc.cli import app
from aidc.simulate import configured, job_table
from aidc.simulate.cluster import NodeClass, Placement
from aidc.simulate.engine import Failures, State, simulate

from ._helpers import trace
from .test_invariants import GPN, N_GPUS, traces

H = 3600.0
DATA = Path(__file__).resolve().parents[1] / "data" / "traces"


def _run(rows: list[tuple], n_nodes: int, gpn: int, placement: str, policy: str, **params: object) -> State:
    return simulate(job_table(trace(rows)), NodeClass("any", n_nodes, gpn), placement,
                    configured(policy, **params))


def test_public_service_job_evicts_best_effort_by_hand() -> None:
    # 8 GPUs. A (best effort, priority 0): 8 GPUs, 10,000 s, hourly checkpoints. B (public
    # service, priority 1): 4 GPUs, 1,000 s, at 5,000 s. B evicts A at 5,000 s: A keeps
    # floor(5,000 / 3,600) = 1 checkpoint = 3,600 s of work and loses 1,400 s. B runs
    # 5,000-6,000 s; A resumes at 6,000 s with 10,000 - 3,600 = 6,400 s left: ends 12,400 s.
    s = _run([("A", "be", 0, 8, 10_000, 0), ("B", "pub", 5000, 4, 1000, 1)], 1, 8, "pooled",
             "preemptive_priority", checkpoint_interval_s=3600, checkpoint_write_s=0)
    assert s.preempted == [(5000.0, 0, 3600.0)]  # (when, who, work kept from the checkpoint)
    assert s.segments == [(0, 0.0, 5000.0), (1, 5000.0, 6000.0), (0, 6000.0, 12_400.0)]
    assert s.lost_s == [1400.0, 0.0]
    assert s.n_preemptions == [1, 0]
    assert s.start_s == [0.0, 5000.0]  # the log keeps the first start and the last end


def test_no_eviction_when_it_would_not_make_room() -> None:
    # 8 GPUs held by A (priority 0, 4 GPUs) and B (priority 2, 4 GPUs). P (priority 1) asks for
    # 8: evicting A alone frees 4 < 8 and B outranks P, so nothing is stopped; P waits for both
    # (A ends at 100 s, B at 200 s) and starts at 200 s.
    s = _run([("A", "be", 0, 4, 100, 0), ("B", "x", 0, 4, 200, 2), ("P", "pub", 10, 8, 50, 1)], 1, 8,
             "pooled", "preemptive_priority", checkpoint_interval_s=10, checkpoint_write_s=0)
    assert s.preempted == []
    assert s.start_s == [0.0, 0.0, 200.0]


def test_node_placement_evicts_only_on_the_node_it_takes() -> None:
    # Two 4-GPU nodes. At 0 s best fit puts A (2) and B (2) on node 0, C (3) and D (1) on node 1.
    # P (public, 4 GPUs) at 100 s needs a whole node: the youngest victims first (all started at
    # 0 s: the later submitted first) are D then C, which empty node 1; A and B keep running.
    # With 30 s checkpoints C and D keep 90 s of work and lose 10 s each.
    rows = [("A", "be", 0, 2, 1000, 0), ("B", "be", 0, 2, 1000, 0), ("C", "be", 0, 3, 1000, 0),
            ("D", "be", 0, 1, 1000, 0), ("P", "pub", 100, 4, 500, 1)]
    s = _run(rows, 2, 4, "node", "preemptive_priority", checkpoint_interval_s=30, checkpoint_write_s=0)
    assert s.preempted == [(100.0, 3, 90.0), (100.0, 2, 90.0)]
    assert s.lost_s == [0.0, 0.0, 10.0, 10.0, 0.0]
    assert s.nodes[4] == (1,)
    # P ends at 600 s; C and D resume there with 910 s left
    assert (s.end_s[2], s.end_s[3]) == (600.0 + 910, 600.0 + 910)


def test_reserved_window_evicts_and_protects_the_course() -> None:
    # 8 GPUs; the course holds 4 GPUs Monday 01:00-02:00 (3,600-7,200 s). X (best effort, 8 GPUs,
    # 10,000 s, checkpoints every 1,000 s) starts at 0. The course's C (4 GPUs, 1,000 s) is queued
    # at 0 behind X; at 3,600 s its window opens and C evicts X, which keeps 3,000 s and loses
    # 600 s. P (public, priority 1, 8 GPUs, 500 s) at 4,000 s cannot evict C inside its window:
    # it starts when C ends (4,600 s), before X (lower priority), which resumes at 5,100 s with
    # 7,000 s left and ends at 12,100 s.
    rows = [("X", "be", 0, 8, 10_000, 0), ("C", "course", 0, 4, 1000, 0), ("P", "pub", 4000, 8, 500, 1)]
    windows = [sim.Window("course", 1.0, 2.0, 4)]
    s = _run(rows, 1, 8, "pooled", "preemptive_priority", windows=windows, checkpoint_interval_s=1000,
             checkpoint_write_s=0)
    assert s.preempted == [(3600.0, 0, 3000.0)]
    assert s.segments == [(0, 0.0, 3600.0), (1, 3600.0, 4600.0), (2, 4600.0, 5100.0), (0, 5100.0, 12_100.0)]
    assert s.lost_s == [600.0, 0.0, 0.0]


def test_las_demotes_at_the_threshold_and_short_jobs_overtake() -> None:
    # 4 GPUs, one queue threshold at 1 GPU-h = 3,600 GPU-s, checkpoints every 300 s.
    # A (4 GPUs, 3,000 s) at 0 s crosses 3,600 GPU-s at 900 s and moves to queue 1.
    # B (2 GPUs, 100 s) and C (2 GPUs, 50 s) arrive at 1,000 s in queue 0: they take the 4 GPUs,
    # A is preempted (1,000 s run: 3 checkpoints = 900 s kept, 100 s lost). C ends at 1,050 s but
    # A does not fit in 2 GPUs; B ends at 1,100 s and A resumes with 2,100 s left: ends 3,200 s.
    rows = [("A", "t", 0, 4, 3000), ("B", "t", 1000, 2, 100), ("C", "t", 1000, 2, 50)]
    s = _run(rows, 1, 4, "pooled", "las", thresholds_gpu_h=[1.0], checkpoint_interval_s=300,
             checkpoint_write_s=0)
    assert s.preempted == [(1000.0, 0, 900.0)]
    assert sorted(s.segments) == [(0, 0.0, 1000.0), (0, 1100.0, 3200.0), (1, 1000.0, 1100.0),
                                  (2, 1000.0, 1050.0)]
    assert s.lost_s == [100.0, 0.0, 0.0]


def test_las_queue_zero_job_waits_for_its_turn_by_submission() -> None:
    # Without a crossing, 2D-LAS keeps queue 0 in submission order: A (4 GPUs, 100 s) runs and
    # keeps its GPUs (it entered queue 0 first); B (4 GPUs) and D (1 GPU) wait; at 100 s B
    # (earlier) takes the 4 GPUs and D follows at 200 s. With a 60 s checkpoint write every
    # 60 s of work each job writes ceil(100 / 60) - 1 = 1 checkpoint: it holds its GPUs 160 s.
    rows = [("A", "t", 0, 4, 100), ("B", "t", 10, 4, 100), ("D", "t", 20, 1, 100)]
    las = {"thresholds_gpu_h": [16.0], "checkpoint_interval_s": 60}
    s = _run(rows, 1, 4, "pooled", "las", **las, checkpoint_write_s=0)
    assert s.preempted == []
    assert s.start_s == [0.0, 100.0, 200.0]
    s = _run(rows, 1, 4, "pooled", "las", **las, checkpoint_write_s=60)
    assert s.start_s == [0.0, 160.0, 320.0]
    assert s.checkpoint_s == [60.0, 60.0, 60.0]


def test_las_thresholds_record_is_the_pollux_tiresias_setting() -> None:
    # Pollux's Tiresias baseline (petuum/adaptdl osdi21-artifact simulator/tiresias.py): 3600 * 16 GPU-s
    assert data.value("simulation.las_thresholds_gpu_h") == [3600 * 16 / 3600]
    assert "NSDI 2019" in data.record("simulation.las_thresholds_gpu_h")["source"]


PREEMPTIVE: dict[str, dict[str, Any]] = {
    "preemptive_priority": {"windows": [sim.Window("a", 0.0, 0.01, 4)]},  # 0-36 s each week
    "las": {"thresholds_gpu_h": [0.002, 0.01]},  # 7.2 and 36 GPU-s: demotions within the traces
}


def _segments_busy_max(segments: list[tuple[int, float, float]], n_gpus: list[int]) -> int:
    events = sorted([(b, -n_gpus[j]) for j, a, b in segments] + [(a, n_gpus[j]) for j, a, b in segments])
    return int(np.cumsum([d for _, d in events]).max(initial=0))


@pytest.mark.parametrize("placement", ["pooled", "node"])
@pytest.mark.parametrize("policy", sorted(PREEMPTIVE))
@settings(max_examples=25, deadline=None)
@given(jobs=traces(), interval_s=st.sampled_from([1.0, 5.0, 1e9]), write_s=st.sampled_from([0.0, 1.0]))
def test_jobs_and_gpu_hours_are_conserved(jobs: pd.DataFrame, policy: str, placement: Placement,
                                          interval_s: float, write_s: float) -> None:
    params = PREEMPTIVE[policy] | {"checkpoint_interval_s": interval_s, "checkpoint_write_s": write_s}
    r = sim.run(jobs, sim.Cluster(N_GPUS, GPN, placement), policy, policy_params=params)
    s, log = r.summary, r.jobs
    assert s["n_jobs_done"] == len(jobs)  # every job ends, once
    assert set(log["job_id"]) == set(jobs["job_id"])
    assert (log["start_s"] >= log["submit_s"]).all()
    # a job's GPUs are held for its work, the work it lost and its checkpoint writes, at least
    held_s = log["duration_s"] + log["lost_s"] + log["checkpoint_s"]
    assert (log["end_s"] - log["start_s"] >= held_s - 1e-9).all()
    names = ("served_gpu_h", "lost_gpu_h", "checkpoint_overhead_gpu_h", "idle_gpu_h", "down_gpu_h")
    parts = [s[k] for k in names]
    assert min(parts) >= -1e-9
    assert sum(parts) == pytest.approx(s["capacity_gpu_h"], rel=1e-9, abs=1e-9)
    assert s["served_gpu_h"] == pytest.approx((jobs["n_gpus"] * jobs["duration_s"]).sum() / H)
    assert r.hourly["busy_gpus"].sum() == pytest.approx(sum(parts[:3]), abs=1e-9)
    assert s["n_preemptions"] == log["n_preemptions"].sum()
    # each preemption loses less than one checkpoint cycle
    assert (log["lost_s"] <= log["n_preemptions"] * (min(interval_s, 1e6) + write_s) + 1e-9).all()
    # never more GPUs busy than the cluster has, run segment by run segment
    state = simulate(job_table(jobs), NodeClass("any", N_GPUS // GPN, GPN), placement,
                     configured(policy, **params))
    assert _segments_busy_max(state.segments, state.n_gpus) <= N_GPUS
    held = np.zeros(len(jobs))
    for j, a, b in state.segments:
        held[j] += b - a
    np.testing.assert_allclose(held, np.asarray(state.jobs.duration_s) + np.asarray(state.lost_s)
                               + np.asarray(state.checkpoint_s), atol=1e-9)


@pytest.mark.parametrize("policy", sorted(PREEMPTIVE))
@settings(max_examples=15, deadline=None)
@given(jobs=traces(max_jobs=20), seed=st.integers(0, 3))
def test_gpu_hours_are_conserved_with_failures_too(jobs: pd.DataFrame, policy: str, seed: int) -> None:
    failures = Failures(mtbf_h=0.01, mttr_h=0.002, checkpoint_interval_s=5, checkpoint_write_s=1.0)
    r = sim.run(jobs, sim.Cluster(N_GPUS, GPN, "node"), policy, seed, policy_params=PREEMPTIVE[policy],
                failures=failures)
    s = r.summary
    names = ("served_gpu_h", "lost_gpu_h", "checkpoint_overhead_gpu_h", "idle_gpu_h", "down_gpu_h")
    parts = [s[k] for k in names]
    assert min(parts) >= -1e-9
    assert sum(parts) == pytest.approx(s["capacity_gpu_h"], rel=1e-9, abs=1e-9)
    assert s["n_jobs_done"] == len(jobs)


def test_preemptive_policies_from_the_command_line() -> None:
    tiny = str(DATA / "canonical_tiny.csv")
    res = runner().invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--policy", "las",
                                "--thresholds-gpu-h", "0.01", "--checkpoint-interval-s", "10", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["policy"] == "las"
    assert out["n_jobs_done"] == 3
    assert "n_preemptions" in out
    res = runner().invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--thresholds-gpu-h", "1"])
    assert res.exit_code == 2
    assert "las" in res.output


def test_scenario_selects_the_preemptive_policies() -> None:
    from aidc.scenario.simulation import SimulationSection

    section = SimulationSection(policy="las", checkpoint_interval_s=900)
    assert section.policy_params() == {"checkpoint_interval_s": 900}
    section = SimulationSection(policy="preemptive_priority",
                                windows=[{"tenant": "university", "start_h": 9, "end_h": 12, "n_gpus": 64}])
    assert section.policy_params()["windows"][0]["n_gpus"] == 64
    assert math.isfinite(section.policy_params()["checkpoint_interval_s"])


def runner() -> CliRunner:
    return CliRunner()


def test_a_window_boosts_its_tenant_only_up_to_its_gpus() -> None:
    # 8 GPUs; the course's window holds 4 GPUs from 0 s to 3,600 s. X (best effort, 8 GPUs,
    # 1,000 s) starts at 0 s. C1 and C2 (course, 4 GPUs, 100 s) come at 10 s: C1 is boosted
    # (0 + 4 <= 4) and evicts X (no checkpoint reached: all 10 s lost). C2 would bring the course
    # to 8 > 4 GPUs, so it is not boosted; behind X in FIFO order (X is queued again) it waits
    # although 4 GPUs are free. At 110 s C1 ends and C2 is boosted again (0 + 4 <= 4): it runs
    # 110-210 s while X waits for all 8 GPUs; X reruns 210-1,210 s.
    rows = [("X", "be", 0, 8, 1000, 0), ("C1", "course", 10, 4, 100, 0), ("C2", "course", 10, 4, 100, 0)]
    s = _run(rows, 1, 8, "pooled", "preemptive_priority", windows=[sim.Window("course", 0.0, 1.0, 4)],
             checkpoint_interval_s=1000, checkpoint_write_s=0)
    assert s.preempted == [(10.0, 0, 0.0)]
    assert s.segments == [(0, 0.0, 10.0), (1, 10.0, 110.0), (2, 110.0, 210.0), (0, 210.0, 1210.0)]
    assert s.lost_s == [10.0, 0.0, 0.0]
