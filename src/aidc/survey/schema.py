"""The survey's sheets and columns, read from ``aidc/data/survey/sheets.yaml``.

The workbook layout is data (after PyPSA's attribute table): the same description drives
the template, the header map (Korean and English headers -> one internal name, pvlib's
``VARIABLE_MAP``) and validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import aidc.data as data

LANGS = ("en", "ko")
#: Value of the respondent ID that marks the template's example row (skipped on reading).
EXAMPLE_MARKERS = ("example", "예시")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a survey sheet."""

    name: str
    en: str
    ko: str
    type: str
    required: bool = False
    default: Any = None
    min: float | None = None
    max: float | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    example: Any = None
    example_ko: Any = None  # the example row's text in the Korean template, where it is words

    def example_in(self, lang: str) -> Any:
        """Return the example value the template in ``lang`` shows."""
        return self.example_ko if lang == "ko" and self.example_ko is not None else self.example

    def header(self, lang: str) -> str:
        """Return the header text in ``lang`` ('en' or 'ko')."""
        return self.en if lang == "en" else self.ko

    @property
    def choice_list(self) -> str | None:
        """Return the name of the choice list of a categorical column, else None."""
        if self.type == "gpu":
            return "gpu"
        return self.type.split(":", 1)[1] if self.type.startswith("choice:") else None


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """One sheet (kind of need, or the respondents) of the survey."""

    name: str
    en: str
    ko: str
    help_en: str
    help_ko: str
    columns: tuple[Column, ...]
    one_of: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        """Return the sheet title in ``lang``."""
        return self.en if lang == "en" else self.ko

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return next(c for c in self.columns if c.name == name)


def _flatten(items: list[Any]) -> list[dict[str, Any]]:
    # YAML anchors put the shared columns in as nested lists.
    out: list[dict[str, Any]] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


@cache
def sheets() -> dict[str, SheetSpec]:
    """Return the survey sheets by internal name, respondents first."""
    raw = data.load_yaml("survey/sheets.yaml")["sheets"]
    out: dict[str, SheetSpec] = {}
    for name, spec in raw.items():
        cols = tuple(Column(**c) for c in _flatten(spec["columns"]))
        out[name] = SheetSpec(
            name=name, en=spec["en"], ko=spec["ko"], help_en=spec["help_en"], help_ko=spec["help_ko"],
            columns=cols, one_of=tuple(spec.get("one_of", ())),
        )
    return out


NEED_KINDS = ("training", "finetuning", "inference", "education", "cloud", "gpu_direct")


@cache
def choices(list_name: str) -> dict[str, dict[str, str]]:
    """Return a closed list ``key -> {en, ko}``: tenant classes, programmes, precisions, GPUs ...

    A GPU is shown by its product name from the catalog (``NVIDIA H100 SXM5 80 GB``) in both
    languages: respondents pick what they know, never the internal key (which is still read,
    see :func:`match_choice`, for files filled in before the names were shown).
    """
    if list_name in ("tenant_classes", "programmes"):
        return dict(data.load_yaml(f"survey/{list_name}.yaml"))
    if list_name == "gpu":
        gpus = data.load_yaml("catalog/gpus.yaml")
        return {k: {"en": v["label"], "ko": v["label"]} for k, v in gpus.items()}
    return dict(data.load_yaml("survey/choices.yaml")[list_name])


def normalise(text: object) -> str:
    """Return a header or label in the form used for matching: lower case, no spaces or punctuation.

    Examples
    --------
    >>> normalise(" Annual growth (%) ")
    'annualgrowth(%)'
    """
    return re.sub(r"[\s_\-·.,/]+", "", str(text)).lower()


def _strip_unit(text: str) -> str:
    return re.sub(r"\(.*\)$", "", text)


@cache
def header_map(sheet: str) -> dict[str, str]:
    """Return normalised header -> internal column name for ``sheet`` (KO, EN, internal name).

    Headers match with or without their unit in brackets, so '연간 증가율 (%)' and
    '연간 증가율' both become ``growth_frac_per_y``.
    """
    out: dict[str, str] = {}
    for c in sheets()[sheet].columns:
        for text in (c.en, c.ko, c.name):
            key = normalise(text)
            out[key] = c.name
            out.setdefault(_strip_unit(key), c.name)
    return out


@cache
def sheet_map() -> dict[str, str]:
    """Return normalised sheet title (KO, EN or internal) -> internal sheet name."""
    out: dict[str, str] = {}
    for s in sheets().values():
        for text in (s.en, s.ko, s.name):
            out[normalise(text)] = s.name
    return out


def match_choice(list_name: str, value: object) -> str | None:
    """Return the key of ``value`` in a closed list (key, English or Korean label), or None."""
    key = normalise(value)
    for k, labels in choices(list_name).items():
        if key in (normalise(k), normalise(labels["en"]), normalise(labels["ko"])):
            return k
    return None
