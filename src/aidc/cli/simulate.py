"""``aidc simulate [SCENARIO]`` and ``aidc simulate --trace FILE --gpus N``: the operations twin."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aidc.cli import _common
from aidc.cli._common import LangOpt, check_lang, print_json, scenario_or_exit
from aidc.errors import InputError
from aidc.i18n import gettext

if TYPE_CHECKING:
    from aidc import simulate as sim

# The names of aidc.simulate.POLICIES and aidc.io.traces.FORMATS, for the help text: importing
# those modules (numpy, pyarrow) only to print --help would cost more than the help itself.
# tests/simulate/test_cli.py checks that they stay the same.
POLICY_NAMES = ("fifo", "easy", "fair_share", "slurm_fair_share", "priority", "reserved",
                "preemptive_priority", "las")
FORMAT_NAMES = ("canonical", "philly", "openb", "swf", "gavel")


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[float], None] | None]:
    if not show:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("simulating"), BarColumn(), TextColumn("{task.percentage:>3.0f}% submitted"),
               TimeElapsedColumn())
    with Progress(*columns, console=_common.console_err, transient=True) as bar:
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
    from rich.table import Table

    from aidc import i18n
    from aidc.report.i18n import text

    console = _common.console  # through the module: rich loads when a table is printed, not for --json

    lang = i18n.current_lang()
    words = text(lang)

    def shown(key: str) -> str:  # English keeps the keys the options take (fifo, node); Korean reads labels
        return key if lang == "en" else words.value(key, "text")

    s = result.summary
    headers = ("tenant", "jobs", "GPU-h", "wait h", "p50", "p95", "p99", "JCT h", "slowdown", "share",
               "target")
    title = gettext("policy {policy}, {n} GPUs ({placement})", lang, policy=shown(s["policy"]),
                    n=f"{s['n_gpus']:,}", placement=shown(s["placement"]))
    table = Table(*(gettext(h, lang) for h in headers), title=title)
    rows = [*s["tenants"].items(), ("all", s | {"share_frac": 1.0, "configured_share_frac": math.nan})]
    for name, t in rows:
        conf = t.get("configured_share_frac", math.nan)
        label = gettext("all", lang) if name == "all" else shown(str(name))
        table.add_row(label, f"{t['n_jobs']:,}", f"{t['gpu_hours']:,.0f}", _h(t["mean_wait_s"]),
                      _h(t["p50_wait_s"]), _h(t["p95_wait_s"]), _h(t["p99_wait_s"]), _h(t["mean_jct_s"]),
                      f"{t['mean_slowdown']:,.2f}", f"{t['share_frac']:.1%}",
                      "-" if conf is None or not math.isfinite(conf) else f"{conf:.1%}")
    for column in table.columns:  # a narrow terminal folds a cell rather than hiding it behind '…'
        column.overflow = "fold"
    console.print(table)
    console.print(gettext("utilization {utilization} over a makespan of {makespan} h; "
                          "{done} of {n} jobs ran", lang, utilization=f"{s['utilization_frac']:.1%}",
                          makespan=_h(s["makespan_s"]), done=f"{s['n_jobs_done']:,}", n=f"{s['n_jobs']:,}"),
                  highlight=False)
    if s.get("n_failures"):
        console.print(gettext("{failures} node failures, {restarts} restarts: {lost} GPU-h of work lost, "
                              "{checkpoint} GPU-h writing checkpoints, {down} GPU-h on nodes under repair",
                              lang, failures=f"{s['n_failures']:,}", restarts=f"{s['n_restarts']:,}",
                              lost=f"{s['lost_gpu_h']:,.0f}",
                              checkpoint=f"{s['checkpoint_overhead_gpu_h']:,.0f}",
                              down=f"{s['down_gpu_h']:,.0f}"), highlight=False)
    if s.get("n_preemptions"):
        console.print(gettext(
            "{preemptions} preemptions; {lost} GPU-h of work lost since the last checkpoints",
            lang, preemptions=f"{s['n_preemptions']:,}", lost=f"{s['lost_gpu_h']:,.0f}"),
            highlight=False)
    if "rounded_gpu_h" in s:
        extra = s["rounded_gpu_h"] / s["gpu_hours"] - 1 if s["gpu_hours"] else 0.0
        console.print(gettext("fractional GPUs packed: {held} GPU-h held; whole GPUs per pod would count "
                              "{rounded} GPU-h ({extra})", lang, held=f"{s['gpu_hours']:,.0f}",
                              rounded=f"{s['rounded_gpu_h']:,.0f}", extra=f"{extra:+.1%}"), highlight=False)


def _write(result: sim.SimulationResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # a streamed run wrote its job log piece by piece already
    tables = (("hourly", result.hourly),) if result.summary.get("streamed") else \
        (("jobs", result.jobs), ("hourly", result.hourly))
    for name, df in tables:
        df.to_parquet(out / f"{name}.parquet", index=False)
        df.to_csv(out / f"{name}.csv", index=False)
    result.tenants.to_csv(out / "tenants.csv")
    _common.console_err.print(f"wrote jobs and hourly series (Parquet and CSV) to {out}")


def _pairs(text: str | None, option: str, cast: Callable[[str], Any]) -> dict[str, Any]:
    """Parse ``tenant=value,tenant=value`` (``--shares``, ``--quotas``)."""
    if not text:
        return {}
    out: dict[str, Any] = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            out[name.strip()] = cast(value.strip())
        except ValueError:
            raise typer.BadParameter(f"{option} takes tenant=value pairs separated by commas, not {item!r}") \
                from None
    return out


PREEMPTIVE = ("preemptive_priority", "las")


def _trace_policy_params(policy: str, depth: int | None, shares: dict[str, float],
                         quotas: dict[str, int], half_life_h: float | None,
                         thresholds_gpu_h: str | None = None,
                         checkpoint: tuple[float | None, float | None] = (None, None)) -> dict[str, Any]:
    """Return the named policy's parameters from the command line (a trace's policy_params)."""
    params: dict[str, Any] = {}
    if thresholds_gpu_h is not None:
        if policy != "las":
            raise typer.BadParameter("--thresholds-gpu-h applies to --policy las")
        try:
            params["thresholds_gpu_h"] = [float(x) for x in thresholds_gpu_h.split(",") if x.strip()]
        except ValueError:
            raise typer.BadParameter(f"--thresholds-gpu-h takes GPU-hours separated by commas, not "
                                     f"{thresholds_gpu_h!r}") from None
    if policy in PREEMPTIVE:  # a preempted job resumes from its checkpoint, failures or not
        interval_s, write_s = checkpoint
        params |= {k: v for k, v in (("checkpoint_interval_s", interval_s), ("checkpoint_write_s", write_s))
                   if v is not None}
    if (shares or quotas) and policy not in ("fair_share", "slurm_fair_share"):
        raise typer.BadParameter("--shares and --quotas apply to --policy fair_share or slurm_fair_share")
    if half_life_h is not None and policy != "slurm_fair_share":
        raise typer.BadParameter("--half-life-h applies to --policy slurm_fair_share")
    if depth is not None and policy not in ("easy", "reserved"):
        raise typer.BadParameter("--backfill-depth applies to --policy easy or reserved")
    if shares:
        params["shares"] = shares
    if quotas:
        params["quotas_gpus"] = quotas
    if depth is not None:
        params["depth"] = depth
    if half_life_h is not None:
        params["half_life_h"] = half_life_h
    return params


def _failures(on: bool, mtbf_h: float | None, mttr_h: float | None, checkpoint_interval_s: float | None,
              checkpoint_write_s: float | None, gpus_per_node: int) -> sim.Failures | None:
    """Node failures for a trace replay; defaults from data/defaults/simulation.yaml."""
    if not on:
        return None
    from aidc import data
    from aidc import simulate as sim

    return sim.Failures(
        # the published rate is per GPU: a node of g GPUs fails g times as often as one GPU
        mtbf_h=mtbf_h if mtbf_h is not None else data.value("simulation.gpu_mtbf_h") / gpus_per_node,
        mttr_h=mttr_h if mttr_h is not None else data.value("simulation.mttr_h"),
        checkpoint_interval_s=checkpoint_interval_s if checkpoint_interval_s is not None
        else data.value("simulation.checkpoint_interval_s"),
        checkpoint_write_s=checkpoint_write_s if checkpoint_write_s is not None
        else data.value("simulation.checkpoint_write_s"))


def _packed(trace: Path, fmt: str, nodes: Path, gpus: int | None, policy: str,
            failures: bool) -> sim.SimulationResult:
    """Replay a trace on a node list with fractional GPUs packed (``aidc.simulate.packing``)."""
    if gpus is not None:
        raise typer.BadParameter("--nodes gives the cluster: leave out --gpus")
    if policy != "fifo" or failures:
        raise typer.BadParameter("--nodes (packed fractional GPUs) runs FIFO without failures")
    from aidc import data
    from aidc.io.traces import read_openb_nodes, read_trace
    from aidc.simulate.packing import pack_fifo, packed_result

    jobs = read_trace(trace, fmt)
    return packed_result(jobs, pack_fifo(jobs, read_openb_nodes(nodes)),
                         data.value("simulation.slowdown_min_duration_s"))


def _streamed(trace: Path, fmt: str, gpus: int | None, policy: str, placement: str, failures: bool,
              out: Path | None) -> sim.SimulationResult:
    """FIFO over a trace read in pieces (``aidc.simulate.stream``); the job log goes to ``out``."""
    if gpus is None:
        raise typer.BadParameter("--gpus N is needed with --trace")
    if fmt != "canonical" or policy != "fifo" or placement != "pooled" or failures:
        raise typer.BadParameter("--stream reads a canonical trace under --policy fifo, --placement pooled, "
                                 "without --failures")
    from aidc import data
    from aidc.io.traces import iter_canonical
    from aidc.simulate.stream import run_fifo_stream

    return run_fifo_stream(iter_canonical(trace), gpus, data.value("simulation.slowdown_min_duration_s"),
                           log_dir=out)


def _scenario_result(name: str | None, progress: Callable[[float], None] | None,
                     overrides: dict[str, Any]) -> sim.SimulationResult:
    scenario = scenario_or_exit(name)
    if overrides:  # command-line settings win over the scenario's simulation section
        section = scenario.simulation.model_copy(update=overrides)
        scenario = scenario.model_copy(update={"simulation": section})
    from aidc import pipeline

    # the stage table wires the stages that feed the simulation, as in 'aidc run'
    earlier = pipeline.run(scenario, ["design"])
    assert earlier.design is not None  # noqa: S101 -- design needs the demand, so both ran
    assert earlier.demand is not None
    from aidc import simulate as sim

    return sim.run_scenario(scenario, earlier.design, earlier.demand, progress=progress)


def simulate(
    # no default value here: naming the default scenario would import the scenario schema,
    # which a trace replay never needs
    scenario: Annotated[str | None, typer.Argument(
        help="Shipped scenario name or YAML (not with --trace); default: the default scenario.")] = None,
    trace: Annotated[Path | None, typer.Option("--trace", help="Replay this job trace instead.")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"Trace format: {', '.join(FORMAT_NAMES)}.")] \
    = "canonical",
    gpus: Annotated[int | None, typer.Option("--gpus", help="GPUs of the cluster (--trace).", min=1)] = None,
    gpus_per_node: Annotated[int, typer.Option("--gpus-per-node", help="GPUs per node.", min=1)] = 8,
    placement: Annotated[str, typer.Option("--placement", help="pooled or node.")] = "pooled",
    policy: Annotated[str | None, typer.Option(
        "--policy", help=f"Scheduling policy: {', '.join(POLICY_NAMES)} (default: the scenario's; fifo for "
        "--trace).")] = None,
    throughputs: Annotated[Path | None, typer.Option(help="Gavel throughputs JSON (--format gavel).")] = None,
    stream: Annotated[bool, typer.Option(
        "--stream", help="Read the trace in pieces (larger than memory; canonical, sorted by submit_s): "
                         "FIFO, pooled, no failures; --out gets the job log piece by piece.")] = False,
    nodes: Annotated[Path | None, typer.Option(
        "--nodes", help="Node list as the cluster (openb_node_list_*.csv): fractional GPUs (gpu_milli) are "
                        "packed onto shared GPUs, FIFO; instead of --gpus.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of random draws.")] = 0,
    cache: Annotated[bool, typer.Option(
        "--cache/--no-cache", help="Keep the trace's columns for the next run of the same file "
                                   "(in AIDC_CACHE_DIR, else ~/.cache/aidc).")] = True,
    failures: Annotated[bool, typer.Option("--failures/--no-failures",
                                           help="Simulate node failures (needs --placement node).")] = False,
    mtbf_h: Annotated[float | None, typer.Option(
        "--mtbf-h", min=0.001, help="Mean time between failures of a node, hours; default: the per-GPU rate "
                                    "of the Llama 3 report / GPUs per node.")] = None,
    mttr_h: Annotated[float | None, typer.Option(
        "--mttr-h", min=0.001, help="Mean time to repair a node, hours.")] = None,
    checkpoint_interval_s: Annotated[float | None, typer.Option(
        "--checkpoint-interval-s", min=1, help="Work between checkpoints, seconds.")] = None,
    checkpoint_write_s: Annotated[float | None, typer.Option(
        "--checkpoint-write-s", min=0, help="Time to write one checkpoint, seconds (--trace).")] = None,
    backfill_depth: Annotated[int | None, typer.Option(
        "--backfill-depth", min=1, help="Queued jobs examined per backfill pass (easy, reserved).")] = None,
    shares: Annotated[str | None, typer.Option(
        "--shares", help="Fair-share targets, e.g. university=0.4,startup=0.2 (fractions).")] = None,
    quotas: Annotated[str | None, typer.Option(
        "--quotas", help="GPUs guaranteed under fair share, e.g. public=64.")] = None,
    half_life_h: Annotated[float | None, typer.Option(
        "--half-life-h", min=0.001,
        help="Half-life of past usage, hours (slurm_fair_share, --trace).")] = None,
    thresholds_gpu_h: Annotated[str | None, typer.Option(
        "--thresholds-gpu-h",
        help="Queue thresholds of attained service, GPU-hours, e.g. 16 or 1,16 (las, --trace).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write job log and hourly series here.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object (summary, tenants).")] = False,
    # --- power- and tariff-aware operations (aidc.power; cli/_power.py) ---
    power: Annotated[bool, typer.Option("--power", help="Meter the year in 15 minutes, bill it, apply the "
                                        "power controls of the scenario and of these flags.")] = False,
    cap_kw: Annotated[float | None, typer.Option("--cap-kw", help="--power: facility demand cap.", min=0)]
    = None,
    cap_hours: Annotated[str | None, typer.Option("--cap-hours", help="--power: all, or billing (mid/peak).")]
    = None,
    gpu_cap: Annotated[bool, typer.Option("--gpu-cap", help="--power: under the cap, power-limit flexible "
                                          "jobs' GPUs (slower) before delaying them.")] = False,
    shift: Annotated[str | None, typer.Option("--shift", help="--power: shift flexible jobs, tou or carbon.")]
    = None,
    oversubscribe: Annotated[float | None, typer.Option("--oversubscribe", min=0, max=2,
                                                        help="--power: search up to this share more GPUs.")]
    = None,
    pareto: Annotated[Path | None, typer.Option("--pareto", help="--power: write the Pareto chart (HTML).")]
    = None,
    lang: LangOpt = None,
) -> None:
    """Simulate a year of the scenario's GPU cloud, or replay a job trace on N GPUs."""
    check_lang(lang)
    if power:
        if trace is not None:
            raise typer.BadParameter("--power needs a scenario, not --trace")
        from aidc.cli import _power

        _power.run(scenario, cap_kw, shift, oversubscribe, json_, pareto, cap_hours, gpu_cap)
        return
    if placement not in ("pooled", "node"):
        raise typer.BadParameter(f"--placement must be pooled or node, not {placement!r}")
    if policy is not None and policy not in POLICY_NAMES:
        raise typer.BadParameter(f"--policy must be one of {', '.join(POLICY_NAMES)}, not {policy!r}")
    if nodes is not None and trace is None:
        raise typer.BadParameter("--nodes goes with --trace FILE")
    share_of = _pairs(shares, "--shares", float)
    quota_of = _pairs(quotas, "--quotas", int)
    with _progress(not json_) as progress:
        trace_policy = policy or "fifo"
        if trace is None:
            overrides = {k: v for k, v in {
                "failures": failures or None, "mtbf_h": mtbf_h, "mttr_h": mttr_h,
                "checkpoint_interval_s": checkpoint_interval_s, "backfill_depth": backfill_depth,
                "shares": share_of or None, "quotas_gpus": quota_of or None, "policy": policy}.items()
                if v is not None}
            result = _scenario_result(scenario, progress, overrides)
        elif stream:
            result = _streamed(trace, fmt, gpus, trace_policy, placement, failures, out)
        elif nodes is not None:
            result = _packed(trace, fmt, nodes, gpus, trace_policy, failures)
        else:
            if gpus is None:
                raise typer.BadParameter("--gpus N is needed with --trace")
            options = {"throughputs": throughputs} if fmt == "gavel" and throughputs else {}
            if fmt == "gavel" and not throughputs:
                raise InputError.single("a Gavel trace needs --throughputs FILE", field="throughputs")
            params = _trace_policy_params(trace_policy, backfill_depth, share_of, quota_of, half_life_h,
                                          thresholds_gpu_h, (checkpoint_interval_s, checkpoint_write_s))
            node_failures = _failures(failures, mtbf_h, mttr_h, checkpoint_interval_s, checkpoint_write_s,
                                      gpus_per_node)
            # typed columns, not a DataFrame: the replay and its summary never import pandas
            from aidc import simulate as sim
            from aidc.io.traces import read_trace_columns

            jobs = read_trace_columns(trace, fmt, cache=cache, **options)
            cluster = sim.Cluster(gpus, gpus_per_node, placement)  # type: ignore[arg-type]
            result = sim.run(replace(jobs, gpu_class=None), cluster, trace_policy, seed,
                             policy_params=params, failures=node_failures, progress=progress)
    if out is not None:
        _write(result, out)
    if json_:
        print_json(_clean(result.summary))
    else:
        _print_table(result)


def register(app: typer.Typer) -> None:
    """Add ``aidc simulate`` to the app."""
    app.command("simulate")(simulate)
