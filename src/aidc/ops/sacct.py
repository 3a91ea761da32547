"""Slurm accounting records: ``sacct --parsable2 --allocations`` in, the job table out (and back).

``sacct`` prints one ``|``-separated line per record, with a header line unless
``--noheader`` was given (then the fields must come in :data:`FIELDS` order). Times are
the cluster's civil time without a zone (``2026-03-02T09:15:00``); ``Unknown`` or ``None``
stand for a time not reached yet (a pending job has no start, a running job no end).
Elapsed times are ``[D-]HH:MM:SS``. GPUs are the ``gres/gpu=N`` entry of ``AllocTRES``
(what the job got) or, for a job that never started, of ``ReqTRES``.

References
----------
SchedMD, sacct(1), https://slurm.schedmd.com/sacct.html (fields, ``--parsable2``,
``--allocations``, elapsed format, job state codes); SchedMD, Job Array Support,
https://slurm.schedmd.com/job_array.html (``123_4`` ids); SchedMD, Heterogeneous Job
Support, https://slurm.schedmd.com/heterogeneous_jobs.html (``123+0`` ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aidc.errors import InputError, Problem
from aidc.units import S_PER_H, S_PER_MIN

#: The documented field set, in the order assumed when the file has no header.
FIELDS = (
    "JobID",
    "Account",
    "User",
    "Partition",
    "Submit",
    "Start",
    "End",
    "Elapsed",
    "State",
    "AllocTRES",
    "ReqTRES",
    "NNodes",
)
REQUIRED = ("JobID", "Submit", "Start", "Elapsed", "State")
#: Job state codes of sacct(1), "JOB STATE CODES".
STATES = frozenset(
    {
        "BOOT_FAIL",
        "CANCELLED",
        "COMPLETED",
        "DEADLINE",
        "FAILED",
        "NODE_FAIL",
        "OUT_OF_MEMORY",
        "PENDING",
        "PREEMPTED",
        "RUNNING",
        "REQUEUED",
        "RESIZING",
        "REVOKED",
        "SUSPENDED",
        "TIMEOUT",
    }
)
NOT_A_TIME = frozenset({"", "Unknown", "None"})
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_S_PER_DAY = 86_400  # definition of the day

_JOB_ID = re.compile(r"^\d+(?:_\d+)?(?:\+\d+)?$")
_STEP_ID = re.compile(r"^\d+(?:_\d+)?(?:\+\d+)?\.\S+$")
_ARRAY_PENDING = re.compile(r"^\d+_\[[^\]]*\]$")
_ELAPSED = re.compile(r"^(?:(\d+)-)?(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.\d+)?$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")

JOB_COLUMNS = [
    "job_id",
    "account",
    "user",
    "partition",
    "state",
    "submit",
    "start",
    "end",
    "elapsed_s",
    "n_gpus",
    "gpu_type",
    "n_nodes",
    "wait_s",
    "gpu_h",
]


@dataclass(slots=True)
class Skipped:
    """Lines read but not kept, with the reason (a job step is not a job)."""

    rows: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, why

    def add(self, file: str, line: int, why: str) -> None:
        """Record one skipped line."""
        self.rows.append((file, line, why))

    def frame(self) -> pd.DataFrame:
        """Return the skipped lines as ``file, line, why``."""
        return pd.DataFrame(self.rows, columns=["file", "line", "why"])


def elapsed_s(text: str) -> float:
    """Return an elapsed time ``[D-]HH:MM:SS`` (or ``MM:SS``) in seconds.

    Examples
    --------
    >>> elapsed_s("1-02:03:04"), elapsed_s("00:10:00"), elapsed_s("07:30")
    (93784.0, 600.0, 450.0)
    """
    m = _ELAPSED.match(text.strip())
    if m is None:
        raise ValueError(text)
    days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
    return float(((days * 24 + hours) * S_PER_MIN + minutes) * S_PER_MIN + seconds)


def format_elapsed(seconds: float) -> str:
    """Write whole seconds as sacct does: ``D-HH:MM:SS`` from one day on, else ``HH:MM:SS``.

    Examples
    --------
    >>> format_elapsed(93784), format_elapsed(600)
    ('1-02:03:04', '00:10:00')
    """
    s = int(seconds)
    days, rest = divmod(s, _S_PER_DAY)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, S_PER_MIN)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}-{clock}" if days else clock


def gpus_of_tres(text: str) -> tuple[int, str]:
    """Return (GPUs, GPU type or "") from a TRES string such as ``cpu=8,gres/gpu:h100=2,gres/gpu=2``.

    The untyped ``gres/gpu=N`` is the total; typed entries are summed only when it is absent.

    Examples
    --------
    >>> gpus_of_tres("billing=16,cpu=16,gres/gpu=4,mem=128G,node=1")
    (4, '')
    >>> gpus_of_tres("cpu=8,gres/gpu:h100_sxm=8,gres/gpu=8,node=1")
    (8, 'h100_sxm')
    >>> gpus_of_tres("cpu=4,mem=8G,node=1")
    (0, '')
    """
    total: int | None = None
    typed: dict[str, int] = {}
    for item in filter(None, text.strip().split(",")):
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise ValueError(item)
        if key == "gres/gpu":
            total = int(val)
        elif key.startswith("gres/gpu:"):
            typed[key.split(":", 1)[1]] = int(val)
    n = total if total is not None else sum(typed.values())
    kind = next(iter(typed)) if len(typed) == 1 else ""
    return n, kind


def _header(first: list[str]) -> tuple[list[str], bool]:
    if "JobID" in first or "JobIDRaw" in first:
        return ["JobID" if f == "JobIDRaw" else f for f in first], True
    return list(FIELDS), False


def _times(col: pd.Series, name: str, required: bool) -> tuple[pd.Series, pd.Series]:
    """Parse a time column; return the times and a mask of the values that are malformed."""
    text = col.str.strip()
    absent = text.isin(NOT_A_TIME)
    times = pd.to_datetime(text.where(~absent), format=TIME_FORMAT, errors="coerce")
    bad = times.isna() & (~absent | required)
    return times, bad


def _elapsed(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    def one(text: str) -> float:
        text = text.strip()
        if not text:
            return 0.0
        try:
            return elapsed_s(text)
        except ValueError:
            return np.nan

    seconds = pd.Series([one(t) for t in col], index=col.index, dtype=float)
    return seconds, seconds.isna()


def _tres(col: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    def one(text: str) -> tuple[int, str] | None:
        try:
            return gpus_of_tres(text)
        except ValueError:
            return None

    parsed = {t: one(t) for t in col.unique()}  # a cluster has few distinct TRES strings
    ok = col.map(lambda t: parsed[t] is not None)
    got = {t: v if v is not None else (0, "") for t, v in parsed.items()}
    n = col.map(lambda t: got[t][0])
    kind = col.map(lambda t: got[t][1])
    return n, kind, ~ok


RULES = {  # field -> what is expected, shown when a value is malformed
    "Submit": "YYYY-MM-DDTHH:MM:SS (every job has one)",
    "Start": "YYYY-MM-DDTHH:MM:SS, Unknown or None",
    "End": "YYYY-MM-DDTHH:MM:SS, Unknown or None",
    "Elapsed": "[D-]HH:MM:SS",
    "State": "a job state code of sacct(1) (" + ", ".join(sorted(STATES)) + ")",
    "AllocTRES": "name=count pairs separated by commas (gres/gpu=N)",
    "NNodes": "a whole number",
}


def _parse(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Parse the kept records' columns at once; return the values and, per field, the bad rows."""
    bad: dict[str, pd.Series] = {}
    submit, bad["Submit"] = _times(df["Submit"], "Submit", True)
    start, bad["Start"] = _times(df["Start"], "Start", False)
    end, bad["End"] = _times(df["End"] if "End" in df else pd.Series("", index=df.index), "End", False)
    elapsed, bad["Elapsed"] = _elapsed(df["Elapsed"])
    state = df["State"].str.strip().str.split(" ").str[0].str.rstrip("+")
    bad["State"] = ~state.isin(STATES)
    alloc = df["AllocTRES"].str.strip() if "AllocTRES" in df else pd.Series("", index=df.index)
    tres = alloc.where(alloc != "", df["ReqTRES"].str.strip() if "ReqTRES" in df else "")
    n_gpus, gpu_type, bad["AllocTRES"] = _tres(tres)
    nodes = (
        pd.to_numeric(df["NNodes"].str.strip().replace("", "0"), errors="coerce")
        if "NNodes" in df
        else pd.Series(0, index=df.index)
    )
    bad["NNodes"] = nodes.isna() | (nodes != nodes.round())
    bad["Start"] |= (start < submit).fillna(False)
    bad["End"] |= (end < start).fillna(False)
    out = pd.DataFrame(
        {
            "state": state,
            "submit": submit,
            "start": start,
            "end": end,
            "elapsed_s": elapsed,
            "n_gpus": n_gpus,
            "gpu_type": gpu_type,
            "n_nodes": nodes.fillna(0),
        }
    )
    return out, bad


def read_sacct(path: str | Path, skipped: Skipped | None = None) -> pd.DataFrame:
    """Read ``sacct --parsable2 --allocations`` output into one row per job allocation.

    Job steps (``123.batch``, ``123.0``) are skipped with the reason, as are unexpanded
    pending array records (``123_[4-10]``); array tasks (``123_4``) and heterogeneous
    components (``123+0``) are jobs of their own. A start before the submission or an end
    before the start is refused as malformed.

    Returns
    -------
    pandas.DataFrame
        :data:`JOB_COLUMNS`: times as naive timestamps in the cluster's civil time,
        ``elapsed_s`` [s], ``wait_s`` [s] (NaN if the job has not started), ``gpu_h``
        [GPU·h] (``n_gpus * elapsed_s``).

    Raises
    ------
    InputError
        Every malformed line (up to 50), with file, line and field.
    """
    path = Path(path)
    skipped = skipped if skipped is not None else Skipped()
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise InputError.single("empty sacct file", file=str(path), expected="sacct --parsable2 output")
    names, has_header = _header(lines[0].split("|"))
    missing = [f for f in REQUIRED if f not in names]
    if missing or not ({"Account", "Partition"} & set(names)) or not ({"AllocTRES", "ReqTRES"} & set(names)):
        raise InputError.single(
            "sacct file lacks fields",
            file=str(path),
            line=1,
            found=",".join(names),
            expected="JobID, Account or Partition, Submit, Start, "
            "Elapsed, State, AllocTRES or ReqTRES (see docs/operating.md)",
        )
    first = 2 if has_header else 1
    rows: list[list[str]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines[first - 1 :], start=first):
        if not line.strip():
            continue
        parts = line.split("|")
        if len(parts) != len(names):
            problems.append(
                Problem(
                    "wrong number of fields",
                    file=str(path),
                    line=number,
                    found=len(parts),
                    expected=f"{len(names)} separated by '|'",
                )
            )
            continue
        job_id = parts[names.index("JobID")].strip()
        if _JOB_ID.match(job_id):
            rows.append(parts)
            numbers.append(number)
        elif _STEP_ID.match(job_id):
            skipped.add(str(path), number, "job step (not an allocation)")
        elif _ARRAY_PENDING.match(job_id):
            skipped.add(str(path), number, "pending array tasks not yet expanded")
        else:
            problems.append(
                Problem(
                    "cannot read this sacct field",
                    file=str(path),
                    line=number,
                    field="JobID",
                    found=job_id,
                    expected="123, 123_4 (array task) or 123+0 (het. component)",
                )
            )
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    raw = pd.DataFrame({n: pd.Series(c, dtype=str) for n, c in zip(names, columns, strict=True)})
    parsed, bad = _parse(raw)
    for name, mask in bad.items():
        column = name if name != "AllocTRES" or "AllocTRES" in raw else "ReqTRES"
        problems += [
            Problem(
                "cannot read this sacct field",
                file=str(path),
                line=numbers[i],
                field=column,
                found=raw[column].iloc[i] if column in raw else None,
                expected=RULES[name],
            )
            for i in np.flatnonzero(mask.to_numpy())[:50]
        ]
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise InputError(problems[:50])
    out = pd.concat(
        [
            raw[["JobID"]].rename(columns={"JobID": "job_id"}).apply(lambda c: c.str.strip()),
            *[
                (raw[c].str.strip() if c in raw else pd.Series("", index=raw.index)).rename(c.lower())
                for c in ("Account", "User", "Partition")
            ],
            parsed,
        ],
        axis=1,
    )
    return _job_frame(out)


def _job_frame(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("job_id", "account", "user", "partition", "state", "gpu_type"):
        df[col] = df[col].astype(str)  # one string dtype, the one Parquet gives back
    for col in ("submit", "start", "end"):
        df[col] = pd.to_datetime(df[col])
    df["elapsed_s"] = df["elapsed_s"].astype(float)
    df["n_gpus"] = df["n_gpus"].astype(np.int64)
    df["n_nodes"] = df["n_nodes"].astype(np.int64)
    df["wait_s"] = (df["start"] - df["submit"]).dt.total_seconds()
    df["gpu_h"] = df["n_gpus"] * df["elapsed_s"] / S_PER_H
    return df[JOB_COLUMNS].reset_index(drop=True)


def write_sacct(log: pd.DataFrame, t0: pd.Timestamp, accounts: dict[str, str] | None = None) -> str:
    """Write a simulated job log as ``sacct --parsable2 --allocations`` text (completed jobs).

    Parameters
    ----------
    log : pandas.DataFrame
        :attr:`aidc.simulate.SimulationResult.jobs` (``job_id, tenant, submit_s, start_s,
        end_s, n_gpus, gpu_class``); times in whole seconds, since sacct prints whole seconds.
    t0 : pandas.Timestamp
        Civil time of ``t_s = 0``.
    accounts : dict, optional
        Tenant class -> Slurm account (default: the class name itself).

    Returns
    -------
    str
        The text, header first.
    """
    times = log[["submit_s", "start_s", "end_s"]].to_numpy(dtype=float)
    if not np.all(np.isfinite(times)) or np.any(times != np.round(times)):
        raise InputError.single(
            "sacct prints whole seconds: round the trace's times first", field="submit_s/start_s/end_s"
        )
    accounts = accounts or {}
    lines = ["|".join(FIELDS)]
    stamp = (
        (t0 + pd.to_timedelta(times.ravel(), unit="s")).strftime(TIME_FORMAT).to_numpy().reshape(times.shape)
    )
    for i, row in enumerate(log.itertuples(index=False)):
        gpu_class = str(getattr(row, "gpu_class", "") or "")
        typed = f"gres/gpu:{gpu_class}={row.n_gpus}," if gpu_class else ""
        tres = f"cpu={row.n_gpus},{typed}gres/gpu={row.n_gpus},node=1"
        lines.append(
            "|".join(
                [
                    str(row.job_id),
                    accounts.get(str(row.tenant), str(row.tenant)),
                    f"u{i % 97:02d}",
                    "gpu",
                    stamp[i, 0],
                    stamp[i, 1],
                    stamp[i, 2],
                    format_elapsed(times[i, 2] - times[i, 1]),
                    "COMPLETED",
                    tres,
                    tres,
                    "1",
                ]
            )
        )
    return "\n".join(lines) + "\n"
