"""The report's tables as a planner's workbook: numbers as numbers, units in the headers.

At most a dozen sheets, named in the report's language: 요약 (the headline figures and the run's
provenance; the machine key of each figure in a hidden last column), one sheet per stage (its
tables one under the other, each with a title row and a bold header), 시계열 (the long series as
one tidy table: table, year or row, variable with its unit, value), 가정 and 출처. Fractions are
stored as fractions with a percent format, so Excel shows 72.3 % and computes with 0.723; large
numbers have thousands separators. Widths fit the content, the first header is frozen and
filtered, and text that would start a formula (``=``, ``+``, ``-``, ``@``) is stored as text.
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

from aidc import i18n, units
from aidc.report import checks, content, estimates, provenance
from aidc.report.cells import is_formula_like
from aidc.report.html import table_title
from aidc.report.i18n import Text, split_unit

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_PERCENT = "0.0%"
_THOUSANDS = "#,##0"
_THOUSANDS_FROM = 1_000  # smaller numbers keep Excel's General format and all their decimals
_UNIT_BY_KIND = {"power_kw": "kW", "krw": "KRW", "area_m2": "m²", "frac": "%", "duration_s": "s"}
#: Money in the Korean workbook: 억 원 (10^8 won, the unit of Korean budgets) with one decimal.
_EOK = "#,##0.0"


def _in_eok(t: Text, name: str) -> bool:
    """Return True if column ``name`` is a sum of won that the Korean workbook writes in 억 원."""
    return t.lang == "ko" and split_unit(name)[1] == "KRW"


def _header(t: Text, name: str) -> str:
    """Return the header of column ``name``: its term with its unit (``설비투자비 [억 원]``)."""
    if _in_eok(t, name):
        return f"{t.column(name).split(' [')[0]} [{t('xlsx.unit.eok_krw')}]"
    return t.column(name)


def _eok(t: Text, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its sums of won in 억 원 when the workbook is Korean."""
    money = [c for c in frame.columns if _in_eok(t, str(c)) and pd.api.types.is_numeric_dtype(frame[c])]
    if not money:
        return frame
    out = frame.copy()
    out[money] = out[money] / units.KRW_PER_EOK
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if not isinstance(value, str | int | float | bool) and value is not None:
        value = str(value)
    return value


def _cell(ws: Any, value: Any, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
    value = _plain(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and is_formula_like(value):
        # Text from users (an organisation named "=HYPERLINK(...)") is stored as text, never a formula.
        cell.data_type = "s"
        cell.quotePrefix = True
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


def _column_format(name: Any, column: pd.Series, eok: bool = False) -> str | None:
    if str(name).endswith("_frac"):
        return _PERCENT
    if eok:
        return _EOK
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and str(name) != "year" and column.abs().max() >= _THOUSANDS_FROM:
        return _THOUSANDS
    return None


#: Rows above which a table leaves its stage sheet for the one tidy series sheet.
LONG_ROWS = content.HTML_MAX_ROWS
#: Column widths in characters (a Hangul syllable counts two): at least and at most.
WIDTH_MIN, WIDTH_MAX = 8, 60
#: Sheets of the workbook in order; a stage without result has no sheet.
SHEETS = ("summary", *content.STAGES, "series", "assumptions", "sources", "estimates")


def sheet_title(t: Text, name: str) -> str:
    """Return the sheet name of ``name`` (``summary`` -> ``요약`` in Korean), at most 31 characters."""
    return _BAD_SHEET_CHARS.sub(" ", t(f"xlsx.sheet.{name}"))[:31]


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if "\u1100" <= ch <= "\uffdc" else 1 for ch in text)


class _Sheet:
    """One sheet being written: rows kept until the end, so widths fit the content."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[list[tuple[Any, str | None, bool]]] = []
        self.header_row: int | None = None
        self.filter_cols = 0

    def add(self, values: list[Any], formats: list[str | None] | None = None, bold: bool = False) -> None:
        fmts = formats or [None] * len(values)
        self.rows.append([(v, f, bold) for v, f in zip(values, fmts, strict=True)])

    def header(self, values: list[Any]) -> None:
        if self.header_row is None:  # the first table's header is frozen and filtered
            self.header_row, self.filter_cols = len(self.rows) + 1, len(values)
        self.add(values, bold=True)

    def save(self, wb: Workbook, hidden_last: bool = False) -> None:
        from openpyxl.utils import get_column_letter

        ws = wb.create_sheet(self.title)
        n_cols = max((len(r) for r in self.rows), default=0)
        # a table's title row (one cell) may be long: it spills over, it does not set a width
        cells = [r for r in self.rows if len(r) > 1]
        for i in range(n_cols):
            width = max((_width(r[i][0]) for r in cells if i < len(r)), default=WIDTH_MIN)
            dim = ws.column_dimensions[get_column_letter(i + 1)]
            dim.width = min(WIDTH_MAX, max(WIDTH_MIN, width + 2))
            if hidden_last and i == n_cols - 1:
                dim.hidden = True
        if self.header_row is not None:
            ws.freeze_panes = f"A{self.header_row + 1}"
            last = sum(1 for _ in self.rows[self.header_row:]) + self.header_row
            if self.filter_cols:
                ws.auto_filter.ref = f"A{self.header_row}:{get_column_letter(self.filter_cols)}{last}"
        for row in self.rows:
            # styled cells cost ~10x plain values in openpyxl: only cells that need it get one
            ws.append([_cell(ws, v, f, b) if f or b or (isinstance(v, str) and is_formula_like(v))
                       else _plain(v) for v, f, b in row])


def _table_rows(sheet: _Sheet, t: Text, name: str, title: str, frame: pd.DataFrame) -> None:
    sheet.add([title], bold=True)
    if list(frame.columns) == ["quantity", "value"]:
        sheet.header([t("ui.quantity"), t("ui.value"), t("ui.unit")])
        for q, v in frame.itertuples(index=False):
            _, symbol = split_unit(str(q))
            label = t.column(str(q)).split(" [")[0]
            if _in_eok(t, str(q)) and isinstance(v, int | float) and not isinstance(v, bool):
                sheet.add([label, v / units.KRW_PER_EOK, t("xlsx.unit.eok_krw")], [None, _EOK, None])
                continue
            sheet.add([label, _value(t, v), t.unit(symbol)], [None, _format_of(str(q), v), None])
        sheet.add([])
        return
    columns = [str(c) for c in frame.columns]
    if frame.size > content.XLSX_MAX_CELLS:
        sheet.add([t("ui.xlsx_too_large", rows=t.num(len(frame)), columns=len(columns),
                     csv=f"data/{name.replace('.', '/', 1)}.csv")])
        sheet.add([])
        return
    sheet.header([_header(t, c) for c in columns])
    formats = [_column_format(c, frame[c], _in_eok(t, str(c))) for c in frame.columns]
    frame = _eok(t, frame)
    for row in frame.itertuples(index=False):
        sheet.add([_column_value(t, c, v) for c, v in zip(columns, row, strict=True)], formats)
    sheet.add([])


def _value(t: Text, value: Any) -> Any:
    """Return a cell value in the workbook's language: a text value that names a key gets its label."""
    if isinstance(value, str | dict | list):
        return checks.text_value(t, value)
    return value


def _column_value(t: Text, column: str, value: Any) -> Any:
    """Return a cell of ``column``: identifiers, titles and respondents' words as they are, units written."""
    if content.column_mark(column):
        return value
    if column == "unit" and isinstance(value, str):
        return t.unit(value)
    return _value(t, value)


def _tidy(frames: list[tuple[str, pd.DataFrame]], t: Text) -> pd.DataFrame:
    """Return long tables as one tidy frame: table, year (or row), label, variable with unit, value."""
    parts = []
    for title, frame in frames:
        numeric = _eok(t, frame.select_dtypes("number"))
        key = next((c for c in ("year", "hour", "t_h", "month") if c in numeric.columns), None)
        labels = frame.drop(columns=numeric.columns)
        long = pd.DataFrame({
            "table": title,
            "row": numeric[key].to_numpy() if key else range(1, len(frame) + 1),
            "label": [" / ".join(str(_value(t, v)) for v in r) for r in labels.itertuples(index=False)],
        }).join(numeric.drop(columns=[key] if key else []).reset_index(drop=True))
        long = long.rename(columns={c: _header(t, str(c)) for c in numeric.columns})
        long = long.melt(id_vars=["table", "row", "label"], var_name="variable")
        parts.append(long)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out.rename(columns={c: t(f"xlsx.col.{c}") for c in out.columns})


def _tidy_cells(frame: pd.DataFrame) -> int:
    """Return the cells a table takes in tidy form (five columns per value)."""
    return len(frame) * frame.select_dtypes("number").shape[1] * 5


def _write_summary(wb: Workbook, t: Text, result: Any) -> None:
    sheet = _Sheet(sheet_title(t, "summary"))
    sheet.add([t("section.summary")], bold=True)
    sheet.header([t("ui.quantity"), t("ui.value"), t("ui.unit"), t("ui.stage"), "key"])
    for f in content.headline(result):
        unit = "" if f.kind in ("count", "ratio", "year", "text") else _UNIT_BY_KIND.get(f.kind, f.kind)
        value = checks.free_value(t, f.value) if f.kind == "text" else f.value
        fmt = _PERCENT if f.kind == "frac" else _format_of(f.key, value)
        unit_text = t.unit(unit)
        if f.kind == "krw" and t.lang == "ko" and isinstance(value, int | float):
            value, fmt, unit_text = value / units.KRW_PER_EOK, _EOK, t("xlsx.unit.eok_krw")
        sheet.add([t(f"headline.{f.key}"), value, unit_text, t(f"section.{f.stage}"), f.key],
                  [None, fmt, None, None, None])
    sheet.add([])
    for key, label, value in (("aidc_version", t("ui.version"), result.aidc_version),
                              ("scenario_hash", t("ui.scenario_hash"), result.scenario_hash),
                              ("seed", t("ui.seed"), result.seed),
                              ("scenario", t("ui.scenario"), result.scenario.name)):
        sheet.add([label, value, None, None, key])
    for stage, why in result.missing.items():
        why_shown = i18n.gettext(why, t.lang)  # the pipeline's reasons are catalog ids
        sheet.add([t(f"section.{stage}"), f"{t('ui.not_available')}: {why_shown}", None, None,
                   f"missing.{stage}"])
    # the machine key (last column) stays for programs reading the workbook, hidden from readers
    sheet.save(wb, hidden_last=True)


def write(result: Any, t: Text, path: Path) -> None:
    """Write the workbook of ``result`` to ``path``: 요약 first, one sheet per stage, series, sources."""
    wb = Workbook(write_only=True)
    _write_summary(wb, t, result)
    long_tables: list[tuple[str, pd.DataFrame]] = []
    for stage in content.STAGES:
        obj = getattr(result, stage)
        if obj is None:
            continue
        sheet = _Sheet(sheet_title(t, stage))
        for table in content.tables(obj):
            name = f"{stage}.{table.name}" if table.name else stage
            title = t(f"section.{stage}")
            title = f"{title} — {table_title(t, table.name)}" if table.name else title
            frame = checks.localize(t, table.frame) if checks.is_checks(table.frame) else table.frame
            title = checks.mark_original(t, title) if checks.is_free_text(t, frame) else title
            if len(frame) > LONG_ROWS and frame.select_dtypes("number").shape[1]:
                long_tables.append((title, frame))
                sheet.add([title], bold=True)
                sheet.add([t("xlsx.in_series", sheet=sheet_title(t, "series"))])
                sheet.add([])
                continue
            _table_rows(sheet, t, name, title, frame)
        sheet.save(wb)
    series = _Sheet(sheet_title(t, "series"))
    fits = [(title, f) for title, f in long_tables if _tidy_cells(f) <= content.XLSX_MAX_CELLS]
    if fits:
        _table_rows(series, t, "series", t("xlsx.sheet.series"), _tidy(fits, t))
    for title, frame in long_tables:
        if _tidy_cells(frame) > content.XLSX_MAX_CELLS:
            # the hourly tables: a note each, their data in data/*.csv and Parquet
            series.add([title], bold=True)
            series.add([t("ui.xlsx_too_large", rows=t.num(len(frame)), columns=frame.shape[1], csv="data/")])
    series.save(wb)
    scenario = result.scenario
    for name, frame in (("assumptions", provenance.assumptions(scenario)),
                        ("sources", provenance.sources(scenario))):
        sheet = _Sheet(sheet_title(t, name))
        _table_rows(sheet, t, name, t(f"section.{name}"), frame)
        sheet.save(wb)
    used = result.summary.estimates_used if getattr(result, "summary", None) is not None else ()
    if used:  # the Summary's one list of estimates, as the CLI's footnote and the report name it
        sheet = _Sheet(sheet_title(t, "estimates"))
        sheet.add([estimates.note(t, used, "*")])
        sheet.add([])
        _table_rows(sheet, t, "estimates", t("section.estimates"), estimates.table(t, used))
        sheet.save(wb)
    wb.save(path)
