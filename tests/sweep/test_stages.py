"""Sweep stages: what they pass to the library's stage functions and what they extract."""

from __future__ import annotations

import numpy as np
import pytest

import aidc
from aidc import load_scenario
from aidc.errors import InputError
from aidc.pipeline import closure
from aidc.sweep import stages as st
from aidc.sweep.grid import base_dict
from aidc.sweep.stages import STAGES, Stage, evaluate, resolve, scalar_outputs


def test_library_stages_are_rows_of_the_pipeline_table() -> None:
    """A sweep never wires stages itself: each library stage names its pipeline row and reads its closure."""
    for name, stage in STAGES.items():
        if name in ("scenario", "all"):
            continue
        target = st.PIPELINE_NAMES[name]
        assert stage.pipeline == target
        assert [st.PIPELINE_NAMES[n] for n in stage.needs] == list(closure([target]))[:-1]


@pytest.fixture(scope="module")
def design_row() -> tuple[dict, aidc.Result]:
    s = load_scenario("jeonbuk-ai")
    return evaluate(base_dict(s), resolve(["design"])), aidc.run(s, ["design"])


def test_a_sweep_row_starts_with_the_runs_summary(design_row: tuple[dict, aidc.Result]) -> None:
    row, result = design_row
    assert result.summary is not None
    assert result.design is not None
    for key, value in result.summary.scalars().items():
        if key not in ("scenario_hash",):  # the variant dict is validated anew: same scenario
            assert row[key] == value, key
    assert row["n_gpus"] == result.design.fleet.n_gpus
    assert all(isinstance(v, int | float | str | bool) for v in row.values())


def test_design_outputs_are_the_designs_fields(design_row: tuple[dict, aidc.Result]) -> None:
    row, result = design_row
    assert result.design is not None
    assert row["n_chillers"] == result.design.cooling.n_chillers
    assert row["white_space_m2"] == result.design.layout.white_space_m2
    assert "npv_krw" not in row  # economics was not asked for, so it did not run


def test_scenario_stage_by_hand() -> None:
    out = evaluate(base_dict(load_scenario("jeonbuk-phase1")), {"scenario": STAGES["scenario"]})
    assert out == {"site_area_m2": pytest.approx(2500 * 3.305785), "it_capacity_kw": 8000.0,
                   "n_server_types": 1}


def test_name_taken_by_an_earlier_stage_is_prefixed() -> None:
    table = {"a": Stage(lambda s, up: 1.0, lambda r: {"x_kw": r, "z_kw": 5.0}),
             "b": Stage(lambda s, up: 2.0, lambda r: {"x_kw": r, "y_kw": r, "z_kw": 5.0})}
    # a different value under a taken name is prefixed; the same value (one figure) is kept once
    assert evaluate(base_dict(load_scenario()), table) == {"x_kw": 1.0, "z_kw": 5.0, "b_x_kw": 2.0,
                                                           "y_kw": 2.0}


def test_scalar_outputs_keep_plain_scalars() -> None:
    out = scalar_outputs({"a_kw": np.int64(3), "b": np.array([1.0]), "c": None, "d": "x",
                          "e": np.bool_(False)})
    assert out == {"a_kw": 3, "d": "x", "e": False}
    assert type(out["a_kw"]) is int


def test_resolve_adds_needs_in_run_order() -> None:
    assert list(resolve(["economics", "design"])) == ["survey", "demand", "design", "plan", "simulate",
                                                      "energy", "economics"]
    assert list(resolve(["simulate"])) == ["survey", "demand", "design", "simulate"]


def test_resolve_rejects_unknown_and_unavailable_stages() -> None:
    with pytest.raises(InputError, match="unknown stage") as err:
        resolve(["desing"])
    assert err.value.problems[0].found == "desing"
    with pytest.raises(InputError, match="no stage"):
        resolve([])


def test_variants_share_the_survey_and_demand_they_read() -> None:
    """Two variants that differ in the design read one survey and one demand, computed once."""
    from aidc import load_scenario
    from aidc.sweep import stages as sweep_stages

    base = load_scenario("jeonbuk-ai")
    other = base.model_copy(update={"site": base.site.model_copy(update={"max_floors": 3})})
    first = sweep_stages._shared_inputs(base, ["design"])
    assert set(first) == {"survey", "demand"}
    again = sweep_stages._shared_inputs(other, ["design"])
    assert again["demand"] is first["demand"]
    assert sweep_stages._shared_inputs(base, ["survey"])["survey"] is first["survey"]
    later = base.model_copy(update={"start_year": base.start_year + 1})
    assert sweep_stages._shared_inputs(later, ["design"])["demand"] is not first["demand"]
