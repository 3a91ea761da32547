"""Browser tests: Playwright drives the system Chromium against a live server on loopback."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium (bash scripts/setup-system.sh)"),
]


@pytest.fixture
def page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "0")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context()
        context.set_default_timeout(30_000)
        yield context.new_page()
        context.close()
        browser.close()


def _sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")


def test_an_institution_submits_with_one_invalid_cell_and_sees_the_message(live_server, page) -> None:
    url, w = live_server.url, live_server.world
    _sign_in(page, url, "institution@example.org")
    page.click(f"a[href='/survey/{w.round_id}']")
    page.select_option("select[name=cell-respondents-0-tenant_class]", "university")
    page.click("button[value=add_row-finetuning]")
    values = {
        "model_params": "8B",
        "training_tokens": "500M",
        "deadline_days": "soon",
        "n_runs_per_y": "12",
        "start_year": "2028",
    }
    for name, value in values.items():
        page.fill(f"input[name=cell-finetuning-0-{name}]", value)
    page.select_option("select[name=cell-finetuning-0-method]", "peft")
    page.click("#submit")
    message = page.locator("#message")
    assert "Not submitted" in message.inner_text()
    bad = page.locator("td.bad")
    assert bad.count() == 1
    assert bad.locator("input").get_attribute("name") == "cell-finetuning-0-deadline_days"
    assert "number" in bad.locator(".cell-problem").inner_text().lower()
    # Fix the cell and submit again.
    page.fill("input[name=cell-finetuning-0-deadline_days]", "3")
    page.click("#submit")
    assert page.locator("#status").inner_text() == "submitted"


def test_a_planner_runs_a_scenario_and_sees_its_chart(live_server, page) -> None:
    from aidc.web.runner import library_run

    url, w = live_server.url, live_server.world
    w.app.state.worker.run_function = library_run  # the real pipeline, aidc.run
    _sign_in(page, url, "planner@example.org")
    page.goto(f"{url}/scenarios/{w.tokens['scenario']}")
    page.click("#start-run")
    page.wait_for_url(re.compile(r".*/runs/\d+$"))
    status = page.locator("#run-status")
    # A locator, not wait_for_function: the page's CSP forbids evaluating strings as script.
    page.locator("#run-status", has_text=re.compile(r"^(done|failed)$")).wait_for(timeout=180_000)
    assert status.inner_text() == "done", page.locator("#run-error").all_inner_texts()
    page.wait_for_selector(".chart .main-svg", timeout=30_000)  # plotly has drawn a figure
    assert page.locator(".chart .main-svg").count() >= 1
    # The report stage wrote the report; the page links to it and it downloads.
    link = page.locator("a[href$='/files/report.html']")
    assert link.count() == 1
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith("report.html")
