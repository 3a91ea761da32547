"""Running sweeps: same table on any scheduler, failing variants, stop and resume, files."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from aidc import load_scenario
from aidc.errors import InputError
from aidc.scenario import Scenario
from aidc.sweep import Stage, run_batch, sweep
from aidc.sweep.grid import base_dict
from aidc.sweep.store import JOURNAL, read_journal

if TYPE_CHECKING:
    from distributed import LocalCluster

SMALL = Path(__file__).parents[1] / "data" / "sweep" / "small_sweep.yaml"


def monte_carlo(s: Scenario) -> dict:
    """A toy stochastic stage: IT load drawn around the capacity, from the scenario's seed."""
    draw = np.random.default_rng(s.seed).normal()
    return {"load_kw": s.power.it_capacity_kw * (1 + 0.1 * draw),
            "floor_area_m2": s.site.site_area_m2 * s.site.max_floors}


def fragile(s: Scenario) -> dict:
    if s.site.max_floors == 4:
        raise ValueError("four floors are unlucky")
    return {"n_floors": s.site.max_floors}


TOY = {
    "toy": monte_carlo,
    "fragile": fragile,
    "double": Stage(lambda s, up: 2 * up["toy"]["load_kw"], lambda r: {"double_load_kw": r}, needs=("toy",)),
}


def _outputs(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns="elapsed_s")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A 2-process Dask cluster on loopback, closed at the end of the module."""
    import cloudpickle
    from distributed import LocalCluster

    # The toy stages live in this test module, which the worker processes cannot import.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_synchronous_table_by_hand() -> None:
    """12 rows (3 x 2 variants x 2 seeds); deterministic outputs written as their arithmetic."""
    result = sweep(load_scenario(SMALL), ["toy"], stage_table=TOY, scheduler="synchronous")
    t = result.table
    assert (result.n_runs, result.n_reused, result.n_failed) == (12, 0, 0)
    assert list(t.columns[:5]) == ["variant", "variant_id", "seed", "site.max_floors", "power.it_capacity_kw"]
    assert t["floor_area_m2"].iloc[4] == pytest.approx(2500 * 3.305785 * 4)
    draw_seed_8 = np.random.default_rng(8).normal()
    assert t["load_kw"].iloc[3] == pytest.approx(8000 * (1 + 0.1 * draw_seed_8))
    # The same seed gives the same draw in every variant; two seeds give two draws.
    assert t.groupby("seed")["load_kw"].apply(lambda x: (x / t.loc[x.index, "power.it_capacity_kw"]).nunique()
                                              ).tolist() == [1, 1]


def test_same_table_on_local_cluster_remote_scheduler_and_in_process(cluster: LocalCluster) -> None:
    from distributed import Client

    s = load_scenario(SMALL)
    expected = _outputs(sweep(s, ["double"], stage_table=TOY, scheduler="synchronous").table)
    with Client(cluster) as client:
        on_client = sweep(s, ["double"], stage_table=TOY, scheduler=client, runs_per_task=5).table
    by_address = sweep(s, ["double"], stage_table=TOY, scheduler=cluster.scheduler_address).table
    assert "double_load_kw" in expected
    assert (expected["double_load_kw"] == 2 * expected["load_kw"]).all()
    pd.testing.assert_frame_equal(_outputs(on_client), expected)
    pd.testing.assert_frame_equal(_outputs(by_address), expected)


def test_failing_variant_is_recorded_and_others_go_on(cluster: object) -> None:
    from distributed import Client

    with Client(cluster) as client:
        result = sweep(load_scenario(SMALL), ["fragile"], stage_table=TOY, scheduler=client)
    t = result.table
    failed = t[t["status"] == "failed"]
    assert result.n_failed == len(failed) == 2 * 2  # 4 floors x (2 capacities) x 2 seeds
    assert set(failed["site.max_floors"]) == {4}
    assert (failed["error"] == "ValueError: four floors are unlucky").all()
    assert failed["n_floors"].isna().all()
    assert t.loc[t["status"] == "ok", "n_floors"].tolist() == [3] * 4 + [5] * 4


def test_run_batch_never_raises_for_one_run() -> None:
    s = load_scenario()
    items = [("k1", {"site.max_floors": 4}, 0), ("k2", {"site.max_floors": 3}, 0),
             ("k3", {"site.max_floors": 0}, 0)]
    stages = {"fragile": Stage(lambda sc, up: fragile(sc), dict)}
    records = run_batch(base_dict(s), items, stages)
    assert [r["status"] for r in records] == ["failed", "ok", "failed"]
    assert records[1]["outputs"] == {"n_floors": 3}
    assert "greater than or equal to 1" in records[2]["error"]  # the worker re-validates


def test_resume_runs_only_what_is_missing(tmp_path: Path) -> None:
    s = load_scenario(SMALL)
    full = sweep(s, ["toy"], stage_table=TOY, scheduler="synchronous", out_dir=tmp_path, runs_per_task=4)
    journal = tmp_path / JOURNAL
    lines = journal.read_text().splitlines()
    assert len(lines) == 12
    # A sweep killed after 5 runs, in the middle of writing the 6th line.
    journal.write_text("\n".join(lines[:5]) + "\n" + lines[5][:20])
    calls: list[int] = []
    def toy(sc: Scenario) -> dict:
        calls.append(1)
        return monte_carlo(sc)

    counting = {"toy": toy}
    resumed = sweep(s, ["toy"], stage_table=counting, scheduler="synchronous", out_dir=tmp_path, resume=True)
    assert (resumed.n_reused, len(calls)) == (5, 7)
    pd.testing.assert_frame_equal(_outputs(resumed.table), _outputs(full.table))
    again = sweep(s, ["toy"], stage_table=counting, scheduler="synchronous", out_dir=tmp_path, resume=True)
    assert (again.n_reused, len(calls)) == (12, 7)


def test_resume_keeps_failures_unless_retried(tmp_path: Path) -> None:
    s = load_scenario(SMALL)
    sweep(s, ["fragile"], stage_table=TOY, scheduler="synchronous", out_dir=tmp_path)
    kept = sweep(s, ["fragile"], stage_table=TOY, scheduler="synchronous", out_dir=tmp_path, resume=True)
    assert (kept.n_reused, kept.n_failed) == (12, 4)
    healed = {"fragile": lambda sc: {"n_floors": sc.site.max_floors}}
    retried = sweep(s, ["fragile"], stage_table=healed, scheduler="synchronous", out_dir=tmp_path,
                    resume=True, retry_failed=True)
    assert (retried.n_reused, retried.n_failed) == (8, 0)
    assert sum(r["status"] == "ok" for r in read_journal(tmp_path).values()) == 12


def test_out_dir_of_another_sweep_needs_resume_or_fresh(tmp_path: Path) -> None:
    s = load_scenario(SMALL)
    sweep(s, ["toy"], stage_table=TOY, scheduler="synchronous", out_dir=tmp_path)
    with pytest.raises(InputError, match="earlier sweep"):
        sweep(s, ["toy"], stage_table=TOY, scheduler="synchronous", out_dir=tmp_path)
    fresh = sweep(s, ["toy"], stage_table=TOY, scheduler="synchronous", out_dir=tmp_path, fresh=True)
    assert fresh.n_reused == 0
    assert len((tmp_path / JOURNAL).read_text().splitlines()) == 12


def test_files_hold_the_table(tmp_path: Path) -> None:
    s = load_scenario(SMALL).model_copy(update={"sweep": {
        "site.max_floors": [3, 5], "fleet.mix": [{"reference_800w": 1.0}]}})
    result = sweep(s, ["toy"], stage_table=TOY, scheduler="synchronous", out_dir=tmp_path)
    parquet = pd.read_parquet(tmp_path / "sweep.parquet")
    pd.testing.assert_frame_equal(parquet, result.table)
    csv = pd.read_csv(tmp_path / "sweep.csv")
    assert list(csv.columns) == list(result.table.columns)
    assert json.loads(csv["fleet.mix"].iloc[0]) == {"reference_800w": 1.0}  # non-scalar axis as JSON
    html = (tmp_path / "charts.html").read_text()
    assert "load_kw: mean \\u00b1 std over seeds" in html  # one axis varies: a line per output
    assert html.count("<script src=") == 0  # plotly.js embedded, nothing fetched
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["stages"], manifest["axes"], manifest["n_runs"]) == (
        ["toy"], ["site.max_floors", "fleet.mix"], 2 * 2)
    assert load_scenario(tmp_path / "scenario.yaml") == s  # the sweep can be run again from its folder


def test_progress_is_reported_to_the_end() -> None:
    seen: list[tuple[int, int]] = []
    sweep(load_scenario(SMALL), ["toy"], stage_table=TOY, scheduler="synchronous", runs_per_task=5,
          on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 12), (5, 12), (10, 12), (12, 12)]


def test_unreachable_scheduler_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from aidc.sweep import runner

    monkeypatch.setattr(runner, "SCHEDULER_TIMEOUT", "0.5s")
    with pytest.raises(InputError, match="cannot reach the Dask scheduler") as err:
        sweep(load_scenario(SMALL), ["toy"], stage_table=TOY, scheduler="tcp://127.0.0.1:1")
    assert err.value.problems[0].found == "tcp://127.0.0.1:1"


def test_packed_batch_pickles_and_runs_like_run_batch() -> None:
    """The box that keeps a batch's items from Dask's argument walk changes nothing else."""
    import pickle

    from aidc.sweep.runner import _Packed, _run_packed

    s = load_scenario()
    items = [("k1", {"site.max_floors": 3}, 0), ("k2", {"site.max_floors": 5}, 1)]
    stages = {"fragile": Stage(lambda sc, up: fragile(sc), dict)}
    packed = pickle.loads(pickle.dumps(_Packed(items)))
    assert packed.items == items
    got = _run_packed(base_dict(s), packed, stages)
    want = run_batch(base_dict(s), items, stages)
    assert [(r["key"], r["status"], r["outputs"]) for r in got] == \
        [(r["key"], r["status"], r["outputs"]) for r in want] == \
        [("k1", "ok", {"n_floors": 3}), ("k2", "ok", {"n_floors": 5})]
