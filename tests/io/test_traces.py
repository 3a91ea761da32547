"""Trace importers: each format read from a sample of the public trace, and bad files named."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidc.errors import InputError
from aidc.io.traces import FORMATS, read_trace, read_trace_columns, write_trace

DATA = Path(__file__).resolve().parents[1] / "data" / "traces"


def test_canonical_reads_columns_and_priority() -> None:
    df = read_trace(DATA / "canonical_tiny.csv")
    assert df["job_id"].tolist() == ["j1", "j2", "j3"]
    assert df["n_gpus"].tolist() == [4, 8, 2]
    assert df["priority"].tolist() == [0, 1, 2]
    assert df["submit_s"].tolist() == [0.0, 0.0, 10.0]


def test_philly_sample_matches_first_rows() -> None:
    """First rows of philly_jobs_82k.csv: 2017-10-09 07:01:55, 66 s, 1 GPU, VC 11cb48."""
    df = read_trace(DATA / "philly_300.csv", "philly")
    assert len(df) == 300
    raw = pd.read_csv(DATA / "philly_300.csv")
    first = pd.Timestamp(raw["timestamp"].min())
    expected_s = (pd.Timestamp("2017-10-09 07:01:55") - first).total_seconds()
    assert df.loc[0, "submit_s"] == expected_s
    assert df.loc[0, "duration_s"] == 66.0
    assert df.loc[0, "tenant"] == "11cb48"
    assert df["submit_s"].min() == 0.0


def test_openb_skips_cpu_and_pending_pods() -> None:
    df = read_trace(DATA / "openb_pod_200.csv", "openb")
    raw = pd.read_csv(DATA / "openb_pod_200.csv")
    ran = raw[(raw.num_gpu >= 1) & (raw.pod_phase != "Pending") & (raw.deletion_time >= raw.scheduled_time)]
    assert len(df) == len(ran)
    # pod 0000: created 0, scheduled 0, deleted 12,537,496 s -> run 12,537,496 s
    row = df.set_index("job_id").loc["openb-pod-0000"]
    assert row["duration_s"] == 12537496 - 0
    assert set(df["tenant"]) <= {"LS", "BE", "Burstable", "Guaranteed"}


def test_swf_reads_processors_as_gpus_and_skips_unknown_runtime() -> None:
    df = read_trace(DATA / "tiny.swf", "swf")
    assert df["job_id"].tolist() == ["1", "2", "4"]  # job 3 has run time -1
    assert df["n_gpus"].tolist() == [4, 8, 16]  # job 2: allocated -1 -> requested 8
    assert df["tenant"].tolist() == ["1", "2", "1"]


def test_gavel_duration_is_steps_over_throughput() -> None:
    import json

    rates = DATA / "gavel_throughputs_subset.json"
    df = read_trace(DATA / "gavel_ed69ec_60.trace", "gavel", throughputs=rates)
    line = (DATA / "gavel_ed69ec_60.trace").read_text().splitlines()[0].split("\t")
    rate = json.loads(rates.read_text())["v100"][f"('{line[0]}', {line[6]})"]
    assert df.loc[0, "duration_s"] == pytest.approx(float(line[4]) / rate["null"])
    assert df.loc[0, "submit_s"] == float(line[5])
    assert len(df) == 60


def test_gavel_job_ids_are_numbered_as_gavel_numbers_them(tmp_path: Path) -> None:
    # Gavel @ c4fa4009: scheduler/utils.py parse_trace reads every line as one job, in order;
    # scheduler/scheduler.py Scheduler.add_job gives the k-th job JobIdPair(k, None), k from 0.
    # Its own FIFO run of this VC (peer_runs, first 60 jobs) names jobs 0..59 in trace order.
    rates = DATA / "gavel_throughputs_subset.json"
    df = read_trace(DATA / "gavel_ed69ec_60.trace", "gavel", throughputs=rates)
    gavel = pd.read_csv(DATA / "gavel_ed69ec_60_fifo_jct.csv", dtype={"job_id": str})
    assert df["job_id"].tolist() == gavel["job_id"].tolist() == [str(k) for k in range(60)]
    # a blank line is not a job; a job without a throughput keeps its number used
    lines = (DATA / "gavel_ed69ec_60.trace").read_text().splitlines()[:3]
    unknown = "\t".join(["NoSuchModel", *lines[1].split("\t")[1:]])
    (tmp_path / "t.trace").write_text("\n".join([lines[0], "", unknown, lines[2]]) + "\n")
    ids = read_trace(tmp_path / "t.trace", "gavel", throughputs=rates)["job_id"].tolist()
    assert ids == ["0", "2"]


def test_round_trip_canonical(tmp_path: Path) -> None:
    df = read_trace(DATA / "philly_300.csv", "philly")
    write_trace(df, tmp_path / "t.csv")
    back = read_trace(tmp_path / "t.csv")
    np.testing.assert_array_equal(back["submit_s"], df["submit_s"])
    assert back["tenant"].astype(str).tolist() == df["tenant"].astype(str).tolist()


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("job_id,tenant,submit_s,n_gpus,duration_s\na,x,0,1,10\nb,x,oops,1,10\n", 3, "submit_s"),
        ("job_id,tenant,submit_s,n_gpus,duration_s\na,x,0,1.5,10\n", 2, "n_gpus"),
        ("job_id,tenant,submit_s,n_gpus,duration_s\na,x,0,1,10\nb,x,5,2,-3\n", 3, "duration_s"),
        ("job_id,tenant,submit_s,n_gpus\na,x,0,1\n", 1, "duration_s"),
    ],
)
def test_malformed_canonical_names_line_and_column(tmp_path: Path, text: str, line: int, column: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_trace(path)
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (line, column)
    assert f"bad.csv:{line}" in str(err.value)


def test_malformed_philly_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66,1,66,a\n"
                    "yesterday,10,1,10,a\n")
    with pytest.raises(InputError) as err:
        read_trace(path, "philly")
    assert (err.value.problems[0].line, err.value.problems[0].column) == (3, "timestamp")


def test_malformed_swf_line(tmp_path: Path) -> None:
    path = tmp_path / "x.swf"
    path.write_text("; header\n1 0 0 100 4 -1 -1 4 200 -1 1 1 1 -1 1 -1 -1 -1\n"
                    "2 0 0 x 4 -1 -1 4 200 -1 1 1 1 -1 1 -1 -1 -1\n")
    with pytest.raises(InputError) as err:
        read_trace(path, "swf")
    assert (err.value.problems[0].line, err.value.problems[0].column) == (3, "run")


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown trace format"):
        read_trace(DATA / "tiny.swf", "nope")
    with pytest.raises(InputError, match="not found"):
        read_trace(tmp_path / "missing.csv")
    assert {"canonical", "philly", "openb", "swf", "gavel"} <= set(FORMATS)


def _precise(path: Path) -> pd.DataFrame:
    """The canonical trace as the precise checker reads it (the fast reader's fallback)."""
    from aidc.io import traces

    def never_fast(path: Path, lazy_ids: bool = False) -> None:
        return None

    fast = traces._canonical_columns
    try:
        traces._canonical_columns = never_fast
        return read_trace(path)
    finally:
        traces._canonical_columns = fast


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_typed_reader_equals_precise_checker(tmp_path: Path, suffix: str) -> None:
    df = read_trace(DATA / "philly_300.csv", "philly")
    df["priority"] = np.arange(len(df)) % 3
    df["gpu_class"] = np.where(np.arange(len(df)) % 2, "h100", "a100")
    write_trace(df, tmp_path / f"t{suffix}")
    fast, slow = read_trace(tmp_path / f"t{suffix}"), _precise(tmp_path / "t.csv" if suffix == ".csv"
                                                                   else _as_csv(tmp_path, df))
    assert list(fast.columns) == list(slow.columns)
    for col in fast.columns:
        assert fast[col].astype(str).tolist() == slow[col].astype(str).tolist(), col
    assert fast["n_gpus"].dtype == np.int64
    assert fast["submit_s"].dtype == np.float64


def _as_csv(tmp_path: Path, df: pd.DataFrame) -> Path:
    write_trace(df, tmp_path / "same.csv")
    return tmp_path / "same.csv"


def test_whole_number_written_as_float_falls_back_and_is_accepted(tmp_path: Path) -> None:
    # "2.0" is not an int64 to the typed reader; the precise checker accepts it as 2 GPUs
    path = tmp_path / "t.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,x,0,2.0,10\n")
    assert read_trace(path)["n_gpus"].tolist() == [2]


def test_parquet_bad_value_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    pd.DataFrame({"job_id": ["a", "b"], "tenant": "x", "submit_s": [0.0, -5.0], "n_gpus": [1, 1],
                  "duration_s": [10.0, 10.0]}).to_parquet(path)
    with pytest.raises(InputError) as err:
        read_trace(path)
    problem = err.value.problems[0]
    assert (problem.row, problem.column, problem.found, problem.line) == (2, "submit_s", "-5.0", None)
    assert "bad.parquet, row 2, column 'submit_s'" in str(err.value)


def test_philly_as_parquet_reads_like_csv(tmp_path: Path) -> None:
    pd.read_csv(DATA / "philly_300.csv", dtype=str).to_parquet(tmp_path / "p.parquet")
    a, b = read_trace(DATA / "philly_300.csv", "philly"), read_trace(tmp_path / "p.parquet", "philly")
    pd.testing.assert_frame_equal(a, b)


# --- the typed column reader (the simulator's, no pandas) against the precise checker ---

_NAME = st.text(alphabet="abcdefxyz0123456789_-", min_size=1, max_size=8)


def _columns_frame(path: Path, fmt: str) -> pd.DataFrame:
    return read_trace_columns(path, fmt).to_frame()


def _assert_same_rows(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    for col in ("job_id", "tenant", "submit_s", "n_gpus", "duration_s"):
        assert fast[col].astype(str).tolist() == slow[col].astype(str).tolist(), col
    assert fast["n_gpus"].dtype == np.int64


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_NAME, st.floats(0, 1e7, allow_nan=False), st.integers(1, 512),
                               st.floats(0, 1e6, allow_nan=False)), min_size=1, max_size=40))
def test_column_reader_agrees_with_precise_checker_on_valid_canonical(tmp_path: Path, rows: list) -> None:
    path = tmp_path / "t.csv"
    lines = [f"j{i},{t},{s!r},{g},{d!r}" for i, (t, s, g, d) in enumerate(rows)]
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\n" + "\n".join(lines) + "\n")
    from aidc.io import traces

    assert traces._canonical_columns(path) is not None  # the typed reader vouched for it, no fallback
    _assert_same_rows(_columns_frame(path, "canonical"), _precise(path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.datetimes(datetime(2017, 1, 1), datetime(2018, 12, 31)),
                               st.floats(0, 1e6, allow_nan=False), st.integers(1, 64), _NAME),
                     min_size=1, max_size=40))
def test_column_reader_agrees_with_precise_checker_on_valid_philly(tmp_path: Path, rows: list) -> None:
    path = tmp_path / "p.csv"
    lines = [f"{stamp:%Y-%m-%d %H:%M:%S},{d!r},{g},{g * d!r},{vc}" for stamp, d, g, vc in rows]
    path.write_text("timestamp,duration,num_gpus,gpu_time,cluster\n" + "\n".join(lines) + "\n")
    from aidc.io import traces

    assert traces._philly_columns(path) is not None  # the typed reader vouched for it, no fallback
    _assert_same_rows(_columns_frame(path, "philly"), read_trace(path, "philly"))


@pytest.mark.parametrize(("fmt", "text", "where"), [
    ("philly", "timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66.0,1,66.0,a\n"
               "2017-10-09 07:02:00,-3,1,0,a\n", (3, "duration")),
    ("philly", "timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66.0,1,66.0,a\n"
               "2017-10-09T07:02,5,1,5,a\n", (3, "timestamp")),
    ("philly", "timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66.0,1.5,66.0,a\n",
     (2, "num_gpus")),
    ("canonical", "job_id,tenant,submit_s,n_gpus,duration_s\na,x,0,1,10\nb,x,soon,1,10\n", (3, "submit_s")),
    ("canonical", "job_id,tenant,submit_s,n_gpus,duration_s\na,x,0,0,10\n", (2, "n_gpus")),
])
def test_column_reader_falls_back_to_the_precise_error(tmp_path: Path, fmt: str, text: str,
                                                       where: tuple[int, str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_trace_columns(path, fmt)
    problem = err.value.problems[0]
    assert (problem.file, problem.line, problem.column) == (str(path), *where)


def test_column_reader_sends_leading_blanks_to_the_precise_checker(tmp_path: Path) -> None:
    # the precise checker skips blanks after a comma; the typed reader would keep them in the name
    path = tmp_path / "t.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na, x,0,1,10\nb,x,0,1,10\n")
    trace = read_trace_columns(path)
    assert trace.tenants == ("x",)
    assert trace.tenant.tolist() == [0, 0]


def test_column_reader_reads_the_philly_sample_like_the_frame_reader() -> None:
    _assert_same_rows(_columns_frame(DATA / "philly_300.csv", "philly"), read_trace(DATA / "philly_300.csv",
                                                                                     "philly"))
