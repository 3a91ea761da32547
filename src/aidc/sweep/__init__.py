"""Scenario sweeps and Monte Carlo on Dask.

A scenario's ``sweep:`` section lists axes (dotted field path -> values); the variants are
their cartesian product, each run with seeds ``seed, seed+1, ...`` (``n_seeds``). Each run is
a pure function of its scenario dict and the chosen stages, mapped in batches over Dask (a
local cluster, a remote scheduler, or this process), and the results form one tidy table.

>>> from aidc import load_scenario
>>> s = load_scenario().model_copy(update={"sweep": {"site.max_floors": [3, 5]}})
>>> sweep(s, ["scenario"], scheduler="synchronous").table[["site.max_floors", "status"]].values.tolist()
[[3, 'ok'], [5, 'ok']]
"""

from aidc.sweep.grid import Run, expand, set_path, variant_dict
from aidc.sweep.runner import SweepResult, run_batch, sweep
from aidc.sweep.stages import STAGES, Stage, available, evaluate, resolve

__all__ = [
    "STAGES",
    "Run",
    "Stage",
    "SweepResult",
    "available",
    "evaluate",
    "expand",
    "resolve",
    "run_batch",
    "set_path",
    "sweep",
    "variant_dict",
]
