"""Build the shipped typical year for Jeonju from monthly climate normals.

Run ``python -m aidc.data.weather.build_jeonju`` to rewrite ``jeonju_typical.csv`` after
changing ``jeonju_normals.yaml``. The daily-cycle model (docs/energy.md, "Weather"):

1. The monthly normals of daily maximum and minimum temperature and of relative humidity
   are placed on the middle day of each month and interpolated linearly, day by day, around
   the year (December wraps to January).
2. Each day's hourly temperature follows ASHRAE's design-day profile,
   ``T = Tmax - f(hour) * (Tmax - Tmin)`` (ASHRAE Handbook—Fundamentals 2021, ch. 14, Table 6).
3. The water-vapour pressure is constant over each day (dew point steady, as in settled
   weather) and chosen so that the day's mean hourly relative humidity equals the normal;
   relative humidity is capped at saturation.
4. Wet bulb from dry bulb, humidity and pressure with psychrolib (ASHRAE Handbook—Fundamentals
   2017, ch. 1).

There is no day-to-day weather noise: heat waves, rain spells and the design extremes are
absent, so peaks of cooling power are understated (see docs/energy.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import psychrolib
import yaml

HERE = Path(__file__).parent
NORMALS = HERE / "jeonju_normals.yaml"
OUTPUT = HERE / "jeonju_typical.csv"
DAYS_PER_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def daily_from_monthly(monthly: np.ndarray) -> np.ndarray:
    """Interpolate 12 monthly values (placed mid-month) to 365 days, periodically.

    Examples
    --------
    >>> d = daily_from_monthly(np.arange(12.0))
    >>> d.shape, float(d[15]), float(d[44])
    ((365,), 0.0, 1.0)
    """
    month_start = np.concatenate([[0], np.cumsum(DAYS_PER_MONTH)[:-1]])
    mid = month_start + (DAYS_PER_MONTH - 1) // 2
    xp = np.concatenate([mid - 365, mid, mid + 365])
    fp = np.tile(np.asarray(monthly, dtype=float), 3)
    return np.interp(np.arange(365), xp, fp)


def _vapour_pressure_for_mean_rh(sat_pa: np.ndarray, rh_frac: np.ndarray) -> np.ndarray:
    """Per day (rows), the vapour pressure whose mean hourly RH (capped at 1) is ``rh_frac`` [Pa]."""
    lo = np.zeros(len(rh_frac))
    hi = sat_pa.max(axis=1)
    for _ in range(60):  # bisection, all days at once; 60 halvings reach float precision
        mid = 0.5 * (lo + hi)
        too_wet = np.minimum(mid[:, None] / sat_pa, 1.0).mean(axis=1) > rh_frac
        hi = np.where(too_wet, mid, hi)
        lo = np.where(too_wet, lo, mid)
    return 0.5 * (lo + hi)


def typical_year(
    temp_max_c: np.ndarray,
    temp_min_c: np.ndarray,
    relative_humidity_frac: np.ndarray,
    daily_range_fractions: np.ndarray,
    pressure_pa: float,
) -> pd.DataFrame:
    """Return 8,760 hours of weather from monthly normals (Jan..Dec lists).

    Columns: ``month, day, hour, temp_air_c, relative_humidity_frac, pressure_pa, wet_bulb_c``;
    ``hour`` 0..23 is the hour beginning (EPW hour 1 = 00:00-01:00).
    """
    psychrolib.SetUnitSystem(psychrolib.SI)
    tmax = daily_from_monthly(temp_max_c)
    tmin = daily_from_monthly(temp_min_c)
    rh_day = daily_from_monthly(relative_humidity_frac)
    frac = np.asarray(daily_range_fractions, dtype=float)
    temp = tmax[:, None] - frac[None, :] * (tmax - tmin)[:, None]  # (365, 24)
    sat = np.vectorize(psychrolib.GetSatVapPres)(temp)
    vap = _vapour_pressure_for_mean_rh(sat, rh_day)
    rh = np.minimum(vap[:, None] / sat, 1.0)
    wet_bulb = np.vectorize(psychrolib.GetTWetBulbFromRelHum)(temp, rh, pressure_pa)
    dates = pd.date_range("2001-01-01", periods=8760, freq="h")  # any non-leap year
    return pd.DataFrame(
        {
            "month": dates.month,
            "day": dates.day,
            "hour": dates.hour,
            "temp_air_c": temp.ravel().round(3),
            "relative_humidity_frac": rh.ravel().round(4),
            "pressure_pa": np.full(8760, float(pressure_pa)),
            "wet_bulb_c": wet_bulb.ravel().round(3),
        }
    )


def build(normals_path: Path = NORMALS) -> pd.DataFrame:
    """Build the typical year from a normals YAML file such as ``jeonju_normals.yaml``."""
    n = yaml.safe_load(normals_path.read_text(encoding="utf-8"))
    return typical_year(
        np.asarray(n["temp_max_c"]["value"]),
        np.asarray(n["temp_min_c"]["value"]),
        np.asarray(n["relative_humidity_frac"]["value"]),
        np.asarray(n["daily_range_fractions"]["value"]),
        float(n["pressure_pa"]["value"]),
    )


if __name__ == "__main__":
    build().to_csv(OUTPUT, index=False)
