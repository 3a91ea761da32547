"""The layering rules of ../shared/STYLE.md, checked on the source tree.

Imports flow one way: survey -> demand -> design -> plan -> simulate -> energy -> economics
-> report. A stage imports only earlier stages, ``scenario``, ``units``, ``errors`` and
``data``; only ``io``, ``cli``, ``web``, ``sweep`` and the pipeline may import everything.
No stage imports Typer, FastAPI, rich or Dask.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "aidc"
STAGES = ["survey", "demand", "design", "plan", "simulate", "energy", "economics", "report"]
COMMON = {"scenario", "units", "errors", "data", "i18n", "cache"}
EDGE_ONLY = {"typer", "fastapi", "rich", "dask", "distributed", "uvicorn", "sqlalchemy", "starlette"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "aidc":
                # ``from aidc import data`` imports the submodule aidc.data
                names.update(f"aidc.{a.name}" for a in node.names)
            else:
                names.add(node.module)
    return names


#: What a stage may import beside earlier stages: the report renders the run's one Summary.
RENDERS = {"report": {"summary"}}


@pytest.mark.parametrize("stage", STAGES)
def test_stage_imports_only_earlier_stages(stage: str) -> None:
    allowed = COMMON | set(STAGES[: STAGES.index(stage) + 1]) | RENDERS.get(stage, set())
    for path in (SRC / stage).rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "aidc":
                sub = name.split(".")[1] if "." in name else ""
                assert sub in allowed, f"{path.relative_to(SRC)} imports {name}: stage {stage} may not"
            else:
                assert top not in EDGE_ONLY, f"{path.relative_to(SRC)} imports {top}: edge-only library"


def _is_module(name: str) -> bool:
    return (SRC / name).is_dir() or (SRC / f"{name}.py").is_file()


def test_core_modules_import_no_stage() -> None:
    for module in ("scenario", "units", "errors", "data"):
        paths = (SRC / module).rglob("*.py") if (SRC / module).is_dir() else [SRC / f"{module}.py"]
        for path in paths:
            for name in _imports(path):
                parts = name.split(".")
                # A name of the package root (``from aidc import DEFAULT_SCENARIO``) is no stage.
                if parts[0] == "aidc" and len(parts) > 1 and _is_module(parts[1]):
                    assert parts[1] in COMMON, f"{path.relative_to(SRC)} imports {name}"


def test_no_print_in_library_code() -> None:
    for stage in [*STAGES, "scenario"]:
        folder = SRC / stage
        for path in folder.rglob("*.py") if folder.is_dir() else []:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = [
                n for n in ast.walk(tree)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
            ]
            assert not calls, f"{path.relative_to(SRC)} prints: library code never prints"
