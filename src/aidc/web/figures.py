"""Plotly figures of a run for the results and comparison pages.

The report stage's figures are used when it is there (``aidc.report.figures.FIGURES``, one
builder per stage), so the web shows the same charts as the report; otherwise a few figures
are drawn from the stage results named in ``docs/contracts.md``. A chart of the time each
stage took is always added.
Figures are stored as Plotly JSON; the page draws them with the bundled plotly.js.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

from aidc.i18n import gettext


def _to_json(fig: Any) -> dict[str, Any]:
    return json.loads(fig.to_json())


def _timings(result: Any, lang: str) -> Any:
    import plotly.graph_objects as go

    from aidc.web.lang import stage_title

    timings = dict(getattr(result, "timings_s", {}) or {})
    if not timings:
        return None
    wall = gettext("wall time [s]", lang)
    fig = go.Figure(go.Bar(x=[stage_title(k, lang) for k in timings], y=list(timings.values()), name=wall))
    fig.update_layout(title=gettext("Run time by stage [s]", lang), yaxis_title=wall)
    return fig


def _demand(result: Any, lang: str) -> Any:
    import plotly.express as px

    frame = getattr(getattr(result, "demand", None), "by_year", None)
    if frame is None or "gpu_hours" not in frame:
        return None
    data = frame.groupby(["year", "tenant_class"], as_index=False)["gpu_hours"].sum()
    from aidc.report.i18n import text

    shown = text(lang)
    data["tenant_class"] = [shown.value(k, "text") for k in data["tenant_class"]]
    names = {"year": gettext("year", lang), "gpu_hours": gettext("GPU-hours", lang),
             "tenant_class": gettext("tenant class", lang)}
    return px.bar(data, x="year", y="gpu_hours", color="tenant_class", labels=names,
                  title=gettext("Demand by year and tenant class [GPU·h]", lang))


def _energy(result: Any, lang: str) -> Any:
    import plotly.graph_objects as go

    hourly = getattr(getattr(result, "energy", None), "hourly", None)
    if hourly is None or "facility_power_kw" not in hourly:
        return None
    # 730 h is a mean month (8,760 h / 12); hourly kW summed over an hour is kWh.
    month = (hourly.reset_index(drop=True).index // 730).clip(upper=11) + 1
    mwh = hourly.groupby(month)[["it_power_kw", "facility_power_kw"]].sum() / 1000
    names = {"it_power_kw": gettext("IT", lang), "facility_power_kw": gettext("facility", lang)}
    fig = go.Figure([go.Bar(x=list(mwh.index), y=mwh[c], name=names[c]) for c in mwh])
    fig.update_layout(title=gettext("Energy by month [MWh]", lang), xaxis_title=gettext("month", lang),
                      yaxis_title=gettext("energy [MWh]", lang))
    return fig


def _occupancy(result: Any, lang: str) -> Any:
    import plotly.graph_objects as go

    hourly = getattr(getattr(result, "simulation", None), "hourly", None)
    if hourly is None or "busy_gpus" not in hourly:
        return None
    daily = hourly["busy_gpus"].reset_index(drop=True).groupby(lambda i: i // 24).mean()
    fig = go.Figure(go.Scatter(x=list(daily.index), y=daily, mode="lines", name=gettext("busy GPUs", lang)))
    fig.update_layout(title=gettext("Busy GPUs, daily mean", lang), xaxis_title=gettext("day", lang),
                      yaxis_title="GPU")
    return fig


FALLBACK: dict[str, Callable[[Any, str], Any]] = {
    "demand": _demand,
    "energy": _energy,
    "occupancy": _occupancy,
    "timings": _timings,
}


def _report_figures(result: Any, lang: str) -> dict[str, dict[str, Any]] | None:
    """Return the report stage's figures of each stage (``aidc.report.figures.FIGURES``), if it is there."""
    try:
        figures = importlib.import_module("aidc.report.figures")
        i18n = importlib.import_module("aidc.report.i18n")
    except ImportError:
        return None
    text = i18n.text(lang)
    out: dict[str, dict[str, Any]] = {}
    for stage, build in figures.FIGURES.items():
        obj = getattr(result, stage, None)
        if obj is None:
            continue
        for i, fig in enumerate(build(obj, text)):
            out[f"{stage}-{i + 1}"] = _to_json(fig)  # the report names its data keys itself
    return out


def result_figures(result: Any, lang: str = "en") -> dict[str, dict[str, Any]]:
    """Return the run's figures as Plotly JSON dicts, name -> figure (the report's, else our own)."""
    out = _report_figures(result, lang)
    if out is None:
        made = {name: make(result, lang) for name, make in FALLBACK.items()}
        out = {name: _to_json(fig) for name, fig in made.items() if fig is not None}
    elif (fig := _timings(result, lang)) is not None:
        out["timings"] = _to_json(fig)
    return out
