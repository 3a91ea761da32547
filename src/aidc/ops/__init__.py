"""Operate: phase 1's records in, compared with the plan, forecast, and the phase-2 trigger out.

Entry points: :func:`import_records` (sacct, DCGM telemetry, meter, bills, account map ->
:class:`Records`), :func:`compare` (survey and twin against the records), :func:`forecast`
(monthly demand per class with prediction intervals) and :func:`trigger` (when phase 2 must
be decided, and how large). See ``docs/operating.md``.
"""

from __future__ import annotations

from aidc.ops.growth import Forecast, GrowthFit, forecast
from aidc.ops.phase2 import Trigger, lead_time_months, trigger
from aidc.ops.reality import Comparison, compare
from aidc.ops.sacct import read_sacct, write_sacct
from aidc.ops.store import Records, import_records, load, monthly, save, summary

__all__ = [
    "Comparison",
    "Forecast",
    "GrowthFit",
    "Records",
    "Trigger",
    "compare",
    "forecast",
    "import_records",
    "lead_time_months",
    "load",
    "monthly",
    "read_sacct",
    "save",
    "summary",
    "trigger",
    "write_sacct",
]
