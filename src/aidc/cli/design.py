"""``aidc design [SCENARIO]``: size the facility and print the summary (or ``--json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.panel import Panel
from rich.table import Table

from aidc import DEFAULT_SCENARIO, i18n, units
from aidc.cli._common import (
    JsonOpt,
    LangOpt,
    ScenarioArg,
    check_lang,
    console,
    print_json,
    render_input_error,
    scenario_or_exit,
)
from aidc.errors import InputError

if TYPE_CHECKING:  # the stages (pandas, numpy) are imported when the command runs, not for its help
    from aidc.design import Check, Design
    from aidc.scenario import Scenario
    from aidc.service import FleetSizing


def _area(area_m2: float, lang: str) -> str:
    pyeong = units.m2_to_pyeong(area_m2)
    return f"{area_m2:,.0f} m² ({pyeong:,.0f} {'평' if lang == 'ko' else 'pyeong'})"


def _kw(power_kw: float) -> str:
    return f"{power_kw:,.0f} kW"


def _article(d: Design, s: Scenario, t: dict[str, str]) -> Panel:
    a = d.article
    lines = [t["article_line"].format(cap=a.it_capacity_kw, w=a.reference_power_w, n=a.n_reference_servers)]
    lines += [
        t["article_gpu_line"].format(cap=a.it_capacity_kw, n=e.n_servers, label=e.label,
                                     kw=e.power_max_w / 1000, g=e.n_gpus)
        for e in a.equivalents
    ]
    lines.append(t["network_policy_in" if s.facility.network_in_it_capacity else "network_policy_out"])
    return Panel("\n".join(lines), title=t["article"], expand=False)


def _label(key: str) -> str:
    """Return the label of a key (a server type, a hall) in the command's language."""
    from aidc.report.i18n import text

    return text(i18n.current_lang()).value(key, "text")


def _fleet(d: Design, s: Scenario, t: dict[str, str]) -> Table:
    f, catalog = d.fleet, s.servers()
    table = Table(t["server_type"], t["n_servers"], t["n_gpus"], t["power_kw"], title=t["fleet"])
    for key, n in f.servers.items():
        table.add_row(_label(key), f"{n:,}", f"{n * catalog[key].n_gpus:,}",
                      f"{f.server_power_by_type_kw[key]:,.0f}")
    table.add_row(t["network_power_kw"], "", "", f"{f.network_power_kw:,.0f}")
    table.add_row(f"[bold]{t['it_power_kw']}[/]", f"[bold]{f.n_servers:,}[/]", f"[bold]{f.n_gpus:,}[/]",
                  f"[bold]{f.it_power_kw:,.0f}[/]")
    return table


def _racks(d: Design, t: dict[str, str]) -> Table:
    table = Table(t["hall"], t["cooling_kind"], t["content"], t["per_rack"], t["n_racks"],
                  t["rack_power_kw"], t["rack_weight_kg"], t["limited_by"], title=t["racks"])
    for g in d.layout.rack_groups:
        cooling = next(h.cooling for h in d.layout.halls if h.name == g.hall)
        network = g.content.startswith("network:")
        content = t[g.content.removeprefix("network:")] if network else _label(g.content)
        table.add_row(_label(g.hall), t[cooling], content, str(g.units_per_rack), f"{g.n_racks:,}",
                      f"{g.rack_power_kw:,.1f}", f"{g.rack_weight_kg:,.0f}", t[g.limited_by])
    for h in d.layout.halls:
        table.add_row(f"[bold]{_label(h.name)}[/]", "", f"{t['n_rows']}: {h.n_rows}", "",
                      f"[bold]{h.n_racks:,}[/]", f"{h.it_power_kw:,.0f} kW", "", "")
    return table


def _layout(d: Design, lang: str, t: dict[str, str]) -> Table:
    lay = d.layout
    table = Table("", "", title=t["layout"], show_header=False)
    rows = [
        (t["site_area"], _area(lay.site_area_m2, lang)),
        (t["white_space_m2"], _area(lay.white_space_m2, lang)),
        (t["grey_space_m2"], _area(lay.grey_space_m2, lang)),
        (t["support_space_m2"], _area(lay.support_space_m2, lang)),
        (t["core_m2"], _area(lay.core_m2, lang)),
        (t["gross_floor_area_m2"], f"{_area(lay.gross_floor_area_m2, lang)} ≤ "
                                   f"{_area(lay.gross_floor_area_max_m2, lang)}"),
        (t["building_footprint_m2"], f"{_area(lay.building_footprint_m2, lang)} ≤ "
                                     f"{_area(lay.footprint_max_m2, lang)}"),
        (t["floors_used"], f"{lay.floors_used} / {lay.floors_allowed}"),
        (t["building_height_m"], f"{lay.building_height_m:,.1f} m"),
        (t["floor_loading_kg_per_m2"], f"{lay.floor_loading_kg_per_m2:,.0f} kg/m²"),
        (t["site_it_capacity_kw"], f"≈ {lay.site_it_capacity_kw / 1000:,.1f} MW "
                                   f"({lay.gross_floor_area_m2_per_kw:.2f} m²/kW)"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


def _power(d: Design, t: dict[str, str]) -> Table:
    p = d.power
    table = Table("", t["count"], t["unit_size"], t["redundancy"], title=t["power_chain"])
    table.add_row(t["pdu"], f"{p.n_pdus}", _kw(p.pdu_kw), p.ups_redundancy)
    table.add_row(t["ups"], f"{p.n_ups_modules} ({p.n_ups_modules_required})", _kw(p.ups_module_kw),
                  p.ups_redundancy)
    table.add_row(t["transformers"], f"{p.n_transformers} ({p.n_transformers_required})",
                  f"{p.transformer_kva:,.0f} kVA", p.ups_redundancy)
    table.add_row(t["generators"], f"{p.n_generators} ({p.n_generators_required})", _kw(p.generator_kw),
                  p.generator_redundancy)
    for key in ("it_design_kw", "loss_kw", "cooling_power_kw", "other_power_kw", "facility_peak_kw",
                "grid_contract_kw"):
        table.add_row(t[key], _kw(getattr(p, key)), "", "")
    return table


def _cooling(d: Design, t: dict[str, str]) -> Table:
    c = d.cooling
    table = Table("", t["count"], t["unit_size"], t["redundancy"], title=t["cooling"])
    table.add_row(t["chillers"], f"{c.n_chillers} ({c.n_chillers_required})", _kw(c.chiller_kw),
                  c.cooling_redundancy)
    table.add_row(t["cooling_towers"], f"{c.n_cooling_towers} ({c.n_cooling_towers_required})",
                  _kw(c.cooling_tower_kw), c.cooling_redundancy)
    if c.n_cdus:
        table.add_row(t["cdus"], str(c.n_cdus), _kw(c.cdu_kw), c.cooling_redundancy)
    if c.n_crahs:
        table.add_row(t["crahs"], str(c.n_crahs), _kw(c.crah_kw), c.cooling_redundancy)
    if c.n_rear_doors:
        table.add_row(t["rear_doors"], str(c.n_rear_doors), "", "")
    for key in ("heat_rejected_kw", "chiller_load_kw", "liquid_heat_kw", "cooling_power_kw"):
        table.add_row(t[key], _kw(getattr(c, key)), "", "")
    table.add_row(f"[bold]{t['design_pue']}[/]", f"[bold]{c.design_pue:.3f}[/]", "", "")
    return table


def _network(d: Design, t: dict[str, str]) -> Table:
    n = d.network
    table = Table("", t["switch"], t["tiers"], t["leaf"], t["spine"], t["core"], t["cables"],
                  t["transceivers"], t["power_kw"], title=t["network"])
    for f in (n.backend, n.frontend):
        if f.n_endpoints:
            table.add_row(t[f.name], f.switch.upper(), str(f.n_tiers), f"{f.n_leaf:,}", f"{f.n_spine:,}",
                          f"{f.n_core:,}", f"{f.n_cables:,}", f"{f.n_transceivers:,}",
                          f"{f.switch_power_kw:,.0f}")
    table.add_row(t["oob"], "SN2201", "", f"{n.n_oob_switches:,}", "", "", "", "",
                  f"{n.power_kw - n.backend.switch_power_kw - n.frontend.switch_power_kw:,.0f}")
    return table


def _checks(d: Design, t: dict[str, str]) -> Table:
    from aidc.design.checks import fmt

    table = Table("", t["check"], t["value"], t["limit"], t["margin"], title=t["checks"])
    for c in d.checks:
        status = f"[green]{t['ok']}[/]" if c.ok else f"[bold red]{t['fail']}[/]"
        name = t.get(c.name, c.name)
        if c.name == d.binding_limit:
            name = f"[bold yellow]► {name}[/]"
        table.add_row(status, name, f"{fmt(c.value)} {_unit(c.unit)}", f"{fmt(c.limit)} {_unit(c.unit)}",
                      f"{c.margin_frac * 100:+.1f} %")
    return table


def _unit(symbol: str) -> str:
    from aidc.report.i18n import text

    return text(i18n.current_lang()).unit(symbol)


def _verdict(d: Design, t: dict[str, str]) -> str:
    head = t["design_fits"] if d.ok else t["design_fails"].format(n=len(d.failing))
    colour = "green" if d.ok else "bold red"
    lines = [f"[{colour}]{head}[/]"]
    ranked = d.limits_by_margin
    if ranked:
        lines.append(f"[bold yellow]{t['binding']}:[/] {_check_line(ranked[0], t)}")
    if len(ranked) > 1:
        lines.append(f"{t['next_limit']}: {_check_line(ranked[1], t)}")
    lines += [f"[red]✗ {_check_line(c, t)}[/]" for c in d.failing if c is not ranked[0]]
    return "\n".join(lines)


def _check_line(c: Check, t: dict[str, str]) -> str:
    """One check in the output language: label, value, limit, margin."""
    from aidc.design.checks import fmt

    return (f"{t.get(c.name, c.name)}: {fmt(c.value)} {_unit(c.unit)} / {t['limit']} {fmt(c.limit)} "
            f"{_unit(c.unit)} "
            f"({t['margin']} {c.margin_frac * 100:+.1f} %)")


def design_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    json_: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Size the facility of a scenario: fleet, racks, floors, power chain, cooling, network, checks."""
    from aidc.design import labels, to_dict
    from aidc.pipeline import run

    lang = check_lang(lang)
    s = scenario_or_exit(scenario)
    try:
        # with the survey's demand, as in aidc run; the service-level fleet when levels are stated
        with console.status("designing (and simulating candidate fleets for any service levels) ..."):
            r = run(s, ("design", "service"))
        d = r.design
        assert d is not None  # the design stage has no hard input: it always runs
        sizing = r.service
    except InputError as exc:
        render_input_error(exc)
        raise typer.Exit(2) from None
    if json_:
        out = to_dict(d)
        if sizing is not None:
            out["service_sizing"] = {"n_gpus": sizing.n_gpus, "n_gpu_servers": sizing.n_gpu_servers,
                                     "binding_class": sizing.binding_class,
                                     "curve": sizing.curve.to_dict(orient="records")}
        print_json(out)
        return
    t = labels(lang)
    from aidc.report.i18n import scenario_text, text

    console.rule(f"{t['title']}: {scenario_text(text(lang), s)[0]}")
    for part in (_article(d, s, t), _fleet(d, s, t), _racks(d, t), _layout(d, lang, t), _power(d, t),
                 _cooling(d, t), _network(d, t), _checks(d, t), _verdict(d, t)):
        console.print(part)
    if sizing is not None:
        console.print(service_table(sizing, t, lang))


def service_table(sizing: FleetSizing, t: dict[str, str], lang: str = "en") -> Table:
    """Tabulate the p95 wait by tenant class against GPUs, the fleet found and the class that binds.

    Tenant classes are named as the report names them (``대학`` for ``university`` in Korean).
    """
    from aidc.report.i18n import text

    words = text(lang)

    def name(key: str | None) -> str | None:
        return key if key is None or lang == "en" else str(words.value(key, "text"))

    classes = [c.removeprefix("p95_wait_h__") for c in sizing.curve.columns if c.startswith("p95_wait_h__")]
    table = Table(t["service_curve_gpus"], *[f"{name(c)}: {t['service_curve_p95']}" for c in classes],
                  t["service_meets"], title=t["service_sizing"])
    for row in sizing.curve.itertuples(index=False):
        waits = [f"{getattr(row, f'p95_wait_h__{c}'):,.2f}" for c in classes]
        table.add_row(f"{row.n_gpus:,}", *waits, "✓" if row.meets else "✗")
    key = "service_result" if sizing.n_gpus is not None else "service_none"
    n = sizing.n_gpus if sizing.n_gpus is not None else int(sizing.curve["n_gpus"].max())
    table.caption = t[key].format(n=n, s=sizing.n_gpu_servers or 0, c=name(sizing.binding_class))
    return table


def register(app: typer.Typer) -> None:
    """Add ``aidc design`` to the app."""
    app.command("design")(design_command)
