"""Run a sweep: expand, skip what is done, map batches of runs over Dask, collect a tidy table.

The work is pure: :func:`run_batch` takes the base scenario dict, a batch of
``(key, axis values, seed)`` and the stages, and returns one record per run; it touches no
file and no global, so the same sweep gives the same table on the in-process scheduler, on
a local cluster of any size, or on a remote Dask scheduler. Only the client (this process)
writes: the journal batch by batch, then the table and the charts.

Many runs go into one Dask task so that scheduling costs little per run (the target is
under 10 ms per run, see ``docs/benchmarks.md``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from aidc.errors import InputError
from aidc.scenario import Scenario
from aidc.sweep import charts, store
from aidc.sweep.grid import Run, expand, variant_dict
from aidc.sweep.stages import Stage, evaluate, resolve

__all__ = ["SweepResult", "run_batch", "sweep"]

Item = tuple[str, dict[str, Any], int]  # run key, axis values, seed
RUNS_PER_TASK_MAX = 256  # a task of a few seconds at most keeps the progress bar moving
TASKS_PER_WORKER = 4  # enough tasks per worker to balance uneven runs
SCHEDULER_TIMEOUT = "10s"  # to connect to a remote scheduler


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What a sweep produced."""

    table: pd.DataFrame
    """One row per variant and seed (see :func:`aidc.sweep.store.tidy`)."""
    axes: dict[str, list[Any]]
    n_runs: int
    n_reused: int
    """Runs found finished in the journal (``resume``) and not run again."""
    n_failed: int
    wall_s: float
    out_dir: Path | None


def _record(key: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        outputs, status, error = fn(), "ok", ""
    except InputError as exc:
        outputs, status, error = {}, "failed", f"InputError: {exc}"
    except Exception as exc:  # a failing variant is recorded; the others go on
        outputs, status, error = {}, "failed", f"{type(exc).__name__}: {exc}"
    return {"key": key, "status": status, "error": error,
            "elapsed_s": time.perf_counter() - t0, "outputs": outputs}


def run_batch(
    base: Mapping[str, Any], items: list[Item], stages: Mapping[str, Stage]
) -> list[dict[str, Any]]:
    """Run a batch of sweep runs; return one record per run, never raising for one run.

    Parameters
    ----------
    base : mapping
        The base scenario dict (:func:`aidc.sweep.grid.base_dict`).
    items : list of (key, values, seed)
        The runs: resume key, axis path -> value, seed.
    stages : mapping of str to Stage
        What to compute (:func:`aidc.sweep.stages.resolve`).

    Returns
    -------
    list of dict
        ``{key, status ('ok' or 'failed'), error, elapsed_s, outputs}`` per run.
    """
    return [_record(key, functools.partial(_evaluate_one, base, values, seed, stages))
            for key, values, seed in items]


def _evaluate_one(base: Mapping[str, Any], values: dict[str, Any], seed: int,
                  stages: Mapping[str, Stage]) -> dict[str, Any]:
    return evaluate(variant_dict(base, values, seed), stages)


class _Packed:
    """A batch's items in a box Dask does not look into.

    Dask walks the lists, tuples and dicts of task arguments for futures: for thousands
    of small dicts that costs more than pickling them.
    """

    __slots__ = ("items",)

    def __init__(self, items: list[Item]) -> None:
        self.items = items

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Packed, (self.items,))


def _run_packed(base: Mapping[str, Any], packed: _Packed,
                stages: Mapping[str, Stage]) -> list[dict[str, Any]]:
    return run_batch(base, packed.items, stages)


def _batches(runs: list[Run], size: int) -> list[list[Item]]:
    items = [(r.key, dict(r.values), r.seed) for r in runs]
    return [items[i: i + size] for i in range(0, len(items), size)]


def _run_synchronous(base: dict[str, Any], batches: list[list[Item]], stages: Mapping[str, Stage],
                     ) -> Iterator[list[dict[str, Any]]]:
    for items in batches:
        yield run_batch(base, items, stages)


def _run_dask(client: Any, base: dict[str, Any], batches: list[list[Item]],
              stages: Mapping[str, Stage]) -> Iterator[list[dict[str, Any]]]:
    from distributed import as_completed

    [base_f] = client.scatter([base], broadcast=True)
    futures = {client.submit(_run_packed, base_f, _Packed(items), stages, pure=False): items
               for items in batches}
    try:
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a lost worker: report the batch, do not journal it
                yield [{"key": key, "status": "failed", "error": f"batch lost: {type(exc).__name__}: {exc}",
                        "elapsed_s": float("nan"), "outputs": {}, "lost": True}
                       for key, _, _ in futures[future]]
    finally:
        client.cancel(list(futures))


@contextlib.contextmanager
def _client(scheduler: Any, n_workers: int | None) -> Iterator[Any]:
    """Yield a Dask client (None for the in-process scheduler), closing what it opened."""
    if scheduler == "synchronous":
        yield None
        return
    if scheduler is not None and not isinstance(scheduler, str):  # an existing distributed.Client
        yield scheduler
        return
    from distributed import Client, LocalCluster

    if scheduler is None:
        # silence_logs: the cluster is ours, its shutdown chatter ("still alive, killing") is not news
        with LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1,
                          processes=True, host="127.0.0.1", dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            yield client
    else:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except OSError as exc:  # a wrong address is bad input, not a crash
            raise InputError.single(f"cannot reach the Dask scheduler: {exc}", field="scheduler",
                                    found=scheduler, expected="the address of a running scheduler") from None
        with client:
            yield client


def _n_workers(client: Any) -> int:
    if client is None:
        return 1
    return max(1, len(client.scheduler_info().get("workers", {})))


def _prepare_out(out_dir: Path | None, resume: bool, fresh: bool) -> dict[str, dict[str, Any]]:
    if out_dir is None:
        return {}
    out_dir.mkdir(parents=True, exist_ok=True)
    journal = out_dir / store.JOURNAL
    if fresh:
        journal.unlink(missing_ok=True)
    elif journal.exists() and not resume:
        raise InputError.single(
            "this folder holds results of an earlier sweep", file=str(out_dir),
            expected="--resume to continue it, --fresh to start again, or another --out",
        )
    return store.read_journal(out_dir)


def sweep(
    scenario: Scenario,
    stages: list[str] | tuple[str, ...] = ("scenario",),
    *,
    stage_table: Mapping[str, Any] | None = None,
    scheduler: Any = None,
    n_workers: int | None = None,
    out_dir: Path | None = None,
    resume: bool = False,
    fresh: bool = False,
    retry_failed: bool = False,
    n_seeds: int | None = None,
    runs_per_task: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run every variant × seed of a scenario's sweep and return the tidy table.

    Parameters
    ----------
    scenario : Scenario
        Base scenario with its ``sweep`` axes and ``n_seeds``.
    stages : list of str
        Stage names to compute (:data:`aidc.sweep.stages.STAGES`, or keys of ``stage_table``);
        the stages they need are added.
    stage_table : mapping, optional
        Stages to choose from instead of the library's (name -> Stage or ``fn(scenario) -> dict``).
    scheduler : None, "synchronous", str or distributed.Client
        None starts a local Dask cluster on 127.0.0.1 with ``n_workers`` processes;
        ``"synchronous"`` runs in this process; a string is the address of a running Dask
        scheduler (``tcp://host:8786``); a ``Client`` is used as it is.
    n_workers : int, optional
        Workers of the local cluster (default: the number of cores).
    out_dir : Path, optional
        Folder of the journal, the table (Parquet + CSV) and the charts; None keeps all in memory.
    resume : bool
        Continue a sweep in ``out_dir``: runs found in its journal are not run again.
    fresh : bool
        Discard the journal in ``out_dir`` and start again.
    retry_failed : bool
        With ``resume``, run again the runs that failed.
    n_seeds : int, optional
        Override of ``scenario.n_seeds``.
    runs_per_task : int, optional
        Runs per Dask task; default: spread over about 4 tasks per worker, at most 256.
    on_progress : callable, optional
        Called as ``on_progress(n_done, n_total)`` after each batch.

    Returns
    -------
    SweepResult

    Raises
    ------
    InputError
        A bad axis or value, an unknown stage, or an ``out_dir`` holding another sweep.
    """
    t0 = time.perf_counter()
    chosen = resolve(list(stages), stage_table)
    base, runs = expand(scenario, tuple(chosen), n_seeds)
    axes = {path: list(values) for path, values in (scenario.sweep or {}).items()}
    done = _prepare_out(out_dir, resume, fresh)
    if retry_failed:
        done = {k: r for k, r in done.items() if r.get("status") == "ok"}
    todo = [r for r in runs if r.key not in done]
    records = {r.key: done[r.key] for r in runs if r.key in done}
    progress = on_progress or (lambda n, total: None)
    progress(len(records), len(runs))
    if todo:
        with _client(scheduler, n_workers) as client:
            n_tasks = _n_workers(client) * TASKS_PER_WORKER
            size = runs_per_task or min(RUNS_PER_TASK_MAX, -(-len(todo) // n_tasks))
            batches = _batches(todo, size)
            results = (_run_synchronous(base, batches, chosen) if client is None
                       else _run_dask(client, base, batches, chosen))
            for batch in results:
                if out_dir is not None:
                    store.append(out_dir, [r for r in batch if not r.get("lost")])
                records.update((r["key"], r) for r in batch)
                progress(len(records), len(runs))
    table = store.tidy(runs, records)
    n_failed = int((table["status"] != "ok").sum()) if len(table) else 0
    result = SweepResult(table, axes, len(runs), len(runs) - len(todo), n_failed,
                         time.perf_counter() - t0, out_dir)
    if out_dir is not None:
        store.write_table(out_dir, table)
        charts.write_html(charts.build(table, list(axes)), out_dir / "charts.html",
                          f"aidc sweep of {scenario.name}")
        store.write_manifest(out_dir, scenario, list(chosen), result.n_runs, n_failed)
    return result
