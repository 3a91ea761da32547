"""``aidc simulate SCENARIO --power ...`` through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aidc import data
from aidc.cli import app

runner = CliRunner()


def test_power_json_with_tou_shifting() -> None:
    res = runner.invoke(app, ["simulate", "jeonbuk-ai", "--power", "--shift", "tou", "--json"])
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
