"""Survey against reality: surveyed and observed demand and waits, per tenant class and month.

For each month observed and tenant class: GPU-hours and peak GPUs the demand stage
predicted from the survey, and those the records show; the p95 wait the scheduler
recorded and the one the twin predicts when it replays the same jobs on the real fleet.
Per class, the demand parameters are recalibrated where the observed year is off the
survey by more than ``ops.recalibration_tolerance_frac`` the annual GPU-hours are scaled,
and where the fitted growth's confidence interval excludes the survey's rate the growth rate
is the one fitted to the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aidc import data
from aidc.ops import growth as fc
from aidc.ops import twin
from aidc.ops.store import P95, monthly
from aidc.units import S_PER_H


@dataclass(frozen=True, slots=True)
class Comparison:
    """``table``: one row per month and class; ``recalibration``: one row per class."""

    table: pd.DataFrame
    recalibration: pd.DataFrame


def surveyed(demand: Any, months: list[str]) -> pd.DataFrame:
    """Return the survey's GPU-hours (the month's share of its year's days) and peak GPUs per class."""
    by_year = demand.by_year.groupby(["year", "tenant_class"], as_index=False)[
        ["gpu_hours", "peak_gpus"]
    ].sum()
    rows = []
    for m in months:
        p = pd.Period(m, freq="M")
        year = min(max(p.year, min(demand.years)), max(demand.years))
        # the month's share of its calendar year, so that a leap year's months still add up to it
        share = p.days_in_month / pd.Period(f"{p.year}-12-31", freq="D").day_of_year
        for rec in by_year[by_year["year"] == year].itertuples(index=False):
            rows.append(
                {
                    "month": m,
                    "tenant_class": rec.tenant_class,
                    "surveyed_gpu_h": rec.gpu_hours * share,
                    "surveyed_peak_gpus": float(rec.peak_gpus),
                }
            )
    return pd.DataFrame(rows)


def _twin_waits(log: pd.DataFrame, t0: pd.Timestamp) -> pd.DataFrame:
    month = (t0 + pd.to_timedelta(log["submit_s"], unit="s")).dt.to_period("M").astype(str)
    frame = pd.DataFrame({"month": month, "tenant_class": log["tenant"].astype(str), "wait_s": log["wait_s"]})
    out = frame.groupby(["month", "tenant_class"])["wait_s"].agg(lambda w: np.percentile(w, P95) / S_PER_H)
    return out.rename("twin_p95_wait_h").reset_index()


def _growth_surveyed(demand: Any) -> pd.Series:
    need = demand.by_need
    weight = need["gpu_h_per_y"].clip(lower=0)
    num = (need["growth_frac_per_y"] * weight).groupby(need["tenant_class"]).sum()
    return num / weight.groupby(need["tenant_class"]).sum().replace(0, np.nan)


def recalibrate(table: pd.DataFrame, demand: Any, fits: dict[str, fc.GrowthFit]) -> pd.DataFrame:
    """Per class: surveyed and observed GPU-hours over the months observed, their ratio, new parameters."""
    tol = float(data.value("ops.recalibration_tolerance_frac"))
    sums = table.groupby("tenant_class")[["surveyed_gpu_h", "observed_gpu_h"]].sum()
    growth = _growth_surveyed(demand)
    rows = []
    for cls, rec in sums.iterrows():
        ratio = rec["observed_gpu_h"] / rec["surveyed_gpu_h"] if rec["surveyed_gpu_h"] > 0 else np.nan
        fitted = fits.get(str(cls))
        g_obs = fitted.growth_frac_per_y if fitted else np.nan
        g_srv = float(growth.get(cls, np.nan))
        volume_off = not np.isfinite(ratio) or abs(ratio - 1) > tol
        # growth is off only where the records rule the survey's rate out (outside the fitted interval):
        # a year or two of records cannot tell 12 % from 15 %, and must not overwrite the survey by noise
        growth_off = bool(fitted and np.isfinite(g_srv)
                          and not fitted.growth_frac_per_y_lo <= g_srv <= fitted.growth_frac_per_y_hi)
        rows.append(
            {
                "tenant_class": cls,
                "surveyed_gpu_h": rec["surveyed_gpu_h"],
                "observed_gpu_h": rec["observed_gpu_h"],
                "observed_to_surveyed_frac": ratio,
                "surveyed_growth_frac_per_y": g_srv,
                "observed_growth_frac_per_y": g_obs,
                "volume_off": bool(volume_off),
                "growth_off": bool(growth_off),
                "recalibrated_gpu_h_scale_frac": ratio if volume_off and np.isfinite(ratio) else 1.0,
                "recalibrated_growth_frac_per_y": g_obs if growth_off else g_srv,
            }
        )
    return pd.DataFrame(rows)


def compare(
    jobs: pd.DataFrame, scenario: Any, demand: Any, design: Any, placement: str | None = None
) -> Comparison:
    """Compare the records with the survey's demand and with the twin replaying the same jobs.

    Parameters
    ----------
    jobs : pandas.DataFrame
        Imported jobs (:attr:`aidc.ops.store.Records.jobs`).
    scenario, demand, design
        The plan: its scenario, the demand stage's and the design stage's results.
    placement : str, optional
        ``pooled`` or ``node``; default the scenario's.
    """
    observed = monthly(jobs)
    obs = observed.rename(
        columns={
            "gpu_h": "observed_gpu_h",
            "p95_wait_h": "observed_p95_wait_h",
            "mean_wait_h": "observed_mean_wait_h",
            "n_jobs": "observed_n_jobs",
            "peak_gpus": "observed_peak_gpus",
            "busy_gpu_h": "observed_busy_gpu_h",
        }
    )
    months = sorted(obs["month"].unique())
    log, t0 = twin.replay(jobs, scenario, design, placement)
    table = (
        surveyed(demand, months)
        .merge(obs, on=["month", "tenant_class"], how="outer")
        .merge(_twin_waits(log, t0), on=["month", "tenant_class"], how="left")
    )
    table = table[table["month"].isin(months)]
    for col in ("surveyed_gpu_h", "observed_gpu_h", "observed_busy_gpu_h", "observed_n_jobs",
                "observed_peak_gpus"):
        table[col] = table[col].fillna(0.0)
    table = table.sort_values(["month", "tenant_class"], ignore_index=True)
    fits = fc.forecast(observed, 1).fits
    return Comparison(table=table, recalibration=recalibrate(table, demand, fits))
