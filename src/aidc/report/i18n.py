"""Korean and English text of the report, and numbers written the way each reader expects.

The labels are the dotted keys of the one message catalog (:mod:`aidc.i18n`,
``i18n/locale/<lang>/LC_MESSAGES/aidc.po``). A key missing from a language is shown as
``⟦key⟧`` — loud on purpose, so a test (and a reader) can find it; a result field that has
no translated term falls back to its own name with its unit (``heat_rejected_kw``), which is
honest if not pretty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from aidc import data, i18n, units
from aidc.i18n import MARK_CLOSE, MARK_OPEN

LANGS = ("en", "ko")

#: Unit suffix of a name (STYLE.md) -> the unit symbol shown in headers: one unit.
_SIMPLE_UNITS: tuple[tuple[str, str], ...] = (
    ("_kva", "kVA"), ("_days", "d"), ("_m3", "m³"), ("_m2", "m²"), ("_pyeong", "pyeong"),
    ("_mwh", "MWh"), ("_kwh", "kWh"), ("_wh", "Wh"), ("_mw", "MW"), ("_kw", "kW"), ("_w", "W"),
    ("_krw", "KRW"), ("_usd", "USD"), ("_frac", "%"), ("_pct", "%"), ("_tb", "TB"), ("_gb", "GB"),
    ("_c", "°C"), ("_pa", "Pa"), ("_s", "s"), ("_h", "h"), ("_y", "y"), ("_m", "m"), ("_t", "t"),
    ("_kg", "kg"),
)
#: Rates ``<quantity>_<unit>_per_<unit>`` (``price_krw_per_gpu_h``): the whole unit, both sides of "per".
_RATE_UNITS: tuple[tuple[str, str], ...] = (
    ("_krw_per_gpu_h", "KRW/GPU·h"), ("_krw_per_vcpu_h", "KRW/vCPU·h"), ("_krw_per_kwh", "KRW/kWh"),
    ("_krw_per_kw", "KRW/kW"), ("_krw_per_m2", "KRW/m²"), ("_krw_per_usd", "KRW/USD"),
    ("_krw_per_y", "KRW/y"), ("_usd_per_w", "USD/W"), ("_usd_per_h", "USD/h"), ("_gpu_h_per_y", "GPU·h/y"),
    ("_gpu_h_per_month", "GPU·h/month"), ("_gpu_h_per_day", "GPU·h/d"), ("_h_per_y", "h/y"),
    ("_h_per_month", "h/month"), ("_m2_per_kw", "m²/kW"), ("_t_per_mwh", "t/MWh"), ("_l_per_kwh", "L/kWh"),
    ("_kg_per_m2", "kg/m²"), ("_kj_per_kg", "kJ/kg"), ("_tb_per_s", "TB/s"),
)
#: Names whose rate is better said otherwise: a fraction per year, a count per something (no unit).
_SPECIAL_UNITS: tuple[tuple[str, str], ...] = (
    ("_frac_per_y", "1/y"), ("_h_per_student", "h"), ("_per_y", ""), ("_per_day", ""),
    ("_per_course", ""), ("_per_request", ""), ("_per_block", ""), ("_per_gpu_s", ""),
)
#: Every suffix -> symbol, longest suffix first: ``_krw_per_vcpu_h`` is tried before ``_h``.
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = tuple(sorted(
    (*_SPECIAL_UNITS, *_RATE_UNITS, *_SIMPLE_UNITS), key=lambda pair: -len(pair[0]),
))


def split_unit(name: str) -> tuple[str, str]:
    """Split ``"it_power_kw"`` into ``("it_power", "kW")``; names without a unit give ``(name, "")``.

    A rate keeps its whole unit; a unit word right after ``_per_`` alone is not the unit of the
    value (``facility_cost_per_w`` is no number of watts), so such a name has none.

    Examples
    --------
    >>> split_unit("gross_floor_area_m2")
    ('gross_floor_area', 'm²')
    >>> split_unit("n_racks")
    ('n_racks', '')
    >>> split_unit("construction_cost_usd_per_w"), split_unit("price_krw_per_vcpu_h")
    (('construction_cost', 'USD/W'), ('price', 'KRW/vCPU·h'))
    >>> split_unit("facility_cost_per_w"), split_unit("decode_tokens_per_gpu_s")
    (('facility_cost_per_w', ''), ('decode_tokens', ''))
    """
    for suffix, symbol in UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            # a unit right after "per" with no unit before it (facility_cost_per_w) is what the
            # value is divided by, not its unit
            return (name, "") if base.endswith("_per") else (base, symbol)
    return name, ""


@dataclass(frozen=True, slots=True)
class Text:
    """The labels of one language and the number formats that go with them."""

    lang: str
    labels: dict[str, str]

    def __call__(self, key: str, **values: Any) -> str:
        """Return the label ``key`` with ``{placeholders}`` filled in, or ``⟦key⟧`` if untranslated."""
        label = self.labels.get(key)
        if label is None:
            return f"{MARK_OPEN}{key}{MARK_CLOSE}"
        return label.format(**values) if values else label

    def has(self, key: str) -> bool:
        """Return True if ``key`` is translated."""
        return key in self.labels

    def unit(self, symbol: str) -> str:
        """Return a unit symbol as this language writes it (``pyeong`` -> ``평``)."""
        return self.labels.get(f"unit.{symbol}", symbol)

    def column(self, name: str) -> str:
        """Return the header of a result column or field, with its unit: ``IT power [kW]``."""
        base, symbol = split_unit(name)
        term = self.labels.get(f"term.{name}") or self.labels.get(f"term.{base}")
        if term is None:
            if self.has(f"value.{name}"):  # a key of the result's own (a hall's name, a tenant class)
                return self(f"value.{name}")
            return self._revenue_column(name) or data_labels(self.lang).get(name, name)  # a column per class
        return f"{term} [{self.unit(symbol)}]" if symbol else term

    def _revenue_column(self, name: str) -> str | None:
        # economics writes one column per revenue line: revenue_<line>_krw (revenue_gpu_h_b200_krw)
        if not (name.startswith("revenue_") and name.endswith("_krw")):
            return None
        line = name[len("revenue_"):-len("_krw")]
        for kind in ("gpu_h", "vcpu_h", "server_month", "storage_tb_month"):
            if line == kind or line.startswith(kind + "_"):
                rest = line[len(kind) + 1:]
                label = self.value(kind, "text") + (f" · {self.value(rest, 'text')}" if rest else "")
                return f"{self.labels.get('term.revenue', 'revenue')}: {label} [{self.unit('KRW')}]"
        return None

    def translated_column(self, name: str) -> bool:
        """Return True if :meth:`column` has a translated term for ``name``."""
        base, _ = split_unit(name)
        return f"term.{name}" in self.labels or f"term.{base}" in self.labels

    # --- numbers -------------------------------------------------------------------------

    def num(self, value: Any, decimals: int | None = None) -> str:
        """Write a number with thousands separators and sensible decimals.

        Examples
        --------
        >>> text("en").num(1234567.891)
        '1,234,568'
        >>> text("en").num(0.12345)
        '0.123'
        """
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "–"
        if isinstance(value, bool | str):
            return str(value)
        x = float(value)
        if decimals is None:
            if float(x).is_integer() or abs(x) >= 100:
                decimals = 0
            elif abs(x) >= 1:
                decimals = 2
            else:
                decimals = 3
        return f"{x:,.{decimals}f}"

    def power(self, power_kw: float | None) -> str:
        """Write a power: kW below 1 MW, MW above (``8 MW``, ``950 kW``)."""
        if power_kw is None:
            return "–"
        if abs(power_kw) >= units.KW_PER_MW:
            mw = units.kw_to_mw(power_kw)
            return f"{self.num(mw, 0 if float(mw).is_integer() else 2)} MW"
        return f"{self.num(power_kw, 0)} kW"

    def krw(self, value_krw: float | None) -> str:
        """Write a sum of money: ``123.4억 원`` in Korean, ``KRW 12.34 bn`` in English."""
        if value_krw is None or not math.isfinite(float(value_krw)):
            return "–"
        if self.lang == "ko":
            if abs(value_krw) >= units.KRW_PER_EOK:
                return f"{self.num(value_krw / units.KRW_PER_EOK, 1)}억 원"
            return f"{self.num(value_krw, 0)}원"
        for scale, name in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
            if abs(value_krw) >= scale:
                return f"KRW {self.num(value_krw / scale, 2)} {name}"
        return f"KRW {self.num(value_krw, 0)}"

    def area(self, area_m2: float | None) -> str:
        """Write an area in m² with pyeong beside it: ``8,264 m² (2,500평)``."""
        if area_m2 is None:
            return "–"
        pyeong = units.m2_to_pyeong(area_m2)
        return f"{self.num(area_m2, 0)} m² ({self.with_unit(self.num(pyeong, 0), self.unit('pyeong'))})"

    def pct(self, value_frac: float | None, decimals: int = 1) -> str:
        """Write a fraction as a percentage (``0.723`` -> ``72.3 %``)."""
        if value_frac is None or not math.isfinite(float(value_frac)):
            return "–"
        sep = "" if self.lang == "ko" else " "
        return f"{self.num(value_frac * units.PCT_PER_FRAC, decimals)}{sep}%"

    def duration(self, value_s: float | None) -> str:
        """Write a duration in the largest sensible unit (s, min, h, d)."""
        if value_s is None or not math.isfinite(float(value_s)):
            return "–"
        steps = ((units.S_PER_H * units.H_PER_DAY, "d"), (units.S_PER_H, "h"), (units.S_PER_MIN, "min"))
        for limit_s, unit_key in steps:
            if abs(value_s) >= limit_s:
                return self.with_unit(self.num(value_s / limit_s, 1), self.unit(unit_key))
        return self.with_unit(self.num(value_s, 0), self.unit("s"))

    def value(self, value: Any, kind: str) -> str:
        """Write ``value`` in the format of ``kind`` (power_kw, krw, area_m2, frac, duration_s, ...)."""
        writers = {
            "power_kw": self.power, "krw": self.krw, "area_m2": self.area, "frac": self.pct,
            "duration_s": self.duration,
        }
        if kind in writers:
            return writers[kind](value)
        if kind == "text":
            if value is None:
                return "–"
            if isinstance(value, dict):  # {university: 0.5, ...} -> 대학 (RISE) 0.5, ...
                return ", ".join(f"{self.value(k, 'text')} {self._item(v)}" for k, v in value.items())
            if isinstance(value, list | tuple):
                return ", ".join(self._item(v) for v in value)
            if self.has(f"value.{value}"):
                return self(f"value.{value}")
            word = str(value)
            if ":" in word and " " not in word:  # a compound key (revenue line gpu_h:h100_sxm)
                return " · ".join(self.value(part, "text") for part in word.split(":"))
            if self.has(f"unit.{word}"):  # a unit written as a value (the plan's H100-eq GPUs)
                return self.unit(word)
            if word not in data_labels(self.lang) and self.translated_column(word):
                return self.column(word).split(" [")[0]  # a field named as a value (the plan's n_gpus)
            return data_labels(self.lang).get(word, word)
        if kind == "year":
            return "–" if value is None else str(int(value))
        decimals = {"ratio": 2, "y": 1}.get(kind)
        symbol = self.unit(kind) if kind not in ("count", "ratio") else ""
        return self.with_unit(self.num(value, decimals), symbol)

    def _item(self, value: Any) -> str:
        # an item of a mapping or list: keys get their labels, nested lists keep their brackets
        if isinstance(value, dict | str) or value is None:
            return self.value(value, "text")
        if isinstance(value, list | tuple):
            return "[" + ", ".join(self._item(v) for v in value) + "]"
        return str(value)

    def with_unit(self, number: str, symbol: str) -> str:
        """Join a number and its unit: ``14.1 years``; Korean unit words attach (``14.1년``, ``2,330원``)."""
        if not symbol or number == "–":
            return number
        return f"{number}{symbol}" if "가" <= symbol[0] <= "힣" else f"{number} {symbol}"


def scenario_text(t: Text, scenario: Any) -> tuple[str, str]:
    """Return a scenario's title and description in ``t``'s language.

    A shipped scenario's words are in the catalog (``scenario_title.<name>``,
    ``scenario_description.<name>``); a planner's own scenario shows what the planner wrote.
    """
    title_key, description_key = f"scenario_title.{scenario.name}", f"scenario_description.{scenario.name}"
    title = t(title_key) if t.has(title_key) else None
    description = t(description_key) if t.has(description_key) else getattr(scenario, "description", "")
    return title or scenario.title or scenario.name, description


@cache
def data_labels(lang: str) -> dict[str, str]:
    """Return internal key -> label in ``lang`` for the keys that data files name.

    Tenant classes, support programmes and the survey's choice lists carry Korean and English
    labels; GPUs and servers carry their product name (``h100_sxm`` -> ``NVIDIA H100 SXM5 80 GB``).
    A report shows these labels, never the key.
    """
    out: dict[str, str] = {}
    for name in ("survey/tenant_classes.yaml", "survey/programmes.yaml"):
        out |= {k: v[lang] for k, v in data.load_yaml(name).items()}
    for choices in data.load_yaml("survey/choices.yaml").values():
        out |= {k: v[lang] for k, v in choices.items() if k not in out}
    for name in ("catalog/gpus.yaml", "catalog/servers.yaml"):
        records = data.load_yaml(name).items()
        out |= {k: v["label"] for k, v in records if isinstance(v, dict) and "label" in v}
    for group in data.load_yaml("catalog/network.yaml").values():  # switch models by fabric
        if isinstance(group, dict):
            out |= {k: v["label"] for k, v in group.items() if isinstance(v, dict) and "label" in v}
    # a catalog entry that is no product name (a "dual-socket cloud CPU server") has its words in
    # the message catalog, ``catalog.<key>``; product names stay as the catalog writes them
    labels = i18n.catalog(lang)
    out |= {k: str(labels[f"catalog.{k}"]) for k in list(out) if labels.get(f"catalog.{k}")}
    for key, sheet in data.load_yaml("survey/sheets.yaml")["sheets"].items():
        out.setdefault(key, sheet[lang])
    return out


def text(lang: str) -> Text:
    """Return the :class:`Text` of ``lang`` (``en`` or ``ko``)."""
    i18n.check_lang(lang)
    labels = {k: v for k, v in i18n.catalog(lang).items() if isinstance(v, str)}
    return Text(lang=lang, labels=labels)
