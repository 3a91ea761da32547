"""The Pareto chart: one marker series per shift mode, the front through the non-dominated points."""

from __future__ import annotations

from aidc.power.figures import pareto_figure


def test_pareto_chart_draws_the_front_in_order_of_wait() -> None:
    points = [
        {"shift": "none", "cap_kw": 4400.0, "saved_krw": 5.0e6, "p95_wait_added_h": 2.0, "pareto": True},
        {"shift": "none", "cap_kw": 4200.0, "saved_krw": 1.0e6, "p95_wait_added_h": 3.0, "pareto": False},
        {"shift": "tou", "cap_kw": None, "saved_krw": 2.0e6, "p95_wait_added_h": 0.5, "pareto": True},
    ]
    fig = pareto_figure(points, lang="en")
    names = [t.name for t in fig.data]
    assert names == ["no shifting", "time-of-use shifting", "Pareto front"]
    assert list(fig.data[-1].x) == [0.5, 2.0]
    assert list(fig.data[-1].y) == [2.0e6, 5.0e6]
    assert pareto_figure(points, lang="ko").layout.xaxis.title.text == "p95 대기 증가 [h]"
