"""One-at-a-time sensitivity of the default scenario's headline figures to every shipped data record.

Each record ``{value, ...}`` under ``src/aidc/data`` (defaults, catalogs, costs, tariffs) is stepped
on its own, the default scenario of ``aidc run`` (:data:`aidc.scenario.DEFAULT_SCENARIO`) runs
through the whole chain again, and the change of its headline figures is written to
``docs/sources_sensitivity.csv`` (one row per record, largest effect first). The figures of the
unperturbed run go to ``docs/sources_base.json``; the top 20 and those base figures are written into
``docs/sources.md`` between its ``<!-- top20 -->`` and ``<!-- base -->`` markers, so the document
shows the figures the ranking ran on and cannot drift from it. One command::

    PYTHONPATH=src python scripts/source_sensitivity.py [--workers 2]

(``--table`` rewrites the two blocks of docs/sources.md from the CSV and JSON without running.)

The step, by what the record's unit measures
--------------------------------------------
* **Ratio scale** (a physical zero: power, money, mass, durations, fractions, rates, temperature
  *differences* in K): +10 % of the value. A whole count (int) takes the nearest whole number to
  +10 %, at least +1 (8 GPUs -> 9, 5 y -> 6), and its effect is rescaled to a 10 % step for the
  ranking (first order: effect x 0.10 / actual step), so a count stepped by 20 % does not
  outrank a price stepped by 10 %. A value of 0 has no relative step and is not stepped.
* **Interval scale** (an arbitrary zero, where x 1.1 has no meaning): a calendar year +1
  (2028 -> 2029), a day of the year +1, a temperature in degC +1 K. These are not rescaled; the
  table shows their step.
* **Lists and mappings of numbers** (a monthly series, a curve's coefficients, a rate per tenant
  class): every element takes the step of the record's unit, as one record. Shares that add up to
  1 (a mix) are not stepped: raising every share together leaves the mix as it was.
* **Not stepped**, listed with the reason: definitions (a source reading ``definition:``, such as
  the H100 SXM being 1 H100-equivalent), identifiers and enumerations (text, a tariff key),
  ranks and classes (``tier``, ``priority.*``, a list of job-size classes in GPUs), nested tables
  (a tariff's hours, a reliability table) and records the default run never reads (the web
  service's limits, the operate stage's settings, the climate normals the shipped weather year was
  built from: changing them needs the year rebuilt).

The KEPCO rate tables are not ``{value}`` records: all energy rates, or all basic charges, of
every shipped tariff are raised 10 % together, as two rows. A step the models refuse (out of a
validated range) is a row with status ``failed`` and the error, never an abort.

Ranking
-------
By the largest of |dNPV| / CAPEX, |dCAPEX| / CAPEX, |dPUE| / (PUE - 1) and |dcost| / cost, where
cost is the levelised cost per GPU-hour (KRW/GPU-h, the report's price per GPU-hour). Money is
measured against the CAPEX, the scale of the decision, not against |NPV|: the default's NPV is
small beside its CAPEX and can change sign, and dividing by it would let the project's distance
from break-even decide how money and PUE weigh against each other. PUE counts by its overhead
(PUE - 1), the part the cooling and power figures move. CAPEX and the cost per GPU-hour are what
planners buy and sell with; the IRR is shown in the base figures but not ranked (it follows the
same cash flows as the NPV).

Parallel runs
-------------
Runs are mapped over a process pool (``--workers``, default 2). ``aidc.sweep`` maps *scenario*
variants over Dask; a data record is not a scenario field, so each worker process edits its own
cached copy of the record (``aidc.data.load_yaml`` is cached and read in place), runs the chain
and restores the value: the same pure one-run-per-item mapping without the Dask dependency.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import json
import math
import multiprocessing
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
CSV_PATH = DOCS / "sources_sensitivity.csv"
BASE_PATH = DOCS / "sources_base.json"
MD_PATH = DOCS / "sources.md"

RATIO_STEP_FRAC = 0.10
#: Absolute step of a quantity on an interval scale, by unit: one calendar year, one day, one kelvin.
INTERVAL_STEP = {"year": 1, "day": 1, "C": 1.0}
#: Units of ranks and classes: not magnitudes.
ORDINAL_UNITS = frozenset({"tier"})
#: Key parts naming ranks (unit ``-``) rather than magnitudes.
ORDINAL_KEYS = ("priority.",)
#: A list in these units is a set of classes (job sizes paired with their shares), not a figure.
CLASS_LIST_UNITS = frozenset({"GPU"})
SHARES_SUM_TOL = 1e-6
N_TOP = 20
#: Headline figures of the summary that are measured, with the names used in the CSV.
FIGURES = {"npv_krw": "d_npv_krw", "annual_pue": "d_pue", "capex_krw": "d_capex_krw",
           "cost_krw_per_gpu_h": "d_cost_krw_per_gpu_h"}
#: The two KEPCO rate tables, stepped as a whole across every shipped tariff.
TARIFF_PARTS = ("energy_per_kwh", "basic_per_kw_month")
TARIFF_FILE = "tariffs/*.yaml"


@dataclass(frozen=True, slots=True)
class Step:
    """How one record is stepped: the new value, the relative step (None off the ratio scale), or why not."""

    new_value: Any = None
    step_frac: float | None = None
    label: str = ""
    skip_reason: str = ""


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _ratio_scalar(v: int | float) -> tuple[int | float, float]:
    if isinstance(v, int):
        # whole things stay whole: the nearest whole number to +10 %, at least one more
        up = round(v * (1 + RATIO_STEP_FRAC))
        up = up if up != v else v + (1 if v > 0 else -1)
        return up, (up - v) / v
    return v * (1 + RATIO_STEP_FRAC), RATIO_STEP_FRAC


def _is_shares(values: list[Any]) -> bool:
    return all(0 <= v <= 1 for v in values) and abs(sum(values) - 1) < SHARES_SUM_TOL


def step(value: Any, unit: str, key: str = "") -> Step:
    """Return how the record ``key`` of value ``value`` in ``unit`` is stepped (module docstring).

    Examples
    --------
    >>> step(2028, "year").new_value, step(8, "GPU").new_value, step(15.0, "C").new_value
    (2029, 9, 16.0)
    >>> step("h100_sxm", "-").skip_reason
    'identifier or enumeration (text)'
    """
    unit = str(unit or "")
    if unit in ORDINAL_UNITS or any(key.startswith(k) or f".{k}" in key for k in ORDINAL_KEYS):
        return Step(skip_reason="rank or class, not a magnitude")
    if isinstance(value, list | dict):
        return _step_many(value, unit)
    if not _is_number(value):
        return Step(skip_reason="identifier or enumeration (text)" if isinstance(value, str)
                    else "not a number")
    if unit in INTERVAL_STEP:
        d = INTERVAL_STEP[unit]
        return Step(value + d, None, f"+{d} {'K' if unit == 'C' else unit}")
    if value == 0:
        return Step(skip_reason="zero: a relative step does not move it")
    new, frac = _ratio_scalar(value)
    label = "+10 %" if math.isclose(frac, RATIO_STEP_FRAC) else f"{value} -> {new} ({frac:+.1%})"
    return Step(new, frac, label)


def _step_many(value: list[Any] | dict[Any, Any], unit: str) -> Step:
    items = list(value.values()) if isinstance(value, dict) else list(value)
    if not items or not all(_is_number(v) for v in items):
        return Step(skip_reason="nested table, not one figure")
    if isinstance(value, list) and unit in CLASS_LIST_UNITS:
        return Step(skip_reason="list of size classes, not a figure")
    if unit in INTERVAL_STEP:
        d = INTERVAL_STEP[unit]
        new_items = [v + d for v in items]
        frac, label = None, f"each +{d} {'K' if unit == 'C' else unit}"
    elif _is_shares(items):
        return Step(skip_reason="shares adding up to 1: stepping all leaves the mix unchanged")
    elif any(v == 0 for v in items) and all(v == 0 for v in items):
        return Step(skip_reason="zero: a relative step does not move it")
    else:
        stepped = [_ratio_scalar(v) if v != 0 else (v, RATIO_STEP_FRAC) for v in items]
        new_items = [n for n, _ in stepped]
        frac = sum(f for _, f in stepped) / len(stepped)
        label = "each +10 %" if frac == RATIO_STEP_FRAC else f"each ~+10 % (mean {frac:+.1%})"
    new = dict(zip(value, new_items, strict=True)) if isinstance(value, dict) else new_items
    return Step(new, frac, label)


def is_definition(rec: dict[str, Any]) -> bool:
    """Return True for a record that defines a unit or a case (its source says ``definition:``).

    Stepping it would change what the number means, not a figure of the world: the H100 SXM is
    1 H100-equivalent by definition.
    """
    return str(rec.get("source", "")).lstrip().lower().startswith("definition:")


def score(row: dict[str, Any], base: dict[str, float]) -> float:
    """Return the ranking measure of a CSV row (module docstring): 0 for a row without effects."""
    d = {name: float(row[col]) if row.get(col) not in (None, "") else math.nan
         for name, col in FIGURES.items()}
    if any(math.isnan(v) for v in d.values()):
        return 0.0
    parts = (abs(d["npv_krw"]) / base["capex_krw"], abs(d["capex_krw"]) / base["capex_krw"],
             abs(d["annual_pue"]) / (base["annual_pue"] - 1),
             abs(d["cost_krw_per_gpu_h"]) / base["cost_krw_per_gpu_h"])
    frac = row.get("step_frac")
    per_ten = RATIO_STEP_FRAC / float(frac) if frac not in (None, "") else 1.0
    return max(parts) * per_ten


# ----- one run of the chain (in a worker process) -----

def _clear_caches() -> None:
    from aidc import data

    # Model code caches parsed catalogs; the raw YAML (data.load_yaml) is what we edit in place.
    for name, module in list(sys.modules.items()):
        if not name.startswith("aidc.") or module is None:
            continue
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and obj is not data.load_yaml:
                obj.cache_clear()


def _route_tariffs_through_data() -> None:
    # Tariff files are read by aidc.energy.tariff with its own reader, which would not see an
    # edit of data.load_yaml's cached tree; send the shipped ones through that cache.
    from aidc import data
    from aidc.energy import tariff

    root = Path(data.path("")).resolve()
    original = tariff._read_yaml

    def read(p: Path) -> Any:
        try:
            rel = Path(p).resolve().relative_to(root).as_posix()
        except ValueError:
            return original(p)
        return data.load_yaml(rel)

    tariff._read_yaml = read  # type: ignore[assignment]


def headline() -> dict[str, float]:
    """Return the headline figures of the default scenario with the data as loaded now."""
    import aidc
    from aidc import pipeline

    _clear_caches()
    summary = pipeline.run(aidc.load_scenario()).summary
    assert summary is not None
    return {name: float(getattr(summary, name)) for name in (*FIGURES, "irr_frac")}


def _find(file: str, key: str) -> dict[str, Any]:
    from aidc import data

    return dict(data.walk_records(data.load_yaml(file)))[key]


def _tariff_entries() -> Iterator[dict[str, Any]]:
    from aidc import data

    for f in sorted(Path(data.path("tariffs")).glob("*.yaml")):
        yield from data.load_yaml(f"tariffs/{f.name}")["tariffs"].values()


def _scaled_tree(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _scaled_tree(v) for k, v in tree.items()}
    return tree * (1 + RATIO_STEP_FRAC) if _is_number(tree) else tree


def _apply(file: str, key: str, new_value: Any) -> Callable[[], None]:
    """Put ``new_value`` in place (or step a tariff table); return the function that restores it."""
    if file == TARIFF_FILE:
        part = key.split(".")[-1]
        saved = [(e, copy.deepcopy(e[part])) for e in _tariff_entries() if part in e]
        for e, old in saved:
            e[part] = _scaled_tree(old)

        def restore_tables() -> None:
            for e, old in saved:
                e[part] = old
        return restore_tables
    rec = _find(file, key)
    old = rec["value"]
    rec["value"] = new_value

    def restore() -> None:
        rec["value"] = old
    return restore


def measure(file: str, key: str, new_value: Any) -> dict[str, Any]:
    """Run the chain with one record stepped; return its headline figures, or the error."""
    restore = _apply(file, key, new_value)
    try:
        return {"figures": headline(), "error": ""}
    except Exception as exc:  # a stepped record may be out of a validated range: a row, not an abort
        return {"figures": None, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    finally:
        restore()


def _init_worker() -> None:
    _route_tariffs_through_data()


# ----- the sweep (parent process) -----

def files_read_by_default_run() -> set[str]:
    """Return the shipped data files (relative names) that one default run reads."""
    from aidc import data

    seen: set[str] = set()
    original = data.path

    def recording(name: str) -> Path:
        seen.add(name)
        return original(name)

    data.load_yaml.cache_clear()
    data.path = recording
    try:
        headline()
    finally:
        data.path = original
    return seen


def _row(file: str, key: str, rec: dict[str, Any]) -> dict[str, Any]:
    value = rec.get("value")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return {"file": file, "key": key, "value": text[:60],
            "unit": str(rec.get("unit", "")), "type": str(rec.get("type", "")), "status": "",
            "step": "", "new_value": "", "step_frac": "", **dict.fromkeys(FIGURES.values(), ""),
            "score": 0.0, "reason": "", "source": " ".join(str(rec.get("source", "")).split())[:300]}


def plan_rows(read: set[str]) -> tuple[list[dict[str, Any]], list[tuple[int, Any]]]:
    """Return a row per record and the runs to do as (row index, new value)."""
    from aidc import data

    rows: list[dict[str, Any]] = []
    todo: list[tuple[int, Any]] = []
    for file, key, rec in data.shipped_records():
        row = _row(file, key, rec)
        s = step(rec["value"], str(rec.get("unit", "")), key)
        if is_definition(rec):
            s = Step(skip_reason="a definition, not a figure")
        if s.skip_reason or file not in read:
            row["status"] = "skipped"
            row["reason"] = s.skip_reason or "not read by the default run"
        else:
            row.update(step=s.label, new_value=json.dumps(s.new_value)[:60],
                       step_frac="" if s.step_frac is None else s.step_frac)
            todo.append((len(rows), s.new_value))
        rows.append(row)
    for part in TARIFF_PARTS:
        row = _row(TARIFF_FILE, f"tariffs.*.{part}", {
            "value": "(table)", "unit": "KRW", "type": "secondary",
            "source": "KEPCO tariff tables as transcribed (see each tariff's source)"})
        row.update(step="every rate +10 %", step_frac=RATIO_STEP_FRAC)
        todo.append((len(rows), None))
        rows.append(row)
    return rows, todo


def run_all(rows: list[dict[str, Any]], todo: list[tuple[int, Any]], base: dict[str, float],
            n_workers: int) -> None:
    """Measure every planned row over ``n_workers`` processes, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    ctx = multiprocessing.get_context("fork")  # workers inherit the warm caches of the base run
    with ProcessPoolExecutor(n_workers, mp_context=ctx, initializer=_init_worker) as pool:
        # submitted (so the workers forked) before the progress bar starts its refresh thread
        futures = {pool.submit(measure, rows[i]["file"], rows[i]["key"], new): i for i, new in todo}
        with Progress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn()) as progress:
            task = progress.add_task("one-at-a-time runs", total=len(todo))
            _collect(futures, rows, base, lambda: progress.advance(task))


def _collect(futures: dict[Any, int], rows: list[dict[str, Any]], base: dict[str, float],
             advance: Callable[[], None]) -> None:
    for fut in as_completed(futures):
        row = rows[futures[fut]]
        out = fut.result()
        if out["figures"] is None:
            row.update(status="failed", reason=out["error"])
        else:
            row.update(status="ok", **{col: out["figures"][name] - base[name]
                                       for name, col in FIGURES.items()})
            row["score"] = score(row, base)
        advance()


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "src") else ""
    return git("rev-parse", "--short", "HEAD") + dirty


def main(n_workers: int) -> None:
    """Run the sweep; write the CSV, the base figures and the two blocks of docs/sources.md."""
    from aidc.scenario import DEFAULT_SCENARIO

    t0 = time.perf_counter()
    commit = _commit()  # the code the run starts on
    _route_tariffs_through_data()
    read = files_read_by_default_run()
    base = headline()
    print(f"{DEFAULT_SCENARIO}: " + ", ".join(f"{k} {v:.6g}" for k, v in base.items()))
    rows, todo = plan_rows(read)
    run_all(rows, todo, base, n_workers)
    rows.sort(key=lambda r: -float(r["score"]))
    with CSV_PATH.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    previous = json.loads(BASE_PATH.read_text(encoding="utf-8")) if BASE_PATH.is_file() else None
    status = [r["status"] for r in rows]
    meta = {"scenario": DEFAULT_SCENARIO, "commit": commit,
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "figures": base,
            "n_records": len(rows), **{f"n_{s}": status.count(s) for s in ("ok", "failed", "skipped")},
            "n_workers": n_workers, "wall_s": round(time.perf_counter() - t0, 1),
            "previous": {k: previous[k] for k in ("commit", "date", "figures")} if previous else None}
    BASE_PATH.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(rows)} rows ({meta['n_ok']} ok, {meta['n_failed']} failed, {meta['n_skipped']} skipped) "
          f"-> {CSV_PATH} in {meta['wall_s']:.0f} s")
    write_doc()


# ----- docs/sources.md -----

def _fmt_bn(krw: float) -> str:
    return f"{krw / 1e9:,.1f}"


#: Rows of the base-figure table: label, summary field, formatter.
BASE_ROWS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("NPV [bn KRW]", "npv_krw", _fmt_bn),
    ("CAPEX [bn KRW]", "capex_krw", _fmt_bn),
    ("IRR", "irr_frac", lambda v: f"{v:.1%}"),
    ("annual PUE", "annual_pue", lambda v: f"{v:.4f}"),
    ("cost per GPU-hour [KRW/GPU-h]", "cost_krw_per_gpu_h", lambda v: f"{v:,.0f}"),
)


def base_block(meta: dict[str, Any]) -> str:
    """Return the markdown of the base figures the ranking ran on (and the previous run's)."""
    prev = meta.get("previous")
    head = f"| | this run ({meta['date']}, code {meta['commit']}) |"
    rule = "| --- | ---: |"
    if prev:
        head = f"| | previous run ({prev['date']}, code {prev['commit']})" + head[1:]
        rule += " ---: |"
    lines = [f"Default scenario `{meta['scenario']}` (what `aidc run` runs); {meta['n_records']} rows: "
             f"{meta['n_ok']} runs, {meta['n_failed']} refused steps, {meta['n_skipped']} records not "
             f"stepped; {meta['wall_s']:.0f} s on {meta['n_workers']} worker processes.", "", head, rule]
    for label, name, fmt in BASE_ROWS:
        cells = ([fmt(prev["figures"][name])] if prev else []) + [fmt(meta["figures"][name])]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def top_table(rows: list[dict[str, str]]) -> str:
    """Return the markdown table of the top rows, with type and source as the data hold them now."""
    from aidc import data

    current = {(f, k): r for f, k, r in data.shipped_records()}
    lines = ["| # | record (file: key) | value | step | type | dNPV [bn KRW] | dCAPEX [bn KRW] | dPUE "
             "| dcost [KRW/GPU-h] | source (basis for estimates and choices) |",
             "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for i, r in enumerate(rows, 1):
        rec = current.get((r["file"], r["key"]), {})
        kind, src = str(rec.get("type", r["type"])), str(rec.get("source", r["source"]))
        if kind in data.NEEDS_BASIS:  # the basis says more than "aidc estimate"
            src = "basis: " + str(rec.get("basis", ""))
        value = json.dumps(rec["value"], ensure_ascii=False) if "value" in rec else r["value"]
        src = " ".join(src.split()).replace("|", "/")[:220]
        lines.append(
            f"| {i} | `{r['file']}`: `{r['key']}` | {value[:24]} {r['unit']} | {r['step']} | {kind} | "
            f"{float(r['d_npv_krw']) / 1e9:+.2f} | {float(r['d_capex_krw']) / 1e9:+.2f} | "
            f"{float(r['d_pue']):+.4f} | {float(r['d_cost_krw_per_gpu_h']):+.0f} | {src} |")
    return "\n".join(lines)


def _replace(text: str, tag: str, block: str) -> str:
    head, found, rest = text.partition(f"<!-- {tag} -->")
    _, found_end, tail = rest.partition(f"<!-- /{tag} -->")
    if not (found and found_end):
        raise SystemExit(f"docs/sources.md lacks the <!-- {tag} --> ... <!-- /{tag} --> markers")
    return f"{head}<!-- {tag} -->\n{block}\n<!-- /{tag} -->{tail}"


def read_top(n_top: int = N_TOP) -> list[dict[str, str]]:
    """Return the top ``n_top`` measured rows of the CSV, ranked by their score."""
    with CSV_PATH.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["status"] == "ok"]
    return sorted(rows, key=lambda r: -float(r["score"]))[:n_top]


def write_doc() -> None:
    """Rewrite the top-20 table and the base figures in docs/sources.md from the CSV and JSON."""
    meta = json.loads(BASE_PATH.read_text(encoding="utf-8"))
    text = _replace(MD_PATH.read_text(encoding="utf-8"), "top20", top_table(read_top()))
    MD_PATH.write_text(_replace(text, "base", base_block(meta)), encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--table", action="store_true", help="only rewrite docs/sources.md from the CSV")
    args = parser.parse_args()
    if args.table:
        write_doc()
    else:
        main(args.workers)
