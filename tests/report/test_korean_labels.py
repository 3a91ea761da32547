"""Korean output shows the labels of data keys (tenant classes, programmes, GPUs, servers), never the key."""

from __future__ import annotations

import re

import openpyxl
import pytest

from aidc.report import i18n


@pytest.fixture(scope="module")
def keys() -> set[str]:
    return set(i18n.data_labels("ko"))


def test_labels_come_from_data() -> None:
    t = i18n.text("ko")
    assert t.value("public_common", "text") == "공공기관 공통업무시스템"  # survey/programmes.yaml
    assert i18n.data_labels("ko")["university"] == "대학 (RISE)"  # survey/tenant_classes.yaml
    assert t.value("h100_sxm", "text") == "NVIDIA H100 SXM5 80 GB"  # catalog/gpus.yaml label
    assert t.value(None, "text") == "–"
    assert t.column("startup_sme") == "스타트업·중소기업"  # a column per tenant class


def test_no_cell_of_the_korean_workbook_is_a_data_key(built, keys) -> None:
    wb = openpyxl.load_workbook(built["ko"].xlsx, read_only=True)
    shown = [(ws.title, v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row
             if isinstance(v, str) and v in keys]
    assert shown == []


def test_no_table_cell_of_the_korean_report_is_a_data_key(built, keys) -> None:
    page = built["ko"].html.read_text(encoding="utf-8")
    # Sources quote the published references as they are; everything else is the report's own text.
    page = page.split('<section id="sources"', 1)[0]
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", page)
    assert [c for c in cells if c.strip() in keys] == []
