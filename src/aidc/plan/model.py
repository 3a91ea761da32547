"""The expansion MILP, built PyPSA-style: one function per named family of constraints.

``build_model(problem)`` creates the variables and calls ``add_<family>_constraints`` in turn;
:func:`solve` hands the model to HiGHS (``scipy.optimize.milp``); :mod:`aidc.plan.solution`
reads the result back. Every variable and constraint has a readable name such as
``buy[dgx_h100,2031]`` or ``grid[2031]``.

Decision variables (integers)
    ``build_blocks[t]`` power blocks built in year t; ``buy[o,t]`` servers of option o bought in year t.
Derived quantities (linear expressions, not variables)
    ``blocks[t] = sum_{tau <= t < tau + L_block} build_blocks[tau]``;
    ``installed[o,t] = sum_{tau <= t < tau + L_o} buy[o,tau]`` (a server retires after its life,
    so a refresh is a new purchase).
Objective (net present cost) ::

    min  sum_t df_t * ( sum_o w_{o,t} capex_{o,t} buy_{o,t} + w_t capex_block_t build_blocks_t
                        + sum_o opex_{o,t} installed_{o,t} + opex_block blocks_t
                        + sum_k penalty_{k,t} shortfall_{k,t} )

with ``df_t = (1 + r)^-t`` and ``w`` the share of an asset's life (in present value) that falls
inside the horizon, so that a purchase in the last year is not charged its full price
(the annuity method of PyPSA's multi-period investment).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from aidc.plan.problem import LIMIT_LABELS, PlanProblem

INF = np.inf
# Relative MIP gap of HiGHS: plans are compared to 1e-6 of their cost.
MIP_REL_GAP = 1e-6
# Price of using all of a relaxed limit once, as a fraction of a block's cost: a tie-breaker
# that keeps slack at zero wherever the limit is not in the way.
SLACK_TOKEN_FRAC = 1e-6


@dataclass
class LinearModel:
    """A mixed-integer linear programme under construction: named variables and constraints."""

    var_names: list[str] = field(default_factory=list)
    var_lb: list[float] = field(default_factory=list)
    var_ub: list[float] = field(default_factory=list)
    var_integer: list[bool] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    con_names: list[str] = field(default_factory=list)
    con_lb: list[float] = field(default_factory=list)
    con_ub: list[float] = field(default_factory=list)
    rows: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    families: dict[str, dict[int, int]] = field(default_factory=dict)

    def add_variables(
        self, family: str, labels: list[str], shape: tuple[int, ...], *,
        ub: np.ndarray | float = INF, integer: bool = False,
    ) -> np.ndarray:
        """Add non-negative variables ``family[label]``; return their indices in ``shape``."""
        start = len(self.var_names)
        n = len(labels)
        self.var_names += [f"{family}[{label}]" for label in labels]
        self.var_lb += [0.0] * n
        self.var_ub += list(np.broadcast_to(np.asarray(ub, dtype=float), (n,)))
        self.var_integer += [integer] * n
        self.cost += [0.0] * n
        idx = np.arange(start, start + n).reshape(shape)
        self.variables[family] = idx
        return idx

    def add_constraint(
        self, family: str, label: str, key: int, idx: np.ndarray, coef: np.ndarray,
        lb: float = -INF, ub: float = INF,
    ) -> None:
        """Add ``lb <= sum(coef * x[idx]) <= ub`` named ``family[label]``; ``key`` finds it again."""
        self.families.setdefault(family, {})[key] = len(self.con_names)
        self.con_names.append(f"{family}[{label}]")
        self.rows.append((np.asarray(idx, dtype=int).ravel(), np.asarray(coef, dtype=float).ravel()))
        self.con_lb.append(lb)
        self.con_ub.append(ub)

    def matrix(self) -> sparse.csr_array:
        """Return the constraint matrix (one row per constraint)."""
        rows = np.concatenate([np.full(i.size, r) for r, (i, _) in enumerate(self.rows)] or [np.empty(0)])
        cols = np.concatenate([i for i, _ in self.rows] or [np.empty(0)])
        vals = np.concatenate([c for _, c in self.rows] or [np.empty(0)])
        shape = (len(self.rows), len(self.var_names))
        return sparse.csr_array((vals, (rows.astype(int), cols.astype(int))), shape=shape)


def in_service(n_years: int, lifetime_y: int) -> np.ndarray:
    """Return the (T, T) 0/1 matrix ``S[t, tau]``: an asset bought in ``tau`` serves in ``t``.

    Examples
    --------
    >>> in_service(3, 2).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    """
    t = np.arange(n_years)[:, None]
    tau = np.arange(n_years)[None, :]
    return (tau <= t) & (t < tau + lifetime_y)


def life_inside_horizon_frac(n_years: int, lifetime_y: int, discount_rate_frac: float) -> np.ndarray:
    """Return, per purchase year, the present-value share of an asset's life inside the horizon.

    ``w_tau = sum_{j < min(L, T - tau)} d^j / sum_{j < L} d^j`` with ``d = 1/(1+r)``: the capital
    charge of the annuity method, so the value left at the horizon's end is credited.

    Examples
    --------
    >>> life_inside_horizon_frac(3, 2, 0.0).tolist()  # bought in the last year: half its life left over
    [1.0, 1.0, 0.5]
    """
    d = (1.0 + discount_rate_frac) ** -np.arange(lifetime_y, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(d)])
    inside = np.minimum(lifetime_y, n_years - np.arange(n_years))
    return cum[inside] / cum[-1]


def build_model(p: PlanProblem, *, relax: tuple[str, ...] = ()) -> LinearModel:
    """Build the expansion MILP of ``p``; limit families in ``relax`` get slack and stop binding.

    A relaxed family keeps its constraint with a slack variable ``slack_<family>[year]``, in
    units of the limit, priced at a token cost (:data:`SLACK_TOKEN_FRAC` of a block's cost), so
    the cheapest plan uses it only where the limit is in the way.
    """
    m = LinearModel()
    years = [str(int(y)) for y in p.years]
    n_t, n_o, n_k = p.n_years, len(p.options), len(p.products)
    m.add_variables("build_blocks", years, (n_t,), integer=True)
    buy_ub = np.where(np.asarray(p.available, dtype=bool), INF, 0.0).ravel()
    labels = [f"{o},{y}" for o in p.options for y in years]
    m.add_variables("buy", labels, (n_o, n_t), ub=buy_ub, integer=p.integer_servers)
    short_ub = np.where(np.isfinite(p.shortfall_penalty_krw), INF, 0.0).ravel()
    m.add_variables("shortfall", [f"{k},{y}" for k in p.products for y in years], (n_k, n_t), ub=short_ub)
    for family in relax:
        m.add_variables(f"slack_{family}", years, (n_t,))
    add_demand_constraints(m, p)
    add_it_capacity_constraints(m, p)
    add_grid_constraints(m, p)
    add_floor_constraints(m, p)
    add_budget_constraints(m, p)
    add_phase1_constraints(m, p)
    add_phase1_fleet_constraints(m, p)
    add_cost_objective(m, p)
    return m


def _installed(m: LinearModel, p: PlanProblem, o: int, t: int) -> np.ndarray:
    return m.variables["buy"][o, in_service(p.n_years, int(p.lifetime_y[o]))[t]]


def _blocks(m: LinearModel, p: PlanProblem, t: int) -> np.ndarray:
    return m.variables["build_blocks"][in_service(p.n_years, p.block_lifetime_y)[t]]


def add_demand_constraints(m: LinearModel, p: PlanProblem) -> None:
    """Serve demand: ``sum_o capacity[o,k] * installed[o,t] + shortfall[k,t] >= demand[k,t]``."""
    for k, product in enumerate(p.products):
        for t in range(p.n_years):
            if p.demand[k, t] <= 0:
                continue
            idx = [_installed(m, p, o, t) for o in range(len(p.options))]
            coef = [np.full(i.size, p.capacity[o, k]) for o, i in enumerate(idx)]
            idx.append(np.array([m.variables["shortfall"][k, t]]))
            coef.append(np.array([1.0]))
            m.add_constraint("demand", f"{product},{int(p.years[t])}", k * p.n_years + t,
                             np.concatenate(idx), np.concatenate(coef), lb=float(p.demand[k, t]))


def add_it_capacity_constraints(m: LinearModel, p: PlanProblem) -> None:
    """Fit servers into blocks: ``sum_o it_kw[o] * installed[o,t] - block_it_kw * blocks[t] <= 0``."""
    for t in range(p.n_years):
        idx = [_installed(m, p, o, t) for o in range(len(p.options))]
        coef = [np.full(i.size, p.it_kw[o]) for o, i in enumerate(idx)]
        blocks = _blocks(m, p, t)
        m.add_constraint("it_capacity", str(int(p.years[t])), t,
                         np.concatenate([*idx, blocks]),
                         np.concatenate([*coef, np.full(blocks.size, -p.block_it_kw)]), ub=0.0)


def _limit(m: LinearModel, family: str, t: int, idx: np.ndarray, coef: np.ndarray, ub: float) -> tuple:
    # In a relaxed model the family's slack, in units of the limit itself (so 1 = the limit
    # doubled, which keeps the matrix well scaled), relaxes the limit.
    if f"slack_{family}" in m.variables:
        idx = np.append(idx, m.variables[f"slack_{family}"][t])
        coef = np.append(coef, -(ub if np.isfinite(ub) and ub > 0 else 1.0))
    return idx, coef, ub


def add_grid_constraints(m: LinearModel, p: PlanProblem) -> None:
    """Stay within the grid connection: ``pue * block_it_kw * blocks[t] <= grid_limit_kw[t]``."""
    for t in range(p.n_years):
        blocks = _blocks(m, p, t)
        idx, coef, ub = _limit(m, "grid", t, blocks, np.full(blocks.size, p.pue * p.block_it_kw),
                               float(p.grid_limit_kw[t]))
        m.add_constraint("grid", str(int(p.years[t])), t, idx, coef, ub=ub)


def add_floor_constraints(m: LinearModel, p: PlanProblem) -> None:
    """Stay within the site's floors: ``floors_per_block * blocks[t] <= max_floors``."""
    for t in range(p.n_years):
        blocks = _blocks(m, p, t)
        idx, coef, ub = _limit(m, "floors", t, blocks, np.full(blocks.size, p.floors_per_block),
                               float(p.max_floors))
        m.add_constraint("floors", str(int(p.years[t])), t, idx, coef, ub=ub)


def add_budget_constraints(m: LinearModel, p: PlanProblem) -> None:
    """Keep yearly capex in budget: ``sum_o capex[o,t] buy[o,t] + capex_block[t] build[t] <= budget[t]``.

    Spending the plan cannot change (``fixed_capex_krw``) comes off the budget first.
    """
    for t in range(p.n_years):
        if not np.isfinite(p.budget_krw[t]):
            continue
        idx = np.append(m.variables["buy"][:, t], m.variables["build_blocks"][t])
        coef = np.append(p.capex_krw[:, t], p.block_capex_krw[t])
        fixed = sum(float(v[t]) for v in p.fixed_capex_krw.values())
        idx, coef, ub = _limit(m, "budget", t, idx, coef, float(p.budget_krw[t]) - fixed)
        m.add_constraint("budget", str(int(p.years[t])), t, idx, coef, ub=ub)


def add_phase1_constraints(m: LinearModel, p: PlanProblem) -> None:
    """Build phase 1 on time: ``blocks[t] >= min_blocks[t]``."""
    for t in range(p.n_years):
        if p.min_blocks[t] <= 0:
            continue
        blocks = _blocks(m, p, t)
        m.add_constraint("phase1", str(int(p.years[t])), t, blocks, np.ones(blocks.size),
                         lb=float(p.min_blocks[t]))


def add_phase1_fleet_constraints(m: LinearModel, p: PlanProblem) -> None:
    """Buy the phase-1 design's fleet in the first year: ``buy[o,0] >= phase1_servers[o]``."""
    if p.phase1_servers is None:
        return
    for o, n in enumerate(p.phase1_servers):
        if n > 0:
            m.add_constraint("phase1_fleet", p.options[o], o, m.variables["buy"][o, :1], np.ones(1),
                             lb=float(n))


def add_cost_objective(m: LinearModel, p: PlanProblem) -> None:
    """Set the objective to the net present cost (see the module docstring)."""
    df = (1.0 + p.discount_rate_frac) ** -np.arange(p.n_years, dtype=float)
    cost = np.zeros(len(m.var_names))
    for o in range(len(p.options)):
        life = int(p.lifetime_y[o])
        w = life_inside_horizon_frac(p.n_years, life, p.discount_rate_frac)
        service = in_service(p.n_years, life)  # [t, tau]
        opex_pv = (df * p.opex_krw_per_y[o]) @ service  # per purchase year tau
        cost[m.variables["buy"][o]] = df * w * p.capex_krw[o] + opex_pv
    w_block = life_inside_horizon_frac(p.n_years, p.block_lifetime_y, p.discount_rate_frac)
    block_opex_pv = (df * p.block_opex_krw_per_y) @ in_service(p.n_years, p.block_lifetime_y)
    cost[m.variables["build_blocks"]] = df * w_block * p.block_capex_krw + block_opex_pv
    penalty = np.where(np.isfinite(p.shortfall_penalty_krw), p.shortfall_penalty_krw, 0.0)
    cost[m.variables["shortfall"]] = df * penalty
    token = SLACK_TOKEN_FRAC * max(float(np.max(p.block_capex_krw, initial=0.0)), 1.0)
    for family in LIMIT_LABELS:
        if f"slack_{family}" in m.variables:
            cost[m.variables[f"slack_{family}"]] = token
    m.cost = list(cost)


@dataclass(frozen=True)
class Solution:
    """What HiGHS returned: status, objective and the value of each variable."""

    ok: bool
    status: int
    message: str
    objective: float
    x: np.ndarray


def solve(m: LinearModel, *, time_limit_s: float = 60.0, extra: tuple | None = None) -> Solution:
    """Solve the model with HiGHS through ``scipy.optimize.milp``.

    ``extra`` is one more ``(coef, lb, ub)`` row over all variables (used to hold the
    violation at its minimum while the cost is minimised).
    """
    constraints = []
    if m.rows:
        constraints.append(LinearConstraint(m.matrix(), np.array(m.con_lb), np.array(m.con_ub)))
    if extra is not None:
        coef, lb, ub = extra
        constraints.append(LinearConstraint(np.asarray(coef)[None, :], lb, ub))
    res = milp(
        c=np.array(m.cost), integrality=np.array(m.var_integer, dtype=int),
        bounds=Bounds(np.array(m.var_lb), np.array(m.var_ub)), constraints=constraints,
        options={"time_limit": time_limit_s, "mip_rel_gap": MIP_REL_GAP},
    )
    x = res.x if res.x is not None else np.full(len(m.var_names), np.nan)
    # status 0 = optimal; 1 = time/iteration limit with a feasible point is still usable.
    ok = res.x is not None and res.status in (0, 1)
    objective = float(res.fun) if res.fun is not None else float("nan")
    return Solution(ok=ok, status=int(res.status), message=str(res.message), objective=objective, x=x)
