"""Small-cell suppression: no resident may be singled out from a table or a tooltip.

Any cell that counts residents (unique users, earners, redeemers, holders) and counts
fewer than MIN_RESIDENTS is shown as "<5" instead of its value. Applied in data_access,
so a page cannot forget it: the suppressed columns leave the door as text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

MIN_RESIDENTS = 5
SUPPRESSED = f"<{MIN_RESIDENTS}"


def suppress_count(value) -> str:
    """A count of residents as shown: "<5" below the threshold (0 included), else "1,234"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED  # unknown is never shown as a number
    count = int(value)
    return SUPPRESSED if count < MIN_RESIDENTS else f"{count:,}"


def suppress(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of `frame` whose resident-count `columns` are text, small cells "<5"."""
    shown = frame.copy()
    for column in columns:
        shown[column] = [suppress_count(value) for value in frame[column]]
    return shown
