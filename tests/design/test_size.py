"""The stage as a whole: contract fields, site limits, bad input, pickling."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.design.conftest import scenario_with

from aidc.design import Check, Design, size, to_dict
from aidc.design.checks import binding_limit, check
from aidc.errors import InputError
from aidc.scenario import load_scenario, parse_scenario


def test_contract_fields() -> None:
    """docs/contracts.md: the fields later stages code against."""
    d = size(load_scenario("jeonbuk-ai"))
    f, p, c, lay, n = d.fleet, d.power, d.cooling, d.layout, d.network
    assert isinstance(f.servers, dict)
    assert isinstance(f.n_gpus, int)
    assert set(f.n_gpus_by_model) == {"h100_sxm"}
    assert f.gpus_per_node == {"dgx_h100": 8}
    assert f.it_power_kw > 0
    for name in ("it_design_kw", "facility_peak_kw", "grid_contract_kw", "ups_redundancy", "n_ups_modules",
                 "ups_module_kw", "n_transformers", "n_generators"):
        assert getattr(p, name) is not None
    assert c.design_pue > 1
    assert c.heat_rejected_kw > 0
    assert c.n_chillers > 0
    assert c.kind_by_hall == {"AI hall": "rear_door", "Cloud hall": "air"}
    assert lay.n_racks > 0
    assert lay.floors_used >= 1
    assert lay.gross_floor_area_m2 > lay.white_space_m2 > 0
    assert n.n_leaf_switches > 0
    assert n.power_kw > 0
    assert all(isinstance(x, Check) for x in d.checks)
    assert isinstance(d.checks, list)
    assert d.binding_limit == "it_capacity"


def test_design_is_frozen_and_picklable() -> None:
    d = size(load_scenario("jeonbuk-ai"))
    again = pickle.loads(pickle.dumps(d))
    assert again == d
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.power.facility_peak_kw = 0  # type: ignore[misc]


def test_to_dict_is_json() -> None:
    out = json.loads(json.dumps(to_dict(size(load_scenario("jeonbuk-phase1")))))
    assert out["fleet"]["servers"] == {"reference_800w": 10_000}
    assert out["ok"] is True
    assert out["failing"] == []
    assert out["binding_limit"] == "it_capacity"
    assert {"margin_frac", "name", "ok", "value", "limit", "unit", "message"} <= set(out["checks"][0])


def test_site_envelope_reference() -> None:
    """facts kr.site.general_industrial_envelope: 2,500 pyeong at BCR 70 %, FAR 350 % ->
    footprint 5,785.1 m², GFA 28,925.6 m²."""
    lay = size(load_scenario("jeonbuk-phase1")).layout
    assert lay.footprint_max_m2 == pytest.approx(5785.1, abs=0.1)
    assert lay.gross_floor_area_max_m2 == pytest.approx(28925.6, abs=0.1)
    assert lay.floors_allowed == 5


def test_building_by_hand() -> None:
    """GFA = (white + grey + support) / (1 - 0.20); floors = ceil(GFA / footprint_max)."""
    lay = size(load_scenario("jeonbuk-phase1")).layout
    net = lay.white_space_m2 + lay.grey_space_m2 + lay.support_space_m2
    assert lay.gross_floor_area_m2 == pytest.approx(net / 0.80)
    assert lay.support_space_m2 == pytest.approx(0.25 * lay.white_space_m2)
    assert lay.floors_used == -(-lay.gross_floor_area_m2 // lay.footprint_max_m2)
    assert lay.building_footprint_m2 * lay.floors_used == pytest.approx(lay.gross_floor_area_m2)
    assert lay.building_height_m == lay.floors_used * 6.0


def test_site_it_capacity_by_hand() -> None:
    """Envelope = min(5 floors x 5,785.1 m², 350 % x 8,264.5 m²) = 28,925.6 m²; divided by GFA per kW."""
    d = size(load_scenario("jeonbuk-phase1"))
    lay = d.layout
    assert lay.gross_floor_area_m2_per_kw == pytest.approx(lay.gross_floor_area_m2 / d.power.it_design_kw)
    assert lay.site_it_capacity_kw == pytest.approx(28925.6 / lay.gross_floor_area_m2_per_kw, rel=1e-5)
    assert lay.site_it_capacity_kw > d.power.it_design_kw  # the site is not what limits phase 1


def test_site_too_small_fails_and_names_the_limit() -> None:
    d = size(scenario_with(site={"area_pyeong": 300, "max_floors": 2}))
    assert not d.ok
    failing = {c.name for c in d.failing}
    assert "floors" in failing
    assert d.binding_limit == "floors"
    floors = d.binding_check
    assert floors is not None
    assert floors.margin_frac < 0
    assert "over by" in floors.message
    # reported, never truncated: the fleet is still the full 10,000 servers
    assert d.fleet.servers == {"reference_800w": 10_000}


def test_far_can_bind_before_floors() -> None:
    """계획관리지역: FAR 100 % (시행령 제85조; facts kr.zoning.planning_management) with 20 floors allowed."""
    d = size(scenario_with(site={"area_pyeong": 1000, "max_floors": 20, "zoning": "planning_management"}))
    assert "floor_area_ratio" in {c.name for c in d.failing}
    assert d.layout.gross_floor_area_max_m2 == pytest.approx(1000 * 3.305785 * 1.0)


def test_rack_power_fails_when_one_server_exceeds_the_rack_limit(make) -> None:
    d = size(make(fleet={"servers": {"dgx_b200": 4}}, facility={"rack_power_max_kw": 10}))
    bad = {c.name: c for c in d.failing}
    assert "rack_power" in bad
    assert bad["rack_power"].value == pytest.approx(14.3)
    assert bad["rack_power"].limit == 10
    assert d.layout.rack_groups[0].units_per_rack == 1


def test_given_grid_contract_too_small_fails(make) -> None:
    d = size(make(power={"grid_contract_kw": 10_000}))
    c = next(c for c in d.checks if c.name == "grid_contract")
    assert not c.ok
    assert c.kind == "limit"
    assert c.sense == "min"
    assert "short by" in c.message


def test_counts_over_capacity_fail_it_capacity(make) -> None:
    d = size(make(fleet={"servers": {"reference_800w": 12_000}}))
    c = next(c for c in d.checks if c.name == "it_capacity")
    assert not c.ok
    assert c.value == 12_000 * 0.8
    assert c.limit == 8_000
    assert c.margin_frac == pytest.approx(-0.2)
    assert d.binding_limit == "it_capacity"


def test_no_demand_check_without_the_needs() -> None:
    """A demand without its needs (no job stream, so no coincident load) gets no demand check."""
    demand = type("Demand", (), {"by_year": pd.DataFrame(
        {"year": [2028, 2028, 2029], "peak_gpus": [3000, 3000, 4000]})})()
    d = size(load_scenario("jeonbuk-ai"), demand)
    assert "demand_gpus" not in {c.name for c in d.checks}
    assert d.gpu_need_by_year is None


def test_binding_limit_by_hand() -> None:
    checks = [check("a", 4, 5, "x", "a"), check("b", 9, 10, "x", "b"),
              check("c", 99, 100, "x", "c", kind="design")]
    assert binding_limit(checks) == "b"  # design checks bind only when they fail
    assert binding_limit([*checks, check("d", 3, 2, "x", "d", kind="design")]) == "d"


def test_server_type_in_no_hall_is_input_error(make) -> None:
    s = make("jeonbuk-ai", fleet={"mix": {"dgx_h100": 0.5, "reference_800w": 0.5}})
    with pytest.raises(InputError, match="'reference_800w' is in the fleet but in no hall") as info:
        size(s)
    assert info.value.problems[0].field == "facility.halls"


def test_empty_fleet_is_input_error(make) -> None:
    with pytest.raises(InputError, match="no servers"):
        size(make(fleet={"servers": {"dgx_h100": 0}}))


def test_impossible_values_are_input_errors() -> None:
    base = "name: t\nsite:\n  area_pyeong: 2500\nfleet:\n  mix:\n    reference_800w: 1.0\nfacility:\n"
    for bad, where in (("  rack_units_usable: 0", "facility.rack_units_usable"),
                       ("  rack_weight_max_kg: -5", "facility.rack_weight_max_kg"),
                       ("  backend_switch: qm9999", "facility"),
                       ("  rack_power_max_kw: 0", "facility.rack_power_max_kw")):
        with pytest.raises(InputError) as info:
            parse_scenario(base + bad + "\n", file="s.yaml")
        assert info.value.problems[0].field == where, bad


def test_design_type() -> None:
    assert isinstance(size(load_scenario("jeonbuk-phase1")), Design)


@settings(max_examples=30, deadline=None)
@given(cap_kw=st.floats(200, 60_000), gpu_share=st.floats(0, 1),
       kind=st.sampled_from(["air", "rear_door", "direct_liquid"]),
       red=st.sampled_from(["N", "N+1", "2N"]), area=st.floats(200, 20_000), floors=st.integers(1, 10),
       inside=st.booleans())
def test_any_valid_scenario_gives_a_balanced_design(cap_kw, gpu_share, kind, red, area, floors,
                                                    inside) -> None:
    s = scenario_with(
        "jeonbuk-ai", power={"it_capacity_kw": cap_kw}, site={"area_pyeong": area, "max_floors": floors},
        fleet={"mix": {"dgx_h100": gpu_share, "cpu_cloud": 1 - gpu_share, "storage_node": 0.0}},
        facility={"halls": [{"name": "A", "cooling": kind}], "ups_redundancy": red,
                  "cooling_redundancy": red, "network_in_it_capacity": inside},
    )
    d = size(s)  # 200 kW buys at least one server of either type
    p = d.power
    assert p.facility_peak_kw == pytest.approx(p.it_design_kw + p.loss_kw + p.cooling_power_kw
                                               + p.other_power_kw)
    assert d.fleet.server_power_kw <= cap_kw * (1 + 1e-9)
    if inside:
        assert d.fleet.it_power_kw <= cap_kw * (1 + 1e-9)
    assert d.binding_limit is not None
    assert d.ok == (not d.failing)
    assert {c.name for c in d.failing} <= {c.name for c in d.checks}
