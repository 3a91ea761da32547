"""Korean screens of the commands the Korean-output test does not run: no English word, no internal key."""

from __future__ import annotations

from pathlib import Path

from tests.i18n.english import english_words
from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()
KO = {"LANG": "ko_KR.UTF-8", "AIDC_LANG": "ko", "COLUMNS": "200"}
SMALL = str(Path(__file__).parents[1] / "data" / "sweep" / "small_sweep.yaml")


def test_korean_sweep(tmp_path: Path) -> None:
    res = runner.invoke(app, ["--lang", "ko", "sweep", SMALL, "--scheduler", "synchronous",
                              "--stages", "scenario", "--out", str(tmp_path / "out")], env=KO)
    assert res.exit_code == 0, res.output
    assert "실행 12회" in res.output
    assert english_words(res.output) == []
