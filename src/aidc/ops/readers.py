"""GPU telemetry, metered electricity, bills and the account map, read as their tools write them.

- GPU telemetry: the JSON body of a Prometheus ``/api/v1/query_range`` call
  (``{"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {...},
  "values": [[unix_time, "value"], ...]}]}}``) over the DCGM exporter's
  ``DCGM_FI_DEV_GPU_UTIL`` [%] and ``DCGM_FI_DEV_POWER_USAGE`` [W].
- Meter: a 15-minute load profile CSV (timestamp, kW) as utilities' customer portals
  export it; Korean or English headers; ``24:00`` is read as the next day's ``00:00``.
- Bills: one row per month (month, kWh, peak kW, won).
- Accounts: which Slurm account or partition belongs to which tenant class.

References
----------
Prometheus, HTTP API, "Range queries" and "Range vectors",
https://prometheus.io/docs/prometheus/latest/querying/api/ ; NVIDIA, DCGM Exporter
default counters, https://github.com/NVIDIA/dcgm-exporter/blob/main/etc/default-counters.csv
(``DCGM_FI_DEV_GPU_UTIL`` "GPU utilization (in %)", ``DCGM_FI_DEV_POWER_USAGE`` "Power draw (in W)").
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aidc import data
from aidc.errors import InputError, Problem
from aidc.units import PCT_PER_FRAC, S_PER_H

#: DCGM field -> our column (with its unit) and the factor from the exporter's unit.
DCGM_METRICS: dict[str, tuple[str, float]] = {
    "DCGM_FI_DEV_GPU_UTIL": ("gpu_util_frac", 1.0 / PCT_PER_FRAC),
    "DCGM_FI_DEV_POWER_USAGE": ("gpu_power_w", 1.0),
}
#: Header of a portal export -> our name (pvlib's VARIABLE_MAP); compared case-insensitively.
METER_HEADERS = {
    "timestamp": "timestamp",
    "time": "timestamp",
    "datetime": "timestamp",
    "일시": "timestamp",
    "측정일시": "timestamp",
    "kw": "power_kw",
    "power_kw": "power_kw",
    "power (kw)": "power_kw",
    "전력(kw)": "power_kw",
    "유효전력(kw)": "power_kw",
    "load_kw": "power_kw",
}
BILL_HEADERS = {
    "month": "month",
    "청구년월": "month",
    "사용년월": "month",
    "kwh": "energy_kwh",
    "energy_kwh": "energy_kwh",
    "사용량(kwh)": "energy_kwh",
    "peak_kw": "peak_kw",
    "최대수요(kw)": "peak_kw",
    "won": "bill_krw",
    "bill_krw": "bill_krw",
    "청구금액(원)": "bill_krw",
}
ACCOUNT_HEADERS = {
    "match": "match",
    "구분": "match",
    "name": "name",
    "이름": "name",
    "tenant_class": "tenant_class",
    "이용자유형": "tenant_class",
}


def _where(path: Path, line: int | None = None, field: str | None = None) -> dict[str, Any]:
    return {"file": str(path), "line": line, "field": field}


def read_prometheus(path: str | Path) -> pd.DataFrame:
    """Read a Prometheus ``query_range`` JSON export of DCGM metrics into a tidy table.

    Returns
    -------
    pandas.DataFrame
        ``time`` (civil time, ``ops.utc_offset_h`` from UTC), ``host``, ``gpu``, and one column
        per metric found: ``gpu_util_frac`` [0-1], ``gpu_power_w`` [W]. ``NaN`` samples are kept
        as missing.
    """
    path = Path(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError.single("not JSON", file=str(path), line=exc.lineno, found=exc.msg) from None
    if not isinstance(body, dict) or body.get("status") != "success":
        raise InputError.single(
            "not a successful Prometheus API response",
            **_where(path, field="status"),
            found=body.get("status") if isinstance(body, dict) else type(body).__name__,
            expected="success",
        )
    result = body.get("data", {})
    if result.get("resultType") != "matrix":
        raise InputError.single(
            "not a range query result",
            **_where(path, field="data.resultType"),
            found=result.get("resultType"),
            expected="matrix (from /api/v1/query_range)",
        )
    offset_h = float(data.value("ops.utc_offset_h"))
    frames, problems = [], []
    for i, series in enumerate(result.get("result", [])):
        metric = series.get("metric", {})
        name = metric.get("__name__", "")
        if name not in DCGM_METRICS:
            problems.append(
                Problem(
                    "not a DCGM metric aidc reads",
                    **_where(path, field=f"data.result[{i}].metric"),
                    found=name,
                    expected=", ".join(DCGM_METRICS),
                )
            )
            continue
        column, factor = DCGM_METRICS[name]
        try:
            pairs = np.array([(float(t), float(v)) for t, v in series.get("values", [])], dtype=float)
        except (TypeError, ValueError):
            problems.append(
                Problem(
                    'samples must be [unix_time, "value"] pairs',
                    **_where(path, field=f"data.result[{i}].values"),
                )
            )
            continue
        pairs = pairs.reshape(-1, 2)
        time = pd.to_datetime(pairs[:, 0] + offset_h * S_PER_H, unit="s")
        host = metric.get("Hostname") or metric.get("instance", "")
        frames.append(
            pd.DataFrame(
                {
                    "time": time,
                    "host": host,
                    "gpu": str(metric.get("gpu", "")),
                    "metric": column,
                    "value": pairs[:, 1] * factor,
                }
            )
        )
    if problems:
        raise InputError(problems)
    if not frames:
        return pd.DataFrame(columns=["time", "host", "gpu"])
    long = pd.concat(frames, ignore_index=True)
    # one row per sample time and GPU that has any metric (no empty cartesian product)
    wide = long.groupby(["time", "host", "gpu", "metric"])["value"].mean().unstack("metric")
    return wide.reset_index().rename_axis(columns=None)


def _csv_rows(
    path: Path, headers: dict[str, str], needed: tuple[str, ...]
) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise InputError.single("empty file", file=str(path))
    names = [headers.get(h.strip().lower(), h.strip()) for h in rows[0]]
    missing = [n for n in needed if n not in names]
    if missing:
        raise InputError.single(
            "missing columns", file=str(path), line=1, found=",".join(rows[0]), expected=", ".join(missing)
        )
    return names, rows[1:]


def _number(text: str) -> float:
    value = float(text.replace(",", "").strip())
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def _meter_time(text: str) -> pd.Timestamp:
    text = text.strip()
    # Portals write the interval ending at midnight as 24:00 of the day it ends.
    if text.endswith("24:00") or text.endswith("24:00:00"):
        day = text.split(" ")[0]
        return pd.Timestamp(day) + pd.Timedelta(days=1)
    return pd.Timestamp(text)


def read_meter(path: str | Path) -> pd.DataFrame:
    """Read a 15-minute load profile: ``timestamp`` (end of the interval) and ``power_kw`` [kW].

    Each timestamp must lie on the ``ops.meter_interval_min`` grid and appear once.

    Returns
    -------
    pandas.DataFrame
        ``timestamp, power_kw, energy_kwh`` (the interval's energy), sorted by time.
    """
    path = Path(path)
    names, rows = _csv_rows(path, METER_HEADERS, ("timestamp", "power_kw"))
    it, ip = names.index("timestamp"), names.index("power_kw")
    step_min = int(data.value("ops.meter_interval_min"))
    times, power, problems = [], [], []
    for number, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        cells = {"timestamp": row[it] if it < len(row) else "", "power_kw": row[ip] if ip < len(row) else ""}
        try:
            t = _meter_time(cells["timestamp"])
            bad = ("time off the metering grid", "timestamp", f"a multiple of {step_min} minutes") \
                if t.minute % step_min or t.second else None
        except ValueError:
            bad = ("cannot read the time", "timestamp", "YYYY-MM-DD HH:MM")
        if bad is None:
            try:
                power.append(_number(cells["power_kw"]))
                times.append(t)
                continue
            except ValueError:
                bad = ("cannot read the power", "power_kw", "a number of kW >= 0")
        problems.append(Problem(bad[0], **_where(path, number, bad[1]), found=cells[bad[1]], expected=bad[2]))
    out = pd.DataFrame({"timestamp": pd.to_datetime(times), "power_kw": power})
    dup = out["timestamp"].duplicated(keep="first").to_numpy()
    problems += [
        Problem(
            "interval given twice",
            **_where(path, None, "timestamp"),
            found=str(t),
        )
        for t in out["timestamp"][dup][:20]
    ]
    if problems:
        raise InputError(problems[:50])
    out = out.sort_values("timestamp", ignore_index=True)
    out["energy_kwh"] = out["power_kw"] * step_min / (S_PER_H / 60)
    return out


def read_bills(path: str | Path) -> pd.DataFrame:
    """Read monthly bills: ``month`` (YYYY-MM), ``energy_kwh`` [kWh], ``peak_kw`` [kW], ``bill_krw`` [KRW]."""
    path = Path(path)
    needed = ("month", "energy_kwh", "peak_kw", "bill_krw")
    names, rows = _csv_rows(path, BILL_HEADERS, needed)
    out: dict[str, list[object]] = {n: [] for n in needed}
    problems = []
    for number, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        values: dict[str, object] = {}
        for name in needed:
            text = row[names.index(name)] if names.index(name) < len(row) else ""
            try:
                values[name] = (
                    pd.Period(text.strip().replace(".", "-"), freq="M") if name == "month" else _number(text)
                )
            except ValueError:
                problems.append(
                    Problem(
                        "cannot read this field",
                        **_where(path, number, name),
                        found=text,
                        expected="YYYY-MM" if name == "month" else "a number >= 0",
                    )
                )
        if len(values) == len(needed):
            for name in needed:
                out[name].append(values[name])
    if problems:
        raise InputError(problems[:50])
    frame = pd.DataFrame(out)
    frame["month"] = frame["month"].astype(str)
    return frame


def read_accounts(path: str | Path) -> pd.DataFrame:
    """Read the account map: ``match`` (account or partition), ``name``, ``tenant_class``.

    Tenant classes must be those of the survey (``aidc/data/survey/tenant_classes.yaml``).
    """
    path = Path(path)
    names, rows = _csv_rows(path, ACCOUNT_HEADERS, ("match", "name", "tenant_class"))
    classes = set(data.load_yaml("survey/tenant_classes.yaml"))
    out, problems = [], []
    for number, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        rec = {
            n: (row[names.index(n)].strip() if names.index(n) < len(row) else "")
            for n in ("match", "name", "tenant_class")
        }
        if rec["match"] not in ("account", "partition"):
            problems.append(
                Problem(
                    "unknown match",
                    **_where(path, number, "match"),
                    found=rec["match"],
                    expected="account or partition",
                )
            )
        elif rec["tenant_class"] not in classes:
            problems.append(
                Problem(
                    "unknown tenant class",
                    **_where(path, number, "tenant_class"),
                    found=rec["tenant_class"],
                    expected=", ".join(sorted(classes)),
                )
            )
        elif not rec["name"]:
            problems.append(Problem("empty name", **_where(path, number, "name")))
        else:
            out.append(rec)
    if problems:
        raise InputError(problems[:50])
    return pd.DataFrame(out, columns=["match", "name", "tenant_class"])


def tenant_classes(jobs: pd.DataFrame, accounts: pd.DataFrame | None) -> pd.Series:
    """Return each job's tenant class: by account first, then by partition; else ``unmapped``.

    Without an account map, the account itself is the class (the twin writes class names).
    """
    if accounts is None:
        return jobs["account"].where(jobs["account"] != "", "unmapped")
    by_account = dict(accounts.loc[accounts["match"] == "account", ["name", "tenant_class"]].to_numpy())
    by_partition = dict(accounts.loc[accounts["match"] == "partition", ["name", "tenant_class"]].to_numpy())
    cls = jobs["account"].map(by_account)
    cls = cls.fillna(jobs["partition"].map(by_partition))
    return cls.fillna("unmapped").astype(str)
