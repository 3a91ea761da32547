"""A small plan for the operations tests: the 8-GPU-server scenario cut to 900 kW, so queues form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aidc import data
from aidc.scenario import parse_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "ops"


def small_scenario(**simulation: Any) -> Any:
    """Return jeonbuk_ai at 900 kW IT, pooled FIFO, with the given simulation settings."""
    raw = yaml.safe_load(data.path("scenarios/jeonbuk_ai.yaml").read_text(encoding="utf-8"))
    raw["power"]["it_capacity_kw"] = 900
    raw["simulation"] = {"placement": "pooled", "policy": "fifo", **simulation}
    return parse_scenario(yaml.safe_dump(raw))


@pytest.fixture(scope="package")
def plan() -> tuple[Any, Any, Any]:
    from aidc.demand import estimate, load_survey
    from aidc.design import size

    scenario = small_scenario(
        service_levels={"university": {"p95_wait_h": 24}, "research": {"p95_wait_h": 48}}
    )
    demand = estimate(load_survey(scenario), scenario)
    return scenario, demand, size(scenario, demand)
