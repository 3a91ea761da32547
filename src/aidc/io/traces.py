"""Job-trace importers: public GPU-cluster trace formats -> the canonical job table.

The canonical trace is a CSV with columns ``job_id, tenant, submit_s, n_gpus, duration_s``
(optional ``gpu_class``, ``priority``), times in seconds from the start of the trace. Each
reader renames the source's headers once (as pvlib's ``VARIABLE_MAP``) and returns that
table; a malformed file raises :class:`aidc.errors.InputError` naming the file, line and
column of every bad value.

Formats (``FORMATS``):

- ``canonical``: the CSV above, or the same columns as Parquet (a ``.parquet`` file). Read by
  a typed columnar reader (pyarrow, :data:`SCHEMA`) in batches, so a trace of millions of jobs
  costs its columns, not Python objects; only when that fast path cannot vouch for the file
  (a value that does not parse as its declared type, or out of range) is it read again by
  the precise checker, which names the line and column of every bad value.
- ``philly``: Microsoft Philly jobs as processed by the Pollux/Sia authors
  (``timestamp, duration, num_gpus, gpu_time, cluster``); tenant = virtual cluster.
- ``openb``: Alibaba GPU cluster trace v2023 pods (``openb_pod_list_*.csv``); tenant = QoS
  class; run time = deletion - scheduled time; CPU-only and never-scheduled pods are skipped;
  ``gpu_milli`` (thousandths of each GPU, 1000 = whole GPUs) is kept as a column, and
  :func:`read_openb_nodes` reads the trace's node list as the cluster (see
  :mod:`aidc.simulate.packing`, which packs fractional pods onto shared GPUs).
- ``swf``: the Standard Workload Format (Feitelson's Parallel Workloads Archive); processors
  are read as GPUs; tenant = group id; jobs with an unknown run time (-1) are skipped.
- ``gavel``: Gavel simulator traces (tab-separated, 7 or 10 columns); run time = total steps
  / measured throughput of the job type on the given worker type, from Gavel's throughputs
  JSON (``throughputs=`` option); rows without a throughput are skipped; job ids are
  Gavel's own (0, 1, 2, ... in trace order, see :func:`read_gavel`).

References
----------
M. Jeon et al., "Analysis of large-scale multi-tenant GPU clusters for DNN training
workloads", USENIX ATC 2019 (Philly). Q. Weng et al., "Beware of fragmentation",
USENIX ATC 2023 (openb). D. Feitelson, Parallel Workloads Archive, Standard Workload Format,
https://www.cs.huji.ac.il/labs/parallel/workload/swf.html. D. Narayanan et al.,
"Heterogeneity-aware cluster scheduling policies for deep learning workloads", OSDI 2020 (Gavel).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aidc.errors import InputError, Problem
from aidc.simulate.jobs import Trace

if TYPE_CHECKING:
    import pandas as pd

CANONICAL = ["job_id", "tenant", "submit_s", "n_gpus", "duration_s"]
OPTIONAL = ["gpu_class", "priority"]
# The declared column types of a canonical trace (the fast reader's schema). [s] for times.
# "category": strings dictionary-encoded by the CSV reader itself, block by block (no Python string
# per row, and no pyarrow.compute, whose import costs more than reading the Philly trace)
SCHEMA = {"job_id": "string", "tenant": "category", "submit_s": "float64", "n_gpus": "int64",
          "duration_s": "float64", "gpu_class": "category", "priority": "int64"}
# The columns of a Philly job list the simulator reads, typed (the fast reader's schema)
PHILLY_SCHEMA = {"timestamp": "timestamp[s]", "duration": "float64", "num_gpus": "int64",
                 "cluster": "category"}
PHILLY_STAMP = "%Y-%m-%d %H:%M:%S"  # the only form the precise checker accepts, so the fast one too
BATCH_BYTES = 1 << 24  # CSV block read at a time: memory stays with the columns, not the text
STREAM_BLOCK_BYTES = 1 << 20  # CSV block of a streamed trace (measured: ~20 MB of reader memory)


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _read_table_as_text(path: Path) -> pd.DataFrame:
    """Read a Parquet file as text cells, so the precise checker sees what a CSV would give."""
    import pandas as pd
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own error types for a damaged file
        raise InputError.single(f"cannot read the trace as Parquet: {exc}", file=str(path)) from None
    return pd.DataFrame({name: ["" if v is None else str(v) for v in table.column(name).to_pylist()]
                         for name in table.column_names})


def _read_csv(path: Path, needed: list[str]) -> pd.DataFrame:
    import pandas as pd

    if _is_parquet(path):
        df = _read_table_as_text(path)
        missing = [c for c in needed if c not in df.columns]
        if missing:
            raise InputError([Problem("missing column", file=str(path), column=c, expected=", ".join(needed))
                              for c in missing])
        return df
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError.single(f"cannot read the trace as CSV: {exc}", file=str(path)) from None
    except pd.errors.EmptyDataError:
        raise InputError.single("the trace is empty", file=str(path)) from None
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError([Problem("missing column", file=str(path), line=1, column=c,
                                  expected=", ".join(needed)) for c in missing])
    return df


def _numbers(df: pd.DataFrame, col: str, path: Path, lines: np.ndarray, problems: list[Problem], *,
             integer: bool = False, minimum: float = 0.0) -> np.ndarray:
    """Parse a column as numbers, collecting a problem (file, line, column) for each bad cell."""
    import pandas as pd

    raw = df[col].astype(str).str.strip()
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(values) & (values >= minimum)
    if integer:
        ok &= values == np.round(values)
    what = f"a {'whole ' if integer else ''}number >= {minimum:g}"
    problems += [Problem("bad value", file=str(path), line=int(lines[i]), column=col, found=raw.iloc[i],
                         expected=what) for i in np.flatnonzero(~ok)[:20]]
    return values


def _finish(out: dict[str, object], path: Path, problems: list[Problem]) -> pd.DataFrame:
    import pandas as pd

    if problems:
        raise InputError(problems)
    df = pd.DataFrame(out)
    df["n_gpus"] = df["n_gpus"].astype(np.int64)
    return df


def _batches(path: Path, block_bytes: int = BATCH_BYTES, use_threads: bool = True,
             schema: dict[str, str] | None = None, required: list[str] | None = None,
             timestamp_parsers: tuple[str, ...] = (),
             unread: tuple[str, ...] = ()) -> tuple[list[str], Iterator[Any]] | None:
    """Open a trace for typed reading in batches; None if its header does not fit.

    ``schema`` declares the types of the columns read (default: the canonical :data:`SCHEMA`),
    ``required`` the columns that must be there (default: :data:`CANONICAL`), ``unread``
    columns that must be there but are not converted.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    schema = schema or SCHEMA
    required = required or CANONICAL
    arrow_type = _arrow_types(schema)
    if _is_parquet(path):
        import pyarrow.parquet as pq

        try:
            source = pq.ParquetFile(path)
        except Exception:  # not a Parquet file after all: the precise path says so
            return None
        present = source.schema_arrow.names
        names = [n for n in present if n in schema and n not in unread]
        if any(c not in present for c in required):
            return None
        types = pa.schema([(n, arrow_type[n]) for n in names])
        return names, (b.select(names).cast(types) for b in source.iter_batches(columns=names))
    with path.open("rb") as fh:
        header = fh.readline().decode("utf-8", errors="replace").strip().split(",")
    names = [n for n in header if n in schema and n not in unread]
    if any(c not in header for c in required) or len(set(header)) != len(header):
        return None
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(block_size=block_bytes, use_threads=use_threads),
        convert_options=pacsv.ConvertOptions(
            column_types={n: arrow_type[n] for n in names}, include_columns=names,
            strings_can_be_null=False, quoted_strings_can_be_null=False,
            timestamp_parsers=list(timestamp_parsers) or None))
    return names, iter(reader)


def _arrow_types(schema: dict[str, str]) -> dict[str, Any]:
    import pyarrow as pa

    return {n: pa.dictionary(pa.int32(), pa.string()) if t == "category" else pa.type_for_alias(t)
            for n, t in schema.items()}


def _typed_table(path: Path, schema: dict[str, str] | None = None, required: list[str] | None = None,
                 timestamp_parsers: tuple[str, ...] = (), unread: tuple[str, ...] = ()) -> Any:
    """Read a trace whole with declared types; None if the header or a value needs the precise checker."""
    import pyarrow as pa

    try:
        opened = _batches(path, schema=schema, required=required, timestamp_parsers=timestamp_parsers,
                          unread=unread)
        if opened is None:
            return None
        names, batches = opened
        arrow_type = _arrow_types(schema or SCHEMA)
        table = pa.Table.from_batches(list(batches), schema=pa.schema([(n, arrow_type[n]) for n in names]))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None  # a value that is not of its declared type: the precise checker names it
    if any(table.column(n).null_count for n in names):
        return None
    return table


def _numpy(column: Any, dtype: type) -> np.ndarray:
    """Return a primitive Arrow column without nulls as numpy (no copy for one chunk).

    ``to_numpy`` would do, but pyarrow imports pandas for it, which the trace replay avoids.
    """
    chunks: list[np.ndarray] = [np.frombuffer(c.buffers()[1], dtype=dtype, count=c.offset + len(c))[c.offset:]
              for c in getattr(column, "chunks", [column]) if len(c)]
    if len(chunks) == 1:
        return chunks[0]
    return np.concatenate(chunks) if chunks else np.empty(0, dtype)


def _codes(column: Any) -> tuple[np.ndarray, list[str]] | None:
    """Return a dictionary-encoded column's codes and names; None if a name has leading blanks.

    Each block of the CSV reader has its own dictionary: the codes are mapped onto one list of
    names. The precise checker reads CSV with ``skipinitialspace``: a value with leading blanks
    is read differently by the two, so such a file goes to the precise checker.
    """
    names: dict[str, int] = {}
    parts = []
    for chunk in getattr(column, "chunks", [column]):
        local = np.array([names.setdefault(str(n), len(names)) for n in chunk.dictionary.to_pylist()],
                         dtype=np.int64)
        parts.append(local[_numpy(chunk.indices, np.int32)] if len(local) else np.zeros(len(chunk), np.int64))
    if any(n[:1] == " " for n in names):
        return None
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else np.empty(0, np.int64)
    return codes, list(names)


def _trace_of(columns: Any, names: list[str], job_id: Any = None) -> Trace | None:
    """Return a canonical trace's typed Arrow columns (a table or a batch) as a :class:`Trace`.

    None if a value needs the precise checker (null, out of range, leading blanks in a tenant).
    """
    if any(columns.column(n).null_count for n in names):
        return None
    submit_s = _numpy(columns.column("submit_s"), np.float64)
    duration_s = _numpy(columns.column("duration_s"), np.float64)
    n_gpus = _numpy(columns.column("n_gpus"), np.int64)
    ok = np.isfinite(submit_s) & (submit_s >= 0) & np.isfinite(duration_s) & (duration_s >= 0) & (n_gpus >= 1)
    tenant = _codes(columns.column("tenant"))
    if not ok.all() or tenant is None:
        return None
    gpu_class = None
    if "gpu_class" in names:
        classes = _codes(columns.column("gpu_class"))
        if classes is None:
            return None
        gpu_class = np.array(classes[1], dtype=object)[classes[0]] if len(classes[1]) else \
            np.full(len(submit_s), "", dtype=object)
    return Trace(job_id=columns.column("job_id") if "job_id" in names else job_id, tenant=tenant[0],
                 tenants=tuple(tenant[1]),
                 submit_s=submit_s, n_gpus=n_gpus, duration_s=duration_s,
                 priority=_numpy(columns.column("priority"), np.int64) if "priority" in names else None,
                 gpu_class=gpu_class)


def _canonical_columns(path: Path, lazy_ids: bool = False) -> Trace | None:
    """Read a canonical trace with the declared schema; None if any value needs the precise checker.

    ``lazy_ids``: leave the job ids in the file until the job log asks for them (a third of
    the reading time of a million jobs, which a summary never shows).
    """
    import pyarrow as pa

    table = _typed_table(path, unread=("job_id",) if lazy_ids else ())
    if table is None:
        return None
    trace = _trace_of(table, [n for n in table.column_names], partial(_job_id_column, path))
    del table
    # hand the CSV parser's scratch memory back, so peak memory is the columns, not the text
    pa.default_memory_pool().release_unused()
    return trace


def _job_id_column(path: Path) -> Any:
    """Read the job ids of a canonical trace the typed reader has read already."""
    table = _typed_table(path, {"job_id": "string"}, ["job_id"])
    if table is None:  # the file changed since it was read
        raise InputError.single("the trace changed while it was simulated", file=str(path))
    return table.column("job_id")


def _philly_columns(path: Path) -> Trace | None:
    """Read a Philly job list with declared types; None if any value needs the precise checker."""
    if _is_parquet(path):
        return None
    table = _typed_table(path, PHILLY_SCHEMA, list(PHILLY_SCHEMA), (PHILLY_STAMP,))
    if table is None:
        return None
    stamp = _numpy(table.column("timestamp"), np.int64)  # seconds since the epoch
    duration_s = _numpy(table.column("duration"), np.float64)
    n_gpus = _numpy(table.column("num_gpus"), np.int64)
    tenant = _codes(table.column("cluster"))
    if tenant is None or not (np.isfinite(duration_s) & (duration_s >= 0) & (n_gpus >= 1)).all():
        return None
    submit_s = (stamp - stamp.min()).astype(float) if len(stamp) else np.empty(0)
    return Trace(job_id=None, tenant=tenant[0], tenants=tuple(tenant[1]), submit_s=submit_s, n_gpus=n_gpus,
                 duration_s=duration_s)


def iter_canonical(path: str | Path, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """Yield a canonical trace (CSV or Parquet) in pieces, for a trace larger than memory.

    Each piece holds the columns of one record batch of the typed reader (about 16 MB of
    CSV text; ``batch_rows`` cuts pieces smaller). When a batch holds a value the typed reader
    cannot vouch for, the file is read whole by :func:`read_canonical`, which names every bad
    cell (or accepts what it always accepted, then yielded in pieces).
    """
    import pyarrow as pa

    path = Path(path)
    if not path.is_file():
        raise InputError.single("trace file not found", file=str(path))
    done = 0
    try:
        # small blocks on one thread: the CSV reader's working memory is about 20x its block
        opened = _batches(path, STREAM_BLOCK_BYTES, use_threads=False)
        if opened is not None:
            names, batches = opened
            for batch in batches:
                piece = _trace_of(batch, names)
                if piece is None:
                    break
                yield from _slices(piece.to_frame(), batch_rows)
                done += len(piece)
            else:
                return
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeDecodeError):
        pass
    # the typed reader could not vouch for a batch: the precise checker reads the whole file and
    # names the bad cells, or accepts it; the rows already yielded are not yielded again
    yield from _slices(read_canonical(path).iloc[done:], batch_rows)


def _slices(df: pd.DataFrame, rows: int | None) -> Iterator[pd.DataFrame]:
    step = rows or max(1, len(df))
    for i in range(0, len(df), step):
        yield df.iloc[i:i + step].reset_index(drop=True)


def read_canonical(path: Path) -> pd.DataFrame:
    """Read a canonical trace (``job_id, tenant, submit_s, n_gpus, duration_s`` [+ optional]).

    CSV or Parquet (by suffix). The typed reader runs first; a file it cannot vouch for is
    read again by the precise checker, which raises :class:`InputError` naming every bad cell.
    """
    fast = _canonical_columns(path)
    if fast is not None:
        return fast.to_frame()
    df = _read_csv(path, CANONICAL)
    lines = np.arange(len(df)) + 2  # line 1 is the header
    problems: list[Problem] = []
    out: dict[str, object] = {
        "job_id": df["job_id"].to_numpy(), "tenant": df["tenant"].to_numpy(),
        "submit_s": _numbers(df, "submit_s", path, lines, problems),
        "n_gpus": _numbers(df, "n_gpus", path, lines, problems, integer=True, minimum=1),
        "duration_s": _numbers(df, "duration_s", path, lines, problems),
    }
    if "gpu_class" in df.columns:
        out["gpu_class"] = df["gpu_class"].to_numpy()
    if "priority" in df.columns:
        out["priority"] = _numbers(df, "priority", path, lines, problems, integer=True, minimum=-1e9)
    result = _finish(out, path, problems)
    if "priority" in result.columns:
        result["priority"] = result["priority"].astype(np.int64)
    return result


def read_philly(path: Path) -> pd.DataFrame:
    """Read the Philly job list in the Pollux/Sia form (``timestamp, duration, num_gpus, cluster``)."""
    import pandas as pd

    df = _read_csv(path, ["timestamp", "duration", "num_gpus", "cluster"])
    lines = np.arange(len(df)) + 2
    problems: list[Problem] = []
    stamp = pd.to_datetime(df["timestamp"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    problems += [Problem("bad timestamp", file=str(path), line=int(lines[i]), column="timestamp",
                         found=df["timestamp"].iloc[i], expected="YYYY-MM-DD HH:MM:SS")
                 for i in np.flatnonzero(stamp.isna().to_numpy())[:20]]
    submit_s = (stamp - stamp.min()).dt.total_seconds().to_numpy()
    return _finish({
        "job_id": (lines - 2).astype(str), "tenant": df["cluster"].to_numpy(), "submit_s": submit_s,
        "n_gpus": _numbers(df, "num_gpus", path, lines, problems, integer=True, minimum=1),
        "duration_s": _numbers(df, "duration", path, lines, problems),
    }, path, problems)


def read_openb(path: Path) -> pd.DataFrame:
    """Read Alibaba GPU trace v2023 pods (``openb_pod_list_*.csv``): GPU pods that were scheduled."""
    import pandas as pd

    cols = ["name", "num_gpu", "qos", "pod_phase", "creation_time", "deletion_time", "scheduled_time"]
    df = _read_csv(path, cols)
    lines = np.arange(len(df)) + 2
    problems: list[Problem] = []
    n_gpus = _numbers(df, "num_gpu", path, lines, problems, integer=True)
    created = _numbers(df, "creation_time", path, lines, problems)
    sched = pd.to_numeric(df["scheduled_time"], errors="coerce").to_numpy(dtype=float)
    deleted = pd.to_numeric(df["deletion_time"], errors="coerce").to_numpy(dtype=float)
    if problems:
        raise InputError(problems)
    ran = np.isfinite(sched) & np.isfinite(deleted) & (deleted >= sched)
    keep = (n_gpus >= 1) & (df["pod_phase"].to_numpy() != "Pending") & ran
    spec = df["gpu_spec"].to_numpy() if "gpu_spec" in df.columns else np.full(len(df), "")
    # thousandths of each GPU the pod holds (1000 = whole GPUs); kept, not rounded up
    milli = (_numbers(df, "gpu_milli", path, lines, problems, integer=True) if "gpu_milli" in df.columns
             else np.full(len(df), 1000.0))
    if problems:
        raise InputError(problems)
    out = _finish({
        "job_id": df["name"].to_numpy()[keep], "tenant": df["qos"].to_numpy()[keep],
        "submit_s": created[keep] - created[keep].min(initial=0.0), "n_gpus": n_gpus[keep],
        "duration_s": (deleted - sched)[keep], "gpu_class": spec[keep],
        "gpu_milli": np.clip(milli[keep], 1, 1000).astype(np.int64),
    }, path, problems)
    return out


def read_openb_nodes(path: str | Path) -> list[tuple[str, int]]:
    """Read an openb node list (``openb_node_list_*.csv``) as the cluster: ``(model, gpus)`` per GPU node.

    CPU-only nodes (``gpu`` = 0) are left out. The list is in the file's order; give it to
    :func:`aidc.simulate.packing.pack_fifo` as ``gpus_per_node``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.single("node list not found", file=str(path))
    df = _read_csv(path, ["sn", "gpu", "model"])
    lines = np.arange(len(df)) + 2
    problems: list[Problem] = []
    gpus = _numbers(df, "gpu", path, lines, problems, integer=True)
    if problems:
        raise InputError(problems)
    return [(str(m), int(g)) for m, g in zip(df["model"].to_numpy(), gpus, strict=True) if g >= 1]


SWF_FIELDS = ["job", "submit", "wait", "run", "procs_alloc", "cpu_avg", "mem_used", "procs_req",
              "time_req", "mem_req", "status", "user", "group", "app", "queue", "partition",
              "prev_job", "think_time"]


def read_swf(path: Path) -> pd.DataFrame:
    """Read a Standard Workload Format file (18 whitespace-separated fields; ``;`` comments)."""
    rows, lines, problems = [], [], []
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for number, text in enumerate(fh, start=1):
            text = text.split(";", 1)[0].strip()
            if not text:
                continue
            parts = text.split()
            if len(parts) != len(SWF_FIELDS):
                problems.append(Problem("wrong number of fields", file=str(path), line=number,
                                        found=len(parts), expected=f"{len(SWF_FIELDS)} (SWF)"))
                continue
            try:
                rows.append([float(p) for p in parts])
            except ValueError:
                bad = next(i for i, p in enumerate(parts) if not _is_float(p))
                problems.append(Problem("not a number", file=str(path), line=number, column=SWF_FIELDS[bad],
                                        found=parts[bad], expected="a number (-1 = unknown)"))
                continue
            lines.append(number)
        if problems:
            raise InputError(problems[:20])
    a = np.array(rows, dtype=float).reshape(-1, len(SWF_FIELDS))
    procs = np.where(a[:, 4] > 0, a[:, 4], a[:, 7])
    keep = (a[:, 3] >= 0) & (procs >= 1) & (a[:, 1] >= 0)
    a, procs = a[keep], procs[keep]
    return _finish({
        "job_id": a[:, 0].astype(np.int64).astype(str), "tenant": a[:, 12].astype(np.int64).astype(str),
        "submit_s": a[:, 1] - a[:, 1].min(initial=0.0), "n_gpus": procs, "duration_s": a[:, 3],
    }, path, problems)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_gavel(path: Path, throughputs: Path | str, worker: str = "v100") -> pd.DataFrame:
    """Read a Gavel trace; run time = total steps / throughput on ``worker`` (steps/s).

    Job ids are numbered as Gavel numbers them: Gavel's trace reader (``scheduler/utils.py``,
    ``parse_trace``) reads every line as one job in file order, and ``Scheduler.add_job``
    (``scheduler/scheduler.py``) gives the k-th job added ``JobIdPair(k, None)``, counting
    from 0 (stanford-futuredata/gavel @ c4fa4009). So job ``"k"`` is the trace's k-th job line
    (blank lines are not jobs); a row skipped for want of a throughput keeps its number used,
    so the other ids still match Gavel's per-job output.
    """
    table = json.loads(Path(throughputs).read_text(encoding="utf-8"))
    if worker not in table:
        raise InputError.single("unknown worker type", file=str(throughputs), found=worker,
                                expected=", ".join(table))
    rate = {ast.literal_eval(k): v["null"] for k, v in table[worker].items()}
    import pandas as pd

    rows, problems = [], []
    # Gavel numbers jobs 0, 1, 2, ... in the order its trace reader lists them (every line a job),
    # by the counter of Scheduler.add_job; a job this reader skips keeps its number used
    index = -1
    for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        index += 1
        parts = text.split("\t")
        if len(parts) == 7:  # job_type, command, num_steps_arg, needs_data_dir, total_steps, arrival, scale
            job_type, steps, arrival, scale, priority = parts[0], parts[4], parts[5], parts[6], "1"
        elif len(parts) == 10:  # ..., working_dir, ..., total_steps, scale, priority_weight, SLO, arrival
            job_type, steps, scale, priority, arrival = parts[0], parts[5], parts[6], parts[7], parts[9]
        else:
            problems.append(Problem("wrong number of tab-separated fields", file=str(path), line=number,
                                    found=len(parts), expected="7 or 10 (Gavel trace)"))
            continue
        try:
            n, steps_f, arrival_f = int(scale), float(steps), float(arrival)
        except ValueError:
            problems.append(Problem("not a number in total_steps, arrival_time or scale_factor",
                                    file=str(path), line=number, found=(steps, arrival, scale)))
            continue
        if (job_type, n) in rate:
            rows.append((str(index), job_type, arrival_f, n, steps_f / rate[(job_type, n)],
                         int(float(priority))))
    if problems:
        raise InputError(problems[:20])
    df = pd.DataFrame(rows, columns=["job_id", "job_type", "submit_s", "n_gpus", "duration_s", "priority"])
    df["tenant"] = "gavel"
    df["gpu_class"] = worker
    return df[[*CANONICAL, "gpu_class", "priority", "job_type"]]


FORMATS: dict[str, Callable[..., pd.DataFrame]] = {
    "canonical": read_canonical,
    "philly": read_philly,
    "openb": read_openb,
    "swf": read_swf,
    "gavel": read_gavel,
}


FAST: dict[str, Callable[[Path], Trace | None]] = {"canonical": partial(_canonical_columns, lazy_ids=True),
                                                   "philly": _philly_columns}


def read_trace_columns(path: str | Path, format: str = "canonical", *, cache: bool = False,
                       **options: object) -> Trace:
    """Read a job trace as typed columns (:class:`~aidc.simulate.jobs.Trace`), for the simulator.

    Canonical and Philly files are read by the typed reader without pandas; a file it cannot
    vouch for, and every other format, is read by :func:`read_trace` (the precise checker, whose
    errors name file, line and column). ``cache``: keep the columns of a clean read in the
    user's cache folder and take them from there when the same file is read again
    (:mod:`aidc.io.trace_cache`; the command line does, a library caller chooses).
    """
    path = Path(path)
    job_ids = partial(_job_id_column, path) if format == "canonical" else None
    if cache and format in FORMATS and path.is_file():
        from aidc.io import trace_cache

        found = trace_cache.load(path, format, options, job_ids)
        if found is not None:
            return found
    trace = _read_columns(path, format, options)
    if cache:
        trace_cache.store(trace, path, format, options)
    return trace


def _read_columns(path: Path, format: str, options: dict[str, object]) -> Trace:
    fast = FAST.get(format)
    if fast is not None and path.is_file() and not options:
        trace = fast(path)
        if trace is not None:
            return trace
    return Trace.from_frame(read_trace(path, format, **options))


def read_trace(path: str | Path, format: str = "canonical", **options: object) -> pd.DataFrame:
    """Read a job trace in ``format`` (see :data:`FORMATS`) as the canonical job table.

    Raises
    ------
    InputError
        Unknown format, missing file, or bad values (with file, line and column).
    """
    path = Path(path)
    if format not in FORMATS:
        raise InputError.single("unknown trace format", field="format", found=format,
                                expected=", ".join(FORMATS))
    if not path.is_file():
        raise InputError.single("trace file not found", file=str(path))
    try:
        return FORMATS[format](path, **options)
    except InputError as exc:
        if not _is_parquet(path):
            raise
        # a Parquet file has no text lines: the checker's line (header = 1) becomes a data row
        raise InputError([replace(p, line=None, row=p.line - 1 if p.line and p.line > 1 else None)
                          for p in exc.problems]) from None


def write_trace(df: pd.DataFrame, path: str | Path) -> None:
    """Write a canonical trace: Parquet if ``path`` ends in ``.parquet``, else CSV."""
    cols = [c for c in [*CANONICAL, *OPTIONAL] if c in df.columns]
    if _is_parquet(Path(path)):
        df[cols].to_parquet(path, index=False)
    else:
        df[cols].to_csv(path, index=False)
