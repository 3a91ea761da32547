"""The assumptions page (inputs that differ from the defaults) and the sources appendix."""

from __future__ import annotations

import aidc
from aidc import data
from aidc.report import provenance
from aidc.scenario import dump_scenario, parse_scenario


def _edited(name: str, old: str, new: str) -> aidc.Scenario:
    text = dump_scenario(aidc.load_scenario(name))
    assert old in text
    return parse_scenario(text.replace(old, new, 1))


def test_default_scenario_differs_from_nothing() -> None:
    assert provenance.assumptions(aidc.load_scenario()).empty


def test_a_changed_default_is_listed_with_the_source_of_the_default() -> None:
    table = provenance.assumptions(_edited("jeonbuk-aidc", "max_floors: 5", "max_floors: 4"))
    row = table.set_index("field").loc["site.max_floors"]
    assert (row["value"], row["default"]) == ("4", "5")
    assert row["default_from"] == data.record("site.max_floors")["source"]
    assert len(table) == 1


def test_differences_from_the_base_scenario_both_ways() -> None:
    table = provenance.assumptions(aidc.load_scenario("jeonbuk-phase1")).set_index("field")
    assert table.loc["fleet.mix.reference_800w", "value"] == "1.0"
    assert table.loc["fleet.servers.dgx_h100", "value"] == "–"  # dropped from the base's fleet
    assert table.loc["fleet.servers.dgx_h100", "default"] == "157"
    assert table.loc["facility.halls[0].cooling", "default"] == "rear_door"
    assert "name" not in table.index  # descriptive fields are not assumptions


def test_sources_list_every_default_record() -> None:
    table = provenance.sources(aidc.load_scenario())
    keys = set(table["key"])
    assert set(data.all_records()) <= keys
    assert table["source"].str.len().min() > 0


def test_sources_list_the_catalog_entries_the_scenario_uses() -> None:
    phase1 = set(provenance.sources(aidc.load_scenario("jeonbuk-phase1"))["key"])
    ai = set(provenance.sources(aidc.load_scenario("jeonbuk-ai"))["key"])
    assert "servers:reference_800w.power_max_w" in phase1
    assert not any(k.startswith("servers:dgx_h100.") for k in phase1)
    assert "servers:dgx_h100.power_max_w" in ai
    assert not any(k.startswith("servers:reference_800w.") for k in ai)


def test_sources_include_the_data_sets_used() -> None:
    scenario = aidc.load_scenario("jeonbuk-ai")
    keys = provenance.sources(scenario)["key"]
    assert keys.str.startswith("gpus:h100_sxm.").any()  # the GPU of the DGX H100 servers it uses
    tariff = data.value("energy.tariff")
    files = {k.split(":")[0] for k in keys if k.startswith("tariffs/")}
    assert len(files) == 1  # only the tariff file holding the scenario's tariff
    assert tariff in data.load_yaml(f"{files.pop()}.yaml")["tariffs"]
