"""``aidc ops`` through Typer's CliRunner, on the fixtures of tests/data/ops (see its README)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aidc.cli import app
from aidc.errors import InputError
from aidc.scenario import dump_scenario

from .conftest import DATA

runner = CliRunner()


def test_import_json_totals_by_hand(tmp_path) -> None:
    """7 allocations; 2 GPUs x 2 h + 8 x 50 h + 16 x 12 h + 1 x 24 h = 620 GPU-hours."""
    res = runner.invoke(app, ["ops", "import", "--sacct", str(DATA / "sacct_awkward.txt"), "--accounts",
                              str(DATA / "accounts.csv"), "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert (out["n_jobs"], out["gpu_h"]) == (7, 620.0)
    march = {r["tenant_class"]: r for r in out["monthly"] if r["month"] == "2028-03"}
    assert march["research"]["p95_wait_h"] == 12.0
    assert march["startup_sme"]["p95_wait_h"] is None  # its one job has not started
    assert (tmp_path / "jobs.parquet").is_file()
    assert (tmp_path / "skipped.parquet").is_file()


def test_import_table_in_korean(tmp_path) -> None:
    res = runner.invoke(app, ["ops", "import", "--sacct", str(DATA / "sacct_awkward.txt"), "--out",
                              str(tmp_path), "--lang", "ko"])
    assert res.exit_code == 0, res.output
    assert "건너뛴 줄과 이유" in res.output
    assert "이용자유형" in res.output


def test_import_refuses_malformed_rows(tmp_path) -> None:
    res = runner.invoke(app, ["ops", "import", "--sacct", str(DATA / "sacct_malformed.txt"), "--out",
                              str(tmp_path)])
    assert isinstance(res.exception, InputError)
    assert "sacct_malformed.txt:3, field 'Elapsed'" in str(res.exception)


def test_forecast_needs_an_import_first(tmp_path) -> None:
    res = runner.invoke(app, ["ops", "forecast", "--store", str(tmp_path)])
    assert isinstance(res.exception, InputError)
    assert "aidc ops import" in str(res.exception)


def test_generate_import_trigger(plan, tmp_path) -> None:
    """The monthly routine on the twin's year: decide-by is the break month minus the 30-month lead time."""
    scenario, _, _ = plan
    path = tmp_path / "scenario.yaml"
    path.write_text(dump_scenario(scenario), encoding="utf-8")
    sacct = tmp_path / "sacct.txt"
    made = runner.invoke(app, ["ops", "generate", str(path), "--years", "1", "--out", str(sacct)])
    assert made.exit_code == 0
    read = runner.invoke(app, ["ops", "import", "--sacct", str(sacct), "--out", str(tmp_path / "s")])
    assert read.exit_code == 0
    res = runner.invoke(app, ["ops", "trigger", str(path), "--store", str(tmp_path / "s"), "--json",
                              "--service-level", "public=12"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["service_levels_h"] == {"university": 24.0, "research": 48.0, "public": 12.0}
    assert out["lead_time_months"] == 30
    assert len(out["by_month"]) == 120
