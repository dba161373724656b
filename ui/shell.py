"""The frame every page runs in: theme, filter bar, notices, and the guard that turns
an unreachable warehouse into a banner in the user's language (never a traceback),
marks cached figures as stale, and brings the page back by itself when the warehouse
answers again."""

from __future__ import annotations

import threading
from datetime import datetime

import streamlit as st

from data_access import QueryTimedOut, WarehouseUnavailable
from data_access import status as warehouse_status
from data_access.period import LOCAL
from ui import auth_ui, briefing_ui, filters, i18n, phone, screen
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

# The big screen (大屏): dark, no sidebar and no Streamlit chrome, and sized by the
# viewport: the root font size is 16 px on a 1920×1080 screen and 32 px on 3840×2160
# (whichever of width and height is tighter), and Streamlit sizes its type and
# spacing in rem, so the same layout fills both without a scroll bar. Elements keep
# full opacity while a refresh reruns the page (no fade: no flicker on the wall).
SCREEN_CSS = """
<style>
html { font-size: clamp(12px, min(0.8333vw, 1.4815vh), 64px); }
html, body { overflow: hidden; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stHeader"], [data-testid="stMain"] {
  background: #0b1526; color: #e6edf7;
}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"], [data-testid="stHeader"], header, footer {
  display: none !important;
}
[data-testid="stMainBlockContainer"], .block-container {
  padding: 0.6rem 1.6rem 0.4rem 1.6rem !important; max-width: 100% !important;
}
[data-stale="true"] { opacity: 1 !important; transition: none !important; }
/* No one clicks a wall: the tables' CSV and Excel buttons are for the desk. */
[data-testid="stDownloadButton"] { display: none !important; }
[data-testid="stVerticalBlock"] { gap: 0.6rem; }
h1, h2, h3, .stMarkdown p, [data-testid="stCaptionContainer"] { color: #e6edf7; }
h1 { font-size: 2.2rem !important; padding: 0.2rem 0 0 0 !important; }
h2, h3 { font-size: 1.5rem !important; padding: 0.3rem 0 0.2rem 0 !important; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; color: #9fb2cc; }
[data-testid="stMetric"] {
  background: #12213a; border-radius: 0.5rem; padding: 0.6rem 1rem !important;
}
[data-testid="stMetricValue"] { font-size: 2.9rem !important; color: #7fd3ff; }
[data-testid="stMetricValue"] > div { font-size: inherit !important; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem !important; color: #b9c7dc; }
[data-testid="stMetricDelta"] { font-size: 1rem !important; }
.csb-bar {
  display: flex; align-items: center; gap: 1.6rem; padding: 0.35rem 1rem;
  background: #102039; border-radius: 0.5rem; border: 1px solid #1d3556;
  font-size: 1.15rem; color: #b9c7dc; white-space: nowrap;
}
.csb-title { font-weight: 600; color: #e6edf7; flex: 1 1 auto; overflow: hidden;
  text-overflow: ellipsis; }
.csb-asof { color: #7fd3ff; }
.csb-stale { color: #fff; background: #b3261e; padding: 0.1rem 0.7rem; border-radius: 0.3rem;
  font-weight: 600; }
.csb-beat { font-variant-numeric: tabular-nums; color: #8fa3bf; }
.csb-next { color: #8fa3bf; }
.csb-clock { font-size: 2rem; font-weight: 700; color: #e6edf7;
  font-variant-numeric: tabular-nums; }
.csb-frozen { background: #7a1712; border-color: #ff6b5e; }
.csb-frozen .csb-beat { color: #fff; font-weight: 700; }
.screen-table { width: 100%; border-collapse: collapse; font-size: 1.05rem; color: #e6edf7;
  font-variant-numeric: tabular-nums; }
.screen-table th { text-align: left; color: #9fb2cc; font-weight: 500;
  border-bottom: 1px solid #2a3b57; padding: 0.25rem 0.5rem; }
.screen-table td { padding: 0.22rem 0.5rem; border-bottom: 1px solid #17263f; }
.screen-table tr:nth-child(even) td { background: #0f1c31; }
</style>
"""


def apply_theme(mode: str) -> None:
    st.html(DESK_CSS)
    if mode == "screen":
        st.html(SCREEN_CSS)
    else:
        phone.apply_css()  # desk only, and only under its media queries (issue [14])


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
            phone.top_bar(
                getattr(navigation, "title", None),
                lambda: filters.phone_filters(view),
                sign_out=auth_ui._sign_out if not viewer.is_screen else None,
                signed_in_as=t("auth.signed_in_as", name=viewer.display_name),
            )
            filters.filter_bar(view)
            briefing_ui.sidebar_section(view)
            auth_ui.sign_out_button(viewer)
        filters.show_notices(view)
        if view.mode == "screen":
            screen.run_frame(navigation, view)
        _FRAME.active = True
        try:
            with i18n.language_pinned(view.lang):
                navigation.run()
        finally:
            _FRAME.active = False
    except QueryTimedOut:  # the warehouse is up; this view asks too much of it
        banner.error(t("banner.timeout"))
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
