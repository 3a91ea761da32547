"""Demand stage: survey -> GPU-hours by class, CPU cores, storage, growth by year; job streams.

Entry points: :func:`estimate` (survey table + scenario -> :class:`Demand`),
:func:`job_stream` (one year of demand as a seeded job trace) and :func:`load_survey`
(the scenario's survey, or the shipped example). Model functions are in
:mod:`aidc.demand.translate`.
"""

from __future__ import annotations

import aidc.survey as _survey
from aidc.demand.catalog import gpus
from aidc.demand.estimate import Demand, estimate, planning_years
from aidc.demand.jobs import TRACE_COLUMNS, job_stream

__all__ = ["TRACE_COLUMNS", "Demand", "estimate", "gpus", "job_stream", "load_survey", "planning_years"]


def load_survey(scenario: object) -> _survey.SurveyTable:
    """Read the survey the scenario names (``demand.survey``), or the shipped example if None.

    Raises :class:`aidc.errors.InputError` with every problem of a bad survey.
    """
    path = scenario.demand.survey or _survey.example_path()  # type: ignore[attr-defined]
    return _survey.read(path)
