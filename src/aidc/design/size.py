"""The design stage's entry point: :func:`size` a facility for a scenario."""

from __future__ import annotations

from typing import Any

from aidc.design import availability, catalog, checks, fleet, stages
from aidc.design.need import GpuNeed, coincident_need
from aidc.design.results import Design, NetworkDesign, RackGroup
from aidc.errors import InputError
from aidc.scenario import Scenario

_MAX_PASSES = 6  # fleet <-> network fixed point when the network shares the IT capacity


def _gpu_need(scenario: Scenario, demand: Any) -> GpuNeed | None:
    """Return the coincident GPU load of a :class:`aidc.demand.Demand` (None without its needs)."""
    if getattr(demand, "by_need", None) is None or getattr(demand, "by_year", None) is None:
        return None
    return coincident_need(scenario, demand)


def size(scenario: Scenario, demand: Any = None) -> Design:
    """Size the facility of a scenario: fleet, racks, floors, power chain, cooling, network, checks.

    Parameters
    ----------
    scenario : Scenario
        The plan. ``fleet.mix`` shares of ``power.it_capacity_kw`` (or ``fleet.servers`` counts)
        give the servers; ``facility`` and ``site`` give the design choices and limits.
    demand : Demand, optional
        If given, its coincident GPU load is computed (:mod:`aidc.design.need`) and a
        ``demand_gpus`` check compares the fleet's GPUs with that of the first planning year.

    Returns
    -------
    Design
        Never truncated to fit: a design that breaks a limit has failing checks.

    Raises
    ------
    InputError
        A server type placed in no hall, or a fleet without servers.

    Examples
    --------
    >>> from aidc.scenario import load_scenario
    >>> d = size(load_scenario("jeonbuk-phase1"))
    >>> d.fleet.servers
    {'reference_800w': 10000}
    """
    cat = catalog.load()
    servers = scenario.servers()
    fac, cap = scenario.facility, scenario.power.it_capacity_kw
    keys = list(scenario.fleet.servers or scenario.fleet.mix or {})
    placed = stages.hall_of_server_types(scenario, keys)

    def build(budget_kw: float) -> tuple[dict[str, int], list[RackGroup], NetworkDesign, float]:
        counts = stages.fleet_counts(scenario, servers, budget_kw)
        backend, frontend = stages.fabrics(scenario, counts, servers, cat)
        groups = stages.server_rack_groups(scenario, counts, servers, placed, cat)
        groups += stages.network_rack_groups(scenario, backend, frontend, counts, servers, placed, cat)
        net = stages.network_design(backend, frontend, sum(g.n_racks for g in groups), cat)
        server_kw = sum(n * servers[k].power_max_w for k, n in counts.items()) / 1000.0
        return counts, groups, net, server_kw

    counts, groups, net, server_kw = build(cap)
    if fac.network_in_it_capacity and scenario.fleet.mix:
        # Fixed point: servers get what the network leaves. Shrink while over the capacity,
        # regrow while under it, keep the largest fleet that fits.
        fitting = None
        for _ in range(_MAX_PASSES):
            fits = server_kw + net.power_kw <= cap
            if fits and (fitting is None or server_kw > fitting[3]):
                fitting = (counts, groups, net, server_kw)
            budget = cap - net.power_kw
            if fits and budget <= server_kw:
                break
            counts, groups, net, server_kw = build(budget)
        counts, groups, net, server_kw = fitting or (counts, groups, net, server_kw)
    if server_kw <= 0:
        raise InputError.single(
            "the fleet has no servers: nothing to design",
            field="fleet", found=counts, expected="at least one server (a count, or a mix share of a "
            "capacity larger than one server's power)",
        )

    oob_kw = cat.switches["sn2201"].power_design_kw
    net_by_hall: dict[str, float] = {}
    for g in groups:
        kw = g.n_units * g.unit_power_kw if g.is_network else 0.0
        if g.content == "network:backend":
            kw += net.services_power_kw
        net_by_hall[g.hall] = net_by_hall.get(g.hall, 0.0) + kw + g.n_racks * oob_kw
    halls = stages.hall_designs(scenario, groups, net_by_hall, cat)
    fl = stages.fleet_design(scenario, counts, servers, net.power_kw)
    pw, cl = stages.power_and_cooling(scenario, halls, fl.it_power_kw, cat)
    lay = stages.layout_design(scenario, halls, groups, pw, cl, cat)
    need = _gpu_need(scenario, demand)
    need_by_year = need.peak_by_year() if need is not None else None
    av = availability.facility_availability(pw, cl)  # once: the checks and the design show the same
    found = checks.design_checks(scenario, fl, lay, pw, cl, net, need_by_year, av)
    return Design(
        scenario=scenario.name, article=fleet.article_arithmetic(cap, servers), fleet=fl, layout=lay,
        power=pw, cooling=cl, network=net, checks=found, binding_limit=checks.binding_limit(found),
        availability=av,
        gpu_need_by_year=need_by_year,
        gpu_sum_of_peaks_by_year=None if need is None else dict(need.sum_of_peaks_by_year),
    )
