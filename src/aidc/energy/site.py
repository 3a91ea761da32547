"""What the hourly model needs to know about the facility, from the design or the scenario.

The physics (:mod:`aidc.energy.hourly`) takes a :class:`Facility` of explicit figures: server
counts and power curves per type, the cooling kind of each type's hall, network power, UPS
redundancy and capacity, transformer rating and contract. Two thin builders fill it: from a
design (:func:`facility_from_design`, the design stage's ``Design``) or, before a design
exists, from the scenario's fleet alone (:func:`facility_from_scenario`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from aidc.energy.electrical import ups_installed_kw
from aidc.scenario import Scenario
from aidc.units import W_PER_KW

FLEET_COLUMNS = (
    "n_servers",
    "power_max_w",
    "power_idle_frac",
    "power_typical_frac",
    "n_gpus",
    "kind",
    "cooling",
)


@dataclass(frozen=True, slots=True)
class Facility:
    """Explicit facility figures for the hourly model.

    ``fleet`` is indexed by server type key with :data:`FLEET_COLUMNS`; ``transformer_rated_kw``
    None means "rated to the year's peak load"; ``contract_kw`` None means "the year's peak".
    """

    fleet: pd.DataFrame
    network_power_kw: float
    it_design_kw: float
    ups_redundancy: str
    ups_installed_kw: float
    transformer_rated_kw: float | None
    contract_kw: float | None
    source: str
    chiller_capacity_kw: float = 0.0  # one chiller's cooling capacity [kW] (0: no design)
    n_chillers: int = 0  # chillers installed; 0 runs the plant at full-load efficiency


def cooling_by_type(
    scenario: Scenario, keys: list[str], kind_by_hall: dict[str, str] | None = None
) -> dict[str, str]:
    """Return the cooling kind of the hall holding each server type.

    A hall listing ``server_types`` holds those; the first hall without a list holds the rest
    (or, if every hall lists its types, the first hall). ``energy.cooling`` overrides all.
    """
    halls = scenario.facility.halls
    kinds = {h.name: (kind_by_hall or {}).get(h.name, h.cooling) for h in halls}
    rest = next((h for h in halls if h.server_types is None), halls[0])
    out = {k: kinds[rest.name] for k in keys}
    for h in halls:
        for k in h.server_types or ():
            out[k] = kinds[h.name]
    if scenario.energy.cooling is not None:
        out = dict.fromkeys(out, scenario.energy.cooling)
    return out


def fleet_table(scenario: Scenario, servers: dict[str, int], cooling: dict[str, str]) -> pd.DataFrame:
    """Server counts with each type's power curve, GPUs and hall cooling, by type key."""
    catalog = scenario.servers()
    rows = {
        k: {
            "n_servers": int(n),
            "power_max_w": catalog[k].power_max_w,
            "power_idle_frac": catalog[k].power_idle_frac,
            "power_typical_frac": catalog[k].power_typical_frac,
            "n_gpus": catalog[k].n_gpus,
            "kind": catalog[k].kind,
            "cooling": cooling[k],
        }
        for k, n in servers.items()
        if n > 0
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(FLEET_COLUMNS))


def servers_from_scenario(scenario: Scenario) -> dict[str, int]:
    """Return server counts from ``fleet.servers``, or whole servers from ``fleet.mix`` shares."""
    if scenario.fleet.servers is not None:
        return dict(scenario.fleet.servers)
    catalog = scenario.servers()
    capacity_w = scenario.power.it_capacity_kw * W_PER_KW
    return {
        k: math.floor(share * capacity_w / catalog[k].power_max_w + 1e-9)
        for k, share in (scenario.fleet.mix or {}).items()
    }


def _nameplate_kw(fleet: pd.DataFrame) -> float:
    return float((fleet.n_servers * fleet.power_max_w).sum() / W_PER_KW)


def facility_from_scenario(scenario: Scenario) -> Facility:
    """Build the facility figures from the scenario alone: counts from the fleet, sizes estimated."""
    servers = servers_from_scenario(scenario)
    fleet = fleet_table(scenario, servers, cooling_by_type(scenario, list(servers)))
    network_kw = _nameplate_kw(fleet) * scenario.energy.network_power_frac
    it_design_kw = _nameplate_kw(fleet) + network_kw
    redundancy = scenario.facility.ups_redundancy
    return Facility(
        fleet=fleet,
        network_power_kw=network_kw,
        it_design_kw=it_design_kw,
        ups_redundancy=redundancy,
        ups_installed_kw=ups_installed_kw(it_design_kw, redundancy, scenario.energy.electrical.ups_module_kw),
        transformer_rated_kw=None,
        contract_kw=scenario.energy.contract_demand_kw or scenario.power.grid_contract_kw,
        source="scenario (no design: server counts from the fleet, UPS modules and network power estimated)",
    )


def facility_from_design(scenario: Scenario, design: Any) -> Facility:
    """Build the facility figures from an ``aidc.design.Design``.

    Servers and network power from ``design.fleet``; each type's cooling from the hall that
    holds it (``design.layout.halls``); installed UPS, transformers (kVA taken as kW, i.e.
    unity power factor for the loading) and the grid contract from ``design.power``.
    """
    servers = dict(design.fleet.servers)
    cooling = {k: hall.cooling for hall in design.layout.halls for k in hall.server_types}
    cooling = {k: cooling.get(k, c) for k, c in cooling_by_type(scenario, list(servers)).items()}
    if scenario.energy.cooling is not None:
        cooling = dict.fromkeys(cooling, scenario.energy.cooling)
    power = design.power
    contract = scenario.energy.contract_demand_kw or power.grid_contract_kw
    return Facility(
        fleet=fleet_table(scenario, servers, cooling),
        network_power_kw=float(design.fleet.network_power_kw),
        it_design_kw=float(power.it_design_kw),
        ups_redundancy=str(power.ups_redundancy),
        ups_installed_kw=float(power.ups_installed_kw),
        transformer_rated_kw=float(power.n_transformers * power.transformer_kva),
        contract_kw=float(contract),
        source="design",
        chiller_capacity_kw=float(design.cooling.chiller_kw),
        n_chillers=int(design.cooling.n_chillers),
    )
