"""The database: SQLAlchemy 2 models, the engine, and migrating to the latest schema.

One table per thing a user creates. Survey answers are JSON rows keyed by the survey's
internal column names; every change to a submission also writes a :class:`SubmissionEvent`
(who, when, what, the full answers), in the same transaction, so nothing is ever lost.
The schema is created and upgraded by Alembic (``aidc/web/migrations``) on start.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROLES = ("admin", "planner", "institution")
SUBMISSION_STATES = ("draft", "submitted")
RUN_STATES = ("queued", "running", "done", "failed", "cancelled")
#: Owner-only rights of the data folder and of the files in it (the SQLite file, the secret).
OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Institution(Base):
    """An organisation that answers the survey (university, public body, company)."""

    __tablename__ = "institution"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """Someone who signs in: an admin, a planner, or a member of one institution."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A browser session: the cookie carries only its random id, so ending it here ends it everywhere.

    Only the SHA-256 of the id is stored; logout, a password change or deactivating the account
    sets ``revoked_at``.
    """

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    sid_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApiToken(Base):
    """A bearer token of the API: random, stored only as its SHA-256, expiring, revocable."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SurveyRound(Base):
    """One round of the demand survey; institutions may amend answers until it closes."""

    __tablename__ = "survey_round"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Invitation(Base):
    """A link that lets one institution create its account for one round.

    Only a SHA-256 of the token is stored: a leaked database does not leak live links.
    """

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    email: Mapped[str] = mapped_column(String(254))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)


class Submission(Base):
    """The current answer of one institution in one round (the latest version)."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("round_id", "institution_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    n_problems: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)


class SubmissionEvent(Base):
    """One change of a submission: who did what, when, and the full answers after it."""

    __tablename__ = "submission_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScenarioRecord(Base):
    """A scenario being worked on, kept as the YAML text the library parses."""

    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    survey_round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_round.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)


class Run(Base):
    """One background run of a scenario; the scenario text is frozen into the run."""

    __tablename__ = "run"
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), index=True)
    scenario_yaml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress_frac: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RunFile(Base):
    """A file a run produced (the report); stored in the database, never under a user-named path."""

    __tablename__ = "run_file"
    __table_args__ = (UniqueConstraint("run_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)


# ---------------------------------------------------------------------------------------
# Engine and schema


def owner_only_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable by the owner only, or tighten an existing one."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=OWNER_ONLY_DIR)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, OWNER_ONLY_FILE)
    os.close(fd)
    os.chmod(path, OWNER_ONLY_FILE)  # a file left 0644 by an older version is tightened


def make_engine(
    url: str, pool_size: int = 10, max_overflow: int = 20, pool_timeout_s: float = 30.0
) -> Engine:
    """Create the engine; a SQLite file (and its folder) is created owner-only on first use, in WAL mode.

    ``pool_timeout_s`` is how long a request waits for a connection before
    :class:`sqlalchemy.exc.TimeoutError` (answered 503 by the app).
    """
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout_s}
    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            owner_only_file(Path(db_path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (creates every table on first start)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def secret_key(path: Path) -> str:
    """Return the cookie-signing key kept in ``path``, creating it (owner-only) on first start.

    Raises
    ------
    InputError
        When the file can be read by others than its owner: anyone who reads it can forge sessions.
    """
    from aidc.errors import InputError

    if path.is_file():
        if path.stat().st_mode & 0o077:
            raise InputError.single(
                "the secret file can be read by other users; make it owner-only (chmod 600)",
                file=str(path),
                found=oct(path.stat().st_mode & 0o777),
                expected="0o600",
            )
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < 32:
            raise InputError.single(
                "the secret file is too short", file=str(path), expected="at least 32 characters"
            )
        return key
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=OWNER_ONLY_DIR)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key


def get_one(s: Session, model: type[Any], **where: Any) -> Any:
    """Return the one row of ``model`` matching ``where`` (column = value), or None."""
    return s.scalars(select(model).filter_by(**where)).first()
