"""The design's bill of materials: lines by hand, soft costs, phase 1 costing exactly its BOM."""

from __future__ import annotations

import numpy as np
import pytest

import aidc
from aidc.design import bom, escalation
from aidc.economics import Factors, evaluate, stage
from aidc.errors import InputError

FX_NAME = "exchange_rate_krw_per_usd"


@pytest.fixture(scope="module")
def ai() -> aidc.Result:
    return aidc.run(aidc.load_scenario("jeonbuk-ai"), ["design"])


#: KICT construction cost index 2023 (2015=100) and the latest year-on-year change (Aug 2024: +1.82 %),
#: data/costs/construction_index.yaml; the 2024 prices are escalated to the build year 2027.
KICT_2023, KICT_GROWTH = 151.41, 0.0182


def test_lines_by_hand(ai: aidc.Result) -> None:
    """UPS line: modules x module kW x 200 USD/kW (data/costs/facility.yaml) x escalation x exchange rate."""
    s, d = ai.scenario, ai.design
    assert d is not None
    assert bom.build_year(s) == 2027  # the default start year 2028 less one construction year
    # 2024 -> 2027, both past the index's last value 2023: index = 151.41 x 1.0182^(y - 2023)
    escalation = KICT_2023 * (1 + KICT_GROWTH) ** 4 / (KICT_2023 * (1 + KICT_GROWTH) ** 1)
    fx = getattr(s.economics, FX_NAME) * escalation
    lines = bom.bill_of_materials(s, d).set_index(["part", "item"])["cost_krw"]
    ups_kw = d.power.n_ups_modules * d.power.ups_module_kw
    assert lines["electrical", "ups"] == pytest.approx(ups_kw * 200 * fx)
    assert lines["mechanical", "rear_door"] == pytest.approx(d.cooling.n_rear_doors * 15_000 * fx)
    assert lines["building", "building_shell"] == pytest.approx(d.layout.gross_floor_area_m2 * 2_500 * fx)
    assert lines["network", "transceiver"] == pytest.approx(d.network.n_transceivers * 900 * fx)
    hard = lines.drop(index=["design_permits_frac", "contingency_frac"], level="item")
    electrical = hard["electrical"].sum()
    assert lines["electrical", "contingency_frac"] == pytest.approx(0.10 * electrical)
    assert lines["electrical", "design_permits_frac"] == pytest.approx(0.08 * electrical)
    assert ("network", "contingency_frac") not in lines.index  # soft costs are the facility's


def test_escalation_by_the_published_index_by_hand() -> None:
    """KICT 2015=100 annual values: 2020 121.80, 2022 148.56; past 2023, +1.82 % a year."""
    assert escalation.escalation_factor(2020, 2022) == pytest.approx(148.56 / 121.80)
    assert escalation.escalation_factor(2021, 2021) == 1.0
    assert escalation.escalation_factor(2022, 2025) == pytest.approx(151.41 * 1.0182**2 / 148.56)
    with pytest.raises(InputError, match="construction_index.yaml.*no construction cost index before 2015"):
        escalation.escalation_factor(2010, 2020)


def test_a_block_built_later_costs_its_escalated_rate(ai: aidc.Result) -> None:
    """The same block bought two years after phase 1 costs the build year's rate x 1.0182^2."""
    s, d = ai.scenario, ai.design
    assert d is not None
    lines = bom.bill_of_materials(s, d)
    years = np.array([s.start_year - 1, s.start_year, s.start_year + 1])
    kw = d.power.it_design_kw
    build = stage._Build(years, (), np.zeros((3, 0)), np.zeros(3), np.array([kw, 0.0, kw]))
    capex = stage.capex_by_year(s, build, Factors(), lines, d)
    assert capex["mechanical"][2] == pytest.approx(capex["mechanical"][0] * (1 + KICT_GROWTH) ** 2)
    assert capex["building"][1] == 0.0


def test_a_block_of_the_designs_size_costs_its_bom(ai: aidc.Result) -> None:
    """Phase 1 built at the design's IT load costs exactly the BOM's facility lines (grid link apart)."""
    s, d = ai.scenario, ai.design
    assert d is not None
    lines = bom.bill_of_materials(s, d)
    years = np.array([s.start_year - 1, s.start_year])
    build = stage._Build(years, (), np.zeros((2, 0)), np.zeros(2), np.array([d.power.it_design_kw, 0.0]))
    capex = stage.capex_by_year(s, build, Factors(), lines, d)
    facility = capex["building"][0] + capex["electrical"][0] + capex["mechanical"][0]
    assert facility - s.economics.grid_connection_krw == pytest.approx(
        lines.loc[lines["part"].isin(bom.FACILITY_PARTS), "cost_krw"].sum())
    assert capex["network"][0] == pytest.approx(lines.loc[lines["part"] == "network", "cost_krw"].sum())


def test_cross_check_against_the_published_cost_per_watt(ai: aidc.Result) -> None:
    assert ai.design is not None
    e = evaluate(ai.scenario, ai.design)
    assert e.summary["published_usd_per_w"] == 9.23  # Cushman & Wakefield APAC 2023/24, South Korea (mid)
    per_kw = bom.facility_krw_per_kw(ai.scenario, ai.design, e.bom)
    assert e.summary["facility_usd_per_w"] == pytest.approx(
        sum(per_kw.values()) / getattr(ai.scenario.economics, FX_NAME) / 1000)
    assert len(e.bom) == len(bom.bill_of_materials(ai.scenario, ai.design))


def test_the_800_w_plan_and_the_ai_plan_cost_differently(ai: aidc.Result) -> None:
    """Costed from their designs, the article's 800 W fleet and the AI fleet differ in every part."""
    phase1 = aidc.run(aidc.load_scenario("jeonbuk-phase1"), ["design"])
    a = evaluate(ai.scenario, ai.design).capex.set_index("part")["capex_krw"]
    p = evaluate(phase1.scenario, phase1.design).capex.set_index("part")["capex_krw"]
    for part in ("building", "electrical", "mechanical", "it", "network"):
        assert a[part] != pytest.approx(p[part]), part
