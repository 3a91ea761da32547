"""A design as plain data (JSON-ready dicts) and the labels that name its figures in EN/KO."""

from __future__ import annotations

import dataclasses
from typing import Any

from aidc.data import load_yaml
from aidc.design.results import Design


def to_dict(design: Design) -> dict[str, Any]:
    """Return the design as nested plain dicts and lists (JSON-ready), with derived flags.

    Examples
    --------
    >>> from aidc.design import size
    >>> from aidc.scenario import load_scenario
    >>> d = to_dict(size(load_scenario("jeonbuk-phase1")))
    >>> d["fleet"]["servers"], d["ok"]
    ({'reference_800w': 10000}, True)
    """
    out = dataclasses.asdict(design)
    out["ok"] = design.ok
    out["failing"] = [c.name for c in design.failing]
    for c, raw in zip(design.checks, out["checks"], strict=True):
        raw["margin_frac"] = c.margin_frac
    for fabric in ("backend", "frontend"):
        f = getattr(design.network, fabric)
        out["network"][fabric]["n_scalable_units"] = f.n_scalable_units
    return out


def labels(lang: str = "en") -> dict[str, str]:
    """Return the design report's labels in ``lang`` ('en' or 'ko'), from ``catalog/design_labels.yaml``.

    Examples
    --------
    >>> labels("ko")["grid_contract_kw"]
    '수전 용량'
    """
    raw: dict[str, dict[str, str]] = load_yaml("catalog/design_labels.yaml")
    return {key: entry.get(lang) or entry["en"] for key, entry in raw.items()}
