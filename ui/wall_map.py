"""The wall screen's map: one SVG drawn by the server.

No one clicks a wall, so the wall needs no WebGL: an SVG scales crisply from
1920×1080 to 3840×2160 and across a spliced 5760×1080, paints in milliseconds on a
GPU-less kiosk, and its labels are placed here, where their boxes are known.

The viewBox frames the screen's scope (`meet`: the scope is always whole); the
geographic context (district outline, streets, water, neighbouring districts) is drawn
beyond the viewBox too and shows wherever the slot is wider or taller than the scope
(`overflow: visible`, clipped by the panel), so no band of the slot is left empty.
Coordinates are projected equirectangularly around the scope's centre (at a street's
or a district's size the difference from Web Mercator is below a pixel).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from data_access import geo
from ui import map_context, map_labels
from ui.map_view import (
    FONT_FAMILY,
    NO_DATA,
    POINT_DUE_SOON,
    POINT_IN_TIME,
    POINT_OVERDUE,
    Colouring,
    point_colour,
    short_label,
)

VIEW_WIDTH = 1000.0
VIEW_HEIGHT = 720.0  # the 16:9 wall's map slot is about 61 × 44 rem
PADDING = 0.07  # of the viewBox, around the scope
CONTEXT_REACH = 3.0  # context is drawn this many viewBoxes around the scope, then clipped
POINTS_MAX = 1500  # the most overdue first; a city's 15k open incidents would be a blur
POINT_RADIUS = 4.5
LABEL_SIZE = {"area": 21.0, "street": 16.0, "water": 16.0}
AREA_LABELS_MAX = 120
# Where the panel's caption (top left) and legend (bottom left) lie over the map, in
# viewBox units of the 16:9 wall's slot: no label goes under them.
RESERVED = ((0, 0, 560, 52), (0, VIEW_HEIGHT - 200, 340, VIEW_HEIGHT))

LAND = "#1a3157"
NEIGHBOUR = "#172b4d"
OUTSIDE = "#0d1a2f"
WATER = "#1d5a8c"
STREET_LINE = "#5b7fae"
DISTRICT_LINE = "#9cc4ff"
AREA_LINE = "#0b1526"
COMMUNITY_LINE = "#7fd3ff"
OUTLINE_WIDTH = 'stroke-width="2.4"'


class Projection:
    """(lon, lat) -> viewBox (x, y), framing `box` (west, south, east, north)."""

    def __init__(self, box: tuple[float, float, float, float]):
        west, south, east, north = box
        self.lon0, self.lat0 = (west + east) / 2, (south + north) / 2
        self.kx = math.cos(math.radians(self.lat0))
        width = max((east - west) * self.kx, 1e-6)
        height = max(north - south, 1e-6)
        usable_w, usable_h = VIEW_WIDTH * (1 - 2 * PADDING), VIEW_HEIGHT * (1 - 2 * PADDING)
        self.scale = min(usable_w / width, usable_h / height)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = VIEW_WIDTH / 2 + (lon - self.lon0) * self.kx * self.scale
        y = VIEW_HEIGHT / 2 - (lat - self.lat0) * self.scale
        return x, y

    def reach(self) -> tuple[float, float, float, float]:
        """The box (in viewBox units) beyond which context is not drawn."""
        return (
            -CONTEXT_REACH * VIEW_WIDTH,
            -CONTEXT_REACH * VIEW_HEIGHT,
            (1 + CONTEXT_REACH) * VIEW_WIDTH,
            (1 + CONTEXT_REACH) * VIEW_HEIGHT,
        )


def _path(rings: Iterable[list], project: Projection, close: bool = True) -> str:
    """An SVG path of rings, in whole units with relative moves (a third of the bytes)."""
    parts = []
    for ring in rings:
        points = []
        last = None
        for lon, lat, *_ in ring:
            x, y = project(lon, lat)
            point = (round(x), round(y))
            if point != last:
                points.append(point)
                last = point
        if len(points) < 2:
            continue
        first = points[0]
        steps = " ".join(
            f"{x - px} {y - py}" for (px, py), (x, y) in zip(points, points[1:], strict=False)
        )
        parts.append(f"M{first[0]} {first[1]}l{steps}{'z' if close else ''}")
    return "".join(parts)


def css_rgb(colour: list[int]) -> str:
    return f"rgb({colour[0]},{colour[1]},{colour[2]})"


def _context(project: Projection) -> tuple[list[str], list[map_labels.Candidate]]:
    """Neighbours, the district, water and street lines, with street and water names."""
    layers: list[str] = []
    names: list[map_labels.Candidate] = []

    def shape_of(kind: str, attributes: str) -> None:
        for feature in map_context.features(kind):
            layers.append(f'<path d="{_path(feature.rings, project)}" {attributes}/>')

    shape_of("neighbour", f'fill="{NEIGHBOUR}" stroke="#2a4368" stroke-width="1"')
    shape_of("district", f'fill="{LAND}" stroke="none"')
    # the unnamed communities around each demo one: how a street is tiled
    shape_of("community_context", 'fill="none" stroke="#2f4b78" stroke-width="0.8"')
    shape_of("water", f'fill="{WATER}" stroke="none"')
    shape_of(
        "street", f'fill="none" stroke="{STREET_LINE}" stroke-width="1.4" stroke-dasharray="6 4"'
    )
    shape_of("district", f'fill="none" stroke="{DISTRICT_LINE}" stroke-width="2.6"')
    for kind, priority in (("street", 200), ("water", 300)):
        for feature in map_context.features(kind):
            names.append(
                map_labels.Candidate(
                    map_labels.short_forms(feature.name),
                    feature.label_lon,
                    feature.label_lat,
                    LABEL_SIZE[kind],
                    priority,
                    kind,
                )
            )
    return layers, names


def _area_candidates(areas: pd.DataFrame, colouring: Colouring) -> list[map_labels.Candidate]:
    if len(areas) > AREA_LABELS_MAX:
        return []
    candidates = []
    for row in areas.itertuples():
        name = short_label(row.area_name, row.level)
        west, south, east, north = row.bbox
        # larger areas first: their names are the ones a viewer looks for
        priority = -((east - west) * (north - south))
        candidates.append(
            map_labels.Candidate(
                map_labels.short_forms(name),
                row.label_lon,
                row.label_lat,
                LABEL_SIZE["area"],
                priority,
                "area",
            )
        )
    return candidates


def svg(
    areas: pd.DataFrame,
    colouring: Colouring,
    incidents: pd.DataFrame,
    outlines: pd.DataFrame | None = None,
    title: str = "",
    street: map_context.ContextFeature | None = None,
    scale: float = 1.0,
    reserved: tuple = RESERVED,
) -> tuple[str, list[map_labels.Placed]]:
    """The map's SVG and the labels placed on it (for tests and the legend). A street
    screen passes its street: the map frames the whole street and draws its edge, so
    its communities are seen where they lie in it. `scale` enlarges labels and points
    for a map drawn small (a phone's: the same viewBox on a third of the pixels)."""
    box = geo.bounds(areas)
    if box is None:
        return "", []
    if street is not None and street.rings:
        xs = [x for ring in street.rings for x, _ in ring]
        ys = [y for ring in street.rings for _, y in ring]
        box = (
            min(box[0], min(xs)), min(box[1], min(ys)), max(box[2], max(xs)), max(box[3], max(ys))
        )  # fmt: skip
    project = Projection(box)
    context, context_names = _context(project)
    if street is not None:
        edge = _path(street.rings, project)
        context.append(f'<path d="{edge}" fill="none" stroke="{DISTRICT_LINE}" {OUTLINE_WIDTH}/>')
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {VIEW_WIDTH:.0f} {VIEW_HEIGHT:.0f}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{html.escape(title)}</title><style>{SVG_STYLE}</style>",
        *context,
    ]
    for row in areas.itertuples():
        fill = colouring.by_area.get(row.area_code, [*NO_DATA, 215])
        d = _path((ring for polygon in row.polygons for ring in polygon), project)
        parts.append(
            f'<path d="{d}" fill="{css_rgb(fill)}" fill-opacity="0.88" stroke="{AREA_LINE}"'
            f' stroke-width="1.2" data-area="{html.escape(row.area_code)}"/>'
        )
    if outlines is not None and not outlines.empty:
        for row in outlines.itertuples():
            d = _path((ring for polygon in row.polygons for ring in polygon), project)
            parts.append(f'<path d="{d}" fill="none" stroke="{COMMUNITY_LINE}" {OUTLINE_WIDTH}/>')
    parts.append(_points(incidents, project, scale))
    candidates = [*_area_candidates(areas, colouring), *context_names]
    if scale != 1.0:
        candidates = [replace(c, size=c.size * scale) for c in candidates]
    labels = map_labels.place(
        candidates, project, frame=(0, 0, VIEW_WIDTH, VIEW_HEIGHT), reserved=reserved
    )
    for label in labels:
        parts.append(
            f'<text x="{label.x:.0f}" y="{label.y:.0f}" font-size="{label.size:.0f}"'
            f' class="wall-label wall-label-{label.kind}">{html.escape(label.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts), labels


def _points(incidents: pd.DataFrame, project: Projection, scale: float = 1.0) -> str:
    if incidents is None or incidents.empty:
        return ""
    placed = incidents[incidents["lat"].notna() & incidents["lon"].notna()].head(POINTS_MAX)
    # drawn least urgent first, so red lies on top
    by_colour: dict[str, list[str]] = {}
    for lon, lat, overdue in zip(
        placed["lon"], placed["lat"], placed["overdue_hours"], strict=True
    ):
        x, y = project(float(lon), float(lat))
        colour = css_rgb(point_colour(float(overdue)))
        by_colour.setdefault(colour, []).append(f"M{x:.0f} {y:.0f}h0")
    order = [css_rgb(POINT_IN_TIME), css_rgb(POINT_DUE_SOON), css_rgb(POINT_OVERDUE)]
    return "".join(
        f'<path d="{"".join(by_colour[colour])}" stroke="{colour}" stroke-width="'
        f'{2 * POINT_RADIUS * scale:g}" stroke-linecap="round"'
        f' data-points="{len(by_colour[colour])}"/>'
        for colour in order
        if colour in by_colour
    )


# Inside the SVG (an image cannot see the page's styles); the fonts are the kiosk's own.
SVG_STYLE = f"""
text {{ font-family: {FONT_FAMILY}; }}
.wall-label {{ text-anchor: middle; dominant-baseline: central; font-weight: 600;
  paint-order: stroke; stroke: #08101e; stroke-width: 4px; stroke-linejoin: round; }}
.wall-label-area {{ fill: #f3f7ff; }}
.wall-label-street {{ fill: #a9c1e3; font-weight: 500; }}
.wall-label-water {{ fill: #9ad0ff; font-style: italic; font-weight: 500; }}
"""
CSS = f"""
.wall-map {{ position: relative; height: 100%; overflow: hidden; border-radius: 0.5rem;
  background: {OUTSIDE}; border: 1px solid #1d3556; }}
.wall-map-img {{ position: absolute; inset: 0; width: 100%; height: 100%; }}
"""
