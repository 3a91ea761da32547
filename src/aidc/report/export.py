"""Machine-readable results of every stage: Parquet for tables, JSON for everything else.

Layout under ``<out>/data/``: ``run.json`` (provenance, missing stages, timings, headline
figures), ``<stage>.json`` (the stage result as JSON; each DataFrame is replaced by the name of
its Parquet file) and ``<stage>/<field>.parquet``.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from aidc.report import content


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:
        # Mixed-type object columns (labels and numbers) are stored as text, which Parquet needs.
        kind = pd.api.types.infer_dtype(frame[col], skipna=True) if frame[col].dtype == object else ""
        if kind.startswith("mixed"):
            frame[col] = frame[col].astype(str)
    return frame


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _safe(frame).to_parquet(path, index=not isinstance(frame.index, pd.RangeIndex))


def _csv(frame: pd.DataFrame, path: Path) -> None:
    # Too large for the workbook: a CSV that Excel opens; the BOM makes it read Korean as UTF-8.
    # pyarrow writes it ~10x faster than pandas.
    with path.open("wb") as fh:
        fh.write(codecs.BOM_UTF8)
        pa_csv.write_csv(pa.Table.from_pandas(_safe(frame), preserve_index=False), fh)


def jsonable(obj: Any, folder: Path | None = None, name: str = "") -> Any:
    """Return ``obj`` as JSON-ready values; DataFrames go to Parquet files in ``folder`` (if given)."""
    if isinstance(obj, pd.DataFrame | pd.Series):
        frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
        frame = frame.drop(columns=[c for c in content.PRIVATE_COLUMNS if c in frame.columns])
        if folder is None:
            return frame.to_dict("records")
        path = folder / f"{name or 'table'}.parquet"
        _parquet(frame, path)
        if frame.size > content.XLSX_MAX_CELLS:
            _csv(frame, path.with_suffix(".csv"))
        return {"parquet": f"{folder.name}/{path.name}", "n_rows": len(frame)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    elif hasattr(obj, "model_dump"):
        obj = obj.model_dump(mode="json")
    if isinstance(obj, list) and obj and all(content.is_record(v) for v in obj):
        # a list of records (design checks ...) is a table, as in the report
        return jsonable(pd.DataFrame([content.fields(v) for v in obj]), folder, name)
    if isinstance(obj, dict):
        return {str(k): jsonable(v, folder, f"{name}.{k}" if name else str(k)) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [jsonable(v, folder, f"{name}.{i}") for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, str | int | float | bool) or obj is None:
        return obj
    return str(obj)


def write(result: Any, out_dir: Path) -> Path:
    """Write every stage's result under ``out_dir/data``; return that folder."""
    folder = out_dir / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for stage in content.STAGES:
        obj = getattr(result, stage)
        if obj is not None:
            payload = jsonable(obj, folder / stage)
            _dump(payload, folder / f"{stage}.json")
    run = {
        "scenario": result.scenario.name,
        "scenario_hash": result.scenario_hash,
        "aidc_version": result.aidc_version,
        "seed": result.seed,
        "missing": result.missing,
        "timings_s": result.timings_s,
        "headline": {f.key: {"value": f.value, "stage": f.stage, "kind": f.kind}
                     for f in content.headline(result)},
    }
    _dump(jsonable(run), folder / "run.json")
    _dump(result.scenario.model_dump(mode="json"), folder / "scenario.json")
    return folder


def _dump(payload: Any, path: Path) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
