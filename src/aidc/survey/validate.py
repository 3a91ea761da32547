"""Validate raw survey sheets into a :class:`SurveyTable`, reporting every problem at once.

A row with an error is reported (sheet, row, column, value found, what was expected) and
left out of the table; every other row is kept. Nothing is dropped silently: the only rows
skipped without a message are blank rows and the template's example rows (respondent ID
``EXAMPLE``/``예시``, as the instructions sheet says).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import aidc.data as data
from aidc.errors import InputError, Problem
from aidc.survey.parse import CellError, bounds_message, is_blank, parse_cell
from aidc.survey.readers import READERS, SHEET_COLUMN, RawSheet
from aidc.survey.schema import (
    EXAMPLE_MARKERS,
    NEED_KINDS,
    Column,
    SheetSpec,
    choices,
    header_map,
    normalise,
    sheets,
)

_CLASS_COLUMNS = ("tenant_class", "support_programme")


@dataclass(frozen=True, slots=True)
class SurveyTable:
    """A validated survey: the respondents and one table per kind of need.

    ``needs[kind]`` has the sheet's columns (internal names), the respondent's
    ``tenant_class`` and ``support_programme``, and ``source_row`` (the row in the file).
    """

    respondents: pd.DataFrame
    needs: dict[str, pd.DataFrame]
    source: str = ""

    @property
    def n_needs(self) -> int:
        """Return the number of need rows over all kinds."""
        return sum(len(df) for df in self.needs.values())


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What :func:`validate` found: the table of valid rows (None if unreadable) and the problems."""

    table: SurveyTable | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems of severity 'error'."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Return the problems of severity 'warning'."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Return True when there is a table and no error."""
        return self.table is not None and not self.errors


def example_path() -> Path:
    """Return the path of the shipped example survey (about 30 fictional respondents)."""
    return data.path("survey/example_survey.yaml")


def validate(path: str | Path) -> ValidationReport:
    """Check a survey file (xlsx, CSV in UTF-8/CP949, YAML); never raises for bad content."""
    p = Path(path)
    reader = READERS.get(p.suffix.lower())
    if not p.is_file():
        return ValidationReport(None, [Problem("no such file", file=str(path), expected="a survey file")])
    if reader is None:
        return ValidationReport(None, [Problem("unsupported file type", file=p.name, found=p.suffix,
                                               expected=", ".join(READERS))])
    raw, problems = reader(p)
    if not raw and any(q.severity == "error" for q in problems):
        return ValidationReport(None, problems)  # unreadable file: nothing more to say about sheets
    table, more = validate_sheets(raw, file=p.name)
    return ValidationReport(table, problems + more)


def read(path: str | Path) -> SurveyTable:
    """Read and validate a survey; raise :class:`InputError` with every problem if any is an error."""
    report = validate(path)
    if report.errors or report.table is None:
        raise InputError(report.problems)
    return report.table


def validate_sheets(raw: list[RawSheet], file: str | None = None) -> tuple[SurveyTable | None, list[Problem]]:
    """Validate raw sheets (from any reader) into a survey table and the list of problems."""
    problems: list[Problem] = []
    by_name: dict[str, RawSheet] = {}
    for sheet in raw:
        if sheet.name in by_name and not sheet.flat:
            problems.append(Problem("the same sheet appears twice; the second is ignored", file=file,
                                    sheet=sheet.title, severity="warning"))
            continue
        by_name[sheet.name] = sheet
    if "respondents" not in by_name:
        problems.append(Problem("missing sheet", file=file, sheet=sheets()["respondents"].en,
                                expected="a Respondents / 응답기관 sheet"))
    if raw and raw[0].flat:
        problems += _unknown_flat_headers(raw[0], file)
    records: dict[str, list[dict[str, Any]]] = {}
    bad_ids: set[str] = set()
    for name, sheet in by_name.items():
        records[name], found, bad = _sheet_records(sheets()[name], sheet, file)
        problems += found + _precision_warnings(records[name], sheet, file)
        if name == "respondents":
            bad_ids = bad
    respondents, found = _check_respondents(records.get("respondents", []), by_name.get("respondents"), file)
    problems += found
    needs: dict[str, pd.DataFrame] = {}
    used: set[str] = set()
    for kind in NEED_KINDS:
        rows, found = _attach_respondents(kind, records.get(kind, []), respondents, bad_ids,
                                          by_name.get(kind), file)
        problems += found
        used.update(r["respondent_id"] for r in rows)
        needs[kind] = _frame(kind, rows)
    for rid, r in respondents.items():
        if r["ok"] and rid not in used:
            problems.append(Problem("respondent has no valid need on any sheet", file=file,
                                    sheet=by_name["respondents"].title, row=r["source_row"],
                                    column=None, found=rid, severity="warning"))
    resp_sheet = by_name.get("respondents")
    if resp_sheet is not None and not records["respondents"] and not any(
        p.severity == "error" and p.sheet == resp_sheet.title for p in problems
    ):
        problems.append(Problem("no respondents", file=file, sheet=by_name["respondents"].title,
                                expected="one row per organisation"))
    if not raw:
        return None, problems
    resp = pd.DataFrame([r["record"] for r in respondents.values() if r["ok"]],
                        columns=[*[c.name for c in sheets()["respondents"].columns], "source_row"])
    return SurveyTable(respondents=resp, needs=needs, source=file or ""), problems


def header_of(sheet: RawSheet | None, name: str) -> str:
    """Return the header the file uses for internal column ``name`` (the internal name if absent)."""
    if sheet is not None:
        hmap = header_map(sheet.name)
        for h in sheet.headers:
            if not is_blank(h) and hmap.get(normalise(h)) == name:
                return str(h)
    return name


def _precision_warnings(records: list[dict[str, Any]], sheet: RawSheet, file: str | None) -> list[Problem]:
    """Warn where an 8- or 4-bit precision is asked of a GPU without FP8 tensor cores (A100)."""
    gpus = data.load_yaml("catalog/gpus.yaml")
    return [
        Problem("this GPU has no FP8 tensor cores; its BF16 rate is used", file=file, sheet=sheet.title,
                row=r["source_row"], column=header_of(sheet, "precision"), found=r["precision"],
                expected="BF16 or FP16 on this GPU", severity="warning")
        for r in records
        if r.get("precision") in ("fp8", "int8", "int4") and r.get("gpu_model")
        and gpus[r["gpu_model"]]["peak_fp8_tflops"]["value"] is None
    ]


def _unknown_flat_headers(sheet: RawSheet, file: str | None) -> list[Problem]:
    known = set().union(*(header_map(s) for s in sheets()))
    return [
        Problem("unknown column, ignored", file=file, row=sheet.header_row, column=str(h), severity="warning")
        for h in sheet.headers
        if not is_blank(h) and normalise(h) not in known and normalise(h) not in SHEET_COLUMN
    ]


def _map_headers(spec: SheetSpec, sheet: RawSheet, file: str | None) -> tuple[dict[int, str], list[Problem]]:
    """Return column index -> internal name, and the header problems of one sheet."""
    hmap = header_map(spec.name)
    index: dict[int, str] = {}
    problems: list[Problem] = []
    where: dict[str, Any] = {"file": file, "sheet": sheet.title, "row": sheet.header_row or None}
    for i, h in enumerate(sheet.headers):
        if is_blank(h):
            continue
        name = hmap.get(normalise(h)) or hmap.get(normalise(h).split("(")[0])
        if name is None:
            if not sheet.flat:
                problems.append(Problem("unknown column, ignored", column=str(h), severity="warning",
                                        **where))
        elif name in index.values():
            problems.append(Problem("duplicate column; the first one is used", column=str(h), **where))
        else:
            index[i] = name
    if not sheet.headers or all(is_blank(h) for h in sheet.headers):
        severity = "error" if spec.name == "respondents" else "warning"
        problems.append(Problem("empty sheet (no header row)", severity=severity,
                                expected="the template's header row", **where))
        return index, problems
    for c in spec.columns:
        if c.required and c.name not in index.values():
            n_rows = len(sheet.rows)
            problems.append(Problem("missing column; the sheet's {n} row(s) are not counted",
                                    column=c.en if _latin(sheet) else c.ko,
                                    expected="a column headed '{en}' or '{ko}'",
                                    params=(("n", n_rows), ("en", c.en), ("ko", c.ko)), **where))
    return index, problems


def _latin(sheet: RawSheet) -> bool:
    return not any("\uac00" <= ch <= "\ud7a3" for h in sheet.headers for ch in str(h or ""))


def _sheet_records(
    spec: SheetSpec, sheet: RawSheet, file: str | None
) -> tuple[list[dict[str, Any]], list[Problem], set[str]]:
    """Parse every row of one sheet; return the valid rows' records, all problems, and the IDs of bad rows."""
    index, problems = _map_headers(spec, sheet, file)
    present = set(index.values())
    missing_required = {c.name for c in spec.columns if c.required and c.name not in present}
    by_name = {name: i for i, name in index.items()}
    records: list[dict[str, Any]] = []
    bad_ids: set[str] = set()
    for row, values in sheet.rows:
        raw_id = values[by_name["respondent_id"]] if "respondent_id" in by_name and \
            by_name["respondent_id"] < len(values) else None
        if not is_blank(raw_id) and normalise(raw_id) in EXAMPLE_MARKERS:
            continue
        record: dict[str, Any] = {"source_row": row}
        row_problems: list[Problem] = []
        for c in spec.columns:
            if c.name in missing_required:
                continue
            i = by_name.get(c.name)
            cell = values[i] if i is not None and i < len(values) else None
            header = str(sheet.headers[i]) if i is not None else _shown_header(sheet, c)
            where = {"file": file, "sheet": sheet.title, "row": row, "column": header,
                     "cell": _address(sheet, i, row)}
            record[c.name], found = _cell(c, cell, where, _lang(sheet))
            row_problems += found
        given = [n for n in spec.one_of if record.get(n) is not None]
        if spec.one_of and not given:
            first, second = (_shown_header(sheet, spec.column(n)) for n in spec.one_of)
            row_problems.append(Problem("neither value given", file=file, sheet=sheet.title, row=row,
                                        expected="'{a}' or '{b}'", params=(("a", first), ("b", second))))
        elif len(given) > 1:
            # The demand stage takes the last of the alternatives (GPUs reserved all year).
            used = header_of(sheet, given[-1])
            row_problems.append(Problem("both values given; '{used}' is used", file=file,
                                        sheet=sheet.title, row=row, severity="warning",
                                        expected="one of the two", params=(("used", used),)))
        problems += row_problems
        if not missing_required and not any(p.severity == "error" for p in row_problems):
            records.append(record)
        elif not is_blank(raw_id):
            bad_ids.add(str(raw_id).strip())
    return records, problems, bad_ids


def _cell(c: Column, cell: Any, where: dict[str, Any], lang: str) -> tuple[Any, list[Problem]]:
    shown = (("choices", choices_shown(c, lang)),) if c.choice_list is not None else ()
    if is_blank(cell):
        if c.required:
            return None, [Problem("required value missing", expected=_expected(c), params=shown, **where)]
        return (parse_cell(c, c.default) if c.default is not None else None), []
    try:
        value = parse_cell(c, cell)
    except CellError as exc:
        params = tuple(exc.params.items()) if c.choice_list is None else shown
        return None, [Problem(str(exc), found=cell, expected=exc.expected, params=params, **where)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        bad = bounds_message(c, value)
        if bad is not None:
            severity, message, expected, limit = bad
            return value, [Problem(message, found=cell, expected=expected, severity=severity,
                                   params=(("limit", f"{limit:g}"),), **where)]
    return value, []


def choices_shown(c: Column, lang: str) -> str:
    """Return the allowed values of a categorical column exactly as the template's drop-down shows them."""
    return ", ".join(v[lang] for v in choices(c.choice_list or "").values())


def _expected(c: Column) -> str:
    examples = {"size": "a count such as 7B, 1.5T, 500M or 7000000000", "pct": "a percentage",
                "year": "a year such as 2028", "text": "text", "int": "a whole number", "number": "a number"}
    if c.choice_list is not None:
        return "one of {choices}"
    return examples.get(c.type, c.type)


def _lang(sheet: RawSheet) -> str:
    """Return the language of a sheet's headers (the template it came from): Korean if any is Korean."""
    return "en" if _latin(sheet) else "ko"


def _shown_header(sheet: RawSheet, c: Column) -> str:
    return c.header(_lang(sheet))


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA).

    Examples
    --------
    >>> column_letter(0), column_letter(2), column_letter(26), column_letter(701)
    ('A', 'C', 'AA', 'ZZ')
    """
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _address(sheet: RawSheet, index: int | None, row: int) -> str | None:
    # Rows of a YAML survey are list positions, not spreadsheet rows: no cell address there.
    if index is None or sheet.header_row < 1:
        return None
    return f"{column_letter(index)}{row}"


def _check_respondents(
    records: list[dict[str, Any]], sheet: RawSheet | None, file: str | None
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Index respondents by ID; report duplicate IDs (error) and duplicate organisations (warning)."""
    out: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    orgs: dict[str, int] = {}
    title = sheet.title if sheet else None
    for r in records:
        rid, row = r["respondent_id"], r["source_row"]
        if rid in out:
            problems.append(Problem("duplicate respondent ID (first at row {n})",
                                    file=file, sheet=title, row=row, column=header_of(sheet, "respondent_id"),
                                    found=rid, params=(("n", out[rid]["source_row"]),),
                                    expected="a unique ID per organisation"))
            continue
        org = normalise(r["organisation"])
        if org in orgs:
            problems.append(Problem("the same organisation appears twice (first at row {n})",
                                    file=file, sheet=title, row=row, column=header_of(sheet, "organisation"),
                                    found=r["organisation"], severity="warning", params=(("n", orgs[org]),)))
        orgs.setdefault(org, row)
        out[rid] = {"record": r, "source_row": row, "ok": True}
    return out, problems


def _attach_respondents(
    kind: str, records: list[dict[str, Any]], respondents: dict[str, dict[str, Any]],
    bad_ids: set[str], sheet: RawSheet | None, file: str | None,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    out: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for r in records:
        resp = respondents.get(r["respondent_id"])
        if resp is None and r["respondent_id"] in bad_ids:
            problems.append(Problem("the respondent's row has errors on the Respondents sheet; not counted",
                                    file=file, sheet=sheet.title if sheet else kind, row=r["source_row"],
                                    column=header_of(sheet, "respondent_id"), found=r["respondent_id"],
                                    expected="a respondent row without errors"))
            continue
        if resp is None:
            problems.append(Problem("unknown respondent ID", file=file, sheet=sheet.title if sheet else kind,
                                    row=r["source_row"], column=header_of(sheet, "respondent_id"),
                                    found=r["respondent_id"],
                                    expected="an ID listed (without errors) on the Respondents sheet"))
            continue
        out.append(r | {k: resp["record"][k] for k in _CLASS_COLUMNS})
    return out, problems


def _frame(kind: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = [c.name for c in sheets()[kind].columns]
    cols = [cols[0], *_CLASS_COLUMNS, *cols[1:], "source_row"]
    return pd.DataFrame(rows, columns=cols)
