"""Plan stage speed: 15-year expansion MILPs with 10 server options (HiGHS via scipy.milp)."""

from __future__ import annotations

import dataclasses

import numpy as np

from aidc.plan import PlanProblem, solve_problem
from benchmarks._common import Row, best_of

N_YEARS = 15
N_GENERATIONS = 8  # GPU server generations, plus one CPU and one storage option = 10 options


def ten_option_problem(integer_servers: bool = False) -> PlanProblem:
    """A 15-year plan with 8 GPU generations (one every ~1.5 years), a CPU and a storage server.

    Each GPU generation is 1.4x faster, 1.15x dearer and 1.2x more power-hungry than the last
    and can be bought from its launch year; demand grows 25 %/y from the example survey's 825
    H100-equivalents. Phase 1 is four 2-MW blocks.
    """
    years = np.arange(2028, 2028 + N_YEARS)
    t = np.arange(N_YEARS)
    g = np.arange(N_GENERATIONS)
    gpu_cap = 8 * 1.4**g
    cap = np.zeros((N_GENERATIONS + 2, 3))
    cap[:N_GENERATIONS, 0] = gpu_cap
    cap[N_GENERATIONS, 1] = 256.0
    cap[N_GENERATIONS + 1, 2] = 300.0
    it_kw = np.concatenate([10.2 * 1.2**g, [1.5, 1.2]])
    price = np.concatenate([300_000 * 1.15**g, [25_000, 40_000]]) * 1400 * 1.1
    launch = np.concatenate([np.floor(g * 1.5), [0, 0]])
    n_o = it_kw.size
    demand = np.vstack([825 * 1.25**t, 2950 * 1.15**t, 2915 * 1.2**t])
    return PlanProblem(
        years=years, discount_rate_frac=0.08, products=("n_gpus", "n_vcpus", "storage_tb"), demand=demand,
        options=tuple([f"gpu_gen{i}" for i in g] + ["cpu_cloud", "storage_node"]), capacity=cap, it_kw=it_kw,
        lifetime_y=np.full(n_o, 5), capex_krw=np.outer(price, 0.95**t),
        opex_krw_per_y=np.outer(it_kw * 0.5 * 1.3 * 8760 * 181.9, np.ones(N_YEARS)),
        available=launch[:, None] <= t[None, :], block_it_kw=2000.0,
        block_capex_krw=np.full(N_YEARS, 2000 * 1000 * 9.23 * 1400), block_opex_krw_per_y=0.0,
        block_lifetime_y=30, floors_per_block=0.25, pue=1.3, grid_limit_kw=np.full(N_YEARS, 40_000.0),
        max_floors=5.0, budget_krw=np.full(N_YEARS, np.inf), min_blocks=np.full(N_YEARS, 4),
        shortfall_penalty_krw=np.full((3, N_YEARS), np.inf), integer_servers=integer_servers)


def run() -> list[Row]:
    relaxed = ten_option_problem()
    integer = ten_option_problem(integer_servers=True)
    # Demand 12 %/y faster: a site limit binds, and the binding-limit search runs.
    tight = dataclasses.replace(relaxed, demand=relaxed.demand * 1.12 ** np.arange(N_YEARS))
    plan = solve_problem(relaxed)
    infeasible = solve_problem(tight)
    t_relaxed = best_of(lambda: solve_problem(relaxed))
    t_integer = best_of(lambda: solve_problem(integer), repeat=1)
    t_tight = best_of(lambda: solve_problem(tight), repeat=1)
    return [
        Row("15 y x 10 options, server counts rounded up", t_relaxed, "s", target="< 5 s", target_value=5.0,
            note=f"NPC {plan.npc_krw / 1e9:,.0f} bn KRW, phase 2 in {plan.phase2_year}"),
        Row("15 y x 10 options, integer server counts", t_integer, "s", target="< 5 s", target_value=5.0,
            note="exact integers for every purchase"),
        Row("infeasible plan: find the binding limit", t_tight, "s", target="< 5 s", target_value=5.0,
            note=infeasible.binding_limit or "feasible"),
    ]
