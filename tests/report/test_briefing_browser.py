"""The first screen of the report holds the verdict and the five key figures, in both languages.

Debian's Chromium driven by Playwright; screenshots of the first screen go to
``$AIDC_SCREENSHOT_DIR`` (default: pytest's tmp folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: A common laptop screen, the first thing an official sees when the file opens.
SCREEN = {"width": 1366, "height": 768}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup-system.sh)"),
]


@pytest.fixture(scope="module")
def first_screens(built, tmp_path_factory) -> dict[str, dict[str, Any]]:
    sync_api = pytest.importorskip("playwright.sync_api")
    folder = Path(os.environ.get("AIDC_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict[str, Any]] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for lang, files in built.items():
                page = browser.new_page(viewport=SCREEN)
                # the briefing is plain HTML before any script: no need to wait for the charts
                page.goto(files.html.as_uri(), wait_until="domcontentloaded", timeout=120_000)
                boxes = page.evaluate(
                    "() => [...document.querySelectorAll('#verdict, .brief-figure')]"
                    ".map(e => [e.id || e.dataset.key, e.getBoundingClientRect().bottom])")
                out[lang] = {
                    "bottoms": dict(boxes),
                    "verdict": page.inner_text("#verdict"),
                    "figures": page.locator(".brief-figure").all_inner_texts(),
                }
                page.screenshot(path=str(folder / f"first-screen-{lang}.png"))
                page.close()
        finally:
            browser.close()
    return out


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_verdict_and_figures_are_on_the_first_screen(first_screens, lang: str) -> None:
    bottoms = first_screens[lang]["bottoms"]
    assert len(bottoms) == 6  # the verdict and five figures
    assert max(bottoms.values()) <= SCREEN["height"]


@pytest.mark.parametrize(("lang", "words"), [
    ("ko", ("판단", "2단계 증설", "억 원", "MW", "평", "대")),
    ("en", ("Verdict", "phase 2", "KRW", "MW", "pyeong", "servers")),
])
def test_first_screen_speaks_the_report_language(first_screens, default_result, lang: str,
                                                 words: tuple[str, ...]) -> None:
    shown = first_screens[lang]["verdict"] + " ".join(first_screens[lang]["figures"])
    assert [w for w in words if w.lower() not in shown.lower()] == []
    s = default_result.summary
    # the year phase 2 is due, or (the coincident demand fits 8 MW over the horizon) the year phase 1's
    # GPUs first fall short, which the plan fills inside the envelope
    assert str(s.phase2_year if s.phase2_year is not None else s.gpu_first_short_year) in shown
