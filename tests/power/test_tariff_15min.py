"""15-minute billing checked by hand against KEPCO's published tariff.

Rates: KEPCO 산업용전력(을) 고압A 선택II, in force 2026-04-16 (전기요금표, transcribed in
aidc/data/tariffs/kepco_industrial_b_2026.yaml): basic 8,320 KRW/kW-month; summer energy
light 116.0, mid 163.8, peak 229.0 KRW/kWh; climate-environment 9.0 and fuel adjustment
5.0 KRW/kWh; power-industry fund 2.7 % of the charges for use from 2025-07-01 (전기사업법 시행령
제36조, 2024 amendment) and VAT 10 %. Summer TOU hours:
light 22-08, mid 08-15 and 21-22, peak 15-21. Billing demand (요금적용전력): the largest
15-minute demand in mid and peak hours of the current month and of Jul, Aug, Sep, Dec,
Jan, Feb among the 11 months before, at least 30 % of the contract (기본공급약관 시행세칙).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aidc.energy.tariff import (
    bill_15min,
    billing_demand_lookback_kw,
    get_tariff,
    interval_calendar,
    monthly_peaks_kw,
)

TARIFF = "kepco_industrial_b_high_a_II"


def _two_days() -> tuple[pd.DataFrame, np.ndarray]:
    cal = interval_calendar(2027)
    days = cal["timestamp"].dt.strftime("%Y-%m-%d").isin(["2027-07-07", "2027-07-08"])  # Wed, Thu; no holiday
    cal = cal[days.to_numpy()].reset_index(drop=True)
    power = np.full(len(cal), 1000.0)
    power[15 * 4] = 2000.0  # 15:00-15:15 of the first day, a peak interval
    power[23 * 4] = 3000.0  # 23:00-23:15, light load: not counted in the billing demand
    return cal, power


def test_two_day_profile_billed_by_hand() -> None:
    cal, power = _two_days()
    bill = bill_15min(power, cal, get_tariff(TARIFF), contract_kw=2500.0, history_by_month_kw=np.zeros(12))
    july = bill.set_index("month").loc[7]
    light_kwh = 2 * 10 * 1000 + 0.25 * 2000  # 20 light hours at 1,000 kW, and the 3,000 kW quarter hour
    mid_kwh = 2 * 8 * 1000
    peak_kwh = 2 * 6 * 1000 + 0.25 * 1000
    energy_kwh = 48 * 1000 + 0.25 * 1000 + 0.25 * 2000
    assert july["energy_kwh"] == pytest.approx(energy_kwh)
    assert (july["light_kwh"], july["mid_kwh"], july["peak_kwh"]) == pytest.approx(
        (light_kwh, mid_kwh, peak_kwh)
    )
    assert july["billing_demand_kw"] == pytest.approx(2000.0)
    basic = 2000 * 8320
    energy = 20500 * 116.0 + 16000 * 163.8 + 12250 * 229.0
    climate = 48750 * 9.0
    fuel = 48750 * 5.0
    charges = basic + energy + climate + fuel
    assert july["basic_krw"] == pytest.approx(basic)
    assert july["energy_krw"] == pytest.approx(energy)
    assert july["climate_env_krw"] == pytest.approx(climate)
    assert july["fuel_adjustment_krw"] == pytest.approx(fuel)
    assert july["power_fund_krw"] == pytest.approx(0.027 * charges)
    assert july["vat_krw"] == pytest.approx(0.10 * charges)
    assert july["total_krw"] == pytest.approx(charges * (1 + 0.027 + 0.10))
    assert july["total_krw"] == pytest.approx(28_317_621.85)


PEAKS = [5000, 4000, 3000, 3000, 3500, 4500, 6000, 5500, 4000, 3000, 3000, 4800]


def test_billing_demand_over_a_year_by_hand() -> None:
    t = get_tariff(TARIFF)
    # new connection: the months before have no past; the January peak holds until July's
    new = billing_demand_lookback_kw(PEAKS, t, 10_000.0, np.zeros(12))
    assert new.tolist() == [5000, 5000, 5000, 5000, 5000, 5000, 6000, 6000, 6000, 6000, 6000, 6000]
    # the floor: 30 % of an 18,000 kW contract is 5,400 kW
    floored = billing_demand_lookback_kw(PEAKS, t, 18_000.0, np.zeros(12))
    assert floored.tolist() == [5400, 5400, 5400, 5400, 5400, 5400, 6000, 6000, 6000, 6000, 6000, 6000]
    # steady operation: every month's look-back holds last July (6,000 kW)
    assert billing_demand_lookback_kw(PEAKS, t, 10_000.0).tolist() == [6000.0] * 12
    # a past year whose only high month is October (not a reference month) changes nothing
    past = np.full(12, 1000.0)
    past[9] = 9000.0
    assert billing_demand_lookback_kw(PEAKS, t, 10_000.0, past).tolist() == new.tolist()


def test_monthly_peaks_from_a_year_of_intervals_leave_out_light_load() -> None:
    t = get_tariff(TARIFF)
    cal = interval_calendar(2027)
    power = np.full(len(cal), 1000.0)
    ts = cal["timestamp"]
    for month, peak in enumerate(PEAKS, start=1):
        wednesday = (
            ts[(ts.dt.month == month) & (ts.dt.day_of_week == 2) & (ts.dt.day > 20)].iloc[0].normalize()
        )
        # 10:00 of the first Wednesday after the 20th (after Chuseok, 14-16 Sep 2027): mid or peak always
        power[(ts == wednesday + pd.Timedelta(hours=10)).to_numpy()] = peak
        power[(ts == wednesday + pd.Timedelta(hours=3)).to_numpy()] = 9000.0  # 03:00, light
    from aidc.energy.tariff import classify_hours

    band = classify_hours(t, cal)["band"].to_numpy()
    assert monthly_peaks_kw(power, cal["month"].to_numpy(), band, t).tolist() == PEAKS
    bill = bill_15min(power, cal, t, 10_000.0, np.zeros(12))
    assert bill["billing_demand_kw"].tolist() == [
        5000,
        5000,
        5000,
        5000,
        5000,
        5000,
        6000,
        6000,
        6000,
        6000,
        6000,
        6000,
    ]
