"""Institutions answer the survey: web form or workbook upload, drafts, submission, history.

An institution sees only rounds it was invited to and only its own answers; planners read
every answer. A failed submit or a rejected upload never changes the stored answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from aidc.errors import Problem
from aidc.i18n import N_, gettext
from aidc.i18n.problems import localise
from aidc.survey.codes import problem_code
from aidc.web import store, survey_io
from aidc.web.common import PathId, QueryId, aware, db, get_or_404, lang_of, render, round_open
from aidc.web.db import Institution, Invitation, Submission, SubmissionEvent, SurveyRound, User
from aidc.web.errors import ApiError, detail_text, upload_refused
from aidc.web.schemas import EventOut, ProblemOut, RoundOut, SubmissionIn, SubmissionOut
from aidc.web.security import require
from aidc.web.uploads import UploadRefused

router = APIRouter()
INSTITUTION = require("institution")
READER = require("admin", "planner", "institution")
MAX_ROWS_PER_SHEET = 200


def problem_out(p: Problem, lang: str) -> ProblemOut:
    """Return the API view of a problem: its code, and its words in ``lang``.

    ``code`` names the problem whatever the language; ``sheet``, ``row``, ``column``, ``field`` and
    ``cell`` locate it as it was found (internal names for the form's answers, the file's own titles
    and headers for an upload); ``message`` and ``expected`` are the catalog's, in ``lang``.
    """
    found = p.found if isinstance(p.found, str | int | float | bool) or p.found is None else str(p.found)
    message, expected = localise(survey_io.for_reader(p, lang), lang)
    return ProblemOut(
        message=message,
        code=problem_code(p, survey_io.PROBLEM_CODES_WEB),
        sheet=p.sheet,
        row=p.row,
        column=p.column,
        field=p.field,
        cell=p.cell,
        found=found,
        expected=expected,
        severity=p.severity,
    )


class Refused(ApiError):
    """A submit or upload refused for its problems (HTTP 422); the stored answer is unchanged."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(422, "answers_refused", N_("the answers have problems; nothing was stored"))
        self.problems = problems

    def detail_in(self, lang: str) -> Any:
        """Return the problems, each in ``lang``."""
        return [problem_out(p, lang).model_dump() for p in self.problems]


def _round_for(s: Session, user: User, round_id: PathId) -> SurveyRound:
    r = get_or_404(s, SurveyRound, round_id, "survey round")
    if user.role == "institution":
        q = select(Invitation.id).filter_by(round_id=round_id, institution_id=user.institution_id)
        if s.scalars(q).first() is None:
            # the same answer as a round that does not exist: do not reveal others' rounds
            raise ApiError(404, "survey_round_not_found", N_("no such survey round"))
    return r


def _institution(user: User, institution_id: int | None) -> int:
    if user.role == "institution":
        if institution_id is not None and institution_id != user.institution_id:
            raise ApiError(403, "own_answers_only", N_("an institution sees only its own answers"))
        assert user.institution_id is not None
        return user.institution_id
    if institution_id is None:
        raise ApiError(422, "institution_id_missing", N_("give the institution: `institution_id`"))
    return institution_id


def submission_out(
    s: Session, round_id: PathId, institution_id: int, lang: str, problems: list[Problem] | None = None
) -> SubmissionOut:
    """Return the stored answer (status ``none`` when there is none yet), its problems in ``lang``."""
    sub = store.current(s, round_id, institution_id)
    return SubmissionOut(
        round_id=round_id,
        institution_id=institution_id,
        status=sub.status if sub else "none",
        version=sub.version if sub else 0,
        answers=sub.answers if sub else {},
        updated_at=aware(sub.updated_at) if sub else None,
        submitted_at=aware(sub.submitted_at) if sub else None,
        problems=[problem_out(p, lang) for p in problems or []],
    )


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def _organisation(s: Session, user: User) -> str:
    inst = s.get(Institution, user.institution_id)
    return inst.name if inst else ""


NOTHING_TO_SUBMIT = survey_io.NOTHING_TO_SUBMIT


def submit_verdict(s: Session, user: User, answers: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Return the answers as they would be stored and every problem a submit would refuse them for.

    The form's "Check" button and "Submit" both call this, so they never disagree on the same rows.
    """
    assert user.institution_id is not None
    answers = survey_io.normalize(answers, user.institution_id, _organisation(s, user))
    problems = survey_io.validate_answers(answers)
    if survey_io.n_need_rows(answers) == 0 and not _errors(problems):
        problems = [*problems, Problem(NOTHING_TO_SUBMIT)]
    return answers, problems


def save_answers(
    request: Request,
    s: Session,
    user: User,
    r: SurveyRound,
    answers: dict[str, Any],
    *,
    submit: bool,
    action: str,
    expected_version: int | None = None,
) -> list[Problem]:
    """Validate and store answers; a submit with errors stores nothing and raises :class:`Refused`."""
    if not round_open(r):
        raise ApiError(409, "round_closed", N_("this survey round is closed; answers can no longer change"))
    if any(len(rows) > MAX_ROWS_PER_SHEET for rows in answers.values()):
        raise ApiError(413, "too_many_rows", N_("more than {n} rows on a sheet"), n=MAX_ROWS_PER_SHEET)
    assert user.institution_id is not None
    answers, problems = submit_verdict(s, user, answers)
    s.commit()  # end the read: the request's connection goes back to the pool before the write
    if submit and _errors(problems):
        raise Refused(problems)
    problems = [p for p in problems if p.message != NOTHING_TO_SUBMIT]  # a draft may be empty
    try:
        store.save(
            request.app.state.sessions,
            round_id=r.id,
            institution_id=user.institution_id,
            user_id=user.id,
            answers=answers,
            submit=submit,
            action=action,
            n_problems=len(_errors(problems)),
            expected_version=expected_version,
        )
    except store.VersionConflict as exc:
        raise ApiError(409, "version_conflict", exc.message) from None
    return problems


async def read_upload(
    request: Request,
    s: Session,
    user: User,
    file: UploadFile,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check an upload's size and type and read it within limits: (answers, problems), or 413/415/422/503."""
    settings = request.app.state.settings
    # One byte past the limit is enough to know it is too large; never read the rest.
    content = await file.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise upload_refused(UploadRefused("file_too_large", limit=settings.max_upload_bytes // 1024))
    name = (file.filename or "").lower()
    suffix = next((sfx for sfx in survey_io.UPLOAD_TYPES if name.endswith(sfx)), None)
    if suffix is None:
        raise ApiError(415, "upload_type", N_("upload an Excel workbook or a CSV file ({suffixes})"),
                       suffixes=", ".join(survey_io.UPLOAD_TYPES))
    magic = survey_io.UPLOAD_TYPES[suffix]
    if magic and not content.startswith(magic):
        raise ApiError(415, "upload_not_valid", N_("the file is not a valid {suffix} file"), suffix=suffix)
    assert user.institution_id is not None
    organisation = _organisation(s, user)
    s.commit()  # the connection goes back to the pool while the file is read
    try:
        # Off the event loop, and the parse itself in a worker process with its own limits.
        return await run_in_threadpool(
            request.app.state.uploads.parse, content, suffix, user.institution_id, organisation
        )
    except UploadRefused as exc:
        if exc.key == "not_a_workbook":  # a damaged file is a problem of the file, listed like the others
            raise Refused([Problem(survey_io.NOT_A_WORKBOOK, expected="an .xlsx file")]) from None
        raise upload_refused(exc) from None


# --- API --------------------------------------------------------------------------------


@router.get("/api/survey/sheets", tags=["survey"])
def survey_sheets(_: Annotated[User, Depends(READER)]) -> dict[str, Any]:
    """List the survey's sheets and columns (internal name, labels, type, required, bounds)."""
    return {
        name: {
            "en": spec.en,
            "ko": spec.ko,
            "help_en": spec.help_en,
            "columns": [
                {
                    "name": c.name,
                    "en": c.en,
                    "ko": c.ko,
                    "type": c.type,
                    "required": c.required,
                    "min": c.min,
                    "max": c.max,
                    "choices": [k for k, _ in survey_io.options(c)],
                }
                for c in survey_io.form_columns(spec)
            ],
        }
        for name, spec in survey_io.specs().items()
    }


@router.get("/api/my/rounds", tags=["survey"])
def my_rounds(
    user: Annotated[User, Depends(INSTITUTION)], s: Annotated[Session, Depends(db)]
) -> list[RoundOut]:
    """List the rounds the institution is invited to."""
    from aidc.web.routers.rounds import round_out

    q = (
        select(SurveyRound)
        .join(Invitation, Invitation.round_id == SurveyRound.id)
        .where(Invitation.institution_id == user.institution_id)
        .distinct()
        .order_by(SurveyRound.id.desc())
    )
    return [round_out(r) for r in s.scalars(q)]


@router.get("/api/rounds/{round_id}/submission", tags=["survey"])
def get_submission(
    request: Request,
    round_id: PathId,
    user: Annotated[User, Depends(READER)],
    s: Annotated[Session, Depends(db)],
    institution_id: QueryId | None = None,
) -> SubmissionOut:
    """Return the stored answer: an institution's own, or (planners) that of ``institution_id``."""
    _round_for(s, user, round_id)
    return submission_out(s, round_id, _institution(user, institution_id), lang_of(request))


@router.put("/api/rounds/{round_id}/submission", tags=["survey"])
def put_submission(
    request: Request,
    round_id: PathId,
    body: SubmissionIn,
    user: Annotated[User, Depends(INSTITUTION)],
    s: Annotated[Session, Depends(db)],
) -> SubmissionOut:
    """Save answers as a draft, or submit them (422 with the problems if any is an error)."""
    r = _round_for(s, user, round_id)
    problems = save_answers(
        request,
        s,
        user,
        r,
        body.answers,
        submit=body.submit,
        action="submit" if body.submit else "save_draft",
        expected_version=body.expected_version,
    )
    s.expire_all()
    return submission_out(s, round_id, user.institution_id, lang_of(request), problems)  # type: ignore[arg-type]


@router.post("/api/rounds/{round_id}/submission/upload", tags=["survey"])
async def upload_submission(
    request: Request,
    round_id: PathId,
    file: UploadFile,
    user: Annotated[User, Depends(INSTITUTION)],
    s: Annotated[Session, Depends(db)],
    submit: bool = False,
) -> SubmissionOut:
    """Upload the Excel template (or a CSV); with errors nothing is stored (422 lists them)."""
    r = _round_for(s, user, round_id)
    answers, problems = await read_upload(request, s, user, file)
    if _errors(problems) or survey_io.n_need_rows(answers) == 0:
        raise Refused(problems if _errors(problems) else [Problem(survey_io.NO_NEED_IN_FILE)])
    problems = save_answers(request, s, user, r, answers, submit=submit, action="upload")
    s.expire_all()
    return submission_out(s, round_id, user.institution_id, lang_of(request), problems)  # type: ignore[arg-type]


@router.get("/api/rounds/{round_id}/submission/history", tags=["survey"])
def submission_history(
    round_id: PathId,
    user: Annotated[User, Depends(READER)],
    s: Annotated[Session, Depends(db)],
    institution_id: QueryId | None = None,
) -> list[EventOut]:
    """List every version of the answer: who changed it, when, and what it held."""
    _round_for(s, user, round_id)
    sub = store.current(s, round_id, _institution(user, institution_id))
    if sub is None:
        return []
    q = (
        select(SubmissionEvent, User.email)
        .outerjoin(User, User.id == SubmissionEvent.user_id)
        .where(SubmissionEvent.submission_id == sub.id)
        .order_by(SubmissionEvent.version)
    )
    return [
        EventOut(
            version=e.version,
            action=e.action,
            status=e.status,
            user_email=email,
            at=aware(e.at),
            answers=e.answers,
        )
        for e, email in s.execute(q)
    ]


def submitted_answers(s: Session, round_id: PathId) -> list[tuple[str, dict[str, Any]]]:
    """Return (institution name, answers) of every submitted answer of a round."""
    q = (
        select(Submission, Institution.name)
        .join(Institution, Institution.id == Submission.institution_id)
        .where(Submission.round_id == round_id, Submission.status == "submitted")
        .order_by(Institution.name)
    )
    return [(name, sub.answers) for sub, name in s.execute(q)]


@router.get("/api/rounds/{round_id}/responses", tags=["survey"])
def round_responses(
    round_id: PathId,
    _: Annotated[User, Depends(require("admin", "planner"))],
    s: Annotated[Session, Depends(db)],
) -> dict[str, list[dict[str, Any]]]:
    """Return every submitted answer of a round merged into one survey (sheet -> rows)."""
    get_or_404(s, SurveyRound, round_id, "survey round")
    merged: dict[str, list[dict[str, Any]]] = {}
    for _name, answers in submitted_answers(s, round_id):
        for sheet, rows in answers.items():
            merged.setdefault(sheet, []).extend(rows)
    return merged


# --- pages ------------------------------------------------------------------------------


def _form_answers(form: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name, spec in survey_io.specs().items():
        n = min(
            int(str(form.get(f"n-{name}", "0") or 0)) if str(form.get(f"n-{name}", "0")).isdigit() else 0,
            MAX_ROWS_PER_SHEET,
        )
        cols = survey_io.form_columns(spec)
        out[name] = [{c.name: form.get(f"cell-{name}-{i}-{c.name}", "") for c in cols} for i in range(n)]
    return out


def as_shown(p: Problem, lang: str) -> Problem:
    """Return a form problem located as the form shows it: sheet title, column header, rows from 1."""
    spec = survey_io.specs().get(p.sheet or "")
    if spec is None:
        return p
    column = next((c.header(lang) for c in spec.columns if c.name == p.column), p.column)
    return replace(p, sheet=spec.title(lang), column=column, row=None if p.row is None else p.row + 1)


def _survey_page(
    request: Request,
    s: Session,
    user: User,
    r: SurveyRound,
    answers: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
    message: str | None = None,
    status_code: int = 200,
    in_file: bool = False,
    refused: bool = False,
) -> HTMLResponse:
    """Render the survey form; ``message`` is a catalog id (or an HTTP error's detail) shown translated."""
    from aidc.web.routers.rounds import round_out

    sub = submission_out(s, r.id, user.institution_id, lang_of(request))  # type: ignore[arg-type]
    answers = sub.answers if answers is None else answers
    if problems is None:
        problems = survey_io.validate_answers(answers) if survey_io.n_need_rows(answers) else []
    cells: dict[tuple[str, int, str], list[Problem]] = {}
    general = []
    for p in (survey_io.for_reader(p, lang_of(request)) for p in problems):
        if not in_file and p.sheet is not None and p.row is not None and p.column is not None:
            cells.setdefault((p.sheet, p.row, p.column), []).append(p)
        else:
            general.append(p if in_file else as_shown(p, lang_of(request)))
    return render(
        request,
        "survey.html",
        status_code=status_code,
        round=round_out(r),
        sub=sub,
        answers=answers,
        specs=survey_io.specs(),
        form_columns=survey_io.form_columns,
        options=survey_io.options,
        cells=cells,
        general=general,
        message=gettext(message, lang_of(request)) if message else None,
        refused=refused or status_code >= 400,
        history=submission_history(r.id, user, s),
        in_file=in_file,
    )


@router.get("/survey", response_class=HTMLResponse, include_in_schema=False)
def survey_list(
    request: Request, user: Annotated[User, Depends(INSTITUTION)], s: Annotated[Session, Depends(db)]
) -> HTMLResponse:
    """List the rounds this institution is invited to and the state of its answers."""
    rounds = my_rounds(user, s)
    states = {r.id: submission_out(s, r.id, user.institution_id, lang_of(request))  # type: ignore[arg-type]
              for r in rounds}
    return render(
        request, "survey_list.html", rounds=rounds, states=states, institution=_organisation(s, user)
    )


@router.get("/survey/template.xlsx", include_in_schema=False)
def survey_template(request: Request, _: Annotated[User, Depends(READER)]) -> Response:
    """Download the survey's Excel template in the reader's language (the survey's ``write_template``)."""
    import tempfile
    from pathlib import Path

    from aidc.survey import write_template

    with tempfile.TemporaryDirectory(prefix="aidc-web-") as tmp:
        path = Path(tmp) / "template.xlsx"
        write_template(path, lang_of(request))
        content = path.read_bytes()
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="aidc-survey-template.xlsx"'},
    )


@router.get("/survey/{round_id}", response_class=HTMLResponse, include_in_schema=False)
def survey_page(
    request: Request,
    round_id: PathId,
    user: Annotated[User, Depends(INSTITUTION)],
    s: Annotated[Session, Depends(db)],
) -> HTMLResponse:
    """Show the survey form with the stored answer and its problems beside the cells."""
    return _survey_page(request, s, user, _round_for(s, user, round_id))


@router.post("/survey/{round_id}", response_class=HTMLResponse, include_in_schema=False)
async def survey_post(
    request: Request,
    round_id: PathId,
    user: Annotated[User, Depends(INSTITUTION)],
    s: Annotated[Session, Depends(db)],
) -> HTMLResponse:
    """Handle the form's buttons: add or delete a row, check, save a draft, submit."""
    r = _round_for(s, user, round_id)
    form = await request.form()
    answers, action = _form_answers(form), str(form.get("action", "save"))
    if action.startswith("add_row-") and action.removeprefix("add_row-") in answers:
        answers[action.removeprefix("add_row-")].append({})
        return _survey_page(request, s, user, r, answers=answers, problems=[])
    if action.startswith("delete_row-"):
        sheet, _, idx = action.removeprefix("delete_row-").rpartition("-")
        if sheet in answers and idx.isdigit():
            answers[sheet] = [x for j, x in enumerate(answers[sheet]) if j != int(idx)]
        return _survey_page(request, s, user, r, answers=answers, problems=[])
    if action == "check":
        # the verdict a submit would give; the page keeps the rows as the respondent typed them
        _, problems = submit_verdict(s, user, answers)
        return _survey_page(request, s, user, r, answers=answers, problems=problems)
    submit = action == "submit"
    try:
        problems = save_answers(
            request, s, user, r, answers, submit=submit, action="submit" if submit else "save_draft"
        )
    except Refused as exc:
        return _survey_page(
            request,
            s,
            user,
            r,
            answers=answers,
            problems=exc.problems,
            status_code=422,
            message=N_("Not submitted: fix the problems marked below. Your stored answer is unchanged."),
        )
    except HTTPException as exc:
        return _survey_page(
            request,
            s,
            user,
            r,
            answers=answers,
            problems=[],
            status_code=exc.status_code,
            message=detail_text(exc, lang_of(request)),
        )
    s.expire_all()
    done = N_("Submitted. You can amend it until the round closes.") if submit else N_("Draft saved.")
    return _survey_page(request, s, user, r, problems=problems, message=done)


@router.post("/survey/{round_id}/upload", response_class=HTMLResponse, include_in_schema=False)
async def survey_upload(
    request: Request,
    round_id: PathId,
    file: UploadFile,
    user: Annotated[User, Depends(INSTITUTION)],
    s: Annotated[Session, Depends(db)],
) -> HTMLResponse:
    """Upload a workbook: stored as a draft if it has no errors, else its problems are listed."""
    r = _round_for(s, user, round_id)
    try:
        answers, problems = await read_upload(request, s, user, file)
        if _errors(problems) or survey_io.n_need_rows(answers) == 0:
            raise Refused(problems if _errors(problems) else [Problem(survey_io.NO_NEED_IN_FILE)])
        problems = save_answers(request, s, user, r, answers, submit=False, action="upload")
    except Refused as exc:
        return _survey_page(
            request,
            s,
            user,
            r,
            problems=exc.problems,
            status_code=422,
            in_file=True,
            message=N_("The upload was not stored: fix the problems listed in your file. "
                       "Your stored answer is unchanged."),
        )
    except HTTPException as exc:
        return _survey_page(
            request, s, user, r, problems=[], status_code=exc.status_code,
            message=detail_text(exc, lang_of(request)),
        )
    s.expire_all()
    return _survey_page(
        request, s, user, r, problems=problems, message=N_("Upload stored as a draft; check and submit.")
    )
