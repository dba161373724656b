"""Headline tiles: a figure, its change against the previous period, a sparkline."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.formatting import format_count, format_hours, format_rate
from ui.i18n import current_language, t

KINDS = ("count", "rate", "hours")


def format_value(value, kind: str) -> str:
    if kind == "rate":
        return format_rate(value)
    if kind == "hours":
        return format_hours(value)
    return format_count(value, current_language())


def format_change(current, previous, kind: str) -> str | None:
    """The change shown under a tile: "+12", "-3.4 个百分点", "+0.5"; None when unknown."""
    if current is None or previous is None:
        return None
    change = float(current) - float(previous)
    if kind == "rate":
        unit = " 个百分点" if current_language() == "zh" else " pp"
        return f"{change * 100:+.1f}{unit}"
    if kind == "hours":
        return f"{change:+.1f}"
    return f"{round(change):+,}"


def tile(
    column,
    label_key: str,
    value,
    kind: str = "count",
    previous=None,
    lower_is_better: bool = False,
    chart: Sequence | None = None,
    help_text: str | None = None,
) -> None:
    with column:
        st.metric(
            t(label_key),
            format_value(value, kind),
            delta=format_change(value, previous, kind),
            delta_color="inverse" if lower_is_better else "normal",
            help=help_text,
            border=True,
            chart_data=list(chart) if chart is not None else None,
            chart_type="area",
        )
