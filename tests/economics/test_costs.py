"""Cost model functions: published figures, hand-worked cases, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.economics.costs import (
    book_value_krw,
    construction_cost_krw,
    energy_cost_krw_per_y,
    in_service_value_krw,
    server_load_frac,
    split_construction_cost,
    straight_line_depreciation_krw,
)


def test_construction_cost_korea_reference() -> None:
    """C&W APAC Data Centre Construction Cost Guide 2023/24: Korea 9.23 USD/W; 8 MW at 1,400 KRW/USD."""
    assert construction_cost_krw(8000, 9.23, 1400) == pytest.approx(8000 * 1000 * 9.23 * 1400)


def test_split_follows_cushman_wakefield_breakdown() -> None:
    """C&W Development Cost Guide 2025: critical-capacity MEP is 53 % of development cost."""
    parts = split_construction_cost(1000.0, 0.53, 0.6)
    assert parts["building"] == pytest.approx(1000 * (1 - 0.53))
    assert parts["electrical"] == pytest.approx(1000 * 0.53 * 0.6)
    assert parts["mechanical"] == pytest.approx(1000 * 0.53 * 0.4)


def test_energy_cost_by_hand() -> None:
    # 500 kW mean IT at PUE 1.5 for 8,760 h at 200 KRW/kWh
    assert energy_cost_krw_per_y(500.0, 1.5, 200.0) == pytest.approx(500 * 1.5 * 8760 * 200)


def test_server_load_by_hand() -> None:
    assert server_load_frac(0.2, 0.76, 0.0) == pytest.approx(0.2)
    assert server_load_frac(0.2, 0.76, 1.0) == pytest.approx(0.76)


def test_in_service_and_depreciation_by_hand() -> None:
    # 12 bought in year 0 with a 3-year life serves years 1..3, written off 4 a year.
    assert in_service_value_krw([12.0, 0, 0, 0, 0], 3).tolist() == [0.0, 12.0, 12.0, 12.0, 0.0]
    assert straight_line_depreciation_krw([12.0, 0, 0, 0, 0], 3).tolist() == [0.0, 4.0, 4.0, 4.0, 0.0]
    # at the end of year 2 it has served 2 of 3 years
    assert book_value_krw([12.0, 0, 0], 3) == pytest.approx(12 / 3)


@settings(max_examples=40, deadline=None)
@given(capex=st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=15),
       life=st.integers(1, 10))
def test_depreciation_plus_book_value_is_capex(capex, life) -> None:
    """Whatever was bought is either written off within the timeline or still on the books."""
    dep = straight_line_depreciation_krw(capex, life)
    assert dep.sum() + book_value_krw(capex, life) == pytest.approx(sum(capex), rel=1e-9, abs=1e-3)


@settings(max_examples=40, deadline=None)
@given(cost=st.floats(min_value=0, max_value=1e12), mep=st.floats(0, 1), e=st.floats(0, 1))
def test_split_parts_sum_to_cost(cost, mep, e) -> None:
    parts_krw = [float(np.asarray(v)) for v in split_construction_cost(cost, mep, e).values()]
    assert sum(parts_krw) == pytest.approx(cost, rel=1e-12, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(p=st.floats(0, 1e5), more=st.floats(0, 1e5), pue=st.floats(1, 3))
def test_more_it_power_never_costs_less(p, more, pue) -> None:
    more_krw = np.asarray(energy_cost_krw_per_y(p + more, pue, 180.0))
    assert more_krw >= np.asarray(energy_cost_krw_per_y(p, pue, 180.0))


def test_scalar_array_series_agree() -> None:
    p = np.array([100.0, 200.0])
    assert energy_cost_krw_per_y(p, 1.3, 180.0) == pytest.approx(
        [energy_cost_krw_per_y(100.0, 1.3, 180.0), energy_cost_krw_per_y(200.0, 1.3, 180.0)])
    series = energy_cost_krw_per_y(pd.Series(p), 1.3, 180.0)
    assert isinstance(series, pd.Series)
    assert series.tolist() == pytest.approx(energy_cost_krw_per_y(p, 1.3, 180.0))
