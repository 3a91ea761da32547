"""The library's own stages in a sweep (design, economics): wiring, not their physics."""

from __future__ import annotations

import pytest

from aidc import load_scenario
from aidc.scenario import Scenario
from aidc.sweep import available, sweep
from aidc.sweep.grid import set_path


def _sweep(stages: list[str], capacities: list[int]) -> object:
    missing = [s for s in stages if not available()[s]]
    if missing:
        pytest.skip(f"stage(s) not in this aidc yet: {missing}")
    s = load_scenario("jeonbuk-ai").model_copy(update={"sweep": {
        "power.it_capacity_kw": capacities, "facility.halls.0.cooling": ["rear_door", "direct_liquid"]}})
    return sweep(s, stages, scheduler="synchronous")


def test_design_sweep_outputs_grow_with_capacity() -> None:
    from aidc.design import size

    t = _sweep(["design"], [4000, 8000, 12000]).table  # type: ignore[attr-defined]
    assert (t["status"] == "ok").all()
    for cooling, group in t.groupby("facility.halls.0.cooling"):
        assert group["n_gpus"].is_monotonic_increasing, cooling
        assert group["facility_peak_kw"].is_monotonic_increasing, cooling
    # the design's own numbers pass through unchanged
    row = t.iloc[-1]
    tree = set_path(load_scenario("jeonbuk-ai").model_dump(mode="json"), "power.it_capacity_kw", 12000)
    tree = set_path(tree, "facility.halls.0.cooling", row["facility.halls.0.cooling"])
    design = size(Scenario.model_validate(tree))
    assert row["n_gpus"] == design.fleet.n_gpus
    assert row["design_pue"] == design.cooling.design_pue

def test_economics_sweep_reports_npv_and_the_design() -> None:
    t = _sweep(["economics"], [8000]).table  # type: ignore[attr-defined]
    assert (t["status"] == "ok").all(), t["error"].tolist()
    assert {"n_gpus", "npv_krw", "capex_krw"} <= set(t.columns)
    assert t["capex_krw"].gt(0).all()
