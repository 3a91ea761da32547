"""Small pure finance functions: discounting, NPV, IRR, annuities, debt service, payback.

Conventions: cash flows are given per year, the first at year 0 (not discounted); rates are
fractions per year (``0.08`` = 8 %/y). Every function accepts scalars or numpy arrays.

References
----------
.. [1] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2-3 (present value,
   annuities).
.. [2] numpy-financial 1.0 (``npv``, ``irr``, ``pmt``, ``ipmt``, ``ppmt``), used as the
   cross-check in the tests.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

ArrayLike = npt.ArrayLike


def discount_factors(discount_rate_frac: float, n_years: int) -> np.ndarray:
    """Return the present value of 1 paid at the end of year ``t`` for ``t = 0 .. n_years-1``.

    ``df[t] = (1 + r) ** -t``; year 0 is not discounted.

    Examples
    --------
    >>> discount_factors(0.1, 3).round(4).tolist()
    [1.0, 0.9091, 0.8264]
    """
    return (1.0 + discount_rate_frac) ** -np.arange(n_years, dtype=float)


def npv(discount_rate_frac: float, cash_flows: ArrayLike) -> float:
    """Return the net present value of yearly cash flows, the first at year 0 [unit of the flows].

    ``NPV = sum_t CF_t / (1 + r) ** t`` — numpy-financial's ``npv`` convention.

    Examples
    --------
    >>> round(npv(0.1, [-100, 60, 60]), 4)  # -100 + 60/1.1 + 60/1.21
    4.1322
    """
    flows = np.asarray(cash_flows, dtype=float)
    return float(np.sum(flows * discount_factors(discount_rate_frac, flows.size)))


def irr(cash_flows: ArrayLike) -> float:
    """Return the internal rate of return [1/y]: the rate at which the NPV is zero.

    Returns NaN when the flows do not change sign or no root lies in (-99 %, 10,000 %).
    The root is bracketed and found with Brent's method, so a conventional project (costs
    first, then income) gets its unique IRR.

    Examples
    --------
    >>> round(irr([-100, 60, 60]), 6)  # 60/(1+x) + 60/(1+x)^2 = 100 -> x = 0.130662
    0.130662
    >>> irr([100, 50])
    nan
    """
    flows = np.asarray(cash_flows, dtype=float)
    if not (np.any(flows > 0) and np.any(flows < 0)):
        return float("nan")
    lo, hi = -0.99, 100.0
    f_lo, f_hi = npv(lo, flows), npv(hi, flows)
    if np.sign(f_lo) == np.sign(f_hi):
        # Search for a sign change on a grid (multiple or no roots): take the lowest root.
        grid = np.concatenate([np.linspace(-0.99, 1.0, 400), np.geomspace(1.0, 100.0, 100)[1:]])
        values = np.array([npv(r, flows) for r in grid])
        change = np.nonzero(np.sign(values[:-1]) != np.sign(values[1:]))[0]
        if change.size == 0:
            return float("nan")
        lo, hi = grid[change[0]], grid[change[0] + 1]
    return float(brentq(npv_of_rate, lo, hi, args=(flows,), xtol=1e-12))


def npv_of_rate(rate_frac: float, flows: np.ndarray) -> float:
    """Return :func:`npv` with the arguments swapped (the root-finder's signature)."""
    return npv(rate_frac, flows)


def annuity_factor(discount_rate_frac: ArrayLike, lifetime_y: ArrayLike) -> np.ndarray | float:
    """Return the capital recovery factor: the level yearly payment that repays 1 over the life [1/y].

    ``a = r / (1 - (1 + r) ** -n)``, and ``1 / n`` when ``r = 0``. Paid at the end of each year.

    Examples
    --------
    >>> round(annuity_factor(0.08, 10), 6)  # 0.08 / (1 - 1.08**-10)
    0.149029
    >>> annuity_factor(0.0, 4)
    0.25
    """
    r = np.asarray(discount_rate_frac, dtype=float)
    n = np.asarray(lifetime_y, dtype=float)
    # 1 - (1+r)^-n written with expm1/log1p so that tiny rates do not round to 0 / 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(r == 0, 1.0 / n, r / -np.expm1(-n * np.log1p(r)))
    return float(a) if a.ndim == 0 else a


def debt_service_krw(principal_krw: float, interest_rate_frac: float, tenor_y: int) -> dict[str, np.ndarray]:
    """Return the yearly schedule of a level-payment (mortgage-style) loan [KRW].

    The loan is drawn at year 0 and repaid in ``tenor_y`` equal payments at the end of years
    ``1 .. tenor_y``: ``payment = principal * annuity_factor(i, n)``; the interest of year k is
    ``i`` times the balance at its start, the rest repays principal.

    Returns
    -------
    dict of arrays of length ``tenor_y``: ``interest_krw``, ``principal_krw``,
    ``debt_service_krw`` (their sum) and ``balance_krw`` (after the payment).

    Examples
    --------
    >>> s = debt_service_krw(1000.0, 0.1, 2)  # payment = 1000 * 0.1 / (1 - 1.1**-2) = 576.19
    >>> s["debt_service_krw"].round(2).tolist(), s["interest_krw"].round(2).tolist()
    ([576.19, 576.19], [100.0, 52.38])
    """
    payment = principal_krw * annuity_factor(interest_rate_frac, tenor_y)
    k = np.arange(tenor_y, dtype=float)
    # Balance at the start of year k+1 of an annuity loan (closed form of the recursion).
    if interest_rate_frac == 0:
        balance_start = principal_krw - payment * k
    else:
        # (1 + i)^k - 1 written with expm1/log1p, so that a tiny rate does not cancel to 0.
        grown = np.expm1(k * np.log1p(interest_rate_frac))
        balance_start = principal_krw * (1.0 + grown) - payment * grown / interest_rate_frac
    interest = interest_rate_frac * balance_start
    principal = payment - interest
    return {
        "interest_krw": interest,
        "principal_krw": principal,
        "debt_service_krw": np.full(tenor_y, payment),
        "balance_krw": balance_start - principal,
    }


def payback_y(cash_flows: ArrayLike) -> float:
    """Return the simple payback period [y]: when the cumulative cash flow first turns non-negative.

    Linear interpolation inside the year of the crossing; NaN when it never pays back.
    Year 0 is the first flow.

    Examples
    --------
    >>> payback_y([-100, 40, 40, 40])  # 80 back after 2 years, the last 20 of 40 half-way into year 3
    2.5
    >>> payback_y([-100, 10])
    nan
    """
    cum = np.cumsum(np.asarray(cash_flows, dtype=float))
    if cum[0] >= 0:
        return 0.0
    hit = np.nonzero(cum >= 0)[0]
    if hit.size == 0:
        return float("nan")
    t = int(hit[0])
    return float(t - 1 + (-cum[t - 1]) / (cum[t] - cum[t - 1]))


def levelised_cost(costs: ArrayLike, output: ArrayLike, discount_rate_frac: float) -> float:
    """Return the levelised cost: present value of costs over present value of output.

    ``LC = sum_t C_t df_t / sum_t Q_t df_t`` (same year-0 convention as :func:`npv`).
    NaN when there is no output.

    Examples
    --------
    >>> levelised_cost([100, 10, 10], [0, 10, 10], 0.0)  # 120 KRW over 20 GPU-hours
    6.0
    """
    denominator = npv(discount_rate_frac, output)
    return float("nan") if denominator <= 0 else npv(discount_rate_frac, costs) / denominator
