"""Design stage: scenario (and demand) -> fleet, racks, floors, power chain, cooling, network, checks.

Entry point: :func:`size`. Results: :class:`Design` and its parts (``docs/contracts.md``).
Model functions live in ``fleet``, ``racks``, ``building``, ``power``, ``cooling`` and
``network``; ``stages`` assembles them; ``checks`` tests the limits.
"""

from __future__ import annotations

from aidc.design.export import labels, to_dict
from aidc.design.results import (
    ArticleArithmetic,
    CapacityEquivalent,
    Check,
    CoolingDesign,
    Design,
    FabricDesign,
    FleetDesign,
    HallDesign,
    LayoutDesign,
    NetworkDesign,
    PowerDesign,
    RackGroup,
)
from aidc.design.size import size

__all__ = [
    "ArticleArithmetic",
    "CapacityEquivalent",
    "Check",
    "CoolingDesign",
    "Design",
    "FabricDesign",
    "FleetDesign",
    "HallDesign",
    "LayoutDesign",
    "NetworkDesign",
    "PowerDesign",
    "RackGroup",
    "labels",
    "size",
    "to_dict",
]
