"""economics.evaluate's array path against a straightforward pandas computation, and its lazy tables.

``_reference`` is the stage as it was written before the arithmetic moved to numpy arrays
(one DataFrame per step, ``groupby`` and ``merge`` for the tenant classes): every table and
every summary figure of :func:`evaluate` must equal it, for both shipped scenarios, with and
without a plan, a demand, an energy and a simulation result, and under Monte Carlo factors.
"""

from __future__ import annotations

import dataclasses
import pickle
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import load_scenario
from aidc.economics import Economics, Factors, evaluate, stage
from aidc.economics import costs as c
from aidc.economics import finance as f
from aidc.economics import prices as pr
from aidc.plan.stage import server_costs
from aidc.units import H_PER_YEAR, W_PER_KW

TABLES = ("capex", "capex_by_year", "opex", "revenue", "cash_flow")


# --- the straightforward computation ------------------------------------------------------

def _reference(scenario: Any, design: Any = None, plan: Any = None, energy: Any = None,
               simulation: Any = None, demand: Any = None, factors: Factors | None = None) -> dict[str, Any]:
    factors = factors or Factors()
    catalog, prices = scenario.servers(), server_costs(scenario)
    build = (_plan_build(plan, catalog) if plan is not None
             else stage._without_plan(scenario, design, catalog, prices))
    years = build.years
    fleet = pd.DataFrame(build.fleet, index=pd.Index(years, name="year"), columns=list(build.keys))
    servers = pd.DataFrame.from_dict(
        {k: {"nameplate_kw": catalog[k].power_max_w / W_PER_KW, "idle_frac": catalog[k].power_idle_frac,
             "typical_frac": catalog[k].power_typical_frac,
             "gpus_h100_eq": catalog[k].n_gpus * prices.get(k, {}).get("h100_eq_per_gpu", 0.0),
             "n_vcpus": catalog[k].n_vcpus, "lifetime_y": prices.get(k, {}).get("lifetime_y", 5.0)}
         for k in build.keys}, orient="index")
    econ = scenario.economics
    utilization, _ = stage._utilization(scenario, simulation, demand)
    pue, price_kwh, _ = stage._energy_inputs(scenario, design, energy)
    n_fleet = fleet.to_numpy(float)

    # revenue by year and tenant class
    sell_gpu_h = n_fleet @ servers["gpus_h100_eq"].to_numpy(float) * H_PER_YEAR * utilization
    is_gpu = servers["gpus_h100_eq"].to_numpy(float) > 0
    cpu_vcpus = servers["n_vcpus"].to_numpy(float) * ~is_gpu  # GPU servers' host CPUs are not sold
    sell_vcpu_h = n_fleet @ cpu_vcpus * H_PER_YEAR * utilization
    wanted = stage._demand_by_class(scenario, demand, catalog, prices)
    if wanted is None:
        shares = pd.Series(econ.tenant_share_frac, dtype=float)
        shares = shares / shares.sum()
        sold_by_year = zip(years, sell_gpu_h, sell_vcpu_h, strict=True)
        rows = pd.DataFrame([(y, k, g * s, v * s) for y, g, v in sold_by_year
                             for k, s in shares.items()], columns=["year", "tenant_class", "gpu_h", "vcpu_h"])
    else:
        wanted = wanted.assign(vcpu_h=wanted["vcpus"] * H_PER_YEAR * utilization)
        sell = pd.DataFrame({"year": years, "sell_gpu_h": sell_gpu_h, "sell_vcpu_h": sell_vcpu_h})
        rows = wanted.merge(sell, on="year", how="inner")
        totals = rows.groupby("year")[["gpu_h", "vcpu_h"]].transform("sum")
        rows = rows.assign(gpu_h=rows["gpu_h"] * np.minimum(1.0, rows["sell_gpu_h"] / totals["gpu_h"]),
                           vcpu_h=rows["vcpu_h"] * np.minimum(1.0, (rows["sell_vcpu_h"] / totals["vcpu_h"])
                                                             .fillna(1.0)))
        rows = rows[["year", "tenant_class", "gpu_h", "vcpu_h"]]
    discount = rows["tenant_class"].map(econ.discount_by_class_frac).fillna(0.0).to_numpy(float)
    # list prices by year (data/costs/prices.yaml, checked by hand in test_revenue_lines.py)
    unit = stage.unit_prices_krw(scenario, build, stage._server_table(build.keys, catalog, prices))
    at = rows["year"].to_numpy(int) - years[0]
    list_krw = rows["gpu_h"] * unit["gpu_eq_h"][at] + rows["vcpu_h"] * unit["vcpu_h"][at]
    revenue = rows.assign(discount_frac=discount, revenue_krw=list_krw * factors.price * (1.0 - discount))
    revenue = revenue.reset_index(drop=True)
    sold = revenue.groupby("year")[["gpu_h", "vcpu_h", "revenue_krw"]].sum().reindex(years, fill_value=0.0)
    storage_tb = np.array([catalog[k].storage_tb for k in build.keys], dtype=float)
    storage_krw = (n_fleet @ storage_tb * 12 * utilization * pr.price_list()["storage_tb_month"]["value"]
                   * econ.exchange_rate_krw_per_usd * factors.price)

    # energy at the utilisation sold
    util = np.full(n_fleet.shape, utilization)
    for column, sold_h in (("n_vcpus", sold["vcpu_h"]), ("gpus_h100_eq", sold["gpu_h"])):
        per_server = servers[column].to_numpy(float)
        capacity_h = n_fleet @ per_server * H_PER_YEAR
        frac = np.divide(sold_h.to_numpy(), capacity_h, out=np.zeros_like(capacity_h), where=capacity_h > 0)
        util[:, per_server > 0] = frac[:, None]
    load = c.server_load_frac(servers["idle_frac"].to_numpy(float), servers["typical_frac"].to_numpy(float),
                              util)
    energy_krw = c.energy_cost_krw_per_y((n_fleet * load) @ servers["nameplate_kw"].to_numpy(float), pue,
                                         price_kwh * factors.tariff)

    # capex by part and year
    facility = np.asarray(c.construction_cost_krw(build.block_kw, econ.construction_cost_usd_per_w,
                                                  econ.exchange_rate_krw_per_usd)) * factors.cost
    split = c.split_construction_cost(facility, econ.mep_share_frac, econ.electrical_share_of_mep_frac)
    land = np.zeros(years.size)
    land[0] = scenario.site.site_area_m2 * econ.land_price_krw_per_m2
    electrical = np.array(split["electrical"], dtype=float)
    electrical[0] += econ.grid_connection_krw * factors.cost
    bought = build.server_capex_krw * factors.cost
    it = bought / (1.0 + econ.network_cost_frac_of_it)
    capex = pd.DataFrame({"year": years, "land_krw": land, "building_krw": split["building"],
                          "electrical_krw": electrical, "mechanical_krw": split["mechanical"],
                          "it_krw": it, "network_krw": bought - it})

    # opex
    life_facility = int(round(scenario.plan.facility_lifetime_y))
    facility_krw = capex[["building_krw", "electrical_krw", "mechanical_krw"]].sum(axis=1).to_numpy()
    servers_krw = capex[["it_krw", "network_krw"]].sum(axis=1).to_numpy()
    life_it = int(round(np.mean([v["lifetime_y"] for v in prices.values()])))
    facility_in_service = c.in_service_value_krw(facility_krw, life_facility)
    it_in_service = c.in_service_value_krw(servers_krw, life_it)
    # support is paid from the year after the included years to the end of life, purchase by purchase
    it_supported = np.zeros(years.size)
    for bought_at, krw in enumerate(servers_krw):
        it_supported[bought_at + econ.it_support_included_y + 1:bought_at + life_it + 1] += krw
    built_kw = np.concatenate([[0.0], np.cumsum(build.block_kw)[:-1]])
    operating = np.arange(years.size) > 0
    scale = np.maximum(built_kw / scenario.power.it_capacity_kw, 1.0)
    staff = econ.n_staff * econ.staff_cost_krw_per_y * scale
    building = c.in_service_value_krw(capex["building_krw"].to_numpy(), life_facility)
    taxable = capex["land_krw"].sum() + building
    opex = pd.DataFrame({
        "year": years, "energy_krw": energy_krw, "staff_krw": staff * operating,
        "maintenance_krw": econ.maintenance_facility_frac_per_y * facility_in_service
        + econ.maintenance_it_frac_per_y * it_supported,
        "insurance_krw": econ.insurance_frac_per_y * (facility_in_service + it_in_service),
        "property_tax_krw": econ.property_tax_frac_per_y * taxable * operating,
    })
    opex = opex.assign(opex_krw=opex.drop(columns="year").sum(axis=1))

    # cash flows: a year-by-year loan balance instead of the closed form
    n = years.size
    spend = capex.drop(columns="year").sum(axis=1).to_numpy()
    debt = econ.debt_frac * spend[0]
    payment = debt * f.annuity_factor(econ.interest_rate_frac, econ.debt_tenor_y)
    interest, principal, balance = np.zeros(n), np.zeros(n), debt
    for t in range(1, min(econ.debt_tenor_y, n - 1) + 1):
        interest[t] = econ.interest_rate_frac * balance
        principal[t] = payment - interest[t]
        balance -= principal[t]
    if econ.debt_tenor_y > n - 1:
        principal[n - 1] += balance  # balloon at the horizon's end
    life_it_cf = int(round(servers["lifetime_y"].mean())) if len(servers) else 5
    revenue_krw = sold["revenue_krw"].to_numpy() + storage_krw
    cash = pd.DataFrame({"year": years, "capex_krw": spend, "revenue_krw": revenue_krw,
                         "opex_krw": opex["opex_krw"].to_numpy()})
    cash["depreciation_krw"] = (c.straight_line_depreciation_krw(facility_krw, life_facility)
                                + c.straight_line_depreciation_krw(servers_krw, life_it_cf))
    profit = cash["revenue_krw"] - cash["opex_krw"] - interest - cash["depreciation_krw"]
    cash["tax_krw"] = econ.corporate_tax_frac * profit.clip(lower=0.0)
    cash["cfads_krw"] = cash["revenue_krw"] - cash["opex_krw"] - cash["tax_krw"]
    cash["debt_draw_krw"] = np.where(years == years[0], debt, 0.0)
    cash["interest_krw"], cash["principal_krw"] = interest, principal
    cash["debt_service_krw"] = cash["interest_krw"] + cash["principal_krw"]
    cash["dscr"] = (cash["cfads_krw"] / cash["debt_service_krw"]).where(cash["debt_service_krw"] > 0)
    left_krw = (capex["land_krw"].sum() + c.book_value_krw(facility_krw, life_facility)
                + c.book_value_krw(servers_krw, life_it_cf))
    cash["terminal_value_krw"] = np.where(years == years[-1], left_krw, 0.0)
    cash["project_cash_flow_krw"] = -cash["capex_krw"] + cash["cfads_krw"] + cash["terminal_value_krw"]
    cash["equity_cash_flow_krw"] = (-cash["capex_krw"] + cash["debt_draw_krw"] + cash["cfads_krw"]
                                    - cash["debt_service_krw"] + cash["terminal_value_krw"])
    cash["cumulative_project_krw"] = cash["project_cash_flow_krw"].cumsum()
    parts = pd.DataFrame({"part": stage.PARTS, "capex_krw": [capex[f"{p}_krw"].sum() for p in stage.PARTS]})
    parts["share_frac"] = parts["capex_krw"] / parts["capex_krw"].sum()

    # summary
    # costs split by the IT power of GPU servers and of CPU servers (storage rides with both)
    nameplate = servers["nameplate_kw"].to_numpy(float)
    is_cpu = (servers["n_vcpus"].to_numpy(float) > 0) & ~is_gpu
    compute_power = n_fleet @ (nameplate * (is_gpu | is_cpu))
    shares = {}
    for name, mask in (("gpu", is_gpu), ("cpu", is_cpu)):
        power = n_fleet @ (nameplate * mask)
        share = np.divide(power, compute_power, out=np.zeros(n), where=compute_power > 0)
        share[0] = share[1] if n > 1 else 0.0
        shares[name] = share
    r, project = econ.discount_rate_frac, cash["project_cash_flow_krw"].to_numpy()
    equity, dscr = cash["equity_cash_flow_krw"].to_numpy(), cash["dscr"].dropna()
    gpu_h, vcpu_h = sold["gpu_h"].to_numpy(), sold["vcpu_h"].to_numpy()
    cost = spend + cash["opex_krw"].to_numpy()
    gpu_capacity_h = (n_fleet @ servers["gpus_h100_eq"].to_numpy(float) * H_PER_YEAR).sum()
    vcpu_capacity_h = (n_fleet @ cpu_vcpus * H_PER_YEAR).sum()
    per_gpu_h = f.levelised_cost(cost * shares["gpu"], gpu_h, r) if gpu_capacity_h > 0 else np.nan
    summary = {
        "cost_krw_per_gpu_h": per_gpu_h,
        "cost_krw_per_vcpu_h": f.levelised_cost(cost * shares["cpu"], vcpu_h, r) if vcpu_capacity_h > 0
        else np.nan,
        "gpu_utilization_sold_frac": gpu_h.sum() / gpu_capacity_h if gpu_capacity_h > 0 else np.nan,
        "vcpu_utilization_sold_frac": vcpu_h.sum() / vcpu_capacity_h if vcpu_capacity_h > 0 else np.nan,
        "residual_value_krw": cash["terminal_value_krw"].sum(),
        "npv_krw": f.npv(r, project), "irr_frac": f.irr(project), "equity_npv_krw": f.npv(r, equity),
        "equity_irr_frac": f.irr(equity), "payback_y": f.payback_y(project),
        "lcoe_krw_per_gpu_h": per_gpu_h,
        "min_dscr": dscr.min() if len(dscr) else np.nan, "mean_dscr": dscr.mean() if len(dscr) else np.nan,
        "capex_krw": spend.sum(), "phase1_capex_krw": spend[0], "debt_krw": cash["debt_draw_krw"].sum(),
        "equity_krw": spend[0] - debt, "revenue_krw": cash["revenue_krw"].sum(),
        "opex_krw": cash["opex_krw"].sum(), "gpu_h": gpu_h.sum(), "vcpu_h": vcpu_h.sum(),
        "discount_rate_frac": r,
        "facility_usd_per_w": np.nan,  # no design: no bill of materials (tests/economics/test_bom.py)
        "published_usd_per_w": econ.construction_cost_usd_per_w,
    }
    # revenue by line: each model's share of the H100-equivalents at its own price per H100-eq hour
    net = revenue.assign(gpu_net=revenue["gpu_h"] * (1 - revenue["discount_frac"]),
                         vcpu_net=revenue["vcpu_h"] * (1 - revenue["discount_frac"]))
    net = net.groupby("year")[["gpu_net", "vcpu_net"]].sum().reindex(years, fill_value=0.0)
    fx, raw = econ.exchange_rate_krw_per_usd * factors.price, pr.price_list()
    eq = {catalog[k].gpu_model: servers.loc[k, "gpus_h100_eq"] / catalog[k].n_gpus
          for k in build.keys if catalog[k].n_gpus}
    # the GPU-hour list prices hold in the construction year and change by g each year after it
    path = (1.0 + econ.gpu_hour_price_change_frac_per_y) ** np.arange(years.size)
    for model in eq:
        gpu_h_net = (net["gpu_net"] * unit[f"share:{model}"] / eq[model] * path).sum()
        summary[f"revenue_gpu_h_{model}_krw"] = gpu_h_net * raw["gpu_hour"][model]["value"] * fx
    month = raw["server_month_share_frac"]["value"]
    summary["revenue_vcpu_h_krw"] = net["vcpu_net"].sum() * (1 - month) * raw["vcpu_hour"]["value"] * fx
    summary["revenue_server_month_krw"] = net["vcpu_net"].sum() * month * fx * (
        raw["server_month"]["value"] / raw["server_month"]["reference_vcpus"] / (H_PER_YEAR / 12))
    summary["revenue_storage_tb_month_krw"] = storage_krw.sum()
    summary["gpu_hour_price_change_frac_per_y"] = econ.gpu_hour_price_change_frac_per_y
    return {"capex": parts, "capex_by_year": capex, "opex": opex, "revenue": revenue, "cash_flow": cash,
            "summary": summary}


def _plan_build(plan: Any, catalog: dict[str, Any]) -> stage._Build:
    first = int(plan.capacity_by_year["year"].iloc[0])
    years = np.arange(first - 1, first + len(plan.capacity_by_year))
    fleet = plan.fleet_by_year.reindex(pd.Index(years, name="year"), fill_value=0)
    keys = tuple(k for k in fleet.columns if k in catalog)
    sched = plan.schedule
    server_capex, block_kw = np.zeros(years.size), np.zeros(years.size)
    servers, blocks = sched[sched["kind"] == "server"], sched[sched["kind"] == "block"]
    for year, krw in zip(servers["year"], servers["capex_krw"], strict=True):
        server_capex[year - first] += krw
    for year, kw in zip(blocks["year"], blocks["it_capacity_kw"], strict=True):
        block_kw[year - first] += kw
    return stage._Build(years, keys, fleet[list(keys)].to_numpy(float), server_capex, block_kw)


# --- the cases ------------------------------------------------------------------------------

def _plan(gap: bool = False) -> SimpleNamespace:
    """A three-year plan: a 2-MW block and 10 DGX H100 for 2028, 4 more for 2029.

    With ``gap`` its fleet table skips 2029 (no servers that year) and lists 2031, off the timeline.
    """
    years = [2028, 2029, 2030]
    fleet_years, fleet = ([2028, 2030, 2031], [10, 14, 14]) if gap else (years, [10, 14, 14])
    return SimpleNamespace(
        capacity_by_year=pd.DataFrame({"year": years}),
        fleet_by_year=pd.DataFrame({"dgx_h100": fleet, "no_such_server": [1, 1, 1]},
                                   index=pd.Index(fleet_years, name="year")),
        schedule=pd.DataFrame({"year": [2028, 2028, 2029], "kind": ["block", "server", "server"],
                               "it_capacity_kw": [2000.0, 102.0, 40.8], "capex_krw": [0.0, 5e9, 2e9]}))


def _demand() -> SimpleNamespace:
    return SimpleNamespace(by_year=pd.DataFrame({
        "year": [2028, 2028, 2029, 2031],
        "tenant_class": ["university", "enterprise", "research", "enterprise"],
        "gpu_model": ["h100_sxm"] * 4, "gpu_hours": [1e5, 3e6, 2e5, 1e5], "peak_gpus": [10, 300, 20, 10],
        "cpu_vcpus": [10.0, 0.0, 5.0, 0.0]}))


def _cases() -> dict[str, tuple[Any, dict[str, Any]]]:
    energy = SimpleNamespace(annual={"pue": 1.25, "price_krw_per_kwh": 160.0})
    simulation = SimpleNamespace(summary={"utilization_frac": 0.6})
    phase1, ai = load_scenario("jeonbuk-phase1"), load_scenario("jeonbuk-ai")
    financed = ai.model_copy(update={"economics": ai.economics.model_copy(
        update={"debt_frac": 0.6, "debt_tenor_y": 40, "corporate_tax_frac": 0.2})})
    return {
        "phase1 alone": (phase1, {}),
        "ai alone": (ai, {}),
        "ai with energy, simulation, factors": (ai, {"energy": energy, "simulation": simulation,
                                                     "factors": Factors(cost=1.2, price=0.9, tariff=1.1)}),
        "ai with plan and demand": (ai, {"plan": _plan(), "demand": _demand(), "simulation": simulation}),
        "ai with plan, balloon and tax": (financed, {"plan": _plan()}),
        "ai with a plan whose fleet table has gaps": (ai, {"plan": _plan(gap=True), "demand": _demand()}),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_equals_the_straightforward_computation(name: str) -> None:
    scenario, kwargs = _cases()[name]
    got, want = evaluate(scenario, **kwargs), _reference(scenario, **kwargs)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(got, table), want[table], check_exact=False, rtol=1e-12,
                                      obj=f"{name}: {table}")
    assert list(got.summary) == list(want["summary"])
    for key, value in want["summary"].items():
        assert got.summary[key] == pytest.approx(value, rel=1e-12, nan_ok=True), key
        assert type(got.summary[key]) is float, key


@settings(max_examples=25, deadline=None)
@given(debt_frac=st.just(0.0) | st.floats(1e-4, 0.95), tenor_y=st.integers(1, 40),
       interest=st.floats(0.0, 0.2),
       tax=st.floats(0.0, 0.4), utilization=st.floats(0.05, 1.0), discount=st.floats(0.0, 0.2),
       cost=st.floats(0.5, 2.0), price=st.floats(0.5, 2.0), with_plan=st.booleans())
def test_equals_the_straightforward_computation_for_any_terms(
    debt_frac: float, tenor_y: int, interest: float, tax: float, utilization: float, discount: float,
    cost: float, price: float, with_plan: bool,
) -> None:
    base = load_scenario("jeonbuk-ai")
    scenario = base.model_copy(update={"economics": base.economics.model_copy(update={
        "debt_frac": debt_frac, "debt_tenor_y": tenor_y, "interest_rate_frac": interest,
        "corporate_tax_frac": tax, "utilization_frac": utilization, "discount_rate_frac": discount})})
    kwargs: dict[str, Any] = {"factors": Factors(cost=cost, price=price),
                              "plan": _plan() if with_plan else None}
    got, want = evaluate(scenario, **kwargs), _reference(scenario, **kwargs)
    pd.testing.assert_frame_equal(got.cash_flow, want["cash_flow"], check_exact=False, rtol=1e-9, atol=1e-3)
    for key in ("npv_krw", "equity_npv_krw", "payback_y", "min_dscr", "lcoe_krw_per_gpu_h", "debt_krw"):
        assert got.summary[key] == pytest.approx(want["summary"][key], rel=1e-9, abs=1e-3, nan_ok=True), key
    for key in ("irr_frac", "equity_irr_frac"):
        assert got.summary[key] == pytest.approx(want["summary"][key], abs=1e-9, nan_ok=True), key


def test_tables_are_built_on_first_read_and_kept() -> None:
    e = evaluate(load_scenario("jeonbuk-phase1"))
    assert all(callable(e.__dict__[t]) for t in TABLES)  # nothing built yet: the sweep reads only the summary
    first = e.cash_flow
    assert isinstance(first, pd.DataFrame)
    assert e.cash_flow is first
    fields = [fd.name for fd in dataclasses.fields(Economics)]
    assert fields == [*TABLES, "bom", "revenue_lines", "summary", "fallbacks"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.opex = first  # type: ignore[misc]


def test_pickles_and_accepts_ready_frames() -> None:
    e = evaluate(load_scenario("jeonbuk-ai"))
    back = pickle.loads(pickle.dumps(e))
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(back, table), getattr(e, table))
    frame = pd.DataFrame({"year": [2027]})
    given = Economics(capex=frame, capex_by_year=frame, opex=frame, revenue=frame, revenue_lines=frame,
                      cash_flow=frame,
                      bom=frame, summary={}, fallbacks=())
    assert given.opex is frame
    with pytest.raises(TypeError, match="capex"):
        Economics(summary={}, fallbacks=())
