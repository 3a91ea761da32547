"""Scheduling policies: plain callables that build a per-run scheduler.

A policy is any callable ``policy(state) -> Scheduler`` (:class:`Policy`). The scheduler it
returns keeps that run's queue and answers three questions the engine asks:

- ``submit(job)`` / ``requeue(job)``: a job joins the queue (again, after a failure);
- ``select(state) -> list[int]``: which queued jobs start now; it places each one with
  ``state.alloc.allocate(job, n_gpus)`` and removes it from its queue;
- ``next_wake_s(t_s) -> float | None``: a future instant at which it wants to be asked
  again even if nothing happens (the edges of reserved windows).

Adding a policy means writing such a callable and passing it to :func:`aidc.simulate.run`
(or adding it to :data:`POLICIES`); the engine is not touched.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Protocol

from aidc import data
from aidc.simulate.engine import State
from aidc.units import S_PER_H

WEEK_S = 7 * 24 * S_PER_H


class Scheduler(Protocol):
    """The per-run queue of one policy."""

    def submit(self, job: int) -> None:
        """Queue a newly submitted job."""
        ...

    def requeue(self, job: int) -> None:
        """Queue again a job killed by a failure (it keeps its place by submission order)."""
        ...

    def select(self, state: State) -> list[int]:
        """Place and return the queued jobs that start now."""
        ...

    def next_wake_s(self, t_s: float) -> float | None:
        """Next instant at which the policy must be asked again, if any."""
        ...


class Policy(Protocol):
    """A scheduling policy: builds the scheduler of one run."""

    def __call__(self, state: State) -> Scheduler:  # noqa: D102
        ...


def _insort(queue: deque[int], job: int) -> None:
    # Queues hold job indices, which are submission ranks: sorted order = submission order.
    queue.insert(bisect.bisect_left(queue, job), job)


class Fifo:
    """Strict FIFO: the head job starts first; nothing overtakes it."""

    def __init__(self, state: State) -> None:
        self.queue: deque[int] = deque()
        self.n_gpus = state.n_gpus

    def submit(self, job: int) -> None:  # noqa: D102
        self.queue.append(job)

    def requeue(self, job: int) -> None:  # noqa: D102
        _insort(self.queue, job)

    def select(self, state: State) -> list[int]:  # noqa: D102
        q, n, allocate = self.queue, self.n_gpus, state.alloc.allocate
        started = []
        while q and allocate(q[0], n[q[0]]):
            started.append(q.popleft())
        return started

    def next_wake_s(self, t_s: float) -> float | None:  # noqa: D102
        return None


class EasyBackfill(Fifo):
    """EASY backfill (Lifka 1995): FIFO, and later jobs may start early if they do not delay the head.

    When the head job does not fit, it gets a reservation at the earliest instant enough
    GPUs are free (its *shadow time*). A later job may start now if it fits and either ends
    by the shadow time or (pooled placement) uses only GPUs that are spare at the shadow time.
    At most ``depth`` queued jobs are examined per pass, as batch schedulers do.

    ``reserved_start_s`` records each head's reservation, so tests can check it was kept.

    References
    ----------
    D. Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995, LNCS 949, pp. 295-303.
    A. Mu'alem, D. Feitelson, "Utilization, predictability, workloads and user runtime
    estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS 12(6), 2001.
    """

    def __init__(self, state: State, depth: int) -> None:
        super().__init__(state)
        self.depth = depth
        self.remaining_s = state.remaining_s
        self.reserved_start_s: dict[int, float] = {}
        self._head = -1
        self._shadow_s = math.inf
        self._extra = 0
        self._capacity = -1

    def requeue(self, job: int) -> None:  # noqa: D102
        super().requeue(job)
        self._head = -1  # a failure changes the future: recompute the reservation

    def select(self, state: State) -> list[int]:  # noqa: D102
        started = super().select(state)
        q = self.queue
        if not q:
            return started
        alloc, t = state.alloc, state.t_s
        head = q[0]
        if head != self._head or alloc.capacity != self._capacity:  # new head, or a node failed / came back
            self._head, self._capacity = head, alloc.capacity
            # jobs started in this pass are not in state.running yet
            releases = sorted(state.running_by_end() + [(t + self.remaining_s[j], j) for j in started])
            self._shadow_s, self._extra = alloc.earliest_fit_s(self.n_gpus[head], releases, t)
            self.reserved_start_s[head] = self._shadow_s
        if alloc.free == 0:
            return started
        n, rem, shadow = self.n_gpus, self.remaining_s, self._shadow_s
        i = 1
        for job in list(islice(q, 1, self.depth + 1)):
            need = n[job]
            if need <= alloc.free:
                ends_in_time = t + rem[job] <= shadow
                if (ends_in_time or need <= self._extra) and alloc.allocate(job, need):
                    started.append(job)
                    del q[i]
                    if not ends_in_time:
                        self._extra -= need
                    if alloc.free == 0:
                        break
                    continue
            i += 1
        return started


class PriorityFifo(Fifo):
    """Priority classes: the highest ``priority`` first, FIFO within a class; strict (no overtaking)."""

    def __init__(self, state: State) -> None:
        super().__init__(state)
        self.heap: list[tuple[int, int]] = []
        self.priority = state.priority

    def submit(self, job: int) -> None:  # noqa: D102
        heapq.heappush(self.heap, (-self.priority[job], job))

    requeue = submit

    def select(self, state: State) -> list[int]:  # noqa: D102
        h, n, allocate = self.heap, self.n_gpus, state.alloc.allocate
        started = []
        while h and allocate(h[0][1], n[h[0][1]]):
            started.append(heapq.heappop(h)[1])
        return started


class FairShare(Fifo):
    """Fair share across tenants: the tenant furthest below its share goes first.

    Each tenant has its own FIFO queue. At each start the tenants with waiting jobs are
    ranked: first those using fewer GPUs than their guaranteed quota, then by GPUs in use
    divided by their configured share; the first whose head job fits starts it (a head that
    does not fit blocks only its own tenant). On a saturated cluster each tenant's GPU
    share converges to its configured share.
    """

    def __init__(self, state: State, shares: Mapping[str, float], quotas_gpus: Mapping[str, int]) -> None:
        super().__init__(state)
        names = state.jobs.tenants
        self.share, self.quota = tenant_shares(names, shares, quotas_gpus)
        self.queues: list[deque[int]] = [deque() for _ in names]
        self.tenant = state.tenant

    def submit(self, job: int) -> None:  # noqa: D102
        self.queues[self.tenant[job]].append(job)

    def requeue(self, job: int) -> None:  # noqa: D102
        _insort(self.queues[self.tenant[job]], job)

    def _key(self, busy: list[int]) -> Callable[[int], tuple[bool, float, int]]:
        """Rank of a tenant: under its quota first, then fewest GPUs in use per share."""
        share, quota = self.share, self.quota
        return lambda k: (busy[k] >= quota[k], busy[k] / share[k], k)

    def select(self, state: State) -> list[int]:  # noqa: D102
        busy, n = state.busy_by_tenant, self.n_gpus
        alloc, started = state.alloc, []
        waiting = [k for k, q in enumerate(self.queues) if q]
        key = self._key(busy)
        while waiting and alloc.free > 0:
            waiting.sort(key=key)
            for k in waiting:
                job = self.queues[k][0]
                if alloc.allocate(job, n[job]):
                    self.queues[k].popleft()
                    busy[k] += n[job]  # the engine adds it for real below; keep the ranking current
                    started.append(job)
                    break
            else:
                break
            waiting = [k for k in waiting if self.queues[k]]
        for job in started:
            busy[self.tenant[job]] -= n[job]
        return started


def decayed_usage_gpu_s(usage_gpu_s: float, busy_gpus: float, dt_s: float, half_life_s: float) -> float:
    """Return a tenant's decayed usage after ``dt_s`` more seconds with ``busy_gpus`` in use.

    Usage decays continuously with the half-life while it accrues: ``dU/dt = busy - λU``,
    ``λ = ln 2 / half_life``, so ``U(t + dt) = U e^(-λ dt) + busy (1 - e^(-λ dt)) / λ``.
    Slurm applies the same decay at each ``PriorityCalcPeriod`` (5 min by default).

    Parameters
    ----------
    usage_gpu_s : float
        Decayed usage so far. [GPU·s]
    busy_gpus : float
        GPUs the tenant holds during the step. [GPU]
    dt_s : float
        Length of the step. [s]
    half_life_s : float
        Half-life of past usage (Slurm's ``PriorityDecayHalfLife``). [s]

    Returns
    -------
    float
        Decayed usage at the end of the step. [GPU·s]

    Examples
    --------
    8 GPUs for one half-life from nothing: 8 · (1 - 1/2) · half-life / ln 2.

    >>> round(decayed_usage_gpu_s(0.0, 8, 3600.0, 3600.0), 1)
    20774.8
    """
    rate_per_s = math.log(2) / half_life_s
    keep = math.exp(-rate_per_s * dt_s)
    return usage_gpu_s * keep + busy_gpus * (1.0 - keep) / rate_per_s


def fair_share_factor(usage_frac: float, share_frac: float) -> float:
    """Return Slurm's classic fair-share factor ``F = 2^(-U/S)`` (1 = unused, 0.5 = used its share).

    Parameters
    ----------
    usage_frac : float
        The tenant's decayed usage over all tenants' decayed usage. [-]
    share_frac : float
        The tenant's share over all shares. [-]

    References
    ----------
    SchedMD, "Classic Fair Share Algorithm", https://slurm.schedmd.com/classic_fair_share.html.

    Examples
    --------
    >>> fair_share_factor(0.5, 0.5), fair_share_factor(0.0, 0.25)
    (0.5, 1.0)
    """
    return float(2.0 ** (-usage_frac / share_frac))


class DecayedFairShare(FairShare):
    """Slurm's multifactor fair share: tenants ranked by decayed past usage against their share.

    Each tenant's usage (GPU-seconds) decays with a half-life (:func:`decayed_usage_gpu_s`);
    at each start the tenants below their guaranteed quota go first, then the highest
    fair-share factor ``2^(-U/S)`` (:func:`fair_share_factor`), as Slurm's priority/multifactor
    plugin orders jobs when fair share is its only weighted factor. Unlike :class:`FairShare`
    (GPUs in use now), a tenant that ran a lot recently waits behind one that did not, even
    when neither holds GPUs at the moment.

    References
    ----------
    SchedMD, "Multifactor Priority Plugin", https://slurm.schedmd.com/priority_multifactor.html;
    "Classic Fair Share Algorithm", https://slurm.schedmd.com/classic_fair_share.html;
    slurm.conf(5), ``PriorityDecayHalfLife`` (default 7 days).
    """

    def __init__(self, state: State, shares: Mapping[str, float], quotas_gpus: Mapping[str, int],
                 half_life_h: float) -> None:
        super().__init__(state, shares, quotas_gpus)
        self.half_life_s = half_life_h * S_PER_H
        self.usage_gpu_s = [0.0] * len(self.share)
        self.share_frac = [s / sum(self.share) for s in self.share]
        self._t_s = 0.0
        self._busy = [0] * len(self.share)  # GPUs held since the last pass

    def _advance(self, t_s: float) -> None:
        if t_s > self._t_s:
            self.usage_gpu_s = [decayed_usage_gpu_s(u, b, t_s - self._t_s, self.half_life_s)
                                for u, b in zip(self.usage_gpu_s, self._busy, strict=True)]
            self._t_s = t_s

    def _key(self, busy: list[int]) -> Callable[[int], tuple[bool, float, int]]:
        total = sum(self.usage_gpu_s)
        factor = [fair_share_factor(u / total if total > 0 else 0.0, s)
                  for u, s in zip(self.usage_gpu_s, self.share_frac, strict=True)]
        quota = self.quota
        return lambda k: (busy[k] >= quota[k], -factor[k], k)

    def select(self, state: State) -> list[int]:  # noqa: D102
        self._advance(state.t_s)
        started = super().select(state)
        self._busy = list(state.busy_by_tenant)  # what the tenants hold until the next pass
        for job in started:
            self._busy[self.tenant[job]] += self.n_gpus[job]
        return started


def tenant_shares(names: Sequence[str], shares: Mapping[str, float],
                  quotas_gpus: Mapping[str, int]) -> tuple[list[float], list[int]]:
    """Return each tenant's share (fraction) and guaranteed GPUs; unnamed tenants split what is left."""
    given = {k: float(v) for k, v in shares.items() if k in names}
    rest = [t for t in names if t not in given]
    spare = max(0.0, 1.0 - sum(given.values()))
    default = spare / len(rest) if rest and spare > 0 else (min(given.values(), default=1.0) or 1.0)
    return [given.get(t, default) or 1e-9 for t in names], [int(quotas_gpus.get(t, 0)) for t in names]


@dataclass(frozen=True, slots=True)
class Window:
    """A weekly reserved window: ``n_gpus`` kept for ``tenant`` from ``start_h`` to ``end_h``.

    Hours count from the start of the week (``t_s = 0`` is taken as Monday 00:00).
    """

    tenant: str
    start_h: float  # [h] from the start of the week
    end_h: float  # [h]
    n_gpus: int


def next_window_edge_s(t_s: float, windows: Sequence[Window]) -> float | None:
    """Return the first opening or closing of a weekly window after ``t_s``, or None without windows.

    Examples
    --------
    >>> next_window_edge_s(0.0, [Window("course", 9.0, 12.0, 64)])
    32400.0
    """
    week = math.floor(t_s / WEEK_S) * WEEK_S
    edges = [base + h * S_PER_H for base in (week, week + WEEK_S) for w in windows
             for h in (w.start_h, w.end_h)]
    later = [e for e in edges if e > t_s]
    return min(later) if later else None


class ReservedWindows(Fifo):
    """FIFO first fit with weekly reserved windows (e.g. a course's lab hours).

    While a window is open its tenant's jobs go first. Jobs of other tenants may start only
    if, over their whole run, the GPUs they and the other non-owners hold leave the reserved
    GPUs free: ``busy_others + n <= capacity - reserved(t, t + duration)``.
    """

    def __init__(self, state: State, windows: Sequence[Window], depth: int) -> None:
        super().__init__(state)
        names = state.jobs.tenants
        self.windows = tuple(w for w in windows if w.tenant in names)
        self.window_owner = [names.index(w.tenant) for w in self.windows]
        self.owners = frozenset(self.window_owner)
        self.depth = depth

    def _reserved(self, t0_s: float, t1_s: float) -> int:
        total = 0
        for w in self.windows:
            if t1_s - t0_s >= WEEK_S:
                total += w.n_gpus
                continue
            week = math.floor(t0_s / WEEK_S) * WEEK_S
            for base in (week, week + WEEK_S):
                if base + w.start_h * S_PER_H < t1_s and t0_s < base + w.end_h * S_PER_H:
                    total += w.n_gpus
                    break
        return total

    def _open_owners(self, t_s: float) -> set[int]:
        in_week_s = t_s % WEEK_S
        return {k for w, k in zip(self.windows, self.window_owner, strict=True)
                if w.start_h * S_PER_H <= in_week_s < w.end_h * S_PER_H}

    def select(self, state: State) -> list[int]:  # noqa: D102
        t, alloc, n, rem = state.t_s, state.alloc, self.n_gpus, state.remaining_s
        busy_others = alloc.capacity - alloc.free - sum(state.busy_by_tenant[k] for k in self.owners)
        open_now = self._open_owners(t)
        first = [j for j in islice(self.queue, self.depth) if state.tenant[j] in open_now]
        rest = [j for j in islice(self.queue, self.depth) if state.tenant[j] not in open_now]
        started = []
        for job in first + rest:
            if alloc.free == 0:
                break
            owner = state.tenant[job] in self.owners
            if not owner and busy_others + n[job] > alloc.capacity - self._reserved(t, t + rem[job]):
                continue
            if alloc.allocate(job, n[job]):
                started.append(job)
                busy_others += 0 if owner else n[job]
        for job in started:
            self.queue.remove(job)
        return started

    def next_wake_s(self, t_s: float) -> float | None:  # noqa: D102
        return next_window_edge_s(t_s, self.windows)


def fifo(state: State) -> Scheduler:
    """Strict FIFO."""
    return Fifo(state)


def easy_backfill(state: State, depth: int | None = None) -> Scheduler:
    """EASY backfill examining at most ``depth`` queued jobs per pass (default: scenario default)."""
    return EasyBackfill(state, depth if depth is not None else data.value("simulation.backfill_depth"))


def priority(state: State) -> Scheduler:
    """Priority classes, FIFO within a class."""
    return PriorityFifo(state)


def fair_share(state: State, shares: Mapping[str, float] | None = None,
               quotas_gpus: Mapping[str, int] | None = None) -> Scheduler:
    """Fair share with configured ``shares`` (fractions) and guaranteed ``quotas_gpus``."""
    return FairShare(state, shares or {}, quotas_gpus or {})


def slurm_fair_share(state: State, shares: Mapping[str, float] | None = None,
                     quotas_gpus: Mapping[str, int] | None = None,
                     half_life_h: float | None = None) -> Scheduler:
    """Slurm multifactor fair share with decayed usage (half-life default: Slurm's 7 days)."""
    half_life_h = half_life_h if half_life_h is not None else data.value("simulation.fair_share_half_life_h")
    return DecayedFairShare(state, shares or {}, quotas_gpus or {}, half_life_h)


def reserved_windows(state: State, windows: Sequence[Window] = (), depth: int | None = None) -> Scheduler:
    """FIFO first fit with weekly reserved windows."""
    windows = [w if isinstance(w, Window) else Window(**w) for w in windows]
    depth = depth if depth is not None else data.value("simulation.backfill_depth")
    return ReservedWindows(state, windows, depth)


POLICIES: dict[str, Policy] = {
    "fifo": fifo,
    "easy": easy_backfill,
    "fair_share": fair_share,
    "slurm_fair_share": slurm_fair_share,
    "priority": priority,
    "reserved": reserved_windows,
}


def configured(name: str, **params: object) -> Policy:
    """Return the policy ``name`` with its parameters bound (``configured("fair_share", shares=...)``)."""
    factory: Callable[..., Scheduler] = POLICIES[name]  # the policies take keyword parameters after ``state``
    return partial(factory, **params)
