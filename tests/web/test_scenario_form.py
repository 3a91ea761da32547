"""The planner's scenario form: a planner's units, questions on a value in the wrong unit, errors by field."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import units
from aidc.web import scenario_form


def _page(w, sign_in):
    c = w.client("ko")
    sign_in(c, "planner@example.org")
    sid = w.tokens["scenario"]
    page = c.get(f"/scenarios/{sid}").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = dict(re.findall(r'<input id="in-[^"]+" name="([^"]+)" value="([^"]*)"', page))
    return c, sid, csrf, form


def _stored(w, sid: str) -> dict:
    r = w.client().get(f"/api/scenarios/{sid}", headers=w.bearer("planner")).json()
    return r["scenario"] | {"version": r["version"]}


def test_the_form_shows_the_scenario_in_a_planners_units(planner_world, sign_in) -> None:
    _c, _sid, _csrf, form = _page(planner_world, sign_in)
    # The default scenario: 8,000 kW, 2,500 평, 5 floors, growth 0.15 a year, 157 DGX H100.
    assert form["it_power_mw"] == "8"
    assert form["site_area_pyeong"] == "2500"
    assert form["max_floors"] == "5"
    assert form["growth_pct_per_y"] == "15"
    assert form["servers-dgx_h100"] == "157"


def test_a_saved_form_writes_the_scenario_in_its_own_units(planner_world, sign_in) -> None:
    c, sid, csrf, form = _page(planner_world, sign_in)
    form |= {"csrf_token": csrf, "it_power_mw": "9.5", "growth_pct_per_y": "20", "max_floors": "4",
             "servers-dgx_h100": "100", "sla-university": "2"}
    r = c.post(f"/scenarios/{sid}/form", data=form)
    assert r.status_code == 200, r.text[-500:]
    assert "저장했습니다" in r.text
    s = _stored(planner_world, sid)
    assert s["power"]["it_capacity_kw"] == pytest.approx(9.5 * 1000)
    assert s["plan"]["demand_growth_frac_per_y"] == pytest.approx(20 / 100)
    assert s["site"]["max_floors"] == 4
    assert s["fleet"]["servers"]["dgx_h100"] == 100
    assert s["simulation"]["service_levels"]["university"] == {"p95_wait_h": 2.0}


def test_a_growth_typed_as_a_fraction_is_questioned_then_kept_when_confirmed(planner_world, sign_in) -> None:
    c, sid, csrf, form = _page(planner_world, sign_in)
    before = _stored(planner_world, sid)["version"]
    form |= {"csrf_token": csrf, "growth_pct_per_y": "0.1"}
    r = c.post(f"/scenarios/{sid}/form", data=form)
    assert r.status_code == 422
    assert "10 %/년을 뜻하셨습니까" in r.text
    assert 'name="confirm-growth_pct_per_y" value="0.1"' in r.text
    assert _stored(planner_world, sid)["version"] == before  # not saved
    # Confirming another value than the one questioned does not count.
    other = form | {"growth_pct_per_y": "0.2", "confirm-growth_pct_per_y": "0.1"}
    r = c.post(f"/scenarios/{sid}/form", data=other)
    assert r.status_code == 422
    r = c.post(f"/scenarios/{sid}/form", data=form | {"confirm-growth_pct_per_y": "0.1"})
    assert r.status_code == 200
    assert _stored(planner_world, sid)["plan"]["demand_growth_frac_per_y"] == pytest.approx(0.1 / 100)


def test_a_site_area_in_m2_where_pyeong_is_asked_is_questioned(planner_world, sign_in) -> None:
    c, sid, csrf, form = _page(planner_world, sign_in)
    m2 = 2500 * 400 / 121  # the stored 2,500 평 in m² (1 평 = 400/121 m²)
    r = c.post(f"/scenarios/{sid}/form", data=form | {"csrf_token": csrf, "site_area_pyeong": f"{m2:.0f}"})
    assert r.status_code == 422
    assert "m² 단위로 입력한 면적으로 보입니다" in r.text
    assert "2,500평" in r.text
    assert _stored(planner_world, sid)["site"]["area_pyeong"] == 2500


def test_errors_are_shown_beside_their_field_in_korean(planner_world, sign_in) -> None:
    c, sid, csrf, form = _page(planner_world, sign_in)
    r = c.post(f"/scenarios/{sid}/form", data=form | {"csrf_token": csrf, "it_power_mw": "많이"})
    assert r.status_code == 422
    field = r.text.split('id="field-it_power_mw"', 1)[1].split("</div>\n", 1)[0]
    assert "숫자를 입력하십시오" in field
    r = c.post(f"/scenarios/{sid}/form", data=form | {"csrf_token": csrf, "max_floors": "0"})
    assert r.status_code == 422
    field = r.text.split('id="field-max_floors"', 1)[1].split("</div>\n", 1)[0]
    assert "1 이상이어야 합니다" in field  # the scenario model's bound, in Korean


@settings(max_examples=40, deadline=None)
@given(pct=st.floats(min_value=1.01, max_value=500, allow_nan=False))
def test_a_growth_above_one_percent_is_never_questioned(pct: float) -> None:
    assert scenario_form.question("growth_pct_per_y", pct, {}, "ko") is None


@settings(max_examples=40, deadline=None)
@given(pyeong=st.floats(min_value=100, max_value=1e6, allow_nan=False))
def test_an_area_is_questioned_only_when_it_is_the_stored_area_in_m2(pyeong: float) -> None:
    stored = {"site": {"area_pyeong": pyeong}}
    assert scenario_form.question("site_area_pyeong", pyeong * units.PYEONG_M2, stored, "ko") is not None
    assert scenario_form.question("site_area_pyeong", pyeong, stored, "ko") is None


def test_form_values_read_an_area_given_in_m2() -> None:
    values = scenario_form.form_values({"site": {"area_m2": 8264.4628}, "power": {"it_capacity_kw": 8000.0}})
    assert values["site_area_pyeong"] == "2500"  # 8,264.4628 m² / (400/121) m²/평
    assert values["it_power_mw"] == "8"
