"""Survey and demand speed: validating a large workbook, estimating demand, a year's job stream."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import openpyxl

from aidc import demand, survey
from aidc.demand import translate as tr
from aidc.scenario import load_scenario
from benchmarks._common import Row, best_of

N_RESPONDENTS = 1_000  # a province-wide survey is ~30-300 institutions; 1,000 is a margin


def _big_workbook(path: Path) -> Path:
    """The English template filled with N respondents, each with one training and one GPU-hours row."""
    survey.write_template(path, "en")
    wb = openpyxl.load_workbook(path)
    for i in range(N_RESPONDENTS):
        rid = f"R{i:04d}"
        wb["Respondents"].append([rid, f"Org {i}", "Start-up or SME", "None", None])
        wb["Training"].append([rid, "1B", "50B", "BF16", "h100_sxm", 14, 2, 2028, 10, None])
        wb["GPU direct"].append([rid, "l40s", 2000, None, 2028, 10, None])
    wb.save(path)
    return path


def run() -> list[Row]:
    scenario = load_scenario()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = _big_workbook(Path(tmp) / "big.xlsx")
        t = best_of(lambda: survey.validate(path), repeat=1)
        rows.append(Row(f"validate xlsx, {N_RESPONDENTS:,} respondents / {2 * N_RESPONDENTS:,} needs", t, "s",
                        target="< 5 s", target_value=5.0, note="openpyxl read dominates"))
        table = survey.read(path)
        t = best_of(lambda: demand.estimate(table, scenario))
        rows.append(Row(f"estimate, {2 * N_RESPONDENTS:,} needs x 15 years", t, "s",
                        target="< 1 s", target_value=1.0))
    example = survey.read(survey.example_path())
    d = demand.estimate(example, scenario)
    t = best_of(lambda: demand.estimate(example, scenario))
    rows.append(Row("estimate, shipped example (62 needs)", t * 1e3, "ms",
                    target="< 100 ms", target_value=100.0))
    n_jobs = len(demand.job_stream(d, scenario, 2030, np.random.default_rng(0)))
    t = best_of(lambda: demand.job_stream(d, scenario, 2030, np.random.default_rng(0)), repeat=2)
    rows.append(Row(f"job_stream, example 2030 ({n_jobs:,} jobs)", n_jobs / t, "jobs/s",
                    target="> 100k jobs/s", target_value=1e5, higher_is_better=True))
    n = np.full(1_000_000, 7e9)
    t = best_of(lambda: tr.gpu_hours(tr.training_flops(n, n * 20), 989.0, 0.4))
    rows.append(Row("gpu_hours(training_flops), 1e6 rows", t * 1e3, "ms",
                    target="< 50 ms", target_value=50.0))
    return rows
