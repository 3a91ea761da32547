"""Demand section: where the demand survey is and how it grows. Filled by the demand stage's issue."""

from __future__ import annotations

from pydantic import Field

from aidc.scenario._base import Section


class DemandSection(Section):
    """How to obtain demand: a survey file (or the shipped example) and planning years."""

    survey: str | None = Field(
        None, description="Path of a survey workbook/CSV/YAML; None uses the shipped example survey."
    )
