"""Slurm accounting import, checked on fixtures written from sacct(1) and on the twin's own year.

Fixtures: tests/data/ops/README.md (SchedMD, sacct(1), https://slurm.schedmd.com/sacct.html).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.errors import InputError
from aidc.ops import import_records, monthly, summary, write_sacct
from aidc.ops.sacct import Skipped, elapsed_s, format_elapsed, read_sacct
from aidc.ops.twin import operations_record, replay

from .conftest import DATA


def test_awkward_records_by_hand() -> None:
    """Steps and unexpanded arrays are skipped; array tasks and het. components are jobs (sacct(1))."""
    skipped = Skipped()
    jobs = read_sacct(DATA / "sacct_awkward.txt", skipped).set_index("job_id")
    assert list(jobs.index) == ["1001", "1002_4", "1003+0", "1003+1", "1004", "1005", "1007"]
    assert [why for _, _, why in skipped.rows] == ["job step (not an allocation)"] * 3 + [
        "pending array tasks not yet expanded"
    ]
    assert [line for _, line, _ in skipped.rows] == [3, 4, 6, 11]
    assert jobs.loc["1002_4", "elapsed_s"] == 2 * 24 * 3600 + 2 * 3600  # 2-02:00:00
    assert jobs.loc["1002_4", "gpu_type"] == "h100_sxm"
    assert jobs.loc["1003+0", "state"] == "CANCELLED"  # "CANCELLED by 1234"
    assert jobs.loc["1003+1", "n_gpus"] == 0  # the CPU component of the heterogeneous job
    assert jobs.loc["1004", "n_gpus"] == 4  # pending: GPUs asked for (ReqTRES)
    assert math.isnan(jobs.loc["1004", "wait_s"])
    assert pd.isna(jobs.loc["1004", "start"])
    assert pd.isna(jobs.loc["1005", "end"])
    assert jobs.loc["1005", "gpu_h"] == 1 * 24
    assert pd.isna(jobs.loc["1007", "start"])  # Start 'None': cancelled before it ran
    assert jobs["wait_s"].tolist()[:3] == [30 * 60, 0.0, 12 * 3600]
    assert jobs["gpu_h"].sum() == 2 * 2 + 8 * 50 + 16 * 12 + 1 * 24


def test_monthly_and_accounts_by_hand() -> None:
    """Classes by account, then partition; waits by submit month, GPU-hours in the months run."""
    rec = import_records(sacct=DATA / "sacct_awkward.txt", accounts=DATA / "accounts.csv")
    table = monthly(rec.jobs).set_index(["month", "tenant_class"])
    assert rec.jobs.set_index("job_id").loc["1007", "tenant_class"] == "university"  # partition edu
    assert table.loc[("2028-03", "university"), "gpu_h"] == pytest.approx(2 * 2 + 8 * 50)
    assert table.loc[("2028-03", "university"), "mean_wait_h"] == pytest.approx((0.5 + 0.0) / 2)
    assert table.loc[("2028-03", "research"), "gpu_h"] == pytest.approx(16 * 12)
    assert table.loc[("2028-03", "research"), "peak_gpus"] == pytest.approx(16)
    assert table.loc[("2028-04", "startup_sme"), "gpu_h"] == pytest.approx(24)
    assert table.loc[("2028-04", "university"), "n_jobs"] == 1
    out = summary(rec)
    assert (out["n_jobs"], out["gpu_h"]) == (7, 620.0)
    assert out["skipped"] == {"job step (not an allocation)": 3, "pending array tasks not yet expanded": 1}


def test_malformed_rows_name_file_line_and_field() -> None:
    with pytest.raises(InputError) as err:
        read_sacct(DATA / "sacct_malformed.txt")
    where = [(p.line, p.field) for p in err.value.problems]
    assert where == [
        (2, "Submit"),
        (3, "Elapsed"),
        (4, "State"),
        (5, "Start"),
        (6, "AllocTRES"),
        (7, "JobID"),
        (8, None),
    ]
    assert all(p.file is not None and p.file.endswith("sacct_malformed.txt") for p in err.value.problems)


@given(st.integers(min_value=0, max_value=400 * 86_400))
def test_elapsed_round_trip(seconds: int) -> None:
    assert elapsed_s(format_elapsed(seconds)) == seconds


def test_twin_year_round_trips_through_sacct_exactly(plan, tmp_path) -> None:
    """A year the twin generated, written as sacct output and read back: same GPU-hours and waits."""
    scenario, demand, design = plan
    log, t0 = operations_record(scenario, demand, design, (scenario.start_year,))
    assert (log["wait_s"] > 0).sum() > 100  # the small fleet queues: waits are worth recovering
    path = tmp_path / "sacct.txt"
    path.write_text(write_sacct(log, t0), encoding="utf-8")
    jobs = import_records(sacct=path).jobs
    assert jobs["job_id"].tolist() == log["job_id"].astype(str).tolist()
    assert np.array_equal(jobs["wait_s"].to_numpy(), log["wait_s"].to_numpy())
    twin_gpu_h = float((log["n_gpus"] * log["duration_s"]).sum() / 3600)
    assert float(jobs["gpu_h"].sum()) == twin_gpu_h
    by_class = jobs.groupby("tenant_class")["gpu_h"].sum()
    assert by_class.to_dict() == pytest.approx(
        log.assign(h=log["n_gpus"] * log["duration_s"] / 3600)
        .groupby("tenant", observed=True)["h"]
        .sum()
        .to_dict(),
        rel=1e-12,
    )
    # the replay of the imported jobs on the same fleet predicts exactly the waits observed
    again, t0_again = replay(jobs, scenario, design)
    assert t0_again == t0
    assert np.array_equal(again["wait_s"].to_numpy(), log["wait_s"].to_numpy())
