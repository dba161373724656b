"""The grid map: its geometry, prepared once per scope and level, and the pydeck deck
(areas, labels, incidents).

Offline by default: `pdk.Deck(map_provider=None)` leaves pydeck's map_style sentinel
("__MAP_STYLE__") in the spec, which Streamlit's frontend reads as "no basemap".
`map_style=None` would not do: Streamlit then falls back to a public CARTO basemap.
A self-hosted basemap is configured in config/map.toml.

Geometry is prepared once per (scope, level) and cached; colouring is computed from
the measures separately, so choosing another measure never re-parses outlines. The
deck's JSON is written compactly (no indent, UTF-8 rather than \\u escapes).

How a value is coloured and labelled is in ui/map_colours.py; the controls, legend and
side panel around the deck in ui/map_panel.py (split in issue [12]).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
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
from ui.i18n import current_language, t
from ui.map_colours import (
    CELL_DOT,
    DUE_SOON_HOURS,
    FILL_ALPHA,
    FIXED_BREAKS,
    NO_DATA,
    PALETTE_BAD,
    PALETTE_GOOD,
    POINT_DUE_SOON,
    POINT_IN_TIME,
    POINT_OVERDUE,
    QUANTILES,
    Colouring,
    class_breaks,
    class_colours,
    class_of,
    clean_value,
    colour_areas,
    count_text,
    format_measure,
    legend_rows,
    measure_unit,
    point_colour,
)
from ui.map_panel import (
    HEAT_POINTS_MAX,
    KEPT_ON_DRILL,
    KEY_PREFIX,
    apply_params,
    area_caption,
    area_facts,
    area_figures,
    chart_key,
    controls,
    drawn_style,
    drill_params,
    legend_html,
    map_css,
    overdue_table,
    ranking_table,
    selected_object,
)

# The map page, the wall and the tests read the map's names from here; those of its
# colours (ui/map_colours.py) and of its panel (ui/map_panel.py) are re-exported.
__all__ = [
    "CONFIG_FILE", "DUE_SOON_HOURS", "FILL_ALPHA", "FIT_PADDING", "FIXED_BREAKS",
    "FONT_FAMILY", "GEOMETRY_TTL", "HEAT_DECIMALS", "HEAT_POINTS_MAX", "KEPT_ON_DRILL",
    "KEY_PREFIX", "MAP_HEIGHT", "MAP_WIDTH", "NO_DATA", "PALETTE_BAD", "PALETTE_GOOD",
    "POINT_DUE_SOON", "POINT_IN_TIME", "POINT_OVERDUE", "QUANTILES", "STYLES",
    "TOOLTIP_HTML", "Colouring", "CompactDeck", "MapConfig", "Style", "apply_params",
    "area_caption", "area_facts", "area_figures", "area_objects", "build_deck", "chart_key",
    "cell_objects", "class_breaks", "class_colours", "class_of", "colour_areas", "controls",
    "deck_bytes", "drawn_style", "drill_params", "fit_view", "format_measure", "heat_decimals",
    "heat_objects",
    "incident_objects", "kept_deck", "legend_html", "legend_rows", "map_config", "map_css",
    "measure_unit", "overdue_table", "point_colour", "prepared_areas", "ranking_table",
    "selected_object", "short_label",
]  # fmt: skip

CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "map.toml"
GEOMETRY_TTL = 600  # seconds: outlines change only when an office re-exports its grids
FONT_FAMILY = (
    '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif'
)
MAP_HEIGHT = {"desk": 700, "screen": 790}
# The map's width as drawn at 1920 px (main area minus the side panel): only for the
# first fit of the view; the user pans and zooms from there.
MAP_WIDTH = {"desk": 1080, "screen": 1380}
FIT_PADDING = 0.12  # of the map's size, on each side

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
        t("map.tip.households", value=count_text(row.get("households"))),
        t("map.tip.residents", value=count_text(row.get("residents"))),
        t(
            "map.tip.measure",
            label=t(f"map.measure.{measure}"),
            value=format_measure(value, measure),
        ),
    ]


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
        row = {key: clean_value(value) for key, value in raw.items() if key != "polygons"}
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


def _placed(incidents: pd.DataFrame) -> pd.DataFrame:
    return incidents[incidents["lat"].notna() & incidents["lon"].notna()]


def _position(lon, lat, system: str, decimals: int = geo.DECIMALS) -> list[float]:
    lon, lat = float(lon), float(lat)
    if system == "gcj02":
        lon, lat = coords.wgs84_to_gcj02(lon, lat)
    return [round(lon, decimals), round(lat, decimals)]


def _weight(overdue_hours: float) -> int:
    return 3 if overdue_hours > 0 else 1


# ≈110 m cells: a heat blob's 45-pixel radius spans kilometres at a city's zoom and
# 100 m still at a street's; incidents in one cell are one weighted point
HEAT_DECIMALS = 3
HEAT_RADIUS_PIXELS = 45


def heat_decimals(zoom: float) -> int:
    """The cells' size for a map opening at `zoom`: 0.01° (≈1 km) once that is at most a
    quarter of a heat blob's radius there (a city's whole map, where 110 m cells are a
    pixel: the city's 15k incidents in 2.6k cells instead of 13.6k, 0.3 MB less a rerun),
    otherwise HEAT_DECIMALS. A point moves by at most half a cell, an eighth of the radius."""
    degrees_per_pixel = 360 / (512 * 2**zoom)
    return 2 if HEAT_RADIUS_PIXELS / 4 * degrees_per_pixel >= 0.01 else HEAT_DECIMALS


def heat_objects(incidents: pd.DataFrame, system: str, decimals: int = HEAT_DECIMALS) -> list[dict]:
    """Positions and weights only, under one-letter keys: neither the heat nor the merged
    cells (cell_objects) have tooltips.
    A city's 15k open incidents with the points' texts took most of a rerun, and with
    long keys and 1 m positions 0.7 MB of the 2 MB a rerun may send; the incidents of a
    cell (HEAT_DECIMALS) are one point weighing what they weigh together. Kept while the
    fetched incidents are the same frame."""
    return derived(
        "heat_objects",
        (incidents,),
        lambda: _heat_objects(incidents, system, decimals),
        system,
        decimals,
    )


def _heat_objects(incidents: pd.DataFrame, system: str, decimals: int) -> list[dict]:
    placed = _placed(incidents)
    weights: dict[tuple[float, float], int] = {}
    for lon, lat, overdue in zip(
        placed["lon"], placed["lat"], placed["overdue_hours"], strict=True
    ):
        cell = tuple(_position(lon, lat, system, decimals))
        weights[cell] = weights.get(cell, 0) + _weight(float(overdue))
    return [{"p": list(cell), "w": weight} for cell, weight in weights.items()]


def cell_objects(incidents: pd.DataFrame, system: str, zoom: float) -> list[dict]:
    """The heat's cells as dots for a map opening at `zoom`: position, weight and a
    radius in pixels, its area growing with the weight. A cell at the 95th percentile of
    the weights gets a dot as wide as the cells are apart, heavier ones up to 1.5 times
    that (a few outliers do not shrink every other dot to nothing), 1.5 px at least."""
    decimals = heat_decimals(zoom)
    cells = heat_objects(incidents, system, decimals)
    if not cells:
        return []
    spacing = 10.0**-decimals * 512 * 2**zoom / 360  # pixels between cells' centres
    heavy = float(pd.Series([cell["w"] for cell in cells]).quantile(0.95))

    def radius(weight: int) -> float:
        return min(0.75 * spacing, max(1.5, spacing / 2 * math.sqrt(weight / heavy)))

    return [{**cell, "r": round(radius(cell["w"]), 1)} for cell in cells]


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
    drawn = drawn_style(incident_style, incidents)
    if drawn == "points":
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
    elif drawn == "cells":
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=cell_objects(incidents, config.coordinates, view.zoom),
                id="incident-cells",
                get_position="p",
                get_radius="r",
                radius_units=String("pixels"),
                get_fill_color=[*CELL_DOT, 210],
                get_line_color=[255, 255, 255, 160],
                stroked=True,
                line_width_min_pixels=0.5,
                pickable=False,
            )
        )
    elif drawn == "heat":
        layers.append(
            pdk.Layer(
                "HeatmapLayer",
                data=heat_objects(incidents, config.coordinates, heat_decimals(view.zoom)),
                id="incident-heat",
                get_position="p",
                get_weight="w",
                radius_pixels=HEAT_RADIUS_PIXELS,
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
