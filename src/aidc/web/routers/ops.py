"""The operations dashboard: phase 1's records against the plan, forecast and trigger (KO/EN).

Upload sacct output, see observed against planned, the forecast fan chart and the phase-2
trigger, in Korean or English (``?lang=ko``).

Uploaded records are imported (:func:`aidc.ops.import_records`) into a store of their own under
``app.state.ops_dir`` (default: ``<data dir>/ops``), named by a random id; the page reads that
store. The trigger replays a year of jobs many times and solves the plan (minutes), so it runs
only when asked (a POST, answered 202 at once) as a job off the request
(:mod:`aidc.web.ops_jobs`: a queue, a limited worker process, cancel); the page polls until its
answer, kept beside the store, is there.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from aidc.errors import InputError
from aidc.i18n import N_
from aidc.report.i18n import Text, text
from aidc.web.common import db, get_or_404, lang_of, redirect, render
from aidc.web.db import ScenarioRecord, User
from aidc.web.errors import ApiError, InputRefused
from aidc.web.security import require
from aidc.web.settings import default_data_dir

router = APIRouter()
PLANNER = require("admin", "planner")
STORE_ID = re.compile(r"^[0-9a-f]{16}$")
#: The code of a stored scenario that names a file on the server (saved before the web refused them).
SERVER_FILES = "scenario_names_server_files"
FORECAST_MONTHS = 24  # the fan chart's reach: two years, the horizon a planner reads monthly


def _ops_dir(request: Request) -> Path:
    return Path(getattr(request.app.state, "ops_dir", None) or default_data_dir() / "ops")


def _store(request: Request, store_id: str) -> Path:
    if not STORE_ID.match(store_id) or not (_ops_dir(request) / store_id / "jobs.parquet").is_file():
        raise ApiError(404, "import_not_found", N_("no such import"))
    return _ops_dir(request) / store_id


def _lang(lang: str, request: Request) -> str:
    """Return the language of ``?lang=``, else the request's (the user's setting, Accept-Language)."""
    return lang if lang in ("en", "ko") else lang_of(request)


async def _save_upload(request: Request, upload: UploadFile, to: Path) -> Path:
    limit = request.app.state.settings.max_upload_bytes
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise ApiError(413, "file_too_large", "web_limit.file_too_large", limit=limit // 1024)
    to.write_bytes(content)
    return to


def _scenario(s: Session, scenario_id: int) -> tuple[Any, Any, Any]:
    from aidc import demand, design
    from aidc.scenario import parse_scenario
    from aidc.web.common import server_file_problems

    rec = get_or_404(s, ScenarioRecord, scenario_id, "scenario")
    scenario = parse_scenario(rec.yaml_text, file="scenario")
    if problems := server_file_problems(scenario):
        raise InputRefused(problems, SERVER_FILES)
    dem = demand.estimate(demand.load_survey(scenario), scenario)
    return scenario, dem, design.size(scenario, dem)


def _figure(fig: Any) -> dict[str, Any]:
    return dict(json.loads(fig.to_json()))


def planned_figure(t: Text, observed: Any, planned: Any | None) -> dict[str, Any]:
    """Monthly GPU-hours observed (bars) and, if a plan is chosen, surveyed (line)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=observed.index, y=observed.to_numpy(), name=t("ops.observed")))
    if planned is not None:
        fig.add_trace(go.Scatter(x=planned.index, y=planned.to_numpy(), name=t("ops.planned"), mode="lines"))
    fig.update_layout(title=t("ops.title.compare"), yaxis_title=t("ops.col.gpu_h"))
    return _figure(fig)


def fan_figure(t: Text, observed: Any, table: Any) -> dict[str, Any]:
    """Draw the forecast fan: observed total, median and interval of the total's growth model."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=table["month"], y=table["gpu_h_hi"], mode="lines", line={"width": 0},
                             showlegend=False))
    fig.add_trace(go.Scatter(x=table["month"], y=table["gpu_h_lo"], mode="lines", line={"width": 0},
                             fill="tonexty", name=t("ops.interval")))
    fig.add_trace(go.Scatter(x=table["month"], y=table["gpu_h_median"], mode="lines", name=t("ops.median")))
    fig.add_trace(go.Scatter(x=observed.index, y=observed.to_numpy(), mode="lines+markers",
                             name=t("ops.observed")))
    fig.update_layout(title=t("ops.fan_chart"), yaxis_title=t("ops.col.gpu_h"))
    return _figure(fig)


def dashboard(store: Path, t: Text, plan: tuple[Any, Any, Any] | None) -> dict[str, Any]:
    """Everything the page shows of one store (the trigger only if it was computed)."""
    from aidc import ops
    from aidc.ops import growth
    from aidc.ops.reality import surveyed

    jobs = ops.load(store).jobs
    table = ops.monthly(jobs)
    total = table.groupby("month")["gpu_h"].sum()
    planned = None
    if plan is not None:
        planned = surveyed(plan[1], list(total.index)).groupby("month")["surveyed_gpu_h"].sum()
    trigger = json.loads((store / "trigger.json").read_text()) if (store / "trigger.json").is_file() else None
    view = {"n_jobs": len(jobs), "gpu_h": t.num(float(jobs["gpu_h"].sum())), "growth": None, "fan": None,
            "planned": planned_figure(t, total, planned), "trigger": trigger,
            "too_short": t("ops.too_short", n=int((total > 0).sum()), needed=growth.min_months())}
    if (total > 0).sum() >= growth.min_months():
        fit = growth.fit("all", list(total.index), total.to_numpy())
        fan = growth.predict(fit, growth.months_after(total.index[-1], FORECAST_MONTHS))
        view |= {"growth": t.pct(fit.growth_frac_per_y), "fan": fan_figure(t, total, fan)}
    return view


@router.get("/ops", response_class=HTMLResponse, include_in_schema=False)
def ops_page(request: Request, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)],
             lang: str = "") -> Response:
    """Show the upload form."""
    scenarios = s.scalars(select(ScenarioRecord).order_by(ScenarioRecord.name)).all()
    lang = _lang(lang, request)
    return render(request, "ops.html", t=text(lang), lang=lang, scenarios=scenarios, view=None)


@router.post("/ops", include_in_schema=False)
async def ops_import(request: Request, _: Annotated[User, Depends(PLANNER)], sacct: UploadFile,
                     scenario_id: Annotated[int, Form(ge=1)], accounts: UploadFile | None = None,
                     lang: Annotated[str, Form()] = "") -> Response:
    """Import uploaded sacct output (and an account map) into a new store; show its dashboard."""
    from aidc import ops

    store_id = secrets.token_hex(8)
    with tempfile.TemporaryDirectory() as tmp:
        sacct_path = await _save_upload(request, sacct, Path(tmp) / "sacct.txt")
        accounts_path = (await _save_upload(request, accounts, Path(tmp) / "accounts.csv")
                         if accounts is not None and accounts.filename else None)
        try:
            records = ops.import_records(sacct=sacct_path, accounts=accounts_path)
        except InputError as exc:  # name the upload, not the temporary file
            problems = [str(p).replace(str(Path(tmp)) + "/", "") for p in exc.problems]
            chosen = _lang(lang, request)
            return render(request, "ops.html", status_code=422, t=text(chosen), lang=chosen,
                          view=None, scenarios=[], problems=problems)
    ops.save(records, _ops_dir(request) / store_id)
    return redirect(f"/ops/{store_id}?scenario_id={scenario_id}&lang={_lang(lang, request)}")


@router.get("/ops/{store_id}", response_class=HTMLResponse, include_in_schema=False)
def ops_view(request: Request, store_id: str, _: Annotated[User, Depends(PLANNER)],
             s: Annotated[Session, Depends(db)], scenario_id: int | None = None,
             lang: str = "") -> Response:
    """Observed against planned, the forecast fan chart and (once computed) the trigger."""
    t = text(_lang(lang, request))
    plan = _scenario(s, scenario_id) if scenario_id else None
    store = _store(request, store_id)
    view = dashboard(store, t, plan)
    return render(request, "ops.html", t=t, lang=_lang(lang, request), view=view, store_id=store_id,
                  scenario_id=scenario_id, scenarios=[], job=_job_view(request, store))


def _jobs(request: Request) -> Any:
    """Return the app's trigger queue (:class:`aidc.web.ops_jobs.TriggerJobs`), made on first use."""
    from aidc.web.ops_jobs import TriggerJobs, trigger_json

    state = request.app.state
    if getattr(state, "ops_jobs", None) is None:
        state.ops_jobs = TriggerJobs(state.settings, getattr(state, "ops_trigger_function", trigger_json))
    return state.ops_jobs


def _job_view(request: Request, store: Path) -> dict[str, Any] | None:
    from aidc.web import ops_jobs

    state = ops_jobs.status(store)
    if state is None:
        return None
    jobs = getattr(request.app.state, "ops_jobs", None)
    position = jobs.position(store) if jobs is not None else None
    return state | {"position": position, "pending": state["status"] in ("queued", "running")}


@router.post("/ops/{store_id}/trigger", include_in_schema=False)
def ops_trigger(request: Request, store_id: str, _: Annotated[User, Depends(PLANNER)],
                s: Annotated[Session, Depends(db)], scenario_id: Annotated[int, Form(ge=1)],
                lang: Annotated[str, Form()] = "") -> Response:
    """Queue the phase-2 trigger of the store against a scenario (202); the dashboard polls for it."""
    from aidc.scenario import parse_scenario
    from aidc.web.common import server_file_problems

    store = _store(request, store_id)
    rec = get_or_404(s, ScenarioRecord, scenario_id, "scenario")
    scenario = parse_scenario(rec.yaml_text, file="scenario")
    if problems := server_file_problems(scenario):
        raise InputRefused(problems, SERVER_FILES)
    _jobs(request).submit(store, rec.yaml_text)
    t = text(_lang(lang, request))
    return render(request, "ops.html", status_code=202, t=t, lang=_lang(lang, request),
                  view=dashboard(store, t, None), job=_job_view(request, store), store_id=store_id,
                  scenario_id=scenario_id, scenarios=[])


@router.post("/ops/{store_id}/trigger/cancel", include_in_schema=False)
def ops_trigger_cancel(request: Request, store_id: str, _: Annotated[User, Depends(PLANNER)],
                       scenario_id: Annotated[int, Form(ge=1)],
                       lang: Annotated[str, Form()] = "") -> Response:
    """Cancel the store's trigger job (queued: when its turn comes; running: at once)."""
    _jobs(request).cancel(_store(request, store_id))
    return redirect(f"/ops/{store_id}?scenario_id={scenario_id}&lang={_lang(lang, request)}")
