"""Every validation message and expectation the validator produces has Korean wording."""

from __future__ import annotations

from pathlib import Path

from aidc.errors import Problem
from aidc.i18n.problems import localise
from aidc.survey import validate

from .conftest import headers


def _all_kinds_of_problems(write_xlsx, valid_book, tmp_path: Path) -> list[Problem]:
    book = valid_book
    book["Respondents"].append(["U01", "University A", "Bank", "", ""])  # duplicate id, class unknown
    book["Respondents"].append(["U02", "University A", "University / RISE", "", ""])  # same organisation
    book["Training"][1][5] = "thirty"
    book["Training"][2][6] = -1
    book["Training"].append(["X9", "7 billion", "1T", "FP8", "a100_sxm_80gb", 400, 1, 2028, 0, ""])
    book["Training"].append(["U01", "7B", "1T", "FP8", "a100_sxm_80gb", 400, 2.5, 1999, 900, ""])
    book["Training"][0].append("Extra")
    book["Inference"] = []
    book["Fine-tuning"] = [["Respondent ID"]]
    book["Notes"] = [["x"]]
    book["Education"] = [["Courses of 2028"], headers("education")]
    problems = validate(write_xlsx(book, merges={"Respondents": ["B3:C3"]})).problems
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_bytes(b"\xff\xfe\x00\xff")
    problems += validate(bad_csv).problems
    (tmp_path / "x.yaml").write_text("respondents:\n  - {respondent_id: U01}\ngpu_direct:\n"
                                     "  - {respondent_id: U01, start_year: 2028}\n"
                                     "  - {respondent_id: U01, gpu_h_per_y: 1, n_gpus: 1, start_year: 28}\n",
                                     encoding="utf-8")
    problems += validate(tmp_path / "x.yaml").problems
    return problems


def test_every_problem_has_korean_wording(write_xlsx, valid_book, tmp_path: Path) -> None:
    problems = _all_kinds_of_problems(write_xlsx, valid_book, tmp_path)
    messages = {p.message for p in problems}
    assert len(messages) >= 15  # the fixture exercises most rules
    for p in problems:
        message, expected = localise(p, "ko")
        assert message != p.message, p.message
        assert expected is None or expected != p.expected or expected.startswith(("<", ">")), p.expected


def test_english_is_unchanged() -> None:
    p = Problem("not a number", expected="a number")
    assert localise(p, "en") == ("not a number", "a number")
    assert localise(Problem("something new"), "ko") == ("something new", None)  # shown, never dropped
