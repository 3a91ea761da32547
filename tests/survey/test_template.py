"""The Excel template: its sheets, headers, drop-downs and example row; filled, it round-trips."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from aidc.demand import estimate
from aidc.scenario import load_scenario
from aidc.survey import NEED_KINDS, sheets, validate, write_template


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
