"""Sweep charts: the Pareto front, the averaged heatmap, and which charts are drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.sweep.charts import build, output_columns, pareto_mask


def _table() -> pd.DataFrame:
    """2 x 2 variants x 2 seeds; npv = 10 * a + b + seed, wait = 100 / a, cost = a."""
    rows = []
    for variant, (a, b) in enumerate([(1, 1), (1, 2), (2, 1), (2, 2)]):
        for seed in (0, 1):
            rows.append({"variant": variant, "variant_id": str(variant), "seed": seed, "x.a": a, "x.b": b,
                         "status": "ok", "error": "", "elapsed_s": 0.1, "npv_krw": 10 * a + b + seed,
                         "lcoe_krw_per_gpu_h": float(a), "mean_wait_s": 100.0 / a, "label": "z"})
    return pd.DataFrame(rows)


def test_pareto_by_hand() -> None:
    # (cost, wait): (1, 3) and (2, 1) trade off; (3, 2) is beaten by (2, 1); (2, 3) by (1, 3).
    assert pareto_mask([1, 2, 3, 2], [3, 1, 2, 3]).tolist() == [True, True, False, False]
    assert pareto_mask([1, 1], [2, 2]).tolist() == [True, True]  # equal points dominate neither


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=30))
def test_pareto_front_invariants(points: list[tuple[int, int]]) -> None:
    c, w = np.array(points, dtype=float).T
    front = pareto_mask(c, w)
    assert front.any()
    for i in range(len(c)):
        dominated = ((c <= c[i]) & (w <= w[i]) & ((c < c[i]) | (w < w[i]))).any()
        assert front[i] == (not dominated)


def test_outputs_exclude_axes_text_and_bookkeeping() -> None:
    assert output_columns(_table(), ["x.a", "x.b"]) == ["npv_krw", "lcoe_krw_per_gpu_h", "mean_wait_s"]


def test_heatmap_is_the_mean_over_seeds() -> None:
    charts = dict(build(_table(), ["x.a", "x.b"]))
    heat = charts["heatmap_npv_krw"].data[0]
    # rows are x.b (1, 2), columns x.a (1, 2); mean over seeds 0 and 1 adds 0.5
    assert np.asarray(heat.z).tolist() == [[10 + 1 + 0.5, 20 + 1 + 0.5], [10 + 2 + 0.5, 20 + 2 + 0.5]]
    assert set(charts) == {"heatmap_npv_krw", "heatmap_lcoe_krw_per_gpu_h", "heatmap_mean_wait_s", "pareto"}


def test_pareto_chart_marks_the_front() -> None:
    t = _table()
    t.loc[t["variant"] == 3, "lcoe_krw_per_gpu_h"] = 5.0  # variant 3 is now beaten by variant 2
    front = dict(build(t, ["x.a", "x.b"]))["pareto"].data[1]
    # variants 0 and 1 tie at (cost 1, wait 100); variant 2 is (2, 50); variant 3 (5, 50) is beaten
    assert list(front.x) == [50.0, 100.0, 100.0]
    assert list(front.y) == [2.0, 1.0, 1.0]
    assert list(dict(build(t, ["x.a", "x.b"]))["pareto"].data[0].y) == [5.0]


def test_no_chart_without_a_successful_run() -> None:
    t = _table().assign(status="failed")
    assert build(t, ["x.a", "x.b"]) == []
