"""``aidc energy``: the printed year, JSON, written files, side-by-side options, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "160"}


def test_prints_the_year() -> None:
    res = runner.invoke(app, ["energy"], env=WIDE)
    assert res.exit_code == 0, res.output
    for text in (
        "IT energy",
        "PUE (annual)",
        "peak facility demand",
        "free cooling",
        "cooling-tower water",
        "electricity bill",
        "carbon",
        "The bill month by month",
        "climate",
        "vat",
    ):
        assert text in res.output


def test_json_and_files(tmp_path: Path) -> None:
    res = runner.invoke(app, ["energy", "jeonbuk-ai", "--json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    (option,) = out["options"]
    assert set(option["annual"]) >= {
        "it_energy_mwh",
        "facility_energy_mwh",
        "pue",
        "peak_facility_kw",
        "bill_krw",
        "carbon_t",
    }
    assert len(option["monthly_bill"]) == 12
    hourly = pd.read_csv(tmp_path / "hourly.csv")
    assert len(hourly) == 8760
    assert {"it_power_kw", "facility_power_kw", "pue", "wet_bulb_c", "water_m3"} <= set(hourly.columns)
    for name in ("pue_heatmap", "bill_stack", "load_duration"):
        page = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        assert "plotly.min.js" in page  # the library sits beside the pages: nothing fetched at view time
    assert (tmp_path / "plotly.min.js").is_file()


def test_side_by_side_options() -> None:
    res = runner.invoke(
        app,
        [
            "energy",
            "jeonbuk-ai",
            "--cooling",
            "air",
            "--cooling",
            "direct_liquid",
            "--tariff",
            "kepco_industrial_b_high_a_II",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    options = {o["option"]: o["annual"] for o in json.loads(res.stdout)["options"]}
    assert len(options) == 2
    air, dlc = (options[f"{c} / kepco_industrial_b_high_a_II"] for c in ("air", "direct_liquid"))
    assert dlc["pue"] < air["pue"]
    table = runner.invoke(
        app,
        ["energy", "--tariff", "kepco_industrial_b_high_a_III", "--tariff", "kepco_general_b_high_a_III"],
        env=WIDE,
    )
    assert "Options side by side" in table.output


def test_weather_and_utilization_files(tmp_path: Path) -> None:
    from aidc.energy.weather import default_weather

    w = tmp_path / "w.csv"
    default_weather().assign(temp_air_c=lambda f: f.temp_air_c + 2).drop(columns="wet_bulb_c").to_csv(
        w, index=False
    )
    u = tmp_path / "u.csv"
    pd.DataFrame({"utilization_pct": [50.0] * 8760}).to_csv(u, index=False)
    res = runner.invoke(app, ["energy", "--weather", str(w), "--utilization", str(u), "--json"])
    assert res.exit_code == 0, res.output
    const = runner.invoke(app, ["energy", "--weather", str(w), "--utilization", "0.5", "--json"])
    a, b = (json.loads(r.stdout)["options"][0]["annual"] for r in (res, const))
    assert a["it_energy_mwh"] == b["it_energy_mwh"]
    green = runner.invoke(
        app, ["energy", "--weather", str(w), "--utilization", "0.5", "--renewable", "1", "--json"]
    )
    assert json.loads(green.stdout)["options"][0]["annual"]["carbon_t"] == 0.0


def test_list_tariffs_and_bad_input(tmp_path: Path) -> None:
    res = runner.invoke(app, ["energy", "--list-tariffs"], env=WIDE)
    assert res.exit_code == 0
    assert "kepco_general_b_high_a_III" in res.output
    bad = runner.invoke(app, ["energy", "--cooling", "immersion"])
    assert bad.exit_code == 2
    assert "unknown cooling kind" in bad.output
    bad = runner.invoke(app, ["energy", "--weather", str(tmp_path / "none.epw")])
    assert bad.exit_code == 2


def test_occupancy_from_a_simulation_table(tmp_path: Path) -> None:
    """Busy GPUs from an hourly table (as 'aidc simulate --out' writes) drive the GPU servers."""
    occ = tmp_path / "hourly.csv"
    pd.DataFrame({"t_h": range(8760), "busy_gpus": [0.0] * 8760}).to_csv(occ, index=False)
    idle = runner.invoke(app, ["energy", "jeonbuk-ai", "--occupancy", str(occ), "--json"])
    assert idle.exit_code == 0, idle.output
    pd.DataFrame({"t_h": range(8760), "busy_gpus": [5328.0] * 8760}).to_csv(occ, index=False)
    busy = runner.invoke(app, ["energy", "jeonbuk-ai", "--occupancy", str(occ), "--json"])
    a, b = (json.loads(r.stdout)["options"][0]["annual"] for r in (idle, busy))
    assert b["it_energy_mwh"] > a["it_energy_mwh"]
    pd.DataFrame({"gpus": [1]}).to_csv(occ, index=False)
    bad = runner.invoke(app, ["energy", "--occupancy", str(occ)])
    assert bad.exit_code == 2
