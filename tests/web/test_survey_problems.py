"""The survey check's problems in the reader's language, each with a code that does not change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.i18n.english import english_words
from tests.web.conftest import World

HANGUL = re.compile("[\uac00-\ud7a3]")


def _answers_with_problems(valid_answers: dict) -> dict:
    """A draft with an error or warning of each kind the form gives (see the comments)."""
    tune = valid_answers["finetuning"][0]
    # an unknown choice, a word for a number, a negative count
    bad_tune = {**tune, "method": "magic", "deadline_days": "soon", "n_runs_per_y": -4}
    fp8_on_a100 = {**tune, "precision": "fp8", "gpu_model": "a100_sxm_80gb"}  # a warning naming the GPU
    direct = {"gpu_model": "h100_sxm", "start_year": 2028}
    return {
        **valid_answers,
        "finetuning": [tune, bad_tune, fp8_on_a100],
        "gpu_direct": [
            {**direct, "gpu_h_per_y": 20000, "n_gpus": 8},  # both given: names the column used
            direct,  # neither given: names both columns
            {**direct, "n_gpus": "many"},
        ],
    }


def _draft_problems(world: World, lang: str, answers: dict) -> list[dict]:
    r = world.client(lang).put(f"/api/rounds/{world.round_id}/submission",
                               headers=world.bearer("institution"), json={"answers": answers})
    assert r.status_code == 200, r.text
    return list(r.json()["problems"])


def test_a_drafts_problems_are_in_the_readers_language_with_the_same_codes(world, valid_answers) -> None:
    answers = _answers_with_problems(valid_answers)
    ko, en = _draft_problems(world, "ko", answers), _draft_problems(world, "en", answers)
    assert len(ko) == len(en) >= 6
    assert [p["code"] for p in ko] == [p["code"] for p in en]
    codes = {"value_unknown", "not_a_number", "negative", "both_given", "neither_given", "gpu_no_fp8"}
    assert codes <= {p["code"] for p in ko}
    for p in ko:
        for said in (p["message"], p["expected"] or "가"):
            assert HANGUL.search(said), p
            assert english_words(said) == [], p
    for p in en:
        assert not HANGUL.search(p["message"] + (p["expected"] or "")), p
    # the location is structured and the same in both languages
    where = [(p["sheet"], p["row"], p["column"], p["field"]) for p in ko]
    assert where == [(p["sheet"], p["row"], p["column"], p["field"]) for p in en]
    assert ("finetuning", 1, "method") in [w[:3] for w in where]


def _upload(world: World, lang: str, rows: list[str]) -> tuple[int, list[dict]]:
    content = ("\n".join(rows) + "\n").encode()
    r = world.client(lang).post(f"/api/rounds/{world.round_id}/submission/upload",
                                headers=world.bearer("institution"),
                                files={"file": ("answers.csv", content, "text/csv")})
    body = r.json()
    return r.status_code, body["problems"] if r.status_code == 200 else body["detail"]


HEADER = ("sheet,respondent_id,organisation,tenant_class,colour,model_params,training_tokens,method,"
          "deadline_days,n_runs_per_y,start_year")


@pytest.mark.parametrize(
    ("rows", "status", "codes"),
    [
        # stored: the answer's own warnings (implausibly many runs a year)
        ([HEADER, "Respondents,X1,Whatever,university,,,,,,,",
          "Fine-tuning,X1,,,,8B,500M,peft,3,900000,2028"],
         200, {"implausible"}),
        # refused: the file's problems, located by the file's own sheet titles and headers
        ([HEADER, "Respondents,X1,Whatever,university,blue,,,,,,",
          "Fine-tuning,X1,,,,8B,500M,peft,soon,12,2028"],
         422, {"column_unknown", "not_a_number"}),
    ],
)
def test_an_uploads_problems_are_in_the_readers_language_with_the_same_codes(
    world, rows: list[str], status: int, codes: set[str]
) -> None:
    """A CSV with English headers read for a Korean and an English reader."""
    (ko_status, ko), (en_status, en) = _upload(world, "ko", rows), _upload(world, "en", rows)
    assert ko_status == en_status == status
    assert [p["code"] for p in ko] == [p["code"] for p in en]
    assert codes <= {p["code"] for p in ko}
    for p in ko:
        assert HANGUL.search(p["message"]), p
        assert english_words(p["message"] + " " + (p["expected"] or "")) == [], p
    for p in en:
        assert not HANGUL.search(p["message"] + (p["expected"] or "")), p
    where = [(p["sheet"], p["row"], p["column"]) for p in ko]
    assert where == [(p["sheet"], p["row"], p["column"]) for p in en]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_refused_submit_lists_its_problems_with_codes(world, valid_answers, lang: str) -> None:
    valid_answers["finetuning"][0]["deadline_days"] = "soon"
    r = world.client(lang).put(f"/api/rounds/{world.round_id}/submission",
                               headers=world.bearer("institution"),
                               json={"answers": valid_answers, "submit": True})
    assert r.status_code == 422
    assert r.json()["code"] == "answers_refused"
    (p,) = [p for p in r.json()["detail"] if p["severity"] == "error"]
    where = (p["code"], p["sheet"], p["row"], p["column"])
    assert where == ("not_a_number", "finetuning", 0, "deadline_days")
    assert bool(HANGUL.search(p["message"])) is (lang == "ko")


def _korean_workbook_with_file_problems(tmp_path: Path) -> bytes:
    """The Korean template with a title above the headers, a sheet of notes and a word for a number."""
    import openpyxl

    from aidc.survey import write_template

    path = write_template(tmp_path / "설문.xlsx", "ko")
    wb = openpyxl.load_workbook(path)
    wb["응답기관"].append(["R1", "아무 기관", "대학 (RISE)", None, "ai@example.ac.kr"])
    tune = wb["미세조정"]
    tune.append(["R1", "8B", "500M", "경량 미세조정 (LoRA)", "BF16", "h100_sxm", "다음 주", 12, 2028])
    tune.insert_rows(1)
    tune["A1"] = "우리 기관의 미세조정 수요"
    wb.create_sheet("메모")["A1"] = "내부 메모"
    wb.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_workbooks_own_problems_are_in_the_readers_language(world, tmp_path: Path, lang: str) -> None:
    """What the bounded reader finds in the file itself (a moved header row, a sheet it does not know)."""
    content = _korean_workbook_with_file_problems(tmp_path)
    r = world.client(lang).post(f"/api/rounds/{world.round_id}/submission/upload",
                                headers=world.bearer("institution"),
                                files={"file": ("설문.xlsx", content, "x")})
    assert r.status_code == 422, r.text
    by_code = {p["code"]: p for p in r.json()["detail"]}
    assert {"header_row_moved", "sheet_unknown", "not_a_number"} <= set(by_code)
    assert (by_code["header_row_moved"]["sheet"], by_code["header_row_moved"]["row"]) == ("미세조정", 2)
    assert by_code["sheet_unknown"]["sheet"] == "메모"
    for p in by_code.values():
        said = p["message"] + " " + (p["expected"] or "")
        if lang == "ko":
            assert HANGUL.search(p["message"]), p
            assert english_words(said) == [], p
        else:
            assert not HANGUL.search(said), p
