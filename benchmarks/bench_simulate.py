"""Speed of the operations twin: 1,000,000 jobs on 6,144 GPUs (8 MW of 8-GPU servers).

Each case runs in a fresh Python process so that its peak memory (``ru_maxrss``: the whole
process, interpreter, numpy and pandas included) is its own. The figure is the CPU time of
that process (``time.process_time``): the machine is shared, so wall time depends on what
else runs; wall time is in the note. The SimPy baseline
(``benchmarks/simpy_baseline.py``) runs the same strict-FIFO pooled model once; its start
times must equal aidc's.

``python -m benchmarks simulate`` prints: jobs, policy, seconds, jobs/s, peak memory and
the ratio to the SimPy baseline. ``AIDC_BENCH_JOBS`` sets a smaller trace for a quick look.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._common import Row

N_JOBS = int(os.environ.get("AIDC_BENCH_JOBS", "1000000"))
N_GPUS = 6144  # 768 servers of 8 GPUs: 8 MW at ~10.2 kW per DGX H100 + network
LOAD_FRAC = 0.8  # offered load: GPU-hours asked / GPU-hours available


def synthetic_trace(n_jobs: int, n_gpus: int, load_frac: float, seed: int = 0) -> pd.DataFrame:
    """Return a Philly-like trace: mostly 1-GPU jobs, heavy-tailed run times, Poisson arrivals.

    Sizes and the log-normal run time (median 15 min) follow the shape of the Philly trace
    (Jeon et al., ATC'19: most jobs use one GPU; run times span seconds to weeks); the
    arrival rate is set so that the offered load is ``load_frac`` of the cluster.
    """
    rng = np.random.default_rng(seed)
    sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256])
    probs = np.array([0.70, 0.10, 0.08, 0.07, 0.025, 0.015, 0.006, 0.003, 0.001])
    n = rng.choice(sizes, n_jobs, p=probs / probs.sum())
    duration_s = np.minimum(np.round(rng.lognormal(np.log(900.0), 2.0, n_jobs)), 14 * 86400.0)
    mean_gpu_s = float((n * duration_s).mean())
    gap_s = mean_gpu_s / (n_gpus * load_frac)
    submit_s = np.round(np.cumsum(rng.exponential(gap_s, n_jobs)))
    return pd.DataFrame({"job_id": np.arange(n_jobs).astype(str), "tenant": rng.choice(
        ["university", "startup", "public", "industry"], n_jobs, p=[0.4, 0.2, 0.1, 0.3]),
        "submit_s": submit_s, "n_gpus": n, "duration_s": duration_s})


CHILD = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from benchmarks.bench_simulate import synthetic_trace, N_GPUS, LOAD_FRAC
case, n_jobs = sys.argv[2], int(sys.argv[3])
jobs = synthetic_trace(n_jobs, N_GPUS, LOAD_FRAC)
from benchmarks.simpy_baseline import simpy_fifo_start_s  # imports are not timed
from aidc import data, simulate as sim
data.value("simulation.slowdown_min_duration_s")  # the defaults files are read once per process
t0, c0 = time.perf_counter(), time.process_time()
if case == "simpy":
    start = simpy_fifo_start_s(jobs["submit_s"].to_numpy(), jobs["n_gpus"].to_numpy(),
                               jobs["duration_s"].to_numpy(), N_GPUS)
else:
    policy, placement = case.split(":")
    params = {"shares": {"university": 0.4, "startup": 0.2, "public": 0.1, "industry": 0.3}} \
        if policy == "fair_share" else None
    r = sim.run(jobs, sim.Cluster(N_GPUS, 8, placement), policy, policy_params=params)
    start = r.jobs["start_s"].to_numpy()
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
np.save(sys.argv[4], start)
print(json.dumps({"seconds": cpu, "wall_s": wall,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(case: str, n_jobs: int, out: Path) -> dict[str, float]:
    root = str(Path(__file__).resolve().parents[1])
    proc = subprocess.run([sys.executable, "-c", CHILD, root, case, str(n_jobs), str(out)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run() -> list[Row]:
    """Run the SimPy baseline once and aidc's policies on the same trace; return the table rows."""
    import tempfile

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = _run("simpy", N_JOBS, Path(tmp) / "simpy.npy")
        cases = [("fifo:pooled", ">= 30x faster than SimPy"), ("easy:pooled", "< 30 s"),
                 ("fair_share:pooled", "< 30 s"), ("fifo:node", ""), ("easy:node", "")]
        for case, target in cases:
            got = _run(case, N_JOBS, Path(tmp) / f"{case}.npy")
            same = ""
            if case == "fifo:pooled":
                equal = np.array_equal(np.load(Path(tmp) / "simpy.npy"), np.load(Path(tmp) / f"{case}.npy"))
                same = "start times identical to SimPy" if equal else "START TIMES DIFFER FROM SimPy"
            note = (f"{N_JOBS:,} jobs, {N_GPUS:,} GPUs; {N_JOBS / got['seconds']:,.0f} jobs/s; "
                    f"peak {got['peak_mb']:,.0f} MB; wall {got['wall_s']:,.1f} s; {same}").rstrip("; ")
            fifo = case == "fifo:pooled"
            limit_s = base["seconds"] / 30 if fifo else (30.0 if target else None)
            rows.append(Row(f"{case} CPU seconds", got["seconds"], "s", target,
                            base["seconds"] if fifo else None, note, target_value=limit_s))
            if fifo:
                rows.append(Row(f"{case} peak memory", got["peak_mb"], "MB", "< 500 MB", None,
                                "whole process: interpreter, numpy, pandas, trace and job log",
                                target_value=500.0))
        rows.append(Row("simpy fifo:pooled CPU seconds", base["seconds"], "s", "baseline", None,
                        f"{N_JOBS / base['seconds']:,.0f} jobs/s; peak {base['peak_mb']:,.0f} MB; "
                        f"wall {base['wall_s']:,.1f} s"))
    return rows
