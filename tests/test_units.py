from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from aidc import units


def test_pyeong_matches_published_value() -> None:
    """1 pyeong = 3.305785 m² (facts.yaml kr.unit.pyeong, winnie-architecture.tistory.com/3)."""
    assert abs(units.pyeong_to_m2(1.0) - 3.305785) < 5e-7


def test_site_area_by_hand() -> None:
    """The article's 2,500-pyeong site is about 8,264 m² (shared/MISSION.md)."""
    assert round(units.pyeong_to_m2(2500)) == 8264


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_area_round_trip(area_m2: float) -> None:
    assert np.isclose(units.pyeong_to_m2(units.m2_to_pyeong(area_m2)), area_m2)


def test_refrigeration_ton() -> None:
    """1 RT = 12,000 BTU/h; 1 BTU/h = 0.29307107 W (NIST SP 811) -> 3.5168 kW."""
    assert np.isclose(units.TON_REFRIGERATION_KW, 12_000 * 0.29307107 / 1000, rtol=1e-6)
