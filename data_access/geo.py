"""The grid map's data: areas (communities, grids, micro-grids) with prepared outlines,
each area's measures, and the open incidents as points.

Outlines are GeoJSON text in the warehouse; `prepare_areas` parses them once into
rings of rounded [lon, lat] pairs, simplified to a tolerance far below what a map of
a street or a district can show, with a bounding box and a label point. The measures
are a separate frame keyed by area code, so recolouring the map never touches geometry.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from data_access import figures
from data_access.at_once import at_once
from data_access.derived import derived
from data_access.period import Period
from data_access.runner import fetch
from data_access.scope import Scope

LEVELS = ("community", "grid", "micro_grid")
DECIMALS = 5  # ≈1.1 m at Hangzhou's latitude: below any survey of a compound's edge
SIMPLIFY_DEGREES = 2e-5  # ≈2 m: a vertex closer than this to its neighbours' line goes
# ...or closer than this share of the whole view's extent (about half a pixel of a wall
# screen showing it all): a city-wide view needs no 2 m detail.
SIMPLIFY_SHARE = 1 / 2500

# measure key: (column of area_measures, levels it exists at, lower is better).
# Services and points are kept per community (visits and journals carry no grid), so
# at grid levels only the incident measures exist.
MEASURES = {
    "open_per_1000": ("open_per_1000", LEVELS, True),
    "overdue_per_1000": ("overdue_per_1000", LEVELS, True),
    "closure_rate": ("closure_rate", ("community",), False),
    "visits": ("visits", ("community",), False),
    "participation": ("participation", ("community",), False),
}


def measures_at(level: str) -> list[str]:
    return [key for key, (_, levels, _) in MEASURES.items() if level in levels]


def levels_for(scope: Scope) -> tuple[str, ...]:
    """The levels a scope can be drawn at: a grid scope has no communities to compare."""
    return ("grid", "micro_grid") if scope.kind == "grid" else LEVELS


def default_level(scope: Scope) -> str:
    """One level below the scope: communities of a street, grids of a community."""
    return {"community": "grid", "grid": "micro_grid"}.get(scope.kind, "community")


# -- areas ------------------------------------------------------------------------------
def area_rows(scope: Scope, level: str) -> pd.DataFrame:
    """The areas of `level` the scope admits, geometry as GeoJSON text (unparsed)."""
    if level not in LEVELS:
        raise ValueError(f"unknown map level {level!r}")
    if level == "community":
        return fetch("map_community_areas", scope)
    return _of_level(fetch("map_grid_areas", scope, grid_code=scope.grid_code), level)


def street_areas(scope: Scope) -> pd.DataFrame:
    """The streets of the scope's communities: street_code, street_name and geometry
    (GeoJSON text, unparsed; None for a street loaded without an outline)."""
    return fetch("map_street_areas", scope)


def _of_level(grid_areas: pd.DataFrame, level: str) -> pd.DataFrame:
    return grid_areas[grid_areas["level"] == level].reset_index(drop=True)


def _rings(geometry) -> list[list[list[list[float]]]]:
    """GeoJSON (text or parsed) -> polygons, each a list of rings of [lon, lat]."""
    if geometry is None or (isinstance(geometry, float) and math.isnan(geometry)):
        return []
    shape = json.loads(geometry) if isinstance(geometry, str) else geometry
    kind = shape.get("type")
    if kind == "Polygon":
        return [shape["coordinates"]]
    if kind == "MultiPolygon":
        return list(shape["coordinates"])
    if kind == "Feature":
        return _rings(shape.get("geometry"))
    return []


def _distance_to_segment(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    u = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + u * dx), y - (y1 + u * dy))


def simplify_ring(ring: list, tolerance: float = SIMPLIFY_DEGREES) -> list:
    """Douglas-Peucker on a closed ring, keeping at least a triangle (4 points closed)."""
    if len(ring) <= 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    # A closed ring starts and ends on the same point: split it at its farthest vertex.
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    keep[far] = True
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        best, best_distance = None, tolerance
        for i in range(first + 1, last):
            distance = _distance_to_segment(ring[i], ring[first], ring[last])
            if distance > best_distance:
                best, best_distance = i, distance
        if best is not None:
            keep[best] = True
            stack += [(first, best), (best, last)]
    kept = [point for point, flag in zip(ring, keep, strict=True) if flag]
    return kept if len(kept) >= 4 else ring


def _centroid(ring: list) -> tuple[float, float]:
    """Area centroid of a ring (its vertices' mean when degenerate)."""
    twice_area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        cross = x1 * y2 - x2 * y1
        twice_area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(twice_area) < 1e-15:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * twice_area), cy / (3 * twice_area)


def _ring_area(ring: list) -> float:
    return abs(
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2
    )


def prepare_areas(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per area with `polygons` (rounded, simplified rings), `bbox`
    (west, south, east, north) and `label_lon`/`label_lat`; areas without an outline
    are dropped (they cannot be drawn)."""
    parsed = []
    for row in rows.to_dict("records"):
        polygons = [
            [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y, *_ in ring] for ring in polygon]
            for polygon in _rings(row.pop("geometry", None))
        ]
        polygons = [polygon for polygon in polygons if polygon and len(polygon[0]) >= 4]
        if polygons:
            parsed.append((row, polygons))
    if not parsed:
        return pd.DataFrame()
    xs = [x for _, polygons in parsed for polygon in polygons for x, _ in polygon[0]]
    ys = [y for _, polygons in parsed for polygon in polygons for _, y in polygon[0]]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    tolerance = max(SIMPLIFY_DEGREES, extent * SIMPLIFY_SHARE)
    prepared = []
    for row, polygons in parsed:
        polygons = [[simplify_ring(ring, tolerance) for ring in polygon] for polygon in polygons]
        points = [point for polygon in polygons for point in polygon[0]]
        largest = max(polygons, key=lambda polygon: _ring_area(polygon[0]))
        label_lon, label_lat = _centroid(largest[0])
        prepared.append(
            {
                **row,
                "polygons": polygons,
                "bbox": (
                    min(x for x, _ in points),
                    min(y for _, y in points),
                    max(x for x, _ in points),
                    max(y for _, y in points),
                ),
                "label_lon": round(label_lon, DECIMALS),
                "label_lat": round(label_lat, DECIMALS),
            }
        )
    return pd.DataFrame(prepared)


def bounds(areas: pd.DataFrame) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around every area, None when there is none."""
    if areas.empty:
        return None
    boxes = list(areas["bbox"])
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


# -- measures ---------------------------------------------------------------------------
def _per_1000(count, residents):
    if count is None or residents is None or pd.isna(count) or pd.isna(residents):
        return None
    if not residents:
        return None
    return float(count) / float(residents) * 1000


def area_measures(scope: Scope, period: Period, level: str) -> pd.DataFrame:
    """One row per area of `level`: area_code, residents, open, overdue and every
    measure of MEASURES that exists at that level (None where it has no denominator).

    Communities reuse the figures' per-community rows (one definition per figure);
    grids and micro-grids count open and overdue incidents with map_grid_incidents.
    Kept while the results it is built from are the same (data_access.derived): read,
    do not modify.
    """
    if level == "community":
        inputs = tuple(
            at_once(
                lambda: fetch("map_community_areas", scope),
                *(lambda summary=summary: summary(scope, period)[1] for summary in _SUMMARIES),
            )
        )
    else:
        inputs = (
            fetch("map_grid_areas", scope, grid_code=scope.grid_code),
            fetch("map_grid_incidents", scope, grid_code=scope.grid_code, t=period.params()["t"]),
        )
    return derived("area_measures", inputs, lambda: _area_measures(inputs, level), level)


_SUMMARIES = (figures.incident_summary, figures.service_summary, figures.points_summary)


def _area_measures(inputs: tuple, level: str) -> pd.DataFrame:
    """area_measures() from the rows it is keyed on (see there)."""
    if level == "community":
        areas, incidents, services, points = inputs
        places = areas[["area_code", "residents"]]
        frame = places.merge(
            incidents[["community_code", "open", "overdue", "closure_rate"]].rename(
                columns={"community_code": "area_code"}
            ),
            on="area_code",
            how="left",
        )
        frame = frame.merge(
            services[["community_code", "visits"]].rename(columns={"community_code": "area_code"}),
            on="area_code",
            how="left",
        )
        frame = frame.merge(
            points[["community_code", "participation"]].rename(
                columns={"community_code": "area_code"}
            ),
            on="area_code",
            how="left",
        )
        # No incident row means no incident at all: zero, not unknown.
        frame[["open", "overdue"]] = frame[["open", "overdue"]].fillna(0)
    else:
        grid_areas, counts = inputs
        places = _of_level(grid_areas, level)[["area_code", "residents"]]
        frame = places.merge(counts[["area_code", "open", "overdue"]], on="area_code", how="left")
        frame[["open", "overdue"]] = frame[["open", "overdue"]].fillna(0)
    frame["open_per_1000"] = [
        _per_1000(c, r) for c, r in zip(frame["open"], frame["residents"], strict=True)
    ]
    frame["overdue_per_1000"] = [
        _per_1000(c, r) for c, r in zip(frame["overdue"], frame["residents"], strict=True)
    ]
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.reset_index(drop=True)


# -- incidents --------------------------------------------------------------------------
def open_incidents(scope: Scope, period: Period) -> pd.DataFrame:
    """Incidents open as of the period's T, most overdue first (see map_open_incidents),
    with their age and hours overdue at T."""
    t = period.params()["t"]
    frame = fetch("map_open_incidents", scope, grid_code=scope.grid_code, t=t)
    return derived("open_hours", (frame,), lambda: with_hours(frame, t), t.isoformat())


def with_hours(incidents: pd.DataFrame, t) -> pd.DataFrame:
    """age_hours and overdue_hours at `t` beside the open incidents' times: computed here,
    not in SQL, so that the rows a live view fetches are the same each minute (kept)."""
    frame = incidents.copy()
    at = pd.Timestamp(t)
    for column, since in (("age_hours", "reported_at"), ("overdue_hours", "due_at")):
        elapsed = at - pd.to_datetime(frame[since], utc=True)
        frame[column] = (elapsed.dt.total_seconds() / 3600.0).astype("float64")
    return frame


def incident_area(incidents: pd.DataFrame, level: str) -> pd.Series:
    """The code of the area of `level` each incident lies in (None: on no such area)."""
    if level == "community":
        return incidents["community_code"]
    if level == "grid":
        return incidents["parent_grid_code"].where(
            incidents["grid_level"] == "micro_grid", incidents["grid_code"]
        )
    return incidents["grid_code"].where(incidents["grid_level"] == "micro_grid", None)


def worst_overdue(
    incidents: pd.DataFrame, level: str, area_code: str, limit: int = 5
) -> pd.DataFrame:
    """The area's overdue incidents, longest overdue first."""
    inside = incidents[incident_area(incidents, level) == area_code]
    overdue = inside[inside["overdue_hours"] > 0]
    return overdue.sort_values(["overdue_hours", "incident_id"], ascending=[False, True]).head(
        limit
    )
