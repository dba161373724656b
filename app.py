"""社区数字驾驶舱 — entry point: page config, warehouse start-up, navigation.

Page paths are a public interface (DESIGN §6): / /map /incidents /services /points
/community /status.
"""

import streamlit as st

from ui import filters, shell, startup
from ui.i18n import t

# (script, title key, url path); the first is the default page, served at /
PAGES = [
    ("pages/overview.py", "page.overview", "overview"),
    ("pages/map.py", "page.map", "map"),
    ("pages/incidents.py", "page.incidents", "incidents"),
    ("pages/services.py", "page.services", "services"),
    ("pages/points.py", "page.points", "points"),
    ("pages/community.py", "page.community", "community"),
    ("pages/alerts.py", "page.alerts", "alerts"),
    ("pages/status.py", "page.status", "status"),
]

shell.leave_pages_directory_mode()
filters.restore_kept()  # before anything reads the URL: a page switch drops its parameters
st.set_page_config(page_title=t("app.title"), page_icon="🏘️", layout="wide")
startup.ensure_warehouse()

navigation = st.navigation(
    [
        st.Page(script, title=t(title), url_path=path, default=index == 0)
        for index, (script, title, path) in enumerate(PAGES)
    ],
    # No page list before sign-in, and none on a wall screen.
    position="sidebar"
    if shell.signed_in() and st.query_params.get("mode") != "screen"
    else "hidden",
)
shell.run(navigation)
