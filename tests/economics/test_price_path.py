"""The GPU-hour price path and the support included in the purchase price, by hand and as invariants.

Both sides of the plan move with time: server prices fall by ``plan.server_price_decline_frac_per_y``
and GPU-hour list prices change by ``economics.gpu_hour_price_change_frac_per_y``, each from the
construction year. The support rate ``economics.maintenance_it_frac_per_y`` is charged only after
the ``economics.it_support_included_y`` years the purchase price pays for.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import load_scenario
from aidc.economics import costs as c
from aidc.economics import evaluate
from aidc.plan.stage import problem_from_scenario, server_opex_krw_per_y
from aidc.units import H_PER_YEAR


def _scenario(**econ):
    s = load_scenario("jeonbuk-ai")
    base = {"discount_rate_frac": 0.0, "debt_frac": 0.0, "tenant_share_frac": {"enterprise": 1.0},
            "utilization_frac": 0.5, "n_staff": 0, "grid_connection_krw": 0.0, "land_price_krw_per_m2": 0.0,
            "maintenance_facility_frac_per_y": 0.0, "maintenance_it_frac_per_y": 0.0,
            "insurance_frac_per_y": 0.0, "property_tax_frac_per_y": 0.0,
            "gpu_hour_price_change_frac_per_y": 0.0, "it_support_included_y": 0}
    return s.model_copy(update={"economics": s.economics.model_copy(update=base | econ)})


def _plan(n_servers: int = 10, capex_krw: float = 1e9, years: tuple[int, ...] = (2028, 2029, 2030)):
    """``n_servers`` DGX H100 bought in 2027 (the construction year) for 2028 and run to the last year."""
    return SimpleNamespace(
        capacity_by_year=pd.DataFrame({"year": list(years)}),
        fleet_by_year=pd.DataFrame({"dgx_h100": [n_servers] * len(years)},
                                   index=pd.Index(years, name="year")),
        schedule=pd.DataFrame({"year": [years[0]] * 2, "item": ["power block", "dgx_h100"],
                               "kind": ["block", "server"], "n_units": [1, n_servers],
                               "it_capacity_kw": [2000.0, n_servers * 10.2], "capex_krw": [0.0, capex_krw],
                               "retire_year": [years[0] + 30, years[0] + 5]}),
    )


def test_gpu_hour_revenue_follows_the_price_path_by_hand() -> None:
    """-10 %/y from the construction year 2027: 2028 sells at 0.9 and 2029 at 0.81 of the list price."""
    e = evaluate(_scenario(gpu_hour_price_change_frac_per_y=-0.1), plan=_plan())
    fx = load_scenario("jeonbuk-ai").economics.exchange_rate_krw_per_usd
    # 10 DGX H100 x 8 GPUs x 8,760 h x 50 % x USD 2.69 (RunPod H100 list price, data/costs/prices.yaml)
    at_list = 10 * 8 * 8760 * 0.5 * 2.69 * fx
    assert e.cash_flow["revenue_krw"].tolist() == pytest.approx(
        [0.0, at_list * 0.9, at_list * 0.81, at_list * 0.729])
    lines = e.revenue_lines[e.revenue_lines["line"] == "gpu_h:h100_sxm"].set_index("year")
    assert lines.loc[2029, "price_krw"] == pytest.approx(2.69 * fx * 0.81)
    assert e.summary["gpu_hour_price_change_frac_per_y"] == -0.1


def test_cpu_and_storage_prices_do_not_move() -> None:
    flat, falling = (evaluate(_scenario(gpu_hour_price_change_frac_per_y=g), plan=_plan())
                     for g in (0.0, -0.2))
    for line in ("vcpu_h", "server_month", "storage_tb_month"):
        a = flat.revenue_lines[flat.revenue_lines["line"] == line]["revenue_krw"].to_numpy()
        b = falling.revenue_lines[falling.revenue_lines["line"] == line]["revenue_krw"].to_numpy()
        assert b == pytest.approx(a), line


@settings(max_examples=25, deadline=None)
@given(low=st.floats(-0.5, 0.5), step=st.floats(0.001, 0.5), rate=st.floats(0.0, 0.15),
       tax=st.floats(0.0, 0.5), debt=st.floats(0.0, 0.9))
def test_a_lower_price_path_never_raises_npv(low: float, step: float, rate: float, tax: float,
                                             debt: float) -> None:
    """Revenue falls with the path and tax can take at most a share of it, so NPV cannot rise."""
    terms = {"discount_rate_frac": rate, "corporate_tax_frac": tax, "debt_frac": debt,
             "maintenance_it_frac_per_y": 0.2}
    npv = [evaluate(_scenario(gpu_hour_price_change_frac_per_y=g, **terms), plan=_plan()).summary["npv_krw"]
           for g in (low, low + step)]
    assert npv[0] <= npv[1] + 1e-6 * abs(npv[1])


def test_shipped_scenario_npv_falls_with_the_price_path() -> None:
    """The same on a shipped scenario without a plan (its fleet runs the whole horizon)."""
    base = load_scenario("jeonbuk-ai")

    def npv(g: float) -> float:
        s = base.model_copy(update={"economics": base.economics.model_copy(
            update={"gpu_hour_price_change_frac_per_y": g})})
        return float(evaluate(s).summary["npv_krw"])

    assert npv(-0.1) < npv(0.0) < npv(0.05)


def test_support_is_charged_after_the_included_years_by_hand() -> None:
    """1e9 KRW of servers bought in 2027 (5-year life), support 20 %/y: one year included, so 2028
    pays nothing and 2029-2030 pay 0.2 x 1e9 each; with none included 2028 pays too."""
    for included, want in ((1, [0.0, 0.0, 2e8, 2e8]), (0, [0.0, 2e8, 2e8, 2e8])):
        e = evaluate(_scenario(maintenance_it_frac_per_y=0.2, it_support_included_y=included), plan=_plan())
        assert e.opex["maintenance_krw"].tolist() == pytest.approx(want), included


def test_support_included_for_the_whole_life_costs_nothing() -> None:
    e = evaluate(_scenario(maintenance_it_frac_per_y=0.2, it_support_included_y=5), plan=_plan())
    assert e.opex["maintenance_krw"].sum() == 0.0


@settings(max_examples=50, deadline=None)
@given(capex=st.lists(st.floats(0, 1e9), min_size=1, max_size=20), life=st.integers(1, 8),
       included=st.integers(0, 10))
def test_supported_value_lies_between_nothing_and_all_in_service(capex: list[float], life: int,
                                                                 included: int) -> None:
    supported = c.supported_value_krw(capex, life, included)
    in_service = c.in_service_value_krw(capex, life)
    assert np.all(supported >= -1e-6)
    assert np.all(supported <= in_service + 1e-6)
    # summed over a long enough timeline, each purchase pays support for (life - included) years
    padded = capex + [0.0] * (life + 1)
    total = c.supported_value_krw(padded, life, included).sum()
    assert total == pytest.approx(sum(capex) * max(life - included, 0), rel=1e-9, abs=1e-3)


def test_plan_spreads_the_paid_support_over_the_life() -> None:
    """The plan has no age per server: support x (5 - 1) / 5 of the price each year."""
    s = _scenario(maintenance_it_frac_per_y=0.2, it_support_included_y=1, tariff_krw_per_kwh=0.0)
    server = s.servers()["dgx_h100"]
    assert server_opex_krw_per_y(s, server, 1e9, 1.3, lifetime_y=5) == pytest.approx(0.2 * 1e9 * 0.8)
    assert server_opex_krw_per_y(s, server, 1e9, 1.3) == pytest.approx(0.2 * 1e9)


def test_plan_values_unserved_gpu_hours_on_the_same_path() -> None:
    """Plan year t is sold in timeline year t + 1: its lost GPU-hour is worth price x (1 + g)^(t + 1)."""
    s = _scenario(gpu_hour_price_change_frac_per_y=-0.1)
    s = s.model_copy(update={"plan": s.plan.model_copy(update={"allow_shortfall": True})})
    problem = problem_from_scenario(s)
    row = problem.products.index("n_gpus")
    t = np.arange(problem.shortfall_penalty_krw.shape[1])
    want = s.economics.price_krw_per_gpu_h * H_PER_YEAR * 0.9 ** (t + 1)
    assert problem.shortfall_penalty_krw[row] == pytest.approx(want)
