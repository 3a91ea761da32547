"""Invariants of economics across the chain (hypothesis): CAPEX parts add up; GPUs cost money."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import load_scenario
from aidc.economics import Factors, evaluate
from aidc.scenario import Scenario

BASE = load_scenario("jeonbuk-aidc")


def _with_fleet(n_gpu_servers: int, n_cpu_servers: int, it_capacity_kw: float = 8000.0) -> Scenario:
    fleet = BASE.fleet.model_copy(update={"servers": {"dgx_h100": n_gpu_servers, "cpu_cloud": n_cpu_servers},
                                          "mix": None})
    return BASE.model_copy(update={"fleet": fleet, "power": BASE.power.model_copy(
        update={"it_capacity_kw": it_capacity_kw})})


@settings(max_examples=30, deadline=None)
@given(n_gpu=st.integers(0, 800), n_cpu=st.integers(1, 400), capacity=st.floats(2000.0, 40000.0),
       cost=st.floats(0.5, 2.0))
def test_capex_parts_sum_to_the_total(n_gpu: int, n_cpu: int, capacity: float, cost: float) -> None:
    e = evaluate(_with_fleet(n_gpu, n_cpu, capacity), factors=Factors(cost=cost))
    assert e.capex["capex_krw"].sum() == pytest.approx(e.summary["capex_krw"], rel=1e-12)
    by_year = e.capex_by_year.drop(columns="year").to_numpy().sum()
    assert by_year == pytest.approx(e.summary["capex_krw"], rel=1e-12)
    assert e.capex["share_frac"].sum() == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(n_gpu=st.integers(0, 600), more=st.integers(1, 200), n_cpu=st.integers(1, 100))
def test_more_gpus_never_lower_server_capex(n_gpu: int, more: int, n_cpu: int) -> None:
    def server_capex_krw(n: int) -> float:
        parts = evaluate(_with_fleet(n, n_cpu)).capex.set_index("part")["capex_krw"]
        return float(parts["it"] + parts["network"])

    assert server_capex_krw(n_gpu + more) >= server_capex_krw(n_gpu)


@settings(max_examples=20, deadline=None)
@given(n_cpu=st.integers(1, 400))
def test_no_gpus_no_cost_per_gpu_hour(n_cpu: int) -> None:
    """A fleet without GPUs sells no GPU-hours: it has a cost per vCPU-hour and none per GPU-hour."""
    s = evaluate(_with_fleet(0, n_cpu)).summary
    assert s["cost_krw_per_gpu_h"] != s["cost_krw_per_gpu_h"]  # NaN: no such figure
    assert s["cost_krw_per_vcpu_h"] > 0


@settings(max_examples=6, deadline=None)
@given(n_gpu=st.integers(1, 300), n_cpu=st.integers(1, 100))
def test_the_plan_prices_its_build_as_economics_costs_it(n_gpu: int, n_cpu: int) -> None:
    """Whatever the designed fleet, the plan's capex of its build is economics' CAPEX less land and grid."""
    from aidc import design, plan

    s = _with_fleet(n_gpu, n_cpu)
    d = design.size(s)
    p = plan.optimize(s, d)
    e = evaluate(s, d, plan=p)
    land_and_grid_krw = (s.site.site_area_m2 * s.economics.land_price_krw_per_m2
                         + s.economics.grid_connection_krw)
    plan_krw = p.schedule["capex_krw"].sum()
    assert e.summary["capex_krw"] - land_and_grid_krw == pytest.approx(plan_krw, rel=1e-9)
