from __future__ import annotations

import json

from typer.testing import CliRunner

from aidc.cli import app

runner = CliRunner()


def test_default_design_prints_the_article_first() -> None:
    res = runner.invoke(app, ["design"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    out = res.output
    assert "8,000 kW IT capacity / 800 W per server = 10,000 servers" in out
    assert "784 x NVIDIA DGX H100" in out
    assert "6,272 GPUs" in out
    assert out.index("10,000 servers") < out.index("Fleet") < out.index("Checks")
    assert "Binding limit" in out
    assert "IT capacity" in out
    assert "pyeong" in out


def test_json_is_one_object() -> None:
    res = runner.invoke(app, ["design", "jeonbuk-ai", "--json"])
    assert res.exit_code == 0
    out = json.loads(res.output)
    assert out["fleet"]["servers"]["dgx_h100"] == 666
    assert out["network"]["backend"]["n_leaf"] > 0


def test_korean_labels() -> None:
    res = runner.invoke(app, ["design", "jeonbuk-ai", "--lang", "ko"], env={"COLUMNS": "160"})
    assert res.exit_code == 0
    for term in ("수전 용량", "무정전전원장치(UPS)", "냉각탑", "백색 공간(전산실)", "결정 제약", "평"):
        assert term in res.output, term


def test_failing_design_is_reported(tmp_path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text("name: small\nsite:\n  area_pyeong: 300\n  max_floors: 2\nfleet:\n  mix:\n"
                    "    reference_800w: 1.0\n", encoding="utf-8")
    res = runner.invoke(app, ["design", str(path)], env={"COLUMNS": "160"})
    assert res.exit_code == 0
    assert "does NOT fit" in res.output
    assert "FAIL" in res.output


def test_bad_input() -> None:
    assert runner.invoke(app, ["design", "nope.yaml"]).exit_code == 2
    assert runner.invoke(app, ["design", "--lang", "fr"]).exit_code != 0
