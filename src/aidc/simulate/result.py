"""What a run hands on: the per-job log, per-tenant statistics, hourly series and a summary.

Everything here is vectorised over the job log; the engine only records start and end
times. The hourly series are time averages over each hour ``[t_h, t_h + 1)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from aidc.units import S_PER_H

if TYPE_CHECKING:
    import pandas as pd

Frame = Callable[[], "pd.DataFrame"]


class _Table:
    """A table field of :class:`SimulationResult`: given as itself or as a zero-argument builder.

    A builder runs on the first read and its table is kept. A data descriptor, so the result
    stays a dataclass (the report walks its fields) while its tables stay unbuilt until read.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> pd.DataFrame:
        if obj is None:  # the dataclass asks for a default: there is none, the field is required
            raise AttributeError(self.name)
        tables = obj.__dict__["_tables"]
        value = tables[self.name]
        if callable(value):
            value = tables[self.name] = value()
        return value

    def __set__(self, obj: Any, value: pd.DataFrame | Frame) -> None:
        obj.__dict__.setdefault("_tables", {})[self.name] = value


@dataclass(frozen=True, repr=False)
class SimulationResult:
    """Result of a simulation (see ``docs/contracts.md``).

    The tables may be given as zero-argument builders: each is built on first read and kept,
    so a caller that only reads :attr:`summary` (``aidc simulate --json``) never builds the
    per-job DataFrame, nor imports pandas.

    Attributes
    ----------
    jobs : pandas.DataFrame
        Per-job log: ``job_id, tenant, gpu_class, priority, submit_s, start_s, end_s, wait_s,
        jct_s, duration_s, n_gpus, nodes, n_restarts, lost_s`` (+ ``reserved_start_s`` under EASY).
    hourly : pandas.DataFrame
        ``t_h, busy_gpus, queued_jobs, queued_gpus``: hourly means (the energy stage's input).
    tenants : pandas.DataFrame
        Per-tenant statistics, one row per tenant, indexed by tenant.
    summary : dict
        ``n_jobs, mean_wait_s, p95_wait_s, mean_jct_s, makespan_s, utilization_frac, tenants``
        (+ p50/p99 wait, slowdown, GPU-hours, policy, n_gpus).
    """

    TABLES: ClassVar[tuple[str, ...]] = ("jobs", "hourly", "tenants")

    jobs: _Table = _Table()
    hourly: _Table = _Table()
    tenants: _Table = _Table()
    summary: dict[str, Any] = field(default_factory=dict)

    def built(self, name: str) -> bool:
        """Return whether the table ``name`` (one of :attr:`TABLES`) has been built."""
        return not callable(self.__dict__["_tables"][name])

    def __reduce__(self) -> tuple[Any, ...]:  # builders are closures: pickle the built tables
        return SimulationResult, (self.jobs, self.hourly, self.tenants, self.summary)

    def __repr__(self) -> str:
        return f"SimulationResult(summary={self.summary!r})"


def hourly_mean(start_s: np.ndarray, end_s: np.ndarray, weight: np.ndarray, n_hours: int) -> np.ndarray:
    """Return the time-averaged sum of ``weight`` over intervals, for each hour.

    Parameters
    ----------
    start_s, end_s : numpy.ndarray
        Interval bounds. [s]
    weight : numpy.ndarray
        Value held during each interval (GPUs, or 1 for a job count).
    n_hours : int
        Hours of the series; time beyond is cut off.

    Returns
    -------
    numpy.ndarray
        Mean of the summed weights over each hour ``[h, h + 1)``.

    Examples
    --------
    8 GPUs busy from 0.5 h to 2.25 h: half of hour 0, all of hour 1, a quarter of hour 2.

    >>> hourly_mean(np.array([1800.0]), np.array([8100.0]), np.array([8.0]), 3).tolist()
    [4.0, 8.0, 2.0]
    """
    start_s, end_s = np.asarray(start_s, float), np.asarray(end_s, float)
    weight = np.broadcast_to(np.asarray(weight, float), start_s.shape)
    size = n_hours + 2
    total = np.zeros(size)
    # in chunks: the sum is linear in the intervals, and a chunk's temporaries stay small
    for i in range(0, len(start_s), HOURLY_CHUNK):
        total += _hour_sums(start_s[i:i + HOURLY_CHUNK], end_s[i:i + HOURLY_CHUNK],
                            weight[i:i + HOURLY_CHUNK], n_hours, size)
    return total[:n_hours] if len(start_s) else np.zeros(n_hours)


HOURLY_CHUNK = 1 << 18  # intervals per chunk of hourly_mean (memory, not results)


def _hour_sums(start_s: np.ndarray, end_s: np.ndarray, w: np.ndarray, n_hours: int, size: int) -> np.ndarray:
    a = np.clip(start_s / S_PER_H, 0, n_hours)
    b = np.clip(end_s / S_PER_H, 0, n_hours)
    ia, ib = np.floor(a).astype(np.int64), np.floor(b).astype(np.int64)

    def add(index: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.bincount(index, weights=values, minlength=size)

    # Each interval adds: the covered part of its first hour, the covered part of its last
    # hour, and w for every whole hour between (a difference array of the rate: +w from
    # ia + 1, -w from ib). When ia == ib the rate term is -w at that hour, so the two
    # parts w * (ia + 1 - a) + w * (b - ib) come down to w * (b - a).
    part = add(ia, w * (ia + 1 - a)) + add(ib, w * (b - ib))
    rate = add(ia + 1, w) - add(ib, w)
    return part + np.cumsum(rate)


STAT_INPUTS = ("wait_s", "jct_s", "duration_s", "n_gpus", "lost_s", "checkpoint_s")
STAT_COLUMNS = ["n_jobs", "gpu_hours", "mean_wait_s", "p50_wait_s", "p95_wait_s", "p99_wait_s",
                "mean_jct_s", "mean_slowdown"]


WAIT_PERCENTILES = (50.0, 95.0, 99.0)


def wait_percentiles(values: np.ndarray) -> np.ndarray:
    """Return ``np.percentile(values, [50, 95, 99])`` (numpy's default, linear), bit for bit.

    numpy's own partitions at ``np.unique`` of the indices, and ``np.unique`` imports
    ``numpy.ma`` (0.05-0.15 CPU-s, a third of a whole Philly replay); the index list here is
    built in Python. The formulas are numpy's (``_quantile``, ``_get_indexes``, ``_lerp``).

    Examples
    --------
    >>> wait_percentiles(np.array([0.0, 10.0, 20.0, 30.0])).tolist()  # as np.percentile gives them
    [15.0, 28.499999999999996, 29.699999999999996]
    """
    n = len(values)
    if n == 0 or not np.isfinite(values).all():  # numpy's own handling of NaN and empty input
        return np.percentile(values, WAIT_PERCENTILES)
    virtual = (n - 1) * np.true_divide(WAIT_PERCENTILES, 100)
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1  # at or past the last value: take the last value
    previous[above], following[above] = -1, -1
    lo, hi = previous.astype(np.intp), following.astype(np.intp)
    kth = sorted({0, n - 1, *(int(i) % n for i in lo), *(int(i) % n for i in hi)})
    part = np.partition(values, kth)
    a, b = part[lo], part[hi]
    gamma = virtual - lo
    diff = b - a
    out = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


def _stats(wait_s: np.ndarray, jct_s: np.ndarray, duration_s: np.ndarray, n_gpus: np.ndarray,
           lost_s: np.ndarray, checkpoint_s: np.ndarray, slowdown_min_s: float) -> dict[str, float]:
    if len(wait_s) == 0:
        return dict.fromkeys(STAT_COLUMNS, np.nan) | {"n_jobs": 0, "gpu_hours": 0.0}
    p50, p95, p99 = wait_percentiles(wait_s)
    slowdown = np.maximum(jct_s / np.maximum(duration_s, slowdown_min_s), 1.0)
    return {
        "n_jobs": len(wait_s),
        "gpu_hours": float((n_gpus * (duration_s + lost_s + checkpoint_s)).sum() / S_PER_H),
        "mean_wait_s": float(wait_s.mean()), "p50_wait_s": float(p50), "p95_wait_s": float(p95),
        "p99_wait_s": float(p99), "mean_jct_s": float(jct_s.mean()), "mean_slowdown": float(slowdown.mean()),
    }


def _tenant_rows(codes: np.ndarray, names: tuple[str, ...] | list[str], cols: Mapping[str, np.ndarray],
                 slowdown_min_s: float) -> dict[str, dict[str, float]]:
    """Per-tenant statistics of the jobs that ran, in the order of ``names`` (tenants with jobs).

    The sums are taken by tenant in one pass each (``np.bincount``) instead of gathering every
    column tenant by tenant (a million jobs: 0.05 s instead of 0.2); only the waits are
    gathered, for their percentiles.
    """
    k = len(names)
    count = np.bincount(codes, minlength=k)

    def by_tenant(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=k)

    wait_s, jct_s, duration_s = cols["wait_s"], cols["jct_s"], cols["duration_s"]
    gpu_s = by_tenant(cols["n_gpus"] * (duration_s + cols["lost_s"] + cols["checkpoint_s"]))
    wait_sum, jct_sum = by_tenant(wait_s), by_tenant(jct_s)
    slowdown_sum = by_tenant(np.maximum(jct_s / np.maximum(duration_s, slowdown_min_s), 1.0))
    # the narrowest integer type: numpy sorts 8- and 16-bit keys stably by radix, in one pass
    order = np.argsort(codes.astype(np.min_scalar_type(max(k - 1, 0))), kind="stable")
    waits = np.split(wait_s[order], np.cumsum(count)[:-1])
    rows = {}
    for i, name in enumerate(names):
        n = int(count[i])
        if not n:
            continue
        p50, p95, p99 = wait_percentiles(waits[i])
        rows[str(name)] = {"n_jobs": n, "gpu_hours": float(gpu_s[i] / S_PER_H),
                           "mean_wait_s": float(wait_sum[i] / n), "p50_wait_s": float(p50),
                           "p95_wait_s": float(p95), "p99_wait_s": float(p99),
                           "mean_jct_s": float(jct_sum[i] / n), "mean_slowdown": float(slowdown_sum[i] / n)}
    return rows


def _tenant_frame(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    import pandas as pd

    table = pd.DataFrame.from_dict(rows, orient="index", columns=[*STAT_COLUMNS, *SHARE_COLUMNS])
    table.index.name = "tenant"
    return table.astype({"n_jobs": np.int64})


SHARE_COLUMNS = ["share_frac", "configured_share_frac"]


def gpu_time_account(log: Mapping[str, Any], n_gpus: int,
                     account: Mapping[str, Any] | None) -> dict[str, Any]:
    """Split the cluster's GPU-hours over ``[0, last end]`` into where they went.

    ``log`` is the job log or its columns. ``served + lost + checkpoint overhead + idle +
    down = capacity``: served is the work jobs kept, lost the work done since a killed run's
    last checkpoint, checkpoint overhead the time spent writing checkpoints, down the GPU
    time of nodes under repair. With failures, idle and down come from the engine's own count
    of free GPUs over time (so the balance is a check, not an identity); without, idle is what
    the jobs left.
    """
    start_s = np.asarray(log["start_s"], dtype=float)
    ran = np.isfinite(start_s)
    n = np.asarray(log["n_gpus"])[ran]
    served = float((n * np.asarray(log["duration_s"])[ran]).sum())
    lost = float((n * np.asarray(log["lost_s"])[ran]).sum())
    ckpt = float((n * np.asarray(log["checkpoint_s"])[ran]).sum())
    t_end = float(np.nanmax(np.asarray(log["end_s"], dtype=float), initial=0.0))
    if account is None:
        down, failures = 0.0, 0
        idle = n_gpus * t_end - served - lost - ckpt
    else:
        t_end, down, idle, failures = account["t_end_s"], account["down_gpu_s"], account["idle_gpu_s"], \
            account["n_failures"]
    return {
        "n_failures": int(failures), "n_restarts": int(np.asarray(log["n_restarts"]).sum()),
        "n_preemptions": int(np.asarray(log["n_preemptions"]).sum()) if "n_preemptions" in log else 0,
        "served_gpu_h": served / S_PER_H, "lost_gpu_h": lost / S_PER_H,
        "checkpoint_overhead_gpu_h": ckpt / S_PER_H, "idle_gpu_h": idle / S_PER_H,
        "down_gpu_h": down / S_PER_H,
        "capacity_gpu_h": n_gpus * t_end / S_PER_H,
    }


LOG_INPUTS = ("start_s", "end_s", "submit_s", "n_gpus", "n_restarts", *STAT_INPUTS)


def summarize(log: pd.DataFrame, n_gpus: int, shares: dict[str, float], slowdown_min_s: float,
              horizon_h: int | None = None, extra: dict[str, Any] | None = None, *,
              account: Mapping[str, Any] | None = None) -> SimulationResult:
    """Build a :class:`SimulationResult` from a per-job log (a DataFrame).

    ``slowdown_min_s`` bounds the slowdown of very short jobs (bounded slowdown,
    Feitelson et al. 1997): ``max(1, jct / max(duration, slowdown_min_s))``. ``account``
    (from a run with failures) holds the run segments and the engine's count of idle and
    down GPU time: GPUs are busy only while a job runs, not while it waits to restart.
    """
    if "checkpoint_s" not in log.columns:
        log = log.assign(checkpoint_s=0.0)
    tenant = log["tenant"].astype("category")
    cols = {c: log[c].to_numpy() for c in LOG_INPUTS}
    if "n_preemptions" in log.columns:
        cols["n_preemptions"] = log["n_preemptions"].to_numpy()
    return summarize_columns(cols, tenant.cat.codes.to_numpy(), [str(t) for t in tenant.cat.categories],
                             n_gpus, shares, slowdown_min_s, horizon_h, extra, account=account, jobs=log)


def summarize_columns(cols: Mapping[str, np.ndarray], tenant: np.ndarray,
                      tenants: tuple[str, ...] | list[str], n_gpus: int, shares: dict[str, float],
                      slowdown_min_s: float,
                      horizon_h: int | None = None, extra: dict[str, Any] | None = None, *,
                      account: Mapping[str, Any] | None = None,
                      jobs: pd.DataFrame | Frame) -> SimulationResult:
    """Build a :class:`SimulationResult` from the job log's columns (numpy), without pandas.

    ``cols`` holds :data:`LOG_INPUTS` (+ ``n_preemptions``); ``tenant`` each job's code into
    ``tenants``; ``jobs`` the job log or a builder of it. The summary is computed here; the
    hourly series and the tenant table are built when first read.
    """
    ran = np.isfinite(cols["start_s"])
    every = bool(ran.all())

    def done(name: str) -> np.ndarray:
        return cols[name] if every else cols[name][ran]

    submit_s = cols["submit_s"]
    n_done = int(ran.sum())
    makespan_s = float(done("end_s").max() - submit_s.min()) if n_done else 0.0
    last_end_s = float(np.nanmax(cols["end_s"], initial=0.0))
    n_hours = horizon_h if horizon_h is not None else int(np.ceil(last_end_s / S_PER_H))

    def hourly() -> pd.DataFrame:
        import pandas as pd

        if account is not None:  # busy only within run segments, not across a wait to restart
            rows, seg_start, seg_end = account["segments"]
            run = hourly_mean(seg_start, seg_end, cols["n_gpus"][rows], n_hours)
        else:
            run = hourly_mean(done("start_s"), done("end_s"), done("n_gpus"), n_hours)
        start_or_inf = np.where(ran, cols["start_s"], np.inf)
        waited = start_or_inf > submit_s  # most jobs start at once: leave them out of the queue series
        a, b = submit_s[waited], start_or_inf[waited]
        return pd.DataFrame({"t_h": np.arange(n_hours, dtype=float), "busy_gpus": run,
                             "queued_jobs": hourly_mean(a, b, np.ones(len(a)), n_hours),
                             "queued_gpus": hourly_mean(a, b, cols["n_gpus"][waited], n_hours)})

    done_cols = {c: done(c) for c in STAT_INPUTS}
    rows = _tenant_rows(np.asarray(tenant if every else tenant[ran], np.int64), tenants, done_cols,
                        slowdown_min_s)
    total_gpu_h = float(np.sum([row["gpu_hours"] for row in rows.values()]))
    for name, row in rows.items():
        row["share_frac"] = row["gpu_hours"] / total_gpu_h if total_gpu_h else 0.0
        row["configured_share_frac"] = shares.get(name, np.nan)
    overall = _stats(**done_cols, slowdown_min_s=slowdown_min_s)
    gpu_time = gpu_time_account(cols, n_gpus, account)
    busy_gpu_s = (gpu_time["served_gpu_h"] + gpu_time["lost_gpu_h"] + gpu_time["checkpoint_overhead_gpu_h"]) \
        * S_PER_H
    summary: dict[str, Any] = {
        "n_jobs": len(submit_s),
        "n_jobs_done": n_done,
        **{k: overall.get(k, np.nan) for k in ("mean_wait_s", "p50_wait_s", "p95_wait_s", "p99_wait_s",
                                                "mean_jct_s", "mean_slowdown")},
        "gpu_hours": total_gpu_h,
        "makespan_s": makespan_s,
        "utilization_frac": busy_gpu_s / (n_gpus * makespan_s) if makespan_s > 0 else 0.0,
        "n_gpus": int(n_gpus),
        **gpu_time,
        "tenants": {t: {k: (int(v) if k == "n_jobs" else float(v)) for k, v in row.items()}
                    for t, row in rows.items()},
    } | (extra or {})
    summary = {k: (float(v) if isinstance(v, np.floating) else v) for k, v in summary.items()}
    return SimulationResult(jobs=jobs, hourly=hourly, tenants=lambda: _tenant_frame(rows), summary=summary)
