"""Economics section: costs, prices and PFV financing."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from aidc.errors import Note
from aidc.scenario._base import Section, quantity


class EconomicsSection(Section):
    """Cost, price and finance assumptions of the PFV (project financing vehicle)."""

    discount_rate_frac: float = quantity(
        "economics.discount_rate_frac", unit="1/y", ge=0, le=1, description="Discount rate of the project."
    )
    exchange_rate_krw_per_usd: float = quantity(
        "economics.exchange_rate_krw_per_usd", unit="KRW/USD", gt=0, description="Exchange rate."
    )
    construction_cost_usd_per_w: float = quantity(
        "economics.construction_cost_usd_per_w", unit="USD/W", gt=0,
        description="Development cost per watt of IT capacity (no land, no IT).",
    )
    mep_share_frac: float = quantity(
        "economics.mep_share_frac", unit="-", ge=0, le=1,
        description="Share of development cost in mechanical, electrical and plumbing plant.",
    )
    electrical_share_of_mep_frac: float = quantity(
        "economics.electrical_share_of_mep_frac", unit="-", ge=0, le=1,
        description="Electrical share of the MEP cost (the rest is mechanical).",
    )
    land_price_krw_per_m2: float = quantity(
        "economics.land_price_krw_per_m2", unit="KRW/m2", ge=0, description="Land price."
    )
    grid_connection_krw: float = quantity(
        "economics.grid_connection_krw", unit="KRW", ge=0, description="Cost of the grid connection."
    )
    network_cost_frac_of_it: float = quantity(
        "economics.network_cost_frac_of_it", unit="-", ge=0, le=2,
        description="Network cost as a fraction of server capex.",
    )
    n_staff: int = quantity("economics.n_staff", unit="persons", ge=0, description="Operating staff.")
    staff_cost_krw_per_y: float = quantity(
        "economics.staff_cost_krw_per_y", unit="KRW/y", ge=0, description="Loaded cost per staff member."
    )
    maintenance_facility_frac_per_y: float = quantity(
        "economics.maintenance_facility_frac_per_y", unit="1/y", ge=0, le=1,
        description="Yearly facility maintenance as a fraction of facility capex.",
    )
    maintenance_it_frac_per_y: float = quantity(
        "economics.maintenance_it_frac_per_y", unit="1/y", ge=0, le=1,
        description="Yearly IT support as a fraction of installed server capex.",
    )
    it_support_included_y: int = quantity(
        "economics.it_support_included_y", unit="y", ge=0, le=20,
        description="Years of support included in the server purchase price (support is charged after them).",
    )
    insurance_frac_per_y: float = quantity(
        "economics.insurance_frac_per_y", unit="1/y", ge=0, le=1,
        description="Yearly insurance as a fraction of installed capex.",
    )
    property_tax_frac_per_y: float = quantity(
        "economics.property_tax_frac_per_y", unit="1/y", ge=0, le=1,
        description="Yearly property tax as a fraction of land and building value.",
    )
    corporate_tax_frac: float = quantity(
        "economics.corporate_tax_frac", unit="-", ge=0, le=1, description="Income tax rate of the PFV."
    )
    debt_frac: float = quantity(
        "economics.debt_frac", unit="-", ge=0, le=1, description="Share of phase-1 capex financed by debt."
    )
    interest_rate_frac: float = quantity(
        "economics.interest_rate_frac", unit="1/y", ge=0, le=1,
        description="Interest rate of the senior loan."
    )
    debt_tenor_y: int = quantity(
        "economics.debt_tenor_y", unit="y", ge=1, le=40, description="Repayment period of the senior loan."
    )
    utilization_frac: float = quantity(
        "economics.utilization_frac", unit="-", ge=0, le=1,
        description="Share of installed capacity sold, used when no simulation result is given.",
    )
    price_krw_per_gpu_h: float = quantity(
        "economics.price_krw_per_gpu_h", unit="KRW/GPU-h", ge=0,
        description="Value of an unserved H100-equivalent GPU-hour to the plan; revenue is priced "
        "by GPU model from data/costs/prices.yaml.",
    )
    gpu_hour_price_change_frac_per_y: float = quantity(
        "economics.gpu_hour_price_change_frac_per_y", unit="1/y", gt=-1, le=1,
        description="Yearly change of every GPU-hour list price from the construction year "
        "(negative: prices fall).",
    )
    price_krw_per_vcpu_h: float = quantity(
        "economics.price_krw_per_vcpu_h", unit="KRW/vCPU-h", ge=0,
        description="Value of an unserved vCPU-hour to the plan; revenue uses data/costs/prices.yaml."
    )
    tariff_krw_per_kwh: float = quantity(
        "economics.tariff_krw_per_kwh", unit="KRW/kWh", ge=0,
        description="Average electricity price, used when no energy result is given.",
    )
    discount_by_class_frac: dict[str, float] = quantity(
        "economics.discount_by_class_frac", unit="-",
        description="Support-programme discount off the list price, by tenant class.",
    )
    tenant_share_frac: dict[str, float] = quantity(
        "economics.tenant_share_frac", unit="-",
        description="Share of GPU-hours by tenant class, used when no demand result is given.",
    )
    server_price_usd: dict[str, float] = Field(
        default_factory=dict,
        description="Server prices [USD] by server type key, overriding data/costs/servers.yaml.",
        json_schema_extra={"unit": "USD"},
    )
    mc_demand_growth_sd_frac: float = quantity(
        "economics.mc_demand_growth_sd_frac", unit="1/y", ge=0, le=1,
        description="Monte Carlo: standard deviation of the yearly demand growth rate.",
    )
    mc_price_sd_frac: float = quantity(
        "economics.mc_price_sd_frac", unit="-", ge=0, le=2,
        description="Monte Carlo: log-normal sigma of prices.",
    )
    mc_cost_sd_frac: float = quantity(
        "economics.mc_cost_sd_frac", unit="-", ge=0, le=2,
        description="Monte Carlo: log-normal sigma of construction and server costs.",
    )
    mc_tariff_sd_frac: float = quantity(
        "economics.mc_tariff_sd_frac", unit="-", ge=0, le=2,
        description="Monte Carlo: log-normal sigma of the electricity tariff.",
    )

    @model_validator(mode="after")
    def _fractions_by_class(self) -> Self:
        for name in ("discount_by_class_frac", "tenant_share_frac"):
            bad = {k: v for k, v in getattr(self, name).items() if not 0.0 <= v <= 1.0}
            if bad:
                raise ValueError(Note("{name} values must lie in 0..1; found {bad}", name=name, bad=str(bad)))
        if self.tenant_share_frac and sum(self.tenant_share_frac.values()) <= 0:
            raise ValueError(Note("tenant_share_frac needs a positive share"))
        bad_prices = {k: v for k, v in self.server_price_usd.items() if v < 0}
        if bad_prices:
            raise ValueError(Note("server_price_usd must be non-negative; found {bad}", bad=str(bad_prices)))
        return self
