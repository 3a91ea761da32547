"""Sizing to service levels: the bisection over GPU servers, on waits whose answer is known by hand."""

from __future__ import annotations

import pytest

import aidc
from aidc import service
from aidc.scenario.simulation import ServiceLevel


@pytest.fixture(scope="module")
def ai_run() -> aidc.Result:
    """The AI preset up to its design: 666 DGX H100 (its only GPU type), CPU and storage servers."""
    return aidc.run(aidc.load_scenario("jeonbuk-ai"), ["design"])


def _with_levels(r: aidc.Result, **levels_h: float) -> aidc.Scenario:
    sim = r.scenario.simulation.model_copy(update={"service_levels": {
        k: ServiceLevel(p95_wait_h=v) for k, v in levels_h.items()}})
    return r.scenario.model_copy(update={"simulation": sim})


def _waits(scenario, design, demand, servers):  # noqa: ANN001, ANN202 - the signature of service._p95_wait_h
    # p95 waits falling as 1/n with the GPU servers n: university 200 h·server, large models 1,000 h·server
    n = servers["dgx_h100"]
    return {"university": 200.0 / n, "large_model": 1000.0 / n}


def test_smallest_fleet_by_hand(ai_run: aidc.Result, monkeypatch: pytest.MonkeyPatch) -> None:
    """University p95 <= 2 h needs 200 / 2 = 100 servers; large models <= 24 h need 1,000 / 24 -> 42."""
    monkeypatch.setattr(service, "_p95_wait_h", _waits)
    assert ai_run.design is not None
    assert ai_run.demand is not None
    found = service.smallest_fleet(_with_levels(ai_run, university=2.0, large_model=24.0), ai_run.design,
                                   ai_run.demand)
    assert found.n_gpu_servers == 100
    assert found.n_gpus == 100 * 8
    assert found.binding_class == "university"  # the last class to be met
    assert found.servers is not None
    assert found.servers["cpu_cloud"] == ai_run.design.fleet.servers["cpu_cloud"]  # CPU servers kept
    curve = found.curve
    assert curve["n_gpus"].is_monotonic_increasing
    assert curve.loc[curve["n_gpu_servers"] == 99, "meets"].tolist() == [False]  # one fewer misses
    assert curve.loc[curve["n_gpu_servers"] == 100, "meets"].tolist() == [True]
    assert curve["p95_wait_h__university"].is_monotonic_decreasing


def test_a_level_no_fleet_meets_is_said(ai_run: aidc.Result, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "_p95_wait_h", _waits)
    # 1,000 / n <= 0.1 h would need 10,000 servers; the search stops at 4 x 666 = 2,664
    assert ai_run.design is not None
    assert ai_run.demand is not None
    found = service.smallest_fleet(_with_levels(ai_run, large_model=0.1), ai_run.design, ai_run.demand)
    assert found.n_gpus is None
    assert found.binding_class == "large_model"
    assert found.curve["n_gpu_servers"].tolist() == [4 * 666]
