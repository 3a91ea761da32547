"""Design stage speed: one design, and 10,000 scenario variants (IT capacity x mix x cooling)."""

from __future__ import annotations

import itertools
import time

import numpy as np

from aidc.design import size
from aidc.scenario import Scenario, load_scenario
from benchmarks._common import Row, best_of

N_VARIANTS = 10_000


def variants(n: int = N_VARIANTS) -> list[Scenario]:
    """``n`` copies of jeonbuk-ai varying IT capacity, GPU share and the AI hall's cooling."""
    base = load_scenario("jeonbuk-ai")
    caps = np.linspace(1_000, 40_000, 100)
    shares = np.linspace(0.5, 0.9, 25)
    coolings = ("air", "rear_door", "direct_liquid", "rear_door")
    out = []
    for cap, share, cooling in itertools.islice(itertools.product(caps, shares, coolings), n):
        rest = (1 - share) / 2
        halls = [base.facility.halls[0].model_copy(update={"cooling": cooling}), base.facility.halls[1]]
        out.append(base.model_copy(update={
            "power": base.power.model_copy(update={"it_capacity_kw": float(cap)}),
            "fleet": base.fleet.model_copy(update={"mix": {"dgx_h100": float(share), "cpu_cloud": rest,
                                                           "storage_node": rest}}),
            "facility": base.facility.model_copy(update={"halls": halls}),
        }))
    return out


def run() -> list[Row]:
    one = load_scenario("jeonbuk-ai")
    size(one)  # warm the catalog caches
    n_one = 200
    t_one = best_of(lambda: [size(one) for _ in range(n_one)]) / n_one
    many = variants()
    t0 = time.perf_counter()
    designs = [size(s) for s in many]
    t_many = time.perf_counter() - t0
    n_fail = sum(not d.ok for d in designs)
    return [
        Row("one design (jeonbuk-ai)", t_one * 1e3, "ms", target="< 5 ms", target_value=5.0),
        Row(f"{N_VARIANTS:,} variants, total", t_many, "s", target="< 50 s", target_value=50.0,
            note=f"IT 1-40 MW x GPU share x cooling; {n_fail:,} do not fit the site"),
        Row("per variant", t_many / N_VARIANTS * 1e3, "ms", target="< 5 ms", target_value=5.0),
    ]
