"""Stable machine names of the survey's problems, the same in every language.

A :class:`aidc.errors.Problem` carries an English message id, which is prose: a better wording
changes it. A program that reads the problems (the web API's clients) branches on ``code``
instead, which stays put when the sentence is reworded or translated. Each message a survey
reader or validator can raise has its code here; ``tests/survey/test_codes.py`` fails on a
message without one.
"""

from __future__ import annotations

from aidc.errors import Problem

#: Code of a message that has none here (never expected: the test above guards the table).
UNKNOWN_CODE = "survey_problem"

#: Message id -> code, reading (file and sheets) first, then columns, cells and respondents.
PROBLEM_CODES: dict[str, str] = {
    # the file
    "no such file": "file_missing",
    "unsupported file type": "file_type_unsupported",
    "cannot open as an Excel workbook: {detail}": "not_a_workbook",
    "cannot decode the file as text": "file_not_text",
    "the file is empty": "file_empty",
    "cannot tell which survey sheet this CSV holds": "csv_sheet_unknown",
    "not valid YAML: {detail}": "yaml_invalid",
    "a survey YAML must be a mapping of sheet -> list of rows": "yaml_not_mapping",
    "a sheet must be a list of rows (mappings)": "yaml_sheet_not_list",
    # sheets
    "unknown sheet, ignored": "sheet_unknown",
    "unknown sheet name in the sheet column": "sheet_name_unknown",
    "the same sheet appears twice; the second is ignored": "sheet_duplicate",
    "missing sheet": "sheet_missing",
    "empty sheet (no header row)": "sheet_empty",
    "merged cells": "cells_merged",
    "header row found on row {n}; the rows above are ignored": "header_row_moved",
    # columns
    "unknown column, ignored": "column_unknown",
    "duplicate column; the first one is used": "column_duplicate",
    "missing column; the sheet's {n} row(s) are not counted": "column_missing",
    # cells
    "required value missing": "value_missing",
    "not a number": "not_a_number",
    "not a finite number": "not_finite",
    "not a size": "not_a_size",
    "not a whole number": "not_whole",
    "unknown value": "value_unknown",
    "out of range": "out_of_range",
    "negative value": "negative",
    "implausible value": "implausible",
    "neither value given": "neither_given",
    "both values given; '{used}' is used": "both_given",
    "this GPU has no FP8 tensor cores; its BF16 rate is used": "gpu_no_fp8",
    # respondents
    "no respondents": "no_respondents",
    "duplicate respondent ID (first at row {n})": "respondent_duplicate",
    "the same organisation appears twice (first at row {n})": "organisation_duplicate",
    "the respondent's row has errors on the Respondents sheet; not counted": "respondent_has_errors",
    "unknown respondent ID": "respondent_unknown",
    "respondent has no valid need on any sheet": "respondent_without_need",
}


def problem_code(problem: Problem, codes: dict[str, str] | None = None) -> str:
    """Return the code of ``problem`` (from ``codes``, default :data:`PROBLEM_CODES`).

    Examples
    --------
    >>> problem_code(Problem("duplicate respondent ID (first at row {n})", params=(("n", 3),)))
    'respondent_duplicate'
    """
    return (PROBLEM_CODES if codes is None else codes).get(problem.message, UNKNOWN_CODE)
