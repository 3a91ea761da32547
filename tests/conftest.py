"""Settings shared by the whole suite."""

from __future__ import annotations

import os

# The CLI's rich consoles are created when aidc.cli is imported and read the terminal width
# then; pytest workers have no terminal, so without this tables wrap at 80 columns and
# labels the CLI tests look for are split over lines. Set before any test imports aidc.cli.
os.environ["COLUMNS"] = "160"
