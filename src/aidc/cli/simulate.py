"""``aidc simulate [SCENARIO]`` and ``aidc simulate --trace FILE --gpus N``: the operations twin."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aidc import simulate as sim
from aidc.cli._common import console, console_err, print_json, scenario_or_exit
from aidc.errors import InputError
from aidc.io.traces import FORMATS, read_trace
from aidc.scenario import DEFAULT_SCENARIO


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[float], None] | None]:
    if not show:
        yield None
        return
    columns = (TextColumn("simulating"), BarColumn(), TextColumn("{task.percentage:>3.0f}% submitted"),
               TimeElapsedColumn())
    with Progress(*columns, console=console_err, transient=True) as bar:
        task = bar.add_task("simulate", total=1.0)
        yield lambda frac: bar.update(task, completed=frac)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _h(seconds: float) -> str:
    return "-" if not math.isfinite(seconds) else f"{seconds / 3600:,.2f}"


def _print_table(result: sim.SimulationResult) -> None:
    s = result.summary
    table = Table("tenant", "jobs", "GPU-h", "wait h", "p50", "p95", "p99", "JCT h",
                  "slowdown", "share", "target", title=f"policy {s['policy']}, {s['n_gpus']:,} GPUs "
                  f"({s['placement']})")
    rows = [*s["tenants"].items(), ("all", s | {"share_frac": 1.0, "configured_share_frac": math.nan})]
    for name, t in rows:
        conf = t.get("configured_share_frac", math.nan)
        table.add_row(str(name), f"{t['n_jobs']:,}", f"{t['gpu_hours']:,.0f}", _h(t["mean_wait_s"]),
                      _h(t["p50_wait_s"]), _h(t["p95_wait_s"]), _h(t["p99_wait_s"]), _h(t["mean_jct_s"]),
                      f"{t['mean_slowdown']:,.2f}", f"{t['share_frac']:.1%}",
                      "-" if conf is None or not math.isfinite(conf) else f"{conf:.1%}")
    for column in table.columns:  # a narrow terminal folds a cell rather than hiding it behind '…'
        column.overflow = "fold"
    console.print(table)
    console.print(f"utilization {s['utilization_frac']:.1%} over a makespan of {_h(s['makespan_s'])} h; "
                  f"{s['n_jobs_done']:,} of {s['n_jobs']:,} jobs ran")


def _write(result: sim.SimulationResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, df in (("jobs", result.jobs), ("hourly", result.hourly)):
        df.to_parquet(out / f"{name}.parquet", index=False)
        df.to_csv(out / f"{name}.csv", index=False)
    result.tenants.to_csv(out / "tenants.csv")
    console_err.print(f"wrote jobs and hourly series (Parquet and CSV) to {out}")


def _scenario_result(name: str, progress: Callable[[float], None] | None) -> sim.SimulationResult:
    scenario = scenario_or_exit(name)
    try:
        from aidc import demand, design

        dem = demand.estimate(demand.load_survey(scenario), scenario)
        des = design.size(scenario, dem)
    except (ImportError, AttributeError) as exc:
        console_err.print(f"[red]error:[/] a scenario run needs the demand and design stages ({exc}); "
                          "replay a trace with --trace FILE --gpus N instead")
        raise typer.Exit(1) from None
    return sim.run_scenario(scenario, des, dem, progress=progress)


def simulate(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or YAML (not with --trace).")]
    = DEFAULT_SCENARIO,
    trace: Annotated[Path | None, typer.Option("--trace", help="Replay this job trace instead.")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"Trace format: {', '.join(FORMATS)}.")] = "canonical",
    gpus: Annotated[int | None, typer.Option("--gpus", help="GPUs of the cluster (--trace).", min=1)] = None,
    gpus_per_node: Annotated[int, typer.Option("--gpus-per-node", help="GPUs per node.", min=1)] = 8,
    placement: Annotated[str, typer.Option("--placement", help="pooled or node.")] = "pooled",
    policy: Annotated[str, typer.Option("--policy", help=f"--trace: {', '.join(sim.POLICIES)}.")] = "fifo",
    throughputs: Annotated[Path | None, typer.Option(help="Gavel throughputs JSON (--format gavel).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of random draws.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="Write job log and hourly series here.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object (summary, tenants).")] = False,
    # --- power- and tariff-aware operations (aidc.power; cli/_power.py) ---
    power: Annotated[bool, typer.Option("--power", help="Meter the year in 15 minutes, bill it, apply the "
                                        "power controls of the scenario and of these flags.")] = False,
    cap_kw: Annotated[float | None, typer.Option("--cap-kw", help="--power: facility demand cap.", min=0)]
    = None,
    cap_hours: Annotated[str | None, typer.Option("--cap-hours", help="--power: all, or billing (mid/peak).")]
    = None,
    shift: Annotated[str | None, typer.Option("--shift", help="--power: shift flexible jobs, tou or carbon.")]
    = None,
    oversubscribe: Annotated[float | None, typer.Option("--oversubscribe", min=0, max=2,
                                                        help="--power: search up to this share more GPUs.")]
    = None,
    pareto: Annotated[Path | None, typer.Option("--pareto", help="--power: write the Pareto chart (HTML).")]
    = None,
) -> None:
    """Simulate a year of the scenario's GPU cloud, or replay a job trace on N GPUs."""
    if power:
        if trace is not None:
            raise typer.BadParameter("--power needs a scenario, not --trace")
        from aidc.cli import _power

        _power.run(scenario, cap_kw, shift, oversubscribe, json_, pareto, cap_hours)
        return
    if placement not in ("pooled", "node"):
        raise typer.BadParameter(f"--placement must be pooled or node, not {placement!r}")
    if policy not in sim.POLICIES:
        raise typer.BadParameter(f"--policy must be one of {', '.join(sim.POLICIES)}, not {policy!r}")
    with _progress(not json_) as progress:
        if trace is None:
            result = _scenario_result(scenario, progress)
        else:
            if gpus is None:
                raise typer.BadParameter("--gpus N is needed with --trace")
            options = {"throughputs": throughputs} if fmt == "gavel" and throughputs else {}
            if fmt == "gavel" and not throughputs:
                raise InputError.single("a Gavel trace needs --throughputs FILE", field="throughputs")
            jobs = read_trace(trace, fmt, **options)
            cluster = sim.Cluster(gpus, gpus_per_node, placement)  # type: ignore[arg-type]
            result = sim.run(jobs.drop(columns=["gpu_class"], errors="ignore"), cluster, policy, seed,
                             progress=progress)
    if out is not None:
        _write(result, out)
    if json_:
        print_json(_clean(result.summary))
    else:
        _print_table(result)


def register(app: typer.Typer) -> None:
    """Add ``aidc simulate`` to the app."""
    app.command("simulate")(simulate)
