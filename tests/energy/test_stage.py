"""The energy stage: energy balance, published PUE ranges, what the wrappers pass along, bad input."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.design import Design, size
from aidc.energy import EnergyResult, evaluate
from aidc.energy.hourly import busy_fractions, facility_hourly
from aidc.energy.site import Facility, facility_from_design, facility_from_scenario, servers_from_scenario
from aidc.energy.weather import default_weather
from aidc.errors import InputError
from aidc.scenario import Scenario, load_scenario

BALANCE = ("it_power_kw", "loss_kw", "cooling_power_kw", "other_power_kw")


@cache
def _ai() -> tuple[Scenario, Design]:
    s = load_scenario("jeonbuk-ai")
    return s, size(s)


@cache
def _phase1() -> Scenario:
    return load_scenario("jeonbuk-phase1")


def _with(s: Scenario, **energy: object) -> Scenario:
    return s.model_copy(update={"energy": s.energy.model_copy(update=energy)})


@cache
def _run(cooling: str | None = None) -> EnergyResult:
    s, d = _ai()
    return evaluate(_with(s, cooling=cooling), d)


def test_energy_balance_every_hour() -> None:
    r = _run()
    h = r.hourly
    assert len(h) == 8760
    np.testing.assert_allclose(h.facility_power_kw, h[list(BALANCE)].sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(h.loss_kw, h.ups_loss_kw + h.distribution_loss_kw + h.transformer_loss_kw)
    assert (h.pue >= 1.0).all()
    assert ((h.free_cooling_frac >= 0) & (h.free_cooling_frac <= 1)).all()
    a = r.annual
    assert a["facility_energy_mwh"] == pytest.approx(h.facility_power_kw.sum() / 1000)
    assert a["pue"] == pytest.approx(a["facility_energy_mwh"] / a["it_energy_mwh"])
    assert a["bill_krw"] == pytest.approx(r.monthly_bill.total_krw.sum())
    assert a["carbon_t"] == pytest.approx(h.carbon_t.sum())
    assert r.monthly.facility_energy_mwh.sum() == pytest.approx(a["facility_energy_mwh"])


def test_pue_reference_ranges() -> None:
    """Published PUE: direct-liquid-cooled AI halls 1.1-1.3 (facts pue.liquid_cooled_ai, an estimate);
    a new air-cooled build with a water-side economiser beats the Uptime 2024 average 1.56 (pue.uptime.2024)
    and cannot beat Google's fleet 1.09 (pue.google.2024); liquid < rear door < air."""
    pue = {k: _run(k).annual["pue"] for k in ("air", "rear_door", "direct_liquid")}
    assert 1.1 <= pue["direct_liquid"] <= 1.3
    assert 1.09 < pue["air"] < 1.56
    assert pue["direct_liquid"] < pue["rear_door"] < pue["air"]


def test_summer_costs_more_cooling_than_winter() -> None:
    m = _run().monthly.set_index("month")
    assert m.pue[8] > m.pue[1]
    assert m.free_cooling_h[1] == 31 * 24  # January: full free cooling in Jeonju's typical year
    assert m.free_cooling_h[8] == 0.0


def test_design_figures_are_passed_along() -> None:
    s, d = _ai()
    f = facility_from_design(s, d)
    assert f.ups_installed_kw == d.power.ups_installed_kw
    assert f.transformer_rated_kw == d.power.n_transformers * d.power.transformer_kva
    assert f.contract_kw == d.power.grid_contract_kw
    assert f.network_power_kw == d.fleet.network_power_kw
    assert dict(f.fleet.n_servers) == d.fleet.servers
    assert dict(f.fleet.cooling) == {"dgx_h100": "rear_door", "cpu_cloud": "air", "storage_node": "air"}
    assert set(facility_from_design(_with(s, cooling="direct_liquid"), d).fleet.cooling) == {"direct_liquid"}
    assert facility_from_design(_with(s, contract_demand_kw=9000.0), d).contract_kw == 9000.0


def test_without_design_the_fleet_comes_from_the_scenario() -> None:
    s = load_scenario("jeonbuk-phase1")
    assert servers_from_scenario(s) == {"reference_800w": 10000}  # 8 MW / 800 W
    f = facility_from_scenario(s)
    assert f.ups_installed_kw == 2 * 9 * 1000.0  # 2N of ceil(8,240 kW / 1,000 kW) modules
    r = evaluate(s)
    assert any("no design" in n for n in r.notes)


def test_busy_gpus_drive_only_gpu_servers() -> None:
    s, d = _ai()
    f = facility_from_design(s, d)
    n_gpus = int((f.fleet.n_servers * f.fleet.n_gpus).sum())
    busy = np.full(4, n_gpus / 2.0)
    u = busy_fractions(f.fleet, 4, s.energy, busy_gpus=busy)
    kinds = list(f.fleet.kind)
    assert u[kinds.index("gpu")].tolist() == [0.5] * 4
    assert u[kinds.index("cpu")].tolist() == [s.energy.cpu_utilization_frac] * 4
    assert u[kinds.index("storage")].tolist() == [s.energy.storage_utilization_frac] * 4


def test_it_power_by_hand_from_busy_gpus() -> None:
    """All GPUs busy: every DGX at its typical 0.76 x 10.2 kW; CPU and storage at their defaults."""
    s, d = _ai()
    n_gpus = d.fleet.n_gpus
    r = evaluate(s, d, busy_gpus_hourly=np.full(8760, float(n_gpus)))
    servers = s.servers()
    expected_kw = d.fleet.network_power_kw
    for key, n in d.fleet.servers.items():
        t = servers[key]
        u = {"gpu": 1.0, "cpu": s.energy.cpu_utilization_frac, "storage": s.energy.storage_utilization_frac}[
            t.kind
        ]
        idle_w = t.power_idle_frac * t.power_max_w
        expected_kw += n * (idle_w + (t.power_typical_frac * t.power_max_w - idle_w) * u) / 1000
    np.testing.assert_allclose(r.hourly.it_power_kw, expected_kw)


def _tiny_facility(ups_installed_kw: float = 400.0) -> Facility:
    fleet = pd.DataFrame(
        {
            "n_servers": [100],
            "power_max_w": [1000.0],
            "power_idle_frac": [0.3],
            "power_typical_frac": [0.8],
            "n_gpus": [0],
            "kind": ["cpu"],
            "cooling": ["air"],
        },
        index=["x"],
    )
    return Facility(fleet, 5.0, 105.0, "N", ups_installed_kw, 500.0, 200.0, "test")


def _tiny_weather(wb: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"temp_air_c": np.array(wb) + 3, "relative_humidity_frac": 0.7, "wet_bulb_c": wb})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=3, max_size=3), st.floats(0, 1), st.floats(-15, 30))
def test_more_it_never_lowers_facility_power(u: list[float], du: float, wb: float) -> None:
    s = _phase1()
    f, w = _tiny_facility(), _tiny_weather([wb] * 3)
    lo = facility_hourly(f, np.array([u]), w, s.energy)
    hi = facility_hourly(f, np.minimum(1.0, np.array([u]) + du), w, s.energy)
    assert (hi.it_power_kw >= lo.it_power_kw - 1e-9).all()
    assert (hi.facility_power_kw >= lo.facility_power_kw - 1e-9).all()
    assert (lo.pue >= 1.0).all()
    np.testing.assert_allclose(lo.facility_power_kw, lo[list(BALANCE)].sum(axis=1))


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 1), st.floats(-15, 30))
def test_redundant_ups_never_lowers_facility_losses(u: float, wb: float) -> None:
    s = _phase1()
    w = _tiny_weather([wb])
    losses = [
        facility_hourly(_tiny_facility(c), np.array([[u]]), w, s.energy).loss_kw.iloc[0]
        for c in (200.0, 300.0, 400.0)
    ]  # N, N+1, 2N: a 200 kW design on 100 kW modules
    assert losses[0] <= losses[1] + 1e-9 <= losses[2] + 2e-9


def test_renewable_share_and_hourly_intensity() -> None:
    s, d = _ai()
    base = _run()
    re50 = evaluate(_with(s, renewable_frac=0.5), d)
    assert re50.annual["carbon_t"] == pytest.approx(0.5 * base.annual["carbon_t"])
    hourly = evaluate(s, d, grid_intensity_t_per_mwh_hourly=np.full(8760, 0.2))
    assert hourly.annual["carbon_t"] == pytest.approx(base.annual["facility_energy_mwh"] * 0.2)


def test_utilization_profile_and_weather_frame() -> None:
    s, d = _ai()
    low = evaluate(s, d, utilization_frac_hourly=np.full(8760, 0.1))
    high = evaluate(s, d, utilization_frac_hourly=pd.Series(np.full(8760, 0.9)))
    assert high.annual["it_energy_mwh"] > low.annual["it_energy_mwh"]
    hot = default_weather().assign(wet_bulb_c=lambda w: w.wet_bulb_c + 5.0)
    assert evaluate(s, d, weather=hot).annual["pue"] > _run().annual["pue"]


def test_bad_inputs_name_the_field() -> None:
    s, d = _ai()
    with pytest.raises(InputError) as info:
        evaluate(s, d, busy_gpus_hourly=np.zeros(100))
    assert info.value.problems[0].field == "busy_gpus_hourly"
    bad = np.full(8760, 0.5)
    bad[41] = 1.5
    with pytest.raises(InputError) as info:
        evaluate(s, d, utilization_frac_hourly=bad)
    assert (info.value.problems[0].field, info.value.problems[0].row) == ("utilization_frac_hourly", 42)
    with pytest.raises(InputError, match="unknown tariff"):
        evaluate(_with(s, tariff="kepco_x"), d)
    with pytest.raises(InputError, match="read the file with"):
        evaluate(_with(s, weather="somewhere.epw"), d)


def test_result_pickles_for_sweeps() -> None:
    """Sweeps map runs over Dask workers: the result must survive pickling."""
    import pickle

    r = _run()
    again = pickle.loads(pickle.dumps(r))
    pd.testing.assert_frame_equal(again.hourly, r.hourly)
    assert again.annual == r.annual


def test_pipeline_reads_the_scenarios_weather_file(tmp_path: Path) -> None:
    """``aidc.run`` hands the energy stage the weather file a scenario names, read at the edge."""
    from aidc.pipeline import STAGES, Result

    s, d = _ai()
    hot = tmp_path / "hot.csv"
    default_weather().assign(temp_air_c=lambda w: w.temp_air_c + 5).drop(columns="wet_bulb_c").to_csv(
        hot, index=False
    )
    stage = next(st for st in STAGES if st.name == "energy")

    def energy_of(scenario: Any) -> Any:  # the pipeline's energy row, given the design alone
        return stage.compute(scenario, Result(scenario=scenario, scenario_hash="", aidc_version="", seed=0,
                                              design=d))

    r = energy_of(_with(s, weather=str(hot)))
    assert r.annual["pue"] > _run().annual["pue"]
    assert energy_of(s).annual["pue"] == _run().annual["pue"]


def test_tariff_newer_than_the_year_is_noted() -> None:
    s, d = _ai()
    early = s.model_copy(update={"start_year": 2025})
    assert any("takes effect 2026-04-16" in n for n in evaluate(early, d).notes)
    assert not any("takes effect" in n for n in _run().notes)
