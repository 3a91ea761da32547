"""Typed columns of a trace already read, kept in the user's cache folder for the next run.

An operator replays one trace many times (policies, cluster sizes, failure rates); parsing
its text is then the same work each time — for the Philly trace more than the simulation
itself. The first run stores the columns :func:`aidc.io.traces.read_trace_columns` made, as
numpy's ``.npy`` files; a later run of the same file loads them without parsing text or
importing the CSV reader. As ``.pyc`` files do, an entry is keyed by what identifies the
file's contents cheaply: its resolved path, size, modification time (ns) and inode, with the
format, its options (and the stat of any file an option names), this cache's layout and the
stat of the reader modules that made the columns. A changed file has another key, so a stale
entry is never read; the least recently used entries are removed when the folder grows past
its limit (``trace_cache_max_bytes`` in ``data/input_limits.yaml``).

Only clean reads are stored: a file with a bad value raises before anything is written, so
its errors are reported on every run. The folder is ``traces`` in aidc's cache folder
(``$AIDC_CACHE_DIR``, else ``$XDG_CACHE_HOME/aidc``, else ``~/.cache/aidc``). Writing it is
best effort: a read-only or full disk costs the speed, never the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from aidc.simulate.jobs import Trace

LAYOUT = 1  # bump when what is stored, or how, changes
COLUMNS = ("tenant", "submit_s", "n_gpus", "duration_s", "priority", "gpu_class", "job_id")


def cache_dir() -> Path:
    """Return the folder of cached traces (see the module's notes)."""
    from aidc import cache

    return cache.root() / "traces"


def _stat_of(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def entry_ident(path: Path, format: str, options: dict[str, object]) -> str:
    """Return what identifies a trace file read in ``format`` with ``options`` (JSON text)."""
    from aidc.io import traces
    from aidc.simulate import jobs

    named = {k: [str(v), *(_stat_of(Path(str(v))) if Path(str(v)).is_file() else [])]
             for k, v in sorted(options.items())}
    # the code that made the columns: any change to the readers (an upgrade, an edit) is a new key
    readers = [_stat_of(Path(m.__file__ or "")) for m in (traces, jobs)]
    return json.dumps([LAYOUT, readers, str(path.resolve()), *_stat_of(path), format, named])


def _entry_name(ident: str) -> str:
    # a short name; two idents that share it only cost a miss, as load compares the whole ident
    return f"{zlib.crc32(ident.encode()):08x}"


def load(path: Path, format: str, options: dict[str, object],
         job_ids_from_file: Callable[[], Any] | None) -> Trace | None:
    """Return the cached columns of ``path``, or None if none are stored (or they are unreadable).

    ``job_ids_from_file`` re-creates ids that were left in the file (a canonical trace's ids are
    read only when a job log needs them, so they are not stored).
    """
    ident = entry_ident(path, format, options)
    entry = cache_dir() / _entry_name(ident)
    try:
        meta = json.loads((entry / "meta.json").read_text())
        if meta["ident"] != ident:
            return None
        cols = {name: np.load(entry / f"{name}.npy", allow_pickle=False) for name in meta["columns"]}
    except (OSError, ValueError, KeyError):
        return None
    job_id: Any = None
    if meta["job_id"] == "file":
        job_id = job_ids_from_file
    elif meta["job_id"] == "stored":
        job_id = cols["job_id"].astype(object)
    gpu_class = None
    if "gpu_class" in cols:
        gpu_class = np.array(meta["gpu_classes"], dtype=object)[cols["gpu_class"]] if meta["gpu_classes"] \
            else np.full(len(cols["submit_s"]), "", dtype=object)
    with contextlib.suppress(OSError):  # used now: the last to be removed when the folder is pruned
        os.utime(entry / "meta.json")
    return Trace(job_id=job_id, tenant=cols["tenant"], tenants=tuple(meta["tenants"]),
                 submit_s=cols["submit_s"], n_gpus=cols["n_gpus"], duration_s=cols["duration_s"],
                 priority=cols.get("priority"), gpu_class=gpu_class)


def store(trace: Trace, path: Path, format: str, options: dict[str, object]) -> None:
    """Keep ``trace``'s columns for the next read of ``path`` (best effort; see the module's notes)."""
    try:
        _store(trace, cache_dir(), entry_ident(path, format, options))
    except OSError:
        return


def _store(trace: Trace, folder: Path, ident: str) -> None:
    import shutil
    import tempfile

    cols: dict[str, np.ndarray] = {"tenant": np.asarray(trace.tenant), "submit_s": trace.submit_s,
                                   "n_gpus": trace.n_gpus, "duration_s": trace.duration_s}
    meta: dict[str, Any] = {"ident": ident, "tenants": list(trace.tenants), "gpu_classes": [],
                            "job_id": "none" if trace.job_id is None else "file" if callable(trace.job_id)
                            else "stored"}
    if trace.priority is not None:
        cols["priority"] = trace.priority
    if trace.gpu_class is not None:
        names, codes = np.unique(np.asarray(trace.gpu_class, dtype=str), return_inverse=True)
        cols["gpu_class"], meta["gpu_classes"] = codes.astype(np.int64), names.tolist()
    if meta["job_id"] == "stored":
        ids = trace.job_id if isinstance(trace.job_id, np.ndarray) else trace.job_ids().to_numpy()
        cols["job_id"] = np.asarray(ids, dtype=str)
    meta["columns"] = list(cols)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".writing-"))
    try:
        for name, values in cols.items():
            np.save(tmp / f"{name}.npy", values, allow_pickle=False)
        (tmp / "meta.json").write_text(json.dumps(meta))  # written last: an entry without it is unread
        entry = folder / _entry_name(ident)
        shutil.rmtree(entry, ignore_errors=True)  # an entry of another ident of the same name
        try:
            tmp.rename(entry)
        except OSError:  # another process stored it first
            return
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(folder, entry.name)


def limit_bytes() -> float:
    """Return the size the folder is kept under [bytes]."""
    from aidc import data

    return float(data.load_yaml("input_limits.yaml")["trace_cache_max_bytes"]["value"])


def _prune(folder: Path, keep: str) -> None:
    """Remove the least recently used entries while the folder is above its size limit."""
    import shutil

    limit = limit_bytes()
    entries = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        try:
            size = sum(f.stat().st_size for f in entry.iterdir())
            entries.append(((entry / "meta.json").stat().st_mtime_ns, size, entry))
        except OSError:
            shutil.rmtree(entry, ignore_errors=True)  # a half-written or damaged entry
    total = sum(size for _, size, _ in entries)
    for _, size, entry in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        if entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)
            total -= size
