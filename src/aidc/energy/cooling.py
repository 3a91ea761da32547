"""Cooling plant: water-cooled chillers, cooling towers, water-side economiser, room units.

The plant is the same for every hall: cooling towers reject the heat; a plate heat
exchanger (water-side economiser) pre-cools each loop's return water when the tower water
is colder than it; chillers lift the rest. Halls differ in loop temperature and room-side
equipment, chosen through :data:`COOLING_MODELS` (air, rear_door, direct_liquid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import psychrolib

from aidc import units
from aidc.scenario.energy import CoolingPlant
from aidc.units import S_PER_H

ArrayLike = float | npt.ArrayLike
Array = npt.NDArray[np.float64]
KELVIN_C = units.ZERO_C_K
LIFT_MIN_K = 1.0  # keeps the Carnot ratio finite; any COP this high is capped at cop_max anyway
KG_PER_M3_WATER = 1000.0  # density of water, rounded (IAPWS: 997 kg/m3 at 25 C)


def wet_bulb_c(
    temp_air_c: ArrayLike, relative_humidity_frac: ArrayLike, pressure_pa: ArrayLike = 101325.0
) -> Array:
    """Psychrometric wet-bulb temperature from dry bulb, relative humidity and pressure [C].

    Element-wise psychrolib (ASHRAE Handbook—Fundamentals 2017, ch. 1); about 40 µs a value,
    so weather readers compute it once when a file is read.

    Examples
    --------
    >>> round(float(wet_bulb_c(25.0, 0.5)), 2)
    17.89
    """
    psychrolib.SetUnitSystem(psychrolib.SI)
    rh = np.clip(relative_humidity_frac, 0.0, 1.0)
    return np.vectorize(psychrolib.GetTWetBulbFromRelHum, otypes=[float])(temp_air_c, rh, pressure_pa)


def economiser_frac(
    wet_bulb_c: ArrayLike, supply_c: float, delta_k: float, tower_approach_k: float, hx_approach_k: float
) -> Array:
    """Share of a loop's heat removed by the water-side economiser (0..1).

    Tower water reaches ``wb + tower_approach``; through the plate heat exchanger it can cool
    the loop's return (``supply + delta``) down to ``wb + tower_approach + hx_approach``. Full
    free cooling when that is at or below the supply temperature, partial (series
    pre-cooling) up to the return temperature.

    Parameters
    ----------
    wet_bulb_c : float or array
        Outdoor wet-bulb temperature. [C]
    supply_c, delta_k : float
        Loop supply temperature [C] and return minus supply [K].
    tower_approach_k, hx_approach_k : float
        Approaches of the tower and of the heat exchanger. [K]

    References
    ----------
    Full free cooling when ``T_wb <= T_chws - tower_approach - hx_approach`` (facts
    econ.waterside.full_free_cooling, econ.waterside.limit).

    Examples
    --------
    >>> economiser_frac([10.0, 15.5, 19.0], 18.0, 6.0, 4.0, 1.5).tolist()
    [1.0, 0.5, 0.0]
    """
    cold_c = np.asarray(wet_bulb_c, dtype=float) + tower_approach_k + hx_approach_k
    return np.clip((supply_c + delta_k - cold_c) / delta_k, 0.0, 1.0)


def chiller_cop(
    lchw_c: ArrayLike,
    ecw_c: ArrayLike,
    cop_rated: float,
    rated_lchw_c: float,
    rated_ecw_c: float,
    approach_k: float,
    cop_max: float,
) -> Array:
    """Chiller COP scaled from its rating point by the Carnot COP of the lift.

    ``COP = COP_rated * carnot(lchw, ecw) / carnot(lchw_rated, ecw_rated)``, capped at
    ``cop_max``, where ``carnot = T_evap / (T_cond - T_evap)`` with ``T_evap = lchw - approach``
    and ``T_cond = ecw + approach`` (kelvin). Warmer condenser water (hotter, more humid
    weather) or colder chilled water lowers the COP.

    Parameters
    ----------
    lchw_c, ecw_c : float or array
        Leaving chilled-water and entering condenser-water temperatures. [C]
    cop_rated, rated_lchw_c, rated_ecw_c : float
        COP at the rating point and its temperatures. [-, C, C]
    approach_k, cop_max : float
        Heat-exchanger approach on each side [K]; highest COP credited. [-]

    References
    ----------
    US DOE FEMP, water-cooled centrifugal >= 600 t: 0.55 kW/ton = COP 6.39 at AHRI 550/590
    (LCHW 6.67 C, ECW 29.4 C); IPLV 0.40 kW/ton (facts chiller.femp.centrifugal_ge600t).

    Examples
    --------
    >>> round(float(chiller_cop(6.67, 29.4, 6.39, 6.67, 29.4, 3.0, 8.79)), 2)
    6.39
    """

    def carnot(lchw: ArrayLike, ecw: ArrayLike) -> Array:
        t_evap = np.asarray(lchw, dtype=float) - approach_k + KELVIN_C
        lift = np.maximum(np.asarray(ecw, dtype=float) + approach_k + KELVIN_C - t_evap, LIFT_MIN_K)
        return t_evap / lift

    return np.minimum(cop_rated * carnot(lchw_c, ecw_c) / carnot(rated_lchw_c, rated_ecw_c), cop_max)


def chiller_part_load_factor(
    chiller_load_kw: ArrayLike,
    unit_capacity_kw: float,
    n_units: int,
    eir_fplr: tuple[float, float, float],
    plr_min: float,
) -> Array:
    """Multiplier on a chiller plant's full-load power per kW of cooling, from its part-load curve.

    Chillers are staged: ``n_on = ceil(load / capacity)`` (1 to ``n_units``) run at the same
    part-load ratio ``PLR = load / (n_on * capacity)``. Their input is
    ``n_on * capacity * EIR(max(PLR, PLR_min)) / COP`` with ``EIR = a + b PLR + c PLR²``
    (1 at PLR = 1), so the factor on ``load / COP`` is ``EIR(max(PLR, PLR_min)) / PLR``.

    Parameters
    ----------
    chiller_load_kw : float or array
        Heat the chillers lift (after the economiser). [kW]
    unit_capacity_kw : float
        Cooling capacity of one chiller. [kW]
    n_units : int
        Chillers installed (the most that can run).
    eir_fplr : tuple of 3 floats
        Part-load curve coefficients ``(a, b, c)``. [-]
    plr_min : float
        Part-load ratio below which the chiller false-loads. [-]

    References
    ----------
    DOE-2 reference centrifugal chiller, EIRFunPLR = (0.222903, 0.313387, 0.463710), PLRMin 0.1
    (lbl-srg/modelica-buildings ``ElectricEIR.DOE_2_Centrifugal_5_50COP``; facts chiller.doe2_reference).

    Examples
    --------
    One 1,000 kW chiller at half load: EIR(0.5) = 0.2229 + 0.1567 + 0.1159 = 0.4955, / 0.5:

    >>> round(float(chiller_part_load_factor(500.0, 1000.0, 1, (0.222903, 0.313387, 0.463710), 0.1)), 4)
    0.991
    """
    load = np.asarray(chiller_load_kw, dtype=float)
    n_on = np.clip(np.ceil(load / unit_capacity_kw - 1e-9), 1, max(n_units, 1))
    plr = load / (n_on * unit_capacity_kw)
    a, b, c = eir_fplr
    p = np.clip(plr, plr_min, None)
    eir = a + b * p + c * p * p
    return np.divide(eir, plr, out=np.ones_like(plr), where=plr > 0)


@dataclass(frozen=True, slots=True)
class CoolingPower:
    """Hourly power of one hall type's cooling and the heat its economiser took, in kW."""

    chiller_kw: Array
    fan_kw: Array
    cdu_kw: Array
    free_heat_kw: Array


def loop_power(
    heat_kw: ArrayLike, wet_bulb_c: ArrayLike, supply_c: float, plant: CoolingPlant
) -> tuple[Array, Array]:
    """Chiller power and economiser heat of one water loop at ``supply_c`` [kW, kW].

    Examples
    --------
    >>> from aidc.scenario.energy import CoolingPlant
    >>> chiller, free = loop_power(100.0, 30.0, 15.0, CoolingPlant())
    >>> float(free), round(float(chiller), 2)
    (0.0, 13.22)
    """
    heat = np.asarray(heat_kw, dtype=float)
    free = economiser_frac(
        wet_bulb_c, supply_c, plant.chw_delta_k, plant.tower_approach_k, plant.hx_approach_k
    )
    ecw = np.asarray(wet_bulb_c, dtype=float) + plant.tower_approach_k
    cop = chiller_cop(
        supply_c,
        ecw,
        plant.chiller_cop_rated,
        plant.chiller_rated_lchw_c,
        plant.chiller_rated_ecw_c,
        plant.chiller_approach_k,
        plant.chiller_cop_max,
    )
    return heat * (1.0 - free) / cop, heat * free


def air_cooled(heat_kw: ArrayLike, wet_bulb_c: ArrayLike, plant: CoolingPlant) -> CoolingPower:
    """CRAH units on chilled water: all heat through room air."""
    chiller, free = loop_power(heat_kw, wet_bulb_c, plant.chws_air_c, plant)
    fan = np.asarray(heat_kw, dtype=float) * plant.fan_air_frac
    return CoolingPower(chiller, fan, np.zeros_like(fan), free)


def rear_door(heat_kw: ArrayLike, wet_bulb_c: ArrayLike, plant: CoolingPlant) -> CoolingPower:
    """Active rear-door heat exchangers on warmer chilled water."""
    chiller, free = loop_power(heat_kw, wet_bulb_c, plant.chws_rear_door_c, plant)
    fan = np.asarray(heat_kw, dtype=float) * plant.fan_rear_door_frac
    return CoolingPower(chiller, fan, np.zeros_like(fan), free)


def direct_liquid(heat_kw: ArrayLike, wet_bulb_c: ArrayLike, plant: CoolingPlant) -> CoolingPower:
    """Cold plates on a warm-water loop through CDUs; the residual heat through room air."""
    heat = np.asarray(heat_kw, dtype=float)
    liquid = heat * plant.liquid_capture_frac
    chiller_l, free_l = loop_power(liquid, wet_bulb_c, plant.liquid_supply_c, plant)
    air = air_cooled(heat - liquid, wet_bulb_c, plant)
    return CoolingPower(
        chiller_l + air.chiller_kw, air.fan_kw, liquid * plant.cdu_frac, free_l + air.free_heat_kw
    )


COOLING_MODELS: dict[str, Callable[[ArrayLike, ArrayLike, CoolingPlant], CoolingPower]] = {
    "air": air_cooled,
    "rear_door": rear_door,
    "direct_liquid": direct_liquid,
}


def tower_water_m3(heat_rejected_kw: ArrayLike, plant: CoolingPlant, duration_h: float = 1.0) -> Array:
    """Cooling-tower make-up water (evaporation + blowdown) over ``duration_h`` [m³].

    ``evaporation = Q * evaporation_heat_frac / latent_heat``; blowdown keeps the dissolved
    solids at ``cycles`` times make-up concentration: ``make-up = evaporation * cycles / (cycles - 1)``.

    Examples
    --------
    >>> from aidc.scenario.energy import CoolingPlant
    >>> round(float(tower_water_m3(1000.0, CoolingPlant())), 3)  # 1 MW for an hour
    1.671
    """
    evap_kg = np.asarray(heat_rejected_kw, dtype=float) * S_PER_H * duration_h * plant.evaporation_heat_frac
    evap_m3 = evap_kg / plant.latent_heat_kj_per_kg / KG_PER_M3_WATER
    c = plant.cycles_of_concentration
    return evap_m3 * c / (c - 1.0)
