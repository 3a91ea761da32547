"""The one-page briefing: figures from the run's Summary, a verdict in plain words, one A4 page."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from aidc import units
from aidc.report import briefing, html, i18n, pdf

#: Words a Korean page may hold in Latin letters: units, product and programme names, acronyms
#: an official reads as such. Anything else in Latin letters is an English leftover.
# SI symbols stay Latin in Korean text too (kW, MW; kg/m² when the floor loading is the tightest check)
ALLOWED_LATIN = {"aidc", "AIDC", "AI", "IT", "MW", "kW", "kg", "m", "GPU", "GPUs", "vCPU", "CPU", "PUE",
                 "RISE", "PFV", "NVIDIA", "DGX", "H100", "H200", "B200", "A100", "L40S", "IRR", "DSCR", "SHA"}


def _latin_words(text: str) -> set[str]:
    # hex hashes and version strings hold digits: words of letters only are checked
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", text) if w.isalpha()}


@pytest.fixture(scope="module")
def briefs(default_result) -> dict[str, briefing.Briefing]:
    return {lang: briefing.build(default_result, i18n.text(lang)) for lang in ("ko", "en")}


def test_figures_are_the_summary_s(default_result, briefs) -> None:
    s = default_result.summary
    raw = {f.key: f.raw for f in briefs["ko"].figures}
    assert raw == {
        "phase1_capex": s.phase1_capex_krw, "it_capacity": s.it_capacity_kw,
        "floor_area": pytest.approx(s.gross_floor_area_m2 / units.PYEONG_M2), "n_servers": s.n_servers,
        "n_gpus": s.n_gpus,
    }
    assert len(briefs["en"].figures) == 5


def test_korean_figures_use_the_units_an_official_reads(default_result, briefs) -> None:
    s = default_result.summary
    text = {f.key: f.text for f in briefs["ko"].figures}
    assert text["phase1_capex"] == f"{s.phase1_capex_krw / 1e8:,.1f}억 원"  # 1억 = 10^8 won
    assert text["it_capacity"] == f"{s.it_capacity_kw / 1000:g} MW"
    assert text["floor_area"].startswith(f"{s.gross_floor_area_m2 / 3.305785:,.0f}평")
    assert text["n_servers"] == f"{s.n_servers:,}대"


def test_korean_briefing_has_no_english_words(briefs, default_result) -> None:
    page = html.render_briefing(default_result, i18n.text("ko"))
    body = unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", page, flags=re.S))
    assert _latin_words(body) - ALLOWED_LATIN == set()


def _by_hand(**fields) -> SimpleNamespace:
    """A run whose Summary says: 8 MW; phase 2 due 2031 adding 2 MW that year and 2 MW in 2033."""
    summary = dict(
        it_capacity_kw=8000.0, site_area_m2=2500 * units.PYEONG_M2,
        gross_floor_area_m2=1000 * units.PYEONG_M2,
        phase1_capex_krw=1.5e11, n_servers=100, n_gpus=800, gpu_demand_peak_n=1000.0, gpu_gap_n=200.0,
        phase2_year=2031, gpu_short_years=(), npv_krw=2e10, cost_krw_per_gpu_h=3000.0,
        plan_binding_limit="grid connection: 8.0 MW allowed, 9.5 MW needed in 2031", tightest_check=None,
        n_checks_failed=0, n_respondents=12, phase1_meets_until_year=2028, gpu_first_short_year=2029,
        gpu_first_short_n=100.0,
    ) | fields
    schedule = pd.DataFrame({"year": [2028, 2031, 2033], "kind": ["block"] * 3,
                             "it_capacity_kw": [8000.0, 2000.0, 2000.0]})
    capacity = pd.DataFrame({"year": [2028, 2029], "n_gpus_installed": [800.0, 800.0],
                             "n_gpus_needed": [600.0, 900.0]})
    return SimpleNamespace(summary=SimpleNamespace(**summary), design=None,
                           plan=SimpleNamespace(schedule=schedule, capacity_by_year=capacity),
                           scenario=SimpleNamespace(name="by-hand", title="by hand"))


def test_verdict_by_hand() -> None:
    b = briefing.build(_by_hand(gpu_gap_n=0.0), i18n.text("ko"))
    assert b.verdict[0] == "1단계(8 MW)로 조사된 수요를 2030년까지 감당할 수 있습니다."
    # 2 MW in 2031 + 2 MW in 2033 = 4 MW of phase 2
    assert b.verdict[1] == "2031년에 2단계 증설이 필요하며, 2033년까지 IT 용량 4 MW를 더해야 합니다."
    # phase 1's 800 GPUs meet 2028's coincident need; 2029 needs 900: short by 100
    assert b.verdict[2] == "1단계 GPU 800개로 2028년까지 동시 수요를 감당하며, 2029년에는 100개가 부족합니다."
    assert b.limits == ("수전 용량: 허용 8.0 MW, 필요 9.5 MW (2031년)",)
    assert b.decisions[0] == "2031년 전에 2단계 부지, 수전 용량, 재원을 확보해야 합니다."


def test_no_phase2_and_no_gap_say_so() -> None:
    b = briefing.build(_by_hand(phase2_year=None, gpu_gap_n=0.0, plan_binding_limit=None,
                                gpu_first_short_year=None, gpu_first_short_n=None), i18n.text("en"))
    assert b.verdict[0] == "Phase 1 (8 MW) meets the surveyed demand over the whole horizon (to 2029); " \
                           "no phase 2 is needed."
    assert not any("coincident demand" in v for v in b.verdict)
    assert b.limits == ()


def test_short_from_the_first_year_says_so() -> None:
    b = briefing.build(_by_hand(n_gpus=0, phase1_meets_until_year=None, gpu_first_short_year=2028,
                                gpu_first_short_n=783.0), i18n.text("en"))
    assert "Phase 1's 0 GPUs fall short of the coincident demand from the first year (2028), by 783 GPUs." \
        in b.verdict


def test_chart_years_have_no_separators() -> None:
    svg = briefing.chart_svg(i18n.text("ko"), [2028, 2029], [800.0, 800.0], [600.0, 900.0])
    assert ">2028<" in svg
    assert "2,028" not in svg
    assert "설치 GPU" in svg


@pytest.mark.browser
@pytest.mark.skipif(pdf.find_chromium() is None, reason="needs Chromium (scripts/setup-system.sh)")
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_briefing_prints_on_one_a4_page_with_its_fonts(default_result, tmp_path: Path, lang: str) -> None:
    page = tmp_path / "briefing.html"
    page.write_text(html.render_briefing(default_result, i18n.text(lang)), encoding="utf-8")
    raw = pdf.print_pdf(page, tmp_path / "briefing.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", raw)) == 1
    assert re.search(rb"/FontFile|/CharProcs", raw)  # glyphs embedded: Hangul shows on any reader
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]", raw)  # A4 is 595 x 842 pt


def test_a_missing_chromium_is_said_plainly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIDC_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(pdf.PdfUnavailable, match="no Chromium"):
        pdf.print_pdf(tmp_path / "x.html", tmp_path / "x.pdf")


def test_a_gpu_gap_is_not_told_as_demand_met() -> None:
    """800 GPUs against a peak of 1,000: the verdict may not say plainly that phase 1 meets the demand."""
    b = briefing.build(_by_hand(n_checks_failed=1), i18n.text("ko"))
    assert not any("감당할 수 있습니다" in v for v in b.verdict)
    assert b.verdict[0] == ("1단계 시설(8 MW)의 전력과 부지는 조사된 수요를 2030년까지 수용할 수 있지만, "
                            "1단계 설계의 GPU 800개는 최대 수요 1,000개에 못 미치므로 해마다 GPU를 추가 "
                            "도입해야 합니다.")
    assert len(b.verdict) == 3  # the gap is the one failed check: no separate failed-check sentence


@pytest.mark.parametrize(("fields", "absent", "present"), [
    ({"gpu_gap_n": 0.0, "n_checks_failed": 2}, None, "설계 검토 항목 2개가 부적합합니다"),
    ({"n_checks_failed": 3}, "감당할 수 있습니다", "설계 검토 항목 2개가 부적합합니다"),  # 3 - the GPU gap
    ({"phase2_year": None, "plan_binding_limit": None}, "2단계 증설은 필요하지 않습니다.", "추가 도입해야"),
    ({"phase2_year": None, "gpu_short_years": (2029,)}, "감당할 수 있습니다", "못 미치므로"),
])
def test_verdict_follows_the_summary_checks(fields, absent, present) -> None:
    verdict = " ".join(briefing.build(_by_hand(**fields), i18n.text("ko")).verdict)
    assert present in verdict
    if absent:
        assert absent not in verdict


def test_default_briefing_verdict_agrees_with_itself(default_result, briefs) -> None:
    s = default_result.summary
    verdict = " ".join(briefs["ko"].verdict)
    if s.gpu_gap_n and s.gpu_gap_n > 0:
        assert "감당할 수 있습니다" not in verdict
        assert f"{s.n_gpus:,}개" in verdict
        assert f"{s.gpu_demand_peak_n:,.0f}개" in verdict
