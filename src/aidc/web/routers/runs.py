"""Runs of scenarios in the background, their progress and results, reports, comparisons."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidc import i18n
from aidc.errors import Note
from aidc.i18n import N_, gettext
from aidc.report.i18n import text
from aidc.web import results
from aidc.web.common import PathId, QueryId, aware, db, get_or_404, lang_of, redirect, render
from aidc.web.db import Run, RunFile, ScenarioRecord, User
from aidc.web.errors import ApiError
from aidc.web.lang import stage_title
from aidc.web.pdf_jobs import PdfJobs, html_name, pdf_name
from aidc.web.runner import REPORT_FILES, _stage_names, stored_name
from aidc.web.schemas import RunOut
from aidc.web.security import Busy, require

router = APIRouter()
PLANNER = require("admin", "planner")


ACTIVE = ("queued", "running")
RUN_STATES = ("queued", "running", "done", "failed", "cancelled")
#: How often the run page reloads while its briefing is printed to PDF. [s]
PDF_REFRESH_S = 3


def queue_position(s: Session, run: Run) -> int | None:
    """Return 1 for the next queued run to start, 2 for the one after, ...; None when not queued."""
    if run.status != "queued":
        return None
    ahead = s.scalar(select(func.count()).select_from(Run).where(Run.status == "queued", Run.id < run.id))
    return int(ahead or 0) + 1


def run_out(s: Session, run: Run, with_result: bool = True) -> RunOut:
    """Return the API view of a run."""
    files = s.scalars(select(RunFile.name).where(RunFile.run_id == run.id)).all()
    return RunOut(
        id=run.id,
        scenario_id=run.scenario_id,
        status=run.status,
        queue_position=queue_position(s, run),
        progress_frac=run.progress_frac,
        stage=run.stage,
        error=run.error,
        created_at=aware(run.created_at),
        started_at=aware(run.started_at),
        finished_at=aware(run.finished_at),
        result=run.result if with_result else None,
        files=list(files),
    )


def start_run(request: Request, s: Session, scenario_id: PathId, user: User) -> Run:
    """Queue a run of the scenario as it is stored now, within the per-user and global quotas."""
    rec = get_or_404(s, ScenarioRecord, scenario_id, "scenario")
    settings = request.app.state.settings
    active = select(func.count()).select_from(Run).where(Run.status.in_(ACTIVE))
    if (s.scalar(active.where(Run.created_by == user.id)) or 0) >= settings.max_queued_runs_per_user:
        raise ApiError(
            429, "too_many_runs",
            N_("you have {n} runs queued or running; wait for one to finish or cancel one"),
            headers={"Retry-After": "60"}, n=settings.max_queued_runs_per_user,
        )
    if (s.scalar(active) or 0) >= settings.max_queued_runs:
        raise Busy(Note(N_("{n} runs are queued"), n=settings.max_queued_runs), 60.0)
    run = Run(
        scenario_id=rec.id,
        scenario_yaml=rec.yaml_text,
        status="queued",
        progress_frac=0.0,
        stage="queued",
        created_by=user.id,
    )
    s.add(run)
    s.commit()
    request.app.state.worker.submit(run.id)
    return run


def _latest_done(s: Session, scenario_id: PathId) -> Run | None:
    return s.scalars(
        select(Run).where(Run.scenario_id == scenario_id, Run.status == "done").order_by(Run.id.desc())
    ).first()


def _flat(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        out: dict[str, Any] = {}
        for k, v in d.items():
            out |= _flat(v, f"{prefix}{k}.")
        return out
    return {prefix.rstrip("."): d}


def run_figures(result: dict[str, Any] | None, lang: str) -> dict[str, Any]:
    """Return a stored run's figures in ``lang`` when it has them, else the API's (English) ones."""
    result = result or {}
    return dict(result.get("figures_by_lang", {}).get(lang) or result.get("figures", {}))


def comparison(s: Session, a: int, b: int, lang: str = "en") -> dict[str, Any]:
    """Compare two scenarios: the inputs that differ and the summaries of their latest finished runs."""
    recs = [get_or_404(s, ScenarioRecord, i, "scenario") for i in (a, b)]
    inputs = [_flat(yaml.safe_load(r.yaml_text)) for r in recs]
    keys = sorted(set(inputs[0]) | set(inputs[1]))
    differ = [
        {"field": k, "a": inputs[0].get(k), "b": inputs[1].get(k)}
        for k in keys
        if inputs[0].get(k) != inputs[1].get(k) and k != "name"
    ]
    runs = [_latest_done(s, r.id) for r in recs]
    results = [_flat((run.result or {}).get("summary", {})) if run else {} for run in runs]
    rkeys = sorted(set(results[0]) | set(results[1]))
    return {
        "a": {"id": recs[0].id, "name": recs[0].name, "run_id": runs[0].id if runs[0] else None},
        "b": {"id": recs[1].id, "name": recs[1].name, "run_id": runs[1].id if runs[1] else None},
        "inputs_differ": differ,
        "results": [{"field": k, "a": results[0].get(k), "b": results[1].get(k)} for k in rkeys],
        "figures": {
            name: [run_figures(run.result, lang).get(name) if run else None for run in runs]
            for name in sorted({n for run in runs if run for n in run_figures(run.result, lang)})
        },
    }


# --- API --------------------------------------------------------------------------------


@router.post("/api/scenarios/{scenario_id}/runs", status_code=202, tags=["runs"])
def create_run(
    request: Request,
    scenario_id: PathId,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> RunOut:
    """Start a run of the scenario in the background; poll ``GET /api/runs/{id}``."""
    return run_out(s, start_run(request, s, scenario_id, user))


@router.get("/api/runs", tags=["runs"])
def list_runs(
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
    scenario_id: QueryId | None = None,
) -> list[RunOut]:
    """List runs (newest first), without their results."""
    q = select(Run).order_by(Run.id.desc()).limit(200)
    if scenario_id is not None:
        q = q.where(Run.scenario_id == scenario_id)
    return [run_out(s, r, with_result=False) for r in s.scalars(q)]


@router.get("/api/runs/{run_id}", tags=["runs"])
def get_run(
    run_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> RunOut:
    """Return a run's state, progress, error, and results when done."""
    return run_out(s, get_or_404(s, Run, run_id, "run"))


@router.post("/api/runs/{run_id}/cancel", tags=["runs"])
def cancel_run(
    request: Request,
    run_id: PathId,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> RunOut:
    """Cancel a queued or running run (its starter or an admin); a finished run is left as it is (409)."""
    run = get_or_404(s, Run, run_id, "run")
    if run.created_by != user.id and user.role != "admin":
        raise ApiError(
            403, "cancel_not_allowed", N_("only the planner who started this run or an admin can cancel it")
        )
    if run.status not in ACTIVE:
        raise ApiError(409, "run_not_active",
                       N_("this run is {status}; only a queued or running run can be cancelled"),
                       status=Note(f"web.status.{run.status}"))
    request.app.state.worker.cancel(s, run)
    s.commit()
    return run_out(s, run, with_result=False)


@router.get("/api/compare", tags=["runs"])
def compare(
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
    a: QueryId,
    b: QueryId,
) -> dict[str, Any]:
    """Compare two scenarios: differing inputs and their latest results."""
    return comparison(s, a, b)


@router.get("/api/runs/{run_id}/files/{name}", tags=["runs"])
def download(
    request: Request,
    run_id: PathId,
    name: Literal["report.html", "report.xlsx", "report.ko.html", "report.en.html", "report.ko.xlsx",
                  "report.en.xlsx", "briefing.ko.html", "briefing.en.html", "briefing.ko.pdf",
                  "briefing.en.pdf"],
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> Response:
    """Download a report the run produced; ``report.html`` and ``report.xlsx`` in the reader's language."""
    get_or_404(s, Run, run_id, "run")
    # a run from before the reports were written per language has its (English) report.html only
    wanted = (stored_name(name, lang_of(request)), name) if name in REPORT_FILES else (name,)
    found = {f.name: f for f in s.scalars(select(RunFile).where(RunFile.run_id == run_id,
                                                                 RunFile.name.in_(wanted)))}
    f = next((found[n] for n in wanted if n in found), None)
    if f is None:
        raise ApiError(404, "run_file_missing", N_("this run has no file {name}"), name=name)
    return Response(
        f.content,
        media_type=f.media_type,
        headers={"Content-Disposition": f'attachment; filename="aidc-run-{run_id}-{name}"'},
    )


# --- pages ------------------------------------------------------------------------------


@router.post("/scenarios/{scenario_id}/runs", include_in_schema=False)
def run_from_page(
    request: Request,
    scenario_id: PathId,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> Response:
    """Start a run and open its page."""
    return redirect(f"/runs/{start_run(request, s, scenario_id, user).id}")


@router.post("/runs/{run_id}/cancel", include_in_schema=False)
def cancel_from_page(
    request: Request,
    run_id: PathId,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> Response:
    """Cancel the run and show its page again."""
    cancel_run(request, run_id, user, s)
    return redirect(f"/runs/{run_id}")


@router.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def run_page(
    request: Request, run_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> HTMLResponse:
    """Progress while running (the page polls the API), then charts and tables."""
    run = get_or_404(s, Run, run_id, "run")
    rec = s.get(ScenarioRecord, run.scenario_id)
    out = run_out(s, run)
    lang = lang_of(request)
    t = text(lang)
    result = out.result or {}
    jobs: PdfJobs = request.app.state.pdf_jobs
    pdf_state = jobs.state(run_id, lang)
    pdf_message = None
    if pdf_state in ("queued", "running"):
        pdf_message = gettext("The briefing is being printed to PDF; this page shows it when ready.", lang)
    elif pdf_state == "failed":
        pdf_message = gettext("The briefing could not be printed to PDF: {reason}", lang,
                              reason=jobs.errors.get((run_id, lang), ""))
    return render(
        request, "run.html", run=out, scenario=rec,
        files=[f for f in REPORT_FILES if f in out.files or stored_name(f, lang) in out.files],
        figures=run_figures(result, lang),
        sections=results.sections(result.get("summary", {}), t),
        tables=results.tables(result.get("tables", {}), t),
        labels={"status": {k: i18n.label(f"web.status.{k}", lang) for k in RUN_STATES},
                "stage": {k: stage_title(k, lang) for k in (*_stage_names(), "report", "done")}},
        briefing_pdf=pdf_name(lang) in out.files,
        can_pdf=html_name(lang) in out.files and pdf_state is None,
        pdf_message=pdf_message, pdf_failed=pdf_state == "failed",
        refresh_s=PDF_REFRESH_S if pdf_state in ("queued", "running") else None,
    )


@router.post("/runs/{run_id}/pdf", include_in_schema=False)
def briefing_pdf(
    request: Request, run_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> Response:
    """Queue the printing of the run's briefing to PDF in the page's language (off the request)."""
    run = get_or_404(s, Run, run_id, "run")
    lang = lang_of(request)
    files = run_out(s, run, with_result=False).files
    if html_name(lang) not in files:
        raise ApiError(409, "no_briefing", N_("this run has no briefing to print"))
    if not PdfJobs.available():
        raise ApiError(503, "pdf_unavailable",
                       N_("The briefing cannot be printed to PDF: no Chromium is installed on the "
                          "server. Ask the administrator to install it (Debian: apt-get install "
                          "chromium); the briefing is in the report meanwhile."))
    if pdf_name(lang) not in files:
        request.app.state.pdf_jobs.submit(run_id, lang)
    return redirect(f"/runs/{run_id}")


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(
    request: Request,
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
    a: QueryId,
    b: QueryId,
) -> HTMLResponse:
    """Show two scenarios side by side."""
    return render(request, "compare.html", cmp=comparison(s, a, b, lang_of(request)))


@cache
def _plotly_js() -> bytes:
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@router.get("/assets/plotly.min.js", include_in_schema=False)
def plotly_js() -> Response:
    """Serve the plotly.js bundled with the plotly package (no network needed)."""
    return Response(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
