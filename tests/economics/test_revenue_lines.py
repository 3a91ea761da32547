"""Revenue by what the fleet sells: lines by hand from data/costs/prices.yaml, lines add up to the revenue."""

from __future__ import annotations

import numpy as np
import pytest

import aidc
from aidc.economics import evaluate, prices
from aidc.errors import InputError

FX = 1400.0
# data/costs/prices.yaml: RunPod list prices (deploybase.ai), S3 Standard, aidc estimates for CPU
H100_USD, B200_USD, VCPU_USD, SERVER_MONTH_USD, TB_MONTH_USD = 2.69, 5.98, 0.048559, 2500.0, 23.0
# (vCPU-hour: GCP N2 list prices 0.031611 + 4 GiB x 0.004237, data/costs/prices.yaml)
MONTH_SHARE, REF_VCPUS = 0.3, 256


def test_lines_by_hand() -> None:
    """10 DGX H100 (80 H100-eq) and 10 DGX B200 (8 x 2.5 = 200 H100-eq) share 1,000 H100-eq hours 2:5."""
    fleet = np.array([[10.0, 10.0]])
    shares = prices.gpu_line_shares(fleet, np.array([8.0, 20.0]), ("h100_sxm", "b200"))
    assert shares["h100_sxm"][0] == pytest.approx(2 / 7)
    cols = prices.revenue_lines(
        np.array([2028]), gpu_eq_h_net=np.array([800.0]), gpu_eq_h=np.array([1000.0]),
        vcpu_h_net=np.array([0.5e6]), vcpu_h=np.array([1e6]), shares=shares,
        h100_eq_per_gpu={"h100_sxm": 1.0, "b200": 2.5}, vcpus_per_cpu_server=np.array([256.0]),
        storage_tb_months=np.array([100.0]), krw_per_usd=FX)
    got = {line: (q, krw) for line, q, krw in zip(cols["line"], cols["quantity"], cols["revenue_krw"],
                                                   strict=True)}
    assert got["gpu_h:h100_sxm"] == pytest.approx((1000 * 2 / 7, 800 * 2 / 7 * H100_USD * FX))
    assert got["gpu_h:b200"] == pytest.approx((1000 * 5 / 7 / 2.5, 800 * 5 / 7 / 2.5 * B200_USD * FX))
    assert got["vcpu_h"] == pytest.approx((0.7e6, 0.35e6 * VCPU_USD * FX))
    months = 0.3e6 / (256 * 730)  # 30 % of the vCPU-hours as whole 256-vCPU servers of 730 h
    assert got["server_month"] == pytest.approx((months, months / 2 * SERVER_MONTH_USD * FX))
    assert got["storage_tb_month"] == pytest.approx((100.0, 100 * TB_MONTH_USD * FX))


def test_blended_vcpu_price_by_hand() -> None:
    per_vcpu_h_in_a_server_month = SERVER_MONTH_USD / REF_VCPUS / (8760 / 12)
    assert prices.vcpu_h_price_usd() == pytest.approx(
        (1 - MONTH_SHARE) * VCPU_USD + MONTH_SHARE * per_vcpu_h_in_a_server_month)
    assert prices.server_month_price_usd(64) == pytest.approx(SERVER_MONTH_USD / 4)


def test_a_gpu_model_without_a_price_names_the_file() -> None:
    with pytest.raises(InputError, match=r"prices.yaml.*gpu_hour.*no list price.*'a100'"):
        prices.gpu_price_usd_per_h("a100")


@pytest.mark.parametrize("name", ["jeonbuk-ai", "jeonbuk-phase1"])
def test_lines_add_up_to_the_revenue(name: str) -> None:
    """Each year's lines sum to the cash-flow revenue; the 800 W fleet sells no GPU-hours."""
    r = aidc.run(aidc.load_scenario(name), ["design"])
    e = evaluate(r.scenario, r.design)
    by_year = e.revenue_lines.groupby("year")["revenue_krw"].sum()
    np.testing.assert_allclose(by_year.reindex(e.cash_flow["year"]).to_numpy(),
                               e.cash_flow["revenue_krw"].to_numpy(), rtol=1e-9)
    lines = {k: v for k, v in e.summary.items() if k.startswith("revenue_") and k != "revenue_krw"}
    assert sum(lines.values()) == pytest.approx(e.summary["revenue_krw"], rel=1e-9)
    gpu_lines = [k for k in lines if k.startswith("revenue_gpu_h_")]
    assert r.design is not None
    if r.design.fleet.n_gpus:
        assert gpu_lines == [f"revenue_gpu_h_{m}_krw" for m in r.design.fleet.n_gpus_by_model]
    else:
        assert gpu_lines == []
