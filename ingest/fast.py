"""Vectorised acceptance of incident rows: the common case checked a whole batch at a
time (pyarrow/RE2 and numpy), instead of row by row in Python.

It is a conservative filter, not a second set of rules: a row is accepted here only
when every rule of `IncidentRows.stage` visibly holds and the staged values are the
ones `stage` would produce. Every other row (a rare timestamp form, a time zone, a
number to mask in the description, anything invalid) goes to `IncidentRows.stage`,
which decides it exactly as before, with its reason. So the quarantine and the
warehouse rows are the same whichever path a row took; only the speed differs.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas  # noqa: F401  pyarrow.compute imports it at its first call (0.4-0.7 s):
import pyarrow as pa  # paid here with the other imports, not in the first file's load
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ingest.contract import ENUMS
from ingest.validate import MILESTONES, STATUS_MILESTONE, Context

# The forms offices' tools write: YYYY-MM-DD HH:MM[:SS] or YYYY/MM/DD HH:MM[:SS] (one-digit
# month, day, hour too), naive (= Asia/Shanghai). ASCII digits only: `\d` in Python also
# matches other scripts' digits, which the exact path handles.
_STAMP = (
    r"^(?P<y>[0-9]{4})[-/](?P<m>[0-9]{1,2})[-/](?P<d>[0-9]{1,2})[ T]"
    r"(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?$"
)
_SAME_SEPARATOR = r"^[0-9]{4}(?:-[0-9]{1,2}-|/[0-9]{1,2}/)"
# Its most common spelling, two digits everywhere: fields at fixed positions.
_FIXED_WIDTH = r"^[0-9]{4}(?:-[0-9]{2}-|/[0-9]{2}/)[0-9]{2}[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?$"
_COORDINATE = r"^-?[0-9]{1,3}(?:\.[0-9]{1,15})?$"
# mask_text's trigger (`\d{11}`, Unicode digits): such descriptions take the exact path.
_DIGIT_RUN = r"\p{Nd}{11}"
_SHANGHAI_OFFSET_US = 8 * 3600 * 1_000_000
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


# The characters str.isspace() holds true for (Unicode 15, Python 3.11+), written out:
# scanning all of Unicode for them took 0.1-0.4 s of every process's first incidents
# file. tests/ingest/test_fast_path.py checks the list against that scan.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@cache
def python_whitespace() -> str:
    """The characters str.strip() removes, so a bulk trim strips exactly the same."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def strip(values: pa.Array) -> pa.Array:
    return pc.utf8_trim(values, characters=WHITESPACE)


def read_csv_columns(data: bytes, width: int) -> list[pa.ChunkedArray] | None:
    """A CSV file's cells (after its one-line header) as one text array per header
    column, parsed in bulk from its UTF-8 bytes; None when the file needs the row-by-row
    reader to keep its meaning: a row with more or fewer cells than the header, a value
    spanning lines (the rows' line numbers would be unknown), a lone CR, a NUL. Row i is
    line i + 2. (In UTF-8 no byte of a multi-byte character is ASCII, so counting CR, LF
    and NUL bytes counts those characters.)"""
    if b"\x00" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != lines - 1:
        return None
    return [table.column(i) for i in range(width)]  # chunked: joined a batch at a time


@dataclass
class Batch:
    """A batch split in two: the accepted rows as an Arrow table in the staging
    table's column order (line_no first), and the positions of the other rows."""

    accepted: pa.Table
    others: np.ndarray  # positions in the batch, ascending


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_stamps(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(empty, ok, utc microseconds) per value: ok means a common form and a real
    date and time; neither empty nor ok means the exact path must look at it."""
    plain = values.type == pa.string() and not values.null_count
    if plain:
        empty, fixed, fields = _fixed_width(values)
    else:
        empty = np.asarray(pc.equal(values, "").to_numpy(zero_copy_only=False), dtype=bool)
        fixed = _flags(pc.match_substring_regex(values, _FIXED_WIDTH))
    if plain and (fixed | empty).all():
        # the usual export: every field at a fixed position, read from the bytes
        shaped = fixed
        y, m, d, hh, mm, ss = fields
    else:
        parts = pc.extract_regex(values, _STAMP)
        shaped = _flags(parts.is_valid()) & _flags(
            pc.match_substring_regex(values, _SAME_SEPARATOR)
        )

        def field(name: str) -> np.ndarray:
            text = pc.struct_field(parts, name).fill_null("")
            text = pc.if_else(pc.equal(text, ""), "0", text)
            return pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False)

        y, m, d, hh, mm, ss = (field(n) for n in ("y", "m", "d", "H", "M", "S"))
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_ok = (m >= 1) & (m <= 12)
    last_day = _DAYS_IN_MONTH[np.where(month_ok, m, 1)] + ((m == 2) & leap)
    ok = shaped & (y >= 1) & month_ok & (d >= 1) & (d <= last_day)
    ok &= (hh <= 23) & (mm <= 59) & (ss <= 59)
    days = _days_from_civil(np.where(ok, y, 1970), np.where(ok, m, 1), np.where(ok, d, 1))
    local_us = ((days * 24 + hh) * 60 + mm) * 60_000_000 + ss * 1_000_000
    return empty, ok & ~empty, local_us - _SHANGHAI_OFFSET_US


# _FIXED_WIDTH's digits and fields by byte position (19 bytes with seconds, 16 without).
_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_FIELDS = ((0, 1, 2, 3), (5, 6), (8, 9), (11, 12), (14, 15), (17, 18))
_SPAN = np.arange(19, dtype=np.int64)[:, None]


def _fixed_width(values: pa.Array) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(empty, matches _FIXED_WIDTH, [y, m, d, H, M, S]) of a string array without
    nulls, read from its bytes: the regex and six slices, casts and compares per field
    cost several times more. A match is ASCII, so its bytes are its characters. The
    fields are 0 where it does not match (never `ok`)."""
    size = len(values)
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    offsets = offsets[values.offset : values.offset + size + 1]
    lengths = np.diff(offsets)
    empty = lengths == 0
    fixed = (lengths == 16) | (lengths == 19)
    data = values.buffers()[2]
    if data is None or not fixed.any():
        return empty, np.zeros(size, dtype=bool), [np.zeros(size, dtype=np.int64)] * 6
    data = np.frombuffer(data, dtype=np.uint8)
    where = np.flatnonzero(fixed)
    width = int(lengths[where[0]])
    if len(where) + empty.sum() == size and (lengths[where] == width).all():
        # every value empty or `width` bytes: the data buffer is a matrix, one per row
        cols = data[offsets[0] : offsets[-1]].reshape(-1, width).T.copy()
        if width == 16:
            cols = np.vstack([cols, np.zeros((3, len(where)), np.uint8)])
    else:
        spots = offsets[where] + _SPAN  # (byte, value); a 16-byte value's last 3 set below
        np.minimum(spots, len(data) - 1, out=spots)
        cols = data[spots]
        width = 0
    if width != 19:
        short = lengths[where] == 16
        for position, byte in ((16, ord(":")), (17, ord("0")), (18, ord("0"))):
            cols[position][short] = byte
    good = ((cols[_DIGITS] - ord("0")) < 10).all(axis=0)  # uint8: below "0" wraps round
    dash, slash = ord("-"), ord("/")
    good &= ((cols[4] == dash) & (cols[7] == dash)) | ((cols[4] == slash) & (cols[7] == slash))
    good &= (cols[10] == ord(" ")) | (cols[10] == ord("T"))
    good &= (cols[13] == ord(":")) & (cols[16] == ord(":"))
    fixed[where] = good
    digits = cols.astype(np.int32)
    digits -= ord("0")
    digits *= good
    fields = []
    for positions in _FIELDS:
        value = digits[positions[0]]
        for position in positions[1:]:
            value = value * 10 + digits[position]
        field = np.zeros(size, dtype=np.int64)
        field[where] = value
        fields.append(field)
    return empty, fixed, fields


def _flags(array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _text_or_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def accept_incidents(
    line_numbers: np.ndarray, text: dict[str, pa.Array], context: Context
) -> Batch:
    """Split a batch of incident rows (stripped cells by column name; an absent column
    is all "") into the accepted rows and the rest."""
    size = len(line_numbers)
    blank = pa.array([""] * size, pa.string())

    def col(name: str) -> pa.Array:
        return text.get(name, blank)

    def isin(values: pa.Array, known) -> np.ndarray:
        return _flags(pc.is_in(values, value_set=pa.array(sorted(known), pa.string())))

    ok = np.ones(size, dtype=bool)
    for name in ("incident_id", "community_code", "category", "reported_at", "status"):
        ok &= ~_flags(pc.equal(col(name), ""))
    community = col("community_code")
    ok &= isin(community, context.communities)

    grid = col("grid_code")
    grid_codes = sorted(context.grids)
    grid_index = pc.index_in(grid, value_set=pa.array(grid_codes, pa.string()))
    grid_community = pc.take(
        pa.array([context.grids[g][0] for g in grid_codes], pa.string()), grid_index
    )
    grid_empty = _flags(pc.equal(grid, ""))
    grid_ok = _flags(pc.fill_null(pc.equal(grid_community, community), False))
    ok &= grid_empty | grid_ok

    names = sorted(context.categories)
    category_index = pc.index_in(col("category"), value_set=pa.array(names, pa.string()))
    category = pc.take(
        pa.array([context.categories[n] for n in names], pa.string()), category_index
    )
    ok &= _flags(category.is_valid())

    status = col("status")
    ok &= isin(status, ENUMS["incident_status"])
    channel = col("channel")
    ok &= _flags(pc.equal(channel, "")) | isin(channel, ENUMS["channel"])
    channel = pc.if_else(pc.equal(channel, ""), "other", channel)

    now_us = int(context.now.timestamp() * 1_000_000)
    stamps, present = {}, {}
    previous = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
    for name in MILESTONES:
        empty, parsed, micros = parse_stamps(col(name))
        ok &= empty | (parsed & (micros <= now_us) & (micros >= previous))
        previous = np.where(parsed, micros, previous)
        stamps[name], present[name] = micros, parsed

    status_np = np.asarray(status.to_numpy(zero_copy_only=False), dtype=object)
    rejected = status_np == "rejected"
    ok &= rejected | ((status_np == "closed") == present["closed_at"])
    for value, needed in STATUS_MILESTONE.items():
        ok &= (status_np != value) | present[needed]
    due_empty, due_parsed, due = parse_stamps(col("due_at"))
    ok &= due_empty | (due_parsed & (due >= stamps["reported_at"]))

    for name, bound in (("lat", 90), ("lon", 180)):
        values = col(name)
        shaped = _flags(pc.match_substring_regex(values, _COORDINATE))
        number = pc.cast(pc.if_else(shaped, values, "0"), pa.float64()).to_numpy()
        ok &= _flags(pc.equal(values, "")) | (shaped & (np.abs(number) <= bound))
    ok &= ~_flags(pc.match_substring_regex(col("description"), _DIGIT_RUN))

    # Only the accepted rows are built; the staged values are those `stage` produces.
    take = np.flatnonzero(ok)
    closed_present = present["closed_at"] & ~rejected
    latest = previous  # the last milestone given: a rejected incident's rejected_at

    def stamp_column(micros: np.ndarray, given: np.ndarray) -> pa.Array:
        # UTC without a zone: pyarrow writes it ~15x faster than a zoned timestamp;
        # the COPY runs with TimeZone = UTC (see load.py).
        return pa.array(micros[take], pa.timestamp("us"), mask=~given[take])

    table = pa.table(
        {
            "line_no": pa.array(np.asarray(line_numbers, dtype=np.int64)[take]),
            "community_code": community.take(take),
            "incident_id": col("incident_id").take(take),
            "grid_code": _text_or_null(grid.take(take)),
            "category_code": category.take(take),
            "channel": channel.take(take),
            "status": status.take(take),
            "reported_at": stamp_column(stamps["reported_at"], present["reported_at"]),
            "accepted_at": stamp_column(stamps["accepted_at"], present["accepted_at"]),
            "dispatched_at": stamp_column(stamps["dispatched_at"], present["dispatched_at"]),
            "handled_at": stamp_column(stamps["handled_at"], present["handled_at"]),
            "closed_at": stamp_column(stamps["closed_at"], closed_present),
            "rejected_at": stamp_column(latest, rejected),
            "due_at": stamp_column(due, due_parsed),
            "lat": _text_or_null(col("lat").take(take)),
            "lon": _text_or_null(col("lon").take(take)),
            "description": _text_or_null(col("description").take(take)),
        }
    )
    return Batch(table, np.flatnonzero(~ok))
