"""Energy section: weather, tariff, contracted demand, renewable share and the plant's efficiency figures.

Every number's default is a sourced record in ``aidc/data/defaults/energy.yaml`` (keys
``energy.*``); docs/energy.md explains the models they feed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aidc import data
from aidc.scenario._base import Section, quantity
from aidc.scenario.fleet import CoolingKind


class Electrical(Section):
    """Loss model of the power chain: UPS, transformers, distribution."""

    ups_noload_loss_frac: float = quantity(
        "energy.electrical.ups_noload_loss_frac",
        unit="-",
        ge=0,
        le=0.2,
        description="UPS no-load loss as a fraction of installed UPS rating.",
    )
    ups_proportional_loss_frac: float = quantity(
        "energy.electrical.ups_proportional_loss_frac",
        unit="-",
        ge=0,
        le=0.2,
        description="UPS loss proportional to load, as a fraction of the load.",
    )
    ups_square_loss_frac: float = quantity(
        "energy.electrical.ups_square_loss_frac",
        unit="-",
        ge=0,
        le=0.2,
        description="UPS resistive loss at full load (scales with load fraction squared), of rating.",
    )
    ups_module_kw: float = quantity(
        "energy.electrical.ups_module_kw",
        unit="kW",
        gt=0,
        description="UPS module size used when the design does not give the modules.",
    )
    transformer_noload_loss_frac: float = quantity(
        "energy.electrical.transformer_noload_loss_frac",
        unit="-",
        ge=0,
        le=0.1,
        description="Transformer core (no-load) loss as a fraction of rating.",
    )
    transformer_load_loss_frac: float = quantity(
        "energy.electrical.transformer_load_loss_frac",
        unit="-",
        ge=0,
        le=0.1,
        description="Transformer copper loss at full load as a fraction of rating.",
    )
    distribution_loss_frac: float = quantity(
        "energy.electrical.distribution_loss_frac",
        unit="-",
        ge=0,
        le=0.1,
        description="PDU and cabling loss as a fraction of the IT load.",
    )


class CoolingPlant(Section):
    """Water-cooled chillers, cooling towers, plate heat exchangers and the room-side units."""

    chiller_cop_rated: float = quantity(
        "energy.cooling.chiller_cop_rated",
        unit="-",
        gt=1,
        le=15,
        description="Chiller COP at the rating point (leaving chilled water / entering condenser water).",
    )
    chiller_rated_lchw_c: float = quantity(
        "energy.cooling.chiller_rated_lchw_c",
        unit="C",
        ge=0,
        le=30,
        description="Leaving chilled-water temperature of the rating point [C].",
    )
    chiller_rated_ecw_c: float = quantity(
        "energy.cooling.chiller_rated_ecw_c",
        unit="C",
        ge=10,
        le=45,
        description="Entering condenser-water temperature of the rating point [C].",
    )
    chiller_cop_max: float = quantity(
        "energy.cooling.chiller_cop_max",
        unit="-",
        gt=1,
        le=30,
        description="Highest COP credited at low lift.",
    )
    chiller_eir_fplr: tuple[float, float, float] = Field(
        default_factory=data.default("energy.cooling.chiller_eir_fplr"),
        description="Chiller electric-input-ratio part-load curve EIR = a + b PLR + c PLR² (1 at PLR = 1).",
        json_schema_extra={"unit": "-", "default_key": "energy.cooling.chiller_eir_fplr"},
    )
    chiller_plr_min: float = quantity(
        "energy.cooling.chiller_plr_min",
        unit="-",
        ge=0,
        le=1,
        description="Lowest chiller part-load ratio before false loading.",
    )
    chiller_approach_k: float = quantity(
        "energy.cooling.chiller_approach_k",
        unit="K",
        ge=0,
        le=10,
        description="Evaporator/condenser approach added on each side of the lift [K].",
    )
    tower_approach_k: float = quantity(
        "energy.cooling.tower_approach_k",
        unit="K",
        ge=0.5,
        le=15,
        description="Cooling-tower approach: condenser water above outdoor wet bulb [K].",
    )
    hx_approach_k: float = quantity(
        "energy.cooling.hx_approach_k",
        unit="K",
        ge=0,
        le=10,
        description="Plate heat-exchanger approach of the water-side economiser [K].",
    )
    chw_delta_k: float = quantity(
        "energy.cooling.chw_delta_k",
        unit="K",
        gt=0,
        le=20,
        description="Return minus supply temperature of each cooling loop [K].",
    )
    chws_air_c: float = quantity(
        "energy.cooling.chws_air_c",
        unit="C",
        ge=4,
        le=30,
        description="Chilled-water supply of air-cooled halls (CRAH) [C].",
    )
    chws_rear_door_c: float = quantity(
        "energy.cooling.chws_rear_door_c",
        unit="C",
        ge=4,
        le=30,
        description="Chilled-water supply of rear-door heat exchangers [C].",
    )
    liquid_supply_c: float = quantity(
        "energy.cooling.liquid_supply_c",
        unit="C",
        ge=10,
        le=50,
        description="Facility water supply of direct liquid cooling [C].",
    )
    liquid_capture_frac: float = quantity(
        "energy.cooling.liquid_capture_frac",
        unit="-",
        ge=0,
        le=1,
        description="Share of server heat removed by cold plates in direct-liquid-cooled halls.",
    )
    fan_air_frac: float = quantity(
        "energy.cooling.fan_air_frac",
        unit="-",
        ge=0,
        le=0.3,
        description="CRAH fan power per kW of heat removed by air.",
    )
    fan_rear_door_frac: float = quantity(
        "energy.cooling.fan_rear_door_frac",
        unit="-",
        ge=0,
        le=0.3,
        description="Rear-door fan power per kW of heat.",
    )
    cdu_frac: float = quantity(
        "energy.cooling.cdu_frac",
        unit="-",
        ge=0,
        le=0.2,
        description="CDU pump power per kW of liquid-captured heat.",
    )
    pump_frac: float = quantity(
        "energy.cooling.pump_frac",
        unit="-",
        ge=0,
        le=0.2,
        description="Chilled/condenser-water pump power per kW of heat.",
    )
    tower_fan_frac: float = quantity(
        "energy.cooling.tower_fan_frac",
        unit="-",
        ge=0,
        le=0.2,
        description="Cooling-tower fan power per kW of heat rejected.",
    )
    latent_heat_kj_per_kg: float = quantity(
        "energy.cooling.latent_heat_kj_per_kg",
        unit="kJ/kg",
        gt=0,
        description="Latent heat of vaporisation of water.",
    )
    evaporation_heat_frac: float = quantity(
        "energy.cooling.evaporation_heat_frac",
        unit="-",
        ge=0,
        le=1,
        description="Share of tower heat rejected by evaporation.",
    )
    cycles_of_concentration: float = quantity(
        "energy.cooling.cycles_of_concentration",
        unit="-",
        gt=1,
        le=20,
        description="Cooling-tower cycles of concentration (sets blowdown).",
    )


class EnergySection(Section):
    """Settings of the facility energy twin."""

    weather: str | None = Field(
        None, description="EPW or hourly CSV file; None uses the shipped Jeonju typical year."
    )
    tariff: str = quantity("energy.tariff", unit="-", description="Tariff key (see 'aidc energy tariffs').")
    contract_demand_kw: float | None = Field(
        None,
        gt=0,
        description="Contracted demand for the basic charge [kW]; None takes power.grid_contract_kw, "
        "then the design's, then the year's peak facility power.",
        json_schema_extra={"unit": "kW"},
    )
    billing_demand: Literal["tariff", "contract"] = Field(
        "tariff", description="Basic charge on the tariff's metered billing-demand rule, or on the contract."
    )
    renewable_frac: float = quantity(
        "energy.renewable_frac",
        unit="-",
        ge=0,
        le=1,
        description="Share of facility energy bought as renewable (PPA / RE100), carbon-free.",
    )
    grid_ef_year: int | None = Field(
        None,
        ge=2000,
        le=2100,
        description="Year of the grid emission factor; None takes scenario.start_year.",
    )
    cooling: CoolingKind | None = Field(
        None, description="Cooling of every hall (overrides facility.halls[].cooling); None keeps the halls'."
    )
    gpu_utilization_frac: float = quantity(
        "energy.gpu_utilization_frac",
        unit="-",
        ge=0,
        le=1,
        description="GPU busy share used when no simulated occupancy or hourly profile is given.",
    )
    cpu_utilization_frac: float = quantity(
        "energy.cpu_utilization_frac",
        unit="-",
        ge=0,
        le=1,
        description="Utilisation of CPU cloud and reference servers (unless an hourly profile is given).",
    )
    storage_utilization_frac: float = quantity(
        "energy.storage_utilization_frac",
        unit="-",
        ge=0,
        le=1,
        description="Utilisation of storage nodes.",
    )
    network_power_frac: float = quantity(
        "energy.network_power_frac",
        unit="-",
        ge=0,
        le=0.5,
        description="Network power as a fraction of server nameplate power (until the design gives it).",
    )
    other_power_frac: float = quantity(
        "energy.other_power_frac",
        unit="-",
        ge=0,
        le=0.5,
        description="Lighting, offices, building systems as a fraction of IT design power (constant).",
    )
    electrical: Electrical = Field(default_factory=Electrical, description="Power-chain loss model.")
    cooling_plant: CoolingPlant = Field(default_factory=CoolingPlant, description="Cooling plant model.")
