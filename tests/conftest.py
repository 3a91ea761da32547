"""Settings shared by the whole suite."""

from __future__ import annotations

import os

# The CLI's rich consoles are created when aidc.cli is imported and read the terminal width
# then; pytest workers have no terminal, so without this tables wrap at 80 columns and
# labels the CLI tests look for are split over lines. Set before any test imports aidc.cli.
os.environ["COLUMNS"] = "160"


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the share of estimate records whenever the data-sources test ran (issue 19)."""
    if not any("test_data_sources.py" in r.nodeid for rs in terminalreporter.stats.values()
               for r in rs if hasattr(r, "nodeid")):
        return
    from aidc import data

    types = [r.get("type") for _, _, r in data.shipped_records()]
    n_est = types.count("estimate")
    terminalreporter.write_line(
        f"aidc data records: {len(types)}, estimates {n_est} ({n_est / len(types):.1%}), "
        f"choices {types.count('choice')}, derived {types.count('derived')}, "
        f"primary {types.count('primary')}, secondary {types.count('secondary')}"
    )


# aidc's cache folder (compiled catalogs, trace columns): the suite's own, so that no test reads
# what an earlier run or the user left there, nor writes into the user's home
if "AIDC_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["AIDC_CACHE_DIR"] = tempfile.mkdtemp(prefix="aidc-test-cache-")
