"""Translation functions: published figures, hand-worked cases, invariants, input types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.demand import gpus
from aidc.demand import translate as tr

MFU = 0.40  # the demand.mfu_frac default
A100_BF16_TFLOPS = 312.0
H100_BF16_TFLOPS = 989.0


@pytest.mark.parametrize(("n_params", "reported_gpu_h"), [(7e9, 184_320), (13e9, 368_640), (70e9, 1_720_320)])
def test_llama2_pretraining_gpu_hours(n_params: float, reported_gpu_h: float) -> None:
    """Llama 2 pretraining, 2.0T tokens on A100-80GB: 184,320 / 368,640 / 1,720,320 GPU-hours.

    Touvron et al., "Llama 2: Open Foundation and Fine-Tuned Chat Models", arXiv:2307.09288 (2023),
    Table 2. With 6·N·D, the A100's 312 TFLOPS (BF16, dense) and 40 % MFU, within 10 %.
    """
    est = tr.gpu_hours(tr.training_flops(n_params, 2.0e12), A100_BF16_TFLOPS, MFU)
    assert est == pytest.approx(reported_gpu_h, rel=0.10)


def test_llama31_405b_gpu_hours() -> None:
    """Llama 3.1 405B: 3.8e25 FLOPs, 15.6T tokens, 30.84M H100-80GB hours reported.

    Llama Team, "The Llama 3 Herd of Models", arXiv:2407.21783 (2024) (3.8e25 FLOPs, 15.6T
    tokens; 38-43 % MFU) and the Llama 3.1 model card (30.84M GPU-hours). The reported hours
    include interruptions and restarts (the paper reports ~90 % effective training time), so
    the estimate is low; tolerance 15 %.
    """
    flops = tr.training_flops(405e9, 15.6e12)
    assert flops == pytest.approx(3.8e25, rel=0.01)
    assert tr.gpu_hours(flops, H100_BF16_TFLOPS, MFU) == pytest.approx(30.84e6, rel=0.15)


def test_chinchilla_compute() -> None:
    """Chinchilla 70B on 1.4T tokens: 5.76e23 FLOPs (Hoffmann et al., arXiv:2203.15556, Table 3)."""
    assert tr.training_flops(70e9, 1.4e12) == pytest.approx(5.76e23, rel=0.021)


def test_hand_worked_training() -> None:
    gpu_h = tr.gpu_hours(tr.training_flops(7e9, 1e12), 989.0, 0.4)
    assert gpu_h == pytest.approx(6 * 7e9 * 1e12 / (989e12 * 0.4) / 3600)
    assert tr.gpus_for_deadline(gpu_h, 30.0) == np.ceil(gpu_h / (30 * 24))  # 41 GPUs
    assert tr.gpus_for_deadline(720.0, 30.0) == 1.0  # exactly one GPU for 30 days
    assert tr.gpus_for_deadline(0.0, 30.0) == 1.0  # at least one


def test_hand_worked_inference() -> None:
    # 7B in BF16 on H100: 14 GB of weights, x1.3 headroom = 18.2 GB -> 1 GPU per replica.
    assert tr.gpus_per_replica(7e9, 2.0, 80.0, 0.3) == 1.0
    assert tr.gpus_per_replica(70e9, 2.0, 80.0, 0.3) == 3.0  # 182 GB on 80 GB GPUs
    decode = tr.decode_tokens_per_gpu_s(7e9, 2.0, 3.35, 989.0, 32, 0.6, 0.5)
    assert decode == pytest.approx(32 * 3.35e12 * 0.6 / 14e9)  # memory bound: 4,594 tokens/s
    prefill = tr.prefill_tokens_per_gpu_s(7e9, 989.0, 0.5)
    assert prefill == pytest.approx(989e12 * 0.5 / (2 * 7e9))  # 35,321 tokens/s
    # A huge batch makes decoding compute bound: the roofline takes the lower of the two.
    assert tr.decode_tokens_per_gpu_s(7e9, 2.0, 3.35, 989.0, 10_000, 0.6, 0.5) == pytest.approx(prefill)
    gpu_h_day = tr.inference_gpu_h_per_day(86_400, 1000, 100, prefill, decode)
    assert gpu_h_day == pytest.approx(86_400 * (1000 / prefill + 100 / decode) / 3600)


def test_hand_worked_education_and_growth() -> None:
    assert tr.education_gpu_hours(2, 30, 10.0, 2) == 2 * 30 * 10 * 2
    # 1,200 GPU-h over 2 semesters x 16 weeks x 168 h x 25 % duty = 1,344 h -> 1 GPU.
    assert tr.education_peak_gpus(1200.0, 2, 16, 0.25) == 1.0
    assert tr.education_peak_gpus(1345.0, 2, 16, 0.25) == 2.0
    assert tr.growth_factor(2028, 2028, 0.5) == 1.0
    assert tr.growth_factor(2030, 2028, 0.5) == pytest.approx(1.5 * 1.5)
    assert tr.growth_factor(2027, 2028, 0.5) == 0.0


sizes = st.floats(min_value=1e6, max_value=2e12)
tokens = st.floats(min_value=1e6, max_value=1e14)


@given(sizes, sizes, tokens, tokens)
def test_more_params_or_tokens_never_fewer_gpu_hours(n1: float, n2: float, d1: float, d2: float) -> None:
    lo_n, hi_n = sorted((n1, n2))
    lo_d, hi_d = sorted((d1, d2))
    assert tr.gpu_hours(tr.training_flops(hi_n, hi_d), 989, 0.4) >= tr.gpu_hours(
        tr.training_flops(lo_n, lo_d), 989, 0.4)


@given(st.floats(min_value=1.0, max_value=1e8), st.floats(min_value=0.01, max_value=1000),
       st.floats(min_value=0.01, max_value=1000))
def test_shorter_deadline_never_fewer_gpus(gpu_h: float, t1: float, t2: float) -> None:
    short, long_ = sorted((t1, t2))
    assert tr.gpus_for_deadline(gpu_h, short) >= tr.gpus_for_deadline(gpu_h, long_)
    # and the GPUs found do meet the deadline
    assert tr.gpus_for_deadline(gpu_h, short) * short * 24 >= gpu_h * (1 - 1e-9)


@given(sizes, st.floats(min_value=1, max_value=1e7), st.floats(min_value=1, max_value=1e7))
def test_more_requests_never_fewer_gpu_hours(n_params: float, r1: float, r2: float) -> None:
    lo, hi = sorted((r1, r2))
    decode = tr.decode_tokens_per_gpu_s(n_params, 2.0, 3.35, 989, 32, 0.6, 0.5)
    prefill = tr.prefill_tokens_per_gpu_s(n_params, 989, 0.5)
    assert tr.inference_gpu_h_per_day(hi, 500, 100, prefill, decode) >= tr.inference_gpu_h_per_day(
        lo, 500, 100, prefill, decode)


@given(st.floats(min_value=1, max_value=4096), st.floats(min_value=1, max_value=4096))
def test_bigger_batch_never_slower_decode(b1: float, b2: float) -> None:
    lo, hi = sorted((b1, b2))
    assert tr.decode_tokens_per_gpu_s(7e9, 2, 3.35, 989, hi, 0.6, 0.5) >= tr.decode_tokens_per_gpu_s(
        7e9, 2, 3.35, 989, lo, 0.6, 0.5)


def test_scalar_array_series_agree() -> None:
    n = np.array([7e9, 70e9, 405e9])
    d = np.array([1e12, 2e12, 15e12])
    arr = tr.gpu_hours(tr.training_flops(n, d), 989.0, 0.4)
    ser = tr.gpu_hours(tr.training_flops(pd.Series(n), pd.Series(d)), 989.0, 0.4)
    scalars = [tr.gpu_hours(tr.training_flops(a, b), 989.0, 0.4) for a, b in zip(n, d, strict=True)]
    np.testing.assert_allclose(arr, scalars)
    np.testing.assert_allclose(ser.to_numpy(), scalars)
    reps = tr.gpus_per_replica(pd.Series([7e9, 70e9]), 2.0, 80.0, 0.3)
    np.testing.assert_array_equal(np.asarray(reps), [1.0, 3.0])


def test_gpu_catalog_has_the_server_catalog_gpus() -> None:
    from aidc.scenario.fleet import shipped_servers

    models = {s.gpu_model for s in shipped_servers().values() if s.gpu_model}
    assert models <= set(gpus().index)
    g = gpus()
    assert (g["peak_fp8_tflops"] >= g["peak_bf16_tflops"]).all()  # A100's missing FP8 -> BF16 rate
    assert g.loc["h200_sxm", "hbm_gb"] == 141
    assert g.loc["b200", "mem_bw_tb_per_s"] == 8.0
