"""Survey rounds, invitations and who has answered (planners), and accepting an invitation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from aidc.i18n import N_
from aidc.web.common import PathId, aware, aware_utc, db, get_or_404, lang_of, redirect, render, round_open
from aidc.web.db import Institution, Invitation, Submission, SurveyRound, User, get_one, utcnow
from aidc.web.errors import ApiError, detail_text
from aidc.web.lang import SEOUL
from aidc.web.routers.users import institution_id
from aidc.web.schemas import AcceptIn, BoardRow, InvitationIn, InvitationOut, RoundIn, RoundOut, TokenOut
from aidc.web.security import (
    Passwords,
    authenticate,
    check_csrf,
    new_token,
    password_problem,
    require,
    start_session,
    token_sha256,
)

router = APIRouter()
PLANNER = require("admin", "planner")


def round_out(r: SurveyRound) -> RoundOut:
    """Return the API view of a round."""
    return RoundOut(
        id=r.id,
        title=r.title,
        description=r.description,
        closes_at=aware(r.closes_at),
        closed=r.closed,
        open=round_open(r),
    )


def board(s: Session, round_id: PathId) -> list[BoardRow]:
    """Return each invited institution's answer state in a round."""
    invited = s.execute(
        select(Invitation, Institution)
        .join(Institution, Invitation.institution_id == Institution.id)
        .where(Invitation.round_id == round_id)
        .order_by(Institution.name)
    ).all()
    subs = {x.institution_id: x for x in s.scalars(select(Submission).filter_by(round_id=round_id))}
    rows, seen = [], set()
    for inv, inst in invited:
        if inst.id in seen:
            continue
        seen.add(inst.id)
        sub = subs.get(inst.id)
        rows.append(
            BoardRow(
                institution_id=inst.id,
                institution=inst.name,
                invited_email=inv.email,
                status=sub.status if sub else "none",
                n_rows=len(sub.answers) if sub else 0,
                updated_at=aware(sub.updated_at) if sub else None,
            )
        )
    return rows


def create_round(s: Session, body: RoundIn, user: User) -> SurveyRound:
    """Store a new round."""
    r = SurveyRound(
        title=body.title,
        description=body.description,
        closes_at=body.closes_at,
        closed=False,
        created_by=user.id,
    )
    s.add(r)
    s.commit()
    return r


def invite(request: Request, s: Session, round_id: PathId, body: InvitationIn) -> InvitationOut:
    """Create an invitation (and the institution if new); the URL holds the only copy of the token."""
    get_or_404(s, SurveyRound, round_id, "survey round")
    token = new_token()
    inv = Invitation(
        round_id=round_id,
        institution_id=institution_id(s, body.institution),
        email=body.email.strip().lower(),
        token_sha256=token_sha256(token),
        expires_at=utcnow() + timedelta(seconds=request.app.state.settings.invitation_max_age_s),
    )
    s.add(inv)
    s.commit()
    return InvitationOut(
        id=inv.id,
        round_id=round_id,
        institution_id=inv.institution_id,
        email=inv.email,
        expires_at=aware(inv.expires_at),
        url=str(request.url_for("invitation_page", token=token)),
    )


# --- API --------------------------------------------------------------------------------


@router.get("/api/rounds", tags=["rounds"])
def list_rounds(_: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]) -> list[RoundOut]:
    """List survey rounds, newest first."""
    return [round_out(r) for r in s.scalars(select(SurveyRound).order_by(SurveyRound.id.desc()))]


@router.post("/api/rounds", status_code=201, tags=["rounds"])
def add_round(
    body: RoundIn, user: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> RoundOut:
    """Create a survey round."""
    return round_out(create_round(s, body, user))


@router.get("/api/rounds/{round_id}", tags=["rounds"])
def get_round(
    round_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> RoundOut:
    """Return one round."""
    return round_out(get_or_404(s, SurveyRound, round_id, "survey round"))


@router.get("/api/rounds/{round_id}/board", tags=["rounds"])
def get_board(
    round_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> list[BoardRow]:
    """Who was invited and who has answered."""
    get_or_404(s, SurveyRound, round_id, "survey round")
    return board(s, round_id)


@router.post("/api/rounds/{round_id}/close", tags=["rounds"])
def close_round(
    round_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> RoundOut:
    """Close a round: answers can no longer be changed."""
    r = get_or_404(s, SurveyRound, round_id, "survey round")
    r.closed = True
    s.commit()
    return round_out(r)


@router.post("/api/rounds/{round_id}/invitations", status_code=201, tags=["rounds"])
def add_invitation(
    request: Request,
    round_id: PathId,
    body: InvitationIn,
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> InvitationOut:
    """Invite an institution; the returned ``url`` is the link to send (shown only once)."""
    return invite(request, s, round_id, body)


async def _not_staff(request: Request) -> None:
    """Refuse a signed-in planner or admin: an invitation makes an institution member, nobody else."""
    user = await authenticate(request)
    if user is not None and user.role != "institution":
        raise ApiError(
            403, "staff_cannot_accept",
            N_("a planner or admin cannot accept an institution's invitation; sign out first"),
        )


def _accept(s: Session, passwords: Passwords, token: str, password: str) -> User:
    inv = get_one(s, Invitation, token_sha256=token_sha256(token))
    if inv is None or inv.accepted_at is not None or aware_utc(inv.expires_at) < utcnow():
        raise ApiError(404, "invitation_unknown", N_("this invitation link is unknown, used or expired"))
    # Whoever holds a link (the planner who made it, too) must not join an institution that already
    # has an account and take over its answers; further members are added by an admin.
    member = s.scalars(select(User.id).filter_by(institution_id=inv.institution_id, active=True)).first()
    if member is not None:
        raise ApiError(409, "institution_has_account",
                       N_("this institution already has an account; its members sign in"))
    if (problem := password_problem(password)) is not None:
        raise ApiError(422, "weak_password", problem)
    if get_one(s, User, email=inv.email) is not None:
        raise ApiError(409, "email_taken", N_("an account with this e-mail exists; sign in instead"))
    user = User(
        email=inv.email,
        password_hash=passwords.hash(password),
        role="institution",
        institution_id=inv.institution_id,
        active=True,
    )
    s.add(user)
    s.flush()
    inv.accepted_at, inv.accepted_by = utcnow(), user.id
    try:
        s.commit()
    except IntegrityError:
        raise ApiError(
            409, "email_taken", N_("an account with this e-mail exists; sign in instead")
        ) from None
    return user


@router.post("/api/invitations/{token}/accept", tags=["rounds"])
async def accept_api(
    request: Request, token: str, body: AcceptIn, s: Annotated[Session, Depends(db)]
) -> TokenOut:
    """Accept an invitation: create the institution's account and return a bearer token."""
    from aidc.web.routers.auth import token_out

    await _not_staff(request)
    user = await run_in_threadpool(_accept, s, request.app.state.passwords, token, body.password)
    return token_out(s, request, user.id, "invitation")


# --- pages ------------------------------------------------------------------------------


@router.get("/rounds", response_class=HTMLResponse, include_in_schema=False)
def rounds_page(
    request: Request, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> HTMLResponse:
    """List rounds and offer a form for a new one."""
    rounds = [round_out(r) for r in s.scalars(select(SurveyRound).order_by(SurveyRound.id.desc()))]
    return render(request, "rounds.html", rounds=rounds, error=None)


@router.post("/rounds", include_in_schema=False)
def rounds_add(
    request: Request,
    user: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
    title: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
    closes_at: Annotated[str, Form()] = "",
) -> Response:
    """Create a round from the form."""
    try:
        when = datetime.fromisoformat(closes_at) if closes_at else None
        if when is not None and when.tzinfo is None:  # the form's time is Korea time, stored as UTC
            when = when.replace(tzinfo=SEOUL).astimezone(UTC)
        body = RoundIn(title=title, description=description, closes_at=when)
    except ValueError:
        rounds = [round_out(r) for r in s.scalars(select(SurveyRound).order_by(SurveyRound.id.desc()))]
        return render(request, "rounds.html", status_code=422, rounds=rounds,
                      error=N_("The round was not created: check the title and the closing date and time."))
    return redirect(f"/rounds/{create_round(s, body, user).id}")


@router.get("/rounds/{round_id}", response_class=HTMLResponse, include_in_schema=False)
def round_page(
    request: Request,
    round_id: PathId,
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
) -> HTMLResponse:
    """Show a round: who answered, and the invitation form."""
    r = round_out(get_or_404(s, SurveyRound, round_id, "survey round"))
    return render(request, "round.html", round=r, board=board(s, round_id), invitation=None, error=None)


@router.post("/rounds/{round_id}/invitations", response_class=HTMLResponse, include_in_schema=False)
def round_invite(
    request: Request,
    round_id: PathId,
    _: Annotated[User, Depends(PLANNER)],
    s: Annotated[Session, Depends(db)],
    institution: Annotated[str, Form()],
    email: Annotated[str, Form()],
) -> HTMLResponse:
    """Create an invitation and show its link once."""
    r = round_out(get_or_404(s, SurveyRound, round_id, "survey round"))
    try:
        inv, error = invite(request, s, round_id, InvitationIn(institution=institution, email=email)), None
    except ValidationError as exc:
        inv, error = None, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors(include_url=False))
    return render(
        request,
        "round.html",
        status_code=201 if inv else 422,
        round=r,
        board=board(s, round_id),
        invitation=inv,
        error=error,
    )


@router.post("/rounds/{round_id}/close", include_in_schema=False)
def round_close(
    round_id: PathId, _: Annotated[User, Depends(PLANNER)], s: Annotated[Session, Depends(db)]
) -> Response:
    """Close a round from its page."""
    close_round(round_id, _, s)
    return redirect(f"/rounds/{round_id}")


@router.get("/invite/{token}", response_class=HTMLResponse, include_in_schema=False, name="invitation_page")
def invitation_page(request: Request, token: str, s: Annotated[Session, Depends(db)]) -> HTMLResponse:
    """Show the form that creates the institution's account."""
    inv = get_one(s, Invitation, token_sha256=token_sha256(token))
    valid = inv is not None and inv.accepted_at is None and aware_utc(inv.expires_at) >= utcnow()
    inst = s.get(Institution, inv.institution_id) if valid and inv else None
    return render(
        request,
        "invite.html",
        status_code=200 if valid else 404,
        valid=valid,
        email=inv.email if valid and inv else None,
        institution=inst.name if inst else None,
        error=None,
    )


@router.post("/invite/{token}", response_class=HTMLResponse, include_in_schema=False)
async def invitation_accept(
    request: Request,
    token: str,
    s: Annotated[Session, Depends(db)],
    password: Annotated[str, Form(max_length=1024)],
    password2: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Create the account, sign it in and open the survey."""
    await check_csrf(request)
    try:
        await _not_staff(request)
        if password != password2:
            raise ApiError(422, "passwords_differ", N_("the two passwords differ"))
        if (problem := password_problem(password)) is not None:
            raise ApiError(422, "weak_password", problem)
        user = await run_in_threadpool(_accept, s, request.app.state.passwords, token, password)
    except HTTPException as exc:
        inv = get_one(s, Invitation, token_sha256=token_sha256(token))
        return render(
            request,
            "invite.html",
            status_code=exc.status_code,
            valid=exc.status_code != 404,
            email=inv.email if inv else None,
            institution=None,
            error=detail_text(exc, lang_of(request)),
        )
    start_session(request, s, user.id)
    s.commit()
    return redirect("/survey")
