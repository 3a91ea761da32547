"""Power controls of the operations twin: demand cap, time-of-use or carbon shifting, oversubscription."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aidc import data
from aidc.scenario._base import Section, quantity

KW: dict[str, Any] = {"unit": "kW"}


class PowerControls(Section):
    """How the operator runs the GPUs against the bill, the power limit and carbon (all off by default)."""

    cap_kw: float | None = Field(None, gt=0, json_schema_extra=KW,
                                 description="Facility demand cap: starts wait while it would be exceeded.")
    cap_hours: Literal["all", "billing"] = Field(
        "all", description="Hours the cap holds in: all, or only those KEPCO's billing demand counts.")
    gpu_capping: bool = Field(
        False, description="Under the cap, power-limit flexible jobs' GPUs (slower) before delaying them.")
    shift: Literal["none", "tou", "carbon"] = Field(
        "none", description="Start flexible jobs in cheaper (tou) or cleaner (carbon) hours.")
    flexible_tenants: list[str] = Field(default_factory=lambda: list(data.value("power.flexible_tenants")),
                                        description="Tenant classes whose jobs may be shifted.")
    max_delay_h: float = quantity("power.max_delay_h", unit="h", ge=0,
                                  description="Latest a flexible job may start after it would have.")
    oversubscribe_frac: float = Field(0.0, ge=0, le=2, json_schema_extra={"unit": "-"},
                                      description="Search up to this share more GPU servers.")

    @property
    def active(self) -> bool:
        """Whether any control is on."""
        return self.cap_kw is not None or self.shift != "none" or self.oversubscribe_frac > 0
