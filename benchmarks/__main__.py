"""Run every benchmark and print one table: ``python -m benchmarks [NAME ...] [--json PATH] [--markdown]``.

Each ``bench_<topic>.py`` module defines ``run() -> list[Row]``. The table shows the machine
(cores, memory, CPU), then per figure: its value, the target, whether the target is met, and
the gain over its baseline where one exists. A module that fails is reported as a row and the
others still run (exit status 1). ``--json`` saves the results with the machine, for
comparing runs; ``--markdown`` prints the table as Markdown for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks._common import Row

HEADER = ("benchmark", "figure", "value", "unit", "target", "met", "vs baseline", "note")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, object]:
    """Describe this machine: cores usable by this process, memory, CPU, Python, OS."""
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {"cores": cores, "memory_gib": round(mem_gib, 1), "cpu": _cpu_model(),
            "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}",
            "load_1min": round(load, 2)}


def _machine_line(m: dict[str, object]) -> str:
    # The load average tells whether other work shared the cores: wall times scale with it.
    return (f"{m['cores']} cores, {m['memory_gib']:.0f} GiB, {m['cpu']}, Python {m['python']}, {m['os']}, "
            f"load average {m['load_1min']} at start")


def discover() -> list[str]:
    """Return the names of the benchmark modules (``bench_*``) in this folder."""
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def _cells(name: str, row: Row) -> list[str]:
    ratio = f"{row.ratio:.1f}x" if row.ratio is not None else ""
    met = {None: "", True: "yes", False: "NO"}[row.met]
    return [name.removeprefix("bench_"), row.name, f"{row.value:,.4g}", row.unit, row.target, met, ratio,
            row.note]


def run_all(names: list[str], console: Console) -> tuple[list[tuple[str, Row]], list[str]]:
    """Run the named benchmark modules; return their rows and the names of those that failed."""
    rows: list[tuple[str, Row]] = []
    failed: list[str] = []
    for name in names:
        t0 = time.perf_counter()
        with console.status(f"running {name} ..."):
            try:
                found = importlib.import_module(f"benchmarks.{name}").run()
            except Exception as exc:  # one broken benchmark must not hide the others
                console.print(f"[red]{name} failed:[/]\n{traceback.format_exc()}", highlight=False)
                found = [Row("failed", float("nan"), "", note=f"{type(exc).__name__}: {exc}"[:120])]
                failed.append(name)
        rows.extend((name, r) for r in found)
        console.print(f"{name}: {time.perf_counter() - t0:.1f} s", style="dim")
    return rows, failed


def markdown(rows: list[tuple[str, Row]], m: dict[str, object]) -> str:
    """Return the results as a Markdown table headed by the machine."""
    lines = [f"Machine: {_machine_line(m)}", "", "| " + " | ".join(HEADER) + " |",
             "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in _cells(n, r)) + " |" for n, r in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Discover ``bench_*`` modules, run those named in ``argv`` (all if none), print a table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only modules whose name contains one of these")
    parser.add_argument("--list", action="store_true", help="list the benchmark modules and exit")
    parser.add_argument("--json", type=Path, help="also write the results and the machine to this file")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown too")
    args = parser.parse_args(argv)
    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.names:
        names = [n for n in names if any(a in n for a in args.names)]
    console = Console()
    if not console.is_terminal:  # a log file or a pipe: do not squeeze the table into 80 columns
        console = Console(width=200)
    m = machine()
    console.print(f"machine: {_machine_line(m)}")
    rows, failed = run_all(names, console)
    table = Table(*HEADER, title="aidc benchmarks", caption=f"machine: {_machine_line(m)}")
    for name, row in rows:
        table.add_row(*_cells(name, row))
    console.print(table)
    if args.markdown:
        print(markdown(rows, m))
    if args.json:
        args.json.write_text(json.dumps(
            {"machine": m, "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "rows": [{"benchmark": n, **dataclasses.asdict(r), "ratio": r.ratio, "met": r.met}
                      for n, r in rows]}, indent=2, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
