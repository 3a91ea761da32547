"""Figures resting on catalog estimates are named in the Summary (data/costs: type: estimate)."""

from __future__ import annotations

import aidc
from aidc.economics import evaluate
from aidc.pipeline import Result
from aidc.summary import Summary, summarize

BASE = aidc.load_scenario("jeonbuk-aidc")


def _summary(servers: dict[str, int], **econ: object) -> Summary:
    s = BASE.model_copy(update={"fleet": BASE.fleet.model_copy(update={"servers": servers, "mix": None}),
                                "economics": BASE.economics.model_copy(update=econ)})
    return summarize(Result(scenario=s, scenario_hash="", aidc_version="", seed=0, economics=evaluate(s)))


def test_an_estimated_speed_factor_marks_the_gpu_hour_figures() -> None:
    """servers.yaml: the H200's 1.4 H100-eq is an estimate; the H100 is the unit (a definition)."""
    h200 = _summary({"dgx_h200": 10, "cpu_cloud": 2})
    assert h200.estimates_by_figure is not None
    key = "servers.yaml:dgx_h200.h100_eq_per_gpu"
    assert key in h200.estimates_by_figure["gpu_utilization_sold_frac"]
    assert key in h200.estimates_by_figure["cost_krw_per_gpu_h"]
    assert key in h200.estimates_used
    h100 = _summary({"dgx_h100": 10, "cpu_cloud": 2})
    assert h100.estimates_by_figure is not None
    assert "gpu_utilization_sold_frac" not in h100.estimates_by_figure
    assert not any(k.endswith("h100_eq_per_gpu") for k in h100.estimates_used)


def test_a_price_set_in_the_scenario_is_not_an_estimate() -> None:
    # The DGX H200's price is still an estimate (the DGX H100's is the median of published prices
    # since the fifth pass of issue 19, so it no longer serves as the example).
    listed = _summary({"dgx_h200": 10, "cpu_cloud": 2})
    assert listed.estimates_by_figure is not None
    assert "servers.yaml:dgx_h200.price_usd" in listed.estimates_by_figure["capex_krw"]
    quoted = _summary({"dgx_h200": 10, "cpu_cloud": 2}, server_price_usd={"dgx_h200": 340_000.0})
    assert quoted.estimates_by_figure is not None
    assert "servers.yaml:dgx_h200.price_usd" not in quoted.estimates_used
    assert "servers.yaml:dgx_h100.price_usd" not in listed.estimates_used
    # the CPU servers' monthly price is an estimate (prices.yaml); the vCPU-hour (GCP N2 list
    # prices) and the H100 GPU-hour are published prices
    assert "prices.yaml:server_month" in quoted.estimates_by_figure["revenue_krw"]
    assert "prices.yaml:vcpu_hour" not in quoted.estimates_used
    assert not any(k.startswith("prices.yaml:h100") for k in quoted.estimates_used)


def test_no_economics_no_estimates() -> None:
    bare = summarize(Result(scenario=BASE, scenario_hash="", aidc_version="", seed=0))
    assert bare.estimates_by_figure is None
    assert bare.estimates_used == ()
