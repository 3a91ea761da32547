"""A finished run's stored JSON, written for a reader: labels and formatted figures, not raw floats.

The run keeps the figures as numbers (``GET /api/runs/{id}`` returns them so); the results page
shows each under the catalog's term with its unit, money in 억 원, years without separators,
tenant classes and server types by their labels and design checks as sentences in the
reader's language (:func:`aidc.report.checks.check_message`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aidc import i18n
from aidc.report.checks import check_message
from aidc.report.i18n import Text
from aidc.web.lang import header_of, stage_title, value_of

_UNIT_TAIL = re.compile(r"\s*\[[^\]]*\]$")
#: Fields of the run summary that are identifiers, not figures a reader needs on the page.
HIDDEN_FIELDS = frozenset({"scenario_hash", "scenario_name", "warnings"})


@dataclass(frozen=True, slots=True)
class Section:
    """One block of labelled figures (a stage's summary)."""

    title: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """One table with translated headers and formatted cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    n_rows: int


def label_of(name: str, t: Text) -> str:
    """Return the label of a field without its ``[unit]``: every value on the page carries its own unit.

    Examples
    --------
    >>> from aidc.report.i18n import text
    >>> label_of("capex_krw", text("ko"))
    '설비투자비'
    """
    return _UNIT_TAIL.sub("", header_of(name, t))


def sections(summary: dict[str, dict[str, Any]], t: Text) -> list[Section]:
    """Return the stored summaries as labelled, formatted figures."""
    return [
        Section(
            title=stage_title(stage, t.lang),
            rows=tuple((label_of(k, t), value_of(k, v, t)) for k, v in values.items()
                       if k not in HIDDEN_FIELDS and v is not None and v != ""),
        )
        for stage, values in summary.items()
    ]


def _check_rows(table: dict[str, Any], t: Text) -> tuple[tuple[str, ...], ...]:
    cols = table["columns"]
    out = []
    for raw in table["rows"]:
        row = dict(zip(cols, raw, strict=False))
        ok = bool(row.get("ok"))
        sentence = check_message(t, str(row.get("name")), ok, float(row.get("value") or 0.0),
                                 float(row.get("limit") or 0.0), str(row.get("unit") or ""),
                                 str(row.get("sense") or "max"))
        out.append((i18n.gettext("yes", t.lang) if ok else i18n.gettext("no", t.lang), sentence))
    return tuple(out)


def tables(stored: dict[str, dict[str, Any]], t: Text) -> list[Table]:
    """Return the stored tables with translated headers and formatted cells."""
    out = []
    for name, table in stored.items():
        title = i18n.label(f"web.table.{name.replace('.', '_')}", t.lang)
        columns: tuple[str, ...]
        if name == "design.checks":
            columns = (i18n.gettext("met", t.lang), i18n.gettext("check", t.lang))
            rows = _check_rows(table, t)
        else:
            columns = tuple(label_of(c, t) for c in table["columns"])
            rows = tuple(tuple(value_of(c, v, t) for c, v in zip(table["columns"], row, strict=False))
                         for row in table["rows"])
        out.append(Table(title=title, columns=columns, rows=rows, n_rows=int(table["n_rows"])))
    return out
