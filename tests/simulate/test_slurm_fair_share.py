"""Slurm's multifactor fair share: decayed usage against share, worked by hand.

References: SchedMD, "Classic Fair Share Algorithm" (F = 2^(-U/S)),
https://slurm.schedmd.com/classic_fair_share.html; "Multifactor Priority Plugin",
https://slurm.schedmd.com/priority_multifactor.html; slurm.conf(5) PriorityDecayHalfLife
(usage halves every half-life; default 7 days).
"""

from __future__ import annotations

import math

import pytest

from aidc import data
from aidc import simulate as sim
from aidc.simulate.policies import decayed_usage_gpu_s, fair_share_factor

from ._helpers import trace

H = 3600.0


def test_decay_and_factor_by_hand() -> None:
    # half-life 1 h. Tenant b ran 8 GPUs in hour 0, tenant a 8 GPUs in hour 1.
    # 8 GPUs for one half-life from nothing: 8 * (1 - 1/2) * 3600 / ln 2 = 20,775 GPU-s.
    one_hour = 8 * 0.5 * H / math.log(2)
    b = decayed_usage_gpu_s(decayed_usage_gpu_s(0.0, 8, H, H), 0, H, H)  # then halved over hour 1
    a = decayed_usage_gpu_s(0.0, 8, H, H)
    assert a == pytest.approx(one_hour)
    assert b == pytest.approx(one_hour / 2)
    # equal shares (S = 0.5): U_a = 2/3, U_b = 1/3 -> F_a = 2^(-4/3) = 0.397, F_b = 2^(-2/3) = 0.630
    assert fair_share_factor(a / (a + b), 0.5) == pytest.approx(2 ** (-4 / 3))
    assert fair_share_factor(b / (a + b), 0.5) == pytest.approx(2 ** (-2 / 3))
    # Slurm's landmarks: a tenant that used exactly its share has F = 0.5; one that used nothing, 1
    assert fair_share_factor(0.25, 0.25) == 0.5
    assert fair_share_factor(0.0, 0.25) == 1.0


def test_recent_usage_waits_where_instant_usage_cannot_tell() -> None:
    # 8 GPUs. B1 (tenant b) runs hour 0, A1 (tenant a) hour 1; at 2 h A2 and B2 (8 GPUs each)
    # arrive and nobody holds a GPU. Decayed usage ranks b first (F_b 0.630 > F_a 0.397), so B2
    # starts at 2 h and A2 at 3 h. Plain fair share sees both at 0 GPUs and breaks the tie by
    # name: A2 first.
    jobs = trace([("B1", "b", 0, 8, H), ("A1", "a", H, 8, H), ("A2", "a", 2 * H, 8, H),
                  ("B2", "b", 2 * H, 8, H)])
    params = {"shares": {"a": 0.5, "b": 0.5}}
    slurm = sim.run(jobs, sim.Cluster(8, 8), "slurm_fair_share", policy_params=params | {"half_life_h": 1.0})
    plain = sim.run(jobs, sim.Cluster(8, 8), "fair_share", policy_params=params)
    start = dict(zip(slurm.jobs["job_id"], slurm.jobs["start_s"], strict=True))
    assert (start["B2"], start["A2"]) == (2 * H, 3 * H)
    start = dict(zip(plain.jobs["job_id"], plain.jobs["start_s"], strict=True))
    assert (start["A2"], start["B2"]) == (2 * H, 3 * H)


def test_half_life_default_is_slurms() -> None:
    assert data.value("simulation.fair_share_half_life_h") == 7 * 24
