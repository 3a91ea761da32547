"""Weather files: EnergyPlus EPW and plain hourly CSV, read into aidc's weather frame.

Both readers return 8,760 rows (29 February dropped from leap years) with the columns
``month, day, hour`` (hour 0..23 = hour beginning), ``temp_air_c``,
``relative_humidity_frac``, ``pressure_pa``, ``wet_bulb_c`` (computed with psychrolib)
and, when the file has it, ``temp_dew_c``. Headers are renamed once through
:data:`VARIABLE_MAP`; percent and hectopascal inputs are converted here, at the edge.
A bad file raises :class:`aidc.errors.InputError` naming its line and column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import psychrolib

from aidc.energy.weather import N_HOURS, prepare_weather
from aidc.errors import InputError, Problem
from aidc.units import PCT_PER_FRAC

EPW_HEADER_LINES = 8
# EnergyPlus Auxiliary Programs, "Weather Converter Program", EPW data fields (0-based positions)
# and their missing-value codes.
EPW_FIELDS = {
    "year": 0,
    "month": 1,
    "day": 2,
    "hour": 3,
    "temp_air_c": 6,
    "temp_dew_c": 7,
    "relative_humidity_pct": 8,
    "pressure_pa": 9,
}
EPW_MISSING = {"temp_air_c": 99.9, "relative_humidity_pct": 999.0, "pressure_pa": 999999.0}
EPW_DEW_MISSING = 99.9  # dew point is optional: a file missing it loses the column, not the year
PA_PER_HPA = 100.0  # definition of the hectopascal

# Header of a CSV column (lower case, spaces stripped) -> (aidc name, factor to aidc unit).
VARIABLE_MAP: dict[str, tuple[str, float]] = {
    **dict.fromkeys(
        ["temp_air_c", "temperature_c", "dry_bulb_c", "drybulb_c", "t_c", "기온(°c)", "기온(c)", "기온"],
        ("temp_air_c", 1.0),
    ),
    **dict.fromkeys(["temp_dew_c", "dew_point_c", "dewpoint_c", "이슬점온도(°c)"], ("temp_dew_c", 1.0)),
    **dict.fromkeys(["relative_humidity_frac", "rh_frac"], ("relative_humidity_frac", 1.0)),
    **dict.fromkeys(
        ["relative_humidity_pct", "rh_pct", "rh(%)", "relative_humidity(%)", "습도(%)", "습도"],
        ("relative_humidity_frac", 1.0 / PCT_PER_FRAC),
    ),
    **dict.fromkeys(["pressure_pa", "station_pressure_pa"], ("pressure_pa", 1.0)),
    **dict.fromkeys(["pressure_hpa", "현지기압(hpa)", "기압(hpa)"], ("pressure_pa", PA_PER_HPA)),
    **dict.fromkeys(["wet_bulb_c", "wetbulb_c"], ("wet_bulb_c", 1.0)),
    **dict.fromkeys(["timestamp", "datetime", "date_time", "time", "일시"], ("timestamp", 1.0)),
}


#: Encodings tried in order. Real EPW files are UTF-8 (EnergyPlus 9+, Climate.OneBuilding) or
#: Windows-1252 / Latin-1 (IWEC files re-saved by Spanish, Portuguese and French tools, e.g.
#: Seville's "Convertido automáticamente" comment). Latin-1 maps every byte, so it is last.
TEXT_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def decode_text(raw: bytes) -> str:
    """Decode the bytes of a weather file with the first of :data:`TEXT_ENCODINGS` that fits.

    Only the header lines carry free text; the data lines are ASCII in every encoding, so a
    wrong guess among these can at worst garble a comment, never a number.

    Examples
    --------
    >>> decode_text("Convertido automáticamente".encode("latin-1"))
    'Convertido automáticamente'
    """
    for encoding in TEXT_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _number(text: str, line: int, column: str, file: str, problems: list[Problem]) -> float:
    try:
        return float(text)
    except ValueError:
        problems.append(Problem("not a number", file=file, line=line, column=column, found=text))
        return float("nan")


def _finish(frame: pd.DataFrame, file: str, full_year: bool) -> pd.DataFrame:
    leap = (frame["month"] == 2) & (frame["day"] == 29)
    frame = frame[~leap].reset_index(drop=True)
    if full_year and len(frame) != N_HOURS:
        raise InputError.single(
            "a weather file must cover one year hour by hour",
            file=file,
            found=f"{len(frame)} hours",
            expected=f"{N_HOURS} (8,784 in a leap year)",
        )
    return prepare_weather(frame, file, full_year)


def read_epw(path: str | Path, full_year: bool = True) -> pd.DataFrame:
    """Read an EnergyPlus weather file (EPW) into aidc's hourly weather frame.

    The location (city, latitude, longitude, time zone, elevation) goes into ``frame.attrs``.
    Missing-value codes (99.9 °C, 999 %, 999999 Pa) are errors, each named by line and column.
    ``full_year=False`` reads a sample of any length instead of requiring 8,760 hours.

    References
    ----------
    EnergyPlus Auxiliary Programs, "Weather Converter Program: EnergyPlus Weather File (EPW) Data
    Dictionary", US DOE.
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError.single(f"cannot read the file ({exc.__class__.__name__})", file=file) from None
    lines = decode_text(raw).splitlines()
    if not lines or not lines[0].startswith("LOCATION"):
        raise InputError.single("not an EPW file", file=file, line=1, expected="first line 'LOCATION,...'")
    loc = next(csv.reader([lines[0]]))
    problems: list[Problem] = []
    rows = []
    for n, text in enumerate(lines[EPW_HEADER_LINES:], start=EPW_HEADER_LINES + 1):
        if not text.strip():
            continue
        fields = text.split(",")
        if len(fields) <= max(EPW_FIELDS.values()):
            problems.append(
                Problem("too few fields", file=file, line=n, found=len(fields), expected="35 fields")
            )
            continue
        row = {k: _number(fields[i], n, k, file, problems) for k, i in EPW_FIELDS.items()}
        for k, code in EPW_MISSING.items():
            if row[k] >= code:
                problems.append(
                    Problem("missing value", file=file, line=n, column=k, found=fields[EPW_FIELDS[k]])
                )
        if not (1 <= row["month"] <= 12 and 1 <= row["day"] <= 31):
            problems.append(
                Problem(
                    "date out of range",
                    file=file,
                    line=n,
                    column="month/day",
                    found=f"{fields[1]}/{fields[2]}",
                    expected="month 1-12, day 1-31",
                )
            )
        if not 1 <= row["hour"] <= 24:
            problems.append(
                Problem(
                    "hour out of range",
                    file=file,
                    line=n,
                    column="hour",
                    found=fields[3],
                    expected="1 to 24 (hour ending)",
                )
            )
        rows.append(row)
        if len(problems) >= 20:  # enough to show what is wrong with the file
            break
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(rows)
    frame["hour"] = frame["hour"].astype(int) - 1  # EPW hour 1 is 00:00-01:00
    frame[["month", "day"]] = frame[["month", "day"]].astype(int)
    frame["relative_humidity_frac"] = frame.pop("relative_humidity_pct") / PCT_PER_FRAC
    if (frame["temp_dew_c"] >= EPW_DEW_MISSING).any():
        frame = frame.drop(columns="temp_dew_c")
    frame = _finish(frame.drop(columns="year"), file, full_year)
    frame.attrs.update({"city": loc[1] if len(loc) > 1 else "", "source": file})
    for key, i in (("latitude_deg", 6), ("longitude_deg", 7), ("timezone_h", 8), ("elevation_m", 9)):
        if len(loc) > i:
            frame.attrs[key] = _number(loc[i], 1, f"LOCATION field {i + 1} ({key})", file, problems)
    if problems:
        raise InputError(problems)
    return frame


def read_weather_csv(path: str | Path, full_year: bool = True) -> pd.DataFrame:
    """Read a plain hourly weather CSV (one row per hour, header row) into aidc's weather frame.

    Columns are matched through :data:`VARIABLE_MAP` (e.g. ``temp_air_c`` or ``기온(°C)``,
    ``relative_humidity_pct`` or ``습도(%)``); a temperature and a relative humidity are required.
    Rows are hours from 1 January 00:00 in order; a ``timestamp`` column, if present, sets month,
    day and hour and must step by one hour. ``full_year=False`` reads a sample of any length.
    """
    file = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError.single(
            f"cannot read the CSV ({exc.__class__.__name__}: {str(exc).strip()[:120]})", file=file
        ) from None
    names = {c: VARIABLE_MAP.get(c.strip().lower().replace(" ", "")) for c in raw.columns}
    problems: list[Problem] = []
    out = pd.DataFrame(index=raw.index)
    for col, mapped in names.items():
        if mapped is None or mapped[0] == "timestamp":
            continue
        values = pd.to_numeric(raw[col].str.strip(), errors="coerce")
        bad = np.flatnonzero(values.isna().to_numpy())
        if bad.size:
            problems.append(
                Problem(
                    f"{bad.size} value(s) not a number",
                    file=file,
                    line=int(bad[0]) + 2,
                    column=col,
                    found=raw[col].iloc[bad[0]],
                )
            )
        out[mapped[0]] = values * mapped[1]
    for need in ("temp_air_c", "relative_humidity_frac"):
        if need not in out:
            problems.append(
                Problem(
                    "column missing",
                    file=file,
                    line=1,
                    column=need,
                    expected=f"one of: {', '.join(k for k, v in VARIABLE_MAP.items() if v[0] == need)}",
                )
            )
    if problems:
        raise InputError(problems)
    stamp_col = next((c for c, m in names.items() if m and m[0] == "timestamp"), None)
    if stamp_col is not None:
        ts = pd.to_datetime(raw[stamp_col], errors="coerce")
        steps = ts.diff().iloc[1:] != pd.Timedelta(hours=1)
        if ts.isna().any() or steps.any():
            i = int(np.flatnonzero(ts.isna().to_numpy() | np.r_[False, steps.to_numpy()])[0])
            raise InputError.single(
                "timestamps must step by one hour",
                file=file,
                line=i + 2,
                column=stamp_col,
                found=raw[stamp_col].iloc[i],
            )
    else:
        n = len(raw)
        ts = pd.Series(pd.date_range("2001-01-01" if n <= N_HOURS else "2000-01-01", periods=n, freq="h"))
    out["month"], out["day"], out["hour"] = (
        ts.dt.month.to_numpy(),
        ts.dt.day.to_numpy(),
        ts.dt.hour.to_numpy(),
    )
    return _finish(out, file, full_year)


def read_weather(path: str | Path, full_year: bool = True) -> pd.DataFrame:
    """Read a weather file by its extension: ``.epw`` or ``.csv``."""
    suffix = Path(path).suffix.lower()
    readers = {".epw": read_epw, ".csv": read_weather_csv}
    if suffix not in readers:
        raise InputError.single(
            "unknown weather file type", file=str(path), found=suffix or "(none)", expected=".epw or .csv"
        )
    if not Path(path).is_file():
        raise InputError.single("no such weather file", file=str(path))
    return readers[suffix](path, full_year)


def write_epw_text(weather: pd.DataFrame, city: str = "Jeonju", year: int = 2001) -> str:
    """Write a weather frame as EPW text (fields aidc does not model are EPW's missing codes).

    Used to make small test files; the header carries only what :func:`read_epw` reads.
    """
    buf = io.StringIO()
    buf.write(f"LOCATION,{city},-,KOR,aidc,999999,35.82,127.15,9.0,61.4\n")
    for name in (
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,written by aidc.io.weather.write_epw_text",
        "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ):
        buf.write(name + "\n")
    tail = ",".join(["9999"] * 25)
    psychrolib.SetUnitSystem(psychrolib.SI)
    dew_c = np.vectorize(psychrolib.GetTDewPointFromRelHum)(
        weather.temp_air_c, weather.relative_humidity_frac
    )
    for r, dew in zip(weather.itertuples(index=False), dew_c, strict=True):
        buf.write(
            f"{year},{r.month},{r.day},{r.hour + 1},60,?9?9?9?9,{r.temp_air_c:.1f},{dew:.1f},"
            f"{round(r.relative_humidity_frac * PCT_PER_FRAC)},{r.pressure_pa:.0f},{tail}\n"
        )
    return buf.getvalue()
