"""One model chain: every headline figure is the same wherever it is computed, and checked.

The same scenario through ``aidc run``, the single-stage commands (``aidc design``, ``aidc plan``,
``aidc economics``), the web runner and a one-variant sweep must give identical figures: they
all select from the pipeline's one stage table and show the run's one Summary.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from typer.testing import CliRunner

import aidc
from aidc.cli import app
from aidc.report.content import HEADLINES
from aidc.summary import Summary

runner = CliRunner()
SCENARIOS = ("jeonbuk-phase1", "jeonbuk-ai", "jeonbuk-aidc")


@pytest.fixture(scope="module", params=SCENARIOS)
def reference(request: pytest.FixtureRequest) -> tuple[str, aidc.Result]:
    name = request.param
    return name, aidc.run(aidc.load_scenario(name))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _summary(r: aidc.Result) -> Summary:
    assert r.summary is not None
    return r.summary


def test_the_run_agrees_with_itself(reference: tuple[str, aidc.Result]) -> None:
    """Consistency checks of every shipped scenario pass: no warning in any output."""
    name, r = reference
    s = _summary(r)
    assert s.consistency, name  # the checks ran
    assert s.warnings == (), [c for c in s.consistency if not c.ok]
    by_name = {c.name for c in s.consistency}
    checks = {"electricity_bill", "capex_parts", "plan_within_scenario", "revenue_lines", "npv_lines"}
    assert checks <= by_name


def test_aidc_run_writes_the_summary(reference: tuple[str, aidc.Result], tmp_path: Any) -> None:
    name, r = reference
    res = runner.invoke(app, ["run", name, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    headline = json.loads((tmp_path / "data" / "run.json").read_text(encoding="utf-8"))["headline"]
    s = _summary(r)
    field = {key: name for key, _, name, _ in HEADLINES}
    assert headline  # figures were written
    for key, figure in headline.items():
        value = getattr(s, field[key])
        value = ", ".join(str(v) for v in value) if isinstance(value, tuple) else value
        assert _same(figure["value"], value), key
    # figures resting on catalog estimates are marked, and the estimates named below the table
    assert s.estimates_by_figure
    assert "npv_krw" in s.estimates_by_figure
    npv_row = next(line for line in res.stdout.splitlines() if "Net present value" in line)
    assert "*" in npv_row
    site_row = next(line for line in res.stdout.splitlines() if "Site area" in line)
    assert "*" not in site_row  # the scenario's own figure
    note = " ".join(res.stdout.split())
    assert f"rests on catalog figures that are estimates ({len(s.estimates_used)})" in note


def test_single_stage_commands_give_the_runs_figures(reference: tuple[str, aidc.Result]) -> None:
    name, r = reference
    s = _summary(r)
    res = runner.invoke(app, ["economics", name, "--json"])
    assert res.exit_code == 0, res.output
    econ = json.loads(res.stdout[res.stdout.index("{"):])["summary"]
    for key in ("npv_krw", "irr_frac", "capex_krw", "phase1_capex_krw", "cost_krw_per_gpu_h",
                "cost_krw_per_vcpu_h", "gpu_utilization_sold_frac", "vcpu_utilization_sold_frac", "min_dscr"):
        assert econ[key] == getattr(s, key), key  # JSON null is the Summary's None
    res = runner.invoke(app, ["design", name, "--json"])
    assert res.exit_code == 0, res.output
    design = json.loads(res.stdout[res.stdout.index("{"):])
    assert design["fleet"]["n_gpus"] == s.n_gpus
    assert design["fleet"]["servers"] == s.n_servers_by_type
    assert len(design["checks"]) == s.n_checks  # the same demand check as in the run


def test_plan_command_gives_the_runs_phase2(reference: tuple[str, aidc.Result], tmp_path: Any) -> None:
    name, r = reference
    res = runner.invoke(app, ["plan", name, "--json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout[res.stdout.index("{"):])
    assert plan["phase2_year"] == _summary(r).phase2_year
    assert plan["binding_limit"] == _summary(r).plan_binding_limit


def test_web_runner_shows_the_runs_summary(reference: tuple[str, aidc.Result]) -> None:
    from aidc.web.runner import library_run, summarize

    name, r = reference
    shown = summarize(library_run(aidc.load_scenario(name), lambda stage, event: None))["summary"]["run"]
    for key, value in _summary(r).scalars().items():
        json_value = None if isinstance(value, float) and not math.isfinite(value) else value
        assert _same(shown[key], json_value), key


def test_a_sweep_of_the_unchanged_scenario_reproduces_the_run(reference: tuple[str, aidc.Result]) -> None:
    """One variant whose axis holds the base value, with the sweep's default stages."""
    from aidc.cli.sweep import DEFAULT_STAGES
    from aidc.sweep import sweep

    name, r = reference
    base = aidc.load_scenario(name)
    one = base.model_copy(update={"sweep": {"power.it_capacity_kw": [base.power.it_capacity_kw]}})
    row = sweep(one, list(DEFAULT_STAGES), scheduler="synchronous").table.iloc[0]
    assert row["status"] == "ok", row.get("error")
    for key, value in _summary(r).scalars().items():
        if key in ("scenario_hash",):  # the variant carries its sweep section: another hash
            continue
        assert _same(row[key], value), key


def test_the_plan_prices_what_economics_costs(reference: tuple[str, aidc.Result]) -> None:
    """The plan's capex of the build it chose is economics' CAPEX of that build, year by year.

    Economics adds only what the plan does not choose: the site's land and the grid connection,
    both paid in the construction year (index 0 of its timeline, the plan's first year of buying).
    """
    name, r = reference
    assert r.plan is not None
    assert r.economics is not None
    s = r.scenario
    plan_krw = r.plan.capacity_by_year["capex_krw"].to_numpy(float)
    econ_krw = r.economics.capex_by_year.drop(columns="year").sum(axis=1).to_numpy(float)
    land_and_grid_krw = (s.site.site_area_m2 * s.economics.land_price_krw_per_m2
                         + s.economics.grid_connection_krw)
    assert econ_krw[0] - land_and_grid_krw == pytest.approx(plan_krw[0], rel=1e-9)
    assert econ_krw[1:len(plan_krw)] == pytest.approx(plan_krw[1:], rel=1e-9, abs=1.0)
    assert r.plan.schedule["capex_krw"].sum() == pytest.approx(plan_krw.sum(), rel=1e-12)


def test_demand_against_supply_states_the_gap_in_gpus_and_years(reference: tuple[str, aidc.Result]) -> None:
    """Phase 1's GPUs against the coincident need of each year: until when it is met, then the shortfall."""
    name, r = reference
    s = _summary(r)
    need = s.gpu_need_by_year
    assert need, name
    assert s.gpu_demand_peak_n == max(need.values())
    assert s.gpu_need_sum_of_peaks_n is not None
    assert s.gpu_demand_peak_n < s.gpu_need_sum_of_peaks_n  # classes do not all peak in the same hour
    assert s.n_gpus is not None
    if s.gpu_first_short_year is None:
        assert all(s.n_gpus >= math.ceil(v - 1e-9) for v in need.values())
    else:
        year = s.gpu_first_short_year
        assert s.gpu_first_short_n == math.ceil(need[year] - 1e-9) - s.n_gpus > 0
        assert all(s.n_gpus >= math.ceil(v - 1e-9) for y, v in need.items() if y < year)
        assert s.phase1_meets_until_year == (year - 1 if year > min(need) else None)


def test_the_tightest_check_names_the_failing_demand_check() -> None:
    """The article's 10,000 servers of 800 W have no GPUs: the demand check fails and is the tile."""
    r = aidc.run(aidc.load_scenario("jeonbuk-phase1"), stages=["design"])
    s = _summary(r)
    assert r.design is not None
    failing = [c.name for c in r.design.failing]
    assert failing == ["demand_gpus"]
    assert (s.tightest_check, s.tightest_check_ok) == ("demand_gpus", False)
    assert s.tightest_check_margin_frac == -1.0  # no GPU of the need: short by all of it
    assert s.phase1_meets_until_year is None
    assert s.gpu_first_short_year == min(s.gpu_need_by_year or {})


def test_the_design_doc_diagram_is_the_stage_table() -> None:
    """docs/design.md draws the chain; its edges are exactly the table's needs (-->) and uses (-.->)."""
    import re
    from pathlib import Path

    from aidc.pipeline import STAGES

    doc = (Path(__file__).parents[1] / "docs" / "design.md").read_text(encoding="utf-8")
    block = doc[doc.index("```mermaid"):]
    block = block[:block.index("```", 3)]
    edges = set(re.findall(r"^\s*(\w+) (-->|-\.->) (\w+)\s*$", block, flags=re.MULTILINE))
    table = {(src, "-->", s.name) for s in STAGES for src in s.needs}
    table |= {(src, "-.->", s.name) for s in STAGES for src in s.uses}
    assert edges == table
