"""Option values read without pydantic, so that no command pays for it before its work starts.

Typer (0.29) coerces every parameter of a command through a pydantic ``TypeAdapter`` that it
builds on first use, for every option of the command, given or not: importing pydantic's
validators and building ~30 schemas cost ~0.2 CPU-s before ``aidc simulate`` starts. The values
aidc's options take (``str``, ``int``, ``float``, ``Path``, lists of them; ``bool`` flags typer
already skips) are read here the way that adapter reads them. Anything else, and any value the
quick reading is not sure of (``"1e3"``, a number out of range, a file that must exist and does
not), goes to typer's own adapter, so accepted values and error messages stay exactly typer's.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

# Plain decimal literals only: signs, exponents, underscores, spaces, 'inf' are left to pydantic.
_INT_TEXT = re.compile(r"-?[0-9]+")
_FLOAT_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class _Unsure:
    """The quick reading declines a value; typer's adapter reads it."""


UNSURE = _Unsure()


def quick_number(annotation: type, value: object, low: float | None, high: float | None) -> Any:
    """Return ``value`` read as ``annotation`` (int or float) within ``[low, high]``, else ``UNSURE``.

    Examples
    --------
    >>> quick_number(int, "640", 1, None), quick_number(float, "0.5", 0, 1), quick_number(float, 2, 0, 9)
    (640, 0.5, 2.0)
    >>> quick_number(int, "0", 1, None) is UNSURE, quick_number(int, "1e3", None, None) is UNSURE
    (True, True)
    """
    number: int | float
    if annotation is int:
        if type(value) is int:
            number = value
        elif isinstance(value, str) and _INT_TEXT.fullmatch(value):
            number = int(value)
        else:
            return UNSURE
    elif annotation is float:
        if type(value) in (int, float):
            number = float(value)  # type: ignore[arg-type]
        elif isinstance(value, str) and _FLOAT_TEXT.fullmatch(value):
            number = float(value)
        else:
            return UNSURE
        if not math.isfinite(number):
            return UNSURE
    else:
        return UNSURE
    if (low is not None and number < low) or (high is not None and number > high):
        return UNSURE  # out of range: the adapter writes typer's message
    return number


def quick_value(annotation: Any, info: Any, value: object, param: Any, ctx: Any) -> Any:
    """Return one value read as typer's adapter for ``annotation`` would, or ``UNSURE``."""
    if info.parser is not None or getattr(info, "clamp", False):
        return UNSURE
    if annotation in (str, bool):
        return value if type(value) is annotation else UNSURE
    if annotation in (int, float):
        return quick_number(annotation, value, info.min, info.max)
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return _quick_path(info.path_type or annotation, info, value, param, ctx)
    return UNSURE


def _quick_path(path_type: Any, info: Any, value: object, param: Any, ctx: Any) -> Any:
    # The adapter's validator is typer's coerce_cli_path, which reads a text through a pydantic
    # TypeAdapter(Path): that is Path(text) for a non-empty text without NUL; the file checks
    # (exists, dir_okay …) are typer's own, run here as they are there.
    from typer._param_types import coerce_cli_path

    if not (isinstance(path_type, type) and issubclass(path_type, Path)):
        return UNSURE
    if isinstance(value, str) and value and "\0" not in value:
        value = path_type(value)
    if not isinstance(value, path_type):
        return UNSURE
    return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)


class QuickRuntimeParam:
    """Stands where typer keeps a parameter's coercion; builds typer's own only when it must."""

    def __init__(self, param: Any) -> None:
        self._param = param
        self._typer: Any = None

    def _fallback(self) -> Any:
        if self._typer is None:
            from typer._coercion import build_runtime_param

            self._typer = build_runtime_param(self._param.type_descriptor)
        return self._typer

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        """Read ``value`` of ``param``: quickly when sure, else by typer's adapter."""
        many = param.multiple or param.nargs == -1
        if value is None:  # not given, no default: what typer returns without an adapter
            return () if many else None
        descriptor = param.type_descriptor
        info = descriptor.parameter_info
        try:
            if many and isinstance(value, (list, tuple)) and descriptor.is_list:
                (item,) = descriptor.annotation.__args__
                items = [quick_value(item, info, v, param, ctx) for v in value]
                if not any(v is UNSURE for v in items):
                    return items
            elif not many and descriptor.file_annotation is None:
                quick = quick_value(descriptor.annotation, info, value, param, ctx)
                if quick is not UNSURE:
                    return quick
        except Exception:  # noqa: BLE001 - the adapter reports it, in typer's words
            pass
        return self._fallback().coerce(value, param=param, ctx=ctx)


def quicken(command: Any) -> None:
    """Give every parameter of a click command (and of its subcommands) the quick reading, in place.

    A typer that no longer keeps ``_runtime_param`` is left alone: its own coercion still works.
    """
    for param in command.params:
        _quicken_param(param)
    original = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        # click builds ``--help`` (a typer bool option) on first use, outside ``params``
        option = original(ctx)
        _quicken_param(option)
        return option

    command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        quicken(sub)


def _quicken_param(param: Any) -> None:
    if hasattr(param, "type_descriptor") and getattr(param, "_runtime_param", True) is None:
        param._runtime_param = QuickRuntimeParam(param)
