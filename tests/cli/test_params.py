"""The CLI's own reading of option values gives what typer's pydantic adapters give, or defers to them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.cli._params import UNSURE, QuickRuntimeParam, quick_number, quicken

# typer >= 0.2x coerces through pydantic adapters; an older typer has neither them nor the cost
build_runtime_param = pytest.importorskip("typer._coercion").build_runtime_param

app = typer.Typer()


@app.command()
def _probe(
    name: Annotated[str, typer.Option()] = "x",
    n: Annotated[int, typer.Option(min=1)] = 8,
    frac: Annotated[float, typer.Option(min=0, max=1)] = 0.5,
    big: Annotated[int | None, typer.Option()] = None,
    rate: Annotated[float | None, typer.Option()] = None,
    out: Annotated[Path | None, typer.Option()] = None,
    trace: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
    tags: Annotated[list[str] | None, typer.Option()] = None,
    flag: Annotated[bool, typer.Option()] = False,
) -> None:
    """Every kind of option aidc's commands take."""


COMMAND = typer.main.get_command(app)
PARAMS: dict[str | None, Any] = {p.name: p for p in COMMAND.params}


def _outcome(runtime: Any, name: str, value: object) -> tuple[str, object]:
    param = PARAMS[name]
    ctx = typer.Context(COMMAND)
    try:
        got = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the message is what is compared
        return type(exc).__name__, exc.format_message() if hasattr(exc, "format_message") else str(exc)
    return type(got).__name__, repr(got)  # repr: nan equals nan, -0.0 differs from 0.0


def _same_as_typer(name: str, value: object) -> None:
    typer_runtime = build_runtime_param(PARAMS[name].type_descriptor)
    assert _outcome(QuickRuntimeParam(PARAMS[name]), name, value) == _outcome(typer_runtime, name, value)


NUMBERISH = st.one_of(
    st.from_regex(r"\A-?[0-9]{1,25}(\.[0-9]{1,12})?\Z"),
    st.sampled_from(["", " 3", "3 ", "+3", "1_000", "1e3", "1.", ".5", "inf", "nan", "0x10", "٣", "07",
                     "-0"]),
    st.integers(-10**20, 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
)


@settings(deadline=None)  # the first example builds typer's adapter (imports pydantic)
@given(value=NUMBERISH, name=st.sampled_from(["n", "frac", "big", "rate"]))
def test_numbers_read_as_typer_reads_them(value: object, name: str) -> None:
    _same_as_typer(name, value)


@settings(deadline=None)
@given(value=st.one_of(st.text(max_size=12), st.sampled_from(["", "-", ".", "a\0b", "~/x"])),
       name=st.sampled_from(["name", "out"]))
def test_texts_and_paths_read_as_typer_reads_them(value: str, name: str) -> None:
    _same_as_typer(name, value)


@pytest.mark.parametrize("value", [Path("tests/data"), "tests/data/README.md", "no/such/file", __file__])
def test_file_checks_are_typers(value: object) -> None:
    # exists=True, dir_okay=False: the checks and their messages are typer's own
    _same_as_typer("trace", value)


@pytest.mark.parametrize(("name", "value"), [("tags", ("a", "b")), ("tags", ()), ("tags", None),
                                             ("flag", True), ("flag", None), ("flag", "yes"), ("n", None)])
def test_lists_flags_and_missing_values_as_typer(name: str, value: object) -> None:
    _same_as_typer(name, value)


def test_plain_values_need_no_adapter() -> None:
    quick = QuickRuntimeParam(PARAMS["n"])
    assert quick.coerce("640", param=PARAMS["n"], ctx=typer.Context(COMMAND)) == 640
    assert quick._typer is None  # typer's adapter (pydantic) never built


def test_out_of_range_is_left_to_typer() -> None:
    assert quick_number(int, "0", 1, None) is UNSURE
    assert quick_number(float, "1.5", 0, 1) is UNSURE
    with pytest.raises(typer.BadParameter, match=">= 1|greater than or equal to 1"):
        QuickRuntimeParam(PARAMS["n"]).coerce("0", param=PARAMS["n"], ctx=typer.Context(COMMAND))


def test_quicken_reaches_subcommands_and_help() -> None:
    group = typer.main.get_group(typer.Typer())
    sub = typer.main.get_command(app)
    group.add_command(sub, "probe")
    quicken(group)
    assert all(isinstance(getattr(p, "_runtime_param", None), QuickRuntimeParam) for p in sub.params)
    help_option = sub.get_help_option(typer.Context(sub))
    assert isinstance(getattr(help_option, "_runtime_param", None), QuickRuntimeParam)
