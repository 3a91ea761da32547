"""Tables and headline figures found in stage results, on small hand-made results."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
    n_gpus: int


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


class _Result:
    def __init__(self, **stages: object) -> None:
        import aidc

        self.scenario = aidc.load_scenario()
        for name in content.STAGES:
            setattr(self, name, stages.get(name))


def test_headline_reads_each_stage_and_skips_what_is_missing() -> None:
    figures = {f.key: f for f in content.headline(_Result(design=DESIGN))}
    assert figures["n_servers"].value == 3 + 2
    assert figures["n_gpus"].value == 24
    assert type(figures["n_gpus"].value) is int  # numpy scalars become Python numbers
    assert figures["grid_contract"].value == 9600.0
    assert figures["n_checks"].value == 2
    assert figures["n_checks_failed"].value == 1
    assert "design_pue" not in figures  # the design gave no cooling: no figure, not a zero
    assert not any(f.stage == "energy" for f in figures.values())
    assert figures["it_capacity"].value == 8000  # from the scenario


def test_nan_is_no_figure() -> None:
    @dataclass(frozen=True)
    class _Economics:
        summary: dict[str, float]

    figures = {f.key for f in content.headline(_Result(economics=_Economics({"payback_y": float("nan"),
                                                                              "npv_krw": -1.0e9})))}
    assert "payback" not in figures
    assert "npv" in figures


def test_phase2_year_from_the_schedule_when_the_plan_does_not_say() -> None:
    @dataclass(frozen=True)
    class _Plan:
        schedule: pd.DataFrame

    assert content.phase2_year(_Plan(pd.DataFrame({"year": [2028, 2028, 2033, 2040]}))) == 2033
    assert content.phase2_year(_Plan(pd.DataFrame({"year": [2028]}))) is None
