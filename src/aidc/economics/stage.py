"""The economics stage: capital and operating cost, revenue, PFV financing and cash flows.

``evaluate(scenario, design, plan=None, energy=None, simulation=None, demand=None)`` assembles
the model functions of :mod:`aidc.economics.costs` and :mod:`aidc.economics.finance`.
The timeline has one construction year (``start_year - 1``, index 0) and the plan's operating
years after it; what opens in year ``t`` is bought in year ``t - 1``.

Stage results are read by the fields ``docs/contracts.md`` promises. Without a plan the
phase-1 fleet runs the whole horizon (servers replaced at the end of their life); without an
energy result the bill is the mean IT power x PUE x tariff; hours sold follow the demand
(capped at ``economics.utilization_frac`` of capacity), or without a demand result the
simulation's utilisation (else ``economics.utilization_frac``); servers draw power at the
utilisation actually sold. Each fallback used is listed in
``Economics.fallbacks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aidc.economics import costs as c
from aidc.economics import finance as f
from aidc.plan.stage import design_pue, phase1_fleet, server_costs
from aidc.scenario import Scenario
from aidc.units import H_PER_YEAR, W_PER_KW

PARTS = ("land", "building", "electrical", "mechanical", "it", "network")


@dataclass(frozen=True)
class Factors:
    """Multipliers on uncertain inputs (Monte Carlo draws); 1 means the scenario's value."""

    cost: float = 1.0
    price: float = 1.0
    tariff: float = 1.0


@dataclass(frozen=True)
class Economics:
    """What the PFV's model says.

    Attributes
    ----------
    capex : DataFrame
        ``part, capex_krw, share_frac`` over the horizon (land, building, electrical,
        mechanical, it, network).
    capex_by_year : DataFrame
        ``year`` and one ``<part>_krw`` column per part.
    opex : DataFrame
        ``year, energy_krw, staff_krw, maintenance_krw, insurance_krw, property_tax_krw, opex_krw``.
    revenue : DataFrame
        ``year, tenant_class, gpu_h, vcpu_h, discount_frac, revenue_krw``.
    cash_flow : DataFrame
        One row per year: capex, revenue, opex, tax, CFADS, debt draw and service, DSCR,
        terminal value, project and equity cash flows [KRW].
    summary : dict
        ``npv_krw, irr_frac, equity_npv_krw, equity_irr_frac, payback_y, lcoe_krw_per_gpu_h,
        min_dscr, ...``.
    fallbacks : tuple of str
        Stage results that were missing and what was used instead.
    """

    capex: pd.DataFrame
    capex_by_year: pd.DataFrame
    opex: pd.DataFrame
    revenue: pd.DataFrame
    cash_flow: pd.DataFrame
    summary: dict[str, float]
    fallbacks: tuple[str, ...]


@dataclass(frozen=True)
class _Build:
    """What is bought and installed over the timeline (index 0 = construction year)."""

    years: np.ndarray
    fleet: pd.DataFrame  # servers in service by year (rows = timeline years)
    server_capex_krw: np.ndarray
    block_kw: np.ndarray  # IT capacity of blocks bought per year


def _from_plan(scenario: Scenario, plan: Any) -> _Build:
    first = int(plan.capacity_by_year["year"].iloc[0])
    years = np.arange(first - 1, first + len(plan.capacity_by_year))
    idx = pd.Index(years, name="year")
    fleet = plan.fleet_by_year.reindex(idx, fill_value=0)
    sched = plan.schedule
    server_capex, block_kw = np.zeros(years.size), np.zeros(years.size)
    servers, blocks = sched[sched["kind"] == "server"], sched[sched["kind"] == "block"]
    np.add.at(server_capex, servers["year"].to_numpy(int) - first, servers["capex_krw"].to_numpy(float))
    np.add.at(block_kw, blocks["year"].to_numpy(int) - first, blocks["it_capacity_kw"].to_numpy(float))
    return _Build(years, fleet, server_capex, block_kw)


def _without_plan(scenario: Scenario, design: Any) -> _Build:
    years = scenario.start_year - 1 + np.arange(scenario.plan.horizon_y + 1)
    counts = phase1_fleet(scenario, design)
    prices = server_costs(scenario)
    econ = scenario.economics
    fleet = pd.DataFrame({k: [0] + [n] * (years.size - 1) for k, n in counts.items()},
                         index=pd.Index(years, name="year"))
    server_capex = np.zeros(years.size)
    for key, n in counts.items():
        life = int(prices[key]["lifetime_y"])
        buy = n * prices[key]["price_usd"] * econ.exchange_rate_krw_per_usd
        buy *= 1 + econ.network_cost_frac_of_it
        server_capex[np.arange(0, years.size - 1, life)] += buy  # replaced at the end of each life
    block_kw = np.zeros(years.size)
    block_kw[0] = scenario.power.it_capacity_kw
    return _Build(years, fleet, server_capex, block_kw)


def capex_by_year(scenario: Scenario, build: _Build, factors: Factors) -> pd.DataFrame:
    """Return capital spending by part and year [KRW]; land and grid connection in year 0."""
    econ = scenario.economics
    n = build.years.size
    facility = c.construction_cost_krw(build.block_kw, econ.construction_cost_usd_per_w,
                                       econ.exchange_rate_krw_per_usd) * factors.cost
    parts = c.split_construction_cost(facility, econ.mep_share_frac, econ.electrical_share_of_mep_frac)
    land = np.zeros(n)
    land[0] = scenario.site.site_area_m2 * econ.land_price_krw_per_m2
    electrical = np.asarray(parts["electrical"], dtype=float).copy()
    electrical[0] += econ.grid_connection_krw * factors.cost
    servers = build.server_capex_krw * factors.cost
    it = servers / (1.0 + econ.network_cost_frac_of_it)
    out = {"land": land, "building": parts["building"], "electrical": electrical,
           "mechanical": parts["mechanical"], "it": it, "network": servers - it}
    return pd.DataFrame({"year": build.years, **{f"{p}_krw": np.asarray(v, float) for p, v in out.items()}})


def _server_table(scenario: Scenario, keys: list[str]) -> pd.DataFrame:
    catalog, prices = scenario.servers(), server_costs(scenario)
    rows = {k: {"nameplate_kw": catalog[k].power_max_w / W_PER_KW,
                "idle_frac": catalog[k].power_idle_frac, "typical_frac": catalog[k].power_typical_frac,
                "gpus_h100_eq": catalog[k].n_gpus * prices.get(k, {}).get("h100_eq_per_gpu", 0.0),
                "n_vcpus": catalog[k].n_vcpus,
                "lifetime_y": prices.get(k, {}).get("lifetime_y", 5.0)} for k in keys}
    return pd.DataFrame.from_dict(rows, orient="index")


def _demand_by_class(scenario: Scenario, demand: Any, years: np.ndarray) -> pd.DataFrame | None:
    by_year = getattr(demand, "by_year", None)
    if by_year is None or not len(by_year):
        return None
    prices = server_costs(scenario)
    factor = {s.gpu_model: prices[k]["h100_eq_per_gpu"] for k, s in scenario.servers().items()
              if s.gpu_model and k in prices}
    df = by_year.assign(gpu_h=by_year["gpu_hours"] * by_year["gpu_model"].map(factor).fillna(1.0),
                        vcpus=by_year.get("cpu_vcpus", 0.0))
    return df.groupby(["year", "tenant_class"])[["gpu_h", "vcpus"]].sum().reset_index()


def revenue_by_class(
    scenario: Scenario, build: _Build, servers: pd.DataFrame, utilization_frac: float,
    demand: Any, factors: Factors,
) -> pd.DataFrame:
    """Return GPU- and vCPU-hours sold and revenue by year and tenant class.

    Sellable hours are installed capacity x 8,760 h x utilisation. With a demand result each
    class buys what it asked for, scaled down alike when capacity is short; without it the
    sellable hours are shared by ``economics.tenant_share_frac``. Revenue is hours x list price x
    (1 - the class's support-programme discount).
    """
    econ = scenario.economics
    fleet = build.fleet[servers.index].to_numpy(float)
    sell_gpu_h = fleet @ servers["gpus_h100_eq"].to_numpy(float) * H_PER_YEAR * utilization_frac
    sell_vcpu_h = fleet @ servers["n_vcpus"].to_numpy(float) * H_PER_YEAR * utilization_frac
    wanted = _demand_by_class(scenario, demand, build.years)
    if wanted is None:
        shares = pd.Series(econ.tenant_share_frac, dtype=float)
        shares = shares / shares.sum()
        sold = zip(build.years, sell_gpu_h, sell_vcpu_h, strict=True)
        rows = pd.DataFrame([(y, cls, g * s, v * s) for y, g, v in sold for cls, s in shares.items()],
                            columns=["year", "tenant_class", "gpu_h", "vcpu_h"])
    else:
        wanted = wanted.assign(vcpu_h=wanted["vcpus"] * H_PER_YEAR * utilization_frac)
        sell = pd.DataFrame({"year": build.years, "sell_gpu_h": sell_gpu_h, "sell_vcpu_h": sell_vcpu_h})
        rows = wanted.merge(sell, on="year", how="inner")
        totals = rows.groupby("year")[["gpu_h", "vcpu_h"]].transform("sum")
        rows = rows.assign(gpu_h=rows["gpu_h"] * _served_frac(rows["sell_gpu_h"], totals["gpu_h"]),
                           vcpu_h=rows["vcpu_h"] * _served_frac(rows["sell_vcpu_h"], totals["vcpu_h"]))
        rows = rows[["year", "tenant_class", "gpu_h", "vcpu_h"]]
    discount = rows["tenant_class"].map(econ.discount_by_class_frac).fillna(0.0).to_numpy(float)
    list_krw = (rows["gpu_h"] * econ.price_krw_per_gpu_h
                + rows["vcpu_h"] * econ.price_krw_per_vcpu_h) * factors.price
    return rows.assign(discount_frac=discount, revenue_krw=list_krw * (1.0 - discount)).reset_index(drop=True)


def _served_frac(sellable: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Share of what is wanted that can be sold: ``min(1, sellable / wanted)`` (1 when nothing is wanted)."""
    s, w = sellable.to_numpy(float), wanted.to_numpy(float)
    return np.minimum(1.0, np.divide(s, w, out=np.ones_like(s), where=w > 0))


def opex_by_year(
    scenario: Scenario, build: _Build, capex: pd.DataFrame, energy_krw: np.ndarray,
) -> pd.DataFrame:
    """Return operating cost by year [KRW]: energy, staff, maintenance, insurance, property tax.

    Staff grows with built IT capacity over phase 1's; maintenance and insurance are fractions of
    the capital in service; property tax of land and building value. Nothing in year 0.
    """
    econ = scenario.economics
    life_facility = int(round(scenario.plan.facility_lifetime_y))
    facility = capex[["building_krw", "electrical_krw", "mechanical_krw"]].sum(axis=1).to_numpy()
    servers = capex[["it_krw", "network_krw"]].sum(axis=1).to_numpy()
    life_it = int(round(np.mean([v["lifetime_y"] for v in server_costs(scenario).values()])))
    facility_in_service = c.in_service_value_krw(facility, life_facility)
    it_in_service = c.in_service_value_krw(servers, life_it)
    built_kw = np.concatenate([[0.0], np.cumsum(build.block_kw)[:-1]])
    operating = np.arange(build.years.size) > 0
    scale = np.maximum(built_kw / scenario.power.it_capacity_kw, 1.0)
    staff = econ.n_staff * econ.staff_cost_krw_per_y * scale
    building = c.in_service_value_krw(capex["building_krw"].to_numpy(), life_facility)
    taxable = capex["land_krw"].sum() + building
    out = pd.DataFrame({
        "year": build.years,
        "energy_krw": energy_krw,
        "staff_krw": staff * operating,
        "maintenance_krw": econ.maintenance_facility_frac_per_y * facility_in_service
        + econ.maintenance_it_frac_per_y * it_in_service,
        "insurance_krw": econ.insurance_frac_per_y * (facility_in_service + it_in_service),
        "property_tax_krw": econ.property_tax_frac_per_y * taxable * operating,
    })
    return out.assign(opex_krw=out.drop(columns="year").sum(axis=1))


def cash_flow_table(
    scenario: Scenario, capex: pd.DataFrame, opex: pd.DataFrame, revenue_krw: np.ndarray,
    servers: pd.DataFrame,
) -> pd.DataFrame:
    """Return the PFV's cash flows by year [KRW].

    Debt is ``debt_frac`` of year-0 capex, drawn in year 0 and repaid in level payments over the
    tenor (any balance left at the horizon's end is repaid then). Tax is ``corporate_tax_frac``
    of profit after straight-line depreciation and interest. The book value of what is left at
    the end (land at cost) comes back as a terminal value in the last year.
    """
    econ = scenario.economics
    n = len(capex)
    life_facility = int(round(scenario.plan.facility_lifetime_y))
    life_it = int(round(servers["lifetime_y"].mean())) if len(servers) else 5
    facility = capex[["building_krw", "electrical_krw", "mechanical_krw"]].sum(axis=1).to_numpy()
    it = capex[["it_krw", "network_krw"]].sum(axis=1).to_numpy()
    spend = capex.drop(columns="year").sum(axis=1).to_numpy()
    debt = econ.debt_frac * spend[0]
    loan = f.debt_service_krw(debt, econ.interest_rate_frac, econ.debt_tenor_y)
    interest, principal = np.zeros(n), np.zeros(n)
    m = min(econ.debt_tenor_y, n - 1)
    interest[1:m + 1], principal[1:m + 1] = loan["interest_krw"][:m], loan["principal_krw"][:m]
    if m < econ.debt_tenor_y:  # balloon: the balance left at the horizon's end
        principal[m] += loan["balance_krw"][m - 1] if m > 0 else debt
    depreciation = (c.straight_line_depreciation_krw(facility, life_facility)
                    + c.straight_line_depreciation_krw(it, life_it))
    opex_krw = opex["opex_krw"].to_numpy()
    tax = econ.corporate_tax_frac * np.maximum(revenue_krw - opex_krw - interest - depreciation, 0.0)
    cfads = revenue_krw - opex_krw - tax
    terminal = np.zeros(n)
    terminal[-1] = (capex["land_krw"].sum() + c.book_value_krw(facility, life_facility)
                    + c.book_value_krw(it, life_it))
    service = interest + principal
    draw = np.zeros(n)
    draw[0] = debt
    out = pd.DataFrame({
        "year": capex["year"].to_numpy(), "capex_krw": spend, "revenue_krw": revenue_krw,
        "opex_krw": opex_krw,
        "depreciation_krw": depreciation, "tax_krw": tax, "cfads_krw": cfads, "debt_draw_krw": draw,
        "interest_krw": interest, "principal_krw": principal, "debt_service_krw": service,
        "dscr": np.divide(cfads, service, out=np.full(n, np.nan), where=service > 0),
        "terminal_value_krw": terminal,
        "project_cash_flow_krw": -spend + cfads + terminal,
        "equity_cash_flow_krw": -spend + draw + cfads - service + terminal,
    })
    return out.assign(cumulative_project_krw=out["project_cash_flow_krw"].cumsum())


def _energy_inputs(scenario: Scenario, design: Any, energy: Any) -> tuple[float, float, str | None]:
    """Return (PUE, all-in price per kWh, fallback note) from the energy result or fallbacks."""
    annual = getattr(energy, "annual", None) or {}
    if "pue" in annual and "price_krw_per_kwh" in annual:
        return float(annual["pue"]), float(annual["price_krw_per_kwh"]), None
    pue, tariff = design_pue(scenario, design), scenario.economics.tariff_krw_per_kwh
    return pue, tariff, f"no energy result: bill = mean IT power x PUE {pue:.2f} x {tariff:g} KRW/kWh"


def _utilization(scenario: Scenario, simulation: Any, demand: Any) -> tuple[float, str | None]:
    """Return the share of installed capacity that can be sold, and a note on where it came from.

    The simulation's utilisation is what the phase-1 design fleet achieved on the simulated
    demand; it is used when there is no demand result. With a demand result, the hours sold
    follow the demand, capped at ``economics.utilization_frac`` of the installed capacity.
    """
    u = scenario.economics.utilization_frac
    summary = getattr(simulation, "summary", None) or {}
    if getattr(demand, "by_year", None) is not None:
        if "utilization_frac" in summary:
            sim = summary["utilization_frac"]
            return u, (f"simulation utilisation {sim:.0%} not used: hours sold follow the demand, "
                       f"capped at {u:.0%} of capacity (economics.utilization_frac)")
        return u, None
    if "utilization_frac" in summary:
        return float(summary["utilization_frac"]), None
    return u, f"no simulation result: utilisation {u:.0%} (economics.utilization_frac)"


def _realised_utilization(
    build: _Build, servers: pd.DataFrame, revenue: pd.DataFrame, cap_frac: float,
) -> np.ndarray:
    """Return the utilisation actually sold by year and server type.

    GPU servers by GPU-hours, CPU servers by vCPU-hours, others (storage) at ``cap_frac``.
    """
    fleet = build.fleet[servers.index].to_numpy(float)
    sold = revenue.groupby("year")[["gpu_h", "vcpu_h"]].sum().reindex(build.years, fill_value=0.0)
    util = np.full(fleet.shape, cap_frac)
    for column, sold_h in (("n_vcpus", sold["vcpu_h"]), ("gpus_h100_eq", sold["gpu_h"])):
        per_server = servers[column].to_numpy(float)
        capacity_h = fleet @ per_server * H_PER_YEAR
        frac = np.divide(sold_h.to_numpy(), capacity_h, out=np.zeros_like(capacity_h), where=capacity_h > 0)
        util[:, per_server > 0] = frac[:, None]
    return util


def evaluate(
    scenario: Scenario, design: Any = None, plan: Any = None, energy: Any = None,
    simulation: Any = None, demand: Any = None, *, factors: Factors | None = None,
) -> Economics:
    """Cost the project and its PFV: CAPEX, OPEX, revenue, financing, cash flows, NPV and IRR.

    Parameters
    ----------
    scenario : Scenario
        Costs, prices and finance terms (``economics.*``), horizon and limits (``plan.*``).
    design, plan, energy, simulation, demand : stage results, optional
        Read by the fields of ``docs/contracts.md``; each one missing has a documented fallback.
    factors : Factors, optional
        Multipliers on costs, prices and the tariff (Monte Carlo); None means none.

    Returns
    -------
    Economics
    """
    factors = factors or Factors()
    notes: list[str] = []
    build = _from_plan(scenario, plan) if plan is not None else _without_plan(scenario, design)
    if plan is None:
        notes.append("no plan result: the phase-1 fleet runs the whole horizon, replaced at end of life")
    elif not getattr(plan, "feasible", True):
        notes.append(f"the plan breaks a limit ({plan.binding_limit}): costed as the schedule that "
                     "breaks it least")
    utilization, note = _utilization(scenario, simulation, demand)
    notes += [note] if note else []
    pue, price_kwh, note = _energy_inputs(scenario, design, energy)
    notes += [note] if note else []
    if getattr(demand, "by_year", None) is None:
        notes.append("no demand result: sellable hours shared by economics.tenant_share_frac")
    keys = [k for k in build.fleet.columns if k in scenario.servers()]
    servers = _server_table(scenario, keys)
    fleet = build.fleet[servers.index].to_numpy(float)
    revenue = revenue_by_class(scenario, build, servers, utilization, demand, factors)
    util = _realised_utilization(build, servers, revenue, utilization)
    load = c.server_load_frac(servers["idle_frac"].to_numpy(float),
                              servers["typical_frac"].to_numpy(float), util)
    mean_it_kw = (fleet * load) @ servers["nameplate_kw"].to_numpy(float)
    energy_krw = c.energy_cost_krw_per_y(mean_it_kw, pue, price_kwh * factors.tariff)
    capex = capex_by_year(scenario, build, factors)
    opex = opex_by_year(scenario, build, capex, np.asarray(energy_krw, dtype=float))
    revenue_krw = revenue.groupby("year")["revenue_krw"].sum().reindex(build.years, fill_value=0.0).to_numpy()
    cash = cash_flow_table(scenario, capex, opex, revenue_krw, servers)
    gpu_h = revenue.groupby("year")["gpu_h"].sum().reindex(build.years, fill_value=0.0).to_numpy()
    # Costs of the GPU-hour: each year's capex and opex times the GPU servers' share of IT power.
    gpu_power = fleet @ (servers["nameplate_kw"] * (servers["gpus_h100_eq"] > 0)).to_numpy(float)
    all_power = fleet @ servers["nameplate_kw"].to_numpy(float)
    gpu_share = np.divide(gpu_power, all_power, out=np.zeros_like(gpu_power), where=all_power > 0)
    gpu_share[0] = gpu_share[1] if gpu_share.size > 1 else 0.0  # construction year: first year's mix
    summary = _summary(scenario, cash, capex, gpu_h, gpu_share)
    parts = pd.DataFrame({"part": PARTS, "capex_krw": [capex[f"{p}_krw"].sum() for p in PARTS]})
    parts["share_frac"] = parts["capex_krw"] / parts["capex_krw"].sum()
    return Economics(capex=parts, capex_by_year=capex, opex=opex, revenue=revenue, cash_flow=cash,
                     summary=summary, fallbacks=tuple(notes))


def _summary(
    scenario: Scenario, cash: pd.DataFrame, capex: pd.DataFrame, gpu_h: np.ndarray, gpu_share: np.ndarray,
) -> dict[str, float]:
    r = scenario.economics.discount_rate_frac
    project, equity = cash["project_cash_flow_krw"].to_numpy(), cash["equity_cash_flow_krw"].to_numpy()
    cost = (cash["capex_krw"] + cash["opex_krw"]).to_numpy() * gpu_share
    dscr = cash["dscr"].dropna()
    return {
        "npv_krw": f.npv(r, project),
        "irr_frac": f.irr(project),
        "equity_npv_krw": f.npv(r, equity),
        "equity_irr_frac": f.irr(equity),
        "payback_y": f.payback_y(project),
        "lcoe_krw_per_gpu_h": f.levelised_cost(cost, gpu_h, r),
        "min_dscr": float(dscr.min()) if len(dscr) else float("nan"),
        "mean_dscr": float(dscr.mean()) if len(dscr) else float("nan"),
        "capex_krw": float(cash["capex_krw"].sum()),
        "phase1_capex_krw": float(cash["capex_krw"].iloc[0]),
        "debt_krw": float(cash["debt_draw_krw"].sum()),
        "equity_krw": float(cash["capex_krw"].iloc[0] - cash["debt_draw_krw"].iloc[0]),
        "revenue_krw": float(cash["revenue_krw"].sum()),
        "opex_krw": float(cash["opex_krw"].sum()),
        "gpu_h": float(gpu_h.sum()),
        "discount_rate_frac": r,
    }
