"""Time-of-use electricity tariffs as data, and the monthly bill.

A tariff file (``aidc/data/tariffs/*.yaml``, schema ``aidc-tou-tariff/1``) holds a ``common``
block (country, currency, holidays, seasons, TOU hours, day rules, billing-demand rule,
add-ons, discounts) and ``tariffs``: per tariff its label, effective date, source, basic
charge per kW-month and energy rate per season and band. The schema is not Korean: any
country's TOU tariff with seasons, bands, per-kWh add-ons and percentage levies fits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from aidc.data import path as data_path
from aidc.errors import InputError

SCHEMA = "aidc-tou-tariff/1"
DAY_TYPES = ("weekday", "saturday", "sunday", "holiday")


@dataclass(frozen=True, slots=True)
class Tariff:
    """One time-of-use tariff: calendar rules and rates (money in ``currency``)."""

    key: str
    label: str
    country: str
    currency: str
    holidays_country: str | None
    effective_from: dt.date
    source: str
    seasons: dict[str, tuple[int, ...]]
    bands: tuple[str, ...]
    tou_hours: dict[str, dict[str, tuple[tuple[int, int], ...]]]
    day_rules: dict[str, dict[str, str]]
    billing_demand: dict[str, Any]
    basic_per_kw_month: float
    energy_per_kwh: dict[str, dict[str, float]]
    adders: tuple[dict[str, Any], ...]
    discounts: tuple[dict[str, Any], ...]
    option: str | None = None
    option_usage_h: dict[str, tuple[float, float]] | None = None

    @property
    def money(self) -> str:
        """Suffix of money columns, e.g. ``krw``."""
        return self.currency.lower()


def _unwrap(node: Any) -> Any:
    return node["value"] if isinstance(node, dict) and "value" in node else node


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _build(key: str, common: dict[str, Any], entry: dict[str, Any], file: str) -> Tariff:
    merged = {**common, **entry}
    try:
        hol = merged.get("holidays")
        return Tariff(
            key=key,
            label=str(merged.get("label", key)),
            country=str(merged["country"]),
            currency=str(merged["currency"]),
            holidays_country=(hol or {}).get("country") if isinstance(hol, dict) else hol,
            effective_from=_date(merged["effective_from"]),
            source=str(merged["source"]),
            seasons={s: tuple(int(m) for m in ms) for s, ms in _unwrap(merged["seasons"]).items()},
            bands=tuple(merged["bands"]),
            tou_hours={
                s: {b: tuple((int(r[0]), int(r[1])) for r in rs) for b, rs in bands.items()}
                for s, bands in _unwrap(merged["tou_hours"]).items()
            },
            day_rules={d: dict(r) for d, r in (_unwrap(merged.get("day_rules")) or {}).items()},
            billing_demand=dict(_unwrap(merged.get("billing_demand")) or {}),
            basic_per_kw_month=float(merged["basic_per_kw_month"]),
            energy_per_kwh={
                s: {b: float(v) for b, v in r.items()} for s, r in merged["energy_per_kwh"].items()
            },
            adders=tuple(merged.get("adders") or ()),
            discounts=tuple(merged.get("discounts") or ()),
            option=merged.get("option"),
            option_usage_h={
                k: (float(lo or 0.0), float("inf") if hi is None else float(hi))
                for k, (lo, hi) in (_unwrap(merged.get("options")) or {}).items()
            }
            or None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError.single(
            f"tariff '{key}' is incomplete or malformed ({type(exc).__name__}: {exc})",
            file=file,
            field=key,
            expected=f"a tariff of schema {SCHEMA} (see docs/energy.md)",
        ) from None


def _check(t: Tariff, file: str) -> Tariff:
    months = sorted(m for ms in t.seasons.values() for m in ms)
    problems = []
    if months != list(range(1, 13)):
        problems.append("seasons must cover each month 1..12 exactly once")
    for season in t.seasons:
        cover = np.zeros(24, dtype=int)
        for ranges in t.tou_hours.get(season, {}).values():
            for start, end in ranges:
                cover[_hours_in(start, end)] += 1
        if not (cover == 1).all():
            problems.append(f"TOU hours of season '{season}' must cover each hour 0..23 exactly once")
        missing = set(t.bands) - set(t.energy_per_kwh.get(season, {}))
        if missing:
            problems.append(f"no energy rate for season '{season}' band(s) {sorted(missing)}")
    if problems:
        raise InputError.single("; ".join(problems), file=file, field=t.key)
    return t


def _hours_in(start: int, end: int) -> npt.NDArray[np.int_]:
    """Hours of ``[start, end)``, wrapping midnight when ``end <= start``."""
    return np.arange(start, end + (24 if end <= start else 0)) % 24


def parse_tariffs(raw: dict[str, Any], file: str = "<tariff>") -> dict[str, Tariff]:
    """Parse one tariff file's content (schema ``aidc-tou-tariff/1``) into tariffs by key."""
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA or not isinstance(raw.get("tariffs"), dict):
        raise InputError.single(
            "not a tariff file", file=file, expected=f"schema: {SCHEMA} with a 'tariffs' mapping"
        )
    common = raw.get("common") or {}
    return {k: _check(_build(k, common, e, file), file) for k, e in raw["tariffs"].items()}


@cache
def shipped_tariffs() -> dict[str, Tariff]:
    """Return every shipped tariff (``aidc/data/tariffs/*.yaml``) by key."""
    out: dict[str, Tariff] = {}
    for f in sorted(data_path("tariffs").glob("*.yaml")):
        out |= parse_tariffs(_read_yaml(f), file=str(f))
    return out


def _read_yaml(path: Path) -> Any:
    # libyaml's loader when present: ten times faster than the pure-Python one on these files
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # a safe loader either way


def get_tariff(key_or_path: str) -> Tariff:
    """Return a shipped tariff by key, or the tariff of a YAML file (``file.yaml`` or ``file.yaml#key``).

    Examples
    --------
    >>> get_tariff("kepco_industrial_b_high_a_III").basic_per_kw_month
    9810.0
    """
    shipped = shipped_tariffs()
    if key_or_path in shipped:
        return shipped[key_or_path]
    path, _, key = key_or_path.partition("#")
    if path.endswith((".yaml", ".yml")) and Path(path).is_file():
        found = parse_tariffs(_read_yaml(Path(path)), file=path)
        if key in found or (not key and len(found) == 1):
            return found[key or next(iter(found))]
        raise InputError.single(
            "tariff key not in file", file=path, found=key or None, expected=f"one of: {', '.join(found)}"
        )
    raise InputError.single(
        "unknown tariff",
        field="energy.tariff",
        found=key_or_path,
        expected=f"one of: {', '.join(shipped)} or a tariff YAML file",
    )


def option_for_usage(tariff: Tariff, usage_h_per_month: float) -> str | None:
    """Return the tariff option whose band of monthly usage hours holds ``usage_h_per_month``.

    KEPCO's options I/II/III suit < 200, 200-500 and > 500 h/month (kWh / contract kW).

    Examples
    --------
    >>> option_for_usage(get_tariff("kepco_industrial_b_high_a_III"), 396.9)
    'II'
    """
    for name, (lo, hi) in (tariff.option_usage_h or {}).items():
        if lo <= usage_h_per_month < hi:
            return name
    return None


def calendar(year: int, n_hours: int = 8760) -> pd.DataFrame:
    """Return the hours of a year as ``timestamp, month, hour, day_type`` (29 February left out).

    A typical weather year has 8,760 hours; in a leap year the 24 hours of 29 February are
    skipped so that hour ``i`` of the weather and of the calendar share month and hour.

    Examples
    --------
    >>> c = calendar(2028)
    >>> len(c), c.day_type.iloc[0], str(c.timestamp.iloc[-1])
    (8760, 'saturday', '2028-12-31 23:00:00')
    """
    ts = pd.date_range(f"{year}-01-01", periods=8784, freq="h")
    ts = ts[~((ts.month == 2) & (ts.day == 29))][:n_hours]
    dow = ts.day_of_week
    day_type = np.select([dow == 5, dow == 6], ["saturday", "sunday"], "weekday").astype(object)
    return pd.DataFrame({"timestamp": ts, "month": ts.month, "hour": ts.hour, "day_type": day_type})


@dataclass(frozen=True, slots=True)
class _Hours:
    """Each hour's season, band and day type as codes into the tariff's lists, its rate and discount."""

    seasons: tuple[str, ...]
    season: npt.NDArray[np.int_]
    band: npt.NDArray[np.int_]
    day: npt.NDArray[np.int_]
    rate: npt.NDArray[np.float64]
    discount: npt.NDArray[np.float64]


def _classify(tariff: Tariff, cal: pd.DataFrame) -> _Hours:
    seasons, bands = tuple(tariff.seasons), tariff.bands
    month_season = np.zeros(13, dtype=int)
    for k, name in enumerate(seasons):
        month_season[list(tariff.seasons[name])] = k
    hour_band = np.zeros((len(seasons), 24), dtype=int)  # _check: every hour has one band
    for k, name in enumerate(seasons):
        for b, ranges in tariff.tou_hours[name].items():
            for start, end in ranges:
                hour_band[k, _hours_in(start, end)] = bands.index(b)
    hour = cal["hour"].to_numpy()
    season = month_season[cal["month"].to_numpy()]
    band = hour_band[season, hour]
    day = _day_code(tariff, cal)
    ruled = band.copy()
    for d, rule in tariff.day_rules.items():
        on = day == DAY_TYPES.index(d)
        for src, dst in rule.items():
            ruled[on & ((band == bands.index(src)) if src != "all" else True)] = bands.index(dst)
    rates = np.array([[tariff.energy_per_kwh[name][b] for b in bands] for name in seasons])
    discount = np.zeros(len(cal))
    for disc in tariff.discounts:
        until = np.datetime64(_date(disc.get("until", "9999-12-30"))) + np.timedelta64(1, "D")
        mask = (
            np.isin(season, [seasons.index(x) for x in disc["seasons"]])
            & np.isin(day, [DAY_TYPES.index(x) for x in disc["days"]])
            & np.isin(hour, np.concatenate([_hours_in(a, b) for a, b in disc["hours"]]))
            & (cal["timestamp"].to_numpy() < until)
        )
        discount[mask] = float(disc["energy_frac"])
    return _Hours(seasons, season, ruled, day, rates[season, ruled] * (1.0 - discount), discount)


def classify_hours(tariff: Tariff, cal: pd.DataFrame) -> pd.DataFrame:
    """Return the season, band, day type, energy rate and discount of each hour under the tariff's rules.

    Public holidays of the tariff's country (from the ``holidays`` package) become day type
    ``holiday``; the tariff's day rules then remap their bands.
    """
    h = _classify(tariff, cal)
    return pd.DataFrame(
        {
            "season": np.array(h.seasons, dtype=object)[h.season],
            "band": np.array(tariff.bands, dtype=object)[h.band],
            "day_type": np.array(DAY_TYPES, dtype=object)[h.day],
            f"rate_{tariff.money}_per_kwh": h.rate,
            "discount_frac": h.discount,
        }
    )


def _day_code(tariff: Tariff, cal: pd.DataFrame) -> npt.NDArray[np.int_]:
    ts = cal["timestamp"]
    dow = ts.dt.day_of_week.to_numpy()
    day = np.select([dow == 5, dow == 6], [DAY_TYPES.index("saturday"), DAY_TYPES.index("sunday")], 0)
    if tariff.holidays_country:
        years = sorted(set(ts.dt.year))
        hol = np.array(sorted(holidays.country_holidays(tariff.holidays_country, years=years)))
        day[np.isin(ts.to_numpy().astype("datetime64[D]"), hol.astype("datetime64[D]"))] = DAY_TYPES.index(
            "holiday"
        )
    return day


def billing_demand_kw(
    power_kw: npt.ArrayLike, month: npt.ArrayLike, band: npt.ArrayLike, tariff: Tariff, contract_kw: float
) -> npt.NDArray[np.float64]:
    """Billing demand of each month 1..12 under the tariff's rule [kW].

    The month's own peak in the rule's bands, or the largest such peak in the rule's
    reference months (the simulated year stands in for the past 12 months), whichever is
    larger, and at least ``contract_floor_frac`` of the contract.
    """
    p, m, b = np.asarray(power_kw, float), np.asarray(month), np.asarray(band)
    rule = tariff.billing_demand
    names = rule.get("bands", tariff.bands)
    counted = np.isin(b, [tariff.bands.index(x) for x in names] if b.dtype.kind in "iu" else names)
    peak = np.array([p[(m == k) & counted].max(initial=0.0) for k in range(1, 13)])
    ref = peak[np.asarray(rule.get("months", []), dtype=int) - 1].max(initial=0.0)
    return np.maximum(np.maximum(peak, ref), rule.get("contract_floor_frac", 0.0) * contract_kw)


def adder_rate(adder: dict[str, Any], on: dt.date) -> float:
    """Return the rate of a bill add-on in force on a date.

    An add-on with a ``series`` of ``{effective_from, value}`` entries (a levy whose rate the law
    has changed, such as the power-industry fund) takes the latest entry in force on ``on``; a date
    before the first entry takes the first. Without a series the add-on's ``value`` applies.
    A bill month takes the rate in force on its first day (Korean levy changes apply to the use
    from the 1st of a month).

    Examples
    --------
    >>> fund = {"value": 0.027, "series": [{"effective_from": "2024-07-01", "value": 0.032},
    ...                                    {"effective_from": "2025-07-01", "value": 0.027}]}
    >>> adder_rate(fund, dt.date(2025, 6, 1)), adder_rate(fund, dt.date(2025, 7, 1))
    (0.032, 0.027)
    """
    series = sorted(adder.get("series") or (), key=lambda e: _date(e["effective_from"]))
    if not series:
        return float(adder["value"])
    in_force = [e for e in series if _date(e["effective_from"]) <= on] or series[:1]
    return float(in_force[-1]["value"])


def monthly_bill(
    power_kw: npt.ArrayLike,
    cal: pd.DataFrame,
    tariff: Tariff,
    contract_kw: float,
    billing: str = "tariff",
    duration_h: float = 1.0,
    billing_demand_by_month_kw: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Return the bill month by month with its parts (basic, energy by band, add-ons, levies, VAT).

    Parameters
    ----------
    power_kw : array (n_hours,)
        Metered facility power, one value per calendar hour. [kW]
    cal : DataFrame
        :func:`calendar` of the same hours.
    tariff : Tariff
        Rates and rules.
    contract_kw : float
        Contracted demand. [kW]
    billing : {"tariff", "contract"}
        Basic charge on the tariff's billing-demand rule or on the contract.
    duration_h : float
        Length of one step. [h]
    billing_demand_by_month_kw : array (12,), optional
        Billing demand of each month computed elsewhere (e.g. :func:`billing_demand_lookback_kw`);
        overrides ``billing``. [kW]

    Returns
    -------
    DataFrame
        One row per month: ``energy_kwh``, ``<band>_kwh``, ``billing_demand_kw``, then the
        charges ``basic_<cur>``, ``energy_<cur>``, one column per add-on, ``total_<cur>``.
        Charges are not rounded to the won as KEPCO bills are.
    """
    p = np.asarray(power_kw, dtype=float)
    hours = _classify(tariff, cal)
    cur = tariff.money
    kwh = p * duration_h
    month = cal["month"].to_numpy()
    band = hours.band

    def per_month(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # already float64 (weights given); numpy's stubs type bincount as intp whatever the weights
        return np.asarray(np.bincount(month - 1, weights=values, minlength=12)[:12], dtype=float)

    out = pd.DataFrame({"month": np.arange(1, 13), "energy_kwh": per_month(kwh)})
    for k, b in enumerate(tariff.bands):
        out[f"{b}_kwh"] = per_month(np.where(band == k, kwh, 0.0))
    if billing_demand_by_month_kw is not None:
        out["billing_demand_kw"] = np.asarray(billing_demand_by_month_kw, dtype=float)
    elif billing == "contract":
        out["billing_demand_kw"] = float(contract_kw)
    else:
        out["billing_demand_kw"] = billing_demand_kw(p, month, band, tariff, contract_kw)
    out[f"basic_{cur}"] = out["billing_demand_kw"] * tariff.basic_per_kw_month
    out[f"energy_{cur}"] = per_month(kwh * hours.rate)
    charges = out[f"basic_{cur}"] + out[f"energy_{cur}"]
    year = int(cal["timestamp"].iloc[0].year)  # a calendar() frame holds one year
    first_days = [dt.date(year, m, 1) for m in range(1, 13)]
    for a in (a for a in tariff.adders if a["kind"] == "per_kwh"):
        out[f"{a['name']}_{cur}"] = out["energy_kwh"] * [adder_rate(a, d) for d in first_days]
        charges = charges + out[f"{a['name']}_{cur}"]
    for a in (a for a in tariff.adders if a["kind"] == "frac_of_charges"):
        out[f"{a['name']}_{cur}"] = charges * [adder_rate(a, d) for d in first_days]
    out[f"total_{cur}"] = out[[c for c in out.columns if c.endswith(f"_{cur}")]].sum(axis=1)
    return out


# --- 15-minute metering -------------------------------------------------------------------------


def interval_calendar(year: int, interval_min: int = 15) -> pd.DataFrame:
    """Return the metering intervals of a year as ``timestamp, month, hour, day_type`` (29 February left out).

    Interval ``k`` lies in hour ``k // (60 / interval_min)`` of :func:`calendar`, so hourly weather
    and the 15-minute meter share month and hour.

    Examples
    --------
    >>> c = interval_calendar(2028)
    >>> len(c), str(c.timestamp.iloc[1]), str(c.timestamp.iloc[-1])
    (35040, '2028-01-01 00:15:00', '2028-12-31 23:45:00')
    """
    per_hour = 60 // interval_min
    hours = calendar(year)
    ts = np.repeat(hours["timestamp"].to_numpy(), per_hour) + np.tile(
        np.arange(per_hour) * np.timedelta64(interval_min, "m"), len(hours)
    )
    out = hours.loc[hours.index.repeat(per_hour)].reset_index(drop=True)
    out["timestamp"] = ts
    return out


def monthly_peaks_kw(
    power_kw: npt.ArrayLike, month: npt.ArrayLike, band: npt.ArrayLike, tariff: Tariff
) -> npt.NDArray[np.float64]:
    """Largest metered demand of each month 1..12 in the bands the billing-demand rule counts [kW].

    KEPCO's 최대수요전력 of industrial and general service (을) leaves out the light-load hours.
    """
    p, m, b = np.asarray(power_kw, float), np.asarray(month), np.asarray(band)
    names = tariff.billing_demand.get("bands", tariff.bands)
    counted = np.isin(b, [tariff.bands.index(x) for x in names] if b.dtype.kind in "iu" else names)
    return np.array([p[(m == k) & counted].max(initial=0.0) for k in range(1, 13)])


def billing_demand_lookback_kw(
    peak_by_month_kw: npt.ArrayLike,
    tariff: Tariff,
    contract_kw: float,
    history_by_month_kw: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """Billing demand (요금적용전력) of each month 1..12 by the look-back rule [kW].

    KEPCO: the largest of the current month's peak and the peaks of the rule's months
    (Dec, Jan, Feb, Jul, Aug, Sep) among the 11 months before it, and at least
    ``contract_floor_frac`` (30 %) of the contract.

    Parameters
    ----------
    peak_by_month_kw : array (12,)
        Counted-band peak of each month of the year (:func:`monthly_peaks_kw`). [kW]
    tariff : Tariff
        Its ``billing_demand`` rule: ``months``, ``contract_floor_frac``.
    contract_kw : float
        Contracted demand. [kW]
    history_by_month_kw : array (12,), optional
        Peaks of the 12 months of the year before. None: the same year again (steady
        operation); zeros: a new connection with no past months. [kW]

    Examples
    --------
    A new connection whose only winter peak is 5,000 kW in January: that peak sets the
    billing demand of every later month with a lower own peak.

    >>> t = get_tariff("kepco_industrial_b_high_a_II")
    >>> peaks = [5000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000]
    >>> billing_demand_lookback_kw(peaks, t, 8000.0, np.zeros(12)).tolist()[:3]
    [5000.0, 5000.0, 5000.0]
    """
    peak = np.asarray(peak_by_month_kw, dtype=float)
    past = peak if history_by_month_kw is None else np.asarray(history_by_month_kw, dtype=float)
    rule = tariff.billing_demand
    ref = np.zeros(12, dtype=bool)
    ref[np.asarray(rule.get("months", []), dtype=int) - 1] = True
    both = np.concatenate([np.where(ref, past, 0.0), np.where(ref, peak, 0.0)])  # 24 months, by month
    out = np.empty(12)
    for m in range(12):
        out[m] = max(peak[m], both[m + 1 : m + 12].max())  # the 11 months before month m + 1
    return np.maximum(out, rule.get("contract_floor_frac", 0.0) * contract_kw)


def bill_15min(
    power_kw: npt.ArrayLike,
    cal: pd.DataFrame,
    tariff: Tariff,
    contract_kw: float,
    history_by_month_kw: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Return the monthly bill of a year of 15-minute demand (see :func:`monthly_bill` for the columns).

    Billing demand by :func:`billing_demand_lookback_kw` on the 15-minute peaks; energy by
    season and TOU band; the per-kWh add-ons (climate-environment, fuel adjustment), then the
    fund levy and VAT on the charges.

    Parameters
    ----------
    power_kw : array (n_intervals,)
        Mean facility demand of each interval. [kW]
    cal : DataFrame
        :func:`interval_calendar` of the same intervals.
    tariff, contract_kw, history_by_month_kw
        As in :func:`billing_demand_lookback_kw`.
    """
    p = np.asarray(power_kw, dtype=float)
    step_h = float(len(cal) and (cal["timestamp"].iloc[1] - cal["timestamp"].iloc[0]) / pd.Timedelta(hours=1))
    band = _classify(tariff, cal).band
    peaks = monthly_peaks_kw(p, cal["month"].to_numpy(), band, tariff)
    billing = billing_demand_lookback_kw(peaks, tariff, contract_kw, history_by_month_kw)
    return monthly_bill(p, cal, tariff, contract_kw, duration_h=step_h, billing_demand_by_month_kw=billing)
