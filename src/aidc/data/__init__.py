"""Shipped data: defaults, catalogs, scenarios, example survey, weather, tariffs.

Every number aidc uses by default lives in a YAML file in this folder as a *record*
``{value, unit, source}`` (PyPSA's attribute table is the model). Code reads them through
:func:`record` / :func:`value` / :func:`default`, never as bare literals.

Files are read once and cached: they are package data and never change at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from aidc.errors import InputError

_REQUIRED = ("value", "unit", "source")


def path(name: str) -> Path:
    """Return the filesystem path of a shipped data file, e.g. ``path("catalog/servers.yaml")``."""
    return Path(str(resources.files("aidc.data").joinpath(name)))


@cache
def load_yaml(name: str) -> Any:
    """Load a shipped YAML file (cached; treat the result as read-only)."""
    with path(name).open(encoding="utf-8") as fh:
        # libyaml's parser when built in: the same documents, about ten times faster than
        # the pure-Python one, which every command paid for at its first default
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def _defaults() -> dict[str, dict[str, Any]]:
    # One file per stage (defaults/core.yaml, defaults/energy.yaml, ...), merged; a key
    # defined twice is an error, so two stages never silently disagree on a default.
    records: dict[str, dict[str, Any]] = {}
    for file in sorted(path("defaults").glob("*.yaml")):
        name = f"defaults/{file.name}"
        for key, rec in (load_yaml(name) or {}).items():
            missing = [k for k in _REQUIRED if k not in rec]
            if missing:
                raise InputError.single(
                    f"default record lacks {', '.join(missing)}",
                    file=str(file),
                    field=key,
                    expected="a mapping with value, unit and source",
                )
            if key in records:
                raise InputError.single("default defined twice", file=str(file), field=key)
            records[key] = rec
    return records


def record(key: str) -> dict[str, Any]:
    """Return the default record ``{value, unit, source, ...}`` stored under ``key``.

    Examples
    --------
    >>> record("site.area_pyeong")["unit"]
    'pyeong'
    """
    try:
        return _defaults()[key]
    except KeyError:
        raise KeyError(f"no default record {key!r} in aidc/data/defaults/*.yaml") from None


def value(key: str) -> Any:
    """Return the value of the default record ``key``.

    Examples
    --------
    >>> value("site.area_pyeong")
    2500
    """
    return record(key)["value"]


def default(key: str) -> Callable[[], Any]:
    """Return a zero-argument factory for ``key``, for pydantic ``Field(default_factory=...)``."""
    # Checked eagerly so a typo in a schema fails at import, not at first use.
    record(key)
    return lambda: value(key)


def all_records() -> dict[str, dict[str, Any]]:
    """Return every default record, for the report's sources appendix."""
    return dict(_defaults())
