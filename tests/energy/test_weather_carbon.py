"""The shipped Jeonju typical year (against the normals it is built from) and grid carbon."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aidc.data import load_yaml
from aidc.data import path as data_path
from aidc.data.weather import build_jeonju
from aidc.energy.carbon import carbon_t, grid_factor_t_per_mwh
from aidc.energy.weather import default_weather, prepare_weather
from aidc.errors import InputError

NORMALS = load_yaml("weather/jeonju_normals.yaml")


def test_typical_year_matches_normals() -> None:
    """KMA 1991-2020 normals for Jeonju (facts kr.climate.jeonju.*): monthly means of the hourly year
    within 0.6 K of the published monthly means; daily maxima and minima reproduce the normals
    mid-month; mean RH equals the (Cheongju proxy) normals (kr.climate.cheongju.rh_proxy)."""
    w = default_weather()
    monthly = w.groupby("month")
    np.testing.assert_allclose(monthly.temp_air_c.mean(), NORMALS["temp_mean_c"]["value"], atol=0.6)
    np.testing.assert_allclose(
        monthly.relative_humidity_frac.mean(), NORMALS["relative_humidity_frac"]["value"], atol=0.02
    )
    jul16 = w[(w.month == 7) & (w.day == 16)]
    assert jul16.temp_air_c.max() == pytest.approx(30.6, abs=0.05)
    assert jul16.temp_air_c.min() == pytest.approx(22.7, abs=0.05)
    # the daily cycle: coldest at 05 h, warmest at 14-15 h (ASHRAE fraction table)
    assert jul16.temp_air_c.to_numpy().argmin() == 4
    assert jul16.temp_air_c.to_numpy().argmax() in (13, 14)
    assert (w.wet_bulb_c <= w.temp_air_c + 1e-9).all()


def test_shipped_csv_is_what_the_builder_makes() -> None:
    shipped = pd.read_csv(data_path("weather/jeonju_typical.csv"))
    pd.testing.assert_frame_equal(build_jeonju.build(), shipped, check_dtype=False, atol=1e-9)


def test_daily_interpolation_by_hand() -> None:
    d = build_jeonju.daily_from_monthly(np.array([0.0] * 6 + [12.0] * 6))
    assert d[15] == 0.0
    assert d[196] == 12.0
    assert 0.0 < d[181] < 12.0  # between mid-June and mid-July


def test_prepare_weather_checks() -> None:
    w = default_weather().drop(columns=["wet_bulb_c"])
    filled = prepare_weather(w)
    np.testing.assert_allclose(filled.wet_bulb_c, default_weather().wet_bulb_c, atol=2e-3)
    with pytest.raises(InputError, match="weather column missing"):
        prepare_weather(w.drop(columns=["temp_air_c"]))
    with pytest.raises(InputError, match="one row per hour"):
        prepare_weather(w.iloc[:100])
    bad = w.copy()
    bad.loc[10, "relative_humidity_frac"] = 80.0  # percent given where a fraction is expected
    with pytest.raises(InputError) as info:
        prepare_weather(bad)
    assert (info.value.problems[0].row, info.value.problems[0].column) == (11, "relative_humidity_frac")


def test_grid_factor_reference() -> None:
    """Korea's national grid emission factor: 0.4173 tCO2eq/MWh for 2023 (기후에너지환경부,
    facts kr.grid_ef.2023); 0.45941 for the ETS 2014-2016 average (kr.grid_ef.2014_2016)."""
    assert grid_factor_t_per_mwh(2023)[0] == 0.4173
    assert grid_factor_t_per_mwh(2030)[0] == 0.4173  # latest published carries forward
    assert grid_factor_t_per_mwh(2017)[0] == 0.45941
    assert grid_factor_t_per_mwh(2005)[0] == 0.443  # before the first: the earliest
    assert "kr.grid_ef.2023" in grid_factor_t_per_mwh(2023)[1]["source"]


def test_carbon_by_hand_and_types() -> None:
    assert carbon_t(1000.0, 0.4, 0.0) == pytest.approx(0.4)  # 1 MWh at 0.4 t/MWh
    assert carbon_t(1000.0, 0.4, 1.0) == 0.0  # RE100
    hourly = carbon_t(np.array([1000.0, 2000.0]), np.array([0.5, 0.25]), 0.5)
    np.testing.assert_allclose(hourly, [0.25, 0.25])
    np.testing.assert_allclose(carbon_t(pd.Series([1000.0]), 0.4), [0.4])


def test_builder_is_runnable_as_a_script() -> None:
    assert (Path(build_jeonju.__file__).parent / "jeonju_normals.yaml").is_file()


def test_extremes_of_the_typical_year_are_the_normals_not_the_records() -> None:
    """The synthetic year's hottest and coldest hours are the KMA normal daily maximum of August
    (31.3 C) and minimum of January (-4.3 C), placed mid-month; every month stays below its record
    high (travel-zentech copy of KMA data): design-day peaks are understated by 7.6 K in August."""
    w = default_weather()
    tmax, tmin = NORMALS["temp_max_c"]["value"], NORMALS["temp_min_c"]["value"]
    assert w.temp_air_c.max() == pytest.approx(max(tmax), abs=0.05)  # 31.3 C, August
    assert w.temp_air_c.min() == pytest.approx(min(tmin), abs=0.05)  # -4.3 C, January
    monthly_max = w.groupby("month").temp_air_c.max().to_numpy()
    records = np.array(NORMALS["temp_record_max_c"]["value"])
    assert (monthly_max < records).all()
    assert records[7] - monthly_max[7] == pytest.approx(38.9 - 31.3, abs=0.05)
