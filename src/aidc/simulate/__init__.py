"""Simulate stage: the operations digital twin (discrete-event, job by job).

Entry points: :func:`run` (a job trace on a cluster under a policy) and
:func:`run_scenario` (a scenario's year: the design's fleet, the demand's job stream and
the scenario's simulation settings). See ``docs/simulate.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import TYPE_CHECKING, Any

import numpy as np

from aidc import data
from aidc.errors import InputError, Problem
from aidc.simulate.cluster import Cluster, NodeClass
from aidc.simulate.easy import easy_pooled_start_s, fair_share_pooled_start_s
from aidc.simulate.engine import Event, Failures, State, simulate
from aidc.simulate.fast import fifo_pooled_start_s
from aidc.simulate.jobs import JobTable, Trace, job_table
from aidc.simulate.policies import POLICIES, Policy, Scheduler, Window, configured, tenant_shares
from aidc.simulate.preemption import least_attained_service, preemptive_priority
from aidc.simulate.result import SimulationResult, hourly_mean, summarize_columns
from aidc.units import H_PER_YEAR

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "POLICIES",
    "Cluster",
    "Event",
    "Failures",
    "NodeClass",
    "Policy",
    "Scheduler",
    "SimulationResult",
    "State",
    "Trace",
    "Window",
    "configured",
    "hourly_mean",
    "job_table",
    "run",
    "run_scenario",
]

HOURS_PER_YEAR = int(H_PER_YEAR)

# The preemptive policies live in their own module (it builds on policies.py, so registers here).
POLICIES["preemptive_priority"] = preemptive_priority
POLICIES["las"] = least_attained_service


def _route(jobs: JobTable, cluster: Cluster) -> list[tuple[NodeClass, np.ndarray]]:
    """Split job rows by node class (a job asking for a GPU class runs on that class)."""
    classes = cluster.classes
    if len(classes) == 1:
        routes = [(classes[0], np.arange(len(jobs)))]
    else:
        known = {c.gpu_class: i for i, c in enumerate(classes)}
        biggest = max(range(len(classes)), key=lambda i: classes[i].n_gpus)
        idx = np.array([known.get(str(g), biggest if g == "" else -1) for g in jobs.gpu_class],
                       dtype=np.int64)
        bad = np.flatnonzero(idx < 0)
        if len(bad):
            raise InputError([Problem("job asks for a GPU class the cluster does not have", row=int(i) + 1,
                                      column="gpu_class", found=jobs.gpu_class[i], expected=", ".join(known))
                              for i in bad[:20]])
        routes = [(c, np.flatnonzero(idx == i)) for i, c in enumerate(classes)]
    problems = []
    for c, rows in routes:
        too_big = rows[jobs.n_gpus[rows] > c.n_gpus]
        problems += [Problem("job asks for more GPUs than its node class has", row=int(i) + 1,
                             column="n_gpus", found=int(jobs.n_gpus[i]), expected=f"<= {c.n_gpus}")
                     for i in too_big[:20]]
    if problems:
        raise InputError(problems)
    return routes


def _unbound(policy: str | Policy) -> tuple[object, dict[str, Any]]:
    """Return the policy's factory and the parameters bound to it by :func:`configured`."""
    if isinstance(policy, partial):
        return policy.func, dict(policy.keywords)
    return policy, {}


def _fast_start_s(jobs: JobTable, node_class: NodeClass, placement: str, policy: Policy,
                  failures: Failures | None) -> tuple[np.ndarray, dict[int, float] | None] | None:
    """Start times from a fast path when one computes this policy exactly (pooled, no failures)."""
    if placement != "pooled" or failures is not None:
        return None
    factory, params = _unbound(policy)
    if factory is POLICIES["fifo"]:
        return fifo_pooled_start_s(jobs.submit_s, jobs.n_gpus, jobs.duration_s, node_class.n_gpus), None
    if factory is POLICIES["easy"] and set(params) <= {"depth"}:
        depth = params.get("depth")
        depth = int(depth if depth is not None else data.value("simulation.backfill_depth"))
        return easy_pooled_start_s(jobs.submit_s, jobs.n_gpus, jobs.duration_s, node_class.n_gpus, depth)
    if factory is POLICIES["fair_share"] and set(params) <= {"shares", "quotas_gpus"}:
        share, quota = tenant_shares(jobs.tenants, params.get("shares") or {},
                                     params.get("quotas_gpus") or {})
        start = fair_share_pooled_start_s(jobs.submit_s, jobs.n_gpus, jobs.duration_s, jobs.tenant, share,
                                          quota, node_class.n_gpus)
        return start, None
    return None


def _run_class(jobs: JobTable, node_class: NodeClass, placement: str, policy: Policy,
               failures: Failures | None, rng: Callable[[], np.random.Generator],
               progress: Callable[[float], None] | None) -> dict[str, Any]:
    fast = _fast_start_s(jobs, node_class, placement, policy, failures)
    if fast is not None:
        start, reserved = fast
        if progress is not None:
            progress(1.0)
        n = len(jobs)
        out = {"start_s": start, "end_s": start + jobs.duration_s, "n_restarts": np.zeros(n, np.int64),
               "lost_s": np.zeros(n), "checkpoint_s": np.zeros(n), "n_preemptions": np.zeros(n, np.int64)}
        if reserved is not None:
            out["reserved_start_s"] = _reserved_column(reserved, n)
        return out
    state = simulate(jobs, node_class, placement, policy, failures, rng(), progress)
    out = {
        "start_s": np.asarray(state.start_s, float), "end_s": np.asarray(state.end_s, float),
        "n_restarts": np.asarray(state.n_restarts, np.int64), "lost_s": np.asarray(state.lost_s, float),
        "checkpoint_s": np.asarray(state.checkpoint_s, float),
        "n_preemptions": np.asarray(state.n_preemptions, np.int64),
    }
    if failures is not None or state.preempted:  # run segments and the engine's count of unused GPU time
        seg = np.array(state.segments, dtype=float).reshape(-1, 3)
        out["_account"] = {"n_failures": state.n_failures, "idle_gpu_s": state.idle_gpu_s,
                           "down_gpu_s": state.down_gpu_s, "t_end_s": state.t_s, "n_gpus": node_class.n_gpus,
                           "segments": (seg[:, 0].astype(np.int64), seg[:, 1], seg[:, 2])}
    if placement == "node":
        out["nodes"] = np.array([",".join(map(str, ns)) for ns in state.nodes], dtype=object)
    reserved = getattr(state.scheduler, "reserved_start_s", None)
    if reserved is not None:
        out["reserved_start_s"] = _reserved_column(reserved, len(jobs))
    return out


def _reserved_column(reserved: dict[int, float], n: int) -> np.ndarray:
    res = np.full(n, np.nan)
    if reserved:
        jobs = np.fromiter(reserved, np.int64, len(reserved))
        res[jobs] = np.fromiter(reserved.values(), float, len(reserved))
    return res


def _identity(rows: np.ndarray) -> bool:
    return bool(len(rows) == 0 or (rows[0] == 0 and np.all(np.diff(rows) == 1)))


def _merged(accounts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One account for all node classes, over ``[0, the last class's end]``."""
    if not accounts:
        return None
    t_end = max(a["t_end_s"] for a in accounts)
    segments = tuple(np.concatenate([a["segments"][i] for a in accounts]) for i in range(3))
    return {"n_failures": sum(a["n_failures"] for a in accounts), "t_end_s": t_end, "segments": segments,
            "down_gpu_s": sum(a["down_gpu_s"] for a in accounts),
            # a class whose jobs were done earlier stands idle until the last one ends
            "idle_gpu_s": sum(a["idle_gpu_s"] + (t_end - a["t_end_s"]) * a["n_gpus"] for a in accounts)}


def _job_columns(table: JobTable, cluster: Cluster, policy: Policy, failures: Failures | None,
                 rng: Callable[[], np.random.Generator], progress: Callable[[float], None] | None,
                 ) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """Run each node class's jobs; return the per-job columns (start order) and the GPU-time account."""
    n = len(table)
    routes = _route(table, cluster)
    accounts = []
    if len(routes) == 1:  # one node class: its arrays are the log's columns (no copies)
        cols = _run_class(table, routes[0][0], cluster.placement, policy, failures, rng, progress)
        if "_account" in cols:
            accounts.append(cols.pop("_account"))
        cols["_class"] = np.zeros(n, np.int64)
    else:
        cols = {"start_s": np.full(n, np.nan), "end_s": np.full(n, np.nan),
                "n_restarts": np.zeros(n, np.int64), "lost_s": np.zeros(n), "checkpoint_s": np.zeros(n),
                "n_preemptions": np.zeros(n, np.int64), "_class": np.zeros(n, np.int64)}
        node_text = np.full(n, "", dtype=object)
        for code, (node_class, rows) in enumerate(routes):
            out = _run_class(table.take(rows), node_class, cluster.placement, policy, failures, rng, progress)
            cols["_class"][rows] = code
            if "nodes" in out:
                node_text[rows] = out.pop("nodes")
            if "_account" in out:
                account = out.pop("_account")
                seg_rows, a, b = account["segments"]
                accounts.append(account | {"segments": (rows[seg_rows], a, b)})
            for name, values in out.items():
                cols.setdefault(name, np.full(n, np.nan))[rows] = values
        if cluster.placement == "node":
            cols["nodes"] = node_text
    return cols, _merged(accounts)


def _log_frame(job_ids: Callable[[np.ndarray | None], pd.Series], table: JobTable, cluster: Cluster,
               cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """Return the per-job log (submission order) as a DataFrame, built only when a caller asks for it."""
    import pandas as pd

    n = len(table)
    run = {k: v for k, v in cols.items() if k not in ("_class", "nodes", "wait_s", "jct_s")}
    nodes = cols.get("nodes", np.full(n, "", dtype=object))
    log = pd.DataFrame({
        "job_id": job_ids(None if _identity(table.row) else table.row),
        "tenant": pd.Categorical.from_codes(table.tenant, categories=list(table.tenants)),
        "gpu_class": pd.Categorical.from_codes(cols["_class"],
                                               categories=[c.gpu_class for c in cluster.classes]),
        "priority": table.priority, "submit_s": table.submit_s, "duration_s": table.duration_s,
        "n_gpus": table.n_gpus, **run,
        "nodes": nodes if cluster.placement == "node" else pd.Categorical.from_codes(
            np.zeros(n, np.int64), categories=[""]),
        "wait_s": cols["wait_s"], "jct_s": cols["jct_s"],
    }, copy=False)
    return log


def _frame_ids(jobs: pd.DataFrame) -> Callable[[np.ndarray | None], pd.Series]:
    def ids(rows: np.ndarray | None) -> pd.Series:
        column = jobs["job_id"]
        return (column if rows is None else column.take(rows)).reset_index(drop=True)
    return ids


def run(
    jobs: pd.DataFrame | Trace,
    cluster: Cluster,
    policy: str | Policy = "fifo",
    seed: int = 0,
    *,
    policy_params: Mapping[str, Any] | None = None,
    failures: Failures | None = None,
    horizon_h: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> SimulationResult:
    """Simulate a job trace on a cluster under a scheduling policy.

    Parameters
    ----------
    jobs : pandas.DataFrame or Trace
        Canonical trace: ``job_id, tenant, submit_s, n_gpus, duration_s`` (+ optional
        ``gpu_class``, ``priority``). [s] for times. A :class:`Trace` (the typed readers')
        is simulated without pandas; the job log is then built when ``result.jobs`` is read.
    cluster : Cluster
        GPU nodes by class and placement.
    policy : str or Policy
        A name of :data:`POLICIES` (``fifo, easy, fair_share, slurm_fair_share, priority, reserved,
        preemptive_priority, las``) or a callable.
    seed : int
        Seed of the failure draws (the only randomness).
    policy_params : mapping, optional
        Parameters of a named policy (``shares``, ``quotas_gpus``, ``windows``, ``depth``,
        ``thresholds_gpu_h``, ``checkpoint_interval_s``, ``checkpoint_write_s``).
    failures : Failures, optional
        Node failures; needs ``node`` placement.
    horizon_h : int, optional
        Hours of the hourly series (default: up to the last end).
    progress : callable, optional
        Called with the fraction of jobs submitted so far.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"job_id": ["a", "b"], "tenant": "t", "submit_s": [0.0, 0.0],
    ...                    "n_gpus": [8, 8], "duration_s": [3600.0, 3600.0]})
    >>> r = run(df, Cluster(8, 8), "fifo")
    >>> r.jobs["start_s"].tolist(), r.summary["mean_wait_s"]
    ([0.0, 3600.0], 1800.0)
    """
    if failures is not None and cluster.placement != "node":
        raise InputError.single("node failures need node placement", field="placement",
                                found=cluster.placement, expected="node")
    params = dict(policy_params or {})
    if isinstance(policy, str):
        if policy not in POLICIES:
            raise InputError.single("unknown scheduling policy", field="policy", found=policy,
                                    expected=", ".join(POLICIES))
        name, policy_fn = policy, (configured(policy, **params) if params else POLICIES[policy])
    else:
        name, policy_fn = getattr(policy, "__name__", "custom"), policy
    table = job_table(jobs)
    # the generator is made when the event engine first needs one: a fast path draws nothing, and
    # numpy.random costs an import
    rng = cache(lambda: np.random.default_rng(seed))
    cols, account = _job_columns(table, cluster, policy_fn, failures, rng, progress)
    cols |= {"submit_s": table.submit_s, "duration_s": table.duration_s, "n_gpus": table.n_gpus}
    cols["wait_s"] = cols["start_s"] - table.submit_s
    cols["jct_s"] = cols["end_s"] - table.submit_s
    shares = {str(k): float(v) for k, v in (params.get("shares") or {}).items()}
    job_ids = jobs.job_ids if isinstance(jobs, Trace) else _frame_ids(jobs)
    log_cols = {k: v for k, v in cols.items() if k not in ("submit_s", "duration_s", "n_gpus")}
    return summarize_columns(
        cols, table.tenant, table.tenants, cluster.n_gpus, shares,
        data.value("simulation.slowdown_min_duration_s"), horizon_h,
        {"policy": name, "placement": cluster.placement}, account=account,
        jobs=lambda: _log_frame(job_ids, table, cluster, log_cols))


def run_scenario(scenario: Any, design: Any, demand: Any, *,
                 progress: Callable[[float], None] | None = None) -> SimulationResult:
    """Simulate a scenario's year: the design's fleet, the demand's job stream, its settings.

    The year is ``scenario.simulation.year`` (default: the first year of operation); the
    hourly series covers its 8,760 hours.
    """
    from aidc.demand import job_stream  # the demand stage's generator (see docs/contracts.md)

    sim = scenario.simulation
    year = sim.year if sim.year is not None else scenario.start_year
    rng = np.random.default_rng(scenario.seed)
    jobs = job_stream(demand, scenario, year, rng)
    cluster = Cluster.from_design(design, scenario, placement=sim.placement)
    failures = Failures(sim.mtbf_h, sim.mttr_h, sim.checkpoint_interval_s,
                        data.value("simulation.checkpoint_write_s")) if sim.failures else None
    return run(jobs, cluster, sim.policy, scenario.seed, policy_params=sim.policy_params(),
               failures=failures, horizon_h=HOURS_PER_YEAR, progress=progress)
