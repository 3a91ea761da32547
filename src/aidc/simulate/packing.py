"""FIFO replay with fractional GPUs packed onto shared GPUs (Alibaba gpu_v2023 "openb" pods).

A job holds ``n_gpus`` GPUs at ``gpu_milli`` thousandths each. A whole-GPU job (``gpu_milli``
= 1000) takes ``n_gpus`` GPUs nobody else uses; a fractional job (one GPU, ``gpu_milli`` <
1000) shares a GPU with other fractional jobs while their thousandths add up to at most 1000
(best fit: the GPU with the least room that still fits, the lowest index on a tie), as the
openb trace's own cluster shares GPUs (Weng et al., "Beware of fragmentation", USENIX ATC 2023).
Rounding each fractional pod up to a whole GPU instead adds 15.8 % GPU-hours on the openb trace.

Jobs start in submission order (strict FIFO: the head of the queue waits for room, and no job
behind it passes). Placement is pooled over the GPUs of all nodes: GPU models and the pods'
``gpu_spec`` are not matched, and a multi-GPU job may span nodes. With every job whole the
start times are those of :func:`aidc.simulate.run` under ``fifo`` on a pooled cluster.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aidc.errors import InputError, Problem
from aidc.simulate.result import SimulationResult, summarize
from aidc.units import S_PER_H

WHOLE_MILLI = 1000  # thousandths of a GPU in one GPU


@dataclass(frozen=True, slots=True)
class PackedReplay:
    """What a packed FIFO replay did.

    Attributes
    ----------
    jobs : pandas.DataFrame
        One row per job in the input order: ``job_id, submit_s, start_s, end_s, n_gpus,
        gpu_milli, gpus`` (tuple of the GPU indices held) and ``gpu_h`` (``n_gpus`` ×
        ``gpu_milli`` / 1000 × run time / 3600). [s], [GPU-h]
    busy_gpu_h : float
        Time integral of the thousandths held on all GPUs, summed while the replay ran
        (independent of ``gpu_h``; the two agree when nothing is lost). [GPU-h]
    n_gpus : int
        GPUs of the cluster.
    max_held_milli : int
        Most thousandths any one GPU held at any time (at most 1000).
    """

    jobs: pd.DataFrame
    busy_gpu_h: float
    n_gpus: int
    max_held_milli: int


def _check(jobs: pd.DataFrame, n_gpus_total: int) -> tuple[np.ndarray, np.ndarray]:
    n = jobs["n_gpus"].to_numpy(dtype=np.int64)
    milli = (jobs["gpu_milli"].to_numpy(dtype=np.int64) if "gpu_milli" in jobs.columns
             else np.full(len(jobs), WHOLE_MILLI, dtype=np.int64))
    problems = [Problem("fractional GPUs (gpu_milli < 1000) need n_gpus = 1", row=int(i) + 1,
                        column="gpu_milli", found=int(milli[i]), expected="n_gpus = 1 or gpu_milli = 1000")
                for i in np.flatnonzero((milli < WHOLE_MILLI) & (n != 1))[:20]]
    bad = np.flatnonzero((milli < 1) | (milli > WHOLE_MILLI))[:20]
    problems += [Problem("bad value", row=int(i) + 1, column="gpu_milli", found=int(milli[i]),
                         expected="1..1000") for i in bad]
    problems += [Problem("job asks for more GPUs than the cluster has", row=int(i) + 1, column="n_gpus",
                         found=int(n[i]), expected=f"1..{n_gpus_total}")
                 for i in np.flatnonzero((n < 1) | (n > n_gpus_total))[:20]]
    if problems:
        raise InputError(problems)
    return n, milli


def pack_fifo(jobs: pd.DataFrame, gpus_per_node: Sequence[int] | Sequence[tuple[str, int]]) -> PackedReplay:
    """Replay ``jobs`` in FIFO order, packing fractional jobs onto shared GPUs.

    Parameters
    ----------
    jobs : pandas.DataFrame
        ``job_id, submit_s, n_gpus, duration_s`` and optionally ``gpu_milli`` (thousandths of
        each GPU, default 1000). [s]
    gpus_per_node : sequence of int or of (model, int)
        GPUs in each node, e.g. :func:`aidc.io.traces.read_openb_nodes` of the trace's node list.

    Returns
    -------
    PackedReplay

    Examples
    --------
    Two half-GPU jobs share the one GPU; the third waits until the first ends:

    >>> jobs = pd.DataFrame({"job_id": ["a", "b", "c"], "submit_s": [0.0, 0.0, 0.0],
    ...                      "n_gpus": [1, 1, 1], "duration_s": [10.0, 20.0, 5.0], "gpu_milli": [500] * 3})
    >>> pack_fifo(jobs, [1]).jobs["start_s"].tolist()
    [0.0, 0.0, 10.0]
    """
    counts = [g if isinstance(g, int | np.integer) else g[1] for g in gpus_per_node]
    n_total = int(sum(counts))
    if n_total < 1:
        raise InputError.single("the cluster has no GPUs", field="gpus_per_node", found=n_total)
    n, milli = _check(jobs, n_total)
    submit = jobs["submit_s"].to_numpy(dtype=float)
    duration = jobs["duration_s"].to_numpy(dtype=float)
    order = np.argsort(submit, kind="stable")
    free = np.full(n_total, WHOLE_MILLI, dtype=np.int64)
    start = np.full(len(jobs), np.nan)
    held: list[tuple[int, ...]] = [()] * len(jobs)
    running: list[tuple[float, int]] = []  # (end [s], job)
    busy_milli_s = 0.0
    held_milli = 0  # thousandths held on all GPUs now
    max_held = 0
    t = 0.0

    def advance(to_s: float) -> None:
        nonlocal t, busy_milli_s
        busy_milli_s += held_milli * (to_s - t)
        t = to_s

    def release_until(t_s: float) -> None:
        nonlocal held_milli
        while running and running[0][0] <= t_s:
            end_s, j = heapq.heappop(running)
            advance(max(end_s, t))
            free[list(held[j])] += milli[j]
            held_milli -= int(milli[j]) * len(held[j])

    for j in order:
        release_until(submit[j])
        advance(max(t, submit[j]))
        while True:
            if milli[j] >= WHOLE_MILLI:
                idle = np.flatnonzero(free == WHOLE_MILLI)
                gpus = tuple(int(g) for g in idle[: n[j]]) if len(idle) >= n[j] else None
            else:
                room = np.flatnonzero(free >= milli[j])
                gpus = (int(room[np.argmin(free[room])]),) if len(room) else None
            if gpus is not None:
                break
            release_until(running[0][0])  # wait for the next job to end (never empty: the job fits alone)
        free[list(gpus)] -= milli[j]
        held_milli += int(milli[j]) * len(gpus)
        max_held = max(max_held, int(WHOLE_MILLI - free[list(gpus)].min()))
        held[j], start[j] = gpus, t
        heapq.heappush(running, (t + duration[j], int(j)))
    release_until(np.inf)
    out = pd.DataFrame({
        "job_id": jobs["job_id"].to_numpy() if "job_id" in jobs.columns else np.arange(len(jobs)).astype(str),
        "submit_s": submit, "start_s": start, "end_s": start + duration, "n_gpus": n, "gpu_milli": milli,
        "gpus": held, "gpu_h": n * milli / WHOLE_MILLI * duration / 3600.0,
    })
    return PackedReplay(jobs=out, busy_gpu_h=busy_milli_s / WHOLE_MILLI / 3600.0, n_gpus=n_total,
                        max_held_milli=max_held)


def packed_result(jobs: pd.DataFrame, replay: PackedReplay, slowdown_min_s: float) -> SimulationResult:
    """Return a packed replay as a :class:`SimulationResult` (what ``aidc simulate --nodes`` reports).

    GPU-hours, the hourly ``busy_gpus`` and utilisation count the thousandths held (a 460-milli
    pod running one hour is 0.46 GPU-h); the job log keeps ``n_gpus`` as asked and adds
    ``gpu_milli``. The summary adds ``rounded_gpu_h``: the GPU-hours had every pod held whole
    GPUs, as :func:`aidc.simulate.run` counts them.
    """
    log = replay.jobs
    n_whole = log["n_gpus"].to_numpy()
    held = n_whole * log["gpu_milli"].to_numpy() / WHOLE_MILLI  # GPU-equivalents each job holds
    tenant = jobs["tenant"].astype(str).to_numpy() if "tenant" in jobs.columns else np.full(len(log), "")
    zeros = np.zeros(len(log))
    table = pd.DataFrame({
        "job_id": log["job_id"], "tenant": pd.Categorical(tenant), "priority": 0,
        "submit_s": log["submit_s"], "duration_s": log["end_s"] - log["start_s"], "n_gpus": held,
        "start_s": log["start_s"], "end_s": log["end_s"], "n_restarts": zeros.astype(np.int64),
        "lost_s": zeros, "checkpoint_s": zeros, "n_preemptions": zeros.astype(np.int64),
        "gpus": [",".join(map(str, g)) for g in log["gpus"]],  # text, like `nodes`, so Parquet/CSV hold it
    })
    table["wait_s"] = table["start_s"] - table["submit_s"]
    table["jct_s"] = table["end_s"] - table["submit_s"]
    result = summarize(table, replay.n_gpus, {}, slowdown_min_s,
                       extra={"policy": "fifo", "placement": "packed"})
    table["n_gpus"] = n_whole
    table.insert(table.columns.get_loc("n_gpus") + 1, "gpu_milli", log["gpu_milli"])
    rounded_gpu_h = float((n_whole * table["duration_s"].to_numpy()).sum() / S_PER_H)
    summary = result.summary | {"rounded_gpu_h": rounded_gpu_h, "packed_gpu_h": float(replay.busy_gpu_h)}
    return SimulationResult(jobs=table, hourly=result.hourly, tenants=result.tenants, summary=summary)
