"""Simulation section: scheduling policy, placement, tenant shares, windows and failures."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, model_validator

from aidc.errors import Note
from aidc.scenario._base import Section, quantity
from aidc.scenario.power_controls import PowerControls

PolicyName = Literal["fifo", "easy", "fair_share", "slurm_fair_share", "priority", "reserved",
                     "preemptive_priority", "las"]


class ReservedWindowSpec(Section):
    """A weekly reserved window: GPUs kept for one tenant class (e.g. a course's lab hours)."""

    tenant: str = Field(description="Tenant class the GPUs are reserved for.")
    start_h: float = Field(ge=0, le=168, description="Start, hours from Monday 00:00.",
                           json_schema_extra={"unit": "h"})
    end_h: float = Field(ge=0, le=168, description="End, hours from Monday 00:00.",
                         json_schema_extra={"unit": "h"})
    n_gpus: int = Field(ge=1, description="GPUs reserved.", json_schema_extra={"unit": "GPU"})

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_h <= self.start_h:
            raise ValueError(Note("a reserved window must end after it starts (within one week)"))
        return self


class ServiceLevel(Section):
    """What a tenant class is promised: the 95th percentile of its queue wait."""

    p95_wait_h: float = Field(gt=0, description="95th percentile of the queue wait, at most.",
                              json_schema_extra={"unit": "h"})


class SimulationSection(Section):
    """Settings of the operations digital twin."""

    policy: PolicyName = Field("fifo", description="Scheduling policy.")
    placement: Literal["pooled", "node"] = Field(
        "node", description="pooled: only GPU counts matter; node: jobs fit inside nodes or take whole nodes."
    )
    year: int | None = Field(None, description="Calendar year simulated; None = the first year of operation.")
    shares: dict[str, float] = Field(
        default_factory=dict,
        description="Fair-share target per tenant class (fractions; others share the rest).",
    )
    quotas_gpus: dict[str, int] = Field(
        default_factory=dict, description="GPUs guaranteed to a tenant class under fair share.",
        json_schema_extra={"unit": "GPU"},
    )
    windows: list[ReservedWindowSpec] = Field(
        default_factory=list, description="Weekly reserved windows (policy 'reserved')."
    )
    backfill_depth: int = quantity("simulation.backfill_depth", unit="jobs", ge=1,
                                   description="Queued jobs examined per backfill pass.")
    slowdown_min_duration_s: float = quantity(
        "simulation.slowdown_min_duration_s", unit="s", gt=0,
        description="Run time below which bounded slowdown counts a job as this long.",
    )
    failures: bool = Field(False, description="Simulate node failures (needs node placement).")
    mtbf_h: float = quantity("simulation.mtbf_h", unit="h", gt=0,
                             description="Mean time between failures of a node.")
    mttr_h: float = quantity("simulation.mttr_h", unit="h", gt=0, description="Mean time to repair a node.")
    checkpoint_interval_s: float = quantity(
        "simulation.checkpoint_interval_s", unit="s", gt=0,
        description="Checkpoint interval: a killed job restarts from its last checkpoint.",
    )

    service_levels: dict[str, ServiceLevel] = Field(
        default_factory=dict,
        description=("Service level per tenant class (e.g. university: p95 wait <= 1 h); "
                     "the fleet is sized to meet them."),
    )
    power: PowerControls = Field(
        default_factory=PowerControls, description="Power controls: demand cap, TOU or carbon shifting."
    )

    def policy_params(self) -> dict[str, Any]:
        """Return the keyword parameters of the chosen policy."""
        if self.policy in ("fair_share", "slurm_fair_share"):
            return {"shares": dict(self.shares), "quotas_gpus": dict(self.quotas_gpus)}
        if self.policy == "easy":
            return {"depth": self.backfill_depth}
        if self.policy == "reserved":
            return {"windows": [w.model_dump() for w in self.windows], "depth": self.backfill_depth}
        if self.policy == "preemptive_priority":
            return {"windows": [w.model_dump() for w in self.windows],
                    "checkpoint_interval_s": self.checkpoint_interval_s}
        if self.policy == "las":
            return {"checkpoint_interval_s": self.checkpoint_interval_s}
        return {}
