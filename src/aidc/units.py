"""The only home of unit conversion factors.

Every factor here is a definition (exact by law or by convention), so it carries its
source in the comment beside it rather than in a data file.
"""

from __future__ import annotations

# 1 pyeong (평) = 400/121 m² exactly (Korean Measures Act, from 1 ken² = (1.818 m)²);
# 3.305785 m² is the rounded value quoted in ../shared/data/reference/facts.yaml (kr.unit.pyeong).
PYEONG_M2 = 400.0 / 121.0

# 1 refrigeration ton = 12,000 BTU/h = 3.516853 kW (ASHRAE Handbook—Fundamentals, ch. 38).
TON_REFRIGERATION_KW = 3.516853

# 1 CFM = 0.000471947 m³/s (NIST SP 811, appendix B).
CFM_M3_PER_S = 0.00047194745

W_PER_KW = 1_000.0
KW_PER_MW = 1_000.0
WH_PER_KWH = 1_000.0
KWH_PER_MWH = 1_000.0
H_PER_DAY = 24.0
S_PER_H = 3_600.0
# Definitions (source: BIPM, The International System of Units, 9th ed., 2019, Table 8: min = 60 s;
# the Gregorian calendar: 12 months a year). S_PER_MIN is an int so clock arithmetic stays in integers.
S_PER_MIN = 60  # source: SI Brochure Table 8
MONTHS_PER_YEAR = 12  # source: Gregorian calendar
H_PER_YEAR = 8_760.0  # a non-leap year, the length of a typical meteorological year
# 0 °C = 273.15 K exactly (source: BIPM, The International System of Units, 9th ed., 2019).
ZERO_C_K = 273.15
# Standard atmosphere at sea level (source: ISO 2533:1975).
STANDARD_PRESSURE_PA = 101_325.0
MM_PER_M = 1_000.0
KRW_PER_EOK = 100_000_000.0  # 억 원
PCT_PER_FRAC = 100.0


def pyeong_to_m2(area_pyeong: float) -> float:
    """Convert an area from pyeong to square metres.

    Examples
    --------
    >>> round(pyeong_to_m2(2500), 1)
    8264.5
    """
    return area_pyeong * PYEONG_M2


def m2_to_pyeong(area_m2: float) -> float:
    """Convert an area from square metres to pyeong.

    Examples
    --------
    >>> round(m2_to_pyeong(3.305785), 4)
    1.0
    """
    return area_m2 / PYEONG_M2


def kw_to_mw(power_kw: float) -> float:
    """Convert kilowatts to megawatts."""
    return power_kw / KW_PER_MW


def mw_to_kw(power_mw: float) -> float:
    """Convert megawatts to kilowatts."""
    return power_mw * KW_PER_MW


def pct_to_frac(value_pct: float) -> float:
    """Convert a percentage to a fraction (edges only: inside aidc fractions end in ``_frac``)."""
    return value_pct / PCT_PER_FRAC
