"""KEPCO tariffs as data and the monthly bill: hand-worked months from the published rates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from aidc.energy.tariff import (
    adder_rate,
    billing_demand_kw,
    calendar,
    classify_hours,
    get_tariff,
    monthly_bill,
    option_for_usage,
    parse_tariffs,
    shipped_tariffs,
)
from aidc.errors import InputError

KEY = "kepco_industrial_b_high_a_III"

# KEPCO 산업용(을) 고압A option III, in force 2026-04-16 (facts kr.tariff.industrial_b.2026.high_a.III)
BASIC = 9810.0
WINTER = {"light": 122.4, "mid": 163.4, "peak": 193.4}
SPRING_FALL = {"light": 115.1, "mid": 132.1, "peak": 142.6}
CLIMATE, FUEL = 9.0, 5.0  # won/kWh (kr.tariff.climate_env_charge, kr.tariff.fuel_adjustment)
# of the electricity charge: the fund levy is 2.7 % for use from 2025-07-01 (전기사업법 시행령 제36조,
# 2024 amendment), VAT 10 % (kr.tariff.vat)
FUND, VAT = 0.027, 0.10


def _month(cal_year: int, month: int) -> pd.DataFrame:
    cal = calendar(cal_year)
    return cal[cal.month == month].reset_index(drop=True)


def test_shipped_tariffs_carry_sources_and_dates() -> None:
    tariffs = shipped_tariffs()
    expected = {
        f"kepco_industrial_b_{v}_{o}" for v in ("high_a", "high_b", "high_c") for o in ("I", "II", "III")
    }
    assert expected <= set(tariffs)
    assert {f"kepco_general_b_high_a_{o}" for o in ("I", "II", "III")} <= set(tariffs)
    for t in tariffs.values():
        assert t.source
        assert t.effective_from.year >= 2024
        assert all(a["source"] and a["effective_from"] for a in t.adders)
    assert get_tariff(KEY).energy_per_kwh["winter"] == WINTER
    assert str(get_tariff(KEY).effective_from) == "2026-04-16"


def test_flat_january_by_hand() -> None:
    """January 2028 at a flat 1,000 kW. 1 Jan is a Saturday and New Year's Day; 26-28 Jan are Seollal.
    Sundays (5) and holidays (4) are all light; the other 4 Saturdays bill peak hours as mid;
    18 working weekdays have winter hours light 22-08 (10 h), mid 08-09, 12-16, 19-22 (8 h),
    peak 09-12, 16-19 (6 h)."""
    light_h = 9 * 24 + 4 * 10 + 18 * 10
    mid_h = 4 * 14 + 18 * 8
    peak_h = 18 * 6
    assert light_h + mid_h + peak_h == 31 * 24
    kw = 1000.0
    kwh = kw * 744
    energy = kw * (light_h * WINTER["light"] + mid_h * WINTER["mid"] + peak_h * WINTER["peak"])
    basic = BASIC * kw
    charge = basic + energy + CLIMATE * kwh + FUEL * kwh
    expected_total = charge * (1 + FUND + VAT)

    jan = _month(2028, 1)
    bill = monthly_bill(np.full(len(jan), kw), jan, get_tariff(KEY), contract_kw=1000.0)
    row = bill[bill.month == 1].iloc[0]
    assert (row.light_kwh, row.mid_kwh, row.peak_kwh) == (kw * light_h, kw * mid_h, kw * peak_h)
    assert row.basic_krw == pytest.approx(basic)
    assert row.energy_krw == pytest.approx(energy)
    assert row.climate_env_krw == pytest.approx(CLIMATE * kwh)
    assert row.power_fund_krw == pytest.approx(FUND * charge)
    assert row.vat_krw == pytest.approx(VAT * charge)
    assert row.total_krw == pytest.approx(expected_total)


def test_tou_april_by_hand() -> None:
    """April 2028: 1,000 kW all month plus 1,000 kW more in weekday peak hours (15-21 h).
    Saturdays 1, 8, 15, 22, 29; Sundays 2, 9, ..., 30; 12 April (election day) is a public holiday in
    the `holidays` package. Spring/fall weekends and holidays get 50 % off 11-14 h
    (kr.tariff.weekend_discount): mid hours on Saturdays, light hours on Sundays and holidays."""
    sf = SPRING_FALL
    weekdays, saturdays, rest_days = 19, 5, 6
    energy = 1000.0 * (
        weekdays * (10 * sf["light"] + 8 * sf["mid"] + 6 * 2 * sf["peak"])
        + saturdays * (10 * sf["light"] + 11 * sf["mid"] + 3 * sf["mid"] * 0.5)
        + rest_days * (21 * sf["light"] + 3 * sf["light"] * 0.5)
    )
    apr = _month(2028, 4)
    hour, day = apr.hour.to_numpy(), apr.timestamp.dt.day_of_week.to_numpy()
    holiday = (apr.timestamp.dt.day == 12).to_numpy()
    load = 1000.0 + 1000.0 * ((day < 5) & ~holiday & (hour >= 15) & (hour < 21))
    bill = monthly_bill(load, apr, get_tariff(KEY), contract_kw=3000.0)
    row = bill[bill.month == 4].iloc[0]
    assert row.peak_kwh == weekdays * 6 * 2000.0
    assert row.energy_krw == pytest.approx(energy)
    # billing demand: this month's mid/peak maximum, above the 30 % contract floor of 900 kW
    assert row.billing_demand_kw == 2000.0
    assert row.basic_krw == pytest.approx(BASIC * 2000.0)


def test_billing_demand_rule() -> None:
    """Max demand in Jul, Aug, Sep, Dec, Jan, Feb and the current month, mid/peak periods only, at least
    30 % of contract (kr.tariff.billing_demand)."""
    cal = calendar(2028)
    t = get_tariff(KEY)
    band = classify_hours(t, cal).band.to_numpy()
    load = np.full(len(cal), 1000.0)
    july_peak = np.flatnonzero((cal.month == 7).to_numpy() & (band == "peak"))[0]
    april_light = np.flatnonzero((cal.month == 4).to_numpy() & (band == "light"))[0]
    load[july_peak], load[april_light] = 3000.0, 5000.0
    demand = billing_demand_kw(load, cal.month, band, t, contract_kw=4000.0)
    np.testing.assert_allclose(demand, 3000.0)  # July's peak carries to every month; light hours never count
    low = billing_demand_kw(np.full(len(cal), 100.0), cal.month, band, t, contract_kw=4000.0)
    np.testing.assert_allclose(low, 0.3 * 4000.0)


def test_contract_billing_and_general_service() -> None:
    jan = _month(2028, 1)
    flat = np.full(len(jan), 500.0)
    by_contract = monthly_bill(flat, jan, get_tariff(KEY), contract_kw=2000.0, billing="contract")
    assert by_contract.basic_krw.iloc[0] == pytest.approx(BASIC * 2000.0)
    general = monthly_bill(flat, jan, get_tariff("kepco_general_b_high_a_III"), contract_kw=500.0)
    industrial = monthly_bill(flat, jan, get_tariff(KEY), contract_kw=500.0)
    # 일반용(을) energy rates are below 산업용(을) at the same option (facts kr.tariff.general_b.*)
    assert general.energy_krw.iloc[0] < industrial.energy_krw.iloc[0]


def test_holidays_from_the_package() -> None:
    """Chuseok 2028 (2-5 Oct, with the substitute day) is all light under the tariff's rules."""
    cal = calendar(2028)
    cls = classify_hours(get_tariff(KEY), cal)
    chuseok = (cal.month == 10) & cal.timestamp.dt.day.isin([2, 3, 4, 5])
    assert (cls.band[chuseok] == "light").all()
    assert (cls.day_type[chuseok] == "holiday").all()
    weekday = (cal.month == 10) & (cal.timestamp.dt.day == 10) & (cal.hour == 16)
    assert cls.band[weekday].item() == "peak"


def test_discount_ends_when_it_expires() -> None:
    cal = calendar(2031)
    cls = classify_hours(get_tariff(KEY), cal)
    assert (cls.discount_frac == 0).all()  # the weekend midday discount runs until 2030-12-31


def test_option_for_usage() -> None:
    """KEPCO options by monthly usage hours: I < 200, II 200-500, III > 500 h (kr.tariff.options)."""
    t = get_tariff(KEY)
    assert [option_for_usage(t, h) for h in (150, 200, 499, 500, 720)] == ["I", "II", "II", "III", "III"]


def _raw() -> dict:
    p = Path(__file__).resolve().parents[2] / "src/aidc/data/tariffs/kepco_industrial_b_2026.yaml"
    return yaml.safe_load(p.read_text(encoding="utf-8"))


def test_bad_tariff_files() -> None:
    raw = _raw()
    raw["common"]["seasons"]["value"]["summer"] = [6, 7]
    with pytest.raises(InputError, match="seasons must cover each month"):
        parse_tariffs(raw, "t.yaml")
    raw = _raw()
    raw["common"]["tou_hours"]["value"]["winter"]["peak"] = [[9, 12]]
    with pytest.raises(InputError, match="TOU hours of season 'winter'"):
        parse_tariffs(raw, "t.yaml")
    raw = _raw()
    del raw["tariffs"][KEY]["basic_per_kw_month"]
    with pytest.raises(InputError, match=f"tariff '{KEY}' is incomplete"):
        parse_tariffs(raw, "t.yaml")
    with pytest.raises(InputError, match="not a tariff file"):
        parse_tariffs({"tariffs": {}}, "t.yaml")
    with pytest.raises(InputError, match="unknown tariff"):
        get_tariff("kepco_nope")


def test_custom_tariff_file(tmp_path: Path) -> None:
    """The schema is generic: a one-band flat tariff in another currency."""
    raw = {
        "schema": "aidc-tou-tariff/1",
        "common": {
            "country": "DE",
            "currency": "EUR",
            "holidays": {"country": "DE"},
            "bands": ["all"],
            "seasons": {"year": list(range(1, 13))},
            "tou_hours": {"year": {"all": [[0, 0]]}},
        },
        "tariffs": {
            "flat": {
                "effective_from": "2025-01-01",
                "source": "test",
                "basic_per_kw_month": 10.0,
                "energy_per_kwh": {"year": {"all": 0.2}},
                "adders": [{"name": "vat", "kind": "frac_of_charges", "value": 0.19}],
            }
        },
    }
    p = tmp_path / "de.yaml"
    p.write_text(yaml.safe_dump(raw), encoding="utf-8")
    t = get_tariff(str(p))
    jan = _month(2026, 1)
    bill = monthly_bill(np.full(len(jan), 100.0), jan, t, contract_kw=100.0)
    expected = (10.0 * 100.0 + 0.2 * 100.0 * 744) * 1.19
    assert bill.total_eur.iloc[0] == pytest.approx(expected)
    assert get_tariff(f"{p}#flat").key == "flat"


def test_fund_levy_follows_the_dated_series_of_the_decree() -> None:
    """전기사업법 시행령 제36조: 3.7 % until 2024-06-30, 3.2 % from 2024-07-01, 2.7 % from 2025-07-01.

    A flat 1,000 kW over 2025: January-June bill the fund at 3.2 % of the charge, July on at 2.7 %.
    """
    tar = get_tariff(KEY)
    fund = next(a for a in tar.adders if a["name"] == "power_fund")
    assert adder_rate(fund, dt.date(2024, 6, 30)) == 0.037
    assert adder_rate(fund, dt.date(2024, 7, 1)) == 0.032
    assert adder_rate(fund, dt.date(2025, 7, 1)) == fund["value"] == 0.027
    cal = calendar(2025)
    bill = monthly_bill(np.full(len(cal), 1000.0), cal, tar, contract_kw=1000.0)
    charge = bill.basic_krw + bill.energy_krw + bill.climate_env_krw + bill.fuel_adjustment_krw
    share = bill.power_fund_krw / charge
    assert share.iloc[:6].tolist() == pytest.approx([0.032] * 6)
    assert share.iloc[6:].tolist() == pytest.approx([0.027] * 6)


def test_an_adder_without_series_keeps_its_value() -> None:
    vat = {"name": "vat", "kind": "frac_of_charges", "value": 0.1}
    assert adder_rate(vat, dt.date(1990, 1, 1)) == adder_rate(vat, dt.date(2090, 1, 1)) == 0.1
