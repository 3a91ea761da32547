"""The hourly facility model: IT power, losses, cooling and PUE over all hours at once.

Energy balance, every hour: ``facility = IT + losses + cooling + other``. Heat to remove is
IT power plus the UPS and distribution losses (electrical rooms are air-cooled);
transformer losses are outdoors or ventilated and not cooled mechanically.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from aidc.energy.cooling import COOLING_MODELS, chiller_part_load_factor, tower_water_m3
from aidc.energy.electrical import distribution_loss_kw, transformer_loss_kw, ups_loss_kw
from aidc.energy.it_power import fleet_power_kw
from aidc.energy.site import Facility
from aidc.scenario.energy import CoolingPlant, EnergySection

Array = npt.NDArray[np.float64]
ROOM_AIR = "air"  # electrical rooms and network gear are cooled by room air


def busy_fractions(
    fleet: pd.DataFrame,
    n_hours: int,
    section: EnergySection,
    busy_gpus: Array | None = None,
    utilization_frac: Array | None = None,
) -> Array:
    """Busy share of each server type in each hour, shape (n_types, n_hours).

    GPU servers follow ``busy_gpus / total GPUs`` (from the simulation), else the hourly
    ``utilization_frac``, else ``energy.gpu_utilization_frac``. CPU and reference servers
    follow ``utilization_frac`` if given, else ``energy.cpu_utilization_frac``; storage runs at
    ``energy.storage_utilization_frac``.
    """
    n_gpus_total = float((fleet.n_servers * fleet.n_gpus).sum())
    gpu_u: Array | float = section.gpu_utilization_frac
    if busy_gpus is not None and n_gpus_total > 0:
        gpu_u = np.clip(busy_gpus / n_gpus_total, 0.0, 1.0)
    elif utilization_frac is not None:
        gpu_u = utilization_frac
    cpu_u = utilization_frac if utilization_frac is not None else section.cpu_utilization_frac
    by_kind = {"gpu": gpu_u, "cpu": cpu_u, "reference": cpu_u, "storage": section.storage_utilization_frac}
    out = np.empty((len(fleet), n_hours))
    for i, kind in enumerate(fleet.kind):
        out[i] = by_kind[kind]
    return out


PLANT_PARTS = ("chiller_power_kw", "fan_power_kw", "cdu_power_kw", "pump_power_kw", "tower_fan_power_kw")


def plant_power_kw(
    heat_kw: dict[str, Array | float],
    wet_bulb_c: Array,
    plant: CoolingPlant,
    chillers: tuple[float, int] | None = None,
) -> dict[str, Array]:
    """Power of the whole cooling plant for the heat of each cooling kind.

    With ``chillers = (unit capacity [kW], units installed)`` the chillers run staged on their
    part-load curve (:func:`~aidc.energy.cooling.chiller_part_load_factor`); without it, at the
    efficiency of full load. Pumps and fans stay proportional to the heat (variable speed).

    Parameters
    ----------
    heat_kw : dict
        Heat to remove by cooling kind (``air``, ``rear_door``, ``direct_liquid``). [kW]
    wet_bulb_c : array
        Outdoor wet bulb. [C]
    plant : CoolingPlant
        Plant figures.

    Returns
    -------
    dict of arrays
        :data:`PLANT_PARTS` and ``cooling_power_kw`` [kW], ``heat_load_kw`` [kW],
        ``free_cooling_frac`` (heat-weighted economiser share) [-], ``water_m3`` per step [m³].
    """
    wb = np.asarray(wet_bulb_c, dtype=float)
    parts = [COOLING_MODELS[kind](q, wb, plant) for kind, q in heat_kw.items()]
    heat = sum(
        (np.broadcast_to(np.asarray(q, dtype=float), wb.shape) for q in heat_kw.values()), np.zeros(wb.shape)
    )
    chiller = sum((p.chiller_kw for p in parts), np.zeros(wb.shape))
    free = sum((p.free_heat_kw for p in parts), np.zeros(wb.shape))
    if chillers is not None:  # one staged chiller plant serves every loop
        chiller = chiller * chiller_part_load_factor(
            heat - free, chillers[0], chillers[1], plant.chiller_eir_fplr, plant.chiller_plr_min
        )
    out = {
        "chiller_power_kw": chiller,
        "fan_power_kw": sum((p.fan_kw for p in parts), np.zeros(wb.shape)),
        "cdu_power_kw": sum((p.cdu_kw for p in parts), np.zeros(wb.shape)),
        "pump_power_kw": heat * plant.pump_frac,
        "tower_fan_power_kw": (heat + chiller) * plant.tower_fan_frac,
    }
    out["cooling_power_kw"] = sum((out[k] for k in PLANT_PARTS), np.zeros(wb.shape))
    out["heat_load_kw"] = heat
    out["free_cooling_frac"] = np.divide(free, heat, out=np.zeros(wb.shape), where=heat > 0)
    out["water_m3"] = tower_water_m3(heat + chiller, plant)
    return out


def facility_hourly(
    facility: Facility, busy_frac: Array, weather: pd.DataFrame, section: EnergySection
) -> pd.DataFrame:
    """Hourly power of every part of the facility.

    Parameters
    ----------
    facility : Facility
        Fleet, network power, UPS and transformer sizes.
    busy_frac : array (n_types, n_hours)
        Busy share of each server type (rows in ``facility.fleet`` order). [-]
    weather : DataFrame
        ``temp_air_c, relative_humidity_frac, wet_bulb_c`` per hour (see ``prepare_weather``).
    section : EnergySection
        Loss and cooling-plant parameters.

    Returns
    -------
    DataFrame
        One row per hour: ``it_power_kw, loss_kw, cooling_power_kw, other_power_kw,
        facility_power_kw, pue`` and their parts, weather, ``free_cooling_frac``, ``water_m3``.
    """
    fleet, el, plant = facility.fleet, section.electrical, section.cooling_plant
    n_hours = busy_frac.shape[1]
    by_type = fleet_power_kw(
        fleet.n_servers, busy_frac, fleet.power_max_w, fleet.power_idle_frac, fleet.power_typical_frac
    )
    it_kw = by_type.sum(axis=0) + facility.network_power_kw
    ups_kw = np.asarray(
        ups_loss_kw(
            it_kw,
            facility.ups_installed_kw,
            el.ups_noload_loss_frac,
            el.ups_proportional_loss_frac,
            el.ups_square_loss_frac,
        )
    )
    dist_kw = np.asarray(distribution_loss_kw(it_kw, el.distribution_loss_frac))
    heat = {kind: by_type[(fleet.cooling == kind).to_numpy()].sum(axis=0) for kind in set(fleet.cooling)}
    heat[ROOM_AIR] = heat.get(ROOM_AIR, 0.0) + facility.network_power_kw + ups_kw + dist_kw
    wb = weather["wet_bulb_c"].to_numpy(dtype=float)
    chillers = (facility.chiller_capacity_kw, facility.n_chillers) if facility.n_chillers else None
    cool = plant_power_kw(heat, wb, plant, chillers)
    cooling_kw = cool["cooling_power_kw"]
    other_kw = np.full(n_hours, facility.it_design_kw * section.other_power_frac)
    load_kw = it_kw + ups_kw + dist_kw + cooling_kw + other_kw
    rated_kw = facility.transformer_rated_kw or float(load_kw.max())
    trafo_kw = np.asarray(
        transformer_loss_kw(load_kw, rated_kw, el.transformer_noload_loss_frac, el.transformer_load_loss_frac)
    )
    loss_kw = ups_kw + dist_kw + trafo_kw
    facility_kw = it_kw + loss_kw + cooling_kw + other_kw
    return pd.DataFrame(
        {
            "t_h": np.arange(n_hours, dtype=float),
            "it_power_kw": it_kw,
            "ups_loss_kw": ups_kw,
            "distribution_loss_kw": dist_kw,
            "transformer_loss_kw": trafo_kw,
            "loss_kw": loss_kw,
            **{k: cool[k] for k in PLANT_PARTS},
            "cooling_power_kw": cooling_kw,
            "other_power_kw": other_kw,
            "facility_power_kw": facility_kw,
            "pue": np.divide(facility_kw, it_kw, out=np.full(n_hours, np.nan), where=it_kw > 0),
            "heat_load_kw": cool["heat_load_kw"],
            "temp_air_c": weather["temp_air_c"].to_numpy(dtype=float),
            "relative_humidity_frac": weather["relative_humidity_frac"].to_numpy(dtype=float),
            "wet_bulb_c": wb,
            "free_cooling_frac": cool["free_cooling_frac"],
            "water_m3": cool["water_m3"],
        }
    )
