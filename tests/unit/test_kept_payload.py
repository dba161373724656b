"""A kept result's payload (data_access.kept): the frame the query gave comes back with
its types, lists as lists; a payload kept as Parquet before the Arrow stream still reads."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from data_access import kept


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "community_code": ["330109001", None],
            "open": [3, 5],
            "rate": [0.25, None],
            "day": [date(2026, 12, 1), date(2026, 12, 2)],
            "reported_at": pd.to_datetime(["2026-12-01 08:00", "2026-12-02 09:30"]).tz_localize(
                "Asia/Shanghai"
            ),
            "unknown_years": [[2027], []],
        }
    )


def test_the_arrow_payload_gives_the_frame_back():
    frame = _frame()
    payload = kept.encode(frame)
    assert payload[:4] != b"PAR1"
    back = kept.decode(payload)
    pd.testing.assert_frame_equal(back, frame, check_dtype=True)
    assert [type(v) for v in back["unknown_years"]] == [list, list]
    assert [type(v) for v in back["day"]] == [date, date]


def test_a_payload_kept_as_parquet_still_reads():
    frame = _frame()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    back = kept.decode(buffer.getvalue())
    pd.testing.assert_frame_equal(back, frame, check_dtype=True)
    assert back["unknown_years"].tolist() == [[2027], []]
