"""The weather the energy stage runs on: the shipped Jeonju typical year, or a user's frame.

File formats live in :mod:`aidc.io.weather`; this module only checks a weather DataFrame
and loads the shipped default from package data.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from aidc import units
from aidc.data import path as data_path
from aidc.energy.cooling import wet_bulb_c
from aidc.errors import InputError, Problem
from aidc.i18n import N_

N_HOURS = int(units.H_PER_YEAR)
DEFAULT_PRESSURE_PA = units.STANDARD_PRESSURE_PA  # used when a weather file has no pressure
REQUIRED = ("temp_air_c", "relative_humidity_frac")
DEFAULT_FILE = "weather/jeonju_typical.csv"


@cache
def _default() -> pd.DataFrame:
    return pd.read_csv(data_path(DEFAULT_FILE))


#: What the shipped year is, for the notes of a run that uses it (see data/weather/README.md).
DEFAULT_WEATHER_BASIS = N_(
    "weather: the shipped Jeonju typical year is synthetic - 8,760 hours built from the KMA 1991-2020 "
    "monthly normals of daily maximum and minimum temperature for Jeonju (station 146, secondary copy) "
    "with ASHRAE's daily-range profile (Fundamentals 2021, ch. 14, Table 6); humidity is Cheongju's "
    "(KMA 131) as a proxy; it has no day-to-day weather, so peaks are understated: size with a measured EPW"
)


def default_weather() -> pd.DataFrame:
    """Return the shipped typical year for Jeonju (built from KMA normals; RH is a Cheongju proxy).

    Examples
    --------
    >>> w = default_weather()
    >>> len(w), round(float(w.temp_air_c.mean()), 1)
    (8760, 13.8)
    """
    return _default().copy()


def prepare_weather(weather: pd.DataFrame, source: str = "weather", full_year: bool = True) -> pd.DataFrame:
    """Check a weather frame (8,760 hourly rows) and fill ``pressure_pa`` and ``wet_bulb_c`` if absent.

    ``full_year=False`` accepts any number of hours (for samples and tests).

    Raises :class:`InputError` naming the column and the first bad row.
    """
    problems = [
        Problem("weather column missing", file=source, column=c, expected="a number per hour")
        for c in REQUIRED
        if c not in weather.columns
    ]
    if full_year and len(weather) != N_HOURS:
        problems.append(
            Problem(
                "weather must hold one row per hour of a year",
                file=source,
                found=len(weather),
                expected=f"{N_HOURS} rows",
            )
        )
    if problems:
        raise InputError(problems)
    w = weather.reset_index(drop=True).copy()
    checks = {
        "temp_air_c": (-60.0, 60.0),
        "relative_humidity_frac": (0.0, 1.0),
        "pressure_pa": (5e4, 1.1e5),
        "wet_bulb_c": (-60.0, 60.0),
    }
    for col, (lo, hi) in checks.items():
        if col not in w:
            continue
        v = pd.to_numeric(w[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~((v >= lo) & (v <= hi)))
        if bad.size:
            problems.append(
                Problem(
                    f"{bad.size} value(s) missing or out of range",
                    file=source,
                    row=int(bad[0]) + 1,
                    column=col,
                    found=w[col].iloc[bad[0]],
                    expected=f"{lo:g} to {hi:g}",
                )
            )
        w[col] = v
    if problems:
        raise InputError(problems)
    if "pressure_pa" not in w:
        w["pressure_pa"] = DEFAULT_PRESSURE_PA
    if "wet_bulb_c" not in w:
        w["wet_bulb_c"] = wet_bulb_c(w["temp_air_c"], w["relative_humidity_frac"], w["pressure_pa"])
    return w
