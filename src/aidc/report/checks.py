"""Design checks written in the report's language from their structured fields.

A :class:`~aidc.design.results.Check` carries an English ``message`` for the CLI and JSON; the
report does not translate that string but writes each check again from ``name``, ``ok``,
``value``, ``limit``, ``unit`` and ``sense`` with the template ``check.<name>`` of the language
catalog (:mod:`aidc.i18n`) and a margin clause ``check_margin.<spare|over|short>``.
A stage's notes and fallbacks are :class:`~aidc.errors.Note` s, written from their message id and
parameters (:func:`note_text`). Text a stage writes freely (the plan's fallbacks, limit sentences)
has no structure to render from; the report shows it as it is, with the heading marked
``ui.original_text``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from aidc import i18n
from aidc.errors import Note
from aidc.report.i18n import Text

#: Columns of a design check as the report's tables hold them.
CHECK_COLUMNS = ("name", "ok", "value", "limit", "unit", "message", "sense")
#: Columns of free text a stage wrote itself (notes, fallbacks, limit sentences).
FREE_TEXT_COLUMNS = ["note"]

def note_text(t: Text, note: Note) -> str:
    """Write a stage's note in ``t``'s language from its message id and parameters.

    A parameter that is a data key (a tariff) is named by its label, the plan's limit sentence
    as the briefing writes it.

    Examples
    --------
    >>> from aidc.report.i18n import text
    >>> note_text(text("ko"), Note("grid emission factor of {period} used for {year} (latest published)",
    ...                            period="2023", year=2028))
    '2028년에는 최신 공표값인 2023년 전력 배출계수를 씁니다.'
    """
    from aidc.report.briefing import limit_text

    params = {k: (limit_text(t, v) if k == "limit" else t.value(v, "text")) if isinstance(v, str) else v
              for k, v in note.params.items()}
    return i18n.gettext(note.msgid, t.lang, **params)


def is_checks(frame: pd.DataFrame) -> bool:
    """Return True if ``frame`` is a table of design checks."""
    return all(c in frame.columns for c in CHECK_COLUMNS)


def is_free_text(t: Text, frame: pd.DataFrame) -> bool:
    """Return True if ``frame`` holds a stage's own sentences that ``t`` cannot translate.

    A list of strings is a table of one ``note`` column; a list of identifiers (``n_gpus``,
    ``dgx_h100``) is not free text, nor is a sentence the language file translates.

    Examples
    --------
    >>> from aidc.report.i18n import text
    >>> is_free_text(text("ko"), pd.DataFrame({"note": ["no plan result: fleet kept"]}))
    True
    >>> is_free_text(text("ko"), pd.DataFrame({"note": ["n_gpus", "storage_tb"]}))
    False
    """
    if list(frame.columns) != FREE_TEXT_COLUMNS:
        return False
    return any(" " in str(v) and text_value(t, v) == str(v) for v in frame["note"])


def template_key(name: str) -> str:
    """Return the i18n key of check ``name``'s template.

    Examples
    --------
    >>> template_key("floor_loading")
    'check.floor_loading'
    """
    return f"check.{name}"


def check_message(t: Text, name: str, ok: bool, value: float, limit: float, unit: str,
                  sense: str = "max") -> str:
    """Write one check in ``t``'s language: what, value, relation to the limit, margin.

    Examples
    --------
    >>> from aidc.report.i18n import text
    >>> check_message(text("en"), "floors", False, 6.2, 5, "floors")
    'floors needed at the largest footprint: 6.20 floors > limit 5 floors — over by 1.20 floors (24.0 %)'
    >>> check_message(text("ko"), "grid_contract", True, 9000, 8000, "kW", "min")
    '수전 용량 대 시설 최대 전력: 9,000 kW ≥ 한도 8,000 kW — 여유 1,000 kW(12.5%)'
    """
    if sense == "max":
        rel, gap = ("≤" if ok else ">"), limit - value
    else:
        rel, gap = ("≥" if ok else "<"), value - limit
    pct = abs(gap / limit) if limit else 1.0
    symbol = t.unit(unit)
    margin = t(f"check_margin.{'spare' if ok else ('over' if sense == 'max' else 'short')}",
               gap=t.with_unit(t.num(abs(gap)), symbol), pct=t.pct(pct))
    return t(template_key(name), value=t.with_unit(t.num(value), symbol), rel=rel,
             limit=t.with_unit(t.num(limit), symbol), margin=margin)


def localize(t: Text, frame: pd.DataFrame) -> pd.DataFrame:
    """Return the checks table with ``message`` written in ``t``'s language from the other columns."""
    out = frame.copy()
    out["message"] = [
        check_message(t, str(r.name), bool(r.ok), float(r.value), float(r.limit), str(r.unit), str(r.sense))
        for r in frame.itertuples(index=False)
    ]
    out["unit"] = [t.unit(str(u)) for u in frame["unit"]]
    return out


def mark_original(t: Text, title: str) -> str:
    """Mark a heading whose rows are a stage's own (English) text: ``참고 (영문 원문)``."""
    # English has no marker: the text is already in the reader's language.
    return f"{title} {t('ui.original_text')}" if t.has("ui.original_text") else title


def text_value(t: Text, value: Any) -> str:
    """Write a text cell: a key gets its label, the plan's limit sentence is written in ``t``'s language."""
    from aidc.report.briefing import limit_text

    if isinstance(value, Note):
        return note_text(t, value)
    written = t.value(value, "text")
    if not isinstance(value, str) or written != value:
        return written
    return limit_text(t, value)


def free_value(t: Text, value: Any) -> str:
    """Write a headline text value; untranslated free text is marked as the original."""
    if isinstance(value, float) and not math.isfinite(value):
        return "–"
    if t.has(f"value.{value}"):
        return t(f"value.{value}")
    written = text_value(t, str(value))  # the plan's limit sentence has a structure to write it from
    return written if written != str(value) or t.lang == "en" else mark_original(t, str(value))
