"""Summary charts of a sweep (Plotly): an output over two axes, over one axis, a Pareto front.

Each chart averages the seeds of a variant (Monte Carlo mean) and, for a heatmap, the
other axes too. All charts go into one self-contained HTML file (plotly.js embedded once:
nothing is fetched when it is opened).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["HEADLINE", "build", "output_columns", "pareto_mask", "write_html"]

FIXED = ("variant", "variant_id", "seed", "status", "error", "elapsed_s")
#: Outputs charted first when present, in this order.
HEADLINE = ("npv_krw", "lcoe_krw_per_gpu_h", "mean_wait_s", "pue", "facility_energy_mwh", "bill_krw",
            "n_gpus", "facility_peak_kw", "n_racks", "it_capacity_kw")
COSTS = ("lcoe_krw_per_gpu_h", "price_krw_per_gpu_h", "capex_krw", "bill_krw")
WAITS = ("mean_wait_s", "p95_wait_s")
N_CHARTED_MAX = 4


def output_columns(table: pd.DataFrame, axes: list[str]) -> list[str]:
    """Return the numeric output columns of a tidy table, headline outputs first."""
    numeric = [c for c in table.columns if c not in FIXED and c not in axes
               and pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])]
    return sorted(numeric, key=lambda c: (HEADLINE.index(c) if c in HEADLINE else len(HEADLINE), c))


def pareto_mask(cost: Any, wait: Any) -> np.ndarray:
    """Tell which points are on the Pareto front when both values are to be minimised.

    A point is on the front if no other point is at least as good in both and better in one.

    Examples
    --------
    >>> pareto_mask([1, 2, 3, 2], [3, 1, 2, 3]).tolist()
    [True, True, False, False]
    """
    c, w = np.asarray(cost, dtype=float), np.asarray(wait, dtype=float)
    no_worse = (c[None, :] <= c[:, None]) & (w[None, :] <= w[:, None])
    better = (c[None, :] < c[:, None]) | (w[None, :] < w[:, None])
    return np.asarray(~(no_worse & better).any(axis=1), dtype=bool)


def _means(table: pd.DataFrame, by: list[str], output: str) -> pd.DataFrame:
    ok = table[table["status"] == "ok"]
    return ok.groupby(by, sort=False, dropna=False)[output].agg(["mean", "std", "count"]).reset_index()


def _heatmap(table: pd.DataFrame, output: str, x: str, y: str) -> Any:
    import plotly.graph_objects as go

    m = _means(table, [y, x], output).pivot(index=y, columns=x, values="mean")
    fig = go.Figure(go.Heatmap(z=m.to_numpy(), x=[str(v) for v in m.columns], y=[str(v) for v in m.index],
                               texttemplate="%{z:.4~s}",
                               colorbar={"title": output}))
    fig.update_layout(title=f"{output}: mean over seeds and other axes", xaxis_title=x, yaxis_title=y)
    return fig


def _line(table: pd.DataFrame, output: str, x: str) -> Any:
    import plotly.graph_objects as go

    m = _means(table, [x], output)
    fig = go.Figure(go.Scatter(x=[str(v) for v in m[x]], y=m["mean"], mode="lines+markers",
                               error_y={"type": "data", "array": m["std"].fillna(0)}))
    fig.update_layout(title=f"{output}: mean ± std over seeds and other axes", xaxis_title=x,
                      yaxis_title=output)
    return fig


def _pareto(table: pd.DataFrame, cost: str, wait: str, axes: list[str]) -> Any:
    import plotly.graph_objects as go

    ok = table[table["status"] == "ok"]
    m = ok.groupby("variant", sort=True).agg({cost: "mean", wait: "mean", **dict.fromkeys(axes, "first")})
    front = pareto_mask(m[cost], m[wait])
    label = m[axes].astype(str).agg(", ".join, axis=1) if axes else m.index.astype(str)
    fig = go.Figure([
        go.Scatter(x=m[wait][~front], y=m[cost][~front], mode="markers", name="dominated",
                   text=label[~front], marker={"color": "lightgray"}),
        go.Scatter(x=m[wait][front].sort_values(), y=m[cost][front].loc[m[wait][front].sort_values().index],
                   mode="lines+markers", name="Pareto front", text=label[front]),
    ])
    fig.update_layout(title=f"Pareto front: {cost} against {wait} (variant means)",
                      xaxis_title=wait, yaxis_title=cost)
    return fig


def build(table: pd.DataFrame, axes: list[str]) -> list[tuple[str, Any]]:
    """Return the summary charts of a sweep as ``(name, plotly Figure)`` pairs.

    Up to four headline outputs, each as a heatmap over the first two axes with more than
    one value (a line over the axis when there is one); and the Pareto front of cost against
    waiting time when both are among the outputs.
    """
    if not len(table) or not (table["status"] == "ok").any():
        return []
    outputs = output_columns(table, axes)
    varying = [a for a in axes if table[a].nunique(dropna=False) > 1]
    charts: list[tuple[str, Any]] = []
    for output in outputs[:N_CHARTED_MAX]:
        if len(varying) >= 2:
            charts.append((f"heatmap_{output}", _heatmap(table, output, varying[0], varying[1])))
        elif varying:
            charts.append((f"line_{output}", _line(table, output, varying[0])))
    cost = next((c for c in COSTS if c in outputs), None)
    wait = next((w for w in WAITS if w in outputs), None)
    if cost and wait:
        charts.append(("pareto", _pareto(table, cost, wait, varying)))
    return charts


def write_html(charts: list[tuple[str, Any]], path: Path, title: str) -> Path:
    """Write the charts into one self-contained HTML file (plotly.js embedded once)."""
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, (_, fig) in enumerate(charts)]
    body = "\n".join(parts) if parts else "<p>No successful run to chart.</p>"
    name = html.escape(title)
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}</title></head>"
            f"<body><h1>{name}</h1>\n{body}\n</body></html>")
    path.write_text(page, encoding="utf-8")
    return path
