"""Settings of the web service: where the database and the secret are, and the limits.

The limits are policy, not physics: one frozen dataclass that :func:`aidc.web.main.create_app`
receives, so tests pass their own (a smaller upload limit, a faster rate limit) instead of
patching globals. Their defaults, with the reason for each, are records in
``aidc/data/web/limits.yaml``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aidc import data

ENV_DATABASE_URL = "AIDC_DATABASE_URL"
ENV_DATA_DIR = "AIDC_DATA_DIR"
ENV_SECRET_FILE = "AIDC_SECRET_FILE"
ENV_DASK_SCHEDULER = "AIDC_DASK_SCHEDULER"
ENV_TRUSTED_PROXIES = "AIDC_TRUSTED_PROXIES"
ENV_HTTPS_ONLY = "AIDC_HTTPS_ONLY"
#: Content-Security-Policy of every answer: the pages use only their own scripts, styles and images
#: (Plotly draws inline styles, hence 'unsafe-inline' for styles only).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


def limit(key: str) -> Any:
    """Return the value of the web limit ``key`` (a record of ``aidc/data/web/limits.yaml``)."""
    return data.load_yaml("web/limits.yaml")[key]["value"]


def _limit(key: str) -> Callable[[], Any]:
    limit(key)  # a misspelt key fails at import, not at the first request
    return lambda: limit(key)


def default_data_dir() -> Path:
    """Return the folder of the default SQLite file: ``$AIDC_DATA_DIR`` or ``~/.local/share/aidc``."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aidc"


def default_database_url() -> str:
    """Return ``$AIDC_DATABASE_URL`` or a SQLite file in :func:`default_data_dir` (created on first start)."""
    env = os.environ.get(ENV_DATABASE_URL)
    if env:
        return env
    return f"sqlite:///{default_data_dir() / 'aidc-web.sqlite3'}"


def default_secret_file() -> Path:
    """Return ``$AIDC_SECRET_FILE`` or ``secret.key`` in :func:`default_data_dir`."""
    env = os.environ.get(ENV_SECRET_FILE)
    return Path(env) if env else default_data_dir() / "secret.key"


def _trusted_proxies() -> tuple[str, ...]:
    return tuple(p.strip() for p in os.environ.get(ENV_TRUSTED_PROXIES, "").split(",") if p.strip())


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app needs to start; every field has a safe default."""

    database_url: str = field(default_factory=default_database_url)
    #: Secret for cookies; None reads (or creates, owner-only) :attr:`secret_file`.
    secret_key: str | None = None
    secret_file: Path = field(default_factory=default_secret_file)
    #: Largest accepted upload (survey workbook or CSV) and request body of any kind. [bytes]
    max_upload_bytes: int = field(default_factory=_limit("max_upload_bytes"))
    max_body_bytes: int = field(default_factory=_limit("max_body_bytes"))
    #: Workbook limits checked before and while parsing (see :mod:`aidc.web.uploads`).
    upload_max_unzipped_bytes: int = field(default_factory=_limit("upload_max_unzipped_bytes"))
    upload_max_zip_ratio: float = field(default_factory=_limit("upload_max_zip_ratio"))
    upload_max_rows: int = field(default_factory=_limit("upload_max_rows"))
    upload_max_columns: int = field(default_factory=_limit("upload_max_columns"))
    upload_memory_bytes: int = field(default_factory=_limit("upload_memory_bytes"))
    upload_time_s: float = field(default_factory=_limit("upload_time_s"))
    n_upload_workers: int = field(default_factory=_limit("n_upload_workers"))
    #: Requests worked on at once; the next waits ``busy_wait_s`` at the door, then gets 503.
    max_in_flight: int = field(default_factory=_limit("max_in_flight"))
    #: How long a request waits for a parse, hash or database slot before 503. [s]
    busy_wait_s: float = field(default_factory=_limit("busy_wait_s"))
    #: Failed sign-ins allowed per (address, e-mail) and per e-mail within ``login_window_s``.
    login_max_failures: int = field(default_factory=_limit("login_max_failures"))
    login_max_failures_per_account: int = field(default_factory=_limit("login_max_failures_per_account"))
    login_window_s: float = field(default_factory=_limit("login_window_s"))
    #: Password hashes computed at once (each holds Argon2's memory).
    n_hash_slots: int = field(default_factory=_limit("n_hash_slots"))
    #: Peers whose ``X-Forwarded-For`` is believed (the reverse proxy's address).
    trusted_proxies: tuple[str, ...] = field(default_factory=_trusted_proxies)
    #: Origins besides the service's own that may send unsafe requests (``https://host``).
    allowed_origins: tuple[str, ...] = ()
    #: Lifetime of a session and of an API token. [s]
    session_max_age_s: int = field(default_factory=_limit("session_max_age_s"))
    #: Lifetime of an invitation link. [s]
    invitation_max_age_s: int = 30 * 24 * 3600
    #: Send the session cookie only over HTTPS and ask browsers to use HTTPS only (HSTS).
    https_only: bool = field(
        default_factory=lambda: os.environ.get(ENV_HTTPS_ONLY, "").lower() in ("1", "true", "yes")
    )
    hsts_max_age_s: int = field(default_factory=_limit("hsts_max_age_s"))
    #: Runs: processes, limits per run, quotas of queued runs, optional Dask scheduler address.
    n_run_workers: int = field(default_factory=_limit("n_run_workers"))
    run_time_s: float = field(default_factory=_limit("run_time_s"))
    run_memory_bytes: int = field(default_factory=_limit("run_memory_bytes"))
    max_queued_runs_per_user: int = field(default_factory=_limit("max_queued_runs_per_user"))
    max_queued_runs: int = field(default_factory=_limit("max_queued_runs"))
    dask_scheduler: str | None = field(default_factory=lambda: os.environ.get(ENV_DASK_SCHEDULER) or None)
    #: Database connection pool (per process).
    db_pool_size: int = field(default_factory=_limit("db_pool_size"))
    db_max_overflow: int = field(default_factory=_limit("db_max_overflow"))
    #: Argon2id cost: passes and memory [KiB]; None keeps argon2-cffi's defaults (RFC 9106).
    argon2_time_cost: int | None = None
    argon2_memory_kib: int | None = None
