"""Power- and tariff-aware operations: the job log metered in 15-minute intervals, billed, and controlled.

:func:`setup` gathers the facility and tariff, :func:`evaluate` applies the power controls
(demand cap, time-of-use or carbon shifting) to a simulated job log and meters the year;
:func:`oversubscribe` searches how many more GPU servers fit under the IT limit. See
``docs/power.md``.
"""

from __future__ import annotations

from aidc.power.stage import PowerResult, Setup, evaluate, setup
from aidc.scenario.power_controls import PowerControls

__all__ = ["PowerControls", "PowerResult", "Setup", "evaluate", "setup"]
