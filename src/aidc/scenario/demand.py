"""Demand section: which survey to use and the constants that turn it into GPU-hours."""

from __future__ import annotations

from pydantic import Field

from aidc.scenario._base import Section, quantity


class DemandSection(Section):
    """How to obtain demand: a survey file (or the shipped example) and the translation constants.

    The planning years are ``scenario.start_year`` onwards for ``plan.horizon_y`` years.
    """

    survey: str | None = Field(
        None, description="Path of a survey workbook/CSV/YAML; None uses the shipped example survey."
    )
    default_gpu_model: str = quantity(
        "demand.default_gpu_model", unit="-",
        description="GPU model (catalog/gpus.yaml key) for survey rows that leave it blank.",
    )
    mfu_frac: float = quantity(
        "demand.mfu_frac", unit="-", gt=0, le=1,
        description="Model-FLOPs utilisation of training and fine-tuning.",
    )
    peft_compute_frac: float = quantity(
        "demand.peft_compute_frac", unit="-", gt=0, le=1,
        description="Compute per token of parameter-efficient fine-tuning relative to a full fine-tune.",
    )
    inference_mbu_frac: float = quantity(
        "demand.inference_mbu_frac", unit="-", gt=0, le=1,
        description="Memory-bandwidth utilisation of LLM decoding.",
    )
    inference_mfu_frac: float = quantity(
        "demand.inference_mfu_frac", unit="-", gt=0, le=1,
        description="FLOPs utilisation of compute-bound inference (prefill).",
    )
    kv_cache_overhead_frac: float = quantity(
        "demand.kv_cache_overhead_frac", unit="-", ge=0, le=10,
        description="Device memory kept for KV cache and activations, as a fraction of the weights.",
    )
    semester_weeks: float = quantity(
        "demand.semester_weeks", unit="week", gt=0, le=26, description="Length of a semester."
    )
    education_duty_frac: float = quantity(
        "demand.education_duty_frac", unit="-", gt=0, le=1,
        description="Share of a semester's hours in which students' GPU work falls.",
    )
    batch_peak_to_average: float = quantity(
        "demand.batch_peak_to_average", unit="-", ge=1, le=100,
        description="Peak-to-average GPU demand of plain GPU-hour (batch) needs.",
    )
