"""A run's report and workbook come in the reader's language: Korean for a Korean user, with no English.

The run is the default scenario through the library (as the worker runs it); its files are built
by :func:`aidc.web.runner.build_report` and stored on the planner world's run, then downloaded as a
Korean and an English user would. The Korean download is read with the same checker as the CLI's
Korean report (tests/i18n/test_korean_output.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from tests.i18n.english import english_words
from tests.i18n.test_korean_output import figure_text, visible_text, without_names, workbook_text

from aidc.web.db import RunFile
from aidc.web.runner import FILE_TYPES, build_report

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def report_files() -> dict[str, bytes]:
    from aidc.pipeline import run
    from aidc.scenario import load_scenario

    return build_report(run(load_scenario()))


def _store(w, files: dict[str, bytes]) -> int:
    run_id = int(w.tokens["run"])
    with w.app.state.sessions.begin() as s:
        for name, content in files.items():
            media = FILE_TYPES.get(name, "text/html")
            s.add(RunFile(run_id=run_id, name=name, media_type=media, content=content))
    return run_id


def test_the_report_is_built_in_each_language(report_files: dict[str, bytes]) -> None:
    assert sorted(report_files) == sorted(FILE_TYPES.keys() - {"briefing.ko.pdf", "briefing.en.pdf"})
    assert b'<html lang="ko"' in report_files["report.ko.html"]
    assert b'<html lang="en"' in report_files["report.en.html"]


def test_a_korean_user_downloads_a_korean_report(planner_world, sign_in, report_files, tmp_path: Path) -> None:  # noqa: E501
    run_id = _store(planner_world, report_files)
    ko, en = planner_world.client("ko"), planner_world.client("en")
    sign_in(ko, "planner@example.org")
    sign_in(en, "planner@example.org")
    assert f'href="/api/runs/{run_id}/files/report.html"' in ko.get(f"/runs/{run_id}").text
    page = ko.get(f"/api/runs/{run_id}/files/report.html")
    assert page.status_code == 200
    assert page.content == report_files["report.ko.html"]
    assert english_words(visible_text(page.text) + " " + figure_text(page.text)) == []
    book = tmp_path / "report.xlsx"
    book.write_bytes(ko.get(f"/api/runs/{run_id}/files/report.xlsx").content)
    assert openpyxl.load_workbook(book, read_only=True).sheetnames[0] == "요약"
    found = {name: english_words(without_names(cells)) for name, cells in workbook_text(book).items()}
    assert {k: v for k, v in found.items() if v} == {}
    # The same link gives an English reader the English report, and each stays reachable by name.
    assert en.get(f"/api/runs/{run_id}/files/report.html").content == report_files["report.en.html"]
    english_book = openpyxl.load_workbook(io.BytesIO(en.get(f"/api/runs/{run_id}/files/report.xlsx").content))
    assert english_book.sheetnames[0] != "요약"
    assert ko.get(f"/api/runs/{run_id}/files/report.en.html").content == report_files["report.en.html"]


def test_a_run_from_before_keeps_its_one_report(planner_world, sign_in) -> None:
    run_id = _store(planner_world, {"report.html": b"<html lang='en'>old</html>"})
    c = planner_world.client("ko")
    sign_in(c, "planner@example.org")
    assert c.get(f"/api/runs/{run_id}/files/report.html").content == b"<html lang='en'>old</html>"
    assert c.get(f"/api/runs/{run_id}/files/report.xlsx").status_code == 404
