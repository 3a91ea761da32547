"""The documentation site builds with ``mkdocs build --strict`` in both languages (about 5 s)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
         "--site-dir", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    # --strict turns every warning (a broken link, a missing snippet, a page outside docs/) into
    # a non-zero exit; print the log so the failing line is in the test report
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return out


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_site_has_both_languages(site: Path) -> None:
    assert "aidc — AI 데이터센터" in _text(site / "ko" / "index.html")
    assert "plan, size, simulate and cost" in _text(site / "index.html")
    # each page links its other-language version (the material language switcher)
    for page in (site / "index.html", site / "ko" / "index.html"):
        assert 'hreflang="ko"' in _text(page)
        assert 'hreflang="en"' in _text(page)


def test_korean_pages_are_korean_and_others_fall_back_to_english(site: Path) -> None:
    docs = REPO / "docs"
    korean = sorted(p.name.removesuffix(".ko.md") for p in docs.glob("*.ko.md"))
    # the pages a planner reads (issue 14 item 6), and the landing page
    assert {"index", "survey", "facility_design", "plan", "economics", "report", "web"} <= set(korean)
    for name in korean:
        built = site / "ko" / ("index.html" if name == "index" else f"{name}/index.html")
        assert '<html lang="ko"' in _text(built), built
    # a page without a Korean file is the English one on the Korean site
    english_only = sorted(p.stem for p in docs.glob("*.md") if not p.stem.endswith(".ko")
                          and not (docs / f"{p.stem}.ko.md").exists())
    assert english_only
    for name in english_only:
        heading = _text(docs / f"{name}.md").splitlines()[0].removeprefix("# ").replace("`", "")
        page = html.unescape(re.sub(r"<[^>]+>", "", _text(site / "ko" / name / "index.html")))
        assert heading in page, name


def test_gallery_pages_show_the_committed_output(site: Path) -> None:
    for lang_dir in (site, site / "ko"):
        text = html.unescape(re.sub(r"<[^>]+>", "", _text(lang_dir / "gallery" / "gpus" / "index.html")))
        # the snippet of docs/gallery/gpus.out.txt is inlined (highlighted): its command and a table title
        assert "$ aidc --lang ko demand" in text
        assert "최대 GPU 수" in text
