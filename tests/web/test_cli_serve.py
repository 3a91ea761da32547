"""``aidc serve`` and ``aidc serve create-admin`` through Typer's CliRunner."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()


def test_create_admin_then_sign_in(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    r = runner.invoke(
        app,
        ["serve", "create-admin", "boss@example.org", "--database-url", url],
        input="a long admin password\na long admin password\n",
    )
    assert r.exit_code == 0, r.output
    assert "admin boss@example.org created" in r.output
    again = runner.invoke(
        app,
        ["serve", "create-admin", "boss@example.org", "--database-url", url],
        input="a long admin password\na long admin password\n",
    )
    assert again.exit_code == 1
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        role, password_hash = conn.execute(text("SELECT role, password_hash FROM user_account")).one()
    engine.dispose()
    assert role == "admin"
    assert password_hash.startswith("$argon2id$")


def test_create_admin_refuses_a_short_password(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    r = runner.invoke(
        app, ["serve", "create-admin", "boss@example.org", "--database-url", url, "--password", "short"]
    )
    assert r.exit_code == 2


def test_serve_prints_the_address_and_creates_the_database(tmp_path, monkeypatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn,
        "run",
        lambda app, host, port, log_level, proxy_headers: seen.update(
            host=host, port=port, proxy=proxy_headers
        ),
    )
    monkeypatch.setenv("AIDC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AIDC_DATABASE_URL", raising=False)
    r = runner.invoke(app, ["serve", "--port", "8765"])
    assert r.exit_code == 0, r.output
    assert "http://127.0.0.1:8765" in r.output
    # Forwarding headers are the app's to read, from trusted proxies only (issue 15).
    assert seen == {"host": "127.0.0.1", "port": 8765, "proxy": False}
    assert (tmp_path / "data" / "aidc-web.sqlite3").is_file()  # created on first start, no set-up
    assert (tmp_path / "data" / "secret.key").stat().st_mode & 0o777 == 0o600  # the key is a file of its own


def test_serve_never_prints_a_database_password(monkeypatch, tmp_path) -> None:
    from aidc.cli.serve import _redact

    assert "s3cret" not in _redact("postgresql+psycopg://aidc:s3cret@db.example/aidc")


def test_serve_prints_an_ipv6_address_in_brackets(tmp_path, monkeypatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, log_level, proxy_headers: None)
    monkeypatch.setenv("AIDC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AIDC_DATABASE_URL", raising=False)
    r = runner.invoke(app, ["serve", "--host", "::1", "--port", "8000"])
    assert r.exit_code == 0, r.output
    assert "http://[::1]:8000" in r.output
