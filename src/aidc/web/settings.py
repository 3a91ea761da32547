"""Settings of the web service: where the database is and the security limits.

The limits are policy, not physics, so they live here as one frozen dataclass that
:func:`aidc.web.main.create_app` receives; tests pass their own (a smaller upload limit,
a faster rate limit) instead of patching globals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_DATABASE_URL = "AIDC_DATABASE_URL"
ENV_DATA_DIR = "AIDC_DATA_DIR"


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


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app needs to start; every field has a safe default."""

    database_url: str = field(default_factory=default_database_url)
    #: Largest accepted upload (survey workbook or CSV). [bytes]
    max_upload_bytes: int = 2 * 1024 * 1024
    #: Sign-in attempts allowed per client and e-mail within ``login_window_s`` before HTTP 429.
    login_max_failures: int = 5
    #: Window of the sign-in rate limit. [s]
    login_window_s: float = 300.0
    #: Lifetime of a session cookie and of an API bearer token. [s]
    session_max_age_s: int = 8 * 3600
    #: Lifetime of an invitation link. [s]
    invitation_max_age_s: int = 30 * 24 * 3600
    #: Send the session cookie only over HTTPS (set behind a TLS proxy).
    https_only: bool = False
    #: Number of background runs executed at the same time.
    n_run_workers: int = 1
    #: Argon2id cost: passes and memory [KiB]; None keeps argon2-cffi's defaults (RFC 9106).
    argon2_time_cost: int | None = None
    argon2_memory_kib: int | None = None
    #: Secret for cookies and tokens; None keeps a random one in the database.
    secret_key: str | None = None
