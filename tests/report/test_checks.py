"""Design checks in the report's language, written from their fields, and free text marked as such."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidc
from aidc.design import checks as design_checks
from aidc.design.results import Check
from aidc.errors import Note
from aidc.report import checks, html
from aidc.report.i18n import LANGS, text

SHIPPED = ("jeonbuk-phase1", "jeonbuk-ai")
_FABRICS = ("backend", "frontend")  # aidc.design.network's fabrics, each giving a <fabric>_fabric_tiers check
_HANGUL = re.compile("[가-힣]")
#: Three or more Latin words in a row: an English sentence, not a unit (kW, m²) or a symbol.
_ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,:()-]+[A-Za-z]{2,}){2,}")


def _names_in_source() -> set[str]:
    source = Path(design_checks.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r'check\("([a-z_]+)"', source)) - {"a", "b"}  # a, b: binding_limit's doctest
    return names | {f"{f}_fabric_tiers" for f in _FABRICS}


@pytest.fixture(scope="module")
def results(default_result: aidc.Result) -> dict[str, aidc.Result]:
    return {"jeonbuk-phase1": default_result, "jeonbuk-ai": aidc.run(aidc.load_scenario("jeonbuk-ai"))}


def _checks(result: aidc.Result) -> list[Check]:
    """The design's checks of a result that ran the design stage."""
    assert result.design is not None
    return result.design.checks


def _table_cells(page: str, caption: str) -> list[list[str]]:
    """The body rows of the table captioned ``caption`` in a rendered report."""
    start = page.index(f"<figcaption>{html_lib.escape(caption)}")
    body = page[start: page.index("</table>", start)]
    return [[html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]]


def test_every_check_name_has_a_template_in_both_languages(results: dict[str, aidc.Result]) -> None:
    names = _names_in_source() | {c.name for r in results.values() for c in _checks(r)}
    assert {"it_capacity", "grid_contract", "demand_gpus", "backend_fabric_tiers"} <= names
    for lang in LANGS:
        t = text(lang)
        assert sorted(n for n in names if not t.has(checks.template_key(n))) == [], lang
        assert all(t.has(f"value.{n}") for n in names), lang  # the check's name column


@pytest.mark.parametrize("scenario", SHIPPED)
def test_korean_check_rows_hold_no_english_sentence(results: dict[str, aidc.Result], scenario: str) -> None:
    result = results[scenario]
    t = text("ko")
    page = html.render(result, t)
    rows = _table_cells(page, html.table_title(t, "checks"))
    assert len(rows) == len(_checks(result))
    for row, check in zip(rows, _checks(result), strict=True):
        assert check.message not in page
        assert [c for c in row if _ENGLISH_SENTENCE.search(c)] == [], check.name
        assert any(_HANGUL.search(c) for c in row)
    failed = [c for c in _checks(result) if not c.ok]
    assert all(("부족" if c.sense == "min" else "초과") in rows[_checks(result).index(c)][5]
               for c in failed)


def test_english_rows_say_what_the_design_message_says(results: dict[str, aidc.Result]) -> None:
    """Same figures as the design's own message: its value, limit and relation appear in ours."""
    t = text("en")
    for check in _checks(results["jeonbuk-ai"]):
        ours = checks.check_message(t, check.name, check.ok, check.value, check.limit, check.unit,
                                    check.sense)
        relation = re.search(r" ([≤≥<>]) limit ", check.message)
        assert relation is not None
        assert f" {relation.group(1)} limit " in ours
        assert ("spare" in ours) is ("spare" in check.message)


def test_micro_case_in_korean() -> None:
    # floors: 6.2 needed, 5 allowed: over by 1.2 floors = 1.2 / 5 = 24 %
    t = text("ko")
    assert checks.check_message(t, "floors", False, 6.2, 5, "floors") == (
        "최대 건축 면적 기준 필요 층수: 6.20개 층 > 한도 5개 층 — 1.20개 층(24.0%) 초과")
    # UPS 9,000 kW after spares against a 9,500 kW load: short by 500 kW = 500 / 9,500 = 5.3 %
    assert checks.check_message(t, "ups_redundancy", False, 9000, 9500, "kW", "min").endswith(
        "9,000 kW < 한도 9,500 kW — 500 kW(5.3%) 부족")


@given(value=st.floats(0, 1e6), limit=st.floats(1e-3, 1e6), sense=st.sampled_from(["max", "min"]))
def test_margin_clause_follows_the_design_verdict(value: float, limit: float, sense: str) -> None:
    verdict = design_checks.check("grid_contract", value, limit, "kW", "x", sense=sense)  # type: ignore[arg-type]
    for lang, spare in (("en", "spare"), ("ko", "여유")):
        message = checks.check_message(text(lang), "grid_contract", verdict.ok, value, limit, "kW", sense)
        assert (spare in message) is verdict.ok
        assert "⟦" not in message


def test_localize_keeps_the_figures_and_translates_unit_and_message() -> None:
    frame = pd.DataFrame([{"name": "floors", "ok": True, "value": 2.0, "limit": 5.0, "unit": "floors",
                           "message": "floors needed: 2 floors ≤ limit 5 floors", "sense": "max",
                           "kind": "limit"}])
    out = checks.localize(text("ko"), frame)
    assert out.loc[0, "unit"] == "개 층"
    assert out.loc[0, "value"] == 2.0
    assert out.loc[0, "message"].startswith("최대 건축 면적 기준 필요 층수: 2개 층 ≤ 한도 5개 층")
    assert frame.loc[0, "message"].startswith("floors needed")  # the stage result is not changed


def test_free_text_is_marked_as_the_original_in_korean_only(pages: dict) -> None:
    ko, en = pages["ko"].text, pages["en"].text
    # the stages' notes of the default run are all ones the report writes in Korean: no marker
    assert f"{text('ko')('term.notes')} (영문 원문)" not in ko
    assert "영문 원문" not in en
    identifiers = pd.DataFrame({"note": ["n_gpus", "dgx_h100"]})
    assert not checks.is_free_text(text("ko"), identifiers)
    unknown = pd.DataFrame({"note": ["a sentence no pattern knows"]})
    assert checks.is_free_text(text("ko"), unknown)
    assert checks.mark_original(text("ko"), "참고") == "참고 (영문 원문)"


def test_stage_notes_are_written_in_korean() -> None:
    ko = text("ko")
    limit = "site floors: 5 allowed, 5.03 needed in 2041"
    breaks = Note("the plan breaks a limit ({limit}): costed as the schedule that breaks it least",
                  limit=limit)
    assert breaks == f"the plan breaks a limit ({limit}): costed as the schedule that breaks it least"
    assert checks.text_value(ko, breaks) == ("증설 계획이 한도를 넘습니다(부지 층수: 허용 5, 필요 5.03 "
                                             "(2041년)). 한도를 가장 적게 넘는 일정으로 비용을 산정했습니다.")
    option = Note("{hours} h/month of use at {contract} kW contract suits option {fits}, "
                  "not the chosen option {chosen}", hours="257", contract="2,705", fits="II", chosen="III")
    assert checks.note_text(ko, option) == ("계약전력 2,705 kW에서 월 사용시간이 257시간이면 "
                                            "선택 II이(가) 유리하며, 선택한 요금은 선택 III입니다.")
    # a tariff named in a note is shown by its label, not its key
    late = Note("tariff {tariff} takes effect {date}, after the year {year}",
                tariff="kepco_industrial_b_2026", date="2026-04-16", year=2025)
    assert ko("value.kepco_industrial_b_2026") in checks.note_text(ko, late)
    assert "kepco" not in checks.note_text(ko, late)
    en = text("en")  # in English too
    named = en("value.kepco_industrial_b_2026")
    assert checks.note_text(en, late) == late.replace("kepco_industrial_b_2026", named)


def test_every_note_the_stages_write_is_in_the_catalog() -> None:
    """Energy and economics alone (no other stage) write their fallbacks; each reads in Korean."""
    from tests.i18n.english import english_words

    from aidc import i18n
    from aidc.economics import evaluate as economics
    from aidc.energy import evaluate as energy

    s = aidc.load_scenario()
    notes = [*energy(s).notes, *economics(s).fallbacks,
             *energy(s.model_copy(update={"start_year": 2025})).notes]
    assert len(notes) >= 6
    for note in notes:
        assert isinstance(note, Note), note
        assert i18n.has(note.msgid, "ko"), note.msgid
        korean = checks.text_value(text("ko"), note)
        assert re.search("[가-힣]", korean), korean
        assert english_words(korean) == [], korean


def test_an_untranslated_headline_text_is_marked() -> None:
    ko = text("ko")
    assert checks.free_value(ko, "grid") == ko("value.grid")
    sentence = "grid contract: 9.6 MW allowed"
    assert checks.free_value(ko, sentence) == f"{sentence} (영문 원문)"
    assert checks.free_value(text("en"), sentence) == sentence


def test_why_a_stage_is_missing_is_written_from_the_catalog(default_result: aidc.Result,
                                                            tmp_path: Path) -> None:
    from dataclasses import replace

    from aidc import report

    why_not = "the design has no GPUs, so there are no GPU jobs to simulate"  # the pipeline's reason
    unknown = "a reason no catalog knows"
    left_out = replace(default_result, simulation=None, service=None, summary=None,
                       missing={"simulation": why_not, "service": unknown})
    ko = report.build(left_out, lang="ko", out_dir=tmp_path / "ko").html.read_text(encoding="utf-8")
    en = report.build(left_out, lang="en", out_dir=tmp_path / "en").html.read_text(encoding="utf-8")
    assert "설계에 GPU가 없어 모사할 GPU 작업이 없습니다" in ko
    assert why_not not in ko
    assert why_not in en
    assert f"<code>{html_lib.escape(unknown)}</code> (영문 원문)" in ko  # what the catalog lacks: marked
    assert f"<code>{html_lib.escape(unknown)}</code>)" in en  # English needs no mark
