"""Power: the IT capacity the plan is stated in, and the grid contract."""

from __future__ import annotations

from pydantic import Field

from aidc.scenario._base import Section, quantity


class Power(Section):
    """The plan's power figures.

    ``it_capacity_kw`` is what the article calls the data center's capacity: "the maximum
    power supplied to all of its servers". The grid contract covers IT plus cooling and losses.
    """

    it_capacity_kw: float = quantity(
        "power.it_capacity_kw", unit="kW", gt=0,
        description="Maximum power supplied to all servers (the plan's headline capacity).",
    )
    grid_contract_kw: float | None = Field(
        None, gt=0,
        description="Contracted utility demand [kW]; None lets the design size it from peak facility power.",
        json_schema_extra={"unit": "kW"},
    )
