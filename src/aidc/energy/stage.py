"""The energy stage's entry point: :func:`evaluate` a year of the facility."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from aidc.energy import carbon, tariff
from aidc.energy.hourly import busy_fractions, facility_hourly
from aidc.energy.site import (
    Facility,
    cooling_by_type,
    facility_from_design,
    facility_from_scenario,
    fleet_table,
)
from aidc.energy.weather import DEFAULT_WEATHER_BASIS, N_HOURS, default_weather, prepare_weather
from aidc.errors import InputError, Note
from aidc.scenario import Scenario
from aidc.units import KWH_PER_MWH

L_PER_M3 = 1000.0  # litres in a cubic metre (definition)


@dataclass(frozen=True, slots=True)
class EnergyResult:
    """A year of the facility: hourly table, monthly summary, monthly bill and annual figures.

    ``by_year`` (given a plan) holds, for each plan year, the energy and bill of the fleet
    installed that year: ``year, n_servers, it_energy_mwh, facility_energy_mwh, pue,
    peak_facility_kw, bill_krw``. It is the bill the economics stage pays, year by year.
    """

    hourly: pd.DataFrame
    monthly: pd.DataFrame
    monthly_bill: pd.DataFrame
    annual: dict[str, Any]
    facility: Facility
    notes: tuple[Note, ...] = field(default_factory=tuple)  # English text; msgid and params for others
    by_year: pd.DataFrame | None = None


def _series(values: Any, name: str, lo: float, hi: float | None = None) -> npt.NDArray[np.float64] | None:
    if values is None:
        return None
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size != N_HOURS:
        raise InputError.single(
            "an hourly series must hold one value per hour of a year",
            field=name,
            found=arr.size,
            expected=f"{N_HOURS} values",
        )
    bad = np.flatnonzero(~((arr >= lo) & (arr <= (np.inf if hi is None else hi))))
    if bad.size:
        raise InputError.single(
            "value out of range",
            field=name,
            row=int(bad[0]) + 1,
            found=float(arr[bad[0]]),
            expected=f"{lo:g} to {hi:g}" if hi is not None else f">= {lo:g}",
        )
    return arr


def _weather(scenario: Scenario, weather: pd.DataFrame | None) -> pd.DataFrame:
    if weather is not None:
        return prepare_weather(weather, "weather")
    if scenario.energy.weather is not None:
        raise InputError.single(
            "the energy stage takes weather as a DataFrame: read the file with "
            "aidc.io.weather.read_weather and pass it as weather=",
            field="energy.weather",
            found=scenario.energy.weather,
        )
    return default_weather()


def monthly_summary(hourly: pd.DataFrame) -> pd.DataFrame:
    """Energy, PUE, peak, free cooling, water and carbon month by month."""
    g = hourly.groupby("month")
    out = pd.DataFrame(
        {
            "it_energy_mwh": g["it_power_kw"].sum() / KWH_PER_MWH,
            "facility_energy_mwh": g["facility_power_kw"].sum() / KWH_PER_MWH,
            "peak_facility_kw": g["facility_power_kw"].max(),
            "free_cooling_h": g["free_cooling_frac"].sum(),
            "water_m3": g["water_m3"].sum(),
            "carbon_t": g["carbon_t"].sum(),
        }
    )
    out.insert(2, "pue", out.facility_energy_mwh / out.it_energy_mwh)
    return out.reset_index()


def evaluate(
    scenario: Scenario,
    design: Any = None,
    busy_gpus_hourly: npt.ArrayLike | None = None,
    utilization_frac_hourly: npt.ArrayLike | None = None,
    weather: pd.DataFrame | None = None,
    grid_intensity_t_per_mwh_hourly: npt.ArrayLike | None = None,
    plan: Any = None,
) -> EnergyResult:
    """Evaluate a year of the facility: hourly power, cooling, PUE, the bill and carbon.

    Parameters
    ----------
    scenario : Scenario
        Its ``energy`` section gives tariff, contract, renewable share and plant figures.
    design : Design, optional
        The design stage's result (fleet, power chain, cooling). None derives the fleet from
        the scenario and estimates UPS modules and network power (recorded in ``notes``).
    busy_gpus_hourly : array (8760,), optional
        Busy GPUs each hour, from the simulation stage. [GPU]
    utilization_frac_hourly : array (8760,), optional
        A plain hourly utilisation profile instead (0..1). [-]
    weather : DataFrame, optional
        Hourly weather (``aidc.io.weather`` reads EPW/CSV files); None uses the shipped Jeonju year.
    grid_intensity_t_per_mwh_hourly : array (8760,), optional
        Hourly grid carbon intensity; None uses Korea's annual factor. [tCO2eq/MWh]
    plan : Plan, optional
        The plan stage's result: each plan year's fleet (``plan.fleet_by_year``) is evaluated
        too, at the same hourly utilisation, into ``by_year``.

    Returns
    -------
    EnergyResult
    """
    busy = _series(busy_gpus_hourly, "busy_gpus_hourly", 0.0)
    util = _series(utilization_frac_hourly, "utilization_frac_hourly", 0.0, 1.0)
    intensity = _series(grid_intensity_t_per_mwh_hourly, "grid_intensity_t_per_mwh_hourly", 0.0)
    section, notes = scenario.energy, list[Note]()
    if design is not None:
        facility = facility_from_design(scenario, design)
    else:
        facility = facility_from_scenario(scenario)
        notes.append(Note("no design given: server counts from the scenario's fleet, UPS modules and network "
                          "power estimated"))
    if weather is None:  # the shipped year: say what it is (issue 19)
        notes.append(Note(DEFAULT_WEATHER_BASIS))
    busy_frac = busy_fractions(facility.fleet, N_HOURS, section, busy, util)
    wx = _weather(scenario, weather)
    hourly = facility_hourly(facility, busy_frac, wx, section)
    cal = tariff.calendar(scenario.start_year)
    for i, col in enumerate(("timestamp", "month", "hour"), start=1):
        hourly.insert(i, col, cal[col].to_numpy())
    notes += _add_carbon(hourly, scenario, intensity)
    tar = tariff.get_tariff(section.tariff)
    if tar.effective_from.year > scenario.start_year:
        notes.append(Note("tariff {tariff} takes effect {date}, after the year {year}", tariff=tar.key,
                          date=str(tar.effective_from), year=scenario.start_year))
    contract_kw = facility.contract_kw or float(math.ceil(hourly.facility_power_kw.max()))
    bill = tariff.monthly_bill(hourly.facility_power_kw, cal, tar, contract_kw, section.billing_demand)
    usage_h = float(hourly.facility_power_kw.sum()) / 12 / contract_kw
    fits = tariff.option_for_usage(tar, usage_h)
    if tar.option and fits and fits != tar.option:
        notes.append(Note("{hours} h/month of use at {contract} kW contract suits option {fits}, "
                          "not the chosen option {chosen}", hours=f"{usage_h:.0f}",
                          contract=f"{contract_kw:,.0f}", fits=fits, chosen=tar.option))
    monthly = monthly_summary(hourly)
    annual = _annual(hourly, monthly, bill, tar, contract_kw, usage_h) | {
        "renewable_frac": section.renewable_frac,
        "year": scenario.start_year,
    }
    by_year = None
    if plan is not None:
        by_year = bill_by_plan_year(scenario, facility, plan.fleet_by_year, busy, util, wx, cal, tar)
        notes.append(Note("plan years: each year's installed fleet at the evaluated year's hourly "
                          "utilisation, weather and tariff ({year})", year=scenario.start_year))
    return EnergyResult(hourly, monthly, bill, annual, facility, tuple(notes), by_year)


def bill_by_plan_year(
    scenario: Scenario, facility: Facility, fleet_by_year: pd.DataFrame, busy_gpus: Any, util: Any,
    weather: pd.DataFrame, cal: pd.DataFrame, tar: tariff.Tariff,
) -> pd.DataFrame:
    """Return energy and bill of the fleet installed in each plan year (one hourly year per fleet).

    GPU servers keep the evaluated year's busy share (busy GPUs scaled with the GPUs installed),
    network power scales with server nameplate power; a year without servers draws nothing.
    """
    gpus = float((facility.fleet.n_servers * facility.fleet.n_gpus).sum())
    nameplate_kw = float((facility.fleet.n_servers * facility.fleet.power_max_w).sum())
    cooling = dict(zip(facility.fleet.index, facility.fleet.cooling, strict=True))
    rows, seen = [], {}
    for year, counts in fleet_by_year.iterrows():
        fleet_key = tuple(int(n) for n in counts)
        if fleet_key not in seen:
            servers = {str(k): int(n) for k, n in counts.items() if n > 0}
            seen[fleet_key] = _fleet_year(scenario, facility, servers, cooling, gpus, nameplate_kw,
                                          busy_gpus, util, weather, cal, tar)
        rows.append({"year": int(year), "n_servers": int(sum(fleet_key)), **seen[fleet_key]})
    return pd.DataFrame(rows)


def _fleet_year(
    scenario: Scenario, facility: Facility, servers: dict[str, int], cooling: dict[str, str],
    gpus: float, nameplate_kw: float, busy_gpus: Any, util: Any, weather: pd.DataFrame, cal: pd.DataFrame,
    tar: tariff.Tariff,
) -> dict[str, float]:
    if not servers:
        return {"it_energy_mwh": 0.0, "facility_energy_mwh": 0.0, "pue": math.nan, "peak_facility_kw": 0.0,
                "bill_krw": 0.0}
    section = scenario.energy
    cooling = cooling_by_type(scenario, list(servers)) | cooling
    fleet = fleet_table(scenario, servers, cooling)
    year_gpus = float((fleet.n_servers * fleet.n_gpus).sum())
    year_kw = float((fleet.n_servers * fleet.power_max_w).sum())
    busy = None if busy_gpus is None or gpus <= 0 else busy_gpus * year_gpus / gpus
    year = dataclasses.replace(facility, fleet=fleet, network_power_kw=facility.network_power_kw * year_kw
                               / nameplate_kw if nameplate_kw else 0.0)
    hourly = facility_hourly(year, busy_fractions(fleet, N_HOURS, section, busy, util), weather, section)
    contract_kw = year.contract_kw or float(math.ceil(hourly.facility_power_kw.max()))
    bill = tariff.monthly_bill(hourly.facility_power_kw, cal, tar, contract_kw, section.billing_demand)
    it_mwh = float(hourly.it_power_kw.sum()) / KWH_PER_MWH
    fac_mwh = float(hourly.facility_power_kw.sum()) / KWH_PER_MWH
    return {"it_energy_mwh": it_mwh, "facility_energy_mwh": fac_mwh, "pue": fac_mwh / it_mwh,
            "peak_facility_kw": float(hourly.facility_power_kw.max()),
            "bill_krw": float(bill[f"total_{tar.money}"].sum())}


def _add_carbon(
    hourly: pd.DataFrame, scenario: Scenario, intensity: npt.NDArray[np.float64] | None
) -> list[Note]:
    """Add ``grid_ef_t_per_mwh`` and ``carbon_t`` to the hourly table; return notes."""
    ef_year = scenario.energy.grid_ef_year or scenario.start_year
    ef, rec = carbon.grid_factor_t_per_mwh(ef_year)
    hourly["grid_ef_t_per_mwh"] = intensity if intensity is not None else ef
    hourly["carbon_t"] = carbon.carbon_t(
        hourly.facility_power_kw, hourly.grid_ef_t_per_mwh, scenario.energy.renewable_frac
    )
    if intensity is None and int(rec["period"][-4:]) < ef_year:
        return [Note("grid emission factor of {period} used for {year} (latest published)",
                     period=rec["period"], year=ef_year)]
    return []


def _annual(
    hourly: pd.DataFrame,
    monthly: pd.DataFrame,
    bill: pd.DataFrame,
    tar: tariff.Tariff,
    contract_kw: float,
    usage_h: float,
) -> dict[str, Any]:
    it_mwh, fac_mwh = float(monthly.it_energy_mwh.sum()), float(monthly.facility_energy_mwh.sum())
    cur = tar.money
    total = float(bill[f"total_{cur}"].sum())
    return {
        "it_energy_mwh": it_mwh,
        "facility_energy_mwh": fac_mwh,
        "pue": fac_mwh / it_mwh,
        "peak_facility_kw": float(hourly.facility_power_kw.max()),
        "peak_it_kw": float(hourly.it_power_kw.max()),
        f"bill_{cur}": total,
        f"price_{cur}_per_kwh": total / (fac_mwh * KWH_PER_MWH),
        "carbon_t": float(hourly.carbon_t.sum()),
        "free_cooling_h": float(hourly.free_cooling_frac.sum()),
        "full_free_cooling_h": int((hourly.free_cooling_frac >= 1.0).sum()),
        "water_m3": float(hourly.water_m3.sum()),
        "wue_l_per_kwh": float(hourly.water_m3.sum()) * L_PER_M3 / (it_mwh * KWH_PER_MWH),
        "contract_kw": contract_kw,
        "usage_h_per_month": usage_h,
        "grid_ef_t_per_mwh": float(hourly.grid_ef_t_per_mwh.mean()),
        "tariff": tar.key,
    }
