"""GPU telemetry, meter, bills and account map, on fixtures written from the tools' documentation.

Fixtures and their sources: tests/data/ops/README.md (Prometheus HTTP API, range queries:
https://prometheus.io/docs/prometheus/latest/querying/api/ ; NVIDIA dcgm-exporter
etc/default-counters.csv: DCGM_FI_DEV_GPU_UTIL in %, DCGM_FI_DEV_POWER_USAGE in W).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from aidc.errors import InputError
from aidc.ops import import_records, load, save
from aidc.ops.readers import read_accounts, read_bills, read_meter, read_prometheus

from .conftest import DATA


def test_prometheus_dcgm_by_hand() -> None:
    """Unix 1835481600 is 2028-03-01 00:00 UTC, 09:00 in Korea (UTC+9); 87 % -> 0.87."""
    tel = read_prometheus(DATA / "prometheus_dcgm.json").set_index(["time", "gpu"])
    first = tel.loc[(pd.Timestamp("2028-03-01 09:00"), "0")]
    assert (first["gpu_util_frac"], first["gpu_power_w"], first["host"]) == (0.87, 612.5, "gpu-node-01")
    assert math.isnan(tel.loc[(pd.Timestamp("2028-03-01 09:02"), "0"), "gpu_util_frac"])  # "NaN" sample
    assert tel.loc[(pd.Timestamp("2028-03-01 09:01"), "0"), "gpu_power_w"] == 655.25
    assert len(tel) == 4  # three samples of GPU 0, one of GPU 1


def test_prometheus_refuses_an_instant_query(tmp_path) -> None:
    path = tmp_path / "instant.json"
    path.write_text(json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}}))
    with pytest.raises(InputError) as err:
        read_prometheus(path)
    (problem,) = err.value.problems
    assert (problem.field, problem.found) == ("data.resultType", "vector")


def test_meter_korean_headers_and_midnight_by_hand() -> None:
    """'24:00' is the next day's 00:00; a 15-minute interval at P kW holds P/4 kWh."""
    meter = read_meter(DATA / "meter_15min.csv")
    assert meter["timestamp"].iloc[-1] == pd.Timestamp("2028-03-02 00:00")
    assert meter["power_kw"].tolist() == [5210.4, 5198.0, 5301.6, 5000.0]
    assert meter["energy_kwh"].iloc[-1] == 5000.0 * 15 / 60


def test_meter_refuses_off_grid_and_duplicate_times(tmp_path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "timestamp,kW\n2028-03-01 00:10,10\n2028-03-01 00:15,x\n2028-03-01 00:30,1\n2028-03-01 00:30,2\n"
    )
    with pytest.raises(InputError) as err:
        read_meter(path)
    assert [(p.line, p.field) for p in err.value.problems] == [
        (2, "timestamp"),
        (3, "power_kw"),
        (None, "timestamp"),
    ]


def test_bills_with_thousands_separators() -> None:
    bills = read_bills(DATA / "bills.csv")
    assert bills["month"].tolist() == ["2028-03", "2028-04"]
    assert bills["energy_kwh"].tolist() == [3_912_000.0, 3_800_500.0]
    assert bills["bill_krw"].iloc[0] == 712_345_000.0


def test_accounts_refuse_an_unknown_tenant_class(tmp_path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("match,name,tenant_class\naccount,x,university\naccount,y,students\nuser,z,public\n")
    with pytest.raises(InputError) as err:
        read_accounts(path)
    assert [(p.line, p.field) for p in err.value.problems] == [(3, "tenant_class"), (4, "match")]


def test_store_round_trip(tmp_path) -> None:
    """Every table comes back from Parquet as it went in, with what was read and skipped."""
    rec = import_records(
        DATA / "sacct_awkward.txt",
        [DATA / "prometheus_dcgm.json"],
        DATA / "meter_15min.csv",
        DATA / "bills.csv",
        DATA / "accounts.csv",
    )
    save(rec, tmp_path)
    back = load(tmp_path)
    pd.testing.assert_frame_equal(back.jobs, rec.jobs)
    pd.testing.assert_frame_equal(back.meter, rec.meter)
    assert back.read.set_index("kind")["n_kept"].to_dict() == {
        "sacct": 7,
        "telemetry": 4,
        "meter": 4,
        "bills": 2,
        "accounts": 5,
    }
    assert back.read.set_index("kind").loc["sacct", "n_skipped"] == 4
