"""The one error type for bad input.

Every problem with what a user gave aidc (a scenario file, a survey workbook, a trace,
a web form) is raised as :class:`InputError`. It names *where* (file, line, sheet, row,
column or field), *what was found* and *what was expected*. The CLI and the web layer
render it; nothing below them prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input, located as precisely as the format allows.

    ``message`` and ``expected`` are English message ids of the catalog (:mod:`aidc.i18n`) with
    ``{placeholders}`` filled from ``params``, so each edge can show them in its reader's language;
    ``cell`` is the spreadsheet address the respondent sees (``C7``).
    """

    message: str
    file: str | None = None
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    found: object = None
    expected: str | None = None
    severity: str = "error"  # "error" or "warning"
    params: tuple[tuple[str, object], ...] = ()
    cell: str | None = None

    @property
    def text(self) -> str:
        """Return the message in English with its parameters filled in."""
        return self.message.format(**dict(self.params)) if self.params else self.message

    @property
    def expected_text(self) -> str | None:
        """Return what was expected, in English, with its parameters filled in."""
        if self.expected is None or not self.params:
            return self.expected
        return self.expected.format(**dict(self.params))

    def location(self) -> str:
        """Return a human-readable location such as ``scenario.yaml:12 site.floors``."""
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        text, expected = self.text, self.expected_text
        if self.found is not None:
            text += f" (found {self.found!r}"
            text += f"; expected {expected})" if expected else ")"
        elif expected:
            text += f" (expected {expected})"
        loc = self.location()
        return f"{loc}: {text}" if loc else text


@dataclass(slots=True)
class InputError(Exception):
    """Bad input: one or more :class:`Problem` s, all reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        Exception.__init__(self, str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(cls, message: str, **where: object) -> InputError:
        """Build an error holding one problem (``where`` are :class:`Problem` fields)."""
        return cls([Problem(message, **where)])  # type: ignore[arg-type]


class Note(str):
    """A stage's note: its English text, and the catalog message id and parameters it was written from.

    It *is* the English sentence (CLI output, JSON and ``in`` tests read it as a string), and it
    keeps ``msgid`` and ``params`` so a reader's edge writes it in the reader's language from the
    catalog (:mod:`aidc.i18n`), as :class:`Problem` does for bad input; the stage knows no language.

    Examples
    --------
    >>> n = Note("grid emission factor of {period} used for {year} (latest published)",
    ...          period="2023", year=2028)
    >>> n, n.msgid[:21], n.params["year"]
    ('grid emission factor of 2023 used for 2028 (latest published)', 'grid emission factor ', 2028)
    """

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, /, **params: object) -> Note:
        """Write ``msgid`` with ``params`` in English; keep both."""
        note = super().__new__(cls, msgid.format(**params) if params else msgid)
        note.msgid, note.params = msgid, params
        return note

    def __reduce__(self) -> tuple[object, ...]:
        # pickled with its id and parameters (a str subclass would otherwise come back without them)
        return _note, (self.msgid, self.params)


def _note(msgid: str, params: dict[str, object]) -> Note:
    return Note(msgid, **params)
