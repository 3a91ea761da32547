"""Energy stage speed: a year of the default site (8,760 hours at once) and its parts."""

from __future__ import annotations

import time
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

from aidc.design import size
from aidc.energy import evaluate
from aidc.energy.hourly import busy_fractions, facility_hourly
from aidc.energy.site import facility_from_design
from aidc.energy.tariff import calendar, get_tariff, monthly_bill
from aidc.energy.weather import default_weather
from aidc.io.weather import read_epw, write_epw_text
from aidc.scenario import load_scenario
from benchmarks._common import Row, best_of

N_LOOP_HOURS = 240  # the per-hour baseline is timed on 10 days and scaled to the year


def run() -> list[Row]:
    s = load_scenario("jeonbuk-ai")
    d = size(s)
    t0 = time.perf_counter()
    evaluate(s, d)  # first call: reads tariffs, weather and holidays
    t_cold = time.perf_counter() - t0
    t_year = best_of(lambda: evaluate(s, d), repeat=5)
    fac, w = facility_from_design(s, d), default_weather()
    busy = busy_fractions(fac.fleet, 8760, s.energy)
    t_hourly = best_of(lambda: facility_hourly(fac, busy, w, s.energy), repeat=5)
    t0 = time.perf_counter()
    for h in range(N_LOOP_HOURS):  # the same model, one hour at a time
        facility_hourly(fac, busy[:, h : h + 1], w.iloc[h : h + 1], s.energy)
    t_loop = (time.perf_counter() - t0) * 8760 / N_LOOP_HOURS
    cal, tariff = calendar(s.start_year), get_tariff(s.energy.tariff)
    power = np.full(8760, 6000.0)
    t_bill = best_of(lambda: monthly_bill(power, cal, tariff, 12000.0), repeat=5)
    with TemporaryDirectory() as tmp:
        epw = Path(tmp) / "jeonju.epw"
        epw.write_text(write_epw_text(w), encoding="utf-8")
        t_epw = best_of(lambda: read_epw(epw), repeat=2)
    return [
        Row("a year of jeonbuk-ai (evaluate)", t_year * 1e3, "ms", target="< 1,000 ms", target_value=1000.0,
            note="hourly model, bill, carbon; data cached"),
        Row("same, first call", t_cold * 1e3, "ms",
            note="reads tariffs, weather, holidays"),
        Row("hourly facility model, 8,760 h", t_hourly * 1e3, "ms", baseline=t_loop * 1e3,
            note=f"baseline: the same model hour by hour (timed on {N_LOOP_HOURS} h, scaled)"),
        Row("monthly bill, 8,760 h", t_bill * 1e3, "ms"),
        Row("read a year of EPW", t_epw * 1e3, "ms", note="incl. psychrolib wet bulb for 8,760 h"),
    ]
