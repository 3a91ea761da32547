"""Strict FIFO on pooled GPUs over a trace read in pieces: memory bounded by the piece, not the trace.

:func:`run_fifo_stream` feeds each piece of a submission-sorted trace to
:class:`aidc.simulate.fast.FifoPooled` (start times identical to the in-memory fast path),
writes the piece's job log to disk if asked, and folds it into running totals: per-tenant
counts and sums, the hourly series, and the waits themselves (8 bytes a job, kept for exact
percentiles). The summary, tenant table and hourly series are those :func:`aidc.simulate.run`
gives for the same trace under ``fifo`` on a pooled cluster (up to the order of floating-point
sums); the returned ``jobs`` table is empty (the log is on disk, if written).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aidc.errors import InputError, Problem
from aidc.simulate.fast import FifoPooled
from aidc.simulate.result import STAT_COLUMNS, SimulationResult, hourly_mean
from aidc.units import S_PER_H

LOG_COLUMNS = ["job_id", "tenant", "submit_s", "n_gpus", "duration_s", "start_s", "end_s", "wait_s", "jct_s"]


class _Totals:
    """Running sums of one run, per tenant and per hour."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}
        self.sums = np.zeros((0, 5))  # per tenant: jobs, GPU-seconds, wait, JCT, slowdown
        self.waits: list[list[np.ndarray]] = []
        self.hourly = np.zeros((3, 0))  # busy GPUs, queued jobs, queued GPUs: hour sums
        self.first_submit_s, self.last_end_s = math.inf, 0.0

    def codes(self, tenant: pd.Series) -> np.ndarray:
        """Return the run's tenant numbers of a piece's tenants (new names get the next numbers)."""
        cat = tenant.astype("category").cat
        for name in map(str, cat.categories):
            if name not in self.code:
                self.code[name] = len(self.code)
                self.sums = np.vstack([self.sums, np.zeros(5)])
                self.waits.append([])
        local = np.array([self.code[str(n)] for n in cat.categories], dtype=np.int64)
        return local[cat.codes.to_numpy()]

    def add_hours(self, rows: list[np.ndarray]) -> None:
        n_hours = max(len(r) for r in rows)
        if n_hours > self.hourly.shape[1]:
            self.hourly = np.pad(self.hourly, ((0, 0), (0, n_hours - self.hourly.shape[1])))
        for k, r in enumerate(rows):
            self.hourly[k, :len(r)] += r


def _check_piece(piece: pd.DataFrame, capacity_gpus: int, row0: int, last_submit_s: float) -> None:
    n, submit = piece["n_gpus"].to_numpy(), piece["submit_s"].to_numpy(float)
    problems = [Problem("job asks for more GPUs than its node class has", row=row0 + int(i) + 1,
                        column="n_gpus", found=int(n[i]), expected=f"<= {capacity_gpus}")
                for i in np.flatnonzero(n > capacity_gpus)[:20]]
    back = np.flatnonzero(np.diff(np.concatenate([[last_submit_s], submit])) < 0)[:20]
    problems += [Problem("a streamed trace must be sorted by submission time", row=row0 + int(i) + 1,
                         column="submit_s", found=float(submit[i]), expected=">= the row before")
                 for i in back]
    if problems:
        raise InputError(problems)


def run_fifo_stream(pieces: Iterable[pd.DataFrame], capacity_gpus: int, slowdown_min_s: float, *,
                    log_dir: Path | None = None) -> SimulationResult:
    """Simulate strict FIFO on ``capacity_gpus`` pooled GPUs over a trace given in pieces.

    Parameters
    ----------
    pieces : iterable of pandas.DataFrame
        The trace in submission order (``job_id, tenant, submit_s, n_gpus, duration_s``),
        e.g. :func:`aidc.io.traces.iter_canonical`. [s]
    capacity_gpus : int
        GPUs of the pool.
    slowdown_min_s : float
        Bounded slowdown's threshold (Feitelson et al. 1997). [s]
    log_dir : pathlib.Path, optional
        Write the job log there as ``jobs.parquet`` and ``jobs.csv``, piece by piece.

    Returns
    -------
    SimulationResult
        Summary, tenants and hourly series; ``jobs`` is empty.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    fifo, totals = FifoPooled(capacity_gpus), _Totals()
    writers: list[Any] = []
    row0, last_submit_s = 0, 0.0
    try:
        for piece in pieces:
            if not len(piece):
                continue
            _check_piece(piece, capacity_gpus, row0, last_submit_s)
            submit, n = piece["submit_s"].to_numpy(float), piece["n_gpus"].to_numpy(np.int64)
            dur = piece["duration_s"].to_numpy(float)
            start = fifo.start_s(submit, n, dur)
            end, wait = start + dur, start - submit
            code = totals.codes(piece["tenant"])
            slowdown = np.maximum((end - submit) / np.maximum(dur, slowdown_min_s), 1.0)
            for k, values in enumerate((np.ones(len(n)), n * dur, wait, end - submit, slowdown)):
                totals.sums[:, k] += np.bincount(code, weights=values, minlength=len(totals.code))
            for t in np.flatnonzero(np.bincount(code)):
                totals.waits[t].append(wait[code == t])
            waited = start > submit
            n_hours = math.ceil(float(end.max()) / S_PER_H)
            totals.add_hours([hourly_mean(start, end, n, n_hours),
                              hourly_mean(submit[waited], start[waited], np.ones(int(waited.sum())), n_hours),
                              hourly_mean(submit[waited], start[waited], n[waited], n_hours)])
            totals.first_submit_s = min(totals.first_submit_s, float(submit[0]))
            totals.last_end_s = max(totals.last_end_s, float(end.max()))
            if log_dir is not None:
                table = pa.table({"job_id": pa.array(piece["job_id"].astype(str)),
                                  "tenant": pa.array(piece["tenant"].astype(str)), "submit_s": submit,
                                  "n_gpus": n, "duration_s": dur, "start_s": start, "end_s": end,
                                  "wait_s": wait, "jct_s": end - submit})
                if not writers:
                    log_dir.mkdir(parents=True, exist_ok=True)
                    writers += [pq.ParquetWriter(log_dir / "jobs.parquet", table.schema),
                                pacsv.CSVWriter(log_dir / "jobs.csv", table.schema)]
                for w in writers:
                    w.write_table(table)
            row0, last_submit_s = row0 + len(piece), float(submit[-1])
    finally:
        for w in writers:
            w.close()
    return _result(totals, capacity_gpus)


def _result(totals: _Totals, capacity_gpus: int) -> SimulationResult:
    names = sorted(totals.code)
    rows = {}
    for name in names:
        t = totals.code[name]
        n_jobs, gpu_s, wait_s, jct_s, slowdown = totals.sums[t]
        # one array per tenant, pieces freed as we go: the waits are the only per-job memory
        waits = totals.waits[t] = [np.concatenate(totals.waits[t])]
        p50, p95, p99 = np.percentile(waits[0].copy(), [50, 95, 99], overwrite_input=True)
        rows[name] = {"n_jobs": int(n_jobs), "gpu_hours": gpu_s / S_PER_H, "mean_wait_s": wait_s / n_jobs,
                      "p50_wait_s": float(p50), "p95_wait_s": float(p95), "p99_wait_s": float(p99),
                      "mean_jct_s": jct_s / n_jobs, "mean_slowdown": slowdown / n_jobs}
    tenants = pd.DataFrame.from_dict(rows, orient="index", columns=STAT_COLUMNS).astype({"n_jobs": np.int64})
    tenants.index.name = "tenant"
    served_gpu_s = float(totals.sums[:, 1].sum())
    tenants["share_frac"] = tenants["gpu_hours"] / (served_gpu_s / S_PER_H) if served_gpu_s else 0.0
    tenants["configured_share_frac"] = np.nan
    all_waits = np.concatenate([w for per in totals.waits for w in per]) if totals.waits else np.zeros(0)
    totals.waits.clear()
    p50, p95, p99 = np.percentile(all_waits, [50, 95, 99], overwrite_input=True) if len(all_waits) \
        else (np.nan,) * 3
    del all_waits
    n_jobs = int(totals.sums[:, 0].sum())
    n_hours = math.ceil(totals.last_end_s / S_PER_H)
    hourly = np.pad(totals.hourly, ((0, 0), (0, max(0, n_hours - totals.hourly.shape[1]))))[:, :n_hours]
    t_end = totals.last_end_s
    makespan_s = t_end - totals.first_submit_s if n_jobs else 0.0
    summary: dict[str, Any] = {
        "n_jobs": n_jobs, "n_jobs_done": n_jobs,
        "mean_wait_s": float(totals.sums[:, 2].sum() / n_jobs) if n_jobs else np.nan,
        "p50_wait_s": float(p50), "p95_wait_s": float(p95), "p99_wait_s": float(p99),
        "mean_jct_s": float(totals.sums[:, 3].sum() / n_jobs) if n_jobs else np.nan,
        "mean_slowdown": float(totals.sums[:, 4].sum() / n_jobs) if n_jobs else np.nan,
        "gpu_hours": served_gpu_s / S_PER_H, "makespan_s": makespan_s,
        "utilization_frac": served_gpu_s / (capacity_gpus * makespan_s) if makespan_s > 0 else 0.0,
        "n_gpus": int(capacity_gpus),
        "n_failures": 0, "n_restarts": 0, "n_preemptions": 0,
        "served_gpu_h": served_gpu_s / S_PER_H, "lost_gpu_h": 0.0, "checkpoint_overhead_gpu_h": 0.0,
        "idle_gpu_h": (capacity_gpus * t_end - served_gpu_s) / S_PER_H, "down_gpu_h": 0.0,
        "capacity_gpu_h": capacity_gpus * t_end / S_PER_H,
        "tenants": {str(k): {c: (int(v) if c == "n_jobs" else float(v)) for c, v in row.items()}
                    for k, row in tenants.astype(object).to_dict("index").items()},
        "policy": "fifo", "placement": "pooled", "streamed": True,
    }
    frame = pd.DataFrame({"t_h": np.arange(n_hours, dtype=float), "busy_gpus": hourly[0],
                          "queued_jobs": hourly[1], "queued_gpus": hourly[2]})
    return SimulationResult(jobs=pd.DataFrame(columns=LOG_COLUMNS), hourly=frame, tenants=tenants,
                            summary=summary)
