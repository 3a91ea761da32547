"""The design stage's equipment data, read once from ``aidc/data/catalog/*.yaml``.

Each figure in those files is a record ``{value, unit, source, type}``; here the values are
taken out into small frozen dataclasses so that the sizing functions get plain numbers.
The sources stay in the files (and :func:`sources` lists them for reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from aidc.data import load_yaml
from aidc.units import TON_REFRIGERATION_KW


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    """Replace every record ``{value, unit, source}`` in a mapping by its value (one level)."""
    return {k: (v["value"] if isinstance(v, dict) and "value" in v else v) for k, v in raw.items()}


@dataclass(frozen=True, slots=True)
class SwitchModel:
    """A network switch: ports, design power, size."""

    key: str
    label: str
    radix: int
    port_gbps: float
    power_design_kw: float
    power_typical_kw: float
    rack_units: int
    weight_kg: float
    optic_leaf: str
    optic_uplink: str


@dataclass(frozen=True, slots=True)
class OpticModel:
    """A pluggable transceiver: power and ports per module."""

    key: str
    label: str
    power_w: float
    ports_per_module: int


@dataclass(frozen=True, slots=True)
class CoolingKindData:
    """What one hall cooling kind allows and costs."""

    rack_power_max_kw: float
    hall_allowance_frac: float
    room_fan_frac: float
    liquid_capture_frac: float


@dataclass(frozen=True, slots=True)
class DesignCatalog:
    """Every equipment figure the design stage uses (values only; sources stay in the files)."""

    racks: dict[str, float]
    building: dict[str, float]
    electrical: dict[str, float]
    cooling: dict[str, float]
    kinds: dict[str, CoolingKindData]
    switches: dict[str, SwitchModel]
    optics: dict[str, OpticModel]
    services: dict[str, float]

    @property
    def chiller_kw(self) -> float:
        """Capacity of one chiller [kW]."""
        return float(self.cooling["chiller_capacity_rt"]) * TON_REFRIGERATION_KW


@cache
def load() -> DesignCatalog:
    """Return the design catalog (cached: package data never changes at run time)."""
    net = load_yaml("catalog/network.yaml")
    cooling = dict(load_yaml("catalog/cooling.yaml"))
    kinds_raw = cooling.pop("kinds")
    return DesignCatalog(
        racks=_values(load_yaml("catalog/racks.yaml")),
        building=_values(load_yaml("catalog/building.yaml")),
        electrical=_values(load_yaml("catalog/electrical.yaml")),
        cooling=_values(cooling),
        kinds={k: CoolingKindData(**_values(v)) for k, v in kinds_raw.items()},
        switches={k: SwitchModel(key=k, **_values(v)) for k, v in net["switches"].items()},
        optics={k: OpticModel(key=k, **_values(v)) for k, v in net["optics"].items()},
        services=_values(net["fabric_services"]),
    )


def sources() -> list[dict[str, Any]]:
    """Return every design catalog figure as ``{file, key, value, unit, source, type}``, for reports."""
    out: list[dict[str, Any]] = []

    def walk(file: str, node: Any, prefix: str) -> None:
        if isinstance(node, dict) and "value" in node and "source" in node:
            out.append({"file": file, "key": prefix, **{k: node.get(k) for k in
                                                        ("value", "unit", "source", "type")}})
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(file, v, f"{prefix}.{k}" if prefix else str(k))

    for name in ("racks", "building", "electrical", "cooling", "network"):
        walk(f"catalog/{name}.yaml", load_yaml(f"catalog/{name}.yaml"), "")
    return out
