"""The one message catalog: every message the code and templates use has Korean, and both .po agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from aidc import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "t": None, "label": None}
_DOTTED = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _extracted() -> dict[str, list[str]]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    out: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            out.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return out


def _po(lang: str):  # noqa: ANN202 - a babel Catalog
    with i18n.po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    return _extracted()


def test_extraction_finds_the_messages_of_code_and_templates(extracted: dict[str, list[str]]) -> None:
    where = {loc.split(":")[0] for locs in extracted.values() for loc in locs}
    assert "ui.report_title" in extracted  # report template, keyword t
    assert "required value missing" in extracted  # survey validation, keyword _/N_
    assert any(w.endswith(".j2") for w in where)
    assert any(w.endswith(".py") for w in where)


def test_every_extracted_message_has_a_korean_translation(extracted: dict[str, list[str]]) -> None:
    missing = {m: locs[0] for m, locs in extracted.items() if not i18n.has(m, "ko")}
    assert missing == {}


def test_every_dotted_key_used_has_an_english_text_too(extracted: dict[str, list[str]]) -> None:
    # Korean marks a stage's free English text "(영문 원문)"; English needs no such marker.
    marker_only = {"ui.original_text"}
    missing = {m: locs[0] for m, locs in extracted.items()
               if _DOTTED.match(m) and not i18n.has(m, "en") and m not in marker_only}
    assert missing == {}


def test_korean_catalog_is_complete_and_not_fuzzy() -> None:
    bad = [m.id for m in _po("ko") if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple)
                                                                 else [m.string]))]
    assert bad == []


def test_both_languages_hold_the_same_messages() -> None:
    ko = {m.id if isinstance(m.id, str) else m.id[0] for m in _po("ko") if m.id}
    en = {m.id if isinstance(m.id, str) else m.id[0] for m in _po("en") if m.id}
    assert ko ^ en == {"ui.original_text"}


def test_translations_keep_the_placeholders_of_their_id() -> None:
    """A translation that drops or renames ``{n}`` would raise (or lie) when formatted."""
    bad = []
    en = i18n.catalog("en")
    for msgid, text in i18n.catalog("ko").items():
        source = en.get(msgid, msgid) if _DOTTED.match(msgid) else msgid
        forms = text if isinstance(text, tuple) else (text,)
        src = source[0] if isinstance(source, tuple) else source
        bad += [msgid for f in forms if set(_PLACEHOLDER.findall(f)) != set(_PLACEHOLDER.findall(src))]
    assert bad == []


def test_korean_sentences_are_korean() -> None:
    """Each Korean text holds Hangul, except units, symbols and format strings with no words."""
    words = re.compile(r"[A-Za-z]{3,}")
    bad = {m: t for m, t in i18n.catalog("ko").items() if isinstance(t, str)
           and not re.search("[가-힣]", t) and words.search(re.sub(r"\{\w+\}", "", t))
           and not m.startswith(("unit.", "term.", "value."))}
    assert bad == {}


@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "ko_KR.UTF-8"}, "ko"), ({"LC_ALL": "ko_KR.eucKR", "LANG": "en_US.UTF-8"}, "ko"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"AIDC_LANG": "ko", "LANG": "en_US.UTF-8"}, "ko"),
])
def test_language_from_the_locale(env: dict[str, str], lang: str) -> None:
    assert i18n.detect_lang(environ=env) == lang


def test_explicit_language_wins_and_unknown_is_refused() -> None:
    assert i18n.detect_lang("en", {"LANG": "ko_KR.UTF-8"}) == "en"
    with pytest.raises(ValueError, match="en, ko"):
        i18n.detect_lang("fr", {})


@pytest.mark.parametrize(("header", "lang"), [
    ("ko-KR,ko;q=0.9,en;q=0.8", "ko"), ("en-US,en;q=0.9,ko;q=0.8", "en"), ("en;q=0.2, ko;q=0.8", "ko"),
    ("fr-FR, de;q=0.5", "ko"), ("", "ko"), (None, "ko"), ("en;q=0", "ko"), ("en;q=abc", "ko"),
])
def test_accept_language(header: str | None, lang: str) -> None:
    assert i18n.accept_language(header) == lang


def test_context_language_applies_inside_the_block_only() -> None:
    with i18n.use_lang("en"):
        assert i18n._("no such file") == "no such file"
        with i18n.use_lang("ko"):
            assert i18n._("no such file") == "파일이 없음"
    assert i18n.current_lang() == i18n.DEFAULT_LANG


def test_plural_forms() -> None:
    one, many = "{n} problem in the input", "{n} problems in the input"
    assert [i18n.ngettext(one, many, n, "en") for n in (1, 2)] == ["1 problem in the input",
                                                                   "2 problems in the input"]
    assert i18n.ngettext(one, many, 1, "ko") == "입력에 문제 1건"


def test_a_missing_dotted_key_is_loud() -> None:
    assert i18n.label("no.such.key", "ko") == "⟦no.such.key⟧"
    sentence = "an English sentence nobody translated"
    assert i18n.gettext(sentence, "ko") == sentence


def test_an_edited_catalog_is_recompiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled .mo is keyed by the .po content, so a changed .po is never served stale."""
    monkeypatch.setenv("AIDC_CACHE_DIR", str(tmp_path))
    first = i18n._compiled("ko")
    assert first.parent.parent == tmp_path
    assert first.is_file()
    assert i18n._compiled("ko") == first  # cached
    locale = tmp_path / "locale" / "ko" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    po = locale / "aidc.po"
    po.write_bytes(i18n.po_path("ko").read_bytes().replace("파일이 없음".encode(), "파일 없음".encode()))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    assert i18n._compiled("ko") != first
