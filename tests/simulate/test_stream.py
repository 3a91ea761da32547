"""FIFO over a trace read in pieces (``--stream``): the same results as reading it whole."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aidc import simulate as sim
from aidc.cli import app
from aidc.errors import InputError
from aidc.io.traces import iter_canonical
from aidc.simulate.fast import FifoPooled, fifo_pooled_start_s
from aidc.simulate.stream import run_fifo_stream

DATA = Path(__file__).resolve().parents[1] / "data" / "traces"


def _trace(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "job_id": [f"j{i}" for i in range(n)], "tenant": rng.choice(["a", "b", "c"], n),
        "submit_s": np.sort(rng.integers(0, 50 * n, n)).astype(float),  # ~80 % load on 32 GPUs
        "n_gpus": rng.choice([1, 2, 4, 8, 16], n), "duration_s": rng.integers(0, 600, n).astype(float),
    })


def _same_summary(whole: dict, streamed: dict) -> None:
    for key, value in whole.items():
        if key == "tenants":
            continue
        if isinstance(value, str):
            assert streamed[key] == value
        else:
            assert streamed[key] == pytest.approx(value, rel=1e-12, abs=1e-9, nan_ok=True), key


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 400), seed=st.integers(0, 1000), piece=st.integers(1, 97))
def test_fifo_state_carries_over_pieces(n: int, seed: int, piece: int) -> None:
    jobs = _trace(n, seed)
    args = (jobs["submit_s"].to_numpy(), jobs["n_gpus"].to_numpy(), jobs["duration_s"].to_numpy())
    fifo = FifoPooled(16)
    pieces = [fifo.start_s(*(a[i:i + piece] for a in args)) for i in range(0, n, piece)]
    np.testing.assert_array_equal(np.concatenate(pieces), fifo_pooled_start_s(*args, 16))


@pytest.mark.parametrize(("n", "rows"), [(200, 1), (3000, 7), (3000, 1000), (3000, None)])
def test_streamed_run_equals_the_whole_run(tmp_path: Path, n: int, rows: int | None) -> None:
    jobs = _trace(n, 4)
    path = tmp_path / "jobs.csv"
    jobs.to_csv(path, index=False)
    whole = sim.run(jobs, sim.Cluster(32, 8, "pooled"), "fifo")
    streamed = run_fifo_stream(iter_canonical(path, batch_rows=rows), 32, 10.0, log_dir=tmp_path / "out")
    _same_summary(whole.summary, streamed.summary)
    pd.testing.assert_frame_equal(streamed.tenants, whole.tenants, check_exact=False, rtol=1e-12,
                                  check_index_type=False)
    pd.testing.assert_frame_equal(streamed.hourly, whole.hourly, check_exact=False, atol=1e-9)
    log = pd.read_parquet(tmp_path / "out" / "jobs.parquet")
    assert log["job_id"].tolist() == jobs["job_id"].tolist()
    np.testing.assert_array_equal(log["start_s"], whole.jobs["start_s"])
    assert len(pd.read_csv(tmp_path / "out" / "jobs.csv")) == len(jobs)


def test_unsorted_stream_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    pd.DataFrame({"job_id": ["a", "b", "c"], "tenant": "t", "submit_s": [0.0, 5.0, 3.0], "n_gpus": 1,
                  "duration_s": 1.0}).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        run_fifo_stream(iter_canonical(path, batch_rows=2), 8, 10.0)
    problem = err.value.problems[0]
    assert (problem.row, problem.column, problem.found) == (3, "submit_s", 3.0)


def test_a_bad_cell_is_named_by_the_precise_checker(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,t,0,1,5\nb,t,1,two,5\n")
    with pytest.raises(InputError) as err:
        list(iter_canonical(path))
    assert "n_gpus" in str(err.value)
    assert "3" in str(err.value)  # line 3 of the file


def test_what_the_precise_checker_accepts_is_yielded_once(tmp_path: Path) -> None:
    # "2.0" GPUs is not an int64 for the typed reader; the precise checker accepts it
    path = tmp_path / "jobs.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,t,0,1,5\nb,t,1,2.0,5\n")
    pieces = list(iter_canonical(path))
    assert sum(len(p) for p in pieces) == 2
    assert pd.concat(pieces)["n_gpus"].tolist() == [1, 2]


def test_stream_from_the_command_line_matches_the_whole_read(tmp_path: Path) -> None:
    tiny = str(DATA / "canonical_tiny.csv")
    whole = CliRunner().invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--json"])
    streamed = CliRunner().invoke(app, ["simulate", "--trace", tiny, "--gpus", "8", "--stream", "--json",
                                        "--out", str(tmp_path)])
    assert streamed.exit_code == 0, streamed.output
    a, b = json.loads(whole.stdout), json.loads(streamed.stdout)
    assert b.pop("streamed") is True
    _same_summary(a, b)
    assert a["tenants"].keys() == b["tenants"].keys()
    assert {p.name for p in tmp_path.iterdir()} >= {"jobs.parquet", "jobs.csv", "hourly.csv", "tenants.csv"}
    args = ["simulate", "--trace", tiny, "--gpus", "8", "--stream", "--policy", "easy"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    assert "--stream" in refused.output
