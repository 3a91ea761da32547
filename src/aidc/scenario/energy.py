"""Energy section: weather, tariff and carbon. Filled by the energy stage's issue."""

from __future__ import annotations

from pydantic import Field

from aidc.scenario._base import Section


class EnergySection(Section):
    """Settings of the facility energy twin."""

    weather: str | None = Field(
        None, description="EPW or hourly CSV file; None uses the shipped Jeonju year."
    )
