"""Plotly pictures of an energy year: PUE heatmap, monthly stacked bill, load-duration curve.

Plotly is imported inside each function so that the stage itself stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aidc import units

if TYPE_CHECKING:  # pragma: no cover
    from aidc.energy.stage import EnergyResult

N_DAYS = int(units.H_PER_YEAR / units.H_PER_DAY)


def pue_heatmap(result: EnergyResult) -> Any:
    """Return an hour-of-day x day-of-year heatmap of hourly PUE (a ``plotly`` Figure)."""
    import plotly.graph_objects as go

    pue = result.hourly["pue"].to_numpy().reshape(N_DAYS, 24).T
    fig = go.Figure(
        go.Heatmap(
            z=pue,
            x=np.arange(1, N_DAYS + 1),
            y=np.arange(24),
            colorscale="Viridis",
            colorbar={"title": "PUE"},
        )
    )
    fig.update_layout(
        title=f"Hourly PUE, {result.annual['year']} (annual {result.annual['pue']:.3f})",
        xaxis_title="day of year",
        yaxis_title="hour of day",
    )
    return fig


def bill_parts(bill: pd.DataFrame) -> list[str]:
    """Return the money columns of a monthly bill that add up to its total, in bill order."""
    total = next(c for c in bill.columns if c.startswith("total_"))
    money = total.removeprefix("total")
    return [c for c in bill.columns if c.endswith(money) and c != total]


def bill_stack(result: EnergyResult) -> Any:
    """Return the monthly bill as stacked bars of its parts (a ``plotly`` Figure)."""
    import plotly.graph_objects as go

    bill = result.monthly_bill
    fig = go.Figure([go.Bar(name=c.rsplit("_", 1)[0], x=bill["month"], y=bill[c]) for c in bill_parts(bill)])
    cur = bill_parts(bill)[0].rsplit("_", 1)[1].upper()
    fig.update_layout(
        barmode="stack",
        title=f"Monthly electricity bill ({result.annual['tariff']})",
        xaxis_title="month",
        yaxis_title=cur,
    )
    return fig


def load_duration(result: EnergyResult) -> Any:
    """Return the load-duration curves of facility and IT power (a ``plotly`` Figure)."""
    import plotly.graph_objects as go

    hours = np.arange(1, len(result.hourly) + 1)
    fig = go.Figure(
        [
            go.Scatter(x=hours, y=np.sort(result.hourly[c].to_numpy())[::-1], name=name, mode="lines")
            for c, name in (("facility_power_kw", "facility"), ("it_power_kw", "IT"))
        ]
    )
    fig.update_layout(title="Load-duration curve", xaxis_title="hours at or above", yaxis_title="power [kW]")
    return fig


FIGURES = {"pue_heatmap": pue_heatmap, "bill_stack": bill_stack, "load_duration": load_duration}
