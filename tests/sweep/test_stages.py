"""Sweep stages: what they pass to the library's stage functions and what they extract."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from aidc import load_scenario
from aidc.errors import InputError
from aidc.sweep import stages as st
from aidc.sweep.grid import base_dict
from aidc.sweep.stages import STAGES, Stage, evaluate, resolve, scalar_outputs

DESIGN = SimpleNamespace(  # the fields of docs/contracts.md, with made-up values
    fleet=SimpleNamespace(servers={"a": 10, "b": 5}, n_gpus=80, it_power_kw=7990.0),
    power=SimpleNamespace(it_design_kw=8000.0, facility_peak_kw=10400.0, grid_contract_kw=11000.0,
                          n_ups_modules=20, n_transformers=4, n_generators=6),
    cooling=SimpleNamespace(design_pue=1.3, heat_rejected_kw=9000.0, n_chillers=5),
    layout=SimpleNamespace(n_racks=400, floors_used=3, gross_floor_area_m2=12000.0, white_space_m2=5000.0),
    checks=[SimpleNamespace(ok=True), SimpleNamespace(ok=False)],
    binding_limit="power",
)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple, dict]]:
    """Record every library call the stages make; each returns a stand-in result."""
    seen: list[tuple[str, tuple, dict]] = []
    results: dict[str, Any] = {
        "design.size": DESIGN,
        "energy.evaluate": SimpleNamespace(annual={"pue": np.float64(1.25), "bill_krw": 1e9}),
        "economics.evaluate": SimpleNamespace(summary={"npv_krw": -5e9, "irr_frac": 0.04,
                                                       "by_year": [1, 2]}),
    }

    def fake(target: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((target, args, kwargs))
        return results[target]

    monkeypatch.setattr(st, "_call", fake)
    return seen


def test_design_energy_economics_pass_results_along(calls: list) -> None:
    s = load_scenario()
    chosen = {n: STAGES[n] for n in ("design", "energy", "economics")}
    evaluate(base_dict(s), chosen)
    (t1, a1, _), (t2, a2, _), (t3, a3, k3) = calls
    assert (t1, a1[1]) == ("design.size", None)  # no demand stage in this sweep
    assert (t2, a2[1], a2[2]) == ("energy.evaluate", DESIGN, None)  # no simulated occupancy
    assert (t3, a3[1], k3["energy"].annual["bill_krw"], k3["simulation"], k3["demand"]) == (
        "economics.evaluate", DESIGN, 1e9, None, None)
    assert a1[0] == a2[0] == a3[0] == s


def test_design_outputs_follow_the_contract(calls: list) -> None:
    out = evaluate(base_dict(load_scenario()), {"design": STAGES["design"]})
    assert out["n_gpus"] == 80
    assert out["n_servers"] == 10 + 5
    assert out["n_checks_failed"] == 1
    assert out["design_pue"] == 1.3
    assert out["n_floors_used"] == 3
    assert out["binding_limit"] == "power"
    assert all(isinstance(v, int | float | str | bool) for v in out.values())


def test_energy_and_economics_outputs_are_scalars(calls: list) -> None:
    out = evaluate(base_dict(load_scenario()), resolve(["economics", "energy"], _available(STAGES)))
    assert out["pue"] == 1.25
    assert type(out["pue"]) is float
    assert out["npv_krw"] == -5e9
    assert "by_year" not in out


def _available(table: dict[str, Stage]) -> dict[str, Stage]:
    # Entries cleared so that resolve() does not depend on which stages have landed.
    return {n: Stage(s.compute, s.extract, s.needs, s.uses) for n, s in table.items()}


def test_scenario_stage_by_hand() -> None:
    out = evaluate(base_dict(load_scenario()), {"scenario": STAGES["scenario"]})
    assert out == {"site_area_m2": pytest.approx(2500 * 3.305785), "it_capacity_kw": 8000.0,
                   "n_server_types": 1}


def test_name_taken_by_an_earlier_stage_is_prefixed() -> None:
    table = {"a": Stage(lambda s, up: 1.0, lambda r: {"x_kw": r}),
             "b": Stage(lambda s, up: 2.0, lambda r: {"x_kw": r, "y_kw": r})}
    assert evaluate(base_dict(load_scenario()), table) == {"x_kw": 1.0, "b_x_kw": 2.0, "y_kw": 2.0}


def test_scalar_outputs_keep_plain_scalars() -> None:
    out = scalar_outputs({"a_kw": np.int64(3), "b": np.array([1.0]), "c": None, "d": "x",
                          "e": np.bool_(False)})
    assert out == {"a_kw": 3, "d": "x", "e": False}
    assert type(out["a_kw"]) is int


def test_resolve_adds_needs_in_run_order() -> None:
    assert list(resolve(["economics", "design"], _available(STAGES))) == ["design", "economics"]
    assert list(resolve(["simulate"], _available(STAGES))) == ["demand", "design", "simulate"]


def test_resolve_rejects_unknown_and_unavailable_stages() -> None:
    with pytest.raises(InputError, match="unknown stage") as err:
        resolve(["desing"])
    assert err.value.problems[0].found == "desing"
    later = {"later": Stage(lambda s, up: 0, dict, entry="design.no_such_function")}
    with pytest.raises(InputError, match="not available yet"):
        resolve(["later"], later)
    with pytest.raises(InputError, match="no stage"):
        resolve([])
