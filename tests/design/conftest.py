from __future__ import annotations

import copy
from typing import Any

import pytest

from aidc.scenario import Scenario, load_scenario


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in ("mix", "servers"):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def scenario_with(base: str = "jeonbuk-phase1", **sections: Any) -> Scenario:
    """A shipped scenario with some sections deep-updated (``fleet.mix`` / ``servers`` replaced)."""
    raw = load_scenario(base).model_dump(mode="json", exclude_none=True)
    if "fleet" in sections:  # counts and mix exclude each other: replace the fleet's choice
        raw["fleet"].pop("mix", None)
        raw["fleet"].pop("servers", None)
    return Scenario.model_validate(_merge(raw, sections))


@pytest.fixture
def make():
    return scenario_with


def superpod(n_nodes: int, **facility: Any) -> Scenario:
    """A DGX SuperPOD H100 of ``n_nodes`` DGX H100 in one rear-door hall."""
    return scenario_with(
        fleet={"servers": {"dgx_h100": n_nodes}},
        facility={"halls": [{"name": "SuperPOD", "cooling": "rear_door"}], **facility},
    )
