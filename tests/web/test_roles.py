"""Every route tried as every role: anonymous, admin, planner, institution (table-driven).

The table lists who may use each route; the test checks that everyone else is refused
(401 without credentials, 403 with the wrong role) and that the allowed roles are not.
A second test fails when a route is added to the app without a row here.
"""

from __future__ import annotations

from typing import Any

import pytest

ALL = frozenset({"admin", "planner", "institution"})
PLANNERS = frozenset({"admin", "planner"})
ADMIN = frozenset({"admin"})
INST = frozenset({"institution"})
PUBLIC = frozenset({"anonymous", "admin", "planner", "institution"})

#: (method, path, who may use it). {round} {scenario} {run} {token} {user} are filled in.
ROUTES: list[tuple[str, str, frozenset[str]]] = [
    ("GET", "/api/me", ALL),
    ("POST", "/api/auth/token", PUBLIC),
    ("GET", "/api/tokens", ALL),
    ("DELETE", "/api/tokens/{apitoken}", ALL),
    ("POST", "/api/me/password", ALL),
    ("POST", "/api/runs/{run}/cancel", PLANNERS),
    ("GET", "/api/users", ADMIN),
    ("POST", "/api/users", ADMIN),
    ("PATCH", "/api/users/{user}", ADMIN),
    ("GET", "/api/rounds", PLANNERS),
    ("POST", "/api/rounds", PLANNERS),
    ("GET", "/api/rounds/{round}", PLANNERS),
    ("GET", "/api/rounds/{round}/board", PLANNERS),
    ("POST", "/api/rounds/{round}/invitations", PLANNERS),
    ("POST", "/api/invitations/{token}/accept", PUBLIC),
    ("GET", "/api/survey/sheets", ALL),
    ("GET", "/api/my/rounds", INST),
    ("GET", "/api/rounds/{round}/submission", ALL),
    ("PUT", "/api/rounds/{round}/submission", INST),
    ("POST", "/api/rounds/{round}/submission/upload", INST),
    ("GET", "/api/rounds/{round}/submission/history", ALL),
    ("GET", "/api/rounds/{round}/responses", PLANNERS),
    ("GET", "/api/scenarios", PLANNERS),
    ("POST", "/api/scenarios", PLANNERS),
    ("GET", "/api/scenarios/{scenario}", PLANNERS),
    ("PUT", "/api/scenarios/{scenario}", PLANNERS),
    ("GET", "/api/scenarios/{scenario}/demand", PLANNERS),
    ("POST", "/api/scenarios/{scenario}/runs", PLANNERS),
    ("GET", "/api/runs", PLANNERS),
    ("GET", "/api/runs/{run}", PLANNERS),
    ("GET", "/api/runs/{run}/files/report.html", PLANNERS),
    ("GET", "/api/compare?a={scenario}&b={scenario}", PLANNERS),
    ("POST", "/api/rounds/{round}/close", PLANNERS),
    # pages
    ("GET", "/", PUBLIC),
    ("GET", "/login", PUBLIC),
    ("POST", "/login", PUBLIC),
    ("POST", "/logout", ALL),
    ("GET", "/admin/users", ADMIN),
    ("POST", "/admin/users", ADMIN),
    ("GET", "/rounds", PLANNERS),
    ("POST", "/rounds", PLANNERS),
    ("GET", "/rounds/{round}", PLANNERS),
    ("POST", "/rounds/{round}/invitations", PLANNERS),
    ("GET", "/invite/{token}", PUBLIC),
    ("POST", "/invite/{token}", PUBLIC),
    ("GET", "/survey", INST),
    ("GET", "/survey/template.xlsx", ALL),
    ("GET", "/survey/{round}", INST),
    ("POST", "/survey/{round}", INST),
    ("POST", "/survey/{round}/upload", INST),
    ("GET", "/scenarios", PLANNERS),
    ("POST", "/scenarios", PLANNERS),
    ("GET", "/scenarios/{scenario}", PLANNERS),
    ("POST", "/scenarios/{scenario}", PLANNERS),
    ("POST", "/scenarios/{scenario}/runs", PLANNERS),
    ("GET", "/runs/{run}", PLANNERS),
    ("POST", "/runs/{run}/cancel", PLANNERS),
    ("GET", "/compare?a={scenario}&b={scenario}", PLANNERS),
    ("POST", "/rounds/{round}/close", PLANNERS),
    ("GET", "/assets/plotly.min.js", PUBLIC),
    ("GET", "/docs", PUBLIC),
]


def _template(path: str) -> str:
    """Turn an app route path (/api/rounds/{round_id}) into the table's form (/api/rounds/{round})."""
    import re

    mapping = {
        "round_id": "round",
        "scenario_id": "scenario",
        "run_id": "run",
        "user_id": "user",
        "token": "token",
        "token_id": "apitoken",
        "name": "report.html",
    }
    return re.sub(
        r"\{(\w+)\}",
        lambda m: mapping[m.group(1)] if m.group(1) == "name" else "{" + mapping[m.group(1)] + "}",
        path,
    )


def test_every_route_is_in_the_table(app) -> None:
    from fastapi.routing import APIRoute

    table = {(m, p.split("?")[0]) for m, p, _ in ROUTES}
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.path in ("/openapi.json",):
            continue
        assert route.methods is not None  # an APIRoute always has its methods
        for method in route.methods - {"HEAD"}:
            assert (method, _template(route.path)) in table, f"{method} {route.path} has no row in ROUTES"


def _call(client, method: str, url: str, headers: dict[str, str], csrf: str | None):
    if url.startswith("/api/"):
        with_body = method in ("POST", "PUT", "PATCH") and "upload" not in url
        kwargs: dict[str, Any] = {"json": {}} if with_body else {}
        if "upload" in url:
            kwargs = {"files": {"file": ("a.csv", b"sheet,x\n", "text/csv")}}
        return client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
    data = {"csrf_token": csrf} if csrf and method == "POST" else None
    files = {"file": ("a.csv", b"x\n", "text/csv")} if url.endswith("/upload") else None
    return client.request(method, url, data=data, files=files, follow_redirects=False)


@pytest.mark.parametrize("role", ["anonymous", "admin", "planner", "institution"])
def test_each_route_as_each_role(planner_world, role: str, sign_in, csrf_of) -> None:
    w = planner_world
    client = w.client()
    csrf = None
    if role != "anonymous":
        sign_in(client, f"{role}@example.org")
        csrf = csrf_of(client)
    else:
        csrf = csrf_of(client)
    headers = w.bearer(role) if role != "anonymous" else {}
    me = client.get("/api/me", headers=headers).json() if role != "anonymous" else {}
    values = {
        "round": w.round_id,
        "scenario": w.tokens["scenario"],
        "run": w.tokens["run"],
        "token": "not-a-token",
        "apitoken": 999_999,
        "user": me.get("id", 1),
    }
    for method, path, allowed in ROUTES:
        if (method, path) == ("POST", "/logout"):
            continue  # tried last: it ends the session the other rows use
        url = path.format(**values)
        r = _call(client, method, url, headers, csrf)
        where = f"{role}: {method} {url} -> {r.status_code} {r.text[:200]}"
        if role in allowed:
            assert r.status_code not in (401, 403), where
        elif role == "anonymous":
            assert r.status_code == 401 or (r.status_code == 303 and "/login" in r.headers["location"]), where
        else:
            assert r.status_code == 403, where
        assert r.status_code < 500, where
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == (303 if role != "anonymous" else 401)


def test_an_institution_never_sees_another_institutions_answer(world, valid_answers) -> None:
    c = world.client()
    url = f"/api/rounds/{world.round_id}/submission"
    assert c.put(url, headers=world.bearer("other"), json={"answers": valid_answers}).status_code == 200
    mine = c.get(url, headers=world.bearer("institution")).json()
    assert mine["status"] == "none"
    assert mine["answers"] == {}
    r = c.get(
        url, headers=world.bearer("institution"), params={"institution_id": world.institution_ids["other"]}
    )
    assert r.status_code == 403
    theirs = c.get(
        url, headers=world.bearer("planner"), params={"institution_id": world.institution_ids["other"]}
    )
    assert theirs.json()["status"] == "draft"
