"""How the web writes numbers, money, years and times for its readers (aidc.web.lang)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.report.i18n import text
from aidc.web import lang


@settings(max_examples=60, deadline=None)
@given(x=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_a_number_reads_back_as_itself_within_its_rounding(x: float) -> None:
    shown = lang.number(x, "ko")
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert float(shown.replace(",", "")) == pytest.approx(x, abs=0.5 * 10**-decimals + 1e-9)


@given(y=st.integers(min_value=1000, max_value=9999))
def test_a_year_has_no_thousands_separator(y: int) -> None:
    assert lang.value_of("year", float(y), text("ko")) == str(y)
    assert lang.value_of("start_year", y, text("ko")) == str(y)


def test_money_is_in_eok_won_for_korean_readers() -> None:
    # 185,240,000,000 KRW / 100,000,000 KRW per 억 = 1,852.4억
    assert lang.value_of("capex_krw", 185_240_000_000, text("ko")) == "1,852.4억 원"


def test_a_rate_is_shown_with_its_whole_unit_or_none() -> None:
    t = text("ko")
    assert lang.value_of("facility_usd_per_w", 7.775, t) == "7.78달러/W"  # the report's unit; never "W"
    assert lang.value_of("cost_krw_per_vcpu_h", 19.79, t) == "19.79원/vCPU·시간"  # never "시간"
    assert lang.value_of("requests_per_day", 1500.0, t) == "1,500"


def test_times_are_shown_in_seoul() -> None:
    # Seoul is UTC+9 all year (no daylight saving since 1988): 23:30 UTC is 08:30 the next day.
    assert lang.when(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "ko") == "2026-07-01 08:30"
    assert lang.when(datetime(2026, 6, 30, 23, 30), "ko") == "2026-07-01 08:30"  # SQLite's naive UTC


def test_a_round_closing_time_typed_in_korea_time_is_stored_as_utc(world, sign_in, csrf_of) -> None:
    c = world.client("ko")
    sign_in(c, "planner@example.org")
    r = c.post("/rounds", data={"csrf_token": csrf_of(c, "/rounds"), "title": "2027 수요조사",
                                "closes_at": "2027-01-15T18:00"}, follow_redirects=False)
    assert r.status_code == 303
    rid = r.headers["location"].rsplit("/", 1)[1]
    stored = c.get(f"/api/rounds/{rid}").json()["closes_at"]
    # 18:00 in Seoul is 18 - 9 = 09:00 UTC.
    assert datetime.fromisoformat(stored).astimezone(UTC) == datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    assert "2027-01-15 18:00" in c.get("/rounds").text
