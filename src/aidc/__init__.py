"""aidc — plan, size, simulate and cost an AI data center.

The pipeline, one stage feeding the next::

    survey -> demand -> design -> service -> plan -> simulation -> energy -> economics -> power -> report

Public API: :func:`load_scenario` and the stage entry points in their packages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aidc.errors import InputError, Problem

#: The shipped scenario a command or page uses when none is named. Kept here, beside the package's
#: other light names, so that a command's help can show it without importing the scenario schema
#: (pydantic); ``aidc.scenario`` re-exports this one name.
DEFAULT_SCENARIO = "jeonbuk-aidc"

if TYPE_CHECKING:
    from aidc.pipeline import Result, run
    from aidc.scenario import Scenario, dump_scenario, list_scenarios, load_scenario

# The rest of the public API is imported on first use (PEP 562): ``import aidc`` (and with it
# every ``aidc`` command's start-up) must not pay for pydantic models or the pipeline.
_LAZY = {"Result": "aidc.pipeline", "run": "aidc.pipeline"} | dict.fromkeys(
    ("Scenario", "dump_scenario", "list_scenarios", "load_scenario"), "aidc.scenario")


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("aidc")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0+unknown"
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'aidc' has no attribute {name!r}")


__all__ = [
    "DEFAULT_SCENARIO",
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
