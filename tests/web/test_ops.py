"""The operations dashboard: upload sacct output, see observed against planned and the fan chart (KO/EN)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cloudpickle
from tests.i18n.english import ALLOWED, english_words

DATA = Path(__file__).resolve().parents[1] / "data" / "ops"


def _upload(c, csrf: str, sid: str, name: str, lang: str = "ko"):
    files = {"sacct": (name, (DATA / name).read_bytes(), "text/plain"),
             "accounts": ("accounts.csv", (DATA / "accounts.csv").read_bytes(), "text/csv")}
    return c.post("/ops", data={"csrf_token": csrf, "scenario_id": sid, "lang": lang}, files=files,
                  follow_redirects=False)


def test_upload_shows_the_dashboard_in_korean(planner_world, sign_in, csrf_of, tmp_path) -> None:
    planner_world.app.state.ops_dir = tmp_path / "ops"
    c = planner_world.client()
    sign_in(c, "planner@example.org")
    sid = planner_world.tokens["scenario"]
    r = _upload(c, csrf_of(c, "/ops"), sid, "sacct_awkward.txt")
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert "월별 GPU시간: 실적, 예측 중앙값과 예측구간" in page.text  # the fan chart's Korean title
    assert "작업 7건, 620 GPU시간" in page.text  # 7 allocations, 620 GPU-hours (tests/ops/test_sacct.py)
    assert english_words(page.text, ALLOWED | {"English"}) == []  # the switch names English in English
    english = c.get(r.headers["location"].replace("lang=ko", "lang=en"))
    assert "Monthly GPU-hours: observed, forecast median and interval" in english.text


def test_a_malformed_upload_names_line_and_field(planner_world, sign_in, csrf_of, tmp_path) -> None:
    planner_world.app.state.ops_dir = tmp_path / "ops"
    c = planner_world.client()
    sign_in(c, "planner@example.org")
    r = _upload(c, csrf_of(c, "/ops"), planner_world.tokens["scenario"], "sacct_malformed.txt", "en")
    assert r.status_code == 422
    assert "sacct.txt:3, field &#39;Elapsed&#39;" in r.text
    assert not (tmp_path / "ops").exists()  # nothing stored


def test_only_planners_see_operations(world, sign_in) -> None:
    c = world.client()
    sign_in(c, "institution@example.org")
    assert c.get("/ops").status_code == 403
    assert c.get("/ops/0123456789abcdef").status_code in (403, 404)


def slow_trigger(store: Path, scenario_yaml: str) -> None:
    """Stand in for the trigger (minutes): take a few seconds, then write an answer."""
    time.sleep(3.0)
    lines = {"en": ["Stand-in verdict for the test."], "ko": ["시험용 판정."]}
    from aidc.web.ops_jobs import write_json

    write_json(store / "trigger.json", {"lines": lines, "months": ["2030-01"], "p_break_frac": [0.25]})


def never_ends(store: Path, scenario_yaml: str) -> None:
    time.sleep(600)


# The trigger runs in a worker process that cannot import this file by name: by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _ask_trigger(planner_world, sign_in, csrf_of, tmp_path, lang: str = "en"):
    planner_world.app.state.ops_dir = tmp_path / "ops"
    c = planner_world.client()
    sign_in(c, "planner@example.org")
    sid = planner_world.tokens["scenario"]
    page = _upload(c, csrf_of(c, "/ops"), sid, "sacct_awkward.txt", lang).headers["location"]
    store_id = page.split("/ops/")[1].split("?")[0]
    t0 = time.monotonic()
    r = c.post(f"/ops/{store_id}/trigger", data={"csrf_token": csrf_of(c, page), "scenario_id": sid,
                                                 "lang": lang}, follow_redirects=False)
    return c, page, store_id, r, time.monotonic() - t0


def _wait_for(c, page: str, text: str, timeout_s: float = 90.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = c.get(page).text
        if text in body:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear on {page}")


def test_the_trigger_runs_off_the_request_and_the_page_polls(planner_world, sign_in, csrf_of,
                                                             tmp_path) -> None:
    """The POST queues the job and answers 202 before the job could finish; the answer appears later."""
    planner_world.app.state.ops_trigger_function = slow_trigger
    c, page, _, r, took_s = _ask_trigger(planner_world, sign_in, csrf_of, tmp_path)
    assert r.status_code == 202
    assert took_s < 3.0  # the stand-in alone takes 3 s
    assert 'http-equiv="refresh"' in r.text  # the page polls
    assert "Stand-in verdict" not in r.text
    assert "The trigger is queued" in r.text or "The trigger is running" in r.text
    done = _wait_for(c, page, "Stand-in verdict for the test.")
    assert 'http-equiv="refresh"' not in done  # finished: no more polling
    korean = c.get(page.replace("lang=ko", "lang=en").replace("lang=en", "lang=ko")).text
    assert "시험용 판정." in korean


def test_a_failed_trigger_says_why(planner_world, sign_in, csrf_of, tmp_path) -> None:
    """The real trigger in its worker process: the stored phase-1 scenario has no service levels."""
    c, page, _, r, _ = _ask_trigger(planner_world, sign_in, csrf_of, tmp_path, "ko")
    assert r.status_code == 202
    body = _wait_for(c, page, "트리거 계산이 실패했습니다")
    assert "the trigger needs service levels to watch" in body


def test_a_running_trigger_can_be_cancelled(planner_world, sign_in, csrf_of, tmp_path) -> None:
    planner_world.app.state.ops_trigger_function = never_ends
    c, page, store_id, r, _ = _ask_trigger(planner_world, sign_in, csrf_of, tmp_path)
    assert r.status_code == 202
    _wait_for(c, page, "The trigger is running")
    sid = planner_world.tokens["scenario"]
    form = {"csrf_token": csrf_of(c, page), "scenario_id": sid, "lang": "en"}
    cancel = c.post(f"/ops/{store_id}/trigger/cancel", data=form, follow_redirects=False)
    assert cancel.status_code == 303
    _wait_for(c, page, "The trigger was cancelled.", timeout_s=30)
