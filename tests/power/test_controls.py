"""The power controls on a job log: the cap holds, nothing starts early, deadlines are kept, off is off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.power.controls import Plan, busiest_instant, occupancy, reschedule
from aidc.power.coupling import interval_mean
from aidc.simulate import Cluster, run

DT = 900.0


def _log(n_gpus_cluster: int, jobs: list[tuple[float, int, float]]) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "job_id": [f"j{i}" for i in range(len(jobs))],
            "tenant": "t",
            "submit_s": [j[0] for j in jobs],
            "n_gpus": [j[1] for j in jobs],
            "duration_s": [j[2] for j in jobs],
        }
    )
    return run(df, Cluster(n_gpus_cluster, 8, "pooled"), "fifo").jobs


def _plan(
    log: pd.DataFrame,
    capacity: int,
    allowed_kw: np.ndarray,
    *,
    flexible: np.ndarray | None = None,
    signal: np.ndarray | None = None,
    max_delay_s: float = 6 * 3600.0,
) -> Plan:
    n = len(log)
    return Plan(
        start_s=log["start_s"].to_numpy(float),
        end_s=log["end_s"].to_numpy(float),
        n_gpus=log["n_gpus"].to_numpy(np.int64),
        class_index=np.zeros(n, np.int64),
        power_kw=log["n_gpus"].to_numpy(float) * 0.5,
        flexible=np.zeros(n, bool) if flexible is None else flexible,
        capacity_gpus=np.array([float(capacity)]),
        allowed_kw=allowed_kw,
        signal=signal,
        interval_s=DT,
        max_delay_s=max_delay_s,
        window_s=24 * 3600.0,
    )


def _max_busy(start: np.ndarray, end: np.ndarray, gpus: np.ndarray) -> float:
    """Most GPUs held at once, by a plain sweep (an independent check of the scheduler's bound)."""
    events = sorted(
        [(e, -g) for e, g in zip(end, gpus, strict=True)] + [(s, g) for s, g in zip(start, gpus, strict=True)]
    )
    busy = top = 0.0
    for _, d in events:
        busy += d
        top = max(top, busy)
    return top


jobs_strategy = st.lists(
    st.tuples(st.floats(0, 2 * 86400), st.integers(1, 16), st.floats(60, 12 * 3600)), min_size=1, max_size=40
)


@settings(max_examples=40, deadline=None)
@given(jobs=jobs_strategy, cap_kw=st.floats(8.0, 40.0))
def test_cap_holds_and_nothing_starts_early(jobs: list[tuple[float, int, float]], cap_kw: float) -> None:
    log = _log(32, jobs)
    horizon = 20 * 96
    plan = _plan(log, 32, np.full(horizon, cap_kw))
    new = reschedule(plan)
    ran = np.isfinite(new)
    assert ran.all()  # every job (at most 8 kW) fits under a cap of 8 kW or more within the horizon
    assert (new >= plan.start_s - 1e-9).all()
    end = new + (plan.end_s - plan.start_s)
    load = interval_mean(new, end, plan.power_kw, horizon, DT)
    assert load.max() <= cap_kw + 1e-6
    assert _max_busy(new, end, plan.n_gpus) <= 32


@settings(max_examples=40, deadline=None)
@given(
    jobs=jobs_strategy,
    flexible_bits=st.lists(st.booleans(), min_size=40, max_size=40),
    seed=st.integers(0, 1000),
    capacity=st.sampled_from([16, 64, 640]),
)
def test_flexible_jobs_keep_their_deadline(
    jobs: list[tuple[float, int, float]], flexible_bits: list[bool], seed: int, capacity: int
) -> None:
    log = _log(16, jobs)  # simulated on 16 GPUs; the shift runs on a cluster of `capacity`
    horizon = 20 * 96
    flexible = np.array(flexible_bits[: len(log)])
    signal = np.random.default_rng(seed).random(horizon)
    plan = _plan(log, capacity, np.full(horizon, np.inf), flexible=flexible, signal=signal)
    new = reschedule(plan)
    added = new - plan.start_s
    assert (added >= -1e-9).all()
    assert (added[~flexible] == 0).all()  # no cap: only flexible jobs move
    assert (added[flexible] <= plan.max_delay_s + 1e-9).all()
    end = new + (plan.end_s - plan.start_s)
    assert _max_busy(new, end, plan.n_gpus) <= capacity


def test_shift_moves_a_flexible_job_to_the_cheapest_start_in_reach() -> None:
    log = _log(8, [(0.0, 8, 3600.0)])
    signal = np.ones(96)
    signal[8:12] = 0.5  # 02:00-03:00 is cheap, within a 6 h delay
    new = reschedule(_plan(log, 8, np.full(96, np.inf), flexible=np.array([True]), signal=signal))
    assert new.tolist() == [2 * 3600.0]


@pytest.mark.parametrize("level", [1.0, 0.4173, 123.7])
def test_controls_that_never_bind_leave_the_log_as_simulated(level: float) -> None:
    log = _log(16, [(i * 600.0, 1 + i % 8, 5000.0) for i in range(30)])
    # a flat signal (the annual carbon factor) gives no reason to move; nor does a cap never reached
    for capacity, cap_kw in ((16, 1e9), (16, np.inf), (10_000, np.inf)):  # the loop, and the vectorised path
        plan = _plan(log, capacity, np.full(200, cap_kw), flexible=np.ones(len(log), bool),
                     signal=np.full(200, level))
        assert reschedule(plan).tolist() == log["start_s"].tolist()


def test_busiest_instant_and_occupancy_by_hand() -> None:
    k0, occ = occupancy(1800.0, 2700.0, DT)  # 00:30-01:15: two whole intervals and a third
    assert (k0, occ.tolist()) == (2, [1.0, 1.0, 1.0])
    k0, occ = occupancy(2000.0, 1000.0, DT)
    assert k0 == 2
    assert occ.tolist() == [700.0 / 900.0, 300.0 / 900.0]
    # 3 GPUs on [0, 1000) then 5 on [1000, 2000): the second interval sees 5 at most, not 8
    assert busiest_instant(
        np.array([0.0, 1000.0]), np.array([1000.0, 2000.0]), np.array([3, 5]), 3, DT
    ).tolist() == [3.0, 5.0, 5.0]


@settings(max_examples=60, deadline=None)
@given(
    jobs=st.lists(
        st.tuples(st.floats(0, 20000), st.floats(0, 20000), st.floats(0, 10)), min_size=1, max_size=30
    )
)
def test_interval_mean_equals_the_overlap_of_each_job(jobs: list[tuple[float, float, float]]) -> None:
    a = np.array([j[0] for j in jobs])
    b = a + np.array([j[1] for j in jobs])
    w = np.array([j[2] for j in jobs])
    n = 30
    got = interval_mean(a, b, w, n, DT)
    edges = np.arange(n + 1) * DT
    want = [
        sum(
            wi * max(0.0, min(bi, edges[k + 1]) - max(ai, edges[k]))
            for ai, bi, wi in zip(a, b, w, strict=True)
        )
        / DT
        for k in range(n)
    ]
    np.testing.assert_allclose(got, want, atol=1e-6)
