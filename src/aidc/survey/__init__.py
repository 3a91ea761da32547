"""Survey stage: read and validate the demand survey (Korean/English headers) into a survey table.

Entry points: :func:`read` (raises :class:`aidc.errors.InputError`), :func:`validate`
(returns a :class:`ValidationReport`, never raises for bad content), :func:`example_path`,
and :func:`write_template` (the Excel workbook sent to institutions).
"""

from aidc.survey.schema import NEED_KINDS, sheets
from aidc.survey.template import write_template
from aidc.survey.validate import SurveyTable, ValidationReport, example_path, read, validate

__all__ = [
    "NEED_KINDS",
    "SurveyTable",
    "ValidationReport",
    "example_path",
    "read",
    "sheets",
    "validate",
    "write_template",
]
