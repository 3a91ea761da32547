"""Money on the report's charts: no SI suffix ("500B"), and 억 원 for a Korean reader."""

from __future__ import annotations

import numpy as np
import pytest

from aidc.report import figures, i18n


@pytest.fixture(scope="module")
def charts(default_result) -> dict[str, list]:
    return {lang: figures.economics_figures(default_result.economics, i18n.text(lang))
            for lang in ("ko", "en")}


def test_money_axes_have_no_si_suffix(charts) -> None:
    for lang in ("ko", "en"):
        assert charts[lang], lang
        for fig in charts[lang]:
            assert fig.layout.yaxis.tickformat == ","
            assert fig.layout.yaxis.exponentformat == "none"


def test_korean_money_is_drawn_in_eok_won(charts, default_result) -> None:
    """1억 원 = 10^8 원: the Korean bars are the English ones divided by 10^8, the axis says 억 원."""
    ko, en = charts["ko"][-1], charts["en"][-1]  # capital cost by part
    assert ko.layout.yaxis.title.text.endswith("[억 원]")
    np.testing.assert_allclose(np.asarray(ko.data[0].y), np.asarray(en.data[0].y) / 100_000_000)
    assert sum(ko.data[0].y) == pytest.approx(default_result.economics.capex["capex_krw"].sum() / 1e8)
