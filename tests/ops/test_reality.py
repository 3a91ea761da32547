"""Survey against reality: the recalibration rule by hand, and compare on the twin's own year."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from aidc.ops import compare, import_records, write_sacct
from aidc.ops.growth import fit
from aidc.ops.reality import recalibrate
from aidc.ops.twin import operations_record

MONTHS = [str(pd.Period("2028-01", freq="M") + i) for i in range(24)]


def test_recalibration_by_hand() -> None:
    """u: 150 observed / 100 surveyed is 50 % off (> 25 %): scaled by 1.5; r: 10 % off, kept.

    u's records grow 70 %/y with little scatter, so its interval excludes the surveyed 10 %/y;
    r's records grow 15 %/y with a ±30 % zigzag: its wide interval holds the surveyed 15 %/y.
    """
    table = pd.DataFrame({"tenant_class": ["u", "r"], "surveyed_gpu_h": [100.0, 100.0],
                          "observed_gpu_h": [150.0, 110.0]})
    demand = SimpleNamespace(by_need=pd.DataFrame({"tenant_class": ["u", "r", "r"],
                                                   "gpu_h_per_y": [10.0, 30.0, 10.0],
                                                   "growth_frac_per_y": [0.1, 0.1, 0.3]}))
    rng = np.random.default_rng(0)
    t = np.arange(24)
    fits = {"u": fit("u", MONTHS, 100 * np.exp(np.log1p(0.7) / 12 * t + rng.normal(0, 0.02, 24))),
            "r": fit("r", MONTHS, 100 * np.exp(np.log1p(0.15) / 12 * t + 0.3 * (-1.0) ** t))}
    out = recalibrate(table, demand, fits).set_index("tenant_class")
    assert out.loc["u", "recalibrated_gpu_h_scale_frac"] == 1.5
    assert out.loc["r", "recalibrated_gpu_h_scale_frac"] == 1.0
    assert out.loc["r", "surveyed_growth_frac_per_y"] == pytest.approx((30 * 0.1 + 10 * 0.3) / 40)
    assert out.loc["u", "growth_off"]
    assert out.loc["u", "recalibrated_growth_frac_per_y"] == pytest.approx(fits["u"].growth_frac_per_y)
    assert not out.loc["r", "growth_off"]
    assert out.loc["r", "recalibrated_growth_frac_per_y"] == pytest.approx(0.15)


def test_compare_on_the_twins_year(plan, tmp_path) -> None:
    """The twin's year holds the survey's GPU-hours, and the twin's replay its own waits."""
    scenario, demand, design = plan
    log, t0 = operations_record(scenario, demand, design, (scenario.start_year,))
    path = tmp_path / "sacct.txt"
    path.write_text(write_sacct(log, t0), encoding="utf-8")
    out = compare(import_records(sacct=path).jobs, scenario, demand, design)
    months = out.table.dropna(subset=["observed_p95_wait_h"])
    assert np.array_equal(months["observed_p95_wait_h"].to_numpy(), months["twin_p95_wait_h"].to_numpy())
    assert (months["observed_p95_wait_h"] > 0).any()
    # the demand that arrived is the survey's (up to whole seconds), though the small fleet delivers less
    ratio = out.recalibration.set_index("tenant_class")["observed_to_surveyed_frac"]
    assert ratio.to_dict() == pytest.approx(dict.fromkeys(ratio.index, 1.0), abs=1e-3)
    assert (out.table["observed_busy_gpu_h"].sum() < 0.99 * out.table["observed_gpu_h"].sum())
    assert not out.recalibration["volume_off"].any()
