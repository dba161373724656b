"""总览: the scope's headline tiles and the 大比武 league; on the wall, the composed
screen of ui/wall_pages.overview (map in the centre, panels around it)."""

import streamlit as st

from data_access import figures, league
from data_access.at_once import at_once
from ui import filters, shell, views, wall_pages
from ui.i18n import t

shell.ensure_frame()

view = filters.current()
scope, period = view.scope, view.period
previous = period.previous()

if view.mode == "screen":
    wall_pages.overview(scope, period)
else:
    st.title(t("app.title"))
    st.caption(views.period_caption(view))

    incidents, incidents_before, services, services_before, points, points_before, daily = at_once(
        lambda: figures.incident_summary(scope, period)[0],  # [0]: the scope's total row
        lambda: figures.incident_summary(scope, previous)[0],
        lambda: figures.service_summary(scope, period)[0],
        lambda: figures.service_summary(scope, previous)[0],
        lambda: figures.points_summary(scope, period)[0],
        lambda: figures.points_summary(scope, previous)[0],
        lambda: figures.daily_activity(scope, period),
    )

    views.headline_tiles(
        residents=figures.residents(scope),
        incidents=incidents,
        incidents_before=incidents_before,
        services=services,
        services_before=services_before,
        points=points,
        points_before=points_before,
        daily=daily,
        previous=previous,
    )
    st.divider()
    views.league_table(league.league(scope, period))
