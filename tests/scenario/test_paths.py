"""Files a scenario names (survey, weather) are read from the scenario file's folder, not the current one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aidc.scenario import dump_scenario, load_scenario, resolve_paths


def _write(folder: Path, survey: str | None, weather: str | None = None) -> Path:
    base = load_scenario()
    s = base.model_copy(update={
        "name": "moved",
        "demand": base.demand.model_copy(update={"survey": survey}),
        "energy": base.energy.model_copy(update={"weather": weather}),
    })
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.yaml"
    path.write_text(dump_scenario(s), encoding="utf-8")
    return path


def test_relative_paths_are_read_from_the_scenario_folder(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "plans" / "jeonbuk", "surveys/answers.xlsx", "jeonju.epw")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the current folder must not matter
    s = load_scenario(os.path.relpath(path, elsewhere))
    folder = path.parent.resolve()
    assert Path(s.demand.survey or "").resolve() == folder / "surveys" / "answers.xlsx"
    assert Path(s.energy.weather or "").resolve() == folder / "jeonju.epw"


def test_absolute_and_absent_paths_are_left_alone(tmp_path: Path) -> None:
    absolute = str(tmp_path / "survey.csv")
    s = load_scenario(_write(tmp_path / "a", absolute, None))
    assert s.demand.survey == absolute
    assert s.energy.weather is None


def test_resolving_twice_changes_nothing(tmp_path: Path) -> None:
    s = load_scenario(_write(tmp_path / "b", "s.yaml"))
    assert resolve_paths(s, tmp_path / "other") == s  # already absolute: the second folder is ignored


def test_the_run_reads_the_survey_beside_the_scenario(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through the survey stage: a survey copied next to the scenario is the one read."""
    from aidc import survey
    from aidc.pipeline import STAGES

    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "mine.yaml").write_bytes(survey.example_path().read_bytes())
    path = _write(folder, "mine.yaml")
    monkeypatch.chdir(tmp_path)
    stage = next(st for st in STAGES if st.name == "survey")
    table = stage.compute(load_scenario(path), None)  # type: ignore[arg-type]  # the survey reads no result
    assert len(table.respondents) == len(survey.read(survey.example_path()).respondents)
    assert not (tmp_path / "mine.yaml").exists()  # read relative to the current folder, it would be missing
