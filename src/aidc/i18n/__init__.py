"""The one message catalog of aidc: gettext ``.po`` files per language, read with Babel.

Every user-facing string (CLI, survey messages, web pages, report, workbook) is looked up here.
Two kinds of message id live in the same catalog:

* an English sentence, the gettext convention (``_("no such file")``): English output is the id
  itself, ``ko/LC_MESSAGES/aidc.po`` holds the Korean;
* a dotted key for labels chosen from data (``term.it_power``, ``value.estimate``): both
  ``en`` and ``ko`` hold a translation, and a missing one is shown as ``⟦key⟧``.

The ``.po`` files are the source; they are compiled to ``.mo`` by Babel on first use and cached
per content hash in the user's cache folder (``AIDC_CACHE_DIR`` or ``~/.cache/aidc``), then read
by the standard library's gettext, so no binary is committed. ``babel.cfg`` at the top of the
repository drives extraction (with :mod:`aidc.i18n.extract`, which also finds the message ids of
input problems), and ``tests/i18n`` fails on any extracted message without a Korean translation.

The language of a message is passed explicitly (``gettext(msgid, lang)``) or taken from the
context set by :func:`use_lang` (the CLI sets it from ``--lang``, the web per request).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"  # Korean first: the web and anything without a locale speak Korean
DOMAIN = "aidc"
LOCALE_DIR = Path(__file__).parent / "locale"
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"

_current: ContextVar[str] = ContextVar("aidc_lang", default=DEFAULT_LANG)


@cache
def catalog(lang: str) -> dict[str, str | tuple[str, ...]]:
    """Return the compiled messages of ``lang``: msgid -> text (a tuple of forms for plurals).

    Untranslated and fuzzy entries are left out, so the caller falls back to the id.
    """
    with _compiled(check_lang(lang)).open("rb") as fh:
        mo = stdlib_gettext.GNUTranslations(fh)
    # GNUTranslations keeps msgid -> text in ``_catalog`` (plurals under (msgid, index)); it has
    # been the layout since Python 2, and reading it whole is what lets ``has`` and the report's
    # label lists work without a second parser.
    raw: dict[Any, str] = mo._catalog  # type: ignore[attr-defined]
    out: dict[str, str | tuple[str, ...]] = {}
    plurals: dict[str, dict[int, str]] = {}
    for key, text in raw.items():
        if isinstance(key, tuple):
            plurals.setdefault(key[0], {})[key[1]] = text
        elif key:
            out[key] = text
    for msgid, forms in plurals.items():
        out[msgid] = tuple(forms[i] for i in sorted(forms))
    return out


def _compiled(lang: str) -> Path:
    """Return a ``.mo`` compiled from the ``.po`` of ``lang``, compiling it once per ``.po`` content.

    Babel needs about a second to parse the ``.po`` of a thousand messages on a loaded machine,
    far too slow for every CLI call, so the result is cached under the user's cache folder,
    keyed by the hash of the ``.po`` (an edited catalog is recompiled, never served stale).
    """
    import hashlib  # here, not at import: a command that prints no message never pays for it

    from aidc import cache

    po = po_path(lang)
    digest = hashlib.sha256(po.read_bytes()).hexdigest()[:16]
    target = cache.root() / "i18n" / f"{DOMAIN}-{lang}-{digest}.mo"
    if target.is_file():
        return target
    import tempfile  # only to compile: a cached catalog is read without it

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        parsed = read_po(fh, locale=lang, domain=DOMAIN)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, parsed)
        os.replace(tmp, target)  # atomic: two processes compiling at once both end well
    except OSError:
        # A read-only home (a locked-down server): compile into a private temporary file.
        fd, tmp = tempfile.mkstemp(suffix=".mo")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, parsed)
        return Path(tmp)
    return target


def po_path(lang: str) -> Path:
    """Return the path of the ``.po`` file of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def check_lang(lang: str) -> str:
    """Return ``lang`` if aidc speaks it, else raise ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(sorted(LANGS))}, not {lang!r}")
    return lang


def current_lang() -> str:
    """Return the language of the current context (see :func:`use_lang`)."""
    return _current.get()


@contextmanager
def use_lang(lang: str) -> Iterator[str]:
    """Speak ``lang`` inside the ``with`` block (per thread and per asyncio task)."""
    token = _current.set(check_lang(lang))
    try:
        yield lang
    finally:
        _current.reset(token)


def gettext(msgid: str, lang: str | None = None, /, **params: Any) -> str:
    """Return ``msgid`` in ``lang`` (default: the current context), ``{params}`` filled in.

    Examples
    --------
    >>> gettext("no such file", "ko")
    '파일이 없음'
    >>> gettext("no such file", "en")
    'no such file'
    >>> gettext("section.summary", "ko")
    '요약'

    A :class:`aidc.errors.Note` (a sentence that keeps its message id and parameters) is written
    from its id: ``gettext(Note("needs {stages}, which did not run", stages="design"), "ko")``.
    """
    msgid, params = _unwrap(msgid, params)
    text = catalog(lang or current_lang()).get(msgid)
    if not isinstance(text, str):
        text = msgid
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, lang: str | None = None, /, **params: Any) -> str:
    """Return the singular or plural form for count ``n`` (``{n}`` is filled in too).

    Examples
    --------
    >>> ngettext("{n} problem in the input", "{n} problems in the input", 2, "en")
    '2 problems in the input'
    >>> ngettext("{n} problem in the input", "{n} problems in the input", 2, "ko")
    '입력에 문제 2건'
    """
    forms = catalog(lang or current_lang()).get(singular)
    if isinstance(forms, tuple):
        # Korean has one form; English two (n == 1 or not), as the .po headers declare.
        text = forms[min(_plural_index(lang or current_lang(), n), len(forms) - 1)]
    else:
        text = singular if n == 1 else plural
    return text.format(n=n, **params)


def _plural_index(lang: str, n: int) -> int:
    return 0 if lang == "ko" else int(n != 1)


def _(msgid: str, /, **params: Any) -> str:
    """Shorthand of :func:`gettext` in the current language (the name extraction looks for)."""
    return gettext(msgid, None, **params)


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``msgid`` for extraction without translating it now (translated where shown)."""
    return msgid


def has(msgid: str, lang: str) -> bool:
    """Return True if ``msgid`` (or a Note's id) has a translation in ``lang``."""
    return _unwrap(msgid, {})[0] in catalog(lang)


def _unwrap(msgid: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # duck-typed, so that this module imports nothing of aidc (aidc.errors imports it)
    inner = getattr(msgid, "msgid", None)
    if isinstance(inner, str):
        return inner, {**getattr(msgid, "params", {}), **params}
    return msgid, params


def label(key: str, lang: str | None = None, /, **params: Any) -> str:
    """Return the translation of a dotted key, or ``⟦key⟧`` when there is none (loud on purpose)."""
    text = catalog(lang or current_lang()).get(key)
    if not isinstance(text, str):
        return f"{MARK_OPEN}{key}{MARK_CLOSE}"
    return text.format(**params) if params else text


def detect_lang(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Return the language to speak: ``explicit`` if given, else ``AIDC_LANG``, else the locale.

    The locale is read as POSIX does (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``): ``ko``
    when it is Korean, ``en`` for any other named locale. With no locale at all (or ``C``/``POSIX``)
    aidc speaks English on a terminal, since such a shell is usually not a Korean desktop.

    Examples
    --------
    >>> detect_lang(environ={"LANG": "ko_KR.UTF-8"})
    'ko'
    >>> detect_lang(environ={"LANG": "en_US.UTF-8"}), detect_lang("ko", {"LANG": "C"})
    ('en', 'ko')
    """
    if explicit:
        return check_lang(explicit)
    env = os.environ if environ is None else environ
    if env.get("AIDC_LANG"):
        return check_lang(env["AIDC_LANG"])
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def accept_language(header: str | None) -> str:
    """Return the first language of an HTTP ``Accept-Language`` header aidc speaks, else Korean.

    Examples
    --------
    >>> accept_language("en-US,en;q=0.9,ko;q=0.8")
    'en'
    >>> accept_language("fr-FR, de;q=0.5"), accept_language(None)
    ('ko', 'ko')
    """
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANG
