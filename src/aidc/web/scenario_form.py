"""The planner's scenario form: the common fields in the units a Korean planner uses.

The form shows site area in 평 (with m²), floors, IT power in MW, the fleet by server type,
demand growth in %/year, the electricity tariff, the price of a GPU-hour and the service level
of each tenant class. It writes them into the stored scenario (the YAML stays the whole truth
and the "advanced" view) and validates the result with the scenario's pydantic model; a problem
is shown beside its field in the reader's language.

A value that looks typed in the wrong unit is questioned, not used: ``0.1`` in the %/year
growth field (a fraction?), a site area that equals the stored area in m² where 평 is asked.
The form shows it back with a confirmation box; only the same value, confirmed, is saved.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from aidc import data, i18n, units
from aidc.errors import InputError, Problem
from aidc.i18n import N_
from aidc.report.i18n import data_labels
from aidc.scenario import Scenario, parse_scenario


@dataclass(frozen=True, slots=True)
class Field:
    """One number of the form: where it lives in the scenario and how the form writes it."""

    name: str  # the form's input name
    path: tuple[str, ...]  # where it lives in the scenario (section, field)
    label: str  # catalog id of the label
    unit: str  # catalog id of the unit shown beside the input
    help: str  # catalog id of the help line
    to_model: Callable[[float], float] = float  # the form's unit -> the scenario's unit
    to_form: Callable[[float], float] = float
    integer: bool = False


FIELDS = (
    Field("site_area_pyeong", ("site", "area_pyeong"), N_("Site area"), N_("pyeong"),
          N_("The land of the site in pyeong (1 pyeong = 3.305785 m²); the Jeonbuk plan names about 2,500.")),
    Field("max_floors", ("site", "max_floors"), N_("Floors allowed"), N_("floors"),
          N_("How many floors the building may have (phase 1: up to 5)."), integer=True),
    Field("it_power_mw", ("power", "it_capacity_kw"), N_("IT power"), "MW",
          N_("The largest power the servers may draw together; 8 MW is about 10,000 servers of 800 W."),
          to_model=lambda mw: mw * units.KW_PER_MW, to_form=lambda kw: kw / units.KW_PER_MW),
    Field("growth_pct_per_y", ("plan", "demand_growth_frac_per_y"), N_("Demand growth"), N_("%/year"),
          N_("How much the surveyed demand grows each year, in percent: type 15 for 15 %."),
          to_model=lambda pct: pct / units.PCT_PER_FRAC, to_form=lambda frac: frac * units.PCT_PER_FRAC),
    Field("tariff_krw_per_kwh", ("economics", "tariff_krw_per_kwh"), N_("Electricity price"), N_("KRW/kWh"),
          N_("The average price of a kWh bought from the grid, all charges included.")),
    Field("price_krw_per_gpu_h", ("economics", "price_krw_per_gpu_h"), N_("Price of a GPU-hour"),
          N_("KRW/GPU-hour"),
          N_("What a tenant pays for one GPU during one hour, before programme discounts.")),
)
#: Form input names of the per-type and per-class fields.
SERVER_PREFIX, SLA_PREFIX, CONFIRM_PREFIX = "servers-", "sla-", "confirm-"


def _policy(key: str) -> float:
    return float(data.load_yaml("web/form.yaml")[key]["value"])


def _get(d: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        d = d.get(key) or {}
    return d if d != {} else None


def site_area_pyeong(site: Mapping[str, Any]) -> float | None:
    """Return the site area in 평, whichever of ``area_pyeong`` and ``area_m2`` the scenario gives."""
    if site.get("area_pyeong") is not None:
        return float(site["area_pyeong"])
    if site.get("area_m2") is not None:
        return float(units.m2_to_pyeong(float(site["area_m2"])))
    return None


def _shown(value: float | None, integer: bool = False) -> str:
    if value is None:
        return ""
    if integer or float(value).is_integer():
        return str(int(round(value)))
    return f"{value:.6g}"


def server_types(lang: str) -> dict[str, str]:
    """Return server type -> its name in ``lang`` (catalog label ``server.<type>``, else product name)."""
    named = data_labels(lang)
    return {k: i18n.label(f"server.{k}", lang) if i18n.has(f"server.{k}", lang) else named.get(k, k)
            for k, v in data.load_yaml("catalog/servers.yaml").items() if isinstance(v, dict)}


def tenant_classes(lang: str) -> dict[str, str]:
    """Return tenant class -> its label in ``lang``."""
    return {k: v[lang] for k, v in data.load_yaml("survey/tenant_classes.yaml").items()}


def form_values(scenario: Mapping[str, Any]) -> dict[str, str]:
    """Return the form's inputs filled from a scenario (as ``model_dump(mode="json")`` gives it)."""
    out = {}
    for f in FIELDS:
        area = f.name == "site_area_pyeong"
        raw = site_area_pyeong(scenario.get("site", {})) if area else _get(scenario, f.path)
        out[f.name] = _shown(None if raw is None else f.to_form(float(raw)), f.integer)
    for key, n in (scenario.get("fleet", {}).get("servers") or {}).items():
        out[SERVER_PREFIX + key] = str(n)
    for key, level in (scenario.get("simulation", {}).get("service_levels") or {}).items():
        out[SLA_PREFIX + key] = _shown(level.get("p95_wait_h"))
    return out


@dataclass
class Outcome:
    """What the form made of a submission."""

    scenario: Scenario | None  # the validated scenario, None when anything is wrong or questioned
    errors: dict[str, str]  # input name -> problem, in the reader's language
    questions: dict[str, str]  # input name -> why the value is questioned


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not cleaned:
        return None
    value = float(cleaned)  # ValueError: the caller reports it beside the field
    if not math.isfinite(value):
        raise ValueError(cleaned)
    return value


def question(name: str, value: float, stored: Mapping[str, Any], lang: str) -> str | None:
    """Return why ``value`` typed into ``name`` looks like the wrong unit, or None.

    Examples
    --------
    >>> question("growth_pct_per_y", 0.1, {}, "en")
    'Did you mean 10 %/year? 0.1 in this field is 0.1 %/year.'
    >>> question("site_area_pyeong", 8264, {"site": {"area_pyeong": 2500}}, "en")
    'This looks like the area in m²: 8,264 m² is 2,500 pyeong. The field asks for pyeong.'
    >>> question("growth_pct_per_y", 15, {}, "en") is None
    True
    """
    if name == "growth_pct_per_y" and 0 < value <= _policy("growth_pct_questioned_max"):
        return i18n.gettext("Did you mean {pct} %/year? {value} in this field is {value} %/year.", lang,
                            pct=_shown(value * units.PCT_PER_FRAC), value=_shown(value))
    if name == "site_area_pyeong":
        before = site_area_pyeong(stored.get("site", {}))
        if before and abs(value / (before * units.PYEONG_M2) - 1) <= _policy("area_m2_match_tolerance_frac"):
            return i18n.gettext("This looks like the area in m²: {m2} m² is {pyeong} pyeong. The field asks "
                                "for pyeong.", lang, m2=f"{value:,.0f}",
                                pyeong=f"{units.m2_to_pyeong(value):,.0f}")
    return None


def problem_text(p: Problem, lang: str) -> str:
    """Return a validation problem of the scenario model in ``lang``.

    The scenario's problems carry catalog ids (:data:`aidc.scenario._base.PYDANTIC_MESSAGES`, the
    one mapping of pydantic's errors the CLI uses too); a validator's own English sentence that the
    catalog does not hold is said generically.

    Examples
    --------
    >>> at_least = Problem("must be at least {bound}", field="site.max_floors", params=(("bound", "1"),))
    >>> problem_text(at_least, "ko")
    '1 이상이어야 합니다'
    >>> problem_text(Problem("unknown key (misspelt?)", field="site.floorz"), "ko")
    '알 수 없는 항목입니다: 철자를 확인하십시오'
    """
    if lang == "en":
        return p.text  # the model's own English
    if i18n.has(p.message, lang):
        return i18n.gettext(p.message, lang, **dict(p.params))
    return i18n.gettext("this value is not allowed here", lang)


def _input_of(field_path: str | None) -> str | None:
    """Return the form input of a scenario field path (``site.area_pyeong``), or None."""
    if not field_path:
        return None
    for f in FIELDS:
        if field_path.startswith(".".join(f.path)):
            return f.name
    if field_path.startswith("site.area"):
        return "site_area_pyeong"
    parts = field_path.split(".")
    if parts[:2] == ["fleet", "servers"] and len(parts) > 2:
        return SERVER_PREFIX + parts[2]
    if parts[:2] == ["simulation", "service_levels"] and len(parts) > 2:
        return SLA_PREFIX + parts[2]
    return None


def _numbers(form: Mapping[str, str], prefix: str, keys: Mapping[str, str], lang: str,
             errors: dict[str, str]) -> dict[str, float | None]:
    """Return key -> the number typed in ``prefix + key`` (None: empty); a non-number goes to ``errors``."""
    out: dict[str, float | None] = {}
    for key in keys:
        try:
            out[key] = _number(str(form.get(prefix + key, "")))
        except ValueError:
            errors[prefix + key] = i18n.gettext("type a number", lang)
    return out


def apply(stored: dict[str, Any], form: Mapping[str, str], lang: str) -> Outcome:
    """Write the form's values into ``stored`` (a scenario as JSON) and validate the result."""
    d = yaml.safe_load(yaml.safe_dump(stored))  # a deep copy of plain data
    errors: dict[str, str] = {}
    questions: dict[str, str] = {}
    for f in FIELDS:
        text = str(form.get(f.name, ""))
        try:
            value = _number(text)
        except ValueError:
            errors[f.name] = i18n.gettext("type a number", lang)
            continue
        if value is None:
            continue  # left empty: the scenario keeps its value
        if f.integer and not value.is_integer():
            errors[f.name] = i18n.gettext("type a whole number", lang)
            continue
        asked = question(f.name, value, stored, lang)
        if asked and str(form.get(CONFIRM_PREFIX + f.name, "")) != text.strip():
            questions[f.name] = asked
            continue
        section = d.setdefault(f.path[0], {})
        section[f.path[1]] = int(value) if f.integer else f.to_model(value)
        if f.name == "site_area_pyeong":
            section.pop("area_m2", None)
    servers = dict(d.get("fleet", {}).get("servers") or {})
    for key, n in _numbers(form, SERVER_PREFIX, server_types(lang), lang, errors).items():
        if n is None or n == 0:
            servers.pop(key, None)
        elif not n.is_integer() or n < 0:
            errors[SERVER_PREFIX + key] = i18n.gettext("type a whole number", lang)
        else:
            servers[key] = int(n)
    if servers or d.get("fleet", {}).get("servers") is not None:
        d.setdefault("fleet", {})["servers"] = servers
    levels = dict(d.get("simulation", {}).get("service_levels") or {})
    for key, hours in _numbers(form, SLA_PREFIX, tenant_classes(lang), lang, errors).items():
        if hours is None:
            levels.pop(key, None)
        else:
            levels[key] = {"p95_wait_h": hours}
    d.setdefault("simulation", {})["service_levels"] = levels
    if errors or questions:
        return Outcome(None, errors, questions)
    try:
        scenario = parse_scenario(yaml.safe_dump(d, sort_keys=False, allow_unicode=True), file="scenario")
    except InputError as exc:
        for p in exc.problems:
            errors.setdefault(_input_of(p.field) or "", problem_text(p, lang))
        return Outcome(None, errors, questions)
    return Outcome(scenario, errors, questions)
