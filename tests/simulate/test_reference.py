"""Agreement with an independent, deliberately simple reference simulator on random small traces.

The reference steps through every integer second (no event heap, no caches, no fast path):
at each second it frees the GPUs of jobs that end, queues the jobs submitted, then starts
jobs by the policy's rule, recomputing everything from scratch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import simulate as sim

CAPACITY = 8


def reference(jobs: pd.DataFrame, capacity: int, policy: str) -> list[float]:
    """Start time of each job (rows in submission order, ties by row) under fifo, easy or priority."""
    order = np.argsort(jobs["submit_s"].to_numpy(), kind="stable")
    sub, n, d = (jobs[c].to_numpy()[order] for c in ("submit_s", "n_gpus", "duration_s"))
    prio = jobs["priority"].to_numpy()[order]
    start: list[int | None] = [None] * len(sub)
    queue: list[int] = []
    t = 0
    while any(s is None for s in start):
        queue += [j for j in range(len(sub)) if sub[j] == t]
        if policy == "priority":
            queue.sort(key=lambda j: (-prio[j], j))

        def free_at(when: float) -> int:
            busy = sum(n[j] for j in range(len(sub))
                       if (s := start[j]) is not None and s <= when < s + d[j])
            return capacity - busy

        while queue and n[queue[0]] <= free_at(t):  # heads start in order
            start[queue.pop(0)] = t
        if policy == "easy" and queue:
            head = queue[0]
            shadow = next(u for u in range(t, t + 10_000) if free_at(u) >= n[head])
            for j in list(queue[1:]):
                extra = free_at(shadow) - n[head]
                ok_end = t + d[j] <= shadow
                if n[j] <= free_at(t) and (ok_end or n[j] <= extra):
                    start[j] = t
                    queue.remove(j)
        t += 1
    started = [s for s in start if s is not None]  # the loop ends when every job has started
    return [float(started[i]) for i in np.argsort(order)]


@st.composite
def traces(draw: st.DrawFn) -> pd.DataFrame:
    k = draw(st.integers(1, 12))
    return pd.DataFrame({
        "job_id": [str(i) for i in range(k)],
        "tenant": "t",
        "submit_s": draw(st.lists(st.integers(0, 20), min_size=k, max_size=k)),
        "n_gpus": draw(st.lists(st.sampled_from([1, 2, 3, 5, 8]), min_size=k, max_size=k)),
        "duration_s": draw(st.lists(st.integers(1, 12), min_size=k, max_size=k)),
        "priority": draw(st.lists(st.integers(0, 2), min_size=k, max_size=k)),
    })


def _ours(jobs: pd.DataFrame, policy: str) -> list[float]:
    params = {"depth": 1000} if policy == "easy" else None
    log = sim.run(jobs, sim.Cluster(CAPACITY, CAPACITY), policy, policy_params=params).jobs
    return log.set_index("job_id").loc[jobs["job_id"], "start_s"].tolist()


@settings(max_examples=40, deadline=None)
@given(jobs=traces())
def test_fifo_agrees_with_reference(jobs: pd.DataFrame) -> None:
    assert _ours(jobs, "fifo") == reference(jobs, CAPACITY, "fifo")


@settings(max_examples=40, deadline=None)
@given(jobs=traces())
def test_easy_agrees_with_reference(jobs: pd.DataFrame) -> None:
    assert _ours(jobs, "easy") == reference(jobs, CAPACITY, "easy")


@settings(max_examples=25, deadline=None)
@given(jobs=traces())
def test_priority_agrees_with_reference(jobs: pd.DataFrame) -> None:
    assert _ours(jobs, "priority") == reference(jobs, CAPACITY, "priority")


def test_reference_by_hand() -> None:
    # the reference itself on the EASY micro case of test_engine: C backfills at 1 s, D waits to 15 s
    jobs = pd.DataFrame({"job_id": list("ABCD"), "tenant": "t", "submit_s": [0, 0, 1, 1],
                         "n_gpus": [2, 4, 2, 2], "duration_s": [10, 5, 5, 20], "priority": 0})
    assert reference(jobs, 4, "easy") == [0.0, 10.0, 1.0, 15.0]
