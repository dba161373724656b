"""Axis-aligned rectangles in WGS-84 degrees: community squares, tiled into grids and
micro-grids. Rectangles keep the demo map simple while tiling exactly (a tile's edges
are the same floats as its neighbours'), so nothing overlaps and nothing is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Rect:
    west: float
    south: float
    east: float
    north: float

    def geojson(self) -> dict:
        """A GeoJSON Polygon, [lon, lat] order, exterior ring counter-clockwise."""
        w, s, e, n = (round(v, 6) for v in (self.west, self.south, self.east, self.north))
        return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}

    def overlaps(self, other: Rect) -> bool:
        return (
            self.west < other.east
            and other.west < self.east
            and self.south < other.north
            and other.south < self.north
        )

    def point(self, u: float, v: float, margin: float = 0.08) -> tuple[float, float]:
        """The (lat, lon) at fractions u (east) and v (north), kept off the edges."""
        u = margin + (1 - 2 * margin) * u
        v = margin + (1 - 2 * margin) * v
        lon = self.west + (self.east - self.west) * u
        lat = self.south + (self.north - self.south) * v
        return round(lat, 6), round(lon, 6)


def community_rect(lat: float, lon: float, area_ha: float) -> Rect:
    """A square of the community's area around its location, 0.5-1.4 km across, so the
    squares of communities a few km apart cannot touch."""
    side_m = min(1400.0, max(500.0, math.sqrt(area_ha * 10_000)))
    half_lat = side_m / 2 / METRES_PER_DEGREE
    half_lon = side_m / 2 / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return Rect(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)


def tile(rect: Rect, n: int) -> list[Rect]:
    """Split rect into n tiles: near-square columns, each column cut into rows."""
    if n <= 1:
        return [rect]
    columns = max(1, min(n, round(math.sqrt(n))))
    per_column = [n // columns + (1 if i < n % columns else 0) for i in range(columns)]
    # Column widths proportional to their tile counts, so tiles are of similar size.
    xs = [rect.west]
    for count in per_column:
        xs.append(xs[-1] + (rect.east - rect.west) * count / n)
    xs[-1] = rect.east
    tiles = []
    for i, count in enumerate(per_column):
        ys = [rect.south + (rect.north - rect.south) * j / count for j in range(count)]
        ys.append(rect.north)
        tiles.extend(Rect(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(count))
    return tiles
