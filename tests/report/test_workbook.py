"""The planner's workbook: few sheets in the reader's language, formatted, safe against formulas."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from aidc.report import content, i18n, xlsx


@pytest.fixture(scope="module")
def books(built) -> dict[str, openpyxl.Workbook]:
    return {lang: openpyxl.load_workbook(built[lang].xlsx) for lang in ("ko", "en")}


def test_korean_sheets_in_order(books, default_result) -> None:
    """요약 first, one sheet per stage the run has, the long series, assumptions, sources, estimates."""
    present = [s for s in content.STAGES if getattr(default_result, s) is not None]
    korean = {"survey": "수요조사", "demand": "수요", "design": "설계", "plan": "증설계획",
              "simulation": "운영모사", "energy": "에너지", "economics": "경제성"}
    tail = ["시계열", "가정", "출처", "추정값"]
    assert books["ko"].sheetnames == ["요약", *(korean[s] for s in present), *tail]
    assert len(books["ko"].sheetnames) <= 15


def test_headers_frozen_filtered_and_widths_fit(books) -> None:
    for ws in books["ko"].worksheets:
        assert ws.freeze_panes is not None, ws.title
        assert ws.auto_filter.ref, ws.title
        widths = [d.width for d in ws.column_dimensions.values() if d.width]
        assert widths, ws.title
        assert all(xlsx.WIDTH_MIN <= w <= xlsx.WIDTH_MAX for w in widths), ws.title


def test_summary_keys_are_hidden_from_readers(books) -> None:
    ws = books["ko"]["요약"]
    last = openpyxl.utils.get_column_letter(ws.max_column)
    assert ws.column_dimensions[last].hidden
    assert ws["E3"].value == "it_capacity"
    assert ws["A3"].value == "IT 용량"


def test_numbers_carry_formats(books) -> None:
    ws = books["ko"]["요약"]
    rows = {r[4].value: r for r in ws.iter_rows(min_row=3) if len(r) > 4 and r[4].value}
    assert rows["phase1_capex"][1].number_format == "#,##0.0"  # 억 원, one decimal
    assert rows["utilization"][1].number_format == "0.0%"


def _summary_rows(ws) -> dict:  # noqa: ANN001 - an openpyxl worksheet
    return {r[4].value: r for r in ws.iter_rows(min_row=3) if len(r) > 4 and r[4].value}


def test_korean_money_is_in_eok_won(books, default_result) -> None:
    """1억 원 = 10^8 원: the Korean workbook writes budgets as a Korean official reads them."""
    s = default_result.summary
    ko, en = _summary_rows(books["ko"]["요약"]), _summary_rows(books["en"]["Summary"])
    assert ko["phase1_capex"][1].value == pytest.approx(s.phase1_capex_krw / 100_000_000)
    assert ko["phase1_capex"][2].value == "억 원"
    assert en["phase1_capex"][1].value == pytest.approx(s.phase1_capex_krw)  # English: won, as computed
    assert en["phase1_capex"][1].number_format == "#,##0"
    headers = [c.value for row in books["ko"]["경제성"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(h.endswith("[억 원]") for h in headers)
    assert not any(h.endswith("[원]") for h in headers)  # no sum of money left in won
    ws, capex = books["ko"]["경제성"], "설비투자비 [억 원]"
    cash = next(row for row in ws.iter_rows() if any(c.value == capex for c in row))
    column = next(c.column for c in cash if c.value == capex)
    first = ws.cell(row=cash[0].row + 1, column=column)
    assert first.number_format == "#,##0.0"


def test_long_series_are_one_tidy_sheet(books) -> None:
    ws = books["ko"]["시계열"]
    header = [c.value for c in ws[2]]
    assert header == ["표", "연도 또는 행", "구분", "항목 [단위]", "값"]
    years = {r[1] for r in ws.iter_rows(min_row=3, values_only=True) if r[1] is not None and len(r) > 3
             and r[3] is not None}
    assert all(isinstance(y, int) for y in years)


def test_text_that_would_be_a_formula_stays_text(tmp_path: Path) -> None:
    """An organisation named like a formula (OWASP CSV injection) is written as text, not evaluated."""
    t = i18n.text("ko")
    sheet = xlsx._Sheet("x")
    names = ['=HYPERLINK("http://evil","클릭")', "+1+1", "-2", "@SUM(A1)", "대학"]
    frame = pd.DataFrame({"organisation": names, "n_gpus": [1, 2, 3, 4, 5]})
    xlsx._table_rows(sheet, t, "x", "x", frame)
    wb = openpyxl.Workbook(write_only=True)
    sheet.save(wb)
    path = tmp_path / "x.xlsx"
    wb.save(path)
    ws = openpyxl.load_workbook(path)["x"]
    cells = [ws.cell(row=r, column=1) for r in range(3, 8)]
    assert [c.value for c in cells] == ['=HYPERLINK("http://evil","클릭")', "+1+1", "-2", "@SUM(A1)", "대학"]
    assert [c.data_type for c in cells] == ["s"] * 5
    assert all(c.quotePrefix for c in cells[:4])
