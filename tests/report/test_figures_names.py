"""The report's charts name data keys as a reader knows them: server types, tenant classes, cost parts."""

from __future__ import annotations

from types import SimpleNamespace

from aidc.report import figures, i18n


def test_servers_by_type_are_drawn_by_their_catalog_names() -> None:
    design = SimpleNamespace(fleet=SimpleNamespace(servers={"dgx_h100": 157, "cpu_cloud": 40}))
    for lang, names in (("en", ["NVIDIA DGX H100 (8x H100 SXM5 80 GB)", "Dual-socket cloud CPU server"]),
                        ("ko", ["NVIDIA DGX H100 (8x H100 SXM5 80 GB)", "듀얼 소켓 클라우드 CPU 서버"])):
        (fleet,) = figures.design_figures(design, i18n.text(lang))
        assert list(fleet.data[0].x) == names
        assert list(fleet.data[0].y) == [157, 40]


def test_tenant_classes_of_the_demand_chart_are_named() -> None:
    import pandas as pd

    by_year = pd.DataFrame({"year": [2028, 2028], "tenant_class": ["university", "startup_sme"],
                            "gpu_hours": [10.0, 5.0]})
    demand = SimpleNamespace(by_year=by_year)
    (chart,) = figures.demand_figures(demand, i18n.text("ko"))
    # value.university first, then the survey's label
    assert sorted(trace.name for trace in chart.data) == ["대학", "스타트업·중소기업"]
