"""``aidc run``: progress per stage, the report where it says, bad options refused."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aidc.cli import app
from aidc.pipeline import STAGE_NAMES
from aidc.report import i18n

runner = CliRunner()


def test_run_writes_the_report_and_says_where(tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--lang", "ko", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "보고서:" in result.output  # the Korean run speaks Korean (report:)
    assert str(out / "report.html") in result.output.replace("\n", "")
    korean = i18n.text("ko")
    for stage in STAGE_NAMES:  # one progress line per stage, in the reader's words: done, or why not
        assert korean(f"section.{stage}") in result.output
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert '<html lang="ko">' in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "report.xlsx").is_file()
    run = json.loads((out / "data" / "run.json").read_text(encoding="utf-8"))
    assert run["scenario"] == "jeonbuk-aidc"  # the embedded default


def test_default_out_dir_is_aidc_out_scenario(tmp_path, monkeypatch, default_result) -> None:
    import aidc.cli.run

    def run_again(scenario, on_stage):  # the session's run of the same scenario, replayed
        for stage in STAGE_NAMES:
            on_stage(stage, "missing" if stage in default_result.missing else "done")
        return default_result

    monkeypatch.setattr(aidc.cli.run, "run", run_again)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "jeonbuk-phase1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "aidc-out" / "jeonbuk-phase1" / "report.html").is_file()


def test_bad_language_is_refused(tmp_path) -> None:
    result = runner.invoke(app, ["run", "--lang", "fr", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "--lang" in result.output
    assert not (tmp_path / "report.html").exists()


def test_bad_scenario_names_the_problem(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsite: {area_pyeong: -5}\nfleet: {mix: {reference_800w: 1.0}}\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "site.area_pyeong" in result.output
    assert not (tmp_path / "o").exists()
