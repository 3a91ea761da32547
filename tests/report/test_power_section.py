"""The report's power section: the Pareto chart, the tables written in the reader's language."""

from __future__ import annotations

import pytest

from aidc.report.i18n import text
from aidc.report.power_section import context, pareto_figure


def test_pareto_chart_draws_the_front_in_order_of_wait() -> None:
    points: list[dict[str, object]] = [
        {"shift": "none", "cap_kw": 4400.0, "saved_krw": 5.0e6, "p95_wait_added_h": 2.0, "pareto": True},
        {"shift": "none", "cap_kw": 4200.0, "saved_krw": 1.0e6, "p95_wait_added_h": 3.0, "pareto": False},
        {"shift": "tou", "cap_kw": None, "saved_krw": 2.0e6, "p95_wait_added_h": 0.5, "pareto": True},
    ]
    fig = pareto_figure(points, text("en"))
    names = [t.name for t in fig.data]
    assert names == ["no shifting", "time-of-use shifting", "Pareto front"]
    assert list(fig.data[-1].x) == [0.5, 2.0]
    assert list(fig.data[-1].y) == [2.0e6, 5.0e6]
    assert pareto_figure(points, text("ko")).layout.xaxis.title.text == "p95 대기 증가 [h]"


def _row(control: str, bill_krw: float, saved_krw: float, wait_s: float) -> dict:
    parts = {"basic": 0.1 * bill_krw, "energy": 0.9 * bill_krw, "climate_env": 0.0, "fuel_adjustment": 0.0,
             "power_fund": 0.0, "vat": 0.0}
    return {"control": control, "bill_krw": bill_krw, "bill_by_component_krw": parts, "saved_krw": saved_krw,
            "peak_demand_kw": 1461.7, "contract_kw_to_apply": 1462.0, "p95_wait_added_s": wait_s,
            "p95_wait_added_h": wait_s / 3600, "mean_wait_added_s": wait_s / 2,
            "gpu_hours_lost_to_capping": 0.0, "gpu_hours_pushed_past_year": 0.0, "deadlines_missed": 0,
            "pareto": True}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_section_writes_money_power_and_waits_in_the_readers_units(lang: str) -> None:
    view = {
        "contract_kw_to_apply": 1462.0, "peak_demand_kw": 1461.7,
        "by_control": [_row("none", 1.5633e9, 0.0, 0.0), _row("tou", 1.5620e9, 1.3e6, 9000.0)],
        "effect": {"by_tenant": {"research": {
            "n_jobs_delayed": 3, "n_jobs_capped": 0, "mean_wait_added_s": 7200.0, "p95_wait_added_s": 9000.0,
            "mean_jct_added_s": 7200.0, "deadlines_missed": 0}}},
        "note_ids": [{"msgid": "hourly grid intensity given by the caller", "params": {}}],
    }
    t = text(lang)
    out = context(view, t)
    assert out is not None
    bills, tenants = out["tables"]
    if lang == "ko":
        assert bills["rows"][0][:2] == ["제어 없음", "15.6억 원"]  # 1,563,300,000 원 = 15.633억 원
        assert bills["rows"][1][bills["headers"].index("p95 대기 증가")] == "2.5시간"  # 9,000 s
        assert tenants["rows"][0][0] == "연구기관"
        assert out["contract"].startswith("신청할 계약전력: 1,462 kW")
        assert out["notes"] == ["호출자가 준 시간별 전력망 탄소 집약도"]
    else:
        assert bills["rows"][0][:2] == ["no control", "KRW 1.56 bn"]
        assert out["notes"] == ["hourly grid intensity given by the caller"]
    assert [len(r) for r in bills["rows"]] == [len(bills["headers"])] * 2
    assert context(None, t) is None


def test_the_report_shows_the_power_section_after_the_simulation(default_result) -> None:
    from tests.report.conftest import Page

    from aidc.power import PowerControls
    from aidc.power.operations import year
    from aidc.report import html

    r = default_result
    view = year(r.scenario, r.design, r.demand, r.simulation, PowerControls(shift="tou"))
    for lang in ("ko", "en"):
        page = Page(html.render(r, text(lang), power=view))
        assert page.sections.index("power") == page.sections.index("simulation") + 1
        body = " ".join(page.texts)
        assert "⟦" not in body
        assert text(lang)("power.table.by_control") in body
    assert "power" not in Page(html.render(r, text("ko"))).sections  # no view, no section
