"""Fast path: EASY backfill on pooled GPUs, one tight loop instead of the event engine.

The same schedule as :class:`~aidc.simulate.policies.EasyBackfill` under the engine (tests
check start times equal on random traces), with the two costs that grew with the queue
taken out:

- **shadow time**: the running jobs sit in a heap keyed by end time; the head's
  reservation walks that heap in end order (``_in_end_order``: a second heap over the
  first's positions, O(k log k) for the k jobs that must end first) instead of sorting
  every running job at every new head;
- **backfill pass**: a queued job that was examined and refused stays refused until the
  head changes or GPUs are freed (time only moves forward, the shadow and the spare GPUs
  only shrink), so a pass runs only when one of those happened or new jobs reached the
  first ``depth`` places of the queue, and after a release only if enough GPUs came free
  for the smallest job that was refused for lack of GPUs;
- **no-wait stretches**: while nobody waits, EASY starts every job at its submission like
  FIFO, so those stretches are checked with numpy a block at a time (``_no_wait_stretch``,
  shared with fair share) and the per-job loop runs only around a queue.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterator
from itertools import islice

import numpy as np


def _in_end_order(heap: list[tuple[float, int]]) -> Iterator[tuple[float, int]]:
    """Yield the items of a heap in sorted order without touching it (O(k log k) for k items)."""
    if not heap:
        return
    frontier = [(heap[0], 0)]
    size = len(heap)
    while frontier:
        item, i = heapq.heappop(frontier)
        yield item
        for child in (2 * i + 1, 2 * i + 2):
            if child < size:
                heapq.heappush(frontier, (heap[child], child))


def easy_pooled_start_s(submit_s: np.ndarray, n_gpus: np.ndarray, duration_s: np.ndarray,
                        capacity_gpus: int, depth: int, *,
                        vectorise: bool = True) -> tuple[np.ndarray, dict[int, float]]:
    """Return each job's start time under EASY backfill on pooled GPUs, and each head's reservation.

    Parameters
    ----------
    submit_s : numpy.ndarray
        Submission times, sorted (ties in queue order). [s]
    n_gpus : numpy.ndarray
        GPUs each job asks for (each at most ``capacity_gpus``). [-]
    duration_s : numpy.ndarray
        Run time of each job. [s]
    capacity_gpus : int
        GPUs of the pool. [-]
    depth : int
        Queued jobs examined behind the head per pass. [-]
    vectorise : bool
        Check stretches without a queue with numpy; ``False`` runs the per-job loop for every
        job (the same start times: the tests keep it as the reference of the numpy path).

    Returns
    -------
    start_s : numpy.ndarray
        Start time of each job. [s]
    reserved_start_s : dict
        Head job -> the shadow time it was given when it became the head. [s]

    Examples
    --------
    Four GPUs. A (2 GPUs, 10 s) runs; B (4 GPUs) must wait for it, reserved at 10 s;
    C (2 GPUs, 5 s) ends before then and backfills at 1 s; D (2 GPUs, 20 s) would delay B.

    >>> start, _ = easy_pooled_start_s(np.array([0.0, 0, 1, 1]), np.array([2, 4, 2, 2]),
    ...                                np.array([10.0, 5, 5, 20]), 4, 100)
    >>> start.tolist()
    [0.0, 10.0, 1.0, 15.0]
    """
    submit_a = np.asarray(submit_s, dtype=float)
    need_a, dur_a = np.asarray(n_gpus, dtype=np.int64), np.asarray(duration_s, dtype=float)
    submit, need, dur = submit_a.tolist(), need_a.tolist(), dur_a.tolist()
    n = len(submit)
    start_a = np.full(n, math.nan)
    start: list[float] = []  # (job, start) pairs of the per-job loop, written back at the end
    reserved: dict[int, float] = {}
    running: list[tuple[float, int]] = []  # (end, job) heap
    queue: deque[int] = deque()
    heappush, heappop = heapq.heappush, heapq.heappop
    free, ptr = capacity_gpus, 0
    head, shadow, extra = -1, math.inf, 0
    last_seen = -1  # the last queued job a backfill pass examined (jobs queue in index order)
    blocked_need = 0  # the fewest GPUs a refused job lacked; a release below it changes nothing
    freed = False
    scalar_until = 0 if vectorise else n
    while ptr < n or running or queue:
        if not queue and ptr >= scalar_until and ptr < n:
            # nobody waits: numpy starts whole instants from job ptr until one does not fit; the
            # next job queued becomes a new head, which resets the pass state below
            ptr, running, free = _no_wait_stretch(submit_a, need_a, dur_a, start_a, ptr, running,
                                                  capacity_gpus)
            scalar_until = ptr + FS_SCALAR_MIN
            if ptr >= n:
                break
        t = submit[ptr] if ptr < n else math.inf
        if running and running[0][0] < t:
            t = running[0][0]
        while running and running[0][0] == t:
            free += need[heappop(running)[1]]
            freed = True
        while ptr < n and submit[ptr] == t:
            queue.append(ptr)
            ptr += 1
        while queue and need[queue[0]] <= free:  # heads start in order
            j = queue.popleft()
            free -= need[j]
            start += (j, t)
            heappush(running, (t + dur[j], j))
        if not queue:
            continue
        if queue[0] != head:  # a new head: its reservation is the first end that frees enough GPUs
            head = queue[0]
            shadow, extra = _shadow(running, need, need[head], free, t)
            reserved[head] = shadow
            last_seen, freed = -1, True
        if free == 0:
            continue
        window_end = queue[min(len(queue) - 1, depth)]
        if not ((freed and free >= blocked_need) or window_end > last_seen):
            continue
        freed, blocked_need, i = False, capacity_gpus + 1, 1
        for j in list(islice(queue, 1, depth + 1)):
            last_seen = j
            g = need[j]
            if g > free:
                blocked_need = min(blocked_need, g)
            else:
                ends_in_time = t + dur[j] <= shadow
                if ends_in_time or g <= extra:
                    del queue[i]
                    free -= g
                    start += (j, t)
                    heappush(running, (t + dur[j], j))
                    if not ends_in_time:
                        extra -= g
                    if free == 0:
                        blocked_need = 1  # the jobs behind were not examined
                        break
                    continue
            i += 1
    _write_pairs(start_a, start)
    return start_a, reserved


def _write_pairs(start_a: np.ndarray, pairs: list[float]) -> None:
    """Write the flat (job, start) pairs of a per-job loop into the start column."""
    if pairs:
        rows = np.asarray(pairs).reshape(-1, 2)
        start_a[rows[:, 0].astype(np.int64)] = rows[:, 1]


def _shadow(running: list[tuple[float, int]], need: list[int], n_head: int, free: int,
            t: float) -> tuple[float, int]:
    """Earliest instant ``n_head`` GPUs are free, and the GPUs spare beside the head then."""
    if n_head <= free:
        return t, free - n_head
    fit = math.inf
    for end, j in _in_end_order(running):
        if end > fit:
            break  # every release at the fitting instant counts in the spare GPUs
        free += need[j]
        if free >= n_head:
            fit = end
    return (fit, free - n_head) if fit < math.inf else (math.inf, 0)


# The hybrid loops of EASY and fair share: while nobody waits every job starts at its submission,
# which numpy checks a block at a time; the event loop takes over at the first instant a job does
# not fit.
FS_BLOCK_MIN, FS_BLOCK_MAX = 256, 65_536  # jobs per vectorised check
FS_SCALAR_MIN = 64  # jobs the event loop runs at least before numpy is tried again


def _no_wait_prefix(submit: np.ndarray, need: np.ndarray, dur: np.ndarray, i: int, j: int,
                    run_e: np.ndarray, run_n: np.ndarray, capacity_gpus: int) -> int:
    """Return how many of jobs ``i..j-1`` start at their submission, given the running jobs.

    Job ``m`` fits if the GPUs held at its submission (running jobs and earlier jobs of the
    block not yet ended, ends at that instant released first) plus its own fit the capacity.
    A zero-length job holds its GPUs through its own instant (the event loop ranks all of an
    instant's arrivals together, its end comes after), so it ends just after it.
    """
    s, g, d = submit[i:j], need[i:j], dur[i:j]
    ends = np.concatenate([run_e, np.where(d > 0, s + d, np.nextafter(s, np.inf))])
    order = np.argsort(ends)  # released GPUs sum over all ends up to an instant: ties in any order
    released = np.concatenate([[0], np.cumsum(np.concatenate([run_n, g])[order])])
    held = np.concatenate([[0], np.cumsum(g)[:-1]])
    busy = int(run_n.sum()) + held + g - released[np.searchsorted(ends[order], s, side="right")]
    over = np.flatnonzero(busy > capacity_gpus)
    return int(over[0]) if len(over) else j - i


def _no_wait_stretch(submit: np.ndarray, need: np.ndarray, dur: np.ndarray, start: np.ndarray, i: int,
                     running: list[tuple[float, int]],
                     capacity_gpus: int) -> tuple[int, list[tuple[float, int]], int]:
    """Start jobs from ``i`` at their submission while they fit, whole instants at a time.

    Called with nobody waiting, after every event before job ``i``'s submission. Writes the
    start times; returns the first job not started (the first of the instant where one did
    not fit), the running jobs as an (end, job) heap and the free GPUs, as the event loop
    would hold them after the last instant started.
    """
    n = len(submit)
    run_j = np.fromiter((j for _, j in running), np.int64, len(running))
    run_e = np.fromiter((e for e, _ in running), float, len(running))
    block = FS_BLOCK_MIN
    while i < n:
        j = min(n, i + block)
        if j < n:  # end the block at an instant's edge
            edge = int(np.searchsorted(submit, submit[j], side="left"))
            j = edge if edge > i else int(np.searchsorted(submit, submit[j], side="right"))
        k = _no_wait_prefix(submit, need, dur, i, j, run_e, need[run_j], capacity_gpus)
        if k < j - i:  # back to the first job of the instant that does not fit
            k = int(np.searchsorted(submit, submit[i + k], side="left")) - i
        start[i:i + k] = submit[i:i + k]
        if k:
            # ends up to the last instant started are released (the next event comes later)
            t_last = submit[i + k - 1]
            ends = np.concatenate([run_e, submit[i:i + k] + dur[i:i + k]])
            jobs = np.concatenate([run_j, np.arange(i, i + k)])
            alive = ends > t_last
            run_e, run_j = ends[alive], jobs[alive]
        i, fitted = i + k, k == j - i
        if not fitted:
            break
        block = min(FS_BLOCK_MAX, 2 * block)
    heap = list(zip(run_e.tolist(), run_j.tolist(), strict=True))
    heapq.heapify(heap)
    return i, heap, capacity_gpus - int(need[run_j].sum())


def fair_share_pooled_start_s(submit_s: np.ndarray, n_gpus: np.ndarray, duration_s: np.ndarray,
                              tenant: np.ndarray, share: list[float], quota_gpus: list[int],
                              capacity_gpus: int) -> np.ndarray:
    """Return each job's start time under :class:`~aidc.simulate.policies.FairShare` on pooled GPUs.

    The same ranking as the engine's (tenants under their guaranteed GPUs first, then by GPUs
    in use over share); a pass runs only when GPUs came free or jobs arrived, since otherwise
    the heads that did not fit still do not. While no job waits, fair share starts every job
    at its submission like FIFO, so stretches without a queue are checked with numpy a block
    at a time (whole instants, so the ranking of same-instant arrivals is the event loop's).

    Examples
    --------
    Three GPUs, two tenants with equal shares, all jobs at 0 s: tenant 0 starts its 2-GPU job
    (both use none, the lower number wins); then tenant 1, using less, starts its 1-GPU job
    before tenant 0's second one, which waits for that job's end at 5 s.

    >>> fair_share_pooled_start_s(np.zeros(3), np.array([2, 1, 1]), np.array([10.0, 10, 5]),
    ...                           np.array([0, 0, 1]), [0.5, 0.5], [0, 0], 3).tolist()
    [0.0, 5.0, 0.0]
    """
    submit_a = np.asarray(submit_s, dtype=float)
    need_a, dur_a = np.asarray(n_gpus, dtype=np.int64), np.asarray(duration_s, dtype=float)
    owner_a = np.asarray(tenant, dtype=np.int64)
    submit, need, dur, owner = submit_a.tolist(), need_a.tolist(), dur_a.tolist(), owner_a.tolist()
    n, n_tenants = len(submit), len(share)
    start_a = np.full(n, math.nan)
    start: list[float] = []  # (job, start) pairs of the event loop's jobs, written back at the end
    queues: list[deque[int]] = [deque() for _ in range(n_tenants)]
    busy = [0] * n_tenants
    running: list[tuple[float, int]] = []
    heappush, heappop = heapq.heappush, heapq.heappop
    free, ptr, n_queued, scalar_until = capacity_gpus, 0, 0, 0

    def rank(k: int) -> tuple[bool, float, int]:
        return busy[k] >= quota_gpus[k], busy[k] / share[k], k

    def begin(j: int, t: float) -> None:
        start.append(j)
        start.append(t)
        heappush(running, (t + dur[j], j))

    while ptr < n or running or n_queued:
        if n_queued == 0 and ptr >= scalar_until and ptr < n:
            # nobody waits: numpy checks whole instants from job ptr until one does not fit
            ptr, running, free = _no_wait_stretch(submit_a, need_a, dur_a, start_a, ptr, running,
                                                  capacity_gpus)
            run_j = np.fromiter((j for _, j in running), np.int64, len(running))
            held = np.bincount(owner_a[run_j], weights=need_a[run_j], minlength=n_tenants)
            busy = [int(x) for x in held]
            scalar_until = ptr + FS_SCALAR_MIN
            if ptr >= n:
                break
        t = submit[ptr] if ptr < n else math.inf
        if running and running[0][0] < t:
            t = running[0][0]
        changed = False
        while running and running[0][0] == t:
            j = heappop(running)[1]
            free += need[j]
            busy[owner[j]] -= need[j]
            changed = True
        while ptr < n and submit[ptr] == t:
            queues[owner[ptr]].append(ptr)
            ptr += 1
            n_queued += 1
            changed = True
        if not changed or free == 0:
            continue  # the heads that did not fit still do not
        if n_queued == 1 and ptr and submit[ptr - 1] == t and queues[owner[ptr - 1]]:
            j = ptr - 1  # the one waiting job arrived now: no tenants to rank (most arrivals)
            if need[j] <= free:
                queues[owner[j]].popleft()
                n_queued, free = 0, free - need[j]
                busy[owner[j]] += need[j]
                begin(j, t)
            continue
        waiting = [k for k in range(n_tenants) if queues[k]]
        while waiting and free > 0:
            waiting.sort(key=rank)
            for k in waiting:
                j = queues[k][0]
                if need[j] <= free:
                    queues[k].popleft()
                    n_queued -= 1
                    free -= need[j]
                    busy[k] += need[j]
                    begin(j, t)
                    break
            else:
                break
            waiting = [k for k in waiting if queues[k]]
    _write_pairs(start_a, start)
    return start_a
