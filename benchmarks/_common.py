"""What every benchmark module shares: the result row and a timer."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Row:
    """One benchmark figure: what was measured, its value and unit, the target, a baseline."""

    name: str
    value: float
    unit: str
    target: str = ""
    baseline: float | None = None  # same unit as value: the ratio is baseline / value for times
    note: str = ""
    # Optional, for the "met" column: the target as a number in ``unit``, and its direction
    # (a time or an overhead is met below it, a throughput above it).
    target_value: float | None = None
    higher_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        """Gain over the baseline (>1 means better than the baseline)."""
        if self.baseline is None or self.value == 0 or self.baseline == 0:
            return None
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value

    @property
    def met(self) -> bool | None:
        """Whether the figure meets ``target_value`` (None if no numeric target)."""
        if self.target_value is None:
            return None
        if self.higher_is_better:
            return self.value >= self.target_value
        return self.value <= self.target_value


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Return the best wall time of ``repeat`` calls [s]."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@contextmanager
def peak_memory_mb() -> Iterator[list[float]]:
    """Measure the peak Python heap inside the block [MB] (tracemalloc; numpy buffers included)."""
    out: list[float] = []
    tracemalloc.start()
    try:
        yield out
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.append(peak / 1e6)
