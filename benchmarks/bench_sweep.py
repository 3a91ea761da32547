"""Sweeps on Dask: 10,000 design-and-economics variants, and the overhead per run.

Targets (issue 9): 10,000 design-and-economics variants in under 60 s on 2 cores; a sweep's
overhead per run on Dask under 10 ms. Both run on a local Dask cluster of one worker process
per core on loopback, started before the clock starts (its start-up is reported apart),
and include what a user's sweep does: expansion and validation of every variant, batching,
the journal on disk and the tidy table (charts excluded: they depend on the table's size only).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import Row

N_VARIANTS = 10_000
N_BASELINE = 2 * 4 * 2 * 5 * 1  # variants run in-process, one core, scaled up as the baseline
N_STAGE_CPU = 30  # runs timed per stage
N_OVERHEAD = 4_000
N_UNBATCHED = 400
TARGET_10K_S = 60.0
TARGET_OVERHEAD_MS = 10.0


def _axes() -> dict[str, list[Any]]:
    """50 x 4 x 2 x 5 x 5 = 10,000 variants of the jeonbuk-ai scenario."""
    return {
        "power.it_capacity_kw": [2000 + 250 * i for i in range(50)],
        "site.max_floors": [2, 3, 4, 5],
        "facility.halls.0.cooling": ["rear_door", "direct_liquid"],
        "facility.backend_oversubscription": [1.0, 1.5, 2.0, 3.0, 4.0],
        "site.floor_height_m": [5.0, 5.5, 6.0, 6.5, 7.0],
    }


def _stages() -> tuple[list[str], str]:
    from aidc.sweep import available

    ready = available()
    names = [s for s in ("design", "economics") if ready[s]]
    note = "" if names == ["design", "economics"] else f"economics not available yet: {'+'.join(names)} only"
    return names, note


def _timed_sweep(scenario: Any, stages: Any, **kw: Any) -> tuple[float, Any]:
    from aidc.sweep import sweep

    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        result = sweep(scenario, stages, out_dir=Path(out), **kw)
        return time.perf_counter() - t0, result


def _capacities(base: Any, n: int) -> Any:
    return base.model_copy(update={"sweep": {"power.it_capacity_kw": list(range(1000, 1000 + n))}})


def _cpu_s(client: Any) -> float:
    """CPU time used so far by this process and every worker process [s]."""
    return time.process_time() + sum(client.run(time.process_time).values())


def _stage_cpu(base: Any, names: list[str]) -> list[Row]:
    """CPU time of one run per stage, in this process: where a variant's time goes."""
    from aidc.sweep import evaluate, resolve
    from aidc.sweep.grid import base_dict

    tree, rows, before = base_dict(base), [], 0.0
    for i in range(len(names)):
        stages = resolve(names[: i + 1])
        evaluate(tree, stages)  # warm caches
        c0 = time.process_time()
        for _ in range(N_STAGE_CPU):
            evaluate(tree, stages)
        cpu_ms = 1e3 * (time.process_time() - c0) / N_STAGE_CPU
        rows.append(Row(f"CPU per run: {names[i]} stage", cpu_ms - before, "ms",
                        note="validation included" if i == 0 else "given the stages before it"))
        before = cpu_ms
    return rows


def run() -> list[Row]:
    from distributed import Client, LocalCluster

    from aidc import load_scenario
    from aidc.sweep import Stage

    n_workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    names, note = _stages()
    base = load_scenario("jeonbuk-ai")
    big = base.model_copy(update={"sweep": _axes()})
    small_axes = dict(_axes(), **{"power.it_capacity_kw": [4000, 8000], "site.floor_height_m": [6.0]})
    small = base.model_copy(update={"sweep": small_axes})  # N_BASELINE variants
    noop = {"noop": Stage(lambda s, up: None, lambda r: {})}
    rows: list[Row] = []

    serial_s, _ = _timed_sweep(small, names, scheduler="synchronous")
    rows += _stage_cpu(base, names)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        startup_s = time.perf_counter() - t0
        client.run(lambda: __import__("aidc.design"))  # warm imports, as a long-lived cluster has them
        cpu0 = _cpu_s(client)
        wall_s, result = _timed_sweep(big, names, scheduler=client)
        cpu_s = _cpu_s(client) - cpu0
        over_s, _ = _timed_sweep(_capacities(base, N_OVERHEAD), ["noop"], stage_table=noop, scheduler=client)
        one_s, _ = _timed_sweep(_capacities(base, N_UNBATCHED), ["noop"], stage_table=noop, scheduler=client,
                                runs_per_task=1)
    ok = int((result.table["status"] == "ok").sum())
    what = f"{N_VARIANTS:,} {'+'.join(names)} variants"
    rows.append(Row(f"{what} on Dask ({n_workers} workers)", wall_s, "s",
                    target=f"< {TARGET_10K_S:g} s on 2 cores", target_value=TARGET_10K_S,
                    baseline=serial_s * N_VARIANTS / N_BASELINE,
                    note=f"{ok:,} ok; baseline: in-process, 1 core, scaled from {N_BASELINE:,}. {note}"
                    .strip()))
    rows.append(Row(f"{what}: CPU time, client + workers", cpu_s, "s",
                    note=f"{cpu_s / n_workers:.1f} s of wall on {n_workers} idle cores"))
    rows.append(Row("throughput on Dask", N_VARIANTS / wall_s, "variants/s", higher_is_better=True,
                    baseline=N_BASELINE / serial_s, note="baseline: in-process, 1 core"))
    rows.append(Row("sweep overhead per run on Dask", 1e3 * over_s / N_OVERHEAD, "ms",
                    target=f"< {TARGET_OVERHEAD_MS:g} ms", target_value=TARGET_OVERHEAD_MS,
                    baseline=1e3 * one_s / N_UNBATCHED,
                    note=f"no-op stage, {N_OVERHEAD:,} runs batched; baseline: one run per task"))
    rows.append(Row("local Dask cluster start-up", startup_s, "s", note=f"{n_workers} worker processes"))
    return rows
