"""A request's validation errors in the reader's words: the field's label and the rule it broke.

Pydantic writes its errors in English (``Input should be greater than 0``). Here each error type
becomes a catalog message with the parameters of its context (the scenario's own mapping,
:func:`aidc.scenario.error_message`, plus the types only a request can produce), and
the field is named as the scenario form and the pages name it. A type neither knows is said
generically, naming what was expected; pydantic's English never reaches a Korean reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aidc import i18n
from aidc.i18n import N_
from aidc.scenario import error_message
from aidc.web.scenario_form import FIELDS

#: Where a value of a request came from: the first item of its ``loc``, not part of the field's name.
SOURCES = frozenset({"body", "query", "path", "header", "cookie"})

#: Error types of a request's body or parameters that a scenario file does not produce:
#: type -> (catalog id, the context key that fills ``{n}``).
REQUEST_MESSAGES: dict[str, tuple[str, str | None]] = {
    "string_too_long": (N_("must have at most {n} characters"), "max_length"),
    "string_too_short": (N_("must have at least {n} characters"), "min_length"),
    "too_long": (N_("must have at most {n} items"), "max_length"),
    "too_short": (N_("must have at least {n} items"), "min_length"),
    "json_invalid": (N_("is not valid JSON"), None),
    "string_pattern_mismatch": (N_("does not have the expected form"), None),
}
#: Said of an error type no mapping knows, with and without what was expected.
GENERIC = N_("this value is not valid")
GENERIC_EXPECTED = N_("this value is not valid (expected {expected})")
_CHOICE_SPLIT = re.compile(r",\s*|\s+or\s+")


def choices(expected: str) -> str:
    """Return pydantic's list of allowed values written as code (its ``or`` is English).

    Examples
    --------
    >>> choices("'admin', 'planner' or 'institution'")
    '`admin`, `planner`, `institution`'
    """
    return ", ".join(f"`{v.strip().strip(chr(39))}`" for v in _CHOICE_SPLIT.split(expected) if v.strip())


def _generic(ctx: Mapping[str, Any], lang: str) -> str:
    # the context's values (a pattern, a limit) are what the field expects; the keys are pydantic's
    shown = [str(v) for k, v in ctx.items() if k != "error" and isinstance(v, str | int | float)]
    if not shown:
        return i18n.gettext(GENERIC, lang)
    return i18n.gettext(GENERIC_EXPECTED, lang, expected=", ".join(f"`{v}`" for v in shown))


def validation_message(error: Mapping[str, Any], lang: str) -> str:
    """Return what is wrong with one pydantic error's value, in ``lang`` (without the field's name).

    Examples
    --------
    >>> validation_message({"type": "greater_than", "ctx": {"gt": 0}, "msg": "..."}, "ko")
    '0보다 커야 합니다'
    >>> validation_message({"type": "string_too_long", "ctx": {"max_length": 200}, "msg": "..."}, "ko")
    '200자 이하여야 합니다'
    >>> validation_message({"type": "uuid_parsing", "ctx": {}, "msg": "Input should be a valid UUID"}, "ko")
    '올바르지 않은 값입니다'
    """
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind in REQUEST_MESSAGES:
        msgid, key = REQUEST_MESSAGES[kind]
        return i18n.gettext(msgid, lang, **({} if key is None else {"n": ctx.get(key, "")}))
    msgid, pairs = error_message(error)  # type: ignore[arg-type]  # a validator's Note keeps its id
    params = dict(pairs)
    if kind in ("literal_error", "enum"):
        params["expected"] = choices(str(ctx.get("expected", "")))
    if lang == "en" or i18n.has(msgid, lang):
        return i18n.gettext(msgid, lang, **params)
    return _generic(ctx, lang)


def field_label(loc: Sequence[str | int], lang: str) -> str:
    """Return the name of the field at ``loc`` as the pages write it in ``lang``, else its path as code.

    The scenario form's labels come first (``site.max_floors`` -> 허용 층수), then the labels of the
    API's own fields (``web.field.<name>``), the web's and the report's terms, then a field name that
    is a catalog id (``email`` -> 전자우편).

    Examples
    --------
    >>> field_label(("body", "scenario", "site", "max_floors"), "ko")
    '허용 층수'
    >>> field_label(("body", "email"), "ko"), field_label(("path", "run_id"), "ko")
    ('전자우편', '실행 번호')
    >>> field_label(("query", "limit_n"), "ko")
    '`limit_n`'
    """
    names = [str(x) for x in loc if isinstance(x, str)]  # list indices are not names
    if names and names[0] in SOURCES:
        names = names[1:]
    if not names:
        return i18n.gettext("the request body", lang)
    path = tuple(names)
    for f in FIELDS:
        if path[-len(f.path):] == f.path:
            return i18n.gettext(f.label, lang)
    name = names[-1]
    for key in (f"web.field.{name}", f"web.term.{name}", f"term.{name}"):
        if i18n.has(key, lang):
            return i18n.label(key, lang)
    if i18n.has(name, "ko"):  # an English field name that is itself a catalog id
        return i18n.gettext(name, lang)
    return f"`{'.'.join(names)}`"

