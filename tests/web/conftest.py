"""Fixtures of the web tests: a fresh database per test (SQLite, or a PostgreSQL schema when
``AIDC_DATABASE_URL`` is set), an app, and signed-in clients of every role."""

from __future__ import annotations

import os
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cloudpickle
import pytest

with warnings.catch_warnings():
    # Starlette warns at import that its TestClient will move off httpx; not our concern here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from fastapi import FastAPI

from aidc.web.main import create_app
from aidc.web.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema of $AIDC_DATABASE_URL."""
    base = os.environ.get("AIDC_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'web.sqlite3'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        max_upload_bytes=64 * 1024,
        login_max_failures=3,
        login_window_s=60.0,
        secret_key="test-secret-not-for-production",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings=settings)
    yield application
    application.state.worker.shutdown()
    application.state.engine.dispose()


@dataclass
class World:
    """The seeded database: one account per role, a round with two invited institutions."""

    app: FastAPI
    round_id: int
    tokens: dict[str, str]  # role -> invitation token or bearer token
    institution_ids: dict[str, int]

    def client(self, lang: str = "en") -> TestClient:
        """Return a client whose browser asks for ``lang`` (older tests read the pages in English)."""
        return TestClient(
            self.app, base_url="http://127.0.0.1", headers={"Accept-Language": lang}
        )

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the login page; return the session's CSRF token."""
    page = client.get("/login")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    page = client.get("/api/me")
    assert page.status_code == 200
    return csrf_of(client)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """Read the CSRF token a page of the signed-in session carries."""
    text = client.get(path).text
    return text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def world(app: FastAPI) -> World:
    """Seed: admin, planner, institutions A and B (invited to round 1 and signed up)."""
    from aidc.web.db import make_engine  # noqa: F401 - app already migrated
    from aidc.web.routers.users import create_user
    from aidc.web.schemas import UserIn

    sessions = app.state.sessions
    create_user(
        sessions, app.state.passwords, UserIn(email="admin@example.org", password=PASSWORD, role="admin")
    )
    client = TestClient(app, base_url="http://127.0.0.1")
    tok = {}
    tok["admin"] = client.post(
        "/api/auth/token", json={"email": "admin@example.org", "password": PASSWORD}
    ).json()["access_token"]
    h = {"Authorization": f"Bearer {tok['admin']}"}
    assert (
        client.post(
            "/api/users",
            headers=h,
            json={"email": "planner@example.org", "password": PASSWORD, "role": "planner"},
        ).status_code
        == 201
    )
    tok["planner"] = client.post(
        "/api/auth/token", json={"email": "planner@example.org", "password": PASSWORD}
    ).json()["access_token"]
    hp = {"Authorization": f"Bearer {tok['planner']}"}
    round_id = client.post("/api/rounds", headers=hp, json={"title": "2026 demand survey"}).json()["id"]
    ids = {}
    for who, inst in (("institution", "Jeonbuk National University"), ("other", "Jeonju Startup Hub")):
        inv = client.post(
            f"/api/rounds/{round_id}/invitations",
            headers=hp,
            json={"institution": inst, "email": f"{who}@example.org"},
        ).json()
        token = inv["url"].rsplit("/", 1)[1]
        tok[f"invite-{who}"] = token
        r = client.post(f"/api/invitations/{token}/accept", json={"password": PASSWORD})
        assert r.status_code == 200, r.text
        tok[who] = r.json()["access_token"]
        ids[who] = inv["institution_id"]
    return World(app=app, round_id=round_id, tokens=tok, institution_ids=ids)


@pytest.fixture
def make_world(world: World) -> Callable[[], World]:
    return lambda: world


#: A valid answer in the survey's internal names: one fine-tuning need.
VALID_ANSWERS = {
    "respondents": [
        {"tenant_class": "university", "support_programme": "rise", "contact_email": "ai@example.org"}
    ],
    "finetuning": [
        {
            "model_params": "8B",
            "training_tokens": "500M",
            "method": "peft",
            "precision": "bf16",
            "gpu_model": "h100_sxm",
            "deadline_days": 3,
            "n_runs_per_y": 12,
            "start_year": 2028,
            "growth_frac_per_y": 10,
        }
    ],
}


@pytest.fixture
def valid_answers() -> dict:
    import copy

    return copy.deepcopy(VALID_ANSWERS)


@pytest.fixture(name="sign_in")
def sign_in_fixture() -> Callable[..., str]:
    return sign_in


@pytest.fixture(name="csrf_of")
def csrf_of_fixture() -> Callable[..., str]:
    return csrf_of


class FakeResult:
    """What a run function returns in tests: the attributes :func:`aidc.web.runner.summarize` reads."""

    missing = {"service": "the scenario states no service levels (simulation.service_levels)"}
    timings_s = {"survey": 0.1, "design": 0.2}
    scenario_hash = "0" * 64

    def __init__(self) -> None:
        import pandas as pd

        self.demand = type(
            "D",
            (),
            {
                "by_year": pd.DataFrame(
                    {
                        "year": [2028, 2028, 2029],
                        "tenant_class": ["university", "public", "university"],
                        "gpu_hours": [1000.0, 500.0, 1500.0],
                    }
                )
            },
        )()
        self.design = type("G", (), {"summary": {"n_gpus": 512, "it_power_kw": 800.0}, "checks": []})()


def fake_run(scenario, on_stage):
    for stage in ("survey", "demand", "design"):
        on_stage(stage, "start")
        on_stage(stage, "done")
    return FakeResult()


# Runs execute in worker processes, which cannot import this file by name (pytest imports it with
# --import-mode=importlib): its functions travel by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture
def planner_world(world: World) -> World:
    """The world plus a stored scenario (id in tokens['scenario']) and a finished fake run."""
    import time

    from aidc.scenario import load_scenario

    world.app.state.worker.run_function = fake_run
    c = world.client()
    body = {"name": "phase1", "scenario": load_scenario().model_dump(mode="json")}
    r = c.post("/api/scenarios", headers=world.bearer("planner"), json=body)
    assert r.status_code == 201, r.text
    world.tokens["scenario"] = str(r.json()["id"])
    run = c.post(f"/api/scenarios/{r.json()['id']}/runs", headers=world.bearer("planner")).json()
    for _ in range(200):
        if c.get(f"/api/runs/{run['id']}", headers=world.bearer("planner")).json()["status"] in (
            "done",
            "failed",
        ):
            break
        time.sleep(0.05)
    world.tokens["run"] = str(run["id"])
    return world


@dataclass
class LiveServer:
    """A uvicorn server on a free loopback port, serving a seeded app."""

    url: str
    world: World


@pytest.fixture
def live_server(planner_world: World) -> Iterator[LiveServer]:
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        planner_world.app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield LiveServer(url=f"http://127.0.0.1:{port}", world=planner_world)
    server.should_exit = True
    thread.join(timeout=10)
