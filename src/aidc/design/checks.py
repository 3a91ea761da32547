"""Checks: does the design fit its limits, and which limit binds.

Each :class:`~aidc.design.results.Check` compares a value with a limit (``sense='max'``:
value must not exceed it; ``'min'``: must reach it). ``kind='limit'`` checks are the limits
of the plan and site (IT capacity, floors, FAR, floor loading, yard, roof, a given grid
contract); ``'design'`` checks hold by construction unless the inputs make them impossible
(racks are packed up to their power and weight limits; redundancy, coverage, fabric tiers).
A fleet given as a mix fills the IT capacity, so the capacity binds with a margin of the
rounding to whole servers; the report then names the next-tightest limit too.
The binding limit is the ``limit`` check — or any failing check — with the smallest margin.
"""

from __future__ import annotations

import math

from aidc.design.availability import facility_availability
from aidc.design.power import capacity_after_spares_kw
from aidc.design.results import (
    AvailabilityDesign,
    Check,
    CheckKind,
    CoolingDesign,
    FleetDesign,
    LayoutDesign,
    NetworkDesign,
    PowerDesign,
    Sense,
)
from aidc.scenario import Scenario

_REL_TOL = 1e-9
_MAX_TIERS = 3  # network.fat_tree reports 4 when a 3-tier fat tree of this radix is too small


def fmt(value: float) -> str:
    """Format a figure for a message: thousands separators, few decimals.

    Examples
    --------
    >>> fmt(12054.49), fmt(14.49), fmt(0.8016)
    ('12,054', '14.5', '0.802')
    """
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if size >= 10 else f"{value:,.3g}"


def check(name: str, value: float, limit: float, unit: str, what: str, sense: Sense = "max",
          kind: CheckKind = "limit") -> Check:
    """Build a check with a message saying the margin, or by how much the limit is exceeded.

    Examples
    --------
    >>> c = check("floors", 6.2, 5, "floors", "floors needed")
    >>> c.ok, round(c.margin_frac, 2)
    (False, -0.24)
    >>> c.message
    'floors needed: 6.2 floors > limit 5 floors — over by 1.2 floors (24.0 %)'
    """
    if sense == "max":
        ok = value <= limit * (1 + _REL_TOL) + _REL_TOL
        rel, gap = ("≤" if ok else ">"), limit - value
    else:
        ok = value >= limit * (1 - _REL_TOL) - _REL_TOL
        rel, gap = ("≥" if ok else "<"), value - limit
    pct = abs(gap / limit) * 100 if limit else 100.0
    if ok:
        tail = f"{fmt(abs(gap))} {unit} ({pct:.1f} %) spare"
    else:
        tail = f"{'over' if sense == 'max' else 'short'} by {fmt(abs(gap))} {unit} ({pct:.1f} %)"
    msg = f"{what}: {fmt(value)} {unit} {rel} limit {fmt(limit)} {unit} — {tail}"
    return Check(name, ok, float(value), float(limit), unit, msg, sense, kind)


def design_checks(scenario: Scenario, fl: FleetDesign, lay: LayoutDesign, pw: PowerDesign,
                  cl: CoolingDesign, net: NetworkDesign, need_by_year: dict[int, float] | None = None,
                  availability: AvailabilityDesign | None = None) -> list[Check]:
    """Every check of a design, in reading order.

    With a demand, ``demand_gpus`` compares the fleet's GPUs with the coincident GPU load of the
    first planning year (the year phase 1 opens; :mod:`aidc.design.need`), not with a sum of
    each tenant class's peak; the years after are the plan's to cover (:func:`years_met`).
    """
    fac = scenario.facility
    it_value = fl.it_power_kw if fac.network_in_it_capacity else fl.server_power_kw
    it_what = "servers + network power" if fac.network_in_it_capacity else "server power (nameplate)"
    worst = max(lay.rack_groups, key=lambda g: g.rack_power_kw / _hall_limit(lay, g.hall), default=None)
    out = [
        check("it_capacity", it_value, fl.it_capacity_kw, "kW", it_what),
        check("floors", lay.gross_floor_area_m2 / lay.footprint_max_m2, lay.floors_allowed, "floors",
              f"floors needed at the largest footprint ({lay.floors_used} used)"),
        check("floor_area_ratio", lay.gross_floor_area_m2, lay.gross_floor_area_max_m2, "m2",
              "gross floor area vs floor-area ratio (용적률)"),
        check("building_coverage", lay.building_footprint_m2, lay.footprint_max_m2, "m2",
              "building footprint vs coverage ratio (건폐율)", kind="design"),
        check("rack_power", worst.rack_power_kw if worst else 0.0,
              _hall_limit(lay, worst.hall) if worst else 1.0, "kW",
              f"rack power ({worst.content} in {worst.hall})" if worst else "rack power", kind="design"),
        check("rack_weight", lay.rack_weight_max_kg, fac.rack_weight_max_kg, "kg", "heaviest rack",
              kind="design"),
        check("floor_loading", lay.floor_loading_kg_per_m2, scenario.site.floor_loading_max_kg_per_m2,
              "kg/m2", "floor loading of the heaviest rack over its tributary area"),
        check("generator_yard", lay.generator_yard_m2, lay.yard_available_m2, "m2",
              "generator yard and substation vs open site area inside the setbacks"),
        check("roof_plant", lay.roof_plant_m2, lay.building_footprint_m2, "m2",
              "cooling towers vs roof area"),
        check("grid_contract", pw.grid_contract_kw, pw.facility_peak_kw, "kW",
              "grid contract vs facility peak", sense="min",
              kind="limit" if pw.grid_contract_given else "design"),
        check("ups_redundancy",
              capacity_after_spares_kw(pw.n_ups_modules, pw.ups_module_kw, pw.ups_redundancy),
              pw.ups_load_kw, "kW", f"UPS capacity with the {pw.ups_redundancy} spares out",
              sense="min", kind="design"),
        check("generator_redundancy",
              capacity_after_spares_kw(pw.n_generators, pw.generator_kw, pw.generator_redundancy),
              pw.facility_peak_kw, "kW",
              f"generator capacity with the {pw.generator_redundancy} spares out",
              sense="min", kind="design"),
        check("cooling_redundancy",
              capacity_after_spares_kw(cl.n_chillers, cl.chiller_kw, cl.cooling_redundancy),
              cl.chiller_load_kw, "kW", f"chiller capacity with the {cl.cooling_redundancy} spares out",
              sense="min", kind="design"),
    ]
    out += [
        check(f"{f.name}_fabric_tiers", f.n_tiers, _MAX_TIERS, "tiers", f"{f.name} network tiers",
              kind="design")
        for f in (net.backend, net.frontend) if f.n_endpoints
    ]
    out += availability_checks(availability if availability is not None else facility_availability(pw, cl))
    peaks = need_by_year or {}
    if peaks:
        first = min(peaks)
        out.append(check("demand_gpus", fl.n_gpus, math.ceil(peaks[first] - 1e-9), "GPU",
                         f"fleet GPUs vs coincident demand in {first}", sense="min", kind="demand"))
    return out


def availability_checks(av: AvailabilityDesign) -> list[Check]:
    """Check the computed downtime of power and cooling, and the Uptime Tier their topology meets.

    Downtime is held to the figure Uptime Institute gives the target Tier; the topology to the target
    Tier itself (:mod:`aidc.design.availability`).
    """
    return [
        check("availability", av.downtime_h_per_y, av.tier_target_downtime_h_per_y, "h/y",
              f"expected downtime of power and cooling (availability {av.availability_frac:.6%}) "
              f"vs Uptime Tier {av.tier_target}", kind="design"),
        check("tier_topology", av.tier_met, av.tier_target, "tier",
              "Uptime Tier the redundancy topology meets", sense="min", kind="design"),
    ]


def years_met(supply: float, need_by_year: dict[int, float]) -> tuple[int | None, int | None, float]:
    """Return until when ``supply`` meets the need, the first year it falls short, and by how much.

    ``(last year met before the first short one or None, first short year or None, shortfall
    that year)``; a need is met when the supply reaches it rounded up to whole GPUs.

    Examples
    --------
    >>> years_met(100, {2028: 80.0, 2029: 99.5, 2030: 130.2, 2031: 90.0})
    (2029, 2030, 31.0)
    >>> years_met(100, {2028: 120.0}), years_met(100, {2028: 20.0})
    ((None, 2028, 20.0), (2028, None, 0.0))
    """
    last = None
    for year in sorted(need_by_year):
        need = math.ceil(need_by_year[year] - 1e-9)
        if supply < need:
            return last, year, float(need - supply)
        last = year
    return last, None, 0.0


def _hall_limit(lay: LayoutDesign, hall: str) -> float:
    return next(h.rack_power_max_kw for h in lay.halls if h.name == hall)


def binding_limit(checks: list[Check]) -> str | None:
    """Name the tightest limit: smallest margin among ``limit`` checks and failing checks.

    Examples
    --------
    >>> binding_limit([check("a", 4, 5, "x", "a"), check("b", 9, 10, "x", "b")])
    'b'
    """
    candidates = [c for c in checks if c.kind == "limit" or not c.ok]
    if not candidates:
        return None
    return min(candidates, key=lambda c: c.margin_frac).name
