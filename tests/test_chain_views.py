"""One figure, one object: each view of the default scenario shows the run's figures, not its own.

``aidc energy`` prints the year the run's energy stage computed (the simulated busy GPUs, the
plan's fleet); a cooling or tariff of the reader's choice changes that year's inputs through the
same stage table, never the load behind it.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from typer.testing import CliRunner

import aidc
from aidc.cli import app

runner = CliRunner()
NAME = "jeonbuk-aidc"  # the default scenario: GPUs simulated, so the energy year rests on the simulation


@pytest.fixture(scope="module")
def reference() -> aidc.Result:
    return aidc.run(aidc.load_scenario(NAME))


def _options(*args: str) -> dict[str, dict[str, Any]]:
    res = runner.invoke(app, ["energy", NAME, "--json", *args])
    assert res.exit_code == 0, res.output
    return {o["option"]: o["annual"] for o in json.loads(res.stdout)["options"]}


def test_energy_command_prints_the_runs_year(reference: aidc.Result) -> None:
    """Before: the command ran only the design and billed a utilisation of its own (12,473 MWh
    against the run's 8,321 MWh for the default scenario)."""
    (annual,) = _options().values()
    assert reference.energy is not None
    assert annual == json.loads(json.dumps(reference.energy.annual))
    s = reference.summary
    assert s is not None
    assert (annual["facility_energy_mwh"], annual["pue"], annual["carbon_t"]) == (
        s.facility_energy_mwh, s.annual_pue, s.carbon_t)
    assert annual["bill_krw"] == s.electricity_cost_first_year_krw  # the run's headline bill


def test_another_tariff_bills_the_same_load(reference: aidc.Result) -> None:
    """A tariff changes the bill, never the energy: the load stays the run's simulated one."""
    assert reference.energy is not None
    own = reference.energy.annual["tariff"]
    other = next(k for k in ("kepco_general_b_high_a_III", "kepco_industrial_b_high_a_II") if k != own)
    options = _options("--tariff", own, "--tariff", other)
    assert options[own] == json.loads(json.dumps(reference.energy.annual))
    for key in ("it_energy_mwh", "facility_energy_mwh", "pue", "peak_facility_kw", "carbon_t"):
        assert options[other][key] == reference.energy.annual[key], key
    assert options[other]["bill_krw"] != reference.energy.annual["bill_krw"]


def test_demand_command_states_the_runs_coincident_need(reference: aidc.Result) -> None:
    """``aidc demand`` shows the coincident need of the run's headline beside the classes' sum of peaks.

    Before, its peak table's only total was the sum of each class's peak (12,913 GPUs in 2042 for
    the default scenario) while the run's headline states the coincident demand (6,748).
    """
    s = reference.summary
    assert s is not None
    assert s.gpu_need_by_year
    res = runner.invoke(app, ["demand", "--scenario", NAME, "--no-write", "--json"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert {int(y): v for y, v in body["gpu_need_by_year"].items()} == s.gpu_need_by_year
    assert body["gpu_demand_peak_n"] == s.gpu_demand_peak_n
    table = runner.invoke(app, ["--lang", "en", "demand", "--scenario", NAME, "--no-write"],
                          env={"COLUMNS": "220"})
    last = max(s.gpu_need_by_year)
    row = next(line for line in table.stdout.splitlines() if line.startswith(f"│ {last}") and "," in line
               and f"{s.gpu_need_sum_of_peaks_n:,.0f}" in line)
    assert f"{math.ceil(s.gpu_need_by_year[last] - 1e-9):,}" in row.split("│")[-2]


def test_the_briefing_chart_names_the_plans_unit(reference: aidc.Result) -> None:
    """The chart draws the plan's H100-equivalent GPUs; the key figures beside it count GPUs one by one.

    Before, both were labelled plain "GPUs": 1,360 GPUs in the key figures, 1,493 in the chart's
    first bar (104 B200s counted for their speed) for the default scenario.
    """
    from aidc.report import briefing
    from aidc.report.i18n import text

    assert reference.plan is not None
    cap = reference.plan.capacity_by_year
    for lang, word in (("en", "H100-equivalent"), ("ko", "H100 환산")):
        t = text(lang)
        b = briefing.build(reference, t)
        assert word in b.chart_title
        assert word in b.chart_svg  # the axis
        top = max(cap["n_gpus_installed"].max(), cap["n_gpus_needed"].max())
        assert f">{t.num(top, 0)}</text>" in b.chart_svg  # the axis' top tick: the plan's own series


def test_simulate_command_gives_the_runs_year(reference: aidc.Result) -> None:
    """``aidc simulate`` (no trace) simulates the run's year: the same jobs on the same GPUs."""
    assert reference.simulation is not None
    res = runner.invoke(app, ["simulate", NAME, "--json"])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.stdout[res.stdout.index("{"):])
    run = reference.simulation.summary
    keys = [k for k, v in shown.items() if k in run and not isinstance(v, dict | list)]
    assert {"utilization_frac", "mean_wait_s", "p95_wait_s", "n_gpus", "gpu_hours"} <= set(keys)
    for key in keys:
        assert shown[key] == run[key], key
    s = reference.summary
    assert s is not None
    assert (shown["utilization_frac"], shown["mean_wait_s"], shown["p95_wait_s"]) == (
        s.sim_utilization_frac, s.mean_wait_s, s.p95_wait_s)


@pytest.mark.parametrize("name", ["jeonbuk-aidc", "jeonbuk-ai"])
def test_the_need_is_the_designs_figure(name: str) -> None:
    """The GPUs needed by year: the design's JSON, its demand check and the run's Summary agree.

    The Summary draws on the same job streams but scales each class by the demand's GPU-hours
    (a forecast rescales them), so it agrees with the design's figure to round-off, and the
    whole GPUs both count (rounded up) are the same.
    """
    r = aidc.run(aidc.load_scenario(name), stages=["design"])
    s = r.summary
    assert s is not None
    assert r.design is not None
    assert s.gpu_need_by_year is not None
    res = runner.invoke(app, ["design", name, "--json"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout[res.stdout.index("{"):])
    shown = {int(y): v for y, v in body["gpu_need_by_year"].items()}
    assert shown == r.design.gpu_need_by_year
    assert shown == pytest.approx(s.gpu_need_by_year, rel=1e-9)
    whole = {y: math.ceil(v - 1e-9) for y, v in s.gpu_need_by_year.items()}
    assert whole == {y: math.ceil(v - 1e-9) for y, v in shown.items()}
    check = next(c for c in r.design.checks if c.name == "demand_gpus")
    assert check.limit == whole[min(whole)]


@pytest.mark.parametrize("name", ["jeonbuk-aidc", "jeonbuk-phase1"])
def test_a_whole_run_uses_no_stage_fallback(name: str) -> None:
    """Each stage of a whole run consumes the earlier stages' results, never its documented fallback.

    ``plan.fallback_pue`` and the plan's demand growth, the energy stage's fleet from the scenario,
    the economics' bill from a PUE and tariff or its fleet without a plan are for a stage run
    alone (``--alone``); the one note a run may carry is that the simulated utilisation is not
    what is sold (hours sold follow the demand).
    """
    from aidc.plan.stage import fallbacks

    r = aidc.run(aidc.load_scenario(name))
    assert r.design is not None
    assert r.plan is not None
    assert r.energy is not None
    assert r.economics is not None
    assert fallbacks(r.scenario, r.design, r.demand) == []
    assert not [n for n in r.energy.notes if getattr(n, "msgid", "").startswith("no design given")]
    used = [n.msgid for n in r.economics.fallbacks]
    assert all(m.startswith("simulation utilisation {sim} not used") for m in used), used
