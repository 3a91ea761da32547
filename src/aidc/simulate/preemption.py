"""Preemptive policies: running work is stopped for more urgent work and resumes from its checkpoint.

Two policies, both plain :class:`aidc.simulate.policies.Policy` callables run by the event
engine (no fast path):

- :func:`preemptive_priority`: a public-service job (higher ``priority``) or a course inside its
  reserved weekly window evicts best-effort work that holds the GPUs it needs;
- :func:`least_attained_service`: Tiresias' discretised two-dimensional least-attained-service
  (Gu et al., NSDI 2019): jobs are ranked by the GPU-time they have received so far, in a few
  queues separated by thresholds, so short jobs overtake long ones.

A stopped job keeps the work up to its last checkpoint (:class:`aidc.simulate.engine.Checkpoints`)
and loses the rest (``lost_s``); the engine counts that and the GPU-hour balance
(``served + lost + checkpoint overhead + idle + down = capacity``) as for node failures.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Mapping, Sequence

from aidc import data
from aidc.simulate.engine import Checkpoints, State
from aidc.simulate.policies import WEEK_S, Scheduler, Window, _insort, next_window_edge_s
from aidc.units import S_PER_H

BOOSTED = math.inf  # rank of a course's job inside its reserved window: above every priority class


def _checkpoints(interval_s: float | None, write_s: float | None) -> Checkpoints:
    interval_s = interval_s if interval_s is not None else data.value("simulation.checkpoint_interval_s")
    write_s = write_s if write_s is not None else data.value("simulation.checkpoint_write_s")
    return Checkpoints(interval_s, write_s)


class PreemptivePriority:
    """Priority classes with eviction: the highest class first, FIFO within a class, strict.

    When the queue's first job does not fit, running jobs of a lower rank are stopped to make
    room: the lowest rank first, and within a rank the most recently started (it has the
    least work since its checkpoint at stake). If stopping every
    lower-ranked job would still not make it fit, nothing is stopped and it waits.

    A job's rank is its ``priority``; a job of a reserved window's tenant, while the window
    is open and the tenant holds at most the window's GPUs with it, ranks above every class
    (:data:`BOOSTED`) and keeps that rank against eviction while the window stays open.
    """

    def __init__(self, state: State, windows: Sequence[Window], checkpoints: Checkpoints) -> None:
        self.checkpoints = checkpoints
        self.n_gpus, self.priority, self.tenant = state.n_gpus, state.priority, state.tenant
        self.heap: list[tuple[int, int]] = []
        self.queued = [False] * len(state.n_gpus)
        names = state.jobs.tenants
        self.windows = tuple(w for w in windows if w.tenant in names)
        self.window_owner = [names.index(w.tenant) for w in self.windows]
        self.owner_queue: dict[int, deque[int]] = {k: deque() for k in self.window_owner}
        self.boosted: set[int] = set()

    def submit(self, job: int) -> None:  # noqa: D102
        self.queued[job] = True
        heapq.heappush(self.heap, (-self.priority[job], job))
        q = self.owner_queue.get(self.tenant[job])
        if q is not None:
            q.append(job)

    def requeue(self, job: int) -> None:  # noqa: D102
        self.queued[job] = True
        heapq.heappush(self.heap, (-self.priority[job], job))
        q = self.owner_queue.get(self.tenant[job])
        if q is not None:
            _insort(q, job)

    def _reserved_gpus(self, tenant: int, t_s: float) -> int:
        """GPUs of ``tenant``'s windows open at ``t_s``."""
        in_week_s = t_s % WEEK_S
        return sum(w.n_gpus for w, k in zip(self.windows, self.window_owner, strict=True)
                   if k == tenant and w.start_h * S_PER_H <= in_week_s < w.end_h * S_PER_H)

    def _rank(self, job: int, t_s: float) -> float:
        if job in self.boosted and self._reserved_gpus(self.tenant[job], t_s):
            return BOOSTED
        return self.priority[job]

    def _next(self, state: State) -> tuple[int, float] | None:
        """Return the queued job to start next and its rank (dropping jobs already started)."""
        queued = self.queued
        for k, q in self.owner_queue.items():
            while q and not queued[q[0]]:
                q.popleft()
            if q and state.busy_by_tenant[k] + self.n_gpus[q[0]] <= self._reserved_gpus(k, state.t_s):
                return q[0], BOOSTED
        while self.heap and not queued[self.heap[0][1]]:
            heapq.heappop(self.heap)
        return (self.heap[0][1], -self.heap[0][0]) if self.heap else None

    def select(self, state: State) -> list[int]:  # noqa: D102
        alloc, n, t = state.alloc, self.n_gpus, state.t_s
        started: list[int] = []
        while (nxt := self._next(state)) is not None:
            job, rank = nxt
            if not alloc.allocate(job, n[job]):
                lower = [j for j in state.running if self._rank(j, t) < rank]
                lower.sort(key=lambda j: (self._rank(j, t), -state.run_start[j], -j))
                victims = alloc.victims_to_fit(n[job], lower)
                if victims is None or not victims:
                    break  # strict: nothing overtakes the first queued job
                for v in victims:
                    state.preempt(v)
                    self.boosted.discard(v)
                    self.requeue(v)
                if not alloc.allocate(job, n[job]):
                    break
            self.queued[job] = False
            if rank == BOOSTED:
                self.boosted.add(job)
            started.append(job)
            state.busy_by_tenant[self.tenant[job]] += n[job]  # the engine adds it for real; keep it current
        for job in started:
            state.busy_by_tenant[self.tenant[job]] -= n[job]
        return started

    def next_wake_s(self, t_s: float) -> float | None:  # noqa: D102
        # a window's opening lets its tenant's queued jobs evict; its closing ends their protection
        return next_window_edge_s(t_s, self.windows)


class LeastAttainedService:
    """Tiresias' discretised 2D least-attained-service (2D-LAS), preemptive.

    A job's attained service is the GPU-time it has received: GPUs × time run so far (lost
    work included: the GPUs were given). Thresholds split jobs into queues: a job is in queue
    ``k`` while its attained service is below the ``k``-th threshold. At every event the
    scheduler goes through all jobs, running or queued, by (queue, time it entered that
    queue, submission order) and gives GPUs to each job that still fits (a job that does not
    fit is skipped, as in Tiresias); running jobs left out are preempted. A job enters queue
    0 at submission and a lower queue at the instant its attained service crosses a
    threshold (the policy asks the engine to wake it then). Tiresias' optional starvation
    rule (promotion after a long wait) is not modelled.

    References
    ----------
    J. Gu, M. Chowdhury, K. G. Shin, Y. Zhu, M. Jeon, J. Qian, H. Liu, C. Guo, "Tiresias: A
    GPU Cluster Manager for Distributed Deep Learning", NSDI 2019, sec. 3.2 (2D-LAS, discretised
    with K queues).
    """

    def __init__(self, state: State, thresholds_gpu_s: Sequence[float], checkpoints: Checkpoints) -> None:
        self.state, self.checkpoints = state, checkpoints
        self.thresholds = sorted(float(x) for x in thresholds_gpu_s)
        self.n_gpus, self.submit_s = state.n_gpus, state.submit_s
        n = len(state.n_gpus)
        self.attained_gpu_s = [0.0] * n  # GPU-seconds of finished run segments
        self.level = [0] * n
        self.entered_s = list(state.submit_s)
        self.queued: set[int] = set()
        self.run_from: dict[int, float] = {}  # start of each job's current run

    def submit(self, job: int) -> None:  # noqa: D102
        self.queued.add(job)

    def requeue(self, job: int) -> None:  # noqa: D102
        # killed by a node failure: the GPU-time it was given still counts as attained service
        start = self.run_from.pop(job, None)
        if start is not None:
            self.attained_gpu_s[job] += self.n_gpus[job] * (self.state.t_s - start)
        self.queued.add(job)

    def _crossing_s(self, state: State, job: int) -> float:
        """Instant the running job's attained service reaches its queue's threshold."""
        if self.level[job] >= len(self.thresholds):
            return math.inf
        to_go = self.thresholds[self.level[job]] - self.attained_gpu_s[job]
        return self.run_from[job] + to_go / self.n_gpus[job] if self.n_gpus[job] else math.inf

    def _demote(self, state: State) -> None:
        t = state.t_s
        for job in self.run_from:
            # a crossing due now (up to rounding) counts now, so the wake-up never repeats
            while (cross := self._crossing_s(state, job)) <= t * (1 + 1e-12) + 1e-9:
                self.level[job] += 1
                self.entered_s[job] = cross

    def select(self, state: State) -> list[int]:  # noqa: D102
        if not self.queued:
            return []  # nobody to rank against: demotions are applied later at their exact instants
        self.run_from = {j: s for j, s in self.run_from.items() if j in state.running}  # drop finished jobs
        self._demote(state)
        t, n, alloc = state.t_s, self.n_gpus, state.alloc
        order = sorted([*state.running, *self.queued], key=lambda j: (self.level[j], self.entered_s[j], j))
        budget = alloc.capacity
        keep: list[int] = []
        for job in order:
            if n[job] <= budget:
                keep.append(job)
                budget -= n[job]
        kept = set(keep)
        for job in [j for j in state.running if j not in kept]:
            self.attained_gpu_s[job] += n[job] * (t - self.run_from.pop(job))
            state.preempt(job)
            self.queued.add(job)
        started = []
        for job in keep:
            if job in self.queued and alloc.allocate(job, n[job]):
                self.queued.discard(job)
                self.run_from[job] = t
                started.append(job)
        return started

    def next_wake_s(self, t_s: float) -> float | None:  # noqa: D102
        # the next threshold crossing of a running job may reorder the queues (only if someone waits)
        if not self.queued:
            return None
        running = self.state.running
        later = [c for j in self.run_from if j in running and (c := self._crossing_s(self.state, j)) > t_s]
        return min(later) if later else None


def preemptive_priority(state: State, windows: Sequence[Window | Mapping[str, object]] = (),
                        checkpoint_interval_s: float | None = None,
                        checkpoint_write_s: float | None = None) -> Scheduler:
    """Preemptive priority classes and evicting reserved windows; checkpoints default to the scenario's."""
    wins = [w if isinstance(w, Window) else Window(**w) for w in windows]  # type: ignore[arg-type]
    return PreemptivePriority(state, wins, _checkpoints(checkpoint_interval_s, checkpoint_write_s))


def least_attained_service(state: State, thresholds_gpu_h: Sequence[float] | None = None,
                           checkpoint_interval_s: float | None = None,
                           checkpoint_write_s: float | None = None) -> Scheduler:
    """Tiresias 2D-LAS with queue thresholds in GPU-hours (default: ``simulation.las_thresholds_gpu_h``)."""
    thresholds = thresholds_gpu_h if thresholds_gpu_h is not None \
        else data.value("simulation.las_thresholds_gpu_h")
    return LeastAttainedService(state, [x * S_PER_H for x in thresholds],
                                _checkpoints(checkpoint_interval_s, checkpoint_write_s))


__all__ = ["LeastAttainedService", "PreemptivePriority", "least_attained_service", "preemptive_priority"]
