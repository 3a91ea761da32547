"""``aidc demand`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()


def test_demand_writes_tables(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demand", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["years"][0] == 2028
    assert len(body["years"]) == 15
    by_year = pd.read_parquet(tmp_path / "demand_by_year.parquet")
    assert list(by_year.columns) == ["year", "tenant_class", "gpu_model", "gpu_hours", "peak_gpus",
                                     "cpu_vcpus", "memory_gb", "storage_tb"]
    assert pd.read_csv(tmp_path / "demand_by_year.csv").shape == by_year.shape
    assert (tmp_path / "demand.html").read_text(encoding="utf-8").count("plotly") > 0


def test_demand_bad_survey_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("respondents: 3\n", encoding="utf-8")
    result = runner.invoke(app, ["demand", str(path), "--no-write"])
    assert result.exit_code == 2


def test_demand_in_korean(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demand", "--lang", "ko", "--out", str(tmp_path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "대학 (RISE)" in result.output
    assert "최대 GPU 수" in result.output
    html = (tmp_path / "demand.html").read_text(encoding="utf-8")
    assert json.dumps("초거대 AI R&D")[1:-1] in html  # legend label, JSON-escaped in the page
