"""What the report shows, independent of language and format: headline figures and tables.

Both the HTML and the xlsx are rendered from these, so the numbers in the two always agree
with each other and with the stage results. Tables are found by walking each stage's result
(DataFrames, dicts of scalars, nested result objects, lists of records), so a field a stage
adds later appears in the report without a change here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Report sections, in order; "scenario" is the scenario itself. Same names as ``Result``'s attributes.
STAGES = ("survey", "demand", "design", "plan", "simulation", "energy", "economics")
#: Columns never shown in a report: survey respondents' personal contact data.
PRIVATE_COLUMNS = ("contact_email", "contact_name", "contact_phone", "email", "phone")
#: Largest table shown in the HTML; longer ones are charted and written in full to xlsx / Parquet.
HTML_MAX_ROWS = 40
#: Largest table written to a sheet of the xlsx, in cells: openpyxl writes only ~15,000 cells/s
#: without lxml, so an 8,760-hour table goes to CSV (which Excel opens) and Parquet instead.
XLSX_MAX_CELLS = 50_000


@dataclass(frozen=True, slots=True)
class Figure:
    """One headline number: its label key, the stage it comes from, its value and how to write it."""

    key: str
    stage: str
    value: Any
    kind: str  # power_kw, krw, area_m2, frac, duration_s, count, ratio, year, text or a unit symbol


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a stage: a dotted name (``power``, ``fleet.servers``) and its frame."""

    name: str
    frame: pd.DataFrame


def at(obj: Any, path: str) -> Any:
    """Return ``obj.a.b`` (attributes or mapping keys) for ``path="a.b"``, or None if absent.

    Examples
    --------
    >>> at({"a": {"b": 2}}, "a.b")
    2
    >>> at({"a": 1}, "a.c") is None
    True
    """
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
    return obj


def _count(checks: Any, ok: bool | None) -> int | None:
    """Count the design checks (``ok=None``), or those whose ``ok`` is ``ok``."""
    if not isinstance(checks, list):
        return None
    return sum(1 for c in checks if ok is None or bool(getattr(c, "ok", True)) is ok)


def _rows(frame: Any) -> int | None:
    return len(frame) if isinstance(frame, pd.DataFrame) else None


def _total(obj: Any) -> float | None:
    return None if not isinstance(obj, dict) else float(sum(obj.values()))


def _capex_total_krw(economics: Any) -> float | None:
    total = at(economics, "summary.capex_krw")
    if total is not None:
        return float(total)
    capex = at(economics, "capex")
    if isinstance(capex, pd.DataFrame):
        col = next((c for c in capex.columns if str(c).endswith("_krw")), None)
        return None if col is None else float(capex[col].sum())
    return None


def _peak_gpus_demand(demand: Any) -> float | None:
    by_year = at(demand, "by_year")
    if not isinstance(by_year, pd.DataFrame) or "peak_gpus" not in by_year:
        return None
    return float(by_year.groupby("year")["peak_gpus"].sum().max())


def phase2_year(plan: Any) -> int | None:
    """Return the first year after the first build year in which the plan builds again, if any."""
    explicit = at(plan, "phase2_year")
    if explicit is not None:
        return int(explicit)
    schedule = at(plan, "schedule")
    if not isinstance(schedule, pd.DataFrame) or "year" not in schedule or schedule.empty:
        return None
    years = sorted({int(y) for y in schedule["year"]})
    return years[1] if len(years) > 1 else None


#: Headline figures: label key, stage (or "scenario"), how to read it from that stage's result, kind.
HEADLINES: tuple[tuple[str, str, Callable[[Any], Any], str], ...] = (
    ("it_capacity", "scenario", lambda s: s.power.it_capacity_kw, "power_kw"),
    ("site_area", "scenario", lambda s: s.site.site_area_m2, "area_m2"),
    ("max_floors", "scenario", lambda s: s.site.max_floors, "count"),
    ("n_respondents", "survey", lambda r: _rows(at(r, "respondents")), "count"),
    ("peak_gpus_demand", "demand", _peak_gpus_demand, "count"),
    ("n_servers", "design", lambda d: _total(at(d, "fleet.servers")), "count"),
    ("n_gpus", "design", lambda d: at(d, "fleet.n_gpus"), "count"),
    ("it_power", "design", lambda d: at(d, "fleet.it_power_kw"), "power_kw"),
    ("grid_contract", "design", lambda d: at(d, "power.grid_contract_kw"), "power_kw"),
    ("facility_peak", "design", lambda d: at(d, "power.facility_peak_kw"), "power_kw"),
    ("design_pue", "design", lambda d: at(d, "cooling.design_pue"), "ratio"),
    ("n_racks", "design", lambda d: at(d, "layout.n_racks"), "count"),
    ("floors_used", "design", lambda d: at(d, "layout.floors_used"), "count"),
    ("gross_floor_area", "design", lambda d: at(d, "layout.gross_floor_area_m2"), "area_m2"),
    ("binding_limit", "design", lambda d: at(d, "binding_limit"), "text"),
    ("n_checks", "design", lambda d: _count(at(d, "checks"), None), "count"),
    ("n_checks_failed", "design", lambda d: _count(at(d, "checks"), False), "count"),
    ("phase2_year", "plan", phase2_year, "year"),
    ("plan_binding_limit", "plan", lambda p: at(p, "binding_limit"), "text"),
    ("utilization", "simulation", lambda s: at(s, "summary.utilization_frac"), "frac"),
    ("mean_wait", "simulation", lambda s: at(s, "summary.mean_wait_s"), "duration_s"),
    ("p95_wait", "simulation", lambda s: at(s, "summary.p95_wait_s"), "duration_s"),
    ("facility_energy", "energy", lambda e: at(e, "annual.facility_energy_mwh"), "MWh"),
    ("annual_pue", "energy", lambda e: at(e, "annual.pue"), "ratio"),
    ("bill", "energy", lambda e: at(e, "annual.bill_krw"), "krw"),
    ("carbon", "energy", lambda e: at(e, "annual.carbon_t"), "t"),
    ("capex", "economics", _capex_total_krw, "krw"),
    ("phase1_capex", "economics", lambda e: at(e, "summary.phase1_capex_krw"), "krw"),
    ("npv", "economics", lambda e: at(e, "summary.npv_krw"), "krw"),
    ("irr", "economics", lambda e: at(e, "summary.irr_frac"), "frac"),
    ("payback", "economics", lambda e: at(e, "summary.payback_y"), "y"),
    ("price_per_gpu_h", "economics", lambda e: at(e, "summary.lcoe_krw_per_gpu_h"), "KRW/GPU·h"),
)


def headline(result: Any) -> list[Figure]:
    """Return the headline figures of a run, in report order; a missing stage gives no figure."""
    figures = []
    for key, stage, read, kind in HEADLINES:
        source = result.scenario if stage == "scenario" else getattr(result, stage)
        if source is None:
            continue
        value = _plain(read(source))
        # NaN is how a stage says "none" (no payback within the horizon): not a figure to show
        if value is not None and not (isinstance(value, float) and not math.isfinite(value)):
            figures.append(Figure(key, stage, value, kind))
    return figures


def _plain(value: Any) -> Any:
    # numpy scalars -> Python numbers, so templates, JSON and openpyxl treat them alike.
    return value.item() if isinstance(value, np.generic) else value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | np.generic) or value is None


def is_record(value: Any) -> bool:
    """Return True for a result object (dataclass or pydantic model)."""
    return dataclasses.is_dataclass(value) or hasattr(value, "model_dump")


def fields(obj: Any) -> dict[str, Any]:
    """Return the fields of a result object (or a mapping) by name."""
    if dataclasses.is_dataclass(obj):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if hasattr(obj, "model_dump"):
        return {name: getattr(obj, name) for name in type(obj).model_fields}
    return dict(obj) if isinstance(obj, dict) else {}


def _key_value(items: dict[str, Any]) -> pd.DataFrame:
    rows = [(k, _plain(v)) for k, v in items.items() if _is_scalar(v) and v is not None]
    return pd.DataFrame(rows, columns=["quantity", "value"])


def tables(obj: Any, name: str = "") -> list[Table]:
    """Return every table in a stage result: its scalar fields first, then frames and sub-records.

    Examples
    --------
    >>> [t.name for t in tables({"n_racks": 3, "halls": {"a": 1.0}})]
    ['', 'halls']
    """
    out: list[Table] = []
    items = fields(obj)
    scalars = _key_value(items)
    if not scalars.empty:
        out.append(Table(name, scalars))
    for key, value in items.items():
        sub = f"{name}.{key}" if name else key
        if isinstance(value, pd.DataFrame):
            out.append(Table(sub, value.drop(columns=[c for c in PRIVATE_COLUMNS if c in value.columns])))
        elif isinstance(value, pd.Series):
            out.append(Table(sub, value.to_frame()))
        elif isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
            out.append(Table(sub, pd.DataFrame({"note": list(value)})))  # a stage's notes and fallbacks
        elif isinstance(value, list) and value and all(is_record(v) for v in value):
            out.append(Table(sub, pd.DataFrame([fields(v) for v in value])))
        elif isinstance(value, dict) and value and all(_is_scalar(v) for v in value.values()):
            out.append(Table(sub, _key_value(value)))
        elif is_record(value) or (isinstance(value, dict) and value):
            out.extend(tables(value, sub))
    return out
