"""Whatever the cells hold, validation reports problems and never raises (no traceback, no lost row)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aidc.survey import sheets
from aidc.survey.readers import RawSheet
from aidc.survey.validate import validate_sheets

cells = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["7B", "1.5T", "10%", "대학 (RISE)", "EXAMPLE", "h100_sxm", "U01"]),
)


@st.composite
def raw_sheets(draw: st.DrawFn) -> list[RawSheet]:
    out = []
    for name, spec in sheets().items():
        if name != "respondents" and draw(st.booleans()):
            continue
        headers = [c.en for c in spec.columns]
        if draw(st.booleans()):
            headers = draw(st.permutations(headers))
        rows = draw(st.lists(st.lists(cells, min_size=len(headers), max_size=len(headers)), max_size=4))
        out.append(RawSheet(name=name, title=spec.en, headers=list(headers),
                            rows=[(i + 2, r) for i, r in enumerate(rows)]))
    return out


@settings(max_examples=60, deadline=None)
@given(raw_sheets())
def test_validation_never_raises_and_accounts_for_every_row(raw: list[RawSheet]) -> None:
    table, problems = validate_sheets(raw, file="fuzz.xlsx")
    assert table is not None
    for sheet in raw:
        kept = table.respondents if sheet.name == "respondents" else table.needs[sheet.name]
        kept_rows = set(kept["source_row"])
        for row, values in sheet.rows:
            rid = values[sheet.headers.index("Respondent ID")]
            is_example = str(rid).strip().lower() == "example"
            reported = any(p.sheet == sheet.title and p.row in (row, 1) and p.severity == "error"
                           for p in problems)
            blank = all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
            # A row is kept, reported, the template's example, or blank (skipped by the reader).
            assert row in kept_rows or reported or is_example or blank


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([".csv", ".yaml", ".xlsx"]))
def test_any_file_bytes_give_a_report(tmp_path_factory, data: bytes, suffix: str) -> None:
    from aidc.survey import validate

    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(data)
    report = validate(path)  # never raises
    assert report.table is not None or report.errors


@settings(max_examples=40, deadline=None)
@given(st.recursive(st.none() | st.integers() | st.text(max_size=8) | st.dates(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=3), max_leaves=12))
def test_any_yaml_structure_gives_a_report(tmp_path_factory, tree: object) -> None:
    import yaml

    from aidc.survey import validate

    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_text(yaml.safe_dump({"respondents": tree, "training": [tree] if tree else []}),
                    encoding="utf-8")
    report = validate(path)
    assert report.table is not None or report.errors
