"""Saving survey answers: one transaction writes the new version and its history entry.

A save either commits both the submission row and a :class:`SubmissionEvent` or neither.
Concurrent saves of the same submission are serialised by the version number: the update
only applies ``WHERE version = <the version read>``, and a lost race is retried.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from aidc.errors import Note
from aidc.i18n import N_
from aidc.web.db import Submission, SubmissionEvent, utcnow

MAX_RETRIES = 20


class VersionConflict(Exception):
    """The stored version is not the one the client edited."""

    def __init__(self, stored: int) -> None:
        self.message = Note(N_("the answer was changed meanwhile (stored version {stored}); reload it"),
                            stored=stored)
        super().__init__(self.message)
        self.stored = stored


def current(s: Session, round_id: int, institution_id: int) -> Submission | None:
    """Return the stored submission of an institution in a round, or None."""
    return s.scalars(select(Submission).filter_by(round_id=round_id, institution_id=institution_id)).first()


def _attempt(
    s: Session,
    round_id: int,
    institution_id: int,
    values: dict[str, Any],
    action: str,
    user_id: int,
    expected_version: int | None,
) -> int:
    sub = current(s, round_id, institution_id)
    if sub is None:
        if expected_version not in (None, 0):
            raise VersionConflict(0)
        sub = Submission(round_id=round_id, institution_id=institution_id, version=1, **values)
        s.add(sub)
        s.flush()
        version = 1
    else:
        if expected_version is not None and expected_version != sub.version:
            raise VersionConflict(sub.version)
        version = sub.version + 1
        res = s.execute(
            update(Submission)
            .where(Submission.id == sub.id, Submission.version == sub.version)
            .values(version=version, **values)
        )
        if getattr(res, "rowcount", 1) != 1:
            raise IntegrityError("concurrent update", None, Exception("version moved"))
    s.add(
        SubmissionEvent(
            submission_id=sub.id,
            version=version,
            action=action,
            status=values["status"],
            answers=values["answers"],
            user_id=user_id,
            at=values["updated_at"],
        )
    )
    return version


def save(
    sessions: sessionmaker[Session],
    *,
    round_id: int,
    institution_id: int,
    user_id: int,
    answers: dict[str, Any],
    submit: bool,
    action: str,
    n_problems: int,
    expected_version: int | None = None,
) -> int:
    """Store a new version of an answer with its history entry; return the new version number."""
    now = utcnow()
    values = {
        "answers": answers,
        "status": "submitted" if submit else "draft",
        "n_problems": n_problems,
        "updated_at": now,
        "updated_by": user_id,
    }
    if submit:
        values["submitted_at"] = now
    for _ in range(MAX_RETRIES):
        try:
            with sessions.begin() as s:
                return _attempt(s, round_id, institution_id, values, action, user_id, expected_version)
        except IntegrityError:
            continue  # another request created or updated it first: read again and retry
    raise VersionConflict(-1)
