"""Numbers as people here read them: 8,897 · 8.2万 · 87.3% · 15.2; "—" when missing."""

from __future__ import annotations

import math

import pandas as pd

from data_access.period import LOCAL

MISSING = "—"


def format_datetime(value) -> str:
    """An instant as local time to the minute: 2026-11-28 19:56 (a naive one is taken as
    local); "—" when missing."""
    if value is None or pd.isna(value):
        return MISSING
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(LOCAL)
    return stamp.tz_convert(LOCAL).strftime("%Y-%m-%d %H:%M")


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def format_count(n, lang: str = "zh") -> str:
    """A count: thousands separators below 10,000; from 10,000 in 万 (Chinese) or k."""
    if _missing(n):
        return MISSING
    value = float(n)
    if abs(value) < 10_000:
        return f"{round(value):,}"
    if lang == "en":
        return f"{value / 1000:,.1f}k".replace(".0k", "k")
    wan = value / 10_000
    text = f"{wan:,.1f}".removesuffix(".0")
    return f"{text}万"


def format_rate(rate, digits: int = 1) -> str:
    """A fraction as a percentage: 0.873 -> "87.3%"."""
    if _missing(rate):
        return MISSING
    return f"{float(rate) * 100:.{digits}f}%"


def format_hours(hours) -> str:
    """Hours with one decimal: 15.24 -> "15.2"."""
    if _missing(hours):
        return MISSING
    return f"{float(hours):.1f}"


def format_number(value, digits: int = 1) -> str:
    """A plain number with separators and `digits` decimals (per-1,000 rates, scores)."""
    if _missing(value):
        return MISSING
    return f"{float(value):,.{digits}f}"


def format_points_change(places) -> str:
    """A rank change: +2 (up), -1 (down), 0."""
    if _missing(places):
        return MISSING
    return f"{int(places):+d}" if places else "0"
