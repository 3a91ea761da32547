"""Survey uploads read once, in a worker process, within limits of size, shape, memory and time.

A workbook is a zip of XML: 16 KB can declare a sheet of 17 billion cells or unpack to
gigabytes. So an upload goes through three gates before anything is stored:

1. in the web process, cheaply: the byte size (before reading it all), the zip's total
   unpacked size and its compression ratio (:func:`check_zip`);
2. in a fresh worker process (forked from a clean fork server, so the web server's threads and
   memory are not copied) with an address-space and CPU-time limit: the declared dimension of
   each sheet, then a bounded read (openpyxl read-only, at most ``max_rows`` + 1 rows and
   ``max_columns`` + 1 columns, whatever the file declares) and the survey stage's validation
   of those sheets (:func:`aidc.survey.validate.validate_sheets`) — the file is parsed once;
3. the parent waits at most ``time_s`` and kills the worker after that.

At most ``n_upload_workers`` files are read at once; the next waits ``busy_wait_s`` for a slot,
then gets 503. A refused file gets 413 (or 415) with a message in the user's language naming
the limit; the server keeps answering everyone else meanwhile.
"""

from __future__ import annotations

import io
import multiprocessing
import re
import tempfile
import threading
import zipfile
from dataclasses import asdict, dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aidc.errors import Note, Problem
from aidc.i18n import N_
from aidc.web.security import Slots
from aidc.web.settings import Settings

KIB = 1024
MIB = 1024 * 1024
#: Sheet XML parts of a workbook and the cells they merge (read-only openpyxl does not report them).
MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*ref="(([A-Z]+)(\d+)(?::[A-Z]+\d+)?)"')


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """What an upload may be and cost (see ``aidc/data/web/limits.yaml`` for the reasons)."""

    max_bytes: int
    max_unzipped_bytes: int
    max_zip_ratio: float
    max_rows: int
    max_columns: int
    memory_bytes: int
    time_s: float

    @classmethod
    def of(cls, settings: Settings) -> UploadLimits:
        """Return the limits set in ``settings``."""
        return cls(
            max_bytes=settings.max_upload_bytes,
            max_unzipped_bytes=settings.upload_max_unzipped_bytes,
            max_zip_ratio=settings.upload_max_zip_ratio,
            max_rows=settings.upload_max_rows,
            max_columns=settings.upload_max_columns,
            memory_bytes=settings.upload_memory_bytes,
            time_s=settings.upload_time_s,
        )


class UploadRefused(Exception):
    """A file over one of the limits: ``key`` names the message (``web_limit.<key>``), ``values`` fill it."""

    def __init__(self, key: str, status_code: int = 413, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.status_code = status_code
        self.values = values

    @property
    def note(self) -> Note:
        """Return the message as a catalog key with its values (written where the reader is known)."""
        return Note(f"web_limit.{self.key}", **self.values)

    def message(self, lang: str) -> str:
        """Return the message in ``lang`` (``ko`` or ``en``)."""
        from aidc.report.i18n import text

        return text(lang)(f"web_limit.{self.key}", **self.values)


def check_zip(content: bytes, limits: UploadLimits) -> None:
    """Refuse a workbook whose zip is damaged, unpacks too large or is compressed too much (a zip bomb).

    Sizes are the ones the zip declares; the reader cannot unpack more than that (``zipfile``
    stops at the declared size), so a lying header only makes the file fail to read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            unzipped = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused("not_a_workbook", 415) from None
    if unzipped > limits.max_unzipped_bytes:
        raise UploadRefused("unzipped_size", limit=limits.max_unzipped_bytes // MIB)
    ratio = unzipped / max(len(content), 1)
    if ratio > limits.max_zip_ratio:
        raise UploadRefused("zip_ratio", ratio=int(ratio), limit=int(limits.max_zip_ratio))


def _merged(content: bytes, part: str, title: str) -> list[Problem]:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        xml = zf.read(part.lstrip("/"))
    return [
        Problem(
            "merged cells",
            sheet=title,
            row=int(m.group(3)),
            column=m.group(1).decode(),
            expected="one value per cell: unmerge and fill each cell",
        )
        for m in MERGE.finditer(xml)
    ]


def read_xlsx_bounded(content: bytes, limits: UploadLimits) -> tuple[list[Any], list[Problem]]:
    """Read the survey sheets of a workbook within the row and column limits.

    The same sheets and problems as :func:`aidc.survey.readers.read_xlsx`, which reads without bounds.
    """
    import openpyxl

    from aidc.survey.parse import is_blank
    from aidc.survey.readers import IGNORED_SHEETS, RawSheet, _cell_value, _header_index, _sheet_names
    from aidc.survey.schema import normalise, sheet_map

    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise UploadRefused("not_a_workbook", 415) from None
    out: list[RawSheet] = []
    problems: list[Problem] = []
    for ws in wb.worksheets:
        title = ws.title
        name = sheet_map().get(normalise(title))
        if name is None:
            if normalise(title) not in IGNORED_SHEETS:
                problems.append(
                    Problem(
                        "unknown sheet, ignored",
                        sheet=title,
                        severity="warning",
                        expected="one of {sheets}",
                        params=tuple(_sheet_names().items()),
                    )
                )
            continue
        # The declared size first: refused before a single row is read.
        if (ws.max_row or 0) > limits.max_rows:
            raise UploadRefused("rows", sheet=title, limit=limits.max_rows)
        if (ws.max_column or 0) > limits.max_columns:
            raise UploadRefused("columns", sheet=title, limit=limits.max_columns)
        problems += _merged(content, ws._worksheet_path, title)
        # Then a read that stops one past each limit, whatever the file declared.
        rows = []
        for i, row in enumerate(
            ws.iter_rows(max_row=limits.max_rows + 1, max_col=limits.max_columns + 1), start=1
        ):
            values = [_cell_value(c) for c in row]
            if len(values) > limits.max_columns and not is_blank(values[limits.max_columns]):
                raise UploadRefused("columns", sheet=title, limit=limits.max_columns)
            if i > limits.max_rows and not all(is_blank(v) for v in values):
                raise UploadRefused("rows", sheet=title, limit=limits.max_rows)
            rows.append(values[: limits.max_columns])
        while rows and all(is_blank(v) for v in rows[-1]):
            rows.pop()
        top = _header_index(name, rows)
        if top > 0:
            problems.append(
                Problem(
                    "header row found on row {n}; the rows above are ignored",
                    params=(("n", top + 1),),
                    sheet=title,
                    row=top + 1,
                    severity="warning",
                    expected="headers on row 1, as in the template",
                )
            )
        sheet = RawSheet(name=name, title=title, headers=list(rows[top]) if rows else [], header_row=top + 1)
        sheet.rows = [
            (i, v) for i, v in enumerate(rows[top + 1 :], start=top + 2) if not all(map(is_blank, v))
        ]
        out.append(sheet)
    wb.close()
    return out, problems


def read_csv_bounded(content: bytes, limits: UploadLimits) -> tuple[list[Any], list[Problem]]:
    """Read a CSV with the survey stage's reader, then hold it to the row and column limits."""
    from aidc.survey.readers import read_csv

    with tempfile.TemporaryDirectory(prefix="aidc-web-") as tmp:
        path = Path(tmp) / "upload.csv"
        path.write_bytes(content)
        raw, problems = read_csv(path)
    for sheet in raw:
        if len(sheet.rows) > limits.max_rows:
            raise UploadRefused("rows", sheet=sheet.title, limit=limits.max_rows)
        if max((len(v) for _, v in sheet.rows), default=0) > limits.max_columns:
            raise UploadRefused("columns", sheet=sheet.title, limit=limits.max_columns)
    return raw, [replace(p, file=None) for p in problems]


def parse(
    content: bytes, suffix: str, institution_id: int, organisation: str, limits: UploadLimits
) -> tuple[dict[str, list[dict[str, Any]]], list[Problem]]:
    """Read and validate an upload once: (answers in stored form, problems of the file)."""
    from aidc.survey.validate import validate_sheets
    from aidc.web.survey_io import answers_of

    raw, problems = (read_xlsx_bounded if suffix == ".xlsx" else read_csv_bounded)(content, limits)
    if raw or not any(p.severity == "error" for p in problems):
        _, more = validate_sheets(raw, file=None)
        problems += more
    return answers_of(raw, problems, institution_id, organisation)


def _address_space_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[0])
    import resource

    return pages * resource.getpagesize()


def _limit_self(memory_bytes: int, time_s: float) -> None:
    """Cap this process's address space (what it has now + ``memory_bytes``) and CPU time."""
    try:
        import resource
    except ImportError:  # not on Linux/macOS: the parent's time limit still holds
        return
    try:
        cap = _address_space_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (OSError, ValueError):
        pass
    cpu_s = int(time_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))


def _worker(
    conn: Connection, content: bytes, suffix: str, inst: int, org: str, limits: dict[str, Any]
) -> None:
    lim = UploadLimits(**limits)
    _limit_self(lim.memory_bytes, lim.time_s)
    try:
        conn.send(("ok", parse(content, suffix, inst, org, lim)))
    except UploadRefused as exc:
        conn.send(("refused", (exc.key, exc.status_code, exc.values)))
    except MemoryError:
        conn.send(("refused", ("memory", 413, {"limit": lim.memory_bytes // MIB})))
    finally:
        conn.close()


def _start_fork_server() -> None:
    from multiprocessing import forkserver

    forkserver.ensure_running()


class UploadParser:
    """Runs :func:`parse` in worker processes, a bounded number at a time."""

    def __init__(self, settings: Settings) -> None:
        self.limits = UploadLimits.of(settings)
        self.slots = Slots(settings.n_upload_workers, settings.busy_wait_s, N_("file checks"))
        self._ctx = multiprocessing.get_context("forkserver")
        # Each worker forks from a server that has the survey stage imported: quick to start,
        # and it never inherits the web server's threads, connections or memory.
        self._ctx.set_forkserver_preload(["aidc.web.uploads", "aidc.survey.validate", "openpyxl"])
        # Started now, in the background, so the first upload does not wait for those imports.
        threading.Thread(target=_start_fork_server, name="aidc-forkserver", daemon=True).start()

    def parse(
        self, content: bytes, suffix: str, institution_id: int, organisation: str
    ) -> tuple[dict[str, list[dict[str, Any]]], list[Problem]]:
        """Return (answers, problems) of an upload, or raise :class:`UploadRefused` or ``Busy``."""
        if len(content) > self.limits.max_bytes:
            raise UploadRefused("file_too_large", limit=self.limits.max_bytes // KIB)
        if suffix == ".xlsx":
            check_zip(content, self.limits)
        with self.slots:
            receiver, sender = self._ctx.Pipe(duplex=False)
            proc = self._ctx.Process(
                target=_worker,
                args=(sender, content, suffix, institution_id, organisation, asdict(self.limits)),
                daemon=True,
            )
            proc.start()
            sender.close()
            try:
                if not receiver.poll(self.limits.time_s):
                    raise UploadRefused("time", limit=int(self.limits.time_s))
                try:
                    kind, payload = receiver.recv()
                except EOFError:  # killed by its limits (CPU time, or memory outside Python)
                    raise UploadRefused("memory", limit=self.limits.memory_bytes // MIB) from None
            finally:
                receiver.close()
                if proc.is_alive():
                    proc.kill()
                proc.join()
        if kind == "refused":
            key, status_code, values = payload
            raise UploadRefused(key, status_code, **values)
        return payload

    def shutdown(self) -> None:
        """Nothing to stop: each file has its own worker process, ended when it is read."""
