"""The frame every page runs in: theme, filter bar, notices, and the guard that turns
an unreachable warehouse into a banner in the user's language (never a traceback),
marks cached figures as stale, and brings the page back by itself when the warehouse
answers again."""

from __future__ import annotations

import threading
from datetime import datetime

import streamlit as st

from data_access import WarehouseUnavailable
from data_access import status as warehouse_status
from data_access.period import LOCAL
from ui import auth_ui, filters
from ui.i18n import t

RETRY_EVERY = "15s"
_FRAME = threading.local()  # set while app.py's frame runs a page, on the script thread
DOWN_KEY = "cockpit_down_seen"

# No web fonts and no external URLs: the fonts that Chinese Windows, macOS and Linux
# kiosks already have, in that order of preference.
FONT_STACK = (
    '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)

DESK_CSS = f"""
<style>
html, body, [class*="st-"]:not([data-testid="stIconMaterial"]), .stMarkdown, .stMetric,
button, input, textarea, select {{
  font-family: {FONT_STACK};
}}
/* Icons are a ligature font shipped with Streamlit: never replace their font. */
[data-testid="stIconMaterial"] {{ font-family: "Material Symbols Rounded" !important; }}
[data-testid="stMetricValue"] {{ font-variant-numeric: tabular-nums; }}
</style>
"""

# The big screen: dark, large type, no sidebar and no Streamlit chrome. A modest first
# version; the full 大屏 comes in a later issue.
SCREEN_CSS = """
<style>
.stApp, [data-testid="stAppViewContainer"], [data-testid="stHeader"] {
  background: #0b1526; color: #e6edf7;
}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"], header, footer { display: none !important; }
.block-container { padding-top: 1.2rem; max-width: 100%; }
h1, h2, h3, .stMarkdown p, [data-testid="stCaptionContainer"] { color: #e6edf7; }
[data-testid="stMetricValue"] { font-size: 3rem; color: #7fd3ff; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem; color: #b9c7dc; }
[data-testid="stMetric"] { background: #12213a; border-radius: 8px; padding: 0.8rem 1rem; }
h1 { font-size: 2.6rem; }
</style>
"""


def apply_theme(mode: str) -> None:
    st.html(DESK_CSS)
    if mode == "screen":
        st.html(SCREEN_CSS)


def _clock(epoch: float | None) -> str:
    if not epoch:
        return "—"
    return datetime.fromtimestamp(epoch, LOCAL).strftime("%H:%M")


@st.fragment(run_every=RETRY_EVERY)
def _recovery_watch() -> None:
    """While the warehouse is down, try it every 15 s; rerun the whole page when it is back."""
    if getattr(_FRAME, "full_run", False):
        return  # drawn with the page: only the timer's own reruns try the warehouse
    state = warehouse_status.health()
    if not state["down"] and not st.session_state.get(DOWN_KEY):
        return
    if warehouse_status.warehouse_reachable():
        st.session_state[DOWN_KEY] = False
        st.rerun()


def run(navigation) -> None:
    """Check the URL, draw the filter bar, run the page inside the guard."""
    mode = st.query_params.get("mode", "desk")
    apply_theme(mode)
    banner = st.container()
    try:
        viewer = auth_ui.current_viewer()
        if viewer is None:
            auth_ui.forget_cookie_after_sign_out()
            auth_ui.sign_in_page()
            return
        auth_ui.remember_session()
        st.session_state[filters.USER_SCOPE_KEY] = viewer.scope
        view = filters.check_url()
        if view.mode == "desk":
            filters.filter_bar(view)
            auth_ui.sign_out_button(viewer)
        filters.show_notices(view)
        _FRAME.active = True
        try:
            navigation.run()
        finally:
            _FRAME.active = False
    except WarehouseUnavailable:
        st.session_state[DOWN_KEY] = True
        banner.error(t("banner.down"))
    else:
        state = warehouse_status.health()
        if state["down"]:
            banner.warning(
                t("banner.stale", time=_clock(state["last_success"] or state["down_since"])),
            )
    _FRAME.full_run = True
    try:
        _recovery_watch()
    finally:
        _FRAME.full_run = False


def leave_pages_directory_mode() -> None:
    """Run app.py as the navigation entry point from the very first run.

    A folder named pages/ makes Streamlit start a process (and every AppTest run) in
    its old multipage mode until st.navigation is called; widgets drawn in that first
    run get other ids than in later runs, so a user's first input there is lost.
    Switch modes and start again before drawing anything.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def signed_in() -> bool:
    """Whether this session has a viewer (for app.py's page list); False when unsure."""
    try:
        return auth_ui.current_viewer() is not None
    except WarehouseUnavailable:
        return False


def ensure_frame() -> None:
    """Make sure this page runs inside app.py's frame (filters, guard, theme).

    With a folder named pages/ next to app.py, Streamlit runs a process's first
    script run (and every AppTest run) the old multipage way: a page addressed
    directly (/status) runs without app.py. Switch that off and run again through
    app.py, which lands on the same page.
    """
    if getattr(_FRAME, "active", False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()
