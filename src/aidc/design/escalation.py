"""Escalation of unit costs from their price year to the year they are paid, by a published index.

The index is ``data/costs/construction_index.yaml`` (KICT construction cost index, annual values);
past its last year it grows by the latest published year-on-year change. A cost priced in year
``p`` and paid in year ``y`` is multiplied by ``index(y) / index(p)``. Servers are not escalated:
a construction index says nothing of IT hardware prices, which fall per unit of capacity.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aidc.data import load_yaml
from aidc.errors import InputError

FILE = "costs/construction_index.yaml"


def _index() -> tuple[dict[int, float], float]:
    raw: dict[str, Any] = load_yaml(FILE)
    values = {int(y): float(v) for y, v in raw["kict_construction_cost_index"]["values"].items()}
    return values, float(raw["growth_after_last_frac_per_y"]["value"])


def index_value(year: int | np.ndarray, values: dict[int, float], growth_frac_per_y: float) -> np.ndarray:
    """Return the index of ``year``: the published value, or the last one grown at ``growth_frac_per_y``.

    Examples
    --------
    >>> float(index_value(2024, {2022: 100.0, 2023: 110.0}, 0.05)[()])
    115.5
    """
    y = np.asarray(year, dtype=np.int64)
    first, last = min(values), max(values)
    if (y < first).any():
        raise InputError.single(f"no construction cost index before {first}", file=FILE,
                                field="kict_construction_cost_index", found=int(y.min()),
                                expected=f"a year from {first}")
    published = np.array([values.get(int(v), np.nan) for v in y.ravel()]).reshape(y.shape)
    grown = values[last] * (1.0 + growth_frac_per_y) ** np.maximum(y - last, 0)
    return np.where(y > last, grown, published)


def escalation_factor(price_year: int | np.ndarray, paid_year: int | np.ndarray) -> np.ndarray:
    """Return ``index(paid_year) / index(price_year)`` of the shipped construction cost index [-].

    Examples
    --------
    >>> round(float(escalation_factor(2020, 2022)[()]), 4)  # KICT: 148.56 / 121.80
    1.2197
    """
    values, growth = _index()
    return index_value(paid_year, values, growth) / index_value(price_year, values, growth)
