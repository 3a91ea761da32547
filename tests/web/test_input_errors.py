"""Bad input the library finds (``InputError``) is a 422 in the reader's language, never a server error.

The web refuses a scenario that names a file on the server, and every stored scenario was valid
when it was saved. Rows from before those rules (or a newer schema that refuses an old key)
still reach the routes that read them; each used to raise past every handler (HTTP 500).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.i18n.english import english_words
from tests.web.conftest import World

from aidc.scenario import dump_scenario, load_scenario

HANGUL = re.compile("[\uac00-\ud7a3]")
DATA = Path(__file__).resolve().parents[1] / "data" / "ops"
SURVEY_ON_SERVER = "/srv/aidc/private/survey.xlsx"


def _stored(world: World, yaml_text: str, name: str) -> int:
    """Store a scenario row as an older version would have (no check on the way in)."""
    from aidc.web.db import ScenarioRecord

    with world.app.state.sessions() as s:
        rec = ScenarioRecord(name=name, yaml_text=yaml_text)
        s.add(rec)
        s.commit()
        return rec.id


def _naming_a_server_file() -> str:
    scenario = load_scenario()
    demand = scenario.demand.model_copy(update={"survey": SURVEY_ON_SERVER})
    return dump_scenario(scenario.model_copy(update={"demand": demand}))


def _no_longer_valid() -> str:
    return dump_scenario(load_scenario()) + "retired_section: {old_key: 1}\n"


def _store_of_records(world: World, sign_in, csrf_of, tmp_path: Path) -> tuple[TestClient, str]:
    world.app.state.ops_dir = tmp_path / "ops"
    c = world.client()
    sign_in(c, "planner@example.org")
    files = {"sacct": ("sacct.txt", (DATA / "sacct_awkward.txt").read_bytes(), "text/plain")}
    r = c.post("/ops", data={"csrf_token": csrf_of(c, "/ops"), "scenario_id": world.tokens["scenario"]},
               files=files, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c, r.headers["location"].split("/ops/")[1].split("?")[0]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_trigger_of_a_scenario_naming_a_server_file_is_refused(
    planner_world, sign_in, csrf_of, tmp_path, lang: str
) -> None:
    sid = _stored(planner_world, _naming_a_server_file(), "old phase 1")
    c, store_id = _store_of_records(planner_world, sign_in, csrf_of, tmp_path)
    page = f"/ops/{store_id}?scenario_id={planner_world.tokens['scenario']}"
    r = c.post(f"/ops/{store_id}/trigger", data={"csrf_token": csrf_of(c, page), "scenario_id": sid,
                                                 "lang": lang}, headers={"Accept-Language": lang})
    assert r.status_code == 422
    assert "survey.xlsx" in r.text  # names what it refused
    assert not (tmp_path / "ops" / store_id / "trigger.status.json").exists()  # nothing was queued
    shown = r.text.split("<main", 1)[1].split("</main>", 1)[0]
    if lang == "ko":
        assert HANGUL.search(shown)
        assert english_words(shown) == []
    else:
        assert "the web service does not read files named in a scenario" in shown


def test_the_dashboard_against_a_scenario_naming_a_server_file_is_refused(
    planner_world, sign_in, csrf_of, tmp_path
) -> None:
    sid = _stored(planner_world, _naming_a_server_file(), "old phase 1")
    c, store_id = _store_of_records(planner_world, sign_in, csrf_of, tmp_path)
    r = c.get(f"/ops/{store_id}?scenario_id={sid}", headers={"Accept-Language": "ko"})
    assert r.status_code == 422
    assert "입력에 문제가 있습니다" in r.text


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_stored_scenario_the_schema_no_longer_accepts_is_a_422_with_a_code(
    planner_world, sign_in, lang: str
) -> None:
    sid = _stored(planner_world, _no_longer_valid(), "from an older version")
    c = planner_world.client(lang)
    r = c.get(f"/api/scenarios/{sid}", headers=planner_world.bearer("planner"))
    assert r.status_code == 422
    assert r.json()["code"] == "input_error"
    assert "retired_section" in r.json()["detail"]
    assert bool(HANGUL.search(r.json()["detail"])) is (lang == "ko")
    sign_in(c, "planner@example.org")
    page = c.get(f"/scenarios/{sid}")
    assert page.status_code == 422
    assert "retired_section" in page.text


def test_an_unknown_shipped_scenario_is_named_in_the_readers_language(world, sign_in, csrf_of) -> None:
    c = world.client("ko")
    sign_in(c, "planner@example.org")
    r = c.post("/scenarios", data={"csrf_token": csrf_of(c, "/scenarios"), "name": "x", "base": "{nope}"})
    assert r.status_code == 422
    assert "'{nope}' 이름의 제공 시나리오가 없습니다" in html.unescape(r.text)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_demand_of_a_round_without_answers_says_so_in_the_readers_language(planner_world, lang) -> None:
    c, h = planner_world.client(lang), planner_world.bearer("planner")
    sid = planner_world.tokens["scenario"]
    got = c.get(f"/api/scenarios/{sid}", headers=h).json()
    body = {"name": "phase1", "scenario": got["scenario"], "survey_round_id": planner_world.round_id}
    assert c.put(f"/api/scenarios/{sid}", headers=h, json=body).status_code == 200
    (said,) = c.get(f"/api/scenarios/{sid}/demand", headers=h).json()["by_year"]["problems"]
    expected = {"ko": "아직 응답을 제출한 기관이 없습니다",
                "en": "no institution has submitted an answer yet"}
    assert said == expected[lang]
