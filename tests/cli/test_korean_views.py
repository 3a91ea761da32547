"""Korean screens of the commands the Korean-output test does not run: no English word, no internal key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
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


def test_korean_ops_import_follows_the_root_language(tmp_path: Path) -> None:
    """``aidc --lang ko ops import`` speaks Korean: the command used to default to English, ignoring
    the root option, AIDC_LANG and the locale; tenant classes and skip reasons are named, not keyed."""
    data = Path(__file__).parents[1] / "data" / "ops"
    res = runner.invoke(app, ["--lang", "ko", "ops", "import", "--sacct", str(data / "sacct_awkward.txt"),
                              "--accounts", str(data / "accounts.csv"), "--out", str(tmp_path / "store")],
                        env=KO)
    assert res.exit_code == 0, res.output
    assert "이용자유형" in res.output
    assert "작업 단계 (할당이 아님)" in res.output
    # what is left is the files' paths and their record formats (sacct, accounts): identifiers
    words = set(english_words(res.output)) - set(english_words(str(tmp_path / "store") + " " + str(data)))
    assert words <= {"sacct", "accounts"}
    # too few months to forecast: the reason is said in Korean too
    told = runner.invoke(app, ["--lang", "ko", "ops", "forecast", "--store", str(tmp_path / "store")], env=KO)
    assert told.exit_code == 0, told.output
    assert "수요가 있는 달이 1개로" in told.output
    assert not {"months", "fewer"} & set(english_words(told.output))


def test_korean_energy_options_are_named_not_keyed() -> None:
    """Side-by-side coolings are named as the catalog names them; the list of tariffs has Korean headers."""
    args = ["--lang", "ko", "energy", "--cooling", "air", "--cooling", "direct_liquid"]
    res = runner.invoke(app, args, env=KO)
    assert res.exit_code == 0, res.output
    assert "공랭" in res.output
    assert "직접 액체 냉각(DLC)" in res.output
    assert not {"air", "direct_liquid"} & set(english_words(res.output))
    listed = runner.invoke(app, ["--lang", "ko", "energy", "--list-tariffs"], env=KO)
    assert listed.exit_code == 0, listed.output
    header = next(line for line in listed.output.splitlines() if "시행일" in line)
    assert english_words(header) == []


@pytest.mark.parametrize(("lang", "words"),
                         [("en", "no imported jobs here"), ("ko", "가져온 작업이 없습니다")])
def test_an_input_error_leaving_a_command_speaks_the_runs_language(
    lang: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``aidc --lang en ops forecast`` on an empty store: the problem in English (it came out in
    Korean, the library's default, once the command had ended and given its language back)."""
    from aidc.cli import main

    monkeypatch.delenv("AIDC_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setattr(sys, "argv", ["aidc", "--lang", lang, "ops", "forecast", "--store", str(tmp_path)])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    assert words in capsys.readouterr().err
