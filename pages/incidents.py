"""民情事件: what residents reported, what is still open, what is late, and how fast
each community closes the loop (闭环) — all as of the view's as-of time."""

import streamlit as st

from data_access import figures, incidents
from ui import filters, incident_views, screen, shell, views
from ui.i18n import t

shell.ensure_frame()
SCREEN_OVERDUE_ROWS = 8

view = filters.current()
scope, period = view.scope, view.period
previous = period.previous()

st.title(t("page.incidents"))
st.caption(views.period_caption(view))

summary, _ = figures.incident_summary(scope, period)
summary_before, _ = figures.incident_summary(scope, previous)
incident_views.kpi_tiles(
    summary,
    summary_before,
    t("overview.delta_help", start=previous.start.isoformat(), end=previous.end.isoformat()),
)

overdue = incidents.overdue(scope, period)
flow = incidents.flow_by_day(scope, period)

if view.mode == "screen":
    left, right = st.columns([2, 3])
    with left:
        st.subheader(t("incidents.overdue_title"))
        if overdue.empty:
            st.info(t("incidents.overdue_none"))
        else:
            shown = incident_views.overdue_display(overdue).iloc[:, 1:7]
            screen.table(shown, SCREEN_OVERDUE_ROWS, testid="screenOverdue")
    with right:
        incident_views.flow_charts(flow, screen=True, height=180)
else:
    chosen = incident_views.overdue_table(overdue, summary.get("overdue"))
    steps = (
        incidents.timeline(scope, period, chosen["community_code"], chosen["incident_id"])
        if chosen
        else None
    )
    incident_views.timeline(chosen, steps)

    st.divider()
    incident_views.flow_charts(flow)
    left, right = st.columns(2)
    with left:
        incident_views.histogram_chart(incidents.handling_histogram(scope, period))
    with right:
        incident_views.channels_chart(incidents.channels(scope, period))
    incident_views.categories_table(incidents.categories(scope, period))
    incident_views.communities_table(incidents.community_table(scope, period))
