"""Trace replay on typed columns: the CLI path imports no pandas, and gives the DataFrame path's results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aidc import simulate as sim
from aidc.cli.simulate import _clean
from aidc.io.traces import read_trace, read_trace_columns

DATA = Path(__file__).resolve().parents[1] / "data" / "traces"
SRC = Path(__file__).resolve().parents[2] / "src"
# what a trace replay must not load: pandas (and scipy) cost more than the replay itself, and
# numpy.ma (pulled in by np.unique and np.percentile) a third of a Philly replay
HEAVY = ("pandas", "scipy", "numpy.ma")

PROBE = """
import json, sys
from aidc.cli import main
sys.argv = ["aidc", "simulate", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted(m for m in sys.modules if m in {heavy} or m.split(".")[0] in {heavy})),
      file=sys.stderr)
"""


def _cli(*args: str) -> tuple[dict, list[str]]:
    """Run ``aidc simulate ARGS`` in its own process; return its JSON and the heavy modules it loaded."""
    env = os.environ | {"PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run([sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args], capture_output=True,
                         text=True, check=True, env=env)
    return json.loads(out.stdout), json.loads(out.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(("trace", "fmt", "gpus", "policy"), [
    ("philly_300.csv", "philly", "64", "fifo"),
    ("philly_300.csv", "philly", "32", "easy"),
    ("canonical_tiny.csv", "canonical", "8", "fair_share"),
])
def test_cli_replay_imports_no_pandas_and_matches_the_dataframe_path(trace: str, fmt: str, gpus: str,
                                                                     policy: str) -> None:
    summary, heavy = _cli("--trace", str(DATA / trace), "--format", fmt, "--gpus", gpus, "--policy", policy,
                          "--json")
    assert heavy == []
    frame = read_trace(DATA / trace, fmt).drop(columns=["gpu_class"], errors="ignore")
    expected = sim.run(frame, sim.Cluster(int(gpus), 8), policy).summary
    assert summary == _plain(expected)


def _plain(summary: dict) -> dict:
    """The summary as ``--json`` prints it (a number that is not finite becomes null)."""
    return json.loads(json.dumps(_clean(summary)))


def _same_log(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col


@pytest.mark.parametrize("placement", ["pooled", "node"])
def test_columns_and_dataframe_give_the_same_job_log(placement: str) -> None:
    # the Philly sample arrives out of submission order, so the log is put back in that order
    frame = read_trace(DATA / "philly_300.csv", "philly")
    columns = read_trace_columns(DATA / "philly_300.csv", "philly")
    cluster = sim.Cluster(48, 8, placement)  # type: ignore[arg-type]
    a, b = sim.run(frame, cluster, "easy"), sim.run(columns, cluster, "easy")
    assert _plain(a.summary) == _plain(b.summary)
    _same_log(a.jobs, b.jobs)
    pd.testing.assert_frame_equal(a.hourly, b.hourly)
    pd.testing.assert_frame_equal(a.tenants, b.tenants)


def test_job_log_is_built_only_when_read() -> None:
    result = sim.run(read_trace_columns(DATA / "canonical_tiny.csv"), sim.Cluster(8, 8))
    assert result.summary["n_jobs"] == 3
    assert not any(result.built(name) for name in result.TABLES)  # nothing built yet
    assert result.jobs["job_id"].tolist() == ["j1", "j2", "j3"]
    assert result.jobs is result.jobs  # built once, then kept
    assert result.built("jobs")
    assert not result.built("hourly")


def test_gpu_classes_route_from_columns() -> None:
    classes = ["a100", "h100", "a100"]
    frame = read_trace(DATA / "canonical_tiny.csv").assign(gpu_class=classes)
    columns = replace(read_trace_columns(DATA / "canonical_tiny.csv"),
                      gpu_class=np.array(classes, dtype=object))
    cluster = sim.Cluster(classes=[sim.NodeClass("a100", 1, 4), sim.NodeClass("h100", 1, 8)])
    a, b = sim.run(frame, cluster), sim.run(columns, cluster)
    assert _plain(a.summary) == _plain(b.summary)
    _same_log(a.jobs, b.jobs)
    assert a.jobs["gpu_class"].astype(str).tolist() == classes


def test_result_is_a_dataclass_whose_fields_build_the_tables() -> None:
    # the report walks a stage result's dataclass fields
    import dataclasses

    result = sim.run(read_trace_columns(DATA / "canonical_tiny.csv"), sim.Cluster(8, 8))
    assert [f.name for f in dataclasses.fields(result)] == ["jobs", "hourly", "tenants", "summary"]
    assert len(getattr(result, "jobs")) == 3  # noqa: B009 -- as the report reads a field
    assert repr(result).startswith("SimulationResult(summary=")
    assert not result.built("tenants")


def test_result_pickles_with_its_tables() -> None:
    import pickle

    result = sim.run(read_trace_columns(DATA / "canonical_tiny.csv"), sim.Cluster(8, 8))
    back = pickle.loads(pickle.dumps(result))
    assert _plain(back.summary) == _plain(result.summary)
    _same_log(back.jobs, result.jobs)


def test_help_loads_no_array_library() -> None:
    probe = ("import sys\nsys.argv = ['aidc', 'simulate', '--help']\nfrom aidc.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'pandas', 'pyarrow')"
             " or m.startswith('aidc.simulate')), file=sys.stderr)")
    env = os.environ | {"PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert "--trace" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_unsorted_canonical_ids_follow_their_jobs(tmp_path: Path) -> None:
    # job ids are read when the log is built, as Arrow strings, and follow their jobs into submission order
    path = tmp_path / "u.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,x,10,1,10\nb,y,0,2,5\nc,x,5,1,1\n")
    columns = read_trace_columns(path)
    assert callable(columns.job_id)  # left in the file until a job log asks for them
    a = sim.run(read_trace(path), sim.Cluster(2, 2))
    b = sim.run(columns, sim.Cluster(2, 2))
    assert b.jobs["job_id"].tolist() == ["b", "c", "a"]
    _same_log(a.jobs, b.jobs)
