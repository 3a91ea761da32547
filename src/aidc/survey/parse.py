"""Parsing of single survey cells: numbers with thousands separators, sizes such as "7B", percents.

Each parser returns the parsed value or raises :class:`CellError` with what was expected;
the validator turns that into a :class:`aidc.errors.Problem` with sheet, row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from aidc.survey.schema import Column, match_choice


class CellError(ValueError):
    """A cell that cannot be read as its column's type; ``expected`` says what would be."""

    def __init__(self, message: str, expected: str, **params: object) -> None:
        super().__init__(message)
        self.expected = expected
        self.params = params


# SI-style multipliers of model sizes and token counts as people write them ("7B", "1.5T", "500M").
# Definitions of the prefixes, not data: k = 10^3 ... T = 10^12 (Korean 억 = 10^8, 조 = 10^12).
_SIZE_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "억": 1e8, "조": 1e12}
_SIZE_RE = re.compile(r"^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmbgt억조]?)$", re.IGNORECASE)


_COUNT_EXAMPLE = "a count such as 7B, 1.5T, 500M or 7000000000"


def is_blank(value: object) -> bool:
    """Return True for an empty cell (None, NaN, or only whitespace)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def parse_number(value: object) -> float:
    """Parse a number, accepting '1,000' and ' 12.5 '.

    Examples
    --------
    >>> parse_number("1,000")
    1000.0
    """
    if isinstance(value, bool):
        raise CellError("not a number", "a number")
    if isinstance(value, int | float):
        if math.isnan(value) or math.isinf(value):
            raise CellError("not a finite number", "a number")
        return float(value)
    text = str(value).strip().replace(",", "")
    try:
        out = float(text)
    except ValueError:
        raise CellError("not a number", "a number") from None
    if math.isnan(out) or math.isinf(out):
        raise CellError("not a finite number", "a number")
    return out


def parse_size(value: object) -> float:
    """Parse a parameter or token count written as "7B", "70b", "1.5T", "500M", "7e9" or 7000000000.

    Examples
    --------
    >>> parse_size("7B"), parse_size("1.5T"), parse_size(" 500 M ")
    (7000000000.0, 1500000000000.0, 500000000.0)
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_number(value)
    text = str(value).strip().replace(",", "")
    m = _SIZE_RE.match(text)
    if not m:
        raise CellError("not a size", _COUNT_EXAMPLE)
    return float(m.group(1)) * _SIZE_SUFFIX.get(m.group(2).lower(), 1.0)


def parse_int(value: object) -> int:
    """Parse a whole number (2.0 is accepted, 2.5 is not)."""
    out = parse_number(value)
    if out != int(out):
        raise CellError("not a whole number", "a whole number")
    return int(out)


def parse_pct(value: object) -> float:
    """Parse a percentage ("10", "10%", 10) and return it as a fraction (0.1).

    Examples
    --------
    >>> parse_pct("10%")
    0.1
    """
    text = str(value).strip().removesuffix("%") if isinstance(value, str) else value
    return parse_number(text) / 100.0


def parse_text(value: object) -> str:
    """Return the cell as stripped text (numbers such as 2028 become '2028')."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    return str(value).strip()


_PARSERS: dict[str, Callable[[object], Any]] = {
    "text": parse_text,
    "int": parse_int,
    "year": parse_int,
    "number": parse_number,
    "size": parse_size,
    "pct": parse_pct,
}


def parse_cell(column: Column, value: object) -> Any:
    """Parse one non-blank cell as ``column`` says; raise :class:`CellError` if it cannot be."""
    lst = column.choice_list
    if lst is not None:
        key = match_choice(lst, value)
        if key is None:
            raise CellError("unknown value", "one of {choices}", choices=", ".join(_choice_keys(lst)))
        return key
    return _PARSERS[column.type](value)


def _choice_keys(list_name: str) -> list[str]:
    from aidc.survey.schema import choices

    return list(choices(list_name))


def bounds_message(column: Column, value: float) -> tuple[str, str, str, float] | None:
    """Return (severity, message, expected, limit) if a parsed number is out of its bounds, else None.

    ``expected`` is a catalog message id with a ``{limit}`` placeholder.

    Percent columns are checked in percent, as the respondent wrote them.
    """
    shown = value * 100.0 if column.type == "pct" else value
    checks = (
        ("error", column.min, column.max, "out of range"),
        ("warning", column.warn_min, column.warn_max, "implausible value"),
    )
    for severity, lo, hi, text in checks:
        if lo is not None and shown < lo:
            return severity, ("negative value" if shown < 0 <= lo else text), ">= {limit}", lo
        if hi is not None and shown > hi:
            return severity, text, "<= {limit}", hi
    return None
