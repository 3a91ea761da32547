"""Alembic environment: runs on the connection :func:`aidc.web.db.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from aidc.web.db import Base


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    """Migrate on the connection given by :func:`aidc.web.db.migrate`, or on ``-x url=...``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # ``alembic -x url=... revision --autogenerate`` from a developer's shell
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///alembic-dev.sqlite3")
    with create_engine(url).begin() as conn:
        _run(conn)


# Alembic executes this file inside an environment; plain imports (doctest collection) skip it.
if hasattr(context, "config"):
    main()
