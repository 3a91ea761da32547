"""The oversubscription search: more GPU servers under the IT limit, held by capping and delays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import aidc.simulate
from aidc import data
from aidc.design import size
from aidc.power import PowerControls, evaluate, setup
from aidc.power.operations import oversubscribe
from aidc.scenario import load_scenario
from aidc.simulate import Cluster, SimulationResult, run
from aidc.units import S_PER_H

DAY_S = 86400.0


def test_search_stops_at_the_first_step_that_does_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_scenario("jeonbuk-aidc")
    d = size(s)
    rng = np.random.default_rng(7)
    n = 120
    jobs = pd.DataFrame(
        {
            "job_id": [f"j{i}" for i in range(n)],
            "tenant": rng.choice(["research", "university"], n),
            "submit_s": np.sort(rng.uniform(181 * DAY_S, 186 * DAY_S, n)),
            "n_gpus": rng.choice([8, 32, 128], n),
            "duration_s": rng.uniform(1, 20, n) * S_PER_H,
        }
    )

    def simulate(scenario: object, design: object, demand: object) -> SimulationResult:
        return run(jobs, Cluster.from_design(design, s, placement="pooled"), "fifo", horizon_h=8760)

    monkeypatch.setattr(aidc.simulate, "run_scenario", simulate)
    sim = simulate(s, d, None)
    base = evaluate(sim, setup(s, d, len(sim.jobs)))
    # an IT budget 10 % under today's peak: the peak and the added servers' idle draw must be paid for
    limit_kw = base.summary["peak_it_kw"] * 0.8
    tight = s.model_copy(update={"power": s.power.model_copy(update={"it_capacity_kw": limit_kw})})
    out = oversubscribe(tight, d, None, base, 0.3, PowerControls())
    steps = out["steps"]
    # jeonbuk-aidc: 157 DGX H100 -> floor(157 x 1.05) = 164, 13 DGX B200 -> floor(13.65) = 13: 7 x 8 = 56 GPUs
    assert steps[0]["gpus_gained"] == (164 - 157) * 8
    assert all(st["fits"] for st in steps[:-1])
    assert not steps[-1]["fits"]  # this budget is reached within +30 %: the search stops there
    assert out["gpus_gained"] == (steps[-2]["gpus_gained"] if len(steps) > 1 else 0)
    assert out["frac"] == (steps[-2]["frac"] if len(steps) > 1 else 0.0)
    wait_s = data.value("power.oversubscribe_wait_added_h") * 3600
    for st in steps:
        assert st["peak_it_kw"] <= limit_kw * 1.01  # within a ramp of the limit
        assert st["fits"] == (st["p95_wait_added_s"] <= wait_s
                              and st["throughput_lost_frac"] <= out["throughput_lost_allowed_frac"]
                              and st["jobs_not_run"] == 0)
    assert any(st["n_jobs_capped"] > 0 for st in steps)  # capping is how it holds the limit
