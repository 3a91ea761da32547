"""``aidc scenario new``: a new name (asked for or given), the survey copied beside it, no overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidc import survey
from aidc.cli import app
from aidc.cli.run import claim_out_dir, scenario_source
from aidc.scenario import DEFAULT_SCENARIO, load_scenario

runner = CliRunner()


def test_new_scenario_has_its_own_name_and_its_survey(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plans" / "gunsan.yaml"
    result = runner.invoke(app, ["scenario", "new", str(path), "--name", "gunsan"])
    assert result.exit_code == 0, result.output
    survey_copy = tmp_path / "plans" / "gunsan-survey.yaml"
    assert survey_copy.read_bytes() == survey.example_path().read_bytes()
    monkeypatch.chdir(tmp_path)  # anywhere else: the survey path is relative to the scenario file
    s = load_scenario(path)
    assert s.name == "gunsan"
    assert Path(s.demand.survey or "").resolve() == survey_copy.resolve()
    assert "survey: gunsan-survey.yaml" in path.read_text(encoding="utf-8")


def test_the_name_is_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    result = runner.invoke(app, ["--lang", "ko", "scenario", "new", str(path)], input="iksan\n")
    assert result.exit_code == 0, result.output
    assert "새 시나리오의 이름" in result.output
    assert load_scenario(path).name == "iksan"


def test_a_copy_under_the_original_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "same.yaml"
    result = runner.invoke(app, ["--lang", "ko", "scenario", "new", str(path), "--name", DEFAULT_SCENARIO])
    assert result.exit_code == 1
    assert "고유한 이름" in result.output
    assert not path.exists()


def test_a_copy_of_a_copy_needs_a_new_name_too(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    assert runner.invoke(app, ["scenario", "new", str(first), "--name", "a"]).exit_code == 0
    second = ["scenario", "new", str(tmp_path / "b.yaml"), "--base", str(first), "--name"]
    result = runner.invoke(app, [*second, "a"])
    assert result.exit_code == 1
    ok = runner.invoke(app, [*second, "b"])
    assert ok.exit_code == 0, ok.output
    # the copy's survey is a copy of the first scenario's survey, not the shipped example's path
    assert (tmp_path / "b-survey.yaml").is_file()
    assert load_scenario(tmp_path / "b.yaml").demand.survey == str(tmp_path / "b-survey.yaml")


def test_existing_files_are_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    (tmp_path / "c-survey.yaml").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["scenario", "new", str(path), "--name", "c"])
    assert result.exit_code == 1
    assert (tmp_path / "c-survey.yaml").read_text(encoding="utf-8") == "mine"
    assert not path.exists()


def test_output_folder_of_another_scenario_is_not_overwritten(tmp_path: Path) -> None:
    """Two scenario files with the same name: the second may not write into the first one's folder."""
    out = tmp_path / "aidc-out" / "same"
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    for p in (first, second):
        p.write_text("x", encoding="utf-8")
    assert claim_out_dir(out, scenario_source(str(first))) is None
    assert claim_out_dir(out, scenario_source(str(first))) is None  # the same scenario again: fine
    assert claim_out_dir(out, scenario_source(str(second))) == str(first.resolve())
    assert claim_out_dir(tmp_path / "aidc-out" / "x", scenario_source("jeonbuk-aidc")) is None
    owner = tmp_path / "aidc-out" / "x" / ".aidc-scenario"
    assert owner.read_text(encoding="utf-8") == "shipped:jeonbuk-aidc\n"


def test_run_refuses_the_folder_of_a_same_named_scenario(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario copied by hand keeps its name: its run stops before overwriting the original's report."""
    from aidc.scenario import dump_scenario

    monkeypatch.chdir(tmp_path)
    original, copy = tmp_path / "original.yaml", tmp_path / "copy.yaml"
    for path in (original, copy):
        path.write_text(dump_scenario(load_scenario()), encoding="utf-8")  # both named jeonbuk-aidc
    out = Path("aidc-out") / DEFAULT_SCENARIO
    assert claim_out_dir(out, scenario_source(str(original))) is None  # the original ran first
    result = runner.invoke(app, ["--lang", "ko", "run", str(copy)])
    assert result.exit_code == 1
    assert "이름이 같은 다른 시나리오" in result.output
    assert not (out / "report.html").exists()
