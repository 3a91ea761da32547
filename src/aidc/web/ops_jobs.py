"""The phase-2 trigger off the request: a queue of jobs, each in a worker process with limits.

The trigger replays a year of jobs many times and solves the plan: minutes. The page's POST
only queues it (202) and the dashboard polls. One supervisor thread takes the jobs in order
(the position in the queue is shown); each runs in a fresh process forked from a clean fork
server with its address space and CPU time capped (``Settings.run_memory_bytes``,
``run_time_s``), as the runs of :mod:`aidc.web.runner` do. The supervisor kills a job that
passes its time or whose cancel was asked for. A job's state lives beside its store
(``trigger.status.json``: queued, running, done, failed, cancelled), its answer in
``trigger.json``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aidc.errors import InputError
from aidc.web.settings import Settings
from aidc.web.uploads import _limit_self

STATUS = "trigger.status.json"
RESULT = "trigger.json"
POLL_S = 0.25  # how often the supervisor looks at the clock and the cancel flag [s]

TriggerFunction = Callable[[Path, str], None]


def trigger_json(store: Path, scenario_yaml: str) -> None:
    """Compute the trigger of the records in ``store`` against a scenario; write ``trigger.json``."""
    from aidc import demand, design, ops
    from aidc.cli.ops import trigger_summary
    from aidc.report.i18n import text
    from aidc.scenario import parse_scenario

    scenario = parse_scenario(scenario_yaml, file="scenario")
    dem = demand.estimate(demand.load_survey(scenario), scenario)
    result = ops.trigger(ops.load(store).jobs, scenario, design.size(scenario, dem))
    by_month = result.by_month
    out = {"lines": {lang: trigger_summary(text(lang), result) for lang in ("en", "ko")},
           "months": by_month["month"].tolist(), "p_break_frac": by_month["p_break_frac"].tolist(),
           "decide_by": result.decide_by, "break_month": result.break_month,
           "phase2_year": result.phase2_year}
    write_json(store / RESULT, out)


def _process_main(conn: Connection, function: bytes, store: str, scenario_yaml: str, memory_bytes: int,
                  time_s: float) -> None:
    _limit_self(memory_bytes, time_s)
    run = pickle.loads(function)  # noqa: S301 - pickled by this server a moment ago
    try:
        run(Path(store), scenario_yaml)
        conn.send(("done", None))
    except InputError as exc:
        conn.send(("failed", f"bad input:\n{exc}"))
    except MemoryError:
        conn.send(("failed", f"the trigger needed more than {memory_bytes >> 20} MiB of memory"))
    except Exception as exc:  # noqa: BLE001 - a crashed job must not take anything else down
        conn.send(("failed", f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"))
    finally:
        conn.close()


def status(store: Path) -> dict[str, Any] | None:
    """Return the store's trigger job state (``status``, ``error``), or None if none was asked."""
    path = store / STATUS
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None


class TriggerJobs:
    """Queue and supervise trigger jobs, one at a time, each in a limited worker process."""

    def __init__(self, settings: Settings, function: TriggerFunction = trigger_json) -> None:
        self.settings = settings
        self.function = function
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aidc-ops")
        self._ctx = multiprocessing.get_context("forkserver")
        self._lock = threading.Lock()
        self._queue: list[Path] = []
        self._cancel: set[Path] = set()
        self._stopping = threading.Event()

    def submit(self, store: Path, scenario_yaml: str) -> None:
        """Queue the trigger of ``store``; a job already queued or running for it is kept."""
        state = status(store)
        if state is not None and state["status"] in ("queued", "running"):
            return
        (store / RESULT).unlink(missing_ok=True)
        _write(store, "queued")
        with self._lock:
            self._queue.append(store)
            self._cancel.discard(store)
        self._pool.submit(self._execute, store, scenario_yaml)

    def position(self, store: Path) -> int | None:
        """Return how many jobs run or wait before ``store``'s (0: it runs next), None if not queued."""
        with self._lock:
            return self._queue.index(store) if store in self._queue else None

    def cancel(self, store: Path) -> None:
        """Cancel the store's job: a queued one when its turn comes, a running one at the next poll."""
        with self._lock:
            if store in self._queue:
                self._cancel.add(store)

    def shutdown(self) -> None:
        """Stop the running job and drop the queued ones."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _stop_why(self, store: Path, deadline: float) -> str | None:
        if self._stopping.is_set():
            return "the server stopped before the trigger finished; ask again"
        if time.monotonic() > deadline:
            return f"the trigger took longer than {self.settings.run_time_s:g} s and was stopped"
        with self._lock:
            return "cancelled" if store in self._cancel else None

    def _execute(self, store: Path, scenario_yaml: str) -> None:
        try:
            kind, message = self._run(store, scenario_yaml)
        except Exception as exc:  # noqa: BLE001 - a broken supervisor must not take the server down
            kind, message = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                if store in self._queue:
                    self._queue.remove(store)
                self._cancel.discard(store)
        _write(store, kind, message)

    def _run(self, store: Path, scenario_yaml: str) -> tuple[str, str | None]:
        if self._stop_why(store, float("inf")) == "cancelled":
            return "cancelled", None
        import cloudpickle

        _write(store, "running")
        deadline = time.monotonic() + self.settings.run_time_s
        receiver, sender = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(
            target=_process_main,
            args=(sender, cloudpickle.dumps(self.function), str(store), scenario_yaml,
                  self.settings.run_memory_bytes, self.settings.run_time_s),
            daemon=True,
        )
        proc.start()
        sender.close()
        try:
            while True:
                if receiver.poll(POLL_S):
                    try:
                        kind, message = receiver.recv()
                    except EOFError:  # killed by its CPU-time limit, or memory outside Python
                        limits = self.settings.run_memory_bytes >> 20, self.settings.run_time_s
                        return "failed", (f"the trigger passed its limit of {limits[0]} MiB of memory"
                                          f" or {limits[1]:g} s of CPU time")
                    return str(kind), message
                why = self._stop_why(store, deadline)
                if why is not None:
                    proc.kill()
                    return ("cancelled", None) if why == "cancelled" else ("failed", why)
        finally:
            receiver.close()
            if proc.is_alive():
                proc.kill()
            proc.join()


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as JSON all at once: the page polling from another thread never reads half."""
    part = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    part.write_text(json.dumps(value), encoding="utf-8")
    os.replace(part, path)


def _write(store: Path, kind: str, error: str | None = None) -> None:
    write_json(store / STATUS, {"status": kind, "error": error})
