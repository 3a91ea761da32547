"""Site zoning: the national bounds of each zoning class, and what stands on the plot before the building.

References: 국토의 계획 및 이용에 관한 법률 시행령 제84조 (건폐율) and 제85조 (용적률) — the bounds in
facts.yaml kr.zoning.*; 건축법 제58조 (대지 안의 공지) for the setback.
"""

from __future__ import annotations

import math

import pytest
from tests.design.conftest import scenario_with

from aidc.design import size
from aidc.design.building import buildable_area_m2, footprint_limit_m2
from aidc.errors import InputError
from aidc.scenario.site import zoning_bounds

# facts.yaml kr.zoning.*: (건폐율 max %, 용적률 min %, 용적률 max %), 시행령 제84조·제85조
LAW = {
    "exclusive_industrial": (70, 150, 300),
    "general_industrial": (70, 150, 350),
    "semi_industrial": (70, 150, 400),
    "planning_management": (40, 50, 100),
    "production_management": (20, 50, 80),
    "conservation_management": (20, 50, 80),
    "natural_green": (20, 50, 100),
}


@pytest.mark.parametrize("zone", sorted(LAW))
def test_each_zoning_class_has_the_decree_bounds(zone: str) -> None:
    bcr, far_lo, far_hi = LAW[zone]
    b = zoning_bounds(zone)
    assert b["building_coverage_max_frac"] == pytest.approx(bcr / 100)
    assert b["floor_area_ratio_min_frac"] == pytest.approx(far_lo / 100)
    assert b["floor_area_ratio_max_frac"] == pytest.approx(far_hi / 100)


def test_the_scenario_literal_lists_every_zoning_class() -> None:
    from typing import get_args

    from aidc.scenario.site import Zoning

    assert set(get_args(Zoning)) == set(LAW)


def test_default_site_uses_the_general_industrial_bounds() -> None:
    """2,500 pyeong at 350 %: 28,925.6 m² of floor area (facts kr.site.general_industrial_envelope)."""
    d = size(scenario_with())
    assert d.layout.gross_floor_area_max_m2 == pytest.approx(28_925.6, abs=0.1)


def test_an_ordinance_value_above_the_national_bound_is_refused() -> None:
    with pytest.raises((InputError, ValueError), match="national maximum"):
        scenario_with(site={"area_pyeong": 2500, "zoning": "planning_management",
                            "building_coverage_max_frac": 0.5})


def test_an_ordinance_value_below_the_bound_is_used() -> None:
    d = size(scenario_with(site={"area_pyeong": 2500, "floor_area_ratio_max_frac": 2.5}))
    assert d.layout.gross_floor_area_max_m2 == pytest.approx(2500 * 3.305785 * 2.5)


def test_setback_and_plant_yard_come_before_the_building_by_hand() -> None:
    """A 2,500-pyeong square plot (90.9 m a side) with 3 m setbacks: (90.91 - 6)² = 7,209.7 m² inside
    the lines; the generator yard and substation take their area before the building."""
    area = 2500 * 3.305785
    inside = (math.sqrt(area) - 2 * 3.0) ** 2
    assert buildable_area_m2(area, 3.0) == pytest.approx(inside)
    assert footprint_limit_m2(area, 0.70, inside, 2_000.0) == pytest.approx(inside - 2_000.0)
    assert footprint_limit_m2(area, 0.70, inside, 500.0) == pytest.approx(0.70 * area)
    assert buildable_area_m2(100.0, 6.0) == 0.0


def test_the_design_counts_generators_and_substation_on_the_plot() -> None:
    d = size(scenario_with())
    lay = d.layout
    # 10 generators x 60 m² + 150 m² substation, inside the setback lines with the building
    assert lay.generator_yard_m2 == pytest.approx(d.power.n_generators * 60.0 + 150.0)
    inside = buildable_area_m2(lay.site_area_m2, 3.0)
    assert lay.yard_available_m2 == pytest.approx(inside - lay.building_footprint_m2)
    assert lay.footprint_max_m2 <= inside - lay.generator_yard_m2 + 1e-6
