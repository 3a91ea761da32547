"""The report of the default run: headline numbers equal the stage results, every section in both
languages, nothing untranslated, self-contained, reproducible, machine-readable data."""

from __future__ import annotations

import json
import math

import openpyxl
import pandas as pd
import pytest

import aidc
from aidc import report
from aidc.report import content, i18n

# the one page first; the estimates the figures rest on last
SECTIONS = ["briefing", "summary", *content.STAGES, "assumptions", "sources", "estimates"]

# Headline figure -> the same number read straight from the stage result (contracts.md paths).
DIRECT = {
    "it_capacity": lambda r: r.scenario.power.it_capacity_kw,
    "site_area": lambda r: r.scenario.site.site_area_m2,
    "max_floors": lambda r: r.scenario.site.max_floors,
    "n_servers": lambda r: sum(r.design.fleet.servers.values()),
    "n_gpus": lambda r: r.design.fleet.n_gpus,
    "it_power": lambda r: r.design.fleet.it_power_kw,
    "grid_contract": lambda r: r.design.power.grid_contract_kw,
    "facility_peak": lambda r: r.design.power.facility_peak_kw,
    "design_pue": lambda r: r.design.cooling.design_pue,
    "n_racks": lambda r: r.design.layout.n_racks,
    "floors_used": lambda r: r.design.layout.floors_used,
    "n_checks": lambda r: len(r.design.checks),
    "n_checks_failed": lambda r: len([c for c in r.design.checks if not c.ok]),
    "phase2_year": lambda r: r.plan.phase2_year,
    "capex": lambda r: r.economics.summary["capex_krw"],
    "carbon": lambda r: r.energy.annual["carbon_t"],
    "gross_floor_area": lambda r: r.design.layout.gross_floor_area_m2,
    "utilization": lambda r: r.simulation.summary["utilization_frac"],
    "mean_wait": lambda r: r.simulation.summary["mean_wait_s"],
    "facility_energy": lambda r: r.energy.annual["facility_energy_mwh"],
    "annual_pue": lambda r: r.energy.annual["pue"],
    "bill": lambda r: r.energy.annual["bill_krw"],
    "npv": lambda r: r.economics.summary["npv_krw"],
    "irr": lambda r: r.economics.summary["irr_frac"],
    # the assumption the revenue rests on, shown as the scenario states it
    "gpu_hour_price_change": lambda r: r.scenario.economics.gpu_hour_price_change_frac_per_y,
}


def _expected(result: aidc.Result) -> dict[str, float]:
    out = {}
    for key, read in DIRECT.items():
        try:
            out[key] = float(read(result))
        except (AttributeError, KeyError, TypeError):
            continue  # that stage (or field) is not in this run
    return out


def test_default_run_headline_covers_the_stages_that_ran(default_result: aidc.Result) -> None:
    figures = {f.key: f for f in content.headline(default_result)}
    expected = _expected(default_result)
    assert {"it_capacity", "site_area", "max_floors"} <= set(expected)
    for key, value in expected.items():
        assert key in figures, f"headline lacks {key}"
        assert float(figures[key].value) == pytest.approx(value, rel=1e-12)
    ran = {f.stage for f in figures.values()} - {"scenario"}
    assert ran.isdisjoint(default_result.missing)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_html_headline_numbers_equal_the_stage_results(default_result, pages, lang) -> None:
    kpis = pages[lang].kpis
    t = i18n.text(lang)
    figures = {f.key: f for f in content.headline(default_result)}
    assert set(kpis) == set(figures)
    for key, value in _expected(default_result).items():
        assert float(kpis[key]["value"]) == pytest.approx(value, rel=1e-12), key
        assert kpis[key]["text"] == t.value(figures[key].value, figures[key].kind), key


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_xlsx_headline_numbers_equal_the_stage_results(default_result, built, lang) -> None:
    wb = openpyxl.load_workbook(built[lang].xlsx, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(min_row=3, values_only=True))
    values = {r[-1]: r[1] for r in rows if r and r[-1]}  # the machine key is the (hidden) last column
    money = {key for key, _, _, kind in content.HEADLINES if kind == "krw"}
    for key, value in _expected(default_result).items():
        assert isinstance(values[key], int | float), f"{key} is stored as text"
        expected = value / 100_000_000 if lang == "ko" and key in money else value  # Korean: 억 원 = 10^8 원
        assert values[key] == pytest.approx(expected, rel=1e-12), key
    assert values["scenario_hash"] == default_result.scenario_hash
    assert values["aidc_version"] == default_result.aidc_version


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_section_renders_in_both_languages(pages, lang) -> None:
    page = pages[lang]
    assert page.sections == SECTIONS
    assert page.keyed["scenario_hash"].startswith("")
    assert i18n.MARK_OPEN not in page.text, "an untranslated key is shown"


def test_korean_report_uses_korean_terms_and_units(pages, default_result) -> None:
    text = pages["ko"].text
    for term in ("수전 용량" if default_result.design is not None else "IT 용량", "평", "요약", "출처"):
        assert term in text
    assert "8,264 m² (2,500평)" in text  # 2,500 pyeong = 2500 * 400/121 m² = 8,264.46 m²
    assert "8 MW" in text


def test_promised_result_fields_have_korean_terms(default_result) -> None:
    """Every column and field that docs/contracts.md promises is translated, not shown raw."""
    t = i18n.text("ko")
    untranslated = []
    for stage in content.STAGES:
        obj = getattr(default_result, stage)
        for table in content.tables(obj) if obj is not None else []:
            frame = table.frame
            names = frame["quantity"] if list(frame.columns) == ["quantity", "value"] else frame.columns
            untranslated += [f"{stage}:{n}" for n in names
                             if str(n) in PROMISED and not t.translated_column(str(n))]
    assert untranslated == []


PROMISED = {
    "year", "tenant_class", "gpu_model", "gpu_hours", "peak_gpus", "cpu_vcpus", "memory_gb", "storage_tb",
    "n_gpus", "it_power_kw", "it_design_kw", "facility_peak_kw", "grid_contract_kw", "ups_redundancy",
    "n_ups_modules", "ups_module_kw", "n_transformers", "n_generators", "design_pue", "heat_rejected_kw",
    "n_chillers", "n_racks", "floors_used", "gross_floor_area_m2", "white_space_m2", "binding_limit",
    "job_id", "tenant", "submit_s", "start_s", "end_s", "wait_s", "t_h", "busy_gpus", "queued_jobs",
    "queued_gpus", "n_jobs", "mean_wait_s", "p95_wait_s", "mean_jct_s", "makespan_s", "utilization_frac",
    "loss_kw", "cooling_power_kw", "other_power_kw", "facility_power_kw", "pue", "temp_air_c", "wet_bulb_c",
    "free_cooling_frac", "water_m3", "it_energy_mwh", "facility_energy_mwh", "peak_facility_kw", "bill_krw",
    "carbon_t", "npv_krw", "irr_frac", "payback_y",
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_report_is_self_contained(built, pages, lang) -> None:
    page = pages[lang]
    assert page.scripts_with_src == []
    assert [h for h in page.links if h.startswith(("http:", "https:", "//"))] == []
    html = built[lang].html.read_text(encoding="utf-8")
    assert "* plotly.js v" in html  # the library itself is inline, not fetched


def test_same_result_gives_byte_identical_report(default_result, built) -> None:
    from aidc.report import html

    again = html.render(default_result, i18n.text("ko"))
    assert again == built["ko"].html.read_text(encoding="utf-8")


def test_reproducibility_record(default_result, pages) -> None:
    keyed = pages["en"].keyed
    assert keyed["aidc_version"] == aidc.__version__
    assert default_result.scenario_hash.startswith(keyed["scenario_hash"])
    assert keyed["seed"] == str(default_result.scenario.seed)


def test_machine_readable_results(default_result, built) -> None:
    folder = built["en"].data
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["scenario_hash"] == default_result.scenario_hash
    assert run["missing"] == default_result.missing
    for stage in content.STAGES:
        obj = getattr(default_result, stage)
        assert (folder / f"{stage}.json").exists() == (obj is not None)
        for table in content.tables(obj) if obj is not None else []:
            if table.name and len(table.frame.columns) > 2:
                stored = pd.read_parquet(folder / stage / f"{table.name}.parquet")
                assert len(stored) == len(table.frame)
                assert list(stored.columns) == [str(c) for c in table.frame.columns]


def test_missing_stage_is_a_visible_note_not_a_number(default_result, tmp_path, parse_page) -> None:
    from dataclasses import replace

    # the summary is computed anew from what is left (pipeline.run computes it once per run)
    gone = replace(default_result, design=None, summary=None,
                   missing={**default_result.missing, "design": "test: absent"})
    files = report.build(gone, lang="ko", out_dir=tmp_path)
    page = parse_page(files.html.read_text(encoding="utf-8"))
    assert "design" in page.missing
    assert "이번 실행에서 제외됨" in page.text
    assert "test: absent" in page.text  # the reason is shown, not only the stage
    assert not any(k["stage"] == "design" for k in page.kpis.values())
    wb = openpyxl.load_workbook(files.xlsx, read_only=True)
    assert "설계" not in wb.sheetnames
    assert "증설계획" in wb.sheetnames


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_xlsx_has_no_untranslated_key(built, lang) -> None:
    wb = openpyxl.load_workbook(built[lang].xlsx, read_only=True)
    marked = [(ws.title, v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row
              if isinstance(v, str) and i18n.MARK_OPEN in v]
    assert marked == []


def test_xlsx_numbers_are_numbers_with_units_in_headers(built) -> None:
    wb = openpyxl.load_workbook(built["en"].xlsx, read_only=True)
    assert wb.sheetnames[0] == "Summary"
    assert "Assumptions" in wb.sheetnames
    assert "Sources" in wb.sheetnames
    summary = {r[-1]: r for r in wb["Summary"].iter_rows(min_row=3, values_only=True) if r and r[-1]}
    assert summary["it_capacity"][1] == 8000
    assert summary["it_capacity"][2] == "kW"
    assert summary["site_area"][2] == "m²"
    assert math.isclose(summary["site_area"][1], 2500 * 400 / 121)


def test_out_dir_is_created(built) -> None:
    files = built["en"]  # the fixture builds into <tmp>/nested/en, which did not exist
    assert files.html.parent.name == "en"
    assert files.html.is_file()
    assert files.xlsx.is_file()
    assert (files.data / "run.json").is_file()


def test_private_survey_columns_stay_out(built, pages) -> None:
    assert "@" not in pages["en"].text
    folder = built["en"].data / "survey"
    if folder.exists():
        assert "contact_email" not in pd.read_parquet(folder / "respondents.parquet").columns


def test_summary_sentence_takes_the_fullest_variant_whose_figures_exist() -> None:
    from aidc.report.html import summary_sentence

    t = i18n.text("en")
    full = {"phase2_year": "2031", "plan_binding_limit": "grid connection"}
    assert summary_sentence(t, "plan", full) == "Phase 2 is due in 2031 (binding limit: grid connection)."
    assert summary_sentence(t, "plan", {"phase2_year": "2031"}) == (
        "Phase 2 (the first power block beyond phase 1) is due in 2031.")
    assert summary_sentence(t, "plan", {}) == "Within the planning horizon the plan needs no phase 2."
    assert summary_sentence(t, "survey", {}) is None  # no variant without its figure: no sentence
