"""The cluster from a design, and a scenario's year (demand's job stream, scenario settings)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import aidc.demand
from aidc import simulate as sim
from aidc.scenario import load_scenario


def test_cluster_from_design_keeps_gpu_servers_only() -> None:
    scenario = load_scenario("jeonbuk-ai")
    design = SimpleNamespace(fleet=SimpleNamespace(servers={"dgx_h100": 3, "dgx_b200": 2, "cpu_cloud": 10}))
    c = sim.Cluster.from_design(design, scenario)
    by_class = {k.gpu_class: (k.n_nodes, k.gpus_per_node) for k in c.classes}
    assert by_class == {"h100_sxm": (3, 8), "b200": (2, 8)}
    assert c.n_gpus == (3 + 2) * 8
    assert c.placement == "node"


def test_run_scenario_uses_job_stream_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario("jeonbuk-ai")
    seen = {}

    def job_stream(demand: object, scen: object, year: int, rng: np.random.Generator) -> pd.DataFrame:
        seen["year"] = year
        return pd.DataFrame({"job_id": ["a", "b", "c"], "tenant": ["uni", "uni", "startup"],
                             "submit_s": [0.0, 0.0, 10.0], "n_gpus": [16, 8, 4],
                             "duration_s": [3600.0, 60.0, 60.0], "gpu_class": ["b200", "h100_sxm", ""],
                             "priority": [0, 0, 0]})

    monkeypatch.setattr(aidc.demand, "job_stream", job_stream, raising=False)
    design = SimpleNamespace(fleet=SimpleNamespace(servers={"dgx_h100": 1, "dgx_b200": 2}))
    r = sim.run_scenario(scenario, design, demand=None)
    assert seen["year"] == scenario.start_year
    assert len(r.hourly) == 8760
    log = r.jobs.set_index("job_id")
    assert log.loc["a", "gpu_class"] == "b200"
    assert log.loc["a", "nodes"] == "0,1"  # 16 GPUs = both B200 nodes
    assert log.loc["c", "gpu_class"] == "b200"  # no class asked: the largest class
    assert log.loc["c", "start_s"] == 3600.0  # waits for 'a' to free a B200 node
    assert r.hourly.loc[0, "busy_gpus"] == pytest.approx(16 + 8 * 60 / 3600)  # c runs in hour 1
    assert r.hourly.loc[1, "busy_gpus"] == pytest.approx(4 * 60 / 3600)


def test_scenario_section_defaults_and_window_check() -> None:
    from pydantic import ValidationError

    from aidc.scenario.simulation import ReservedWindowSpec, SimulationSection

    section = SimulationSection(policy="fair_share", shares={"public": 0.2}, quotas_gpus={"startup_sme": 64})
    assert section.policy_params() == {"shares": {"public": 0.2}, "quotas_gpus": {"startup_sme": 64}}
    assert section.mtbf_h == round(2048 * 54 * 24 / 419)  # Llama 3: 419 interruptions, 54 days, 2,048 nodes
    assert section.slowdown_min_duration_s == 10.0
    with pytest.raises(ValidationError, match="end after it starts"):
        ReservedWindowSpec(tenant="lab", start_h=10, end_h=9, n_gpus=8)
    with pytest.raises(ValidationError):
        SimulationSection(policy="lottery")
