"""Monte Carlo over uncertain demand growth, prices and costs.

Each sample draws, from one seeded ``numpy.random.Generator``:

- a demand-growth shock ``g ~ N(0, mc_demand_growth_sd_frac)``: the demand of plan year ``t``
  is multiplied by ``(1 + g) ** t``;
- log-normal multipliers (median 1) on capital costs (``mc_cost_sd_frac``), on GPU/vCPU
  prices (``mc_price_sd_frac``) and on the electricity price (``mc_tariff_sd_frac``).

The plan is re-optimised for the sample's demand (its decisions use the central costs), then
costed with the sample's multipliers. The result is the NPV distribution and, per year, the
share of samples in which phase 2 (a block beyond phase 1) has been built by then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aidc.economics.stage import Factors, evaluate
from aidc.plan import solve_problem
from aidc.plan.stage import problem_from_scenario
from aidc.scenario import Scenario


@dataclass(frozen=True)
class MonteCarlo:
    """Samples of the project's outcome.

    Attributes
    ----------
    samples : DataFrame
        One row per sample: ``sample, demand_growth_shock_frac, cost_factor, price_factor,
        tariff_factor, npv_krw, irr_frac, equity_irr_frac, min_dscr, phase2_year, plan_feasible``.
    phase2_by_year : DataFrame
        ``year, phase2_prob_frac``: share of samples with phase 2 built by that year.
    summary : dict
        ``n_samples, npv_mean_krw, npv_p05_krw, npv_p50_krw, npv_p95_krw, npv_negative_prob_frac``.
    """

    samples: pd.DataFrame
    phase2_by_year: pd.DataFrame
    summary: dict[str, float]


def draw_factors(scenario: Scenario, rng: np.random.Generator, n_samples: int) -> pd.DataFrame:
    """Return ``n_samples`` draws of the uncertain inputs (one row each).

    Examples
    --------
    >>> from aidc import load_scenario
    >>> draws = draw_factors(load_scenario(), np.random.default_rng(0), 3)
    >>> list(draws.columns)
    ['demand_growth_shock_frac', 'cost_factor', 'price_factor', 'tariff_factor']
    """
    econ = scenario.economics
    return pd.DataFrame({
        "demand_growth_shock_frac": rng.normal(0.0, econ.mc_demand_growth_sd_frac, n_samples),
        "cost_factor": rng.lognormal(0.0, econ.mc_cost_sd_frac, n_samples),
        "price_factor": rng.lognormal(0.0, econ.mc_price_sd_frac, n_samples),
        "tariff_factor": rng.lognormal(0.0, econ.mc_tariff_sd_frac, n_samples),
    })


def monte_carlo(
    scenario: Scenario, design: Any = None, demand: Any = None, *, n_samples: int,
    rng: np.random.Generator | None = None, energy: Any = None, simulation: Any = None,
    progress: Callable[[int], None] | None = None,
) -> MonteCarlo:
    """Run ``n_samples`` plans and economics under drawn demand growth, costs and prices.

    ``rng`` defaults to ``numpy.random.default_rng(scenario.seed)``; ``progress(i)`` is called
    after each sample (the CLI's progress bar).
    """
    if n_samples < 1:
        raise ValueError("n_samples must be at least 1")
    rng = rng if rng is not None else np.random.default_rng(scenario.seed)
    draws = draw_factors(scenario, rng, n_samples)
    base = problem_from_scenario(scenario, design, demand)
    t = np.arange(base.n_years)
    rows = []
    for i, d in enumerate(draws.itertuples(index=False)):
        problem = dataclasses.replace(base, demand=base.demand * (1.0 + d.demand_growth_shock_frac) ** t)
        plan = solve_problem(problem)
        factors = Factors(cost=d.cost_factor, price=d.price_factor, tariff=d.tariff_factor)
        scaled = _scaled_demand(demand, scenario, d.demand_growth_shock_frac)
        econ = evaluate(scenario, design, plan, energy, simulation, scaled, factors=factors)
        rows.append({"sample": i, **d._asdict(), "npv_krw": econ.summary["npv_krw"],
                     "irr_frac": econ.summary["irr_frac"], "equity_irr_frac": econ.summary["equity_irr_frac"],
                     "min_dscr": econ.summary["min_dscr"], "phase2_year": plan.phase2_year,
                     "plan_feasible": plan.feasible})
        if progress is not None:
            progress(i + 1)
    samples = pd.DataFrame(rows)
    years = base.years.astype(int)
    phase2 = samples["phase2_year"].astype("Float64")
    prob = [float((phase2 <= y).fillna(False).mean()) for y in years]
    npv = samples["npv_krw"].to_numpy(float)
    summary = {
        "n_samples": float(n_samples),
        "npv_mean_krw": float(npv.mean()),
        "npv_p05_krw": float(np.quantile(npv, 0.05)),
        "npv_p50_krw": float(np.quantile(npv, 0.5)),
        "npv_p95_krw": float(np.quantile(npv, 0.95)),
        "npv_negative_prob_frac": float((npv < 0).mean()),
    }
    return MonteCarlo(samples, pd.DataFrame({"year": years, "phase2_prob_frac": prob}), summary)


@dataclass(frozen=True)
class _Demand:
    by_year: pd.DataFrame


def _scaled_demand(demand: Any, scenario: Scenario, shock_frac: float) -> Any:
    """Return the demand result with every year's hours and sizes scaled by ``(1 + g) ** t``."""
    by_year = getattr(demand, "by_year", None)
    if by_year is None:
        return demand
    growth = (1.0 + shock_frac) ** (by_year["year"] - scenario.start_year).clip(lower=0)
    sizes = ("gpu_hours", "peak_gpus", "cpu_vcpus", "memory_gb", "storage_tb")
    cols = [col for col in sizes if col in by_year]
    return _Demand(by_year.assign(**{col: by_year[col] * growth for col in cols}))
