"""Model functions: what respondents know -> FLOPs, GPU-hours and GPUs.

Small pure functions; each accepts scalars, numpy arrays or pandas Series alike.

References
----------
.. [1] J. Kaplan et al., "Scaling Laws for Neural Language Models", arXiv:2001.08361, 2020
   (sect. 2.1: training compute C ~ 6 N D for a dense transformer).
.. [2] J. Hoffmann et al., "Training Compute-Optimal Large Language Models", arXiv:2203.15556, 2022.
.. [3] R. Pope et al., "Efficiently Scaling Transformer Inference", MLSys 2023, arXiv:2211.05102
   (decoding is memory-bandwidth bound: every step reads all weights; 2 N FLOPs per token).
.. [4] E. J. Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685, 2021.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aidc.units import H_PER_DAY, S_PER_H

#: FLOPs per parameter per training token of a dense transformer: 2 forward + 4 backward [1].
TRAIN_FLOPS_PER_PARAM_TOKEN = 6.0
#: FLOPs per parameter per token of a forward pass (one multiply-add per weight) [1], [3].
FORWARD_FLOPS_PER_PARAM_TOKEN = 2.0
TFLOPS = 1e12  # FLOP/s per TFLOPS (SI prefix)
GB = 1e9  # bytes per GB (SI, as GPU makers quote memory and bandwidth)
TB = 1e12  # bytes per TB

Array = Any  # float, numpy array or pandas Series


def training_flops(n_params: Array, n_tokens: Array) -> Array:
    """Return the compute of training a dense transformer, 6·N·D [1], [2].

    Parameters
    ----------
    n_params : float or array
        Model parameters N. [-]
    n_tokens : float or array
        Training tokens D. [-]

    Returns
    -------
    float or array
        Training compute. [FLOP]

    Examples
    --------
    >>> f"{training_flops(7e9, 2e12):.3g}"
    '8.4e+22'
    """
    return TRAIN_FLOPS_PER_PARAM_TOKEN * n_params * n_tokens


def finetuning_flops(n_params: Array, n_tokens: Array, compute_frac: Array = 1.0) -> Array:
    """Return the compute of fine-tuning: 6·N·D times ``compute_frac`` (1 full, ~2/3 LoRA [4]).

    Parameters
    ----------
    n_params : float or array
        Model parameters. [-]
    n_tokens : float or array
        Fine-tuning tokens. [-]
    compute_frac : float or array
        Compute per token relative to full training. [-]

    Returns
    -------
    float or array
        Fine-tuning compute. [FLOP]
    """
    return training_flops(n_params, n_tokens) * compute_frac


def gpu_hours(flops: Array, peak_tflops: Array, mfu_frac: Array) -> Array:
    """Return the GPU-hours that deliver ``flops`` at a model-FLOPs utilisation.

    Parameters
    ----------
    flops : float or array
        Compute. [FLOP]
    peak_tflops : float or array
        Dense peak throughput of one GPU at the precision used. [TFLOPS]
    mfu_frac : float or array
        Model-FLOPs utilisation. [-]

    Returns
    -------
    float or array
        GPU time. [GPU·h]

    Examples
    --------
    >>> round(gpu_hours(training_flops(7e9, 1e12), 989, 0.4))
    29491
    """
    return flops / (peak_tflops * TFLOPS * mfu_frac) / S_PER_H


def gpus_for_deadline(gpu_h: Array, deadline_days: Array) -> Array:
    """Return the whole number of GPUs that finish ``gpu_h`` of work within ``deadline_days``.

    Parameters
    ----------
    gpu_h : float or array
        Work. [GPU·h]
    deadline_days : float or array
        Target wall-clock time. [day]

    Returns
    -------
    float or array
        GPUs, at least 1. [GPU]

    Examples
    --------
    >>> float(gpus_for_deadline(1000.0, 1.0))
    42.0
    """
    return np.maximum(np.ceil(gpu_h / (deadline_days * H_PER_DAY) - 1e-9), 1.0)


def gpus_per_replica(
    n_params: Array, bytes_per_param: Array, hbm_gb: Array, kv_overhead_frac: Array
) -> Array:
    """Return the GPUs one serving replica needs to hold the weights plus KV-cache headroom.

    Parameters
    ----------
    n_params : float or array
        Model parameters. [-]
    bytes_per_param : float or array
        Bytes per weight at the serving precision (2 for BF16, 1 for FP8). [B]
    hbm_gb : float or array
        Device memory of one GPU. [GB]
    kv_overhead_frac : float or array
        Memory kept for KV cache and activations, as a fraction of the weights. [-]

    Returns
    -------
    float or array
        GPUs per replica, at least 1. [GPU]

    Examples
    --------
    >>> float(gpus_per_replica(70e9, 2.0, 80.0, 0.3))   # 140 GB * 1.3 = 182 GB on 80 GB GPUs
    3.0
    """
    need_gb = n_params * bytes_per_param * (1.0 + kv_overhead_frac) / GB
    return np.maximum(np.ceil(need_gb / hbm_gb - 1e-9), 1.0)


def decode_tokens_per_gpu_s(
    n_params: Array, bytes_per_param: Array, mem_bw_tb_per_s: Array, peak_tflops: Array,
    batch: Array, mbu_frac: Array, mfu_frac: Array,
) -> Array:
    """Return the output tokens per second one GPU decodes: the roofline of bandwidth and compute [3].

    Each decoding step reads every weight once for the whole batch (memory bound) and does
    2·N FLOPs per token (compute bound); the slower of the two sets the rate.

    Parameters
    ----------
    n_params : float or array
        Model parameters. [-]
    bytes_per_param : float or array
        Bytes per weight. [B]
    mem_bw_tb_per_s : float or array
        Memory bandwidth of one GPU. [TB/s]
    peak_tflops : float or array
        Dense peak throughput at the precision used. [TFLOPS]
    batch : float or array
        Sequences decoded together per weight read. [-]
    mbu_frac, mfu_frac : float or array
        Achieved fraction of bandwidth and of peak FLOPs. [-]

    Returns
    -------
    float or array
        Output tokens per GPU-second. [token/(GPU·s)]

    Examples
    --------
    >>> round(decode_tokens_per_gpu_s(7e9, 2.0, 3.35, 989, 1, 1.0, 1.0))   # 3.35 TB/s / 14 GB
    239
    """
    memory_bound = batch * mem_bw_tb_per_s * TB * mbu_frac / (n_params * bytes_per_param)
    compute_bound = peak_tflops * TFLOPS * mfu_frac / (FORWARD_FLOPS_PER_PARAM_TOKEN * n_params)
    return np.minimum(memory_bound, compute_bound)


def prefill_tokens_per_gpu_s(n_params: Array, peak_tflops: Array, mfu_frac: Array) -> Array:
    """Return the input (prompt) tokens per second one GPU processes: compute bound, 2·N FLOPs each.

    Parameters
    ----------
    n_params : float or array
        Model parameters. [-]
    peak_tflops : float or array
        Dense peak throughput. [TFLOPS]
    mfu_frac : float or array
        Achieved fraction of peak. [-]

    Returns
    -------
    float or array
        Input tokens per GPU-second. [token/(GPU·s)]
    """
    return peak_tflops * TFLOPS * mfu_frac / (FORWARD_FLOPS_PER_PARAM_TOKEN * n_params)


def inference_gpu_h_per_day(
    requests_per_day: Array, tokens_in_per_request: Array, tokens_out_per_request: Array,
    prefill_tokens_per_gpu_s_: Array, decode_tokens_per_gpu_s_: Array,
) -> Array:
    """Return the busy GPU-hours a day of requests needs.

    Parameters
    ----------
    requests_per_day : float or array
        Requests. [1/day]
    tokens_in_per_request, tokens_out_per_request : float or array
        Prompt and generated tokens per request. [token]
    prefill_tokens_per_gpu_s_, decode_tokens_per_gpu_s_ : float or array
        Throughputs from :func:`prefill_tokens_per_gpu_s` and :func:`decode_tokens_per_gpu_s`.
        [token/(GPU·s)]

    Returns
    -------
    float or array
        GPU time per day. [GPU·h/day]

    Examples
    --------
    >>> inference_gpu_h_per_day(3600, 1000, 100, 1000, 100)   # 3600 * (1 s + 1 s) / 3600
    2.0
    """
    gpu_s = requests_per_day * (
        tokens_in_per_request / prefill_tokens_per_gpu_s_ + tokens_out_per_request / decode_tokens_per_gpu_s_
    )
    return gpu_s / S_PER_H


def education_gpu_hours(
    n_courses: Array, n_students_per_course: Array, gpu_h_per_student: Array, n_semesters_per_y: Array
) -> Array:
    """Return a year's GPU-hours of courses: courses × students × GPU-hours per student × semesters.

    Examples
    --------
    >>> education_gpu_hours(2, 30, 10.0, 2)
    1200.0
    """
    return n_courses * n_students_per_course * gpu_h_per_student * n_semesters_per_y * 1.0


def education_peak_gpus(
    gpu_h_per_y: Array, n_semesters_per_y: Array, semester_weeks: Array, duty_frac: Array
) -> Array:
    """Return the GPUs busy at the height of term: a semester's GPU-hours spread over its duty hours.

    Parameters
    ----------
    gpu_h_per_y : float or array
        Education GPU-hours in a year. [GPU·h]
    n_semesters_per_y : float or array
        Semesters in which the courses run. [-]
    semester_weeks : float or array
        Length of a semester. [week]
    duty_frac : float or array
        Share of the semester's hours in which the work falls. [-]

    Returns
    -------
    float or array
        Peak GPUs. [GPU]

    Examples
    --------
    >>> float(education_peak_gpus(2 * 16 * 168 * 0.25, 2, 16, 0.25))
    1.0
    """
    hours = n_semesters_per_y * semester_weeks * 7 * H_PER_DAY * duty_frac
    return np.ceil(gpu_h_per_y / hours - 1e-9)


def growth_factor(year: Array, start_year: Array, growth_frac_per_y: Array) -> Array:
    """Return the multiple of the first year's need in ``year``: 0 before the start, then compound growth.

    Examples
    --------
    >>> round(float(growth_factor(2030, 2028, 0.1)), 6)
    1.21
    >>> float(growth_factor(2027, 2028, 0.1))
    0.0
    """
    years = np.asarray(year) - np.asarray(start_year)
    return np.where(years >= 0, (1.0 + np.asarray(growth_frac_per_y)) ** np.maximum(years, 0), 0.0)
