"""``aidc serve``: start the web service; ``aidc serve create-admin EMAIL``: the first admin."""

from __future__ import annotations

from typing import Annotated

import typer

from aidc.cli._common import console, console_err

app = typer.Typer(
    help="Run the web service (survey portal, scenario workspace, REST API).",
    invoke_without_command=True,
    no_args_is_help=False,
)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="AIDC_DATABASE_URL",
        help="SQLAlchemy URL; default: a SQLite file in $AIDC_DATA_DIR "
        "or ~/.local/share/aidc (created on first start).",
    ),
]


@app.callback()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    database_url: DbOpt = None,
) -> None:
    """Start the web service and print its address (Ctrl+C stops it)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from aidc.web.main import create_app
    from aidc.web.settings import Settings

    settings = Settings(database_url=database_url) if database_url else Settings()
    web_app = create_app(settings=settings)
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"aidc web service on http://{shown}:{port}  (database: {_redact(settings.database_url)})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    # Forwarding headers are read by the app, from the proxies in Settings.trusted_proxies only;
    # uvicorn's own handling would trust any local peer and rewrite the client address first.
    uvicorn.run(web_app, host=host, port=port, log_level="warning", proxy_headers=False)


def _redact(url: str) -> str:
    # Never print a database password.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Argument(help="E-mail the admin signs in with.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Password (asked for when not given).",
        ),
    ],
    database_url: DbOpt = None,
) -> None:
    """Create an admin account (the first one, or another)."""
    from fastapi import HTTPException
    from pydantic import ValidationError
    from sqlalchemy.orm import sessionmaker

    from aidc.web.db import make_engine, migrate
    from aidc.web.routers.users import create_user
    from aidc.web.schemas import UserIn
    from aidc.web.security import Passwords
    from aidc.web.settings import Settings

    settings = Settings(database_url=database_url) if database_url else Settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    try:
        passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
        user = create_user(
            sessionmaker(engine, expire_on_commit=False),
            passwords,
            UserIn(email=email, password=password, role="admin"),
        )
    except ValidationError as exc:
        for e in exc.errors(include_url=False):
            console_err.print(f"[red]error:[/] {e['loc'][-1]}: {e['msg']}")
        raise typer.Exit(2) from None
    except HTTPException as exc:
        console_err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(
        f"admin {user.email} created (database: {_redact(settings.database_url)})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def register(root: typer.Typer) -> None:
    """Add ``aidc serve`` to the root command."""
    root.add_typer(app, name="serve")
