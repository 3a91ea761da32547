"""Where a sweep keeps its results: an append-only journal, and the tidy table built from it.

``OUT/runs.jsonl`` holds one JSON line per finished run, keyed by the run's hash
(:func:`aidc.sweep.grid.run_key`). Lines are appended and flushed batch by batch, so a
stopped sweep loses at most the batches in flight; a line cut short by a kill is ignored on
reading. ``--resume`` reads the journal and runs only what is not in it.
``OUT/sweep.parquet`` and ``OUT/sweep.csv`` are the tidy table: one row per variant and seed;
``OUT/scenario.yaml`` and ``OUT/manifest.json`` say what made it (scenario, stages, version).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from aidc import __version__
from aidc.scenario import Scenario, dump_scenario, scenario_hash
from aidc.sweep.grid import Run

__all__ = ["JOURNAL", "append", "read_journal", "tidy", "write_manifest", "write_table"]

JOURNAL = "runs.jsonl"


def read_journal(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Return the journal's records by run key (the last record of a key wins)."""
    path = Path(out_dir) / JOURNAL
    records: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return records
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:  # the last line of a killed sweep may be cut short
                continue
            if isinstance(rec, dict) and "key" in rec:
                records[rec["key"]] = rec
    return records


def append(out_dir: Path, records: Iterable[Mapping[str, Any]]) -> None:
    """Append records to the journal and flush them to disk."""
    path = Path(out_dir) / JOURNAL
    if path.is_file() and path.stat().st_size:
        with path.open("rb") as fh:  # a killed sweep may have left a line cut short: end it
            fh.seek(-1, 2)
            cut = fh.read(1) != b"\n"
        if cut:
            with path.open("a", encoding="utf-8") as fh:
                fh.write("\n")
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False, allow_nan=True) + "\n" for r in records)
        fh.flush()


def _axis_cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def tidy(runs: list[Run], records: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Build the tidy table: one row per run, in sweep order.

    Columns: ``variant, variant_id, seed``, one column per axis named by its dotted path,
    ``status`` (``ok`` or ``failed``), ``error``, ``elapsed_s`` and the outputs.
    Non-scalar axis values (a ``fleet.mix`` dict) are written as JSON text.
    """
    rows = []
    for run in runs:
        rec = records.get(run.key, {"status": "not run", "error": "", "outputs": {}})
        row: dict[str, Any] = {"variant": run.variant, "variant_id": run.variant_id, "seed": run.seed}
        row.update({path: _axis_cell(v) for path, v in run.values})
        row.update(status=rec["status"], error=rec.get("error", ""), elapsed_s=rec.get("elapsed_s", math.nan))
        row.update(rec.get("outputs", {}))
        rows.append(row)
    table = pd.DataFrame(rows)
    for column in table.columns:
        if table[column].dtype != object:  # a numeric or bool column holds one kind already
            continue
        kinds = {type(v) for v in table[column] if v is not None and not _is_nan(v)}
        if len(kinds) > 1 and not kinds <= {int, float}:
            table[column] = table[column].map(lambda v: None if v is None or _is_nan(v) else str(v))
    return table


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def write_table(out_dir: Path, table: pd.DataFrame) -> tuple[Path, Path]:
    """Write the tidy table as ``sweep.parquet`` and ``sweep.csv``; return both paths."""
    out = Path(out_dir)
    parquet, csv = out / "sweep.parquet", out / "sweep.csv"
    table.to_parquet(parquet, index=False)
    table.to_csv(csv, index=False)
    return parquet, csv


def write_manifest(out_dir: Path, scenario: Scenario, stages: list[str], n_runs: int, n_failed: int) -> Path:
    """Write ``scenario.yaml`` (the swept scenario) and ``manifest.json`` (what made the table)."""
    out = Path(out_dir)
    (out / "scenario.yaml").write_text(dump_scenario(scenario), encoding="utf-8")
    manifest = {
        "scenario": scenario.name, "scenario_hash": scenario_hash(scenario), "aidc_version": __version__,
        "stages": stages, "axes": list(scenario.sweep or {}), "n_seeds": scenario.n_seeds,
        "n_runs": n_runs, "n_failed": n_failed,
        "written_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
