"""Sweeps on Dask: 10,000 design-and-economics variants, and the overhead per run.

Targets (issue 9): 10,000 design-and-economics variants in under 60 s on 2 cores; a sweep's
overhead per run on Dask under 10 ms. Both run on a local Dask cluster of one worker process
per core on loopback, started before the clock starts (its start-up is reported apart),
and include what a user's sweep does: expansion and validation of every variant, batching,
the journal on disk, the tidy table (Parquet + CSV) and the charts (a fixed cost of
about 0.3 s).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import Row

N_TARGET = 10_000  # the figure: 10,000 design-and-economics variants in < 60 s on 2 cores
# A loaded or small machine may run fewer (a multiple of 200); the CPU-time row scales to 10,000.
N_VARIANTS = max(200, int(os.environ.get("AIDC_BENCH_SWEEP_N", N_TARGET)) // 200 * 200)
N_BASELINE = 2 * 4 * 2 * 5 * 1  # variants run in-process, one core, scaled up as the baseline
N_STAGE_CPU = 30  # runs timed per stage
N_OVERHEAD = 4_000
N_UNBATCHED = 400
TARGET_10K_S = 60.0
TARGET_OVERHEAD_MS = 10.0


def _axes(n: int) -> dict[str, list[Any]]:
    """(n / 200) x 4 x 2 x 5 x 5 variants of the jeonbuk-ai scenario (50 capacities: 10,000)."""
    return {
        "power.it_capacity_kw": [2000 + 250 * i for i in range(max(1, n // 200))],
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


def _big_rows(client: Any, base: Any, names: list[str], n: int, note: str) -> list[Row]:
    """Time ``n`` variants on the cluster; the baseline runs N_BASELINE of them in this process."""
    small_axes = dict(_axes(n), **{"power.it_capacity_kw": [4000, 8000], "site.floor_height_m": [6.0]})
    serial_s, _ = _timed_sweep(base.model_copy(update={"sweep": small_axes}), names, scheduler="synchronous")
    cpu0 = _cpu_s(client)
    wall_s, result = _timed_sweep(base.model_copy(update={"sweep": _axes(n)}), names, scheduler=client)
    cpu_s = _cpu_s(client) - cpu0
    ok = int((result.table["status"] == "ok").sum())
    what, target_s = f"{'+'.join(names)} variants", TARGET_10K_S * n / N_TARGET
    return [
        Row(f"{n:,} {what} on Dask ({_n_workers()} workers)", wall_s, "s",
            target=f"< {target_s:g} s on 2 cores", target_value=target_s,
            baseline=serial_s * n / N_BASELINE,
            note=f"{ok:,} ok; baseline: in-process, 1 core, scaled from {N_BASELINE}. {note}".strip()),
        Row(f"{N_TARGET:,} {what} on 2 idle cores, from CPU time", cpu_s * N_TARGET / n / 2, "s",
            target=f"< {TARGET_10K_S:g} s", target_value=TARGET_10K_S,
            note=f"CPU of client + workers: {cpu_s:.1f} s for {n:,}; little affected by other load"),
    ]


def _n_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run() -> list[Row]:
    from distributed import Client, LocalCluster

    from aidc import load_scenario
    from aidc.sweep import Stage

    names, note = _stages()
    base = load_scenario("jeonbuk-ai")
    noop = {"noop": Stage(lambda s, up: None, lambda r: {})}
    rows = _stage_cpu(base, names)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=_n_workers(), threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        startup_s = time.perf_counter() - t0
        client.run(lambda: __import__("aidc.design"))  # warm imports, as a long-lived cluster has them
        rows += _big_rows(client, base, ["design"], N_TARGET, "the sweep machinery with a fast stage")
        if names != ["design"]:
            rows += _big_rows(client, base, names, N_VARIANTS, note)
        over_s, _ = _timed_sweep(_capacities(base, N_OVERHEAD), ["noop"], stage_table=noop, scheduler=client)
        one_s, _ = _timed_sweep(_capacities(base, N_UNBATCHED), ["noop"], stage_table=noop, scheduler=client,
                                runs_per_task=1)
    rows.append(Row("sweep overhead per run on Dask", 1e3 * over_s / N_OVERHEAD, "ms",
                    target=f"< {TARGET_OVERHEAD_MS:g} ms", target_value=TARGET_OVERHEAD_MS,
                    baseline=1e3 * one_s / N_UNBATCHED,
                    note=f"no-op stage, {N_OVERHEAD:,} runs batched; baseline: one run per task"))
    rows.append(Row("local Dask cluster start-up", startup_s, "s", note=f"{_n_workers()} worker processes"))
    return rows
