"""Korean and English labels and number formats of the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.report import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"


def test_every_key_the_templates_use_exists() -> None:
    used = set()
    for path in TEMPLATES.glob("*.j2"):
        used |= set(re.findall(r't\("([a-z_.]+)"[,)]', path.read_text(encoding="utf-8")))
    assert used, "the templates use labels"
    for lang in i18n.LANGS:
        t = i18n.text(lang)
        optional = {"ui.original_text"}  # shown only where t.has() it: Korean marks English text
        assert [k for k in used - optional if not t.has(k)] == [], lang


@pytest.mark.parametrize("prefix", ["section", "intro", "chart", "headline", "summary"])
def test_korean_labels_are_korean(prefix: str) -> None:
    t = i18n.text("ko")
    labels = {k: v for k, v in t.labels.items() if k.startswith(f"{prefix}.")}
    assert labels
    assert [k for k, v in labels.items() if not re.search("[가-힣]", v)] == []


def test_terms_of_the_trade_in_korean() -> None:
    t = i18n.text("ko")
    assert t.column("grid_contract_kw") == "수전 용량 [kW]"
    assert t.column("n_ups_modules").startswith("무정전전원장치")
    assert t.column("n_cooling_towers") == "냉각탑 수"
    assert t.column("white_space_m2") == "전산실 면적 [m²]"


def test_untranslated_key_is_marked() -> None:
    t = i18n.text("en")
    assert t("no.such.key") == "⟦no.such.key⟧"
    assert t.column("frobnication_kw") == "frobnication_kw"  # a field without a term shows its own name
    assert not t.translated_column("frobnication_kw")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="en, ko"):
        i18n.text("fr")


@pytest.mark.parametrize(("name", "expected"), [
    ("it_power_kw", ("it_power", "kW")), ("gross_floor_area_m2", ("gross_floor_area", "m²")),
    ("price_krw_per_kwh", ("price", "KRW/kWh")), ("utilization_frac", ("utilization", "%")),
    ("n_racks", ("n_racks", "")), ("wait_s", ("wait", "s")), ("carbon_t", ("carbon", "t")),
    ("n_jobs_per_y", ("n_jobs", "")), ("_kw", ("_kw", "")),
    # a rate shows its whole unit, not the last word of it (was W and h)
    ("construction_cost_usd_per_w", ("construction_cost", "USD/W")),
    ("price_krw_per_vcpu_h", ("price", "KRW/vCPU·h")), ("price_krw_per_gpu_h", ("price", "KRW/GPU·h")),
    ("downtime_h_per_y", ("downtime", "h/y")), ("mem_bw_tb_per_s", ("mem_bw", "TB/s")),
    ("land_price_krw_per_m2", ("land_price", "KRW/m²")), ("base_gpu_h_per_month", ("base", "GPU·h/month")),
    # a unit word right after "per" is the divisor, not the value's unit
    ("facility_cost_per_w", ("facility_cost_per_w", "")), ("energy_per_kwh", ("energy_per_kwh", "")),
    ("time_per_epoch_s", ("time_per_epoch", "s")),
])
def test_split_unit(name: str, expected: tuple[str, str]) -> None:
    assert i18n.split_unit(name) == expected


def test_unit_suffixes_are_tried_longest_first() -> None:
    lengths = [len(suffix) for suffix, _ in i18n.UNIT_SUFFIXES]
    assert lengths == sorted(lengths, reverse=True)
    # no suffix can hide a longer one: each longer suffix that ends with a shorter one comes before it
    order = {suffix: i for i, (suffix, _) in enumerate(i18n.UNIT_SUFFIXES)}
    assert all(order[long] < order[short] for long in order for short in order
               if long != short and long.endswith(short))


def test_every_unit_reads_in_korean() -> None:
    from tests.i18n.english import english_words

    ko = i18n.text("ko")
    shown = {symbol: ko.unit(symbol) for _, symbol in i18n.UNIT_SUFFIXES if symbol}
    assert {s: u for s, u in shown.items() if english_words(u)} == {}
    assert shown["KRW/vCPU·h"] == "원/vCPU·시간"
    assert shown["USD/W"] == "달러/W"


def test_money_in_korean_uses_eok_won() -> None:
    t = i18n.text("ko")
    assert t.krw(10_754_666_242.5) == "107.5억 원"  # 10,754,666,242.5 / 100,000,000 = 107.55 -> 107.5
    assert t.krw(718_880_808_355) == "7,188.8억 원"
    assert t.krw(12_345_678) == "12,345,678원"  # under 1억: whole won
    assert t.value(2329.83, "KRW/GPU·h") == "2,330원/GPU·시간"


def test_money_in_english() -> None:
    t = i18n.text("en")
    assert t.krw(10_754_666_242.5) == "KRW 10.75 bn"
    assert t.krw(1.5e12) == "KRW 1.50 tn"
    assert t.krw(2_500_000) == "KRW 2.50 m"
    assert t.krw(None) == "–"


def test_area_gives_pyeong_beside_square_metres() -> None:
    # 2,500 pyeong x 400/121 m² = 8,264.46 m²
    assert i18n.text("ko").area(2500 * 400 / 121) == "8,264 m² (2,500평)"
    assert i18n.text("en").area(2500 * 400 / 121) == "8,264 m² (2,500 pyeong)"


def test_power_duration_percent_years() -> None:
    ko, en = i18n.text("ko"), i18n.text("en")
    assert en.power(8000) == "8 MW"
    assert en.power(12_054.49) == "12.05 MW"
    assert en.power(950) == "950 kW"
    assert en.pct(0.0907) == "9.1 %"
    assert ko.pct(0.0907) == "9.1%"
    assert en.duration(5400) == "1.5 h"  # 5,400 s / 3,600 s per h
    assert ko.duration(2 * 86_400) == "2.0일"
    assert ko.value(14.0777, "y") == "14.1년"
    assert en.value(14.0777, "y") == "14.1 years"
    assert en.value(1.4053, "ratio") == "1.41"
    assert en.value(None, "year") == "–"
    assert ko.value("grid_contract", "text") == "수전 용량"


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_num_keeps_the_value(x: float) -> None:
    """Thousands separators only: removing them gives the number rounded to the shown decimals."""
    t = i18n.text("en")
    shown = t.num(x, 0)
    assert float(shown.replace(",", "")) == pytest.approx(round(x), abs=0.5)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*", shown)


@given(st.integers(min_value=0, max_value=10**13))
def test_krw_korean_scale(value_krw: int) -> None:
    text = i18n.text("ko").krw(value_krw)
    if value_krw >= 100_000_000:
        assert text.endswith("억 원")
        assert float(text.removesuffix("억 원").replace(",", "")) == pytest.approx(value_krw / 1e8, abs=0.05)
    else:
        assert text == f"{value_krw:,}원"


def test_scalar_numpy_and_int_inputs_agree() -> None:
    import numpy as np

    t = i18n.text("en")
    assert t.num(np.float64(1234.5)) == t.num(1234.5) == "1,234"  # banker's rounding of .5 at 0 decimals
    assert t.num(np.int64(7)) == t.num(7) == "7"
    assert t.num(float("nan")) == "–"
