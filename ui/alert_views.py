"""How the 督办 page draws its parts (pages/alerts.py): level tiles, the alert list,
one alert with its incident's timeline, and the acknowledgement form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.downloads import download_buttons
from ui.formatting import MISSING, format_datetime, format_hours
from ui.i18n import t
from ui.incident_views import timeline_display

LEVELS = ("escalated", "overdue", "warning")  # as listed: most urgent first
LIST_KEY = "alerts_list"
LEVEL_KEY = "alerts_level"
OUTCOME_KEY = "alerts_ack_outcome"


def alert_key(alert: dict) -> str:
    """The URL's name of an alert: <community_code>/<incident_id>."""
    return f"{alert['community_code']}/{alert['incident_id']}"


def parse_key(value: str | None) -> tuple[str, str] | None:
    if not value or "/" not in value:
        return None
    community, incident = value.split("/", 1)
    if not community or not incident or len(value) > 200:
        return None
    return community, incident


def level_tiles(counts: dict[str, int]) -> None:
    columns = st.columns(len(LEVELS))
    for column, level in zip(columns, LEVELS, strict=True):
        column.metric(
            t(f"alerts.level.{level}"),
            f"{counts.get(level, 0):,}",
            help=t(f"alerts.level_help.{level}"),
            border=True,
        )


def calendar_warning(alerts: pd.DataFrame) -> None:
    years = sorted({int(y) for row in alerts.get("unknown_years", []) for y in (row or [])})
    if years:
        st.warning(t("alerts.calendar_unknown", years="、".join(str(y) for y in years)))


def _actor(alert: dict) -> str:
    name = alert.get("act_by_name")
    label = t(f"alerts.actor.{alert['act_by']}")
    return f"{label}（{name}）" if name and not pd.isna(name) else label


def list_display(alerts: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("alerts.col.level"): [t(f"alerts.level.{v}") for v in alerts["level"]],
            t("alerts.col.age"): [format_hours(h) for h in alerts["hours_since"]],
            t("alerts.col.since"): [format_datetime(v) for v in alerts["since"]],
            t("alerts.col.incident"): alerts["incident_id"],
            t("alerts.col.category"): alerts["category_name"],
            t("alerts.col.community"): alerts["community_name"],
            t("alerts.col.worker"): alerts["worker"].fillna(MISSING),
            t("alerts.col.due_at"): [format_datetime(v) for v in alerts["due_at"]],
            t("alerts.col.act_by"): [_actor(row) for row in alerts.to_dict("records")],
            t("alerts.col.acked"): [
                MISSING if not isinstance(who, str) else who for who in alerts["acked_by"]
            ],
        }
    )


def alert_list(alerts: pd.DataFrame) -> dict | None:
    """The scope's alerts, by level then age, narrowed to a level; selectable. Returns
    the selected alert's row, if any."""
    st.subheader(t("alerts.list_title"))
    if alerts.empty:
        st.info(t("alerts.none"))
        return None
    options = ("all", *LEVELS)
    chosen_level = st.segmented_control(
        t("alerts.filter_level"),
        options,
        default="all",
        format_func=lambda level: t(f"alerts.level.{level}"),
        key=LEVEL_KEY,
    )
    shown_rows = (
        alerts if chosen_level in (None, "all") else alerts[alerts["level"] == chosen_level]
    )
    shown_rows = shown_rows.reset_index(drop=True)
    st.caption(t("alerts.list_hint", total=len(shown_rows)))
    shown = list_display(shown_rows)
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(shown), 1), 420),
        on_select="rerun",
        selection_mode="single-row",
        key=LIST_KEY,
    )
    download_buttons(shown, "alerts", "alerts_list")
    rows = [row for row in event.selection.rows if 0 <= row < len(shown_rows)]
    return shown_rows.iloc[rows[0]].to_dict() if rows else None


def detail(alert: dict, steps: pd.DataFrame) -> None:
    level = t(f"alerts.level.{alert['level']}")
    st.subheader(
        t(
            "alerts.detail_title",
            level=level,
            incident=alert["incident_id"],
            category=alert["category_name"],
        )  # fmt: skip
    )
    st.caption(
        t(
            "alerts.detail_caption",
            community=f"{alert['street_name']} {alert['community_name']}",
            reported=format_datetime(alert["reported_at"]),
            due=format_datetime(alert["due_at"]),
            level=level,
            since=format_datetime(alert["since"]),
            actor=_actor(alert),
        )
    )
    st.markdown(f"**{t('alerts.timeline_title')}**")
    shown = timeline_display(steps)
    st.dataframe(shown, hide_index=True, width="stretch")
    download_buttons(shown, f"timeline_{alert['incident_id']}", "alerts_timeline")


def acknowledgement(alert: dict, can_acknowledge: bool, submit) -> None:
    """What is known of the alert's acknowledgement, and the form to give one;
    submit(note) -> outcome ('ok' | 'refused' | 'closed' | 'invalid')."""
    if isinstance(alert.get("acked_by"), str):
        st.success(
            t(
                "alerts.acked",
                who=alert["acked_by"],
                when=format_datetime(alert["acked_at"]),
                note=alert.get("ack_note") or MISSING,
            )  # fmt: skip
        )
    if not can_acknowledge:
        st.caption(t("alerts.ack_screen"))
        return
    st.markdown(f"**{t('alerts.ack_title')}**")
    note_key = f"alerts_note_{alert['community_code']}_{alert['incident_id']}_{alert['level']}"
    st.text_area(t("alerts.ack_note"), help=t("alerts.ack_note_help"), max_chars=500, key=note_key)

    def acknowledge() -> None:
        # A callback: it runs before the next script run, whatever that run does first.
        st.session_state[OUTCOME_KEY] = submit(st.session_state.get(note_key) or "")
        st.session_state[note_key] = ""

    st.button(t("alerts.ack_button"), type="primary", key="alerts_ack_button", on_click=acknowledge)
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if outcome == "ok":
        st.success(t("alerts.ack_done"))
    elif outcome:
        st.error(t(f"alerts.ack_{outcome}"))
