from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.design import size
from aidc.design.fleet import mix_budget_kw, servers_within_power
from aidc.scenario import load_scenario


def test_article_arithmetic_reference() -> None:
    """GNN report on the Jeonbuk AIDC: 8 MW / 800 W = 10,000 servers (facts check.8mw.servers_800w)."""
    d = size(load_scenario("jeonbuk-phase1"))
    assert d.fleet.servers == {"reference_800w": 10_000}
    assert d.article.n_reference_servers == 10_000
    assert d.fleet.server_power_kw == 10_000 * 800 / 1000


def test_same_8mw_in_gpu_servers() -> None:
    """facts check.8mw.dgx_h100: 784 DGX H100 = 6,272 GPUs; check.8mw.dgx_b200: 559 = 4,472 GPUs."""
    eq = {e.server_type: e for e in size(load_scenario("jeonbuk-phase1")).article.equivalents}
    assert (eq["dgx_h100"].n_servers, eq["dgx_h100"].n_gpus) == (784, 6_272)
    assert eq["dgx_h100"].power_max_w == 10_200
    assert (eq["dgx_b200"].n_servers, eq["dgx_b200"].n_gpus) == (559, 4_472)


def test_mix_by_hand() -> None:
    """jeonbuk-ai: 0.85 x 8,000 kW / 10.2 kW = 666.67 -> 666 DGX; 0.08 x 8,000 / 1.5 = 426.7 -> 426;
    0.07 x 8,000 / 1.2 = 466.7 -> 466."""
    d = size(load_scenario("jeonbuk-ai"))
    assert d.fleet.servers == {"dgx_h100": 666, "cpu_cloud": 426, "storage_node": 466}
    assert d.fleet.n_gpus == 666 * 8
    assert d.fleet.n_gpus_by_model == {"h100_sxm": 666 * 8}
    assert d.fleet.gpus_per_node == {"dgx_h100": 8}
    assert d.fleet.storage_power_kw == pytest.approx(466 * 1.2)
    assert d.fleet.n_vcpus == 426 * 256


def test_network_counts_on_top_of_capacity_by_default() -> None:
    d = size(load_scenario("jeonbuk-phase1"))
    assert d.fleet.it_power_kw == pytest.approx(d.fleet.server_power_kw + d.fleet.network_power_kw)
    assert d.fleet.it_power_kw > 8_000
    assert d.power.it_design_kw == d.fleet.it_power_kw


def test_network_inside_capacity_gives_fewer_servers(make) -> None:
    inside = size(make(facility={"network_in_it_capacity": True}))
    n = inside.fleet.servers["reference_800w"]
    assert n < 10_000
    assert inside.fleet.it_power_kw <= 8_000
    # and not needlessly few: one more server would break the capacity
    assert inside.fleet.it_power_kw > 8_000 * 0.995


def test_scalar_array_series_agree() -> None:
    budget = [8000.0, 6800.0, 100.0]
    scalar = [servers_within_power(b, 10_200) for b in budget]
    arr = servers_within_power(np.array(budget), 10_200)
    ser = servers_within_power(pd.Series(budget), 10_200)
    assert list(arr) == scalar == list(ser) == [784, 666, 9]


def test_exact_ratios_do_not_lose_a_server_to_rounding() -> None:
    assert servers_within_power(mix_budget_kw(8000, 0.85), 800) == 8500
    assert servers_within_power(40.8, 10_200) == 4


@given(st.floats(1, 1e5), st.floats(1, 1e5), st.floats(100, 20_000))
def test_more_power_never_fewer_servers(a_kw: float, b_kw: float, w: float) -> None:
    lo, hi = sorted((a_kw, b_kw))
    assert servers_within_power(lo, w) <= servers_within_power(hi, w)
    assert servers_within_power(hi, w) * w <= hi * 1000 * (1 + 1e-9)
