"""网格地图: the scope's communities, grids or micro-grids coloured by a measure, open
incidents as points or heat, and the clicked area's figures with a drill-down."""

import streamlit as st

from data_access import figures, geo
from data_access.at_once import at_once
from ui import downloads, filters, map_view, phone, shell, views, wall_pages
from ui.formatting import format_count
from ui.i18n import t

shell.ensure_frame()

view = filters.current()
scope, period = view.scope, view.period

if view.mode == "screen":  # the wall's own composition (ui/wall_pages.py)
    wall_pages.map_wall(scope, period)
    st.stop()
st.html(map_view.map_css(view.mode))

heading, headline = st.columns([2.2, 3])
with heading:
    st.title(t("page.map"))
    st.caption(views.period_caption(view))

level, measure, incident_style = map_view.controls(scope)
totals, residents, measures, incidents = at_once(
    lambda: figures.incident_summary(scope, period)[0],  # [0]: the scope's total row
    lambda: figures.residents(scope),
    lambda: geo.area_measures(scope, period, level),
    lambda: geo.open_incidents(scope, period),
)
# drawn into the heading's row, above the controls
for column, label, value in zip(
    headline.columns(3),
    ("fig.residents", "fig.open", "fig.overdue"),
    (residents, totals.get("open"), totals.get("overdue")),
    strict=True,
):
    column.metric(t(label), format_count(value), border=True)

areas = map_view.prepared_areas(scope, level)
colouring = map_view.colour_areas(measures, measure)
outlines = map_view.prepared_areas(scope, "community") if level != "community" else None

drawn, panel = st.columns([3.1, 1])
with drawn:
    if areas.empty:
        st.info(t("map.no_areas"))
        event = None
    else:
        deck = map_view.kept_deck(
            areas, colouring, level, incidents, incident_style, outlines, view.mode
        )
        event = st.pydeck_chart(
            deck,
            height=map_view.MAP_HEIGHT["desk"],
            on_select="rerun",
            selection_mode="single-object",
            key=map_view.chart_key(scope, level),
            alt=t("map.alt", scope=views.scope_label(view), label=t(f"map.measure.{measure}")),
        )
        # on a phone, instead of the deck: the same map as a picture at the phone's width
        phone.map_picture(scope, areas, colouring, incidents, outlines, t(f"map.measure.{measure}"))

with panel:
    unplaced = int((incidents["lat"].isna() | incidents["lon"].isna()).sum())
    drawn = map_view.drawn_style(incident_style, incidents)
    st.html(map_view.legend_html(colouring, drawn, unplaced, chosen_style=incident_style))
    if level != "community":
        st.caption(t("map.only_incident_measures"))
    chosen = map_view.selected_object(event)
    facts = map_view.area_facts(chosen, areas, measures) if chosen else None
    if facts:
        area, area_figures = facts
        st.subheader(area["area_name"])
        st.caption(map_view.area_caption(area))
        map_view.area_figures(area, area_figures, measure)
        st.markdown(f"**{t('map.panel.worst')}**")
        worst = geo.worst_overdue(incidents, level, area["area_code"])
        if worst.empty:
            st.caption(t("map.panel.none_overdue"))
        else:
            downloads.shown_table(
                t("map.panel.worst"),
                "cockpit_map_overdue",
                map_view.overdue_table(worst),
                hide_index=True,
                width="stretch",
            )
        drill = map_view.drill_params(chosen, filters.current().query_params())
        if drill:
            st.button(
                t("map.panel.drill"),
                on_click=map_view.apply_params,
                args=(drill,),
                type="primary",
                key=f"{map_view.KEY_PREFIX}drill",
            )
    else:
        with st.container(key=phone.MAP_HINT_KEY):  # the phone's picture takes no click
            st.caption(t("map.hint"))
        st.markdown(f"**{t('map.panel.ranking', label=t(f'map.measure.{measure}'))}**")
        downloads.shown_table(
            t(f"map.measure.{measure}"),
            "cockpit_map_ranking",
            map_view.ranking_table(areas, colouring),
            hide_index=True,
            width="stretch",
        )
