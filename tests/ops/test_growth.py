"""The growth model: recovers the parameters that generated a series, within its intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aidc.ops.growth import fit, forecast, months_after, predict

MONTHS = [str(pd.Period("2028-01", freq="M") + i) for i in range(36)]


def synthetic(
    growth_frac_per_y: float, gpu_h_0: float, sigma_log: float, seed: int, n: int = 36
) -> np.ndarray:
    """Monthly GPU-hours growing by ``growth_frac_per_y`` with log-normal scatter ``sigma_log``."""
    b = np.log1p(growth_frac_per_y) / 12
    rng = np.random.default_rng(seed)
    return gpu_h_0 * np.exp(b * np.arange(n) + rng.normal(0.0, sigma_log, n))


def test_recovers_generating_growth_within_its_interval() -> None:
    g = fit("university", MONTHS, synthetic(0.30, 20_000.0, 0.15, seed=1))
    assert g.growth_frac_per_y_lo < 0.30 < g.growth_frac_per_y_hi
    assert g.n_months == 36
    assert g.sigma_log == pytest.approx(0.15, rel=0.35)


def test_interval_coverage_matches_its_level() -> None:
    """Over 300 synthetic series the 90 % interval of the growth holds the truth 90 % of the time.

    The binomial standard deviation of the share is sqrt(0.9 * 0.1 / 300) = 0.017; allow 3 of them.
    """
    fits = [fit("x", MONTHS, synthetic(0.5, 1000.0, 0.3, seed=s)) for s in range(300)]
    inside = [g.growth_frac_per_y_lo < 0.5 < g.growth_frac_per_y_hi for g in fits]
    assert abs(np.mean(inside) - 0.9) < 3 * np.sqrt(0.9 * 0.1 / 300)


def test_slope_agrees_with_numpy_polyfit() -> None:
    """Under two years (no season fitted), numpy.polyfit on the logarithm gives the same growth."""
    y = synthetic(0.2, 500.0, 0.2, seed=7, n=18)
    slope = np.polyfit(np.arange(18), np.log(y), 1)[0]
    g = fit("x", MONTHS[:18], y)
    assert not g.seasonal
    assert g.growth_frac_per_y == pytest.approx(np.expm1(12 * slope), rel=1e-9)


def test_season_is_separated_from_growth() -> None:
    """A repeating January peak (x3) on 10 %/y growth: the seasonal fit recovers 10 %/y exactly."""
    t = np.arange(36)
    y = 1000.0 * 1.1 ** (t / 12) * np.where(t % 12 == 0, 3.0, 1.0)
    g = fit("x", MONTHS, y)
    assert g.seasonal
    assert g.growth_frac_per_y == pytest.approx(0.1, rel=1e-9)


def test_prediction_interval_holds_future_months() -> None:
    """Months 37-48 of the generating process fall inside the 90 % prediction interval ~90 % of the time."""
    hits = []
    for seed in range(100):
        y = synthetic(0.4, 1000.0, 0.25, seed=seed, n=48)
        pred = predict(fit("x", MONTHS, y[:36]), months_after(MONTHS[-1], 12))
        hits += list((y[36:] >= pred["gpu_h_lo"]) & (y[36:] <= pred["gpu_h_hi"]))
    assert abs(np.mean(hits) - 0.9) < 0.05


def test_forecast_skips_short_classes_and_checks_held_out_months() -> None:
    monthly = pd.DataFrame(
        {
            "month": MONTHS * 2,
            "tenant_class": ["university"] * 36 + ["public"] * 36,
            "gpu_h": np.r_[synthetic(0.3, 1e4, 0.1, seed=3), np.r_[np.zeros(31), np.ones(5)]],
        }
    )
    out = forecast(monthly, 12)
    assert set(out.fits) == {"university"}
    assert out.not_forecast == {"public": "5 months with demand, fewer than 6"}
    assert out.table["month"].tolist() == months_after("2030-12", 12)
    check = out.holdout.set_index("tenant_class").loc["university"]
    assert check["n_months_held_out"] == 6
    assert 0 <= check["coverage_frac"] <= 1
    assert check["mape_frac"] < 0.5
