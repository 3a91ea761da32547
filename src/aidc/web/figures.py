"""Plotly figures of a run for the results and comparison pages.

The report stage's figures are used when it offers them (``aidc.report.figures(result)``,
name -> ``plotly.graph_objects.Figure``), so the web shows the same charts as the report.
Otherwise a few figures are drawn from the stage results named in ``docs/contracts.md``.
Figures are stored as Plotly JSON; the page draws them with the bundled plotly.js.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any


def _to_json(fig: Any) -> dict[str, Any]:
    return json.loads(fig.to_json())


def _timings(result: Any) -> Any:
    import plotly.graph_objects as go

    timings = dict(getattr(result, "timings_s", {}) or {})
    if not timings:
        return None
    fig = go.Figure(go.Bar(x=list(timings), y=list(timings.values()), name="wall time"))
    fig.update_layout(title="Run time by stage [s]", yaxis_title="wall time [s]")
    return fig


def _demand(result: Any) -> Any:
    import plotly.express as px

    frame = getattr(getattr(result, "demand", None), "by_year", None)
    if frame is None or "gpu_hours" not in frame:
        return None
    data = frame.groupby(["year", "tenant_class"], as_index=False)["gpu_hours"].sum()
    return px.bar(
        data, x="year", y="gpu_hours", color="tenant_class", title="Demand by year and tenant class [GPU·h]"
    )


def _energy(result: Any) -> Any:
    import plotly.graph_objects as go

    hourly = getattr(getattr(result, "energy", None), "hourly", None)
    if hourly is None or "facility_power_kw" not in hourly:
        return None
    # 730 h is a mean month (8,760 h / 12); hourly kW summed over an hour is kWh.
    month = (hourly.reset_index(drop=True).index // 730).clip(upper=11) + 1
    mwh = hourly.groupby(month)[["it_power_kw", "facility_power_kw"]].sum() / 1000
    fig = go.Figure([go.Bar(x=list(mwh.index), y=mwh[c], name=c.replace("_power_kw", "")) for c in mwh])
    fig.update_layout(title="Energy by month [MWh]", xaxis_title="month", yaxis_title="energy [MWh]")
    return fig


def _occupancy(result: Any) -> Any:
    import plotly.graph_objects as go

    hourly = getattr(getattr(result, "simulation", None), "hourly", None)
    if hourly is None or "busy_gpus" not in hourly:
        return None
    daily = hourly["busy_gpus"].reset_index(drop=True).groupby(lambda i: i // 24).mean()
    fig = go.Figure(go.Scatter(x=list(daily.index), y=daily, mode="lines", name="busy GPUs"))
    fig.update_layout(title="Busy GPUs, daily mean", xaxis_title="day", yaxis_title="GPUs")
    return fig


FALLBACK: dict[str, Callable[[Any], Any]] = {
    "demand": _demand,
    "energy": _energy,
    "occupancy": _occupancy,
    "timings": _timings,
}


def result_figures(result: Any) -> dict[str, dict[str, Any]]:
    """Return the run's figures as Plotly JSON dicts, name -> figure."""
    try:
        report_figures = getattr(importlib.import_module("aidc.report"), "figures", None)
    except ImportError:
        report_figures = None
    out: dict[str, dict[str, Any]] = {}
    if callable(report_figures):
        out = {str(k): _to_json(f) for k, f in report_figures(result).items()}
    for name, make in FALLBACK.items():
        if name not in out and (fig := make(result)) is not None:
            out[name] = _to_json(fig)
    return out
