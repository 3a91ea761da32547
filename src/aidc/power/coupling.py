"""15-minute coupling: the job log's occupancy turned into IT and facility power per metering interval.

The discrete simulation only says which jobs ran when; here the continuous model says what
they drew. A GPU server's power is linear between idle and busy (``aidc.energy.it_power``):
``n_servers * P_idle`` plus, for each running job, ``n_gpus * r_job * dP_gpu`` where
``dP_gpu = (typical - idle) * P_max / gpus_per_server`` is the mean busy increment per GPU and
``r_job`` the job's factor drawn from measured GPU power (:mod:`aidc.power.profiles`). CPU and
storage servers, network, losses, cooling and the rest come from the hourly energy model,
evaluated at every interval under that hour's weather.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from aidc.energy.hourly import busy_fractions, facility_hourly
from aidc.energy.site import Facility
from aidc.scenario.energy import EnergySection
from aidc.units import S_PER_H, W_PER_KW

Array = npt.NDArray[np.float64]


def interval_mean(
    start_s: npt.ArrayLike, end_s: npt.ArrayLike, weight: npt.ArrayLike, n_intervals: int, interval_s: float
) -> Array:
    """Time-averaged sum of ``weight`` held over ``[start, end)`` in each interval ``[k dt, (k + 1) dt)``.

    Uses the running integral ``G(t) = sum w * clip(t - start, 0, end - start)``, evaluated at the
    interval edges from sorted starts and ends (no loop over jobs or intervals).

    Examples
    --------
    8 GPUs from 450 s to 2,025 s on 900 s intervals: half, all, a quarter.

    >>> interval_mean([450.0], [2025.0], [8.0], 3, 900.0).tolist()
    [4.0, 8.0, 2.0]
    """
    a, b = np.asarray(start_s, float), np.asarray(end_s, float)
    w = np.asarray(weight, float)
    edges = np.arange(n_intervals + 1) * float(interval_s)

    def integral(t0: Array) -> Array:
        order = np.argsort(t0, kind="stable")
        t_sorted = t0[order]
        cum_w = np.concatenate([[0.0], np.cumsum(w[order])])
        cum_wt = np.concatenate([[0.0], np.cumsum(w[order] * t_sorted)])
        i = np.searchsorted(t_sorted, edges, side="left")
        return edges * cum_w[i] - cum_wt[i]

    g = integral(a) - integral(b)
    return np.diff(g) / float(interval_s)


@dataclass(frozen=True, slots=True)
class PowerModel:
    """What the coupling knows about the fleet, per GPU class of the job log.

    Attributes
    ----------
    facility : Facility
        The energy stage's facility figures (fleet rows, network, UPS, transformers).
    section : EnergySection
        Loss and cooling-plant parameters.
    weather : DataFrame
        Hourly weather of the year (8,760 rows, with ``wet_bulb_c``).
    interval_s : float
        Metering interval. [s]
    classes : tuple of str
        GPU classes (``gpu_class`` of the job log).
    class_of_row : tuple of str or None
        GPU class of each fleet row (None for servers without GPUs).
    capacity_gpus : array (n_classes,)
        GPUs of each class. [GPU]
    kw_per_gpu : array (n_classes,)
        Mean busy increment of one GPU over idle, at factor 1. [kW]
    factor_max : array (n_classes,)
        Largest job factor: the measured maximum, or the server's nameplate if lower. [-]
    """

    facility: Facility
    section: EnergySection
    weather: pd.DataFrame
    interval_s: float
    classes: tuple[str, ...]
    class_of_row: tuple[str | None, ...]
    capacity_gpus: Array
    kw_per_gpu: Array
    factor_max: Array

    @property
    def per_hour(self) -> int:
        """Intervals per hour."""
        return int(round(S_PER_H / self.interval_s))

    def gpu_kw_max(self) -> Array:
        """Busy increment of each class with every GPU busy at the largest factor [kW]."""
        return self.capacity_gpus * self.kw_per_gpu * self.factor_max


def power_model(
    facility: Facility,
    section: EnergySection,
    weather: pd.DataFrame,
    gpu_class_of_type: dict[str, str],
    interval_s: float,
    factor_max_measured: float,
) -> PowerModel:
    """Build the :class:`PowerModel` of a facility (``gpu_class_of_type``: GPU class by fleet type)."""
    fleet = facility.fleet
    class_of_row = tuple(
        gpu_class_of_type.get(str(k)) if g > 0 else None
        for k, g in zip(fleet.index, fleet.n_gpus, strict=True)
    )
    classes = tuple(sorted({c for c in class_of_row if c is not None}))
    cap, kw, fmax = [], [], []
    for c in classes:
        rows = fleet[[r == c for r in class_of_row]]
        n_g = rows.n_servers * rows.n_gpus
        inc_kw = (rows.power_typical_frac - rows.power_idle_frac) * rows.power_max_w / rows.n_gpus / W_PER_KW
        cap.append(float(n_g.sum()))
        kw.append(float((n_g * inc_kw).sum() / n_g.sum()))
        # no server draws more than its nameplate, whatever the measured GPU says
        nameplate = ((1.0 - rows.power_idle_frac) / (rows.power_typical_frac - rows.power_idle_frac)).min()
        fmax.append(min(factor_max_measured, float(nameplate)))
    return PowerModel(
        facility,
        section,
        weather,
        float(interval_s),
        classes,
        class_of_row,
        np.array(cap),
        np.array(kw),
        np.array(fmax),
    )


def job_gpu_kw(
    n_gpus: npt.ArrayLike, factor: npt.ArrayLike, class_index: npt.ArrayLike, model: PowerModel
) -> Array:
    """Busy increment of each job over its GPUs' idle draw [kW] (factor clipped to the class's nameplate)."""
    c = np.asarray(class_index, dtype=np.int64)
    r = np.minimum(np.asarray(factor, float), model.factor_max[c])
    return np.asarray(n_gpus, float) * r * model.kw_per_gpu[c]


def facility_intervals(model: PowerModel, gpu_kw: Array) -> pd.DataFrame:
    """Facility power of every part, per interval, from each class's busy GPU increment.

    Parameters
    ----------
    model : PowerModel
        Fleet and plant.
    gpu_kw : array (n_classes, n_intervals)
        Mean busy increment of the class's GPUs over idle in each interval. [kW]

    Returns
    -------
    DataFrame
        The columns of :func:`aidc.energy.hourly.facility_hourly`, one row per interval
        (``t_h`` in hours), the interval's hourly weather.
    """
    n = gpu_kw.shape[1]
    fleet = model.facility.fleet.copy()
    busy = busy_fractions(fleet, n, model.section)
    # The linear server model P = n P_max (idle + (typical - idle) u) with u in 0..1 is stretched
    # to reach the largest job factor, so that u = increment / (most it can be) stays in 0..1.
    scale = np.ones(len(fleet))
    for c, name in enumerate(model.classes):
        rows = np.array([r == name for r in model.class_of_row])
        scale[rows] = model.factor_max[c]
        busy[rows] = gpu_kw[c] / model.gpu_kw_max()[c] if model.gpu_kw_max()[c] > 0 else 0.0
    idle = fleet.power_idle_frac.to_numpy(float)
    fleet["power_typical_frac"] = idle + (fleet.power_typical_frac.to_numpy(float) - idle) * scale
    weather = model.weather.iloc[np.arange(n) // model.per_hour % len(model.weather)].reset_index(drop=True)
    out = facility_hourly(replace(model.facility, fleet=fleet), busy, weather, model.section)
    out["t_h"] = np.arange(n) / model.per_hour
    return out


def gpu_kw_allowed(
    model: PowerModel,
    n_intervals: int,
    facility_cap_kw: float | None,
    it_cap_kw: float | None,
    n_grid: int = 17,
) -> Array:
    """Largest total GPU busy increment that keeps each interval under the caps [kW] (inf: never binds).

    The facility model is evaluated with all GPU classes at the same share ``s`` of their
    maximum on a grid of ``n_grid`` shares; the cap is inverted per interval by linear
    interpolation on that grid (facility power rises with IT power).

    Raises
    ------
    InputError
        If a cap lies below the facility's demand with every GPU idle.
    """
    from aidc.errors import InputError

    shares = np.linspace(0.0, 1.0, n_grid)
    kw_max = model.gpu_kw_max()
    total = shares * kw_max.sum()
    allowed = np.full(n_intervals, np.inf)
    for cap, column in ((facility_cap_kw, "facility_power_kw"), (it_cap_kw, "it_power_kw")):
        if cap is None:
            continue
        grid = np.stack(
            [
                facility_intervals(model, np.outer(kw_max, np.full(n_intervals, s)))[column].to_numpy()
                for s in shares
            ]
        )
        if (grid[0] > cap).any():
            raise InputError.single(
                "the power cap lies below the facility's demand with every GPU idle",
                field="simulation.power.cap_kw" if column == "facility_power_kw" else "power.it_capacity_kw",
                found=cap,
                expected=f">= {float(grid[0].max()):,.0f} kW",
            )
        idx = np.clip((grid <= cap).sum(axis=0) - 1, 0, n_grid - 2)
        cols = np.arange(n_intervals)
        lo, hi = grid[idx, cols], grid[idx + 1, cols]
        frac = np.clip((cap - lo) / np.where(hi > lo, hi - lo, np.inf), 0.0, 1.0)
        this = total[idx] + frac * (total[idx + 1] - total[idx])
        allowed = np.minimum(allowed, np.where(grid[-1] <= cap, np.inf, this))
    return allowed
