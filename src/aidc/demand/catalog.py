"""The GPU catalog and the workload constants the demand stage reads from ``aidc/data``."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

import aidc.data as data
from aidc.errors import InputError

GPU_FIELDS = ("peak_bf16_tflops", "peak_fp8_tflops", "hbm_gb", "mem_bw_tb_per_s", "tdp_w")


@cache
def _gpus() -> pd.DataFrame:
    raw = data.load_yaml("catalog/gpus.yaml")
    rows = {key: {f: entry[f]["value"] for f in GPU_FIELDS} | {"label": entry["label"]}
            for key, entry in raw.items()}
    df = pd.DataFrame.from_dict(rows, orient="index").astype({f: float for f in GPU_FIELDS})
    # A GPU without FP8 tensor cores (A100) runs FP8/INT8 work at its BF16 rate.
    df["peak_fp8_tflops"] = df["peak_fp8_tflops"].fillna(df["peak_bf16_tflops"])
    df.index.name = "gpu_model"
    return df


def gpus() -> pd.DataFrame:
    """Return the GPU catalog (``catalog/gpus.yaml``) indexed by GPU model key.

    Examples
    --------
    >>> gpus().loc["h100_sxm", "hbm_gb"]
    np.float64(80.0)
    """
    return _gpus().copy()


def gpu_sources(model: str) -> dict[str, str]:
    """Return the source of each figure of one GPU model."""
    entry = data.load_yaml("catalog/gpus.yaml")[model]
    return {f: str(entry[f]["source"]) for f in GPU_FIELDS}


def check_gpu_models(models: pd.Series, field: str) -> None:
    """Raise :class:`InputError` naming every GPU model key not in the catalog."""
    unknown = sorted(set(models.dropna()) - set(_gpus().index))
    if unknown:
        raise InputError.single("unknown GPU model", field=field, found=", ".join(unknown),
                                expected=f"one of {', '.join(_gpus().index)}")


@cache
def workloads() -> dict[str, Any]:
    """Return ``demand/workloads.yaml`` (precisions, latency batches, priorities, job distributions)."""
    return dict(data.load_yaml("demand/workloads.yaml"))


def precision_table() -> pd.DataFrame:
    """Return bytes per parameter and the catalog throughput column of each precision."""
    return pd.DataFrame.from_dict(workloads()["precisions"], orient="index")


def value(path: str) -> Any:
    """Return the ``value`` of a record in workloads.yaml by dotted path, e.g. ``latency_batch.standard``."""
    node: Any = workloads()
    for part in path.split("."):
        node = node[part]
    return node["value"]


def peak_tflops(gpu_model: pd.Series, precision: pd.Series) -> np.ndarray:
    """Return the dense peak of each row's GPU at its precision [TFLOPS]."""
    column = precision.map(precision_table()["peak"])
    table = _gpus()
    return np.array([table.at[g, c] for g, c in zip(gpu_model, column, strict=True)], dtype=float)
