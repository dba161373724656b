"""数据状态: newest data of every source, last loads, row counts, rollup lag, checks."""

from datetime import datetime

import pandas as pd
import streamlit as st

from data_access import Scope, alerts
from data_access import status as warehouse
from data_access.period import LOCAL
from ui import downloads, shell
from ui.formatting import format_count, format_datetime
from ui.i18n import t

shell.ensure_frame()


scope = Scope.district()
st.title(t("page.status"))
st.caption(datetime.now(LOCAL).strftime("%Y-%m-%d %H:%M:%S"))

st.subheader(t("status.sources"))
tables = warehouse.table_status(scope)
downloads.shown_table(
    t("status.sources"),
    "cockpit_status_sources",
    pd.DataFrame(
        {
            t("status.table"): [t(f"table.{name}") for name in tables["table_name"]],
            "": tables["table_name"],
            t("status.rows"): [
                format_count(n) if n < 10_000 else f"{int(n):,}" for n in tables["row_count"]
            ],
            t("status.newest"): [format_datetime(value) for value in tables["newest"]],
        }
    ),
    hide_index=True,
    width="stretch",
)

left, right = st.columns(2)
with left:
    st.subheader(t("status.rollup"))
    lag = warehouse.rollup_lag(scope)
    a, b = st.columns(2)
    a.metric(t("status.rollup_dirty"), format_count(lag["dirty"]), border=True)
    b.metric(t("status.rollup_oldest"), format_datetime(lag["oldest_marked_at"]), border=True)
with right:
    st.subheader(t("status.checks"))
    checks = warehouse.checks(scope)
    if checks.attrs["checked_at"] is None:
        st.info(t("status.checks_never"))
    else:
        st.caption(t("status.checked_at", when=format_datetime(checks.attrs["checked_at"])))
    downloads.shown_table(
        t("status.checks"),
        "cockpit_status_checks",
        pd.DataFrame(
            {
                t("status.check"): [t(f"check.{name}") for name in checks["name"]],
                t("status.result"): [
                    t("status.ok") if ok else t("status.failed") for ok in checks["ok"]
                ],
                t("status.detail"): checks["detail"],
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("status.loads"))
loads = warehouse.recent_loads(scope)
if loads.empty:
    st.info(t("status.no_loads"))
else:
    downloads.shown_table(
        t("status.loads"),
        "cockpit_status_loads",
        pd.DataFrame(
            {
                t("load.id"): loads["load_id"],
                t("load.kind"): loads["kind"],
                t("load.source"): loads["source"],
                t("load.started"): [format_datetime(v) for v in loads["started_at"]],
                t("load.finished"): [format_datetime(v) for v in loads["finished_at"]],
                t("load.status"): loads["status"],
                t("load.rows_read"): [f"{int(v):,}" for v in loads["rows_read"]],
                t("load.rows_loaded"): [f"{int(v):,}" for v in loads["rows_loaded"]],
                t("load.rows_updated"): [f"{int(v):,}" for v in loads["rows_updated"]],
                t("load.rows_unchanged"): [f"{int(v):,}" for v in loads["rows_unchanged"]],
                t("load.rows_quarantined"): [f"{int(v):,}" for v in loads["rows_quarantined"]],
                t("load.newest"): [format_datetime(v) for v in loads["newest_event_at"]],
                t("load.error"): loads["error"].fillna(""),
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("status.quarantine"))
quarantined = warehouse.quarantine_summary(scope)
if quarantined.empty:
    st.info(t("status.no_quarantine"))
else:
    downloads.shown_table(
        t("status.quarantine"),
        "cockpit_status_quarantine",
        pd.DataFrame(
            {
                t("load.id"): quarantined["load_id"],
                t("load.kind"): quarantined["kind"],
                t("load.source"): quarantined["source"],
                t("load.reason"): [t(f"quarantine.{code}") for code in quarantined["reason"]],
                t("load.reason_code"): quarantined["reason"],
                t("load.rows"): [f"{int(v):,}" for v in quarantined["row_count"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
st.caption(t("status.quarantine_note"))

st.subheader(t("status.notices"))
notice_channels = alerts.notice_summary(scope)
if notice_channels.empty:
    st.info(t("status.notices_none"))
else:
    downloads.shown_table(
        t("status.notices"),
        "cockpit_status_notices",
        pd.DataFrame(
            {
                t("notice.channel"): notice_channels["channel"],
                t("notice.sent"): [f"{int(v):,}" for v in notice_channels["sent"]],
                t("notice.pending"): [f"{int(v):,}" for v in notice_channels["pending"]],
                t("notice.failed"): [f"{int(v):,}" for v in notice_channels["failed"]],
                t("notice.last_sent"): [
                    format_datetime(v) for v in notice_channels["last_sent_at"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown(f"**{t('status.notices_failures')}**")
    failures = alerts.notice_failures(scope)
    if failures.empty:
        st.caption(t("status.notices_no_failures"))
    else:
        downloads.shown_table(
            t("status.notices_failures"),
            "cockpit_status_notice_failures",
            pd.DataFrame(
                {
                    t("notice.channel"): failures["channel"],
                    t("notice.alert"): [
                        f"{c}/{i} · {t(f'alerts.level.{lvl}')}"
                        for c, i, lvl in zip(
                            failures["community_code"],
                            failures["incident_id"],
                            failures["level"],
                            strict=True,
                        )
                    ],
                    t("notice.status"): [t(f"notice.status.{s}") for s in failures["status"]],
                    t("notice.attempts"): failures["attempts"].astype(int),
                    t("notice.last_attempt"): [
                        format_datetime(v) for v in failures["last_attempt_at"]
                    ],
                    t("notice.next_attempt"): [
                        format_datetime(v) if s == "pending" else "—"
                        for v, s in zip(
                            failures["next_attempt_at"], failures["status"], strict=True
                        )
                    ],
                    t("notice.error"): failures["last_error"].fillna(""),
                }
            ),
            hide_index=True,
            width="stretch",
        )
