"""The catalog estimates a run's headline figures rest on, named in the reader's language.

The list itself is computed once, in :func:`aidc.summary.summarize` (``Summary.estimates_used``,
``file:key[.field]``); the CLI's footnote, the report's appendix and the workbook's sheet render
that one tuple through the functions here, so they always name the same records. A reader sees
what each record is (``축전지``, ``NVIDIA DGX H100 가격``), grouped by who can replace it with a
firm figure (contractors' quotes for the facility, suppliers' for the servers, the operator's own
tariff for the sale prices), never the internal key.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from aidc import data
from aidc.report.i18n import Text

#: Who replaces each group's figures, in the order they are shown.
GROUPS = ("facility", "servers", "prices")
_GROUP_OF_FILE = {"facility.yaml": "facility", "construction_index.yaml": "facility",
                  "servers.yaml": "servers", "prices.yaml": "prices"}


@dataclass(frozen=True, slots=True)
class Estimate:
    """One catalog estimate: its key (``file:key[.field]``), group, label, value and unit."""

    key: str
    group: str
    label: str
    value: Any
    unit: str


@cache
def _cost_records() -> dict[str, dict[str, Any]]:
    """Return the records of ``data/costs`` by ``file:key[.field]``, as the Summary names them."""
    records = data.shipped_records()
    return {f"{f.removeprefix('costs/')}:{k}": r for f, k, r in records if f.startswith("costs/")}


def _record(key: str) -> dict[str, Any]:
    """Return the shipped record of ``file:key[.field]`` (``data/costs``)."""
    file, name = key.split(":", 1)
    records = _cost_records()
    # the GPU-hour list prices are named by GPU model alone (aidc.summary.estimate_keys)
    return records.get(key) or records.get(f"{file}:gpu_hour.{name}") or {}


def label(t: Text, key: str) -> str:
    """Return what the record ``file:key[.field]`` is, in ``t``'s language.

    Examples
    --------
    >>> from aidc.report.i18n import text
    >>> label(text("ko"), "facility.yaml:battery"), label(text("en"), "servers.yaml:dgx_h100.price_usd")
    ('축전지', 'price of NVIDIA DGX H100 (8x H100 SXM5 80 GB)')
    """
    file, name = key.split(":", 1)
    if file == "servers.yaml":
        server, field = name.rsplit(".", 1)
        return t(f"estimate.server.{field}", server=t.value(server, "text"))
    if file == "prices.yaml":
        if t.has(f"estimate.price.{name}"):
            return t(f"estimate.price.{name}")
        return t("estimate.price.gpu_hour", gpu=t.value(name, "text"))
    if file == "construction_index.yaml":
        return t(f"estimate.index.{name}")
    return t.value(name, "text")


def estimates(t: Text, keys: tuple[str, ...]) -> tuple[Estimate, ...]:
    """Return the estimates ``keys`` (a Summary's ``estimates_used``) by group, labelled."""
    rows = []
    for key in keys:
        rec = _record(key)
        rows.append(Estimate(key=key, group=_GROUP_OF_FILE[key.split(":", 1)[0]], label=label(t, key),
                             value=rec.get("value"), unit=str(rec.get("unit", ""))))
    return tuple(sorted(rows, key=lambda e: GROUPS.index(e.group)))


def note(t: Text, keys: tuple[str, ...], mark: str) -> str:
    """Return the footnote under the headline figures: how many estimates, by group, and where the list is.

    Examples
    --------
    >>> from aidc.report.i18n import text
    >>> keys = ("facility.yaml:battery", "facility.yaml:rack", "prices.yaml:server_month")
    >>> note(text("en"), keys, "*")[:77]
    '* rests on catalog figures that are estimates (3), to be replaced with quotes'
    """
    found = estimates(t, keys)
    groups = []
    for group in GROUPS:
        labels = [e.label for e in found if e.group == group]
        if labels:
            groups.append(t(f"estimate.group.{group}", n=len(labels), labels=", ".join(labels)))
    head = t("headline.estimate_note", mark=mark, n=len(found), groups="; ".join(groups))
    return f"{head}. {t('estimate.where', sheet=t('xlsx.sheet.estimates'))}"


def table(t: Text, keys: tuple[str, ...]) -> pd.DataFrame:
    """Return the estimates as a table for the report's appendix and the workbook.

    Columns ``estimate_group, estimate_item, estimate_value, estimate_unit``, headed by the
    catalog's ``term.*`` labels; one row per key, the same rows in every output.
    """
    rows = [{"estimate_group": t(f"estimate.group_name.{e.group}"), "estimate_item": e.label,
             **_value_and_unit(t, e)} for e in estimates(t, keys)]
    return pd.DataFrame(rows, columns=["estimate_group", "estimate_item", "estimate_value", "estimate_unit"])


def _value_and_unit(t: Text, e: Estimate) -> dict[str, Any]:
    # a dimensionless share ("-": design fees, a sales mix) reads as a percentage
    if e.unit == "-" and isinstance(e.value, int | float):
        return {"estimate_value": e.value * 100, "estimate_unit": "%"}
    return {"estimate_value": e.value, "estimate_unit": t.unit(e.unit)}
