"""Request and response bodies of the REST API (the library's own models where they exist)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aidc.scenario import Scenario

Role = Literal["admin", "planner", "institution"]


class Body(BaseModel):
    """Base of request bodies: unknown keys are errors, NaN and infinities are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Credentials(Body):
    """E-mail and password for ``POST /api/auth/token``."""

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=100, description="What the token is for (shown in the token list).")


class PasswordChange(Body):
    """Change of one's own password; every other session and API token of the account ends."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=10, max_length=1024)


class ApiTokenOut(BaseModel):
    """An API token as listed (never the token itself: only its hash is stored)."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    revoked_at: datetime | None
    live: bool


class TokenOut(BaseModel):
    """A bearer token for the API."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in_s: int


class UserIn(Body):
    """A new account created by an admin."""

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=10, max_length=1024)
    role: Role
    institution: str | None = Field(None, max_length=200, description="Institution name (role institution).")


class UserOut(BaseModel):
    """An account as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    role: Role
    institution_id: int | None
    active: bool


class UserPatch(Body):
    """Change of an account by an admin."""

    active: bool


class RoundIn(Body):
    """A new survey round."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    closes_at: datetime | None = Field(None, description="When answers can no longer be changed (UTC).")


class RoundOut(BaseModel):
    """A survey round and whether it is open."""

    id: int
    title: str
    description: str
    closes_at: datetime | None
    closed: bool
    open: bool


class InvitationIn(Body):
    """Invite one institution (created if new) to a round."""

    institution: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


class InvitationOut(BaseModel):
    """A created invitation; the link is shown only once."""

    id: int
    round_id: int
    institution_id: int
    email: str
    expires_at: datetime
    url: str | None = None


class AcceptIn(Body):
    """Password of the institution account an invitation creates."""

    password: str = Field(min_length=10, max_length=1024)


class ErrorOut(BaseModel):
    """An error answer of the API (:mod:`aidc.web.errors`)."""

    detail: str = Field(
        description="What went wrong, in the reader's language (cookie aidc_lang, then Accept-Language, "
        "then Korean). A 422 lists {loc, msg, type} items instead, msg in that language."
    )
    code: str = Field(
        description="A stable name of the error (run_not_found, validation_error, busy, ...), the same in "
        "every language: branch on it, not on the text."
    )


class ProblemOut(BaseModel):
    """One validation problem; ``sheet``/``row`` (0-based)/``column`` locate it in ``answers``."""

    message: str = Field(description="What is wrong, in the reader's language (as the error answers).")
    code: str = Field(description="A stable name of the problem (not_a_number, value_missing, ...), the "
                      "same in every language: branch on it, not on the text.")
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    cell: str | None = Field(None, description="The spreadsheet address (C7) in an uploaded workbook.")
    found: Any = None
    expected: str | None = None
    severity: str = "error"


class SubmissionIn(Body):
    """Answers of one institution: rows keyed by the survey's internal column names."""

    answers: dict[str, list[dict[str, str | float | int | None]]] = Field(
        description="Sheet -> rows keyed by internal column names, as in the survey's YAML form; "
        "respondent_id and organisation are set by the server."
    )
    submit: bool = Field(False, description="Submit (refused while there are errors) or keep as a draft.")
    expected_version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Refuse with 409 if the stored version differs."
    )


class SubmissionOut(BaseModel):
    """The stored answer of one institution in one round."""

    round_id: int
    institution_id: int
    status: Literal["none", "draft", "submitted"]
    version: int
    answers: dict[str, list[dict[str, Any]]]
    updated_at: datetime | None
    submitted_at: datetime | None
    problems: list[ProblemOut] = []


class EventOut(BaseModel):
    """One entry of a submission's history."""

    version: int
    action: str
    status: str
    user_email: str | None
    at: datetime
    answers: dict[str, list[dict[str, Any]]]


class BoardRow(BaseModel):
    """One invited institution's state in a round."""

    institution_id: int
    institution: str
    invited_email: str
    status: Literal["none", "draft", "submitted"]
    n_rows: int
    updated_at: datetime | None


class ScenarioIn(Body):
    """A scenario to store: its name in the workspace and the library's :class:`aidc.Scenario`."""

    name: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\- ]*$")
    scenario: Scenario
    survey_round_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Round whose submitted answers feed the demand."
    )


class ScenarioOut(BaseModel):
    """A stored scenario."""

    id: int
    name: str
    version: int
    survey_round_id: int | None
    updated_at: datetime
    scenario: Scenario


class ScenarioListItem(BaseModel):
    """A stored scenario in a list."""

    id: int
    name: str
    version: int
    survey_round_id: int | None
    updated_at: datetime


class RunOut(BaseModel):
    """A background run and, when done, what it produced."""

    id: int
    scenario_id: int
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    queue_position: int | None = Field(None, description="1 = next to start; None when not queued.")
    progress_frac: float
    stage: str
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None = None
    files: list[str] = []
