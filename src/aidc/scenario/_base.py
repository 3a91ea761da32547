"""Base class and field helper shared by every scenario section, and its validation errors as catalog ids."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import ErrorDetails

from aidc import data
from aidc.errors import Note
from aidc.i18n import N_


class Bounds(TypedDict, total=False):
    """Numeric bounds a field may declare (``ge=0``, ``lt=1``...)."""

    ge: float
    gt: float
    le: float
    lt: float


class Section(BaseModel):
    """A scenario section: unknown keys, NaN and infinities are errors; values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


def quantity(
    key: str,
    *,
    unit: str,
    description: str,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare a field whose default is the record ``key`` of ``aidc/data/defaults/*.yaml``.

    The unit goes into the JSON Schema (``json_schema_extra``) so that the generated docs
    and the web forms show it; the default's source is found with ``data.record(key)``.
    """
    return Field(
        default_factory=data.default(key),
        description=description,
        ge=ge,
        gt=gt,
        le=le,
        lt=lt,
        json_schema_extra={"unit": unit, "default_key": key},
    )


def required(*, unit: str, description: str, **bounds: Unpack[Bounds]) -> Any:
    """Declare a field that has no default: the scenario must give it."""
    return Field(description=description, json_schema_extra={"unit": unit}, **bounds)


#: Pydantic's error types -> the catalog's message ids (:mod:`aidc.i18n`), so a scenario's problems
#: read in the reader's language at every edge (CLI, web form, sweep); ``{bound}`` and
#: ``{expected}`` come from the error's context.
PYDANTIC_MESSAGES: dict[str, str] = {
    "extra_forbidden": N_("unknown key (misspelt?)"),
    "missing": N_("required field is missing"),
    "greater_than_equal": N_("must be at least {bound}"),
    "greater_than": N_("must be more than {bound}"),
    "less_than_equal": N_("must be at most {bound}"),
    "less_than": N_("must be less than {bound}"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "finite_number": N_("must be a finite number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "string_type": N_("must be text"),
    "literal_error": N_("must be one of {expected}"),
    "enum": N_("must be one of {expected}"),
    "dict_type": N_("must be a mapping of key: value pairs"),
    "model_type": N_("must be a mapping of key: value pairs"),
    "model_attributes_type": N_("must be a mapping of key: value pairs"),
    "list_type": N_("must be a list"),
}
_BOUND_OF = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt"}


def error_message(error: ErrorDetails) -> tuple[str, tuple[tuple[str, object], ...]]:
    """Return the catalog message id and parameters of one pydantic validation error.

    A validator's own ``ValueError`` holding a :class:`~aidc.errors.Note` gives that note's id;
    any other error keeps pydantic's English (shown as it is).

    Examples
    --------
    >>> error_message({"type": "greater_than", "loc": ("site", "area_pyeong"), "msg": "Input should be "
    ...                "greater than 0", "input": -1, "ctx": {"gt": 0}})
    ('must be more than {bound}', (('bound', '0'),))
    >>> error_message({"type": "extra_forbidden", "loc": ("floorz",), "msg": "Extra inputs are not "
    ...                "permitted", "input": 3})
    ('unknown key (misspelt?)', ())
    """
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        cause = ctx.get("error")
        note = cause.args[0] if isinstance(cause, ValueError) and cause.args else None
        if isinstance(note, Note):
            return note.msgid, tuple(note.params.items())
        return error["msg"].removeprefix("Value error, "), ()
    msgid = PYDANTIC_MESSAGES.get(kind)
    if msgid is None:
        return error["msg"], ()
    if kind in _BOUND_OF:
        bound = ctx.get(_BOUND_OF[kind])
        return msgid, (("bound", f"{bound:g}" if isinstance(bound, int | float) else str(bound)),)
    if "{expected}" in msgid:
        return msgid, (("expected", str(ctx.get("expected", ""))),)
    return msgid, ()


def error_text(error: ErrorDetails) -> str:
    """Return one pydantic validation error in English, as :func:`error_message` names it."""
    msgid, params = error_message(error)
    return msgid.format(**dict(params)) if params else msgid
