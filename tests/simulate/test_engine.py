"""Event-sequence tests on tiny hand-worked traces, one per policy (SimPy style: assert the trace)."""

from __future__ import annotations

import numpy as np
import pytest

from aidc import simulate as sim
from aidc.errors import InputError
from aidc.simulate.cluster import NodeClass
from aidc.simulate.engine import FAIL, FINISH, REPAIR, Failures, simulate
from aidc.simulate.jobs import job_table
from aidc.simulate.policies import easy_backfill, fifo

from ._helpers import trace


def starts(result: sim.SimulationResult) -> dict[str, float]:
    return dict(zip(result.jobs["job_id"], result.jobs["start_s"], strict=True))


def events(jobs, node_class, placement, policy, **kw) -> list[tuple[float, int, int]]:
    log: list[sim.Event] = []
    simulate(job_table(jobs), node_class, placement, policy, trace=log, **kw)
    return [(e.t_s, e.kind, e.target) for e in log]


def test_fifo_trace_by_hand() -> None:
    # 4 GPUs. A takes all 4 for 10 s; B (2 GPUs) waits for A; C (1 GPU, submitted at 1 s)
    # may not pass B, so it starts with B at 10 s, when 4 - 2 = 2 GPUs are free.
    jobs = trace([("A", "t", 0, 4, 10), ("B", "t", 0, 2, 5), ("C", "t", 1, 1, 3)])
    assert events(jobs, NodeClass("any", 1, 4), "pooled", fifo) == [
        (10.0, FINISH, 0), (10 + 3.0, FINISH, 2), (10 + 5.0, FINISH, 1)]
    r = sim.run(jobs, sim.Cluster(4, 4), "fifo")
    assert starts(r) == {"A": 0.0, "B": 10.0, "C": 10.0}
    assert r.summary["mean_wait_s"] == pytest.approx((0 + 10 + 9) / 3)
    assert r.summary["makespan_s"] == 15.0
    assert r.summary["utilization_frac"] == pytest.approx((4 * 10 + 2 * 5 + 1 * 3) / (4 * 15))


def test_fifo_same_instant_keeps_row_order() -> None:
    jobs = trace([("z", "t", 5, 2, 10), ("a", "t", 5, 2, 10), ("m", "t", 5, 2, 10)])
    r = sim.run(jobs, sim.Cluster(2, 2), "fifo")
    assert r.jobs["job_id"].tolist() == ["z", "a", "m"]
    assert r.jobs["start_s"].tolist() == [5.0, 15.0, 25.0]


def test_easy_backfills_without_delaying_head() -> None:
    # 4 GPUs. A (2 GPUs, 10 s) runs; head B needs 4 -> reserved at 10 s (A's end), no spare.
    # C (2 GPUs, 5 s, at 1 s) ends at 6 <= 10: backfilled. D (2 GPUs, 20 s) would end at 21 > 10: waits.
    jobs = trace([("A", "t", 0, 2, 10), ("B", "t", 0, 4, 5), ("C", "t", 1, 2, 5), ("D", "t", 1, 2, 20)])
    r = sim.run(jobs, sim.Cluster(4, 4), "easy")
    assert starts(r) == {"A": 0.0, "B": 10.0, "C": 1.0, "D": 10 + 5.0}
    assert r.jobs.set_index("job_id").loc["B", "reserved_start_s"] == 10.0
    assert events(jobs, NodeClass("any", 1, 4), "pooled", easy_backfill) == [
        (1 + 5.0, FINISH, 2), (10.0, FINISH, 0), (15.0, FINISH, 1), (15 + 20.0, FINISH, 3)]


def test_easy_uses_spare_gpus_at_shadow_time() -> None:
    # 8 GPUs. A (6 GPUs, 10 s) runs; head B needs 4: at 10 s 8 are free -> 4 spare.
    # C (2 GPUs, 100 s) ends after 10 s but fits in the spare GPUs: it starts now.
    jobs = trace([("A", "t", 0, 6, 10), ("B", "t", 0, 4, 5), ("C", "t", 0, 2, 100)])
    r = sim.run(jobs, sim.Cluster(8, 8), "easy")
    assert starts(r) == {"A": 0.0, "B": 10.0, "C": 0.0}


def test_easy_spare_gpus_count_every_release_at_the_shadow_time() -> None:
    # Found by the reference comparison. 8 GPUs: at 12 s the head (5 GPUs) is reserved at
    # 16 s, when two jobs end together (3 + 2 GPUs): 1 + 1 + 3 + 2 = 7 GPUs free, 2 spare.
    # At 14 s job 4 (2 GPUs, ends 19 s > 16 s) may use those 2 spare GPUs.
    jobs = trace([("3", "t", 0, 8, 8), ("7", "t", 6, 1, 9), ("0", "t", 10, 3, 6), ("5", "t", 10, 1, 4),
                  ("1", "t", 12, 2, 4), ("2", "t", 12, 5, 4), ("4", "t", 13, 2, 5), ("6", "t", 18, 5, 5)])
    r = sim.run(jobs, sim.Cluster(8, 8), "easy")
    assert starts(r) == {"3": 0.0, "7": 8.0, "0": 10.0, "5": 10.0, "1": 12.0, "2": 16.0, "4": 14.0,
                         "6": 20.0}


def test_fair_share_alternates_tenants() -> None:
    # 2 GPUs, equal shares. x has 4 one-GPU jobs, y has 2, all at 0. Fair share gives one GPU
    # to each tenant (FIFO would run x's four first).
    jobs = trace([(f"x{i}", "x", 0, 1, 10) for i in range(4)] + [(f"y{i}", "y", 0, 1, 10) for i in range(2)])
    r = sim.run(jobs, sim.Cluster(2, 2), "fair_share", policy_params={"shares": {"x": 0.5, "y": 0.5}})
    assert starts(r) == {"x0": 0.0, "y0": 0.0, "x1": 10.0, "y1": 10.0, "x2": 20.0, "x3": 20.0}
    assert sim.run(jobs, sim.Cluster(2, 2), "fifo").jobs["start_s"].tolist() == [0, 0, 10, 10, 20, 20]


def test_fair_share_guaranteed_quota_first() -> None:
    # y is guaranteed 2 GPUs: both its jobs start first although x has the larger share.
    jobs = trace([(f"x{i}", "x", 0, 1, 10) for i in range(2)] + [(f"y{i}", "y", 0, 1, 10) for i in range(2)])
    params = {"shares": {"x": 0.9, "y": 0.1}, "quotas_gpus": {"y": 2}}
    r = sim.run(jobs, sim.Cluster(2, 2), "fair_share", policy_params=params)
    assert starts(r) == {"y0": 0.0, "y1": 0.0, "x0": 10.0, "x1": 10.0}
    assert r.tenants.loc["y", "configured_share_frac"] == 0.1


def test_priority_class_jumps_the_queue() -> None:
    # 2 GPUs busy until 10 s. B, D (priority 0) and C (priority 5) wait; C goes first at 10 s,
    # then B and D at 15 s.
    jobs = trace([("A", "t", 0, 2, 10, 0), ("B", "t", 1, 1, 5, 0), ("C", "t", 2, 2, 5, 5),
                  ("D", "t", 3, 1, 5, 0)])
    r = sim.run(jobs, sim.Cluster(2, 2), "priority")
    assert starts(r) == {"A": 0.0, "B": 15.0, "C": 10.0, "D": 15.0}


def test_reserved_window_keeps_gpus_for_the_lab() -> None:
    # 4 GPUs all reserved for 'lab' on Monday 01:00-02:00 (3,600-7,200 s).
    # X (2 GPUs, 30 min) ends before the window: starts at 0. Y (2 GPUs, 2 h) would overlap it:
    # it waits until the window closes at 7,200 s. The lab job L uses the reserved GPUs.
    jobs = trace([("X", "other", 0, 2, 1800), ("Y", "other", 0, 2, 7200), ("L", "lab", 3000, 4, 600)])
    window = sim.Window(tenant="lab", start_h=1.0, end_h=2.0, n_gpus=4)
    r = sim.run(jobs, sim.Cluster(4, 4), "reserved", policy_params={"windows": [window]})
    assert starts(r) == {"X": 0.0, "Y": 2 * 3600.0, "L": 3000.0}


def test_node_placement_fragmentation_and_whole_nodes() -> None:
    # 2 nodes of 4 GPUs. a and b (3 GPUs) take one node each; c (2 GPUs) fits in the pool
    # (8 - 6 = 2) but not in any one node: with node placement it waits for 10 s.
    jobs = trace([("a", "t", 0, 3, 10), ("b", "t", 0, 3, 10), ("c", "t", 0, 2, 10), ("d", "t", 0, 8, 1)])
    pooled = sim.run(jobs, sim.Cluster(8, 4, "pooled"), "fifo")
    node = sim.run(jobs, sim.Cluster(8, 4, "node"), "fifo")
    assert starts(pooled) == {"a": 0.0, "b": 0.0, "c": 0.0, "d": 10.0}
    assert starts(node) == {"a": 0.0, "b": 0.0, "c": 10.0, "d": 20.0}
    assert node.jobs["nodes"].tolist() == ["0", "1", "0", "0,1"]


class _Draws:
    """A stand-in generator whose exponential draws are fixed, for a hand-worked failure."""

    def __init__(self, values: list[float]) -> None:
        self.values = values

    def exponential(self, scale: float) -> float:
        return self.values.pop(0)


def test_failure_restarts_from_checkpoint() -> None:
    # One 4-GPU node fails at 5,000 s and is repaired 1,000 s later. Job A (10,000 s, hourly
    # checkpoints) keeps 3,600 s of work, loses 5,000 - 3,600 = 1,400 s, restarts at 6,000 s and
    # needs 10,000 - 3,600 = 6,400 s more: it ends at 12,400 s.
    jobs = trace([("A", "t", 0, 4, 10_000)])
    failures = Failures(mtbf_h=1.0, mttr_h=1.0, checkpoint_interval_s=3600)
    log: list[sim.Event] = []
    state = simulate(job_table(jobs), NodeClass("any", 1, 4), "node", fifo, failures,
                     _Draws([5000.0, 1000.0, 1e9]), trace=log)  # type: ignore[arg-type]
    assert [(e.t_s, e.kind, e.target) for e in log] == [
        (5000.0, FAIL, 0), (6000.0, REPAIR, 0), (10_000.0, FINISH, 0), (6000 + 6400.0, FINISH, 0)]
    assert state.end_s == [12_400.0]
    assert state.lost_s == [5000 - 3600.0]
    assert state.n_restarts == [1]


def test_failures_need_node_placement() -> None:
    jobs = trace([("A", "t", 0, 1, 1)])
    with pytest.raises(InputError, match="node placement"):
        sim.run(jobs, sim.Cluster(4, 4), "fifo", failures=Failures(1, 1, 1))


def test_same_seed_same_result_and_no_interference() -> None:
    rng = np.random.default_rng(3)
    n = 300
    jobs = trace([(str(i), "abc"[i % 3], float(s), int(g), float(d)) for i, (s, g, d) in enumerate(zip(
        np.sort(rng.integers(0, 20_000, n)), rng.choice([1, 2, 4, 8, 16], n), rng.integers(60, 7200, n),
        strict=True))])
    cluster = sim.Cluster(32, 8, "node")
    failures = Failures(mtbf_h=5, mttr_h=1, checkpoint_interval_s=600)
    a = sim.run(jobs, cluster, "easy", seed=7, failures=failures)
    other = sim.run(jobs, cluster, "fair_share", seed=99, failures=failures)  # a run in between
    b = sim.run(jobs, cluster, "easy", seed=7, failures=failures)
    assert a.jobs.equals(b.jobs)
    assert a.jobs["n_restarts"].sum() > 0
    assert not a.jobs["start_s"].equals(other.jobs["start_s"])


def test_custom_policy_without_touching_the_engine() -> None:
    """A policy is any callable state -> scheduler: here 'smallest job first'."""
    import heapq

    class SmallestFirst(sim.policies.Fifo):
        def __init__(self, state: sim.State) -> None:
            super().__init__(state)
            self.heap: list[tuple[int, int]] = []

        def submit(self, job: int) -> None:
            heapq.heappush(self.heap, (self.n_gpus[job], job))

        def select(self, state: sim.State) -> list[int]:
            out = []
            while self.heap and state.alloc.allocate(self.heap[0][1], self.heap[0][0]):
                out.append(heapq.heappop(self.heap)[1])
            return out

    jobs = trace([("A", "t", 0, 4, 10), ("big", "t", 1, 4, 10), ("small", "t", 2, 1, 10)])
    r = sim.run(jobs, sim.Cluster(4, 4), SmallestFirst)
    assert starts(r) == {"A": 0.0, "big": 20.0, "small": 10.0}
    assert r.summary["policy"] == "SmallestFirst"
