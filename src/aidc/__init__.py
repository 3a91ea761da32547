"""aidc — plan, size, simulate and cost an AI data center.

The pipeline, one stage feeding the next::

    survey -> demand -> design -> plan -> simulate -> energy -> economics -> report

Public API: :func:`load_scenario` and the stage entry points in their packages.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from aidc.errors import InputError, Problem
from aidc.pipeline import Result, run
from aidc.scenario import Scenario, dump_scenario, list_scenarios, load_scenario

try:
    __version__ = version("aidc")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "InputError",
    "Problem",
    "Result",
    "Scenario",
    "__version__",
    "dump_scenario",
    "list_scenarios",
    "load_scenario",
    "run",
]
