"""Small helpers over the query results' frames."""

from __future__ import annotations

import pandas as pd


def lookup(frame: pd.DataFrame, key: str, value: str) -> dict:
    """{key: value} over a frame's rows. Through lists: iterating an Arrow-backed column
    value by value costs microseconds each, 0.2 s a rerun for a city's 36,000 grids."""
    return dict(zip(frame[key].tolist(), frame[value].tolist(), strict=True))
