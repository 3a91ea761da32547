"""Weather readers: EPW and hourly CSV, their header map, and their errors (line and column)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aidc.energy.weather import default_weather
from aidc.errors import InputError
from aidc.io.weather import read_epw, read_weather, read_weather_csv, write_epw_text

DATA = Path(__file__).resolve().parents[1] / "data" / "weather"
EPW = DATA / "jeonju_sample.epw"
KMA_CSV = DATA / "jeonju_sample_kma.csv"


def test_epw_sample_read() -> None:
    """The 48-hour EPW sample: EPW hour 1 (00:00-01:00) becomes hour 0; % becomes a fraction."""
    w = read_epw(EPW, full_year=False)
    assert len(w) == 48
    first = w.iloc[0]
    # line 9 of the file: 2001,7,15,1,60,?9?9?9?9,23.5,21.0,86,101325,...
    assert (first.month, first.day, first.hour) == (7, 15, 0)
    assert first.temp_air_c == 23.5
    assert first.relative_humidity_frac == pytest.approx(0.86)
    assert first.pressure_pa == 101325
    assert first.temp_dew_c == 21.0
    assert w.attrs["latitude_deg"] == 35.82
    assert w.attrs["elevation_m"] == 61.4
    # a wet bulb lies between the dew point and the dry bulb
    assert (w.wet_bulb_c <= w.temp_air_c + 1e-9).all()
    assert (w.wet_bulb_c >= w.temp_dew_c - 0.1).all()


def test_samples_match_the_typical_year() -> None:
    """Both samples hold 15-16 July of the shipped typical year (at the files' precision)."""
    typical = default_weather()
    july = typical[(typical.month == 7) & typical.day.isin([15, 16])].reset_index(drop=True)
    epw = read_epw(EPW, full_year=False)
    csv = read_weather_csv(KMA_CSV, full_year=False)
    np.testing.assert_allclose(epw.temp_air_c, july.temp_air_c, atol=0.05)
    np.testing.assert_allclose(csv.temp_air_c, july.temp_air_c, atol=1e-3)
    np.testing.assert_allclose(csv.relative_humidity_frac, july.relative_humidity_frac, atol=1e-3)
    assert list(csv.hour[:3]) == [0, 1, 2]


def test_full_year_round_trip(tmp_path: Path) -> None:
    """A whole year written as EPW and as CSV reads back to the same weather."""
    typical = default_weather()
    (tmp_path / "y.epw").write_text(write_epw_text(typical), encoding="utf-8")
    typical.to_csv(tmp_path / "y.csv", index=False)
    epw, csv = read_weather(tmp_path / "y.epw"), read_weather(tmp_path / "y.csv")
    assert len(epw) == len(csv) == 8760
    np.testing.assert_allclose(epw.temp_air_c, typical.temp_air_c, atol=0.05)
    np.testing.assert_allclose(csv.wet_bulb_c, typical.wet_bulb_c, atol=1e-9)  # file's own wet bulb kept
    # EPW keeps RH in whole percent: 0.5 % of RH moves a cold wet bulb by up to ~0.4 K
    np.testing.assert_allclose(epw.wet_bulb_c, typical.wet_bulb_c, atol=0.4)


def test_leap_year_drops_29_february(tmp_path: Path) -> None:
    ts = pd.date_range("2024-01-01", periods=8784, freq="h")
    frame = pd.DataFrame({"timestamp": ts.strftime("%Y-%m-%d %H:%M"), "temp_air_c": 10.0, "rh_pct": 50})
    frame.to_csv(tmp_path / "leap.csv", index=False)
    w = read_weather_csv(tmp_path / "leap.csv")
    assert len(w) == 8760
    assert not ((w.month == 2) & (w.day == 29)).any()
    assert w.relative_humidity_frac.iloc[0] == 0.5


def _epw_with(tmp_path: Path, line_no: int, field: int, value: str) -> Path:
    lines = EPW.read_text(encoding="utf-8").splitlines()
    fields = lines[line_no - 1].split(",")
    fields[field] = value
    lines[line_no - 1] = ",".join(fields)
    p = tmp_path / "bad.epw"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_epw_missing_value_names_line_and_column(tmp_path: Path) -> None:
    bad = _epw_with(tmp_path, 12, 6, "99.9")
    with pytest.raises(InputError) as info:
        read_epw(bad, full_year=False)
    assert str(info.value) == f"{bad}:12, column 'temp_air_c': missing value (found '99.9')"


def test_epw_not_a_number(tmp_path: Path) -> None:
    bad = _epw_with(tmp_path, 20, 8, "wet")
    with pytest.raises(InputError) as info:
        read_epw(bad, full_year=False)
    p = info.value.problems[0]
    assert (p.line, p.column, p.found) == (20, "relative_humidity_pct", "wet")


def test_epw_date_out_of_range(tmp_path: Path) -> None:
    bad = _epw_with(tmp_path, 15, 1, "13")
    with pytest.raises(InputError) as info:
        read_epw(bad, full_year=False)
    assert (info.value.problems[0].line, info.value.problems[0].column) == (15, "month/day")


def test_epw_short_year_and_not_epw(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="one year hour by hour"):
        read_epw(EPW)
    other = tmp_path / "x.epw"
    other.write_text("hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an EPW file"):
        read_epw(other)


def test_csv_errors_name_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_text("temp_air_c,rh_pct\n20,50\nwarm,50\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_weather_csv(p, full_year=False)
    assert (info.value.problems[0].line, info.value.problems[0].column) == (3, "temp_air_c")
    p.write_text("temp_air_c\n20\n", encoding="utf-8")
    with pytest.raises(InputError, match="column missing"):
        read_weather_csv(p, full_year=False)
    p.write_text("temp_air_c,rh_pct\n20,50\n20,150\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_weather_csv(p, full_year=False)
    assert (info.value.problems[0].row, info.value.problems[0].column) == (2, "relative_humidity_frac")


def test_csv_timestamps_must_step_hourly(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_text(
        "timestamp,temp_air_c,rh_pct\n2001-01-01 00:00,1,50\n2001-01-01 02:00,1,50\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        read_weather_csv(p, full_year=False)
    assert info.value.problems[0].line == 3


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown weather file type"):
        read_weather(tmp_path / "w.txt")
    with pytest.raises(InputError, match="no such weather file"):
        read_weather(tmp_path / "none.epw")


SEVILLE = DATA / "seville_iwec_excerpt.epw"


def test_real_iwec_file_with_a_latin1_comment_is_read() -> None:
    """Seville's IWEC file as it is distributed: its COMMENTS 1 line is Latin-1, not UTF-8.

    The excerpt's line 9 (15 July, hour 1) reads ``1988,7,15,1,60,...,24.7,17.9,66,101830.0,...``
    (tests/data/weather/README.md gives its provenance).
    """
    raw = SEVILLE.read_bytes()
    assert "automáticamente".encode("latin-1") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    w = read_epw(SEVILLE, full_year=False)
    assert len(w) == 48
    assert w.attrs["city"] == "SEVILLA"
    assert (w.attrs["latitude_deg"], w.attrs["longitude_deg"], w.attrs["elevation_m"]) == (37.42, -5.9, 31.0)
    line9 = raw.split(b"\r\n")[8].decode("ascii").split(",")
    first = w.iloc[0]
    assert (first.month, first.day, first.hour) == (7, 15, 0)
    assert (float(line9[6]), float(line9[8])) == (24.7, 66.0)
    assert first.temp_air_c == 24.7
    assert first.relative_humidity_frac == pytest.approx(0.66)


@pytest.mark.parametrize(
    ("encoding", "comment"),
    [
        ("utf-8", "Données converties – Sevilla"),
        ("cp1252", "Données converties – Sevilla"),  # '–' is 0x96 in cp1252, absent from Latin-1
        ("latin-1", "Données converties, Sevilla"),
    ],
)
def test_epw_comment_in_each_encoding_real_files_use(tmp_path: Path, encoding: str, comment: str) -> None:
    """A test file built here (no real cp1252 file is shipped): only the comment differs."""
    text = EPW.read_text(encoding="utf-8").replace("COMMENTS 2,", f"COMMENTS 2,{comment}", 1)
    p = tmp_path / "c.epw"
    p.write_bytes(text.encode(encoding))
    got, ref = read_epw(p, full_year=False), read_epw(EPW, full_year=False)
    pd.testing.assert_frame_equal(got, ref)


def test_broken_location_line_names_line_and_field(tmp_path: Path) -> None:
    lines = EPW.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("35.82", "35.82°N", 1)
    p = tmp_path / "loc.epw"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_epw(p, full_year=False)
    prob = info.value.problems[0]
    assert (prob.line, prob.column, prob.found) == (1, "LOCATION field 7 (latitude_deg)", "35.82°N")


def test_binary_garbage_in_a_data_line_names_line_and_field(tmp_path: Path) -> None:
    raw = EPW.read_bytes().split(b"\n")
    fields = raw[10].split(b",")
    fields[6] = b"\x00\xff\xfe"
    raw[10] = b",".join(fields)
    p = tmp_path / "bin.epw"
    p.write_bytes(b"\n".join(raw))
    with pytest.raises(InputError) as info:
        read_epw(p, full_year=False)
    prob = info.value.problems[0]
    assert (prob.line, prob.column) == (11, "temp_air_c")
