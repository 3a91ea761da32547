"""The Excel template: its sheets, headers, drop-downs and example row; filled, it round-trips."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tests.i18n.english import english_words

from aidc.demand import estimate
from aidc.scenario import load_scenario
from aidc.survey import NEED_KINDS, sheets, validate, write_template
from aidc.survey.schema import choices


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_template_layout(tmp_path: Path, lang: str) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", lang))
    titles = [s.title(lang) for s in sheets().values()]
    first, lists = ("Instructions", "Lists") if lang == "en" else ("안내", "목록")
    assert wb.sheetnames == [first, *titles, lists]
    assert wb[lists].sheet_state == "hidden"
    resp = wb[sheets()["respondents"].title(lang)]
    assert [c.value for c in resp[1]] == [c.header(lang) for c in sheets()["respondents"].columns]
    assert resp["A2"].value == ("EXAMPLE" if lang == "en" else "예시")
    # Drop-down lists on every categorical column, e.g. the tenant class (column C).
    ranges = {str(dv.sqref): dv.formula1 for dv in resp.data_validations.dataValidation}
    assert ranges["C2:C1000"].endswith("!$F$2:$F$7")  # 6 tenant classes (lists sorted: F)
    training = wb[sheets()["training"].title(lang)]
    assert {str(dv.sqref) for dv in training.data_validations.dataValidation} == {"D2:D1000", "E2:E1000"}
    # Units appear in the headers.
    assert any("(%)" in str(c.value) for c in training[1])


def test_template_rejects_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang must be"):
        write_template(tmp_path / "t.xlsx", "fr")


def _fill(path: Path, lang: str) -> None:
    wb = openpyxl.load_workbook(path)
    title = {k: s.title(lang) for k, s in sheets().items()}
    ko = lang == "ko"
    wb[title["respondents"]].append(["R01", "가상대학교" if ko else "University X", "대학 (RISE)" if ko
                                     else "University / RISE", "RISE (지역혁신중심 대학지원체계)" if ko
                                     else "RISE (Regional Innovation System & Education)", None])
    wb[title["training"]].append(["R01", "7B", "1T", "BF16", "h100_sxm", 30, 1, 2028, 0, None])
    peft = "경량 미세조정 (LoRA)" if ko else "Parameter-efficient (LoRA)"
    wb[title["finetuning"]].append(["R01", "8B", "500M", peft, "BF16", "h100_sxm", 2, 4, 2028, 0, None])
    wb[title["inference"]].append(["R01", "7B", "BF16", "h100_sxm", 86400, 1000, 100, 3,
                                   "일반" if ko else "Standard", 2028, 0, None])
    wb[title["education"]].append(["R01", "DL", 2, 30, 10, 2, "l40s", 2028, 0, None])
    wb[title["cloud"]].append(["R01", "LMS", 100, 400, 10, 2028, 10, None])
    wb[title["gpu_direct"]].append(["R01", "l40s", 1000, None, 2029, 0, None])
    wb.save(path)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_filled_template_round_trip(tmp_path: Path, lang: str) -> None:
    path = write_template(tmp_path / "t.xlsx", lang)
    _fill(path, lang)
    report = validate(path)
    assert report.table is not None
    assert report.problems == []
    t = report.table
    assert {k: len(t.needs[k]) for k in NEED_KINDS} == dict.fromkeys(NEED_KINDS, 1)
    d = estimate(t, load_scenario())
    y2028 = d.by_year[d.by_year["year"] == 2028].set_index("gpu_model")
    train_h = 6 * 7e9 * 1e12 / (989e12 * 0.40) / 3600  # 6·N·D at 40 % MFU of 989 TFLOPS
    finetune_h = 4 * 6 * 8e9 * 500e6 * 0.667 / (989e12 * 0.40) / 3600  # 4 runs, LoRA = 2/3 of 6·N·D
    serve_h = 1 * 8760  # light load: one 1-GPU replica held all year
    assert y2028.loc["h100_sxm", "gpu_hours"] == pytest.approx(train_h + finetune_h + serve_h, rel=1e-9)
    assert y2028.loc["l40s", "gpu_hours"] == pytest.approx(2 * 30 * 10 * 2)  # courses x students x h x sem
    assert y2028.loc["none", "cpu_vcpus"] == 100
    y2029 = d.by_year[d.by_year["year"] == 2029].set_index("gpu_model")
    assert y2029.loc["l40s", "gpu_hours"] == pytest.approx(1200 + 1000)  # plus GPU-direct from 2029
    assert y2029.loc["none", "storage_tb"] == pytest.approx(10 * 1.1)  # 10 % growth


def _dropdown_values(wb: openpyxl.Workbook) -> dict[str, list[str]]:
    """Return the values each drop-down offers, read back through its list range, by sheet!cells."""
    out: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            sheet, cells = dv.formula1.rsplit("!", 1)
            rows = wb[sheet.strip("'")][cells.replace("$", "")]
            out[f"{ws.title}!{dv.sqref}"] = [str(row[0].value) for row in rows]
    return out


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_dropdowns_show_names_not_keys(tmp_path: Path, lang: str) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", lang))
    shown = _dropdown_values(wb)
    gpu_lists = [v for k, v in shown.items() if k.startswith(sheets()["training"].title(lang) + "!E")]
    assert gpu_lists == [["NVIDIA A100 SXM4 80 GB", "NVIDIA H100 SXM5 80 GB", "NVIDIA H200 SXM 141 GB",
                          "NVIDIA B200 180 GB (HGX/DGX B200)", "NVIDIA L40S 48 GB (PCIe)"]]
    keys = set(choices("gpu")) | set(choices("tenant_classes")) | set(choices("programmes"))
    for values in shown.values():
        assert not keys & set(values), values
        if lang == "ko":  # no English word or internal key a Korean respondent would have to type
            assert [w for v in values for w in english_words(v)] == []
    lists = wb["목록" if lang == "ko" else "Lists"]
    headers = {c.header(lang) for spec in sheets().values() for c in spec.columns}
    assert {c.value for c in lists[1]} <= headers  # each list headed as its column, not by a key


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_template_filled_from_its_dropdowns_round_trips(tmp_path: Path, lang: str) -> None:
    # Pick each GPU as the dropdown shows it; the reader must give the same table as with keys.
    by_key, by_name = write_template(tmp_path / "k.xlsx", lang), write_template(tmp_path / "n.xlsx", lang)
    _fill(by_key, lang)
    _fill(by_name, lang)
    wb = openpyxl.load_workbook(by_name)
    replaced = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if cell.value in choices("gpu"):
                    cell.value = choices("gpu")[cell.value][lang]
                    replaced += 1
    assert replaced == 5  # training, fine-tuning, inference, education, GPU-direct
    wb.save(by_name)
    a, b = validate(by_key), validate(by_name)
    assert a.table is not None
    assert b.table is not None
    assert a.problems == b.problems == []
    for kind in NEED_KINDS:
        pd.testing.assert_frame_equal(a.table.needs[kind], b.table.needs[kind])
    assert set(b.table.needs["training"]["gpu_model"]) == {"h100_sxm"}


def test_the_korean_template_speaks_korean(tmp_path: Path) -> None:
    """Every text of the Korean template (instructions, example rows, lists, drop-down errors) is Korean."""
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", "ko"))
    found: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        cells = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        cells += [dv.error for dv in ws.data_validations.dataValidation if dv.error]
        words = [w for text in cells for w in english_words(text.replace("aidc survey validate", " "))]
        if words:
            found[ws.title] = words
    assert found == {}
    assert wb["응답기관"]["B2"].value == "예시대학교"  # the example row in the respondent's words
