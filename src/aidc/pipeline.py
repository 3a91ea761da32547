"""One run from survey to economics: :func:`run` calls the stages in order.

Each stage is called only if its entry function exists (the stages land one by one); a stage
that is not there yet, or whose input stage is missing, is recorded in ``Result.missing``
with the reason, never replaced by a made-up value. A stage that raises
:class:`aidc.errors.InputError` stops the run with that error.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aidc
from aidc.scenario import Scenario, scenario_hash

#: The stages in run order: result attribute, ``module.entry_function``, the earlier results it
#: needs, and how it is called (entry function, scenario, results so far).
STAGES: tuple[tuple[str, str, tuple[str, ...], Callable[..., Any]], ...] = (
    ("survey", "survey.read", (), lambda f, s, r: f(_survey_path(s))),
    ("demand", "demand.estimate", ("survey",), lambda f, s, r: f(r["survey"], s)),
    ("design", "design.size", (), lambda f, s, r: f(s, r.get("demand"))),
    ("plan", "plan.optimize", ("design", "demand"), lambda f, s, r: f(s, r["design"], r["demand"])),
    ("simulation", "simulate.run_scenario", ("design", "demand"),
     lambda f, s, r: f(s, r["design"], r["demand"])),
    ("energy", "energy.evaluate", ("design",),
     lambda f, s, r: f(s, r["design"], busy_gpus_hourly=_busy_gpus(r), **_weather(s))),
    ("economics", "economics.evaluate", ("design",),
     lambda f, s, r: f(s, r["design"], plan=r.get("plan"), energy=r.get("energy"),
                       simulation=r.get("simulation"), demand=r.get("demand"))),
)
STAGE_NAMES: tuple[str, ...] = tuple(s[0] for s in STAGES)


def _no_gpus(results: dict[str, Any]) -> str | None:
    n_gpus = getattr(getattr(results.get("design"), "fleet", None), "n_gpus", None)
    return "the design has no GPUs, so there are no GPU jobs to simulate" if n_gpus == 0 else None


#: Stages that do not apply to some designs: stage -> why not (None: it applies). The article's
#: plan of 800 W servers has no GPUs; its operations twin of GPU jobs has nothing to run on.
NOT_APPLICABLE: dict[str, Callable[[dict[str, Any]], str | None]] = {"simulation": _no_gpus}


@dataclass(frozen=True, slots=True)
class Result:
    """Everything one run produced: one attribute per stage (None if missing) plus provenance."""

    scenario: Scenario
    scenario_hash: str
    aidc_version: str
    seed: int
    survey: Any = None
    demand: Any = None
    design: Any = None
    plan: Any = None
    simulation: Any = None
    energy: Any = None
    economics: Any = None
    missing: dict[str, str] = field(default_factory=dict)  # stage -> why it did not run
    timings_s: dict[str, float] = field(default_factory=dict)  # stage -> wall time [s]

    def stage(self, name: str) -> Any:
        """Return the result of stage ``name`` (None if it is missing)."""
        return getattr(self, name)


def entry_point(target: str) -> Callable[..., Any] | None:
    """Return the stage entry function ``"design.size"`` -> ``aidc.design.size``, or None if absent."""
    module_name, func = target.split(".")
    try:
        module = importlib.import_module(f"aidc.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"aidc.{module_name}":
            raise
        return None
    return getattr(module, func, None)


def run(scenario: Scenario, on_stage: Callable[[str, str], None] | None = None) -> Result:
    """Run every available stage on ``scenario`` and return their results.

    Parameters
    ----------
    scenario : Scenario
        The plan to evaluate (:func:`aidc.load_scenario`).
    on_stage : callable, optional
        Called as ``on_stage(stage, event)`` with event ``"start"``, ``"done"`` or
        ``"missing"`` — for progress displays; the run itself never prints.

    Returns
    -------
    Result
        One attribute per stage; ``missing`` names each stage that did not run and why.

    Raises
    ------
    aidc.errors.InputError
        As raised by the first stage that finds bad input.
    """
    notify = on_stage or (lambda stage, event: None)
    results: dict[str, Any] = {}
    missing: dict[str, str] = {}
    timings_s: dict[str, float] = {}
    for name, target, needs, call in STAGES:
        fn, lacking = entry_point(target), [n for n in needs if n not in results]
        why_not = None if fn is None or lacking else NOT_APPLICABLE.get(name, lambda r: None)(results)
        if fn is None or lacking or why_not:
            missing[name] = (f"aidc.{target} is not yet available" if fn is None
                             else why_not or f"needs {', '.join(lacking)}, which did not run")
            notify(name, "missing")
            continue
        notify(name, "start")
        t0 = time.perf_counter()
        results[name] = call(fn, scenario, results)
        timings_s[name] = time.perf_counter() - t0
        notify(name, "done")
    return Result(scenario=scenario, scenario_hash=scenario_hash(scenario), aidc_version=aidc.__version__,
                  seed=scenario.seed, missing=missing, timings_s=timings_s, **results)


def _survey_path(scenario: Scenario) -> Path:
    if scenario.demand.survey is not None:
        return Path(scenario.demand.survey)
    example = entry_point("survey.example_path")
    return example() if example is not None else Path()


def _busy_gpus(results: dict[str, Any]) -> Any:
    # The energy twin follows the simulated hourly GPU occupancy when the simulation ran;
    # otherwise it uses its own utilisation assumption (None).
    simulation = results.get("simulation")
    hourly = getattr(simulation, "hourly", None)
    return None if hourly is None or "busy_gpus" not in hourly else hourly["busy_gpus"]


def _weather(scenario: Scenario) -> dict[str, Any]:
    # The energy stage takes weather as a frame and never reads files; a scenario that names a
    # weather file (EPW or CSV) has it read here, at the edge. None: the shipped Jeonju year.
    if scenario.energy.weather is None:
        return {}
    from aidc.io.weather import read_weather

    return {"weather": read_weather(scenario.energy.weather)}
