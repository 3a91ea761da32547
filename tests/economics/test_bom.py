"""The design's bill of materials: lines by hand, soft costs, phase 1 costing exactly its BOM."""

from __future__ import annotations

import numpy as np
import pytest

import aidc
from aidc.economics import Factors, bom, evaluate, stage

FX_NAME = "exchange_rate_krw_per_usd"


@pytest.fixture(scope="module")
def ai() -> aidc.Result:
    return aidc.run(aidc.load_scenario("jeonbuk-ai"), ["design"])


def test_lines_by_hand(ai: aidc.Result) -> None:
    """UPS line: modules x module kW x 200 USD/kW (data/costs/facility.yaml) x exchange rate."""
    s, d = ai.scenario, ai.design
    fx = getattr(s.economics, FX_NAME)
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


def test_a_block_of_the_designs_size_costs_its_bom(ai: aidc.Result) -> None:
    """Phase 1 built at the design's IT load costs exactly the BOM's facility lines (grid link apart)."""
    s, d = ai.scenario, ai.design
    lines = bom.bill_of_materials(s, d)
    years = np.array([s.start_year - 1, s.start_year])
    build = stage._Build(years, (), np.zeros((2, 0)), np.zeros(2), np.array([d.power.it_design_kw, 0.0]))
    capex = stage.capex_by_year(s, build, Factors(), lines, d)
    facility = capex["building"][0] + capex["electrical"][0] + capex["mechanical"][0]
    assert facility - s.economics.grid_connection_krw == pytest.approx(
        lines.loc[lines["part"].isin(bom.FACILITY_PARTS), "cost_krw"].sum())
    assert capex["network"][0] == pytest.approx(lines.loc[lines["part"] == "network", "cost_krw"].sum())


def test_cross_check_against_the_published_cost_per_watt(ai: aidc.Result) -> None:
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
