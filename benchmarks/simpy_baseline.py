"""The baseline a planner would otherwise write: a SimPy model of a pooled GPU cluster, strict FIFO.

One process per job asks a ``simpy.Container`` of GPUs for its GPU count, holds it for its
duration, and gives it back. SimPy's container serves requests strictly in order (its
``_trigger_get`` stops at the first request that cannot be met), so this is strict FIFO
with pooled placement: the same model as ``aidc.simulate`` with ``policy="fifo"``.

Run as a script (``python simpy_baseline.py TRACE.csv GPUS OUT.npy``) it is the whole
process a planner would run: read the canonical trace with pandas, simulate, save the
start times in submission order.
"""

from __future__ import annotations

import sys
from collections.abc import Generator

import numpy as np
import simpy


def simpy_fifo_start_s(submit_s: np.ndarray, n_gpus: np.ndarray, duration_s: np.ndarray,
                       capacity_gpus: int) -> np.ndarray:
    """Return each job's start time [s] under strict FIFO on ``capacity_gpus`` pooled GPUs (SimPy)."""
    env = simpy.Environment()
    pool = simpy.Container(env, capacity=capacity_gpus, init=capacity_gpus)
    submit, need, length = submit_s.tolist(), n_gpus.tolist(), duration_s.tolist()
    start = [0.0] * len(submit)

    def job(i: int) -> Generator[simpy.Event, object, None]:
        yield pool.get(need[i])
        start[i] = env.now
        yield env.timeout(length[i])
        yield pool.put(need[i])

    def source() -> Generator[simpy.Event, object, None]:
        for i, t in enumerate(submit):
            if t > env.now:
                yield env.timeout(t - env.now)
            env.process(job(i))

    env.process(source())
    env.run()
    return np.asarray(start)


def main(argv: list[str]) -> None:
    """Read a canonical trace CSV, simulate it on ``GPUS`` pooled GPUs, save the start times."""
    import pandas as pd

    path, gpus, out = argv[0], int(argv[1]), argv[2]
    jobs = pd.read_csv(path).sort_values("submit_s", kind="stable")
    start = simpy_fifo_start_s(jobs["submit_s"].to_numpy(float), jobs["n_gpus"].to_numpy(),
                               jobs["duration_s"].to_numpy(float), gpus)
    np.save(out, start)  # in submission order (stable), as aidc's job log


if __name__ == "__main__":
    main(sys.argv[1:])
