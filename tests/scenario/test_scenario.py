from __future__ import annotations

import pytest

from aidc import data
from aidc.errors import InputError
from aidc.scenario import (
    dump_scenario,
    list_scenarios,
    load_scenario,
    parse_scenario,
    scenario_hash,
)


def test_default_is_the_provinces_phase1_with_the_surveys_fleet() -> None:
    """The embedded default: the GNN report's envelope (8 MW, 2,500 pyeong, up to 5 floors) with
    GPU servers for the survey's AI demand and CPU servers for cloud and public systems."""
    s = load_scenario()
    assert s.name == "jeonbuk-aidc"
    assert (s.power.it_capacity_kw, s.site.area_pyeong, s.site.max_floors) == (8 * 1000, 2500, 5)
    kinds = {s.servers()[k].kind for k in s.fleet.servers or {}}
    assert {"gpu", "cpu"} <= kinds


def test_the_article_plan_is_its_own_preset() -> None:
    """jeonbuk-phase1 reproduces the GNN report's arithmetic: 8 MW of 800 W servers."""
    s = load_scenario("jeonbuk-phase1")
    assert s.name == "jeonbuk-phase1"
    assert s.power.it_capacity_kw == 8 * 1000
    assert s.site.area_pyeong == 2500
    assert s.site.max_floors == 5
    assert s.fleet.mix == {"reference_800w": 1.0}
    assert s.servers()["reference_800w"].power_max_w == 800


def test_shipped_scenarios_listed_and_valid() -> None:
    names = list_scenarios()
    assert {"jeonbuk-phase1", "jeonbuk-ai"} <= set(names)
    for name in names:
        assert load_scenario(name).name == name


@pytest.mark.parametrize("name", ["jeonbuk-phase1", "jeonbuk-ai"])
def test_yaml_round_trip(name: str) -> None:
    s = load_scenario(name)
    again = parse_scenario(dump_scenario(s))
    assert again == s
    assert scenario_hash(again) == scenario_hash(s)


def test_hash_changes_with_content() -> None:
    s = load_scenario()
    t = s.model_copy(update={"seed": s.seed + 1})
    assert scenario_hash(s) != scenario_hash(t)


def test_area_in_m2_or_pyeong() -> None:
    text = dump_scenario(load_scenario()).replace("area_pyeong: 2500.0", "area_m2: 8264.46")
    s = parse_scenario(text)
    assert s.site.site_area_m2 == pytest.approx(8264.46)


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_scenario(text, file="s.yaml")
    return [str(p) for p in info.value.problems]


BASE = """\
name: t
site:
  area_pyeong: 2500
fleet:
  mix:
    reference_800w: 1.0
"""


def test_misspelt_key_names_file_line_and_field() -> None:
    msgs = _problems(BASE.replace("  area_pyeong: 2500", "  area_pyeong: 2500\n  max_flors: 3"))
    assert msgs == ["s.yaml:4, field 'site.max_flors': unknown key (misspelt?)"]


def test_negative_value_names_line_and_value() -> None:
    msgs = _problems(BASE.replace("2500", "-1"))
    assert msgs == ["s.yaml:3, field 'site.area_pyeong': must be more than 0 (found -1)"]


def test_both_areas_is_an_error() -> None:
    msgs = _problems(BASE.replace("  area_pyeong: 2500", "  area_pyeong: 2500\n  area_m2: 8000"))
    assert len(msgs) == 1
    assert "not both" in msgs[0]
    assert msgs[0].startswith("s.yaml:2, field 'site'")


def test_mix_must_sum_to_one() -> None:
    msgs = _problems(BASE.replace("reference_800w: 1.0", "reference_800w: 0.7"))
    assert "sum to 0.7" in msgs[0]
    assert "field 'fleet'" in msgs[0]


def test_unknown_server_type() -> None:
    msgs = _problems(BASE.replace("reference_800w", "h999"))
    assert "unknown server type(s) h999" in msgs[0]


def test_missing_required_section() -> None:
    msgs = _problems("name: t\nfleet:\n  mix:\n    reference_800w: 1.0\n")
    assert msgs == ["s.yaml:1, field 'site': required field is missing"]


def test_yaml_syntax_error_names_line() -> None:
    msgs = _problems("name: t\nsite: [unclosed\n")
    assert msgs[0].startswith("s.yaml:")
    assert "not valid YAML" in msgs[0]


def test_missing_file() -> None:
    with pytest.raises(InputError, match="no such scenario file"):
        load_scenario("does/not/exist.yaml")


def test_every_default_record_has_a_source() -> None:
    for key, rec in data.all_records().items():
        assert rec["source"].strip(), key
        assert rec["unit"] is not None, key


def test_every_catalog_figure_has_a_source() -> None:
    for key, server in load_scenario().servers().items():
        numeric = [
            name for name, v in server.model_dump().items()
            if isinstance(v, int | float) and not isinstance(v, bool) and v != 0
        ]
        for name in numeric:
            assert server.sources.get(name), f"{key}.{name} has no source"


def test_scenario_is_frozen() -> None:
    s = load_scenario()
    with pytest.raises(Exception, match="frozen"):
        s.site.max_floors = 7  # type: ignore[misc]
