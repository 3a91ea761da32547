"""The tidy store of imported operations records (Parquet) and its monthly summary.

One directory holds ``jobs.parquet``, ``telemetry.parquet``, ``meter.parquet``,
``bills.parquet`` (each only if that record was imported), ``skipped.parquet`` (every
line read but not kept, with why) and ``read.parquet`` (per file: lines read, kept,
skipped). Jobs, their GPU-hours and their waits are counted in the month they were
submitted: that is when the demand arrived, however long the fleet made it wait. What the
fleet delivered each month (busy GPU-hours, peak GPUs) is counted in the months it ran; it is
capped by the fleet, so it measures demand only while queues stay short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aidc.errors import InputError
from aidc.ops import readers
from aidc.ops.sacct import Skipped, read_sacct
from aidc.simulate import hourly_mean
from aidc.units import S_PER_H

TABLES = ("jobs", "telemetry", "meter", "bills", "skipped", "read")
MONTHLY_COLUMNS = ["month", "tenant_class", "n_jobs", "gpu_h", "busy_gpu_h", "peak_gpus", "mean_wait_h",
                   "p95_wait_h"]
P95 = 95  # the percentile of the service levels (scenario.simulation.service_levels)


@dataclass(frozen=True, slots=True)
class Records:
    """Imported operations records; a table is empty when that record was not given."""

    jobs: pd.DataFrame
    telemetry: pd.DataFrame = field(default_factory=pd.DataFrame)
    meter: pd.DataFrame = field(default_factory=pd.DataFrame)
    bills: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: pd.DataFrame = field(default_factory=lambda: Skipped().frame())
    read: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["file", "kind", "n_kept", "n_skipped"])
    )


def import_records(
    sacct: Path | None = None,
    telemetry: list[Path] | None = None,
    meter: Path | None = None,
    bills: Path | None = None,
    accounts: Path | None = None,
) -> Records:
    """Read every record given, map jobs to tenant classes, and note what was kept and skipped.

    Raises
    ------
    InputError
        Naming file, line and field of every malformed row.
    """
    skipped = Skipped()
    read: list[dict[str, Any]] = []

    def note(path: Path, kind: str, n_kept: int) -> None:
        read.append(
            {
                "file": str(path),
                "kind": kind,
                "n_kept": n_kept,
                "n_skipped": sum(1 for f, _, _ in skipped.rows if f == str(path)),
            }
        )

    account_map = readers.read_accounts(accounts) if accounts else None
    jobs = pd.DataFrame(columns=["job_id", "tenant_class"])
    if sacct:
        jobs = read_sacct(sacct, skipped)
        jobs.insert(1, "tenant_class", readers.tenant_classes(jobs, account_map))
        jobs["month"] = jobs["submit"].dt.to_period("M").astype(str)
        note(sacct, "sacct", len(jobs))
    tel = [readers.read_prometheus(p) for p in telemetry or []]
    for p, t in zip(telemetry or [], tel, strict=True):
        note(p, "telemetry", len(t))
    tele = (
        pd.concat(tel, ignore_index=True).groupby(["time", "host", "gpu"], as_index=False).first()
        if tel
        else pd.DataFrame()
    )
    met = readers.read_meter(meter) if meter else pd.DataFrame()
    if meter:
        note(meter, "meter", len(met))
    bil = readers.read_bills(bills) if bills else pd.DataFrame()
    if bills:
        note(bills, "bills", len(bil))
    if accounts and account_map is not None:
        note(accounts, "accounts", len(account_map))
    return Records(
        jobs=jobs,
        telemetry=tele,
        meter=met,
        bills=bil,
        skipped=skipped.frame(),
        read=pd.DataFrame(read, columns=["file", "kind", "n_kept", "n_skipped"]),
    )


def save(records: Records, out: Path) -> list[Path]:
    """Write the non-empty tables of ``records`` to ``out`` as Parquet; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        table: pd.DataFrame = getattr(records, name)
        if len(table.columns) == 0:
            continue
        path = out / f"{name}.parquet"
        table.to_parquet(path, index=False)
        written.append(path)
    return written


def load(store: Path) -> Records:
    """Read a store written by :func:`save` (``jobs.parquet`` is required)."""
    if not (store / "jobs.parquet").is_file():
        raise InputError.single(
            "no imported jobs here: run 'aidc ops import --sacct ... --out DIR' first",
            file=str(store / "jobs.parquet"),
        )
    tables = {
        n: pd.read_parquet(store / f"{n}.parquet") for n in TABLES if (store / f"{n}.parquet").is_file()
    }
    return Records(**tables)


def _wait_stats(wait_s: np.ndarray) -> tuple[float, float]:
    wait_s = wait_s[np.isfinite(wait_s)]
    if not len(wait_s):
        return float("nan"), float("nan")
    return float(wait_s.mean() / S_PER_H), float(np.percentile(wait_s, P95) / S_PER_H)


def busy_gpus_hourly(jobs: pd.DataFrame) -> tuple[pd.DatetimeIndex, dict[str, np.ndarray]]:
    """Return the hours (from the first month's start) and, per class, the hourly-mean busy GPUs.

    A job is busy from its start for its elapsed time (a running job: so far).
    """
    ran = jobs[(jobs["n_gpus"] > 0) & jobs["start"].notna()]
    t0 = jobs["submit"].min().to_period("M").to_timestamp()
    start_s = (ran["start"] - t0).dt.total_seconds().to_numpy()
    end_s = start_s + ran["elapsed_s"].to_numpy(dtype=float)
    n_hours = int(np.ceil(end_s.max() / S_PER_H)) + 1 if len(ran) else 0
    n_gpus = ran["n_gpus"].to_numpy(dtype=float)
    busy = {
        str(cls): hourly_mean(start_s[idx], end_s[idx], n_gpus[idx], n_hours)
        for cls, idx in ran.groupby("tenant_class", observed=True).indices.items()
    }
    return t0 + pd.to_timedelta(np.arange(n_hours), unit="h"), busy


def monthly(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per month and tenant class: jobs, GPU-hours asked and delivered, peak GPUs, mean and p95 wait.

    Returns
    -------
    pandas.DataFrame
        :data:`MONTHLY_COLUMNS`. Of the jobs submitted in the month: ``n_jobs``, ``gpu_h``
        [GPU·h] (their whole run, the demand that arrived), waits [h] (of those that started).
        Of the month itself: ``busy_gpu_h`` [GPU·h] delivered and ``peak_gpus`` the largest
        hourly mean [GPU] (capped by the fleet, so not a measure of demand when queues build).
    """
    hours, busy = busy_gpus_hourly(jobs)
    month_of_hour = hours.to_period("M").astype(str)
    used = {cls: pd.DataFrame({"busy_gpu_h": b, "peak_gpus": b}).groupby(month_of_hour).agg(
            {"busy_gpu_h": "sum", "peak_gpus": "max"}) for cls, b in busy.items()}
    rows = []
    for (month, cls), group in jobs.groupby(["month", "tenant_class"], sort=True, observed=True):
        mean_h, p95_h = _wait_stats(group["wait_s"].to_numpy(dtype=float))
        rows.append({"month": month, "tenant_class": cls, "n_jobs": len(group),
                     "gpu_h": float(group["gpu_h"].sum()), "mean_wait_h": mean_h, "p95_wait_h": p95_h})
    submitted = pd.DataFrame(rows, columns=["month", "tenant_class", "n_jobs", "gpu_h", "mean_wait_h",
                                            "p95_wait_h"])
    parts = [u.assign(tenant_class=cls).rename_axis("month").reset_index() for cls, u in used.items()]
    ran = (pd.concat(parts, ignore_index=True) if used
           else pd.DataFrame(columns=["month", "busy_gpu_h", "peak_gpus", "tenant_class"]))
    out = submitted.merge(ran, on=["month", "tenant_class"], how="outer")
    # GPU time after the last month of submissions belongs to a month the export does not cover
    out = out[(out["month"] >= jobs["month"].min()) & (out["month"] <= jobs["month"].max())]
    out["n_jobs"] = out["n_jobs"].fillna(0).astype(np.int64)
    filled = ["gpu_h", "busy_gpu_h", "peak_gpus"]
    out[filled] = out[filled].fillna(0.0)
    return out.sort_values(["month", "tenant_class"], ignore_index=True)[MONTHLY_COLUMNS]


def summary(records: Records) -> dict[str, Any]:
    """Return what ``aidc ops import --json`` prints: totals, per month and class, and what was skipped."""
    jobs = records.jobs
    table = monthly(jobs) if len(jobs) else pd.DataFrame(columns=MONTHLY_COLUMNS)
    why = records.skipped["why"].value_counts().to_dict() if len(records.skipped) else {}
    return {
        "n_jobs": int(len(jobs)),
        "gpu_h": float(jobs["gpu_h"].sum()) if len(jobs) else 0.0,
        "monthly": [
            {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in table.to_dict("records")
        ],
        "read": records.read.to_dict("records"),
        "skipped": {str(k): int(v) for k, v in why.items()},
    }
