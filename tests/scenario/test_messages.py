"""A scenario's problems carry catalog ids: the CLI and the web form write the same Korean."""

from __future__ import annotations

import re

import pytest
from tests.i18n.english import english_words

from aidc import i18n
from aidc.errors import InputError, Problem
from aidc.i18n.problems import localise
from aidc.scenario import parse_scenario
from aidc.web.scenario_form import problem_text

BASE = """\
name: t
site:
  area_pyeong: 2500
  max_floors: 5
fleet:
  mix:
    reference_800w: 1.0
"""
BAD = {
    "misspelt key": BASE.replace("  max_floors: 5", "  max_flors: 5"),
    "below a bound": BASE.replace("2500", "-1"),
    "above a bound": BASE.replace("max_floors: 5", "max_floors: 500"),
    "not a whole number": BASE.replace("max_floors: 5", "max_floors: 2.5"),
    "not a number": BASE.replace("2500", "lots"),
    "missing section": "name: t\nfleet:\n  mix:\n    reference_800w: 1.0\n",
    "shares": BASE.replace("reference_800w: 1.0", "reference_800w: 0.7"),
    "both areas": BASE.replace("  max_floors: 5", "  area_m2: 8000"),
    "unknown server": BASE.replace("reference_800w", "h999"),
    "not YAML": "name: t\nsite: [unclosed\n",
}


def _problems(text: str) -> list[Problem]:
    with pytest.raises(InputError) as err:
        parse_scenario(text, file="s.yaml")
    return err.value.problems


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_scenario_problem_reads_in_korean_at_every_edge(case: str) -> None:
    for p in _problems(BAD[case]):
        assert i18n.has(p.message, "ko"), p.message  # a catalog id, not pydantic's or a validator's English
        cli, _ = localise(p, "ko")
        assert cli == problem_text(p, "ko")  # the CLI and the web form say the same
        assert re.search("[가-힣]", cli), cli
        assert english_words(cli) == [], cli


def test_pydantic_bounds_keep_their_figures() -> None:
    (below,) = _problems(BAD["below a bound"])
    assert (below.text, below.found) == ("must be more than 0", -1)
    assert localise(below, "ko")[0] == "0보다 커야 합니다"
    (above,) = _problems(BAD["above a bound"])
    assert localise(above, "ko")[0] == "100 이하여야 합니다"
    (shares,) = _problems(BAD["shares"])
    assert shares.text == "mix shares must sum to 1, they sum to 0.7"
    assert localise(shares, "ko")[0] == "`mix`의 비율 합은 1이어야 합니다 (현재 합: 0.7)"
