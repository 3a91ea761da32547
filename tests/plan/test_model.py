"""The expansion MILP on tiny problems whose optimum is worked out by hand (PyPSA's habit)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.errors import InputError
from aidc.plan import solve_problem
from aidc.plan.model import build_model, in_service, life_inside_horizon_frac

from .conftest import make_tiny


def test_hand_optimum_small_servers(tiny) -> None:
    # Paths: a then a = 50 + 100 + 100 / 2 = 200 (the 2031 server is half used up in the
    # horizon); b in 2030 covers both years = 50 + 180 = 230.
    plan = solve_problem(tiny)
    assert plan.feasible
    assert plan.npc_krw == pytest.approx(50 + 100 + 100 / 2)
    assert plan.schedule[["year", "item", "n_units"]].values.tolist() == [
        [2030, "power block", 1], [2030, "a", 1], [2031, "a", 1]]
    assert plan.capacity_by_year["n_gpus_installed"].tolist() == [8.0, 16.0]
    assert plan.binding_limit is None


def test_hand_optimum_one_big_server() -> None:
    # With b at 140: b-path 50 + 140 = 190 < a-path 200.
    plan = solve_problem(make_tiny(capex_krw=np.array([[100.0, 100.0], [140.0, 140.0]])))
    assert plan.npc_krw == pytest.approx(50 + 140)
    assert plan.capacity_by_year["n_gpus_installed"].tolist() == [16.0, 16.0]


def test_hand_optimum_running_cost_tips_the_choice() -> None:
    # With b at 140 and running costs a: 5/y, b: 40/y:
    # a-path 200 + 5 + 2*5 = 215 < b-path 190 + 40*2 = 270.
    plan = solve_problem(make_tiny(capex_krw=np.array([[100.0, 100.0], [140.0, 140.0]]),
                                   opex_krw_per_y=np.array([[5.0, 5.0], [40.0, 40.0]])))
    assert plan.npc_krw == pytest.approx(50 + 100 + 100 / 2 + 5 + 2 * 5)
    assert plan.fleet_by_year["a"].tolist() == [1, 2]
    assert plan.capacity_by_year["it_load_kw"].tolist() == [10.0, 20.0]


def test_hand_optimum_discounted_one_year_lives() -> None:
    # Lives of one year: rebuy everything in 2031. 2030: block + a; 2031: block + b (180 < 2a = 200).
    plan = solve_problem(make_tiny(discount_rate_frac=0.1, lifetime_y=np.array([1, 1]), block_lifetime_y=1))
    assert plan.npc_krw == pytest.approx(50 + 100 + (50 + 180) / 1.1)


def test_value_left_after_the_horizon_is_credited() -> None:
    # Four-year lives in a two-year horizon with r = 0: a 2030 purchase is charged 2/4 of its
    # price, a 2031 one 1/4. a-path 50*2/4 + 100*2/4 + 100*1/4 = 100 < b-path (50 + 180) * 2/4.
    plan = solve_problem(make_tiny(lifetime_y=np.array([4, 4]), block_lifetime_y=4))
    assert plan.npc_krw == pytest.approx(50 * 2 / 4 + 100 * 2 / 4 + 100 * 1 / 4)


def test_phase1_blocks_are_built_first_year() -> None:
    plan = solve_problem(make_tiny(min_blocks=np.array([2, 2])))
    assert plan.capacity_by_year["n_blocks"].tolist() == [2, 2]
    assert plan.npc_krw == pytest.approx(2 * 50 + 100 + 100 / 2)
    assert plan.phase2_year is None


def test_phase2_year_is_first_block_beyond_phase1() -> None:
    # Demand 16 then 32: b in 2030 (15 kW, 180) beats 2a (20 kW, 200); a second b in 2031 needs a
    # second block (30 kW > 20 kW), both charged half: 50 + 180 + (50 + 180) / 2.
    plan = solve_problem(make_tiny(demand=np.array([[16.0, 32.0]]), min_blocks=np.array([1, 1])))
    assert plan.phase2_year == 2031
    assert plan.npc_krw == pytest.approx(50 + 180 + (50 + 180) / 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"grid_limit_kw": np.array([20.0, 20.0])},
         "grid connection: 20.0 kW allowed, 30.0 kW needed in 2030"),
        ({"max_floors": 0.5}, "site floors: 0.5 allowed, 1 needed in 2030"),
        ({"budget_krw": np.array([140.0, 140.0])}, "yearly budget: 140 KRW allowed, 150 KRW needed in 2030"),
        ({"capacity": np.array([[0.0], [0.0]])}, "no server option provides n_gpus in 2030"),
    ],
)
def test_infeasible_plan_names_the_binding_limit(changes, message) -> None:
    plan = solve_problem(make_tiny(**changes))
    assert not plan.feasible
    assert plan.binding_limit == message


def test_budget_that_cannot_be_met_in_later_year() -> None:
    # 2030 fits (block + a = 150 <= 150); 2031 needs another a (100) over a budget of 90.
    plan = solve_problem(make_tiny(budget_krw=np.array([150.0, 90.0])))
    assert plan.binding_limit == "yearly budget: 90 KRW allowed, 100 KRW needed in 2031"


def test_grid_limit_in_megawatts_reads_in_mw() -> None:
    plan = solve_problem(make_tiny(block_it_kw=8000.0, it_kw=np.array([4000.0, 6000.0]),
                                   grid_limit_kw=np.array([8000.0, 8000.0])))
    assert plan.binding_limit == "grid connection: 8.0 MW allowed, 12.0 MW needed in 2030"


def test_two_limits_are_both_named() -> None:
    plan = solve_problem(make_tiny(grid_limit_kw=np.array([20.0, 20.0]), max_floors=0.5))
    assert set(plan.limits) == {"grid connection: 20.0 kW allowed, 30.0 kW needed in 2030",
                                "site floors: 0.5 allowed, 1 needed in 2030"}


def test_priced_shortfall_when_cheaper_than_capacity() -> None:
    # Lost service costs 1 KRW per GPU-year: serving nothing costs 8 + 16 = 24 < any build.
    plan = solve_problem(make_tiny(shortfall_penalty_krw=np.array([[1.0, 1.0]])))
    assert plan.feasible
    assert plan.npc_krw == pytest.approx(8 * 1 + 16 * 1)
    assert plan.binding_limit == "demand short by 8 n_gpus in 2030: cheaper to leave unserved"


def test_priced_shortfall_names_the_full_limit() -> None:
    # Floors for no block at all: all demand goes unserved at 10 KRW per GPU-year.
    plan = solve_problem(make_tiny(shortfall_penalty_krw=np.array([[10.0, 10.0]]), max_floors=0.0))
    assert plan.npc_krw == pytest.approx(10 * (8 + 16))
    assert plan.binding_limit is not None
    assert plan.binding_limit.startswith("site floors: 0 allowed, all used in 2030")


def test_names_are_readable(tiny) -> None:
    m = build_model(tiny)
    assert "buy[b,2031]" in m.var_names
    assert "build_blocks[2030]" in m.var_names
    assert {"demand[n_gpus,2031]", "grid[2030]", "floors[2031]", "it_capacity[2030]"} <= set(m.con_names)


def test_wrong_shape_is_an_input_error() -> None:
    with pytest.raises(InputError, match="demand"):
        make_tiny(demand=np.array([8.0, 16.0]))


def test_negative_demand_is_an_input_error() -> None:
    with pytest.raises(InputError, match="non-negative"):
        make_tiny(demand=np.array([[-1.0, 16.0]]))


def test_in_service_and_life_share() -> None:
    assert in_service(3, 1).astype(int).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    # r = 10 %, life 2, bought in the last of 2 years: 1 / (1 + 1/1.1) of its life is inside.
    assert life_inside_horizon_frac(2, 2, 0.1)[1] == pytest.approx(1 / (1 + 1 / 1.1))


prices = st.floats(min_value=1.0, max_value=1000.0)


@settings(max_examples=25, deadline=None)
@given(pa=prices, pb=prices, d1=st.integers(1, 60), extra=st.integers(0, 60))
def test_raising_demand_never_lowers_built_capacity(pa, pb, d1, extra) -> None:
    """One year: if the smaller demand's plan covered the larger, both would cost the same."""
    common = dict(years=np.array([2030]), capex_krw=np.array([[pa], [pb]]), opex_krw_per_y=np.zeros((2, 1)),
                  available=np.ones((2, 1), bool), block_capex_krw=np.array([50.0]),
                  grid_limit_kw=np.array([1e6]), max_floors=1e3, budget_krw=np.array([np.inf]),
                  min_blocks=np.array([0]), shortfall_penalty_krw=np.array([[np.inf]]))
    low = solve_problem(make_tiny(demand=np.array([[float(d1)]]), **common))
    high = solve_problem(make_tiny(demand=np.array([[float(d1 + extra)]]), **common))
    cap_low = low.capacity_by_year["n_gpus_installed"].iloc[0]
    cap_high = high.capacity_by_year["n_gpus_installed"].iloc[0]
    assert cap_high >= cap_low or high.npc_krw == pytest.approx(low.npc_krw, rel=1e-6)
    assert high.capacity_by_year["it_capacity_kw"].iloc[0] >= low.capacity_by_year["it_capacity_kw"].iloc[0] \
        or high.npc_krw == pytest.approx(low.npc_krw, rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(budget=st.floats(min_value=150.0, max_value=400.0), more=st.floats(min_value=0.0, max_value=300.0),
       pb=prices)
def test_raising_the_budget_never_raises_the_cost(budget, more, pb) -> None:
    capex = np.array([[100.0] * 2, [pb] * 2])
    tight = solve_problem(make_tiny(budget_krw=np.full(2, budget), capex_krw=capex))
    loose = solve_problem(make_tiny(budget_krw=np.full(2, budget + more), capex_krw=capex))
    assert tight.feasible
    assert loose.npc_krw <= tight.npc_krw * (1 + 1e-6)
