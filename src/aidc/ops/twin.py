"""The twin on operations records: generate a record from it, replay observed jobs through it.

- :func:`operations_record` runs the scenario's job stream for consecutive years on the
  design's fleet, in whole seconds (what ``sacct`` can print), and returns the job log
  with civil times: a stand-in for phase 1's first years of records.
- :func:`replay` runs observed jobs (as imported from ``sacct``) on the real fleet under
  the scenario's scheduling settings, so observed waits can be set against predicted ones.
- :func:`scaled` multiplies a job record's demand by a factor (more jobs of the same kinds),
  the load axis along which the trigger looks for the break of the service levels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aidc import data
from aidc.demand import job_stream
from aidc.errors import InputError
from aidc.simulate import Cluster, Failures, SimulationResult, run
from aidc.units import H_PER_YEAR, S_PER_H

YEAR_S = H_PER_YEAR * S_PER_H


def cluster_of(scenario: Any, design: Any, placement: str | None = None) -> Cluster:
    """Return the design's GPU cluster under the scenario's (or the given) placement."""
    chosen = placement or scenario.simulation.placement
    if chosen not in ("pooled", "node"):
        raise InputError.single("unknown placement", field="placement", found=chosen,
                                expected="pooled or node")
    return Cluster.from_design(design, scenario, placement=chosen)  # type: ignore[arg-type]


def _simulate(
    jobs: pd.DataFrame, scenario: Any, cluster: Cluster, horizon_h: int | None = None
) -> SimulationResult:
    sim = scenario.simulation
    failures = (
        Failures(sim.mtbf_h, sim.mttr_h, sim.checkpoint_interval_s)
        if sim.failures and cluster.placement == "node"
        else None
    )
    return run(
        jobs,
        cluster,
        sim.policy,
        scenario.seed,
        policy_params=sim.policy_params(),
        failures=failures,
        horizon_h=horizon_h,
    )


def operations_record(
    scenario: Any, demand: Any, design: Any, years: tuple[int, ...]
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Return the twin's job log for ``years`` (whole seconds) and the civil time of ``t_s = 0``.

    Each year's jobs come from :func:`aidc.demand.job_stream` (seed: ``scenario.seed``),
    shifted by whole 365-day years; submit times and run times are rounded to the second
    (run times at least 1 s), so every start and end the simulator computes is whole too.
    """
    rng = np.random.default_rng(scenario.seed)
    parts = []
    for i, year in enumerate(years):
        jobs = job_stream(demand, scenario, year, rng)
        jobs["submit_s"] = np.round(jobs["submit_s"].to_numpy() + i * YEAR_S)
        parts.append(jobs)
    jobs = pd.concat(parts, ignore_index=True).sort_values("submit_s", kind="mergesort", ignore_index=True)
    jobs["duration_s"] = np.maximum(np.round(jobs["duration_s"].to_numpy()), 1.0)
    jobs["job_id"] = np.arange(1, len(jobs) + 1)
    cluster = cluster_of(scenario, design)
    known = {c.gpu_class for c in cluster.classes}
    jobs["gpu_class"] = jobs["gpu_class"].where(jobs["gpu_class"].isin(known), "")
    log = _simulate(jobs, scenario, cluster).jobs
    return log, pd.Timestamp(year=years[0], month=1, day=1)


def observed_trace(jobs: pd.DataFrame, t0: pd.Timestamp, gpu_classes: set[str]) -> pd.DataFrame:
    """Turn imported jobs into the simulator's trace: GPU jobs that ran, times from ``t0``."""
    ran = jobs[(jobs["n_gpus"] > 0) & jobs["start"].notna()]
    gpu_type = ran["gpu_type"].fillna("").astype(str) if "gpu_type" in ran else pd.Series("", index=ran.index)
    return pd.DataFrame(
        {
            "job_id": ran["job_id"].astype(str).to_numpy(),
            "tenant": ran["tenant_class"].astype(str).to_numpy(),
            "submit_s": (ran["submit"] - t0).dt.total_seconds().to_numpy(),
            "n_gpus": ran["n_gpus"].to_numpy(dtype=np.int64),
            "duration_s": ran["elapsed_s"].to_numpy(dtype=float),
            "gpu_class": gpu_type.where(gpu_type.isin(gpu_classes), "").to_numpy(),
        }
    )


def replay(
    jobs: pd.DataFrame, scenario: Any, design: Any, placement: str | None = None
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Replay imported jobs on the design's fleet; return the twin's log and its ``t0``.

    ``t0`` is the first day of the first month observed; the log's ``tenant`` is the tenant
    class and ``job_id`` the Slurm job id.
    """
    t0 = jobs["submit"].min().to_period("M").to_timestamp()
    cluster = cluster_of(scenario, design, placement)
    trace = observed_trace(jobs, t0, {c.gpu_class for c in cluster.classes})
    return _simulate(trace, scenario, cluster).jobs, t0


def scaled(trace: pd.DataFrame, factor: float, rng_seed: int) -> pd.DataFrame:
    """Return a trace with ``factor`` times the demand: each job copied ``floor(factor)`` or one more times.

    Copy ``k`` of a job exists when ``k + u < factor`` for a uniform ``u`` drawn once per
    (job, copy), so the trace of a larger factor contains that of a smaller one. Copies
    after the first are submitted up to ``ops.replica_jitter_h`` earlier or later (within the
    record), so that they do not all arrive at the same second.
    """
    n_copies = int(np.ceil(factor))
    rng = np.random.default_rng(rng_seed)
    u = rng.uniform(size=(n_copies, len(trace)))
    jitter_s = (
        rng.uniform(-1.0, 1.0, size=(n_copies, len(trace)))
        * float(data.value("ops.replica_jitter_h"))
        * S_PER_H
    )
    jitter_s[0] = 0.0
    span = (float(trace["submit_s"].min()), float(trace["submit_s"].max())) if len(trace) else (0.0, 0.0)
    parts = []
    for k in range(n_copies):
        keep = (k + u[k]) < factor
        part = trace[keep].copy()
        part["submit_s"] = np.clip(part["submit_s"].to_numpy() + jitter_s[k][keep], *span)
        part["job_id"] = part["job_id"].astype(str) + (f"~{k}" if k else "")
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("submit_s", kind="mergesort", ignore_index=True)


def simulate_trace(
    trace: pd.DataFrame, scenario: Any, design: Any, placement: str | None = None
) -> SimulationResult:
    """Simulate a trace on the design's fleet under the scenario's scheduling settings."""
    return _simulate(trace, scenario, cluster_of(scenario, design, placement))
