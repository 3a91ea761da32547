"""GPU power capping: the measured curve, a capped start worked by hand, the cap and GPU count held."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.power.test_controls import DT, _log, _max_busy, _plan, jobs_strategy

from aidc.power.capping import cap_levels, default_levels
from aidc.power.controls import schedule
from aidc.power.coupling import interval_mean


def test_levels_from_the_published_zeus_a40_bert_curve() -> None:
    """Zeus (NSDI 2023) power trace, A40, BERT-base on SQuAD, batch 32 (data/power/README.md).

    Energy per epoch, power x time [J]: 300 W 266.957 x 909.465 = 242,786; 200 W
    188.624 x 1028.09 = 193,922; 175 W 167.140 x 1156.77 = 193,341 (least); 150 W
    145.388 x 1586.22 = 230,618. So the levels are 275, 250, 225, 200 and 175 W.
    """
    power_frac, throughput_frac = default_levels()
    assert len(power_frac) == 5
    assert power_frac[1] == pytest.approx(232.08614959795122 / 266.95718052511666)  # 250 W
    assert throughput_frac[1] == pytest.approx(909.465 / 934.875)
    assert power_frac[-1] == pytest.approx(167.1395214059152 / 266.95718052511666)  # 175 W
    assert throughput_frac[-1] == pytest.approx(909.465 / 1156.77)
    # a stronger limit always saves power and costs speed
    assert (np.diff(power_frac) < 0).all()
    assert (np.diff(throughput_frac) < 0).all()
    assert (power_frac < throughput_frac).all()  # every level offered saves energy per unit of work


def test_cap_levels_in_any_order_of_rows() -> None:
    p, t = cap_levels([300, 100, 200], [100.0, 400.0, 110.0], [250.0, 100.0, 180.0])
    assert p.tolist() == [180.0 / 250.0]
    assert t.tolist() == [100.0 / 110.0]


def _with_levels(plan: object, power: list[float], speed: list[float], cappable: np.ndarray) -> object:
    return dataclasses.replace(
        plan, cap_power_frac=np.array(power), cap_throughput_frac=np.array(speed), cappable=cappable
    )


def test_a_capped_job_starts_on_time_and_runs_longer_by_hand() -> None:
    # two 8-GPU jobs of 1 h submitted together on 16 GPUs, 0.5 kW per GPU: 4 kW each; cap 6 kW
    log = _log(16, [(0.0, 8, 3600.0), (0.0, 8, 3600.0)])
    plan = _plan(log, 16, np.full(96, 6.0))
    start, level = schedule(plan)
    assert start.tolist() == [0.0, 3600.0]  # delayed by an hour
    assert level.tolist() == [-1, -1]
    # capped to half its power at 80 % of its speed, the second fits beside the first: 4 + 4 x 0.5 = 6 kW
    capped = _with_levels(plan, [0.75, 0.5], [0.9, 0.8], np.array([False, True]))
    start, level = schedule(capped)  # type: ignore[arg-type]
    assert start.tolist() == [0.0, 0.0]
    assert level.tolist() == [-1, 1]  # the milder level (4 + 3 = 7 kW) does not fit
    # it runs 3600 / 0.8 = 4500 s: GPU-hours lost 8 x 900 / 3600 = 2
    # a job that may not be capped waits as before
    start, _ = schedule(_with_levels(plan, [0.5], [0.8], np.array([True, False])))  # type: ignore[arg-type]
    assert start.tolist() == [0.0, 3600.0]


@settings(max_examples=40, deadline=None)
@given(jobs=jobs_strategy, cap_kw=st.floats(8.0, 40.0),
       bits=st.lists(st.booleans(), min_size=40, max_size=40))
def test_capping_holds_the_cap_and_the_gpus(
    jobs: list[tuple[float, int, float]], cap_kw: float, bits: list[bool]
) -> None:
    log = _log(32, jobs)
    horizon = 20 * 96
    cappable = np.array(bits[: len(log)])
    power, speed = default_levels()
    plan = _with_levels(_plan(log, 32, np.full(horizon, cap_kw)), list(power), list(speed), cappable)
    start, level = schedule(plan)  # type: ignore[arg-type]
    assert np.isfinite(start).all()
    assert (start >= log["start_s"].to_numpy() - 1e-9).all()
    assert (level[~cappable] == -1).all()
    capped = level >= 0
    assert (start[capped] == log["start_s"].to_numpy()[capped]).all()  # capped instead of delayed
    pf = np.where(capped, power[np.maximum(level, 0)], 1.0)
    tf = np.where(capped, speed[np.maximum(level, 0)], 1.0)
    end = start + (log["end_s"] - log["start_s"]).to_numpy() / tf
    load = interval_mean(start, end, log["n_gpus"].to_numpy() * 0.5 * pf, horizon, DT)
    assert load.max() <= cap_kw + 1e-6
    assert _max_busy(start, end, log["n_gpus"].to_numpy()) <= 32


def test_capping_off_is_the_scheduler_of_before() -> None:
    log = _log(16, [(i * 600.0, 1 + i % 8, 5000.0) for i in range(30)])
    plan = _plan(log, 16, np.full(200, 20.0))
    start, level = schedule(plan)
    assert (level == -1).all()
    empty = _with_levels(plan, [], [], np.ones(len(log), bool))
    pd.testing.assert_series_equal(pd.Series(schedule(empty)[0]), pd.Series(start))  # type: ignore[arg-type]
