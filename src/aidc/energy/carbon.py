"""Carbon: the grid's emission factor by year (or an hourly intensity), less a renewable share."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from aidc.data import load_yaml
from aidc.units import KWH_PER_MWH


@cache
def grid_factors() -> dict[int, dict[str, Any]]:
    """Korea's grid emission factors by data year: records ``{value, unit, period, source}`` [tCO2eq/MWh]."""
    raw = load_yaml("carbon/kr_grid_ef.yaml")
    return {int(y): rec for y, rec in raw["factors"].items()}


def grid_factor_t_per_mwh(year: int) -> tuple[float, dict[str, Any]]:
    """Return the latest factor published for a data year at or before ``year`` (else the earliest).

    Returns the factor [tCO2eq/MWh] and its record (source, period).

    Examples
    --------
    >>> grid_factor_t_per_mwh(2030)[0], grid_factor_t_per_mwh(2020)[0]
    (0.4173, 0.45941)
    """
    factors = grid_factors()
    usable = [y for y in factors if y <= year]
    rec = factors[max(usable) if usable else min(factors)]
    return float(rec["value"]), rec


def carbon_t(
    energy_kwh: npt.ArrayLike, intensity_t_per_mwh: npt.ArrayLike, renewable_frac: float = 0.0
) -> npt.NDArray[np.float64] | float:
    """Emissions of grid energy after a renewable (PPA / RE100) share [tCO2eq].

    ``carbon = energy * (1 - renewable_frac) * intensity``; the renewable share is counted as
    zero-carbon (market-based accounting).

    Parameters
    ----------
    energy_kwh : float or array
        Energy drawn. [kWh]
    intensity_t_per_mwh : float or array
        Grid emission factor, constant or hourly. [tCO2eq/MWh]
    renewable_frac : float
        Share of the energy bought as renewable. [-]

    Examples
    --------
    >>> round(carbon_t(1_000_000.0, 0.4173, 0.25), 3)
    312.975
    """
    out = (
        np.asarray(energy_kwh, float)
        / KWH_PER_MWH
        * (1.0 - renewable_frac)
        * np.asarray(intensity_t_per_mwh, float)
    )
    return float(out) if np.ndim(out) == 0 else out
