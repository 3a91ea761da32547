"""The report as one self-contained HTML file, rendered from Jinja2 templates.

Everything the page needs is inside the file: the CSS, plotly.js (inline, no CDN) and the
figures' data, so it opens offline from a USB stick or an e-mail attachment. Python code here
only prepares values; all markup lives in ``templates/``.
"""

from __future__ import annotations

import math
import string
from typing import Any

import jinja2
import markupsafe
import pandas as pd
import plotly.io as pio
import plotly.offline

from aidc import i18n
from aidc.report import briefing, checks, content, estimates, figures, power_section, provenance
from aidc.report.i18n import Text, scenario_text, split_unit

#: How a value is written, by the unit suffix of its name (the rest: number + unit symbol).
_WRITER_BY_SUFFIX = {"_frac": "frac", "_krw": "krw", "_m2": "area_m2", "_kw": "power_kw", "_s": "duration_s"}


def _kind_of(name: str) -> str:
    return next((kind for suffix, kind in _WRITER_BY_SUFFIX.items() if name.endswith(suffix)), "")


def _is_year(name: str) -> bool:
    return name == "year" or name.endswith("_year") or name == "years"


def write_value(t: Text, name: str, value: Any) -> str:
    """Write the value of a field called ``name`` with its unit (``grid_contract_kw`` -> ``9.6 MW``)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return checks.text_value(t, value)
    if _is_year(name):
        return t.value(value, "year")
    kind = _kind_of(name)
    if kind:
        return t.value(value, kind)
    _, symbol = split_unit(name)
    return t.with_unit(t.num(value), t.unit(symbol))


def _cell(t: Text, column: str, value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if content.column_mark(column):  # an identifier, a publication's title, a respondent's words: as is
        return "–" if value is None else str(value)
    if column == "unit" and isinstance(value, str):
        return t.unit(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _is_year(column):
            return t.value(value, "year")
        return t.num(value * 100 if column.endswith("_frac") else value)
    return checks.text_value(t, value)


def table_title(t: Text, name: str) -> str:
    """Return the title of table ``name`` (``power``, ``fleet.servers``) in the report's language."""
    if t.has(f"table.{name}"):
        return t(f"table.{name}")
    last = name.split(".")[-1]
    if t.has(f"value.{last}"):  # a table per tenant class, server type ...
        return t(f"value.{last}")
    return t.column(last).split(" [")[0] if t.translated_column(last) else name


def table_view(t: Text, table: content.Table, max_rows: int | None = content.HTML_MAX_ROWS) -> dict[str, Any]:
    """Prepare one table for the template: title, headers, formatted rows, truncation."""
    frame = checks.localize(t, table.frame) if checks.is_checks(table.frame) else table.frame
    shown = frame if max_rows is None else frame.head(max_rows)
    if list(frame.columns) == ["quantity", "value"]:
        headers = [t("ui.quantity"), t("ui.value")]
        rows = [[t.column(str(q)).split(" [")[0], write_value(t, str(q), v)]
                for q, v in shown.itertuples(index=False)]
        numeric = [False, True]
        # the scenario's name (an identifier) is written as code; the other values are the report's
        marks = [["", content.column_mark(str(q)) or ("code" if q == "scenario" else "")]
                 for q, _ in shown.itertuples(index=False)]
    else:
        headers = [t.column(str(c)) for c in frame.columns]
        rows = [[_cell(t, str(c), v) for c, v in zip(frame.columns, r, strict=True)]
                for r in shown.itertuples(index=False)]
        numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
        marks = [[content.column_mark(str(c)) for c in frame.columns]] * len(shown)
    title = table_title(t, table.name)
    if checks.is_free_text(t, frame):
        title = checks.mark_original(t, title)
    return {"title": title, "headers": headers, "rows": rows, "numeric": numeric, "marks": marks,
            "n_rows": len(frame), "truncated": len(frame) > len(shown)}


def _figure_html(fig: Any, div_id: str) -> str:
    # plotly.js is embedded once in the page head, so each figure carries only its data; a fixed
    # div id (plotly draws a random one) keeps the same result giving byte-identical reports.
    return str(pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                           config={"displaylogo": False, "responsive": True}))


def _figure_text(t: Text, figure: content.Figure) -> str:
    # a text figure (the plan's binding limit) may be a stage's own English sentence: marked
    return checks.free_value(t, figure.value) if figure.kind == "text" else t.value(figure.value, figure.kind)


def summary_sentence(t: Text, stage: str, values: dict[str, str]) -> str | None:
    """Return the summary sentence of ``stage``: the first variant whose figures all exist.

    Variants are ``summary.<stage>``, ``summary.<stage>_2``, ... from the fullest to the
    plainest, so a figure a stage could not give (no payback within the horizon, no phase 2)
    changes the sentence instead of printing a dash in it.
    """
    keys = [f"summary.{stage}"] + [f"summary.{stage}_{i}" for i in range(2, 10)]
    for key in (k for k in keys if t.has(k)):
        template = t(key)
        if all(name in values for _, name, _, _ in string.Formatter().parse(template) if name):
            return template.format_map(values)
    return None


def context(result: Any, t: Text, power: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return everything the template needs, as plain values (no HTML).

    ``power``: the power-aware year (:func:`aidc.power.operations.year`), shown after the
    simulation when given.
    """
    figs = content.headline(result)
    values = {f.key: _figure_text(t, f) for f in figs}
    # the figures that rest on a catalog estimate carry the footnote's mark, as in the CLI
    field = {key: name for key, _, name, _ in content.HEADLINES}
    summary = getattr(result, "summary", None)
    estimated = (summary.estimates_by_figure if summary is not None else None) or {}
    sections = []
    for stage in content.STAGES:
        obj = getattr(result, stage)
        charts = figures.FIGURES[stage](obj, t) if obj is not None and stage in figures.FIGURES else []
        if stage == "plan" and getattr(result, "service", None) is not None:
            charts += figures.service_figures(result.service, t)  # the need the plan sizes to
        sections.append({
            "stage": stage,
            "missing": result.missing.get(stage) if obj is None else None,
            "figures": [_figure_html(f, f"fig-{stage}-{i}") for i, f in enumerate(charts)],
            "tables": [table_view(t, tb) for tb in content.tables(obj)] if obj is not None else [],
            "timing_s": result.timings_s.get(stage),
        })
    scenario = result.scenario
    title, description = scenario_text(t, scenario)
    return {
        "scenario_title": title,
        "scenario_description": description,
        "briefing": briefing.build(result, t),
        "t": t,
        "lang": t.lang,
        "scenario": scenario,
        "meta": _meta(result, t),
        "headline": [{"key": f.key, "stage": f.stage, "raw": f.value, "text": values[f.key],
                      "estimated": field.get(f.key) in estimated} for f in figs],
        "summary": [s for s in (summary_sentence(t, stage, values) for stage in content.STAGES
                                if getattr(result, stage) is not None) if s],
        "missing": result.missing,
        "why_missing": lambda why: why_missing(t, why),
        "sections": sections,
        "assumptions": table_view(t, content.Table("assumptions", provenance.assumptions(scenario)), None),
        "sources": table_view(t, content.Table("sources", provenance.sources(scenario)), None),
        **_estimates(result, t),
        "plotly_js": plotly.offline.get_plotlyjs(),
        "power": _power(power, t),
    }


def _estimates(result: Any, t: Text) -> dict[str, Any]:
    """Return the footnote and appendix table of the catalog estimates (the Summary's one list)."""
    used = result.summary.estimates_used if getattr(result, "summary", None) is not None else ()
    if not used:
        return {"estimate_note": None, "estimates": None}
    return {"estimate_note": estimates.note(t, used, "*"),
            "estimates": table_view(t, content.Table("estimates", estimates.table(t, used)), None)}


def why_missing(t: Text, why: str) -> markupsafe.Markup:
    """Write why a stage did not run: from the catalog, else as the pipeline wrote it, marked as such.

    Examples
    --------
    >>> from aidc.report.i18n import text
    >>> str(why_missing(text("ko"), "no reason the catalog knows"))
    '<code>no reason the catalog knows</code> (영문 원문)'
    """
    if i18n.has(why, t.lang):
        return markupsafe.escape(i18n.gettext(why, t.lang))
    code = markupsafe.Markup("<code>{}</code>").format(why)
    return code + " " + t("ui.original_text") if t.has("ui.original_text") else code


def _power(view: dict[str, Any] | None, t: Text) -> dict[str, Any] | None:
    section = power_section.context(view, t)
    if section is not None:
        section["figures"] = [_figure_html(f, f"fig-power-{i}") for i, f in enumerate(section["figures"])]
    return section


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("aidc.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def render(result: Any, t: Text, power: dict[str, Any] | None = None) -> str:
    """Return the report's HTML text: the briefing first, then the appendix."""
    return _env().get_template("report.html.j2").render(**context(result, t, power))


def render_briefing(result: Any, t: Text) -> str:
    """Return the one-page briefing alone as an HTML page (A4, no script: it prints as it shows)."""
    return _env().get_template("briefing_page.html.j2").render(
        briefing=briefing.build(result, t), t=t, lang=t.lang, meta=_meta(result, t))


def _meta(result: Any, t: Text) -> dict[str, Any]:
    """Return the run's version, scenario hash and seed, and the footer that names them.

    The hash is an identifier, not a word: the footer shows it as ``<code>`` (a reader, and the
    test that looks for English, can tell it from prose).
    """
    meta = {"version": result.aidc_version, "hash": result.scenario_hash, "seed": result.seed}
    code = markupsafe.Markup("<code>{}</code>").format(meta["hash"])
    footer = markupsafe.escape(t("ui.footer")).format(version=meta["version"], hash=code, seed=meta["seed"])
    return meta | {"footer": footer}
