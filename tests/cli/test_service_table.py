"""The service-level table of `aidc design` / `aidc plan` names tenant classes in the reader's language."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from tests.i18n.english import english_words

from aidc.cli.design import service_table
from aidc.design import labels
from aidc.service import FleetSizing


def _sizing() -> FleetSizing:
    # two candidate fleets: 64 GPUs miss the university level (p95 2.5 h > 1 h), 128 meet it
    curve = pd.DataFrame({"n_gpu_servers": [8, 16], "n_gpus": [64, 128],
                          "p95_wait_h__university": [2.5, 0.4], "meets": [False, True]})
    return FleetSizing(curve=curve, n_gpu_servers=16, n_gpus=128, binding_class="university",
                       servers={"dgx_h100": 16})


def _text(lang: str) -> str:
    console = Console(width=200, record=True)
    console.print(service_table(_sizing(), labels(lang), lang))
    return console.export_text()


def test_korean_table_names_the_class_not_its_key() -> None:
    shown = _text("ko")
    assert "대학" in shown
    assert "university" not in shown
    assert english_words(shown) == []
    assert "128" in shown


def test_english_table_keeps_the_key_the_options_take() -> None:
    assert "university" in _text("en")
