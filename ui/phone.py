"""The phone and tablet layout of the desk mode (issue [14]).

Chosen by the viewport, not by a URL: the same page carries a few phone-only parts
(the top bar, the overdue cards), and CSS inside a media query decides what shows.
Every rule here sits inside `@media (max-width: PHONE_MAX)` or, to hide the phone-only
parts on a wider screen, `@media (min-width: PHONE_MAX + 1)`; ui.shell injects this CSS
in desk mode only, so the wall screen (mode=screen) never gets any of it.

Phone-only parts live in containers whose key starts with `cockpit_phone_` (Streamlit
gives them the class `st-key-<key>`), which is what the CSS shows and hides.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from data_access.derived import derived
from ui import wall_map
from ui.formatting import MISSING, format_hours
from ui.i18n import current_language, t
from ui.wall import svg_image

PHONE_MAX = 820  # px: phones and portrait tablets (768×1024) get the phone layout
TAP = 44  # px: the smallest touch target (Apple HIG, WCAG 2.5.5)
KEY_PREFIX = "cockpit_phone_"
OVERDUE_CARDS = 10
# The phone's map is a picture of the scope drawn by the server (the wall's SVG), at
# the phone's width: the desk's deck keeps its desk zoom whatever its width, so on a
# phone it cut off a community's outer grids. Labels and points are drawn this much
# larger, since the same viewBox lands on about a third of the wall's pixels.
MAP_SCALE = 2.2
# A scope with more areas than this (a whole city's communities) keeps the desk's deck,
# which can zoom: a picture of thousands of areas reads as a blur on a phone.
MAP_AREAS_MAX = 400
# The desk map's "click an area" hint: hidden on a phone that shows the picture.
MAP_HINT_KEY = "cockpit_map_hint"

# (script, title key) in app.py's menu order: the phone's page menu links the same pages.
PAGES = [
    ("pages/overview.py", "page.overview"),
    ("pages/map.py", "page.map"),
    ("pages/incidents.py", "page.incidents"),
    ("pages/services.py", "page.services"),
    ("pages/points.py", "page.points"),
    ("pages/community.py", "page.community"),
    ("pages/alerts.py", "page.alerts"),
    ("pages/status.py", "page.status"),
]

# A row of figures: columns holding an st.metric of their own (not one nested deeper, as in
# a left/right split whose left half has figures).
METRIC_ROW = (
    '[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] > '
    '[data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] > '
    '[data-testid="stMetric"])'
)

_CONTROLS = """
  button, [role="tab"], [data-testid="stPageLink"] a, [data-testid="stSidebarNavLink"],
  [data-testid="stExpander"] summary, [data-baseweb="select"] > div,
  [data-testid="stSelectbox"] .react-aria-ComboBox > div, [data-testid="stDateInputField"],
  [data-baseweb="input"], [data-testid="stTextInput"] input,
  [data-testid="stNumberInput"] input, [data-testid="stTextArea"] textarea,
  [data-testid="stSelectbox"] input"""

PHONE_CSS = f"""
<style>
@media (max-width: {PHONE_MAX}px) {{
  /* The page never scrolls sideways: wide content scrolls inside its own box. */
  /* Below the (lower) header bar, whose only control is the sidebar's arrow. */
  [data-testid="stHeader"] {{ height: 3rem; min-height: 3rem; }}
  [data-testid="stMainBlockContainer"] {{
    padding: 3.25rem 0.75rem 4rem 0.75rem !important; max-width: 100vw !important;
  }}
  [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stDeckGlJsonChart"],
  [data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"],
  [data-testid="stPlotlyChart"], [data-testid="stImage"], [data-testid="stHtml"] {{
    max-width: 100% !important;
  }}
  [data-testid="stTable"], [data-testid="stMarkdownContainer"] table {{
    display: block; overflow-x: auto; -webkit-overflow-scrolling: touch;
  }}
  [data-testid="stDeckGlJsonChart"] canvas {{ max-width: 100%; }}
  h1 {{ font-size: 1.6rem !important; padding: 0.25rem 0 0.25rem 0 !important; }}
  h2, h3 {{ font-size: 1.2rem !important; }}

  /* Figures two per row, compact (Streamlit stacks columns one per row below 640 px). */
  {METRIC_ROW} {{
    flex-wrap: wrap !important; gap: 0.5rem !important;
  }}
  {METRIC_ROW}
    > [data-testid="stColumn"] {{
    flex: 1 1 calc(50% - 0.25rem) !important; min-width: calc(50% - 0.25rem) !important;
    max-width: calc(50% - 0.25rem) !important; width: calc(50% - 0.25rem) !important;
  }}
  {METRIC_ROW}
    > [data-testid="stColumn"]:not(:has([data-testid="stElementContainer"])) {{ display: none; }}
  [data-testid="stMetric"] {{ padding: 0 !important; }}
  [data-testid="stMetric"] > div {{ padding: 0.35rem 0.6rem !important; }}
  [data-testid="stMetricLabel"] {{ min-height: 1.25rem; }}
  [data-testid="stMetricLabel"] p {{ font-size: 0.8rem !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.35rem !important; padding-bottom: 0 !important; }}
  [data-testid="stMetricValue"] > div {{ font-size: inherit !important; }}
  [data-testid="stMetricDelta"] {{ font-size: 0.75rem !important; }}

  /* Touch: every control at least {TAP}×{TAP} px. */
  {_CONTROLS} {{
    min-height: {TAP}px !important;
  }}
  /* Buttons with a label are wider than a finger anyway; the icon-only ones get a width. */
  [data-testid="stPopoverButton"], [data-testid="stBaseButton-header"],
  [data-testid="stBaseButton-headerNoPadding"], [data-testid="stExpandSidebarButton"],
  [data-testid="stSidebarCollapseButton"] button, [data-testid="stBaseButton-minimal"],
  [data-testid="stBaseButton-borderlessIcon"], [data-testid="stSelectbox"] button,
  [data-testid="stTextInputRootElement"] button,
  [data-testid="stMultiSelect"] button {{ min-width: {TAP}px !important; }}
  [data-testid="stSidebarNavLink"] {{ display: flex; align-items: center; }}
  /* A tile's help icon opens its text on a tap (mobile browsers emulate hover on tap);
     its box grows to a finger's size without moving the label. */
  [data-testid="stTooltipHoverTarget"] button, [data-testid="stTooltipIcon"] button {{
    min-width: {TAP}px !important; min-height: {TAP}px !important;
    margin: -14px -14px -14px -14px !important;
  }}
  [data-testid="stDateInputCalendarButton"] {{
    min-height: {TAP}px !important; min-width: {TAP}px !important;
  }}
  [data-testid="stHeader"] button {{
    min-width: {TAP}px !important; min-height: {TAP}px !important;
  }}
  /* Hover-only toolbars (fullscreen, search): no hover on a phone. Tables keep their
     CSV/Excel buttons. */
  [data-testid="stElementToolbar"] {{ display: none !important; }}

  /* The phone's top bar: page menu and the filters a community head uses. */
  .st-key-{KEY_PREFIX}bar {{ flex-wrap: wrap !important; }}
  .st-key-{KEY_PREFIX}bar > div:has([data-testid="stExpander"]) {{ flex: 1 1 0; min-width: 0; }}
  /* Open, the filters take the whole width (below the menu button). */
  .st-key-{KEY_PREFIX}bar > div:has(details[open]) {{ flex-basis: 100%; }}
  .st-key-{KEY_PREFIX}bar [data-testid="stExpander"] details {{ border-radius: 0.5rem; }}

  /* The map: the picture of the scope at the phone's width instead of the desk's deck. */
  [data-testid="stMain"]:has(.st-key-{KEY_PREFIX}map)
    [data-testid="stElementContainer"]:has([data-testid="stDeckGlJsonChart"]) {{
    display: none !important;
  }}
  [data-testid="stMain"]:has(.st-key-{KEY_PREFIX}map) .st-key-{MAP_HINT_KEY} {{
    display: none !important;
  }}
  .cockpit-phone-map {{ background: {wall_map.OUTSIDE}; border-radius: 0.5rem; line-height: 0;
    overflow: hidden; }}
  .cockpit-phone-map img {{ width: 100%; height: auto; display: block; }}

  /* The overdue list as cards. */
  .cockpit-cards {{ display: flex; flex-direction: column; gap: 0.5rem; }}
  .cockpit-card {{
    border: 1px solid rgba(49, 51, 63, 0.2); border-left: 4px solid #d93025;
    border-radius: 0.5rem; padding: 0.5rem 0.75rem; line-height: 1.35;
  }}
  .cockpit-card-top {{ display: flex; justify-content: space-between; gap: 0.5rem;
    align-items: baseline; }}
  .cockpit-card-category {{ font-weight: 600; }}
  .cockpit-card-hours {{ color: #d93025; font-weight: 600; white-space: nowrap;
    font-variant-numeric: tabular-nums; }}
  .cockpit-card-meta {{ color: rgba(49, 51, 63, 0.7); font-size: 0.85rem;
    overflow-wrap: anywhere; }}
}}
@media (min-width: 641px) and (max-width: {PHONE_MAX}px) {{
  /* A portrait tablet: columns one below the other as Streamlit does below 640 px (side
     by side they squeeze maps, legends and buttons), but three figures per row. */
  [data-testid="stHorizontalBlock"]:not({METRIC_ROW}) > [data-testid="stColumn"] {{
    flex: 1 1 100% !important; min-width: 100% !important;
  }}
  {METRIC_ROW}
    > [data-testid="stColumn"] {{
    flex: 1 1 calc(33.33% - 0.34rem) !important; min-width: calc(33.33% - 0.34rem) !important;
    max-width: calc(33.33% - 0.34rem) !important; width: calc(33.33% - 0.34rem) !important;
  }}
}}
@media (min-width: {PHONE_MAX + 1}px) {{
  /* On a wider screen the phone-only parts take no room at all (nor their wrapper's gap). */
  [class*="st-key-{KEY_PREFIX}"],
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-{KEY_PREFIX}"]),
  [data-testid="stElementContainer"]:has(> [class*="st-key-{KEY_PREFIX}"]) {{
    display: none !important;
  }}
}}
</style>
"""


def apply_css() -> None:
    """The phone rules; ui.shell calls this in desk mode only."""
    st.html(PHONE_CSS)


# -- the top bar --------------------------------------------------------------------------
def top_bar(current_title: str | None, draw_filters, sign_out=None, signed_in_as: str = "") -> None:
    """The phone's first row: a page menu and the filters, shown under the media query only.

    `draw_filters` draws the filter widgets (ui.filters.phone_filters) inside the
    expander; `sign_out` is the sign-out callback for the menu.
    """
    with st.container(key=f"{KEY_PREFIX}bar", horizontal=True, gap="small"):
        label = current_title or t("phone.menu")
        with st.popover(label, icon=":material/menu:", key=f"{KEY_PREFIX}menu"):
            for script, title in PAGES:
                st.page_link(script, label=t(title), width="stretch")
            if sign_out is not None:
                if signed_in_as:  # markdown, not a caption: a page's first caption is its scope
                    name = signed_in_as.replace("[", "［").replace("]", "］")
                    st.markdown(f":gray[:small[{name}]]")
                st.button(
                    t("auth.sign_out"), key=f"{KEY_PREFIX}sign_out", on_click=sign_out,
                    width="stretch",
                )  # fmt: skip
        draw_filters()


# -- the map ------------------------------------------------------------------------------
def map_picture(scope, areas: pd.DataFrame, colouring, incidents: pd.DataFrame, outlines,
                title: str) -> bool:  # fmt: skip
    """The scope's map as a picture the phone's width, framed on the scope (a community
    head's: their grids), shown on a phone instead of the desk's deck. False when the
    scope has too many areas for a picture (the deck stays)."""
    if areas.empty or len(areas) > MAP_AREAS_MAX:
        return False
    svg, _ = derived(
        "phone_map",
        (areas, colouring, incidents, outlines),
        lambda: wall_map.svg(
            areas, colouring, incidents, outlines, title, scale=MAP_SCALE, reserved=()
        ),  # fmt: skip
        current_language(),
        scope.setting(),
    )
    if not svg:
        return False
    with st.container(key=f"{KEY_PREFIX}map"):
        st.html(f'<div class="cockpit-phone-map">{svg_image(svg, "", "phoneMap")}</div>')
    return True


# -- the overdue cards --------------------------------------------------------------------
def overdue_card_rows(overdue: pd.DataFrame, limit: int = OVERDUE_CARDS) -> list[dict]:
    """What each card shows: incident, category, grid, hours overdue (worst first)."""
    rows = []
    for row in overdue.head(limit).itertuples():
        grid = row.grid_name if isinstance(row.grid_name, str) and row.grid_name else None
        rows.append(
            {
                "incident": str(row.incident_id),
                "category": str(row.category_name),
                "grid": grid or t("phone.no_grid"),
                "hours": t("phone.hours_overdue", hours=format_hours(row.hours_overdue)),
                "worker": row.worker if isinstance(row.worker, str) and row.worker else None,
            }
        )
    return rows


def _card(row: dict) -> str:
    meta = [row["incident"], row["grid"]] + ([row["worker"]] if row["worker"] else [])
    return (
        f'<div class="cockpit-card" data-incident="{html.escape(row["incident"])}">'
        '<div class="cockpit-card-top">'
        f'<span class="cockpit-card-category">{html.escape(row["category"])}</span>'
        f'<span class="cockpit-card-hours">{html.escape(row["hours"])}</span></div>'
        f'<div class="cockpit-card-meta">{" · ".join(html.escape(m) for m in meta)}</div>'
        "</div>"
    )


def overdue_cards(overdue: pd.DataFrame, total) -> dict | None:
    """The overdue list as cards, right below the figures, and a list to open one card's
    timeline with a tap (the desk's table rows are too small a target); on a phone only.
    Returns the chosen incident's row, if any."""
    with st.container(key=f"{KEY_PREFIX}overdue"):
        st.subheader(t("phone.overdue_title"))
        if overdue.empty:
            st.info(t("incidents.overdue_none"))
            return None
        rows = overdue_card_rows(overdue)
        if total is None or int(total) > len(rows):
            shown_total = MISSING if total is None else int(total)
            st.caption(t("phone.overdue_more", total=shown_total, shown=len(rows)))
        st.html('<div class="cockpit-cards">' + "".join(_card(r) for r in rows) + "</div>")
        listed = overdue.head(len(rows))
        keys = [
            f"{community}/{incident}"
            for community, incident in zip(
                listed["community_code"], listed["incident_id"], strict=True
            )
        ]
        labels = {
            key: f"{row['incident']} · {row['category']}"
            for key, row in zip(keys, rows, strict=True)
        }
        picked = st.selectbox(
            t("phone.timeline_pick"),
            keys,
            index=None,
            format_func=labels.get,
            placeholder=t("phone.timeline_placeholder"),
            key=f"{KEY_PREFIX}timeline",
        )
    return listed.iloc[keys.index(picked)].to_dict() if picked in keys else None
