"""What a sweep computes for one run: stages, each turned into a flat dict of scalar outputs.

A :class:`Stage` is two pure functions: ``compute(scenario, upstream) -> result`` and
``extract(result) -> {name: scalar}`` (output names carry their unit: ``npv_krw``,
``mean_wait_s``). :data:`STAGES` holds the library's stages: rows of the pipeline's one stage
table, computed by :func:`aidc.pipeline.run` with the stages they read, never wired here. Any
mapping of name -> :class:`Stage` (or plain ``fn(scenario) -> dict`` function) can be swept
the same way, which is how the machinery is tested with small pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from aidc.errors import InputError
from aidc.pipeline import STAGE_NAMES, Result, closure
from aidc.pipeline import run as pipeline_run
from aidc.scenario import Scenario

if TYPE_CHECKING:
    from aidc.design import Design
    from aidc.economics import Economics
    from aidc.energy.stage import EnergyResult
    from aidc.simulate.result import SimulationResult

__all__ = ["STAGES", "Stage", "available", "evaluate", "resolve", "scalar_outputs"]

Scalar = float | int | bool | str


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a sweep run.

    ``compute(scenario, upstream)`` gets the results of earlier stages by name; ``needs``
    must have run before it, ``uses`` are passed when they ran. ``pipeline`` names the row of
    :data:`aidc.pipeline.STAGES` that computes it (``"*"``: the whole pipeline); such stages
    are run by :func:`aidc.pipeline.run`, never wired here.
    """

    compute: Callable[[Scenario, Mapping[str, Any]], Any]
    extract: Callable[[Any], dict[str, Any]]
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    pipeline: str | None = None


def scalar_outputs(values: Mapping[str, Any]) -> dict[str, Scalar]:
    """Keep the scalar entries of a mapping as plain Python values (numpy scalars converted).

    Examples
    --------
    >>> scalar_outputs({"npv_krw": np.float64(1.5), "hourly": [1, 2], "ok": np.bool_(True)})
    {'npv_krw': 1.5, 'ok': True}
    """
    out: dict[str, Scalar] = {}
    for name, value in values.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, bool | int | float | str):
            out[str(name)] = value
    return out


# --- the library's stages: rows of the pipeline's one stage table ------------------------

def _scenario_outputs(s: Scenario) -> dict[str, Any]:
    return {"site_area_m2": s.site.site_area_m2, "it_capacity_kw": s.power.it_capacity_kw,
            "n_server_types": len(set(s.fleet.servers or {}) | set(s.fleet.mix or {}))}


def _design_outputs(design: Design | None) -> dict[str, Any]:
    if design is None:
        return {}
    p, c, lay = design.power, design.cooling, design.layout
    return {
        "fleet_it_power_kw": design.fleet.it_power_kw, "it_design_kw": p.it_design_kw,
        "n_ups_modules": p.n_ups_modules, "n_transformers": p.n_transformers,
        "n_generators": p.n_generators, "heat_rejected_kw": c.heat_rejected_kw, "n_chillers": c.n_chillers,
        "white_space_m2": lay.white_space_m2, "binding_limit": design.binding_limit,
    }


def _energy_outputs(energy: EnergyResult | None) -> dict[str, Any]:
    return {} if energy is None else dict(energy.annual)


def _economics_outputs(economics: Economics | None) -> dict[str, Any]:
    return {} if economics is None else dict(economics.summary)


def _simulate_outputs(simulation: SimulationResult | None) -> dict[str, Any]:
    return {} if simulation is None else dict(simulation.summary)


def _nothing(result: Any) -> dict[str, Any]:
    return {}


def _all_outputs(result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in (_design_outputs(result.design), _simulate_outputs(result.simulation),
                 _energy_outputs(result.energy), _economics_outputs(result.economics)):
        out.update({k: v for k, v in part.items() if k not in out})
    out["n_stages_missing"] = len(result.missing)
    return out


def _identity(result: Any) -> dict[str, Any]:
    return dict(result)


#: Sweep stage name -> pipeline stage name (the sweep says "simulate" where the pipeline says "simulation").
PIPELINE_NAMES = {name: name for name in STAGE_NAMES} | {"simulate": "simulation"}
_EXTRACT: dict[str, Callable[[Any], dict[str, Any]]] = {
    "design": _design_outputs, "simulate": _simulate_outputs, "energy": _energy_outputs,
    "economics": _economics_outputs,
}


def _from_pipeline(name: str) -> Stage:
    """Return the sweep stage of pipeline stage ``name``: the pipeline computes it with its closure."""
    target = PIPELINE_NAMES[name]
    sweep_name = {v: k for k, v in PIPELINE_NAMES.items() if k != v}
    needs = tuple(sweep_name.get(n, n) for n in closure([target]) if n != target)
    return Stage(lambda s, up: up[name], _EXTRACT.get(name, _nothing), needs=needs, pipeline=target)


STAGES: dict[str, Stage] = {
    "scenario": Stage(lambda s, up: _scenario_outputs(s), _identity),
    **{name: _from_pipeline(name) for name in ("survey", "demand", "design", "plan", "simulate", "energy",
                                               "economics")},
    "all": Stage(lambda s, up: pipeline_run(s), _all_outputs, pipeline="*"),
}
"""The library's stages by name, in run order: each is a row of :data:`aidc.pipeline.STAGES`,
run with the stages it reads, so a sweep variant equal to the base reproduces ``aidc run``."""


def available(stages: Mapping[str, Stage] = STAGES) -> dict[str, bool]:
    """Return, for each stage, whether it can run (every stage of the library can now)."""
    return dict.fromkeys(stages, True)


def _as_stage(fn: Stage | Callable[[Scenario], Mapping[str, Any]]) -> Stage:
    if isinstance(fn, Stage):
        return fn
    return Stage(lambda s, up: fn(s), _identity)


def resolve(
    names: list[str] | tuple[str, ...], stages: Mapping[str, Any] | None = None
) -> dict[str, Stage]:
    """Return the stages to run for ``names``, with the stages they need, in run order.

    Plain functions ``fn(scenario) -> dict`` are accepted as stages. Unknown names are an
    :class:`InputError`.

    Examples
    --------
    >>> table = {"a": Stage(lambda s, up: 2, lambda r: {"a_kw": r}),
    ...          "b": Stage(lambda s, up: up["a"] + 1, lambda r: {"b_kw": r}, needs=("a",))}
    >>> list(resolve(["b"], table))
    ['a', 'b']
    """
    table = {k: _as_stage(v) for k, v in (STAGES if stages is None else stages).items()}
    unknown = [n for n in names if n not in table]
    if unknown or not names:
        raise InputError.single(
            f"unknown stage(s): {', '.join(unknown)}" if unknown else "no stage to run",
            field="stages", found=",".join(names), expected=f"some of {', '.join(table)}",
        )
    wanted = set(names)
    for name in reversed(list(table)):  # needs point backwards: one pass from the end closes them
        if name in wanted:
            wanted.update(table[name].needs)
    return {n: st for n, st in table.items() if n in wanted}


#: Survey and demand results by what they read (:func:`_inputs_key`), oldest first: a worker
#: computes them once for all the variants of a sweep that share them (a memo of pure results).
_SHARED: dict[str, dict[str, Any]] = {}
_MAX_SHARED = 4


def _inputs_key(scenario: Scenario) -> str:
    """Return what the survey and demand stages read: demand section, start year, horizon (as JSON)."""
    import json

    return json.dumps([scenario.demand.model_dump(mode="json"), scenario.start_year, scenario.plan.horizon_y],
                      sort_keys=True, default=str)


def _shared_inputs(scenario: Scenario, names: list[str] | None) -> dict[str, Any]:
    """Return the survey and demand of ``scenario`` as given results (computed once per key).

    Variants of a sweep mostly vary the design, the plan or the prices; re-reading the survey
    workbook and re-translating it for each would cost more than the stages swept. The results
    are those :func:`aidc.pipeline.run` would compute: the same stage table computes them.
    """
    if "survey" not in closure(names if names is not None else STAGE_NAMES):
        return {}
    key = _inputs_key(scenario)
    if key not in _SHARED:
        done = pipeline_run(scenario, ["demand"])
        if done.demand is None:  # missing: let the variant's own run say why
            return {}
        while len(_SHARED) >= _MAX_SHARED:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = {"survey": done.survey, "demand": done.demand}
    return dict(_SHARED[key])


def evaluate(scenario_dict: Mapping[str, Any], stages: Mapping[str, Stage]) -> dict[str, Scalar]:
    """Run one scenario dict through ``stages`` and return their scalar outputs (pure).

    The library's stages are computed by one :func:`aidc.pipeline.run` of their closure, and the
    row starts with that run's :class:`~aidc.summary.Summary` (the figures ``aidc run`` shows);
    other stages are called in order with the results before them. Output names must be unique
    across stages; a later stage's name that is already taken is prefixed with its stage name
    (``energy_pue``). The ``scenario`` dict is validated here, so a worker never trusts what it
    was sent.
    """
    scenario = Scenario.model_validate(scenario_dict)
    upstream: dict[str, Any] = {}
    out: dict[str, Scalar] = {}
    wanted = {st.pipeline for st in stages.values() if st.pipeline}
    if wanted:
        names = None if "*" in wanted else sorted(wanted - {"*"})
        result = pipeline_run(scenario, names, given=_shared_inputs(scenario, names))
        assert result.summary is not None  # pipeline.run always summarises
        out.update(scalar_outputs(result.summary.scalars()))
        upstream = {name: result if st.pipeline == "*" else result.stage(st.pipeline)
                    for name, st in stages.items() if st.pipeline}
    for name, stage in stages.items():
        if not stage.pipeline:
            upstream[name] = stage.compute(scenario, upstream)
        for key, value in scalar_outputs(stage.extract(upstream[name])).items():
            if key not in out or out[key] != value:
                out[f"{name}_{key}" if key in out else key] = value
    return out
