"""Run every benchmark (``python -m benchmarks [NAME ...]``) and print one table."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks._common import Row


def _machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {mem_gib:.0f} GiB, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )


def main(argv: list[str]) -> int:
    """Discover ``bench_*`` modules, run those named in ``argv`` (all if none), print a table."""
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    console = Console()
    console.print(f"machine: {_machine()}")
    table = Table("benchmark", "figure", "value", "unit", "target", "vs baseline", "note")
    for name in names:
        with console.status(f"running {name} ..."):
            rows: list[Row] = importlib.import_module(f"benchmarks.{name}").run()
        for row in rows:
            ratio = f"{row.ratio:.1f}x" if row.ratio is not None else ""
            table.add_row(name.removeprefix("bench_"), row.name, f"{row.value:,.4g}", row.unit,
                          row.target, ratio, row.note)
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
