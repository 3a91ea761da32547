"""Cell parsers: sizes such as '7B', numbers with separators, percentages, whole numbers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.survey.parse import CellError, parse_int, parse_number, parse_pct, parse_size


@pytest.mark.parametrize(("text", "expected"), [
    ("7B", 7e9), ("70b", 70e9), ("1.5T", 1.5e12), ("500M", 5e8), ("13 B", 13e9), ("7e9", 7e9),
    ("7000000000", 7e9), ("7,000,000,000", 7e9), (7e9, 7e9), (125, 125.0), ("3조", 3e12), ("70억", 7e9),
    (".5T", 0.5e12), ("20k", 2e4),
])
def test_parse_size(text: object, expected: float) -> None:
    assert parse_size(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["7 billion", "B7", "", "seven", "7BB", "1.2.3B", True])
def test_parse_size_rejects(text: object) -> None:
    with pytest.raises(CellError) as exc:
        parse_size(text)
    assert "7B" in exc.value.expected or exc.value.expected == "a number"


@given(st.floats(min_value=0.001, max_value=9999, allow_nan=False), st.sampled_from(["K", "M", "B", "T"]))
def test_parse_size_scales_by_suffix(x: float, suffix: str) -> None:
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[suffix]
    assert math.isclose(parse_size(f"{x!r}{suffix}"), x * scale, rel_tol=1e-12)


def test_numbers_percent_and_int() -> None:
    assert parse_number(" 1,234.5 ") == 1234.5
    assert parse_pct("10%") == pytest.approx(0.1)
    assert parse_pct(10) == pytest.approx(0.1)
    assert parse_int("2.0") == 2
    with pytest.raises(CellError, match="not a whole number"):
        parse_int(2.5)
    for bad in ("nan", "inf", float("nan"), "ten", False):
        with pytest.raises(CellError):
            parse_number(bad)
