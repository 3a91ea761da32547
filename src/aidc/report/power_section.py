"""The power- and tariff-aware year in the report: the bill with and without each control.

Renders the plain view of :func:`aidc.power.operations.year` (the caller computes it; the
report only renders): the KEPCO bill by component and the peak for no control, each control
alone and all together; what each tenant class waits longer and how many deadlines it misses;
the contracted demand (계약전력) to apply for; the Pareto chart of won saved against p95 wait
added. Money in 억 원 (Korean) or KRW, power in kW, waits in h or d.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go

from aidc import i18n
from aidc.report.i18n import Text

#: Columns of the comparison of controls: key in the view, label key, how it is written.
CONTROL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("bill_krw", "krw"), ("basic", "krw"), ("energy", "krw"), ("climate_env", "krw"),
    ("fuel_adjustment", "krw"), ("power_fund", "krw"), ("vat", "krw"), ("saved_krw", "krw"),
    ("peak_demand_kw", "kw"), ("contract_kw_to_apply", "kw"), ("p95_wait_added_s", "duration"),
    ("mean_wait_added_s", "duration"), ("gpu_hours_lost_to_capping", "num"),
    ("gpu_hours_pushed_past_year", "num"), ("deadlines_missed", "num"),
)
#: Columns of the table per tenant class.
TENANT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n_jobs_delayed", "num"), ("n_jobs_capped", "num"), ("mean_wait_added_s", "duration"),
    ("p95_wait_added_s", "duration"), ("mean_jct_added_s", "duration"), ("deadlines_missed", "num"),
)


def _writer(t: Text, kind: str) -> Callable[[Any], str]:
    writers: dict[str, Callable[[Any], str]] = {
        "krw": t.krw, "kw": lambda v: t.with_unit(t.num(v, 0), "kW"), "duration": t.duration,
        "num": lambda v: t.num(v, 0),
    }
    return writers[kind]


def _table(t: Text, title: str, first: str, rows: list[tuple[str, dict[str, Any]]],
           columns: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Return a table in the shape of :func:`aidc.report.html.table_view`, cells already written."""
    return {
        "title": title,
        "headers": [first, *(t(f"power.col.{key}") for key, _ in columns)],
        "rows": [[name, *(_writer(t, kind)(row.get(key)) for key, kind in columns)] for name, row in rows],
        "numeric": [False, *(True for _ in columns)],
        "marks": [["" for _ in range(len(columns) + 1)]] * len(rows),  # all cells are written for the reader
        "n_rows": len(rows),
        "truncated": False,
    }


def pareto_figure(points: Sequence[dict[str, Any]], t: Text) -> go.Figure:
    """Return the chart of won saved against p95 wait added, one marker per control setting.

    ``points`` come from :func:`aidc.power.operations.pareto` (``shift``, ``cap_kw``) or are
    the lines of the comparison (``control``); those marked ``pareto`` are joined by the front.
    """

    def name(p: dict[str, Any]) -> str:
        return t(f"power.control.{p['control']}") if "control" in p else t(f"power.shift.{p['shift']}")

    fig = go.Figure()
    for series in sorted({name(p) for p in points}):
        pts = [p for p in points if name(p) == series]
        fig.add_trace(go.Scatter(
            x=[p["p95_wait_added_h"] for p in pts], y=[p["saved_krw"] for p in pts], mode="markers",
            name=series,
            text=[t("power.cap_none") if p.get("cap_kw") is None else f"{p['cap_kw']:,.0f} kW" for p in pts],
        ))
    front = sorted((p for p in points if p["pareto"]), key=lambda p: p["p95_wait_added_h"])
    fig.add_trace(go.Scatter(
        x=[p["p95_wait_added_h"] for p in front], y=[p["saved_krw"] for p in front], mode="lines",
        name=t("power.pareto_front"),
    ))
    fig.update_layout(title=t("power.pareto_title"), xaxis_title=t("power.p95_wait_added_h"),
                      yaxis_title=t("power.saved_krw"))
    return fig


def context(view: dict[str, Any] | None, t: Text) -> dict[str, Any] | None:
    """Return what ``power.html.j2`` shows of a power-aware year, or None without one."""
    if not view:
        return None
    lines = [(t(f"power.control.{r['control']}"), r | r["bill_by_component_krw"]) for r in view["by_control"]]
    tables = [_table(t, t("power.table.by_control"), t("power.col.control"), lines, CONTROL_COLUMNS)]
    by_tenant = view.get("effect", {}).get("by_tenant", {})
    if by_tenant:
        tenants = [(t.value(k, "text"), row) for k, row in by_tenant.items()]
        tables.append(_table(t, t("power.table.by_tenant"), t("power.col.tenant"), tenants, TENANT_COLUMNS))
    points = view.get("pareto") or [r for r in view["by_control"] if r["control"] != "none"]
    over = view.get("oversubscription")
    return {
        "contract": t("power.contract_sentence", kw=t.with_unit(t.num(view["contract_kw_to_apply"], 0), "kW"),
                      peak=t.with_unit(t.num(view["peak_demand_kw"], 0), "kW")),
        "oversubscription": t("power.oversubscription_sentence", gpus=t.num(over["gpus_gained"]),
                              frac=t.pct(over["frac"], 0), limit=t.power(over["it_limit_kw"]))
        if over else None,
        "tables": tables,
        "figures": [pareto_figure(points, t)] if points else [],
        "notes": [i18n.gettext(n["msgid"], t.lang, **n["params"]) for n in view.get("note_ids", [])],
    }
