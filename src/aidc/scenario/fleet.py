"""The server catalog and the fleet: what kind of servers, and how many (or in what mix)."""

from __future__ import annotations

from functools import cache
from typing import Literal, Self

from pydantic import Field, model_validator

from aidc.errors import Note
from aidc.scenario._base import Section

ServerKind = Literal["reference", "gpu", "cpu", "storage"]
CoolingKind = Literal["air", "rear_door", "direct_liquid"]


class ServerType(Section):
    """One server model. Shipped entries come from ``aidc/data/catalog/servers.yaml``."""

    label: str = Field(description="Human-readable name.")
    kind: ServerKind = Field(description="reference (article's generic server), gpu, cpu or storage.")
    n_gpus: int = Field(0, ge=0, description="GPUs per server.", json_schema_extra={"unit": "GPU"})
    gpu_model: str | None = Field(None, description="GPU model key in the GPU catalog, if any.")
    power_max_w: float = Field(
        gt=0, description="Maximum (nameplate) system power.", json_schema_extra={"unit": "W"}
    )
    power_idle_frac: float = Field(ge=0, le=1, description="Idle power as a fraction of maximum.")
    power_typical_frac: float = Field(ge=0, le=1, description="Typical busy power as a fraction of maximum.")
    rack_units: int = Field(ge=1, le=60, description="Height in rack units.", json_schema_extra={"unit": "U"})
    weight_kg: float = Field(gt=0, description="Server weight.", json_schema_extra={"unit": "kg"})
    cooling: CoolingKind = Field("air", description="How the server itself is cooled by default.")
    n_backend_ports: int = Field(
        0, ge=0, description="GPU-fabric (back-end) ports, one per GPU rail for 8-GPU servers."
    )
    n_frontend_ports: int = Field(1, ge=0, description="Front-end / storage network ports.")
    storage_tb: float = Field(
        0.0, ge=0, description="Usable storage per server.", json_schema_extra={"unit": "TB"}
    )
    n_vcpus: int = Field(0, ge=0, description="Virtual CPUs offered per server.")
    sources: dict[str, str] = Field(default_factory=dict, description="Source of each figure, by field name.")


class Fleet(Section):
    """Which servers fill the IT capacity.

    Either ``servers`` (exact counts) or ``mix`` (share of IT capacity per server type) is
    given; ``mix`` shares must sum to 1.
    """

    custom_servers: dict[str, ServerType] = Field(
        default_factory=dict, description="Extra server types beside the shipped catalog, by key."
    )
    servers: dict[str, int] | None = Field(None, description="Exact server counts by type key.")
    mix: dict[str, float] | None = Field(
        None, description="Share of the IT capacity given to each server type key (sums to 1)."
    )

    @model_validator(mode="after")
    def _counts_or_mix(self) -> Self:
        if (self.servers is None) == (self.mix is None):
            raise ValueError(Note("give the fleet as exactly one of 'servers' (counts) or 'mix' (shares)"))
        if self.mix is not None:
            if any(v < 0 for v in self.mix.values()):
                raise ValueError(Note("mix shares must be non-negative"))
            total = sum(self.mix.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(Note("mix shares must sum to 1, they sum to {total}", total=f"{total:g}"))
        if self.servers is not None and any(v < 0 for v in self.servers.values()):
            raise ValueError(Note("server counts must be non-negative"))
        return self


def shipped_servers() -> dict[str, ServerType]:
    """Return the shipped server catalog (``aidc/data/catalog/servers.yaml``).

    Each figure in that file is a record ``{value, unit, source}``; the values become the
    :class:`ServerType` fields and the sources go to ``ServerType.sources``. Built once
    (server types are frozen, so sharing them is safe); each call returns a new dict.
    """
    return dict(_shipped_servers())


@cache
def _shipped_servers() -> dict[str, ServerType]:
    from aidc import data

    raw: dict[str, dict[str, object]] = data.load_yaml("catalog/servers.yaml")
    catalog: dict[str, ServerType] = {}
    for key, entry in raw.items():
        fields: dict[str, object] = {}
        sources: dict[str, str] = {}
        for name, item in entry.items():
            if isinstance(item, dict) and "value" in item:
                fields[name] = item["value"]
                sources[name] = str(item["source"])
            else:
                fields[name] = item
        catalog[key] = ServerType(**fields, sources=sources)
    return catalog
