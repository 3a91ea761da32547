"""Plotly figures of a plan: a Gantt-like build schedule above demand against capacity."""

from __future__ import annotations

from typing import Any

from aidc.plan.solution import Plan, product_column


def schedule_figure(plan: Plan, title: str = "Build schedule") -> Any:
    """Return a Plotly figure of the plan: a Gantt-like schedule above demand against capacity.

    One bar per purchase runs from the year it opens to its retirement; below it, per product,
    what is needed against what is installed, year by year.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    cap = plan.capacity_by_year
    end = int(cap["year"].max()) + 1
    products = list(plan.problem.products)
    schedule = plan.schedule.sort_values(["year", "kind", "item"])
    labels = [f"{r.year} {r.item} x{r.n_units:,}" for r in schedule.itertuples(index=False)]
    gantt_px = max(220, 16 * len(labels))
    heights = [gantt_px] + [200] * len(products)
    fig = make_subplots(rows=1 + len(products), cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        row_heights=[h / sum(heights) for h in heights],
                        subplot_titles=["what is bought, and while it serves"]
                        + [f"{plan.problem.units.get(p, p)}: needed and installed" for p in products])
    colours = {"block": "#1f4e79", "server": "#e07b00"}
    for label, row in zip(labels, schedule.itertuples(index=False), strict=True):
        stop = min(int(row.retire_year), end)
        fig.add_trace(go.Bar(
            x=[stop - row.year], base=[row.year], y=[label], orientation="h", width=0.8,
            marker_color=colours.get(row.kind, "#888888"), showlegend=False,
            hovertext=f"{row.n_units} x {row.item} in {row.year}: {row.it_capacity_kw:,.0f} kW IT, "
                      f"{row.capex_krw / 1e9:,.2f} bn KRW, in service until {row.retire_year - 1}",
        ), row=1, col=1)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=labels, row=1, col=1)
    for i, product in enumerate(products, start=2):
        for what, colour in (("needed", "#c00000"), ("installed", "#1f4e79")):
            fig.add_trace(go.Scatter(x=cap["year"], y=cap[product_column(product, what)], name=what,
                                     mode="lines+markers", line_shape="hv", line_color=colour,
                                     showlegend=i == 2), row=i, col=1)
    subtitle = plan.binding_limit or f"net present cost {plan.npc_krw / 1e9:,.1f} bn KRW"
    fig.update_layout(title=f"{title}<br><sup>{subtitle}</sup>", barmode="overlay",
                      height=160 + sum(heights), template="plotly_white")
    return fig
