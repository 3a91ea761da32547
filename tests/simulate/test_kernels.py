"""The compiled FIFO kernel (aidc/simulate/_kernels.pyx) against its pure-Python twin."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.simulate import fast
from aidc.simulate.fast import FifoPooled, _fifo_blocks

needs_kernel = pytest.mark.skipif(fast._compiled_scalar is None, reason="the compiled kernel is not built")


def test_kernel_is_built_in_ci() -> None:
    # CI installs with a C compiler: a missing kernel there is a broken build, not a choice
    if os.environ.get("CI") != "true":
        pytest.skip("only CI promises a C compiler")
    assert fast._compiled_scalar is not None


@st.composite
def queued_jobs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    capacity = draw(st.integers(1, 16))
    n = draw(st.integers(1, 400))
    gaps = draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 2.5, 7.0]), min_size=n, max_size=n))
    need = draw(st.lists(st.integers(1, capacity), min_size=n, max_size=n))
    # whole and fractional run times, zero-length jobs and many equal ends
    dur = draw(st.lists(st.sampled_from([0.0, 1.0, 3.0, 3.0, 10.0, 0.5, 100.0]), min_size=n, max_size=n))
    return np.cumsum(gaps), np.array(need, np.int64), np.array(dur), capacity


@needs_kernel
@settings(max_examples=150, deadline=None)
@given(queued_jobs())
def test_kernel_starts_every_job_when_the_python_loop_does(jobs: tuple) -> None:
    submit, need, dur, capacity = jobs
    empty_e, empty_n = np.empty(0), np.empty(0, np.int64)
    compiled, t_c, _, _ = _fifo_blocks(submit, need, dur, capacity, -np.inf, empty_e, empty_n)
    python, t_p, _, _ = _fifo_blocks(submit, need, dur, capacity, -np.inf, empty_e, empty_n, compiled=False)
    np.testing.assert_array_equal(compiled, python)
    assert t_c == t_p


@needs_kernel
@settings(max_examples=60, deadline=None)
@given(queued_jobs(), st.integers(1, 50))
def test_kernel_state_carries_over_pieces(jobs: tuple, piece: int) -> None:
    # the running jobs the kernel hands back (ends kept apart, not merged) start later jobs alike
    submit, need, dur, capacity = jobs
    fifo = FifoPooled(capacity)
    pieces = [fifo.start_s(submit[i:i + piece], need[i:i + piece], dur[i:i + piece])
              for i in range(0, len(submit), piece)]
    whole, *_ = _fifo_blocks(submit, need, dur, capacity, -np.inf, np.empty(0), np.empty(0, np.int64),
                             compiled=False)
    np.testing.assert_array_equal(np.concatenate(pieces), whole)


@needs_kernel
def test_kernel_by_hand() -> None:
    # two GPUs; 2-GPU job for 10 s at 0, then 1-GPU jobs of 5 s at 0, 1 and 20:
    # the second and third wait for the first (start 10), the fourth starts on arrival (20)
    start = np.full(4, np.nan)
    assert fast._compiled_scalar is not None
    t, run_e, run_n = fast._compiled_scalar(np.array([0.0, 0.0, 1.0, 20.0]), np.array([2, 1, 1, 1]),
                                            np.array([10.0, 5.0, 5.0, 5.0]), start, 0, 4, -np.inf,
                                            np.empty(0), np.empty(0, np.int64), 2)
    assert start.tolist() == [0.0, 10.0, 10.0, 20.0]
    assert t == 20.0
    assert run_e.tolist() == [25.0]
    assert run_n.tolist() == [1]
