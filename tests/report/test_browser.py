"""The report opens in headless Chromium (Debian's, driven by Playwright) offline and without errors.

Screenshots are written to ``$AIDC_SCREENSHOT_DIR`` (default: pytest's tmp folder), so a person
can look at them: Hangul must render as Hangul, not as boxes (needs ``fonts-noto-cjk``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aidc.report import content

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup-system.sh)"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_report_opens_offline_without_console_errors(browser, built, default_result, lang, tmp_path) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def offline(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            requested.append(url)
            route.abort()

    page.route("**/*", offline)
    page.goto(built[lang].html.as_uri(), wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('.figure .main-svg').length > 0 || "
                           "document.querySelectorAll('.figure').length === 0", timeout=20_000)
    n_figures = page.locator(".figure").count()
    n_drawn = page.locator(".figure .js-plotly-plot").count()
    assert problems == []
    assert requested == []  # nothing fetched: the file is self-contained
    assert n_drawn == n_figures  # every chart drawn by the inline plotly.js
    assert page.locator("section#summary .kpi").count() == len(content.headline(default_result))
    folder = Path(os.environ.get("AIDC_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"report-{lang}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.close()


def test_korean_text_is_laid_out_with_a_cjk_font(browser, built) -> None:
    """Hangul glyphs come from a CJK font: a heading in Korean is as wide as its glyphs need.

    Without a CJK font Chromium draws each syllable as a tofu box of the fallback font; with
    fonts-noto-cjk each syllable is a full-width glyph, about as wide as it is tall.
    """
    page = browser.new_page()
    page.goto(built["ko"].html.as_uri(), wait_until="load")
    width = page.evaluate(
        "() => { const s = document.createElement('span'); s.style.fontSize = '20px';"
        " s.textContent = '수전용량무정전전원장치'; document.body.appendChild(s);"
        " const w = s.getBoundingClientRect().width; s.remove(); return w; }")
    page.close()
    assert width == pytest.approx(11 * 20, rel=0.15)  # 11 full-width syllables of 20 px
