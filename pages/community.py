"""社区画像: one community's character — reported figures, 一老一小, grids, facilities,
features — and its rates against its street's and the district's."""

import pandas as pd
import streamlit as st

from data_access import Scope, figures, league
from data_access.frames import lookup
from ui import downloads, filters, shell, views
from ui.formatting import format_count, format_hours, format_number, format_rate
from ui.i18n import t

shell.ensure_frame()

view = filters.current()
places = figures.communities(view.scope)
st.title(t("page.community"))
st.caption(views.period_caption(view))
if places.empty:
    st.info(t("community.none"))
    st.stop()

code = view.community
if code is None:
    names = lookup(places, "community_code", "community_name")
    code = st.selectbox(
        t("community.choose"), list(names), format_func=names.get, key="cockpit_community_choice"
    )
row = places[places["community_code"] == code].iloc[0].to_dict()
estimated = set(row.get("estimated_fields") or [])


def shown(field: str, text: str) -> str:
    return text + t("community.estimated") if field in estimated and text != "—" else text


st.header(f"{row['community_name']} · {row['street_name']}")
st.subheader(t("community.reported"))
cells = [
    (t("community.households"), shown("households", format_count(row["households"]))),
    (t("fig.residents"), shown("residents", format_count(row["residents"]))),
    (
        t("community.residents_60_plus"),
        shown("residents_60_plus", format_count(row["residents_60_plus"])),
    ),
    (
        t("community.residents_under_14"),
        shown("residents_under_14", format_count(row["residents_under_14"])),
    ),
    (
        t("community.old_young_share"),
        shown(
            "residents_60_plus" if {"residents_60_plus", "residents_under_14"} & estimated else "",
            format_rate(league.old_young_share(row)),
        ),
    ),
    (t("community.area"), shown("area_ha", format_number(row["area_ha"]))),
]
community_scope = Scope("community", code)
grid_rows = figures.grids(community_scope)
grid_rows = grid_rows[grid_rows["community_code"] == code]
cells += [
    (t("community.grids"), format_count(int((grid_rows["level"] == "grid").sum()))),
    (t("community.micro_grids"), format_count(int((grid_rows["level"] == "micro_grid").sum()))),
]
# Two rows of four: eight tiles in one row cut "3,860（估）" to "3,86…" at 1920 px.
TILES_PER_ROW = 4
for first in range(0, len(cells), TILES_PER_ROW):
    for column, (label, value) in zip(
        st.columns(TILES_PER_ROW), cells[first : first + TILES_PER_ROW], strict=False
    ):
        column.metric(label, value, border=True)

profile = row.get("profile") or {}
left, right = st.columns([3, 2])
with left:
    st.subheader(t("community.facilities"))
    facilities = figures.facilities(community_scope)
    facilities = facilities[facilities["community_code"] == code]
    downloads.shown_table(
        t("community.facilities"),
        "cockpit_community_facilities",
        pd.DataFrame(
            {
                t("facility.name"): facilities["facility_name"],
                t("facility.type"): [t(f"facility.{kind}") for kind in facilities["facility_type"]],
                t("facility.capacity"): [format_count(value) for value in facilities["capacity"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
with right:
    for key in ("features", "compounds", "platforms"):
        items = profile.get(key) or []
        if items:
            st.subheader(t(f"community.{key}"))
            st.markdown("\n".join(f"- {item}" for item in items))

st.subheader(t("community.compare"))
# Only the totals the viewer may see: asked for its street or the district, a community
# head's query returns its own community's rows, which would pass for those totals.
bound = filters.user_scope()
compared_scopes = {t("community.this"): community_scope}
if bound.sees_street(row["street_code"]):
    compared_scopes[t("community.street_total")] = Scope("street", row["street_code"])
if bound.kind == "district":
    compared_scopes[t("community.district_total")] = Scope.district()
else:
    st.caption(t("community.compare_bounded"))
compared = {name: league.rates(scope, view.period) for name, scope in compared_scopes.items()}
labels = {
    "closure_rate": ("fig.closure_rate", format_rate),
    "on_time_rate": ("fig.on_time_rate", format_rate),
    "mean_handling_hours": ("fig.mean_handling_hours", format_hours),
    "open_per_1000": ("fig.open_per_1000", format_number),
    "overdue_per_1000": ("fig.overdue_per_1000", format_number),
    "visits_per_1000": ("fig.visits_per_1000", format_number),
    "utilisation": ("fig.utilisation", format_rate),
    "share_60_plus": ("fig.share_60_plus", format_rate),
    "participation": ("fig.participation", format_rate),
}
table = pd.DataFrame(
    {
        name: {t(label): fmt(values[key]) for key, (label, fmt) in labels.items()}
        for name, values in compared.items()
    }
)
downloads.shown_table(t("community.compare"), "cockpit_community_compare", table, width="stretch")
