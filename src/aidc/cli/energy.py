"""``aidc energy [SCENARIO]``: a year of facility power, cooling, PUE, the bill and carbon."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Column, Table

from aidc import DEFAULT_SCENARIO
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

if TYPE_CHECKING:  # the energy model (pandas, numpy) is imported when the command runs, not for its help
    import numpy as np

    from aidc.energy import EnergyResult
    from aidc.scenario import Scenario

COOLING_KINDS = ("air", "rear_door", "direct_liquid")
MILLION = 1e6

CoolingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--cooling",
        help="Cooling of every hall: air, rear_door or direct_liquid. Repeat to compare side by side.",
    ),
]
TariffOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tariff",
        help="Tariff key (see --list-tariffs) or tariff YAML file. Repeat to compare side by side.",
    ),
]
WeatherOpt = Annotated[Path | None, typer.Option("--weather", help="EPW or hourly CSV weather file.")]
UtilOpt = Annotated[
    str | None,
    typer.Option(
        "--utilization",
        help="Server utilisation: a fraction 0..1, or a CSV with one hourly column "
        "'utilization_frac' (or 'utilization_pct'), 8,760 rows.",
    ),
]
OccupancyOpt = Annotated[
    Path | None,
    typer.Option(
        "--occupancy",
        help="CSV with an hourly 'busy_gpus' column, 8,760 rows (e.g. hourly.csv of 'aidc simulate --out').",
    ),
]
RenewableOpt = Annotated[
    float | None,
    typer.Option(
        "--renewable", min=0.0, max=1.0, help="Share of energy bought as renewable (PPA / RE100), 0..1."
    ),
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Folder for the hourly table, summaries and pictures.")
]


def _utilization(value: str | None) -> np.ndarray | None:
    if value is None:
        return None
    import numpy as np
    import pandas as pd

    try:
        return np.full(8760, float(value))
    except ValueError:
        pass
    try:
        frame = pd.read_csv(value)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError.single(
            f"cannot read the utilisation file ({exc.__class__.__name__})", file=value
        ) from None
    for column, factor in (("utilization_frac", 1.0), ("utilization_pct", 0.01)):
        if column in frame:
            return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float) * factor
    raise InputError.single(
        "utilisation column missing", file=value, expected="utilization_frac or utilization_pct"
    )


def _busy_gpus(path: Path | None) -> np.ndarray | None:
    if path is None:
        return None
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError.single(
            f"cannot read the occupancy file ({exc.__class__.__name__})", file=str(path)
        ) from None
    if "busy_gpus" not in frame:
        raise InputError.single("occupancy column missing", file=str(path), column="busy_gpus")
    return pd.to_numeric(frame["busy_gpus"], errors="coerce").to_numpy(dtype=float)


def _variant(scenario: Scenario, cooling: str | None, tariff: str | None) -> Scenario:
    update: dict[str, Any] = {}
    if cooling is not None:
        if cooling not in COOLING_KINDS:
            raise InputError.single(
                "unknown cooling kind", field="--cooling", found=cooling, expected=", ".join(COOLING_KINDS)
            )
        update["cooling"] = cooling
    if tariff is not None:
        update["tariff"] = tariff
    return scenario.model_copy(update={"energy": scenario.energy.model_copy(update=update)})


def _label(cooling: str | None, tariff: str | None, s: Scenario, lang: str = "en") -> str:
    # English keeps the keys (what --cooling and --tariff take, and the JSON's "option");
    # another language names the cooling kind and the tariff as the catalog and the tariff file do
    if lang != "en":
        from aidc.energy.tariff import shipped_tariffs
        from aidc.report.i18n import text

        shipped = shipped_tariffs()
        cooling = None if cooling is None else text(lang).value(cooling, "text")
        tariff = None if tariff is None else (shipped[tariff].label if tariff in shipped else tariff)
    if tariff is None:
        return cooling or gettext("halls as designed", lang)
    return tariff if cooling is None else f"{cooling} / {tariff}"


def _year_table(r: EnergyResult, title: str, lang: str = "en") -> Table:
    a = r.annual
    cur = "krw" if "bill_krw" in a else next(k for k in a if k.startswith("bill_")).removeprefix("bill_")

    def g(message: str, **values: Any) -> str:
        return gettext(message, lang, **values)

    table = Table("", "", title=title, show_header=False)
    rows = [
        (g("IT energy"), f"{a['it_energy_mwh']:,.0f} MWh"),
        (g("facility energy"), f"{a['facility_energy_mwh']:,.0f} MWh"),
        (g("PUE (annual)"), f"{a['pue']:.3f}"),
        (g("peak facility demand"), g("{peak} kW (contract {contract} kW)",
                                      peak=f"{a['peak_facility_kw']:,.0f}",
                                      contract=f"{a['contract_kw']:,.0f}")),
        (g("free cooling"), g("{equivalent} equivalent h ({full} h fully free)",
                              equivalent=f"{a['free_cooling_h']:,.0f}",
                              full=f"{a['full_free_cooling_h']:,}")),
        (g("cooling-tower water"), g("{water} m³ (WUE {wue} L/kWh IT)", water=f"{a['water_m3']:,.0f}",
                                     wue=f"{a['wue_l_per_kwh']:.2f}")),
        (g("electricity bill"), g("{bill} M {currency} ({price} {currency}/kWh)",
                                  bill=f"{a[f'bill_{cur}'] / MILLION:,.0f}", currency=g(cur.upper()),
                                  price=f"{a[f'price_{cur}_per_kwh']:.1f}")),
        (g("carbon"), g("{carbon} tCO2eq (grid {factor} t/MWh, renewable {renewable})",
                        carbon=f"{a['carbon_t']:,.0f}", factor=f"{a['grid_ef_t_per_mwh']:.4f}",
                        renewable=f"{a['renewable_frac']:.0%}")),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def _month_tables(r: EnergyResult, lang: str = "en") -> tuple[Table, Table]:
    from aidc.energy.figures import bill_parts

    bill, m = r.monthly_bill, r.monthly
    parts = bill_parts(bill)
    cur = parts[0].rsplit("_", 1)[1].upper()

    def g(message: str, **values: Any) -> str:
        return gettext(message, lang, **values)

    headers = ("month", "IT MWh", "facility MWh", "PUE", "peak kW", "free h", "water m³")
    energy = Table(*(g(h) for h in headers), title=g("Month by month"))
    for i in range(len(m)):
        energy.add_row(
            str(int(m.month[i])),
            f"{m.it_energy_mwh[i]:,.0f}",
            f"{m.facility_energy_mwh[i]:,.0f}",
            f"{m.pue[i]:.3f}",
            f"{m.peak_facility_kw[i]:,.0f}",
            f"{m.free_cooling_h[i]:,.0f}",
            f"{m.water_m3[i]:,.0f}",
        )
    total = next(c for c in bill.columns if c.startswith("total_"))
    money = Table(
        g("month"),
        g("billing kW"),
        *[_bill_part(p.rsplit("_", 1)[0].replace("_", " "), lang) for p in parts],
        g("total"),
        title=g("The bill month by month (M {currency})", currency=g(cur)),
    )
    for i in range(len(bill)):
        money.add_row(
            str(int(bill.month[i])),
            f"{bill.billing_demand_kw[i]:,.0f}",
            *[f"{bill[p][i] / MILLION:,.1f}" for p in parts],
            f"{bill[total][i] / MILLION:,.1f}",
        )
    money.add_row(
        g("year"), "", *[f"{bill[p].sum() / MILLION:,.0f}" for p in parts],
        f"{bill[total].sum() / MILLION:,.0f}",
    )
    return energy, money


#: The parts of a bill by the names the tariff gives them, as the catalog knows them.
BILL_PARTS = {"basic": "basic charge", "energy": "energy charge",
              "climate env": "climate and environment charge", "fuel adjustment": "fuel cost adjustment",
              "power fund": "power industry fund", "vat": "VAT"}


def _bill_part(name: str, lang: str) -> str:
    # English keeps the tariff's short names; other languages read the part's full name
    return name if lang == "en" else gettext(BILL_PARTS.get(name, name), lang)


def _compare_table(results: list[tuple[str, EnergyResult]], lang: str = "en") -> Table:
    table = Table("", *[label for label, _ in results], title=gettext("Options side by side", lang))
    rows = [
        ("PUE", lambda a: f"{a['pue']:.3f}"),
        ("facility MWh", lambda a: f"{a['facility_energy_mwh']:,.0f}"),
        ("peak kW", lambda a: f"{a['peak_facility_kw']:,.0f}"),
        ("free cooling h", lambda a: f"{a['free_cooling_h']:,.0f}"),
        ("water m³", lambda a: f"{a['water_m3']:,.0f}"),
        ("bill M KRW", lambda a: f"{a.get('bill_krw', float('nan')) / MILLION:,.0f}"),
        ("KRW/kWh", lambda a: f"{a.get('price_krw_per_kwh', float('nan')):.1f}"),
        ("carbon t", lambda a: f"{a['carbon_t']:,.0f}"),
    ]
    for name, fmt in rows:
        table.add_row(gettext(name, lang), *[fmt(r.annual) for _, r in results])
    return table


def _write(out: Path, r: EnergyResult) -> list[Path]:
    from aidc.energy.figures import FIGURES

    out.mkdir(parents=True, exist_ok=True)
    files = {"hourly.csv": r.hourly, "monthly.csv": r.monthly, "monthly_bill.csv": r.monthly_bill}
    written = []
    for name, frame in files.items():
        frame.to_csv(out / name, index=False)
        written.append(out / name)
    for name, make in FIGURES.items():
        # include_plotlyjs="directory": one plotly.min.js beside the pages, nothing fetched at view time
        make(r).write_html(out / f"{name}.html", include_plotlyjs="directory")
        written.append(out / f"{name}.html")
    return written


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in label).strip("_")


def _json(label: str, r: EnergyResult) -> dict[str, Any]:
    return {
        "option": label,
        "annual": r.annual,
        "notes": list(r.notes),
        "monthly": r.monthly.to_dict(orient="records"),
        "monthly_bill": r.monthly_bill.to_dict(orient="records"),
    }


def energy(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    cooling: CoolingOpt = None,
    tariff: TariffOpt = None,
    weather: WeatherOpt = None,
    utilization: UtilOpt = None,
    occupancy: OccupancyOpt = None,
    renewable: RenewableOpt = None,
    out: OutOpt = None,
    json_: JsonOpt = False,
    list_tariffs: Annotated[
        bool, typer.Option("--list-tariffs", help="List the shipped tariffs and exit.")
    ] = False,
    lang: LangOpt = None,
) -> None:
    """Print a year of the facility: energy, PUE, peak, free cooling, water, the monthly bill and carbon."""
    from aidc.energy import evaluate
    from aidc.energy.tariff import shipped_tariffs
    from aidc.io.weather import read_weather
    from aidc.pipeline import closure, run

    lang = check_lang(lang)
    if list_tariffs:
        table = Table(Column(gettext("key", lang), no_wrap=True), gettext("label", lang),
                      gettext("effective from", lang), gettext("basic /kW-month", lang))
        for key, tf in shipped_tariffs().items():
            table.add_row(key, tf.label, str(tf.effective_from),
                          f"{tf.basic_per_kw_month:,.0f} {tf.currency}")
        console.print(table)
        return
    s = scenario_or_exit(scenario)
    weather_path = weather or (Path(s.energy.weather) if s.energy.weather else None)
    try:
        util, busy = _utilization(utilization), _busy_gpus(occupancy)
        own_load = util is not None or busy is not None
        # Without a load of the reader's own, the year is aidc run's: the stage table feeds the
        # simulated busy GPUs and the plan's fleet to the energy stage, so the figures are the run's.
        ran = run(s, ("design",) if own_load else ("energy",))
        update: dict[str, Any] = {}
        if renewable is not None:
            update["renewable_frac"] = renewable
        if weather is not None:
            update["weather"] = str(weather)
        base = s.model_copy(update={"energy": s.energy.model_copy(update=update)})
        w = read_weather(weather_path) if weather_path and own_load else None
        inputs = {name: ran.stage(name) for name in closure(["energy"]) if name != "energy"}
        as_designed: list[str | None] = [None]  # one run with the scenario's own choice
        combos = list(itertools.product(cooling or as_designed, tariff or as_designed))
        results: list[tuple[str, EnergyResult]] = []
        with Progress(console=console_err, transient=True, disable=len(combos) < 2 or json_) as bar:
            task = bar.add_task("evaluating options", total=len(combos))
            for c, t in combos:
                variant = _variant(base, c, t)
                year: EnergyResult | None
                if own_load:
                    no_file = variant.energy.model_copy(update={"weather": None})  # read above, as w
                    year = evaluate(variant.model_copy(update={"energy": no_file}), ran.design, busy, util, w)
                elif variant == s:
                    year = ran.energy
                else:  # another cooling, tariff or weather: the same inputs, through the same table
                    year = run(variant, ("energy",), given=inputs).energy
                assert year is not None  # the energy stage has no hard input: it always runs
                results.append((_label(c, t, s, "en" if json_ else lang), year))  # JSON: keys
                bar.advance(task)
    except InputError as exc:
        from aidc.cli._common import render_input_error

        render_input_error(exc)
        raise typer.Exit(2) from None
    if out is not None:
        for label, r in results:
            _write(out if len(results) == 1 else out / _slug(label), r)
    if json_:
        print_json(
            {
                "scenario": s.name,
                "weather": str(weather_path or "shipped Jeonju typical year"),
                "options": [_json(label, r) for label, r in results],
            }
        )
        return
    from aidc.report.checks import text_value
    from aidc.report.i18n import text

    label, first = results[0]
    shipped = gettext("shipped Jeonju typical year (KMA normals; RH Cheongju proxy)", lang)
    head = gettext("year {year}, weather: {weather}", lang, year=first.annual["year"],
                   weather=weather_path or shipped)
    console.print(f"[bold]{s.name}[/] — {head}")
    console.print(_year_table(first, gettext("The year: {label}", lang, label=label), lang))
    for table in _month_tables(first, lang):
        console.print(table)
    words = text(lang)
    for note in first.notes:
        shown = note if lang == "en" else text_value(words, note)
        console.print(f"[yellow]{gettext('note', lang)}[/]: {shown}")
    if len(results) > 1:
        console.print(_compare_table(results, lang))
    if out is not None:
        console.print(gettext("wrote the hourly table, summaries and pictures to {out}", lang, out=str(out)))


def register(app: typer.Typer) -> None:
    """Add ``aidc energy`` to the app."""
    app.command("energy")(energy)
