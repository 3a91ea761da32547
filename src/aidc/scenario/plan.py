"""Plan section: horizon, power blocks and limits of the phased expansion plan."""

from __future__ import annotations

from pydantic import Field

from aidc.scenario._base import Section, quantity


class PlanSection(Section):
    """Settings of the phased expansion plan (the MILP of :mod:`aidc.plan`)."""

    horizon_y: int = quantity("plan.horizon_y", unit="y", ge=1, le=50, description="Planning horizon.")
    block_it_kw: float = quantity(
        "plan.block_it_kw", unit="kW", gt=0,
        description="IT capacity of one power block (transformer + UPS line-up and its hall space).",
    )
    grid_limit_kw: float = quantity(
        "plan.grid_limit_kw", unit="kW", gt=0,
        description="Most facility power the site's grid connection can take.",
    )
    budget_krw_per_y: float | None = Field(
        None, gt=0, description="Most capital spending in any one year [KRW]; None means no limit.",
        json_schema_extra={"unit": "KRW/y"},
    )
    max_floors: int | None = Field(
        None, ge=1, le=100,
        description="Floors available to all phases; None takes site.max_floors.",
        json_schema_extra={"unit": "floors"},
    )
    demand_growth_frac_per_y: float = quantity(
        "plan.demand_growth_frac_per_y", unit="1/y", ge=-0.5, le=5,
        description="Yearly demand growth used when no demand result is given.",
    )
    allow_shortfall: bool = Field(
        False,
        description="Let demand go unserved at its lost revenue instead of declaring the plan infeasible.",
    )
    phase1_fixed: bool = Field(
        True, description="Build the phase-1 capacity (power.it_capacity_kw) in the first year."
    )
    server_options: list[str] | None = Field(
        None,
        description="Server type keys the plan may buy; None: the scenario's own server types "
        "(fleet.servers / fleet.mix), or the whole catalog when catalog_wide is set.",
    )
    catalog_wide: bool = Field(
        False,
        description="Let the plan choose from every catalog server type that serves the demand, "
        "not only the scenario's own.",
    )
    integer_servers: bool = Field(
        False,
        description="Solve server counts as integers (slow for thousands); else round up after the solve.",
    )
    facility_lifetime_y: float = quantity(
        "plan.facility_lifetime_y", unit="y", gt=0, le=100,
        description="Life of a power block; value left after the horizon is credited.",
    )
    server_price_decline_frac_per_y: float = quantity(
        "plan.server_price_decline_frac_per_y", unit="1/y", ge=0, lt=1,
        description="Yearly fall of a server model's price after the first plan year.",
    )
    fallback_pue: float = quantity(
        "plan.fallback_pue", unit="-", ge=1, le=3, description="PUE used when no design result is given.",
    )
