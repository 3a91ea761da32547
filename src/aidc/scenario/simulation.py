"""Simulation section: scheduling policy, horizon and seed. Filled by the simulation stage's issue."""

from __future__ import annotations

from pydantic import Field

from aidc.scenario._base import Section


class SimulationSection(Section):
    """Settings of the operations digital twin."""

    policy: str = Field("fifo", description="Scheduling policy name.")
