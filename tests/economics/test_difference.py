"""The difference of two runs as lines that add up (hypothesis), and ``aidc economics A --compare B``."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aidc import load_scenario
from aidc.cli import app
from aidc.economics import Factors, evaluate
from aidc.pipeline import Result
from aidc.summary import Summary, difference, summarize

BASE = load_scenario("jeonbuk-aidc")


def _summary(n_gpu: int, n_cpu: int, cost: float, price: float) -> Summary:
    fleet = BASE.fleet.model_copy(update={"servers": {"dgx_h100": n_gpu, "cpu_cloud": n_cpu,
                                                      "storage_node": 4}, "mix": None})
    s = BASE.model_copy(update={"fleet": fleet})
    e = evaluate(s, factors=Factors(cost=cost, price=price))
    return summarize(Result(scenario=s, scenario_hash="", aidc_version="", seed=0, economics=e))


def _close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale)


fleets = st.tuples(st.integers(0, 400), st.integers(1, 300), st.floats(0.5, 2.0), st.floats(0.5, 2.0))


@settings(max_examples=25, deadline=None)
@given(a=fleets, b=fleets)
def test_lines_add_up_to_the_total_delta(a: tuple[int, int, float, float], b: tuple[int, int, float, float]
                                         ) -> None:
    sa, sb = _summary(*a), _summary(*b)
    assert not sa.warnings  # each run's NPV lines add up to its NPV
    assert not sb.warnings
    d = difference(sa, sb)
    scale = abs(sa.capex_krw or 0.0) + abs(sb.capex_krw or 0.0) + abs(sa.revenue_krw or 0.0)
    assert _close(sum(d.npv_lines_krw.values()), d.npv_krw, scale)
    assert _close(d.npv_krw, (sb.npv_krw or 0.0) - (sa.npv_krw or 0.0), scale)
    assert _close(sum(d.capex_by_part_krw.values()), d.capex_krw, scale)
    assert _close(sum(d.revenue_by_line_krw.values()), d.revenue_krw, scale)
    assert set(d.npv_lines_krw) >= {"revenue", "opex", "tax", "residual_value", "capex:it"}


def test_a_run_against_itself_changes_nothing() -> None:
    s = _summary(100, 50, 1.0, 1.0)
    d = difference(s, s)
    assert d.npv_krw == 0.0
    assert set(d.npv_lines_krw.values()) == {0.0}


def test_no_economics_no_difference() -> None:
    bare = summarize(Result(scenario=BASE, scenario_hash="", aidc_version="", seed=0))
    with pytest.raises(ValueError, match="no economics result to compare"):
        difference(bare, bare)


def test_compare_on_the_command_line() -> None:
    """The 800 W plan and the AI plan: CAPEX, OPEX, revenue and NPV all differ, and the lines add up."""
    res = CliRunner().invoke(app, ["economics", "jeonbuk-phase1", "--compare", "jeonbuk-ai", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert (d["scenario_a"], d["scenario_b"]) == ("jeonbuk-phase1", "jeonbuk-ai")
    for total, lines in (("npv_krw", "npv_lines_krw"), ("capex_krw", "capex_by_part_krw"),
                         ("revenue_krw", "revenue_by_line_krw")):
        assert d[total] != 0.0
        assert sum(d[lines].values()) == pytest.approx(d[total], rel=1e-9)
    assert d["opex_krw"] != 0.0
