"""民情事件: what residents reported, what is still open, what is late, and how fast
each community closes the loop (闭环) — all as of the view's as-of time."""

import streamlit as st

from data_access import figures, incidents
from data_access.at_once import at_once
from ui import filters, incident_views, phone, shell, views, wall_pages
from ui.i18n import t

shell.ensure_frame()

view = filters.current()
scope, period = view.scope, view.period
previous = period.previous()

if view.mode == "screen":
    wall_pages.incidents(scope, period)
else:
    st.title(t("page.incidents"))
    st.caption(views.period_caption(view))

    summary, summary_before, overdue, flow, histogram, channels, categories = at_once(
        lambda: figures.incident_summary(scope, period)[0],  # [0]: the scope's total row
        lambda: figures.incident_summary(scope, previous)[0],
        lambda: incidents.overdue(scope, period),
        lambda: incidents.flow_by_day(scope, period),
        lambda: incidents.handling_histogram(scope, period),
        lambda: incidents.channels(scope, period),
        lambda: incidents.categories(scope, period),
    )
    incident_views.kpi_tiles(
        summary,
        summary_before,
        t("overview.delta_help", start=previous.start.isoformat(), end=previous.end.isoformat()),
    )
    # on a phone only (issue [14]): the overdue cards, and a card's timeline by a tap
    picked = phone.overdue_cards(overdue, summary.get("overdue"))

    chosen = incident_views.overdue_table(overdue, summary.get("overdue")) or picked
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
        incident_views.histogram_chart(histogram)
    with right:
        incident_views.channels_chart(channels)
    incident_views.categories_table(categories)
    incident_views.communities_table(incidents.community_table(scope, period))
