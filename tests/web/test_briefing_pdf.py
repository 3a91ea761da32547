"""The run page's briefing as PDF: printed off the request by the system Chromium, or a clear message."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from aidc.web.db import RunFile

BRIEFING = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>브리핑</title></head>
<body><h1>판정: 1단계는 2031년까지 조사 수요를 충족합니다</h1><p>IT 전력 8 MW</p></body></html>"""


def _with_briefing(w) -> int:
    """Store a briefing for the fake run (the fake result has no report to build one from)."""
    run_id = int(w.tokens["run"])
    with w.app.state.sessions.begin() as s:
        s.add(RunFile(run_id=run_id, name="briefing.ko.html", media_type="text/html; charset=utf-8",
                      content=BRIEFING.encode()))
    return run_id


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no system Chromium")
def test_the_button_prints_the_briefing_off_the_request(planner_world, sign_in, csrf_of) -> None:
    w = planner_world
    run_id = _with_briefing(w)
    c = w.client("ko")
    sign_in(c, "planner@example.org")
    page = c.get(f"/runs/{run_id}").text
    assert 'id="make-pdf"' in page
    csrf = csrf_of(c, f"/runs/{run_id}")
    r = c.post(f"/runs/{run_id}/pdf", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303  # queued: the request does not wait for Chromium
    for _ in range(600):
        page = c.get(f"/runs/{run_id}").text
        if 'id="briefing-pdf"' in page or 'class="error" id="pdf-message"' in page:
            break
        assert "PDF로 만드는 중입니다" in page
        time.sleep(0.1)
    assert 'id="briefing-pdf"' in page, page[-800:]
    link = re.search(r'<a href="([^"]+)" id="briefing-pdf"', page)
    assert link is not None
    href = link.group(1)
    assert href == f"/api/runs/{run_id}/files/briefing.ko.pdf"
    pdf = c.get(href)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


def test_without_chromium_the_page_says_so_in_korean(planner_world, sign_in, csrf_of, monkeypatch) -> None:
    monkeypatch.setenv("AIDC_CHROMIUM", "/nonexistent/chromium")
    w = planner_world
    run_id = _with_briefing(w)
    c = w.client("ko")
    sign_in(c, "planner@example.org")
    r = c.post(f"/runs/{run_id}/pdf", data={"csrf_token": csrf_of(c, f"/runs/{run_id}")})
    assert r.status_code == 503
    assert "서버에 크로미움(Chromium) 브라우저가 설치되어 있지 않습니다" in r.text
    assert "Traceback" not in r.text


def test_a_run_without_a_briefing_offers_no_button(planner_world, sign_in, csrf_of) -> None:
    c = planner_world.client("ko")
    sign_in(c, "planner@example.org")
    run_id = planner_world.tokens["run"]
    assert 'id="make-pdf"' not in c.get(f"/runs/{run_id}").text
    r = c.post(f"/runs/{run_id}/pdf", data={"csrf_token": csrf_of(c, f"/runs/{run_id}")})
    assert r.status_code == 409
    assert "인쇄할 브리핑이 없습니다" in r.text
