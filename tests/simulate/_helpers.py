"""Shared helpers of the simulate tests: build a trace, check the physical invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd


def trace(rows: list[tuple]) -> pd.DataFrame:
    """Build a canonical trace from ``(job_id, tenant, submit_s, n_gpus, duration_s[, priority])`` rows."""
    cols = ["job_id", "tenant", "submit_s", "n_gpus", "duration_s", "priority"][: len(rows[0])]
    return pd.DataFrame(rows, columns=cols)


def max_busy(log: pd.DataFrame) -> int:
    """Return the most GPUs busy at any instant (a job frees its GPUs at its end instant)."""
    t = np.concatenate([log["start_s"], log["end_s"]])
    dn = np.concatenate([log["n_gpus"], -log["n_gpus"]])
    order = np.lexsort((dn, t))  # at equal times, releases (negative) first
    return int(np.cumsum(dn[order]).max(initial=0))


def max_busy_per_node(log: pd.DataFrame, gpus_per_node: int) -> int:
    """Return the most GPUs used on any single node at any instant."""
    rows = []
    for _, job in log.iterrows():
        nodes = [int(x) for x in str(job["nodes"]).split(",") if x != ""]
        per_node = job["n_gpus"] if len(nodes) == 1 else gpus_per_node
        rows += [(node, job["start_s"], job["end_s"], per_node) for node in nodes]
    worst = 0
    for node in {r[0] for r in rows}:
        sub = pd.DataFrame([r[1:] for r in rows if r[0] == node], columns=["start_s", "end_s", "n_gpus"])
        worst = max(worst, max_busy(sub))
    return worst
