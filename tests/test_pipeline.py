"""aidc.run: stages called in order with what they need; missing stages recorded, never faked."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import aidc
from aidc import pipeline
from aidc.errors import InputError
from aidc.scenario import scenario_hash


def _fake_stages(monkeypatch: pytest.MonkeyPatch, absent: set[str] = frozenset(), raising: str | None = None,
                 n_gpus: int = 8) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """Replace every stage entry point by a spy returning a marker; return the call log."""
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def spy(target: str):
        def fn(*args: Any, **kwargs: Any) -> Any:
            calls.append((target, args, kwargs))
            if target == raising:
                raise InputError.single("bad input", field=target)
            if target == "design.size":
                return SimpleNamespace(name=target, fleet=SimpleNamespace(n_gpus=n_gpus))
            if target == "simulate.run_scenario":
                return SimpleNamespace(name=target, hourly={"busy_gpus": [1.0, 2.0]})
            return SimpleNamespace(name=target) if target != "survey.example_path" else "example.xlsx"
        return fn

    monkeypatch.setattr(pipeline, "entry_point", lambda target: None if target in absent else spy(target))
    return calls


def test_stages_run_in_order_and_get_their_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_stages(monkeypatch)
    scenario = aidc.load_scenario()
    result = aidc.run(scenario)
    order = [c[0] for c in calls if c[0] != "survey.example_path"]
    assert order == ["survey.read", "demand.estimate", "design.size", "plan.optimize",
                     "simulate.run_scenario", "energy.evaluate", "economics.evaluate"]
    by = {c[0]: c for c in calls}
    assert str(by["survey.read"][1][0]) == "example.xlsx"
    assert by["demand.estimate"][1] == (result.survey, scenario)
    assert by["design.size"][1] == (scenario, result.demand)
    assert by["plan.optimize"][1] == (scenario, result.design, result.demand)
    assert by["simulate.run_scenario"][1] == (scenario, result.design, result.demand)
    assert by["energy.evaluate"][1] == (scenario, result.design)
    assert by["energy.evaluate"][2] == {"busy_gpus_hourly": [1.0, 2.0]}  # the simulated occupancy
    assert by["economics.evaluate"][2] == {"plan": result.plan, "energy": result.energy,
                                           "simulation": result.simulation, "demand": result.demand}
    assert result.missing == {}
    assert set(result.timings_s) == set(pipeline.STAGE_NAMES)
    assert all(t >= 0 for t in result.timings_s.values())


def test_result_records_provenance(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stages(monkeypatch)
    scenario = aidc.load_scenario()
    result = aidc.run(scenario)
    assert result.scenario is scenario
    assert result.scenario_hash == scenario_hash(scenario)
    assert len(result.scenario_hash) == 64
    assert result.aidc_version == aidc.__version__
    assert result.seed == scenario.seed
    assert result.design.name == "design.size"  # one attribute per stage
    assert result.stage("energy") is result.energy


def test_missing_stage_is_recorded_and_its_dependants_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_stages(monkeypatch, absent={"demand.estimate"})
    result = aidc.run(aidc.load_scenario())
    assert result.demand is None
    assert result.missing["demand"] == "aidc.demand.estimate is not yet available"
    # plan and simulation need demand; design, energy and economics do not
    assert result.missing["plan"] == "needs demand, which did not run"
    assert result.missing["simulation"] == "needs demand, which did not run"
    assert {"design", "energy", "economics"}.isdisjoint(result.missing)
    assert result.plan is None
    assert result.simulation is None
    assert "plan.optimize" not in [c[0] for c in calls]
    # energy then runs on its own utilisation assumption; economics gets None for what is missing
    by = {c[0]: c for c in calls}
    assert by["energy.evaluate"][2] == {"busy_gpus_hourly": None}
    assert by["economics.evaluate"][2]["plan"] is None


def test_without_design_only_survey_and_demand_run(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stages(monkeypatch, absent={"design.size"})
    result = aidc.run(aidc.load_scenario())
    assert sorted(result.missing) == ["design", "economics", "energy", "plan", "simulation"]
    assert set(result.timings_s) == {"survey", "demand"}


def test_simulation_does_not_apply_to_a_design_without_gpus(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_stages(monkeypatch, n_gpus=0)
    result = aidc.run(aidc.load_scenario())
    assert result.missing == {"simulation": "the design has no GPUs, so there are no GPU jobs to simulate"}
    assert "simulate.run_scenario" not in [c[0] for c in calls]


def test_input_error_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_stages(monkeypatch, raising="design.size")
    with pytest.raises(InputError, match="bad input"):
        aidc.run(aidc.load_scenario())
    assert [c[0] for c in calls][-1] == "design.size"


def test_progress_events(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stages(monkeypatch, absent={"plan.optimize"})
    events: list[tuple[str, str]] = []
    aidc.run(aidc.load_scenario(), on_stage=lambda s, e: events.append((s, e)))
    assert events[:2] == [("survey", "start"), ("survey", "done")]
    assert ("plan", "missing") in events
    assert ("plan", "start") not in events
    assert len(events) == 2 * len(pipeline.STAGE_NAMES) - 1


def test_entry_point_finds_real_functions_and_none_for_absent_ones() -> None:
    assert pipeline.entry_point("scenario.load_scenario") is aidc.load_scenario
    assert pipeline.entry_point("scenario.no_such_function") is None
    assert pipeline.entry_point("no_such_stage.run") is None


def test_default_run_completes() -> None:
    """The real stages on the default scenario: every stage either ran or says why not."""
    result = aidc.run(aidc.load_scenario())
    for name in pipeline.STAGE_NAMES:
        assert (result.stage(name) is None) == (name in result.missing), name
    assert set(result.timings_s) == set(pipeline.STAGE_NAMES) - set(result.missing)
    assert result.design is not None  # design was the first stage to land
