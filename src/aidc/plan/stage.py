"""The plan stage: scenario + design + demand -> :class:`PlanProblem` -> :class:`Plan`.

This module is the only one in :mod:`aidc.plan` that knows where the numbers come from
(scenario fields, the design, the demand, ``data/costs/servers.yaml``). Results of the other
stages are read by the fields that ``docs/contracts.md`` promises; when a stage result is not
given, the documented fallback is used and recorded in :func:`fallbacks`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aidc.data import load_yaml
from aidc.design import Design
from aidc.errors import InputError
from aidc.plan.problem import PlanProblem
from aidc.plan.solution import Plan, solve_problem
from aidc.scenario import Scenario, ServerType
from aidc.units import H_PER_YEAR, W_PER_KW

# The products a tenant needs, the server field that provides each, and their display unit.
PRODUCTS = {"n_gpus": "H100-eq GPUs", "n_vcpus": "vCPUs", "storage_tb": "TB"}


def server_costs(scenario: Scenario) -> dict[str, dict[str, float]]:
    """Return ``{server key: {price_usd, lifetime_y, h100_eq_per_gpu}}`` for the scenario's catalog.

    Values come from ``data/costs/servers.yaml``; ``economics.server_price_usd`` overrides prices.
    A server type without a price (a custom one) raises :class:`InputError`.
    """
    raw: dict[str, dict[str, Any]] = load_yaml("costs/servers.yaml")
    out: dict[str, dict[str, float]] = {}
    missing = []
    for key, server in scenario.servers().items():
        entry = {name: float(rec["value"]) for name, rec in raw.get(key, {}).items()}
        if key in scenario.economics.server_price_usd:
            entry["price_usd"] = float(scenario.economics.server_price_usd[key])
        if "price_usd" not in entry:
            missing.append(key)
            continue
        entry.setdefault("lifetime_y", float(raw["dgx_h100"]["lifetime_y"]["value"]))
        entry.setdefault("h100_eq_per_gpu", 1.0 if server.n_gpus else 0.0)
        out[key] = entry
    used = set(scenario.plan.server_options or ()) | set(scenario.fleet.servers or {}) | set(
        scenario.fleet.mix or {})
    bad = sorted(set(missing) & used)
    if bad:
        raise InputError.single(
            f"no price for server type(s) {', '.join(bad)}", field="economics.server_price_usd",
            expected="a price in USD for every custom server type the plan may buy",
        )
    return out


def provides(server: ServerType, h100_eq_per_gpu: float) -> dict[str, float]:
    """Return what one server provides per product (GPUs in H100-equivalents, vCPUs, TB).

    Examples
    --------
    >>> from aidc.scenario import shipped_servers
    >>> provides(shipped_servers()["dgx_b200"], 2.5)["n_gpus"]
    20.0
    """
    return {"n_gpus": server.n_gpus * h100_eq_per_gpu, "n_vcpus": float(server.n_vcpus),
            "storage_tb": float(server.storage_tb)}


def phase1_fleet(scenario: Scenario, design: Any = None) -> dict[str, int]:
    """Return the phase-1 server counts: the design's fleet, else the scenario's counts or mix.

    A mix share ``s`` of the IT capacity ``P`` gives ``floor(s * P / power_max)`` servers.
    """
    servers = getattr(getattr(design, "fleet", None), "servers", None)
    if servers:
        return {k: int(v) for k, v in servers.items()}
    if scenario.fleet.servers is not None:
        return dict(scenario.fleet.servers)
    catalog = scenario.servers()
    it_w = scenario.power.it_capacity_kw * W_PER_KW
    mix = scenario.fleet.mix or {}
    return {k: math.floor(share * it_w / catalog[k].power_max_w) for k, share in mix.items()}


def gpu_need_by_year(
    scenario: Scenario, design: Any = None, demand: Any = None, service_gpus: float | None = None,
    *, h100_eq: bool = True,
) -> dict[int, float] | None:
    """Return the GPUs needed in each demand year, tenant classes combined [GPU].

    In H100-equivalents (``h100_eq``, what the plan installs) or in the GPUs the jobs ask for.

    The coincident load of the demand's job stream (:mod:`aidc.design.need`: its highest hour,
    all classes together; a class whose ``by_year`` GPU-hours were rescaled, as the operations
    forecast does, scaled alike: :func:`aidc.design.need.class_scale`). With a
    service-level fleet (``service_gpus``, GPUs that meet the stated p95 waits in the simulated
    year) each year's need is that fleet grown with the coincident load: ``need_y x service_gpus /
    need_sim_year``, on the premise that the job mix grows as a whole. None without a demand.
    """
    from aidc.design.need import class_scale, coincident_need

    if getattr(demand, "by_need", None) is None or getattr(demand, "by_year", None) is None:
        return None
    # drawn once per input (memoised): the design stage drew the same streams for its check
    need = coincident_need(scenario, demand)
    scale = class_scale(need, demand.by_year)
    costs = server_costs(scenario)
    weight = {s.gpu_model: costs[k]["h100_eq_per_gpu"] for k, s in scenario.servers().items()
              if s.gpu_model and k in costs and h100_eq}
    out = need.peak_by_year(weight, scale)
    if service_gpus is not None:
        year = scenario.simulation.year if scenario.simulation.year is not None else scenario.start_year
        raw = need.peak_by_year(None, scale).get(year, 0.0)
        ratio = service_gpus / raw if raw > 0 else 1.0
        out = {y: v * ratio for y, v in out.items()}
    return out


def demand_by_year(
    scenario: Scenario, design: Any = None, demand: Any = None, service_gpus: float | None = None,
) -> pd.DataFrame:
    """Return what must be installed each plan year: columns ``year`` and one per product.

    From ``demand.by_year``: GPUs as the coincident need of :func:`gpu_need_by_year` (the
    service-level fleet when given), vCPUs and storage summed over tenant classes (reserved, so
    they do not share); years after the demand's last are held at the last value. Without a
    demand result the phase-1 fleet's capacity is the need of the first year, grown by
    ``plan.demand_growth_frac_per_y``.
    """
    years = scenario.start_year + np.arange(scenario.plan.horizon_y)
    costs = server_costs(scenario)
    by_year = getattr(demand, "by_year", None)
    if by_year is not None and len(by_year):
        factor = {s.gpu_model: costs[k]["h100_eq_per_gpu"] for k, s in scenario.servers().items()
                  if s.gpu_model and k in costs}
        df = by_year.assign(n_gpus=by_year["peak_gpus"] * by_year["gpu_model"].map(factor).fillna(1.0),
                            n_vcpus=by_year.get("cpu_vcpus", 0.0), storage_tb=by_year.get("storage_tb", 0.0))
        sums = df.groupby("year")[list(PRODUCTS)].sum()
        need = gpu_need_by_year(scenario, design, demand, service_gpus)
        if need is not None:
            sums["n_gpus"] = sums.index.map(need).to_numpy(float)
        sums = sums.reindex(years).ffill().fillna(0.0)
        return sums.rename_axis("year").reset_index()
    catalog = scenario.servers()
    base = {k: 0.0 for k in PRODUCTS}
    for key, n in phase1_fleet(scenario, design).items():
        for product, amount in provides(catalog[key], costs.get(key, {}).get("h100_eq_per_gpu", 0.0)).items():
            base[product] += n * amount
    growth = (1.0 + scenario.plan.demand_growth_frac_per_y) ** np.arange(years.size)
    return pd.DataFrame({"year": years, **{k: v * growth for k, v in base.items()}})


def design_pue(scenario: Scenario, design: Any = None) -> float:
    """Return the design PUE (``design.cooling.design_pue``), else ``plan.fallback_pue``."""
    pue = getattr(getattr(design, "cooling", None), "design_pue", None)
    return float(pue) if pue else scenario.plan.fallback_pue


def floors_per_block(scenario: Scenario, design: Any = None) -> float:
    """Return the floors one power block takes [floors].

    From the design (the floors its gross floor area fills, as a fraction, over its IT capacity in
    blocks: the whole floors it rounds up to would count a quarter-filled floor as a full one per
    block); without a design, the article's premise that the 8 MW phase 1 takes up to
    ``site.max_floors`` floors.
    """
    layout = getattr(design, "layout", None)
    floors = (layout.gross_floor_area_m2 / layout.footprint_max_m2
              if layout is not None and layout.footprint_max_m2 > 0 else None)
    it_kw = getattr(getattr(design, "power", None), "it_design_kw", None)
    if floors and it_kw:
        return float(floors) * scenario.plan.block_it_kw / float(it_kw)
    return scenario.site.max_floors * scenario.plan.block_it_kw / scenario.power.it_capacity_kw


def server_opex_krw_per_y(
    scenario: Scenario, server: ServerType, price_krw: float, pue: float, lifetime_y: float = 0.0,
) -> float:
    """Return the yearly running cost of one server: energy at the sold utilisation, plus support [KRW/y].

    ``P_max (idle + (typical - idle) u) PUE 8760 h tariff + maintenance_it price s``, where ``s``
    is the share of the server's life ``L`` not covered by the support its price includes,
    ``max(L - included, 0) / L`` (economics charges support only after those years; the plan
    spreads it evenly over the life, having no age per server). ``lifetime_y`` 0: ``s = 1``.
    """
    econ = scenario.economics
    idle, typical = server.power_idle_frac, server.power_typical_frac
    load_frac = idle + (typical - idle) * econ.utilization_frac
    energy_kwh = server.power_max_w / W_PER_KW * load_frac * pue * H_PER_YEAR
    paid = max(lifetime_y - econ.it_support_included_y, 0.0) / lifetime_y if lifetime_y > 0 else 1.0
    return energy_kwh * econ.tariff_krw_per_kwh + econ.maintenance_it_frac_per_y * price_krw * paid


def problem_from_scenario(
    scenario: Scenario, design: Any = None, demand: Any = None, service_gpus: float | None = None,
) -> PlanProblem:
    """Assemble the :class:`PlanProblem` of a scenario (the stage function of the plan)."""
    plan, econ = scenario.plan, scenario.economics
    need = demand_by_year(scenario, design, demand, service_gpus)
    products = tuple(k for k in PRODUCTS if need[k].max() > 0)
    costs, catalog = server_costs(scenario), scenario.servers()
    keys = server_options(scenario, products, design)
    n_t = plan.horizon_y
    pue = design_pue(scenario, design)
    fx = econ.exchange_rate_krw_per_usd
    decline = (1.0 - plan.server_price_decline_frac_per_y) ** np.arange(n_t)
    price_krw = np.array([costs[k]["price_usd"] * fx * (1.0 + econ.network_cost_frac_of_it) for k in keys])
    prices = _priced(scenario, design, n_t, np.outer(price_krw, decline).reshape(len(keys), n_t))
    block_capex = plan.block_it_kw * W_PER_KW * econ.construction_cost_usd_per_w * fx
    fixed_frac = (econ.maintenance_facility_frac_per_y + econ.insurance_frac_per_y
                  + econ.property_tax_frac_per_y)
    # plan year t is sold in timeline year t + 1 of economics, on the same GPU-hour price path
    gpu_price_path = (1.0 + econ.gpu_hour_price_change_frac_per_y) ** (np.arange(n_t) + 1.0)
    lost_per_unit_y = {"n_gpus": econ.price_krw_per_gpu_h * H_PER_YEAR * gpu_price_path,
                       "n_vcpus": np.full(n_t, econ.price_krw_per_vcpu_h * H_PER_YEAR),
                       "storage_tb": np.full(n_t, np.inf)}
    n_phase1 = math.ceil(scenario.power.it_capacity_kw / plan.block_it_kw - 1e-9) if plan.phase1_fixed else 0
    capacity = np.array([[provides(catalog[k], costs[k]["h100_eq_per_gpu"])[p] for p in products]
                         for k in keys]).reshape(len(keys), len(products))
    # Demand that none of the scenario's server types can serve is unserved at its lost revenue,
    # not an infeasible plan: the article's 800 W fleet simply sells no GPU-hours.
    served = np.asarray(capacity.any(axis=0), dtype=bool) if keys else np.zeros(len(products), dtype=bool)
    design_fleet = getattr(getattr(design, "fleet", None), "servers", None) or {}
    return PlanProblem(
        years=need["year"].to_numpy(dtype=int),
        discount_rate_frac=econ.discount_rate_frac,
        products=products,
        demand=need[list(products)].to_numpy(dtype=float).T.reshape(len(products), n_t),
        options=tuple(keys),
        capacity=capacity,
        it_kw=np.array([catalog[k].power_max_w / W_PER_KW for k in keys]),
        lifetime_y=np.array([int(costs[k]["lifetime_y"]) for k in keys], dtype=int),
        capex_krw=prices.server_krw,
        network_capex_krw=prices.server_network_krw,
        fixed_capex_krw=prices.fixed_krw,
        opex_krw_per_y=np.repeat([[server_opex_krw_per_y(scenario, catalog[k], price_krw[i], pue,
                                                         float(costs[k]["lifetime_y"]))]
                                  for i, k in enumerate(keys)], n_t, axis=1).reshape(len(keys), n_t),
        available=np.ones((len(keys), n_t), dtype=bool),
        block_it_kw=plan.block_it_kw,
        block_capex_krw=prices.block_krw if prices.block_krw is not None else np.full(n_t, block_capex),
        block_opex_krw_per_y=fixed_frac * (float(prices.block_krw[0]) if prices.block_krw is not None
                                           else block_capex),
        block_lifetime_y=int(round(plan.facility_lifetime_y)),
        floors_per_block=floors_per_block(scenario, design),
        pue=pue,
        grid_limit_kw=np.full(n_t, plan.grid_limit_kw),
        max_floors=float(plan.max_floors or scenario.site.max_floors),
        budget_krw=np.full(n_t, plan.budget_krw_per_y or np.inf),
        min_blocks=np.full(n_t, n_phase1, dtype=int),
        shortfall_penalty_krw=np.array([np.zeros(n_t) if not served[i] else lost_per_unit_y[p]
                                        if plan.allow_shortfall else np.full(n_t, np.inf)
                                        for i, p in enumerate(products)]).reshape(len(products), n_t),
        units={p: PRODUCTS[p] for p in products},
        integer_servers=plan.integer_servers,
        phase1_servers=np.array([float(design_fleet.get(k, 0)) for k in keys]) if design_fleet else None,
    )


@dataclass(frozen=True, slots=True)
class _Prices:
    server_krw: np.ndarray  # (O, T) one server bought each plan year, its network share included
    server_network_krw: np.ndarray  # (O, T) that network share
    block_krw: np.ndarray | None  # (T,) one power block; None: the published cost per watt
    fixed_krw: dict[str, np.ndarray]  # the phase-1 design's racks and fabric, by plan year


def _priced(scenario: Scenario, design: Any, n_t: int, server_krw: np.ndarray) -> _Prices:
    """Price the plan's purchases as economics will cost them.

    With a design, its bill of materials (:mod:`aidc.design.bom`): each block costs the design's
    facility per kW, escalated to the year it is paid (plan year ``t`` is paid in ``start_year - 1
    + t``, the build year before it opens, as economics books it); phase 1 buys the design's racks
    and fabric, so servers of the first year carry no network share. Without one, the published
    cost per watt and a network share on every server (``economics.network_cost_frac_of_it``).
    """
    frac = scenario.economics.network_cost_frac_of_it
    network = server_krw * frac / (1.0 + frac)
    if not isinstance(design, Design):
        return _Prices(server_krw, network, None, {})
    from aidc.design import bom as b

    materials = b.bill_of_materials(scenario, design)
    paid = b.build_year(scenario) + np.arange(n_t)
    block = sum(b.block_capex_krw(scenario, design, materials, scenario.plan.block_it_kw, paid).values(),
                np.zeros(n_t))
    server_krw, network = server_krw.copy(), network.copy()
    server_krw[:, 0] -= network[:, 0]
    network[:, 0] = 0.0
    fabric = b.fabric_capex_krw(materials)
    first = np.eye(1, n_t, 0).ravel()  # bought with phase 1, in the first plan year
    fixed = {item: first * fabric[part] for item, part in (("racks", "it"), ("fabric", "network"))}
    return _Prices(server_krw, network, np.asarray(block, dtype=float), fixed)


def server_options(scenario: Scenario, products: tuple[str, ...], design: Any = None) -> list[str]:
    """Return the server types the plan may buy.

    ``plan.server_options`` when given; else the scenario's own types (the design's fleet, or
    ``fleet.servers`` / ``fleet.mix``); with ``plan.catalog_wide`` every priced catalog type that
    serves one of ``products``.
    """
    plan = scenario.plan
    if plan.server_options:
        return list(plan.server_options)
    costs = server_costs(scenario)
    if plan.catalog_wide:
        return [k for k, s in scenario.servers().items() if k in costs and any(
            provides(s, costs[k]["h100_eq_per_gpu"])[prod] > 0 for prod in products)]
    fleet = scenario.fleet
    own = getattr(getattr(design, "fleet", None), "servers", None) or fleet.servers or fleet.mix
    return [k for k in own or {} if k in costs]


def fallbacks(scenario: Scenario, design: Any = None, demand: Any = None) -> list[str]:
    """Return, in words, which stage results were missing and what was used instead."""
    out = []
    if getattr(demand, "by_year", None) is None:
        growth = scenario.plan.demand_growth_frac_per_y
        out.append(f"no demand result: phase-1 fleet capacity grown {growth:.0%}/y")
    if design is None:
        out.append(f"no design result: PUE {scenario.plan.fallback_pue} and "
                   f"{scenario.site.max_floors} floors for {scenario.power.it_capacity_kw:,.0f} kW")
    return out


def optimize(
    scenario: Scenario, design: Any = None, demand: Any = None, *, service_gpus: float | None = None,
    time_limit_s: float = 60.0,
) -> Plan:
    """Find the least-cost build schedule of a scenario over its horizon.

    Parameters
    ----------
    scenario : Scenario
        Limits (``plan.*``, ``site.max_floors``), costs and prices (``economics.*``).
    design : Design, optional
        Phase-1 design: PUE, floors per block, fleet (see ``docs/contracts.md``).
    demand : Demand, optional
        ``demand.by_year``: what must be installed each year.
    service_gpus : float, optional
        GPUs of the service-level fleet in the simulated year (:func:`aidc.service.smallest_fleet`):
        the GPU need is sized to it (:func:`gpu_need_by_year`). None: the coincident load.

    Returns
    -------
    Plan
        Schedule, capacity by year and, when no plan fits, the limit that binds.
    """
    return solve_problem(problem_from_scenario(scenario, design, demand, service_gpus),
                         time_limit_s=time_limit_s)
