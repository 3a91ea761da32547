"""The report opens in headless Chromium (Debian's, driven by Playwright) offline and without errors.

Each page is opened once per language; screenshots go to ``$AIDC_SCREENSHOT_DIR`` (default:
pytest's tmp folder) so a person can look at them: Hangul must render as Hangul, not as boxes
(needs ``fonts-noto-cjk``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from aidc.report import content

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
# 11 Hangul syllables at 20 px: with a CJK font each is a full-width glyph, about 20 px wide
HANGUL = "수전용량무정전전원장치"
HANGUL_PX = 20

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup-system.sh)"),
]


def _open(browser: Any, html: Path, shot: Path) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    seen: dict[str, Any] = {"problems": [], "requested": []}
    page.on("console", lambda m: seen["problems"].append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen["problems"].append(f"page error: {e}"))

    def offline(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            seen["requested"].append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('.figure').length === "
                           "document.querySelectorAll('.figure .main-svg').length / 2 || "
                           "document.querySelectorAll('.figure .main-svg').length > 0", timeout=30_000)
    seen["n_figures"] = page.locator(".figure").count()
    seen["n_drawn"] = page.locator(".figure .js-plotly-plot").count()
    seen["n_kpis"] = page.locator("section#summary .kpi").count()
    seen["hangul_px"] = page.evaluate(
        "(text) => { const s = document.createElement('span'); s.style.fontSize = '20px';"
        " s.textContent = text; document.body.appendChild(s);"
        " const w = s.getBoundingClientRect().width; s.remove(); return w; }", HANGUL)
    page.screenshot(path=str(shot))
    seen["shot"] = shot
    page.close()
    return seen


@pytest.fixture(scope="module")
def opened(built, tmp_path_factory) -> dict[str, dict[str, Any]]:
    sync_api = pytest.importorskip("playwright.sync_api")
    folder = Path(os.environ.get("AIDC_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            return {lang: _open(browser, built[lang].html, folder / f"report-{lang}.png") for lang in built}
        finally:
            browser.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_report_opens_offline_without_console_errors(opened, lang) -> None:
    assert opened[lang]["problems"] == []
    assert opened[lang]["requested"] == []  # nothing fetched: the file is self-contained


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_chart_is_drawn_and_every_headline_shown(opened, default_result, lang) -> None:
    assert opened[lang]["n_drawn"] == opened[lang]["n_figures"]  # drawn by the inline plotly.js
    assert opened[lang]["n_kpis"] == len(content.headline(default_result))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_screenshot_is_taken(opened, lang) -> None:
    assert opened[lang]["shot"].stat().st_size > 10_000


def test_hangul_is_laid_out_with_a_cjk_font(opened) -> None:
    """Without a CJK font Chromium draws narrow boxes; with fonts-noto-cjk full-width syllables."""
    assert opened["ko"]["hangul_px"] == pytest.approx(len(HANGUL) * HANGUL_PX, rel=0.15)
