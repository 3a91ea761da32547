"""Design choices for the facility: halls and their cooling, redundancy, racks, network."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aidc.scenario._base import Section, quantity
from aidc.scenario.fleet import CoolingKind

Redundancy = Literal["N", "N+1", "2N"]


class Hall(Section):
    """A data hall: its cooling type and which server types it holds."""

    name: str = Field(description="Hall name, e.g. 'AI hall A'.")
    cooling: CoolingKind = Field(description="air, rear_door or direct_liquid.")
    server_types: list[str] | None = Field(
        None, description="Server type keys placed in this hall; None means any not placed elsewhere."
    )


def _default_halls() -> list[Hall]:
    return [Hall(name="Hall 1", cooling="air", server_types=None)]


class Facility(Section):
    """How the facility is built around the fleet."""

    halls: list[Hall] = Field(default_factory=_default_halls, min_length=1, description="Data halls.")
    ups_redundancy: Redundancy = Field("2N", description="UPS module redundancy.")
    generator_redundancy: Redundancy = Field("N+1", description="Standby generator redundancy.")
    cooling_redundancy: Redundancy = Field("N+1", description="Chiller / CDU / cooling tower redundancy.")
    rack_power_max_kw: float | None = Field(
        None, gt=0,
        description="Rack power limit [kW]; None takes the limit of each hall's cooling type.",
        json_schema_extra={"unit": "kW"},
    )
    frontend_oversubscription: float = quantity(
        "facility.frontend_oversubscription", unit="-", ge=1, le=20,
        description="Front-end/storage leaf-spine oversubscription (downlink : uplink bandwidth).",
    )
    backend_oversubscription: float = quantity(
        "facility.backend_oversubscription", unit="-", ge=1, le=20,
        description="GPU back-end fabric oversubscription (1 = non-blocking).",
    )
    backend_switch: str = Field("qm9700", description="Switch model key of the GPU back-end fabric.")
    frontend_switch: str = Field("sn4600c", description="Switch model key of the front-end network.")
