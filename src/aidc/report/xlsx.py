"""The report's tables as an Excel workbook: numbers as numbers, units in the headers.

Sheet ``summary`` holds the headline figures (label, value, unit) and the run's provenance;
then one sheet per stage table (row 1 its title, row 2 the headers, data below), then
``assumptions`` and ``sources``. Fractions are stored as fractions with a percent format,
so Excel shows 72.3 % and computes with 0.723.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from aidc.report import checks, content, provenance
from aidc.report.cells import xlsx_safe
from aidc.report.html import table_title
from aidc.report.i18n import Text, split_unit

SUMMARY_SHEET = "summary"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_PERCENT = "0.0%"
_THOUSANDS = "#,##0"
_THOUSANDS_FROM = 1_000  # smaller numbers keep Excel's General format and all their decimals
_UNIT_BY_KIND = {"power_kw": "kW", "krw": "KRW", "area_m2": "m²", "frac": "%", "duration_s": "s"}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if not isinstance(value, str | int | float | bool) and value is not None:
        value = str(value)
    return xlsx_safe(value)  # text from survey answers and scenarios must not become a formula


def _cell(ws: Any, value: Any, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
    value = _plain(value)
    cell = WriteOnlyCell(ws, value=value)
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _format_of(name: str, value: Any) -> str | None:
    if name.endswith("_frac"):
        return _PERCENT
    big = isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= _THOUSANDS_FROM
    return _THOUSANDS if big else None


def _column_format(name: Any, column: pd.Series) -> str | None:
    if str(name).endswith("_frac"):
        return _PERCENT
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and str(name) != "year" and column.abs().max() >= _THOUSANDS_FROM:
        return _THOUSANDS
    return None


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", name)[:31] or "table"
    candidate, i = base, 2
    while candidate.lower() in taken:
        suffix = f"~{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def _write_table(wb: Workbook, t: Text, name: str, title: str, frame: pd.DataFrame, taken: set[str]) -> None:
    ws = wb.create_sheet(_sheet_name(name, taken))
    ws.append([_cell(ws, title, bold=True)])
    if list(frame.columns) == ["quantity", "value"]:
        ws.append([_cell(ws, h, bold=True) for h in (t("ui.quantity"), t("ui.value"), t("ui.unit"), "key")])
        for q, v in frame.itertuples(index=False):
            _, symbol = split_unit(str(q))
            label = t.column(str(q)).split(" [")[0]
            ws.append([_cell(ws, label), _cell(ws, v, _format_of(str(q), v)), _cell(ws, t.unit(symbol)),
                       _cell(ws, str(q))])
        return
    columns = [str(c) for c in frame.columns]
    if frame.size > content.XLSX_MAX_CELLS:
        ws.append([_cell(ws, t("ui.xlsx_too_large", rows=t.num(len(frame)), columns=len(columns),
                               csv=f"data/{name.replace('.', '/', 1)}.csv"))])
        return
    ws.append([_cell(ws, t.column(c), bold=True) for c in columns])
    # Styled cells cost ~10x plain values in openpyxl, so only columns that need it get a format:
    # fractions as percent, large numbers (KRW, kWh) with thousands separators.
    formats = [_column_format(c, frame[c]) for c in frame.columns]
    for row in frame.itertuples(index=False):
        ws.append([_cell(ws, v, f) if f else _plain(v) for v, f in zip(row, formats, strict=True)])


def _write_summary(wb: Workbook, t: Text, result: Any) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.append([_cell(ws, t("section.summary"), bold=True)])
    ws.append([_cell(ws, h, bold=True) for h in ("key", t("ui.quantity"), t("ui.value"), t("ui.unit"),
                                                 t("ui.stage"))])
    for f in content.headline(result):
        unit = "" if f.kind in ("count", "ratio", "year", "text") else _UNIT_BY_KIND.get(f.kind, f.kind)
        value = checks.free_value(t, f.value) if f.kind == "text" else f.value
        fmt = _PERCENT if f.kind == "frac" else _format_of(f.key, value)
        ws.append([_cell(ws, f.key), _cell(ws, t(f"headline.{f.key}")), _cell(ws, value, fmt),
                   _cell(ws, t.unit(unit)), _cell(ws, t(f"section.{f.stage}"))])
    ws.append([])
    for key, label, value in (("aidc_version", t("ui.version"), result.aidc_version),
                              ("scenario_hash", t("ui.scenario_hash"), result.scenario_hash),
                              ("seed", t("ui.seed"), result.seed),
                              ("scenario", t("ui.scenario"), result.scenario.name)):
        ws.append([_cell(ws, key), _cell(ws, label), _cell(ws, value)])
    for stage, why in result.missing.items():
        ws.append([_cell(ws, f"missing.{stage}"), _cell(ws, t(f"section.{stage}")),
                   _cell(ws, f"{t('ui.not_available')}: {why}")])


def write(result: Any, t: Text, path: Path) -> None:
    """Write the workbook of ``result`` to ``path``."""
    wb = Workbook(write_only=True)
    taken: set[str] = {SUMMARY_SHEET}
    _write_summary(wb, t, result)
    for stage in content.STAGES:
        obj = getattr(result, stage)
        for table in content.tables(obj) if obj is not None else []:
            name = f"{stage}.{table.name}" if table.name else stage
            title = t(f"section.{stage}")
            title = f"{title} — {table_title(t, table.name)}" if table.name else title
            frame = checks.localize(t, table.frame) if checks.is_checks(table.frame) else table.frame
            title = checks.mark_original(t, title) if checks.is_free_text(t, frame) else title
            _write_table(wb, t, name, title, frame, taken)
    scenario = result.scenario
    _write_table(wb, t, "assumptions", t("section.assumptions"), provenance.assumptions(scenario), taken)
    _write_table(wb, t, "sources", t("section.sources"), provenance.sources(scenario), taken)
    wb.save(path)
