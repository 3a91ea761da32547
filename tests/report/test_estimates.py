"""The estimates a run's figures rest on: one list (the Summary's), named for the reader everywhere.

The CLI's footnote, the report's appendix and the workbook's sheet render
``Summary.estimates_used``; a Korean reader sees what each record is (축전지, 건물 골조·외피),
never its key (``facility.yaml:battery``).
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from tests.i18n.english import english_words
from tests.report.conftest import Page

import aidc
from aidc import data, report
from aidc.report import estimates
from aidc.report.i18n import text

#: An internal record key as the data files name it: ``facility.yaml:battery``.
RECORD_KEY = re.compile(r"\w+\.yaml:\w+")


def _section(page: str, name: str) -> str:
    return dict(re.findall(r'<section id="([^"]+)"[^>]*>(.*?)</section>', page, flags=re.S))[name]


def _sheet_rows(path: object, title: str) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [r for r in wb[title].iter_rows(values_only=True) if any(c is not None for c in r)]


def test_the_list_is_the_records_the_figures_rest_on(default_result: aidc.Result) -> None:
    s = default_result.summary
    assert s is not None
    assert s.estimates_by_figure
    assert s.estimates_used == tuple(sorted({k for keys in s.estimates_by_figure.values() for k in keys}))
    types = {f"{f.split('/')[-1]}:{k}": r.get("type") for f, k, r in data.shipped_records()
             if f.startswith("costs/")}
    for key in s.estimates_used:  # prices.yaml names a GPU-hour price by its model alone
        file, name = key.split(":", 1)
        assert (types.get(key) or types.get(f"{file}:gpu_hour.{name}")) == "estimate", key
    # only what the design buys: the default air-cooled halls have no CDU, so its price moves nothing
    assert default_result.economics is not None
    bom = default_result.economics.bom
    bought = set(bom.loc[bom["cost_krw"] > 0, "item"])
    facility = {k.split(":")[1] for k in s.estimates_used if k.startswith("facility.yaml:")}
    assert "cdu" not in bought
    assert "facility.yaml:cdu" not in s.estimates_used
    assert facility == {k for k in bought if types.get(f"facility.yaml:{k}") == "estimate"}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_one_list_in_the_footnote_the_report_and_the_workbook(
        default_result: aidc.Result, built: dict[str, report.ReportFiles], lang: str) -> None:
    used = default_result.summary.estimates_used if default_result.summary is not None else ()
    t = text(lang)
    note = estimates.note(t, used, "*")
    # the footnote's count is the Summary's
    assert f"({len(used)}" in note
    page = built[lang].html.read_text(encoding="utf-8")
    assert " ".join(Page(_section(page, "estimates")).texts).count(t("estimate.group_name.facility")) == sum(
        k.startswith(("facility.yaml:", "construction_index.yaml:")) for k in used)
    assert note in " ".join(Page(_section(page, "summary")).texts)
    rows = _sheet_rows(built[lang].xlsx, t("xlsx.sheet.estimates"))
    assert rows[0][0] == note
    items = [r[1] for r in rows[3:]]  # the note, the table's title, its header, then one row per key
    assert items == [e.label for e in estimates.estimates(t, used)]
    assert len(items) == len(used)


def test_korean_outputs_name_no_record_key(built: dict[str, report.ReportFiles]) -> None:
    page = built["ko"].html.read_text(encoding="utf-8")
    for section in ("summary", "estimates"):
        shown = " ".join(Page(_section(page, section)).texts)
        assert not RECORD_KEY.search(shown), section
        assert english_words(shown) == [], section
    wb = openpyxl.load_workbook(built["ko"].xlsx, read_only=True)
    cells = " ".join(str(c) for ws in wb for r in ws.iter_rows(values_only=True) for c in r if c is not None)
    assert not RECORD_KEY.search(cells)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_cost_estimate_has_a_label(lang: str) -> None:
    """Any record of data/costs that may be named gets words, not a key or an untranslated mark."""
    t = text(lang)
    keys = [f"{f.split('/')[-1]}:{k.removeprefix('gpu_hour.')}" for f, k, r in data.shipped_records()
            if f in ("costs/facility.yaml", "costs/servers.yaml", "costs/prices.yaml")
            and r.get("type") in ("estimate", "derived", "secondary", "primary", "choice")]
    for key in keys:
        name = estimates.label(t, key)
        assert not {"⟦", ":", "_"} & set(name), (key, name)
        if lang == "ko":
            assert english_words(name) == [], (key, name)
