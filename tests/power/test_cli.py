"""``aidc simulate SCENARIO --power ...`` through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aidc import data
from aidc.cli import app

runner = CliRunner()


def test_power_json_with_tou_shifting() -> None:
    res = runner.invoke(app, ["simulate", "jeonbuk-aidc", "--power", "--shift", "tou", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    for key in ("bill_krw", "peak_demand_kw", "facility_kwh", "tenants", "bill_by_component_krw",
                "contract_kw_to_apply", "without_controls", "effect"):
        assert key in out
    assert out["bill_krw"] == pytest.approx(out["without_controls"]["bill_krw"] - out["effect"]["saved_krw"])
    assert sum(out["bill_by_component_krw"].values()) == pytest.approx(out["bill_krw"])
    flexible = set(data.value("power.flexible_tenants"))
    for tenant, row in out["effect"]["by_tenant"].items():
        assert row["deadlines_missed"] == 0
        assert row["wait_added_max_s"] <= data.value("power.max_delay_h") * 3600 + 1e-6
        if tenant not in flexible:
            assert row["n_jobs_delayed"] == 0  # no cap: only flexible classes move


@pytest.mark.parametrize(("args", "message"), [
    (["--power", "--shift", "wind"], "--shift"),
    (["--power", "--trace", "x.csv", "--gpus", "8"], "--trace"),
])
def test_power_flags_refuse_bad_input(args: list[str], message: str) -> None:
    res = runner.invoke(app, ["simulate", "jeonbuk-ai", *args])
    assert res.exit_code != 0
    assert message in res.output


def test_power_json_with_gpu_capping_compares_each_control() -> None:
    free = runner.invoke(app, ["simulate", "jeonbuk-aidc", "--power", "--json"])
    assert free.exit_code == 0, free.output
    # a cap 5 % under the uncontrolled peak binds whatever fleet the scenario's design has
    cap_kw = 0.95 * json.loads(free.output)["peak_demand_kw"]
    args = ["simulate", "jeonbuk-aidc", "--power", "--cap-kw", f"{cap_kw:.0f}", "--gpu-cap", "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    lines = {r["control"]: r for r in out["by_control"]}
    assert list(lines) == ["none", "cap", "cap_gpu"]
    assert lines["cap_gpu"]["bill_krw"] == pytest.approx(out["bill_krw"])
    assert lines["cap_gpu"]["gpu_hours_lost_to_capping"] == pytest.approx(out["gpu_hours_lost_to_capping"])
    assert out["gpu_hours_lost_to_capping"] > 0
    assert lines["cap"]["gpu_hours_lost_to_capping"] == 0  # delays alone never slow a job
    for r in lines.values():
        assert r["bill_krw"] == pytest.approx(lines["none"]["bill_krw"] - r["saved_krw"])
        assert sum(r["bill_by_component_krw"].values()) == pytest.approx(r["bill_krw"])
    assert out["peak_demand_kw"] <= 1400 * 1.01
    assert any(n["msgid"].startswith("GPU power limits are set") for n in out["note_ids"])
