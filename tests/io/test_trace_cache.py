"""The trace cache: a second read of the same file gives the same columns without parsing it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from aidc.errors import InputError
from aidc.io import trace_cache, traces
from aidc.io.traces import read_trace_columns

DATA = Path(__file__).resolve().parents[1] / "data" / "traces"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIDC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "traces"


def _same(a: traces.Trace, b: traces.Trace) -> None:
    assert a.tenants == b.tenants
    for name in ("tenant", "submit_s", "n_gpus", "duration_s"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert getattr(a, name).dtype == getattr(b, name).dtype
    assert (a.priority is None) == (b.priority is None)
    if a.priority is not None:
        np.testing.assert_array_equal(a.priority, b.priority)
    assert a.job_ids().astype(str).tolist() == b.job_ids().astype(str).tolist()


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(traces, "_read_columns", refuse)


GAVEL = {"throughputs": DATA / "gavel_throughputs_subset.json"}


@pytest.mark.parametrize(("name", "fmt", "options"), [
    ("philly_300.csv", "philly", {}), ("tiny.swf", "swf", {}), ("openb_pod_200.csv", "openb", {}),
    ("canonical_tiny.csv", "canonical", {}), ("gavel_ed69ec_60.trace", "gavel", GAVEL)])
def test_second_read_comes_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                          fmt: str, options: dict) -> None:
    first = read_trace_columns(DATA / name, fmt, cache=True, **options)
    assert len(list(cache.iterdir())) == 1
    _no_parsing(monkeypatch)
    _same(read_trace_columns(DATA / name, fmt, cache=True, **options), first)


def test_an_option_file_is_part_of_the_key(cache: Path, tmp_path: Path) -> None:
    # a Gavel trace's run times come from its throughputs file: another file, other run times
    changed = tmp_path / "throughputs.json"
    table = json.loads(GAVEL["throughputs"].read_text())
    changed.write_text(json.dumps(table))
    first = read_trace_columns(DATA / "gavel_ed69ec_60.trace", "gavel", cache=True, throughputs=changed)
    doubled = json.loads(json.dumps(table), parse_float=lambda v: 2 * float(v))
    changed.write_text(json.dumps(doubled))
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 1_000_000))
    again = read_trace_columns(DATA / "gavel_ed69ec_60.trace", "gavel", cache=True, throughputs=changed)
    np.testing.assert_allclose(again.duration_s, first.duration_s / 2)


def test_canonical_ids_stay_in_the_file(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s,priority\nj-a,u,0,1,10,2\nj-b,s,5,2,3,0\n")
    first = read_trace_columns(path, cache=True)
    _no_parsing(monkeypatch)
    again = read_trace_columns(path, cache=True)
    _same(again, first)
    assert callable(again.job_id)  # read from the file when a job log asks, not stored
    assert again.job_ids().tolist() == ["j-a", "j-b"]


def test_a_changed_file_is_read_anew(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,u,0,1,10\n")
    assert read_trace_columns(path, cache=True).duration_s.tolist() == [10.0]
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,u,0,1,99\nb,u,1,1,1\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert read_trace_columns(path, cache=True).duration_s.tolist() == [99.0, 1.0]


def test_a_bad_file_is_never_stored(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,u,0,0,10\n")
    for _ in range(2):  # the error is reported on every read, naming line and column
        with pytest.raises(InputError) as exc:
            read_trace_columns(path, cache=True)
        assert exc.value.problems[0].line == 2
        assert exc.value.problems[0].column == "n_gpus"
    assert not cache.exists() or not any(cache.iterdir())


def test_an_entry_of_another_ident_is_not_read(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("job_id,tenant,submit_s,n_gpus,duration_s\na,u,0,1,10\n")
    read_trace_columns(path, cache=True)
    (entry,) = cache.iterdir()
    meta = json.loads((entry / "meta.json").read_text())
    (entry / "meta.json").write_text(json.dumps(meta | {"ident": "another file"}))  # a name clash
    assert trace_cache.load(path, "canonical", {}, None) is None


def test_an_unwritable_cache_costs_speed_not_the_run(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AIDC_CACHE_DIR", str(blocker))
    path = DATA / "philly_300.csv"
    assert len(read_trace_columns(path, "philly", cache=True)) == len(read_trace_columns(path, "philly"))


def test_the_least_recently_used_entries_go_first(cache: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"t{i}.csv")
        paths[-1].write_text("job_id,tenant,submit_s,n_gpus,duration_s\n" +
                             "".join(f"j{k},u,{k},1,{i + 1}\n" for k in range(200)))
    read_trace_columns(paths[0], cache=True)
    entry_bytes = sum(f.stat().st_size for e in cache.iterdir() for f in e.iterdir())
    monkeypatch.setattr(trace_cache, "limit_bytes", lambda: 2.5 * entry_bytes)
    # a pause between uses: file times advance by the kernel's clock tick, not by the nanosecond
    time.sleep(0.05)
    read_trace_columns(paths[1], cache=True)
    time.sleep(0.05)
    read_trace_columns(paths[0], cache=True)  # t0 used again: t1 is now the least recently used
    time.sleep(0.05)
    read_trace_columns(paths[2], cache=True)  # over the limit: the entry of t1 (least recent) goes
    kept = {json.loads((e / "meta.json").read_text())["ident"] for e in cache.iterdir()}
    assert len(kept) == 2
    assert not any('t1.csv' in ident for ident in kept)


def test_cli_replays_from_the_cache_with_the_same_output(tmp_path: Path) -> None:
    env = os.environ | {"AIDC_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}
    argv = [sys.executable, "-c", "from aidc.cli import main; main()", "simulate", "--trace",
            str(DATA / "philly_300.csv"), "--format", "philly", "--gpus", "16", "--json"]
    runs = [subprocess.run([*argv, *extra], env=env, capture_output=True, text=True, check=True).stdout
            for extra in ([], [], ["--no-cache"])]
    assert runs[0] == runs[1] == runs[2]
    assert json.loads(runs[0])["n_jobs"] == 300
    assert len(list((tmp_path / "cache" / "traces").iterdir())) == 1
