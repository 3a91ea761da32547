"""Finance functions against numpy-financial, hand-worked cases and invariants."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.economics.finance import (
    annuity_factor,
    debt_service_krw,
    discount_factors,
    irr,
    levelised_cost,
    npv,
    payback_y,
)

rates = st.floats(min_value=0.0, max_value=0.3)
flows = st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=20)


def test_annuity_factor_reference_table() -> None:
    """Present-value annuity tables (Brealey, Myers & Allen, appendix table 3): 10 years at 10 %
    has a PV factor of 6.1446, so the capital recovery factor is 1 / 6.1446."""
    assert annuity_factor(0.10, 10) == pytest.approx(1 / 6.1446, rel=1e-5)


def test_npv_by_hand() -> None:
    assert npv(0.1, [-100.0, 60.0, 60.0]) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.1**2)
    assert npv(0.0, [1.0, 2.0, 3.0]) == 6.0


def test_irr_by_hand() -> None:
    # -100 + 110 / (1 + x) = 0 -> x = 10 %
    assert irr([-100.0, 110.0]) == pytest.approx(0.10)
    # -100 + 121 / (1 + x)^2 = 0 -> x = 10 %
    assert irr([-100.0, 0.0, 121.0]) == pytest.approx(0.10)


def test_debt_service_by_hand() -> None:
    # 1,000 at 10 % over 2 years: payment 1000 * 0.1 / (1 - 1.1^-2) = 576.19; year-1 interest 100,
    # principal 476.19; year-2 interest 10 % of 523.81 = 52.38.
    s = debt_service_krw(1000.0, 0.10, 2)
    payment = 1000 * 0.1 / (1 - 1.1**-2)
    assert s["debt_service_krw"] == pytest.approx([payment, payment])
    assert s["interest_krw"] == pytest.approx([100.0, 0.1 * (1000 - (payment - 100))])
    assert s["principal_krw"].sum() == pytest.approx(1000.0)
    assert s["balance_krw"][-1] == pytest.approx(0.0, abs=1e-9)


def test_zero_rate_loan_repays_evenly() -> None:
    s = debt_service_krw(900.0, 0.0, 3)
    assert s["principal_krw"].tolist() == [300.0, 300.0, 300.0]
    assert s["interest_krw"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("rate", [1e-300, 1e-15, 1e-9])
def test_tiny_rate_loan_repays_like_a_zero_rate_one(rate) -> None:
    """A rate too small for ``(1 + i)^k - 1`` in floating point still repays the principal."""
    s = debt_service_krw(900.0, rate, 3)
    assert s["principal_krw"] == pytest.approx([300.0, 300.0, 300.0], rel=1e-6)
    assert s["balance_krw"] == pytest.approx([600.0, 300.0, 0.0], rel=1e-6, abs=1e-6)


def test_payback_and_levelised_cost_by_hand() -> None:
    assert payback_y([-100.0, 40.0, 40.0, 40.0]) == pytest.approx(2 + 20 / 40)
    assert np.isnan(payback_y([-100.0, 10.0]))
    assert payback_y([5.0, -1.0]) == 0.0
    # (100 + 10/1.1) KRW over (10/1.1) GPU-hours at 10 %
    assert levelised_cost([100.0, 10.0], [0.0, 10.0], 0.1) == pytest.approx((100 + 10 / 1.1) / (10 / 1.1))
    assert np.isnan(levelised_cost([1.0], [0.0], 0.1))


@settings(max_examples=50, deadline=None)
@given(rate=rates, cf=flows)
def test_npv_matches_numpy_financial(rate, cf) -> None:
    assert npv(rate, cf) == pytest.approx(npf.npv(rate, cf), rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(
    "cf", [[-100, 60, 60], [-1000, 300, 400, 500], [-50, 10, 10, 10, 10, 30], [-100, 200]]
)
def test_irr_matches_numpy_financial(cf) -> None:
    assert irr(cf) == pytest.approx(npf.irr(cf), rel=1e-7)


@settings(max_examples=50, deadline=None)
@given(rate=st.floats(min_value=0.001, max_value=0.3), n=st.integers(1, 40))
def test_annuity_and_loan_match_numpy_financial(rate, n) -> None:
    assert annuity_factor(rate, n) == pytest.approx(-npf.pmt(rate, n, 1.0), rel=1e-9)
    s = debt_service_krw(1e9, rate, n)
    per = np.arange(1, n + 1)
    assert s["interest_krw"] == pytest.approx(-npf.ipmt(rate, per, n, 1e9), rel=1e-7, abs=1e-3)
    assert s["principal_krw"] == pytest.approx(-npf.ppmt(rate, per, n, 1e9), rel=1e-7, abs=1e-3)


@settings(max_examples=50, deadline=None)
@given(rate=rates, n=st.integers(1, 50), extra=st.integers(1, 30))
def test_longer_lifetime_never_raises_the_annuity(rate, n, extra) -> None:
    assert annuity_factor(rate, n + extra) <= annuity_factor(rate, n) + 1e-15


@settings(max_examples=30, deadline=None)
@given(rate=st.floats(min_value=0.0, max_value=0.2), more=st.floats(min_value=1e-3, max_value=0.2),
       n=st.integers(1, 40))
def test_higher_rate_never_lowers_the_annuity(rate, more, n) -> None:
    assert annuity_factor(rate + more, n) >= annuity_factor(rate, n)


@settings(max_examples=30, deadline=None)
@given(cost=st.floats(min_value=1.0, max_value=1e6), income=st.floats(min_value=0.01, max_value=0.9),
       n=st.integers(2, 30))
def test_npv_is_zero_at_the_irr(cost, income, n) -> None:
    cf = [-cost] + [cost * income] * n
    rate = irr(cf)
    assert npv(rate, cf) == pytest.approx(0.0, abs=1e-6 * cost)


def test_scalar_array_and_series_agree() -> None:
    r = np.array([0.0, 0.05, 0.1])
    n = pd.Series([10, 20, 30])
    vector = annuity_factor(r, n)
    assert vector == pytest.approx([annuity_factor(float(a), int(b)) for a, b in zip(r, n, strict=True)])
    assert isinstance(annuity_factor(0.05, 10), float)


def test_irr_without_sign_change_is_nan() -> None:
    assert np.isnan(irr([100.0, 50.0]))
    assert np.isnan(irr([-100.0, -50.0]))


def test_discount_factors() -> None:
    assert discount_factors(0.0, 3).tolist() == [1.0, 1.0, 1.0]
    assert discount_factors(1.0, 3).tolist() == [1.0, 0.5, 0.25]
