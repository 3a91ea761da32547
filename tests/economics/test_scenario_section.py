"""The economics and plan sections of a scenario: defaults with sources, bad values named."""

from __future__ import annotations

import pytest

from aidc import data
from aidc.errors import InputError
from aidc.scenario import load_scenario, parse_scenario

BASE = """
name: t
site: {area_pyeong: 2500}
fleet: {mix: {dgx_h100: 1.0}}
"""


def test_defaults_carry_sources() -> None:
    s = load_scenario()
    assert s.economics.construction_cost_usd_per_w == 9.23
    assert "Cushman" in data.record("economics.construction_cost_usd_per_w")["source"]
    assert data.record("plan.grid_limit_kw")["value"] == 40000
    land = data.record("economics.land_price_krw_per_m2")  # 완주농공단지 ㎡당 24만원 (Yonhap 2020-04-17)
    assert (land["value"], land["type"]) == (240_000, "secondary")


def test_overrides_are_read() -> None:
    s = parse_scenario(BASE + "economics: {debt_frac: 0.5, discount_by_class_frac: {university: 0.9}}\n"
                       "plan: {budget_krw_per_y: 1.0e11, max_floors: 8}\n")
    assert s.economics.debt_frac == 0.5
    assert s.economics.discount_by_class_frac == {"university": 0.9}
    assert s.plan.budget_krw_per_y == 1e11
    assert s.plan.max_floors == 8


@pytest.mark.parametrize(("extra", "field"), [
    ("economics: {discount_by_class_frac: {university: 1.5}}\n", "economics"),
    ("economics: {debt_frac: 1.2}\n", "economics.debt_frac"),
    ("plan: {block_it_kw: 0}\n", "plan.block_it_kw"),
    ("plan: {horizon_y: 0}\n", "plan.horizon_y"),
    ("economics: {dept_frac: 0.5}\n", "economics.dept_frac"),
])
def test_bad_values_name_the_field(extra, field) -> None:
    with pytest.raises(InputError) as err:
        parse_scenario(BASE + extra, file="s.yaml")
    assert err.value.problems[0].field == field
