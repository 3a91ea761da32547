"""Shipped data: defaults, catalogs, scenarios, example survey, weather, tariffs.

Every number aidc uses by default lives in a YAML file in this folder as a *record*
``{value, unit, source}`` (PyPSA's attribute table is the model). Code reads them through
:func:`record` / :func:`value` / :func:`default`, never as bare literals.

Files are read once and cached: they are package data and never change at run time.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from aidc.errors import InputError

_REQUIRED = ("value", "unit", "source")
_HERE = Path(__file__).parent
_PARSED_LAYOUT = 1  # bump when what a parsed copy holds changes


def path(name: str) -> Path:
    """Return the filesystem path of a shipped data file, e.g. ``path("catalog/servers.yaml")``."""
    # the package's own folder: aidc is installed as files (never zipped), and this costs no
    # import of importlib.resources, which a command's start-up would pay for
    return _HERE / name


@cache
def load_yaml(name: str) -> Any:
    """Load a shipped YAML file (cached; treat the result as read-only).

    A command that needs one default would otherwise import the YAML library and parse the
    file on every run (0.03-0.05 CPU-s, a fifth of a whole trace replay), so the parsed
    document is kept in aidc's cache folder (:mod:`aidc.cache`) in ``marshal`` form, keyed as
    ``.pyc`` files are by the file's path, size and modification time: an edited file is parsed
    again, never served stale. ``marshal`` holds only plain values (no code runs when it is
    read); a document with other values (YAML dates) is parsed on every run.
    """
    file = path(name)
    st = file.stat()
    ident = (_PARSED_LAYOUT, marshal.version, tuple(sys.version_info[:2]), str(file), st.st_size,
             st.st_mtime_ns)
    from aidc import cache as cache_folder

    copy = cache_folder.root() / "data" / f"{zlib.crc32(str(file).encode()):08x}.marshal"
    try:
        stored_ident, document = marshal.loads(copy.read_bytes())
        if stored_ident == ident:
            return document
    except (OSError, EOFError, ValueError, TypeError):
        pass
    document = _parse_yaml(file)
    try:
        blob = marshal.dumps((ident, document))
        copy.parent.mkdir(parents=True, exist_ok=True)
        tmp = copy.with_name(f"{copy.name}.{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, copy)  # atomic: two processes writing at once both end well
    except (OSError, ValueError):  # a read-only home, or a value marshal cannot hold
        pass
    return document


def _parse_yaml(file: Path) -> Any:
    import yaml

    with file.open(encoding="utf-8") as fh:
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


#: Kinds of record source (``type`` field), as in shared/data/reference/facts.yaml, plus ``choice``.
#: primary: maker, standard, operator or law document (or a faithful copy of its table);
#: secondary: press, vendor or third-party compilation quoting a primary; derived: computed from
#: cited values (the arithmetic in ``basis`` or ``source``); estimate: engineering judgement, no source found
#: (``basis`` says how it was reached); choice: a setting the planner decides, not a fact about the
#: world (a policy, horizon or model resolution; ``basis`` says why this default).
SOURCE_TYPES = ("primary", "secondary", "derived", "estimate", "choice")
#: Source types that must say how the value was reached (a derived record gives its arithmetic in
#: ``basis`` or, in older records, in its ``source``).
NEEDS_BASIS = ("estimate", "choice")
#: Folders whose YAML holds messages or inputs, not default records.
NOT_RECORDS = ("i18n", "scenarios", "survey")


def walk_records(tree: Any, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Return ``(dotted key, record)`` for every ``{value, ...}`` mapping in a loaded YAML tree.

    A record is a mapping with a ``value`` and at least one of ``source``, ``unit``, ``type``;
    its own fields are not searched further.

    Examples
    --------
    >>> walk_records({"a": {"b": {"value": 1, "unit": "W"}}, "c": [{"value": 2, "source": "x"}]})
    [('a.b', {'value': 1, 'unit': 'W'}), ('c.0', {'value': 2, 'source': 'x'})]
    """
    if isinstance(tree, dict):
        if "value" in tree and {"source", "unit", "type"} & tree.keys():
            return [(prefix, tree)]
        items = [(str(k), v) for k, v in tree.items()]
    elif isinstance(tree, list):
        items = [(str(i), v) for i, v in enumerate(tree)]
    else:
        return []
    return [rec for k, v in items for rec in walk_records(v, f"{prefix}.{k}" if prefix else k)]


def shipped_records() -> list[tuple[str, str, dict[str, Any]]]:
    """Return ``(file, key, record)`` for every record in the shipped YAML files, in file order."""
    root = path("")
    out = []
    for file in sorted(root.rglob("*.yaml")):
        rel = file.relative_to(root).as_posix()
        if rel.split("/")[0] not in NOT_RECORDS:
            out += [(rel, key, rec) for key, rec in walk_records(load_yaml(rel))]
    return out
