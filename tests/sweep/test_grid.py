"""Expanding a scenario's sweep: axes, cartesian order, seeds, keys and bad axes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc import load_scenario
from aidc.errors import InputError
from aidc.scenario import Scenario
from aidc.sweep.grid import base_dict, expand, run_key, set_path, variant_dict, variant_id

SMALL = Path(__file__).parents[1] / "data" / "sweep" / "small_sweep.yaml"


def _with(update: dict) -> Scenario:
    return load_scenario("jeonbuk-phase1").model_copy(update=update)


def test_set_path_by_hand() -> None:
    tree = {"power": {"it_capacity_kw": 8000},
            "facility": {"halls": [{"cooling": "air"}, {"cooling": "air"}]}}
    before = copy.deepcopy(tree)
    assert set_path(tree, "power.it_capacity_kw", 6000)["power"] == {"it_capacity_kw": 6000}
    assert set_path(tree, "facility.halls.1.cooling", "rear_door")["facility"]["halls"] == [
        {"cooling": "air"}, {"cooling": "rear_door"}]
    assert set_path(tree, "site.max_floors", 3)["site"] == {"max_floors": 3}  # missing section created
    assert tree == before  # the input is never changed


def test_set_path_errors_name_the_path() -> None:
    with pytest.raises(KeyError, match="'power.it_capacity_kw' is a value"):
        set_path({"power": {"it_capacity_kw": 1}}, "power.it_capacity_kw.x", 2)
    with pytest.raises(KeyError, match="'halls' is a list of 1; '3' is no index"):
        set_path({"halls": [{}]}, "halls.3.cooling", "air")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from("abc"), min_size=1, max_size=4), st.integers())
def test_set_path_sets_only_its_leaf(parts: list[str], value: int) -> None:
    tree = {"a": {"b": {"c": 0}}, "z": [1, 2]}
    before = copy.deepcopy(tree)
    path = ".".join(parts)
    try:
        out = set_path(tree, path, value)
    except KeyError:
        return  # a path through a value: refused, nothing changed
    node = out
    for p in parts:
        node = node[p]
    assert node == value
    assert out["z"] == [1, 2]
    assert tree == before


def test_small_sweep_expands_in_cartesian_order_with_seeds() -> None:
    """3 floors x 2 capacities = 6 variants, last axis fastest; seeds 7, 8 (seed, seed+1)."""
    s = load_scenario(SMALL)
    base, runs = expand(s)
    assert len(runs) == 3 * 2 * 2
    got = [(r.variant, dict(r.values)["site.max_floors"], dict(r.values)["power.it_capacity_kw"], r.seed)
           for r in runs[:6]]
    assert got == [(0, 3, 6000, 7), (0, 3, 6000, 8), (1, 3, 8000, 7), (1, 3, 8000, 8),
                   (2, 4, 6000, 7), (2, 4, 6000, 8)]
    assert len({r.variant_id for r in runs}) == 6
    assert "sweep" not in base
    assert "n_seeds" not in base
    assert len({r.key for r in runs}) == 12  # every run has its own resume key
    assert {r.variant_id for r in runs if r.variant == 2} == {variant_id({"site.max_floors": 4,
                                                                          "power.it_capacity_kw": 6000})}


def test_variant_dict_is_a_valid_scenario_with_the_values() -> None:
    s = load_scenario(SMALL)
    base, runs = expand(s)
    run = runs[7]  # variant 3 (4 floors, 8000 kW), second seed
    v = Scenario.model_validate(variant_dict(base, dict(run.values), run.seed))
    assert (v.site.max_floors, v.power.it_capacity_kw, v.seed) == (4, 8000, 8)
    assert v.sweep is None


def test_no_sweep_is_monte_carlo_of_one_variant() -> None:
    _, runs = expand(_with({"seed": 3, "n_seeds": 4}))
    assert [(r.variant, r.seed) for r in runs] == [(0, 3), (0, 4), (0, 5), (0, 6)]


def test_n_seeds_override_and_stage_names_change_keys() -> None:
    s = load_scenario(SMALL)
    _, runs = expand(s, n_seeds=1)
    assert len(runs) == 6
    _, runs_design = expand(s, ("design",), n_seeds=1)
    assert [r.variant_id for r in runs] == [r.variant_id for r in runs_design]
    assert not {r.key for r in runs} & {r.key for r in runs_design}


def test_run_key_is_order_independent() -> None:
    assert run_key({"a": 1, "b": {"c": 2}}, ("x",)) == run_key({"b": {"c": 2}, "a": 1}, ("x",))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.integers(1, 3))
def test_number_of_runs_is_product_of_axes_times_seeds(lengths: list[int], n_seeds: int) -> None:
    paths = ["site.max_floors", "power.it_capacity_kw", "site.floor_height_m"]
    axes = {p: [k + 3 for k in range(n)] for p, n in zip(paths, lengths, strict=False)}
    _, runs = expand(_with({"sweep": axes or None, "n_seeds": n_seeds}))
    expected = n_seeds
    for n in lengths:
        expected *= n
    assert len(runs) == expected


def test_bad_axis_value_names_axis_and_value() -> None:
    with pytest.raises(InputError) as err:
        expand(_with({"sweep": {"site.max_floors": [3, 500], "power.it_capacity_kw": [8000, -1]}}))
    problems = {(p.field, p.found) for p in err.value.problems}
    assert problems == {("sweep.site.max_floors", 500), ("sweep.power.it_capacity_kw", -1)}
    assert "must be at most 100" in str(err.value)


def test_unknown_axis_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"unknown key \(misspelt\?\)") as err:
        expand(_with({"sweep": {"power.it_capacity_mw": [8]}}))
    assert err.value.problems[0].field == "sweep.power.it_capacity_mw"


def test_jointly_invalid_variant_is_named() -> None:
    """Each mix alone is valid as an axis value only if its shares sum to 1."""
    with pytest.raises(InputError, match="sum to 1") as err:
        expand(_with({"sweep": {"fleet.mix": [{"reference_800w": 1.0}, {"reference_800w": 0.5}]}}))
    assert err.value.problems[0].found == {"reference_800w": 0.5}


@pytest.mark.parametrize(("axes", "message"), [
    ({"seed": [1, 2]}, "cannot be a sweep axis"),
    ({"site.max_floors": []}, "at least one value"),
])
def test_unusable_axes(axes: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        expand(_with({"sweep": axes}))


def test_base_dict_round_trips() -> None:
    s = load_scenario("jeonbuk-ai")
    assert Scenario.model_validate(base_dict(s)) == s


def test_many_bad_variants_are_summarised() -> None:
    """50 mixes that do not sum to 1: 20 problems shown, then how many more."""
    mixes = [{"reference_800w": k / 100} for k in range(50)]
    with pytest.raises(InputError) as err:
        expand(_with({"sweep": {"fleet.mix": mixes}}))
    assert len(err.value.problems) == 20 + 1
    assert str(err.value.problems[-1]) == "field 'sweep': ... and 30 more problems"


def test_expand_keys_are_run_key_of_each_run_scenario() -> None:
    """The keys made section by section equal run_key of the whole run scenario (resume finds them)."""
    s = _with({"sweep": {"site.max_floors": [3, 4], "site.floor_height_m": [5.0, 6.5]}, "n_seeds": 2})
    base, runs = expand(s, ("design",))
    assert [r.key for r in runs] == [run_key(variant_dict(base, dict(r.values), r.seed), ("design",))
                                     for r in runs]
