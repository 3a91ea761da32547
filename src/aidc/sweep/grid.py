"""Expand a scenario's ``sweep:`` section into runs (variants × seeds), OpenDC-style.

Each entry of ``sweep:`` is one axis: a dotted field path (``power.it_capacity_kw``,
``facility.halls.0.cooling``, ``fleet.mix``) and the list of values it takes. The variants
are the cartesian product of the axes, in the order the axes are written (the last axis
varies fastest); each variant runs ``n_seeds`` times with seeds ``seed, seed+1, ...``.

A variant is the base scenario's dict with the axis values set, validated again as a
:class:`~aidc.scenario.Scenario`: a bad axis value is an :class:`~aidc.errors.InputError`
naming the axis and the value before anything runs.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from aidc.errors import InputError, Problem
from aidc.scenario import Scenario, error_text

__all__ = ["Run", "axes_of", "base_dict", "expand", "run_key", "set_path", "variant_dict", "variant_id"]


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a sweep: variant number, its axis values, and the seed."""

    variant: int
    """Position of the variant in the cartesian product (0-based)."""
    variant_id: str
    """Stable short hash of the axis values (the same values give the same id in any sweep)."""
    values: tuple[tuple[str, Any], ...]
    """Axis path -> value, in axis order."""
    seed: int
    key: str
    """Hash of the complete run scenario: finished runs are found again by it on ``--resume``."""


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def variant_id(values: Mapping[str, Any]) -> str:
    """Return a 12-hex-digit hash of a variant's axis values (order-independent).

    Examples
    --------
    >>> variant_id({"power.it_capacity_kw": 6000}) == variant_id({"power.it_capacity_kw": 6000})
    True
    >>> len(variant_id({}))
    12
    """
    return hashlib.sha256(_canonical(dict(values)).encode()).hexdigest()[:12]


def run_key(scenario_dict: Mapping[str, Any], stages: tuple[str, ...]) -> str:
    """Return the hash of a complete run: the scenario dict (seed included) and the stage names."""
    text = _canonical({"scenario": scenario_dict, "stages": list(stages)})
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class _KeyMaker:
    """:func:`run_key` for many variants of one base, re-serialising only what they change.

    ``json.dumps(..., sort_keys=True)`` of a dict is its sorted ``"key":value`` pairs joined
    by commas, so the text of every top-level section the axes do not touch is made once
    and reused: the keys are byte for byte those of :func:`run_key`.
    """

    def __init__(self, base: Mapping[str, Any], stages: tuple[str, ...]) -> None:
        self._parts = {k: f"{_canonical(k)}:{_canonical(v)}" for k, v in base.items()}
        self._stages = _canonical(list(stages))

    def __call__(self, tree: Mapping[str, Any], changed: set[str]) -> str:
        parts = self._parts
        body = ",".join(parts[k] if k in parts and k not in changed
                        else f"{_canonical(k)}:{_canonical(tree[k])}" for k in sorted(tree))
        text = f'{{"scenario":{{{body}}},"stages":{self._stages}}}'
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def set_path(tree: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``tree`` with the dotted ``path`` set to ``value``.

    Integer parts index lists (``facility.halls.0.cooling``); missing or null mappings on
    the way are created.

    Examples
    --------
    >>> set_path({"power": {"it_capacity_kw": 8000}}, "power.it_capacity_kw", 6000)
    {'power': {'it_capacity_kw': 6000}}
    >>> set_path({"halls": [{"cooling": "air"}]}, "halls.0.cooling", "rear_door")
    {'halls': [{'cooling': 'rear_door'}]}
    """
    # Copy only the containers on the path: the rest is shared with ``tree``, never mutated.
    out = dict(tree)
    node: Any = out
    parts = path.split(".")
    for i, part in enumerate(parts):
        where = ".".join(parts[:i])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(f"'{where}' is a list of {len(node)}; '{part}' is no index in it")
            key: Any = int(part)
        else:
            key = part
        if i == len(parts) - 1:
            node[key] = copy.deepcopy(value)
            break
        child = node[key] if isinstance(node, list) else node.get(key)
        if child is None:
            child = {}
        elif isinstance(child, list | dict):
            child = type(child)(child)
        else:
            raise KeyError(f"'{'.'.join(parts[: i + 1])}' is a value, not a section: it has no "
                           f"'{parts[i + 1]}'")
        node[key] = child
        node = child
    return out


def base_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the scenario as a plain dict (defaults filled in) without its sweep settings."""
    tree = scenario.model_dump(mode="json", exclude_none=True)
    tree.pop("sweep", None)
    tree.pop("n_seeds", None)
    return tree


def axes_of(scenario: Scenario) -> dict[str, list[Any]]:
    """Return the sweep axes of a scenario (path -> values), checking each axis is usable."""
    axes = dict(scenario.sweep or {})
    problems = []
    for path, values in axes.items():
        if path in ("seed", "sweep", "n_seeds"):
            problems.append(Problem(
                f"'{path}' cannot be a sweep axis", field=f"sweep.{path}",
                expected="n_seeds for repetitions with seeds seed, seed+1, ...",
            ))
        elif not values:
            problems.append(Problem("a sweep axis needs at least one value", field=f"sweep.{path}"))
    if problems:
        raise InputError(problems)
    return axes


PROBLEMS_SHOWN_MAX = 20


def _variant_problems(tree: dict[str, Any], values: Mapping[str, Any]) -> list[Problem]:
    """Validate one variant; each problem names the axis and value that caused it."""
    try:
        Scenario.model_validate(tree)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in e["loc"] if p != "function-after")
            msg = error_text(e)  # the scenario's own wording of pydantic's errors
            axis = next((p for p in values if loc == p or loc.startswith(p + ".")
                         or p.startswith(loc + ".") or not loc), None)
            if axis is not None and loc and loc != axis:
                msg = f"{loc}: {msg}"
            if axis is None or not loc:
                what = ", ".join(f"{p}={v!r}" for p, v in values.items())
                problems.append(Problem(f"sweep variant {what}: {msg}", field=loc or None))
            else:
                problems.append(Problem(msg, field=f"sweep.{axis}", found=values[axis]))
        return problems
    return []


def expand(
    scenario: Scenario, stages: tuple[str, ...] = (), n_seeds: int | None = None
) -> tuple[dict[str, Any], list[Run]]:
    """Expand a scenario's sweep into runs.

    Parameters
    ----------
    scenario : Scenario
        The base scenario with its ``sweep`` axes and ``n_seeds``.
    stages : tuple of str
        The stage names the runs compute (part of each run's resume key).
    n_seeds : int, optional
        Override of ``scenario.n_seeds``.

    Returns
    -------
    base : dict
        The base scenario as a dict (no sweep settings).
    runs : list of Run
        Variants in cartesian-product order, each repeated over the seeds.

    Raises
    ------
    InputError
        An axis is not a field of the scenario or a value is invalid; every bad variant
        is named with its axis values.

    Examples
    --------
    >>> from aidc import load_scenario
    >>> s = load_scenario().model_copy(update={"sweep": {"site.max_floors": [3, 5]}, "n_seeds": 2})
    >>> _, runs = expand(s)
    >>> [(r.variant, dict(r.values)["site.max_floors"], r.seed) for r in runs]
    [(0, 3, 0), (0, 3, 1), (1, 5, 0), (1, 5, 1)]
    """
    axes = axes_of(scenario)
    seeds = range(scenario.seed, scenario.seed + (n_seeds or scenario.n_seeds))
    base = base_dict(scenario)
    key_of = _KeyMaker(base, stages)
    changed = {path.split(".", 1)[0] for path in axes} | {"seed"}
    runs: list[Run] = []
    problems: list[Problem] = []
    for number, combo in enumerate(itertools.product(*axes.values())):
        values = dict(zip(axes, combo, strict=True))
        try:
            tree = variant_dict(base, values, scenario.seed)
        except KeyError as exc:
            raise InputError.single(f"sweep axis is not a scenario field: {exc.args[0]}",
                                    field="sweep") from None
        found = _variant_problems(tree, values)
        if found:
            problems.extend(found)
            continue
        vid = variant_id(values)
        for seed in seeds:
            runs.append(Run(number, vid, tuple(values.items()), seed,
                            key_of({**tree, "seed": seed}, changed)))
    if problems:
        raise InputError(_dedupe(problems))
    return base, runs


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: dict[str, Problem] = {}
    for p in problems:
        seen.setdefault(str(p), p)
    unique = list(seen.values())
    if len(unique) > PROBLEMS_SHOWN_MAX:  # ten thousand bad variants need not fill the screen
        rest = len(unique) - PROBLEMS_SHOWN_MAX
        unique = [*unique[:PROBLEMS_SHOWN_MAX], Problem(f"... and {rest} more problems", field="sweep")]
    return unique


def variant_dict(base: Mapping[str, Any], values: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Return the scenario dict of one run: ``base`` with the axis ``values`` and ``seed`` set."""
    tree = dict(base)
    for path, value in values.items():
        tree = set_path(tree, path, value)
    tree["seed"] = seed
    return tree
