"""Fractional GPUs (Alibaba gpu_v2023 ``gpu_milli``) packed onto shared GPUs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.errors import InputError
from aidc.io.traces import read_openb_nodes, read_trace
from aidc.simulate import run
from aidc.simulate.cluster import Cluster
from aidc.simulate.packing import pack_fifo

DATA = Path(__file__).parents[1] / "data" / "traces"


def _jobs(rows: list[tuple[float, int, float, int]]) -> pd.DataFrame:
    """Build jobs from ``(submit_s, n_gpus, duration_s, gpu_milli)`` rows."""
    df = pd.DataFrame(rows, columns=["submit_s", "n_gpus", "duration_s", "gpu_milli"])
    df.insert(0, "job_id", [str(i) for i in range(len(df))])
    df.insert(1, "tenant", "t")
    return df


def test_two_half_gpu_jobs_share_one_gpu_and_a_third_waits() -> None:
    # one GPU; three 500-milli jobs at t = 0 running 10, 20 and 5 s
    replay = pack_fifo(_jobs([(0.0, 1, 10.0, 500), (0.0, 1, 20.0, 500), (0.0, 1, 5.0, 500)]), [1])
    log = replay.jobs
    assert log["start_s"].tolist() == [0.0, 0.0, 10.0]  # c takes a's half when a ends at 10 s
    assert log["gpus"].tolist() == [(0,), (0,), (0,)]
    assert log["end_s"].tolist() == [10.0, 20.0, 15.0]
    assert replay.max_held_milli == 1000
    assert replay.busy_gpu_h == pytest.approx(0.5 * (10 + 20 + 5) / 3600)


def test_whole_gpu_job_waits_for_an_unshared_gpu() -> None:
    # two GPUs: a 300-milli job on GPU 0; a 2-GPU whole job must wait until GPU 0 is empty
    log = pack_fifo(_jobs([(0.0, 1, 10.0, 300), (1.0, 2, 5.0, 1000), (2.0, 1, 1.0, 300)]), [2]).jobs
    assert log["start_s"].tolist() == [0.0, 10.0, 15.0]  # strict FIFO: the third waits behind the second


def test_best_fit_fills_the_fullest_gpu() -> None:
    # GPU 0 holds 700, GPU 1 holds 300: a 300-milli job goes where least room is left (GPU 0)
    log = pack_fifo(_jobs([(0.0, 1, 9.0, 700), (0.0, 1, 9.0, 300), (1.0, 1, 1.0, 300)]), [2]).jobs
    assert log["gpus"].tolist() == [(0,), (0,), (1,)]  # 700 + 300 = 1000 fills GPU 0 first; then GPU 1


@st.composite
def fractional_traces(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    rows = []
    for _ in range(n):
        whole = draw(st.booleans())
        rows.append((float(draw(st.integers(0, 50))), draw(st.integers(1, 4)) if whole else 1,
                     float(draw(st.integers(0, 30))), 1000 if whole else draw(st.integers(1, 999))))
    return _jobs(rows)


@settings(max_examples=60, deadline=None)
@given(jobs=fractional_traces(), nodes=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_packed_gpu_hours_are_conserved(jobs: pd.DataFrame, nodes: list[int]) -> None:
    if jobs["n_gpus"].max() > sum(nodes):
        return
    replay = pack_fifo(jobs, nodes)
    expected_gpu_h = float((jobs["n_gpus"] * jobs["gpu_milli"] / 1000 * jobs["duration_s"]).sum() / 3600)
    # the time integral of what the GPUs held equals the trace's sum of gpu_milli/1000 x duration
    assert replay.busy_gpu_h == pytest.approx(expected_gpu_h, rel=1e-9, abs=1e-12)
    assert replay.max_held_milli <= 1000
    log = replay.jobs
    assert (log["start_s"] >= log["submit_s"]).all()
    in_order = log["start_s"].to_numpy()[np.argsort(log["submit_s"].to_numpy(), kind="stable")]
    assert (np.diff(in_order) >= 0).all()  # strict FIFO: jobs start in submission order
    # no GPU ever holds more than 1000 thousandths (releases first at equal times)
    events = [(r.start_s, r.gpu_milli, g) for r in log.itertuples() for g in r.gpus]
    events += [(r.end_s, -r.gpu_milli, g) for r in log.itertuples() for g in r.gpus]
    held: dict[int, int] = {}
    for _, d, g in sorted(events, key=lambda e: (e[0], e[1])):
        held[g] = held.get(g, 0) + d
        assert held[g] <= 1000


@settings(max_examples=30, deadline=None)
@given(jobs=fractional_traces())
def test_whole_gpu_fifo_starts_match_the_engine(jobs: pd.DataFrame) -> None:
    jobs = jobs.assign(gpu_milli=1000)
    packed = pack_fifo(jobs, [4, 4])
    engine = run(jobs.drop(columns="gpu_milli"), Cluster(8, 4, "pooled"), "fifo").jobs.set_index("job_id")
    assert packed.jobs.set_index("job_id")["start_s"].to_dict() == engine["start_s"].to_dict()


def test_philly_sample_fifo_starts_match_the_engine() -> None:
    jobs = read_trace(DATA / "philly_300.csv", "philly")
    packed = pack_fifo(jobs, [8] * 8)
    engine = run(jobs, Cluster(64, 8, "pooled"), "fifo").jobs.set_index("job_id")
    assert packed.jobs.set_index("job_id")["start_s"].to_dict() == engine["start_s"].to_dict()


def test_openb_sample_packed_on_its_node_list() -> None:
    jobs = read_trace(DATA / "openb_pod_200.csv", "openb")
    nodes = read_openb_nodes(DATA / "openb_node_gpu_20.csv")
    assert nodes == [("P100", 2)] * 20
    replay = pack_fifo(jobs, nodes)
    raw = pd.read_csv(DATA / "openb_pod_200.csv").set_index("name")
    # kept as fractions: the trace's own gpu_milli, e.g. pod 0001 holds 460 thousandths of a GPU
    pod = "openb-pod-0001"
    assert jobs.set_index("job_id").loc[pod, "gpu_milli"] == raw.loc[pod, "gpu_milli"] == 460
    expected_gpu_h = (jobs["n_gpus"] * jobs["gpu_milli"] / 1000 * jobs["duration_s"]).sum() / 3600
    rounded_gpu_h = (jobs["n_gpus"] * jobs["duration_s"]).sum() / 3600
    assert replay.busy_gpu_h == pytest.approx(expected_gpu_h)
    assert replay.busy_gpu_h < rounded_gpu_h
    assert replay.n_gpus == 40


def test_fractional_multi_gpu_job_is_refused() -> None:
    with pytest.raises(InputError, match="n_gpus = 1"):
        pack_fifo(_jobs([(0.0, 2, 1.0, 500)]), [4])


def test_cli_packs_fractions_on_the_node_list_and_reports_the_rounding() -> None:
    # `aidc simulate --trace pods --format openb --nodes nodes`: the shipped excerpt (178 GPU pods
    # that ran) on its 20 two-GPU nodes. GPU-hours by hand from the raw file: gpu_milli / 1000 x
    # (deletion - scheduled) over the pods that were scheduled, not Pending, with >= 1 GPU.
    import json

    from typer.testing import CliRunner

    from aidc.cli import app

    pods, nodes = DATA / "openb_pod_200.csv", DATA / "openb_node_gpu_20.csv"
    res = CliRunner().invoke(app, ["simulate", "--trace", str(pods), "--format", "openb",
                                   "--nodes", str(nodes), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    raw = pd.read_csv(pods)
    ran = raw[(raw["num_gpu"] >= 1) & (raw["pod_phase"] != "Pending") & raw["scheduled_time"].notna()]
    run_s = ran["deletion_time"] - ran["scheduled_time"]
    packed_gpu_h = (ran["num_gpu"] * ran["gpu_milli"] / 1000 * run_s).sum() / 3600
    whole_gpu_h = (ran["num_gpu"] * run_s).sum() / 3600
    assert out["n_jobs"] == len(ran) == 178
    assert out["n_gpus"] == 20 * 2
    assert out["gpu_hours"] == pytest.approx(packed_gpu_h)
    assert out["packed_gpu_h"] == pytest.approx(packed_gpu_h)
    assert out["rounded_gpu_h"] == pytest.approx(whole_gpu_h)
    # rounding every fractional pod up to a GPU: +18.7 % on this excerpt (+15.8 % on the full trace)
    assert out["rounded_gpu_h"] / out["gpu_hours"] - 1 == pytest.approx(0.187, abs=0.001)
    # the whole-GPU engine counts the rounded figure
    whole_jobs = read_trace(pods, "openb").drop(columns=["gpu_milli", "gpu_class"])
    whole = run(whole_jobs, Cluster(40, 2, "pooled"), "fifo")
    assert whole.summary["served_gpu_h"] == pytest.approx(whole_gpu_h)
    assert out["utilization_frac"] == pytest.approx(packed_gpu_h * 3600 / (40 * out["makespan_s"]))


@pytest.mark.parametrize("extra", [["--gpus", "40"], ["--policy", "easy"], ["--failures"]])
def test_cli_packing_refuses_what_it_does_not_model(extra: list[str]) -> None:
    from typer.testing import CliRunner

    from aidc.cli import app

    pods, nodes = str(DATA / "openb_pod_200.csv"), str(DATA / "openb_node_gpu_20.csv")
    args = ["simulate", "--trace", pods, "--format", "openb", "--nodes", nodes, *extra]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    assert "--nodes" in res.output
