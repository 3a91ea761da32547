"""Planners' scenarios: create, edit (validated by the library, errors shown by field), demand."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aidc import units
from aidc.errors import InputError
from aidc.i18n import N_, gettext
from aidc.i18n.problems import describe
from aidc.scenario import Scenario, dump_scenario, list_scenarios, load_scenario, parse_scenario
from aidc.web import scenario_form, survey_io
from aidc.web.common import PathId, aware, db, get_or_404, lang_of, redirect, render, server_file_problems
from aidc.web.db import Run, ScenarioRecord, SurveyRound, User, utcnow
from aidc.web.errors import ApiError, InvalidFields, detail_text
from aidc.web.routers.survey import submitted_answers
from aidc.web.schemas import ScenarioIn, ScenarioListItem, ScenarioOut
from aidc.web.security import require

router = APIRouter()
PLANNER = require("admin", "planner")


def scenario_out(rec: ScenarioRecord) -> ScenarioOut:
    """Return the API view of a stored scenario."""
    return ScenarioOut(
        id=rec.id,
        name=rec.name,
        version=rec.version,
        survey_round_id=rec.survey_round_id,
        updated_at=aware(rec.updated_at),
        scenario=parse_scenario(rec.yaml_text),
    )


def _check_round(s: Session, round_id: PathId | None) -> None:
    if round_id is not None and s.get(SurveyRound, round_id) is None:
        raise ApiError(
            422, "survey_round_unknown", N_("there is no survey round {round_id}"), round_id=round_id
        )


def store_scenario(
    s: Session,
    user: User,
    name: str,
    yaml_text: str,
    round_id: PathId | None,
    rec: ScenarioRecord | None = None,
) -> ScenarioRecord:
    """Insert or update a scenario row (the YAML must already be valid)."""
    _check_round(s, round_id)
    if rec is None:
        rec = ScenarioRecord(name=name, yaml_text=yaml_text, survey_round_id=round_id, updated_by=user.id)
        s.add(rec)
    else:
        rec.name, rec.yaml_text, rec.survey_round_id = name, yaml_text, round_id
        rec.version, rec.updated_at, rec.updated_by = rec.version + 1, utcnow(), user.id
    try:
        s.commit()
    except IntegrityError:
        s.rollback()
        raise ApiError(
            409, "scenario_name_taken", N_("a scenario called '{name}' exists"), name=name
        ) from None
    return rec


SUMMED = ("n_gpus", "gpu_h_per_y", "cpu_vcpus", "memory_gb", "storage_tb", "requests_per_day")


def _refuse_server_files(scenario: Scenario) -> None:
    problems = server_file_problems(scenario)
    if problems:
        raise InvalidFields(
            "server_file_field", [(("body", "scenario", *str(p.field).split(".")), p) for p in problems]
        )


def aggregate(s: Session, round_id: PathId) -> dict[str, Any]:
    """Count the submitted need rows of a round by sheet and tenant class, and sum the plain quantities."""
    answers = submitted_answers(s, round_id)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sums: dict[str, float] = dict.fromkeys(SUMMED, 0.0)
    for _name, a in answers:
        tenant = str((a.get("respondents") or [{}])[0].get("tenant_class") or "unspecified")
        for sheet, rows in a.items():
            if sheet == "respondents":
                continue
            counts[tenant][sheet] += len(rows)
            for row in rows:
                for col in SUMMED:
                    try:
                        sums[col] += float(row.get(col) or 0)
                    except (TypeError, ValueError):
                        continue
    sheets = [n for n in survey_io.specs() if n != "respondents"]
    return {
        "round_id": round_id,
        "n_institutions": len(answers),
        "sheets": sheets,
        "rows_by_tenant_class": {k: dict(v) for k, v in counts.items()},
        "totals": {k: v for k, v in sums.items() if v},
    }


BY_YEAR = ("gpu_hours", "peak_gpus", "cpu_vcpus", "memory_gb", "storage_tb")


def estimated_demand(s: Session, rec: ScenarioRecord, lang: str) -> dict[str, Any]:
    """Run the demand stage on the linked round's answers: totals by year, or the problems in ``lang``."""
    import tempfile
    from pathlib import Path

    from aidc.demand import estimate
    from aidc.survey import read

    answers = [a for _name, a in submitted_answers(s, rec.survey_round_id)]  # type: ignore[arg-type]
    if not answers:
        return {"problems": [gettext(N_("no institution has submitted an answer yet"), lang)]}
    with tempfile.TemporaryDirectory(prefix="aidc-web-") as tmp:
        path = Path(tmp) / "round.yaml"
        survey_io.write_yaml(answers, path)
        try:
            demand = estimate(read(path), parse_scenario(rec.yaml_text))
        except InputError as exc:
            return {"problems": [describe(p, lang) for p in exc.problems]}
    frame = demand.by_year.groupby("year", as_index=False)[[c for c in BY_YEAR if c in demand.by_year]].sum()
    return {"columns": list(frame.columns), "rows": frame.round(1).values.tolist()}


# --- API --------------------------------------------------------------------------------


@router.get("/api/scenarios", tags=["scenarios"])
def list_all(
    _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> list[ScenarioListItem]:
    """List stored scenarios."""
    return [
        ScenarioListItem(
            id=r.id,
            name=r.name,
            version=r.version,
            survey_round_id=r.survey_round_id,
            updated_at=aware(r.updated_at),
        )
        for r in s.scalars(select(ScenarioRecord).order_by(ScenarioRecord.name))
    ]


@router.post("/api/scenarios", status_code=201, tags=["scenarios"])
def create(
    body: ScenarioIn, user: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> ScenarioOut:
    """Store a new scenario (the body's ``scenario`` is the library's Scenario model)."""
    _refuse_server_files(body.scenario)
    return scenario_out(
        store_scenario(s, user, body.name, dump_scenario(body.scenario), body.survey_round_id)
    )


@router.get("/api/scenarios/{scenario_id}", tags=["scenarios"])
def read(
    scenario_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> ScenarioOut:
    """Return a stored scenario."""
    return scenario_out(get_or_404(s, ScenarioRecord, scenario_id, "scenario"))


@router.put("/api/scenarios/{scenario_id}", tags=["scenarios"])
def replace(
    scenario_id: PathId,
    body: ScenarioIn,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> ScenarioOut:
    """Replace a stored scenario."""
    rec = get_or_404(s, ScenarioRecord, scenario_id, "scenario")
    _refuse_server_files(body.scenario)
    return scenario_out(
        store_scenario(s, user, body.name, dump_scenario(body.scenario), body.survey_round_id, rec)
    )


@router.get("/api/scenarios/{scenario_id}/demand", tags=["scenarios"])
def demand(
    request: Request, scenario_id: PathId, _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> dict[str, Any]:
    """Sum the linked round's submitted answers summed by tenant class."""
    rec = get_or_404(s, ScenarioRecord, scenario_id, "scenario")
    if rec.survey_round_id is None:
        raise ApiError(409, "scenario_not_linked", N_("this scenario is not linked to a survey round"))
    return aggregate(s, rec.survey_round_id) | {"by_year": estimated_demand(s, rec, lang_of(request))}


# --- pages ------------------------------------------------------------------------------


def _list_page(
    request: Request, s: Session, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    recs = s.scalars(select(ScenarioRecord).order_by(ScenarioRecord.name)).all()
    return render(
        request,
        "scenarios.html",
        status_code=status_code,
        scenarios=recs,
        shipped=list_scenarios(),
        error=error,
    )


@router.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
def scenarios_page(
    request: Request, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> HTMLResponse:
    """List scenarios; a form creates one from a shipped scenario."""
    return _list_page(request, s)


@router.post("/scenarios", include_in_schema=False)
def scenarios_add(
    request: Request,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
    name: Annotated[str, Form(min_length=1, max_length=120)],
    base: Annotated[str, Form()],
) -> Response:
    """Create a scenario as a copy of a shipped one."""
    if base not in list_scenarios():  # a name from the list, never a path
        said = gettext(N_("there is no shipped scenario called '{name}'"), lang_of(request), name=base)
        return _list_page(request, s, said, 422)
    try:
        rec = store_scenario(s, user, name.strip(), dump_scenario(load_scenario(base)), None)
    except HTTPException as exc:
        return _list_page(request, s, detail_text(exc, lang_of(request)), exc.status_code)
    return redirect(f"/scenarios/{rec.id}")


def _edit_page(
    request: Request,
    s: Session,
    rec: ScenarioRecord,
    yaml_text: str | None = None,
    problems: list[Any] | None = None,
    message: str | None = None,
    status_code: int = 200,
    form: Mapping[str, str] | None = None,
    outcome: scenario_form.Outcome | None = None,
) -> HTMLResponse:
    lang = lang_of(request)
    stored = parse_scenario(rec.yaml_text, file="scenario").model_dump(mode="json")
    runs = s.scalars(select(Run).where(Run.scenario_id == rec.id).order_by(Run.id.desc()).limit(20)).all()
    rounds = s.scalars(select(SurveyRound).order_by(SurveyRound.id.desc())).all()
    others = s.scalars(select(ScenarioRecord).where(ScenarioRecord.id != rec.id)).all()
    agg = None
    if rec.survey_round_id is not None:
        agg = aggregate(s, rec.survey_round_id) | {"by_year": estimated_demand(s, rec, lang)}
    return render(
        request,
        "scenario.html",
        status_code=status_code,
        rec=rec,
        yaml_text=rec.yaml_text if yaml_text is None else yaml_text,
        problems=problems or [],
        message=gettext(message, lang) if message else None,
        failed=status_code >= 400,
        form=scenario_form.form_values(stored) | dict(form or {}),
        fields=scenario_form.FIELDS,
        server_types=scenario_form.server_types(lang),
        tenant_classes=scenario_form.tenant_classes(lang),
        form_errors=outcome.errors if outcome else {},
        scenario_problem=lambda p: scenario_form.problem_text(p, lang),
        questions=outcome.questions if outcome else {},
        area_m2=(scenario_form.site_area_pyeong(stored["site"]) or 0) * units.PYEONG_M2,
        runs=runs,
        rounds=rounds,
        others=others,
        demand=agg,
    )


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse, include_in_schema=False)
def scenario_page(
    request: Request,
    scenario_id: PathId,
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> HTMLResponse:
    """Edit a scenario, link a survey round, start runs."""
    return _edit_page(request, s, get_or_404(s, ScenarioRecord, scenario_id, "scenario"))


@router.post("/scenarios/{scenario_id}", response_class=HTMLResponse, include_in_schema=False)
def scenario_save(
    request: Request,
    scenario_id: PathId,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
    yaml_text: Annotated[str, Form(max_length=200_000)],
    survey_round_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Validate the edited YAML with the library; store it only if it is valid."""
    rec = get_or_404(s, ScenarioRecord, scenario_id, "scenario")
    try:
        problems = server_file_problems(parse_scenario(yaml_text, file="scenario"))
        if problems:
            raise InputError(problems)
        round_id = int(survey_round_id) if survey_round_id.strip() else None
        store_scenario(s, user, rec.name, yaml_text, round_id, rec)
    except InputError as exc:
        return _edit_page(request, s, rec, yaml_text, exc.problems, NOT_SAVED, 422)
    except (ValueError, HTTPException) as exc:
        lang = lang_of(request)
        reason = detail_text(exc, lang) if isinstance(exc, HTTPException) else gettext(str(exc), lang)
        return _edit_page(request, s, rec, yaml_text, [],
                          gettext("Not saved: {reason}", lang_of(request), reason=reason), 422)
    return _edit_page(request, s, rec, message=saved(request, rec))


NOT_SAVED = N_("Not saved: fix the problems below.")


def saved(request: Request, rec: ScenarioRecord) -> str:
    """Return the notice of a saved scenario in the request's language."""
    return gettext("Saved (version {n}).", lang_of(request), n=rec.version)


@router.post("/scenarios/{scenario_id}/form", response_class=HTMLResponse, include_in_schema=False)
async def scenario_form_save(
    request: Request,
    scenario_id: PathId,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> HTMLResponse:
    """Save the planner's form: the common fields written into the stored scenario, validated by its model.

    A value that looks typed in the wrong unit comes back with a question and is not saved until
    the same value is confirmed.
    """
    rec = get_or_404(s, ScenarioRecord, scenario_id, "scenario")
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    stored = parse_scenario(rec.yaml_text, file="scenario").model_dump(mode="json", exclude_none=True)
    outcome = scenario_form.apply(stored, form, lang_of(request))
    if outcome.scenario is None:
        only_questions = outcome.questions and not outcome.errors
        message = N_("Please confirm the values questioned below.") if only_questions else NOT_SAVED
        return _edit_page(request, s, rec, problems=[], message=message, form=form, outcome=outcome,
                          status_code=422)
    round_id = form.get("survey_round_id", "").strip()
    try:
        store_scenario(s, user, rec.name, dump_scenario(outcome.scenario),
                       int(round_id) if round_id.isdigit() else None, rec)
    except HTTPException as exc:
        message = detail_text(exc, lang_of(request))
        return _edit_page(request, s, rec, problems=[], message=message, form=form, status_code=422)
    return _edit_page(request, s, rec, message=saved(request, rec))
