"""The default run end to end: ``aidc.run`` on the shipped scenarios, then the report.

Target (issue 7): the default run (jeonbuk-phase1, every stage that exists) in under 60 s on
2 cores. Also timed: each stage, the report in both languages (HTML + xlsx + data), and the
same for jeonbuk-ai, whose GPUs make the operations simulation run too.
"""

from __future__ import annotations

import tempfile
import time
import warnings

import aidc
from aidc import report
from benchmarks._common import Row

TARGET_RUN_S = 60.0


def _timed(fn):  # -> (result, seconds)
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run() -> list[Row]:
    rows: list[Row] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a benchmark measures; the tests police warnings
        for name in ("jeonbuk-phase1", "jeonbuk-ai"):
            scenario = aidc.load_scenario(name)
            result, run_s = _timed(lambda s=scenario: aidc.run(s))
            with tempfile.TemporaryDirectory() as folder:
                _, en_s = _timed(lambda r=result, f=folder: report.build(r, "en", f"{f}/en"))
                _, ko_s = _timed(lambda r=result, f=folder: report.build(r, "ko", f"{f}/ko"))
            missing = ", ".join(result.missing) or "none"
            rows.append(Row(f"{name}: aidc.run", run_s, "s", target=f"< {TARGET_RUN_S:g} s" if name ==
                            "jeonbuk-phase1" else "", target_value=TARGET_RUN_S if name == "jeonbuk-phase1"
                            else None, note=f"stages not run: {missing}"))
            rows.extend(Row(f"{name}: {stage}", t, "s") for stage, t in result.timings_s.items())
            rows.append(Row(f"{name}: report en (html+xlsx+data)", en_s, "s"))
            rows.append(Row(f"{name}: report ko (html+xlsx+data)", ko_s, "s"))
            rows.append(Row(f"{name}: run + one report", run_s + en_s, "s", target=f"< {TARGET_RUN_S:g} s",
                            target_value=TARGET_RUN_S, note="what `aidc run` does"))
    return rows
