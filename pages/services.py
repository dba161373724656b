"""服务场景: are the canteens, care centres and childcare used, by whom and when.

Each community shows only the facility types it has (千村一面 is what the district
avoids): the scene sections are built from the facilities in scope.
"""

import functools

import streamlit as st

from data_access import figures
from data_access import services as usage_of
from data_access.at_once import at_once
from ui import downloads, filters, shell, views, wall_pages
from ui import service_views as show
from ui.i18n import t
from ui.tiles import tile

shell.ensure_frame()

view = filters.current()
scope, period = view.scope, view.period

if view.mode == "screen":  # the wall's own composition (ui/wall_pages.py)
    wall_pages.services_wall(scope, period)
    st.stop()

st.title(t("page.services"))
st.caption(f"{views.period_caption(view)} · {t('services.caption')}")

summary, before, facilities, weekly, ages, _ = at_once(
    lambda: figures.service_summary(scope, period)[0],  # [0]: the scope's total row
    lambda: figures.service_summary(scope, period.previous())[0],
    lambda: usage_of.facility_usage(scope, period),
    lambda: usage_of.weekly_usage(scope, period),
    lambda: usage_of.visits_by_age_band(scope, period),
    # every scene's heatmap cells come from one query: fetched now, picked from below
    lambda: usage_of.visit_heatmap(scope, period),
)
TILES = [
    ("fig.visits", "visits", "count", False),
    ("fig.unique_users", "unique_users", "count", False),
    ("fig.utilisation", "utilisation", "rate", False),
    ("fig.share_60_plus", "share_60_plus", "rate", False),
    ("services.no_show_rate", "no_show_rate", "rate", True),
]
for column, (label, key, kind, lower) in zip(st.columns(len(TILES)), TILES, strict=True):
    tile(column, label, summary.get(key), kind, previous=before.get(key), lower_is_better=lower)

if facilities.empty:
    st.info(t("services.no_facilities"))
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader(t("services.utilisation"))
    st.caption(show.thresholds_caption())
    if caption := show.ends_caption(facilities):
        st.caption(caption)
    show.draw_kept(
        "utilisation",
        lambda: show.utilisation_chart(show.telling(facilities)),
        (facilities,),
        view.mode,
    )
with right:
    st.subheader(t("services.trend"))
    show.draw_kept("trend", lambda: show.trend_chart(weekly), (weekly,), view.mode)

st.subheader(t("services.scenes"))
present = usage_of.facility_types(facilities)
for start in range(0, len(present), 3):
    for column, kind in zip(st.columns(3), present[start : start + 3], strict=False):
        of_kind = facilities[facilities["facility_type"] == kind]
        with column.container(border=True):
            st.markdown(
                f"**{t('services.scene_count', name=show.type_name(kind), count=len(of_kind))}**"
            )
            if caption := show.ends_caption(of_kind):
                st.caption(caption)
            if kind == "canteen":
                st.caption(t("services.canteen_60"))
            elif kind == "childcare":
                st.caption(t("services.childcare"))
            chart_of_kind = functools.partial(show.scene_chart, facilities, kind)
            show.draw_kept(kind, chart_of_kind, (facilities,), view.mode)
            downloads.shown_table(
                t(f"facility.{kind}"),
                f"cockpit_services_{kind}",
                show.facility_table(facilities, kind=kind),
                limit=show.TABLE_LIMIT,
                hide_index=True,
            )

left, right = st.columns(2)
with left:
    st.subheader(t("services.age"))
    if ages.empty:
        st.info(t("services.no_visits"))
    else:
        show.draw_kept("ages", lambda: show.age_chart(ages), (ages,), view.mode)
with right:
    st.subheader(t("services.heatmap"))
    scene = None
    if view.mode == "desk":
        scene = st.selectbox(
            t("services.heatmap_scene"),
            [None, *present],
            format_func=lambda kind: (
                t("services.all_types") if kind is None else show.type_name(kind)
            ),
            key="services_heatmap_scene",
        )
    cells = usage_of.visit_heatmap(scope, period, scene)
    if cells.empty:
        st.info(t("services.no_visits"))
    else:
        show.draw(show.heatmap_chart(cells), view.mode)

st.subheader(t("services.all_facilities"))
downloads.shown_table(
    "services",
    "services_facilities",
    show.facility_table(facilities),
    limit=show.TABLE_LIMIT,
    hide_index=True,
    width="stretch",
)
