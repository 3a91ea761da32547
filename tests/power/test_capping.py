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
from aidc.power.controls import Plan, schedule
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


def _with_levels(plan: Plan, power: list[float], speed: list[float], cappable: np.ndarray) -> Plan:
    return dataclasses.replace(
        plan, cap_power_frac=np.array(power), cap_throughput_frac=np.array(speed), cappable=cappable
    )


def test_a_capped_job_starts_on_time_and_runs_slower_only_while_the_cap_binds_by_hand() -> None:
    # two 8-GPU jobs of 1 h submitted together on 16 GPUs, 0.5 kW per GPU: 4 kW each; cap 6 kW
    log = _log(16, [(0.0, 8, 3600.0), (0.0, 8, 3600.0)])
    plan = _plan(log, 16, np.full(96, 6.0))
    sched = schedule(plan)
    assert sched.start_s.tolist() == [0.0, 3600.0]  # without capping: delayed by an hour
    assert not sched.capped.any()
    # beside the first job 2 kW are free for an hour: 4 x 0.75 = 3 kW does not fit, 4 x 0.5 = 2 kW does,
    # at 80 % speed: 0.8 x 3,600 = 2,880 s of work; the other 720 s at full power once the first ends
    capped = _with_levels(plan, [0.75, 0.5], [0.9, 0.8], np.array([False, True]))
    sched = schedule(capped)
    assert sched.start_s.tolist() == [0.0, 0.0]
    assert sched.end_s.tolist() == [3600.0, 3600.0 + 720.0]
    assert sched.capped.tolist() == [False, True]
    assert sched.capped_kw[0, :6].tolist() == [2.0, 2.0, 2.0, 2.0, 4.0 * 720 / 900, 0.0]
    assert sched.capped_work_gpus[0, :5].tolist() == pytest.approx([6.4, 6.4, 6.4, 6.4, 8 * 720 / 900])
    # a job that may not be capped starts on time too: the running one that may is capped instead
    sched = schedule(_with_levels(plan, [0.5], [0.8], np.array([True, False])))
    assert sched.start_s.tolist() == [0.0, 0.0]
    assert sched.end_s.tolist() == [3600.0 + 720.0, 3600.0]
    assert sched.capped.tolist() == [True, False]
    # neither may be capped: the second waits
    sched = schedule(_with_levels(plan, [0.5], [0.8], np.array([False, False])))
    assert sched.start_s.tolist() == [0.0, 3600.0]


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
    sched = schedule(plan)
    start, end = sched.start_s, sched.end_s
    assert np.isfinite(start).all()
    assert (start >= log["start_s"].to_numpy() - 1e-9).all()
    assert not sched.capped[~cappable].any()
    run_s = (log["end_s"] - log["start_s"]).to_numpy()
    took = end[sched.capped] - start[sched.capped]
    assert (took >= run_s[sched.capped] - 1e-6).all()  # slower, never faster
    assert (took <= run_s[sched.capped] / speed[-1] + 1e-6).all()
    free = ~sched.capped
    load = interval_mean(start[free], end[free], log["n_gpus"].to_numpy()[free] * 0.5, horizon, DT)
    assert (load + sched.capped_kw.sum(axis=0)).max() <= cap_kw + 1e-6
    # the capped jobs' work adds up to their uncapped run
    gpus = log["n_gpus"].to_numpy()
    assert sched.capped_work_gpus.sum() * DT == pytest.approx(float((gpus * run_s)[sched.capped].sum()))
    assert _max_busy(start, end, gpus) <= 32


def test_capping_off_is_the_scheduler_of_before() -> None:
    log = _log(16, [(i * 600.0, 1 + i % 8, 5000.0) for i in range(30)])
    plan = _plan(log, 16, np.full(200, 20.0))
    sched = schedule(plan)
    assert not sched.capped.any()
    empty = _with_levels(plan, [], [], np.ones(len(log), bool))
    pd.testing.assert_series_equal(pd.Series(schedule(empty).start_s), pd.Series(sched.start_s))


def test_a_running_job_is_capped_to_let_a_newcomer_start_by_hand() -> None:
    # A (may be capped): 8 GPUs, 4 kW, 0-7,200 s; B (may not): 8 GPUs, 4 kW, from 1,800 s for 1 h; cap 6 kW
    log = _log(16, [(0.0, 8, 7200.0), (1800.0, 8, 3600.0)])
    plan = _plan(log, 16, np.full(96, 6.0))
    assert schedule(plan).start_s.tolist() == [0.0, 7200.0]  # without capping B waits for A
    sched = schedule(_with_levels(plan, [0.5], [0.8], np.array([True, False])))
    assert sched.start_s.tolist() == [0.0, 1800.0]  # B starts on time
    # A from 1,800 s: 2 kW free beside B for 4 intervals -> half power at 80 % speed, 4 x 900 x 0.8 =
    # 2,880 s of its 5,400 s left; the other 2,520 s at full power once B ends at 5,400 s: A ends at
    # 5,400 + 2,520 = 7,920 s
    assert sched.end_s.tolist() == [7920.0, 5400.0]
    assert sched.capped.tolist() == [True, False]
    assert sched.capped_kw[0, :10].tolist() == [4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 4.0, 4.0, 4.0 * 720 / 900, 0.0]
    assert sched.capped_work_gpus[0].sum() * DT == pytest.approx(8 * 7200.0)  # all of A's work, done
