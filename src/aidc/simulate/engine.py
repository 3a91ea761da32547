"""The discrete-event core, shaped like SimPy's but without a coroutine per job.

Pending events sit in a heap of ``(t_s, priority, seq, kind, target, token)`` tuples; ``seq``
comes from a counter owned by the run, so ties are broken the same way every time and two
runs in one process never interfere. Events are plain immutable data (:class:`Event`),
handlers are functions ``handle(state, event) -> list[Event]``, and the scheduling policy
is a plain callable (see :mod:`aidc.simulate.policies`). Submissions are not pushed on
the heap: they are read from the job table, already sorted, as a second event stream.

At one instant the engine first applies finishes, failures and repairs, then the
submissions (in trace order), then asks the policy which queued jobs start now.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from aidc.simulate.cluster import ALLOCATORS, Allocator, NodeClass
from aidc.simulate.jobs import JobTable
from aidc.units import S_PER_H

# Event kinds; the number is also the priority among events at the same instant.
FINISH, FAIL, REPAIR, WAKE = 0, 1, 2, 4


class Event(NamedTuple):
    """A pending event: plain data, compared as a tuple (time, priority, sequence)."""

    t_s: float
    priority: int
    seq: int
    kind: int
    target: int  # job index (FINISH) or node index (FAIL, REPAIR)
    token: int = 0  # run number of the job, so a finish of a killed run is ignored


@dataclass(frozen=True, slots=True)
class Checkpoints:
    """Periodic checkpoints: a stopped job (failure or preemption) resumes from its last one.

    Parameters
    ----------
    interval_s : float
        A checkpoint is taken every this many seconds of work. [s]
    write_s : float
        Time the job's GPUs spend writing one checkpoint (no work is done meanwhile). [s]
    """

    interval_s: float
    write_s: float = 0.0

    def n_writes(self, work_s: float) -> int:
        """Return the checkpoints written while doing ``work_s`` of work (none after the last piece)."""
        return max(0, math.ceil(work_s / self.interval_s) - 1)


@dataclass(frozen=True, slots=True)
class Failures:
    """Node failures: exponential times to failure and to repair, periodic checkpoints.

    Parameters
    ----------
    mtbf_h : float
        Mean time between failures of one node. [h]
    mttr_h : float
        Mean time to repair a node. [h]
    checkpoint_interval_s : float
        A killed job restarts from its last checkpoint, taken every this many seconds of
        work. [s]
    checkpoint_write_s : float
        Time the job's GPUs spend writing one checkpoint (no work is done meanwhile). [s]
    """

    mtbf_h: float
    mttr_h: float
    checkpoint_interval_s: float
    checkpoint_write_s: float = 0.0

    def n_writes(self, work_s: float) -> int:
        """Return the checkpoints written while doing ``work_s`` of work (none after the last piece)."""
        return self.checkpoints.n_writes(work_s)

    @property
    def checkpoints(self) -> Checkpoints:
        """The checkpoint setting a killed job restarts from."""
        return Checkpoints(self.checkpoint_interval_s, self.checkpoint_write_s)


class State:
    """What one run knows at the current instant (the engine's guarded state).

    Attributes the policies read: ``t_s``, ``alloc`` (free GPUs and placement),
    ``n_gpus``, ``remaining_s``, ``tenant``, ``priority``, ``busy_by_tenant``, ``running``
    (job -> end time) and ``run_start`` (job -> start of its current run). A preemptive
    policy stops a running job with :meth:`preempt` and queues it again itself.
    """

    def __init__(self, jobs: JobTable, node_class: NodeClass, placement: str,
                 checkpoints: Checkpoints | None = None) -> None:
        self.jobs = jobs
        self.n_gpus: list[int] = jobs.n_gpus.tolist()
        self.remaining_s: list[float] = jobs.duration_s.tolist()
        self.tenant: list[int] = jobs.tenant.tolist()
        self.priority: list[int] = jobs.priority.tolist()
        self.submit_s: list[float] = jobs.submit_s.tolist()
        self.alloc: Allocator = ALLOCATORS[placement](node_class, self.n_gpus)
        self.placement = placement
        self.t_s = 0.0
        self.running: dict[int, float] = {}
        self.run_start: dict[int, float] = {}
        self.token: dict[int, int] = {}
        self.busy_by_tenant = [0] * len(jobs.tenants)
        self.n_queued = 0
        # log: first start, last end, nodes, lost work; run segments (job, start, end)
        self.start_s = [math.nan] * len(jobs)
        self.end_s = [math.nan] * len(jobs)
        self.nodes: list[tuple[int, ...]] = [()] * len(jobs)
        self.lost_s = [0.0] * len(jobs)
        self.checkpoint_s = [0.0] * len(jobs)  # time spent writing checkpoints [s]
        self.n_restarts = [0] * len(jobs)
        self.n_preemptions = [0] * len(jobs)
        self.n_failures = 0
        self.checkpoints = checkpoints
        # (t_s, job, work kept [s]) of every preemption: the event log of preemptive policies
        self.preempted: list[tuple[float, int, float]] = []
        # GPU-seconds no job could use: free on an up node (idle) and on a node under repair (down)
        self.idle_gpu_s = 0.0
        self.down_gpu_s = 0.0
        self.down_since: dict[int, float] = {}
        self.segments: list[tuple[int, float, float]] = []
        self.requeued: list[int] = []
        self.scheduler: object = None

    def running_by_end(self) -> list[tuple[float, int]]:
        """Return the running jobs as ``(end_s, job)``, earliest end first."""
        return sorted((end, j) for j, end in self.running.items())

    def preempt(self, job: int) -> None:
        """Stop a running job now; it keeps the work up to its last checkpoint and counts as queued.

        The caller (the policy) puts it back in its queue. Without checkpoints every piece
        of work done in this run is lost.
        """
        _stop(self, job, self.t_s)
        self.n_preemptions[job] += 1
        self.n_queued += 1
        self.preempted.append((self.t_s, job, float(self.jobs.duration_s[job]) - self.remaining_s[job]))


NewEvents = list[tuple[float, int, int, int]]  # (t_s, kind, kind, target) of events to push


def _finish(state: State, ev: Event) -> NewEvents:
    j = ev.target
    if state.token.get(j) != ev.token or j not in state.running:
        return []  # the run was killed by a failure: stale event
    del state.running[j]
    state.alloc.release(j)
    state.busy_by_tenant[state.tenant[j]] -= state.n_gpus[j]
    state.end_s[j] = ev.t_s
    state.segments.append((j, state.run_start.pop(j), ev.t_s))
    return []


def _run_length_s(state: State, j: int) -> float:
    """Return how long the job's GPUs are held for its remaining work, checkpoint writes included."""
    rem, ckpt = state.remaining_s[j], state.checkpoints
    if ckpt is None or ckpt.write_s == 0:
        return rem
    n = ckpt.n_writes(rem)
    state.checkpoint_s[j] += n * ckpt.write_s  # taken back in _stop for unwritten ones
    return rem + n * ckpt.write_s


def _stop(state: State, j: int, t: float) -> None:
    """Stop job ``j``'s run at ``t``: keep every full checkpoint cycle, count the rest as lost."""
    run_start = state.run_start.pop(j)
    ran_s = t - run_start
    ckpt = state.checkpoints
    interval, write = (ckpt.interval_s, ckpt.write_s) if ckpt is not None else (math.inf, 0.0)
    planned = ckpt.n_writes(state.remaining_s[j]) if ckpt is not None and write else 0
    # work and checkpoint writes alternate: every full (interval + write) cycle is kept
    cycles = math.floor(ran_s / (interval + write))
    if write:
        cycles = min(cycles, planned)
        state.checkpoint_s[j] -= (planned - cycles) * write  # the writes it never reached
    state.remaining_s[j] -= cycles * interval if cycles else 0.0
    state.lost_s[j] += ran_s - (cycles * (interval + write) if cycles else 0.0)
    state.segments.append((j, run_start, t))  # not t - ran_s: rounding would shift the start
    del state.running[j]
    state.alloc.release(j)
    state.busy_by_tenant[state.tenant[j]] -= state.n_gpus[j]


def _fail(state: State, ev: Event, failures: Failures, rng: np.random.Generator) -> NewEvents:
    node, t = ev.target, ev.t_s
    for j in state.alloc.jobs_on(node):  # type: ignore[attr-defined]
        _stop(state, j, t)
        state.n_restarts[j] += 1
        state.requeued.append(j)
    state.alloc.fail(node)  # type: ignore[attr-defined]
    state.n_failures += 1
    state.down_since[node] = t
    return [(t + rng.exponential(failures.mttr_h * S_PER_H), REPAIR, REPAIR, node)]


def _repair(state: State, ev: Event, failures: Failures, rng: np.random.Generator) -> NewEvents:
    state.alloc.repair(ev.target)  # type: ignore[attr-defined]
    gpn = state.alloc.gpn  # type: ignore[attr-defined]
    state.down_gpu_s += (ev.t_s - state.down_since.pop(ev.target)) * gpn
    return [(ev.t_s + rng.exponential(failures.mtbf_h * S_PER_H), FAIL, FAIL, ev.target)]


def simulate(
    jobs: JobTable,
    node_class: NodeClass,
    placement: str,
    policy: Callable[[State], object],
    failures: Failures | None = None,
    rng: np.random.Generator | None = None,
    progress: Callable[[float], None] | None = None,
    trace: list[Event] | None = None,
) -> State:
    """Run the jobs on one node class under ``scheduler``; return the final :class:`State`.

    ``policy(state)`` builds the run's scheduler (:class:`aidc.simulate.policies.Scheduler`),
    kept as ``state.scheduler``. ``trace``, when given, receives every event popped from
    the heap (for event-sequence tests).
    """
    state = State(jobs, node_class, placement, failures.checkpoints if failures is not None else None)
    scheduler = state.scheduler = policy(state)
    if failures is None:  # a preemptive policy brings its own checkpoint setting
        state.checkpoints = getattr(scheduler, "checkpoints", None)
    heap: list[Event] = []
    seq = itertools.count()  # per-run: ties resolve identically on every run

    make, heappush = tuple.__new__, heapq.heappush  # tuple.__new__: a NamedTuple without its slow __new__

    def push(t_s: float, kind: int, target: int, token: int = 0) -> None:
        heappush(heap, make(Event, (t_s, kind, next(seq), kind, target, token)))

    if failures is not None:
        rng = rng if rng is not None else np.random.default_rng(0)
        for node in range(node_class.n_nodes):
            push(rng.exponential(failures.mtbf_h * S_PER_H), FAIL, node)
    submit, n = state.submit_s, len(jobs)
    ptr, wake_at = 0, math.inf
    node_placement = placement == "node"
    select, on_submit = scheduler.select, scheduler.submit  # type: ignore[attr-defined]
    step = max(1, n // 200)
    while ptr < n or state.running or state.n_queued:
        t = submit[ptr] if ptr < n else math.inf
        if heap and heap[0].t_s < t:
            t = heap[0].t_s
        if t == math.inf:
            break  # nothing can ever start (only when failures took every node down)
        state.idle_gpu_s += state.alloc.free * (t - state.t_s)
        state.t_s = t
        while heap and heap[0].t_s == t:
            ev = heapq.heappop(heap)
            if trace is not None:
                trace.append(ev)
            if ev.kind == FINISH:
                _finish(state, ev)
            elif ev.kind == WAKE:
                wake_at = math.inf
            else:
                handler = _fail if ev.kind == FAIL else _repair
                for t_new, kind, _, target in handler(state, ev, failures, rng):  # type: ignore[arg-type]
                    push(t_new, kind, target)
        if state.requeued:
            for j in state.requeued:
                scheduler.requeue(j)  # type: ignore[attr-defined]
            state.n_queued += len(state.requeued)
            state.requeued.clear()
        while ptr < n and submit[ptr] == t:
            on_submit(ptr)
            ptr += 1
            state.n_queued += 1
            if progress is not None and ptr % step == 0:
                progress(ptr / n)
        for j in select(state):
            state.n_queued -= 1
            end = t + _run_length_s(state, j)
            state.running[j] = end
            state.run_start[j] = t
            token = state.token.get(j, -1) + 1
            state.token[j] = token
            state.busy_by_tenant[state.tenant[j]] += state.n_gpus[j]
            if state.start_s[j] != state.start_s[j]:  # NaN: first start
                state.start_s[j] = t
                if node_placement:
                    state.nodes[j] = state.alloc.nodes_of(j)
            push(end, FINISH, j, token)
        wake = scheduler.next_wake_s(t)  # type: ignore[attr-defined]
        if wake is not None and wake < wake_at and state.n_queued:
            wake_at = wake
            push(wake, WAKE, -1)
    if state.down_since:  # nodes still under repair when the last job ended
        gpn = state.alloc.gpn  # type: ignore[attr-defined]
        state.down_gpu_s += sum(state.t_s - since for since in state.down_since.values()) * gpn
        state.down_since.clear()
    return state
