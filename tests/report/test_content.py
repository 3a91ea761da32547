"""Tables and headline figures found in stage results, on small hand-made results."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

import aidc
from aidc.report import content


@dataclass(frozen=True)
class _Check:
    name: str
    ok: bool


@dataclass(frozen=True)
class _Power:
    grid_contract_kw: float
    n_ups_modules: int


@dataclass(frozen=True)
class _Fleet:
    servers: dict[str, int]
    n_gpus: int | np.integer  # a numpy count, as a real fleet's sum gives it (the headline converts it)


@dataclass(frozen=True)
class _Design:
    fleet: _Fleet
    power: _Power
    checks: list[_Check]
    binding_limit: str | None
    notes: tuple[str, ...] = ()
    hourly: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"t_h": [0.0, 1.0], "it_power_kw": [5.0, 6.0]}))


DESIGN = _Design(_Fleet({"dgx_h100": 3, "cpu_cloud": 2}, np.int64(24)), _Power(9600.0, 4),
                 [_Check("floors", True), _Check("grid_contract", False)], "grid_contract",
                 ("estimated UPS",))


def test_tables_walk_a_result() -> None:
    found = {t.name: t.frame for t in content.tables(DESIGN)}
    assert list(found) == ["", "fleet", "fleet.servers", "power", "checks", "notes", "hourly"]
    assert found[""].values.tolist() == [["binding_limit", "grid_contract"]]
    assert found["fleet"].values.tolist() == [["n_gpus", 24]]
    assert found["fleet.servers"].values.tolist() == [["dgx_h100", 3], ["cpu_cloud", 2]]
    assert found["power"].values.tolist() == [["grid_contract_kw", 9600.0], ["n_ups_modules", 4]]
    assert found["checks"].to_dict("list") == {"name": ["floors", "grid_contract"], "ok": [True, False]}
    assert found["notes"]["note"].tolist() == ["estimated UPS"]
    assert found["hourly"].shape == (2, 2)


def test_private_columns_are_dropped() -> None:
    survey = {"respondents": pd.DataFrame({"respondent_id": ["U01"], "contact_email": ["a@b.kr"]})}
    (table,) = content.tables(survey)
    assert list(table.frame.columns) == ["respondent_id"]


@pytest.fixture(scope="module")
def design_only() -> aidc.Result:
    """A run of the AI preset up to its design: survey, demand and design ran, nothing after."""
    return aidc.run(aidc.load_scenario("jeonbuk-ai"), stages=["design"])


def test_headline_shows_the_summary_and_skips_what_is_missing(design_only: aidc.Result) -> None:
    figures = {f.key: f for f in content.headline(design_only)}
    design = design_only.design
    assert design is not None
    assert figures["n_servers"].value == sum(design.fleet.servers.values())
    assert figures["n_gpus"].value == design.fleet.n_gpus
    assert type(figures["n_gpus"].value) is int  # numpy scalars become Python numbers
    assert figures["n_checks"].value == len(design.checks)
    assert figures["n_checks_failed"].value == len(design.failing)
    # the coincident GPU demand of its largest year against the design's GPUs: the gap, in whole GPUs
    need = math.ceil(figures["peak_gpus_demand"].value - 1e-9)
    assert figures["gpu_gap"].value == need - design.fleet.n_gpus
    assert not any(f.stage in ("plan", "energy", "economics") for f in figures.values())
    assert "warnings" not in figures  # no consistency check failed: no warning tile
    assert figures["it_capacity"].value == 8000  # from the scenario


def test_tightest_check_is_the_closest_when_all_pass(design_only: aidc.Result) -> None:
    """The AI preset's 5,328 GPUs meet the first year's coincident demand: every check passes, the
    tile names the one with the least margin among those that can bind (not the racks, packed to
    their limit by construction); the failing case: tests/test_chain.py, the 800 W preset."""
    figures = {f.key: f.value for f in content.headline(design_only)}
    assert design_only.design is not None
    assert design_only.design.failing == []
    closest = min((c for c in design_only.design.checks if c.kind != "design"), key=lambda c: c.margin_frac)
    assert closest.name == "it_capacity"  # 7,991.4 kW of 8,000: 0.1 % spare
    assert figures["binding_limit"] == closest.name
    assert figures["tightest_check_margin"] == closest.margin_frac >= 0


def test_nan_is_no_figure(design_only: aidc.Result) -> None:
    from aidc import summary

    nan_payback = dataclasses.replace(summary.summarize(design_only), payback_y=float("nan"), npv_krw=-1.0e9)
    figures = {f.key for f in content.headline(dataclasses.replace(design_only, summary=nan_payback))}
    assert "payback" not in figures
    assert "npv" in figures
