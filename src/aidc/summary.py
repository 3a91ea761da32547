"""The one summary of a run: headline figures computed once from a :class:`~aidc.pipeline.Result`.

:func:`summarize` reads the stage results and returns a frozen :class:`Summary`; the report,
the workbook, ``aidc run``, the web pages and the sweep table render that object and compute
none of its figures themselves. Field names carry their unit; a figure a run cannot give (no
GPUs, so no cost per GPU-hour; no plan, so no phase 2) is None, never a made-up value.

Every summary also runs the run's consistency checks (:class:`Consistency`): the yearly
electricity cost agrees between the energy stage and the economics line, CAPEX parts add up
to the total, no GPU-hour figure exists without GPUs, the plan buys only the scenario's server
types. A failed check is kept in ``Summary.consistency`` and named in ``Summary.warnings``,
which every output shows.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from aidc.data import load_yaml
from aidc.design.checks import years_met

if TYPE_CHECKING:
    from aidc.pipeline import Result

#: Relative difference below which two figures of the same quantity agree (float round-off).
AGREE_REL = 1e-6


@dataclass(frozen=True, slots=True)
class Consistency:
    """One cross-check of a run: two figures that must agree, and whether they do."""

    name: str
    ok: bool
    value: float
    expected: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Summary:
    """The headline figures of one run (None: the run cannot give this figure).

    Money is in KRW, power in kW, areas in m²; ``*_by_year`` maps a calendar year to the value.
    ``tightest_check`` is the worst failing design check or, when all pass, the closest to failing
    of those that can bind (site and plan limits, the demand check; not those that hold by
    construction).
    ``gpu_need_by_year`` is the GPUs needed each year with tenant classes combined by their
    coincident load (:mod:`aidc.design.need`), or, when the scenario states service levels, the
    service-level fleet (``service_n_gpus`` in the simulated year, ``service_binding_class`` the
    class that binds) grown with that load; ``gpu_demand_peak_n`` is its largest year and
    ``gpu_need_sum_of_peaks_n`` the old sum of each class's peak, to show what diversity saves.
    ``gpu_gap_n`` is the largest need minus the GPUs the phase-1 design installs (positive:
    short); phase 1 meets the need until ``phase1_meets_until_year`` and is first short in
    ``gpu_first_short_year`` by ``gpu_first_short_n`` GPUs. ``gpu_short_years`` are the plan
    years whose installed GPUs (phase 2 included) still fall short of the need.
    ``envelope_fill_frac_by_year`` is the share of the announced IT capacity (the 8 MW envelope)
    that the plan's installed servers fill each year (load beyond it counts as full);
    ``envelope_unused_capex_krw`` what the unfilled share of the phase-1 facility (building,
    electrical, mechanical) costs in year 0, and ``envelope_idle_cost_krw_by_year`` its yearly
    carrying cost (:func:`idle_envelope_cost_krw`; ``envelope_idle_cost_krw`` over the horizon).
    ``revenue_by_line_krw`` is the horizon's revenue by what the fleet sells (``gpu_h:<model>``,
    ``vcpu_h``, ``server_month``, ``storage_tb_month``); the lines add up to ``revenue_krw``.
    ``npv_by_line_krw`` is the present value of each cash-flow line as it counts in the NPV
    (``revenue``, ``opex`` and ``tax`` negative, ``capex:<part>`` negative, ``residual_value``);
    the lines add up to ``npv_krw``.
    ``min_dscr_reason`` says why the lowest debt cover is what it is (:func:`dscr_reason`);
    ``residual_value_krw`` is the value left at the horizon, by ``residual_value_method``.
    ``gpu_hour_price_change_frac_per_y`` is the yearly change of the GPU-hour list prices the
    revenue assumes (``economics.gpu_hour_price_change_frac_per_y``).
    ``estimates_by_figure`` names, for each figure (a field of this class) that rests on a
    catalog figure of ``type: estimate`` (a GPU's speed factor, a server price, a list price, a
    facility unit cost), those estimates as ``file:key`` (:func:`estimate_keys`);
    ``estimates_used`` lists them all.
    """

    scenario_name: str
    scenario_hash: str
    it_capacity_kw: float
    site_area_m2: float
    floors_allowed_n: int
    n_respondents: int | None = None
    it_power_kw: float | None = None
    n_servers: int | None = None
    n_servers_by_type: dict[str, int] | None = None
    n_gpus: int | None = None
    n_gpus_by_model: dict[str, int] | None = None
    n_vcpus: int | None = None
    n_racks: int | None = None
    floors_used_n: int | None = None
    gross_floor_area_m2: float | None = None
    site_use_frac: float | None = None
    grid_contract_kw: float | None = None
    facility_peak_kw: float | None = None
    design_pue: float | None = None
    annual_pue: float | None = None
    facility_energy_mwh: float | None = None
    carbon_t: float | None = None
    tightest_check: str | None = None
    tightest_check_ok: bool | None = None
    tightest_check_margin_frac: float | None = None
    n_checks: int | None = None
    n_checks_failed: int | None = None
    gpu_demand_peak_n: float | None = None
    gpu_need_sum_of_peaks_n: float | None = None
    gpu_need_by_year: dict[int, float] | None = None
    gpu_gap_n: float | None = None
    phase1_meets_until_year: int | None = None
    gpu_first_short_year: int | None = None
    gpu_first_short_n: float | None = None
    service_n_gpus: int | None = None
    service_binding_class: str | None = None
    gpu_short_years: tuple[int, ...] | None = None
    phase2_year: int | None = None
    plan_binding_limit: str | None = None
    envelope_fill_frac_by_year: dict[int, float] | None = None
    envelope_fill_first_year_frac: float | None = None
    envelope_unused_capex_krw: float | None = None
    envelope_idle_cost_krw_by_year: dict[int, float] | None = None
    envelope_idle_cost_krw: float | None = None
    sim_utilization_frac: float | None = None
    mean_wait_s: float | None = None
    p95_wait_s: float | None = None
    capex_krw: float | None = None
    capex_by_part_krw: dict[str, float] | None = None
    facility_usd_per_w: float | None = None
    published_usd_per_w: float | None = None
    phase1_capex_krw: float | None = None
    electricity_cost_krw_by_year: dict[int, float] | None = None
    electricity_cost_first_year_krw: float | None = None
    revenue_krw: float | None = None
    npv_by_line_krw: dict[str, float] | None = None
    revenue_by_line_krw: dict[str, float] | None = None
    opex_krw: float | None = None
    npv_krw: float | None = None
    irr_frac: float | None = None
    payback_y: float | None = None
    min_dscr: float | None = None
    min_dscr_year: int | None = None
    min_dscr_reason: str | None = None
    residual_value_krw: float | None = None
    residual_value_method: str | None = None
    cost_krw_per_gpu_h: float | None = None
    gpu_hour_price_change_frac_per_y: float | None = None
    cost_krw_per_vcpu_h: float | None = None
    gpu_utilization_sold_frac: float | None = None
    vcpu_utilization_sold_frac: float | None = None
    estimates_used: tuple[str, ...] = ()
    estimates_by_figure: dict[str, tuple[str, ...]] | None = None
    consistency: tuple[Consistency, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Names of the consistency checks that failed (empty when the run agrees with itself)."""
        return tuple(c.name for c in self.consistency if not c.ok)

    def scalars(self) -> dict[str, float | int | str | bool]:
        """Return the scalar fields (a sweep row): dicts and tuples left out, None dropped."""
        out: dict[str, float | int | str | bool] = {}
        for name, value in asdict(self).items():
            if isinstance(value, bool | int | float | str):
                out[name] = value
        out["n_warnings"] = len(self.warnings)
        return out


def _finite(value: Any) -> float | None:
    """Return ``value`` as a float, or None when absent or not finite (NaN is a stage's "none")."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _agree(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=AGREE_REL, abs_tol=1.0)


def _design_figures(result: Result) -> dict[str, Any]:
    d = result.design
    if d is None:
        return {}
    lay = d.layout
    failing = [c for c in d.checks if not c.ok]
    # When all pass, the closest of the checks that can bind: a 'design' check holds by
    # construction (racks packed to their power limit have 0 % spare by design, not by luck).
    can_bind = [c for c in d.checks if c.kind != "design"]
    worst = min(failing or can_bind or d.checks, key=lambda c: c.margin_frac, default=None)
    return {
        "it_power_kw": float(d.fleet.it_power_kw),
        "n_servers": int(d.fleet.n_servers),
        "n_servers_by_type": {k: int(v) for k, v in d.fleet.servers.items()},
        "n_gpus": int(d.fleet.n_gpus),
        "n_gpus_by_model": {k: int(v) for k, v in d.fleet.n_gpus_by_model.items()},
        "n_vcpus": int(d.fleet.n_vcpus),
        "n_racks": int(lay.n_racks),
        "floors_used_n": int(lay.floors_used),
        "gross_floor_area_m2": float(lay.gross_floor_area_m2),
        "site_use_frac": (float(lay.gross_floor_area_m2 / lay.gross_floor_area_max_m2)
                          if lay.gross_floor_area_max_m2 else None),
        "grid_contract_kw": float(d.power.grid_contract_kw),
        "facility_peak_kw": float(d.power.facility_peak_kw),
        "design_pue": float(d.cooling.design_pue),
        "tightest_check": None if worst is None else worst.name,
        "tightest_check_ok": None if worst is None else bool(worst.ok),
        "tightest_check_margin_frac": None if worst is None else float(worst.margin_frac),
        "n_checks": len(d.checks),
        "n_checks_failed": len(failing),
    }


def _gap_figures(result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {}
    design, service = result.design, result.service
    if service is not None:
        out |= {"service_n_gpus": service.n_gpus, "service_binding_class": service.binding_class}
    need = _gpu_need(result)
    if need:
        out["gpu_need_by_year"] = need
        out["gpu_demand_peak_n"] = max(need.values())
        sums = (design.gpu_sum_of_peaks_by_year if design is not None else None) or {}
        out["gpu_need_sum_of_peaks_n"] = max(sums.values()) if sums else None
        if design is not None:
            supply = float(design.fleet.n_gpus)
            out["gpu_gap_n"] = math.ceil(max(need.values()) - 1e-9) - supply
            met, short, short_n = years_met(supply, need)
            out |= {"phase1_meets_until_year": met, "gpu_first_short_year": short,
                    "gpu_first_short_n": short_n if short is not None else None}
    plan = result.plan
    if plan is not None:
        out["phase2_year"] = plan.phase2_year
        out["plan_binding_limit"] = plan.binding_limit
        cap = plan.capacity_by_year
        out["envelope_fill_frac_by_year"] = fill = envelope_fill_frac(
            cap["year"], cap["it_load_kw"], float(result.scenario.power.it_capacity_kw))
        out["envelope_fill_first_year_frac"] = next(iter(fill.values()), None)
        if "n_gpus_short" in cap:
            short_years = cap.loc[cap["n_gpus_short"] > 1e-6, "year"]
            out["gpu_short_years"] = tuple(int(y) for y in short_years)
        else:
            out["gpu_short_years"] = ()
    return out


def envelope_fill_frac(years: Any, it_load_kw: Any, envelope_kw: float) -> dict[int, float]:
    """Return the share of the announced IT envelope the installed servers fill, by year [-].

    Load beyond the envelope (phase 2 and later) fills it, and no more.

    Examples
    --------
    >>> envelope_fill_frac([2028, 2029, 2040], [2000.0, 6000.0, 9500.0], 8000.0)
    {2028: 0.25, 2029: 0.75, 2040: 1.0}
    """
    return {int(y): min(float(kw), envelope_kw) / envelope_kw
            for y, kw in zip(years, it_load_kw, strict=True)}


def idle_envelope_cost_krw(fill_frac: dict[int, float], facility_capex_krw: float, rate_frac: float
                           ) -> dict[int, float]:
    """Return the yearly carrying cost of the envelope's unused share [KRW/y].

    ``(1 - fill) x facility CAPEX x rate``: the capital paid for the idle share earns nothing,
    so it forgoes the project's cost of capital (``data/costs/envelope.yaml`` states the method).

    Examples
    --------
    >>> idle_envelope_cost_krw({2028: 0.25, 2029: 1.0}, 100.0e9, 0.05)
    {2028: 3750000000.0, 2029: 0.0}
    """
    return {y: (1.0 - f) * facility_capex_krw * rate_frac for y, f in fill_frac.items()}


def _gpu_need(result: Result) -> dict[int, float] | None:
    """Return the GPUs needed each demand year [GPU] (coincident load, or the service-level fleet)."""
    from aidc.plan.stage import gpu_need_by_year

    if result.design is None and result.demand is None:
        return None
    service = result.service
    service_gpus = None if service is None or service.n_gpus is None else float(service.n_gpus)
    return gpu_need_by_year(result.scenario, result.design, result.demand, service_gpus, h100_eq=False)


def _operation_figures(result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sim = result.simulation
    if sim is not None:
        out["sim_utilization_frac"] = _finite(sim.summary.get("utilization_frac"))
        out["mean_wait_s"] = _finite(sim.summary.get("mean_wait_s"))
        out["p95_wait_s"] = _finite(sim.summary.get("p95_wait_s"))
    energy = result.energy
    if energy is not None:
        out["annual_pue"] = _finite(energy.annual.get("pue"))
        out["facility_energy_mwh"] = _finite(energy.annual.get("facility_energy_mwh"))
        out["carbon_t"] = _finite(energy.annual.get("carbon_t"))
    return out


def energy_bill_by_year(energy: Any) -> dict[int, float]:
    """Return the energy stage's electricity bill by calendar year [KRW].

    From ``energy.by_year`` (the fleet installed in each plan year) when the stage gives it,
    else the one evaluated year of ``energy.annual``.
    """
    by_year = getattr(energy, "by_year", None)
    if by_year is not None and len(by_year):
        return {int(y): float(b) for y, b in zip(by_year["year"], by_year["bill_krw"], strict=True)}
    return {int(energy.annual["year"]): float(energy.annual["bill_krw"])}


def _economics_figures(result: Result) -> dict[str, Any]:
    e = result.economics
    if e is None:
        return {}
    s = e.summary
    parts = {str(p): float(v) for p, v in zip(e.capex["part"], e.capex["capex_krw"], strict=True)}
    years = e.opex["year"].to_numpy(int)
    energy = e.opex["energy_krw"].to_numpy(float)
    bill = {int(y): float(b) for y, b in zip(years[1:], energy[1:], strict=True)}
    cash = e.cash_flow
    dscr = cash["dscr"].to_numpy(float)
    out_unused = idle_by_year = None
    if result.plan is not None and len(result.plan.capacity_by_year):
        cap = result.plan.capacity_by_year
        fill = envelope_fill_frac(cap["year"], cap["it_load_kw"], float(result.scenario.power.it_capacity_kw))
        year0 = e.capex_by_year.iloc[0]
        facility = sum(float(year0[f"{p}_krw"]) for p in ("building", "electrical", "mechanical"))
        out_unused = (1.0 - next(iter(fill.values()))) * facility
        rate = float(s["discount_rate_frac"]) * float(
            load_yaml("costs/envelope.yaml")["idle_carrying_cost_of_discount_frac"]["value"])
        idle_by_year = idle_envelope_cost_krw(fill, facility, rate)
    out: dict[str, Any] = {
        "capex_krw": float(s["capex_krw"]),
        "capex_by_part_krw": parts,
        "phase1_capex_krw": _finite(s.get("phase1_capex_krw")),
        "facility_usd_per_w": _finite(s.get("facility_usd_per_w")),
        "published_usd_per_w": _finite(s.get("published_usd_per_w")),
        "electricity_cost_krw_by_year": bill,
        "electricity_cost_first_year_krw": next(iter(bill.values()), None),
        "revenue_krw": _finite(s.get("revenue_krw")),
        "npv_by_line_krw": npv_by_line(e),
        "revenue_by_line_krw": {str(k): float(v) for k, v in
                                e.revenue_lines.groupby("line", sort=False)["revenue_krw"].sum().items()},
        "opex_krw": _finite(s.get("opex_krw")),
        "npv_krw": _finite(s.get("npv_krw")),
        "irr_frac": _finite(s.get("irr_frac")),
        "payback_y": _finite(s.get("payback_y")),
        "cost_krw_per_gpu_h": _finite(s.get("cost_krw_per_gpu_h", s.get("lcoe_krw_per_gpu_h"))),
        "cost_krw_per_vcpu_h": _finite(s.get("cost_krw_per_vcpu_h")),
        # the assumption the revenue rests on: GPU-hour list prices move by it each year
        "gpu_hour_price_change_frac_per_y": _finite(s.get("gpu_hour_price_change_frac_per_y")),
        "gpu_utilization_sold_frac": _finite(s.get("gpu_utilization_sold_frac")),
        "vcpu_utilization_sold_frac": _finite(s.get("vcpu_utilization_sold_frac")),
        "envelope_unused_capex_krw": out_unused,
        "residual_value_krw": _finite(s.get("residual_value_krw")),
        # economics.costs.book_value_krw: what is left of each part's cost after straight-line
        # depreciation over its life, land at cost (cash_flow_table's terminal value)
        "residual_value_method": "book_value_straight_line",
        "envelope_idle_cost_krw_by_year": idle_by_year,
        "envelope_idle_cost_krw": None if idle_by_year is None else sum(idle_by_year.values()),
    }
    if np.isfinite(dscr).any():
        i = int(np.nanargmin(np.where(np.isfinite(dscr), dscr, np.nan)))
        out["min_dscr"] = float(dscr[i])
        out["min_dscr_year"] = int(cash["year"].iloc[i])
        row = cash.iloc[i]
        out["min_dscr_reason"] = dscr_reason(float(row["revenue_krw"]), float(row["opex_krw"]),
                                             float(row["cfads_krw"]), float(row["debt_service_krw"]))
    return out


def npv_by_line(e: Any) -> dict[str, float]:
    """Return the present value of each line of the project's cash flow as it counts in its NPV [KRW].

    The project flow is ``revenue - opex - tax - capex by part + residual value`` each year, and
    the NPV is linear, so the lines' present values add up to ``npv_krw``.
    """
    from aidc.economics.finance import npv

    r = float(e.summary["discount_rate_frac"])
    cash, capex = e.cash_flow, e.capex_by_year
    out = {"revenue": npv(r, cash["revenue_krw"]), "opex": -npv(r, cash["opex_krw"]),
           "tax": -npv(r, cash["tax_krw"])}
    out |= {f"capex:{c.removesuffix('_krw')}": -npv(r, capex[c]) for c in capex.columns if c != "year"}
    out["residual_value"] = npv(r, cash["terminal_value_krw"])
    return out


#: Summary figures by the kind of catalog figure they rest on (see :func:`estimate_keys`).
_CAPEX_FIGURES = ("capex_krw", "capex_by_part_krw", "phase1_capex_krw")
_FACILITY_FIGURES = ("facility_usd_per_w", "envelope_unused_capex_krw", "envelope_idle_cost_krw_by_year",
                     "envelope_idle_cost_krw")
_MONEY_FIGURES = ("npv_krw", "npv_by_line_krw", "irr_frac", "payback_y", "min_dscr", "revenue_krw",
                  "revenue_by_line_krw", "opex_krw")


def _catalog_estimates(file: str, records: dict[str, Any], keys: list[str], fields: tuple[str, ...] = ()
                       ) -> list[str]:
    """Return ``file:key[.field]`` of the records among ``keys`` whose ``type`` is ``estimate``."""
    out = []
    for key in keys:
        rec = records.get(key, {})
        for name in fields or ("",):
            r = rec.get(name, {}) if name else rec
            if isinstance(r, dict) and r.get("type") == "estimate":
                out.append(f"{file}:{key}.{name}" if name else f"{file}:{key}")
    return out


def estimate_keys(result: Result) -> dict[str, tuple[str, ...]]:
    """Return, by Summary field, the catalog estimates the figure rests on (``file:key[.field]``).

    Read from ``data/costs``: the speed factor (``h100_eq_per_gpu``), price and life of each
    server type the run's fleet has (a price set in ``economics.server_price_usd`` is not an
    estimate), the list prices of what it sells, and, with a design, the unit costs of the items
    its bill of materials buys (cost above zero) and the index growth that escalates them.
    GPU-hours are counted in H100-equivalents, so every GPU-hour figure rests on the speed
    factors; every money figure rests on the prices.
    """
    from aidc.design import bom
    from aidc.economics import prices

    if result.economics is None:
        return {}
    s = result.scenario
    catalog = s.servers()
    if result.plan is not None:
        by_year = result.plan.fleet_by_year
        fleet = [k for k in by_year.columns if k in catalog and by_year[k].max() > 0]
    elif result.design is not None:
        fleet = [k for k, n in result.design.fleet.servers.items() if n > 0]
    else:
        fleet = [k for k, n in (s.fleet.servers or s.fleet.mix or {}).items() if n]
    servers = load_yaml("costs/servers.yaml")
    gpu_types = [k for k in fleet if k in catalog and catalog[k].n_gpus]
    cpu_types = [k for k in fleet if k in catalog and catalog[k].n_vcpus and not catalog[k].n_gpus]
    speed = _catalog_estimates("servers.yaml", servers, gpu_types, ("h100_eq_per_gpu",))
    priced = [k for k in fleet if k not in s.economics.server_price_usd]
    server_cost = (_catalog_estimates("servers.yaml", servers, priced, ("price_usd",))
                   + _catalog_estimates("servers.yaml", servers, fleet, ("lifetime_y",)))
    facility: list[str] = []
    if result.design is not None:
        # only what the design buys: an item it has none of (CDUs in an air-cooled hall) moves no figure
        materials = result.economics.bom
        costs = bom.unit_costs()
        bought = set(materials.loc[materials["cost_krw"] > 0, "item"]) if len(materials) else set(costs)
        facility = _catalog_estimates("facility.yaml", costs, [k for k in costs if k in bought])
        facility += _catalog_estimates("construction_index.yaml", load_yaml("costs/construction_index.yaml"),
                                       ["growth_after_last_frac_per_y"])
    raw = prices.price_list()
    models = sorted({str(catalog[k].gpu_model) for k in gpu_types})
    sold = _catalog_estimates("prices.yaml", raw["gpu_hour"], models)
    if cpu_types:
        cpu_lines = ["vcpu_hour", "server_month", "server_month_share_frac"]
        sold += _catalog_estimates("prices.yaml", raw, cpu_lines)
    capex = server_cost + facility
    by_figure = {name: capex for name in _CAPEX_FIGURES}
    by_figure |= {name: facility for name in _FACILITY_FIGURES}
    by_figure |= {name: capex + speed + sold for name in _MONEY_FIGURES}
    by_figure |= {"cost_krw_per_gpu_h": capex + speed, "cost_krw_per_vcpu_h": capex,
                  "gpu_utilization_sold_frac": speed}
    return {k: tuple(dict.fromkeys(v)) for k, v in by_figure.items() if v}


def dscr_reason(revenue_krw: float, opex_krw: float, cfads_krw: float, debt_service_krw: float) -> str:
    """Return why a year's debt cover is what it is, as a message key.

    ``revenue_below_opex``: the year's revenue does not pay its running cost, so nothing is left
    for the lenders; ``cfads_below_debt_service``: cash is left but less than the year's debt
    service; ``covered``: the debt service is covered.

    Examples
    --------
    >>> dscr_reason(10.0, 12.0, -2.0, 5.0), dscr_reason(10.0, 6.0, 4.0, 5.0), dscr_reason(10.0, 2.0, 8.0, 5.0)
    ('revenue_below_opex', 'cfads_below_debt_service', 'covered')
    """
    if revenue_krw <= opex_krw:
        return "revenue_below_opex"
    return "cfads_below_debt_service" if cfads_krw < debt_service_krw else "covered"


def consistency_checks(result: Result, figures: dict[str, Any]) -> tuple[Consistency, ...]:
    """Return the cross-checks of a run: figures of one quantity that two stages must agree on."""
    out: list[Consistency] = []
    bill = figures.get("electricity_cost_krw_by_year")
    if bill and result.energy is not None:
        energy_bill = energy_bill_by_year(result.energy)
        for year, krw in energy_bill.items():
            if year in bill:
                out.append(Consistency("electricity_bill", _agree(bill[year], krw), bill[year], krw,
                                       str(year)))
    parts = figures.get("capex_by_part_krw")
    if parts is not None:
        total = sum(parts.values())
        capex = figures["capex_krw"]
        out.append(Consistency("capex_parts", _agree(total, capex), total, capex))
    lines = figures.get("revenue_by_line_krw")
    if lines is not None and figures.get("revenue_krw") is not None:
        total = sum(lines.values())
        out.append(Consistency("revenue_lines", _agree(total, figures["revenue_krw"]), total,
                               figures["revenue_krw"]))
    npv_lines, npv_total = figures.get("npv_by_line_krw"), figures.get("npv_krw")
    if npv_lines is not None and npv_total is not None:
        total = sum(npv_lines.values())
        out.append(Consistency("npv_lines", _agree(total, npv_total), total, npv_total))
    if figures.get("n_gpus") == 0:
        gpu_cost = figures.get("cost_krw_per_gpu_h")
        out.append(Consistency("no_gpu_hours_without_gpus", gpu_cost is None,
                               float("nan") if gpu_cost is None else gpu_cost, float("nan")))
    if result.plan is not None:
        allowed = set(result.scenario.servers()) if result.scenario.plan.catalog_wide else set(
            figures.get("n_servers_by_type") or {})
        bought = {k for k in result.plan.fleet_by_year.columns if result.plan.fleet_by_year[k].max() > 0}
        stray = sorted(bought - allowed)
        out.append(Consistency("plan_within_scenario", not stray, len(stray), 0.0, ", ".join(stray)))
    return tuple(out)


def summarize(result: Result) -> Summary:
    """Compute the headline figures of a run once, with its consistency checks.

    Parameters
    ----------
    result : Result
        What :func:`aidc.pipeline.run` returned (any stage may be missing).

    Returns
    -------
    Summary
        Figures of the stages that ran; None for the others.
    """
    s = result.scenario
    survey = result.survey
    figures: dict[str, Any] = {
        "n_respondents": None if survey is None else int(len(survey.respondents)),
        **_design_figures(result), **_gap_figures(result), **_operation_figures(result),
        **_economics_figures(result),
    }
    by_figure = {k: v for k, v in estimate_keys(result).items() if figures.get(k) is not None}
    return Summary(
        estimates_by_figure=by_figure or None,
        estimates_used=tuple(sorted({key for keys in by_figure.values() for key in keys})),
        scenario_name=s.name, scenario_hash=result.scenario_hash,
        it_capacity_kw=float(s.power.it_capacity_kw),
        site_area_m2=float(s.site.site_area_m2), floors_allowed_n=int(s.site.max_floors),
        consistency=consistency_checks(result, figures), missing=tuple(result.missing), **figures,
    )


@dataclass(frozen=True, slots=True)
class Difference:
    """What changes from scenario ``a`` to scenario ``b`` (each figure is b - a) [KRW].

    ``npv_lines_krw`` are the changes of each cash-flow line's present value (CAPEX by part,
    OPEX, revenue, tax, residual value); they add up to ``npv_krw``. ``capex_by_part_krw`` add up
    to ``capex_krw`` and ``revenue_by_line_krw`` to ``revenue_krw`` (undiscounted, whole horizon).
    """

    scenario_a: str
    scenario_b: str
    npv_lines_krw: dict[str, float]
    npv_krw: float
    capex_by_part_krw: dict[str, float]
    capex_krw: float
    opex_krw: float
    revenue_by_line_krw: dict[str, float]
    revenue_krw: float


def _delta(a: dict[str, float] | None, b: dict[str, float] | None) -> dict[str, float]:
    """``b - a`` key by key, a key missing on one side counting 0 (a part or line it does not have)."""
    a, b = a or {}, b or {}
    return {k: b.get(k, 0.0) - a.get(k, 0.0) for k in dict.fromkeys([*a, *b])}


def difference(a: Summary, b: Summary) -> Difference:
    """Return the difference ``b - a`` between the economics of two runs, as lines that add up.

    Raises
    ------
    ValueError
        If either summary has no economics (nothing to compare).

    Examples
    --------
    >>> base = dict(scenario_hash="", it_capacity_kw=0.0, site_area_m2=0.0, floors_allowed_n=1)
    >>> a = Summary("a", npv_krw=-5.0, npv_by_line_krw={"revenue": 10.0, "capex:it": -15.0}, **base)
    >>> b = Summary("b", npv_krw=1.0, npv_by_line_krw={"revenue": 12.0, "capex:it": -11.0}, **base)
    >>> difference(a, b).npv_lines_krw
    {'revenue': 2.0, 'capex:it': 4.0}
    """
    for s in (a, b):
        if s.npv_by_line_krw is None or s.npv_krw is None:
            raise ValueError(f"{s.scenario_name}: no economics result to compare")
    npv_a, npv_b = a.npv_krw or 0.0, b.npv_krw or 0.0  # both set: checked above
    npv_lines = _delta(a.npv_by_line_krw, b.npv_by_line_krw)
    parts = _delta(a.capex_by_part_krw, b.capex_by_part_krw)
    revenue = _delta(a.revenue_by_line_krw, b.revenue_by_line_krw)
    return Difference(
        scenario_a=a.scenario_name, scenario_b=b.scenario_name, npv_lines_krw=npv_lines,
        npv_krw=npv_b - npv_a,
        capex_by_part_krw=parts, capex_krw=(b.capex_krw or 0.0) - (a.capex_krw or 0.0),
        opex_krw=(b.opex_krw or 0.0) - (a.opex_krw or 0.0), revenue_by_line_krw=revenue,
        revenue_krw=(b.revenue_krw or 0.0) - (a.revenue_krw or 0.0),
    )
