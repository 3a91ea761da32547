"""The Korean portal end to end in the system Chromium (Playwright), as its users go through it.

A planner invites an institution; the institution opens the link, makes an account, answers the
survey with one mistake, sees it beside its cell in Korean, fixes it and submits; the planner
links the round to a scenario with the form, runs it with the real pipeline and prints the
briefing to PDF. Screenshots go to ``$AIDC_SCREENSHOT_DIR`` (default: the test's tmp_path).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from tests.i18n.english import ALLOWED, english_words

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium (bash scripts/setup-system.sh)"),
]


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "0")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("AIDC_SCREENSHOT_DIR") or tmp_path) / "portal-ko"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _korean_page(browser):
    context = browser.new_context(locale="ko-KR", extra_http_headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    context.set_default_timeout(30_000)
    return context.new_page()


def _sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_invite_survey_fix_submit_run_and_print_the_briefing(live_server, browser, shots) -> None:
    import time

    from aidc.web.runner import library_run

    started = time.monotonic()
    marks: dict[str, float] = {}

    url, w = live_server.url, live_server.world
    w.app.state.worker.run_function = library_run  # the real pipeline
    planner = _korean_page(browser)
    _sign_in(planner, url, "planner@example.org")

    # 1. The planner invites an institution.
    planner.goto(f"{url}/rounds/{w.round_id}")
    planner.fill("input[name=institution]", "전북테크노파크")
    planner.fill("input[name=email]", "ai@jbtp.example.kr")
    planner.click("text=초대 링크 만들기")
    link = planner.locator("#invitation-url").input_value()
    planner.screenshot(path=str(shots / "1-invitation.png"), full_page=True)
    marks["1-invitation"] = time.monotonic() - started

    # 2. The institution opens the link, makes its account and answers with one mistake.
    inst = _korean_page(browser)
    inst.goto(link)
    inst.fill("input[name=password]", PASSWORD)
    inst.fill("input[name=password2]", PASSWORD)
    inst.click("text=계정을 만들고 조사표 열기")
    inst.click(f"a[href='/survey/{w.round_id}']")
    inst.select_option("select[name=cell-respondents-0-tenant_class]", "university")
    inst.click("button[value=add_row-finetuning]")
    values = {"model_params": "8B", "training_tokens": "500M", "deadline_days": "곧",
              "n_runs_per_y": "12", "start_year": "2028"}
    for name, value in values.items():
        inst.fill(f"input[name=cell-finetuning-0-{name}]", value)
    inst.select_option("select[name=cell-finetuning-0-method]", "peft")
    inst.click("#submit")
    assert "제출되지 않았습니다" in inst.locator("#message").inner_text()
    bad = inst.locator("td.bad")
    assert bad.count() == 1
    assert bad.locator("input").get_attribute("name") == "cell-finetuning-0-deadline_days"
    assert "숫자" in bad.locator(".cell-problem").inner_text()
    assert inst.locator("input[name=cell-finetuning-0-model_params]").input_value() == "8B"  # kept as typed
    inst.screenshot(path=str(shots / "2-survey-mistake.png"), full_page=True)
    marks["2-survey-mistake"] = time.monotonic() - started

    # 3. It fixes the cell and submits.
    inst.fill("input[name=cell-finetuning-0-deadline_days]", "3")
    inst.click("#submit")
    assert inst.locator("#status").get_attribute("data-status") == "submitted"
    assert inst.locator("#status").inner_text() == "제출됨"
    inst.screenshot(path=str(shots / "3-survey-submitted.png"), full_page=True)
    marks["3-survey-submitted"] = time.monotonic() - started
    assert english_words(inst.locator("main").inner_text(), ENGLISH_OK) == []

    # 4. The planner links the round to the scenario with the form and runs it.
    planner.goto(f"{url}/scenarios/{w.tokens['scenario']}")
    planner.select_option("#scenario-form select[name=survey_round_id]", str(w.round_id))
    planner.click("#save-form")
    assert "저장했습니다" in planner.locator("#message").inner_text()
    planner.click("#start-run")
    planner.wait_for_url(re.compile(r".*/runs/\d+$"))
    finished = "#run-status[data-status=done], #run-status[data-status=failed]"
    planner.locator(finished).wait_for(timeout=120_000)
    errors = planner.locator("#run-error").all_inner_texts()
    assert planner.locator("#run-status").inner_text() == "완료", errors
    planner.screenshot(path=str(shots / "4-run.png"), full_page=True)
    # The real run's results, tables and charts (as drawn) speak Korean.
    shown = planner.locator("main").inner_text()
    (shots / "4-run.txt").write_text(shown, encoding="utf-8")
    words = sorted(set(english_words(shown, ENGLISH_OK)))
    assert not words, words
    marks["4-run"] = time.monotonic() - started

    # 5. The briefing as PDF, printed off the request; the page reloads until it is there.
    planner.click("#make-pdf")
    planner.locator("#briefing-pdf, #pdf-message.error").first.wait_for(timeout=60_000)
    assert planner.locator("#briefing-pdf").count() == 1, planner.locator("#pdf-message").all_inner_texts()
    href = planner.locator("#briefing-pdf").get_attribute("href")
    pdf = planner.context.request.get(f"{url}{href}")  # with the planner's session cookie
    assert pdf.headers["content-type"] == "application/pdf", pdf.text()[:300]
    assert pdf.body().startswith(b"%PDF")
    (shots / "5-briefing.pdf").write_bytes(pdf.body())
    planner.screenshot(path=str(shots / "5-run-with-pdf.png"), full_page=True)
    marks["5-run-with-pdf"] = time.monotonic() - started
    (shots / "timings.txt").write_text(repr(marks))
    print(marks)


#: The round's title and the scenario's name in the fixtures ("2026 demand survey", "phase1") are the
#: planner's text, not the portal's; the language switch names English in English.
ENGLISH_OK = ALLOWED | {"English", "demand", "survey", "phase"}
