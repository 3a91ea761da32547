"""aidc's cache folder: what is worth keeping between runs, never needed for a right answer.

Three things live there, each re-made when its source changes and each written best effort (a
read-only home costs speed, not a run): compiled message catalogs (``i18n/``, from the ``.po``
files), parsed copies of the shipped data files (``data/``, see :func:`aidc.data.load_yaml`)
and the typed columns of job traces already read (``traces/``, :mod:`aidc.io.trace_cache`).
"""

from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    """Return the folder: ``$AIDC_CACHE_DIR``, else ``$XDG_CACHE_HOME/aidc``, else ``~/.cache/aidc``."""
    if os.environ.get("AIDC_CACHE_DIR"):
        return Path(os.environ["AIDC_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aidc"
