"""Plotly figures of each stage, labelled in the report's language.

Each builder takes a stage result and the :class:`~aidc.report.i18n.Text` and returns a list
of figures; a column a figure needs that the stage does not provide gives no figure, never
an invented one. plotly.js itself is embedded once per report by the HTML writer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aidc import units
from aidc.report.content import at
from aidc.report.i18n import Text, split_unit

_FONT = "Noto Sans CJK KR, Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo, sans-serif"
_AXIS = {"gridcolor": "#e5e9f0", "zerolinecolor": "#cbd2dc", "linecolor": "#cbd2dc"}
_TEMPLATE = {"layout": {"paper_bgcolor": "white", "plot_bgcolor": "white", "xaxis": _AXIS, "yaxis": _AXIS,
                        "colorway": ["#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#b7791f",
                                     "#319795", "#d53f8c", "#4a5568", "#718096"]}}


def _layout(fig: go.Figure, t: Text, title_key: str, x: str = "", y: str = "") -> go.Figure:
    y_title = t.column(y) if y else None
    if y and split_unit(y)[1] == "KRW":
        # Money: whole numbers with separators, never plotly's SI suffixes ("500B", "2G"); a Korean
        # reader reads budgets in 억 원 (10^8 won), so the bars are drawn in that unit
        fig.update_yaxes(tickformat=",", exponentformat="none")
        if t.lang == "ko":
            for trace in fig.data:
                trace.y = np.asarray(trace.y, dtype=float) / units.KRW_PER_EOK
            y_title = f"{t.column(y).split(' [')[0]} [{t('xlsx.unit.eok_krw')}]"
    fig.update_layout(
        title=t(f"chart.{title_key}"), font={"family": _FONT, "size": 13},
        xaxis_title=t.column(x) if x else None, yaxis_title=y_title,
        # a plain white layout: plotly's named templates cost ~0.3 s per figure to copy
        template=_TEMPLATE, height=380, margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _frame(obj: Any, path: str, *columns: str) -> pd.DataFrame | None:
    frame = at(obj, path)
    if not isinstance(frame, pd.DataFrame) or any(c not in frame.columns for c in columns):
        return None
    return frame


def demand_figures(demand: Any, t: Text) -> list[go.Figure]:
    """GPU-hours by year, stacked by tenant class."""
    frame = _frame(demand, "by_year", "year", "tenant_class", "gpu_hours")
    if frame is None:
        return []
    table = frame.groupby(["year", "tenant_class"])["gpu_hours"].sum().unstack(fill_value=0)
    fig = go.Figure([go.Bar(name=_value(t, c), x=table.index, y=table[c]) for c in table.columns])
    fig.update_layout(barmode="stack")
    return [_layout(fig, t, "demand_gpu_hours", "year", "gpu_hours")]


def design_figures(design: Any, t: Text) -> list[go.Figure]:
    """Chart the power chain from IT load to grid contract, and the fleet by server type."""
    figs = []
    steps = [(k, at(design, p)) for k, p in (("it_power_kw", "fleet.it_power_kw"),
                                             ("it_design_kw", "power.it_design_kw"),
                                             ("facility_peak_kw", "power.facility_peak_kw"),
                                             ("grid_contract_kw", "power.grid_contract_kw"))]
    steps = [(k, v) for k, v in steps if v is not None]
    if steps:
        fig = go.Figure(go.Bar(x=[t.column(k).split(" [")[0] for k, _ in steps],
                               y=[v for _, v in steps], marker_color="#2b6cb0"))
        figs.append(_layout(fig, t, "power_chain", "", "electric_power_kw"))
    servers = at(design, "fleet.servers")
    if isinstance(servers, dict) and servers:
        # one bar per server type, named as the catalog names it (dgx_h100 -> NVIDIA DGX H100)
        fig = go.Figure(go.Bar(x=[_value(t, k) for k in servers], y=list(servers.values()),
                               marker_color="#2f855a"))
        figs.append(_layout(fig, t, "fleet", "server_type", "n_servers"))
    return figs


def plan_figures(plan: Any, t: Text) -> list[go.Figure]:
    """Chart the power built against the load by year, and GPUs installed against GPUs needed."""
    frame = _frame(plan, "capacity_by_year", "year")
    if frame is None:
        return []
    figs = []
    power = [c for c in frame.columns if str(c).endswith("_kw")]
    gpus = [c for c in ("n_gpus_needed", "n_gpus_installed") if c in frame]
    # the plan counts GPUs in H100 equivalents (a B200 for its speed): the axis says so
    for key, cols, y in (("plan_capacity", power, "electric_power_kw"), ("plan_gpus_eq", gpus, "eq_gpus")):
        if cols:
            fig = go.Figure([go.Scatter(name=t.column(c).split(" [")[0], x=frame["year"], y=frame[c],
                                        mode="lines+markers", line_shape="hv") for c in cols])
            figs.append(_layout(fig, t, key, "year", y))
    return figs


def service_figures(sizing: Any, t: Text) -> list[go.Figure]:
    """Chart the p95 wait of each tenant class against GPUs, and the fleet that meets every level."""
    frame = _frame(sizing, "curve", "n_gpus")
    if frame is None or frame.empty:
        return []
    classes = [c.removeprefix("p95_wait_h__") for c in frame.columns if str(c).startswith("p95_wait_h__")]
    fig = go.Figure([go.Scatter(name=_value(t, c), x=frame["n_gpus"], y=frame[f"p95_wait_h__{c}"],
                                mode="lines+markers") for c in classes])
    n_gpus = at(sizing, "n_gpus")
    if n_gpus is not None:
        fig.add_vline(x=float(n_gpus), line_dash="dash", line_color="#4a5568")
    return [_layout(fig, t, "service_curve", "n_gpus", "p95_wait_h")]


def simulation_figures(simulation: Any, t: Text) -> list[go.Figure]:
    """Busy GPUs and queued GPUs hour by hour; waiting time by tenant class."""
    figs = []
    hourly = _frame(simulation, "hourly", "t_h", "busy_gpus")
    if hourly is not None:
        cols = [c for c in ("busy_gpus", "queued_gpus") if c in hourly]
        # SVG, not WebGL: a headless or remote-desktop browser may have no GPU for 8,760 points
        fig = go.Figure([go.Scatter(name=t.column(c), x=hourly["t_h"], y=hourly[c], mode="lines")
                         for c in cols])
        figs.append(_layout(fig, t, "sim_hourly", "t_h", "busy_gpus"))
    jobs = _frame(simulation, "jobs", "tenant", "wait_s")
    if jobs is not None:
        # quartiles computed here, so the page carries five numbers per tenant, not every job
        q = jobs.groupby("tenant")["wait_s"].quantile([0.0, 0.25, 0.5, 0.75, 1.0]).unstack() / units.S_PER_H
        fig = go.Figure([go.Box(name=_value(t, k), q1=[r[0.25]], median=[r[0.5]], q3=[r[0.75]],
                                lowerfence=[r[0.0]], upperfence=[r[1.0]], x=[_value(t, k)])
                         for k, r in q.iterrows()])
        figs.append(_layout(fig, t, "sim_wait", "tenant", "wait_h"))
    return figs


def energy_figures(energy: Any, t: Text) -> list[go.Figure]:
    """Monthly energy by part and monthly PUE; the monthly electricity bill."""
    figs = []
    hourly = _frame(energy, "hourly", "it_power_kw", "facility_power_kw")
    if hourly is not None:
        month = hourly["month"] if "month" in hourly else _month_of_hour(len(hourly))
        parts = [c for c in ("it_power_kw", "cooling_power_kw", "loss_kw", "other_power_kw") if c in hourly]
        # one row per hour, so the monthly sum of kW is kWh; / 1000 gives MWh
        monthly = hourly[parts].groupby(np.asarray(month)).sum() / units.KWH_PER_MWH
        fig = go.Figure([go.Bar(name=t.column(c).split(" [")[0], x=monthly.index, y=monthly[c])
                         for c in parts])
        fig.update_layout(barmode="stack")
        figs.append(_layout(fig, t, "energy_monthly", "month", "energy_mwh"))
    bill = at(energy, "monthly_bill")
    if isinstance(bill, pd.DataFrame):
        parts = [c for c in bill.columns if str(c).endswith("_krw") and "total" not in str(c)]
        x = bill.get("month", bill.index)
        fig = go.Figure([go.Bar(name=t.column(c).split(" [")[0], x=x, y=bill[c]) for c in parts])
        fig.update_layout(barmode="stack")
        figs.append(_layout(fig, t, "energy_bill", "month", "bill_krw"))
    return figs


def economics_figures(economics: Any, t: Text) -> list[go.Figure]:
    """Cash flow by year with its cumulative sum; capital cost by part."""
    figs = []
    flow = _frame(economics, "cash_flow", "year")
    col = None if flow is None else next((c for c in ("net_cash_flow_krw", "cash_flow_krw", "net_krw")
                                          if c in flow), None)
    if flow is not None and col is not None:
        fig = go.Figure([go.Bar(name=t.column(col).split(" [")[0], x=flow["year"], y=flow[col]),
                         go.Scatter(name=t("chart.cumulative"), x=flow["year"], y=flow[col].cumsum())])
        figs.append(_layout(fig, t, "cash_flow", "year", col))
    capex = at(economics, "capex")
    if isinstance(capex, pd.DataFrame):
        value = next((c for c in capex.columns if str(c).endswith("_krw")), None)
        label = next((c for c in capex.columns if not pd.api.types.is_numeric_dtype(capex[c])), None)
        if value is not None and label is not None:
            fig = go.Figure(go.Bar(x=[_value(t, v) for v in capex[label]], y=capex[value]))
            figs.append(_layout(fig, t, "capex", "", value))
    return figs


def _month_of_hour(n_hours: int) -> np.ndarray:
    # hours of a typical (non-leap) year from 1 January; 2001 is such a year
    return pd.date_range("2001-01-01", periods=n_hours, freq="h").month.to_numpy()


def _value(t: Text, value: Any) -> str:
    # a data key drawn as a category or trace name (tenant class, server type, cost part): its label
    return t.value(value, "text")


FIGURES: dict[str, Callable[[Any, Text], list[go.Figure]]] = {
    "demand": demand_figures,
    "design": design_figures,
    "plan": plan_figures,
    "simulation": simulation_figures,
    "energy": energy_figures,
    "economics": economics_figures,
}
