"""What a sweep computes for one run: stages, each turned into a flat dict of scalar outputs.

A :class:`Stage` is two pure functions: ``compute(scenario, upstream) -> result`` (calling
the library's stage entry point with the results of the stages it needs) and
``extract(result) -> {name: scalar}`` (output names carry their unit: ``npv_krw``,
``mean_wait_s``). :data:`STAGES` holds the library's stages after ``docs/contracts.md``;
any mapping of name -> :class:`Stage` (or plain ``fn(scenario) -> dict`` function) can be
swept the same way, which is how the machinery is tested with small pure functions.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from aidc.errors import InputError
from aidc.scenario import Scenario

__all__ = ["STAGES", "Stage", "available", "evaluate", "resolve", "scalar_outputs"]

Scalar = float | int | bool | str


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a sweep run.

    ``compute(scenario, upstream)`` gets the results of earlier stages by name; ``needs``
    must have run before it, ``uses`` are passed when they ran. ``entry`` names the
    library function it calls (``"design.size"``), to tell whether it exists yet.
    """

    compute: Callable[[Scenario, Mapping[str, Any]], Any]
    extract: Callable[[Any], dict[str, Any]]
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    entry: str | None = None


def _entry(target: str) -> Callable[..., Any] | None:
    module, func = target.rsplit(".", 1)
    try:
        return getattr(importlib.import_module(f"aidc.{module}"), func, None)
    except ModuleNotFoundError as exc:
        if exc.name != f"aidc.{module}":
            raise
        return None


def _call(target: str, *args: Any, **kwargs: Any) -> Any:
    fn = _entry(target)
    if fn is None:
        raise RuntimeError(f"aidc.{target} is not available yet")
    return fn(*args, **kwargs)


def _pick(obj: Any, paths: Mapping[str, str]) -> dict[str, Any]:
    """Read ``name -> dotted attribute path`` from a result object; absent fields are skipped."""
    out: dict[str, Any] = {}
    for name, path in paths.items():
        value: Any = obj
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            out[name] = value
    return out


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


# --- the library's stages (docs/contracts.md) -------------------------------------------

def _scenario_outputs(s: Scenario) -> dict[str, Any]:
    return {"site_area_m2": s.site.site_area_m2, "it_capacity_kw": s.power.it_capacity_kw,
            "n_server_types": len(set(s.fleet.servers or {}) | set(s.fleet.mix or {}))}


_DESIGN_FIELDS = {
    "n_gpus": "fleet.n_gpus", "fleet_it_power_kw": "fleet.it_power_kw",
    "it_design_kw": "power.it_design_kw", "facility_peak_kw": "power.facility_peak_kw",
    "grid_contract_kw": "power.grid_contract_kw", "n_ups_modules": "power.n_ups_modules",
    "n_transformers": "power.n_transformers", "n_generators": "power.n_generators",
    "design_pue": "cooling.design_pue", "heat_rejected_kw": "cooling.heat_rejected_kw",
    "n_chillers": "cooling.n_chillers", "n_racks": "layout.n_racks",
    "n_floors_used": "layout.floors_used", "gross_floor_area_m2": "layout.gross_floor_area_m2",
    "white_space_m2": "layout.white_space_m2", "binding_limit": "binding_limit",
}


def _design_outputs(design: Any) -> dict[str, Any]:
    out = _pick(design, _DESIGN_FIELDS)
    servers = getattr(getattr(design, "fleet", None), "servers", None)
    if isinstance(servers, Mapping):
        out["n_servers"] = sum(int(n) for n in servers.values())
    checks = getattr(design, "checks", None)
    if checks is not None:
        out["n_checks_failed"] = sum(not c.ok for c in checks)
    return out


def _energy_outputs(energy: Any) -> dict[str, Any]:
    return dict(getattr(energy, "annual", {}) or {})


def _economics_outputs(economics: Any) -> dict[str, Any]:
    return dict(getattr(economics, "summary", {}) or {})


def _simulate_outputs(simulation: Any) -> dict[str, Any]:
    return dict(getattr(simulation, "summary", {}) or {})


def _demand(s: Scenario, up: Mapping[str, Any]) -> Any:
    path = s.demand.survey if s.demand.survey is not None else _call("survey.example_path")
    return _call("demand.estimate", _call("survey.read", path), s)


def _all_outputs(result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr, extract in (("design", _design_outputs), ("simulation", _simulate_outputs),
                          ("energy", _energy_outputs), ("economics", _economics_outputs)):
        part = getattr(result, attr, None)
        if part is not None:
            out.update({k: v for k, v in extract(part).items() if k not in out})
    out["n_stages_missing"] = len(getattr(result, "missing", {}) or {})
    return out


def _identity(result: Any) -> dict[str, Any]:
    return dict(result)


STAGES: dict[str, Stage] = {
    "scenario": Stage(lambda s, up: _scenario_outputs(s), _identity),
    "demand": Stage(_demand, lambda d: {}, entry="demand.estimate"),
    "design": Stage(lambda s, up: _call("design.size", s, up.get("demand")), _design_outputs,
                    uses=("demand",), entry="design.size"),
    "simulate": Stage(lambda s, up: _call("simulate.run_scenario", s, up["design"], up["demand"]),
                      _simulate_outputs, needs=("design", "demand"), entry="simulate.run_scenario"),
    "energy": Stage(lambda s, up: _call("energy.evaluate", s, up["design"], _busy(up.get("simulate"))),
                    _energy_outputs, needs=("design",), uses=("simulate",), entry="energy.evaluate"),
    "economics": Stage(
        lambda s, up: _call("economics.evaluate", s, up["design"], energy=up.get("energy"),
                            simulation=up.get("simulate"), demand=up.get("demand")),
        _economics_outputs, needs=("design",), uses=("demand", "energy", "simulate"),
        entry="economics.evaluate"),
    "all": Stage(lambda s, up: _call("pipeline.run", s), _all_outputs, entry="pipeline.run"),
}
"""The library's stages by name, in run order."""


def _busy(simulation: Any) -> Any:
    hourly = getattr(simulation, "hourly", None)
    return None if hourly is None or "busy_gpus" not in hourly else hourly["busy_gpus"]


def available(stages: Mapping[str, Stage] = STAGES) -> dict[str, bool]:
    """Return, for each stage, whether the library function it calls exists yet."""
    return {name: st.entry is None or _entry(st.entry) is not None for name, st in stages.items()}


def _as_stage(fn: Stage | Callable[[Scenario], Mapping[str, Any]]) -> Stage:
    if isinstance(fn, Stage):
        return fn
    return Stage(lambda s, up: fn(s), _identity)


def resolve(
    names: list[str] | tuple[str, ...], stages: Mapping[str, Any] | None = None
) -> dict[str, Stage]:
    """Return the stages to run for ``names``, with the stages they need, in run order.

    Plain functions ``fn(scenario) -> dict`` are accepted as stages. Unknown names and
    stages whose library function does not exist yet are an :class:`InputError`.

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
    chosen = {n: st for n, st in table.items() if n in wanted}
    missing = [n for n, ok in available(chosen).items() if not ok]
    if missing:
        raise InputError.single(
            f"stage(s) not available yet in this aidc: {', '.join(missing)}", field="stages",
            expected=f"one of {', '.join(n for n, ok in available(table).items() if ok)}",
        )
    return chosen


def evaluate(scenario_dict: Mapping[str, Any], stages: Mapping[str, Stage]) -> dict[str, Scalar]:
    """Run one scenario dict through ``stages`` and return their scalar outputs (pure).

    Output names must be unique across stages; a later stage's name that is already taken
    is prefixed with its stage name (``energy_pue``). The ``scenario`` dict is validated
    here, so a worker never trusts what it was sent.
    """
    scenario = Scenario.model_validate(scenario_dict)
    upstream: dict[str, Any] = {}
    out: dict[str, Scalar] = {}
    for name, stage in stages.items():
        result = stage.compute(scenario, upstream)
        upstream[name] = result
        for key, value in scalar_outputs(stage.extract(result)).items():
            out[f"{name}_{key}" if key in out else key] = value
    return out

