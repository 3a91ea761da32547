"""The job table: a trace as numpy arrays, checked once at the door.

Jobs are kept as columns (one numpy array per field), sorted by submission time with ties
in the trace's row order, so that the engine never builds a Python object per job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aidc.errors import InputError, Problem

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
    for col, (message, ok_of) in rules.items():
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~ok_of(np.nan_to_num(values, nan=-1.0)) | np.isnan(values))
        problems += [Problem(message, row=int(i) + 1, column=col, found=df[col].iloc[i]) for i in bad[:20]]
    if "priority" in df.columns:
        pr = pd.to_numeric(df["priority"], errors="coerce")
        problems += [Problem("must be an integer", row=int(i) + 1, column="priority",
                             found=df["priority"].iloc[i]) for i in np.flatnonzero(pr.isna().to_numpy())[:20]]
    return problems


def job_table(df: pd.DataFrame) -> JobTable:
    """Check a canonical job DataFrame and turn it into a :class:`JobTable`.

    Raises
    ------
    InputError
        Naming the row (1-based, data rows) and column of every bad value (first 20 per column).

    Examples
    --------
    >>> t = job_table(pd.DataFrame({"job_id": ["a", "b"], "tenant": ["x", "y"], "submit_s": [5.0, 0.0],
    ...                             "n_gpus": [1, 2], "duration_s": [10.0, 20.0]}))
    >>> t.row.tolist(), t.tenants, t.submit_s.tolist()
    ([1, 0], ('x', 'y'), [0.0, 5.0])
    """
    problems = _check(df)
    if problems:
        raise InputError(problems)
    submit = df["submit_s"].to_numpy(dtype=float)
    # most traces come sorted: then keep the rows as they are (no sort, no copies)
    in_order = bool(np.all(submit[1:] >= submit[:-1]))
    order = np.arange(len(submit)) if in_order else np.argsort(submit, kind="stable")

    def sort(values: np.ndarray) -> np.ndarray:
        return values if in_order else values[order]

    codes, tenants = _tenant_codes(df["tenant"])
    n = len(df)
    priority = df["priority"].to_numpy(dtype=np.int64) if "priority" in df.columns else np.zeros(n, np.int64)
    gpu_class = (df["gpu_class"].astype(object).fillna("").astype(str).to_numpy() if "gpu_class" in df.columns
                 else np.full(n, "", dtype=object))
    return JobTable(
        row=order,
        tenant=sort(codes),
        tenants=tenants,
        submit_s=sort(submit),
        duration_s=sort(df["duration_s"].to_numpy(dtype=float)),
        n_gpus=sort(df["n_gpus"].to_numpy(dtype=np.int64) if df["n_gpus"].dtype.kind == "i"
                    else df["n_gpus"].to_numpy(dtype=float).astype(np.int64)),
        priority=sort(priority),
        gpu_class=sort(np.asarray(gpu_class, dtype=object)),
    )


def _tenant_codes(tenant: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return each row's tenant code and the tenant names, sorted (codes index the names)."""
    if isinstance(tenant.dtype, pd.CategoricalDtype):
        # a categorical (the typed trace reader's): renumber its categories in sorted order
        names = [str(c) for c in tenant.cat.categories]
        rank = np.argsort(np.argsort(np.array(names, dtype=object), kind="stable"))
        codes = rank[tenant.cat.codes.to_numpy()].astype(np.int64)
        used = np.unique(codes)
        if len(used) < len(names):  # drop categories no job has, as factorize would
            codes = np.searchsorted(used, codes)
        ordered = sorted(names)
        return codes, tuple(ordered[i] for i in used) if len(used) < len(names) else tuple(ordered)
    # factorize hashes (fast on strings), then codes are renumbered so tenants come sorted
    values = tenant if pd.api.types.is_string_dtype(tenant) else tenant.astype(str)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), tuple(str(t) for t in np.asarray(uniques, dtype=object))
