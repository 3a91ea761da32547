"""``aidc ops``: phase 1's records in (import), against the plan (compare), ahead (forecast, trigger)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from aidc.cli._common import LangOpt, check_lang, console, console_err, print_json, scenario_or_exit
from aidc.errors import InputError
from aidc.i18n import N_, gettext
from aidc.report.i18n import Text, text

if TYPE_CHECKING:  # pandas is imported when a subcommand runs, not for the help
    import pandas as pd

app = typer.Typer(
    help="Operate phase 1: import records, compare with the plan, forecast, phase-2 trigger.",
    no_args_is_help=True,
)

StoreOpt = Annotated[Path, typer.Option("--store", help="Directory written by 'aidc ops import --out'.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]
PlacementOpt = Annotated[
    str | None, typer.Option("--placement", help="pooled (fast) or node; default: the scenario's.")
]
LevelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--service-level",
        help="CLASS=HOURS: p95 wait limit of a tenant class (adds to or replaces the scenario's).",
    ),
]


#: Why the sacct reader skips a line (aidc.ops.sacct), as catalog messages for the reader's language.
SKIP_REASONS = (N_("job step (not an allocation)"), N_("pending array tasks not yet expanded"))


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _table(t: Text, frame: pd.DataFrame, title: str) -> Table:
    table = Table(*[t(f"ops.col.{c}") if t.has(f"ops.col.{c}") else c for c in frame.columns], title=title)
    for row in frame.itertuples(index=False):
        table.add_row(
            # a key (tenant class, yes/no) as the reader's language names it, as the report does
            *[t.num(v) if isinstance(v, int | float) and not isinstance(v, bool) else t.value(v, "text")
              for v in row]
        )
    for column in table.columns:
        column.overflow = "fold"
    return table


def _plan(scenario_name: str, levels: list[str] | None = None) -> tuple[Any, Any, Any]:
    from aidc import demand, design

    scenario = scenario_or_exit(scenario_name)
    if levels:
        scenario = _with_levels(scenario, levels)
    dem = demand.estimate(demand.load_survey(scenario), scenario)
    return scenario, dem, design.size(scenario, dem)


def _with_levels(scenario: Any, levels: list[str]) -> Any:
    from aidc.scenario.simulation import ServiceLevel

    given = dict(scenario.simulation.service_levels)
    for item in levels:
        cls, sep, hours = item.partition("=")
        try:
            given[cls.strip()] = ServiceLevel(p95_wait_h=float(hours))
        except (ValueError, TypeError):
            raise InputError.single(
                "cannot read a service level",
                field="--service-level",
                found=item,
                expected="CLASS=HOURS, e.g. university=24",
            ) from None
        if not sep:
            raise InputError.single(
                "cannot read a service level", field="--service-level", found=item, expected="CLASS=HOURS"
            )
    sim = scenario.simulation.model_copy(update={"service_levels": given})
    return scenario.model_copy(update={"simulation": sim})


def import_(
    out: Annotated[Path, typer.Option("--out", help="Directory of the tidy store (Parquet).")],
    sacct: Annotated[
        Path | None, typer.Option("--sacct", help="sacct --parsable2 --allocations output.")
    ] = None,
    telemetry: Annotated[
        list[Path] | None,
        typer.Option("--telemetry", help="Prometheus query_range JSON of DCGM metrics (repeatable)."),
    ] = None,
    meter: Annotated[Path | None, typer.Option("--meter", help="15-minute load profile CSV.")] = None,
    bills: Annotated[Path | None, typer.Option("--bills", help="Monthly bills CSV.")] = None,
    accounts: Annotated[
        Path | None, typer.Option("--accounts", help="Account/partition -> tenant class CSV.")
    ] = None,
    json_: JsonFlag = False,
    lang: LangOpt = None,
) -> None:
    """Import operations records into one tidy store, refusing malformed rows with file, line and field."""
    import pandas as pd

    from aidc import ops

    lang = check_lang(lang)
    t = text(lang)
    records = ops.import_records(sacct, telemetry, meter, bills, accounts)
    written = ops.save(records, out)
    result = ops.summary(records)
    if json_:
        print_json(_clean(result))
        return
    console_err.print(t("ops.wrote", n=len(written), out=str(out)))
    console.print(_table(t, records.read, t("ops.title.read")))
    if result["skipped"]:
        console.print(
            _table(
                # the reader's reasons are catalog messages (N_ in aidc.cli.ops: SKIP_REASONS)
                t, pd.DataFrame([(gettext(why, lang), n) for why, n in result["skipped"].items()],
                                columns=["why", "n"]), t("ops.title.skipped")
            )
        )
    if len(records.jobs):
        console.print(
            _table(
                t,
                ops.monthly(records.jobs),
                t("ops.title.monthly", n_jobs=t.num(result["n_jobs"]), gpu_h=t.num(result["gpu_h"])),
            )
        )


def compare(
    scenario: Annotated[str, typer.Argument(help="The plan: shipped scenario name or YAML.")],
    store: StoreOpt,
    placement: PlacementOpt = None,
    json_: JsonFlag = False,
    lang: LangOpt = None,
) -> None:
    """Surveyed against observed demand, and observed waits against the twin replaying the same jobs."""
    from aidc import ops

    t = text(check_lang(lang))
    sc, dem, des = _plan(scenario)
    result = ops.compare(ops.load(store).jobs, sc, dem, des, placement)
    if json_:
        print_json(
            _clean(
                {
                    "monthly": result.table.to_dict("records"),
                    "recalibration": result.recalibration.to_dict("records"),
                }
            )
        )
        return
    console.print(_table(t, result.table.round(2), t("ops.title.compare")))
    console.print(_table(t, result.recalibration.round(3), t("ops.title.recalibration")))


def forecast(
    store: StoreOpt,
    months: Annotated[int, typer.Option("--months", help="Months ahead.", min=1)] = 24,
    json_: JsonFlag = False,
    lang: LangOpt = None,
) -> None:
    """Forecast monthly GPU-hours per tenant class, with prediction intervals and a held-out check."""
    import pandas as pd

    from aidc import ops
    from aidc.report.checks import note_text

    t = text(check_lang(lang))
    result = ops.forecast(ops.monthly(ops.load(store).jobs), months)
    fits = pd.DataFrame(
        [
            {
                k: getattr(f, k)
                for k in (
                    "tenant_class",
                    "growth_frac_per_y",
                    "growth_frac_per_y_lo",
                    "growth_frac_per_y_hi",
                    "sigma_log",
                    "n_months",
                )
            }
            for f in result.fits.values()
        ]
    )
    table = result.table.drop(columns=["log_loc", "log_scale", "df"], errors="ignore")
    if json_:
        print_json(
            _clean(
                {
                    "model": t("ops.model"),
                    "fits": fits.to_dict("records"),
                    "forecast": table.to_dict("records"),
                    "holdout": result.holdout.to_dict("records"),
                    "not_forecast": result.not_forecast,
                }
            )
        )
        return
    console.print(t("ops.model"))
    console.print(_table(t, fits.round(3), t("ops.title.fits")))
    console.print(_table(t, result.holdout.round(3), t("ops.title.holdout")))
    console.print(_table(t, table.round(0), t("ops.title.forecast")))
    for cls, why in result.not_forecast.items():
        console.print(t("ops.not_forecast", tenant_class=t.value(cls, "text"), why=note_text(t, why)))


def trigger_summary(t: Text, result: Any) -> list[str]:
    """Return the trigger's verdict as lines of text in the language of ``t``."""
    lines = [
        t("ops.trigger.break_factor", factor=t.num(result.break_factor, 2), cls=result.breaking_class or "–")
        if math.isfinite(result.break_factor)
        else t("ops.trigger.no_break")
    ]
    if result.break_month:
        lines.append(t("ops.trigger.break_month", month=result.break_month))
        lines.append(t("ops.trigger.decide_by", month=result.decide_by, lead=result.lead_time_months))
        if result.months_late:
            lines.append(t("ops.trigger.late", n=result.months_late))
    else:
        lines.append(t("ops.trigger.not_within"))
    if result.phase2_year is None:
        lines.append(t("ops.trigger.no_phase2"))
    else:
        lines.append(
            t(
                "ops.trigger.size",
                year=result.phase2_year,
                it=t.power(result.phase2_it_kw),
                n_servers=t.num(result.phase2_n_servers),
                n_gpus=t.num(result.phase2_gpu_eq),
            )
        )
    return lines


def trigger(
    scenario: Annotated[str, typer.Argument(help="The plan: shipped scenario name or YAML.")],
    store: StoreOpt,
    placement: PlacementOpt = None,
    service_level: LevelOpt = None,
    json_: JsonFlag = False,
    lang: LangOpt = None,
) -> None:
    """Probability by month that the service levels break, lead time, latest month to decide, phase-2 size."""
    from aidc import ops

    t = text(check_lang(lang))
    sc, _, des = _plan(scenario, service_level)
    result = ops.trigger(ops.load(store).jobs, sc, des, placement)
    if json_:
        fields = {k: getattr(result, k) for k in result.__slots__ if k not in ("by_month", "lead_steps")}
        print_json(
            _clean(
                fields
                | {
                    "by_month": result.by_month.to_dict("records"),
                    "lead_steps": result.lead_steps.to_dict("records"),
                }
            )
        )
        return
    console.print(_table(t, result.lead_steps.drop(columns=["source"]), t("ops.title.lead")))
    console.print(_table(t, result.by_month.iloc[::3].round(3), t("ops.title.by_month")))
    for line in trigger_summary(t, result):
        console.print(line, highlight=False)


def generate(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or YAML.")],
    out: Annotated[Path, typer.Option("--out", help="sacct file to write.")],
    years: Annotated[int, typer.Option("--years", help="Years of operation from the first.", min=1)] = 2,
    lang: LangOpt = None,
) -> None:
    """Write the twin's operations record as sacct output: a stand-in for phase 1's first years."""
    from aidc import ops
    from aidc.ops import twin

    sc, dem, des = _plan(scenario)
    first = sc.simulation.year if sc.simulation.year is not None else sc.start_year
    log, t0 = twin.operations_record(sc, dem, des, tuple(range(first, first + years)))
    out.write_text(ops.write_sacct(log, t0), encoding="utf-8")
    console_err.print(gettext("{n} jobs -> {out}", check_lang(lang), n=f"{len(log):,}", out=str(out)))


def register(root: typer.Typer) -> None:
    """Add ``aidc ops`` and its commands to the app."""
    app.command("import")(import_)
    app.command("compare")(compare)
    app.command("forecast")(forecast)
    app.command("trigger")(trigger)
    app.command("generate")(generate)
    root.add_typer(app, name="ops")
