"""The plan's input as plain arrays: :class:`PlanProblem`, independent of scenarios and designs.

The MILP builder (:mod:`aidc.plan.model`) reads only this dataclass, so a test can write a
two-year, two-option problem by hand and check the optimum with pencil arithmetic, and the
stage function (:mod:`aidc.plan.stage`) is the one place that knows where the numbers come from.

Shapes: ``T`` years, ``K`` products (what tenants need: ``n_gpus`` in H100-equivalents,
``n_vcpus``, ``storage_tb``), ``O`` server options.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from aidc.errors import InputError, Problem

# Limit families that can make a plan infeasible, with the words used to name them.
LIMIT_LABELS = {
    "grid": "grid connection",
    "floors": "site floors",
    "budget": "yearly budget",
}


@dataclass(frozen=True)
class PlanProblem:
    """Everything the expansion MILP needs, as arrays.

    Attributes
    ----------
    years : int array (T,)
        Calendar years of the horizon; year index 0 is the first.
    discount_rate_frac : float
        Discount rate of the objective. [1/y]
    products : tuple of str (K,)
        Names of the demanded quantities, with their unit in the name (``n_gpus``, ``storage_tb``).
    demand : array (K, T)
        What must be installed in each year, per product.
    options : tuple of str (O,)
        Server options (server type keys).
    capacity : array (O, K)
        What one server of each option provides, per product.
    it_kw : array (O,)
        Nameplate IT power of one server. [kW]
    lifetime_y : int array (O,)
        Years a server stays in service after the year it is bought. [y]
    capex_krw : array (O, T)
        Price of one server bought in each year (network share included). [KRW]
    opex_krw_per_y : array (O, T)
        Yearly operating cost of one installed server (energy, support). [KRW/y]
    available : bool array (O, T)
        Whether an option can be bought in a year.
    block_it_kw : float
        IT capacity of one power block. [kW]
    block_capex_krw : array (T,)
        Cost of one power block built in each year. [KRW]
    block_opex_krw_per_y : float
        Yearly fixed cost of one block (maintenance, insurance, tax). [KRW/y]
    block_lifetime_y : int
        Life of a block, for the value left after the horizon. [y]
    floors_per_block : float
        Floors one block takes. [floors]
    pue : float
        Facility power over IT power at full load; the grid must carry ``pue * block_it_kw`` per block.
    grid_limit_kw : array (T,)
        Most facility power the grid connection takes. [kW]
    max_floors : float
        Floors available on the site. [floors]
    budget_krw : array (T,)
        Most capital spending per year; ``inf`` for none. [KRW]
    min_blocks : int array (T,)
        Blocks that must exist by each year (phase 1).
    shortfall_penalty_krw : array (K, T)
        Cost of one unit of unserved demand for a year; ``inf`` means demand must be served. [KRW]
    units : dict
        Display unit of each product (for messages and tables).
    integer_servers : bool
        Whether server purchases are integers. Blocks always are; thousands of servers solved
        as continuous and rounded up afterwards plan ~20x faster at the same cost to 0.1 %.
    phase1_servers : array (O,), optional
        Servers of each option bought in the first year (the phase-1 design's fleet); None: none.
    network_capex_krw : array (O, T), optional
        The network share inside ``capex_krw`` (switches, optics, cables a server brings). [KRW]
    fixed_capex_krw : dict of str to array (T,), optional
        Spending no choice of the plan changes, by item, and whether it is network (the phase-1
        design's ``racks`` and network ``fabric`` from its bill of materials); reported in the
        schedule and the yearly capex, counted against the budget, left out of the net present
        cost. [KRW]
    """

    years: np.ndarray
    discount_rate_frac: float
    products: tuple[str, ...]
    demand: np.ndarray
    options: tuple[str, ...]
    capacity: np.ndarray
    it_kw: np.ndarray
    lifetime_y: np.ndarray
    capex_krw: np.ndarray
    opex_krw_per_y: np.ndarray
    available: np.ndarray
    block_it_kw: float
    block_capex_krw: np.ndarray
    block_opex_krw_per_y: float
    block_lifetime_y: int
    floors_per_block: float
    pue: float
    grid_limit_kw: np.ndarray
    max_floors: float
    budget_krw: np.ndarray
    min_blocks: np.ndarray
    shortfall_penalty_krw: np.ndarray
    units: dict[str, str] = field(default_factory=dict)
    integer_servers: bool = True
    phase1_servers: np.ndarray | None = None
    network_capex_krw: np.ndarray | None = None
    fixed_capex_krw: dict[str, np.ndarray] = field(default_factory=dict)

    #: Items of ``fixed_capex_krw`` that are network (the others are IT: racks).
    NETWORK_ITEMS = ("fabric",)

    def __post_init__(self) -> None:
        problems = _shape_problems(self)
        if problems:
            raise InputError(problems)

    @property
    def n_years(self) -> int:
        """Number of years T."""
        return int(self.years.size)


def _shape_problems(p: PlanProblem) -> list[Problem]:
    n_t, n_k, n_o = p.years.size, len(p.products), len(p.options)
    expected = {
        "demand": (n_k, n_t), "capacity": (n_o, n_k), "it_kw": (n_o,), "lifetime_y": (n_o,),
        "capex_krw": (n_o, n_t), "opex_krw_per_y": (n_o, n_t), "available": (n_o, n_t),
        "block_capex_krw": (n_t,), "grid_limit_kw": (n_t,), "budget_krw": (n_t,),
        "min_blocks": (n_t,), "shortfall_penalty_krw": (n_k, n_t),
    }
    if p.phase1_servers is not None:
        expected["phase1_servers"] = (n_o,)
    if p.network_capex_krw is not None:
        expected["network_capex_krw"] = (n_o, n_t)
    problems = [
        Problem("array has the wrong shape", field=name, found=np.shape(getattr(p, name)),
                expected=str(shape))
        for name, shape in expected.items()
        if np.shape(getattr(p, name)) != shape
    ]
    if n_t == 0:
        problems.append(Problem("the plan needs at least one year", field="years"))
    if np.any(np.asarray(p.lifetime_y) < 1) or p.block_lifetime_y < 1:
        problems.append(Problem("lifetimes must be at least one year", field="lifetime_y"))
    if p.block_it_kw <= 0:
        problems.append(Problem("a power block needs positive IT capacity", field="block_it_kw"))
    if not problems and np.any(np.asarray(p.demand) < 0):
        problems.append(Problem("demand must be non-negative", field="demand"))
    return problems


def unserviceable(p: PlanProblem) -> list[str]:
    """Return messages for demand that no server option can ever serve (before any solve).

    A product with demand in year t needs an option with capacity for it that can be bought
    in some year tau <= t and is still in service at t.
    """
    messages = []
    for k, product in enumerate(p.products):
        for t in range(p.n_years):
            if p.demand[k, t] <= 0 or np.isfinite(p.shortfall_penalty_krw[k, t]):
                continue
            ok = any(
                p.capacity[o, k] > 0 and p.available[o, tau] and tau + p.lifetime_y[o] > t
                for o in range(len(p.options))
                for tau in range(t + 1)
            )
            if not ok:
                messages.append(f"no server option provides {product} in {int(p.years[t])}")
                break
    return messages
