"""Solve a :class:`PlanProblem` and read the answer back into a :class:`Plan`.

:func:`solve_problem` first solves the plan as posed. When no plan fits, it relaxes
each limit family in turn (slack priced at a token cost) and names the limit that binds, e.g.
``"grid connection: 8.0 MW allowed, 11.3 MW needed in 2031"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aidc.plan.model import LinearModel, build_model, in_service, solve
from aidc.plan.problem import LIMIT_LABELS, PlanProblem, unserviceable

# A slack or shortfall below this (in the unit of its limit, relative) is solver noise.
TOLERANCE_FRAC = 1e-6


@dataclass(frozen=True)
class Plan:
    """The build schedule over the horizon.

    Attributes
    ----------
    schedule : DataFrame
        One row per purchase: ``year, item, kind ('block', 'server', or 'fixed': the phase-1
        design's racks and fabric), n_units, it_capacity_kw, capex_krw, network_krw`` (the network
        share of ``capex_krw``), ``retire_year``.
    capacity_by_year : DataFrame
        One row per year: ``year, n_blocks, it_capacity_kw, it_load_kw, facility_capacity_kw,
        floors_used, capex_krw`` and per product its need, installed capacity and shortfall.
    fleet_by_year : DataFrame
        Servers in service per year (index ``year``, one column per option).
    binding_limit : str or None
        The limit that stops a plan (or the served demand), in words; None when nothing binds.
    limits : tuple of str
        Every violated limit, first-binding first.
    feasible : bool
        Whether the plan meets every limit.
    npc_krw : float
        Net present cost of the plan (the objective). [KRW]
    phase2_year : int or None
        First year in which blocks beyond phase 1 are built.
    problem : PlanProblem
        The problem that was solved.
    """

    schedule: pd.DataFrame
    capacity_by_year: pd.DataFrame
    fleet_by_year: pd.DataFrame
    binding_limit: str | None
    limits: tuple[str, ...]
    feasible: bool
    npc_krw: float
    phase2_year: int | None
    problem: PlanProblem


def product_column(product: str, what: str) -> str:
    """Return the column name of ``what`` (needed, installed, short) for a product, unit last.

    Examples
    --------
    >>> product_column("n_gpus", "needed"), product_column("storage_tb", "short")
    ('n_gpus_needed', 'storage_short_tb')
    """
    stem, _, unit = product.rpartition("_")
    if product.startswith("n_") or not stem:
        return f"{product}_{what}"
    return f"{stem}_{what}_{unit}"


def solve_problem(p: PlanProblem, *, time_limit_s: float = 60.0) -> Plan:
    """Solve the plan; when no plan fits, find and name the limit that binds.

    Each limit family (grid, floors, budget) is relaxed in turn with the others kept; a family
    whose relaxation alone lets a plan exist binds. When none does alone, all are relaxed together.
    The message gives the limit and what the cheapest plan without it needs, in the first year
    it is exceeded.
    """
    missing = unserviceable(p)
    m = build_model(p)
    if missing:
        return _plan(p, m, np.zeros(len(m.var_names)), feasible=False, limits=missing)
    sol = solve(m, time_limit_s=time_limit_s)
    if sol.ok:
        return _plan(p, m, sol.x, feasible=True, limits=_shortfall_reasons(p, m, sol.x))
    if sol.status != 2:  # not "infeasible": time limit without a point, numerical trouble
        raise RuntimeError(f"HiGHS did not solve the plan: {sol.message}")
    families = [f for f in LIMIT_LABELS if f != "budget" or np.isfinite(p.budget_krw).any()]
    found: list[tuple[LinearModel, np.ndarray, list[str]]] = []
    for relax in [(f,) for f in families] + [tuple(families)]:
        relaxed = build_model(p, relax=relax)
        res = solve(relaxed, time_limit_s=time_limit_s)
        if res.ok:
            found.append((relaxed, res.x, _violations(p, relaxed, res.x)))
            if len(relax) == 1:
                continue
        if found:
            break
    if not found:
        raise RuntimeError("HiGHS found no plan even with every limit relaxed")
    limits = sorted({msg for *_, msgs in found for msg in msgs}, key=_first_year)
    relaxed, x, _ = found[0]
    return _plan(p, relaxed, x, feasible=False, limits=limits)


def _first_year(message: str) -> tuple[int, str]:
    return int(message.rsplit(" ", 1)[-1]), message


def _fmt(family: str, value: float) -> str:
    if family == "grid":
        return f"{value / 1000:,.1f} MW" if value >= 1000 else f"{value:,.1f} kW"
    if family == "budget":
        return f"{value / 1e9:,.1f} billion KRW" if value >= 1e9 else f"{value:,.0f} KRW"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _violations(p: PlanProblem, m: LinearModel, x: np.ndarray) -> list[str]:
    """Name every relaxed limit the solution exceeds, in the first year it does.

    What is "needed" is the constraint's activity without its slack (the slack itself may
    float above it where its token price is below the solver's tolerance).
    """
    real = x.copy()
    for family, idx in m.variables.items():
        if family.startswith("slack_"):
            real[idx] = 0.0
    activity = m.matrix() @ real
    messages = []
    for family in LIMIT_LABELS:
        if f"slack_{family}" not in m.variables:
            continue
        for t, row in sorted(m.families.get(family, {}).items()):
            limit = m.con_ub[row]
            if activity[row] > limit + TOLERANCE_FRAC * max(abs(limit), 1.0):
                messages.append(f"{LIMIT_LABELS[family]}: {_fmt(family, limit)} allowed, "
                                f"{_fmt(family, activity[row])} needed in {int(p.years[t])}")
                break
    return messages


def _shortfall_reasons(p: PlanProblem, m: LinearModel, x: np.ndarray) -> list[str]:
    """Name the limits at their bound in the first year with unserved demand."""
    short = x[m.variables["shortfall"]]
    years = np.nonzero((short > TOLERANCE_FRAC * np.maximum(p.demand, 1.0)).any(axis=0))[0]
    if years.size == 0:
        return []
    t = int(years[0])
    activity = m.matrix() @ x
    what = ", ".join(f"{short[k, t]:,.0f} {p.units.get(prod, prod)}" for k, prod in enumerate(p.products)
                     if short[k, t] > TOLERANCE_FRAC * max(p.demand[k, t], 1.0))
    reasons = []
    for family in ("grid", "floors", "budget"):
        row = m.families.get(family, {}).get(t)
        if row is None or not np.isfinite(m.con_ub[row]):
            continue
        if activity[row] >= m.con_ub[row] * (1 - 1e-6):
            reasons.append(f"{LIMIT_LABELS[family]}: {_fmt(family, m.con_ub[row])} allowed, "
                           f"all used in {int(p.years[t])} (demand short by {what})")
    if not reasons and not p.capacity[:, [k for k in range(len(p.products)) if short[k, t] > 0]].any():
        reasons = [f"demand short by {what} in {int(p.years[t])}: "
                   "none of the plan's server types provides it"]
    return reasons or [f"demand short by {what} in {int(p.years[t])}: cheaper to leave unserved"]


def _plan(p: PlanProblem, m: LinearModel, x: np.ndarray, *, feasible: bool, limits: list[str]) -> Plan:
    """Read the solution ``x`` of model ``m`` back into a :class:`Plan`."""
    n_t = p.n_years
    build = np.round(x[m.variables["build_blocks"]])
    # Continuous purchases are rounded up: capacity is never below what was planned.
    buy = np.round(x[m.variables["buy"]]) if p.integer_servers else np.ceil(x[m.variables["buy"]] - 1e-6)
    short = x[m.variables["shortfall"]]
    blocks = in_service(n_t, p.block_lifetime_y) @ build
    installed = np.stack([in_service(n_t, int(p.lifetime_y[o])) @ buy[o] for o in range(len(p.options))]) \
        if p.options else np.zeros((0, n_t))
    years = p.years.astype(int)
    network = p.network_capex_krw if p.network_capex_krw is not None else np.zeros_like(p.capex_krw)
    rows = [(int(years[t]), "power block", "block", int(build[t]), build[t] * p.block_it_kw,
             build[t] * p.block_capex_krw[t], 0.0, int(years[t]) + p.block_lifetime_y)
            for t in range(n_t) if build[t] > 0]
    rows += [(int(years[t]), opt, "server", int(buy[o, t]), buy[o, t] * p.it_kw[o],
              buy[o, t] * p.capex_krw[o, t], buy[o, t] * network[o, t], int(years[t]) + int(p.lifetime_y[o]))
             for o, opt in enumerate(p.options) for t in range(n_t) if buy[o, t] > 0]
    rows += [(int(years[t]), item, "fixed", 1, 0.0, float(v[t]),
              float(v[t]) if item in p.NETWORK_ITEMS else 0.0, int(years[-1]) + 1)
             for item, v in p.fixed_capex_krw.items() for t in range(n_t) if v[t] > 0]
    schedule = pd.DataFrame(rows, columns=["year", "item", "kind", "n_units", "it_capacity_kw",
                                           "capex_krw", "network_krw", "retire_year"])
    cap = pd.DataFrame({
        "year": years,
        "n_blocks": blocks.astype(int),
        "it_capacity_kw": blocks * p.block_it_kw,
        "it_load_kw": p.it_kw @ installed if p.options else np.zeros(n_t),
        "facility_capacity_kw": blocks * p.block_it_kw * p.pue,
        "floors_used": blocks * p.floors_per_block,
        "capex_krw": build * p.block_capex_krw + (buy * p.capex_krw).sum(axis=0)
        + sum((np.asarray(v, dtype=float) for v in p.fixed_capex_krw.values()), np.zeros(n_t)),
    })
    for k, product in enumerate(p.products):
        cap[product_column(product, "needed")] = p.demand[k]
        cap[product_column(product, "installed")] = p.capacity[:, k] @ installed if p.options else 0.0
        cap[product_column(product, "short")] = short[k]
    fleet = pd.DataFrame(installed.T.astype(int), index=pd.Index(years, name="year"), columns=list(p.options))
    beyond = build - np.diff(np.concatenate([[0], np.maximum.accumulate(p.min_blocks)]))
    later = np.nonzero(beyond > 0)[0]
    return Plan(schedule=schedule, capacity_by_year=cap, fleet_by_year=fleet,
                binding_limit=limits[0] if limits else None, limits=tuple(limits), feasible=feasible,
                npc_krw=_cost_without_slack(m, x),
                phase2_year=int(years[later[0]]) if later.size else None, problem=p)



def _cost_without_slack(m: LinearModel, x: np.ndarray) -> float:
    """Return the plan's net present cost, leaving out the token price of relaxed limits."""
    cost = np.array(m.cost)
    for family, idx in m.variables.items():
        if family.startswith("slack_"):
            cost[idx] = 0.0
    return float(cost @ x)
