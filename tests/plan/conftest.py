"""Tiny plans written by hand: two years, two server options, one product."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from aidc.plan import PlanProblem


def make_tiny(**changes: Any) -> PlanProblem:
    """Return the hand-checked problem; ``changes`` replace fields.

    Years 2030-31, demand 8 then 16 GPUs; option ``a`` gives 8 GPUs for 10 kW at 100 KRW,
    option ``b`` 16 GPUs for 15 kW at 180 KRW; a 20-kW block costs 50 KRW and takes one floor.
    No discounting; every asset lives two years, so a purchase in 2031 leaves half its life
    after the horizon and is charged half its price.
    """
    n_t = 2
    fields: dict[str, Any] = dict(
        years=np.array([2030, 2031]), discount_rate_frac=0.0, products=("n_gpus",),
        demand=np.array([[8.0, 16.0]]), options=("a", "b"), capacity=np.array([[8.0], [16.0]]),
        it_kw=np.array([10.0, 15.0]), lifetime_y=np.array([2, 2]),
        capex_krw=np.array([[100.0, 100.0], [180.0, 180.0]]), opex_krw_per_y=np.zeros((2, n_t)),
        available=np.ones((2, n_t), dtype=bool), block_it_kw=20.0, block_capex_krw=np.array([50.0, 50.0]),
        block_opex_krw_per_y=0.0, block_lifetime_y=2, floors_per_block=1.0, pue=1.5,
        grid_limit_kw=np.full(n_t, 100.0), max_floors=3.0, budget_krw=np.full(n_t, np.inf),
        min_blocks=np.zeros(n_t, dtype=int), shortfall_penalty_krw=np.full((1, n_t), np.inf),
    )
    fields.update(changes)
    return PlanProblem(**fields)


@pytest.fixture
def tiny() -> PlanProblem:
    return make_tiny()
