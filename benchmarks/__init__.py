"""aidc benchmarks: ``python -m benchmarks`` runs them all and prints one table.

Each ``bench_*.py`` module here defines ``run() -> list[Row]``. Speed lives here, never in
timed test assertions.
"""
