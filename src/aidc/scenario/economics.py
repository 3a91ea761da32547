"""Economics section: costs, prices and financing. Filled by the economics stage's issue."""

from __future__ import annotations

from aidc.scenario._base import Section


class EconomicsSection(Section):
    """Cost, price and finance assumptions of the PFV."""
