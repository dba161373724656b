"""The grid map: controls, the pydeck deck (areas, labels, incidents), legend, side panel.

Offline by default: `pdk.Deck(map_provider=None)` leaves pydeck's map_style sentinel
("__MAP_STYLE__") in the spec, which Streamlit's frontend reads as "no basemap".
`map_style=None` would not do: Streamlit then falls back to a public CARTO basemap.
A self-hosted basemap is configured in config/map.toml.

Geometry is prepared once per (scope, level) and cached; colouring is computed from
the measures separately, so choosing another measure never re-parses outlines. The
deck's JSON is written compactly (no indent, UTF-8 rather than \\u escapes).
"""

from __future__ import annotations

import bisect
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize
from pydeck.types import String

from data_access import Scope, geo
from data_access.derived import derived
from data_access.frames import lookup
from ui import coords, map_layers
from ui.formatting import format_count, format_number, format_rate
from ui.i18n import current_language, t

CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "map.toml"
GEOMETRY_TTL = 600  # seconds: outlines change only when an office re-exports its grids
KEY_PREFIX = "cockpit_map_"
FONT_FAMILY = (
    '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif'
)
MAP_HEIGHT = {"desk": 700, "screen": 790}
# The map's width as drawn at 1920 px (main area minus the side panel): only for the
# first fit of the view; the user pans and zooms from there.
MAP_WIDTH = {"desk": 1080, "screen": 1380}
FIT_PADDING = 0.12  # of the map's size, on each side

# Five classes, light to dark. Red for what should be low, blue-green for what
# should be high, so "darker" always means "more" and the colour says which is good.
PALETTE_BAD = [[254, 232, 170], [253, 190, 110], [248, 141, 72], [227, 74, 51], [179, 0, 30]]
PALETTE_GOOD = [[214, 239, 214], [158, 218, 186], [93, 186, 184], [44, 138, 190], [16, 78, 139]]
NO_DATA = [150, 160, 175]
FILL_ALPHA = 215
# Closure rates cluster high; fixed breaks keep "below 80 %" meaning the same in every view.
FIXED_BREAKS = {"closure_rate": [0.8, 0.85, 0.9, 0.95]}
QUANTILES = (0.2, 0.4, 0.6, 0.8)  # quintiles, when there are five areas or more

POINT_OVERDUE = [230, 46, 60]
POINT_DUE_SOON = [255, 163, 26]
POINT_IN_TIME = [56, 169, 255]
DUE_SOON_HOURS = 24
HEAT_POINTS_MAX = 5000  # beyond this many open incidents, points would outgrow the budget

TOOLTIP_HTML = "<b>{name}</b><br/>{line1}<br/>{line2}<br/>{line3}<br/>{line4}"


@dataclass(frozen=True)
class MapConfig:
    """config/map.toml: an optional self-hosted basemap and the coordinates it draws in."""

    style_url: str = ""
    coordinates: str = "wgs84"


@cache
def map_config(path: Path = CONFIG_FILE) -> MapConfig:
    if not path.is_file():
        return MapConfig()
    with open(path, "rb") as handle:
        section = tomllib.load(handle).get("basemap", {})
    config = MapConfig(
        style_url=str(section.get("style_url", "") or ""),
        coordinates=str(section.get("coordinates", "wgs84") or "wgs84"),
    )
    if config.coordinates not in ("wgs84", "gcj02"):
        raise ValueError(f"config/map.toml: coordinates must be wgs84 or gcj02, not {config}")
    return config


# -- geometry, cached -------------------------------------------------------------------
@st.cache_resource(ttl=GEOMETRY_TTL, show_spinner=False, max_entries=256)
def _prepared(scope_kind: str, scope_code: str | None, level: str, system: str) -> pd.DataFrame:
    # Keyed by the scope itself: one scope's outlines never serve another's. A resource,
    # not data: every rerun gets the same frame (read, do not modify) instead of
    # unpickling a city's 3,000 outlines again, and what is built from it can be kept.
    scope = Scope(scope_kind, scope_code)
    areas = geo.prepare_areas(geo.area_rows(scope, level))
    if system != "wgs84" and not areas.empty:
        areas["polygons"] = [
            [[coords.convert_ring(ring, system) for ring in polygon] for polygon in polygons]
            for polygons in areas["polygons"]
        ]
        shifted = [
            coords.wgs84_to_gcj02(lon, lat)
            for lon, lat in zip(areas["label_lon"], areas["label_lat"], strict=True)
        ]
        areas["label_lon"] = [round(lon, geo.DECIMALS) for lon, _ in shifted]
        areas["label_lat"] = [round(lat, geo.DECIMALS) for _, lat in shifted]
    return areas


def prepared_areas(scope: Scope, level: str) -> pd.DataFrame:
    return _prepared(scope.kind, scope.code, level, map_config().coordinates)


# -- classes and colours ----------------------------------------------------------------
def _quantile(sorted_values: list[float], q: float) -> float:
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def class_breaks(values, measure: str) -> tuple[list[float], str]:
    """(upper-open class limits, method): 'fixed', 'quantile', 'equal' or 'none'."""
    if measure in FIXED_BREAKS:
        return list(FIXED_BREAKS[measure]), "fixed"
    present = sorted(float(v) for v in values if v is not None and not pd.isna(v))
    if not present:
        return [], "none"
    if present[0] == present[-1]:
        return [], "equal"
    # Never more classes than areas: three grids get three colours, not five.
    classes = min(len(QUANTILES) + 1, len(present))
    limits = []
    for q in [i / classes for i in range(1, classes)]:
        limit = _quantile(present, q)
        if limit > present[0] and (not limits or limit > limits[-1]):
            limits.append(limit)
    return limits, "quantile"


def class_of(value, breaks: list[float]) -> int | None:
    """0 … len(breaks): the class a value falls in (a value equal to a limit goes up)."""
    if value is None or pd.isna(value):
        return None
    return bisect.bisect_right(breaks, float(value))


def class_colours(measure: str, classes: int) -> list[list[int]]:
    palette = PALETTE_BAD if geo.MEASURES[measure][2] else PALETTE_GOOD
    if classes <= 1:
        return [palette[2]]
    return [palette[round(i * (len(palette) - 1) / (classes - 1))] for i in range(classes)]


@dataclass
class Colouring:
    measure: str
    breaks: list[float]
    method: str
    colours: list[list[int]]
    by_area: dict[str, list[int]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)


def colour_areas(measures: pd.DataFrame, measure: str) -> Colouring:
    """Kept while `measures` is the same frame (data_access.derived)."""
    return derived("colour_areas", (measures,), lambda: _colour_areas(measures, measure), measure)


def _colour_areas(measures: pd.DataFrame, measure: str) -> Colouring:
    column = geo.MEASURES[measure][0]
    values = dict(zip(measures["area_code"], measures[column], strict=True))
    breaks, method = class_breaks(values.values(), measure)
    colours = class_colours(measure, len(breaks) + 1)
    by_area = {}
    for code, value in values.items():
        index = class_of(value, breaks)
        by_area[code] = [*(NO_DATA if index is None else colours[index]), FILL_ALPHA]
    return Colouring(measure, breaks, method, colours, by_area, values)


def format_measure(value, measure: str) -> str:
    if measure in ("closure_rate", "participation"):
        return format_rate(value)
    if measure == "visits":
        return format_count(value, current_language())
    return format_number(value, 2)


def measure_unit(measure: str) -> str:
    if measure in ("closure_rate", "participation"):
        return t("map.unit.rate")
    if measure == "visits":
        return t("map.unit.visits")
    return t("map.unit.per_1000")


def legend_rows(colouring: Colouring) -> list[tuple[list[int], str]]:
    """(colour, range text) per class, then 'no data'."""
    b, measure = colouring.breaks, colouring.measure
    if not b:
        rows = [(colouring.colours[0], t("map.legend.equal"))] if colouring.method != "none" else []
    else:
        rows = []
        for i, colour in enumerate(colouring.colours):
            if i == 0:
                text = f"< {format_measure(b[0], measure)}"
            elif i == len(b):
                text = f"≥ {format_measure(b[-1], measure)}"
            else:
                text = f"{format_measure(b[i - 1], measure)} – {format_measure(b[i], measure)}"
            rows.append((colour, text))
    if any(value is None for value in colouring.values.values()):
        rows.append((NO_DATA, t("map.legend.no_data")))
    return rows


# -- the view ---------------------------------------------------------------------------
def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(box, width: int, height: int, padding: float = FIT_PADDING) -> pdk.ViewState:
    """The view that shows the box (west, south, east, north) whole, centred, in a
    width × height map (Web Mercator; at zoom 0 the world is 512 px wide)."""
    if box is None:
        return pdk.ViewState(latitude=30.17, longitude=120.29, zoom=10.5)
    west, south, east, north = box
    x_span = max((east - west) / 360.0, 1e-9)
    y_span = max((_mercator_y(north) - _mercator_y(south)) / (2 * math.pi), 1e-9)
    usable_w, usable_h = width * (1 - 2 * padding), height * (1 - 2 * padding)
    zoom = math.log2(min(usable_w / (512 * x_span), usable_h / (512 * y_span)))
    mid_y = (_mercator_y(north) + _mercator_y(south)) / 2
    latitude = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return pdk.ViewState(
        latitude=round(latitude, 6),
        longitude=round((west + east) / 2, 6),
        zoom=round(min(zoom, 18.0), 2),
        pitch=0,
        bearing=0,
    )


# -- deck -------------------------------------------------------------------------------
class CompactDeck(pdk.Deck):
    """A Deck whose JSON is compact: no indent, UTF-8 characters, no spaces. Written
    once per deck: a kept deck (kept_deck()) is sent again on every rerun, and encoding
    a city's 1.7 MB took a fifth of a warm rerun."""

    def to_json(self):
        return derived("deck_json", (self,), self._encoded)

    def _encoded(self) -> str:
        return json.dumps(
            self,
            sort_keys=True,
            default=default_serialize,
            separators=(",", ":"),
            ensure_ascii=False,
        )


def short_label(name: str, level: str) -> str:
    """What fits on an area: 第1网格（湘湖安置小区） -> 第1网格; 第1网格·微网格01 -> 微网格01."""
    if level == "micro_grid" and "·" in name:
        return name.split("·")[-1]
    if level == "grid":
        return name.split("（")[0]
    return name


def _count_text(value) -> str:
    return format_count(value, current_language()) if value is not None else "—"


def _area_lines(row: Mapping, measure: str, value) -> list[str]:
    if row["level"] == "community":
        first = t(
            "map.tip.grids",
            grids=int(row.get("grids") or 0),
            micro=int(row.get("micro_grids") or 0),
        )
    else:
        first = t("map.tip.worker", value=row.get("worker") or t("map.worker_none"))
    return [
        first,
        t("map.tip.households", value=_count_text(row.get("households"))),
        t("map.tip.residents", value=_count_text(row.get("residents"))),
        t(
            "map.tip.measure",
            label=t(f"map.measure.{measure}"),
            value=format_measure(value, measure),
        ),
    ]


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def area_objects(areas: pd.DataFrame, colouring: Colouring) -> list[dict]:
    """One object per polygon (a MultiPolygon gives several, all with the area's code).
    Kept while the outlines and the colouring are the same objects: a city's 3,000
    tooltips formatted again on every rerun took a third of it."""
    lang = current_language()
    return derived(
        "area_objects", (areas, colouring), lambda: _area_objects(areas, colouring), lang
    )


def _area_objects(areas: pd.DataFrame, colouring: Colouring) -> list[dict]:
    objects = []
    for raw in areas.to_dict("records"):
        row = {key: _clean(value) for key, value in raw.items() if key != "polygons"}
        code = row["area_code"]
        value = colouring.values.get(code)
        lines = _area_lines(row, colouring.measure, value)
        for polygon in raw["polygons"]:
            objects.append(
                {
                    "area_code": code,
                    "level": row["level"],
                    "community_code": row["community_code"],
                    "street_code": row["street_code"],
                    "polygon": polygon,
                    "fill": colouring.by_area.get(code, [*NO_DATA, FILL_ALPHA]),
                    "name": row["area_name"],
                    **{f"line{i + 1}": line for i, line in enumerate(lines)},
                }
            )
    return objects


def point_colour(overdue_hours: float) -> list[int]:
    if overdue_hours > 0:
        return POINT_OVERDUE
    if overdue_hours > -DUE_SOON_HOURS:
        return POINT_DUE_SOON
    return POINT_IN_TIME


def _placed(incidents: pd.DataFrame) -> pd.DataFrame:
    return incidents[incidents["lat"].notna() & incidents["lon"].notna()]


def _position(lon, lat, system: str, decimals: int = geo.DECIMALS) -> list[float]:
    lon, lat = float(lon), float(lat)
    if system == "gcj02":
        lon, lat = coords.wgs84_to_gcj02(lon, lat)
    return [round(lon, decimals), round(lat, decimals)]


def _weight(overdue_hours: float) -> int:
    return 3 if overdue_hours > 0 else 1


HEAT_DECIMALS = 4  # ≈11 m, far below a heat blob's 45-pixel radius at any zoom


def heat_objects(incidents: pd.DataFrame, system: str) -> list[dict]:
    """Positions and weights only, under one-letter keys: a heat map has no tooltips.
    A city's 15k open incidents with the points' texts took most of a rerun, and with
    long keys and 1 m positions 0.7 MB of the 2 MB a rerun may send. Kept while the
    fetched incidents are the same frame."""
    return derived("heat_objects", (incidents,), lambda: _heat_objects(incidents, system), system)


def _heat_objects(incidents: pd.DataFrame, system: str) -> list[dict]:
    placed = _placed(incidents)
    return [
        {"p": _position(lon, lat, system, HEAT_DECIMALS), "w": _weight(float(overdue))}
        for lon, lat, overdue in zip(
            placed["lon"], placed["lat"], placed["overdue_hours"], strict=True
        )
    ]


def incident_objects(
    incidents: pd.DataFrame, level: str, areas: pd.DataFrame, system: str
) -> list[dict]:
    placed = _placed(incidents).copy()
    placed["area_code"] = geo.incident_area(placed, level)
    names = lookup(areas, "area_code", "area_name") if len(areas) else {}
    street_of = lookup(areas, "area_code", "street_code") if len(areas) else {}
    objects = []
    for row in placed.to_dict("records"):
        overdue = float(row["overdue_hours"])
        timing = (
            t("map.tip.overdue", hours=f"{overdue:,.0f}")
            if overdue > 0
            else t("map.tip.due", hours=f"{-overdue:,.0f}")
        )
        code = row["area_code"] if isinstance(row["area_code"], str) else None
        objects.append(
            {
                "position": _position(row["lon"], row["lat"], system),
                "color": point_colour(overdue),
                "weight": _weight(overdue),
                "area_code": code,
                "level": level,
                "community_code": row["community_code"],
                "street_code": street_of.get(code, row["street_code"]),
                "name": row["category_name"],
                "line1": t("map.tip.reported", value=row["reported_at"].strftime("%Y-%m-%d %H:%M")),
                "line2": timing,
                "line3": t("map.tip.area", value=names.get(code, "—")),
                "line4": row["incident_id"],
            }
        )
    return objects


@dataclass(frozen=True)
class Style:
    line: list[int]
    outline: list[int]
    text: list[int]
    text_halo: list[int]
    tooltip_bg: str
    tooltip_fg: str


STYLES = {
    "desk": Style([255, 255, 255, 230], [31, 56, 100, 255], [20, 33, 56, 255],
                  [255, 255, 255, 230], "#102038", "#f3f6fb"),
    "screen": Style([11, 21, 38, 255], [127, 211, 255, 255], [240, 246, 255, 255],
                    [8, 16, 30, 235], "#0b1526", "#e6edf7"),
}  # fmt: skip


def kept_deck(
    areas: pd.DataFrame,
    colouring: Colouring,
    level: str,
    incidents: pd.DataFrame,
    incident_style: str,
    outlines: pd.DataFrame | None,
    mode: str,
) -> pdk.Deck:
    """build_deck(), kept while the results it is drawn from are the same objects
    (data_access.derived): shared between reruns and sessions, read, do not modify."""
    return derived(
        "deck",
        (areas, colouring, incidents, outlines),
        lambda: build_deck(areas, colouring, level, incidents, incident_style, outlines, mode),
        level,
        incident_style,
        mode,
        current_language(),
        map_config(),
    )


def build_deck(
    areas: pd.DataFrame,
    colouring: Colouring,
    level: str,
    incidents: pd.DataFrame,
    incident_style: str,
    outlines: pd.DataFrame | None,
    mode: str,
    config: MapConfig | None = None,
) -> pdk.Deck:
    config = config or map_config()
    style = STYLES.get(mode, STYLES["desk"])
    width, height = MAP_WIDTH.get(mode, 1080), MAP_HEIGHT.get(mode, 700)
    view = fit_view(geo.bounds(areas), width, height)
    layers = [
        *map_layers.context_layers(mode, config.coordinates),
        pdk.Layer(
            "PolygonLayer",
            data=area_objects(areas, colouring),
            id="areas",
            get_polygon="polygon",
            get_fill_color="fill",
            get_line_color=style.line,
            line_width_min_pixels=1.2 if level == "micro_grid" else 2,
            stroked=True,
            filled=True,
            pickable=True,
            auto_highlight=True,
            highlight_color=[255, 255, 255, 90],
        ),
    ]
    if outlines is not None and not outlines.empty:
        layers.append(
            pdk.Layer(
                "PolygonLayer",
                data=[{"polygon": p} for polygons in outlines["polygons"] for p in polygons],
                id="community-outlines",
                get_polygon="polygon",
                get_line_color=style.outline,
                line_width_min_pixels=3,
                stroked=True,
                filled=False,
                pickable=False,
            )
        )
    if drawn_style(incident_style, incidents) == "points":
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=incident_objects(incidents, level, areas, config.coordinates),
                id="incidents",
                get_position="position",
                get_fill_color="color",
                get_line_color=[255, 255, 255, 230],
                get_radius=5,
                radius_units=String("pixels"),
                radius_min_pixels=4,
                stroked=True,
                line_width_min_pixels=1.5,
                pickable=True,
                auto_highlight=True,
            )
        )
    elif incident_style in ("points", "heat"):
        layers.append(
            pdk.Layer(
                "HeatmapLayer",
                data=heat_objects(incidents, config.coordinates),
                id="incident-heat",
                get_position="p",
                get_weight="w",
                radius_pixels=45,
                intensity=1.2,
                threshold=0.04,
                opacity=0.75,
                pickable=False,
            )
        )
    labels = map_layers.placed_labels(areas, view, width, height, config.coordinates, short_label)
    layers.append(map_layers.label_layer(labels, mode, FONT_FAMILY))
    extra = {"map_style": config.style_url} if config.style_url else {}
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip={
            "html": TOOLTIP_HTML,
            "style": {
                "backgroundColor": style.tooltip_bg,
                "color": style.tooltip_fg,
                "fontSize": "15px",
                "lineHeight": "1.5",
                "fontFamily": FONT_FAMILY,
                "borderRadius": "6px",
                "padding": "8px 12px",
            },
        },
        **extra,
    )


def deck_bytes(deck: pdk.Deck) -> int:
    """What the browser receives for the chart, near enough: its JSON spec in UTF-8."""
    return len(deck.to_json().encode("utf-8"))


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
    """How the incidents are drawn: points beyond HEAT_POINTS_MAX are drawn as heat."""
    if incident_style == "points" and len(incidents) > HEAT_POINTS_MAX:
        return "heat"
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
    elif incident_style == "heat":
        parts.append(f"<span class='note'>{escape(t('map.legend.heat'))}</span><br/>")
        if chosen_style == "points":
            instead = t("map.legend.heat_instead", limit=f"{HEAT_POINTS_MAX:,}")
            parts.append(f"<span class='note'>{escape(instead)}</span><br/>")
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
        (t("fig.residents"), _count_text(_clean(area.get("residents")))),
        (t("community.households"), _count_text(_clean(area.get("households")))),
        (t("fig.open"), _count_text(_clean(area_figures_row.get("open")))),
        (t("fig.overdue"), _count_text(_clean(area_figures_row.get("overdue")))),
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
