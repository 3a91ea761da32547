"""The briefing of a run printed to PDF off the request, as ``aidc run --pdf`` prints it.

A run stores its one-page briefing as HTML in each language (``briefing.ko.html``). The run
page's button queues a job here; one supervisor thread prints it with the system Chromium
(:func:`aidc.report.pdf.print_pdf`, a child process with its own timeout), so neither the event
loop nor a request waits, and stores ``briefing.ko.pdf`` beside the run's other files. The page
shows the job's state and reloads until the PDF is there.
"""

from __future__ import annotations

import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aidc.report.pdf import PdfUnavailable, find_chromium, print_pdf
from aidc.web.db import RunFile


def html_name(lang: str) -> str:
    """Return the stored briefing's file name in ``lang``."""
    return f"briefing.{lang}.html"


def pdf_name(lang: str) -> str:
    """Return the printed briefing's file name in ``lang``."""
    return f"briefing.{lang}.pdf"


class PdfJobs:
    """Print briefings one at a time in a background thread; remember each job's state."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aidc-pdf")
        self._lock = threading.Lock()
        #: (run id, language) -> "queued" | "running" | "failed"; absent when done or never asked.
        self.states: dict[tuple[int, str], str] = {}
        self.errors: dict[tuple[int, str], str] = {}

    @staticmethod
    def available() -> bool:
        """Return True if a Chromium to print with is installed."""
        return find_chromium() is not None

    def state(self, run_id: int, lang: str) -> str | None:
        """Return the state of the job of ``run_id`` in ``lang`` (None: none pending or failed)."""
        with self._lock:
            return self.states.get((run_id, lang))

    def submit(self, run_id: int, lang: str) -> None:
        """Queue the printing of run ``run_id``'s briefing in ``lang`` (once; a repeat is ignored)."""
        key = (run_id, lang)
        with self._lock:
            if self.states.get(key) in ("queued", "running"):
                return
            self.states[key] = "queued"
            self.errors.pop(key, None)
        self._pool.submit(self._print, run_id, lang)

    def shutdown(self) -> None:
        """Stop taking jobs (a job printing now finishes)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _print(self, run_id: int, lang: str) -> None:
        key = (run_id, lang)
        with self._lock:
            self.states[key] = "running"
        try:
            with self.sessions() as s:
                html = s.scalars(select(RunFile.content).where(
                    RunFile.run_id == run_id, RunFile.name == html_name(lang))).first()
            if html is None:
                raise PdfUnavailable("this run has no briefing")
            with tempfile.TemporaryDirectory(prefix="aidc-web-pdf-") as tmp:
                page = Path(tmp) / "briefing.html"
                page.write_bytes(html)
                pdf = print_pdf(page, Path(tmp) / "briefing.pdf").read_bytes()
            with self.sessions.begin() as s:
                s.add(RunFile(run_id=run_id, name=pdf_name(lang), media_type="application/pdf", content=pdf))
            with self._lock:
                self.states.pop(key, None)
        except Exception as exc:  # noqa: BLE001 - a failed print is shown on the page, never raised
            with self._lock:
                self.states[key] = "failed"
                self.errors[key] = str(exc)[-500:] or type(exc).__name__
