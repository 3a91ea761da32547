"""Economics stage speed: one ``economics.evaluate`` call per shipped scenario, as a sweep calls it.

A design-and-economics sweep (issue 9: 10,000 variants in < 60 s on 2 cores) calls
``evaluate(scenario, design, energy=None, simulation=None, demand=None)`` once per variant and
reads only ``summary``; the target is <= 5 ms of CPU per call. The tables (``capex``, ``opex``,
``revenue``, ``cash_flow``...) are built on first read, so the report/CLI path, which reads
them all, is timed apart. Figures are CPU time per call (``time.process_time``), which a
loaded machine disturbs less than wall time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import Row

SCENARIOS = ("jeonbuk-phase1", "jeonbuk-ai")
N_CALLS = 200
TARGET_MS = 5.0
TABLES = ("capex", "capex_by_year", "opex", "revenue", "cash_flow")
# CPU per call before the arithmetic moved to numpy arrays (commit 7818e0a, pandas tables built
# eagerly), measured with this module's method on the 2-core development machine (load ~10).
BASELINE_MS = {"jeonbuk-phase1": 46.6, "jeonbuk-ai": 43.5}


def _cpu_ms(fn: Callable[[], Any], n: int = N_CALLS) -> float:
    """Mean CPU time of ``n`` calls after one warm-up call [ms]."""
    fn()
    t0 = time.process_time()
    for _ in range(n):
        fn()
    return 1e3 * (time.process_time() - t0) / n


def run() -> list[Row]:
    from aidc import load_scenario
    from aidc.design import size
    from aidc.economics import evaluate

    rows = []
    for name in SCENARIOS:
        scenario = load_scenario(name)
        design = size(scenario, None)

        def sweep_call(s: Any = scenario, d: Any = design) -> Any:
            return evaluate(s, d, energy=None, simulation=None, demand=None).summary

        def with_tables(s: Any = scenario, d: Any = design) -> list[Any]:
            e = evaluate(s, d)
            return [getattr(e, t) for t in TABLES]

        npv_bn = sweep_call()["npv_krw"] / 1e9
        rows += [
            Row(f"evaluate, summary only ({name})", _cpu_ms(sweep_call), "ms", target=f"<= {TARGET_MS:g} ms",
                target_value=TARGET_MS, baseline=BASELINE_MS[name],
                note=f"as a design+economics sweep calls it; NPV {npv_bn:,.1f} bn KRW; baseline: "
                     "commit 7818e0a"),
            Row(f"evaluate + its 5 tables ({name})", _cpu_ms(with_tables, N_CALLS // 4), "ms",
                baseline=BASELINE_MS[name], note="the report/CLI path: every table read once"),
        ]
    return rows
