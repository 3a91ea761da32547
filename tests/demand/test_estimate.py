"""demand.estimate: what it passes along from the survey and the scenario, and the Demand contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.demand import estimate, load_survey, planning_years
from aidc.demand.estimate import by_year
from aidc.errors import InputError
from aidc.scenario import load_scenario
from aidc.survey import read

SURVEY = """
respondents:
  - {respondent_id: A, organisation: Org A, tenant_class: university}
  - {respondent_id: B, organisation: Org B, tenant_class: public}
training:
  - {respondent_id: A, model_params: 7B, training_tokens: 1T, gpu_model: h100_sxm, deadline_days: 30,
     n_runs_per_y: 2, start_year: 2029, growth_frac_per_y: 10}
inference:
  - {respondent_id: B, model_params: 7B, precision: bf16, gpu_model: h100_sxm, requests_per_day: 10000000,
     tokens_in_per_request: 1000, tokens_out_per_request: 100, peak_to_average: 3, latency_class: standard,
     start_year: 2028}
cloud:
  - {respondent_id: B, cpu_vcpus: 100, memory_gb: 400, storage_tb: 10, start_year: 2028,
     growth_frac_per_y: 50}
gpu_direct:
  - {respondent_id: A, n_gpus: 16, start_year: 2028}
"""


@pytest.fixture
def demand(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text(SURVEY, encoding="utf-8")
    return estimate(read(path), load_scenario())


def test_by_year_contract(demand) -> None:
    assert list(demand.by_year.columns) == ["year", "tenant_class", "gpu_model", "gpu_hours", "peak_gpus",
                                            "cpu_vcpus", "memory_gb", "storage_tb"]
    assert demand.years == tuple(range(2028, 2028 + 15))  # scenario.start_year, plan.horizon_y
    keys = demand.by_year[["year", "tenant_class", "gpu_model"]]
    assert not keys.duplicated().any()
    assert demand.by_year["peak_gpus"].dtype.kind == "i"


def test_training_by_hand(demand) -> None:
    uni = demand.by_year.query("tenant_class == 'university' and gpu_model == 'h100_sxm'").set_index("year")
    run_h = 6 * 7e9 * 1e12 / (989e12 * 0.40) / 3600
    direct_h = 16 * 8760  # 16 GPUs reserved all year (gpu_model blank -> default h100_sxm)
    assert uni.loc[2028, "gpu_hours"] == pytest.approx(direct_h)  # training starts in 2029
    assert uni.loc[2029, "gpu_hours"] == pytest.approx(2 * run_h + direct_h)
    assert uni.loc[2031, "gpu_hours"] == pytest.approx(2 * run_h * 1.1**2 + direct_h)
    gpus_per_run = np.ceil(run_h / (30 * 24))
    assert uni.loc[2029, "peak_gpus"] == gpus_per_run + 16


def test_inference_by_hand(demand) -> None:
    pub = demand.by_year.query("tenant_class == 'public' and gpu_model == 'h100_sxm'").set_index("year")
    prefill = 989e12 * 0.5 / (2 * 7e9)
    decode = min(32 * 3.35e12 * 0.6 / 14e9, prefill)
    avg_gpus = 10e6 * (1000 / prefill + 100 / decode) / 86400
    assert pub.loc[2028, "gpu_hours"] == pytest.approx(avg_gpus * 8760)
    assert pub.loc[2028, "peak_gpus"] == np.ceil(avg_gpus * 3)


def test_cloud_rows_and_growth(demand) -> None:
    cpu = demand.by_year.query("gpu_model == 'none'").set_index("year")
    assert cpu.loc[2028, "cpu_vcpus"] == 100
    assert cpu.loc[2030, "storage_tb"] == pytest.approx(10 * 1.5**2)
    assert cpu["gpu_hours"].eq(0).all()


def test_scenario_constants_pass_through(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SURVEY, encoding="utf-8")
    base = load_scenario()
    doubled = base.model_copy(update={"demand": base.demand.model_copy(update={"mfu_frac": 0.8})})
    a, b = estimate(read(path), base), estimate(read(path), doubled)
    train = lambda d: d.by_need.query("kind == 'training'")["gpu_h_per_y"].iloc[0]  # noqa: E731
    assert train(b) == pytest.approx(train(a) / 2)


def test_unknown_default_gpu_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SURVEY, encoding="utf-8")
    base = load_scenario()
    bad = base.model_copy(update={"demand": base.demand.model_copy(update={"default_gpu_model": "v100"})})
    with pytest.raises(InputError, match="unknown GPU model"):
        estimate(read(path), bad)


def test_shipped_example_demand() -> None:
    s = load_scenario()
    d = estimate(load_survey(s), s)
    assert planning_years(s) == d.years
    totals = d.by_year.groupby("year")[["gpu_hours", "peak_gpus"]].sum()
    assert totals["gpu_hours"].is_monotonic_increasing  # every growth rate in the example is >= 0
    assert set(d.by_year["tenant_class"]) == {"university", "public", "startup_sme", "research",
                                              "enterprise", "large_model"}
    # Phase 1 (8 MW ~ 6,000 H100-class GPUs) covers the first years of the example, not all 15.
    assert 500 < totals.loc[2028, "peak_gpus"] < 6000 < totals.loc[2042, "peak_gpus"]


def _needs(growth: list[float], start: list[int], gpu_h: list[float]):
    import pandas as pd

    n = len(growth)
    return pd.DataFrame({
        "tenant_class": ["university", "public"] * (n // 2) + ["university"] * (n % 2),
        "gpu_model": "h100_sxm", "start_year": start, "growth_frac_per_y": growth, "gpu_h_per_y": gpu_h,
        "peak_gpus": [1.0] * n, "cpu_vcpus": 0.0, "memory_gb": 0.0, "storage_tb": 0.0,
    })


rates = st.floats(min_value=-0.5, max_value=2.0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(rates, st.integers(2028, 2035), st.floats(0, 1e6)), min_size=1, max_size=6))
def test_by_year_conserves_grown_gpu_hours(rows) -> None:
    growth, start, gpu_h = map(list, zip(*rows, strict=True))
    years = tuple(range(2028, 2038))
    out = by_year(_needs(growth, start, gpu_h), years)
    for y in years:
        want = sum(h * ((1 + g) ** (y - s) if y >= s else 0.0) for g, s, h in rows)
        assert out.loc[out["year"] == y, "gpu_hours"].sum() == pytest.approx(want, rel=1e-9, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(rates, rates, st.floats(1, 1e6))
def test_faster_growth_never_less_demand_later(g1: float, g2: float, gpu_h: float) -> None:
    lo, hi = sorted((g1, g2))
    years = tuple(range(2028, 2033))
    a = by_year(_needs([lo], [2028], [gpu_h]), years)
    b = by_year(_needs([hi], [2028], [gpu_h]), years)
    assert (b["gpu_hours"].to_numpy() >= a["gpu_hours"].to_numpy() * (1 - 1e-12)).all()
    assert (b["peak_gpus"].to_numpy() >= a["peak_gpus"].to_numpy()).all()


def test_results_are_picklable() -> None:
    """Sweeps map stages over Dask: Demand and SurveyTable must pickle (docs/contracts.md)."""
    import pickle

    s = load_scenario()
    table = load_survey(s)
    d = estimate(table, s)
    back = pickle.loads(pickle.dumps(d))
    assert back.years == d.years
    assert back.by_year.equals(d.by_year)
    assert pickle.loads(pickle.dumps(table)).n_needs == table.n_needs
