"""Korean output holds no English sentence and no internal key: report, workbook, CLI output and help.

Each Korean output of the default scenario is read as a reader sees it and checked with
:func:`english.english_words`. Text that is rightly not Korean is marked by the renderer, not
allowed here: a publication's title carries ``lang="en"``, what respondents typed (organisation
names, need descriptions) and machine identifiers carry ``translate="no"`` or ``<code>`` (HTML's
own marks for "not to be translated"); in the workbook the source column of the 출처 sheet
holds the publications' titles as published.

Where Korean output still has English, :data:`REMAINING` says how much, area by area: the test
fails when an area gets more (new English), and when it gets fewer (lower the figure).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from tests.i18n.english import english_words
from typer.testing import CliRunner

from aidc.cli import COMMANDS, app
from aidc.report.content import CODE_COLUMNS, ORIGINAL_COLUMNS, USER_TEXT_COLUMNS
from aidc.report.i18n import text

runner = CliRunner()
KO = {"LANG": "ko_KR.UTF-8", "AIDC_LANG": "ko", "COLUMNS": "200"}

#: English words still in each Korean output area (0 = none may appear). Lower as areas are translated.
REMAINING: dict[str, int] = {}


class _Visible(HTMLParser):
    """The text a Korean reader sees: no script or style, no element marked as not Korean or as code."""

    SKIP_TAGS = ("script", "style", "code")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        lang = a.get("lang")
        skip = (tag in self.SKIP_TAGS or a.get("translate") == "no"
                or (tag != "html" and lang is not None and not lang.startswith("ko")))
        if tag not in ("br", "meta", "link", "img", "input", "hr", "col", "wbr"):
            self._stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.texts.append(data)


def visible_text(page: str) -> str:
    """Return the text of an HTML page that a Korean reader is meant to read in Korean."""
    parser = _Visible()
    parser.feed(page)
    return " ".join(parser.texts)


def figure_text(page: str) -> str:
    """Return the titles, axis and trace names, tick labels and categories of the page's plotly figures."""
    out: list[str] = []
    for call in re.findall(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*(\{.*?\})\s*,\s*\{\"displaylogo",
                           page, flags=re.S):
        for part in call:
            try:
                tree = json.loads(part)
            except json.JSONDecodeError:
                continue
            _collect(tree, out)
    return " ".join(out)


def _collect(node: object, out: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "name", "ticktext", "ticksuffix", "tickprefix") and isinstance(value, str):
                out.append(value)
            elif key == "ticktext" and isinstance(value, list):
                out.extend(str(v) for v in value)
            elif key in ("x", "y") and isinstance(value, list):  # category names (a bar per server type)
                out.extend(v for v in value if isinstance(v, str))
            else:
                _collect(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect(value, out)


def workbook_text(path: Path) -> dict[str, str]:
    """Return each sheet's name, headers and text cells, by sheet.

    Cells under a header of a marked column (:func:`aidc.report.content.column_mark`: identifiers,
    publications' titles, respondents' words) are left out, as the HTML marks them.
    """
    ko = text("ko")
    marked = {h for c in (*CODE_COLUMNS, *ORIGINAL_COLUMNS, *USER_TEXT_COLUMNS) for h in (c, ko.column(c))}
    out: dict[str, str] = {}
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb:
        skip: set[int] = set()
        cells = [ws.title]
        for row in ws.iter_rows(values_only=True):
            if any(v in marked for v in row):  # a header row: which columns hold marked cells
                skip = {i for i, v in enumerate(row) if v in marked}
            cells += [v for i, v in enumerate(row) if isinstance(v, str) and i not in skip]
        out[ws.title] = " ".join(cells)
    return out


def without_names(output: str) -> str:
    """Remove the shipped scenarios' names (``jeonbuk-aidc``): identifiers a user types, not prose."""
    from aidc.scenario import list_scenarios

    for name in sorted(list_scenarios(), key=len, reverse=True):  # jeonbuk-aidc before jeonbuk-ai
        output = output.replace(name, " ")
    return output


def _report(words: list[str]) -> str:
    return ", ".join(f"{w}×{n}" for w, n in Counter(words).most_common(30))


def _check(area: str, found: list[str]) -> None:
    allowed = REMAINING.get(area, 0)
    assert len(found) <= allowed, f"{area}: {len(found)} English words ({_report(found)})"
    assert len(found) >= allowed, f"{area}: only {len(found)} English words now: lower REMAINING[{area!r}]"


@pytest.fixture(scope="module")
def korean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """``aidc --lang ko run`` of the default scenario: what it printed and the folder it wrote."""
    out = tmp_path_factory.mktemp("ko") / "out"
    result = runner.invoke(app, ["--lang", "ko", "run", "--out", str(out)], env=KO)
    assert result.exit_code == 0, result.output
    return result.output, out


def test_checker_finds_english_and_keys() -> None:
    assert english_words("증설 계획의 결정적 제약: site floors") == ["site", "floors"]
    assert english_words("대학 public_common, GPU 1,360개, 8 MW, NVIDIA H100, B200") == ["public_common"]
    page = '<p>자료 <span lang="en">Uptime Institute survey</span> <code>n_gpus</code> <b>cloud</b></p>'
    assert english_words(visible_text(page)) == ["cloud"]


@pytest.mark.parametrize("section", ["briefing", "summary", "survey", "demand", "design", "plan",
                                     "simulation", "energy", "economics", "assumptions", "sources",
                                     "estimates", "rest"])
def test_korean_report(korean_run: tuple[str, Path], section: str) -> None:
    page = (korean_run[1] / "report.html").read_text(encoding="utf-8")
    parts = dict(re.findall(r'<section id="([^"]+)"[^>]*>(.*?)</section>', page, flags=re.S))
    if section == "rest":  # the head, the cover, the table of contents, the footer
        body = re.sub(r'<section id="[^"]+".*?</section>', " ", page, flags=re.S)
        _check("report.rest", english_words(visible_text(body)))
        return
    assert section in parts
    shown = visible_text(parts[section]) + " " + figure_text(parts[section])
    _check(f"report.{section}", english_words(shown))


def test_korean_briefing_page(korean_run: tuple[str, Path]) -> None:
    page = (korean_run[1] / "briefing.html").read_text(encoding="utf-8")
    _check("briefing.html", english_words(visible_text(page)))


def test_korean_workbook(korean_run: tuple[str, Path]) -> None:
    sheets = workbook_text(korean_run[1] / "report.xlsx")
    found = {name: english_words(without_names(cells)) for name, cells in sheets.items()}
    _check("xlsx", [w for words in found.values() for w in words])


def test_korean_run_output(korean_run: tuple[str, Path]) -> None:
    _check("cli.run", english_words(without_names(korean_run[0])))


def test_korean_estimate_footnote_names_records_not_keys(korean_run: tuple[str, Path]) -> None:
    """The footnote names each estimate in Korean (the checker strips ``file.yaml:key``, so look for it)."""
    printed, out = korean_run
    assert not re.search(r"\w+\.yaml:\w+", printed)
    assert "축전지" in printed or "건물 골조" in printed  # records named by their labels
    found = re.search(r"추정값인 카탈로그 수치\((\d+)개\)", " ".join(printed.split()))
    assert found is not None
    n = int(found.group(1))
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    rows = [r for r in wb["추정값"].iter_rows(values_only=True) if any(c is not None for c in r)]
    assert n == len(rows) - 3  # the same list as the workbook's: note, title and header, then one row each


SURVEY = str(Path(__file__).resolve().parents[2] / "src/aidc/data/survey/example_survey.yaml")
COMMAND_LINES = {
    "design": ["design"], "plan": ["plan"], "energy": ["energy"], "economics": ["economics"],
    "simulate": ["simulate"], "power": ["simulate", "--power"],
    "demand": ["demand", "--no-write"], "survey": ["survey", "validate", SURVEY],
    "scenario": ["scenario", "list"],
    "economics_compare": ["economics", "jeonbuk-phase1", "--compare", "jeonbuk-aidc"],
}


@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
def test_korean_command_output(command: str) -> None:
    result = runner.invoke(app, ["--lang", "ko", *COMMAND_LINES[command]], env=KO)
    assert result.exit_code == 0, result.output
    _check(f"cli.{command}", english_words(without_names(result.output)))


@pytest.mark.parametrize("command", ["", *sorted(c for c in COMMANDS if c not in ("serve", "sweep", "ops"))])
def test_korean_help(command: str) -> None:
    result = runner.invoke(app, ["--lang", "ko", *([command] if command else []), "--help"], env=KO)
    assert result.exit_code == 0, result.output
    # The program's syntax is not prose: the usage line, option names (--lang), metavars (<path>,
    # SCENARIO), environment variables (AIDC_LANG), the names of commands and arguments in the first
    # column of a panel, and defaults (a scenario's name). Panels are unwrapped first, so that a
    # `code` span broken over two lines is still one span.
    lines = [re.sub(r"^\s*│\s+[a-z][\w-]*\s{2,}", " ", line) for line in result.output.splitlines()]
    prose = re.sub(r"[│╭╮╰╯─]", " ", " ".join(lines))
    syntax = (r"(?:Usage|사용법):.*?(?=\s{3})|--?[\w-]+|<\w+>|(?<![A-Za-z])[A-Z][A-Z_]+(?![A-Za-z])"
              r"|\[기본값: [^\]]*\]")
    prose = re.sub(syntax, " ", prose)
    _check(f"help.{command or 'aidc'}", english_words(prose))
