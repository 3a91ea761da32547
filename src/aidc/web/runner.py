"""Runs as jobs outside the web process: :func:`aidc.run` in a worker process with limits.

A run row moves queued -> running -> done | failed | cancelled. The web process keeps a few
supervisor threads (``Settings.n_run_workers``); each takes the next queued run and executes it

- in a fresh process forked from a clean fork server (default), whose address space and CPU
  time are capped (``run_memory_bytes``, ``run_time_s``); progress (the fraction of pipeline
  stages finished, from ``aidc.run``'s ``on_stage``) comes back through a pipe; or
- on the Dask cluster at ``Settings.dask_scheduler`` (``$AIDC_DASK_SCHEDULER``), where the
  worker's own memory limit bounds a run (the nanny restarts a worker that passes it).

The supervisor kills a run that passes its time or whose cancel was asked for. Any exception
inside a run marks it failed with its message; the server keeps serving. Runs left queued or
running by a stopped server are marked failed on the next start.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import pickle
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
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
from aidc.web.settings import Settings
from aidc.web.uploads import MIB, _limit_self

MAX_TABLE_ROWS = 500
#: The languages a run's report is written in: each reader downloads their own (Korean first).
REPORT_LANGS = ("ko", "en")
#: The report files as a reader downloads them; each is stored once per language (``report.ko.html``).
REPORT_FILES = {
    "report.html": "text/html; charset=utf-8",
    "report.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def stored_name(name: str, lang: str) -> str:
    """Return the stored name of report file ``name`` in ``lang``: ``report.html`` -> ``report.ko.html``.

    Examples
    --------
    >>> stored_name("report.xlsx", "en")
    'report.en.xlsx'
    """
    stem, ext = name.rsplit(".", 1)
    return f"{stem}.{lang}.{ext}"


#: The one-page briefing of a run in each language (``briefing.ko.html``): the web prints it to PDF
#: on request (:mod:`aidc.web.pdf_jobs`), as ``aidc run --pdf`` does.
BRIEFING_FILES = {stored_name("briefing.html", lang): "text/html; charset=utf-8" for lang in REPORT_LANGS}
FILE_TYPES = BRIEFING_FILES | {
    stored_name(name, lang): media for name, media in REPORT_FILES.items() for lang in REPORT_LANGS
} | {stored_name("briefing.pdf", lang): "application/pdf" for lang in REPORT_LANGS}

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
            "columns": ["name", "ok", "value", "limit", "unit", "message", "sense"],
            "rows": [
                [_jsonable(getattr(c, k, None))
                 for k in ("name", "ok", "value", "limit", "unit", "message", "sense")]
                for c in checks
            ],
            "n_rows": len(checks),
        }
    return {
        "summary": summary,
        "tables": tables,
        "figures": result_figures(result),
        # The page shows the charts in the reader's language; the API's ``figures`` stay English.
        "figures_by_lang": {lang: result_figures(result, lang) for lang in ("ko",)},
        "missing": _jsonable(dict(getattr(result, "missing", {}))),
        "timings_s": _jsonable(dict(getattr(result, "timings_s", {}))),
        "scenario_hash": getattr(result, "scenario_hash", None),
    }


def build_report(result: Any) -> dict[str, bytes]:
    """Return the report, its workbook and its briefing in each language (stored name -> bytes).

    The same renderers as ``aidc run`` (:func:`aidc.report.build`), without the ``data/`` export
    (the web offers the results through its API instead).
    """
    from aidc.report import html, i18n, xlsx

    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="aidc-web-report-") as tmp:
        for lang in REPORT_LANGS:
            t = i18n.text(lang)
            files[stored_name("report.html", lang)] = html.render(result, t).encode("utf-8")
            files[stored_name("briefing.html", lang)] = html.render_briefing(result, t).encode("utf-8")
            book = Path(tmp) / f"report.{lang}.xlsx"
            xlsx.write(result, t, book)
            files[stored_name("report.xlsx", lang)] = book.read_bytes()
    return files


Outcome = tuple[
    str, Any, Any
]  # ("done", payload, files) | ("failed", message, None) | ("cancelled", None, None)
#: How often a supervisor looks at the clock and at the cancel flag while a run works. [s]
POLL_S = 0.25


def run_job(
    scenario_yaml: str,
    answers: list[dict[str, Any]] | None,
    run_function: RunFunction,
    on_stage: Callable[[str, str], None],
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Run a frozen scenario (a round's submitted answers as its survey): (result JSON, report files)."""
    scenario = parse_scenario(scenario_yaml, file="scenario")
    if problems := server_file_problems(scenario):
        raise InputError(problems)
    with tempfile.TemporaryDirectory(prefix="aidc-web-run-") as tmp:
        if answers is not None:
            path = Path(tmp) / "round.yaml"
            survey_io.write_yaml(answers, path)
            demand = scenario.demand.model_copy(update={"survey": str(path)})
            scenario = scenario.model_copy(update={"demand": demand})
        result = run_function(scenario, on_stage)
        on_stage("report", "start")
        payload = json.loads(json.dumps(summarize(result), allow_nan=False))
        try:
            files = build_report(result)
        except Exception as exc:  # noqa: BLE001 - keep the results when only the report fails
            files, payload["report_error"] = {}, f"{type(exc).__name__}: {exc}"[:2000]
    return payload, files


def _outcome_of(call: Callable[[], tuple[dict[str, Any], dict[str, bytes]]], memory_bytes: int) -> Outcome:
    try:
        payload, files = call()
        return ("done", payload, files)
    except InputError as exc:
        return ("failed", f"bad input:\n{exc}", None)
    except MemoryError:
        return (
            "failed",
            f"the run needed more than {memory_bytes // MIB} MiB of memory and was stopped",
            None,
        )
    except Exception as exc:  # noqa: BLE001 - a crashed run must not take anything else down
        return ("failed", f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}", None)


def _process_main(
    conn: Connection, function: bytes, scenario_yaml: str, answers: Any, memory_bytes: int, time_s: float
) -> None:
    _limit_self(memory_bytes, time_s)
    run_function = pickle.loads(function)  # noqa: S301 - pickled by this server a moment ago

    def on_stage(stage: str, event: str) -> None:
        conn.send(("stage", stage, event))

    try:
        conn.send(_outcome_of(lambda: run_job(scenario_yaml, answers, run_function, on_stage), memory_bytes))
    finally:
        conn.close()


def _dask_task(function: bytes, scenario_yaml: str, answers: Any) -> Outcome:
    run_function = pickle.loads(function)  # noqa: S301 - pickled by the web server that submitted it
    return _outcome_of(lambda: run_job(scenario_yaml, answers, run_function, lambda *_: None), 0)


class RunWorker:
    """Supervises runs executed in worker processes (or on Dask); all state lives in the database."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, run_function: RunFunction = library_run
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.run_function = run_function
        self._pool = ThreadPoolExecutor(
            max_workers=max(settings.n_run_workers, 1), thread_name_prefix="aidc-run"
        )
        self._stopping = threading.Event()
        self._ctx = multiprocessing.get_context("forkserver")
        self._dask: Any = None
        self._deadline: dict[int, float] = {}
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

    def cancel(self, s: Session, run: Run) -> None:
        """Cancel a run: a queued one at once, a running one as soon as its supervisor sees the flag."""
        if run.status == "queued":
            run.status, run.stage, run.finished_at = "cancelled", "cancelled", utcnow()
        elif run.status == "running":
            run.cancel_requested = True

    def shutdown(self) -> None:
        """Stop accepting runs, stop the running ones and wait for their supervisors."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._dask is not None:
            self._dask.close()

    def _set(self, run_id: int, **values: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(update(Run).where(Run.id == run_id).values(**values))

    def _claim(self, run_id: int) -> tuple[str, list[dict[str, Any]] | None] | None:
        """Mark the run running and return its inputs, or None when it was cancelled meanwhile."""
        with self.sessions.begin() as s:
            res = s.execute(
                update(Run)
                .where(Run.id == run_id, Run.status == "queued")
                .values(status="running", started_at=utcnow(), stage="starting")
            )
            if getattr(res, "rowcount", 1) != 1:
                return None
            run = s.get(Run, run_id)
            assert run is not None
            record = s.get(ScenarioRecord, run.scenario_id)
            round_id = record.survey_round_id if record is not None else None
            answers = (
                None
                if round_id is None
                else [
                    sub.answers
                    for sub in s.scalars(
                        select(Submission).where(
                            Submission.round_id == round_id, Submission.status == "submitted"
                        )
                    )
                ]
            )
            return run.scenario_yaml, answers

    def _cancel_requested(self, run_id: int) -> bool:
        with self.sessions() as s:
            return bool(s.scalar(select(Run.cancel_requested).where(Run.id == run_id)))

    def _watch(self, run_id: int, done: Callable[[], bool], stop: Callable[[], None]) -> str | None:
        """Wait one poll; return why the run must stop (time, cancel, shutdown), or None to go on."""
        if self._stopping.is_set():
            stop()
            return "failed"
        if time.monotonic() > self._deadline[run_id]:
            stop()
            return "timeout"
        if not done() and self._cancel_requested(run_id):
            stop()
            return "cancelled"
        return None

    def _local(self, run_id: int, function: bytes, scenario_yaml: str, answers: Any) -> Outcome:
        stages = _stage_names()
        finished: list[str] = []
        receiver, sender = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(
            target=_process_main,
            args=(
                sender,
                function,
                scenario_yaml,
                answers,
                self.settings.run_memory_bytes,
                self.settings.run_time_s,
            ),
            daemon=True,
        )
        proc.start()
        sender.close()
        try:
            while True:
                if receiver.poll(POLL_S):
                    try:
                        message = receiver.recv()
                    except EOFError:  # killed by its CPU-time limit, or memory outside Python
                        return ("failed", self._limit_message(), None)
                    if message[0] != "stage":
                        return message
                    _, stage, event = message
                    if event in ("done", "missing"):
                        finished.append(stage)
                    self._set(
                        run_id,
                        stage=f"{stage}: {event}",
                        progress_frac=min(len(finished) / max(len(stages), 1), 0.99),
                    )
                    continue
                why = self._watch(run_id, lambda: False, proc.kill)
                if why is not None:
                    return self._stopped(why)
        finally:
            receiver.close()
            if proc.is_alive():
                proc.kill()
            proc.join()

    def _on_dask(self, run_id: int, function: bytes, scenario_yaml: str, answers: Any) -> Outcome:
        from distributed import Client

        if self._dask is None:
            self._dask = Client(self.settings.dask_scheduler, set_as_default=False)
        future = self._dask.submit(_dask_task, function, scenario_yaml, answers, pure=False)
        self._set(run_id, stage="running on the Dask cluster")
        while not future.done():
            time.sleep(POLL_S)
            why = self._watch(run_id, future.done, future.cancel)
            if why is not None:
                return self._stopped(why)
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001 - a worker killed for its memory, a lost cluster
            return ("failed", f"the Dask cluster could not finish the run: {type(exc).__name__}: {exc}", None)

    def _limit_message(self) -> str:
        return (
            f"the run was stopped: it passed its limit of {self.settings.run_memory_bytes // MIB} MiB "
            f"of memory or {self.settings.run_time_s:g} s of CPU time"
        )

    def _stopped(self, why: str) -> Outcome:
        if why == "cancelled":
            return ("cancelled", None, None)
        if why == "timeout":
            return (
                "failed",
                f"the run took longer than {self.settings.run_time_s:g} s and was stopped",
                None,
            )
        return ("failed", "the server stopped before this run finished; start it again", None)

    def _execute(self, run_id: int) -> None:
        try:
            claimed = self._claim(run_id)
            if claimed is None:
                return
            scenario_yaml, answers = claimed
            import cloudpickle

            function = cloudpickle.dumps(self.run_function)
            self._deadline[run_id] = time.monotonic() + self.settings.run_time_s
            backend = self._on_dask if self.settings.dask_scheduler else self._local
            kind, payload, files = backend(run_id, function, scenario_yaml, answers)
        except Exception as exc:  # noqa: BLE001 - a broken supervisor must not take the server down
            kind, payload, files = (
                "failed",
                f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}",
                None,
            )
        if kind == "done":
            with self.sessions.begin() as s:
                for name, content in files.items():
                    s.add(RunFile(run_id=run_id, name=name, media_type=FILE_TYPES[name], content=content))
                s.execute(
                    update(Run)
                    .where(Run.id == run_id)
                    .values(
                        status="done", progress_frac=1.0, stage="done", result=payload, finished_at=utcnow()
                    )
                )
        elif kind == "cancelled":
            self._set(run_id, status="cancelled", stage="cancelled", finished_at=utcnow())
        else:
            self._set(run_id, status="failed", error=str(payload)[:20000], finished_at=utcnow())
