"""Plan section: horizon, phases and limits of the expansion plan. Filled by the plan stage's issue."""

from __future__ import annotations

from aidc.scenario._base import Section, quantity


class PlanSection(Section):
    """Settings of the phased expansion plan."""

    horizon_y: int = quantity("plan.horizon_y", unit="y", ge=1, le=50, description="Planning horizon.")
