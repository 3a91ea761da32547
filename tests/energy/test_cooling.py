"""Cooling plant: wet bulb, economiser, chiller COP, cooling kinds, tower water."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar

from aidc.energy.cooling import (
    COOLING_MODELS,
    chiller_cop,
    chiller_part_load_factor,
    economiser_frac,
    tower_water_m3,
    wet_bulb_c,
)
from aidc.energy.hourly import plant_power_kw
from aidc.scenario.energy import CoolingPlant
from aidc.units import TON_REFRIGERATION_KW

PLANT = CoolingPlant()


def _cop(lchw_c: float, ecw_c: float, plant: CoolingPlant = PLANT) -> float:
    return float(
        chiller_cop(
            lchw_c,
            ecw_c,
            plant.chiller_cop_rated,
            plant.chiller_rated_lchw_c,
            plant.chiller_rated_ecw_c,
            plant.chiller_approach_k,
            plant.chiller_cop_max,
        )
    )


def test_wet_bulb_reference() -> None:
    """ASHRAE psychrometric chart at sea level: 25 C / 50 % RH -> wet bulb 17.9 C; saturated air's
    wet bulb equals its dry bulb; 35 C / 40 % -> about 24 C."""
    assert float(wet_bulb_c(25.0, 0.5)) == pytest.approx(17.9, abs=0.1)
    assert float(wet_bulb_c(20.0, 1.0)) == pytest.approx(20.0, abs=1e-3)
    assert float(wet_bulb_c(35.0, 0.4)) == pytest.approx(24.0, abs=0.3)


def test_wet_bulb_types_agree() -> None:
    t, rh = [0.0, 20.0, 30.0], [0.3, 0.6, 0.9]
    scalar = [float(wet_bulb_c(a, b)) for a, b in zip(t, rh, strict=True)]
    np.testing.assert_allclose(wet_bulb_c(np.array(t), np.array(rh)), scalar)
    np.testing.assert_allclose(wet_bulb_c(pd.Series(t), pd.Series(rh)), scalar)


def test_chiller_reference_femp() -> None:
    """US DOE FEMP, water-cooled centrifugal >= 600 t: 0.55 kW/ton at AHRI rating conditions
    (6.67 C leaving chilled water, 29.4 C entering condenser water), IPLV 0.40 kW/ton
    (facts chiller.femp.centrifugal_ge600t; COP = 3.517 / kW per ton, chiller.conversion)."""
    cop = _cop(6.67, 29.4)
    assert TON_REFRIGERATION_KW / cop == pytest.approx(0.55, abs=0.001)
    # low lift never credits more than the IPLV
    assert TON_REFRIGERATION_KW / _cop(18.0, 10.0) == pytest.approx(0.40, abs=0.001)


def test_chiller_reference_doe2() -> None:
    """DOE-2 reference centrifugal chiller: COP 5.5 at LCHW 6.67 C, ECW 29.4 C (facts chiller.doe2_reference),
    and the typical water-cooled centrifugal COP range 6-7 (chiller.typical_cop) holds the FEMP default."""
    doe2 = PLANT.model_copy(update={"chiller_cop_rated": 5.5})
    assert _cop(6.67, 29.4, doe2) == pytest.approx(5.5)
    assert 6.0 <= _cop(6.67, 29.4) <= 7.0


def test_chiller_lift_by_hand() -> None:
    # Carnot ratio: T_evap = lchw - 3 K, T_cond = ecw + 3 K
    ref = (6.67 - 3 + 273.15) / ((29.4 + 3) - (6.67 - 3))
    new = (15.0 - 3 + 273.15) / ((34.0 + 3) - (15.0 - 3))
    assert _cop(15.0, 34.0) == pytest.approx(6.39 * new / ref)


def test_economiser_by_hand() -> None:
    """Full free cooling when wb <= supply - tower approach - HX approach
    (facts econ.waterside.full_free_cooling: CHWS 18 C, approaches 4 + 1.5 K -> wb <= 12.5 C);
    none once tower water can't cool the return."""
    f = economiser_frac(np.array([12.5, 15.5, 18.5, 25.0]), 18.0, 6.0, 4.0, 1.5)
    np.testing.assert_allclose(f, [1.0, (24.0 - 21.0) / 6.0, 0.0, 0.0])


def test_tower_water_by_hand() -> None:
    # 1 MW for an hour: 3.6e6 kJ * 0.85 / 2442 kJ/kg evaporated, times cycles / (cycles - 1) = 4/3
    # (0.85: the tower rule E = 0.00085 x range(F) x flow against 0.001 for all heat evaporated)
    expected_m3 = 1000.0 * 3600 * 0.85 / 2442.0 / 1000.0 * 4.0 / 3.0
    assert float(tower_water_m3(1000.0, PLANT)) == pytest.approx(expected_m3)


def test_liquid_cooling_frees_more_hours() -> None:
    """Warm-water direct liquid cooling economises at wet bulbs where chilled water cannot."""
    wb = np.array([20.0])
    air, dlc = COOLING_MODELS["air"](100.0, wb, PLANT), COOLING_MODELS["direct_liquid"](100.0, wb, PLANT)
    assert air.free_heat_kw[0] == 0.0
    assert dlc.free_heat_kw[0] == pytest.approx(100.0 * PLANT.liquid_capture_frac)
    assert dlc.chiller_kw[0] < air.chiller_kw[0]


weather = st.tuples(st.floats(-20.0, 40.0), st.floats(0.05, 1.0), st.floats(0.0, 10.0), st.floats(0.0, 0.5))


@settings(max_examples=40, deadline=None)
@given(weather, st.sampled_from(list(COOLING_MODELS)), st.floats(10.0, 10000.0))
def test_hotter_or_more_humid_never_lowers_cooling(
    w: tuple[float, float, float, float], kind: str, heat_kw: float
) -> None:
    t, rh, dt, drh = w
    wb = wet_bulb_c(np.array([t, t + dt, t]), np.array([rh, rh, min(1.0, rh + drh)]))
    power = plant_power_kw({kind: heat_kw}, wb, PLANT)["cooling_power_kw"]
    assert power[1] >= power[0] - 1e-9
    assert power[2] >= power[0] - 1e-9


@given(st.floats(-30.0, 35.0), st.floats(0.0, 10.0))
def test_cop_falls_and_free_share_falls_with_wet_bulb(wb: float, dwb: float) -> None:
    assert _cop(15.0, wb + dwb + 4.0) <= _cop(15.0, wb + 4.0) + 1e-9
    assert economiser_frac(wb + dwb, 15.0, 6.0, 4.0, 1.5) <= economiser_frac(wb, 15.0, 6.0, 4.0, 1.5)


@given(st.floats(0.0, 10000.0), st.floats(0.0, 10000.0), st.floats(-10.0, 30.0))
def test_more_heat_never_lowers_cooling(a: float, b: float, wb: float) -> None:
    lo, hi = sorted((a, b))
    power = [plant_power_kw({"rear_door": q}, np.array([wb]), PLANT)["cooling_power_kw"][0] for q in (lo, hi)]
    assert power[1] >= power[0] - 1e-9


def test_plant_parts_add_up() -> None:
    heat: dict[str, NDArray[np.float64] | float] = {"air": np.array([100.0, 200.0]),
                                                    "direct_liquid": np.array([300.0, 50.0])}
    out = plant_power_kw(heat, np.array([5.0, 25.0]), PLANT)
    parts = sum(
        out[k]
        for k in ("chiller_power_kw", "fan_power_kw", "cdu_power_kw", "pump_power_kw", "tower_fan_power_kw")
    )
    np.testing.assert_allclose(out["cooling_power_kw"], parts)
    np.testing.assert_allclose(out["heat_load_kw"], [400.0, 250.0])
    assert ((out["free_cooling_frac"] >= 0) & (out["free_cooling_frac"] <= 1)).all()


DOE2_EIR_FPLR = (0.222903, 0.313387, 0.463710)  # DOE-2 centrifugal 5.50 COP, EIRFunPLR; PLRMin 0.1


def _eir(plr: float) -> float:
    a, b, c = DOE2_EIR_FPLR
    return a + b * plr + c * plr * plr


@pytest.mark.parametrize(
    ("load_kw", "expected"),
    [
        (1000.0, 1.0),  # full load: EIR(1) = 1
        (500.0, _eir(0.5) / 0.5),  # 0.991
        (200.0, _eir(0.2) / 0.2),  # 20 % load: 1.52, the curve's low end
        (50.0, _eir(0.1) / 0.05),  # below PLRMin the chiller false-loads at EIR(0.1)
        (1500.0, _eir(0.75) / 0.75),  # two of three chillers run at 75 % each
    ],
)
def test_chiller_part_load_factor_by_hand(load_kw: float, expected: float) -> None:
    """DOE-2 reference centrifugal chiller (modelica-buildings DOE_2_Centrifugal_5_50COP), 1,000 kW units."""
    got = float(chiller_part_load_factor(load_kw, 1000.0, 3, DOE2_EIR_FPLR, 0.1))
    assert got == pytest.approx(expected, rel=1e-6)


def test_shipped_part_load_curve_is_one_at_full_load() -> None:
    plant = CoolingPlant()
    assert sum(plant.chiller_eir_fplr) == pytest.approx(1.0, abs=1e-6)
    assert plant.chiller_eir_fplr == pytest.approx(DOE2_EIR_FPLR)


@given(st.floats(10.0, 3000.0))
def test_staged_chillers_never_beat_the_best_point_of_the_curve(load_kw: float) -> None:
    """Whatever the staging, input per kW of cooling is at least min over PLR of EIR(PLR)/PLR."""
    # the continuous minimum (a grid of PLRs can miss it by more than float noise; hypothesis found one)
    best = minimize_scalar(lambda p: _eir(p) / p, bounds=(0.1, 1.0), method="bounded",
                           options={"xatol": 1e-12}).fun
    assert float(chiller_part_load_factor(load_kw, 1000.0, 3, DOE2_EIR_FPLR, 0.1)) >= best - 1e-9


def test_part_load_raises_cooling_power_per_kw_at_low_load() -> None:
    """A plant with one 1,000 kW chiller: 20 % of its load costs more per kW than 80 %."""
    plant = CoolingPlant()
    wb = np.array([25.0])
    low = plant_power_kw({"air": 200.0}, wb, plant, chillers=(1000.0, 1))
    high = plant_power_kw({"air": 800.0}, wb, plant, chillers=(1000.0, 1))
    flat = plant_power_kw({"air": 200.0}, wb, plant)
    assert low["chiller_power_kw"][0] / 200.0 > high["chiller_power_kw"][0] / 800.0
    assert low["chiller_power_kw"][0] == pytest.approx(flat["chiller_power_kw"][0] * _eir(0.2) / 0.2)
