"""Demo geometry in WGS-84 degrees that looks like a real district: streets tile the
district (their cells in geodata/xiaoshan.geojson), each demo community is an
irregular polygon of about its reported area around its DOMAIN.md location inside its
street, and grids tile their community and micro-grids their grid exactly.

Everything is a Voronoi tessellation clipped to its parent: a community is the cell of
its location among jittered lattice points spaced so a cell has about its area; a
parent's n children are the cells of n seeds relaxed towards equal areas. Neighbouring
cells share their edges, so nothing overlaps and nothing is left out. No random numbers
are drawn from the facts' generators: the jitter comes from a generator seeded by the
community's code, so the facts of a seed are the same whatever the outlines are.
"""

from __future__ import annotations

import math
import random
from functools import cache

import shapely
from shapely.geometry import MultiPoint, Point, shape

METRES_PER_DEGREE = 111_320.0
DECIMALS = 6  # ≈0.1 m, the precision of every outline and point written
# A demo community's area, clamped to what a community plausibly covers (km² 0.28-1.35).
COMMUNITY_HA = (28.0, 135.0)
JITTER = 0.3  # of the lattice spacing: irregular cells, none much off its area
LLOYD_ROUNDS = 6  # relaxations towards equal-area children; more changes little
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


class Area:
    """A polygon (or multipolygon) that can place points inside itself."""

    def __init__(self, shape):
        self.shape = shape
        self._inner: dict[float, object] = {}

    def geojson(self) -> dict:
        """GeoJSON, [lon, lat] order, exterior rings counter-clockwise, 6 decimals."""
        outline = shapely.orient_polygons(shapely.set_precision(self.shape, 10**-DECIMALS))
        return {"type": outline.geom_type, "coordinates": _listed(outline)}

    def _inside(self, margin: float):
        """The polygon shrunk by `margin` of its smaller bounding-box side (halved), so
        points stay off the edges as they did on the squares; the polygon itself when
        that leaves nothing."""
        if margin not in self._inner:
            west, south, east, north = self.shape.bounds
            inner = self.shape.buffer(-0.5 * margin * min(east - west, north - south))
            inner = inner if not inner.is_empty and inner.area > 0 else self.shape
            shapely.prepare(inner)
            self._inner[margin] = (inner, inner.representative_point())
        return self._inner[margin]

    def point(self, u: float, v: float, margin: float = 0.08) -> tuple[float, float]:
        """The (lat, lon) at fractions u (east) and v (north) of the bounding box, kept
        off the edges; a spot outside the polygon moves toward its representative point
        until it is inside (deterministic, and it draws no random numbers)."""
        inner, anchor = self._inside(margin)
        west, south, east, north = self.shape.bounds
        u = margin + (1 - 2 * margin) * u
        v = margin + (1 - 2 * margin) * v
        x, y = _inside(inner, west + (east - west) * u, south + (north - south) * v, anchor)
        return round(y, DECIMALS), round(x, DECIMALS)


def _listed(outline) -> list:
    """Coordinates as nested lists (mapping() gives tuples), rounded."""

    def ring(coords):
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]

    def polygon(p):
        return [ring(p.exterior.coords)] + [ring(i.coords) for i in p.interiors]

    if outline.geom_type == "Polygon":
        return polygon(outline)
    return [polygon(p) for p in outline.geoms]


# -- the district's streets -------------------------------------------------------------
@cache
def streets() -> dict[str, object]:
    """Street code -> its cell in geodata/xiaoshan.geojson (shapely)."""
    from data_access.basemap import features

    return {f["properties"]["code"]: shape(f["geometry"]) for f in features("street")}


@cache
def water():
    """The union of geodata's (schematic) water: no community is drawn on it."""
    from data_access.basemap import features

    return shapely.union_all([shape(f["geometry"]) for f in features("water")])


# -- tessellations ----------------------------------------------------------------------
def _metres_per_degree_lon(lat: float) -> float:
    return METRES_PER_DEGREE * math.cos(math.radians(lat))


def _tiles(region, seeds: list[tuple[float, float]]) -> list:
    """Voronoi cells of the seeds clipped to region, in the seeds' order (a seed given
    twice has one cell, so fewer come back)."""
    if len(seeds) == 1:
        return [region]
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region, ordered=True)
    return list(shapely.intersection(list(cells.geoms), region))


def community_shape(code: str, lat: float, lon: float, area_ha: float, street, wet=None):
    """The community around (lat, lon): its cell among lattice points spaced so that a
    cell has about area_ha (clamped to COMMUNITY_HA), jittered by a generator seeded
    with its code, within the street and off the water (`wet`, geodata's by default).
    Returns (community, the other cells of the street's tessellation off the water):
    those are its unnamed neighbours, geodata's "community_context"."""
    wet = water() if wet is None else wet
    area_m2 = min(max(area_ha, COMMUNITY_HA[0]), COMMUNITY_HA[1]) * 10_000
    spacing = math.sqrt(area_m2 / (math.sqrt(3) / 2))  # a hexagonal lattice's cell area
    per_lon, per_lat = _metres_per_degree_lon(lat), METRES_PER_DEGREE
    jitter = random.Random(code)
    turn = jitter.uniform(0, math.pi / 3)  # the lattice's orientation
    west, south, east, north = street.bounds
    reach = max(math.dist((0, 0), ((x - lon) * per_lon, (y - lat) * per_lat))
                for x in (west, east) for y in (south, north))  # fmt: skip
    steps = math.ceil(reach / spacing) + 1
    seeds = [(lon, lat)]
    for row in range(-steps, steps + 1):
        for column in range(-steps, steps + 1):
            if row == 0 and column == 0:
                continue
            a = (column + 0.5 * row + jitter.uniform(-JITTER, JITTER)) * spacing
            b = (row * math.sqrt(3) / 2 + jitter.uniform(-JITTER, JITTER)) * spacing
            x = lon + (a * math.cos(turn) - b * math.sin(turn)) / per_lon
            y = lat + (a * math.sin(turn) + b * math.cos(turn)) / per_lat
            if west - spacing / per_lon <= x <= east + spacing / per_lon and (
                south - spacing / per_lat <= y <= north + spacing / per_lat
            ):
                seeds.append((x, y))
    cells = _tiles(street, seeds)
    # the piece holding the location, should water cut the cell in two
    parts = shapely.get_parts(cells[0].difference(wet))
    own = next(p for p in parts if p.contains(Point(lon, lat)))
    others = [c.difference(wet) for c in cells[1:]]
    return own, [c for c in others if not c.is_empty and c.area > 0]


def _inside(region, x: float, y: float, anchor) -> tuple[float, float]:
    """(x, y) if the region holds it, else the first of the points on the way to anchor
    (a point inside the region) that it holds."""
    for step in range(8):
        t = step / 8
        px, py = x + t * (anchor.x - x), y + t * (anchor.y - y)
        if shapely.contains_xy(region, px, py):
            return px, py
    return anchor.x, anchor.y


def split(region, n: int, salt: str = "") -> list:
    """Cut region into n cells of about equal area: Voronoi cells of n seeds spread on a
    sunflower spiral, moved to their cells' centroids a few times (Lloyd), ordered west
    to east by centroid."""
    if n <= 1:
        return [region]
    centre = region.representative_point()
    west, south, east, north = region.bounds
    radius = 0.5 * max(east - west, north - south)
    phase = random.Random(f"split:{salt}").uniform(0, 2 * math.pi)
    seeds = [
        _inside(
            region,
            centre.x + radius * math.sqrt((k + 0.5) / n) * math.cos(phase + k * GOLDEN_ANGLE),
            centre.y + radius * math.sqrt((k + 0.5) / n) * math.sin(phase + k * GOLDEN_ANGLE),
            centre,
        )
        for k in range(n)
    ]
    # Seeds inside the region keep every clipped cell non-empty.
    cells = _tiles(region, seeds)
    for _ in range(LLOYD_ROUNDS):
        seeds = [_inside(c, c.centroid.x, c.centroid.y, c.representative_point()) for c in cells]
        cells = _tiles(region, seeds)
    if len(cells) != n or any(c.is_empty for c in cells):
        raise ValueError(f"could not split {salt or 'a region'} into {n}")
    return sorted(cells, key=lambda c: (round(c.centroid.x, 9), round(c.centroid.y, 9)))


def area_ha(outline) -> float:
    """Area in hectares (locally flat at the outline's latitude)."""
    lat = outline.centroid.y
    return outline.area * METRES_PER_DEGREE * _metres_per_degree_lon(lat) / 10_000
