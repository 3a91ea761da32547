"""``aidc simulate --trace FILE --gpus N`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aidc.cli import app
from aidc.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "traces"
runner = CliRunner()


def test_json_by_hand() -> None:
    # canonical_tiny: j1 (4 GPUs, 100 s) and j2 (8 GPUs, 50 s) at 0, j3 (2 GPUs, 30 s) at 10 s; 8 GPUs, FIFO:
    # j1 0-100, j2 100-150, j3 may not pass j2: 150-180.
    tiny = str(DATA / "canonical_tiny.csv")
    res = runner.invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n_jobs"] == 3
    assert out["mean_wait_s"] == pytest.approx((0 + 100 + 140) / 3)
    assert out["mean_jct_s"] == pytest.approx((100 + 150 + 170) / 3)
    assert out["makespan_s"] == 180.0
    assert out["utilization_frac"] == pytest.approx((4 * 100 + 8 * 50 + 2 * 30) / (8 * 180))
    assert out["tenants"]["public"]["mean_wait_s"] == 140.0
    assert {"p95_wait_s", "tenants"} <= set(out)


def test_policy_placement_and_table(tmp_path: Path) -> None:
    res = runner.invoke(app, ["simulate", "--trace", str(DATA / "philly_300.csv"), "--format", "philly",
                              "--gpus", "64", "--gpus-per-node", "8", "--placement", "node",
                              "--policy", "easy", "--out", str(tmp_path)], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "policy easy, 64 GPUs (node)" in res.output
    jobs = pd.read_parquet(tmp_path / "jobs.parquet")
    assert len(jobs) == 300
    assert "11cb48" in set(jobs["tenant"])  # a Philly virtual cluster as tenant
    assert "11cb48" in pd.read_csv(tmp_path / "tenants.csv")["tenant"].tolist()
    assert pd.read_csv(tmp_path / "hourly.csv").columns.tolist() == ["t_h", "busy_gpus", "queued_jobs",
                                                                     "queued_gpus"]


def test_gavel_trace_needs_throughputs() -> None:
    ok = runner.invoke(app, ["simulate", "--trace", str(DATA / "gavel_ed69ec_60.trace"), "--format", "gavel",
                             "--throughputs", str(DATA / "gavel_throughputs_subset.json"), "--gpus", "24",
                             "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["n_jobs"] == 60
    bad = runner.invoke(app, ["simulate", "--trace", str(DATA / "gavel_ed69ec_60.trace"), "--format", "gavel",
                              "--gpus", "24"])
    assert isinstance(bad.exception, InputError)


def test_malformed_trace_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,x,0,1,10\nb,x,0,two,10\n")
    res = runner.invoke(app, ["simulate", "--trace", str(path), "--gpus", "8"])
    assert isinstance(res.exception, InputError)
    assert "bad.csv:3, column 'n_gpus'" in str(res.exception)


def test_unknown_policy_is_a_usage_error() -> None:
    res = runner.invoke(app, ["simulate", "--trace", str(DATA / "canonical_tiny.csv"), "--gpus", "8",
                              "--policy", "lottery"])
    assert res.exit_code != 0


def test_failure_flags_reach_the_summary() -> None:
    # canonical_tiny on one 8-GPU node, a node failure every 0.01 h on average: the JSON carries
    # the failure account, and it balances (served + lost + checkpoints + idle + down = capacity)
    tiny = str(DATA / "canonical_tiny.csv")
    res = runner.invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--placement", "node", "--failures",
                              "--mtbf-h", "0.01", "--mttr-h", "0.005", "--checkpoint-interval-s", "20",
                              "--checkpoint-write-s", "2", "--json", "--seed", "3"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n_failures"] >= 1
    assert out["n_restarts"] >= 1
    parts = ["served_gpu_h", "lost_gpu_h", "checkpoint_overhead_gpu_h", "idle_gpu_h", "down_gpu_h"]
    assert sum(out[p] for p in parts) == pytest.approx(out["capacity_gpu_h"])
    assert out["served_gpu_h"] == pytest.approx((4 * 100 + 8 * 50 + 2 * 30) / 3600)


def test_shares_quotas_and_depth_flags() -> None:
    tiny = str(DATA / "canonical_tiny.csv")
    res = runner.invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--policy", "fair_share",
                              "--shares", "public=0.7", "--quotas", "public=2", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["tenants"]["public"]["configured_share_frac"] == 0.7
    bad = runner.invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--policy", "fifo",
                              "--shares", "a=1"])
    assert bad.exit_code != 0
    assert "fair_share" in bad.output
    res = runner.invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--policy", "easy",
                              "--backfill-depth", "1", "--json"])
    assert res.exit_code == 0, res.output


def test_slurm_fair_share_from_the_command_line() -> None:
    tiny = str(DATA / "canonical_tiny.csv")
    res = runner.invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--policy", "slurm_fair_share",
                              "--shares", "public=0.5", "--half-life-h", "24", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["policy"] == "slurm_fair_share"


def test_help_names_are_the_registries() -> None:
    # cli/simulate.py spells the names out so that --help imports neither numpy nor pyarrow
    from aidc import simulate as sim
    from aidc.cli import simulate as command
    from aidc.io.traces import FORMATS

    assert tuple(sim.POLICIES) == command.POLICY_NAMES
    assert tuple(FORMATS) == command.FORMAT_NAMES
