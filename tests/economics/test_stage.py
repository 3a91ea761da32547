"""economics.evaluate: what it passes along from each stage, and hand-worked micro cases."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from aidc import load_scenario
from aidc.economics import Factors, evaluate, monte_carlo
from aidc.units import PYEONG_M2


def _scenario(**econ):
    s = load_scenario("jeonbuk-ai")
    base = {"discount_rate_frac": 0.0, "debt_frac": 0.0, "tenant_share_frac": {"enterprise": 1.0},
            "utilization_frac": 0.5, "n_staff": 0, "grid_connection_krw": 0.0, "land_price_krw_per_m2": 0.0,
            "maintenance_facility_frac_per_y": 0.0, "maintenance_it_frac_per_y": 0.0,
            "insurance_frac_per_y": 0.0, "property_tax_frac_per_y": 0.0,
            "gpu_hour_price_change_frac_per_y": 0.0}
    return s.model_copy(update={"economics": s.economics.model_copy(update=base | econ)})


def _plan(n_servers: int = 10, capex_krw: float = 1e9):
    """A two-year plan: one 2-MW block and ``n_servers`` DGX H100 bought for 2028."""
    years = [2028, 2029]
    return SimpleNamespace(
        capacity_by_year=pd.DataFrame({"year": years}),
        fleet_by_year=pd.DataFrame({"dgx_h100": [n_servers, n_servers]}, index=pd.Index(years, name="year")),
        schedule=pd.DataFrame({"year": [2028, 2028], "item": ["power block", "dgx_h100"],
                               "kind": ["block", "server"], "n_units": [1, n_servers],
                               "it_capacity_kw": [2000.0, n_servers * 10.2], "capex_krw": [0.0, capex_krw],
                               "retire_year": [2058, 2033]}),
    )


def test_revenue_and_energy_by_hand() -> None:
    e = evaluate(_scenario(), plan=_plan())
    # 10 DGX H100 x 8 GPUs x 8,760 h x 50 % utilisation x USD 2.69 (RunPod H100 list price,
    # data/costs/prices.yaml) x the exchange rate; enterprise pays list price
    fx = load_scenario("jeonbuk-ai").economics.exchange_rate_krw_per_usd
    expected_revenue = 10 * 8 * 8760 * 0.5 * 2.69 * fx
    assert e.cash_flow["revenue_krw"].tolist() == pytest.approx([0.0, expected_revenue, expected_revenue])
    # 10 x 10.2 kW x (0.2 + (0.76 - 0.2) x 0.5) x PUE 1.3 (no design) x 8,760 h x 181.9 KRW/kWh
    expected_energy = 10 * 10.2 * (0.2 + 0.56 * 0.5) * 1.3 * 8760 * 181.9
    assert e.opex["energy_krw"].tolist() == pytest.approx([0.0, expected_energy, expected_energy])


def test_capex_parts_by_hand() -> None:
    e = evaluate(_scenario(land_price_krw_per_m2=300_000.0, grid_connection_krw=4.5e9), plan=_plan())
    parts = e.capex.set_index("part")["capex_krw"]
    block = 2000 * 1000 * 9.23 * 1422  # C&W Korea 9.23 USD/W at 1,422 KRW/USD (BoK 2025 mean)
    assert parts["land"] == pytest.approx(2500 * PYEONG_M2 * 300_000)
    assert parts["building"] == pytest.approx(block * 0.47)
    assert parts["electrical"] == pytest.approx(block * 0.53 * 0.6 + 4.5e9)
    assert parts["mechanical"] == pytest.approx(block * 0.53 * 0.4)
    assert parts["it"] + parts["network"] == pytest.approx(1e9)
    assert parts["network"] == pytest.approx(1e9 - 1e9 / 1.1)
    assert e.capex["share_frac"].sum() == pytest.approx(1.0)


def test_support_programme_discount() -> None:
    e = evaluate(_scenario(tenant_share_frac={"university": 0.5, "enterprise": 0.5}), plan=_plan())
    year = e.revenue[e.revenue["year"] == 2028].set_index("tenant_class")
    assert year.loc["university", "discount_frac"] == 0.5
    assert year.loc["university", "revenue_krw"] == pytest.approx(year.loc["enterprise", "revenue_krw"] * 0.5)


def test_passes_simulation_utilisation_and_energy_price_along() -> None:
    sim = SimpleNamespace(summary={"utilization_frac": 0.25})
    energy = SimpleNamespace(annual={"pue": 1.2, "price_krw_per_kwh": 150.0})
    e = evaluate(_scenario(), plan=_plan(), simulation=sim, energy=energy)
    fx = load_scenario("jeonbuk-ai").economics.exchange_rate_krw_per_usd
    assert e.cash_flow["revenue_krw"].iloc[1] == pytest.approx(10 * 8 * 8760 * 0.25 * 2.69 * fx)
    assert e.opex["energy_krw"].iloc[1] == pytest.approx(10 * 10.2 * (0.2 + 0.56 * 0.25) * 1.2 * 8760 * 150)
    assert e.fallbacks == (
        "no demand result: sellable hours shared by economics.tenant_share_frac",
        "no energy bill by plan year: bill = mean IT power x annual PUE x all-in price")


def test_factors_scale_prices_costs_and_tariff() -> None:
    base = evaluate(_scenario(), plan=_plan())
    moved = evaluate(_scenario(), plan=_plan(), factors=Factors(cost=2.0, price=3.0, tariff=0.5))
    assert moved.cash_flow["revenue_krw"].sum() == pytest.approx(3 * base.cash_flow["revenue_krw"].sum())
    assert moved.cash_flow["capex_krw"].sum() == pytest.approx(2 * base.cash_flow["capex_krw"].sum())
    assert moved.opex["energy_krw"].sum() == pytest.approx(0.5 * base.opex["energy_krw"].sum())


def test_debt_service_and_dscr() -> None:
    e = evaluate(_scenario(debt_frac=0.5, interest_rate_frac=0.1, debt_tenor_y=2), plan=_plan())
    cf = e.cash_flow
    debt = 0.5 * cf["capex_krw"].iloc[0]
    payment = debt * 0.1 / (1 - 1.1**-2)
    assert cf["debt_draw_krw"].iloc[0] == pytest.approx(debt)
    assert cf["debt_service_krw"].iloc[1:].tolist() == pytest.approx([payment, payment])
    assert cf["dscr"].iloc[1:].tolist() == pytest.approx((cf["cfads_krw"].iloc[1:] / payment).tolist())
    assert cf["principal_krw"].sum() == pytest.approx(debt)


def test_project_npv_at_zero_rate_is_sum_of_flows() -> None:
    e = evaluate(_scenario(), plan=_plan())
    assert e.summary["npv_krw"] == pytest.approx(e.cash_flow["project_cash_flow_krw"].sum())


def test_alone_uses_fallbacks_and_names_them() -> None:
    e = evaluate(load_scenario("jeonbuk-phase1"))
    assert len(e.fallbacks) == 4
    # 10,000 reference servers at 8,000 USD x 1.1 (network) bought in 2027, 2032 and 2037 (5-year life)
    assert e.capex.set_index("part").loc[["it", "network"], "capex_krw"].sum() == pytest.approx(
        3 * 10_000 * 8000 * 1422 * 1.1)
    assert np.isnan(e.summary["lcoe_krw_per_gpu_h"])  # the article's servers have no GPUs


def test_demand_classes_and_shortage_scaling() -> None:
    by_year = pd.DataFrame({"year": [2028, 2028], "tenant_class": ["university", "enterprise"],
                            "gpu_model": ["h100_sxm", "h100_sxm"], "gpu_hours": [1e6, 3e6],
                            "peak_gpus": [100, 300], "cpu_vcpus": [0.0, 0.0]})
    e = evaluate(_scenario(), plan=_plan(), demand=SimpleNamespace(by_year=by_year))
    sold = e.revenue[e.revenue["year"] == 2028].set_index("tenant_class")["gpu_h"]
    sellable = 10 * 8 * 8760 * 0.5  # less than the 4 M GPU-hours asked: both scaled alike
    assert sold.sum() == pytest.approx(sellable)
    assert sold["enterprise"] == pytest.approx(3 * sold["university"])


def test_monte_carlo_is_seeded_and_phase2_probability_grows() -> None:
    s = load_scenario("jeonbuk-phase1")
    one = monte_carlo(s, n_samples=3, rng=np.random.default_rng(7))
    two = monte_carlo(s, n_samples=3, rng=np.random.default_rng(7))
    pd.testing.assert_frame_equal(one.samples, two.samples)
    prob = one.phase2_by_year["phase2_prob_frac"].to_numpy()
    assert np.all(np.diff(prob) >= 0)
    assert np.all((prob >= 0) & (prob <= 1))
    assert one.summary["npv_p05_krw"] <= one.summary["npv_p50_krw"] <= one.summary["npv_p95_krw"]


def test_monte_carlo_needs_a_sample() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        monte_carlo(load_scenario(), n_samples=0)


def test_demand_sets_hours_sold_and_power_drawn() -> None:
    """With a demand result the simulation's utilisation is not used; servers draw power at
    the utilisation actually sold (here 100,000 of 10 x 8 x 8,760 GPU-hours)."""
    by_year = pd.DataFrame({"year": [2028, 2029], "tenant_class": ["research", "research"],
                            "gpu_model": ["h100_sxm"] * 2, "gpu_hours": [1e5, 1e5], "peak_gpus": [20, 20],
                            "cpu_vcpus": [0.0, 0.0]})
    sim = SimpleNamespace(summary={"utilization_frac": 0.9})
    e = evaluate(_scenario(), plan=_plan(), simulation=sim, demand=SimpleNamespace(by_year=by_year))
    assert e.revenue.groupby("year")["gpu_h"].sum().tolist() == pytest.approx([1e5, 1e5])
    util = 1e5 / (10 * 8 * 8760)
    assert e.opex["energy_krw"].iloc[1] == pytest.approx(10 * 10.2 * (0.2 + 0.56 * util) * 1.3 * 8760 * 181.9)
    assert any(note.startswith("simulation utilisation 90% not used") for note in e.fallbacks)


def test_vanishing_debt_gives_an_infinite_cover_ratio_not_an_error() -> None:
    """A debt share of 1e-300 makes the debt service ~0: DSCR is +inf there (found by hypothesis in CI)."""
    import math

    from aidc.economics import evaluate
    from aidc.scenario import load_scenario

    base = load_scenario("jeonbuk-ai")
    s = base.model_copy(update={"economics": base.economics.model_copy(update={"debt_frac": 1e-300})})
    summary = evaluate(s).summary
    assert summary["min_dscr"] > 1e100 or math.isinf(summary["min_dscr"])
