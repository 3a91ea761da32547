"""Accounts, managed by admins (pages under ``/admin``, API under ``/api/users``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from aidc.i18n import N_, gettext
from aidc.web.common import PathId, db, get_or_404, lang_of, redirect, render
from aidc.web.db import Institution, User, get_one
from aidc.web.errors import ApiError, detail_text
from aidc.web.schemas import UserIn, UserOut, UserPatch
from aidc.web.security import Passwords, require, revoke_all

router = APIRouter()
ADMIN = require("admin")


def institution_id(s: Session, name: str) -> int:
    """Return the id of the institution called ``name``, creating it if new."""
    inst = get_one(s, Institution, name=name.strip())
    if inst is None:
        inst = Institution(name=name.strip())
        s.add(inst)
        s.flush()
    return inst.id


def create_user(sessions: sessionmaker[Session], passwords: Passwords, body: UserIn) -> User:
    """Create an account; raise 409 if the e-mail is taken, 422 if an institution user has no institution."""
    if body.role == "institution" and not body.institution:
        raise ApiError(
            422, "institution_name_missing", N_("an institution account needs the institution's name")
        )
    try:
        with sessions.begin() as s:
            inst = (
                institution_id(s, body.institution)
                if body.role == "institution" and body.institution
                else None
            )
            user = User(
                email=body.email.strip().lower(),
                password_hash=passwords.hash(body.password),
                role=body.role,
                institution_id=inst,
                active=True,
            )
            s.add(user)
            s.flush()
            s.expunge(user)
    except IntegrityError:
        raise ApiError(409, "email_taken", N_("an account with this e-mail exists")) from None
    return user


@router.get("/api/users", tags=["users"])
def list_users(_: Annotated[User, Depends(ADMIN)], s: Annotated[Session, Depends(db)]) -> list[UserOut]:
    """List every account."""
    return [UserOut.model_validate(u) for u in s.scalars(select(User).order_by(User.id))]


@router.post("/api/users", status_code=201, tags=["users"])
def add_user(request: Request, body: UserIn, _: Annotated[User, Depends(ADMIN)]) -> UserOut:
    """Create an account (admin, planner, or a member of an institution)."""
    return UserOut.model_validate(create_user(request.app.state.sessions, request.app.state.passwords, body))


@router.patch("/api/users/{user_id}", tags=["users"])
def patch_user(
    user_id: PathId,
    body: UserPatch,
    admin: Annotated[User, Depends(ADMIN)],
    s: Annotated[Session, Depends(db)],
) -> UserOut:
    """Activate or deactivate an account (an admin cannot deactivate themselves)."""
    user = get_or_404(s, User, user_id, "user")
    if user.id == admin.id and not body.active:
        raise ApiError(409, "cannot_deactivate_self", N_("you cannot deactivate your own account"))
    user.active = body.active
    if not body.active:
        revoke_all(s, user.id)  # a deactivated account's sessions and tokens end now
    s.commit()
    return UserOut.model_validate(user)


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(
    request: Request,
    _: Annotated[User, Depends(ADMIN)],
    s: Annotated[Session, Depends(db)],
) -> HTMLResponse:
    """Show accounts and the form to add one."""
    users = s.scalars(select(User).order_by(User.id)).all()
    names = {i.id: i.name for i in s.scalars(select(Institution))}
    return render(request, "users.html", users=users, institutions=names, error=None)


@router.post("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_add(
    request: Request,
    _: Annotated[User, Depends(ADMIN)],
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    institution: Annotated[str, Form()] = "",
) -> Response:
    """Create an account from the form."""
    try:
        body = UserIn(email=email, password=password, role=role, institution=institution or None)
        create_user(request.app.state.sessions, request.app.state.passwords, body)
    except (ValidationError, HTTPException) as exc:
        message = (
            detail_text(exc, lang_of(request))
            if isinstance(exc, HTTPException)
            else gettext("The user was not added: check {fields}.", lang_of(request),
                         fields=", ".join(gettext(str(e["loc"][-1]), lang_of(request))
                                          for e in exc.errors(include_url=False)))
        )
        with request.app.state.sessions() as s:
            users = s.scalars(select(User).order_by(User.id)).all()
            names = {i.id: i.name for i in s.scalars(select(Institution))}
            return render(
                request, "users.html", status_code=422, users=users, institutions=names, error=message
            )
    return redirect("/admin/users")
