"""``aidc plan`` through Typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()


def test_plan_json_names_the_binding_limit(tmp_path) -> None:
    res = runner.invoke(app, ["plan", "jeonbuk-phase1", "--alone", "--json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert out["feasible"] is False
    assert out["binding_limit"] == "site floors: 5 allowed, 6.25 needed in 2029"
    assert out["schedule"][0]["item"] == "power block"
    assert len(out["capacity_by_year"]) == 15
    assert any("no design result" in note for note in out["fallbacks"])


def test_plan_table_and_chart(tmp_path) -> None:
    res = runner.invoke(app, ["plan", "jeonbuk-phase1", "--alone", "--out", str(tmp_path)],
                        env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "Build schedule" in res.stdout
    assert "binding limit: site floors: 5 allowed, 6.25 needed in 2029" in res.stdout
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "plotly" in html
    assert "power block" in html


def test_plan_with_the_earlier_stages(tmp_path) -> None:
    res = runner.invoke(app, ["plan", "jeonbuk-ai", "--json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert out["fallbacks"] == []
    assert out["feasible"] is True


def test_unknown_scenario_is_exit_2() -> None:
    res = runner.invoke(app, ["plan", "no-such-scenario"])
    assert res.exit_code == 2


def test_schedule_figure_has_one_bar_per_purchase() -> None:
    from aidc import load_scenario
    from aidc.plan import optimize
    from aidc.plan.figures import schedule_figure

    plan = optimize(load_scenario("jeonbuk-phase1"))
    fig = schedule_figure(plan)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == len(plan.schedule)
    first = plan.schedule.sort_values(["year", "kind", "item"]).iloc[0]
    assert bars[0].base[0] == first.year
    assert "site floors" in fig.layout.title.text


def test_plan_table_shows_the_envelope_used_each_year(tmp_path) -> None:
    """The 800 W fleet fills the 8 MW envelope (10,000 x 800 W) in its first year."""
    res = runner.invoke(app, ["plan", "jeonbuk-phase1", "--alone", "--out", str(tmp_path)],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "envelope used" in res.stdout
    rows_2028 = [line for line in res.stdout.splitlines() if line.strip("│ ").startswith("2028")]
    first = rows_2028[-1]  # the capacity table comes after the schedule
    assert "100%" in first  # 10,000 x 800 W = 8,000 kW of 8,000
