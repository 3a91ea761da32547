"""Reading survey files (xlsx, CSV in UTF-8 or CP949, YAML) into raw sheets.

This is the edge: it knows file formats, not meanings. Each reader returns the sheets as
header texts and rows of cell values, with the row number the respondent sees (the Excel
row, the CSV line, the YAML list position), plus the problems of the file itself (merged
cells, undecodable text). Interpretation is :mod:`aidc.survey.validate`'s job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aidc.errors import Problem
from aidc.survey.parse import is_blank
from aidc.survey.schema import header_map, normalise, sheet_map, sheets

#: Sheets of the template that hold no data (instructions, drop-down lists).
IGNORED_SHEETS = ("instructions", "안내", "lists", "목록")
#: Header of the column that names the sheet of each row in a one-table CSV.
SHEET_COLUMN = ("sheet", "시트")
ENCODINGS = ("utf-8-sig", "cp949")


@dataclass(slots=True)
class RawSheet:
    """One sheet as read: header texts, and (row number, cell values) per non-blank row."""

    name: str  # internal sheet name
    title: str  # as written in the file
    headers: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    flat: bool = False  # from a one-table CSV: headers of other sheets are expected
    header_row: int = 1


def _problem(file: str, message: str, params: dict[str, object] | None = None, **where: Any) -> Problem:
    return Problem(message, file=file, params=tuple((params or {}).items()), **where)


def _sheet_names() -> dict[str, object]:
    return {"sheets": ", ".join(f"{s.ko} / {s.en}" for s in sheets().values())}


def read_xlsx(path: Path) -> tuple[list[RawSheet], list[Problem]]:
    """Read every data sheet of a workbook; merged cells are reported, never silently filled."""
    import openpyxl

    file = path.name
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx file
        return [], [_problem(file, "cannot open as an Excel workbook: {detail}", {"detail": str(exc)},
                             expected="an .xlsx file")]
    out: list[RawSheet] = []
    problems: list[Problem] = []
    for ws in wb.worksheets:
        title = ws.title
        name = sheet_map().get(normalise(title))
        if name is None:
            if normalise(title) not in IGNORED_SHEETS:
                problems.append(_problem(file, "unknown sheet, ignored", _sheet_names(), sheet=title,
                                         severity="warning", expected="one of {sheets}"))
            continue
        for rng in ws.merged_cells.ranges:
            problems.append(_problem(
                file, "merged cells", sheet=title, row=rng.min_row, cell=rng.coord,
                expected="one value per cell: unmerge and fill each cell",
            ))
        rows = [
            [_cell_value(c) for c in row] for row in ws.iter_rows()
        ]
        top = _header_index(name, rows)
        if top > 0:
            problems.append(_problem(file, "header row found on row {n}; the rows above are ignored",
                                     {"n": top + 1}, sheet=title, row=top + 1, severity="warning",
                                     expected="headers on row 1, as in the template"))
        headers = rows[top] if rows else []
        sheet = RawSheet(name=name, title=title, headers=list(headers), header_row=top + 1)
        for i, values in enumerate(rows[top + 1:], start=top + 2):
            if not all(is_blank(v) for v in values):
                sheet.rows.append((i, values))
        out.append(sheet)
    return out, problems


def _header_index(sheet: str, rows: list[list[Any]], look: int = 10) -> int:
    """Return the 0-based index of the header row.

    Row 1, unless a later one of the first ``look`` rows matches more of the sheet's headers
    (a title typed above the table).
    """
    hmap = header_map(sheet)
    scores = [sum(normalise(v) in hmap for v in row if not is_blank(v)) for row in rows[:look]]
    if not scores:
        return 0
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return best if scores[best] > scores[0] and scores[best] >= 2 else 0


def _cell_value(cell: Any) -> Any:
    # A number formatted as a percentage holds the fraction (10 % is 0.1); the survey's
    # percent columns expect the percentage, so give it back as text with its % sign.
    value = cell.value
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and fmt.endswith("%"):
        return f"{value * 100:g}%"
    return value


def _decode(raw: bytes) -> str | None:
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def read_csv(path: Path) -> tuple[list[RawSheet], list[Problem]]:
    """Read a CSV in UTF-8 (with or without BOM) or CP949.

    Either one sheet per file (named by the file name, e.g. ``training.csv`` or ``모델학습.csv``,
    or recognised by its headers), or one table for all sheets with a ``sheet``/``시트`` column.
    """
    file = path.name
    text = _decode(path.read_bytes())
    if text is None:
        return [], [_problem(file, "cannot decode the file as text",
                             expected="CSV in UTF-8 or CP949 (EUC-KR)")]
    table = list(csv.reader(io.StringIO(text)))
    if not table or all(all(is_blank(v) for v in r) for r in table):
        return [], [_problem(file, "the file is empty", expected="a header line and data rows")]
    headers = table[0]
    body = [(i, r) for i, r in enumerate(table[1:], start=2) if not all(is_blank(v) for v in r)]
    keys = [normalise(h) for h in headers]
    if any(k in SHEET_COLUMN for k in keys):
        return _split_flat(file, headers, keys.index(next(k for k in keys if k in SHEET_COLUMN)), body)
    name = sheet_map().get(normalise(path.stem)) or _guess_sheet(headers)
    if name is None:
        return [], [_problem(file, "cannot tell which survey sheet this CSV holds",
                             expected="a file named after a sheet (e.g. training.csv) or a 'sheet' column")]
    return [RawSheet(name=name, title=path.stem, headers=headers, rows=body)], []


def _guess_sheet(headers: list[str]) -> str | None:
    keys = {normalise(h) for h in headers}
    scores = {s: len(keys & set(header_map(s))) for s in sheets()}
    best = max(scores, key=lambda s: scores[s])
    return best if scores[best] >= 3 else None


def _split_flat(
    file: str, headers: list[str], col: int, body: list[tuple[int, list[str]]]
) -> tuple[list[RawSheet], list[Problem]]:
    out: dict[str, RawSheet] = {}
    problems: list[Problem] = []
    for line, values in body:
        title = values[col] if col < len(values) else ""
        name = sheet_map().get(normalise(title))
        if name is None:
            problems.append(_problem(file, "unknown sheet name in the sheet column", _sheet_names(), row=line,
                                     column=headers[col], found=title, expected="one of {sheets}"))
            continue
        sheet = out.setdefault(name, RawSheet(name=name, title=title, headers=headers, flat=True))
        sheet.rows.append((line, values))
    return list(out.values()), problems


def read_yaml(path: Path) -> tuple[list[RawSheet], list[Problem]]:
    """Read ``{sheet: [ {header: value, ...}, ... ]}``; rows are numbered from 1 within each sheet."""
    file = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return [], [_problem(file, "not valid YAML: {detail}", {"detail": str(exc)},
                             expected="a YAML mapping of sheets")]
    if not isinstance(raw, dict):
        return [], [_problem(file, "a survey YAML must be a mapping of sheet -> list of rows",
                             expected="respondents: [...], training: [...]")]
    out: list[RawSheet] = []
    problems: list[Problem] = []
    for title, items in raw.items():
        name = sheet_map().get(normalise(title))
        if name is None:
            problems.append(_problem(file, "unknown sheet, ignored", sheet=str(title), severity="warning"))
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items or []):
            problems.append(_problem(file, "a sheet must be a list of rows (mappings)", sheet=str(title)))
            continue
        headers: list[Any] = []
        for item in items:
            headers.extend(k for k in item if k not in headers)
        rows = [(i, [item.get(h) for h in headers]) for i, item in enumerate(items, start=1)]
        out.append(RawSheet(name=name, title=str(title), headers=headers, rows=rows, header_row=0))
    return out, problems


READERS: dict[str, Callable[[Path], tuple[list[RawSheet], list[Problem]]]] = {
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".csv": read_csv,
    ".yaml": read_yaml,
    ".yml": read_yaml,
}
