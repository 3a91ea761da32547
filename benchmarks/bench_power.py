"""Power-aware year: the default fleet's year, metered in 15-minute intervals, with one control.

Whole processes (``aidc simulate jeonbuk-aidc [--power ...] --json``, the default scenario): the
plain simulation is the baseline, the power-aware run adds the 15-minute coupling (35,040
intervals), the bill and the control. In-process rows time the coupling and each control on a
simulated year.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from aidc.scenario import DEFAULT_SCENARIO
from benchmarks._common import Row, best_of

ROOT = Path(__file__).resolve().parents[1]
CHILD = "import sys; from aidc.cli import main; sys.argv[0] = 'aidc'; main()"  # what the aidc script runs


def _process_s(*args: str) -> float:
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, "simulate", DEFAULT_SCENARIO, *args, "--json"], check=True,
                   capture_output=True, env=env)
    return time.perf_counter() - t0


def run() -> list[Row]:
    from aidc import demand, design, power
    from aidc import simulate as sim
    from aidc.scenario import load_scenario

    plain = _process_s()
    tou = _process_s("--power", "--shift", "tou")
    s = load_scenario(DEFAULT_SCENARIO)
    dem = demand.estimate(demand.load_survey(s), s)
    des = design.size(s, dem)
    year = sim.run_scenario(s, des, dem)
    st = power.setup(s, des, len(year.jobs))
    base = power.evaluate(year, st)
    cap_kw = 0.97 * base.summary["peak_demand_kw"]
    capped = _process_s("--power", "--cap-kw", f"{cap_kw:.0f}")
    gpu_capped = _process_s("--power", "--cap-kw", f"{cap_kw:.0f}", "--gpu-cap")
    t_meter = best_of(lambda: power.evaluate(year, st), repeat=3)
    t_tou = best_of(lambda: power.evaluate(year, st, power.PowerControls(shift="tou")), repeat=3)
    t_cap = best_of(lambda: power.evaluate(year, st, power.PowerControls(cap_kw=cap_kw)), repeat=2)
    t_gpu = best_of(
        lambda: power.evaluate(year, st, power.PowerControls(cap_kw=cap_kw, gpu_capping=True)), repeat=2
    )
    note = f"load average {os.getloadavg()[0]:.1f}; {len(year.jobs):,} jobs"
    return [
        Row("power-aware year, TOU shifting (whole process)", tou, "s", target="< 5 s", target_value=5.0,
            baseline=plain, note=f"baseline: the same year without --power; {note}"),
        Row("power-aware year, demand cap at 97 % of peak (whole process)", capped, "s", target="< 5 s",
            target_value=5.0, baseline=plain, note=f"baseline: the same year without --power; {note}"),
        Row("power-aware year, cap at 97 % with GPU power capping (whole process)", gpu_capped, "s",
            baseline=plain, note=f"cap alone and cap with capping, beside no control; {note}"),
        Row("15-minute coupling and bill, 35,040 intervals", t_meter * 1e3, "ms", note="no control"),
        Row("TOU shifting of the year's job log", t_tou * 1e3, "ms", note="coupling and bill included"),
        Row("demand cap on the year's job log", t_cap * 1e3, "ms", note="coupling and bill included"),
        Row("demand cap with GPU power capping on the year's job log", t_gpu * 1e3, "ms",
            note="coupling and bill included"),
    ]
