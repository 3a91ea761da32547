"""Measured GPU power of LLM clusters: each job's power factor drawn from the AcmeTrace CDFs."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from aidc import data
from aidc.errors import InputError

Array = npt.NDArray[np.float64]


@cache
def gpu_power_cdf(cluster: str) -> tuple[Array, Array]:
    """Return the per-GPU power CDF of an AcmeTrace cluster (``seren``, ``kalos``): W and probability."""
    file = data.path("power") / f"cdf_gpu_power_{cluster}.csv"
    if not file.is_file():
        raise InputError.single(
            "no GPU power CDF for this cluster",
            field="power.gpu_power_cdf",
            found=cluster,
            expected="seren or kalos",
        )
    df = pd.read_csv(file)
    return df["gpu_power_w"].to_numpy(float), df["percentile"].to_numpy(float) / 100.0


def busy_power_quantile_w(prob: npt.ArrayLike, power_w: Array, cdf: Array, threshold_w: float) -> Array:
    """Inverse CDF of the busy GPUs' power (the part of the distribution above ``threshold_w``).

    Parameters
    ----------
    prob : array
        Probabilities in [0, 1]. [-]
    power_w, cdf : array
        The measured CDF (power ascending). [W], [-]
    threshold_w : float
        Power above which a GPU counts as busy. [W]

    Examples
    --------
    A CDF uniform on 0..400 W, busy above 200 W: the busy median is 300 W.

    >>> float(busy_power_quantile_w(0.5, np.array([0.0, 400.0]), np.array([0.0, 1.0]), 200.0))
    300.0
    """
    p_lo = float(np.interp(threshold_w, power_w, cdf))
    return np.asarray(np.interp(p_lo + np.asarray(prob, float) * (cdf[-1] - p_lo), cdf, power_w), float)


def job_power_factors(
    n_jobs: int, rng: np.random.Generator, cluster: str | None = None, threshold_w: float | None = None
) -> tuple[Array, float]:
    """Draw each job's power factor: its busy GPU draw over the mean busy draw (mean 1 by construction).

    Returns the factors [-] and the largest factor the distribution allows [-] (the scale of
    the linear power model, see :mod:`aidc.power.coupling`).
    """
    power_w, cdf = gpu_power_cdf(cluster or data.value("power.gpu_power_cdf"))
    thr = float(threshold_w if threshold_w is not None else data.value("power.busy_gpu_threshold_w"))
    grid = busy_power_quantile_w(np.linspace(0.0, 1.0, 2001), power_w, cdf, thr)
    mean_w = float(np.trapezoid(grid, dx=1.0 / 2000))
    draws = busy_power_quantile_w(rng.random(n_jobs), power_w, cdf, thr)
    return draws / mean_w, float(grid[-1] / mean_w)
