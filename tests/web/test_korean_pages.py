"""Every web page in Korean: signed in as each role, with a round, answers, a scenario and a run.

A page fails when its visible text holds an English word outside the allow-list of units and
product names (tests/i18n/english.py), an internal key (``university``, ``submitted``) or a
catalog key left untranslated (``⟦web.status.x⟧``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.i18n.english import ALLOWED, english_words

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _korean(c, path: str, status: int = 200) -> str:
    r = c.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:300])
    assert re.search("[가-힣]", r.text), path
    return r.text


def _seed(w, sign_in, csrf_of, valid_answers) -> dict[str, Any]:
    """Answers (one submitted, one draft with a mistake), a second scenario, a fresh invitation."""
    inst = w.client("ko")
    csrf = sign_in(inst, "institution@example.org")
    form = {"csrf_token": csrf, "n-respondents": "1", "n-finetuning": "1", "action": "submit"}
    for sheet, rows in valid_answers.items():
        for k, v in rows[0].items():
            form[f"cell-{sheet}-0-{k}"] = str(v)
    assert inst.post(f"/survey/{w.round_id}", data=form).status_code == 200
    other = w.client("ko")
    csrf = sign_in(other, "other@example.org")
    bad = form | {"csrf_token": csrf, "cell-finetuning-0-deadline_days": "soon", "action": "check"}
    hp = w.bearer("planner")
    api = w.client()
    sid = w.tokens["scenario"]
    scenario = api.get(f"/api/scenarios/{sid}", headers=hp).json()
    body = {"name": "phase1-b", "scenario": scenario["scenario"], "survey_round_id": w.round_id}
    second = api.post("/api/scenarios", headers=hp, json=body)
    assert second.status_code == 201, second.text
    inv = api.post(f"/api/rounds/{w.round_id}/invitations", headers=hp,
                   json={"institution": "전북테크노파크", "email": "new@example.org"}).json()
    return {"bad_form": bad, "second": str(second.json()["id"]), "invite": inv["url"].rsplit("/", 1)[1],
            "other_csrf": csrf}


def test_every_page_speaks_korean(planner_world, sign_in, csrf_of, valid_answers) -> None:
    w = planner_world
    seeded = _seed(w, sign_in, csrf_of, valid_answers)
    pages: dict[str, str] = {}
    anon = w.client("ko")
    pages["login"] = _korean(anon, "/login")
    pages["invite"] = _korean(anon, f"/invite/{seeded['invite']}")
    pages["invite-unknown"] = _korean(anon, "/invite/no-such-token", 404)

    inst = w.client("ko")
    sign_in(inst, "institution@example.org")
    pages["survey-list"] = _korean(inst, "/survey")
    pages["survey-submitted"] = _korean(inst, f"/survey/{w.round_id}")
    pages["not-found"] = _korean(inst, "/survey/999", 404)

    other = w.client("ko")
    csrf = sign_in(other, "other@example.org")
    r = other.post(f"/survey/{w.round_id}", data=seeded["bad_form"] | {"csrf_token": csrf})
    assert r.status_code == 200
    assert 'class="bad"' in r.text
    pages["survey-check"] = r.text
    submit = seeded["bad_form"] | {"csrf_token": csrf, "action": "submit"}
    r = other.post(f"/survey/{w.round_id}", data=submit)
    assert r.status_code == 422
    pages["survey-refused"] = r.text

    planner = w.client("ko")
    sign_in(planner, "planner@example.org")
    sid, run = w.tokens["scenario"], w.tokens["run"]
    for name, path in {"rounds": "/rounds", "round": f"/rounds/{w.round_id}", "scenarios": "/scenarios",
                       "scenario": f"/scenarios/{seeded['second']}", "scenario-plain": f"/scenarios/{sid}",
                       "run": f"/runs/{run}", "compare": f"/compare?a={sid}&b={seeded['second']}",
                       "ops": "/ops"}.items():
        pages[name] = _korean(planner, path)

    admin = w.client("ko")
    sign_in(admin, "admin@example.org")
    pages["users"] = _korean(admin, "/admin/users")

    # Refusals speak Korean too: a questioned form value, YAML errors, a damaged upload, a bad login.
    scen = f"/scenarios/{sid}"
    csrf = csrf_of(planner, scen)
    r = planner.post(f"{scen}/form", data={"csrf_token": csrf, "growth_pct_per_y": "0.1", "max_floors": "0"})
    assert r.status_code == 422
    pages["form-refused"] = r.text
    r = planner.post(scen, data={"csrf_token": csrf, "yaml_text": "name: x\nsite:\n  floorz: 3\n"})
    assert r.status_code == 422
    pages["yaml-refused"] = r.text
    csrf = csrf_of(inst, f"/survey/{w.round_id}")
    r = inst.post(f"/survey/{w.round_id}/upload", data={"csrf_token": csrf},
                  files={"file": ("answers.xlsx", b"PK\x03\x04 not a workbook", "application/octet-stream")})
    assert r.status_code in (413, 415, 422)
    pages["upload-refused"] = r.text
    r = anon.post("/login", data={"csrf_token": csrf_of(anon), "email": "x@example.org", "password": "wrong"})
    assert r.status_code == 401
    pages["login-refused"] = r.text
    invite = f"/invite/{seeded['invite']}"
    short = {"csrf_token": csrf_of(anon, invite), "password": "short", "password2": "short"}
    r = anon.post(invite, data=short)
    assert r.status_code == 422
    assert "비밀번호는 10자 이상이어야 합니다" in r.text
    pages["invite-refused"] = r.text

    # What users typed (the fixtures' institution names and round title) is theirs, not the app's text;
    # the language switch names the other language in its own words.
    typed = " ".join(["Jeonbuk National University", "Jeonju Startup Hub", "2026 demand survey", "phase1"])
    allow = ALLOWED | {"English"} | set(english_words(typed, set()))
    # The scenario's YAML (the "advanced" view) is code, as a <pre> would be.
    yaml_view = re.compile(r'<textarea[^>]*class="code".*?</textarea>', re.DOTALL)
    pages = {k: yaml_view.sub(" ", v) for k, v in pages.items()}
    english = {name: sorted(set(english_words(page, allow))) for name, page in pages.items()}
    assert {k: v for k, v in english.items() if v} == {}
    assert not any("⟦" in page for page in pages.values())


def test_the_language_follows_the_setting_then_accept_language(world) -> None:
    c = world.client("en")
    assert "Sign in" in c.get("/login").text
    assert "로그인" in world.client("fr-FR").get("/login").text  # no language aidc speaks: Korean
    r = c.get("/lang/ko?next=/login", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert "로그인" in c.get("/login").text  # the user's choice wins over Accept-Language: en
    assert c.get("/lang/fr").status_code == 404
    assert c.get("/lang/en?next=//evil.example", follow_redirects=False).headers["location"] == "/"


def test_run_figures_are_formatted_for_korean_readers(planner_world, sign_in) -> None:
    c = planner_world.client("ko")
    sign_in(c, "planner@example.org")
    page = c.get(f"/runs/{planner_world.tokens['run']}").text
    # FakeResult: design it_power_kw 800.0 and n_gpus 512; demand by year 2028, 2029; gpu_hours 1500.0
    assert "800 kW" in page
    assert ">512" in page
    assert "2,028" not in page
    assert ">2028<" in page
    assert "1500.0" not in page
    assert "1,500" in page
    assert "대학" in page  # tenant class university by its Korean label


def test_the_template_comes_in_the_readers_language(world, sign_in) -> None:
    import io

    import openpyxl

    sheets = {}
    for lang in ("ko", "en"):
        c = world.client(lang)
        sign_in(c, "institution@example.org")
        r = c.get("/survey/template.xlsx")
        assert r.status_code == 200
        sheets[lang] = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True).sheetnames
    assert "모델학습" in sheets["ko"]
    assert "모델학습" not in sheets["en"]
