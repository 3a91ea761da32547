"""``aidc economics`` through Typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()


def test_economics_alone_json() -> None:
    res = runner.invoke(app, ["economics", "jeonbuk-phase1", "--alone", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"npv_krw", "irr_frac", "payback_y", "lcoe_krw_per_gpu_h", "min_dscr"} <= set(out["summary"])
    assert out["summary"]["lcoe_krw_per_gpu_h"] is None  # 800 W servers sell no GPU-hours: NaN -> null
    parts = ["land", "building", "electrical", "mechanical", "it", "network"]
    assert [p["part"] for p in out["capex"]] == parts
    assert len(out["cash_flow"]) == 16


def test_economics_tables() -> None:
    res = runner.invoke(app, ["economics", "jeonbuk-phase1", "--alone"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    for title in ("CAPEX over the horizon", "Cash flows", "Revenue by tenant class", "PFV summary"):
        assert title in res.stdout


def test_economics_monte_carlo() -> None:
    res = runner.invoke(app, ["economics", "jeonbuk-phase1", "--alone", "--samples", "2", "--seed", "3",
                              "--json"])
    assert res.exit_code == 0, res.output
    mc = json.loads(res.stdout)["monte_carlo"]
    assert len(mc["samples"]) == 2
    assert len(mc["phase2_by_year"]) == 15


def test_economics_monte_carlo_table() -> None:
    res = runner.invoke(app, ["economics", "jeonbuk-phase1", "--alone", "--samples", "2"],
                        env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "When phase 2 is needed" in res.stdout
    assert "P(NPV < 0)" in res.stdout


def test_economics_shows_the_gpu_hour_price_path_in_both_languages() -> None:
    """The PFV summary states the price path its revenue rests on, as the JSON summary has it."""
    from aidc import load_scenario

    change = load_scenario("jeonbuk-ai").economics.gpu_hour_price_change_frac_per_y
    shown = f"{change:+.1%}"
    res = runner.invoke(app, ["economics", "jeonbuk-ai", "--alone", "--json"])
    assert json.loads(res.stdout)["summary"]["gpu_hour_price_change_frac_per_y"] == change
    labels = {"en": "GPU-hour list price change per year", "ko": "GPU 시간당 가격의 연간 변화율"}
    for lang, label in labels.items():
        res = runner.invoke(app, ["--lang", lang, "economics", "jeonbuk-ai", "--alone"],
                            env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        row = next(line for line in res.stdout.splitlines() if label in line)
        assert shown in row
