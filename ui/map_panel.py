"""The grid map's page around the deck: its controls, what a click selects and the drill
it offers, the legend, the side panel's figures and tables. Split from ui/map_view.py
(issue [12]); the page reaches these through map_view's names.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from data_access import Scope, geo
from data_access.derived import derived
from ui.i18n import current_language, t
from ui.map_colours import (
    CELL_DOT,
    POINT_DUE_SOON,
    POINT_IN_TIME,
    POINT_OVERDUE,
    Colouring,
    clean_value,
    count_text,
    format_measure,
    legend_rows,
    measure_unit,
)

KEY_PREFIX = "cockpit_map_"
# Beyond this many open incidents, points (each with its texts) would outgrow the rerun's
# 2 MB: they are drawn merged, a dot per cell (map_view.cell_objects), not as heat, whose
# aggregation blocks a browser drawing WebGL on the CPU for seconds (docs/performance.md).
HEAT_POINTS_MAX = 5000


# -- selection -> filters ---------------------------------------------------------------
def selected_object(event) -> dict | None:
    """The clicked area (or incident) of a pydeck selection event, or None."""
    if not event:
        return None
    selection = event.get("selection") if isinstance(event, Mapping) else None
    objects = (selection or {}).get("objects") or {}
    for layer in ("areas", "incidents"):
        chosen = objects.get(layer) or []
        if chosen and chosen[0].get("area_code"):
            return dict(chosen[0])
    return None


KEPT_ON_DRILL = ("from", "to", "asof", "mode", "lang")


def drill_params(chosen: Mapping, current: Mapping[str, str]) -> dict[str, str] | None:
    """The URL parameters that narrow the whole cockpit to the chosen area, keeping the
    period, as-of date, mode and language; None when the object names no area."""
    code, level = chosen.get("area_code"), chosen.get("level")
    community, street = chosen.get("community_code"), chosen.get("street_code")
    if not code or level not in geo.LEVELS or not community:
        return None
    params = {key: str(current[key]) for key in KEPT_ON_DRILL if current.get(key)}
    if street:
        params["street"] = street
    params["community"] = community
    if level != "community":
        params["grid"] = code
    return params


def apply_params(params: dict[str, str]) -> None:
    """Point the URL at `params` (the shell checks and keeps them on the rerun)."""
    from ui.filters import PARAMS

    for key in PARAMS:
        if key in st.query_params and key not in params:
            del st.query_params[key]
    st.query_params.update(params)


# -- widgets and panels -----------------------------------------------------------------
def controls(scope: Scope) -> tuple[str, str, str]:
    """Level, measure and incident style, each remembered per scope (a drill starts
    at the new scope's own default level)."""
    levels = list(geo.levels_for(scope))
    level_key = f"{KEY_PREFIX}level_{scope.setting()}"
    if st.session_state.get(level_key) not in levels:
        st.session_state[level_key] = geo.default_level(scope)
    first, second, third = st.columns([1.1, 2.2, 1.0])
    with first:
        level = st.segmented_control(
            t("map.level"),
            levels,
            format_func=lambda key: t(f"map.level.{key}"),
            key=level_key,
        ) or geo.default_level(scope)
    measures = geo.measures_at(level)
    group = "community" if level == "community" else "grid"
    measure_key = f"{KEY_PREFIX}measure_{group}"
    if st.session_state.get(measure_key) not in measures:
        st.session_state[measure_key] = measures[0]
    with second:
        measure = (
            st.segmented_control(
                t("map.measure"),
                measures,
                format_func=lambda key: t(f"map.measure.{key}"),
                key=measure_key,
            )
            or measures[0]
        )
    incident_key = f"{KEY_PREFIX}incidents"
    if st.session_state.get(incident_key) not in ("points", "heat", "none"):
        st.session_state[incident_key] = "points"
    with third:
        incident_style = (
            st.segmented_control(
                t("map.incidents"),
                ["points", "heat", "none"],
                format_func=lambda key: t(f"map.incidents.{key}"),
                key=incident_key,
            )
            or "points"
        )
    return level, measure, incident_style


def chart_key(scope: Scope, level: str) -> str:
    """Per scope and level: a selection never outlives the data it indexes."""
    return f"{KEY_PREFIX}chart_{scope.setting()}_{level}"


def map_css(mode: str) -> str:
    background = "#0e1b30" if mode == "screen" else "#e9eff6"
    border = "#1d3556" if mode == "screen" else "#c9d6e6"
    return (
        "<style>[data-testid='stDeckGlJsonChart'] {"
        f"background: {background}; border: 1px solid {border}; border-radius: 10px;"
        "overflow: hidden;}"
        ".cockpit-legend {font-size: 0.95rem; line-height: 1.7;}"
        ".cockpit-legend .swatch {display: inline-block; width: 1.4em; height: 0.9em;"
        "border-radius: 3px; margin-right: 0.5em; vertical-align: -0.1em;}"
        ".cockpit-legend .note {opacity: 0.75; font-size: 0.85rem;}"
        "</style>"
    )


def _swatch(colour: list[int]) -> str:
    r, g, b = colour[:3]
    return f"<span class='swatch' style='background: rgb({r},{g},{b})'></span>"


def drawn_style(incident_style: str, incidents: pd.DataFrame) -> str:
    """How the incidents are drawn: points beyond HEAT_POINTS_MAX are drawn as cells."""
    if incident_style == "points" and len(incidents) > HEAT_POINTS_MAX:
        return "cells"
    return incident_style


def legend_html(
    colouring: Colouring, incident_style: str, unplaced: int, *, chosen_style: str | None = None
) -> str:
    """The legend of the areas' colours and of the incidents as drawn (`incident_style`);
    `chosen_style`, when it differs, is the style the user chose and could not have."""
    from html import escape

    measure = colouring.measure
    method = {
        "quantile": "map.legend.quantile",
        "fixed": "map.legend.fixed",
        "equal": "map.legend.equal",
    }.get(colouring.method)
    parts = [
        "<div class='cockpit-legend'>",
        f"<b>{escape(t(f'map.measure.{measure}'))}</b>（{escape(measure_unit(measure))}）<br/>",
    ]
    for colour, text in legend_rows(colouring):
        parts.append(f"{_swatch(colour)}{escape(text)}<br/>")
    if method:
        parts.append(f"<span class='note'>{escape(t(method))}</span><br/>")
    if incident_style == "points":
        parts.append(
            f"{_swatch(POINT_OVERDUE)}{_swatch(POINT_DUE_SOON)}{_swatch(POINT_IN_TIME)}"
            f"<span class='note'>{escape(t('map.legend.points'))}</span><br/>"
        )
    elif incident_style == "cells":
        note = escape(t("map.legend.cells"))
        parts.append(f"{_swatch(CELL_DOT)}<span class='note'>{note}</span><br/>")
        if chosen_style == "points":
            instead = t("map.legend.cells_instead", limit=f"{HEAT_POINTS_MAX:,}")
            parts.append(f"<span class='note'>{escape(instead)}</span><br/>")
    elif incident_style == "heat":
        parts.append(f"<span class='note'>{escape(t('map.legend.heat'))}</span><br/>")
    if unplaced:
        parts.append(
            f"<span class='note'>{escape(t('map.legend.unplaced', count=unplaced))}</span>"
        )
    parts.append("</div>")
    return "".join(parts)


def ranking_table(areas: pd.DataFrame, colouring: Colouring, limit: int = 8) -> pd.DataFrame:
    """The areas by the measure, worst first (highest where lower is better). Kept while
    `areas` and `colouring` are the same objects: a city's 3,000 areas sorted again on
    every rerun took a sixth of it. Shared: read, do not modify."""
    lang = current_language()
    return derived(
        "ranking", (areas, colouring), lambda: _ranking_table(areas, colouring, limit), limit, lang
    )


def _ranking_table(areas: pd.DataFrame, colouring: Colouring, limit: int) -> pd.DataFrame:
    lower_is_better = geo.MEASURES[colouring.measure][2]
    rows = [
        (row.area_name, colouring.values.get(row.area_code))
        for row in areas.itertuples()
        if colouring.values.get(row.area_code) is not None
    ]
    rows.sort(key=lambda item: float(item[1]), reverse=lower_is_better)
    return pd.DataFrame(
        [
            {t("map.col.area"): name, t("map.col.value"): format_measure(value, colouring.measure)}
            for name, value in rows[:limit]
        ]
    )


def overdue_table(worst: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("map.col.category"): row.category_name,
                t("map.col.reported"): row.reported_at.strftime("%m-%d %H:%M"),
                t("map.col.overdue_hours"): f"{float(row.overdue_hours):,.0f}",
                t("map.col.incident"): row.incident_id,
            }
            for row in worst.itertuples()
        ]
    )


def area_facts(
    chosen: Mapping, areas: pd.DataFrame, measures: pd.DataFrame
) -> tuple[dict, dict] | None:
    """(the area's row, its measures' row) for the chosen object, None if not drawn here."""
    code = chosen.get("area_code")
    area = areas[areas["area_code"] == code]
    measure_rows = measures[measures["area_code"] == code]
    if area.empty:
        return None
    figures_row = measure_rows.iloc[0].to_dict() if len(measure_rows) else {}
    return area.iloc[0].to_dict(), figures_row


def area_figures(area: Mapping, area_figures_row: Mapping, measure: str) -> None:
    """The chosen area's people, incidents and the measure, as small tiles."""
    cells = [
        (t("fig.residents"), count_text(clean_value(area.get("residents")))),
        (t("community.households"), count_text(clean_value(area.get("households")))),
        (t("fig.open"), count_text(clean_value(area_figures_row.get("open")))),
        (t("fig.overdue"), count_text(clean_value(area_figures_row.get("overdue")))),
    ]
    column = geo.MEASURES[measure][0]
    cells.append(
        (t(f"map.measure.{measure}"), format_measure(area_figures_row.get(column), measure))
    )
    for start in range(0, len(cells), 2):
        for slot, (label, value) in zip(st.columns(2), cells[start : start + 2], strict=False):
            slot.metric(label, value)


def area_caption(area: Mapping) -> str:
    """Where the area is and who looks after it: 湖山社区 · 网格员：网格员 01."""
    if area.get("level") == "community":
        return str(area.get("street_name") or "")
    worker = t("map.tip.worker", value=area.get("worker") or t("map.worker_none"))
    return f"{area.get('community_name')} · {worker}"
