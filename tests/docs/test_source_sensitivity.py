"""The one-at-a-time sensitivity run behind docs/sources.md: its step per unit kind, its ranking, and
that the document shows the headline figures the product computes today.

The base-figure test runs the default scenario once (a few seconds). When a data record changes,
it fails until ``scripts/source_sensitivity.py`` is run again, which is the point: the document
and ``aidc run`` must show one figure.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc import data, pipeline
from aidc.scenario import DEFAULT_SCENARIO, load_scenario

REPO = Path(__file__).resolve().parents[2]


# scripts/ is not a package: put it on the path once, so its dataclasses find their module
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))
sens = importlib.import_module("source_sensitivity")


def test_a_year_steps_by_one_not_by_ten_percent() -> None:
    """2028 x 1.1 = 2230.8 is no year; the run of issue 19 failed on it."""
    s = sens.step(2028, "year", "scenario.start_year")
    assert (s.new_value, s.step_frac, s.skip_reason) == (2029, None, "")


def test_a_celsius_set_point_steps_by_one_kelvin_and_a_difference_by_ten_percent() -> None:
    # degC has an arbitrary zero (15 degC x 1.1 would be a different step at 0 degC or -4 degC);
    # an approach temperature in K is a difference with a physical zero
    assert sens.step(15.0, "C", "energy.cooling.chws_air_c").new_value == 16.0
    assert sens.step(-4.3, "C").new_value == pytest.approx(-4.3 + 1)
    assert sens.step(3.0, "K").new_value == pytest.approx(3.0 * 1.1)
    assert sens.step([4.8, 7.5], "C").new_value == pytest.approx([5.8, 8.5])


def test_whole_counts_stay_whole_and_say_their_real_step() -> None:
    gpus = sens.step(8, "GPU", "dgx_b200.n_gpus")
    assert (gpus.new_value, gpus.step_frac) == (9, pytest.approx((9 - 8) / 8))
    life = sens.step(5, "y", "dgx_b200.lifetime_y")
    assert (life.new_value, life.step_frac) == (6, pytest.approx(1 / 5))
    assert sens.step(1, "floors").new_value == 2  # round(1.1) = 1 would not move it
    assert sens.step(1000, "kW").new_value == 1100
    assert sens.step(1000, "kW").label == "+10 %"  # a count that steps by exactly 10 % says so
    assert sens.step(0.4, "-").new_value == pytest.approx(0.44)


@pytest.mark.parametrize(("value", "unit", "key", "reason"), [
    ("h100_sxm", "-", "demand.default_gpu_model", "identifier or enumeration (text)"),
    (3, "tier", "tier_target", "rank or class, not a magnitude"),
    (3, "-", "priority.inference", "rank or class, not a magnitude"),
    (0, "-", "cpu_cloud.h100_eq_per_gpu", "zero: a relative step does not move it"),
    ([0.9, 0.05, 0.05], "-", "batch_jobs.x.n_gpus_prob", "shares adding up to 1"),
    ([1, 2, 4], "GPU", "batch_jobs.education.n_gpus", "list of size classes, not a figure"),
    ({"a": [0, 200]}, "h/month", "common.options", "nested table, not one figure"),
])
def test_what_is_not_a_magnitude_is_not_stepped(value: object, unit: str, key: str, reason: str) -> None:
    s = sens.step(value, unit, key)
    assert s.new_value is None
    assert s.skip_reason.startswith(reason)


def test_a_definition_is_not_a_figure_to_step() -> None:
    """costs/servers.yaml: the H100 SXM is the unit of GPU capacity; 1.1 H100-eq per H100 means nothing."""
    definition = {"value": 1.0, "source": "definition: the H100 SXM is the unit of GPU capacity"}
    assert sens.is_definition(definition)
    assert not sens.is_definition({"value": 1.0, "source": "NVIDIA datasheet (definition of TDP)"})


def test_a_refused_step_is_a_row_with_its_error_and_the_record_is_restored() -> None:
    """The run of issue 19 aborted on start_year x 1.1; a refused step must come back as an error."""
    year = data.value("scenario.start_year")
    out = sens.measure("defaults/core.yaml", "scenario.start_year", year * 1.1)
    assert out["figures"] is None
    assert out["error"].startswith("InputError")
    assert "start_year" in out["error"]
    assert data.value("scenario.start_year") == year


def test_a_mapping_of_rates_steps_every_rate() -> None:
    s = sens.step({"university": 0.5, "public": 0.3}, "-", "economics.discount_by_class_frac")
    assert s.new_value == pytest.approx({"university": 0.55, "public": 0.33})
    assert s.step_frac == pytest.approx(0.10)


@given(st.integers(min_value=1, max_value=10**9))
def test_a_count_always_rises_to_the_whole_number_nearest_ten_percent(n: int) -> None:
    s = sens.step(n, "port")
    assert s.new_value > n
    assert isinstance(s.new_value, int)
    assert abs(s.new_value - n * 1.1) <= 1
    assert s.step_frac == pytest.approx((s.new_value - n) / n)


def test_the_score_weighs_money_by_capex_pue_by_overhead_and_rescales_counts_to_ten_percent() -> None:
    base = {"npv_krw": -80e9, "capex_krw": 400e9, "annual_pue": 1.3, "cost_krw_per_gpu_h": 5000.0}
    row = {"d_npv_krw": 8e9, "d_capex_krw": 0.0, "d_pue": 0.003, "d_cost_krw_per_gpu_h": 25.0,
           "step_frac": 0.1}
    # NPV 8 / 400 = 0.02; PUE 0.003 / 0.3 = 0.01; cost 25 / 5000 = 0.005: the NPV decides
    assert sens.score(row, base) == pytest.approx(8e9 / 400e9)
    # a count stepped by 20 % counts half as much per 10 %
    assert sens.score(row | {"step_frac": 0.2}, base) == pytest.approx(8e9 / 400e9 * 0.1 / 0.2)
    # a year (interval scale, no relative step) counts its own step
    assert sens.score(row | {"step_frac": ""}, base) == pytest.approx(8e9 / 400e9)
    assert sens.score(row | {"d_pue": ""}, base) == 0.0  # a refused step ranks last


def test_the_document_ran_on_the_default_scenario_and_shows_its_figures() -> None:
    meta = json.loads(sens.BASE_PATH.read_text(encoding="utf-8"))
    text = sens.MD_PATH.read_text(encoding="utf-8")
    assert meta["scenario"] == DEFAULT_SCENARIO
    assert f"<!-- base -->\n{sens.base_block(meta)}\n<!-- /base -->" in text
    assert f"<!-- top20 -->\n{sens.top_table(sens.read_top())}\n<!-- /top20 -->" in text


def test_the_documents_base_figures_are_what_the_pipeline_computes_today() -> None:
    """One run of the default scenario: if a data record or a model changed since the sensitivity
    run, run ``scripts/source_sensitivity.py`` again so the document shows today's figures."""
    meta = json.loads(sens.BASE_PATH.read_text(encoding="utf-8"))
    summary = pipeline.run(load_scenario(meta["scenario"])).summary
    assert summary is not None
    now = {name: float(getattr(summary, name)) for name in meta["figures"]}
    assert now == pytest.approx(meta["figures"], rel=1e-9)
