"""Usage errors of the command line in the reader's language (aidc.cli._usage).

click writes them in English; a Korean reader gets the catalog's words, naming the option or
argument and what was expected, and an English reader keeps click's own text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.i18n.english import english_words

SRC = Path(__file__).resolve().parents[2] / "src"
PROBE = "import sys; sys.argv = ['aidc', *sys.argv[1:]]\nfrom aidc.cli import main\nmain()"

#: A command line with a usage error, and what the Korean message must say.
CASES = {
    "not a whole number": (["simulate", "--trace", "x.csv", "--gpus", "abc"],
                           ["'--gpus'", "정수여야", "'abc'"]),
    "under the minimum": (["simulate", "--gpus", "0"], ["'--gpus'", "1 이상", "'0'"]),
    "unknown option": (["run", "--json"], ["알 수 없는 옵션", "--json"]),
    "unknown command": (["runn"], ["알 수 없는 명령", "'runn'", "'run'"]),
    "option without its value": (["design", "--lang"], ["--lang", "값이 필요"]),
    "extra argument": (["design", "a", "b"], ["인수가 더", "b"]),
    "missing argument": (["survey", "validate"], ["'file'", "필요"]),
}


def _run(argv: list[str], lang: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(SRC), "AIDC_LANG": lang, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", PROBE, "--lang", lang, *argv], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_usage_error_is_korean_for_a_korean_reader(case: str) -> None:
    argv, said = CASES[case]
    got = _run(argv, "ko")
    assert got.returncode == 2, got.stderr
    assert "Traceback" not in got.stderr
    assert "오류:" in got.stderr
    for words in said:
        assert words in got.stderr, got.stderr
    # The error's prose is Korean; what the user typed (quoted, options, arguments) stays as typed.
    error = next(line for line in got.stderr.splitlines() if line.startswith("오류:"))
    prose = re.sub(r"'[^']*'|--[\w-]+", " ", error)
    for typed in argv:
        prose = prose.replace(typed, " ")
    assert english_words(prose) == [], error


def test_an_english_reader_keeps_clicks_words() -> None:
    got = _run(["run", "--json"], "en")
    assert got.returncode == 2
    assert "Error: No such option: --json" in got.stderr
    assert "Try 'aidc run --help' for help." in got.stderr
