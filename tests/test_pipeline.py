"""aidc.run: one stage table, stages called in order with what they read, closures of it selected."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import aidc
from aidc import pipeline, summary
from aidc.errors import InputError
from aidc.pipeline import Stage, closure
from aidc.scenario import scenario_hash


def test_the_table_runs_the_chain_in_order() -> None:
    assert pipeline.STAGE_NAMES == ("survey", "demand", "design", "service", "plan", "simulation", "energy",
                                   "economics", "power")


def test_closure_follows_every_input_back() -> None:
    assert closure(["economics"]) == pipeline.STAGE_NAMES[:-1]  # economics reads every stage before it
    assert closure(["power"]) == ("survey", "demand", "design", "simulation", "power")
    assert closure(["design"]) == ("survey", "demand", "design")
    assert closure(["plan"]) == ("survey", "demand", "design", "service", "plan")
    assert closure(["energy"]) == ("survey", "demand", "design", "service", "plan", "simulation", "energy")
    # --alone: only hard inputs (the plan and economics run on their documented fallbacks)
    assert closure(["plan", "economics"], "needs") == ("plan", "economics")
    with pytest.raises(InputError, match="unknown stage"):
        closure(["desing"])


def _fake_table(monkeypatch: pytest.MonkeyPatch, n_gpus: int = 8, raising: str | None = None,
                ) -> list[tuple[str, dict[str, Any]]]:
    """Replace each row's computation by a spy that records what it was given; return the log."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def spy(name: str) -> Any:
        def compute(s: Any, r: pipeline.Result) -> Any:
            calls.append((name, {n: r.stage(n) for n in pipeline.STAGE_NAMES}))
            if name == raising:
                raise InputError.single("bad input", field=name)
            return SimpleNamespace(name=name, fleet=SimpleNamespace(n_gpus=n_gpus))
        return compute

    # The service sizing and the power view apply only when the scenario asks (service levels, a
    # power control): the spies run them regardless.
    table = tuple(Stage(st.name, spy(st.name), st.needs, st.uses,
                        None if st.name in ("service", "power") else st.applies) for st in pipeline.STAGES)
    monkeypatch.setattr(pipeline, "STAGES", table)
    monkeypatch.setattr(summary, "summarize", lambda r: "summary of " + ",".join(r.timings_s))
    return calls


def test_each_stage_sees_exactly_the_stages_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_table(monkeypatch)
    result = aidc.run(aidc.load_scenario())
    assert [c[0] for c in calls] == list(pipeline.STAGE_NAMES)
    for i, (name, seen) in enumerate(calls):
        before = pipeline.STAGE_NAMES[:i]
        assert {n for n, v in seen.items() if v is not None} == set(before), name
        assert all(seen[n] is result.stage(n) for n in before)  # the very objects the result holds
    assert result.missing == {}
    assert result.summary == "summary of " + ",".join(pipeline.STAGE_NAMES)  # summarised once, at the end


def test_result_records_provenance(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_table(monkeypatch)
    scenario = aidc.load_scenario()
    result = aidc.run(scenario)
    assert result.scenario is scenario
    assert result.scenario_hash == scenario_hash(scenario)
    assert result.aidc_version == aidc.__version__
    assert result.seed == scenario.seed
    assert result.stage("design").name == "design"  # the spy's stand-in, not a Design
    assert set(result.timings_s) == set(pipeline.STAGE_NAMES)


def test_a_subset_runs_its_closure_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_table(monkeypatch)
    result = aidc.run(aidc.load_scenario(), ["design"])
    assert [c[0] for c in calls] == ["survey", "demand", "design"]
    assert result.plan is None
    assert result.economics is None
    assert result.missing == {}  # not asked for is not missing


def test_simulation_does_not_apply_to_a_design_without_gpus(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_table(monkeypatch, n_gpus=0)
    result = aidc.run(aidc.load_scenario())
    assert result.missing == {"simulation": "the design has no GPUs, so there are no GPU jobs to simulate",
                              "power": "needs simulation, which did not run"}
    assert "simulation" not in [c[0] for c in calls]
    assert dict(calls)["energy"]["simulation"] is None  # energy runs on its own utilisation assumption


def test_service_sizing_applies_only_with_service_levels() -> None:
    """Without stated levels there is nothing to size to: the stage is missing and says why."""
    s = aidc.load_scenario("jeonbuk-ai")
    r = pipeline.Result(scenario=s, scenario_hash="", aidc_version="", seed=0,
                        design=SimpleNamespace(fleet=SimpleNamespace(n_gpus=8)))  # type: ignore[arg-type]
    assert pipeline._no_service_levels(r) == (
        "the scenario states no service levels (simulation.service_levels)")
    sim = s.simulation.model_copy(update={"service_levels": {"university": {"p95_wait_h": 1.0}}})
    r = pipeline.Result(scenario=s.model_copy(update={"simulation": sim}), scenario_hash="", aidc_version="",
                        seed=0, design=SimpleNamespace(fleet=SimpleNamespace(n_gpus=8)))  # type: ignore[arg-type]
    assert pipeline._no_service_levels(r) is None


def test_a_stage_whose_hard_input_did_not_run_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_table(monkeypatch)
    # the plan alone, without the survey: the demand (hard input: survey) cannot run
    result = aidc.run(aidc.load_scenario(), ["demand"], inputs="needs")
    assert result.survey is not None
    assert result.demand is not None
    table = tuple(Stage(s.name, s.compute, ("no_such_stage",) if s.name == "plan" else s.needs, s.uses)
                  for s in pipeline.STAGES)
    pipeline.STAGES = table  # restored by monkeypatch
    result = aidc.run(aidc.load_scenario(), ["plan"], inputs="needs")
    assert result.missing == {"plan": "needs no_such_stage, which did not run"}


def test_input_error_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_table(monkeypatch, raising="design")
    with pytest.raises(InputError, match="bad input"):
        aidc.run(aidc.load_scenario())
    assert [c[0] for c in calls][-1] == "design"


def test_progress_events(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_table(monkeypatch, n_gpus=0)
    events: list[tuple[str, str]] = []
    aidc.run(aidc.load_scenario(), on_stage=lambda s, e: events.append((s, e)))
    assert events[:2] == [("survey", "start"), ("survey", "done")]
    assert ("simulation", "missing") in events
    assert ("simulation", "start") not in events
    assert len(events) == 2 * len(pipeline.STAGE_NAMES) - 2  # simulation and power: "missing" alone


def test_the_run_commands_help_names_every_stage_in_order() -> None:
    # The help is the one place a user reads what `aidc run` runs: it must follow the stage table.
    from aidc.cli import COMMANDS

    named = COMMANDS["run"].split(" and ")[0].removeprefix("Run ").split(" -> ")
    assert tuple(named) == pipeline.STAGE_NAMES
