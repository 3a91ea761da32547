"""The job stream: one year of demand as a seeded trace of jobs for the simulation stage.

Each kind of need becomes jobs in its own way (``job_mode`` of :attr:`Demand.by_need`):

- ``runs`` (training, fine-tuning): the survey's runs per year, each on the GPUs that meet
  its deadline, lengths spread log-normally around the mean (``run_jitter_sigma``);
- ``service`` (inference, GPUs reserved all year): one replica held all year and the replicas of
  the daily peak held in the busy hours (a reserved need: its replicas all year);
- ``batch`` (education, plain GPU-hours): many small jobs whose GPU counts and durations
  follow the distributions in ``aidc/data/demand/workloads.yaml`` (Philly trace fits for
  plain GPU-hours; stated estimates for education, submitted within the semesters).

Durations are rescaled so that the stream's GPU-hours equal the demand's for that year
(exact up to floating point; tested to 1e-6 relative).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from aidc.demand import catalog
from aidc.demand import translate as tr
from aidc.demand.estimate import Demand
from aidc.units import H_PER_DAY, H_PER_YEAR, S_PER_H

TRACE_COLUMNS = ["job_id", "tenant", "submit_s", "n_gpus", "duration_s", "gpu_class", "priority"]
YEAR_S = H_PER_YEAR * S_PER_H
DAY_S = H_PER_DAY * S_PER_H
WEEK_DAYS = 7  # days per week (definition)


def _rescale(n_gpus: np.ndarray, duration_s: np.ndarray, gpu_h: float) -> np.ndarray:
    """Scale durations so that sum(n_gpus * duration) equals ``gpu_h``."""
    total_h = float(np.sum(n_gpus * duration_s)) / S_PER_H
    return duration_s * (gpu_h / total_h)


def _runs(need: pd.Series, gpu_h: float, factor: float, rng: np.random.Generator, **_: Any) -> tuple:
    n_runs = max(1, int(round(float(need["n_jobs_per_y"]) * factor)))
    n_gpus = np.full(n_runs, float(need["job_n_gpus"]))
    sigma = catalog.value("run_jitter_sigma")
    mean_s = gpu_h / n_runs / n_gpus[0] * S_PER_H
    duration = _rescale(n_gpus, mean_s * rng.lognormal(0.0, sigma, n_runs), gpu_h)
    submit = rng.uniform(0.0, 1.0, n_runs) * np.maximum(YEAR_S - duration, 0.0)
    return submit, n_gpus, duration


def _service(need: pd.Series, gpu_h: float, factor: float, rng: np.random.Generator, **_: Any) -> tuple:
    """Return serving replicas: the floor held all year, the daily peak's replicas in the busy hours.

    The demand gives a service its mean (``gpu_h``) and its peak (``peak_gpus``, grown as
    :func:`aidc.demand.estimate.by_year` grows it); a stream of flat replicas at the mean would
    hide the peak from the coincident need and the simulator. The load here has two levels: the
    one replica a service keeps up all day, and the peak's replicas for the part of every day that
    makes the year's GPU-hours come out — centred on the middle of the busy hours
    (``inference_busy_hours``). Of all two-level days with that mean and peak, this one holds the
    peak longest, so it is the cautious one for sizing. A reserved need (peak = mean) stays flat.
    """
    size = float(need["job_n_gpus"])
    peak_gpus = float(np.ceil(float(need["peak_gpus"]) * factor - 1e-9))
    n_peak = int(np.ceil(peak_gpus / size - 1e-9))
    extra_gpu_h = gpu_h - size * H_PER_YEAR  # above the one replica held all year
    if n_peak <= 1 or extra_gpu_h <= 0 or n_peak * size * H_PER_YEAR <= gpu_h * (1 + 1e-9):
        n_jobs = int(np.ceil(gpu_h / (size * H_PER_YEAR) - 1e-9))
        duration = np.full(n_jobs, gpu_h / (n_jobs * size) * S_PER_H)
        return np.zeros(n_jobs), np.full(n_jobs, size), duration
    n_days = int(round(H_PER_YEAR / H_PER_DAY))
    n_extra = n_peak - 1
    window_s = extra_gpu_h / (n_extra * size * n_days) * S_PER_H
    first_h, last_h = catalog.value("inference_busy_hours")
    start_in_day_s = (first_h + last_h) / 2 * S_PER_H - window_s / 2
    daily_s = np.repeat(np.arange(n_days) * DAY_S + start_in_day_s, n_extra)
    submit = np.concatenate([[0.0], daily_s])
    duration = np.concatenate([[YEAR_S], np.full(daily_s.size, window_s)])
    return submit, np.full(submit.size, size), duration


def _windows(need: pd.Series, semester_weeks: float) -> list[tuple[float, float]]:
    """Return the submission windows [s from 1 January]: the semesters, or the whole year."""
    if need["kind"] != "education":
        return [(0.0, YEAR_S)]
    starts = catalog.value("semester_start_day")[: int(need["n_semesters_per_y"])]
    return [(d * DAY_S, min(d * DAY_S + semester_weeks * WEEK_DAYS * DAY_S, YEAR_S)) for d in starts]


def _batch(
    need: pd.Series, gpu_h: float, factor: float, rng: np.random.Generator, semester_weeks: float
) -> tuple:
    dist = catalog.workloads()["batch_jobs"][need["kind"]]
    sizes = np.asarray(dist["n_gpus"]["value"], dtype=float)
    prob = np.asarray(dist["n_gpus_prob"]["value"], dtype=float)
    prob = prob / prob.sum()
    median_s, sigma = dist["duration_median_s"]["value"], dist["duration_sigma"]["value"]
    mean_job_gpu_h = float(sizes @ prob) * median_s * np.exp(sigma**2 / 2) / S_PER_H
    n_jobs = max(1, int(round(gpu_h / mean_job_gpu_h)))
    n_gpus = rng.choice(sizes, size=n_jobs, p=prob)
    duration = np.minimum(median_s * rng.lognormal(0.0, sigma, n_jobs), dist["duration_max_s"]["value"])
    duration = _rescale(n_gpus, duration, gpu_h)
    windows = _windows(need, semester_weeks)
    which = rng.integers(0, len(windows), n_jobs)
    lo = np.array([w[0] for w in windows])[which]
    hi = np.array([w[1] for w in windows])[which]
    return lo + rng.uniform(0.0, 1.0, n_jobs) * (hi - lo), n_gpus, duration


#: How each ``job_mode`` of :attr:`Demand.by_need` becomes jobs.
GENERATORS: dict[str, Callable[..., tuple]] = {"runs": _runs, "service": _service, "batch": _batch}


def fleet_gpu_models(scenario: object) -> set[str]:
    """Return the GPU models of the scenario's fleet (server types with a count or share above 0)."""
    fleet = scenario.fleet  # type: ignore[attr-defined]
    amounts = dict(fleet.servers or {}) | dict(fleet.mix or {})
    catalog_ = scenario.servers()  # type: ignore[attr-defined]
    return {catalog_[k].gpu_model for k, v in amounts.items() if v > 0 and catalog_[k].gpu_model}


def _need_jobs(demand: Demand, scenario: object, year: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Return the jobs of each need with GPU-hours in ``year``, as columns, in the order of the needs."""
    semester_weeks = float(scenario.demand.semester_weeks)  # type: ignore[attr-defined]
    priority = {k: int(v["value"]) for k, v in catalog.workloads()["priority"].items()}
    needs = demand.by_need
    factors = tr.growth_factor(year, needs["start_year"].to_numpy(), needs["growth_frac_per_y"].to_numpy())
    parts: list[dict[str, Any]] = []
    for (_, need), factor in zip(needs.iterrows(), factors, strict=True):
        gpu_h = float(need["gpu_h_per_y"]) * float(factor)
        if gpu_h <= 0 or need["job_mode"] not in GENERATORS:
            continue
        submit, n_gpus, duration = GENERATORS[need["job_mode"]](
            need, gpu_h, float(factor), rng, semester_weeks=semester_weeks
        )
        parts.append({
            "tenant": need["tenant_class"], "submit_s": submit, "n_gpus": n_gpus.astype(int),
            "duration_s": duration, "gpu_class": need["gpu_model"], "priority": priority[need["kind"]],
        })
    return parts


def job_arrays(
    demand: Demand, scenario: object, year: int, rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Return the jobs of :func:`job_stream` as plain arrays, unsorted and without ``job_id``.

    The same draws from ``rng`` in the same order. ``submit_s``, ``n_gpus``, ``duration_s`` per
    job; ``need`` the index of the job's need among ``need_tenant`` and ``need_gpu_class`` (the
    model the need asks for, not mapped to the fleet). For callers that need no queue order (the
    coincident load of :mod:`aidc.design.need`): a frame of strings sorted by time costs more
    than drawing the jobs.
    """
    parts = _need_jobs(demand, scenario, year, rng)
    n = [len(p["submit_s"]) for p in parts]
    columns = {c: np.concatenate([np.asarray(p[c], dtype=float) for p in parts])
               if parts else np.zeros(0) for c in ("submit_s", "n_gpus", "duration_s")}
    return columns | {"need": np.repeat(np.arange(len(parts)), n),
                      "need_tenant": np.array([str(p["tenant"]) for p in parts], dtype=object),
                      "need_gpu_class": np.array([str(p["gpu_class"]) for p in parts], dtype=object)}


def job_stream(demand: Demand, scenario: object, year: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return one year of demand as jobs, sorted by submit time.

    Parameters
    ----------
    demand : Demand
        From :func:`aidc.demand.estimate`.
    scenario : aidc.scenario.Scenario
        Supplies ``demand.semester_weeks``.
    year : int
        Calendar year; ``submit_s`` counts from 1 January 00:00 of it. [year]
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    pandas.DataFrame
        ``job_id`` (0..n-1 in submit order), ``tenant`` (tenant class), ``submit_s`` [s],
        ``n_gpus`` [GPU], ``duration_s`` [s], ``gpu_class`` (GPU model key; ``""`` = any GPU
        when the scenario's fleet has no server of the model asked), ``priority`` (larger runs
        first). Its GPU-hours equal ``demand.gpu_hours(year)``.
    """
    parts = [pd.DataFrame(cols) for cols in _need_jobs(demand, scenario, year, rng)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            TRACE_COLUMNS, ["int64", "object", "float64", "int64", "float64", "object", "int64"],
            strict=True)})
    out = pd.concat(parts, ignore_index=True).sort_values("submit_s", kind="mergesort", ignore_index=True)
    # A need for a GPU model the fleet lacks asks for any GPU ('' is "no class asked" in the
    # simulator); its GPU-hours are not converted between models.
    models = fleet_gpu_models(scenario)
    if models:
        out["gpu_class"] = out["gpu_class"].where(out["gpu_class"].isin(models), "")
    out.insert(0, "job_id", np.arange(len(out), dtype=np.int64))
    return out[TRACE_COLUMNS]
