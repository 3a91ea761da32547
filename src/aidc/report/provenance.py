"""Where the inputs come from: what the scenario changes from the defaults, and every source.

``assumptions`` compares the scenario with the defaults: a field declared with ``quantity()``
is compared with its data record (``aidc/data/defaults/*.yaml``); any other field with the
shipped base scenario (``jeonbuk-phase1``). ``sources`` lists every default record and every
catalog entry the scenario refers to (the server types it uses, its switch models ...).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import BaseModel

from aidc import data
from aidc.scenario import DEFAULT_SCENARIO, Scenario, load_scenario

_BASE = "base scenario"
_DESCRIPTIVE = ("name", "title", "description")


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list) and value and any(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flatten(v, f"{path}[{i}]", out)
    else:
        out[path] = value


def _default_keys(model: type[BaseModel], prefix: str = "") -> dict[str, str]:
    """Map each dotted field path of ``model`` to the data record key that supplies its default."""
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "default_key" in extra:
            out[path] = str(extra["default_key"])
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.update(_default_keys(annotation, f"{path}."))
    return out


def assumptions(scenario: Scenario) -> pd.DataFrame:
    """Return every input of ``scenario`` that differs from its default.

    Columns ``field, value, default, default_from`` (``default_from`` is the record's source
    or ``base scenario``); values are shown as written in the scenario.
    """
    mine: dict[str, Any] = {}
    _flatten(scenario.model_dump(mode="json", exclude=set(_DESCRIPTIVE)), "", mine)
    base_scenario = load_scenario(DEFAULT_SCENARIO)
    base: dict[str, Any] = {}
    _flatten(base_scenario.model_dump(mode="json"), "", base)
    records = _default_keys(Scenario)
    rows = []
    for path, value in mine.items():
        if path in records:
            rec = data.record(records[path])
            default, origin = rec["value"], rec["source"]
        else:
            default, origin = base.get(path), _BASE
        if value != default:
            rows.append((path, _show(value), _show(default), origin))
    # what the base scenario has and this one dropped (a server type left out of the mix ...)
    rows += [(path, _show(None), _show(default), _BASE) for path, default in base.items()
             if path not in mine and path not in records and path.split(".")[0] not in _DESCRIPTIVE]
    return pd.DataFrame(rows, columns=["field", "value", "default", "default_from"])


def _show(value: Any) -> Any:
    # a mapping or list (a share by tenant class) stays one, so each reader writes its keys' labels
    if isinstance(value, dict | list):
        return value
    return "–" if value is None else str(value)


def _referenced_keys(scenario: Scenario, with_keys: bool = True) -> set[str]:
    # Catalog entries are referred to by key: in the fleet, in halls, as switch models, as the
    # GPU model of a server type used. Collect every string (and dict key) the scenario holds.
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            found.update(str(k) for k in value if with_keys)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            found.add(value)

    walk(scenario.model_dump(mode="json"))
    servers = scenario.servers()
    found.update(servers[k].gpu_model or "" for k in list(found) if k in servers)
    return found


#: Folders of shipped data sets (besides defaults and catalogs) whose records feed the stages.
DATA_FOLDERS = ("costs", "tariffs", "carbon", "demand")


def _records(tree: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every ``{value, source}`` record inside a loaded YAML tree, keyed by its dotted path."""
    if isinstance(tree, dict) and "source" in tree and "value" in tree:
        return [(path, tree)]
    if isinstance(tree, dict):
        return [r for k, v in tree.items() for r in _records(v, f"{path}.{k}" if path else str(k))]
    return []


def _entries(tree: Any) -> set[str]:
    """Return the entry names of a data file: the keys of its top-level sections (``tariffs.<name>``)."""
    if not isinstance(tree, dict):
        return set()
    return {str(k) for v in tree.values() if isinstance(v, dict) for k in v}


def _data_set_rows(used: set[str]) -> list[tuple[str, str, str, str, str]]:
    # A folder holding alternatives (several tariffs) counts only the file holding the one named;
    # a folder of one file (the cost table, the grid emission factor) is always used.
    rows = []
    for folder in DATA_FOLDERS:
        files = sorted(data.path(folder).glob("*.yaml")) if data.path(folder).is_dir() else []
        for file in files:
            tree = data.load_yaml(f"{folder}/{file.name}")
            if len(files) > 1 and file.stem not in used and not used & _entries(tree):
                continue
            for key, rec in _records(tree, ""):
                rows.append((f"{folder}/{file.stem}:{key}", _show(rec.get("value")), str(rec.get("unit", "")),
                             str(rec.get("type", "")), str(rec["source"])))
    return rows


def sources(scenario: Scenario) -> pd.DataFrame:
    """Return the source of every default record, catalog entry and data set the scenario uses.

    Columns ``key, value, unit, type, source``; catalog figures are keyed ``file:entry.field``,
    data-set figures ``folder/file:path``.
    """
    rows = [
        (key, _show(rec["value"]), rec["unit"], rec.get("type", ""), rec["source"])
        for key, rec in sorted(data.all_records().items())
    ]
    used = _referenced_keys(scenario)
    for file in sorted(data.path("catalog").glob("*.yaml")):
        catalog = data.load_yaml(f"catalog/{file.name}") or {}
        for entry, figures in catalog.items():
            if entry not in used or not isinstance(figures, dict):
                continue
            for name, rec in figures.items():
                if isinstance(rec, dict) and "source" in rec:
                    rows.append((f"{file.stem}:{entry}.{name}", _show(rec.get("value")), rec.get("unit", ""),
                                 rec.get("type", ""), rec["source"]))
    # data-set entries are named by value (energy.tariff: kepco_...), never by a field's name
    rows += _data_set_rows(_referenced_keys(scenario, with_keys=False) | _default_values(scenario))
    return pd.DataFrame(rows, columns=["key", "value", "unit", "type", "source"])


def _default_values(scenario: Scenario) -> set[str]:
    # A data-set file may be named by a default (energy.tariff = kepco_industrial_b_2026), which
    # the scenario dump holds too; string defaults are added for scenarios built in code.
    return {str(rec["value"]) for rec in data.all_records().values() if isinstance(rec["value"], str)}
