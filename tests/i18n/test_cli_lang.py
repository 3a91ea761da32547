"""``--lang`` on the root and on commands; without it the locale decides (ko when LANG is Korean)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()


@pytest.fixture
def bad_survey(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("respondents:\n  - {respondent_id: U01, organisation: A, tenant_class: bank}\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("args", "env", "expected", "absent"), [
    (["--lang", "ko"], {"LANG": "en_US.UTF-8"}, "유효하지 않음", "not valid"),
    ([], {"LANG": "ko_KR.UTF-8", "AIDC_LANG": ""}, "유효하지 않음", "not valid"),
    ([], {"LANG": "en_US.UTF-8", "AIDC_LANG": ""}, "not valid", "유효하지 않음"),
    (["--lang", "en"], {"LANG": "ko_KR.UTF-8"}, "not valid", "유효하지 않음"),
])
def test_language_of_the_output(bad_survey: Path, args: list[str], env: dict[str, str], expected: str,
                                absent: str) -> None:
    result = runner.invoke(app, [*args, "survey", "validate", str(bad_survey)], env=env)
    assert result.exit_code == 2
    assert expected in result.output
    assert absent not in result.output


def test_a_command_option_wins_over_the_root(bad_survey: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "survey", "validate", str(bad_survey), "--lang", "ko"])
    assert "유효하지 않음" in result.output


def test_the_korean_problem_names_the_korean_choices(bad_survey: Path) -> None:
    """The respondent typed 'bank' on a sheet without Korean headers: the English choices are listed."""
    result = runner.invoke(app, ["--lang", "ko", "survey", "validate", str(bad_survey)])
    assert "허용되지 않는 값" in result.output
    assert "University / RISE" in result.output.replace("\n", "")


def test_unknown_language_is_a_usage_error(bad_survey: Path) -> None:
    result = runner.invoke(app, ["--lang", "fr", "survey", "validate", str(bad_survey)])
    assert result.exit_code == 2
    assert "--lang" in result.output
