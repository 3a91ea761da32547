"""Report stage: tables, figures, spreadsheets and HTML in Korean or English.

:func:`build` renders the result of :func:`aidc.run` into a folder: ``report.html`` (one
self-contained file), ``report.xlsx`` and ``data/`` (Parquet and JSON of every stage).
Heavy imports (plotly, openpyxl, jinja2) happen inside :func:`build`, so importing
:mod:`aidc.report` stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ReportFiles", "build"]


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Where :func:`build` wrote the report."""

    html: Path
    xlsx: Path
    data: Path
    briefing: Path | None = None


def build(
    result: Any, lang: str = "en", out_dir: str | Path = "aidc-out", power: dict[str, Any] | None = None
) -> ReportFiles:
    """Write the report of a run to ``out_dir``.

    Parameters
    ----------
    result : aidc.Result
        What :func:`aidc.run` returned.
    lang : {"en", "ko"}
        Language of the report.
    out_dir : str or Path
        Folder to write to (created if needed; files in it are overwritten).
    power : dict, optional
        The power-aware year (:func:`aidc.power.operations.year`) for a section of its own;
        default: the run's power stage (``result.power``), if it ran.

    Returns
    -------
    ReportFiles
        Paths of ``report.html`` (the briefing first, then the appendix), ``briefing.html`` (the
        one page alone, for print), ``report.xlsx`` and the ``data`` folder.
    """
    from aidc.report import export, html, i18n, xlsx

    t = i18n.text(lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(html=out / "report.html", xlsx=out / "report.xlsx", data=out / "data",
                        briefing=out / "briefing.html")
    if power is None:
        power = getattr(result, "power", None)
    files.html.write_text(html.render(result, t, power), encoding="utf-8")
    (out / "briefing.html").write_text(html.render_briefing(result, t), encoding="utf-8")
    xlsx.write(result, t, files.xlsx)
    export.write(result, out)
    return files
