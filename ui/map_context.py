"""The map's geographic context: the district's outline, its streets, its water and
the districts around it, from the basemap file that ships with the cockpit
(data_access.basemap, geodata/). Drawn beneath the warehouse's areas on the desk map
and on the wall, so a viewer sees where a community lies: which street, which side
of 钱塘江, how far from 湘湖.

Prepared once per process: the file does not change while the app runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from shapely.geometry import shape

from data_access import basemap
from ui.coords import convert_ring

KINDS = ("neighbour", "district", "water", "street", "community_context")


@dataclass(frozen=True)
class ContextFeature:
    kind: str
    name: str
    code: str
    rings: tuple  # each ring a tuple of (lon, lat)
    label_lon: float
    label_lat: float


@cache
def features(kind: str, system: str = "wgs84") -> tuple[ContextFeature, ...]:
    """The basemap's features of one kind, in the coordinates the map draws in."""
    prepared = []
    for feature in basemap.features(kind):
        geometry = shape(feature["geometry"])
        if geometry.is_empty:
            continue
        label = geometry.representative_point() if geometry.area else geometry.centroid
        label_lon, label_lat = label.x, label.y
        rings = _rings(feature["geometry"])
        if system != "wgs84":
            rings = [convert_ring(ring, system) for ring in rings]
            label_lon, label_lat = convert_ring([[label_lon, label_lat]], system)[0]
        properties = feature.get("properties") or {}
        prepared.append(
            ContextFeature(
                kind,
                str(properties.get("name") or ""),
                str(properties.get("code") or ""),
                tuple(tuple((float(x), float(y)) for x, y, *_ in ring) for ring in rings),
                float(label_lon),
                float(label_lat),
            )
        )
    return tuple(prepared)


def _rings(geometry: dict) -> list[list]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return list(geometry["coordinates"])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    if kind == "LineString":
        return [geometry["coordinates"]]
    if kind == "MultiLineString":
        return list(geometry["coordinates"])
    return []
