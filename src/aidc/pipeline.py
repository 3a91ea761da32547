"""One run from survey to economics: the stage table and :func:`run`, its only wiring.

:data:`STAGES` says, once, which result feeds which stage. ``aidc run`` runs them all; a
single-stage command, the web runner and each sweep variant ask :func:`run` for the stages they
show (``stages=("economics",)``) and get the closure of those in the same table, so a figure is
the same wherever it is computed. A stage whose hard input did not run, or that does not apply
(no GPUs to simulate), is recorded in ``Result.missing`` with the reason, never replaced by a
made-up value. A stage that raises :class:`aidc.errors.InputError` stops the run with that error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import aidc
from aidc.errors import Note
from aidc.scenario import Scenario, scenario_hash

if TYPE_CHECKING:
    import pandas as pd

    from aidc.demand import Demand
    from aidc.design import Design
    from aidc.economics import Economics
    from aidc.energy.stage import EnergyResult
    from aidc.plan.solution import Plan
    from aidc.service import FleetSizing
    from aidc.simulate.result import SimulationResult
    from aidc.summary import Summary
    from aidc.survey.validate import SurveyTable


@dataclass(frozen=True, slots=True)
class Result:
    """Everything one run produced: one attribute per stage (None if it did not run) plus provenance."""

    scenario: Scenario
    scenario_hash: str
    aidc_version: str
    seed: int
    survey: SurveyTable | None = None
    demand: Demand | None = None
    design: Design | None = None
    service: FleetSizing | None = None
    plan: Plan | None = None
    simulation: SimulationResult | None = None
    energy: EnergyResult | None = None
    economics: Economics | None = None
    power: dict[str, Any] | None = None  # the power-aware year (aidc.power.operations.year)
    missing: dict[str, str] = field(default_factory=dict)  # stage -> why it did not run
    timings_s: dict[str, float] = field(default_factory=dict)  # stage -> wall time [s]
    summary: Summary | None = None  # the headline figures, computed once at the end of the run

    def stage(self, name: str) -> Any:
        """Return the result of stage ``name`` (None if it is missing)."""
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class Stage:
    """One row of the stage table.

    ``compute(scenario, partial_result)`` calls the stage's entry function with the results it
    reads; ``needs`` must have run (else the stage is missing), ``uses`` are passed when they ran
    (else the stage's documented fallback applies). ``applies`` returns why the stage does not
    apply to this run, or None.
    """

    name: str
    compute: Callable[[Scenario, Result], Any]
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    applies: Callable[[Result], str | None] | None = None


def _survey(s: Scenario, r: Result) -> SurveyTable:
    from aidc import survey

    return survey.read(Path(s.demand.survey) if s.demand.survey is not None else survey.example_path())


def _demand(s: Scenario, r: Result) -> Demand:
    from aidc import demand

    assert r.survey is not None  # a need: run() checks it
    return demand.estimate(r.survey, s)


def _design(s: Scenario, r: Result) -> Design:
    from aidc import design

    return design.size(s, r.demand)


def _service(s: Scenario, r: Result) -> FleetSizing:
    from aidc.service import smallest_fleet

    assert r.design is not None  # needs: run() checks them
    assert r.demand is not None
    return smallest_fleet(s, r.design, r.demand)


def _plan(s: Scenario, r: Result) -> Plan:
    from aidc import plan

    service_gpus = None if r.service is None or r.service.n_gpus is None else float(r.service.n_gpus)
    return plan.optimize(s, r.design, r.demand, service_gpus=service_gpus)


def _simulation(s: Scenario, r: Result) -> SimulationResult:
    from aidc import simulate

    return simulate.run_scenario(s, r.design, r.demand)


def _energy(s: Scenario, r: Result) -> EnergyResult:
    from aidc import energy

    return energy.evaluate(s, r.design, busy_gpus_hourly=_busy_gpus(r), plan=r.plan, **_weather(s))


def _economics(s: Scenario, r: Result) -> Economics:
    from aidc import economics

    return economics.evaluate(s, r.design, plan=r.plan, energy=r.energy, simulation=r.simulation,
                              demand=r.demand)


def _power(s: Scenario, r: Result) -> dict[str, Any]:
    from aidc.power import operations

    assert r.simulation is not None  # a hard input: the table runs this stage only after it
    return operations.year(s, r.design, r.demand, r.simulation, s.simulation.power)


def _no_power_control(r: Result) -> str | None:
    # The 15-minute meter and the KEPCO bill of each control are a view an operator asks for.
    if not r.scenario.simulation.power.active:
        return "the scenario turns on no power control (simulation.power)"
    return None


def _no_gpus(r: Result) -> str | None:
    # The article's plan of 800 W servers has no GPUs; its operations twin of GPU jobs has nothing to run on.
    no = r.design is not None and r.design.fleet.n_gpus == 0
    return "the design has no GPUs, so there are no GPU jobs to simulate" if no else None


def _no_service_levels(r: Result) -> str | None:
    # Sizing to service levels simulates candidate fleets: it needs stated levels and GPUs to scale.
    if not r.scenario.simulation.service_levels:
        return "the scenario states no service levels (simulation.service_levels)"
    return _no_gpus(r)


#: The stage table, in run order: the only place that says which result feeds which stage.
STAGES: tuple[Stage, ...] = (
    Stage("survey", _survey),
    Stage("demand", _demand, needs=("survey",)),
    Stage("design", _design, uses=("demand",)),
    Stage("service", _service, needs=("design", "demand"), applies=_no_service_levels),
    Stage("plan", _plan, uses=("design", "demand", "service")),
    Stage("simulation", _simulation, needs=("design", "demand"), applies=_no_gpus),
    Stage("energy", _energy, uses=("design", "simulation", "plan")),
    Stage("economics", _economics, uses=("design", "plan", "energy", "simulation", "demand")),
    Stage("power", _power, needs=("design", "demand", "simulation"), applies=_no_power_control),
)
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)

Closure = Literal["all", "needs"]


def closure(
    names: Iterable[str], inputs: Closure = "all", table: tuple[Stage, ...] | None = None,
) -> tuple[str, ...]:
    """Return the stages to run for ``names``: those and every stage they read, in run order.

    ``inputs="all"`` follows ``needs`` and ``uses`` (the figures equal those of a whole run);
    ``"needs"`` follows only ``needs`` (a stage on its documented fallbacks).

    Examples
    --------
    >>> closure(["plan"])
    ('survey', 'demand', 'design', 'service', 'plan')
    >>> closure(["simulation"], "needs")
    ('survey', 'demand', 'design', 'simulation')
    """
    table = STAGES if table is None else table
    by_name = {s.name: s for s in table}
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        from aidc.errors import InputError

        raise InputError.single(f"unknown stage(s): {', '.join(unknown)}", field="stages",
                                expected=f"some of {', '.join(by_name)}")
    wanted = set(names)
    for stage in reversed(table):  # inputs point backwards: one pass from the end closes them
        if stage.name in wanted:
            wanted.update(stage.needs + (stage.uses if inputs == "all" else ()))
    return tuple(s.name for s in table if s.name in wanted)


def run(
    scenario: Scenario, stages: Iterable[str] | None = None, *, inputs: Closure = "all",
    on_stage: Callable[[str, str], None] | None = None, given: dict[str, Any] | None = None,
) -> Result:
    """Run the stages of ``scenario`` (all, or the closure of ``stages``) and return their results.

    Parameters
    ----------
    scenario : Scenario
        The plan to evaluate (:func:`aidc.load_scenario`).
    stages : iterable of str, optional
        The stages wanted; the stages they read are added (:func:`closure`). None: all.
    inputs : "all" or "needs"
        Which inputs to add: every input (the default, figures as in a whole run) or only the
        hard ones (``--alone``: the stages' documented fallbacks).
    on_stage : callable, optional
        Called as ``on_stage(stage, event)`` with event ``"start"``, ``"done"``,
        ``"missing"`` or ``"given"`` — for progress displays; the run itself never prints.
    given : dict, optional
        Results already at hand, by stage name (e.g. ``{"demand": forecast_demand}``): each is
        used in place of its stage, which does not run, and the stages only it reads are not
        added. The table still decides what feeds what.

    Returns
    -------
    Result
        One attribute per stage; ``missing`` names each selected stage that did not run and why;
        ``summary`` holds the headline figures and the run's consistency checks.

    Raises
    ------
    aidc.errors.InputError
        As raised by the first stage that finds bad input, or for an unknown stage name.
    """
    notify = on_stage or (lambda stage, event: None)
    given = given or {}
    # A given stage has no inputs to add: cut its edges, then close over the same table.
    table = tuple(replace(s, needs=(), uses=()) if s.name in given else s for s in STAGES)
    chosen = set(STAGE_NAMES if stages is None else closure(stages, inputs, table))
    result = Result(scenario=scenario, scenario_hash=scenario_hash(scenario), aidc_version=aidc.__version__,
                    seed=scenario.seed)
    done: dict[str, Any] = {}
    for stage in STAGES:
        if stage.name not in chosen:
            continue
        if stage.name in given:
            done[stage.name] = given[stage.name]
            result = _with(result, stage.name, given[stage.name])
            notify(stage.name, "given")
            continue
        lacking = [n for n in stage.needs if n not in done]
        # a stage the scenario does not ask for says so first; else the inputs it lacks
        why_not = (stage.applies(result) if stage.applies is not None else None) or (
            Note("needs {stages}, which did not run", stages=", ".join(lacking)) if lacking else None)
        if why_not:
            result.missing[stage.name] = why_not
            notify(stage.name, "missing")
            continue
        notify(stage.name, "start")
        t0 = time.perf_counter()
        done[stage.name] = stage.compute(scenario, result)
        result.timings_s[stage.name] = time.perf_counter() - t0
        result = _with(result, stage.name, done[stage.name])
        notify(stage.name, "done")
    from aidc.summary import summarize

    return _with(result, "summary", summarize(result))


def _with(result: Result, name: str, value: Any) -> Result:
    # Result is frozen; each stage sees a Result holding exactly the stages before it.
    fields = {f: getattr(result, f) for f in Result.__slots__}
    fields[name] = value
    return Result(**fields)


def _busy_gpus(r: Result) -> pd.Series | None:
    # The energy twin follows the simulated hourly GPU occupancy when the simulation ran;
    # otherwise it uses its own utilisation assumption (None).
    if r.simulation is None or "busy_gpus" not in r.simulation.hourly:
        return None
    return r.simulation.hourly["busy_gpus"]


def _weather(scenario: Scenario) -> dict[str, Any]:
    # The energy stage takes weather as a frame and never reads files; a scenario that names a
    # weather file (EPW or CSV) has it read here, at the edge. None: the shipped Jeonju year.
    if scenario.energy.weather is None:
        return {}
    from aidc.io.weather import read_weather

    return {"weather": read_weather(scenario.energy.weather)}
