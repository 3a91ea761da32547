"""Fast path: strict FIFO on pooled GPUs, without an event loop.

Under strict FIFO with pooled placement, job ``i`` starts at the first instant ``t`` no
earlier than its submission and the previous job's start at which the GPUs freed by the
jobs already started cover its request. Two ways to compute it, mixed adaptively:

- **vectorised**: guess that a block of jobs each start at ``max(submit, previous start)``;
  with numpy, find the first job of the block for which the GPUs busy at its start (all
  earlier starts minus the ends already passed) would exceed the capacity. Every job before
  it is right; that job starts at the first end time at which enough GPUs are free
  (a ``searchsorted`` over the cumulative releases). Cheap when few jobs wait.
- **scalar**: a heap of the running jobs' distinct end times; each job pops the ends it
  must wait for. Cheap when many jobs wait (a long queue), used in stretches.

Where the compiled kernel was built at install (``_kernels.pyx``), its heap loop runs the
whole trace: compiled, one pass beats the mix. The mix stays as the pure-Python path.

The result is identical to the event engine under :class:`~aidc.simulate.policies.Fifo`
and to a SimPy ``Container`` model (tests and the benchmark check both).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import numpy as np

_compiled_scalar: Callable[..., tuple[float, np.ndarray, np.ndarray]] | None
try:  # the compiled twin of _scalar (setup.py builds it at install; absent, _scalar runs)
    from aidc.simulate._kernels import fifo_scalar as _compiled_scalar
except ImportError:  # pragma: no cover - a build without a C compiler
    _compiled_scalar = None

BLOCK_MIN, BLOCK_MAX = 256, 65_536  # jobs per vectorised guess
SCALAR_AFTER = 64  # a block that fails before this many jobs hands over to the heap loop
SCALAR_STRETCH = 4096  # jobs run by the heap loop then (doubling while the queue persists)


def _scalar(
    submit: np.ndarray, need: np.ndarray, dur: np.ndarray, start: np.ndarray, i0: int, i1: int,
    t: float, run_e: np.ndarray, run_n: np.ndarray, capacity: int,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Run jobs ``i0 .. i1-1`` with the heap loop; return the last start and the running jobs."""
    released: dict[float, int] = {}
    for e, g in zip(run_e.tolist(), run_n.tolist(), strict=True):
        released[e] = released.get(e, 0) + g
    ends = list(released)
    heapq.heapify(ends)
    push, pop = heapq.heappush, heapq.heappop
    free = capacity - int(run_n.sum())
    out = []
    rows = zip(submit[i0:i1].tolist(), need[i0:i1].tolist(), dur[i0:i1].tolist(), strict=True)
    for s, g, d in rows:
        if s > t:
            t = s
            while ends and ends[0] <= t:
                free += released.pop(pop(ends))
        while free < g:
            t = pop(ends)
            free += released.pop(t)
        free -= g
        out.append(t)
        end = t + d
        if end in released:
            released[end] += g
        else:
            released[end] = g
            push(ends, end)
    start[i0:i1] = out
    alive = {e: g for e, g in released.items() if e > t}
    return t, np.fromiter(alive, float, len(alive)), np.fromiter(alive.values(), np.int64, len(alive))


def fifo_pooled_start_s(submit_s: np.ndarray, n_gpus: np.ndarray, duration_s: np.ndarray,
                        capacity_gpus: int) -> np.ndarray:
    """Return the start time of each job under strict FIFO on ``capacity_gpus`` pooled GPUs.

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

    Returns
    -------
    numpy.ndarray
        Start time of each job. [s]

    Examples
    --------
    Two GPUs; jobs of 2, 1, 1 GPUs for 10 s each, all submitted at 0: the second and third
    start when the first ends.

    >>> fifo_pooled_start_s(np.zeros(3), np.array([2, 1, 1]), np.full(3, 10.0), 2).tolist()
    [0.0, 10.0, 10.0]
    """
    return FifoPooled(capacity_gpus).start_s(submit_s, n_gpus, duration_s)


class FifoPooled:
    """Strict FIFO on pooled GPUs, fed the trace in pieces (a trace larger than memory).

    The state between pieces is the last start and the running jobs' ends and GPUs, so
    feeding a sorted trace in any number of pieces gives the same start times as one call of
    :func:`fifo_pooled_start_s`.

    Examples
    --------
    >>> fifo = FifoPooled(2)
    >>> fifo.start_s(np.zeros(1), np.array([2]), np.array([10.0])).tolist()
    [0.0]
    >>> fifo.start_s(np.zeros(2), np.array([1, 1]), np.full(2, 10.0)).tolist()
    [10.0, 10.0]
    """

    def __init__(self, capacity_gpus: int) -> None:
        self.capacity = capacity_gpus
        self.t = -math.inf  # last start [s]
        # running jobs (end > t, positive duration): their ends and GPUs
        self.run_e, self.run_n = np.empty(0), np.empty(0, np.int64)

    def start_s(self, submit_s: np.ndarray, n_gpus: np.ndarray, duration_s: np.ndarray) -> np.ndarray:
        """Return the start times of the next jobs (submission-sorted, after every earlier piece)."""
        start, self.t, self.run_e, self.run_n = _fifo_blocks(
            np.ascontiguousarray(submit_s, dtype=float), np.ascontiguousarray(n_gpus, dtype=np.int64),
            np.ascontiguousarray(duration_s, dtype=float), self.capacity, self.t, self.run_e, self.run_n)
        return start


def _fifo_blocks(submit: np.ndarray, need: np.ndarray, dur: np.ndarray, capacity_gpus: int, t: float,
                 run_e: np.ndarray, run_n: np.ndarray, compiled: bool = True,
                 ) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Start times of jobs given the state left by earlier ones; return them and the new state.

    ``compiled=False`` runs the heap loop in Python even where the compiled kernel is built
    (the tests compare the two).
    """
    n_jobs = len(submit)
    start = np.empty(n_jobs)
    if compiled and _compiled_scalar is not None:
        # compiled, the heap loop beats the vectorised guesses even where no job waits
        # (a million jobs: 0.11 s against 0.12; the Philly trace: 5 ms against 10)
        t, run_e, run_n = _compiled_scalar(submit, need, dur, start, 0, n_jobs, t, run_e, run_n,
                                           capacity_gpus)
        return start, t, run_e, run_n
    i, block, stretch = 0, BLOCK_MIN, SCALAR_STRETCH
    while i < n_jobs:
        j = min(n_jobs, i + block)
        s = np.maximum(submit[i:j], t)
        g, d = need[i:j], dur[i:j]
        pos = d > 0  # a zero-length job holds no GPU after its own start instant
        e = s + d
        ends = np.concatenate([run_e, e[pos]])
        # any sort will do: the GPUs released by an instant sum over all ends up to it, whatever
        # the order of equal ends (numpy's default sort is ~6x faster than its stable one here)
        order = np.argsort(ends)
        ends = ends[order]
        cum = np.concatenate([[0], np.cumsum(np.concatenate([run_n, g[pos]])[order])])
        held = np.concatenate([[0], np.cumsum(g * pos)[:-1]])
        busy = int(run_n.sum()) + held + g - cum[np.searchsorted(ends, s, side="right")]
        over = np.flatnonzero(busy > capacity_gpus)
        k = int(over[0]) if len(over) else j - i
        start[i:i + k] = s[:k]
        if k == j - i:  # the whole block starts as guessed
            t = float(s[-1])
            alive, new = run_e > t, pos & (e > t)
            run_e = np.concatenate([run_e[alive], e[new]])
            run_n = np.concatenate([run_n[alive], g[new]])
            i = j
            block, stretch = min(BLOCK_MAX, 2 * block), SCALAR_STRETCH
            continue
        # job i+k waits for the first end at which enough GPUs are free
        mask = np.concatenate([np.ones(len(run_e), bool), pos[:k]])
        ends_k = np.concatenate([run_e, e[:k]])[mask]
        rel = np.concatenate([run_n, g[:k]])[mask]
        # the first end at which enough GPUs are free is the same instant in any order of equal ends
        order = np.argsort(ends_k)
        need_free = int(rel.sum()) + int(g[k]) - capacity_gpus
        t = float(ends_k[order][np.searchsorted(np.cumsum(rel[order]), need_free, side="left")])
        start[i + k] = t
        if d[k] > 0:
            ends_k, rel = np.append(ends_k, t + d[k]), np.append(rel, g[k])
        alive = ends_k > t
        run_e, run_n = ends_k[alive], rel[alive]
        i += k + 1
        block = BLOCK_MIN
        if k < SCALAR_AFTER:  # a queue has formed: the heap loop is cheaper for a while
            j = min(n_jobs, i + stretch)
            t, run_e, run_n = _scalar(submit, need, dur, start, i, j, t, run_e, run_n, capacity_gpus)
            i, stretch = j, min(BLOCK_MAX, 2 * stretch)  # still queueing next time: stay longer
    return start, t, run_e, run_n
