"""Parsed copies of the shipped data files (aidc.data.load_yaml): the same documents, never stale."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from aidc import data

load = data.load_yaml.__wrapped__  # past the in-process cache: each call reads the folder


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIDC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "_HERE", tmp_path / "shipped")
    (tmp_path / "shipped").mkdir()
    return tmp_path / "shipped"


def test_every_shipped_file_reads_back_as_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDC_CACHE_DIR", str(tmp_path / "cache"))
    names = sorted(p.relative_to(data.path("")).as_posix() for p in data.path("").rglob("*.yaml"))
    assert len(names) > 30
    for name in names:
        with data.path(name).open(encoding="utf-8") as fh:
            parsed = yaml.safe_load(fh)
        assert load(name) == parsed, name  # the first read parses and stores
        assert load(name) == parsed, name  # the second reads the stored copy


def test_an_edited_file_is_parsed_again(folder: Path) -> None:
    file = folder / "x.yaml"
    file.write_text("a: {value: 1, unit: W, source: s}\n")
    assert load("x.yaml")["a"]["value"] == 1
    assert any((folder.parent / "cache" / "data").iterdir())
    file.write_text("a: {value: 2, unit: W, source: s}\n")
    os.utime(file, ns=(file.stat().st_atime_ns, file.stat().st_mtime_ns + 1_000_000))
    assert load("x.yaml")["a"]["value"] == 2


def test_a_document_marshal_cannot_hold_is_parsed_every_time(folder: Path) -> None:
    (folder / "d.yaml").write_text("effective: 2024-01-01\n")
    assert load("d.yaml") == {"effective": dt.date(2024, 1, 1)}
    assert load("d.yaml") == {"effective": dt.date(2024, 1, 1)}
    assert not list((folder.parent / "cache" / "data").glob("*.marshal"))


def test_a_damaged_copy_is_parsed_again(folder: Path) -> None:
    (folder / "x.yaml").write_text("k: [1, 2]\n")
    load("x.yaml")
    (copy,) = (folder.parent / "cache" / "data").glob("*.marshal")
    copy.write_bytes(b"\x00garbage")
    assert load("x.yaml") == {"k": [1, 2]}
