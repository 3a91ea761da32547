"""``aidc sweep`` through Typer's CliRunner (in-process scheduler: no cluster in these tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from aidc.cli import app
from aidc.errors import InputError
from aidc.sweep import STAGES, Stage

SMALL = str(Path(__file__).parents[1] / "data" / "sweep" / "small_sweep.yaml")
runner = CliRunner()


def _sweep(*args: str) -> Result:
    return runner.invoke(app, ["sweep", SMALL, "--scheduler", "synchronous", *args])


def test_sweep_writes_table_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _sweep("--stages", "scenario", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["n_runs"], summary["n_reused"], summary["n_failed"]) == (12, 0, 0)
    table = pd.read_parquet(out / "sweep.parquet")
    assert table["it_capacity_kw"].tolist() == table["power.it_capacity_kw"].astype(float).tolist()
    assert (out / "sweep.csv").is_file()
    assert (out / "charts.html").is_file()

    again = _sweep("--stages", "scenario", "--out", str(out))
    assert isinstance(again.exception, InputError)
    assert "--resume" in str(again.exception)

    resumed = _sweep("--stages", "scenario", "--out", str(out), "--resume", "--seeds", "3")
    assert resumed.exit_code == 0, resumed.output
    assert "18 runs (12 reused" in resumed.output  # one more seed: 6 new runs


def test_failed_runs_are_listed_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unlucky(s: object, up: object) -> dict:
        if s.site.max_floors == 4:  # type: ignore[attr-defined]
            raise ValueError("four floors are unlucky")
        return {}

    monkeypatch.setitem(STAGES, "unlucky", Stage(unlucky, dict))
    result = _sweep("--stages", "unlucky", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "4 failed" in result.output
    assert "unlucky" in result.output
    assert "site.max_floors=4" in result.output


def test_bad_options() -> None:
    unknown = _sweep("--stages", "desing")
    assert isinstance(unknown.exception, InputError)
    assert "unknown stage(s): desing" in str(unknown.exception)
    both = runner.invoke(app, ["sweep", SMALL, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert both.exit_code != 0
    assert "not both" in both.output


def test_interrupted_sweep_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(s: object, up: object) -> dict:
        if s.site.max_floors == 5:  # type: ignore[attr-defined]
            raise KeyboardInterrupt  # Ctrl-C while the last two variants run
        return {"n_floors": s.site.max_floors}  # type: ignore[attr-defined]

    monkeypatch.setitem(STAGES, "flaky", Stage(interrupted, dict))
    stopped = _sweep("--stages", "flaky", "--out", str(tmp_path), "--runs-per-task", "2")
    assert stopped.exit_code == 130
    assert "--resume" in stopped.output
    assert len((tmp_path / "runs.jsonl").read_text().splitlines()) == 8  # 4 variants x 2 seeds

    monkeypatch.setitem(STAGES, "flaky", Stage(lambda s, up: {"n_floors": s.site.max_floors}, dict))
    resumed = _sweep("--stages", "flaky", "--out", str(tmp_path), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "12 runs (8 reused" in resumed.output
    assert pd.read_csv(tmp_path / "sweep.csv")["n_floors"].tolist() == [3] * 4 + [4] * 4 + [5] * 4
