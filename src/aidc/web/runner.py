"""Background runs: a worker pool that runs :func:`aidc.run` and stores what it produced.

A run row moves queued -> running -> done | failed. Progress is the fraction of pipeline
stages finished (``aidc.run``'s ``on_stage`` callback). Any exception inside a run marks it
failed with its message; the worker thread survives and the server keeps serving. Runs
left queued or running by a stopped server are marked failed on the next start.
"""

from __future__ import annotations

import importlib
import json
import math
import tempfile
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from aidc.errors import InputError
from aidc.scenario import Scenario, parse_scenario
from aidc.web import survey_io
from aidc.web.common import server_file_problems
from aidc.web.db import Run, RunFile, ScenarioRecord, Submission, utcnow
from aidc.web.figures import result_figures

MAX_TABLE_ROWS = 500
REPORT_FILES = {
    "report.html": "text/html; charset=utf-8",
    "report.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

RunFunction = Callable[[Scenario, Callable[[str, str], None]], Any]


def library_run(scenario: Scenario, on_stage: Callable[[str, str], None]) -> Any:
    """Call :func:`aidc.pipeline.run` (the library's one entry point)."""
    from aidc.pipeline import run

    return run(scenario, on_stage=on_stage)


def _stage_names() -> tuple[str, ...]:
    from aidc.pipeline import STAGE_NAMES

    return STAGE_NAMES


def _jsonable(value: Any) -> Any:
    """Turn numpy / pandas scalars into plain JSON values (NaN and inf become None)."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _table(frame: Any) -> dict[str, Any] | None:
    if not hasattr(frame, "to_dict") or not hasattr(frame, "columns"):
        return None
    head = frame.reset_index(drop=frame.index.name is None).head(MAX_TABLE_ROWS)
    return {
        "columns": [str(c) for c in head.columns],
        "rows": [[_jsonable(v) for v in row] for row in head.itertuples(index=False)],
        "n_rows": len(frame),
    }


#: Which tables of which stage the results page shows (per docs/contracts.md).
TABLES = {
    "demand": ("by_year",),
    "plan": ("schedule",),
    "economics": ("capex", "cash_flow"),
    "energy": ("monthly_bill",),
}


def summarize(result: Any) -> dict[str, Any]:
    """Return the JSON the results page and ``GET /api/runs/{id}`` show for a :class:`aidc.Result`."""
    summary: dict[str, dict[str, Any]] = {}
    headline = getattr(result, "summary", None)  # the run's one Summary (aidc.summary), shown first
    if headline is not None:
        summary["run"] = {k: _jsonable(v) for k, v in headline.scalars().items()}
        summary["run"]["warnings"] = ", ".join(headline.warnings)
    tables: dict[str, Any] = {}
    for stage in _stage_names():
        obj = getattr(result, stage, None)
        if obj is None:
            continue
        for attr in ("summary", "annual"):
            d = getattr(obj, attr, None)
            if isinstance(d, dict):
                summary[stage] = {k: _jsonable(v) for k, v in d.items() if not isinstance(v, dict | list)}
        for name in TABLES.get(stage, ()):
            t = _table(getattr(obj, name, None))
            if t is not None:
                tables[f"{stage}.{name}"] = t
    checks = getattr(getattr(result, "design", None), "checks", None) or []
    if checks:
        tables["design.checks"] = {
            "columns": ["name", "ok", "value", "limit", "unit", "message"],
            "rows": [
                [_jsonable(getattr(c, k, None)) for k in ("name", "ok", "value", "limit", "unit", "message")]
                for c in checks
            ],
            "n_rows": len(checks),
        }
    return {
        "summary": summary,
        "tables": tables,
        "figures": result_figures(result),
        "missing": _jsonable(dict(getattr(result, "missing", {}))),
        "timings_s": _jsonable(dict(getattr(result, "timings_s", {}))),
        "scenario_hash": getattr(result, "scenario_hash", None),
    }


def build_report(result: Any) -> dict[str, bytes]:
    """Return the report files (name -> bytes) from ``aidc.report.build``, or {} when it is not there yet."""
    try:
        report = importlib.import_module("aidc.report")
    except ImportError:
        return {}
    build = getattr(report, "build", None)
    if build is None:
        return {}
    with tempfile.TemporaryDirectory(prefix="aidc-web-report-") as tmp:
        build(result, "en", Path(tmp))
        return {
            name: (Path(tmp) / name).read_bytes() for name in REPORT_FILES if (Path(tmp) / name).is_file()
        }


class RunWorker:
    """Executes runs in a small thread pool; all state lives in the database."""

    def __init__(
        self, sessions: sessionmaker[Session], n_workers: int, run_function: RunFunction = library_run
    ) -> None:
        self.sessions = sessions
        self.run_function = run_function
        self._pool = ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="aidc-run")
        self.futures: dict[int, Future[None]] = {}

    def recover(self) -> int:
        """Mark runs a previous server left unfinished as failed; return how many."""
        with self.sessions.begin() as s:
            res = s.execute(
                update(Run)
                .where(Run.status.in_(("queued", "running")))
                .values(
                    status="failed",
                    error="the server stopped before this run finished; start it again",
                    finished_at=utcnow(),
                )
            )
            return int(getattr(res, "rowcount", 0) or 0)

    def submit(self, run_id: int) -> None:
        """Queue a run for execution."""
        self.futures[run_id] = self._pool.submit(self._execute, run_id)

    def shutdown(self) -> None:
        """Stop accepting runs and wait for the running ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _set(self, run_id: int, **values: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(update(Run).where(Run.id == run_id).values(**values))

    def _scenario(self, run_id: int, tmp: Path) -> Scenario:
        with self.sessions() as s:
            run = s.get(Run, run_id)
            assert run is not None
            scenario = parse_scenario(run.scenario_yaml, file="scenario")
            if problems := server_file_problems(scenario):
                raise InputError(problems)
            record = s.get(ScenarioRecord, run.scenario_id)
            round_id = record.survey_round_id if record is not None else None
            if round_id is None:
                return scenario
            answers = [
                sub.answers
                for sub in s.scalars(
                    select(Submission).where(
                        Submission.round_id == round_id, Submission.status == "submitted"
                    )
                )
            ]
        path = tmp / f"round-{int(round_id)}.yaml"
        survey_io.write_yaml(answers, path)
        demand = scenario.demand.model_copy(update={"survey": str(path)})
        return scenario.model_copy(update={"demand": demand})

    def _execute(self, run_id: int) -> None:
        try:
            stages = _stage_names()
            done: list[str] = []

            def on_stage(stage: str, event: str) -> None:
                if event in ("done", "missing"):
                    done.append(stage)
                self._set(
                    run_id,
                    stage=f"{stage}: {event}",
                    progress_frac=min(len(done) / max(len(stages), 1), 0.99),
                )

            self._set(run_id, status="running", started_at=utcnow(), stage="starting")
            with tempfile.TemporaryDirectory(prefix="aidc-web-run-") as tmp:
                result = self.run_function(self._scenario(run_id, Path(tmp)), on_stage)
                self._set(run_id, stage="report")
                payload = json.loads(json.dumps(summarize(result), allow_nan=False))
                try:
                    files = build_report(result)
                except Exception as exc:  # noqa: BLE001 - keep the results when only the report fails
                    files, payload["report_error"] = {}, f"{type(exc).__name__}: {exc}"[:2000]
            with self.sessions.begin() as s:
                for name, content in files.items():
                    s.add(RunFile(run_id=run_id, name=name, media_type=REPORT_FILES[name], content=content))
                s.execute(
                    update(Run)
                    .where(Run.id == run_id)
                    .values(
                        status="done", progress_frac=1.0, stage="done", result=payload, finished_at=utcnow()
                    )
                )
        except InputError as exc:
            self._fail(run_id, f"bad input:\n{exc}")
        except Exception as exc:  # noqa: BLE001 - a crashed run must not take the worker down
            self._fail(run_id, f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}")

    def _fail(self, run_id: int, error: str) -> None:
        self._set(run_id, status="failed", error=error[:20000], finished_at=utcnow())
