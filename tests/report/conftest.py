"""Shared fixtures of the report tests: the default run, and its report in both languages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

import aidc
from aidc import report


@pytest.fixture(scope="session")
def default_result() -> aidc.Result:
    return aidc.run(aidc.load_scenario())


@pytest.fixture(scope="session")
def built(default_result: aidc.Result, tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, report.ReportFiles]:
    """The default run's report in English and Korean, in folders that do not exist yet."""
    root = tmp_path_factory.mktemp("report")
    return {lang: report.build(default_result, lang=lang, out_dir=root / "nested" / lang)
            for lang in ("en", "ko")}


class Page(HTMLParser):
    """What the tests read from a report page: KPIs, sections, missing notes, scripts, text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.kpis: dict[str, dict[str, str]] = {}
        self.sections: list[str] = []
        self.missing: list[str] = []
        self.scripts_with_src: list[str] = []
        self.links: list[str] = []
        self.keyed: dict[str, str] = {}
        self._kpi: str | None = None
        self._keyed: str | None = None
        self._in_value = False
        self.texts: list[str] = []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("script", "style"):
            self._skip += 1
            if tag == "script" and a.get("src"):
                self.scripts_with_src.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "section" and a.get("id"):
            self.sections.append(a["id"] or "")
        if a.get("data-missing"):
            self.missing.append(a["data-missing"] or "")
        if "kpi" in cls.split() and a.get("data-key"):
            self._kpi = a["data-key"]
            self.kpis[self._kpi or ""] = {"value": a.get("data-value") or "",
                                          "stage": a.get("data-stage") or ""}
        elif "kpi-value" in cls.split():
            self._in_value = True
        elif a.get("data-key") and tag == "code":
            self._keyed = a["data-key"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.texts.append(data)
        if self._in_value and self._kpi:
            self.kpis[self._kpi]["text"] = data.strip()
            self._in_value = False
        if self._keyed:
            self.keyed[self._keyed] = data.strip()
            self._keyed = None

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pages(built: dict[str, report.ReportFiles]) -> dict[str, Page]:
    """The parsed report pages, by language."""
    return {lang: read_page(files.html) for lang, files in built.items()}


@pytest.fixture(scope="session")
def parse_page() -> type[Page]:
    """The page parser, for tests that build their own report."""
    return Page
