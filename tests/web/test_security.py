"""Passwords, cookies, CSRF, tokens, sign-in rate limit, invitations, redirects."""

from __future__ import annotations

from sqlalchemy import select

from aidc.web.db import Invitation, User


def test_passwords_are_stored_as_argon2id_hashes(world) -> None:
    with world.app.state.sessions() as s:
        hashes = s.scalars(select(User.password_hash)).all()
    assert hashes
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any("correct horse" in h for h in hashes)


def test_invitation_tokens_are_stored_only_as_hashes_and_work_once(world) -> None:
    token = world.tokens["invite-institution"]
    with world.app.state.sessions() as s:
        stored = s.scalars(select(Invitation.token_sha256)).all()
    assert token not in stored
    assert len(stored[0]) == 64
    r = world.client().post(f"/api/invitations/{token}/accept", json={"password": "another password"})
    assert r.status_code == 404


def test_a_short_password_is_refused_on_invitation(world) -> None:
    c = world.client()
    inv = c.post(
        f"/api/rounds/{world.round_id}/invitations",
        headers=world.bearer("planner"),
        json={"institution": "New Lab", "email": "lab@example.org"},
    ).json()
    token = inv["url"].rsplit("/", 1)[1]
    assert c.post(f"/api/invitations/{token}/accept", json={"password": "short"}).status_code == 422
    assert c.post(f"/api/invitations/{token}/accept", json={"password": "long enough pw"}).status_code == 200


def test_session_cookie_is_httponly_and_samesite(world, sign_in) -> None:
    c = world.client()
    page = c.get("/login")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert page.headers["x-frame-options"] == "DENY"


def test_a_cookie_post_without_csrf_token_is_refused(world, valid_answers, sign_in) -> None:
    c = world.client()
    sign_in(c, "institution@example.org")
    url = f"/api/rounds/{world.round_id}/submission"
    assert c.put(url, json={"answers": valid_answers}).status_code == 403
    r = c.post(f"/survey/{world.round_id}", data={"action": "save", "csrf_token": "forged"})
    assert r.status_code == 403
    assert c.get(url).status_code == 200  # safe methods need no token


def test_a_cookie_request_with_the_csrf_header_is_accepted(world, valid_answers, sign_in, csrf_of) -> None:
    c = world.client()
    sign_in(c, "institution@example.org")
    r = c.put(
        f"/api/rounds/{world.round_id}/submission",
        json={"answers": valid_answers},
        headers={"X-CSRF-Token": csrf_of(c)},
    )
    assert r.status_code == 200


def test_sign_in_is_rate_limited(world) -> None:
    c = world.client()
    bad = {"email": "planner@example.org", "password": "wrong password"}
    codes = [c.post("/api/auth/token", json=bad).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]  # settings allow 3 failures per window in the tests
    good = {"email": "planner@example.org", "password": "correct horse battery"}
    r = c.post("/api/auth/token", json=good)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0


def test_unknown_and_wrong_password_give_the_same_answer(world) -> None:
    c = world.client()
    a = c.post("/api/auth/token", json={"email": "nobody@example.org", "password": "x"})
    b = c.post("/api/auth/token", json={"email": "planner@example.org", "password": "x"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_a_forged_bearer_token_is_refused(world) -> None:
    r = world.client().get("/api/me", headers={"Authorization": "Bearer eyJ1aWQiOjF9.forged.sig"})
    assert r.status_code == 401


def test_a_deactivated_account_is_locked_out(world) -> None:
    c = world.client()
    me = c.get("/api/me", headers=world.bearer("planner")).json()
    assert (
        c.patch(f"/api/users/{me['id']}", headers=world.bearer("admin"), json={"active": False}).status_code
        == 200
    )
    assert c.get("/api/me", headers=world.bearer("planner")).status_code == 401


def test_sign_in_never_redirects_off_site(world, csrf_of) -> None:
    c = world.client()
    csrf = csrf_of(c)
    r = c.post(
        "/login",
        data={
            "email": "planner@example.org",
            "password": "correct horse battery",
            "csrf_token": csrf,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_a_new_session_on_sign_in(world, csrf_of) -> None:
    c = world.client()
    before = csrf_of(c)
    c.post(
        "/login",
        data={"email": "planner@example.org", "password": "correct horse battery", "csrf_token": before},
    )
    assert csrf_of(c, "/rounds") != before


def test_sql_looking_input_is_just_text(world) -> None:
    c = world.client()
    title = "x'); DROP TABLE submission; --"
    r = c.post("/api/rounds", headers=world.bearer("planner"), json={"title": title})
    assert r.status_code == 201
    assert r.json()["title"] == title
    assert c.get(f"/api/rounds/{world.round_id}", headers=world.bearer("planner")).status_code == 200
