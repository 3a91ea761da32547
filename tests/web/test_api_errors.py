"""Every kind of JSON API error answers in the reader's language with the same machine-readable code.

A Korean reader (``Accept-Language: ko``, the default) gets a Korean ``detail`` with no English
sentence or internal key (the checker of :mod:`tests.i18n.english`); an English reader gets English;
both get the same ``code``, so a client branches on it and never parses prose.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.i18n.english import ALLOWED, english_words
from tests.web.conftest import PASSWORD, World

from aidc.scenario import load_scenario
from aidc.web.fields import field_label, validation_message
from aidc.web.main import create_app

HANGUL = re.compile("[가-힣]")
#: A unit of the size limits (kibibyte), written so in Korean too.
ALLOW = ALLOWED | {"KiB"}
LANGS = ("ko", "en")


def _texts(detail: Any) -> list[str]:
    """Return the prose of a detail: the sentence, or each item's message."""
    if isinstance(detail, str):
        return [detail]
    return [item.get("msg") or item.get("message") or "" for item in detail]


def _scenario() -> dict[str, Any]:
    return load_scenario().model_dump(mode="json")


#: What each kind of error is: (request made by a client of a language) -> response.
Call = Callable[[World, str], Any]


def _get(path: str, who: str = "planner") -> Call:
    return lambda w, lang: w.client(lang).get(path, headers=w.bearer(who))


def _post(path: str, body: Any, who: str = "admin", **headers: str) -> Call:
    return lambda w, lang: w.client(lang).post(path, json=body, headers=w.bearer(who) | headers)


def _scenario_twice(w: World, lang: str) -> Any:
    c, h = w.client(lang), w.bearer("planner")
    c.post("/api/scenarios", headers=h, json={"name": "2026-1", "scenario": _scenario()})
    return c.post("/api/scenarios", headers=h, json={"name": "2026-1", "scenario": _scenario()})


def _bad_json(w: World, lang: str) -> Any:
    headers = w.bearer("admin") | {"content-type": "application/json"}
    return w.client(lang).post("/api/users", headers=headers, content=b'{"email": ')


def _nothing_to_submit(w: World, lang: str) -> Any:
    body = {"answers": {"respondents": [{"tenant_class": "university"}]}, "submit": True}
    url = f"/api/rounds/{w.round_id}/submission"
    return w.client(lang).put(url, headers=w.bearer("institution"), json=body)


def _server_file(w: World, lang: str) -> Any:
    scenario = _scenario()
    scenario["demand"]["survey"] = "/etc/passwd.xlsx"
    return w.client(lang).post("/api/scenarios", headers=w.bearer("planner"),
                               json={"name": "2026-2", "scenario": scenario})


KINDS: dict[str, tuple[Call, int, str]] = {
    "404 from a router": (_get("/api/runs/999999"), 404, "run_not_found"),
    "404 of the framework": (_get("/api/no-such-thing"), 404, "not_found"),
    "409 taken e-mail": (
        _post("/api/users", {"email": "planner@example.org", "password": PASSWORD, "role": "planner"}),
        409, "email_taken"),
    "409 taken scenario name": (_scenario_twice, 409, "scenario_name_taken"),
    "422 from a router": (
        _post("/api/users", {"email": "x@example.org", "password": PASSWORD, "role": "institution"}),
        422, "institution_name_missing"),
    "422 unknown survey round": (
        _post("/api/scenarios", {"name": "r", "scenario": _scenario(), "survey_round_id": 999},
              who="planner"),
        422, "survey_round_unknown"),
    "422 answers refused": (_nothing_to_submit, 422, "answers_refused"),
    "422 a file named in a scenario": (_server_file, 422, "server_file_field"),
    "422 validation of a body": (
        _post("/api/users", {"email": "x", "password": "short", "role": "boss", "extra": 1}),
        422, "validation_error"),
    "422 validation of a path": (_get("/api/runs/0"), 422, "validation_error"),
    "422 body not JSON": (_bad_json, 422, "validation_error"),
    "401 bad token": (lambda w, lang: w.client(lang).get("/api/me", headers={"Authorization": "Bearer nope"}),
                      401, "token_invalid"),
    "403 role": (_get("/api/scenarios", who="institution"), 403, "role_required"),
    "403 Origin": (_post("/api/users", {}, Origin="https://evil.example"), 403, "origin_refused"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_api_error_is_korean_for_a_korean_reader_with_the_code_of_english(world, kind) -> None:
    call, status, code = KINDS[kind]
    answers = {lang: call(world, lang) for lang in LANGS}
    assert {lang: r.status_code for lang, r in answers.items()} == dict.fromkeys(LANGS, status)
    ko, en = (answers[lang].json() for lang in LANGS)
    assert ko["code"] == en["code"] == code
    assert all(HANGUL.search(text) for text in _texts(ko["detail"])), ko
    assert [english_words(t, ALLOW) for t in _texts(ko["detail"])] == [[] for _ in _texts(ko["detail"])]
    assert not any(HANGUL.search(text) for text in _texts(en["detail"])), en
    assert "⟦" not in str(ko) + str(en)


def test_validation_items_keep_loc_and_type_and_name_the_field_in_korean(world) -> None:
    """The scenario form's label names the field (허용 층수), the rule comes with its bound."""
    body = _scenario()
    body["site"]["max_floors"] = 0
    answers = {lang: world.client(lang).post("/api/scenarios", headers=world.bearer("planner"),
                                             json={"name": "bad", "scenario": body}) for lang in LANGS}
    ko, en = (answers[lang].json()["detail"] for lang in LANGS)
    assert [(e["loc"], e["type"]) for e in ko] == [(e["loc"], e["type"]) for e in en]
    floors = next(e for e in ko if e["loc"][-2:] == ["site", "max_floors"])
    assert floors["type"] == "greater_than_equal"
    assert floors["msg"] == "허용 층수: 1 이상이어야 합니다"
    floors_en = next(e for e in en if e["loc"][-2:] == ["site", "max_floors"])
    assert floors_en["msg"] == "Floors allowed: must be at least 1"


def test_the_language_setting_wins_over_accept_language_for_api_errors(world) -> None:
    c = world.client("en")
    c.cookies.set("aidc_lang", "ko")
    r = c.get("/api/runs/999999", headers=world.bearer("planner"))
    assert r.json()["detail"] == "그런 실행이 없습니다"


def test_english_details_stay_english(world) -> None:
    r = KINDS["409 taken scenario name"][0](world, "en")
    assert r.json() == {"detail": "a scenario called '2026-1' exists", "code": "scenario_name_taken"}
    r = KINDS["403 role"][0](world, "en")
    assert r.json()["detail"] == "this needs the role administrator / planner; you are institution"


@contextmanager
def _app(settings, **limits: Any) -> Iterator[Any]:
    app = create_app(settings=replace(settings, **limits))
    try:
        yield app
    finally:
        app.state.worker.shutdown()
        app.state.engine.dispose()


def test_middleware_refusals_are_in_the_request_language(settings) -> None:
    """413 and 503 are answered before the app (no session, no route): the language comes from the headers."""
    from fastapi.testclient import TestClient

    with _app(settings, max_body_bytes=1024) as app:
        answers = {lang: TestClient(app, headers={"Accept-Language": lang}).post(
            "/api/auth/token", content=b"x" * 2048, headers={"content-type": "application/json"})
            for lang in LANGS}
        assert {r.status_code for r in answers.values()} == {413}
        assert answers["ko"].json() == {"detail": "요청이 1 KiB보다 큽니다.", "code": "body_too_large"}
        assert answers["en"].json() == {"detail": "The request is larger than 1 KiB.",
                                        "code": "body_too_large"}
    with _app(settings, max_in_flight=0, busy_wait_s=0.0) as app:
        answers = {lang: TestClient(app, headers={"Accept-Language": lang}).get("/api/me") for lang in LANGS}
        assert {r.status_code for r in answers.values()} == {503}
        assert answers["ko"].json()["code"] == answers["en"].json()["code"] == "busy"
        assert english_words(answers["ko"].json()["detail"], ALLOW) == []
        assert HANGUL.search(answers["ko"].json()["detail"])
        assert answers["en"].json()["detail"] == "the server is busy; try again in a few seconds"


def test_a_full_resource_says_what_is_busy_in_korean(settings) -> None:
    """The password-check slots stay taken: the sign-in waits, then 503 naming them in Korean."""
    from fastapi.testclient import TestClient

    with _app(settings, busy_wait_s=0.01) as app:
        sem = app.state.passwords.slots._sem
        n_held = 0
        while sem.acquire(blocking=False):  # every slot, held as a burst of sign-ins would
            n_held += 1
        try:
            r = TestClient(app).post("/api/auth/token", json={"email": "a@example.org", "password": PASSWORD})
        finally:
            for _ in range(n_held):
                sem.release()
    assert n_held >= 1
    assert r.status_code == 503
    assert r.json() == {"detail": "서버가 바쁩니다(비밀번호 확인). 몇 초 뒤에 다시 시도하십시오",
                        "code": "busy"}


#: Pydantic's error types the API meets, with the context key pydantic always gives them.
KNOWN_TYPES = {
    "missing": None, "greater_than": "gt", "less_than_equal": "le", "string_too_long": "max_length",
    "int_parsing": None, "float_parsing": None, "literal_error": "expected", "extra_forbidden": None,
    "json_invalid": None,
}
#: Types no mapping knows (pydantic has dozens, and adds more).
OTHER_TYPES = ["uuid_parsing", "url_parsing", "date_from_datetime_parsing", "value_error", "assertion_error",
               "union_tag_invalid"]
BOUNDS = st.integers(-5, 500)
CHOICES = st.sampled_from(["'a', 'b' or 'c'", "1, 2 or 3", "'university'"])
CONTEXT_VALUES = st.one_of(BOUNDS, CHOICES, st.sampled_from(["^[a-z]+$", "x"]))


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([*KNOWN_TYPES, *OTHER_TYPES]),
    ctx=st.dictionaries(st.sampled_from(["gt", "le", "max_length", "expected", "pattern", "error"]),
                        CONTEXT_VALUES, max_size=3),
    bound=BOUNDS,
    expected=CHOICES,
    loc=st.lists(st.one_of(st.sampled_from(["body", "scenario", "site", "max_floors", "email", "limit_n"]),
                           st.integers(0, 3)), max_size=4),
)
def test_no_pydantic_english_reaches_a_korean_reader(kind, ctx, bound, expected, loc) -> None:
    """Whatever the type and context, the Korean message is Korean and never pydantic's sentence."""
    if key := KNOWN_TYPES.get(kind):
        ctx = ctx | {key: expected if key == "expected" else bound}
    error = {"type": kind, "ctx": ctx, "loc": tuple(loc), "msg": "Input should be a valid thing", "input": 1}
    message, label = validation_message(error, "ko"), field_label(tuple(loc), "ko")
    assert HANGUL.search(message)
    assert english_words(message, ALLOW) == []
    assert english_words(label, ALLOW) == []
    if kind in KNOWN_TYPES:  # English readers get the catalog's sentence too, not pydantic's
        assert "Input should" not in validation_message(error, "en")



def _calls(name: str) -> Iterator[tuple[str, Any]]:
    """Yield (file:line, call) of every call of ``name`` in the web package."""
    import ast
    from pathlib import Path

    import aidc.web

    for path in sorted(Path(aidc.web.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(called, "id", getattr(called, "attr", None)) == name:
                yield f"{path.name}:{node.lineno}", node


def test_routers_raise_catalog_messages_with_a_code_never_prose() -> None:
    """No bare HTTPException (its detail has no code), no f-string sentence, every message in the catalog."""
    import ast

    from aidc import i18n

    assert [where for where, _ in _calls("HTTPException")] == []
    raised = list(_calls("ApiError"))
    assert len(raised) >= 30  # the routers' errors are found (the check is not vacuous)
    bad = []
    for where, call in raised:
        code, message = call.args[1], call.args[2]
        if isinstance(code, ast.Constant) and not re.fullmatch(r"[a-z][a-z0-9_]*", str(code.value)):
            bad.append((where, "code", code.value))
        if isinstance(message, ast.JoinedStr):
            bad.append((where, "f-string", ast.unparse(message)))
        if isinstance(message, ast.Call) and getattr(message.func, "id", "") == "N_":
            (literal,) = message.args
            assert isinstance(literal, ast.Constant), where
            msgid = str(literal.value)
            if not i18n.has(msgid, "ko"):
                bad.append((where, "not in the Korean catalog", msgid))
    assert bad == []
