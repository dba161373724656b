"""督办: the scope's open alerts by level and age (预警 / 超期 / 督办, config/alerts.toml),
one alert's incident timeline, and its acknowledgement with a note. `?alert=
<community_code>/<incident_id>` opens one alert; outside the viewer's scope it is
refused with a notice."""

from datetime import datetime

import streamlit as st

from data_access import alerts
from data_access.auth import current_viewer
from data_access.period import LOCAL
from notices.config import ConfigError
from ui import alert_views, filters, shell, views
from ui.i18n import t

shell.ensure_frame()

view = filters.current()
scope = view.scope

st.title(t("page.alerts"))
try:
    ladder = alerts.ladder()
except ConfigError as problem:  # the operator's file: say what is wrong, show nothing
    st.error(t("alerts.config_error", problem=str(problem)))
    st.stop()
st.caption(
    t(
        "alerts.caption",
        scope=views.scope_label(view),
        now=datetime.now(LOCAL).strftime("%Y-%m-%d %H:%M"),
        warning_hours=ladder.warning_hours,
        days=ladder.escalate_work_days,
    )
)
listed = alerts.open_alerts(scope)
alert_views.level_tiles(alerts.level_counts(scope))
alert_views.calendar_warning(listed)

if view.mode != "screen":
    named = st.query_params.get("alert")
    chosen = None
    if named:
        key = alert_views.parse_key(named)
        chosen = alerts.find(scope, *key) if key else None
        if chosen is None:
            st.warning(t("alerts.refused", alert=named))
    selected = alert_views.alert_list(listed)
    if selected is not None:
        chosen = selected
        st.query_params["alert"] = alert_views.alert_key(selected)
    if chosen is not None:
        st.divider()
        alert_views.detail(
            chosen, alerts.timeline(scope, chosen["community_code"], chosen["incident_id"])
        )
        viewer = current_viewer()
        alert_views.acknowledgement(
            chosen,
            can_acknowledge=viewer is not None and not viewer.is_screen,
            submit=lambda note: alerts.acknowledge(
                viewer, chosen["community_code"], chosen["incident_id"], chosen["level"], note
            ),
        )
