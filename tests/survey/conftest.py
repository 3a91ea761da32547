"""Builders of survey files for the tests: workbooks, CSVs and YAML made in code, not committed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from aidc.survey import sheets

Rows = list[list[Any]]


def headers(sheet: str, lang: str = "en") -> list[str]:
    """Return the template headers of a sheet."""
    return [c.header(lang) for c in sheets()[sheet].columns]


RESPONDENTS_EN: Rows = [
    headers("respondents"),
    ["U01", "University A", "University / RISE", "RISE (Regional Innovation System & Education)", ""],
    ["S01", "Start-up B", "Start-up or SME", "", ""],
]
TRAINING_EN: Rows = [
    headers("training"),
    ["U01", "7B", "1T", "BF16", "h100_sxm", 30, 2, 2028, 10, ""],
    ["S01", "1.5B", "300B", "", "", 10, 1, 2029, "", ""],
]


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Return ``write(sheets={title: rows}, merges={title: ["B3:C3"]}, name=...)`` -> path."""

    def write(
        book: dict[str, Rows], merges: dict[str, list[str]] | None = None, name: str = "s.xlsx"
    ) -> Path:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in book.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
            for rng in (merges or {}).get(title, []):
                ws.merge_cells(rng)
        path = tmp_path / name
        wb.save(path)
        return path

    return write


@pytest.fixture
def valid_book() -> dict[str, Rows]:
    """A small valid survey in English: two respondents, two training needs."""
    return {"Respondents": [list(r) for r in RESPONDENTS_EN], "Training": [list(r) for r in TRAINING_EN]}
