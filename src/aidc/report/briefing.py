"""The one-page briefing: verdict, five key figures, one chart, binding limits, next decisions.

Every figure comes from the run's one :class:`aidc.summary.Summary`; the only things read from
the stage results are the series of the chart (GPUs installed and needed by year) and the size
of phase 2 (the plan's power blocks from the phase-2 year on), which the Summary does not hold.
The page is written for an official: plain sentences in the report's language, money in 억 원,
power in MW, area in 평, servers in 대.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from aidc import units
from aidc.report.i18n import Text, scenario_text

#: Chart size in CSS pixels (an A4 page is 794 px wide at 96 dpi; margins leave about 700).
CHART_W, CHART_H, CHART_PAD = 680, 230, 44
#: The plan's limit sentence, ``"<limit>: <a> allowed, <b> needed in <year>"`` (plan/solution.py).
_LIMIT_RE = re.compile(
    r"^(?P<label>[^:]+): (?P<allowed>.+) allowed, (?P<needed>.+) needed in (?P<year>\d{4})$")


@dataclass(frozen=True, slots=True)
class Figure:
    """One key figure: its label and its value written with the unit an official uses."""

    key: str
    label: str
    text: str
    raw: float | None


@dataclass(frozen=True, slots=True)
class Briefing:
    """The content of the briefing page, in one language, as plain text (no HTML)."""

    lang: str
    title: str
    scenario: str
    verdict: tuple[str, ...]
    figures: tuple[Figure, ...]
    chart_title: str
    chart_svg: str
    limits: tuple[str, ...]
    decisions: tuple[str, ...]


def _phase2_kw(result: Any, year: int | None) -> tuple[float, int | None]:
    """Return the IT capacity the plan adds from ``year`` on [kW], and the last year it adds some."""
    plan = getattr(result, "plan", None)
    if plan is None or year is None:
        return 0.0, None
    blocks = plan.schedule[(plan.schedule["kind"] == "block") & (plan.schedule["year"] >= year)]
    last = int(blocks["year"].max()) if len(blocks) else None
    return float(blocks["it_capacity_kw"].sum()), last


def _figures(s: Any, t: Text) -> tuple[Figure, ...]:
    area_pyeong = None if s.gross_floor_area_m2 is None else units.m2_to_pyeong(s.gross_floor_area_m2)
    site_pyeong = units.m2_to_pyeong(s.site_area_m2)
    rows = (
        ("phase1_capex", t.krw(s.phase1_capex_krw), s.phase1_capex_krw),
        ("it_capacity", t.power(s.it_capacity_kw), s.it_capacity_kw),
        ("floor_area", t("brief.area_of_site", area=t.num(area_pyeong, 0), site=t.num(site_pyeong, 0)),
         area_pyeong),
        ("n_servers", t("brief.n_servers", n=t.num(s.n_servers, 0)), s.n_servers),
        ("n_gpus", t("brief.n_gpus", n=t.num(s.n_gpus, 0), peak=t.num(s.gpu_demand_peak_n, 0)), s.n_gpus),
    )
    return tuple(Figure(key, t(f"brief.figure.{key}"), text, None if raw is None else float(raw))
                 for key, text, raw in rows)


def _verdict(result: Any, s: Any, t: Text, horizon_end: int | None) -> tuple[str, ...]:
    """Return the verdict sentences, chosen by the Summary's checks so that they never disagree.

    "Phase 1 meets the demand" is said plainly only when the phase-1 design's GPUs meet the
    coincident need of every year and every design check passes; with a GPU gap the sentence says
    what it rests on (GPUs added year by year) and the next one when the gap opens and how wide;
    failed checks of other kinds are named as a condition of the verdict.
    """
    out: list[str] = []
    it = t.power(s.it_capacity_kw)
    gap = s.gpu_first_short_year is not None and s.n_gpus is not None
    gpus = {"n": t.num(s.n_gpus, 0), "peak": t.num(s.gpu_demand_peak_n, 0)} if gap else {}
    if s.phase2_year is not None:
        added_kw, last = _phase2_kw(result, s.phase2_year)
        key = "brief.verdict.until_if_added" if gap else "brief.verdict.until"
        out.append(t(key, it=it, year=t.value(s.phase2_year - 1, "year"), **gpus))
        key = "brief.verdict.phase2_span" if last and last > s.phase2_year else "brief.verdict.phase2"
        out.append(t(key, year=t.value(s.phase2_year, "year"), added=t.power(added_kw),
                     last=t.value(last, "year")))
    elif s.gpu_short_years:
        out.append(t("brief.verdict.short", it=it, years=", ".join(str(y) for y in s.gpu_short_years)))
    elif horizon_end is not None:
        key = "brief.verdict.all_horizon_if_added" if gap else "brief.verdict.all_horizon"
        out.append(t(key, it=it, year=t.value(horizon_end, "year"), **gpus))
    if gap:  # when the phase-1 GPUs stop meeting the coincident need, and by how much
        key = "brief.verdict.gpu_met_until" if s.phase1_meets_until_year else "brief.verdict.gpu_short_from"
        out.append(t(key, n=t.num(s.n_gpus, 0), until=t.value(s.phase1_meets_until_year, "year"),
                     year=t.value(s.gpu_first_short_year, "year"), short=t.num(s.gpu_first_short_n, 0)))
    # the demand check (phase 1 against the first year's need) is a failed check already told above
    told = 1 if gap and s.phase1_meets_until_year is None else 0
    other_failed = max(0, (s.n_checks_failed or 0) - told)
    if other_failed:
        out.append(t("brief.verdict.checks_failed", n=other_failed))
    if s.npv_krw is not None:
        key = "brief.verdict.npv_positive" if s.npv_krw >= 0 else "brief.verdict.npv_negative"
        out.append(t(key, npv=t.krw(s.npv_krw), price=t.krw(s.cost_krw_per_gpu_h)))
    return tuple(out)


def limit_text(t: Text, sentence: str) -> str:
    """Write the plan's limit sentence in ``t``'s language (``부지 층수: 허용 5, 필요 5.03 (2041년)``)."""
    m = _LIMIT_RE.match(sentence)
    if m is None:
        return sentence
    label = m["label"].strip()
    key = "brief.limit_label." + re.sub(r"\W+", "_", label).strip("_")
    return t("brief.limit", label=t(key) if t.has(key) else label, allowed=m["allowed"], needed=m["needed"],
             year=m["year"])


def _limits(result: Any, s: Any, t: Text) -> tuple[str, ...]:
    from aidc.report import checks

    out: list[str] = []
    if s.plan_binding_limit:
        out.append(limit_text(t, s.plan_binding_limit))
    design = getattr(result, "design", None)
    if design is not None and s.tightest_check is not None:
        check = next(c for c in design.checks if c.name == s.tightest_check)
        out.append(checks.check_message(t, check.name, check.ok, check.value, check.limit, check.unit,
                                        check.sense))
    return tuple(out)


def _decisions(s: Any, t: Text) -> tuple[str, ...]:
    out: list[str] = []
    if s.phase2_year is not None:
        out.append(t("brief.decide.phase2", year=t.value(s.phase2_year, "year")))
    if s.gpu_gap_n is not None and s.gpu_gap_n > 0:
        out.append(t("brief.decide.fleet"))
    if s.npv_krw is not None and s.npv_krw < 0:
        out.append(t("brief.decide.price", price=t.krw(s.cost_krw_per_gpu_h)))
    if s.n_checks_failed:
        out.append(t("brief.decide.checks", n=s.n_checks_failed))
    if s.n_respondents is not None:
        out.append(t("brief.decide.survey", n=s.n_respondents))
    return tuple(out)


def chart_svg(t: Text, years: list[int], installed: list[float], needed: list[float]) -> str:
    """Return an inline SVG: GPUs installed (bars) and needed (line) by year, axes in ``t``'s language.

    Drawn by hand, not with plotly, so the printed PDF needs no script and stays one page. The
    series are the plan's, in H100-equivalent GPUs (a B200 counts for its speed), and the axis says so:
    the key figures above count GPUs one by one.
    """
    if not years:
        return ""
    top = max([*installed, *needed, 1.0])
    w, h, pad = CHART_W - 2 * CHART_PAD, CHART_H - 2 * CHART_PAD, CHART_PAD
    step = w / len(years)

    def y_of(v: float) -> float:
        return pad + h - h * v / top

    title, axis = html.escape(t("brief.chart_eq")), html.escape(t("brief.axis_eq_gpus"))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_W} {CHART_H}" '
             f'width="{CHART_W}" height="{CHART_H}" role="img" aria-label="{title}">']
    for frac in (0.0, 0.5, 1.0):
        yy = y_of(top * frac)
        parts.append(f'<line x1="{pad}" y1="{yy:.1f}" x2="{pad + w}" y2="{yy:.1f}" stroke="#ddd"/>'
                     f'<text x="{pad - 4}" y="{yy + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{t.num(top * frac, 0)}</text>')
    for i, (year, value) in enumerate(zip(years, installed, strict=True)):
        x = pad + i * step
        parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{y_of(value):.1f}" width="{step * 0.7:.1f}" '
                     f'height="{pad + h - y_of(value):.1f}" fill="#4c78a8"/>')
        if i % max(1, len(years) // 10) == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{pad + h + 14}" font-size="10" '
                         f'text-anchor="middle">{year}</text>')
    points = " ".join(f"{pad + (i + 0.5) * step:.1f},{y_of(v):.1f}" for i, v in enumerate(needed))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#e45756" stroke-width="2.5"/>')
    legend_y = CHART_H - 8
    installed_label, needed_label = html.escape(t("brief.installed")), html.escape(t("brief.needed"))
    parts.append(f'<rect x="{pad}" y="{legend_y - 9}" width="10" height="10" fill="#4c78a8"/>'
                 f'<text x="{pad + 14}" y="{legend_y}" font-size="11">{installed_label}</text>'
                 f'<line x1="{pad + 180}" y1="{legend_y - 4}" x2="{pad + 200}" y2="{legend_y - 4}" '
                 f'stroke="#e45756" stroke-width="2.5"/>'
                 f'<text x="{pad + 204}" y="{legend_y}" font-size="11">{needed_label}</text>'
                 f'<text x="{pad}" y="{pad - 10}" font-size="11">{axis}</text>')
    parts.append("</svg>")
    return "".join(parts)


def build(result: Any, t: Text) -> Briefing:
    """Return the briefing of a run in ``t``'s language, from its :class:`~aidc.summary.Summary`."""
    from aidc.summary import summarize

    s = result.summary if getattr(result, "summary", None) is not None else summarize(result)
    plan = getattr(result, "plan", None)
    years: list[int] = []
    installed: list[float] = []
    needed: list[float] = []
    horizon_end = None
    if plan is not None and len(plan.capacity_by_year):
        cap = plan.capacity_by_year
        years = [int(y) for y in cap["year"]]
        installed = [float(v) for v in cap["n_gpus_installed"]]
        needed = [float(v) for v in cap["n_gpus_needed"]]
        horizon_end = years[-1]
    scenario = result.scenario
    return Briefing(
        lang=t.lang,
        title=t("brief.title"),
        scenario=scenario_text(t, scenario)[0],
        verdict=_verdict(result, s, t, horizon_end),
        figures=_figures(s, t),
        chart_title=t("brief.chart_eq"),
        chart_svg=chart_svg(t, years, installed, needed),
        limits=_limits(result, s, t),
        decisions=_decisions(s, t),
    )


def as_text(b: Briefing) -> str:
    """Return the briefing as plain text (the closing note of a run, a test's reading)."""
    lines = [f"{b.title} — {b.scenario}", "", *b.verdict, ""]
    lines += [f"{f.label}: {f.text}" for f in b.figures]
    lines += ["", *(f"· {x}" for x in b.limits), "", *(f"→ {x}" for x in b.decisions)]
    return "\n".join(lines)
