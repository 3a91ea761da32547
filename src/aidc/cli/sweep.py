"""``aidc sweep``: run a scenario's sweep (variants × seeds) on Dask and write a tidy table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from aidc.cli._common import (
    JsonOpt,
    LangOpt,
    ScenarioArg,
    check_lang,
    console,
    console_err,
    print_json,
    scenario_or_exit,
)
from aidc.errors import InputError
from aidc.i18n import gettext

if TYPE_CHECKING:
    from aidc.sweep import SweepResult

DEFAULT_STAGES = ("design", "energy", "economics")


def _stage_names(text: str | None) -> list[str]:
    from aidc.sweep import STAGES, available

    if text:
        return [s.strip() for s in text.split(",") if s.strip()]
    ready = available(STAGES)
    chosen = [s for s in DEFAULT_STAGES if ready[s]]
    if not chosen:
        raise InputError.single("none of the default stages is available yet in this aidc",
                                field="--stages", expected="--stages with one of "
                                + ", ".join(n for n, ok in ready.items() if ok))
    return chosen


def sweep(
    scenario: ScenarioArg,
    stages: Annotated[str | None, typer.Option(
        "--stages", help="Comma-separated stages: scenario, design, simulate, energy, economics, "
        "or all (the whole pipeline). Default: those of design,energy,economics available.")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Worker processes of the local Dask cluster (default: one per core).",
    )] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of a running Dask scheduler (tcp://host:8786), or 'synchronous' "
        "to run in this process.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Output folder (default: sweep-<scenario name>).")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the sweep in --out: finished runs are not run again.")] = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="Discard earlier results in --out.")] = False,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="With --resume, run failed runs again.")] = False,
    seeds: Annotated[int | None, typer.Option(
        "--seeds", min=1, help="Seeds per variant (overrides the scenario's n_seeds).")] = None,
    runs_per_task: Annotated[int | None, typer.Option(
        "--runs-per-task", min=1, help="Runs batched into one Dask task (default: automatic).")] = None,
    json_: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Run every variant of a scenario's sweep: section and write sweep.parquet, sweep.csv, charts.html.

    The variants are the cartesian product of the sweep: axes, each run with seeds seed,
    seed+1, ... (n_seeds). Results are journaled batch by batch in OUT/runs.jsonl, so an
    interrupted sweep continues with --resume. A run that fails is recorded with its error;
    the others go on, and the exit status is 1.
    """
    from aidc.sweep import sweep as run_sweep

    lang = check_lang(lang)
    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give --workers (local cluster) or --scheduler, not both")
    s = scenario_or_exit(scenario)
    out_dir = out or Path(f"sweep-{s.name}")
    names = _stage_names(stages)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=console, transient=json_, disable=json_) as bar:
            task = bar.add_task(gettext("sweep `{scenario}` ({stages})", lang, scenario=s.name,
                                        stages=", ".join(_stage_label(n, lang) for n in names)), total=None)
            result = run_sweep(
                s, names, scheduler=scheduler, n_workers=workers, out_dir=out_dir, resume=resume,
                fresh=fresh, retry_failed=retry_failed, n_seeds=seeds, runs_per_task=runs_per_task,
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except KeyboardInterrupt:
        console_err.print(gettext("stopped: the finished runs are journaled in {journal}; continue with "
                                  "--resume", lang, journal=f"{out_dir}/runs.jsonl"))
        raise typer.Exit(130) from None
    summary = {
        "scenario": s.name, "stages": names, "axes": list(result.axes), "n_runs": result.n_runs,
        "n_reused": result.n_reused, "n_failed": result.n_failed, "wall_s": round(result.wall_s, 3),
        "out_dir": str(out_dir), "files": [str(out_dir / f) for f in
                                           ("sweep.parquet", "sweep.csv", "charts.html", "runs.jsonl",
                                            "scenario.yaml", "manifest.json")],
    }
    if json_:
        print_json(summary)
    else:
        _print_summary(result, out_dir, lang)
    if result.n_failed:
        raise typer.Exit(1)


def _stage_label(name: str, lang: str) -> str:
    """Return a sweep stage's name as the run's progress names it (``simulate`` is the simulation)."""
    from aidc.report.i18n import text

    t = text(lang)
    key = f"section.{'simulation' if name == 'simulate' else name}"
    return t(key) if t.has(key) else name


def _print_summary(result: SweepResult, out_dir: Path, lang: str = "en") -> None:
    console.print(gettext(
        "{n_runs} runs ({n_reused} reused from an earlier run), {n_failed} failed, in {wall_s} s -> {out} "
        "sweep.parquet, sweep.csv, charts.html", lang, n_runs=result.n_runs, n_reused=result.n_reused,
        n_failed=result.n_failed, wall_s=f"{result.wall_s:.1f}", out=f"{out_dir}/"))
    failed = result.table[result.table["status"] != "ok"]
    if len(failed):
        # Grouped by message: a thousand runs failing for one reason make one line.
        shown = Table(gettext("runs", lang), gettext("first failing variant", lang), gettext("error", lang),
                      title=gettext("failed runs, by error", lang))
        for error, group in failed.groupby("error", sort=False):
            first = group.iloc[0]
            where = ", ".join(f"{a}={first[a]}" for a in result.axes) or gettext("base scenario", lang)
            seed = gettext("{where} (seed {seed})", lang, where=where, seed=first["seed"])
            shown.add_row(str(len(group)), seed, str(error))
        console.print(shown)


def register(app: typer.Typer) -> None:
    """Add ``aidc sweep`` to the app."""
    app.command("sweep")(sweep)
