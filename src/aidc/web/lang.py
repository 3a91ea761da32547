"""The language of a web page and the way its numbers, money and times are written.

The language is the user's setting (the ``aidc_lang`` cookie, set by the switch in the page
header), then the browser's ``Accept-Language``, then Korean. Numbers follow the reader's
locale through Babel (``ko_KR``: ``1,234.5``), money is written in 억 원 for Korean readers
(:meth:`aidc.report.i18n.Text.krw`), years have no thousands separator and times are shown in
Asia/Seoul, the time zone of every user of the service.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from starlette.requests import Request
from starlette.types import Scope

from aidc import i18n
from aidc.i18n.problems import describe, localise
from aidc.report.briefing import limit_text
from aidc.report.i18n import Text, split_unit, text

#: Cookie that keeps the user's own choice of language (it outlives a sign-in, unlike the session).
LANG_COOKIE = "aidc_lang"
SEOUL = ZoneInfo("Asia/Seoul")
#: Babel locale of each language aidc speaks.
BABEL_LOCALE = {"ko": "ko_KR", "en": "en_US"}
#: How a date and time is written (Babel pattern); the zone is always Asia/Seoul.
WHEN_PATTERN = "yyyy-MM-dd HH:mm"


def request_lang(request: Request) -> str:
    """Return the language of ``request``: the user's setting, then Accept-Language, then Korean."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LANGS:
        return str(chosen)
    return i18n.accept_language(request.headers.get("accept-language"))


def scope_lang(scope: Scope) -> str:
    """Return the language of a request a middleware holds only as its ASGI scope (no app state yet)."""
    return request_lang(Request(scope))


def when(value: datetime | str | None, lang: str) -> str:
    """Write a moment in Asia/Seoul (a naive datetime, as SQLite returns it, is UTC).

    Examples
    --------
    >>> when(datetime(2026, 12, 2, 15, 30, tzinfo=UTC), "ko")
    '2026-12-03 00:30'
    >>> when(None, "ko")
    '–'
    """
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, WHEN_PATTERN, tzinfo=SEOUL, locale=BABEL_LOCALE[lang])


def number(value: Any, lang: str, decimals: int | None = None) -> str:
    """Write a number for a reader of ``lang``: thousands grouped, sensible decimals.

    Examples
    --------
    >>> number(1234567.891, "ko"), number(0.12345, "ko"), number(12.5, "en")
    ('1,234,568', '0.123', '12.5')
    """
    if value is None or isinstance(value, bool | str):
        return "–" if value is None else str(value)
    x = float(value)
    if not math.isfinite(x):
        return "–"
    if decimals is None:
        decimals = 0 if x.is_integer() or abs(x) >= 100 else 2 if abs(x) >= 1 else 3
    pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
    return format_decimal(round(x, decimals), format=pattern, locale=BABEL_LOCALE[lang])


def percent(value_frac: Any, lang: str) -> str:
    """Write a fraction as a percentage: ``0.723`` -> ``72.3%``."""
    if value_frac is None or not math.isfinite(float(value_frac)):
        return "–"
    return format_percent(float(value_frac), format="#,##0.#%", locale=BABEL_LOCALE[lang])


def year(value: Any) -> str:
    """Write a year without a thousands separator (``2028``, never ``2,028``)."""
    return "–" if value is None else str(int(value))


def is_year(name: str) -> bool:
    """Return True for a field or column that holds a calendar year."""
    return name == "year" or name.endswith(("_year", "year_first", "year_last"))


def header_of(name: str, t: Text) -> str:
    """Return the header of a result field or column: the web's own term, else the report's, with its unit."""
    if is_year(name):
        return year_header(t.lang)
    if i18n.has(f"web.term.{name}", t.lang):
        return i18n.label(f"web.term.{name}", t.lang)
    return t.column(name)


def value_of(name: str, value: Any, t: Text) -> str:
    """Write the value of the result field ``name`` by the unit its name carries (STYLE.md).

    Money in 억 원 (Korean) or KRW bn (English), power in kW/MW, fractions in %, areas in m² with
    평, years plain, counts grouped; a text value that is a data key shows its label.

    Examples
    --------
    >>> value_of("capex_krw", 1.234e11, text("ko")), value_of("start_year", 2028.0, text("ko"))
    ('1,234.0억 원', '2028')
    >>> value_of("site_use_frac", 0.4, text("ko")), value_of("tenant_class", "university", text("ko"))
    ('40%', '대학')
    """
    if isinstance(value, str):
        for prefix in ("web.value.", "server."):  # the web's labels of data keys, then server types
            if i18n.has(prefix + value, t.lang):
                return i18n.label(prefix + value, t.lang)
        if name.endswith("binding_limit"):  # the plan's limit sentence, as the briefing writes it
            return limit_text(t, value)
        return t.value(value, "text")
    if value is None:
        return t.value(value, "text")
    if isinstance(value, dict | list | tuple):  # a nested input (a fleet mix) shown as data
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return i18n.gettext("yes", t.lang) if value else i18n.gettext("no", t.lang)
    if is_year(name):
        return year(value)
    _base, symbol = split_unit(name)  # a rate's whole unit (KRW/vCPU·h), translated as a unit. key
    if "/" in symbol:
        return t.with_unit(number(value, t.lang), t.unit(symbol))
    if "_per_" in name:
        return number(value, t.lang)  # a rate whose unit the name does not spell in full: no wrong unit
    if name.endswith("_krw"):
        return t.krw(float(value))
    if name.endswith(("_frac", "_pct")):
        return percent(float(value) / (100 if name.endswith("_pct") else 1), t.lang)
    if name.endswith("_kw"):
        return t.power(float(value))
    if name.endswith("_m2") and "per" not in name:
        return t.area(float(value))
    shown = number(value, t.lang)
    return t.with_unit(shown, t.unit(symbol)) if symbol else shown


def helpers(lang: str) -> dict[str, Any]:
    """Return what every template gets: ``_`` and the formatters, in ``lang``."""
    t = text(lang)

    def gettext(msgid: str, **params: Any) -> str:
        return i18n.gettext(msgid, lang, **params)

    return {
        "lang": lang,
        "other_lang": "en" if lang == "ko" else "ko",
        "_": gettext,
        "t": t,
        "when": lambda v: when(v, lang),
        "num": lambda v, decimals=None: number(v, lang, decimals),
        "pct": lambda v: percent(v, lang),
        "year": year,
        "money": t.krw,
        "value_of": lambda name, v: value_of(name, v, t),
        "column": lambda name: header_of(name, t),
        "label": lambda key: t.value(key, "text"),
        "status": lambda key: i18n.label(f"web.status.{key}", lang),
        "stage": lambda name: stage_title(name, lang),
        "problem": lambda p: localise(p, lang),
        "describe": lambda p: describe(p, lang),
    }


def stage_title(stage: str, lang: str) -> str:
    """Return the heading of a stage (``design`` -> ``설계``); ``run`` is the run's headline summary."""
    key = "section.summary" if stage == "run" else f"section.{stage}"
    if stage == "simulate":
        key = "section.simulation"
    return i18n.label(key if i18n.has(key, lang) else f"web.stage.{stage}", lang)


def year_header(lang: str) -> str:
    """Return the header of a year column."""
    return i18n.gettext("year", lang)
