"""The one scenario schema, and loading / dumping it as YAML.

A scenario is everything aidc needs to know about one plan. Each section is its own
module (``site``, ``power``, ``fleet``, ``facility``, and one per later stage); this module
joins them into :class:`Scenario` and handles files. Unknown keys are errors, values are
frozen after loading, and a bad file raises :class:`aidc.errors.InputError` naming the
file, line and field.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import Field, ValidationError, model_validator

from aidc import DEFAULT_SCENARIO, data
from aidc.errors import InputError, Note, Problem
from aidc.scenario._base import Section, error_message, error_text, quantity
from aidc.scenario.demand import DemandSection
from aidc.scenario.economics import EconomicsSection
from aidc.scenario.energy import EnergySection
from aidc.scenario.facility import Facility, Hall, Redundancy
from aidc.scenario.fleet import CoolingKind, Fleet, ServerKind, ServerType, shipped_servers
from aidc.scenario.plan import PlanSection
from aidc.scenario.power import Power
from aidc.scenario.simulation import SimulationSection
from aidc.scenario.site import Site

__all__ = [
    "CoolingKind",
    "Facility",
    "Fleet",
    "Hall",
    "Power",
    "Redundancy",
    "Scenario",
    "ServerKind",
    "ServerType",
    "Site",
    "dump_scenario",
    "error_message",
    "error_text",
    "list_scenarios",
    "load_scenario",
    "scenario_hash",
]



class Scenario(Section):
    """One plan: the site, its power, its fleet, how it is built, and what later stages assume."""

    name: str = Field(description="Short identifier, e.g. 'jeonbuk-phase1'.")
    title: str = Field("", description="One-line title for reports.")
    description: str = Field("", description="What this scenario represents.")
    seed: int = Field(0, ge=0, description="Seed of every random draw in the run.")
    start_year: int = quantity(
        "scenario.start_year", unit="year", ge=2000, le=2100,
        description="First calendar year of operation.",
    )
    site: Site = Field(description="The plot and its zoning limits.")
    power: Power = Field(default_factory=Power, description="IT capacity and grid contract.")
    fleet: Fleet = Field(description="Server types and counts or mix.")
    facility: Facility = Field(default_factory=Facility, description="Halls, redundancy, racks, network.")
    demand: DemandSection = Field(default_factory=DemandSection, description="Demand survey settings.")
    simulation: SimulationSection = Field(default_factory=SimulationSection, description="Operations twin.")
    energy: EnergySection = Field(default_factory=EnergySection, description="Weather, tariff, carbon.")
    plan: PlanSection = Field(default_factory=PlanSection, description="Expansion plan settings.")
    economics: EconomicsSection = Field(default_factory=EconomicsSection, description="Costs and finance.")
    sweep: dict[str, list[Any]] | None = Field(
        None, description="Sweep axes: dotted field path -> list of values (cartesian product)."
    )
    n_seeds: int = Field(
        1, ge=1, le=100_000,
        description="Runs of each sweep variant, with seeds seed, seed+1, ... (Monte Carlo).",
    )

    @model_validator(mode="after")
    def _known_server_types(self) -> Self:
        known = set(self.servers())
        used = dict(self.fleet.servers or {}) | dict(self.fleet.mix or {})
        unknown = sorted(set(used) - known)
        if unknown:
            raise ValueError(Note("unknown server type(s) {unknown}; known: {known}",
                                  unknown=", ".join(unknown), known=", ".join(sorted(known))))
        for hall in self.facility.halls:
            bad = sorted(set(hall.server_types or ()) - known)
            if bad:
                raise ValueError(Note("hall '{hall}' names unknown server type(s) {unknown}", hall=hall.name,
                                      unknown=", ".join(bad)))
        return self

    def servers(self) -> dict[str, ServerType]:
        """Return the server catalog of this scenario: the shipped one plus ``fleet.custom_servers``."""
        return shipped_servers() | dict(self.fleet.custom_servers)


# ---------------------------------------------------------------------------------------
# Files


def _scenario_files() -> dict[str, Path]:
    folder = data.path("scenarios")
    return {p.stem.replace("_", "-"): p for p in sorted(folder.glob("*.yaml"))}


def list_scenarios() -> dict[str, str]:
    """Return the shipped scenarios: name -> title."""
    out: dict[str, str] = {}
    for name, p in _scenario_files().items():
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        out[name] = str(raw.get("title", ""))
    return out


def _key_lines(node: yaml.Node, prefix: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map every key path in a YAML node tree to its 1-based line number."""
    lines: dict[tuple[Any, ...], int] = {prefix: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            path = (*prefix, k.value)
            lines[path] = k.start_mark.line + 1
            lines.update({p: n for p, n in _key_lines(v, path).items() if p != path})
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            lines.update(_key_lines(v, (*prefix, i)))
    return lines


def _line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    # Walk back to the nearest ancestor that exists in the file (a missing field has no line).
    for n in range(len(loc), -1, -1):
        key = tuple(str(p) if not isinstance(p, int) else p for p in loc[:n])
        if key in lines:
            return lines[key]
    return None


def _problems(err: ValidationError, file: str | None, lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    problems = []
    for e in err.errors(include_url=False):
        loc = tuple(p for p in e["loc"] if p not in ("function-after",))
        field = ".".join(str(p) for p in loc) or None
        msg, params = error_message(e)  # a catalog id, so each edge writes it in its reader's language
        found = e.get("input") if e["type"] not in ("missing", "extra_forbidden") else None
        if isinstance(found, dict):
            found = None
        problems.append(
            Problem(msg, file=file, line=_line_of(lines, loc), field=field, found=found, params=params)
        )
    return problems


def _refuse_aliases_and_size(text: str, file: str | None) -> None:
    """Refuse a text over the size limit or with a YAML alias (``*name``).

    Nested aliases expand exponentially (a 393-byte file became 2.6 GiB); a scenario never
    needs them, so they are refused while scanning, before anything is built.
    """
    limit = data.load_yaml("input_limits.yaml")["scenario_yaml_max_bytes"]["value"]
    if len(text) > limit:
        raise InputError.single(
            "the scenario is too large",
            file=file,
            found=f"{len(text)} characters",
            expected=f"at most {limit}",
        )
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise InputError.single(
                "YAML aliases (*name) are not accepted in a scenario; write the values out",
                file=file,
                line=event.start_mark.line + 1 if event.start_mark else None,
                found=f"*{event.anchor}",
            )


def parse_scenario(text: str, file: str | None = None) -> Scenario:
    """Parse and validate a scenario from YAML text; ``file`` names it in errors.

    Raises
    ------
    InputError
        For invalid YAML, a YAML alias, a text over the size limit, or any invalid field.
    """
    try:
        _refuse_aliases_and_size(text, file)
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError.single(
            "not valid YAML: check the indentation, colons and brackets",
            file=file,
            line=mark.line + 1 if mark else None,
            found=str(getattr(exc, "problem", exc)),  # PyYAML's own words, as found
        ) from None
    if not isinstance(raw, dict):
        raise InputError.single("a scenario must be a YAML mapping", file=file, expected="key: value pairs")
    lines = _key_lines(node) if node is not None else {}
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_problems(exc, file, lines)) from None


def load_scenario(name_or_path: str | Path = DEFAULT_SCENARIO) -> Scenario:
    """Load a shipped scenario by name (``jeonbuk-phase1``) or a scenario YAML file by path.

    Examples
    --------
    >>> load_scenario().power.it_capacity_kw
    8000.0
    """
    shipped = _scenario_files()
    key = str(name_or_path).replace("_", "-")
    p = shipped[key] if key in shipped else Path(name_or_path)
    if not p.is_file():
        raise InputError.single(
            "no such scenario file or shipped scenario",
            file=str(name_or_path),
            expected=f"a YAML file or one of: {', '.join(shipped)}",
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError.single("scenario file is not UTF-8 text", file=str(p)) from None
    return resolve_paths(parse_scenario(text, file=str(p)), p.parent)


#: Fields that name a file (section, field). A relative path is read from the scenario file's
#: folder, so a scenario moved together with its survey keeps working from any current folder.
PATH_FIELDS: tuple[tuple[str, str], ...] = (("demand", "survey"), ("energy", "weather"))


def resolve_paths(scenario: Scenario, folder: str | Path) -> Scenario:
    """Return ``scenario`` with each relative file path of :data:`PATH_FIELDS` made absolute under ``folder``.

    Examples
    --------
    >>> s = load_scenario().model_copy(deep=True)
    >>> s = s.model_copy(update={"demand": s.demand.model_copy(update={"survey": "survey.xlsx"})})
    >>> resolve_paths(s, "/plans/jeonbuk").demand.survey
    '/plans/jeonbuk/survey.xlsx'
    """
    updates: dict[str, Section] = {}
    for section_name, field in PATH_FIELDS:
        section = getattr(scenario, section_name)
        value = getattr(section, field)
        if value is not None and not Path(value).expanduser().is_absolute():
            updates[section_name] = section.model_copy(update={field: str(Path(folder) / value)})
    return scenario.model_copy(update=updates) if updates else scenario


def dump_scenario(scenario: Scenario) -> str:
    """Return the scenario as YAML text that :func:`parse_scenario` reads back to an equal scenario."""
    return yaml.safe_dump(
        scenario.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
    )


def scenario_hash(scenario: Scenario) -> str:
    """Return a content hash of the scenario (SHA-256 of its canonical JSON), for reproducibility."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
