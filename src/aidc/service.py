"""Size the GPU fleet to service levels: the smallest fleet whose simulated waits meet them.

A scenario states, per tenant class, the 95th percentile of the queue wait it is promised
(``simulation.service_levels``: university courses p95 <= 1 h, LLM training <= 24 h, ...).
:func:`smallest_fleet` searches the number of GPU servers of the design's mix by bisection,
simulating the year's job stream (the coincident load of all classes together, not a sum of
each class's peak) on each candidate, and returns the curve of wait against GPUs, the smallest
fleet that meets every level, and the class that binds (the last one to be met).

This sits above the stages (like :mod:`aidc.pipeline`): it runs the simulate stage on fleets
derived from the design, so the design stage itself never imports a later stage.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from aidc.units import S_PER_H

if TYPE_CHECKING:
    from aidc.demand import Demand
    from aidc.design import Design
    from aidc.scenario import Scenario, ServerType


@dataclass(frozen=True, slots=True)
class FleetSizing:
    """What the search found.

    ``curve`` has one row per simulated fleet, fewest GPUs first: ``n_gpu_servers, n_gpus``, one
    ``p95_wait_h__<class>`` column per tenant class with a service level, and ``meets``.
    ``n_gpus`` is None when even the largest fleet tried misses a level.
    """

    curve: pd.DataFrame
    n_gpu_servers: int | None
    n_gpus: int | None
    binding_class: str | None
    servers: dict[str, int] | None


def scaled_fleet(servers: dict[str, int], gpu_keys: set[str], n_gpu_servers: int) -> dict[str, int]:
    """Return ``servers`` with the GPU server types scaled to ``n_gpu_servers`` in the same mix.

    Shares are rounded up, so a type present stays present.

    Examples
    --------
    >>> scaled_fleet({"a": 30, "b": 10, "cpu": 5}, {"a", "b"}, 8)
    {'a': 6, 'b': 2, 'cpu': 5}
    """
    total = sum(n for k, n in servers.items() if k in gpu_keys)
    return {k: (math.ceil(n * n_gpu_servers / total) if k in gpu_keys and total else n)
            for k, n in servers.items()}


def _p95_wait_h(
    scenario: Scenario, design: Design, demand: Demand, servers: dict[str, int],
) -> dict[str, float]:
    from aidc import simulate

    fleet = dataclasses.replace(design.fleet, servers=servers)
    result = simulate.run_scenario(scenario, dataclasses.replace(design, fleet=fleet), demand)
    tenants = result.tenants
    return {str(k): float(tenants.loc[k, "p95_wait_s"]) / S_PER_H if k in tenants.index else 0.0
            for k in scenario.simulation.service_levels}


def smallest_fleet(
    scenario: Scenario, design: Design, demand: Demand, *, max_factor: float = 4.0,
) -> FleetSizing:
    """Find the fewest GPU servers (in the design's mix) whose simulated p95 waits meet every level.

    Parameters
    ----------
    scenario : Scenario
        ``simulation.service_levels`` (p95 wait per tenant class [h]) and the simulation settings.
    design : Design
        The fleet whose GPU server mix is scaled; CPU and storage servers are kept.
    demand : Demand
        The year's job stream comes from it (``simulation.year``).
    max_factor : float
        Largest fleet tried, as a multiple of the design's GPU servers. [-]

    Returns
    -------
    FleetSizing
    """
    levels = {k: v.p95_wait_h for k, v in scenario.simulation.service_levels.items()}
    catalog = scenario.servers()
    gpu_keys = {k for k, n in design.fleet.servers.items() if catalog[k].n_gpus > 0 and n > 0}
    n_design = sum(design.fleet.servers[k] for k in gpu_keys)
    rows: dict[int, dict[str, float]] = {}

    def meets(n: int) -> bool:
        if n not in rows:
            rows[n] = _p95_wait_h(scenario, design, demand, scaled_fleet(design.fleet.servers, gpu_keys, n))
        return all(rows[n][k] <= levels[k] for k in levels)

    lo, hi = 0, max(1, math.ceil(n_design * max_factor))  # invariant: lo misses (0 GPUs), hi is tried
    if not levels or not gpu_keys or not meets(hi):
        return FleetSizing(_curve(rows, levels, design, gpu_keys, catalog), None, None,
                           _binding(rows, levels, hi) if rows else None, None)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if meets(mid) else (mid, hi)
    servers = scaled_fleet(design.fleet.servers, gpu_keys, hi)
    n_gpus = sum(n * catalog[k].n_gpus for k, n in servers.items())
    curve = _curve(rows, levels, design, gpu_keys, catalog)
    return FleetSizing(curve, sum(servers[k] for k in gpu_keys), n_gpus,
                       _binding(rows, levels, lo if lo in rows else hi), servers)


def _binding(rows: dict[int, dict[str, float]], levels: dict[str, float], n: int) -> str:
    """Return the class furthest over (or closest to) its level at ``n`` GPU servers."""
    return max(levels, key=lambda k: rows[n][k] / levels[k])


def _curve(
    rows: dict[int, dict[str, float]], levels: dict[str, float], design: Design, gpu_keys: set[str],
    catalog: dict[str, ServerType],
) -> pd.DataFrame:
    out = []
    for n in sorted(rows):
        servers = scaled_fleet(design.fleet.servers, gpu_keys, n)
        out.append({"n_gpu_servers": sum(servers[k] for k in gpu_keys),
                    "n_gpus": sum(servers[k] * catalog[k].n_gpus for k in gpu_keys),
                    **{f"p95_wait_h__{k}": rows[n][k] for k in levels},
                    "meets": all(rows[n][k] <= levels[k] for k in levels)})
    return pd.DataFrame(out)
