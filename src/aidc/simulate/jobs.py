"""The job table: a trace as numpy arrays, checked once at the door.

Jobs are kept as columns (one numpy array per field), sorted by submission time with ties
in the trace's row order, so that the engine never builds a Python object per job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from aidc.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

REQUIRED = ("job_id", "tenant", "submit_s", "n_gpus", "duration_s")


@dataclass(frozen=True, slots=True)
class JobTable:
    """Jobs sorted by ``submit_s`` (stable: same-instant submissions keep row order).

    Attributes
    ----------
    row : numpy.ndarray
        Position of each job in the input table (its ``job_id`` is read from there).
    tenant : numpy.ndarray
        Tenant code of each job, an index into :attr:`tenants`. [-]
    tenants : tuple of str
        Tenant names, sorted.
    submit_s, duration_s : numpy.ndarray
        Submission time and run time on the GPUs it asked for. [s]
    n_gpus : numpy.ndarray
        GPUs asked for. [-]
    priority : numpy.ndarray
        Priority class (higher runs first under the ``priority`` policy). [-]
    gpu_class : numpy.ndarray
        GPU model asked for ("" = any).
    """

    row: np.ndarray
    tenant: np.ndarray
    tenants: tuple[str, ...]
    submit_s: np.ndarray
    duration_s: np.ndarray
    n_gpus: np.ndarray
    priority: np.ndarray
    gpu_class: np.ndarray

    def __len__(self) -> int:
        return len(self.submit_s)

    def take(self, rows: np.ndarray) -> JobTable:
        """Return the jobs at ``rows`` (keeps the tenant list, so codes stay comparable)."""
        return JobTable(self.row[rows], self.tenant[rows], self.tenants, self.submit_s[rows],
                        self.duration_s[rows], self.n_gpus[rows], self.priority[rows], self.gpu_class[rows])


@dataclass(frozen=True, slots=True)
class Trace:
    """A canonical trace as typed columns, in the file's row order: what the fast readers give.

    The simulator reads these columns as they are; pandas is needed only for :meth:`to_frame`
    (and a job log built from it), so replaying a trace file does not import it.

    Attributes
    ----------
    job_id : pyarrow array, numpy array, callable or None
        Job ids; a callable returns them when first asked for (they stay in the file until a
        job log needs them); None means the row numbers ``"0", "1", ...`` (Philly's).
    tenant : numpy.ndarray
        Each job's code into :attr:`tenants`. [-]
    tenants : tuple of str
        Tenant names, in any order.
    submit_s, duration_s : numpy.ndarray
        Submission time and run time. [s]
    n_gpus : numpy.ndarray
        GPUs asked for (int64). [-]
    priority : numpy.ndarray, optional
        Priority class (int64).
    gpu_class : numpy.ndarray, optional
        GPU model asked for ("" = any), object array of str.
    """

    job_id: Any
    tenant: np.ndarray
    tenants: tuple[str, ...]
    submit_s: np.ndarray
    n_gpus: np.ndarray
    duration_s: np.ndarray
    priority: np.ndarray | None = None
    gpu_class: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.submit_s)

    def job_ids(self, rows: np.ndarray | None = None) -> pd.Series:
        """Return the job ids (of ``rows``, in that order) as a pandas column."""
        import pandas as pd

        if self.job_id is None:
            ids = np.arange(len(self)) if rows is None else rows
            return pd.Series(ids.astype(str), dtype=object)
        if isinstance(self.job_id, np.ndarray):
            return pd.Series(self.job_id if rows is None else self.job_id[rows])
        source = self.job_id() if callable(self.job_id) else self.job_id
        column = source if rows is None else source.take(rows)
        # job ids stay Arrow strings (no Python object per job)
        return pd.Series(pd.arrays.ArrowExtensionArray(column))

    def to_frame(self) -> pd.DataFrame:
        """Return the trace as the canonical DataFrame (tenants a categorical)."""
        import pandas as pd

        codes, tenants = _sorted_codes(np.asarray(self.tenant, np.int64), list(self.tenants))
        out: dict[str, Any] = {  # tenants in sorted order, as pandas makes a categorical of strings
            "job_id": self.job_ids(), "tenant": pd.Categorical.from_codes(codes, list(tenants)),
            "submit_s": self.submit_s, "n_gpus": self.n_gpus, "duration_s": self.duration_s}
        if self.gpu_class is not None:
            out["gpu_class"] = self.gpu_class
        if self.priority is not None:
            out["priority"] = self.priority
        return pd.DataFrame(out, copy=False)

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Trace:
        """Return a canonical DataFrame's columns (checked as :func:`job_table` checks them)."""
        problems = _check(df)
        if problems:
            raise InputError(problems)
        return replace(_frame_columns(df), job_id=df["job_id"].to_numpy())


def _check_columns(trace: Trace) -> list[Problem]:
    """Check a trace's columns (rows 1-based, data rows), as :func:`_check` checks a DataFrame."""
    rules = {
        "submit_s": ("must be a finite number >= 0", np.isfinite(trace.submit_s) & (trace.submit_s >= 0)),
        "duration_s": ("must be a finite number >= 0",
                       np.isfinite(trace.duration_s) & (trace.duration_s >= 0)),
        "n_gpus": ("must be a whole number >= 1", trace.n_gpus >= 1),
    }
    return [Problem(message, row=int(i) + 1, column=col, found=getattr(trace, col)[i].item())
            for col, (message, ok) in rules.items() for i in np.flatnonzero(~ok)[:20]]


def _check(df: pd.DataFrame) -> list[Problem]:
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        return [Problem(f"trace lacks column '{c}'", column=c, expected=", ".join(REQUIRED)) for c in missing]
    problems: list[Problem] = []
    rules = {
        "submit_s": ("must be a finite number >= 0", lambda v: np.isfinite(v) & (v >= 0)),
        "duration_s": ("must be a finite number >= 0", lambda v: np.isfinite(v) & (v >= 0)),
        "n_gpus": ("must be a whole number >= 1", lambda v: np.isfinite(v) & (v >= 1) & (v == np.round(v))),
    }
    import pandas as pd

    for col, (message, ok_of) in rules.items():
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~ok_of(np.nan_to_num(values, nan=-1.0)) | np.isnan(values))
        problems += [Problem(message, row=int(i) + 1, column=col, found=df[col].iloc[i]) for i in bad[:20]]
    if "priority" in df.columns:
        pr = pd.to_numeric(df["priority"], errors="coerce")
        problems += [Problem("must be an integer", row=int(i) + 1, column="priority",
                             found=df["priority"].iloc[i]) for i in np.flatnonzero(pr.isna().to_numpy())[:20]]
    return problems


def job_table(jobs: pd.DataFrame | Trace) -> JobTable:
    """Check a canonical job DataFrame (or a :class:`Trace`) and turn it into a :class:`JobTable`.

    Raises
    ------
    InputError
        Naming the row (1-based, data rows) and column of every bad value (first 20 per column).

    Examples
    --------
    >>> import pandas as pd
    >>> t = job_table(pd.DataFrame({"job_id": ["a", "b"], "tenant": ["x", "y"], "submit_s": [5.0, 0.0],
    ...                             "n_gpus": [1, 2], "duration_s": [10.0, 20.0]}))
    >>> t.row.tolist(), t.tenants, t.submit_s.tolist()
    ([1, 0], ('x', 'y'), [0.0, 5.0])
    """
    if not isinstance(jobs, Trace):
        problems = _check(jobs)
        if problems:
            raise InputError(problems)
        return _table_of(_frame_columns(jobs))
    problems = _check_columns(jobs)
    if problems:
        raise InputError(problems)
    codes, tenants = _sorted_codes(np.asarray(jobs.tenant, np.int64), list(jobs.tenants))
    return _table_of(jobs, (codes, tenants))


def _frame_columns(df: pd.DataFrame) -> Trace:
    """Return a checked DataFrame's columns as a :class:`Trace` (tenants coded and sorted)."""
    n_gpus = df["n_gpus"]
    codes, tenants = _tenant_codes(df["tenant"])
    return Trace(
        job_id=None, tenant=codes, tenants=tenants, submit_s=df["submit_s"].to_numpy(dtype=float),
        n_gpus=n_gpus.to_numpy(dtype=np.int64) if n_gpus.dtype.kind == "i"
        else n_gpus.to_numpy(dtype=float).astype(np.int64),
        duration_s=df["duration_s"].to_numpy(dtype=float),
        priority=df["priority"].to_numpy(dtype=np.int64) if "priority" in df.columns else None,
        gpu_class=df["gpu_class"].astype(object).fillna("").astype(str).to_numpy()
        if "gpu_class" in df.columns else None)


def _table_of(trace: Trace, coded: tuple[np.ndarray, tuple[str, ...]] | None = None) -> JobTable:
    submit = trace.submit_s
    # most traces come sorted: then keep the rows as they are (no sort, no copies)
    in_order = bool(np.all(submit[1:] >= submit[:-1]))
    order = np.arange(len(submit)) if in_order else np.argsort(submit, kind="stable")

    def sort(values: np.ndarray) -> np.ndarray:
        return values if in_order else values[order]

    codes, tenants = coded if coded is not None else (trace.tenant, trace.tenants)
    n = len(submit)
    return JobTable(
        row=order,
        tenant=sort(codes),
        tenants=tenants,
        submit_s=sort(submit),
        duration_s=sort(trace.duration_s),
        n_gpus=sort(trace.n_gpus),
        priority=sort(trace.priority) if trace.priority is not None else np.zeros(n, np.int64),
        gpu_class=sort(np.asarray(trace.gpu_class, dtype=object)) if trace.gpu_class is not None
        else np.full(n, "", dtype=object),
    )


def _sorted_codes(codes: np.ndarray, names: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Renumber codes so the names come sorted; drop names no job has (as factorize would)."""
    rank = np.argsort(np.argsort(np.array(names, dtype=object), kind="stable"))
    codes = rank[codes].astype(np.int64)
    # bincount, not np.unique: unique imports numpy.ma (0.15 s), more than the rest of this
    used = np.flatnonzero(np.bincount(codes, minlength=len(names)))
    if len(used) < len(names):
        codes = np.searchsorted(used, codes)
    ordered = sorted(names)
    return codes, tuple(ordered[i] for i in used) if len(used) < len(names) else tuple(ordered)


def _tenant_codes(tenant: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return each row's tenant code and the tenant names, sorted (codes index the names)."""
    import pandas as pd

    if isinstance(tenant.dtype, pd.CategoricalDtype):
        # a categorical (the typed trace reader's): renumber its categories in sorted order
        return _sorted_codes(tenant.cat.codes.to_numpy(), [str(c) for c in tenant.cat.categories])
    # factorize hashes (fast on strings), then codes are renumbered so tenants come sorted
    values = tenant if pd.api.types.is_string_dtype(tenant) else tenant.astype(str)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), tuple(str(t) for t in np.asarray(uniques, dtype=object))
