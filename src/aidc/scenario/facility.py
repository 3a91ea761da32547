"""Design choices for the facility: halls and their cooling, redundancy, racks, network."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from aidc import data
from aidc.errors import Note
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
    rack_units_usable: int = quantity(
        "facility.rack_units_usable", unit="U", ge=1, le=60,
        description="Rack units of a cabinet available to servers (PDUs, OOB switch, patch panels excluded).",
    )
    rack_weight_max_kg: float = quantity(
        "facility.rack_weight_max_kg", unit="kg", gt=0,
        description="Static load rating of a cabinet (servers and fit-out).",
    )
    racks_per_row_max: int = quantity(
        "facility.racks_per_row_max", unit="racks", ge=1, le=200,
        description="Most racks in one row.",
    )
    network_in_it_capacity: bool = Field(
        False,
        description=(
            "True: network switches share power.it_capacity_kw with the servers (fewer servers). "
            "False (the article's definition, 'maximum power supplied to all of its servers'): "
            "it_capacity_kw is the servers' budget and the network is IT load on top of it."
        ),
    )

    @model_validator(mode="after")
    def _known_switches(self) -> Self:
        known = data.load_yaml("catalog/network.yaml")["switches"]
        for name in ("backend_switch", "frontend_switch"):
            key = getattr(self, name)
            if key not in known:
                raise ValueError(Note("{name} '{key}' is not in the network catalog; known: {known}",
                                      name=name, key=key, known=", ".join(known)))
        return self
