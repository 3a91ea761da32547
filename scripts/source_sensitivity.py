"""One-at-a-time sensitivity of the default scenario to every shipped data record.

Each numeric record under ``src/aidc/data`` (defaults, catalogs, costs, tariffs, weather normals) is
raised by 10 % on its own, the default scenario is run again, and the change of NPV and PUE is
written to ``docs/sources_sensitivity.csv`` (one row per record, largest effect first). The
top 20 go into ``docs/sources.md`` between its ``<!-- top20 -->`` markers. Run:
``PYTHONPATH=src python scripts/source_sensitivity.py`` (``--table`` rewrites the table from the CSV
without running again). Records are ranked by the larger of |dNPV| / |NPV| and |dPUE| / (PUE - 1),
so a figure that moves the cooling overhead counts as much as one that moves the money.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path
from typing import Any

import aidc
from aidc import data, pipeline
from aidc.energy import tariff

STEP_FRAC = 0.10  # one-at-a-time step: +10 % of the record's value
SKIP_DIRS = ("i18n", "scenarios", "survey")


def _scaled(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        up = round(value * (1 + STEP_FRAC))
        return up if up != value else value + 1
    if isinstance(value, float):
        return value * (1 + STEP_FRAC)
    if isinstance(value, list) and value and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        return [v * (1 + STEP_FRAC) for v in value]
    if isinstance(value, dict) and value and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
    ):
        return {k: v * (1 + STEP_FRAC) for k, v in value.items()}
    return None


def _clear_caches() -> None:
    # Model code caches parsed catalogs; the raw YAML (data.load_yaml) is what we edit in place.
    for name, module in list(sys.modules.items()):
        if not name.startswith("aidc.") or module is None:
            continue
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and obj is not data.load_yaml:
                obj.cache_clear()


def headline() -> tuple[float, float, float]:
    """Return (NPV [KRW], PUE, CAPEX [KRW]) of the default scenario with the data as loaded now."""
    _clear_caches()
    result = pipeline.run(aidc.load_scenario())
    summary = result.economics.summary
    return summary["npv_krw"], result.energy.annual["pue"], summary["capex_krw"]


def _tariff_row(part: str, base_npv: float, base_pue: float) -> dict[str, Any]:
    # Tariff rates are tables, not {value} records: scale one part of every shipped tariff.
    original = tariff._read_yaml

    def scaled(path: Path) -> Any:
        raw = original(path)
        for entry in raw["tariffs"].values():
            if part == "basic_per_kw_month":
                entry[part] *= 1 + STEP_FRAC
            else:
                up = 1 + STEP_FRAC
                entry[part] = {s: {b: v * up for b, v in r.items()} for s, r in entry[part].items()}
        return raw

    tariff._read_yaml = scaled  # type: ignore[assignment]
    try:
        npv, pue, _ = headline()
    finally:
        tariff._read_yaml = original  # type: ignore[assignment]
    return {
        "file": "tariffs/*.yaml", "key": f"tariffs.*.{part}", "value": "(table)", "unit": "KRW",
        "type": "secondary", "d_npv_krw": npv - base_npv, "d_pue": pue - base_pue, "error": "",
        "source": "KEPCO tariff tables as transcribed (see each tariff's source)",
    }


def main() -> None:
    """Run the sweep and write docs/sources_sensitivity.csv."""
    root = data.path("")
    base_npv, base_pue, base_capex = headline()
    print(f"base: NPV {base_npv:.4e} KRW, PUE {base_pue:.4f}, CAPEX {base_capex:.4e} KRW")
    rows = []
    for file in sorted(Path(root).rglob("*.yaml")):
        rel = file.relative_to(root).as_posix()
        if rel.split("/")[0] in SKIP_DIRS:
            continue
        for key, rec in data.walk_records(data.load_yaml(rel)):
            new = _scaled(rec["value"])
            if new is None:
                continue
            old = rec["value"]
            rec["value"] = new
            try:
                npv, pue, _ = headline()
                d_npv, d_pue, err = npv - base_npv, pue - base_pue, ""
            except Exception as exc:  # a perturbed record may be out of range: say so
                d_npv, d_pue, err = math.nan, math.nan, type(exc).__name__
            finally:
                rec["value"] = old
            rows.append({
                "file": rel, "key": key, "value": str(old), "unit": rec.get("unit", ""),
                "type": rec.get("type", ""), "d_npv_krw": d_npv, "d_pue": d_pue, "error": err,
                "source": str(rec.get("source", ""))[:300],
            })
    rows += [_tariff_row(part, base_npv, base_pue) for part in ("energy_per_kwh", "basic_per_kw_month")]
    rows.sort(key=lambda r: -_score(r, base_npv, base_pue))
    out = Path(__file__).resolve().parents[1] / "docs" / "sources_sensitivity.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} records -> {out}")
    (out.parent / "sources_base.txt").write_text(f"{base_npv} {base_pue}\n", encoding="utf-8")
    write_table()


def _score(row: dict[str, Any], base_npv: float, base_pue: float) -> float:
    d_npv, d_pue = float(row["d_npv_krw"]), float(row["d_pue"])
    if math.isnan(d_npv):
        return 0.0
    return max(abs(d_npv) / abs(base_npv), abs(d_pue) / (base_pue - 1.0))


def write_table(n_top: int = 20) -> None:
    """Rewrite the top-``n_top`` table of docs/sources.md from docs/sources_sensitivity.csv."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    base_npv, base_pue = (float(x) for x in (docs / "sources_base.txt").read_text().split())
    with (docs / "sources_sensitivity.csv").open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: -_score(r, base_npv, base_pue))[:n_top]
    # type and source as the data hold them now (the CSV keeps those of the run)
    current = {(f, k): r for f, k, r in data.shipped_records()}
    for r in rows:
        rec = current.get((r["file"], r["key"]))
        if rec is not None:
            r["type"], r["source"] = str(rec.get("type", "")), str(rec.get("source", ""))
            r["value"] = str(rec.get("value", r["value"]))
            if rec.get("type") in data.NEEDS_BASIS:  # the basis says more than "aidc estimate"
                r["source"] = "basis: " + str(rec.get("basis", ""))
    lines = [
        "| # | record (file: key) | value | type | dNPV [bn KRW] | dPUE "
        "| source (basis for estimates and choices) |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    for i, r in enumerate(rows, 1):
        src = r["source"].replace("|", "/")[:220]
        lines.append(
            f"| {i} | `{r['file']}`: `{r['key']}` | {r['value'][:24]} {r['unit']} | {r['type']} | "
            f"{float(r['d_npv_krw']) / 1e9:+.2f} | {float(r['d_pue']):+.4f} | {src} |"
        )
    md = docs / "sources.md"
    text = md.read_text(encoding="utf-8")
    head, _, rest = text.partition("<!-- top20 -->")
    _, _, tail = rest.partition("<!-- /top20 -->")
    md.write_text(head + "<!-- top20 -->\n" + "\n".join(lines) + "\n<!-- /top20 -->" + tail, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:
        write_table()
    else:
        main()
