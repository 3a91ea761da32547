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
