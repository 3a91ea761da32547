"""The economics stage: capital and operating cost, revenue, PFV financing and cash flows.

``evaluate(scenario, design, plan=None, energy=None, simulation=None, demand=None)`` assembles
the model functions of :mod:`aidc.economics.costs` and :mod:`aidc.economics.finance`.
The timeline has one construction year (``start_year - 1``, index 0) and the plan's operating
years after it; what opens in year ``t`` is bought in year ``t - 1``.

Stage results are read by the fields ``docs/contracts.md`` promises. Without a plan the
phase-1 fleet runs the whole horizon (servers replaced at the end of their life); with an
energy result that has ``by_year`` (the plan's fleet of each year) its bill is the energy
line, so the two stages agree year by year; without one the bill is the mean IT power x PUE x
tariff; hours sold follow the demand
(capped at ``economics.utilization_frac`` of capacity), or without a demand result the
simulation's utilisation (else ``economics.utilization_frac``); servers draw power at the
utilisation actually sold. Each fallback used is listed in
``Economics.fallbacks``.

Speed: a sweep evaluates thousands of variants and reads only the summary, so the year-by-year
arithmetic runs on numpy arrays (one ``dict`` of columns per table) and the DataFrames of
:class:`Economics` are built from those columns on first read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, overload

import numpy as np
import pandas as pd

from aidc.design import bom as b
from aidc.economics import costs as c
from aidc.economics import finance as f
from aidc.economics import prices as pr
from aidc.errors import Note
from aidc.plan.stage import design_pue, phase1_fleet, server_costs
from aidc.scenario import Scenario, ServerType
from aidc.units import H_PER_YEAR, W_PER_KW

PARTS = ("land", "building", "electrical", "mechanical", "it", "network")

Columns = dict[str, Any]
"""A table as ``{column name: numpy array or list}``, every column of the same length."""


@dataclass(frozen=True)
class Factors:
    """Multipliers on uncertain inputs (Monte Carlo draws); 1 means the scenario's value."""

    cost: float = 1.0
    price: float = 1.0
    tariff: float = 1.0


class _Table:
    """A DataFrame field of :class:`Economics`, built on first read.

    Set with a DataFrame or with a function of no argument that returns one; a read always
    returns the DataFrame (built once, then kept). A sweep reading only ``summary`` never pays
    for the tables.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._key = name  # kept in the instance's __dict__ under the field's own name (pickles alike)

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Table: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> pd.DataFrame: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:  # class access: no default value, so the field stays required
            raise AttributeError(self._key)
        value = obj.__dict__[self._key]
        if not isinstance(value, pd.DataFrame):
            value = obj.__dict__[self._key] = value()
        return value

    def __set__(self, obj: object, value: pd.DataFrame | Callable[[], pd.DataFrame]) -> None:
        obj.__dict__[self._key] = value


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
    bom : DataFrame
        The design's bill of materials (:func:`aidc.design.bom.bill_of_materials`); empty
        without a design.
    opex : DataFrame
        ``year, energy_krw, staff_krw, maintenance_krw, insurance_krw, property_tax_krw, opex_krw``.
    revenue : DataFrame
        ``year, tenant_class, gpu_h, vcpu_h, discount_frac, revenue_krw`` (GPU-hours in
        H100-equivalents).
    revenue_lines : DataFrame
        ``year, line, quantity, unit, price_krw, revenue_krw``: what the fleet sells, by line
        (``gpu_h:<model>``, ``vcpu_h``, ``server_month``, ``storage_tb_month``); the lines of a
        year add up to its revenue in ``cash_flow``.
    cash_flow : DataFrame
        One row per year: capex, revenue, opex, tax, CFADS, debt draw and service, DSCR,
        terminal value, project and equity cash flows [KRW].
    summary : dict
        ``npv_krw, irr_frac, equity_npv_krw, equity_irr_frac, payback_y, min_dscr, ...``;
        ``cost_krw_per_gpu_h`` and ``cost_krw_per_vcpu_h`` (levelised; NaN when the fleet has no
        GPUs, or no CPU servers), ``gpu_utilization_sold_frac`` and ``vcpu_utilization_sold_frac``
        (hours sold over installed capacity), ``residual_value_krw`` (book value at the horizon:
        straight-line depreciation, land at cost). ``lcoe_krw_per_gpu_h`` is the GPU figure's
        former name.
    fallbacks : tuple of str
        Stage results that were missing and what was used instead.

    Each table may be given as a DataFrame or as a function returning one (built on first read).
    """

    capex: _Table = _Table()
    capex_by_year: _Table = _Table()
    opex: _Table = _Table()
    revenue: _Table = _Table()
    cash_flow: _Table = _Table()
    bom: _Table = _Table()
    revenue_lines: _Table = _Table()
    summary: dict[str, float]  # type: ignore[misc]  # the tables above have no default (see _Table)
    fallbacks: tuple[Note, ...]  # type: ignore[misc]


@dataclass(frozen=True)
class _Build:
    """What is bought and installed over the timeline (index 0 = construction year)."""

    years: np.ndarray
    keys: tuple[str, ...]  # server types of the fleet's columns
    fleet: np.ndarray  # servers in service by year (rows = timeline years) and type (columns)
    server_capex_krw: np.ndarray
    block_kw: np.ndarray  # IT capacity of blocks bought per year
    # The plan's own split (None without a plan): the network share of server purchases, and
    # the phase-1 design's racks (IT) and fabric (network) that the plan buys with phase 1.
    server_network_krw: np.ndarray | None = None
    fixed_it_krw: np.ndarray | None = None
    fixed_network_krw: np.ndarray | None = None


@dataclass(frozen=True)
class _Servers:
    """Per-server figures of the fleet's types, in the order of ``_Build.keys``."""

    nameplate_kw: np.ndarray
    idle_frac: np.ndarray
    typical_frac: np.ndarray
    gpus_h100_eq: np.ndarray
    n_gpus: np.ndarray
    n_vcpus: np.ndarray
    lifetime_y: np.ndarray
    storage_tb: np.ndarray
    gpu_models: tuple[str | None, ...]


def _from_plan(scenario: Scenario, plan: Any, catalog: dict[str, ServerType]) -> _Build:
    first = int(plan.capacity_by_year["year"].iloc[0])
    years = np.arange(first - 1, first + len(plan.capacity_by_year))
    by_year = plan.fleet_by_year
    keys = tuple(k for k in by_year.columns if k in catalog)
    fleet = np.zeros((years.size, len(keys)))  # years the plan does not list have no servers
    row = by_year.index.to_numpy(int) - years[0]
    on = (row >= 0) & (row < years.size)
    fleet[row[on]] = by_year[list(keys)].to_numpy(float)[on]
    sched = plan.schedule
    kind, bought = sched["kind"].to_numpy(), sched["year"].to_numpy(int) - first
    server, block, fixed = kind == "server", kind == "block", kind == "fixed"
    server_capex, block_kw = np.zeros(years.size), np.zeros(years.size)
    np.add.at(server_capex, bought[server], sched["capex_krw"].to_numpy(float)[server])
    np.add.at(block_kw, bought[block], sched["it_capacity_kw"].to_numpy(float)[block])
    if "network_krw" not in sched:
        return _Build(years, keys, fleet, server_capex, block_kw)
    capex, network = sched["capex_krw"].to_numpy(float), sched["network_krw"].to_numpy(float)
    split = {name: np.zeros(years.size) for name in ("server_network", "fixed_it", "fixed_network")}
    np.add.at(split["server_network"], bought[server], network[server])
    np.add.at(split["fixed_it"], bought[fixed], (capex - network)[fixed])
    np.add.at(split["fixed_network"], bought[fixed], network[fixed])
    return _Build(years, keys, fleet, server_capex, block_kw, split["server_network"], split["fixed_it"],
                  split["fixed_network"])


def _without_plan(
    scenario: Scenario, design: Any, catalog: dict[str, ServerType], prices: dict[str, dict[str, float]],
) -> _Build:
    years = scenario.start_year - 1 + np.arange(scenario.plan.horizon_y + 1)
    counts = phase1_fleet(scenario, design)
    econ = scenario.economics
    keys = tuple(k for k in counts if k in catalog)
    fleet = np.zeros((years.size, len(keys)))
    fleet[1:] = [counts[k] for k in keys]  # nothing runs in the construction year
    server_capex = np.zeros(years.size)
    for key, n in counts.items():
        life = int(prices[key]["lifetime_y"])
        buy = n * prices[key]["price_usd"] * econ.exchange_rate_krw_per_usd
        buy *= 1 + econ.network_cost_frac_of_it
        server_capex[np.arange(0, years.size - 1, life)] += buy  # replaced at the end of each life
    block_kw = np.zeros(years.size)
    block_kw[0] = scenario.power.it_capacity_kw
    return _Build(years, keys, fleet, server_capex, block_kw)


def _server_table(
    keys: tuple[str, ...], catalog: dict[str, ServerType], prices: dict[str, dict[str, float]],
) -> _Servers:
    def column(fn: Callable[[str], float]) -> np.ndarray:
        return np.array([fn(k) for k in keys], dtype=float)

    return _Servers(
        nameplate_kw=column(lambda k: catalog[k].power_max_w / W_PER_KW),
        idle_frac=column(lambda k: catalog[k].power_idle_frac),
        typical_frac=column(lambda k: catalog[k].power_typical_frac),
        gpus_h100_eq=column(lambda k: catalog[k].n_gpus * prices.get(k, {}).get("h100_eq_per_gpu", 0.0)),
        n_vcpus=column(lambda k: catalog[k].n_vcpus),
        n_gpus=column(lambda k: catalog[k].n_gpus),
        lifetime_y=column(lambda k: prices.get(k, {}).get("lifetime_y", 5.0)),
        storage_tb=column(lambda k: catalog[k].storage_tb),
        gpu_models=tuple(catalog[k].gpu_model if catalog[k].n_gpus else None for k in keys),
    )


def unit_prices_krw(scenario: Scenario, build: _Build, servers: _Servers) -> dict[str, np.ndarray]:
    """Return the list price by timeline year of an H100-equivalent GPU-hour and of a vCPU-hour [KRW].

    ``gpu_eq_h``: each GPU model's list price per H100-equivalent hour, weighted by its share of
    the year's installed H100-equivalents (:func:`aidc.economics.prices.gpu_line_shares`), on
    the price path of :func:`gpu_price_factor`.
    ``vcpu_h``: a vCPU-hour sold as such or as part of a server-month, weighted by
    ``server_month_share_frac``. ``shares`` and ``vcpus_per_cpu_server`` are what the revenue
    lines need to split these again.
    """
    fx = scenario.economics.exchange_rate_krw_per_usd
    shares = pr.gpu_line_shares(build.fleet, servers.gpus_h100_eq, servers.gpu_models)
    eq = _h100_eq_per_gpu(servers)
    gpu = sum((share * pr.gpu_price_usd_per_h(m) / eq[m] for m, share in shares.items()),
              np.zeros(build.years.size)) * fx * gpu_price_factor(scenario, build)
    cpu = (servers.n_vcpus > 0) & (servers.gpus_h100_eq <= 0)
    n_cpu = build.fleet @ cpu.astype(float)
    vcpus = np.divide(build.fleet @ (servers.n_vcpus * cpu), n_cpu, out=np.zeros(build.years.size),
                      where=n_cpu > 0)
    vcpu = np.full(build.years.size, pr.vcpu_h_price_usd() * fx)
    return {"gpu_eq_h": gpu, "vcpu_h": vcpu, "vcpus_per_cpu_server": vcpus, **{
        f"share:{m}": v for m, v in shares.items()}}


def gpu_price_factor(scenario: Scenario, build: _Build) -> np.ndarray:
    """Return the multiplier of every GPU-hour list price by timeline year [-].

    The list prices hold in the construction year (index 0), where the server quotes hold too
    (``plan.server_price_decline_frac_per_y`` counts from there), and change by
    ``economics.gpu_hour_price_change_frac_per_y`` each year after it.
    """
    change = scenario.economics.gpu_hour_price_change_frac_per_y
    return c.price_path_factor(np.arange(build.years.size), change)


def _h100_eq_per_gpu(servers: _Servers) -> dict[str, float]:
    """H100-equivalents of one GPU of each model of the fleet."""
    n_gpus = servers.n_gpus
    return {m: float(servers.gpus_h100_eq[j] / n_gpus[j]) for j, m in enumerate(servers.gpu_models)
            if m is not None and n_gpus[j] > 0}


def capex_by_year(
    scenario: Scenario, build: _Build, factors: Factors, bom: pd.DataFrame | None = None,
    design: Any = None,
) -> dict[str, np.ndarray]:
    """Return capital spending by part and year [KRW] as ``{part: array}``.

    With the design's bill of materials, each power block costs the design's facility cost per
    kW of IT by part (priced in phase 1's build year), escalated to the year it is bought by the
    construction cost index (:mod:`aidc.design.escalation`), and phase 1 (year 0) buys the
    design's racks and fabric (in place of the
    network share of its servers); without it, the published cost per watt split by the MEP
    shares. Land and the grid connection are paid in year 0.
    """
    econ = scenario.economics
    n = build.years.size
    parts: dict[str, Any]
    if bom is not None and design is not None:
        blocks = b.block_capex_krw(scenario, design, bom, build.block_kw, build.years)
        parts = {p: v * factors.cost for p, v in blocks.items()}
    else:
        usd_per_w, fx = econ.construction_cost_usd_per_w, econ.exchange_rate_krw_per_usd
        facility = np.asarray(c.construction_cost_krw(build.block_kw, usd_per_w, fx), dtype=float)
        facility = facility * factors.cost
        parts = c.split_construction_cost(facility, econ.mep_share_frac, econ.electrical_share_of_mep_frac)
    land = np.zeros(n)
    land[0] = scenario.site.site_area_m2 * econ.land_price_krw_per_m2
    electrical = np.asarray(parts["electrical"], dtype=float).copy()
    electrical[0] += econ.grid_connection_krw * factors.cost
    servers = build.server_capex_krw * factors.cost
    if build.server_network_krw is not None and build.fixed_it_krw is not None \
            and build.fixed_network_krw is not None:
        # the plan priced them (plan.stage): its network shares, and phase 1's racks and fabric
        network = (build.server_network_krw + build.fixed_network_krw) * factors.cost
        it = servers - build.server_network_krw * factors.cost + build.fixed_it_krw * factors.cost
    else:
        it = servers / (1.0 + econ.network_cost_frac_of_it)
        network = servers - it
        if bom is not None and design is not None:
            fabric = b.fabric_capex_krw(bom)
            it[0] += fabric["it"] * factors.cost
            network[0] = fabric["network"] * factors.cost
    out = {"land": land, "building": parts["building"], "electrical": electrical,
           "mechanical": parts["mechanical"], "it": it, "network": network}
    return {p: np.asarray(v, dtype=float) for p, v in out.items()}


def _demand_by_class(
    scenario: Scenario, demand: Any, catalog: dict[str, ServerType], prices: dict[str, dict[str, float]],
) -> pd.DataFrame | None:
    by_year = getattr(demand, "by_year", None)
    if by_year is None or not len(by_year):
        return None
    factor = {s.gpu_model: prices[k]["h100_eq_per_gpu"] for k, s in catalog.items()
              if s.gpu_model and k in prices}
    df = by_year.assign(gpu_h=by_year["gpu_hours"] * by_year["gpu_model"].map(factor).fillna(1.0),
                        vcpus=by_year.get("cpu_vcpus", 0.0))
    return df.groupby(["year", "tenant_class"])[["gpu_h", "vcpus"]].sum().reset_index()


def revenue_by_class(
    scenario: Scenario, build: _Build, servers: _Servers, utilization_frac: float,
    wanted: pd.DataFrame | None, factors: Factors, unit_prices: dict[str, np.ndarray] | None = None,
) -> Columns:
    """Return GPU- and vCPU-hours sold and revenue by year and tenant class (one row per both).

    Sellable hours are installed capacity x 8,760 h x utilisation. With a demand
    (``wanted``: ``year, tenant_class, gpu_h, vcpus``) each class buys what it asked for,
    scaled down alike when capacity is short; without it the sellable hours are shared by
    ``economics.tenant_share_frac``. Revenue is hours x the year's list price
    (:func:`unit_prices_krw`, from ``data/costs/prices.yaml``) x (1 - the class's
    support-programme discount).

    Returns
    -------
    dict of columns ``year, tenant_class, gpu_h, vcpu_h, discount_frac, revenue_krw``.
    """
    econ = scenario.economics
    sell_gpu_h = build.fleet @ servers.gpus_h100_eq * H_PER_YEAR * utilization_frac
    # A GPU server's host CPUs serve its GPUs; vCPUs are sold from CPU servers only.
    cpu_vcpus = servers.n_vcpus * (servers.gpus_h100_eq <= 0)
    sell_vcpu_h = build.fleet @ cpu_vcpus * H_PER_YEAR * utilization_frac
    if wanted is None:
        classes = list(econ.tenant_share_frac)
        shares = np.array([econ.tenant_share_frac[k] for k in classes], dtype=float)
        shares = shares / shares.sum()
        year = np.repeat(build.years, len(classes))
        tenant_class = classes * build.years.size
        gpu_h = np.outer(sell_gpu_h, shares).ravel()
        vcpu_h = np.outer(sell_vcpu_h, shares).ravel()
    else:
        wanted = wanted.assign(vcpu_h=wanted["vcpus"] * H_PER_YEAR * utilization_frac)
        sell = pd.DataFrame({"year": build.years, "sell_gpu_h": sell_gpu_h, "sell_vcpu_h": sell_vcpu_h})
        rows = wanted.merge(sell, on="year", how="inner")
        totals = rows.groupby("year")[["gpu_h", "vcpu_h"]].transform("sum")
        year, tenant_class = rows["year"].to_numpy(), rows["tenant_class"].tolist()
        gpu_h = rows["gpu_h"].to_numpy(float) * _served_frac(rows["sell_gpu_h"], totals["gpu_h"])
        vcpu_h = rows["vcpu_h"].to_numpy(float) * _served_frac(rows["sell_vcpu_h"], totals["vcpu_h"])
    discount = np.array([econ.discount_by_class_frac.get(k, 0.0) for k in tenant_class], dtype=float)
    unit = unit_prices if unit_prices is not None else unit_prices_krw(scenario, build, servers)
    t = np.asarray(year, dtype=np.int64) - build.years[0]
    list_krw = (gpu_h * unit["gpu_eq_h"][t] + vcpu_h * unit["vcpu_h"][t]) * factors.price
    return {"year": year, "tenant_class": tenant_class, "gpu_h": gpu_h, "vcpu_h": vcpu_h,
            "discount_frac": discount, "revenue_krw": list_krw * (1.0 - discount)}


def _served_frac(sellable: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Share of what is wanted that can be sold: ``min(1, sellable / wanted)`` (1 when nothing is wanted)."""
    s, w = sellable.to_numpy(float), wanted.to_numpy(float)
    return np.minimum(1.0, np.divide(s, w, out=np.ones_like(s), where=w > 0))


def _by_year(build: _Build, year: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum ``values`` by their ``year`` onto the timeline (years off it are dropped)."""
    pos = np.asarray(year, dtype=np.int64) - build.years[0]
    keep = (pos >= 0) & (pos < build.years.size)
    return np.bincount(pos[keep], weights=np.asarray(values, dtype=float)[keep], minlength=build.years.size)


def opex_by_year(
    scenario: Scenario, build: _Build, capex: dict[str, np.ndarray], energy_krw: np.ndarray,
    prices: dict[str, dict[str, float]],
) -> Columns:
    """Return operating cost by year [KRW]: energy, staff, maintenance, insurance, property tax.

    Staff grows with built IT capacity over phase 1's; maintenance and insurance are fractions of
    the capital in service (IT support only after the years its purchase price includes,
    ``economics.it_support_included_y``); property tax of land and building value. Nothing in year 0.

    Returns
    -------
    dict of columns ``energy_krw, staff_krw, maintenance_krw, insurance_krw, property_tax_krw, opex_krw``.
    """
    econ = scenario.economics
    life_facility = int(round(scenario.plan.facility_lifetime_y))
    facility = capex["building"] + capex["electrical"] + capex["mechanical"]
    servers = capex["it"] + capex["network"]
    life_it = int(round(np.mean([v["lifetime_y"] for v in prices.values()])))
    facility_in_service = c.in_service_value_krw(facility, life_facility)
    it_in_service = c.in_service_value_krw(servers, life_it)
    # the purchase price pays for the first years of support (economics.it_support_included_y)
    it_supported = c.supported_value_krw(servers, life_it, econ.it_support_included_y)
    built_kw = np.concatenate([[0.0], np.cumsum(build.block_kw)[:-1]])
    operating = np.arange(build.years.size) > 0
    scale = np.maximum(built_kw / scenario.power.it_capacity_kw, 1.0)
    staff = econ.n_staff * econ.staff_cost_krw_per_y * scale
    building = c.in_service_value_krw(capex["building"], life_facility)
    taxable = capex["land"].sum() + building
    out = {
        "energy_krw": np.asarray(energy_krw, dtype=float),
        "staff_krw": staff * operating,
        "maintenance_krw": econ.maintenance_facility_frac_per_y * facility_in_service
        + econ.maintenance_it_frac_per_y * it_supported,
        "insurance_krw": econ.insurance_frac_per_y * (facility_in_service + it_in_service),
        "property_tax_krw": econ.property_tax_frac_per_y * taxable * operating,
    }
    out["opex_krw"] = (out["energy_krw"] + out["staff_krw"] + out["maintenance_krw"] + out["insurance_krw"]
                       + out["property_tax_krw"])
    return out


def cash_flow_table(
    scenario: Scenario, capex: dict[str, np.ndarray], opex_krw: np.ndarray, revenue_krw: np.ndarray,
    servers: _Servers,
) -> Columns:
    """Return the PFV's cash flows by year [KRW].

    Debt is ``debt_frac`` of year-0 capex, drawn in year 0 and repaid in level payments over the
    tenor (any balance left at the horizon's end is repaid then). Tax is ``corporate_tax_frac``
    of profit after straight-line depreciation and interest. The book value of what is left at
    the end (land at cost) comes back as a terminal value in the last year.

    Returns
    -------
    dict of columns ``capex_krw, revenue_krw, opex_krw, depreciation_krw, tax_krw, cfads_krw,
    debt_draw_krw, interest_krw, principal_krw, debt_service_krw, dscr, terminal_value_krw,
    project_cash_flow_krw, equity_cash_flow_krw, cumulative_project_krw``.
    """
    econ = scenario.economics
    n = capex["land"].size
    life_facility = int(round(scenario.plan.facility_lifetime_y))
    life_it = int(round(servers.lifetime_y.mean())) if servers.lifetime_y.size else 5
    facility = capex["building"] + capex["electrical"] + capex["mechanical"]
    it = capex["it"] + capex["network"]
    spend = (capex["land"] + capex["building"] + capex["electrical"] + capex["mechanical"] + capex["it"]
             + capex["network"])
    debt = econ.debt_frac * spend[0]
    loan = f.debt_service_krw(debt, econ.interest_rate_frac, econ.debt_tenor_y)
    interest, principal = np.zeros(n), np.zeros(n)
    m = min(econ.debt_tenor_y, n - 1)
    interest[1:m + 1], principal[1:m + 1] = loan["interest_krw"][:m], loan["principal_krw"][:m]
    if m < econ.debt_tenor_y:  # balloon: the balance left at the horizon's end
        principal[m] += loan["balance_krw"][m - 1] if m > 0 else debt
    depreciation = (c.straight_line_depreciation_krw(facility, life_facility)
                    + c.straight_line_depreciation_krw(it, life_it))
    tax = econ.corporate_tax_frac * np.maximum(revenue_krw - opex_krw - interest - depreciation, 0.0)
    cfads = revenue_krw - opex_krw - tax
    terminal = np.zeros(n)
    terminal[-1] = (capex["land"].sum() + c.book_value_krw(facility, life_facility)
                    + c.book_value_krw(it, life_it))
    service = interest + principal
    # A vanishing debt service (a debt share near zero) makes the cover ratio overflow to inf,
    # which is its true value; it is not an error.
    with np.errstate(over="ignore"):
        dscr = np.divide(cfads, service, out=np.full(n, np.nan), where=service > 0)
    draw = np.zeros(n)
    draw[0] = debt
    project = -spend + cfads + terminal
    return {
        "capex_krw": spend, "revenue_krw": revenue_krw, "opex_krw": opex_krw,
        "depreciation_krw": depreciation, "tax_krw": tax, "cfads_krw": cfads, "debt_draw_krw": draw,
        "interest_krw": interest, "principal_krw": principal, "debt_service_krw": service,
        "dscr": dscr,
        "terminal_value_krw": terminal,
        "project_cash_flow_krw": project,
        "equity_cash_flow_krw": -spend + draw + cfads - service + terminal,
        "cumulative_project_krw": np.cumsum(project),
    }


def _energy_inputs(scenario: Scenario, design: Any, energy: Any) -> tuple[float, float, Note | None]:
    """Return (PUE, all-in price per kWh, fallback note) from the energy result or fallbacks."""
    annual = getattr(energy, "annual", None) or {}
    if "pue" in annual and "price_krw_per_kwh" in annual:
        return float(annual["pue"]), float(annual["price_krw_per_kwh"]), None
    pue, tariff = design_pue(scenario, design), scenario.economics.tariff_krw_per_kwh
    return pue, tariff, Note("no energy result: bill = mean IT power x PUE {pue} x {price} KRW/kWh",
                             pue=f"{pue:.2f}", price=f"{tariff:g}")


def _utilization(scenario: Scenario, simulation: Any, demand: Any) -> tuple[float, Note | None]:
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
            return u, Note("simulation utilisation {sim} not used: hours sold follow the demand, "
                           "capped at {cap} of capacity (economics.utilization_frac)",
                           sim=f"{sim:.0%}", cap=f"{u:.0%}")
        return u, None
    if "utilization_frac" in summary:
        return float(summary["utilization_frac"]), None
    return u, Note("no simulation result: utilisation {share} (economics.utilization_frac)", share=f"{u:.0%}")


def _realised_utilization(
    build: _Build, servers: _Servers, sold_gpu_h: np.ndarray, sold_vcpu_h: np.ndarray, cap_frac: float,
) -> np.ndarray:
    """Return the utilisation actually sold by year and server type.

    GPU servers by GPU-hours, CPU servers by vCPU-hours, others (storage) at ``cap_frac``.
    """
    util = np.full(build.fleet.shape, cap_frac)
    for per_server, sold_h in ((servers.n_vcpus, sold_vcpu_h), (servers.gpus_h100_eq, sold_gpu_h)):
        capacity_h = build.fleet @ per_server * H_PER_YEAR
        frac = np.divide(sold_h, capacity_h, out=np.zeros_like(capacity_h), where=capacity_h > 0)
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
        The summary is computed here; the tables are built on first read.
    """
    factors = factors or Factors()
    notes: list[Note] = []
    catalog, prices = scenario.servers(), server_costs(scenario)
    if plan is not None:
        build = _from_plan(scenario, plan, catalog)
    else:
        build = _without_plan(scenario, design, catalog, prices)
        notes.append(Note("no plan result: the phase-1 fleet runs the whole horizon, "
                          "replaced at end of life"))
    if plan is not None and not getattr(plan, "feasible", True):
        notes.append(Note("the plan breaks a limit ({limit}): costed as the schedule that breaks it least",
                          limit=plan.binding_limit))
    utilization, note = _utilization(scenario, simulation, demand)
    notes += [note] if note else []
    pue, price_kwh, note = _energy_inputs(scenario, design, energy)
    notes += [note] if note else []
    if getattr(demand, "by_year", None) is None:
        notes.append(Note("no demand result: sellable hours shared by economics.tenant_share_frac"))
    servers = _server_table(build.keys, catalog, prices)
    wanted = _demand_by_class(scenario, demand, catalog, prices)
    unit = unit_prices_krw(scenario, build, servers)
    revenue = revenue_by_class(scenario, build, servers, utilization, wanted, factors, unit)
    gpu_h = _by_year(build, revenue["year"], revenue["gpu_h"])
    util = _realised_utilization(build, servers, gpu_h, _by_year(build, revenue["year"], revenue["vcpu_h"]),
                                 utilization)
    load = c.server_load_frac(servers.idle_frac, servers.typical_frac, util)
    mean_it_kw = (build.fleet * load) @ servers.nameplate_kw
    bill_krw = _energy_bill_by_year(build, energy)
    if bill_krw is None:
        energy_krw = np.asarray(c.energy_cost_krw_per_y(mean_it_kw, pue, price_kwh * factors.tariff),
                                dtype=float)
        if energy is not None:
            notes.append(Note("no energy bill by plan year: "
                              "bill = mean IT power x annual PUE x all-in price"))
    else:
        energy_krw = bill_krw * factors.tariff
    bom = b.bill_of_materials(scenario, design) if design is not None else None
    capex = capex_by_year(scenario, build, factors, bom, design)
    opex = opex_by_year(scenario, build, capex, np.asarray(energy_krw, dtype=float), prices)
    lines = _revenue_lines(scenario, build, servers, revenue, unit, utilization, factors)
    revenue_krw = _by_year(build, lines["year"], lines["revenue_krw"])
    cash = cash_flow_table(scenario, capex, opex["opex_krw"], revenue_krw, servers)
    vcpu_h = _by_year(build, revenue["year"], revenue["vcpu_h"])
    sold = {"gpu_h": gpu_h, "vcpu_h": vcpu_h,
            "gpu_capacity_h": build.fleet @ servers.gpus_h100_eq * H_PER_YEAR,
            "vcpu_capacity_h": build.fleet @ (servers.n_vcpus * (servers.gpus_h100_eq <= 0)) * H_PER_YEAR}
    year = {"year": build.years}
    return Economics(
        capex=partial(_capex_parts_frame, capex),
        capex_by_year=partial(pd.DataFrame, year | {f"{p}_krw": v for p, v in capex.items()}),
        opex=partial(pd.DataFrame, year | opex),
        revenue=partial(pd.DataFrame, revenue),
        revenue_lines=partial(pd.DataFrame, lines),
        cash_flow=partial(pd.DataFrame, year | cash),
        bom=bom if bom is not None else pd.DataFrame(columns=["part", "item", "quantity", "cost_krw"]),
        summary=_summary(scenario, cash, sold, _cost_shares(build, servers))
        | {"facility_usd_per_w": b.usd_per_w(scenario, b.facility_krw_per_kw(scenario, design, bom))
           if bom is not None else float("nan"),
           "published_usd_per_w": scenario.economics.construction_cost_usd_per_w}
        | {f"revenue_{line}_krw": float(v) for line, v in _line_totals(lines).items()}
        | {"gpu_hour_price_change_frac_per_y": scenario.economics.gpu_hour_price_change_frac_per_y},
        fallbacks=tuple(notes),
    )


def _revenue_lines(
    scenario: Scenario, build: _Build, servers: _Servers, revenue: Columns, unit: dict[str, np.ndarray],
    utilization: float, factors: Factors,
) -> Columns:
    """Return what is sold by year and line (:func:`aidc.economics.prices.revenue_lines`).

    The GPU and CPU lines add up, year by year, to the tenant classes' revenue; storage nodes
    sell their TB at the capacity share ``utilization`` (no storage demand is surveyed).
    """
    net = 1.0 - np.asarray(revenue["discount_frac"], dtype=float)
    year = revenue["year"]
    storage_tb_months = build.fleet @ servers.storage_tb * pr.MONTHS_PER_YEAR * utilization
    cols = pr.revenue_lines(
        build.years, _by_year(build, year, revenue["gpu_h"] * net), _by_year(build, year, revenue["gpu_h"]),
        _by_year(build, year, revenue["vcpu_h"] * net), _by_year(build, year, revenue["vcpu_h"]),
        {k.split(":", 1)[1]: v for k, v in unit.items() if k.startswith("share:")},
        _h100_eq_per_gpu(servers), unit["vcpus_per_cpu_server"], storage_tb_months,
        scenario.economics.exchange_rate_krw_per_usd, gpu_price_factor(scenario, build))
    cols["revenue_krw"] = cols["revenue_krw"] * factors.price
    cols["price_krw"] = cols["price_krw"] * factors.price
    return cols


def _line_totals(lines: Columns) -> dict[str, float]:
    """Revenue over the horizon by line (GPU lines keyed ``gpu_h_<model>``) [KRW]."""
    out: dict[str, float] = {}
    for line, krw in zip(lines["line"], lines["revenue_krw"], strict=True):
        key = line.replace(":", "_")
        out[key] = out.get(key, 0.0) + float(krw)
    return out


def _capex_parts_frame(capex: dict[str, np.ndarray]) -> pd.DataFrame:
    """Return ``part, capex_krw, share_frac``: capital over the horizon by part."""
    total = np.array([capex[p].sum() for p in PARTS])
    return pd.DataFrame({"part": PARTS, "capex_krw": total, "share_frac": total / total.sum()})


def _energy_bill_by_year(build: _Build, energy: Any) -> np.ndarray | None:
    """Return the energy stage's bill of each plan year on the timeline [KRW], or None without one."""
    by_year = getattr(energy, "by_year", None)
    if by_year is None or not len(by_year):
        return None
    return _by_year(build, by_year["year"].to_numpy(), by_year["bill_krw"].to_numpy(float))


def _cost_shares(build: _Build, servers: _Servers) -> dict[str, np.ndarray]:
    """Return, by year, the share of capex and opex charged to GPU-hours and to CPU vCPU-hours.

    Each year's cost is split by the IT nameplate power of GPU servers and of CPU servers
    (storage rides with both, in proportion); the construction year takes the first year's mix.
    """
    gpu = servers.gpus_h100_eq > 0
    cpu = (servers.n_vcpus > 0) & ~gpu
    out = {}
    for name, mask in (("gpu", gpu), ("cpu", cpu)):
        power = build.fleet @ (servers.nameplate_kw * mask)
        compute = build.fleet @ (servers.nameplate_kw * (gpu | cpu))
        share = np.divide(power, compute, out=np.zeros_like(power), where=compute > 0)
        share[0] = share[1] if share.size > 1 else 0.0
        out[name] = share
    return out


def _levelised_or_nan(cost: np.ndarray, output: np.ndarray, capacity: np.ndarray, rate: float) -> float:
    """Levelised cost of an output, NaN when the fleet has no capacity for it (no GPUs: no GPU-hour)."""
    return f.levelised_cost(cost, output, rate) if capacity.sum() > 0 else float("nan")


def _summary(
    scenario: Scenario, cash: Columns, sold: dict[str, np.ndarray], shares: dict[str, np.ndarray],
) -> dict[str, float]:
    r = scenario.economics.discount_rate_frac
    project, equity = cash["project_cash_flow_krw"], cash["equity_cash_flow_krw"]
    cost = cash["capex_krw"] + cash["opex_krw"]
    gpu_h, vcpu_h = sold["gpu_h"], sold["vcpu_h"]
    dscr = cash["dscr"][~np.isnan(cash["dscr"])]
    cost_gpu_h = _levelised_or_nan(cost * shares["gpu"], gpu_h, sold["gpu_capacity_h"], r)
    return {
        "cost_krw_per_gpu_h": cost_gpu_h,
        "cost_krw_per_vcpu_h": _levelised_or_nan(cost * shares["cpu"], vcpu_h, sold["vcpu_capacity_h"], r),
        "gpu_utilization_sold_frac": _ratio(gpu_h.sum(), sold["gpu_capacity_h"].sum()),
        "vcpu_utilization_sold_frac": _ratio(vcpu_h.sum(), sold["vcpu_capacity_h"].sum()),
        "residual_value_krw": float(cash["terminal_value_krw"].sum()),
        "npv_krw": f.npv(r, project),
        "irr_frac": f.irr(project),
        "equity_npv_krw": f.npv(r, equity),
        "equity_irr_frac": f.irr(equity),
        "payback_y": f.payback_y(project),
        "lcoe_krw_per_gpu_h": cost_gpu_h,
        "min_dscr": float(dscr.min()) if dscr.size else float("nan"),
        "mean_dscr": _mean_overflow_to_inf(dscr),
        "capex_krw": float(cash["capex_krw"].sum()),
        "phase1_capex_krw": float(cash["capex_krw"][0]),
        "debt_krw": float(cash["debt_draw_krw"].sum()),
        "equity_krw": float(cash["capex_krw"][0] - cash["debt_draw_krw"][0]),
        "revenue_krw": float(cash["revenue_krw"].sum()),
        "opex_krw": float(cash["opex_krw"].sum()),
        "gpu_h": float(gpu_h.sum()),
        "vcpu_h": float(vcpu_h.sum()),
        "discount_rate_frac": r,
    }


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else float("nan")


def _mean_overflow_to_inf(values: np.ndarray) -> float:
    """Return the mean of ``values`` (NaN if empty); a sum past the float range is inf, not an error."""
    if not values.size:
        return float("nan")
    with np.errstate(over="ignore"):
        return float(values.mean())
