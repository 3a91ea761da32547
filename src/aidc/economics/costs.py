"""Model functions for capital and operating cost: small, pure, vectorised.

References
----------
.. [1] Cushman & Wakefield, *Data Center Development Cost Guide 2025*, pp. 6-9 (cost per MW
   and its breakdown: critical-capacity MEP 53 %, shell 21 %, site 10 %, fit-out 10 %, ...).
.. [2] Cushman & Wakefield, *APAC Data Centre Construction Cost Guide 2023/24*: South Korea
   9.23 USD/W.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aidc.units import H_PER_YEAR, W_PER_KW

ArrayLike = npt.ArrayLike


def construction_cost_krw(
    it_capacity_kw: ArrayLike, cost_usd_per_w: float, exchange_rate_krw_per_usd: float
) -> ArrayLike:
    """Return the development cost of a data center (no land, no IT) [KRW].

    ``C = P_IT [kW] * 1000 W/kW * c [USD/W] * fx [KRW/USD]``.

    Examples
    --------
    >>> float(construction_cost_krw(8000, 9.23, 1400)) / 1e9  # 8 MW at C&W's Korea figure
    103.376
    """
    return np.multiply(it_capacity_kw, W_PER_KW * cost_usd_per_w * exchange_rate_krw_per_usd)


def split_construction_cost(
    cost_krw: ArrayLike, mep_share_frac: float, electrical_share_of_mep_frac: float
) -> dict[str, ArrayLike]:
    """Split a development cost into ``building``, ``electrical`` and ``mechanical`` parts [KRW].

    Building = ``(1 - mep)`` (shell, site, fit-out, back of house, office); electrical =
    ``mep * e``; mechanical = ``mep * (1 - e)``. The parts sum to the cost.

    Examples
    --------
    >>> {k: round(float(v), 1) for k, v in split_construction_cost(100.0, 0.53, 0.6).items()}
    {'building': 47.0, 'electrical': 31.8, 'mechanical': 21.2}
    """
    mep = np.multiply(cost_krw, mep_share_frac)
    return {
        "building": np.subtract(cost_krw, mep),
        "electrical": mep * electrical_share_of_mep_frac,
        "mechanical": mep * (1.0 - electrical_share_of_mep_frac),
    }


def server_load_frac(
    power_idle_frac: ArrayLike, power_typical_frac: ArrayLike, utilization_frac: ArrayLike
) -> ArrayLike:
    """Return a server's mean power as a fraction of its maximum at a utilisation (linear model).

    ``f = idle + (typical - idle) * u`` (Barroso & Hölzle 2007's linear power model, with the
    busy point at the typical rather than the nameplate power).

    Examples
    --------
    >>> round(float(server_load_frac(0.2, 0.76, 0.5)), 6)
    0.48
    """
    return np.add(power_idle_frac, np.multiply(np.subtract(power_typical_frac, power_idle_frac),
                                               utilization_frac))


def energy_cost_krw_per_y(
    it_power_kw: ArrayLike, pue: ArrayLike, tariff_krw_per_kwh: ArrayLike
) -> ArrayLike:
    """Return a year's electricity cost at a constant mean IT power [KRW/y].

    ``E = P_IT [kW] * PUE * 8760 h * tariff [KRW/kWh]``.

    Examples
    --------
    >>> round(float(energy_cost_krw_per_y(1000.0, 1.3, 181.9)) / 1e9, 6)  # 1 MW mean IT load for a year
    2.071477
    """
    return np.multiply(np.multiply(it_power_kw, pue), H_PER_YEAR * np.asarray(tariff_krw_per_kwh))


def in_service_value_krw(capex_by_year_krw: ArrayLike, lifetime_y: int) -> np.ndarray:
    """Return, per year, the purchase value of assets still in service (bought in the last ``L`` years).

    An asset bought in year ``tau`` is in service in years ``tau + 1 .. tau + L`` (it is bought
    the year before it opens).

    Examples
    --------
    >>> in_service_value_krw([10.0, 0.0, 5.0, 0.0], 2).tolist()
    [0.0, 10.0, 10.0, 5.0]
    """
    capex = np.asarray(capex_by_year_krw, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(capex)])
    n = capex.size
    t = np.arange(n)
    return cum[t] - cum[np.maximum(t - lifetime_y, 0)]


def supported_value_krw(capex_by_year_krw: ArrayLike, lifetime_y: int, included_y: int) -> np.ndarray:
    """Return, per year, the purchase value of assets in service whose paid support has begun [KRW].

    The first ``included_y`` years of service are covered by the support sold with the purchase;
    an asset bought in year ``tau`` needs paid support in years ``tau + included_y + 1 .. tau + L``.

    Examples
    --------
    >>> supported_value_krw([10.0, 0.0, 5.0, 0.0, 0.0], 3, 1).tolist()
    [0.0, 0.0, 10.0, 10.0, 5.0]
    >>> bought = [10.0, 0.0, 0.0]
    >>> supported_value_krw(bought, 2, 0).tolist() == in_service_value_krw(bought, 2).tolist()
    True
    """
    covered_y = min(int(included_y), int(lifetime_y))
    in_service = in_service_value_krw(capex_by_year_krw, lifetime_y)
    return in_service - in_service_value_krw(capex_by_year_krw, covered_y)


def support_share_of_life(lifetime_y: float, included_y: float) -> float:
    """Return the share of an asset's service years in which support is paid (not included) [-].

    Examples
    --------
    >>> support_share_of_life(5, 1)
    0.8
    """
    return max(lifetime_y - included_y, 0.0) / lifetime_y if lifetime_y > 0 else 0.0


def price_path_factor(years_from_base_y: ArrayLike, change_frac_per_y: float) -> np.ndarray:
    """Return the multiplier of a price ``t`` years after its base year, changing at ``g`` per year [-].

    ``(1 + g) ** t``: ``g < 0`` is a falling price. The base year is where the list price holds.

    Examples
    --------
    >>> price_path_factor([0, 1, 2], -0.1).round(6).tolist()
    [1.0, 0.9, 0.81]
    """
    return np.power(1.0 + change_frac_per_y, np.asarray(years_from_base_y, dtype=float))


def straight_line_depreciation_krw(capex_by_year_krw: ArrayLike, lifetime_y: int) -> np.ndarray:
    """Return yearly straight-line depreciation of assets bought each year [KRW/y].

    Each purchase is written off in equal parts over the ``L`` years it is in service.

    Examples
    --------
    >>> straight_line_depreciation_krw([10.0, 0.0, 0.0, 0.0], 2).tolist()
    [0.0, 5.0, 5.0, 0.0]
    """
    return in_service_value_krw(capex_by_year_krw, lifetime_y) / lifetime_y


def book_value_krw(capex_by_year_krw: ArrayLike, lifetime_y: int) -> float:
    """Return the undepreciated value left at the end of the last year [KRW].

    Examples
    --------
    >>> book_value_krw([10.0, 0.0, 0.0], 4)  # in service 2 of 4 years by the end: half left
    5.0
    """
    capex = np.asarray(capex_by_year_krw, dtype=float)
    age_y = capex.size - 1 - np.arange(capex.size)  # years in service by the end
    left = np.clip(1.0 - age_y / lifetime_y, 0.0, 1.0)
    return float(capex @ left)
