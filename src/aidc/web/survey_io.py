"""Thin adapter between the web forms and the survey stage (:mod:`aidc.survey`).

An institution's answer is stored as JSON shaped like the survey's YAML form (and the
shipped example survey): ``{sheet: [row, ...]}`` with rows keyed by the survey's internal
column names, values as the respondent typed them (``"7B"``, ``10`` for 10 %). Each
institution is one respondent; the server sets its ``respondent_id`` and ``organisation``,
so one institution can never write rows for another.

Validation is the stage's own: the answers are written as a YAML survey in a private
temporary folder under a name the server chooses and passed to ``aidc.survey.validate``;
its problems (sheet, 1-based row, column) are mapped back to the form's cells. Uploads are
read with the stage's readers (bounded, in a worker process: :mod:`aidc.web.uploads`), so
Korean and English headers both work.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from aidc.errors import Problem
from aidc.i18n import N_
from aidc.survey import sheets, validate
from aidc.survey.codes import PROBLEM_CODES
from aidc.survey.parse import is_blank
from aidc.survey.readers import RawSheet
from aidc.survey.schema import Column, SheetSpec, choices, header_map, match_choice, normalise, sheet_map
from aidc.survey.validate import choices_shown

Answers = dict[str, list[dict[str, Any]]]

#: Upload types accepted, by file suffix, with the first bytes each must start with.
UPLOAD_TYPES: dict[str, tuple[bytes, ...]] = {
    ".xlsx": (b"PK\x03\x04",),  # an Office Open XML workbook is a zip file
    ".csv": (),
}
#: Columns the server fills in: the respondent is the signed-in institution.
SERVER_SET = ("respondent_id", "organisation")
RESPONDENTS = "respondents"
NOTHING_TO_SUBMIT = N_("there is nothing to submit: describe at least one need")
NO_NEED_IN_FILE = N_("the file holds no need")
MORE_THAN_ONE_RESPONDENT = N_("the file holds answers of more than one respondent; upload only your own")
NOT_A_WORKBOOK = "web_limit.not_a_workbook"  # the upload limits' own message (aidc.web.uploads)
#: Codes of the survey's problems and of those only the web gives (:mod:`aidc.survey.codes`).
PROBLEM_CODES_WEB: dict[str, str] = PROBLEM_CODES | {
    NOTHING_TO_SUBMIT: "nothing_to_submit",
    NO_NEED_IN_FILE: "file_without_need",
    MORE_THAN_ONE_RESPONDENT: "more_than_one_respondent",
    NOT_A_WORKBOOK: "not_a_workbook",
}


def respondent_id(institution_id: int) -> str:
    """Return the respondent ID the survey uses for an institution."""
    return f"I{institution_id:04d}"


def specs() -> dict[str, SheetSpec]:
    """Return the survey's sheets (respondents first, then one per kind of need)."""
    return sheets()


def form_columns(spec: SheetSpec) -> tuple[Column, ...]:
    """Return the columns an institution types in on a sheet (not the server-set ones)."""
    return tuple(c for c in spec.columns if c.name not in SERVER_SET)


def options(column: Column, lang: str = "en") -> list[tuple[str, str]]:
    """Return (key, label in ``lang``) of a closed-list column as its dropdown shows it; [] for a free one."""
    if not column.choice_list:
        return []
    from aidc.report.i18n import data_labels  # GPUs are named by their product label, not their key

    named = data_labels(lang)
    out = []
    for key, labels in choices(column.choice_list).items():
        shown = labels.get(lang) or labels.get("en") or key
        out.append((key, named.get(key, key) if shown == key else shown))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if is_blank(value):
        return None
    if hasattr(value, "item"):  # numpy scalars from a workbook
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, str | int | float | bool) else str(value)


def normalize(answers: Answers, institution_id: int, organisation: str) -> Answers:
    """Keep known sheets and columns, drop blank rows, and stamp the institution's identity."""
    rid = respondent_id(institution_id)
    out: Answers = {}
    for name, spec in specs().items():
        rows = []
        for row in answers.get(name, []) or []:
            kept = {c.name: _plain(row.get(c.name)) for c in form_columns(spec)}
            if name != RESPONDENTS and all(v is None for v in kept.values()):
                continue
            rows.append(
                {"respondent_id": rid}
                | ({"organisation": organisation} if name == RESPONDENTS else {})
                | kept
            )
        if name == RESPONDENTS:
            rows = rows[:1] or [{"respondent_id": rid, "organisation": organisation}]
        if rows:
            out[name] = rows
    return out


def n_need_rows(answers: Answers) -> int:
    """Return the number of need rows (every sheet but the respondents)."""
    return sum(len(rows) for name, rows in answers.items() if name != RESPONDENTS)


def write_yaml(answers_list: list[Answers], path: Path) -> None:
    """Write one or more institutions' answers as one survey YAML file the survey stage reads."""
    merged: Answers = {}
    for answers in answers_list:
        for name, rows in answers.items():
            merged.setdefault(name, []).extend(rows)
    path.write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _relocate(p: Problem) -> Problem:
    """Map a problem of the written YAML back to the form: internal sheet, 0-based row, column name."""
    sheet = sheet_map().get(normalise(p.sheet)) if p.sheet is not None else None
    column = header_map(sheet).get(normalise(p.column)) if sheet and p.column is not None else p.column
    row = p.row - 1 if p.row is not None and sheet is not None else None
    return replace(p, file=None, sheet=sheet, row=row, column=column)


def validate_answers(answers: Answers) -> list[Problem]:
    """Return the survey stage's problems of stored-form answers, located by sheet, row and column."""
    with tempfile.TemporaryDirectory(prefix="aidc-web-") as tmp:
        path = Path(tmp) / "answers.yaml"
        write_yaml([answers], path)
        report = validate(path)
    return [_relocate(p) for p in report.problems]


def _choice_key(spec: SheetSpec, name: str, value: Any) -> Any:
    """Return the key of a closed-list value given as a label ('대학 (RISE)' -> 'university')."""
    column = next((c for c in spec.columns if c.name == name), None)
    if column is None or column.choice_list is None or value is None:
        return value
    return match_choice(column.choice_list, value) or value


def answers_of(
    raw: list[RawSheet], problems: list[Problem], institution_id: int, organisation: str
) -> tuple[Answers, list[Problem]]:
    """Turn the sheets read from an upload into answers (raw cell values) and add the file's problems.

    The file must hold one respondent (this institution); its rows are re-stamped with the
    institution's respondent ID. Reading (within limits, in a worker process) is
    :mod:`aidc.web.uploads`' job.
    """
    problems = list(problems)
    answers: Answers = {}
    for sheet in raw:
        hmap = header_map(sheet.name)
        names = [hmap.get(normalise(h)) if not is_blank(h) else None for h in sheet.headers]
        for _, values in sheet.rows:
            row = {n: _plain(v) for n, v in zip(names, values, strict=False) if n is not None}
            row = {n: _choice_key(specs()[sheet.name], n, v) for n, v in row.items()}
            if str(row.get("respondent_id", "")).strip().lower() in ("example", "예시"):
                continue
            answers.setdefault(sheet.name, []).append(row)
    ids = {str(r.get("respondent_id")) for rows in answers.values() for r in rows if r.get("respondent_id")}
    if len({str(r.get("respondent_id")) for r in answers.get(RESPONDENTS, [])}) > 1 or len(ids) > 1:
        problems.append(
            Problem(
                MORE_THAN_ONE_RESPONDENT,
                found=", ".join(sorted(ids)),
                expected="one respondent ID throughout",
            )
        )
    return normalize(answers, institution_id, organisation), problems


def for_reader(p: Problem, lang: str) -> Problem:
    """Return ``p`` with the words of its parameters in ``lang``: column headers, allowed values.

    The survey stage writes a problem's parameters in the language of the sheet it read; the
    form's answers are read under internal names (``gpu_model``), which no reader should see.
    A parameter that names a column of the problem's sheet (by internal name or either header)
    becomes that column's header in ``lang``, the allowed values of a closed-list column are
    listed as the reader's drop-down shows them, and the sheets a file may hold are named by
    their titles in ``lang`` (either title is read). The location is left as it was.
    """
    if any(key == "sheets" for key, _ in p.params):
        titles = ", ".join(spec.title(lang) for spec in specs().values())
        p = replace(p, params=tuple((k, titles if k == "sheets" else v) for k, v in p.params))
    name = sheet_map().get(normalise(p.sheet)) if p.sheet is not None else None
    if name is None or not p.params:
        return p
    spec = specs()[name]
    by_text = {normalise(t): c for c in spec.columns for t in (c.name, c.en, c.ko)}
    column = by_text.get(normalise(p.column)) if p.column is not None else None
    params = []
    for key, value in p.params:
        if key == "choices" and column is not None and column.choice_list is not None:
            value = choices_shown(column, lang)
        elif isinstance(value, str) and key not in ("en", "ko") and normalise(value) in by_text:
            value = by_text[normalise(value)].header(lang)
        params.append((key, value))
    return replace(p, params=tuple(params))
