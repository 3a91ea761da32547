from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.design.conftest import superpod

from aidc.design import racks, size
from aidc.scenario import load_scenario


def test_dgx_h100_reference_figures() -> None:
    """NVIDIA DGX H100/H200 User Guide: 10.2 kW max, 8U, 130.45 kg (facts hw.dgx_h100.*);
    SuperPOD: 4 per rack = 40.8 kW (facts rack.dgx_h100.per_rack)."""
    dgx = load_scenario("jeonbuk-phase1").servers()["dgx_h100"]
    assert (dgx.power_max_w, dgx.rack_units, dgx.weight_kg, dgx.n_gpus) == (10_200, 8, 130.45, 8)
    g = next(g for g in size(superpod(127)).layout.rack_groups if g.content == "dgx_h100")
    assert g.units_per_rack == 4
    assert g.rack_power_kw == pytest.approx(40.8)
    assert g.limited_by == "power"  # the 50 kW rear-door limit: a fifth DGX would make 51 kW
    assert g.rack_weight_kg == pytest.approx(4 * 130.45 + 180)


def test_rack_limits_by_hand() -> None:
    """800 W 2U 25 kg servers in a 15 kW air rack of 42U rated 1,360 kg with 180 kg fit-out:
    power 15/0.8 = 18.75 -> 18; space 42/2 = 21; weight (1360-180)/25 = 47.2 -> 47; so 18."""
    assert racks.units_per_rack_by_power(15, 0.8) == 18
    assert racks.units_per_rack_by_space(42, 2) == 21
    assert racks.units_per_rack_by_weight(1360, 180, 25) == 47
    assert racks.units_per_rack(18, 21, 47) == 18
    g = size(load_scenario("jeonbuk-phase1")).layout.rack_groups[0]
    assert (g.units_per_rack, g.n_racks, g.limited_by) == (18, -(-10_000 // 18), "power")


def test_space_and_weight_can_bind(make) -> None:
    """A 100 kW direct-liquid rack takes 9 DGX by power but only 42U/8U = 5 by space."""
    d = size(make(fleet={"servers": {"dgx_h100": 10}},
                  facility={"halls": [{"name": "DLC", "cooling": "direct_liquid"}]}))
    g = d.layout.rack_groups[0]
    assert (g.units_per_rack, g.limited_by) == (5, "space")
    heavy = size(make(fleet={"servers": {"dgx_h100": 10}},
                      facility={"halls": [{"name": "DLC", "cooling": "direct_liquid"}],
                                "rack_weight_max_kg": 500}))
    g = heavy.layout.rack_groups[0]
    assert (g.units_per_rack, g.limited_by) == (int((500 - 180) // 130.45), "weight")


def test_white_space_per_rack_by_hand() -> None:
    """0.6 m x (1.2 + 1.2/2 + 0.9/2) = 1.35 m² pitch; air halls add 80 % -> 2.43 m²/rack."""
    d = size(load_scenario("jeonbuk-phase1"))
    hall = d.layout.halls[0]
    assert hall.white_space_m2_per_rack == pytest.approx(0.6 * (1.2 + 0.6 + 0.45) * 1.8)
    assert d.layout.white_space_m2 == pytest.approx(hall.n_racks * 0.6 * 2.25 * 1.8)
    assert hall.n_rows == -(-hall.n_racks // 20)


def test_floor_loading_by_hand() -> None:
    """4 DGX H100 + fit-out = 701.8 kg over 1.35 m² = 519.9 kg/m²."""
    g = next(g for g in size(superpod(127)).layout.rack_groups if g.content == "dgx_h100")
    assert g.floor_loading_kg_per_m2 == pytest.approx(701.8 / 1.35)


def test_rack_functions_take_arrays() -> None:
    per = racks.units_per_rack(np.array([4, 9]), np.array([5, 5]), np.array([9, 9]))
    assert list(per) == [4, 5]
    assert list(racks.n_racks(np.array([127, 128]), 4)) == [32, 32]


@given(st.integers(1, 100_000), st.integers(1, 100_000), st.integers(1, 40))
def test_more_units_never_fewer_racks(a: int, b: int, per: int) -> None:
    lo, hi = sorted((a, b))
    assert racks.n_racks(lo, per) <= racks.n_racks(hi, per)
    assert racks.n_racks(hi, per) * per >= hi
