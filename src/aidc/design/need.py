"""The coincident GPU need: how many GPUs all tenant classes keep busy together, hour by hour.

Adding up each tenant class's peak (``Demand.by_year.peak_gpus``) assumes every class peaks in
the same hour — a course's semester, a training run's deadline and an inference service's busy
hour all at once — and sizes for a load that never happens. The need here is read from the job
stream the simulator runs (:func:`aidc.demand.jobs.job_stream`): every job of a year started
the moment it is submitted, on as many GPUs as it asks, without a queue; the GPUs busy in each
hour, all classes together, are the coincident load, and its highest hour is what a fleet needs
so that no job waits. A fleet smaller than that makes jobs wait; how long is the simulator's
answer (:mod:`aidc.service` sizes the fleet to stated waits).

The profile is kept by GPU model, so the plan can weigh it in H100-equivalents
(:meth:`GpuNeed.peak_by_year`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from aidc.units import H_PER_YEAR, S_PER_H

if TYPE_CHECKING:
    from aidc.demand import Demand
    from aidc.scenario import Scenario


def busy_gpus_hourly(submit_s: np.ndarray, duration_s: np.ndarray, n_gpus: np.ndarray,
                     n_hours: int) -> np.ndarray:
    """Return the mean GPUs busy in each hour when every job starts at its submit time [GPU].

    Each job holds ``n_gpus`` from ``submit_s`` to ``submit_s + duration_s``; hour ``h`` gets the
    GPU-hours held within ``[h, h + 1)`` (:func:`busy_gpus_hourly_by_group` with one group). GPU-hours
    are conserved: the profile sums to the jobs' GPU-hours inside the window.

    Parameters
    ----------
    submit_s, duration_s : array
        Start and length of each job. [s]
    n_gpus : array
        GPUs each job holds. [GPU]
    n_hours : int
        Length of the window from time 0. [h]

    Returns
    -------
    numpy.ndarray
        ``n_hours`` values. [GPU]

    Examples
    --------
    >>> busy_gpus_hourly([0.0, 1800.0], [3600.0, 7200.0], [4, 2], 3).tolist()
    [5.0, 2.0, 1.0]
    """
    group = np.zeros(np.size(submit_s), dtype=np.int64)
    return busy_gpus_hourly_by_group(submit_s, duration_s, n_gpus, group, 1, n_hours)[0]


def busy_gpus_hourly_by_group(submit_s: np.ndarray, duration_s: np.ndarray, n_gpus: np.ndarray,
                              group: np.ndarray, n_groups: int, n_hours: int) -> np.ndarray:
    """Return the mean GPUs busy in each hour, for each group of jobs [GPU], shape ``(n_groups, n_hours)``.

    One pass over the jobs, no sort: a job from ``s`` to ``e`` [h] adds ``n (e - s)`` to its hour
    when both fall in one; otherwise ``n (h_s + 1 - s)`` to its first hour, ``n (e - h_e)`` to its
    last, and ``n`` to each whole hour between (a difference array summed once). Time outside
    ``[0, n_hours)`` is cut off.
    """
    n = np.asarray(n_gpus, dtype=float)
    start_h = np.clip(np.asarray(submit_s, dtype=float) / S_PER_H, 0.0, n_hours)
    end_h = np.clip(start_h + np.asarray(duration_s, dtype=float) / S_PER_H, 0.0, n_hours)
    first, last = np.floor(start_h).astype(np.int64), np.floor(end_h).astype(np.int64)
    row = np.asarray(group, dtype=np.int64) * (n_hours + 2)
    size = n_groups * (n_hours + 2)
    one = first == last
    direct = np.bincount(row + first, np.where(one, n * (end_h - start_h), n * (first + 1 - start_h)),
                         minlength=size)
    direct += np.bincount(row + last, np.where(one, 0.0, n * (end_h - last)), minlength=size)
    between = np.where(~one & (last > first + 1), n, 0.0)
    step = np.bincount(row + first + 1, between, minlength=size) - np.bincount(row + last, between,
                                                                               minlength=size)
    out = direct.reshape(n_groups, n_hours + 2) + np.cumsum(step.reshape(n_groups, n_hours + 2), axis=1)
    return out[:, :n_hours]


@dataclass(frozen=True, slots=True)
class GpuNeed:
    """The coincident GPU load of each planning year.

    ``hourly_by_year[year][(tenant_class, gpu_class)]`` is the mean GPUs busy in each hour of
    that year (8,760 values) by tenant class and the GPU model its jobs ask for (``""``: a model
    the fleet lacks, which the simulator runs on any GPU). ``gpu_hours_by_year[year][class]`` are
    the GPU-hours of each class's jobs that year (what the profile was drawn for).
    ``sum_of_peaks_by_year`` is the old measure, each tenant class's peak added up, kept to show
    what diversity saves.
    """

    hourly_by_year: dict[int, dict[tuple[str, str], np.ndarray]]
    gpu_hours_by_year: dict[int, dict[str, float]]
    sum_of_peaks_by_year: dict[int, float]

    def peak_by_year(
        self, weight_by_model: Mapping[str, float] | None = None,
        scale_by_year_class: Mapping[int, Mapping[str, float]] | None = None,
    ) -> dict[int, float]:
        """Return the highest hour of the combined load of each year [GPU].

        ``weight_by_model`` counts one GPU of each model as that many units (H100-equivalents for
        the plan); a model it does not name counts 1. ``scale_by_year_class`` scales a class's
        load in a year (a demand rescaled to a forecast, :func:`class_scale`); absent: 1.
        """
        weight, scale = weight_by_model or {}, scale_by_year_class or {}
        out = {}
        for year, profiles in self.hourly_by_year.items():
            factor = scale.get(year, {})
            total = sum((weight.get(m, 1.0) * factor.get(c, 1.0) * h for (c, m), h in profiles.items()),
                        np.zeros(int(H_PER_YEAR)))
            out[year] = float(total.max())
        return out


def class_scale(need: GpuNeed, by_year: pd.DataFrame) -> dict[int, dict[str, float]]:
    """Return, by year and tenant class, ``by_year``'s GPU-hours over those the need was drawn for.

    1 for the demand the need was drawn from; a demand whose ``by_year`` was rescaled (the
    operations forecast scales each class's GPU-hours) scales that class's load by the same factor.

    Examples
    --------
    >>> need = GpuNeed({}, {2028: {"a": 100.0, "b": 0.0}}, {})
    >>> rows = pd.DataFrame({"year": [2028, 2028], "tenant_class": ["a", "b"], "gpu_hours": [150.0, 5.0]})
    >>> class_scale(need, rows)
    {2028: {'a': 1.5, 'b': 1.0}}
    """
    wanted = by_year.groupby(["year", "tenant_class"])["gpu_hours"].sum()
    out: dict[int, dict[str, float]] = {}
    for year, drawn in need.gpu_hours_by_year.items():
        out[year] = {c: (float(wanted.get((year, c), 0.0)) / h if h > 0 else 1.0) for c, h in drawn.items()}
    return out


def coincident_need(scenario: Scenario, demand: Demand) -> GpuNeed:
    """Return the coincident GPU load of every year of ``demand`` (see the module docstring).

    Each year's job stream is drawn with its own generator seeded by ``(scenario.seed, year)``,
    so a year's need does not depend on which other years are asked for. Drawing the streams
    of a long horizon takes seconds, so the answer is kept for the few last distinct inputs
    (:func:`_need_key`): the variants of a sweep share one survey and seed.
    """
    from aidc.demand.jobs import fleet_gpu_models

    key = _need_key(scenario.seed, float(scenario.demand.semester_weeks), fleet_gpu_models(scenario), demand)
    return _coincident_need(key, scenario, demand)


def _need_key(seed: int, semester_weeks: float, models: set[str], demand: Demand) -> tuple[object, ...]:
    """Everything the job streams depend on: seed, semesters, the fleet's GPU models, the needs."""
    from pandas.util import hash_pandas_object

    needs = demand.by_need
    fingerprint = (tuple(needs.columns), int(hash_pandas_object(needs, index=False).sum()))
    return seed, semester_weeks, tuple(sorted(models)), tuple(demand.years), fingerprint


#: Needs already drawn, by :func:`_need_key`, oldest first (a small memo: the result is a pure
#: function of its key, and its arrays are read-only).
_NEEDS: dict[tuple[object, ...], GpuNeed] = {}
_MAX_KEPT = 8


def _coincident_need(key: tuple[object, ...], scenario: Scenario, demand: Demand) -> GpuNeed:
    if key in _NEEDS:
        return _NEEDS[key]
    from aidc.demand.jobs import fleet_gpu_models, job_arrays

    models = fleet_gpu_models(scenario)
    hourly: dict[int, dict[tuple[str, str], np.ndarray]] = {}
    gpu_hours: dict[int, dict[str, float]] = {}
    for year in demand.years:
        jobs = job_arrays(demand, scenario, int(year), np.random.default_rng([scenario.seed, int(year)]))
        # as the simulator runs them: a model the fleet lacks asks for any GPU ('')
        asked = [m if not models or m in models else "" for m in jobs["need_gpu_class"]]
        keys = sorted(set(zip(jobs["need_tenant"], asked, strict=True)))
        of_need = np.array([keys.index(k) for k in zip(jobs["need_tenant"], asked, strict=True)],
                           dtype=np.int64)
        profiles = busy_gpus_hourly_by_group(jobs["submit_s"], jobs["duration_s"], jobs["n_gpus"],
                                             of_need[jobs["need"]], len(keys), int(H_PER_YEAR))
        hourly[int(year)] = {(str(c), str(m)): _read_only(profiles[i]) for i, (c, m) in enumerate(keys)}
        held_h = np.bincount(jobs["need"], jobs["n_gpus"] * jobs["duration_s"] / S_PER_H,
                             minlength=len(asked))
        by_class = pd.Series(held_h).groupby(jobs["need_tenant"]).sum()
        gpu_hours[int(year)] = {str(c): float(h) for c, h in by_class.items()}
    peaks = demand.by_year.groupby("year")["peak_gpus"].sum() if len(demand.by_year) else {}
    need = GpuNeed(hourly, gpu_hours, {int(y): float(v) for y, v in dict(peaks).items()})
    while len(_NEEDS) >= _MAX_KEPT:
        _NEEDS.pop(next(iter(_NEEDS)))
    _NEEDS[key] = need
    return need


def _read_only(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values
