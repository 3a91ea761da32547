"""Derive fixed-allocation run times of the Pollux workloads' jobs, as Pollux's Tiresias baseline runs them.

Usage (from the repository root; the profiles are not shipped, see PROVENANCE.md)::

    python tests/data/pollux/derive_durations.py ../shared/data/traces/pollux \
        > tests/data/pollux/durations.csv

Under Tiresias the Pollux simulator runs each job with the workload's ``num_replicas`` GPUs and
``batch_size`` fixed. Its job model (the paper's sec. 5.1 and the artifact's profiles) then
gives a run time: the job trains ``max_epochs`` epochs; epoch ``e`` needs the progress between
two validation points, and progress accrues at ``goodput = gain / step time``, with the
step time measured for the placement and per-GPU batch (interpolated in batch size, or across
placements from the scalability profile) and the statistical gain
``(var + sqr) / (var / scale + sqr)`` of the batch size's gradient statistics. This script is
our own re-derivation of that model (placement: the job packed on 4-GPU nodes, as Tiresias'
allocator gives it on an idle cluster); it prints ``job_id,application,n_gpus,duration_s``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.interpolate import LinearNDInterpolator

# epochs per application and overrides of the profiles' batch-size range, as the artifact sets them
MAX_EPOCHS = {"bert": 2, "cifar10": 100, "ncf": 10, "imagenet": 90, "deepspeech2": 80, "yolov3": 50}
MAX_LOCAL_BSZ = {"yolov3": 8}
GPUS_PER_NODE = 4


class Profile:
    """Measured step times and validation curves of one application."""

    def __init__(self, folder: Path) -> None:
        self.name = folder.name
        curves = {int(p.stem.split("-")[-1]): pd.read_csv(p) for p in folder.glob("validation-*.csv")}
        self.validation = dict(sorted(curves.items()))
        self.placements = pd.read_csv(folder / "placements.csv")
        self.placements["num_nodes"] = self.placements["placement"].astype(str).str.len()
        self.placements["num_replicas"] = self.placements["placement"].astype(str).map(
            lambda p: sum(int(c) for c in p))
        self.scalability = pd.read_csv(folder / "scalability.csv")
        self.init_bsz = min(self.validation)
        self.max_bsz = max(self.validation)
        self.max_local_bsz = MAX_LOCAL_BSZ.get(self.name, int(self.placements["local_bsz"].max()))
        self.max_epochs = MAX_EPOCHS[self.name]

    def progress(self, epoch: int) -> float:
        """Progress (in the profile's units) at the start of ``epoch``: the least over batch sizes."""
        return 0.0 if epoch == 0 else min(float(df["progress"][epoch - 1]) for df in self.validation.values())

    def grad_stats(self, bsz: float, epoch: int) -> tuple[float, float]:
        """Gradient square norm and variance in ``epoch``, linear in batch size between profiles."""
        sizes = list(self.validation)
        lo = max(s for s in sizes if s <= bsz)
        hi = min(s for s in sizes if s >= bsz)
        a, b = self.validation[lo], self.validation[hi]
        w = 0.0 if hi == lo else (bsz - lo) / (hi - lo)
        sqr = (1 - w) * a["grad_sqr"][epoch] + w * b["grad_sqr"][epoch]
        var = (1 - w) * a["grad_var"][epoch] + w * b["grad_var"][epoch]
        return float(sqr), float(var)

    def step_time_s(self, placement: tuple[int, ...], local_bsz: float) -> tuple[float, float]:
        """Step and synchronisation time of one step on ``placement`` with ``local_bsz`` per GPU."""
        rotations = [placement[i:] + placement[:i] for i in range(len(placement))]
        key = int("".join(map(str, min(rotations))))
        rows = self.placements[self.placements["placement"] == key]
        if len(rows):
            step = np.interp(local_bsz, rows["local_bsz"], rows["step_time"])
            sync = np.interp(local_bsz, rows["local_bsz"], rows["sync_time"])
            return float(step), float(sync)
        xs, ys = ["num_nodes", "num_replicas", "local_bsz"], ["step_time", "sync_time"]
        table = pd.concat([self.placements.groupby(xs)[xs + ys].mean(), self.scalability], ignore_index=True)
        interp = LinearNDInterpolator(table[xs].to_numpy(float), table[ys].to_numpy(float))
        step, sync = interp([min(len(placement), 16), sum(placement), local_bsz])[0]
        return float(step), float(sync)


def duration_s(app: Profile, n_gpus: int, batch_size: int) -> float:
    """Run time of a job of ``n_gpus`` GPUs and a fixed total batch, packed on 4-GPU nodes."""
    whole, rest = divmod(n_gpus, GPUS_PER_NODE)
    placement = (GPUS_PER_NODE,) * whole + ((rest,) if rest else ())
    local = math.ceil(batch_size / n_gpus - 1e-8)
    accum = math.ceil(local / app.max_local_bsz - 1e-8) - 1  # gradient accumulation steps beyond the first
    if n_gpus == 1 and batch_size > app.init_bsz:
        accum = max(1, accum)
    atomic = math.ceil(local / (accum + 1) - 1e-8)
    atomic = min(atomic, int(app.max_bsz / (n_gpus * (accum + 1))))
    bsz = n_gpus * atomic * (accum + 1)
    step, sync = app.step_time_s(placement, atomic)
    total_s = 0.0
    for epoch in range(app.max_epochs):
        sqr, var = app.grad_stats(bsz, epoch)
        gain = (var + sqr) / (var / (bsz / app.init_bsz) + sqr)
        goodput = gain / (step + (step - sync) * accum)
        total_s += round((app.progress(epoch + 1) - app.progress(epoch)) / goodput)
    return total_s


def main(root: Path) -> None:
    apps = {p.name: Profile(p) for p in sorted((root / "traces").iterdir())}
    rows = []
    for path in sorted((root / "workloads").glob("workload-*.csv")):
        for job in pd.read_csv(path).itertuples():
            rows.append((path.stem, job.name, job.application, job.num_replicas,
                         duration_s(apps[job.application], int(job.num_replicas), int(job.batch_size))))
    out = pd.DataFrame(rows, columns=["workload", "job_id", "application", "n_gpus", "duration_s"])
    out.to_csv(sys.stdout, index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
