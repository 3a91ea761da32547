"""The briefing as a PDF, printed by the system's Chromium (headless print-to-PDF).

Chromium embeds the fonts a page uses, so the Korean text stays Korean on any reader; no
HTML-to-PDF library is needed. Without a Chromium, :class:`PdfUnavailable` says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Executables tried in order; ``AIDC_CHROMIUM`` names another.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds Chromium may take to print one page on a loaded machine before it is given up.
PRINT_TIMEOUT_S = 120


class PdfUnavailable(RuntimeError):
    """No Chromium to print with (the message says how to get one)."""


def find_chromium() -> Path | None:
    """Return the Chromium executable to print with, or None."""
    named = os.environ.get("AIDC_CHROMIUM")
    if named:
        return Path(named) if Path(named).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4 as the page's CSS says) and return ``pdf_path``."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfUnavailable("no Chromium found")
    with tempfile.TemporaryDirectory(prefix="aidc-pdf-") as profile:
        # A throw-away profile: a user's open Chromium must not be reused or locked.
        args = [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                f"--user-data-dir={profile}", "--no-pdf-header-footer",
                f"--print-to-pdf={pdf_path.resolve()}", html_path.resolve().as_uri()]
        done = subprocess.run(args, capture_output=True, timeout=PRINT_TIMEOUT_S, check=False)
    if done.returncode != 0 or not pdf_path.is_file():
        raise PdfUnavailable(done.stderr.decode("utf-8", "replace").strip()[-500:] or "Chromium failed")
    return pdf_path
