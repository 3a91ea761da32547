"""Figures of the power-aware year: won saved against p95 wait added (the Pareto chart)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go


def pareto_figure(points: Sequence[dict[str, Any]], lang: str = "ko") -> go.Figure:
    """Return the chart of won saved against p95 wait added, one marker per control setting.

    ``points`` come from :func:`aidc.power.operations.pareto`; the front is drawn as a line.
    """
    from aidc.i18n import label

    def t(key: str, lang: str) -> str:
        return label(key, lang)

    fig = go.Figure()
    for shift in sorted({p["shift"] for p in points}):
        pts = [p for p in points if p["shift"] == shift]
        fig.add_trace(
            go.Scatter(
                x=[p["p95_wait_added_h"] for p in pts],
                y=[p["saved_krw"] for p in pts],
                mode="markers",
                name=t(f"power.shift.{shift}", lang),
                text=[
                    t("power.cap_none", lang) if p["cap_kw"] is None else f"{p['cap_kw']:,.0f} kW"
                    for p in pts
                ],
            )
        )
    front = sorted((p for p in points if p["pareto"]), key=lambda p: p["p95_wait_added_h"])
    fig.add_trace(
        go.Scatter(
            x=[p["p95_wait_added_h"] for p in front],
            y=[p["saved_krw"] for p in front],
            mode="lines",
            name=t("power.pareto_front", lang),
        )
    )
    fig.update_layout(
        title=t("power.pareto_title", lang),
        xaxis_title=t("power.p95_wait_added_h", lang),
        yaxis_title=t("power.saved_krw", lang),
    )
    return fig
