"""The operations dashboard: upload sacct output, see observed against planned and the fan chart (KO/EN)."""

from __future__ import annotations

from pathlib import Path

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
