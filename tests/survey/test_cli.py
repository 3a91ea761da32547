"""``aidc survey`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()


def test_template_then_validate(tmp_path: Path) -> None:
    out = tmp_path / "survey.xlsx"
    result = runner.invoke(app, ["survey", "template", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0
    assert out.is_file()
    result = runner.invoke(app, ["survey", "template", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 1
    assert "exists" in result.output
    result = runner.invoke(app, ["survey", "validate", str(out), "--json"])
    assert result.exit_code == 2  # an empty template has no respondents
    body = json.loads(result.output)
    assert body["valid"] is False
    assert body["errors"][0]["message"] == "no respondents"


def test_validate_example_is_clean() -> None:
    from aidc.survey import example_path

    result = runner.invoke(app, ["survey", "validate", str(example_path())])
    assert result.exit_code == 0
    assert "valid" in result.output
    assert "30 respondent(s)" in result.output


def test_validate_reports_errors_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("respondents:\n  - {respondent_id: U01, organisation: A, tenant_class: bank}\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["survey", "validate", str(path)])
    assert result.exit_code == 2
    assert "unknown value" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_language() -> None:
    result = runner.invoke(app, ["survey", "template", "--lang", "fr"])
    assert result.exit_code != 0


def test_validate_in_korean(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("respondents:\n  - {respondent_id: U01, organisation: A, tenant_class: bank}\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["survey", "validate", str(path), "--lang", "ko"])
    assert result.exit_code == 2
    assert "허용되지" in result.output
    assert "유효하지 않음" in result.output
