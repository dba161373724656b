"""总览: the scope's headline tiles and the 大比武 league."""

import streamlit as st

from data_access import figures, league
from data_access.at_once import at_once
from ui import filters, screen, shell, views
from ui.i18n import t

shell.ensure_frame()
SCREEN_LEAGUE_ROWS = 10

view = filters.current()
scope, period = view.scope, view.period
previous = period.previous()

st.title(t("app.title"))
st.caption(views.period_caption(view))

# The wall screen: big tiles without sparklines and the league's top rows, no scrolling.
on_screen = view.mode == "screen"
incidents, incidents_before, services, services_before, points, points_before, daily = at_once(
    lambda: figures.incident_summary(scope, period)[0],  # [0]: the scope's total row
    lambda: figures.incident_summary(scope, previous)[0],
    lambda: figures.service_summary(scope, period)[0],
    lambda: figures.service_summary(scope, previous)[0],
    lambda: figures.points_summary(scope, period)[0],
    lambda: figures.points_summary(scope, previous)[0],
    lambda: None if on_screen else figures.daily_activity(scope, period),
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

if on_screen:
    shown = views.league_display(league.league(scope, period)).iloc[:, :5]
    st.subheader(t("screen.league_top", n=min(len(shown), SCREEN_LEAGUE_ROWS)))
    screen.table(shown, SCREEN_LEAGUE_ROWS, testid="screenLeague")
else:
    st.divider()
    views.league_table(league.league(scope, period))
