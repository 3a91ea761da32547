"""Broken surveys: every problem reported with its place and the expected value; valid rows kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from aidc.errors import InputError, Problem
from aidc.survey import example_path, read, validate

from .conftest import headers


def _only(problems: list[Problem], severity: str = "error") -> list[str]:
    return [str(p) for p in problems if p.severity == severity]


def test_valid_workbook_reads_clean(write_xlsx, valid_book) -> None:
    report = validate(write_xlsx(valid_book))
    assert report.table is not None
    assert report.problems == []
    t = report.table
    assert list(t.respondents["respondent_id"]) == ["U01", "S01"]
    assert list(t.respondents["tenant_class"]) == ["university", "startup_sme"]
    # A blank optional programme takes its stated default, 'none'.
    assert list(t.respondents["support_programme"]) == ["rise", "none"]
    tr = t.needs["training"]
    assert list(tr["model_params"]) == [7e9, 1.5e9]
    assert list(tr["training_tokens"]) == [1e12, 300e9]
    assert list(tr["precision"]) == ["bf16", "bf16"]  # blank -> default bf16
    assert list(tr["growth_frac_per_y"]) == [0.1, 0.0]
    assert list(tr["source_row"]) == [2, 3]
    assert list(tr["tenant_class"]) == ["university", "startup_sme"]


def test_wrong_header_is_named_and_other_sheets_kept(write_xlsx, valid_book) -> None:
    valid_book["Training"][0][1] = "Model sise"
    report = validate(write_xlsx(valid_book))
    assert report.table is not None
    assert _only(report.problems) == [
        "s.xlsx, sheet 'Training', row 1, column 'Model size (parameters, e.g. 7B)': missing column; the "
        "sheet's 2 row(s) are not counted (expected a column headed 'Model size (parameters, e.g. 7B)' or "
        "'모델 크기 (파라미터 수, 예: 7B)')"
    ]
    assert _only(report.problems, "warning")[0] == (
        "s.xlsx, sheet 'Training', row 1, column 'Model sise': unknown column, ignored"
    )
    assert len(report.table.respondents) == 2  # the respondents are not lost

# The allowed tenant classes exactly as the English template's drop-down shows them.
_CLASSES_EN = ("University / RISE, Public institution, Start-up or SME, Research institute, Enterprise, "
               "Large-model R&D")


def test_merged_cells_are_reported(write_xlsx, valid_book) -> None:
    report = validate(write_xlsx(valid_book, merges={"Respondents": ["B3:C3"]}))
    assert report.table is not None
    assert _only(report.problems) == [
        "s.xlsx, sheet 'Respondents', row 3, cell B3:C3: merged cells (expected one value per cell: unmerge "
        "and fill each cell)",
        "s.xlsx, sheet 'Respondents', row 3, column 'Tenant class', cell C3: required value missing "
        f"(expected one of {_CLASSES_EN})",
        "s.xlsx, sheet 'Training', row 3, column 'Respondent ID': the respondent's row has errors on the "
        "Respondents sheet; not counted (found 'S01'; expected a respondent row without errors)",
    ]
    assert list(report.table.respondents["respondent_id"]) == ["U01"]
    assert list(report.table.needs["training"]["respondent_id"]) == ["U01"]


def test_text_in_numeric_cell_and_negative_value(write_xlsx, valid_book) -> None:
    valid_book["Training"][1][5] = "thirty"
    valid_book["Training"][2][6] = -1
    report = validate(write_xlsx(valid_book))
    assert report.table is not None
    assert _only(report.problems) == [
        "s.xlsx, sheet 'Training', row 2, column 'Target wall-clock time (days)', cell F2: not a number "
        "(found 'thirty'; expected a number)",
        "s.xlsx, sheet 'Training', row 3, column 'Runs per year', cell G3: negative value (found -1; "
        "expected >= 0.01)",
    ]
    assert report.table.needs["training"].empty
    assert len(report.table.respondents) == 2


def test_unknown_class_and_bad_size(write_xlsx, valid_book) -> None:
    valid_book["Respondents"][2][2] = "Bank"
    valid_book["Training"][1][1] = "7 billion"
    report = validate(write_xlsx(valid_book))
    assert _only(report.problems) == [
        "s.xlsx, sheet 'Respondents', row 3, column 'Tenant class', cell C3: unknown value "
        f"(found 'Bank'; expected one of {_CLASSES_EN})",
        "s.xlsx, sheet 'Training', row 2, column 'Model size (parameters, e.g. 7B)', cell B2: not a size "
        "(found '7 billion'; expected a count such as 7B, 1.5T, 500M or 7000000000)",
        "s.xlsx, sheet 'Training', row 3, column 'Respondent ID': the respondent's row has errors on the "
        "Respondents sheet; not counted (found 'S01'; expected a respondent row without errors)",
    ]


def test_duplicate_respondent_and_unknown_reference(write_xlsx, valid_book) -> None:
    valid_book["Respondents"].append(["U01", "University A again", "University / RISE", "", ""])
    valid_book["Training"].append(["X99", "7B", "1T", "", "", 30, 1, 2028, 0, ""])
    report = validate(write_xlsx(valid_book))
    assert report.table is not None
    assert _only(report.problems) == [
        "s.xlsx, sheet 'Respondents', row 4, column 'Respondent ID': duplicate respondent ID (first at "
        "row 2) (found 'U01'; expected a unique ID per organisation)",
        "s.xlsx, sheet 'Training', row 4, column 'Respondent ID': unknown respondent ID (found 'X99'; "
        "expected an ID listed (without errors) on the Respondents sheet)",
    ]
    assert len(report.table.needs["training"]) == 2


def test_empty_sheets(write_xlsx, valid_book) -> None:
    valid_book["Inference"] = []
    report = validate(write_xlsx(valid_book))
    assert report.ok
    assert _only(report.problems, "warning") == [
        "s.xlsx, sheet 'Inference', row 1: empty sheet (no header row) (expected the template's header row)"
    ]
    report = validate(write_xlsx({"Respondents": [headers("respondents")]}))
    assert _only(report.problems) == [
        "s.xlsx, sheet 'Respondents': no respondents (expected one row per organisation)"
    ]


def test_missing_respondents_sheet(write_xlsx, valid_book) -> None:
    del valid_book["Respondents"]
    report = validate(write_xlsx(valid_book))
    assert "s.xlsx, sheet 'Respondents': missing sheet (expected a Respondents / 응답기관 sheet)" in _only(
        report.problems)
    assert not report.ok


def test_warning_for_implausible_value_keeps_row(write_xlsx, valid_book) -> None:
    valid_book["Training"][1][5] = 400  # days: possible, but more than a year
    report = validate(write_xlsx(valid_book))
    assert report.table is not None
    assert report.ok
    assert _only(report.problems, "warning") == [
        "s.xlsx, sheet 'Training', row 2, column 'Target wall-clock time (days)', cell F2: implausible value "
        "(found 400; expected <= 365)"
    ]
    assert len(report.table.needs["training"]) == 2


def test_example_row_is_skipped(write_xlsx, valid_book) -> None:
    valid_book["Respondents"].insert(1, ["EXAMPLE", "Example University", "University / RISE", "", ""])
    report = validate(write_xlsx(valid_book))
    assert report.table is not None
    assert report.ok
    assert list(report.table.respondents["respondent_id"]) == ["U01", "S01"]


def _write_flat_csv(path: Path, encoding: str) -> Path:
    # One table for all sheets with a 시트 column, Korean headers, as a web form export would give.
    resp = headers("respondents", "ko")
    train = headers("training", "ko")
    cols = ["시트", *resp, *[h for h in train if h not in resp]]
    rows = [
        {"시트": "응답기관", "응답기관 ID": "U01", "기관명": "가상대학교", "기관 유형": "대학 (RISE)"},
        {"시트": "응답기관", "응답기관 ID": "P01", "기관명": "가상공공기관", "기관 유형": "공공기관"},
        {"시트": "모델학습", "응답기관 ID": "U01", "모델 크기 (파라미터 수, 예: 7B)": "7B",
         "학습 토큰 수 (예: 1T)": "1T", "목표 학습 기간 (일)": "30", "연간 학습 횟수 (회)": "2",
         "시작 연도": "2028", "연간 증가율 (%)": "10%"},
        {"시트": "모델학습", "응답기관 ID": "P01", "모델 크기 (파라미터 수, 예: 7B)": "칠십억",
         "학습 토큰 수 (예: 1T)": "1T", "목표 학습 기간 (일)": "30", "연간 학습 횟수 (회)": "1",
         "시작 연도": "2028"},
    ]
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_flat_csv_in_utf8_or_cp949(tmp_path: Path, encoding: str) -> None:
    report = validate(_write_flat_csv(tmp_path / "survey.csv", encoding))
    assert report.table is not None
    assert _only(report.problems) == [
        "survey.csv, sheet '모델학습', row 5, column '모델 크기 (파라미터 수, 예: 7B)', cell G5: not a size "
        "(found '칠십억'; expected a count such as 7B, 1.5T, 500M or 7000000000)"
    ]
    assert list(report.table.respondents["organisation"]) == ["가상대학교", "가상공공기관"]
    training = report.table.needs["training"]
    assert list(training["model_params"]) == [7e9]
    assert list(training["growth_frac_per_y"]) == [0.1]


def test_single_sheet_csv_named_by_file(tmp_path: Path) -> None:
    path = tmp_path / "Respondents.csv"
    with path.open("w", encoding="cp949", newline="") as fh:
        csv.writer(fh).writerows([headers("respondents", "ko"), ["U01", "가상대학교", "대학 (RISE)", "", ""]])
    report = validate(path)
    assert report.table is not None
    assert list(report.table.respondents["respondent_id"]) == ["U01"]
    assert _only(report.problems, "warning") == [
        "Respondents.csv, sheet 'Respondents', row 2: respondent has no valid need on any sheet (found 'U01')"
    ]


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00\xff,\x80\xff\n")
    report = validate(path)
    assert report.table is None
    assert _only(report.problems) == [
        "bad.csv: cannot decode the file as text (expected CSV in UTF-8 or CP949 (EUC-KR))"
    ]


def test_unsupported_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "s.pdf").write_bytes(b"%PDF")
    assert str(validate(tmp_path / "s.pdf").problems[0]) == (
        "s.pdf: unsupported file type (found '.pdf'; expected .xlsx, .xlsm, .csv, .yaml, .yml)")
    assert validate(tmp_path / "nope.xlsx").problems[0].message == "no such file"


def test_not_an_excel_file(tmp_path: Path) -> None:
    (tmp_path / "s.xlsx").write_text("not a zip")
    report = validate(tmp_path / "s.xlsx")
    assert report.table is None
    assert report.errors[0].message.startswith("cannot open as an Excel workbook")


def test_read_raises_every_problem(write_xlsx, valid_book) -> None:
    valid_book["Training"][1][5] = "thirty"
    valid_book["Respondents"][2][2] = "Bank"
    with pytest.raises(InputError) as exc:
        read(write_xlsx(valid_book))
    assert len([p for p in exc.value.problems if p.severity == "error"]) == 3


def test_yaml_survey_and_shipped_example() -> None:
    report = validate(example_path())
    assert report.table is not None
    assert report.problems == []
    t = report.table
    assert len(t.respondents) == 30
    assert set(t.respondents["tenant_class"]) == {"university", "public", "startup_sme", "research",
                                                  "enterprise", "large_model"}
    assert all(len(df) > 0 for df in t.needs.values())


def test_yaml_problems_name_list_position(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "respondents:\n  - {respondent_id: U01, organisation: A, tenant_class: university}\n"
        "cloud:\n  - {respondent_id: U01, cpu_vcpus: -8, memory_gb: 10, storage_tb: 1, start_year: 2028}\n",
        encoding="utf-8",
    )
    report = validate(path)
    assert _only(report.problems) == [
        "s.yaml, sheet 'cloud', row 1, column 'cpu_vcpus': negative value (found -8; expected >= 0)"
    ]


def test_gpu_direct_needs_one_of_two(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "respondents:\n  - {respondent_id: U01, organisation: A, tenant_class: university}\n"
        "gpu_direct:\n  - {respondent_id: U01, gpu_model: h100_sxm, start_year: 2028}\n",
        encoding="utf-8",
    )
    assert _only(validate(path).problems) == [
        "s.yaml, sheet 'gpu_direct', row 1: neither value given (expected 'GPU-hours per year' or "
        "'GPUs reserved all year')"
    ]


def test_fp8_on_a100_is_a_warning(write_xlsx, valid_book) -> None:
    valid_book["Training"][1][3] = "FP8"
    valid_book["Training"][1][4] = "a100_sxm_80gb"
    report = validate(write_xlsx(valid_book))
    assert report.ok
    assert _only(report.problems, "warning") == [
        "s.xlsx, sheet 'Training', row 2, column 'Precision': this GPU has no FP8 tensor cores; its BF16 "
        "rate is used (found 'fp8'; expected BF16 or FP16 on this GPU)"
    ]


def test_percent_formatted_cell_reads_as_percent(tmp_path, valid_book) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in valid_book.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    cell = wb["Training"]["I2"]  # 'Annual growth (%)' typed as 10 % in Excel: stored as 0.1
    cell.value, cell.number_format = 0.1, "0%"
    wb.save(tmp_path / "p.xlsx")
    report = validate(tmp_path / "p.xlsx")
    assert report.table is not None
    assert report.problems == []
    assert report.table.needs["training"]["growth_frac_per_y"].iloc[0] == pytest.approx(0.1)


def test_gpu_direct_both_values_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "respondents:\n  - {respondent_id: U01, organisation: A, tenant_class: university}\n"
        "gpu_direct:\n  - {respondent_id: U01, gpu_h_per_y: 100, n_gpus: 2, start_year: 2028}\n",
        encoding="utf-8",
    )
    report = validate(path)
    assert report.ok
    assert _only(report.problems, "warning") == [
        "s.yaml, sheet 'gpu_direct', row 1: both values given; 'n_gpus' is used (expected one of the two)"
    ]


def test_title_rows_above_the_header_are_skipped_with_a_warning(write_xlsx, valid_book) -> None:
    valid_book["Training"][0:0] = [["Training needs of 2028"], []]
    report = validate(write_xlsx(valid_book))
    assert report.table is not None
    assert report.ok
    assert _only(report.problems, "warning") == [
        "s.xlsx, sheet 'Training', row 3: header row found on row 3; the rows above are ignored "
        "(expected headers on row 1, as in the template)"
    ]
    assert list(report.table.needs["training"]["source_row"]) == [4, 5]
