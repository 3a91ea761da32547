"""IT power (linear server model) and power-chain losses (UPS, transformers, distribution)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.energy.electrical import (
    distribution_loss_kw,
    transformer_loss_kw,
    ups_efficiency_frac,
    ups_installed_kw,
    ups_loss_kw,
)
from aidc.energy.it_power import fleet_power_kw, server_power_w
from aidc.scenario.energy import Electrical

EL = Electrical()
UPS = (EL.ups_noload_loss_frac, EL.ups_proportional_loss_frac, EL.ups_square_loss_frac)


# --- IT power -------------------------------------------------------------------------


def test_server_power_by_hand() -> None:
    """The article's 800 W server: idle 50 % = 400 W, busy 75 % = 600 W; at 30 % busy 400 + 200 * 0.3."""
    assert server_power_w(0.0, 800.0, 0.5, 0.75) == 400.0
    assert server_power_w(1.0, 800.0, 0.5, 0.75) == 600.0
    assert server_power_w(0.3, 800.0, 0.5, 0.75) == pytest.approx(400.0 + 200.0 * 0.3)


def test_dgx_training_draw_reference() -> None:
    """arXiv:2506.14551: intensive training averages 0.76 of the DGX H100's 10.2 kW = 7.75 kW;
    Latif et al. (IEEE Access 2025) measured at most 8.4 kW on an 8x H100 node (facts pm.hgx_h100.*)."""
    busy_w = server_power_w(1.0, 10200.0, 0.2, 0.76)
    assert busy_w == pytest.approx(7752.0)
    assert busy_w <= 8400.0


def test_fleet_power_by_hand() -> None:
    p = fleet_power_kw([10, 2], [[0.0, 1.0], [0.5, 0.5]], [800.0, 10200.0], [0.5, 0.2], [0.75, 0.76])
    np.testing.assert_allclose(p[0], [10 * 400 / 1000, 10 * 600 / 1000])
    dgx_w = 2040 + (7752 - 2040) * 0.5
    np.testing.assert_allclose(p[1], [2 * dgx_w / 1000] * 2)


def test_server_power_types_agree() -> None:
    u = [0.0, 0.25, 1.0]
    scalar = [server_power_w(x, 800.0, 0.5, 0.75) for x in u]
    np.testing.assert_allclose(np.asarray(server_power_w(np.array(u), 800.0, 0.5, 0.75)), np.asarray(scalar))
    np.testing.assert_allclose(np.asarray(server_power_w(pd.Series(u), 800.0, 0.5, 0.75)), np.asarray(scalar))
    assert isinstance(server_power_w(0.5, 800.0, 0.5, 0.75), float)
    # busy shares outside 0..1 are clipped, never extrapolated
    assert server_power_w(1.5, 800.0, 0.5, 0.75) == 600.0
    assert server_power_w(-1.0, 800.0, 0.5, 0.75) == 400.0


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_server_power_monotone_in_load(u1: float, du: float, idle: float) -> None:
    u2 = min(1.0, u1 + du)
    assert server_power_w(u2, 1000.0, idle * 0.9, 0.9) >= server_power_w(u1, 1000.0, idle * 0.9, 0.9) - 1e-9


# --- UPS --------------------------------------------------------------------------------


def test_ups_efficiency_reference() -> None:
    """ENERGY STAR UPS: required average efficiency 96.7 % (mean of 25/50/75/100 % load,
    FEMP purchasing guide, facts elec.ups.energy_star_avg_req); full load within the 95-97 %
    planning range of large double-conversion UPS (elec.ups.double_conversion_large) - at its top."""
    eff = np.asarray(ups_efficiency_frac(np.array([0.25, 0.5, 0.75, 1.0]), *UPS))
    assert eff.mean() == pytest.approx(0.967, abs=0.0005)
    assert 0.95 <= eff[-1] <= 0.972
    assert np.all(np.diff(eff) > 0)  # a lightly loaded UPS is less efficient


def test_ups_loss_by_hand() -> None:
    # 500 kW on 1000 kW installed: x = 0.5; loss = 1000 * (0.006 + 0.018 * 0.5 + 0.006 * 0.25)
    assert ups_loss_kw(500.0, 1000.0, *UPS) == pytest.approx(1000 * (0.006 + 0.018 * 0.5 + 0.006 * 0.25))


def test_ups_installed_by_redundancy() -> None:
    # 2,600 kW of IT on 1,000 kW modules: N = 3 modules, N+1 = 4, 2N = 6
    assert [ups_installed_kw(2600.0, r, 1000.0) for r in ("N", "N+1", "2N")] == [3000.0, 4000.0, 6000.0]
    with pytest.raises(ValueError, match="redundancy"):
        ups_installed_kw(2600.0, "3N", 1000.0)


@given(st.floats(1.0, 20000.0), st.floats(0.0, 1.0), st.floats(100.0, 2000.0))
def test_redundancy_never_lowers_losses(design_kw: float, load_frac: float, module_kw: float) -> None:
    """N <= N+1 <= 2N installed capacity, and losses never fall as capacity grows (at any load)."""
    load_kw = design_kw * load_frac
    losses = [
        ups_loss_kw(load_kw, ups_installed_kw(design_kw, r, module_kw), *UPS) for r in ("N", "N+1", "2N")
    ]
    assert losses[0] <= losses[1] + 1e-9 <= losses[2] + 2e-9


@given(st.floats(0.0, 5000.0), st.floats(0.0, 5000.0))
def test_ups_loss_monotone_in_load(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert ups_loss_kw(hi, 5000.0, *UPS) >= ups_loss_kw(lo, 5000.0, *UPS)


# --- transformers and distribution -----------------------------------------------------------


def test_transformer_reference() -> None:
    """US DOE 10 CFR 431: a 1,000 kVA dry-type transformer is at least 99.28 % efficient at 35 %
    load (facts elec.transformer.lv_dry.1000kva)."""
    out_kw = 350.0
    loss = transformer_loss_kw(out_kw, 1000.0, EL.transformer_noload_loss_frac, EL.transformer_load_loss_frac)
    assert out_kw / (out_kw + loss) == pytest.approx(0.9928, abs=5e-5)


def test_transformer_and_distribution_by_hand() -> None:
    assert transformer_loss_kw(0.0, 2000.0, 0.001, 0.01) == pytest.approx(2.0)
    assert transformer_loss_kw(2000.0, 2000.0, 0.001, 0.01) == pytest.approx(2.0 + 20.0)
    np.testing.assert_allclose(distribution_loss_kw(np.array([100.0, 200.0]), 0.01), [1.0, 2.0])


def test_loss_functions_accept_scalars_arrays_and_series() -> None:
    loads = [0.0, 250.0, 1000.0]
    scalar = [ups_loss_kw(x, 1000.0, *UPS) for x in loads]
    np.testing.assert_allclose(np.asarray(ups_loss_kw(np.array(loads), 1000.0, *UPS)), np.asarray(scalar))
    np.testing.assert_allclose(np.asarray(ups_loss_kw(pd.Series(loads), 1000.0, *UPS)), np.asarray(scalar))
    tr = [transformer_loss_kw(x, 1000.0, 0.001, 0.01) for x in loads]
    series_kw = np.asarray(transformer_loss_kw(pd.Series(loads), 1000.0, 0.001, 0.01))
    np.testing.assert_allclose(series_kw, np.asarray(tr))
    assert isinstance(ups_loss_kw(10.0, 1000.0, *UPS), float)
