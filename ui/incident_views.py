"""Building blocks of the 民情事件 page. They label, format and lay out what
data_access.incidents returns; they never query or compute figures themselves.

Each `*_display` function turns a query result into the table as shown (labels in the
user's language); the same frame is what the CSV/XLSX buttons export.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui import charts
from ui.downloads import csv_bytes, download_buttons, xlsx_bytes
from ui.formatting import MISSING, format_datetime, format_hours, format_number, format_rate
from ui.i18n import t
from ui.tiles import tile

# (label key, summary column, kind, lower is better)
TILES = [
    ("fig.open", "open", "count", True),
    ("fig.overdue", "overdue", "count", True),
    ("incidents.new_today", "new_today", "count", True),
    ("fig.closed", "closed", "count", False),
    ("fig.closure_rate", "closure_rate", "rate", False),
    ("fig.on_time_rate", "on_time_rate", "rate", False),
    ("fig.mean_handling_hours", "mean_handling_hours", "hours", True),
    ("fig.median_handling_hours", "median_handling_hours", "hours", True),
    ("incidents.p90_hours", "p90_handling_hours", "hours", True),
    ("incidents.first_response_hours", "first_response_hours", "hours", True),
    ("fig.hazards_fixed", "hazards_fixed", "count", False),
]
TILES_PER_ROW = 6
CHART_HEIGHT = 260
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The big screen is dark: charts drawn without Streamlit's (light) chart theme.
SCREEN_TEXT, SCREEN_GRID = "#b9c7dc", "#24344f"


def status_label(status: str) -> str:
    return t(f"incidents.status.{status}")


def kpi_tiles(summary: dict, before: dict, help_text: str) -> None:
    """The eleven headline figures, with their change against the previous period."""
    for start in range(0, len(TILES), TILES_PER_ROW):
        columns = st.columns(TILES_PER_ROW)
        for column, (label, key, kind, lower) in zip(
            columns, TILES[start : start + TILES_PER_ROW], strict=False
        ):
            tile(
                column,
                label,
                summary.get(key),
                kind,
                previous=before.get(key),
                lower_is_better=lower,
                help_text=help_text,
            )


# -- the overdue list and one incident's timeline ---------------------------------------
def overdue_display(overdue: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("incidents.col.incident"): overdue["incident_id"],
            t("incidents.col.category"): overdue["category_name"],
            t("incidents.col.community"): overdue["community_name"],
            t("incidents.col.grid"): overdue["grid_name"].fillna(MISSING),
            t("incidents.col.worker"): overdue["worker"].fillna(MISSING),
            t("incidents.col.hours_overdue"): [format_hours(h) for h in overdue["hours_overdue"]],
            t("incidents.col.status"): [status_label(s) for s in overdue["status"]],
            t("incidents.col.reported_at"): [format_datetime(v) for v in overdue["reported_at"]],
            t("incidents.col.due_at"): [format_datetime(v) for v in overdue["due_at"]],
        }
    )


def overdue_table(overdue: pd.DataFrame, total) -> dict | None:
    """The overdue list, selectable; returns the selected incident's row, if any."""
    st.subheader(t("incidents.overdue_title"))
    if overdue.empty:
        st.info(t("incidents.overdue_none"))
        return None
    st.caption(t("incidents.overdue_hint", total=total if total is not None else MISSING,
                 shown=len(overdue)))  # fmt: skip
    shown = overdue_display(overdue)
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 400),
        on_select="rerun",
        selection_mode="single-row",
        key="incidents_overdue",
    )
    download_buttons(shown, "overdue", "incidents_overdue")
    rows = [row for row in event.selection.rows if 0 <= row < len(overdue)]
    return overdue.iloc[rows[0]].to_dict() if rows else None


def timeline_display(steps: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("incidents.col.status"): [status_label(s) for s in steps["status"]],
            t("incidents.col.changed_at"): [format_datetime(v) for v in steps["changed_at"]],
            t("incidents.col.hours_since_reported"): [
                format_hours(h) for h in steps["hours_since_reported"]
            ],
            t("incidents.col.source"): [t(f"incidents.source.{s}") for s in steps["source"]],
        }
    )


def timeline(incident: dict | None, steps: pd.DataFrame | None) -> None:
    if incident is None or steps is None:
        st.caption(t("incidents.timeline_pick"))
        return
    st.subheader(t("incidents.timeline_title", incident=incident["incident_id"]))
    st.caption(t("incidents.timeline_due", due=format_datetime(incident["due_at"])))
    shown = timeline_display(steps)
    st.dataframe(shown, hide_index=True, width="stretch")
    download_buttons(shown, f"timeline_{incident['incident_id']}", "incidents_timeline")


# -- charts -----------------------------------------------------------------------------
def flow_display(flow: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("incidents.col.day"): [d.isoformat() for d in flow["day"]],
            t("incidents.col.reported"): flow["reported"].astype(int),
            t("incidents.col.closed"): flow["closed"].astype(int),
            t("incidents.col.rejected"): flow["rejected"].astype(int),
            t("incidents.col.backlog"): flow["backlog"].astype(int),
        }
    )


def _lines(frame: pd.DataFrame, x: str, series: list[str], height: int) -> alt.Chart:
    long = frame.melt(id_vars=[x], value_vars=series, var_name=" ", value_name="n")
    return (
        alt.Chart(long, height=height)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%m-%d")),
            y=alt.Y("n:Q", title=None),
            color=alt.Color(" :N", sort=series, legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip(f"{x}:T", format="%Y-%m-%d"), " :N", "n:Q"],
        )
    )


def _bars(frame: pd.DataFrame, x: str, y: str, height: int) -> alt.Chart:
    return (
        alt.Chart(frame, height=height)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{y}:Q", title=None),
            tooltip=[f"{x}:N", f"{y}:Q"],
        )
    )


def _draw(chart: alt.Chart, screen: bool = False) -> None:
    if screen:
        chart = (
            chart.configure(background="transparent")
            .configure_view(stroke=None)
            .configure_axis(labelColor=SCREEN_TEXT, gridColor=SCREEN_GRID, domainColor=SCREEN_GRID)
            .configure_legend(labelColor=SCREEN_TEXT)
        )
    charts.show(chart, theme=None if screen else "streamlit")


def _compact_downloads(frame: pd.DataFrame, name: str, key: str) -> None:
    """ui.downloads' two buttons, laid out to fit a half-width column."""
    with st.container(horizontal=True):
        st.download_button(
            t("download.csv"), csv_bytes(frame), f"{name}.csv", "text/csv", key=f"{key}_csv"
        )
        st.download_button(
            t("download.xlsx"), xlsx_bytes(frame), f"{name}.xlsx", XLSX, key=f"{key}_xlsx"
        )


def flow_charts(flow: pd.DataFrame, screen: bool = False, height: int = CHART_HEIGHT) -> None:
    """Reported vs closed per day, and the backlog at each day's end, side by side."""
    shown = flow_display(flow)
    day = t("incidents.col.day")
    left, right = st.columns(2)
    with left:
        st.subheader(t("incidents.flow_title"))
        series = [t("incidents.col.reported"), t("incidents.col.closed")]
        _draw(_lines(shown, day, series, height), screen)
    with right:
        st.subheader(t("incidents.backlog_title"))
        _draw(_lines(shown, day, [t("incidents.col.backlog")], height), screen)
    if not screen:
        download_buttons(shown, "incidents_per_day", "incidents_flow")


def bucket_label(lower, upper) -> str:
    if upper is None or pd.isna(upper):
        return f"{int(lower)}+"
    return f"{int(lower)}–{int(upper)}"


def histogram_display(histogram: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("incidents.col.hours_bucket"): [
                bucket_label(lo, hi)
                for lo, hi in zip(histogram["lower_hours"], histogram["upper_hours"], strict=True)
            ],
            t("incidents.col.count"): histogram["closed"].astype(int),
        }
    )


def histogram_chart(histogram: pd.DataFrame) -> None:
    st.subheader(t("incidents.histogram_title"))
    st.caption(t("incidents.histogram_caption"))
    shown = histogram_display(histogram)
    x, y = shown.columns
    _draw(_bars(shown, x, y, CHART_HEIGHT))
    _compact_downloads(shown, "handling_time", "incidents_histogram")


def channels_display(channels: pd.DataFrame) -> pd.DataFrame:
    total = channels["reported"].sum()
    return pd.DataFrame(
        {
            t("incidents.col.channel"): [t(f"incidents.channel.{c}") for c in channels["channel"]],
            t("incidents.col.reported"): channels["reported"].astype(int),
            t("incidents.col.share"): [
                format_rate(n / total if total else None) for n in channels["reported"]
            ],
        }
    )


def channels_chart(channels: pd.DataFrame) -> None:
    st.subheader(t("incidents.channels_title"))
    shown = channels_display(channels)
    x, y, _ = shown.columns
    _draw(_bars(shown, x, y, CHART_HEIGHT))
    _compact_downloads(shown, "channels", "incidents_channels")


# -- tables -----------------------------------------------------------------------------
def categories_display(categories: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("incidents.col.category"): categories["category_name"],
            t("incidents.col.sla_hours"): categories["sla_hours"].astype(int),
            t("incidents.col.hazard"): [
                t("incidents.yes") if flag else t("incidents.no")
                for flag in categories["is_safety_hazard"]
            ],
            t("incidents.col.reported"): categories["reported"].astype(int),
            t("fig.open"): categories["open"].astype(int),
            t("fig.overdue"): categories["overdue"].astype(int),
            t("fig.closed"): categories["closed"].astype(int),
            t("fig.mean_handling_hours"): [
                format_hours(h) for h in categories["mean_handling_hours"]
            ],
        }
    )


def categories_table(categories: pd.DataFrame) -> None:
    st.subheader(t("incidents.categories_title"))
    st.caption(t("incidents.categories_caption"))
    shown = categories_display(categories)
    st.dataframe(shown, hide_index=True, width="stretch")
    download_buttons(shown, "categories", "incidents_categories")


def communities_display(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("incidents.col.community"): table["community_name"],
            t("incidents.col.street"): table["street_name"],
            t("incidents.col.residents"): [format_number(n, 0) for n in table["residents"]],
            t("fig.closure_rate"): [format_rate(r) for r in table["closure_rate"]],
            t("fig.on_time_rate"): [format_rate(r) for r in table["on_time_rate"]],
            t("fig.mean_handling_hours"): [format_hours(h) for h in table["mean_handling_hours"]],
            t("incidents.col.reported_per_1000"): [
                format_number(n) for n in table["reported_per_1000"]
            ],
            t("incidents.col.closed_per_1000"): [
                format_number(n) for n in table["closed_per_1000"]
            ],
            t("fig.open_per_1000"): [format_number(n) for n in table["open_per_1000"]],
            t("fig.overdue_per_1000"): [format_number(n) for n in table["overdue_per_1000"]],
        }
    )


def communities_table(table: pd.DataFrame) -> None:
    st.subheader(t("incidents.communities_title"))
    st.caption(t("incidents.communities_caption"))
    shown = communities_display(table)
    st.dataframe(shown, hide_index=True, width="stretch")
    download_buttons(shown, "closure_by_community", "incidents_communities")
