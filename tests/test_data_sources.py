"""Every shipped number is traceable: a source on each record, a basis on each estimate or choice.

Issue 19 counts the records (``{value, ...}`` mappings) of ``src/aidc/data`` by source type. The
share of estimates is printed in the test summary (see ``tests/conftest.py``) and may not rise:
the ceiling below is today's share, to be lowered as estimates get sources (the issue's goal is
at most 15 %).
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pandas as pd
import pytest

from aidc import data, demand, load_scenario, survey

#: Ceiling of the share of ``type: estimate`` records: the issue's goal, 0.15, reached in the fourth
#: pass (65 of 435 = 14.9 %, from 68 of 435; 68 of 430 = 15.8 % after the third pass, 75 of 430 =
#: 17.4 % after the second and 89 of 425 = 20.9 % before it); lowered to 0.14 after the fifth pass
#: (58 of 441 = 13.2 %), so a new estimate must bring its source or replace another.
ESTIMATE_SHARE_MAX = 0.14
#: Estimates allowed among the 20 figures that move NPV or PUE most (docs/sources.md): each still
#: lacks a public source, and docs/sources.md says what would replace it. Any other estimate
#: reaching the top 20 fails the test below.
TOP20_ESTIMATES_KNOWN = {
    ("catalog/servers.yaml", "dgx_h100.power_idle_frac"),
    ("defaults/plan.yaml", "plan.server_price_decline_frac_per_y"),
    ("defaults/energy.yaml", "energy.other_power_frac"),
    ("defaults/economics.yaml", "economics.staff_cost_krw_per_y"),
    ("defaults/economics.yaml", "economics.n_staff"),
}
DOCS = Path(__file__).resolve().parents[1] / "docs"


def _records() -> pd.DataFrame:
    rows = [
        {"file": f, "key": k, "type": r.get("type"), "source": r.get("source"), "basis": r.get("basis")}
        for f, k, r in data.shipped_records()
    ]
    return pd.DataFrame(rows)


def estimate_share() -> tuple[int, int]:
    """Return (estimate records, all records) of the shipped data."""
    types = _records()["type"]
    return int((types == "estimate").sum()), len(types)


def test_the_walk_finds_the_records_of_every_data_folder() -> None:
    """Hand count: catalog/gpus.yaml holds the l40s TDP record; i18n messages are not records."""
    table = _records()
    assert {"catalog", "costs", "defaults", "demand", "tariffs", "weather", "carbon"} <= {
        f.split("/")[0] for f in table["file"]
    }
    assert not table["file"].str.startswith(("i18n/", "scenarios/", "survey/")).any()
    assert ((table["file"] == "catalog/gpus.yaml") & (table["key"] == "l40s.tdp_w")).sum() == 1


def test_every_record_has_a_source_and_a_known_type() -> None:
    table = _records()
    no_source = table[table["source"].fillna("").astype(str).str.strip() == ""]
    assert no_source.empty, f"records without a source:\n{no_source[['file', 'key']]}"
    bad_type = table[~table["type"].isin(data.SOURCE_TYPES)]
    listing = bad_type[["file", "key", "type"]]
    assert bad_type.empty, f"records without a type in {data.SOURCE_TYPES}:\n{listing}"


def test_every_estimate_and_choice_says_how_it_was_reached() -> None:
    table = _records()
    needs = table[table["type"].isin(data.NEEDS_BASIS)]
    missing = needs[needs["basis"].fillna("").astype(str).str.strip() == ""]
    assert missing.empty, f"estimates/choices without a basis:\n{missing[['file', 'key', 'type']]}"


def test_share_of_estimates_does_not_rise() -> None:
    n_estimates, n_records = estimate_share()
    share = n_estimates / n_records
    assert share <= ESTIMATE_SHARE_MAX, f"{n_estimates}/{n_records} = {share:.1%} records are estimates"


def test_the_top_20_hold_no_unlisted_estimate() -> None:
    """The ranking of docs/sources_sensitivity.csv (its score column) against the types of the data now."""
    run = pd.read_csv(DOCS / "sources_sensitivity.csv")
    top = run[run["status"] == "ok"].nlargest(20, "score")
    types = _records().set_index(["file", "key"])["type"]
    now = [(f, k) for f, k in zip(top["file"], top["key"], strict=True) if (f, k) in types.index]
    estimates = {fk for fk in now if types.loc[fk] == "estimate"}
    assert estimates <= TOP20_ESTIMATES_KNOWN, f"estimates in the top 20 not in docs/sources.md: {estimates}"


def test_a_record_without_source_is_caught() -> None:
    """The walk itself: a record lacking its source is found, nested lists included."""
    tree = {"a": [{"value": 1, "unit": "W"}], "b": {"value": 2, "source": "x", "type": "estimate"}}
    recs = dict(data.walk_records(tree))
    assert set(recs) == {"a.0", "b"}
    assert "source" not in recs["a.0"]
    assert recs["b"]["type"] == "estimate"
    assert "basis" not in recs["b"]


def test_records_marked_as_copies_agree_with_their_originals() -> None:
    """A figure used by two stages is one judgement: the copy (type derived) must equal its source."""
    rec = {(f, k): r["value"] for f, k, r in data.shipped_records()}
    energy, cooling = "defaults/energy.yaml", "catalog/cooling.yaml"
    assert rec[(cooling, "kinds.air.room_fan_frac")] == rec[(energy, "energy.cooling.fan_air_frac")]
    assert rec[("catalog/electrical.yaml", "other_power_frac")] == rec[(energy, "energy.other_power_frac")]
    assert rec[(energy, "energy.cooling.liquid_capture_frac")] == rec[
        (cooling, "kinds.direct_liquid.liquid_capture_frac")]
    assert rec[(energy, "energy.cooling.fan_rear_door_frac")] == rec[
        (cooling, "kinds.rear_door.room_fan_frac")]
    capture = rec[(cooling, "kinds.direct_liquid.liquid_capture_frac")]
    dlc = (rec[(energy, "energy.cooling.fan_air_frac")] * (1 - capture)
           + rec[(energy, "energy.cooling.cdu_frac")] * capture)  # energy/cooling.py direct_liquid
    assert rec[(cooling, "kinds.direct_liquid.room_fan_frac")] == pytest.approx(dlc)
    assert rec[("catalog/network.yaml", "fabric_services.management_server_kw")] == rec[
        ("catalog/servers.yaml", "reference_800w.power_max_w")] / 1000
    servers = "catalog/servers.yaml"
    assert rec[(servers, "dgx_h200.power_idle_frac")] == rec[(servers, "dgx_h100.power_idle_frac")]


def test_derived_records_follow_their_formula() -> None:
    """Derived records whose inputs are sourced: recomputed by hand from those inputs."""
    rec = {(f, k): r["value"] for f, k, r in data.shipped_records()}
    network, servers = "catalog/network.yaml", "catalog/servers.yaml"
    # Two-tier non-blocking fat tree: a compute port uses a leaf down-port, a leaf up-port and a
    # spine port, 3 switch ports in all: 8 x 3 / 64 = 0.375 QM9700 per DGX H100.
    ports = rec[(servers, "dgx_h100.n_backend_ports")]
    switches_per_dgx = ports * 3 / rec[(network, "switches.qm9700.radix")]
    assert switches_per_dgx == pytest.approx(0.375)
    frac = switches_per_dgx * rec[(network, "switches.qm9700.power_design_kw")] * 1000 / rec[
        (servers, "dgx_h100.power_max_w")]
    assert rec[("defaults/energy.yaml", "energy.network_power_frac")] == pytest.approx(frac, abs=5e-5)
    # Philly's 1-, 2- and 4-GPU job shares renormalised over the education job sizes.
    philly = rec[("demand/workloads.yaml", "batch_jobs.gpu_direct.n_gpus_prob")][:3]
    education = rec[("demand/workloads.yaml", "batch_jobs.education.n_gpus_prob")]
    assert education == pytest.approx([share / sum(philly) for share in philly], abs=5e-5)
    assert sum(education) == pytest.approx(1.0)
    # Google's Project Deschutes CDU (OCP, 2026-03-24): 74 kW of power for 2,000 kW of heat.
    assert rec[("defaults/energy.yaml", "energy.cooling.cdu_frac")] == pytest.approx(74 / 2000)
    # GCP N2 list prices: vCPU 0.031611 USD/h plus 4 GiB x 0.004237 USD/GiB-h (n2-standard).
    assert rec[("costs/prices.yaml", "vcpu_hour")] == pytest.approx(0.031611 + 4 * 0.004237)
    # NREL REopt.jl's ElectricStorage energy cost, 253 USD/kWh, for 10 minutes of the UPS's rating.
    assert rec[("costs/facility.yaml", "battery")] == pytest.approx(253 * 10 / 60, abs=5e-3)
    # EIA (2023) via DOE's Scout: a centrifugal chiller installed, 52.68 USD per kBtu/h; 12 kBtu/h
    # and 3.517 kW of cooling per refrigeration ton.
    assert rec[("costs/facility.yaml", "chiller")] == pytest.approx(52.68 * 12 / 3.517, abs=5e-3)
    # CRAH fans: NVIDIA DGX H100 airflow per kW x ASHRAE 90.1 Appendix G System 11 fan power per CFM
    # (bhp = 0.00062 x CFM, 746 W/hp, 92.4 % motor: DOE 10 CFR 431 minimum for 15 hp, 4 poles, enclosed).
    cfm_per_kw = 1105 / (rec[(servers, "dgx_h100.power_max_w")] / 1000)
    fan_frac = cfm_per_kw * 0.00062 * 746 / 0.924 / 1000
    assert rec[("defaults/energy.yaml", "energy.cooling.fan_air_frac")] == pytest.approx(fan_frac, abs=5e-5)
    # the heat equation with standard air (1.204 kg/m3, 1.006 kJ/kg K): that airflow is a 10-20 K air rise
    air_rise_k = 1 / (1.204 * 1.006 * cfm_per_kw * 0.3048**3 / 60)
    assert 10 < air_rise_k < 20
    # and the value stays under Title 24's computer-room cap, 27 W per kBtu/h of sensible cooling
    assert fan_frac < 27 / (1000 / 3412.14)


def test_derived_server_figures_follow_their_formula() -> None:
    """The fifth pass: the DGX H100 price and the B200 speed factor, recomputed from their inputs."""
    rec = {(f, k): r["value"] for f, k, r in data.shipped_records()}
    costs = "costs/servers.yaml"
    # Published prices of a complete 8-GPU H100 system: SemiAnalysis 2023-05, AI Times 2024 (the
    # midpoint of its 280-300 k), Thinkmate's quote archived 2024-08-22.
    published_usd = [270_000, (280_000 + 300_000) / 2, 317_000]
    assert rec[(costs, "dgx_h100.price_usd")] == statistics.median(published_usd)
    # MLPerf per-GPU speed-ups over H100: Training v4.1 2.0x (GPT-3 175B) and 2.2x (Llama 2 70B LoRA),
    # Inference v4.1 Llama 2 70B offline 11,264 / 2,675 tokens/s, weighted by the shipped survey's
    # GPU-hours (bare-metal hours, whose work is undeclared, left out). Holds while the survey and
    # the demand constants give an inference share near 8 %.
    hours = demand.estimate(survey.read(survey.example_path()), load_scenario()).by_need.groupby("kind")[
        "gpu_h_per_y"].sum()
    train = hours["training"] + hours["finetuning"] + hours["education"]
    inference_frac = hours["inference"] / (hours["inference"] + train)
    factor = (1 - inference_frac) * (2.0 + 2.2) / 2 + inference_frac * 11_264 / 2_675
    assert rec[(costs, "dgx_b200.h100_eq_per_gpu")] == pytest.approx(factor, abs=5e-3)
    # The support rate: a year of DGX support, 39,800 USD on a 199,000 USD base price.
    support = rec[("defaults/economics.yaml", "economics.maintenance_it_frac_per_y")]
    assert support == pytest.approx(39_800 / 199_000)


def test_gpu_hour_price_change_follows_its_formula() -> None:
    """H100 rental prices: about USD 2.85 in early 2024 (Latent Space) and 2.35 in March 2026
    (SemiAnalysis), 26 months apart, as listed by neighborhoodsf.com; the support included in a
    DGX list price, about 35 k of the DGX-1's 149 k (The Next Platform, 2017-05-19), is the second
    support rate the record cites."""
    rec = {(f, k): r["value"] for f, k, r in data.shipped_records()}
    econ = "defaults/economics.yaml"
    assert rec[(econ, "economics.gpu_hour_price_change_frac_per_y")] == pytest.approx(
        (2.35 / 2.85) ** (12 / 26) - 1, abs=5e-4)
    # the support rate kept is the lower of the two published DGX ratios
    assert rec[(econ, "economics.maintenance_it_frac_per_y")] == pytest.approx(
        min(39_800 / 199_000, 35_000 / 149_000))
