"""Imported first by a benchmarked child process: at exit, write its own peak memory to a file.

``ru_maxrss`` from ``wait4`` is useless for a child of a big parent: Linux keeps the
high-water mark across ``execve``, so a child forked from a benchmark harness that holds a
million-job trace reports the harness's memory. ``VmHWM`` in ``/proc/self/status`` belongs
to the process's own address space after ``exec``, so it is the child's own peak.
"""

from __future__ import annotations

import atexit
import os


def _write_peak() -> None:
    path = os.environ.get("AIDC_BENCH_PEAK_FILE")
    if not path:
        return
    with open("/proc/self/status", encoding="ascii") as fh:
        kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    with open(path, "w", encoding="ascii") as out:
        out.write(str(kib))


atexit.register(_write_peak)
