"""What the report shows, independent of language and format: headline figures and tables.

Both the HTML and the xlsx are rendered from these, so the numbers in the two always agree
with each other and with the stage results. Tables are found by walking each stage's result
(DataFrames, dicts of scalars, nested result objects, lists of records), so a field a stage
adds later appears in the report without a change here.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Report sections, in order; "scenario" is the scenario itself. Same names as ``Result``'s attributes.
STAGES = ("survey", "demand", "design", "plan", "simulation", "energy", "economics")
#: Columns never shown in a report: survey respondents' personal contact data.
PRIVATE_COLUMNS = ("contact_email", "contact_name", "contact_phone", "email", "phone")
#: Columns whose cells are not the report's own words, by what they hold; the HTML marks them so
#: that a reader's translation tool (and the test of English in Korean output) leaves them alone:
#: machine identifiers (written as code), publications cited by their own title (``lang="en"``),
#: and what respondents typed (as typed, ``translate="no"``).
CODE_COLUMNS = ("key", "field", "respondent_id", "need_id")
ORIGINAL_COLUMNS = ("source", "default_from")
USER_TEXT_COLUMNS = ("organisation", "course_name", "system_name", "description")


def column_mark(column: str) -> str:
    """Return how a column's cells are marked: ``code``, ``original``, ``user`` or ``""`` (own words).

    Examples
    --------
    >>> column_mark("source"), column_mark("organisation"), column_mark("need_id"), column_mark("n_gpus")
    ('original', 'user', 'code', '')
    """
    if column in CODE_COLUMNS:
        return "code"
    if column in ORIGINAL_COLUMNS:
        return "original"
    return "user" if column in USER_TEXT_COLUMNS else ""


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


#: Headline figures: label key, the stage they come from, the :class:`aidc.summary.Summary` field, kind.
#: The report computes none of them: every figure is the run's one Summary.
HEADLINES: tuple[tuple[str, str, str, str], ...] = (
    ("warnings", "scenario", "warnings", "text"),
    ("it_capacity", "scenario", "it_capacity_kw", "power_kw"),
    ("site_area", "scenario", "site_area_m2", "area_m2"),
    ("max_floors", "scenario", "floors_allowed_n", "count"),
    ("n_respondents", "survey", "n_respondents", "count"),
    ("peak_gpus_demand", "demand", "gpu_demand_peak_n", "count"),
    ("gpu_gap", "design", "gpu_gap_n", "count"),
    ("gpu_need_sum_of_peaks", "demand", "gpu_need_sum_of_peaks_n", "count"),
    ("phase1_meets_until", "design", "phase1_meets_until_year", "year"),
    ("gpu_first_short", "design", "gpu_first_short_year", "year"),
    ("gpu_first_short_n", "design", "gpu_first_short_n", "count"),
    ("service_n_gpus", "plan", "service_n_gpus", "count"),
    ("service_binding_class", "plan", "service_binding_class", "text"),
    ("n_servers", "design", "n_servers", "count"),
    ("n_gpus", "design", "n_gpus", "count"),
    ("it_power", "design", "it_power_kw", "power_kw"),
    ("grid_contract", "design", "grid_contract_kw", "power_kw"),
    ("facility_peak", "design", "facility_peak_kw", "power_kw"),
    ("design_pue", "design", "design_pue", "ratio"),
    ("n_racks", "design", "n_racks", "count"),
    ("floors_used", "design", "floors_used_n", "count"),
    ("gross_floor_area", "design", "gross_floor_area_m2", "area_m2"),
    ("site_use", "design", "site_use_frac", "frac"),
    ("binding_limit", "design", "tightest_check", "text"),
    ("tightest_check_margin", "design", "tightest_check_margin_frac", "frac"),
    ("n_checks", "design", "n_checks", "count"),
    ("n_checks_failed", "design", "n_checks_failed", "count"),
    ("phase2_year", "plan", "phase2_year", "year"),
    ("gpu_short_years", "plan", "gpu_short_years", "text"),
    ("envelope_fill", "plan", "envelope_fill_first_year_frac", "frac"),
    ("envelope_unused_capex", "economics", "envelope_unused_capex_krw", "krw"),
    ("envelope_idle_cost", "economics", "envelope_idle_cost_krw", "krw"),
    ("plan_binding_limit", "plan", "plan_binding_limit", "text"),
    ("utilization", "simulation", "sim_utilization_frac", "frac"),
    ("mean_wait", "simulation", "mean_wait_s", "duration_s"),
    ("p95_wait", "simulation", "p95_wait_s", "duration_s"),
    ("facility_energy", "energy", "facility_energy_mwh", "MWh"),
    ("annual_pue", "energy", "annual_pue", "ratio"),
    ("bill", "energy", "electricity_cost_first_year_krw", "krw"),
    ("carbon", "energy", "carbon_t", "t"),
    ("capex", "economics", "capex_krw", "krw"),
    ("phase1_capex", "economics", "phase1_capex_krw", "krw"),
    ("facility_cost_per_w", "economics", "facility_usd_per_w", "USD/W"),
    ("published_cost_per_w", "economics", "published_usd_per_w", "USD/W"),
    ("npv", "economics", "npv_krw", "krw"),
    ("irr", "economics", "irr_frac", "frac"),
    ("payback", "economics", "payback_y", "y"),
    ("min_dscr", "economics", "min_dscr", "ratio"),
    ("min_dscr_year", "economics", "min_dscr_year", "year"),
    ("min_dscr_reason", "economics", "min_dscr_reason", "text"),
    ("residual_value", "economics", "residual_value_krw", "krw"),
    ("residual_value_method", "economics", "residual_value_method", "text"),
    ("price_per_gpu_h", "economics", "cost_krw_per_gpu_h", "KRW/GPU·h"),
    ("gpu_hour_price_change", "economics", "gpu_hour_price_change_frac_per_y", "frac"),
    ("price_per_vcpu_h", "economics", "cost_krw_per_vcpu_h", "KRW/vCPU·h"),
    ("gpu_utilization_sold", "economics", "gpu_utilization_sold_frac", "frac"),
    ("vcpu_utilization_sold", "economics", "vcpu_utilization_sold_frac", "frac"),
)


def headline(result: Any) -> list[Figure]:
    """Return the headline figures of a run, in report order, from its one :class:`~aidc.summary.Summary`.

    A figure the run cannot give (a stage that did not run, no GPUs) is left out; so is an
    empty warning list or year list.
    """
    from aidc.summary import summarize

    summary = result.summary if result.summary is not None else summarize(result)
    figures = []
    for key, stage, name, kind in HEADLINES:
        value = _plain(getattr(summary, name))
        if isinstance(value, tuple):
            value = ", ".join(str(v) for v in value) or None
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
            # a stage's notes and fallbacks; object dtype keeps each Note (pandas would make it a str)
            out.append(Table(sub, pd.DataFrame({"note": pd.Series(list(value), dtype=object)})))
        elif isinstance(value, list) and value and all(is_record(v) for v in value):
            out.append(Table(sub, pd.DataFrame([fields(v) for v in value])))
        elif isinstance(value, dict) and value and all(_is_scalar(v) for v in value.values()):
            out.append(Table(sub, _key_value(value)))
        elif is_record(value) or (isinstance(value, dict) and value):
            out.extend(tables(value, sub))
    return out
