"""plan.optimize and problem_from_scenario: what they take from the scenario, design and demand."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from aidc import load_scenario
from aidc.errors import InputError
from aidc.plan import optimize, problem_from_scenario
from aidc.plan.stage import server_costs
from aidc.scenario import ServerType


def test_article_plan_alone() -> None:
    """Without design or demand: 4 blocks of 2 MW in 2028, the article's 5 floors for 8 MW."""
    p = problem_from_scenario(load_scenario("jeonbuk-phase1"))
    assert p.years.tolist() == list(range(2028, 2043))
    assert p.min_blocks.tolist() == [4] * 15
    assert p.floors_per_block == pytest.approx(5 * 2000 / 8000)
    assert p.pue == 1.3
    assert p.block_capex_krw[0] == pytest.approx(2000 * 1000 * 9.23 * 1422)
    assert p.grid_limit_kw[0] == 40_000
    # 10,000 reference servers x 64 vCPUs, grown 15 %/y
    k = p.products.index("n_vcpus")
    assert p.demand[k, :2].tolist() == pytest.approx([640_000, 640_000 * 1.15])


def test_article_plan_runs_out_of_floors() -> None:
    """The article's 8 MW fills its 5 floors; growth at 15 %/y needs a fifth 2 MW block in 2029.

    The plan may buy only the scenario's own 800 W servers: 8 MW / 2 MW = 4 blocks take the 5
    floors (1.25 floors a block), so the first year of growth needs 5 x 1.25 = 6.25 floors.
    """
    plan = optimize(load_scenario("jeonbuk-phase1"))
    assert not plan.feasible
    assert plan.binding_limit == "site floors: 5 allowed, 6.25 needed in 2029"


def test_design_is_passed_along() -> None:
    design = SimpleNamespace(cooling=SimpleNamespace(design_pue=1.25),
                             # 3,000 m2 on a 2,000 m2 footprint: 1.5 floors filled (2 whole ones)
                             layout=SimpleNamespace(floors_used=2, gross_floor_area_m2=3000.0,
                                                    footprint_max_m2=2000.0),
                             power=SimpleNamespace(it_design_kw=8000.0),
                             fleet=SimpleNamespace(servers={"dgx_h100": 100}))
    p = problem_from_scenario(load_scenario("jeonbuk-ai"), design)
    assert p.pue == 1.25
    assert p.floors_per_block == pytest.approx(1.5 * 2000 / 8000)  # floors filled, not rounded up
    assert p.demand[p.products.index("n_gpus"), 0] == pytest.approx(100 * 8)


def test_demand_is_passed_along_in_h100_equivalents() -> None:
    by_year = pd.DataFrame({"year": [2028, 2028, 2029], "tenant_class": ["research", "public", "research"],
                            "gpu_model": ["h100_sxm", "b200", "h100_sxm"], "gpu_hours": [1.0, 1.0, 1.0],
                            "peak_gpus": [10, 4, 20], "cpu_vcpus": [64.0, 0.0, 128.0],
                            "memory_gb": [0.0] * 3, "storage_tb": [1.0, 2.0, 0.0]})
    p = problem_from_scenario(load_scenario("jeonbuk-ai"), demand=SimpleNamespace(by_year=by_year))
    gpus = p.demand[p.products.index("n_gpus")]
    b200 = server_costs(load_scenario("jeonbuk-ai"))["dgx_b200"]["h100_eq_per_gpu"]  # MLPerf-derived, 2.275
    assert b200 == pytest.approx(2.275)
    assert gpus[:3].tolist() == pytest.approx([10 + 4 * b200, 20, 20])  # later years hold the last value
    assert p.demand[p.products.index("storage_tb"), 0] == 3.0


def test_limits_from_the_scenario() -> None:
    s = load_scenario("jeonbuk-ai")
    s = s.model_copy(update={"plan": s.plan.model_copy(update={
        "budget_krw_per_y": 5e10, "max_floors": 9, "grid_limit_kw": 20_000.0, "allow_shortfall": True,
        "phase1_fixed": False, "horizon_y": 3})})
    p = problem_from_scenario(s)
    assert p.budget_krw.tolist() == [5e10] * 3
    assert p.max_floors == 9
    assert p.grid_limit_kw.tolist() == [20_000.0] * 3
    assert p.min_blocks.tolist() == [0, 0, 0]
    k = p.products.index("n_gpus")
    # 3,000 KRW a GPU-hour, sold in the first operating year: one year down the GPU-hour price path
    change = s.economics.gpu_hour_price_change_frac_per_y
    assert p.shortfall_penalty_krw[k].tolist() == pytest.approx(
        [3000 * 8760 * (1 + change) ** t for t in (1, 2, 3)])


def test_budget_binds_on_the_default_site() -> None:
    s = load_scenario("jeonbuk-ai")
    s = s.model_copy(update={"plan": s.plan.model_copy(update={"budget_krw_per_y": 1e11, "horizon_y": 2})})
    plan = optimize(s)
    assert not plan.feasible
    assert plan.binding_limit is not None
    assert plan.binding_limit.startswith("yearly budget: 100.0 billion KRW allowed")
    assert plan.binding_limit.endswith("needed in 2028")


def test_custom_server_without_price_is_an_input_error() -> None:
    s = load_scenario("jeonbuk-ai")
    custom = ServerType(label="x", kind="gpu", n_gpus=4, gpu_model="h100_sxm", power_max_w=5000,
                        power_idle_frac=0.2, power_typical_frac=0.7, rack_units=4, weight_kg=50)
    fleet = s.fleet.model_copy(update={"custom_servers": {"mine": custom}, "mix": {"mine": 1.0}})
    s = s.model_copy(update={"fleet": fleet})
    with pytest.raises(InputError, match="no price for server type"):
        problem_from_scenario(s)


def test_phase2_year_and_schedule_columns() -> None:
    plan = optimize(load_scenario("jeonbuk-ai"))
    assert list(plan.schedule.columns) == ["year", "item", "kind", "n_units", "it_capacity_kw", "capex_krw",
                                          "network_krw", "retire_year"]
    assert plan.capacity_by_year["n_blocks"].iloc[0] == math.ceil(8000 / 2000)
    assert np.all(np.diff(plan.capacity_by_year["n_blocks"]) >= 0)


def test_with_a_design_blocks_cost_its_bill_of_materials() -> None:
    """A block costs the design's facility per kW, escalated from phase 1's build year (factor 1 then)."""
    from aidc import design
    from aidc.design import bom

    s = load_scenario("jeonbuk-aidc")
    d = design.size(s)
    p = problem_from_scenario(s, d)
    materials = bom.bill_of_materials(s, d)
    rates = bom.facility_krw_per_kw(s, d, materials)
    assert p.block_capex_krw[0] == pytest.approx(s.plan.block_it_kw * sum(rates.values()), rel=1e-12)
    assert np.all(np.diff(p.block_capex_krw) >= 0)  # the construction index does not fall
    # phase 1 buys the design's racks and fabric; its servers carry no network share on top
    fabric = bom.fabric_capex_krw(materials)
    assert p.fixed_capex_krw["racks"][0] == fabric["it"]
    assert p.fixed_capex_krw["fabric"][0] == fabric["network"]
    assert p.network_capex_krw is not None
    assert np.all(p.network_capex_krw[:, 0] == 0)
    frac = s.economics.network_cost_frac_of_it
    assert p.network_capex_krw[:, 1] == pytest.approx(p.capex_krw[:, 1] * frac / (1 + frac))


def test_the_gpu_need_follows_the_service_level_fleet() -> None:
    """Stated service levels: each year's need is the service-level fleet grown with the coincident load."""
    import aidc
    from aidc.plan.stage import gpu_need_by_year

    s = load_scenario("jeonbuk-ai")
    r = aidc.run(s, ["design"])
    coincident = gpu_need_by_year(s, r.design, r.demand, h100_eq=False)
    assert coincident is not None
    first = coincident[s.start_year]
    sized = gpu_need_by_year(s, r.design, r.demand, service_gpus=0.5 * first, h100_eq=False)
    assert sized == pytest.approx({y: 0.5 * v for y, v in coincident.items()})
    # in H100-equivalents the plan counts an H100 as one
    assert gpu_need_by_year(s, r.design, r.demand) == pytest.approx(coincident)
