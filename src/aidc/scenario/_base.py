"""Base class and field helper shared by every scenario section."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from pydantic import BaseModel, ConfigDict, Field

from aidc import data


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
