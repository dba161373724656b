"""Dimensions of a scaled demo (`cockpit demo --scale small|city`): the ten streets and
communities of the demo district (so the demo accounts and DOMAIN.md's names work)
plus synthetic streets of other Hangzhou districts and synthetic communities, each
with four grids, two micro-grids per grid and four facilities. Deterministic by seed.

Outlines tile like the district's (demo/geometry.py): the real streets keep their
cells of geodata/xiaoshan.geojson, the synthetic ones tile the area around them,
communities are Voronoi cells of their seats in their street, grids are quadrants of
their community about its seat and micro-grids halves of their grid. The outlines
draw from a random generator of their own, so the facts of a seed do not depend on them.

Everything is returned as numpy-friendly lists; the facts generator
(demo/scaled_facts.py) only needs each community's code, residents and facilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from demo import geometry
from demo.communities import COMMUNITIES, STREETS
from demo.geometry import METRES_PER_DEGREE


@dataclass(frozen=True)
class Scale:
    name: str
    streets: int
    communities: int
    incidents: int
    visits: int
    ledger_entries: int
    years: int = 3


SCALES = {
    "small": Scale("small", 10, 30, 60_000, 120_000, 240_000),
    "city": Scale("city", 100, 3_000, 10_000_000, 20_000_000, 40_000_000),
}

GRIDS_PER_COMMUNITY = 4
MICRO_PER_GRID = 2
FACILITY_TYPES = ("canteen", "eldercare", "childcare", "activity")
FACILITY_NAMES = {"canteen": "邻里食堂", "eldercare": "居家养老中心",
                  "childcare": "托育园", "activity": "文化家园"}  # fmt: skip
FACILITY_CAPACITY = {"canteen": 100, "eldercare": 50, "childcare": 40, "activity": 80}
# Hangzhou's other districts (county-level codes), for the synthetic streets.
OTHER_DISTRICTS = ("330102", "330105", "330106", "330108", "330110", "330111",
                   "330112", "330113", "330114")  # fmt: skip
SYLLABLES = (
    "东西南北中新华和平春江湖山明光文景安康宁福泰丰盛兴隆祥瑞金玉清溪桥河塘湾园林竹梅兰".replace(
        "", " "
    ).split()
)
COMMUNITY_M2 = 810_000.0  # a synthetic street is sized for communities of about 81 ha
CITY_CENTRE = (30.16, 120.30)  # lat, lon: the synthetic streets gather around Xiaoshan


@dataclass
class Dimensions:
    streets: list[tuple]
    communities: list[tuple]
    grids: list[tuple]
    facilities: list[tuple]
    community_codes: np.ndarray  # in load order; index = community number in the facts
    residents: np.ndarray  # per community
    over_60_share: np.ndarray  # per community
    under_14_share: np.ndarray  # per community
    centres: np.ndarray  # (n, 2) lat, lon
    spread: np.ndarray  # (n,) degrees: the square of ± this around the centre is inside


def _names(rng: np.random.Generator, count: int, suffix: str, taken: set[str]) -> list[str]:
    """Distinct two- or three-syllable place names (never one of `taken`)."""
    names: list[str] = []
    seen = set(taken)
    while len(names) < count:
        size = 2 if rng.random() < 0.7 else 3
        name = "".join(rng.choice(SYLLABLES, size)) + suffix
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _streets(rng: np.random.Generator, scale: Scale) -> list[tuple]:
    streets = [tuple(s) for s in STREETS[: scale.streets]]
    extra = scale.streets - len(streets)
    names = _names(rng, extra, "街道", {s[1] for s in STREETS})
    for n in range(extra):
        district = OTHER_DISTRICTS[n % len(OTHER_DISTRICTS)]
        streets.append((f"{district}{n // len(OTHER_DISTRICTS) + 1:03d}", names[n], "街道"))
    return streets


def _street_shapes(streets: list[tuple], per_street: int, rng: np.random.Generator) -> list:
    """Each street's outline. A real street keeps its cell of geodata/xiaoshan.geojson;
    the synthetic ones are Voronoi cells of jittered lattice points gathered around the
    real ones (nearest first), clipped to the hull around them all less the real streets:
    together they tile one city area."""
    real = geometry.streets()
    shapes = [real.get(s[0]) for s in streets]
    synthetic = [i for i, s in enumerate(streets) if s[0] not in real]
    if not synthetic:
        return shapes
    taken = shapely.union_all([shape for shape in shapes if shape is not None])
    lat0, lon0 = CITY_CENTRE
    per_lon = METRES_PER_DEGREE * math.cos(math.radians(lat0))
    spacing = math.sqrt(per_street * COMMUNITY_M2 / (math.sqrt(3) / 2))
    reach = math.ceil(math.sqrt(len(synthetic))) + 8
    rows, columns = np.meshgrid(np.arange(-reach, reach + 1), np.arange(-reach, reach + 1))
    rows, columns = rows.ravel(), columns.ravel()
    a = (columns + 0.5 * rows + rng.uniform(-0.25, 0.25, rows.size)) * spacing
    b = (rows * math.sqrt(3) / 2 + rng.uniform(-0.25, 0.25, rows.size)) * spacing
    x, y = lon0 + a / per_lon, lat0 + b / METRES_PER_DEGREE
    free = ~shapely.contains_xy(taken.buffer(0.5 * spacing / per_lon), x, y)
    order = np.argsort(np.hypot(a, b)[free], kind="stable")[: len(synthetic)]
    seeds = np.column_stack([x[free][order], y[free][order]])
    # the city's edge: half a street beyond the outermost seeds
    frame = shapely.convex_hull(shapely.union(shapely.multipoints(seeds), taken))
    frame = frame.buffer(0.5 * spacing / per_lon)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    rest = frame.difference(taken)
    for i, cell in zip(synthetic, cells.geoms, strict=True):
        shapes[i] = shapely.intersection(cell, rest)
    return shapes


def _community_seeds(street, fixed: list, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` points inside the street: the fixed ones (real communities' locations)
    first, then jittered lattice points at least 0.6 spacing from them and 0.3 from the
    street's edge (so each seed has room around it in its cell), the lattice
    made finer until there are enough and the surplus dropped at random."""
    per_lon = METRES_PER_DEGREE * math.cos(math.radians(street.centroid.y))
    area_m2 = street.area * per_lon * METRES_PER_DEGREE
    spacing = math.sqrt(area_m2 / count / (math.sqrt(3) / 2))
    west, south, east, north = street.bounds
    need = count - len(fixed)
    for _ in range(40):
        steps_x = math.ceil((east - west) * per_lon / spacing) + 2
        steps_y = math.ceil((north - south) * METRES_PER_DEGREE / (spacing * 0.866)) + 2
        rows, columns = np.meshgrid(np.arange(steps_y), np.arange(steps_x))
        rows, columns = rows.ravel(), columns.ravel()
        a = (columns + 0.5 * (rows % 2) + rng.uniform(-0.25, 0.25, rows.size)) * spacing
        b = (rows * math.sqrt(3) / 2 + rng.uniform(-0.25, 0.25, rows.size)) * spacing
        x, y = west + a / per_lon, south + b / METRES_PER_DEGREE
        inner = street.buffer(-0.3 * spacing / per_lon)  # off the edge: a seed's cell
        keep = shapely.contains_xy(inner if not inner.is_empty else street, x, y)
        for lon, lat in fixed:
            keep &= np.hypot((x - lon) * per_lon, (y - lat) * METRES_PER_DEGREE) > 0.6 * spacing
        if keep.sum() >= need:
            break
        spacing *= 0.9
    else:
        raise ValueError(f"cannot place {count} communities in a street")
    chosen = np.sort(rng.choice(int(keep.sum()), need, replace=False))
    extra = np.column_stack([x[keep][chosen], y[keep][chosen]])
    return np.vstack([np.array(fixed, dtype=float).reshape(-1, 2), extra])


def _quadrants(apexes: np.ndarray, angles: np.ndarray, reach: float) -> np.ndarray:
    """Four right-angled wedges (squares of side `reach`) around each apex, turned by
    its angle: they tile the plane near it. Shape (n * 4,), apex-major."""
    turns = angles[:, None] + np.arange(4)[None, :] * (math.pi / 2)  # (n, 4)
    ring = [np.zeros_like(turns), turns, turns + math.pi / 4, turns + math.pi / 2]
    lengths = [0.0, reach, reach * math.sqrt(2), reach]
    xs = np.stack(
        [apexes[:, 0, None] + r * np.cos(t) for r, t in zip(lengths, ring, strict=True)], -1
    )
    ys = np.stack(
        [apexes[:, 1, None] + r * np.sin(t) for r, t in zip(lengths, ring, strict=True)], -1
    )
    coords = np.stack([xs, ys], axis=-1).reshape(-1, 4, 2)
    return shapely.polygons(np.concatenate([coords, coords[:, :1]], axis=1))


def _halves(points: np.ndarray, angles: np.ndarray, reach: float) -> np.ndarray:
    """The two sides of the line through each point at its angle, as rectangles of
    `reach`. Shape (n * 2,), point-major."""
    d = np.column_stack([np.cos(angles), np.sin(angles)]) * reach
    n = np.column_stack([-np.sin(angles), np.cos(angles)]) * reach
    p = points
    left = np.stack([p + d, p + d + n, p - d + n, p - d, p + d], axis=1)
    right = np.stack([p + d, p - d, p - d - n, p + d - n, p + d], axis=1)
    return shapely.polygons(np.stack([left, right], axis=1).reshape(-1, 5, 2))


def _geojson(shapes: np.ndarray) -> list[str]:
    """GeoJSON text of each shape: 6 decimals, exterior rings counter-clockwise."""
    rounded = shapely.orient_polygons(shapely.set_precision(shapes, 10**-geometry.DECIMALS))
    return list(shapely.to_geojson(rounded))


def _spread(shapes: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Half the side of a square around each centre that lies inside its shape (one
    inscribed in the largest circle about the centre), at most 0.003° (≈300 m), less
    the 1e-6° the points are rounded to."""
    edge = shapely.distance(shapely.points(centres), shapely.boundary(shapes))
    return np.clip(edge / math.sqrt(2) - 2e-6, 0, 0.003)


def build_dimensions(seed: int, scale: Scale) -> Dimensions:
    rng = np.random.default_rng([seed, 1])
    shapes_rng = np.random.default_rng([seed, 2])  # geometry only: the facts never see it
    streets = _streets(rng, scale)
    real = {c.code: c for c in COMMUNITIES if c.street_code in {s[0] for s in STREETS}}
    per_street = np.full(len(streets), scale.communities // len(streets))
    per_street[: scale.communities % len(streets)] += 1
    names = iter(_names(rng, scale.communities, "社区", {c.name for c in COMMUNITIES}))

    # The communities' figures first, drawing from rng in the order they always have.
    people_of, seeds, community_shapes = [], [], []
    street_shapes = _street_shapes(streets, int(per_street.max()), shapes_rng)
    for street, count, outline in zip(streets, per_street, street_shapes, strict=True):
        street_code = street[0]
        own = [c for c in real.values() if c.street_code == street_code]
        for n in range(int(count)):
            if n < len(own):
                c = own[n]
                people_of.append((c.code, street_code, c.name, c.households, c.residents,
                                  c.over_60 / c.residents, c.under_14))  # fmt: skip
            else:
                code = f"{street_code}{200 + n:03d}"
                name = next(names)
                people = int(rng.lognormal(math.log(6000), 0.45))
                old = float(rng.uniform(0.12, 0.32))
                households = int(people / rng.uniform(2.1, 2.8))
                young = int(people * rng.uniform(0.08, 0.16))
                people_of.append((code, street_code, name, households, people, old, young))
        # Then where they lie: Voronoi cells of their seeds, tiling the street.
        fixed = [(c.lon, c.lat) for c in own[: int(count)]]
        points = _community_seeds(outline, fixed, int(count), shapes_rng)
        cells = shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=outline, ordered=True
        )
        community_shapes += list(shapely.intersection(list(cells.geoms), outline))
        seeds += [tuple(p) for p in points]

    # Grids: quadrants around each community's seed; micro-grids: each grid halved by
    # a line through a point inside it. Vectorised over the whole city.
    community_shapes = np.array(community_shapes, dtype=object)
    apexes = np.array(seeds)
    reach = 0.5  # degrees: far beyond any community
    grid_shapes = shapely.intersection(
        np.repeat(community_shapes, GRIDS_PER_COMMUNITY),
        _quadrants(apexes, shapes_rng.uniform(0, math.pi / 2, len(apexes)), reach),
    )
    inside = shapely.get_coordinates(shapely.point_on_surface(grid_shapes))
    micro_shapes = shapely.intersection(
        np.repeat(grid_shapes, MICRO_PER_GRID),
        _halves(inside, shapes_rng.uniform(0, math.pi, len(inside)), reach),
    )
    community_json = _geojson(community_shapes)
    grid_json = _geojson(grid_shapes)
    micro_json = _geojson(micro_shapes)
    lat_scale = np.cos(np.radians(apexes[:, 1]))
    hectares = shapely.area(community_shapes) * METRES_PER_DEGREE**2 * lat_scale / 1e4

    communities, grids, facilities = [], [], []
    for i, (code, street_code, name, households, people, old, young) in enumerate(people_of):
        lon, lat = seeds[i]
        communities.append((code, street_code, name, households, people, int(people * old),
                            young, round(float(hectares[i]), 2), round(lat, 6), round(lon, 6),
                            community_json[i]))  # fmt: skip
        for g in range(1, GRIDS_PER_COMMUNITY + 1):
            k = i * GRIDS_PER_COMMUNITY + g - 1
            grid_code = f"{code}G{g:02d}"
            grids.append((grid_code, code, None, f"第{g}网格", "grid", f"网格员 {g:02d}",
                          grid_json[k]))  # fmt: skip
            for m in range(1, MICRO_PER_GRID + 1):
                grids.append((f"{grid_code}M{m:02d}", code, grid_code,
                              f"第{g}网格·微网格{m:02d}", "micro_grid",
                              f"微网格长 {(g - 1) * MICRO_PER_GRID + m:02d}",
                              micro_json[k * MICRO_PER_GRID + m - 1]))  # fmt: skip
        area = geometry.Area(community_shapes[i])
        for f, kind in enumerate(FACILITY_TYPES, start=1):
            flat, flon = area.point((f * 0.23) % 1, (f * 0.37) % 1, margin=0.15)
            facilities.append((f"{code}F{f:02d}", code, name.removesuffix("社区")
                               + FACILITY_NAMES[kind], kind, FACILITY_CAPACITY[kind],
                               flat, flon))  # fmt: skip
    street_json = _geojson(np.array(street_shapes, dtype=object))
    return Dimensions(
        streets=[(*s, street_json[n]) for n, s in enumerate(streets)],
        communities=communities,
        grids=grids,
        facilities=facilities,
        community_codes=np.array([row[0] for row in people_of]),
        residents=np.array([row[4] for row in people_of], dtype=np.int64),
        over_60_share=np.array([row[5] for row in people_of]),
        under_14_share=np.array([row[6] / row[4] for row in people_of]),
        centres=apexes[:, ::-1].copy(),
        spread=_spread(community_shapes, apexes),
    )


STREET_COLUMNS = ("street_code", "street_name", "kind", "geometry")
COMMUNITY_COLUMNS = ("community_code", "street_code", "community_name", "households",
                     "residents", "residents_60_plus", "residents_under_14", "area_ha",
                     "lat", "lon", "geometry")  # fmt: skip
GRID_COLUMNS = ("grid_code", "community_code", "parent_grid_code", "grid_name", "level",
                "worker", "geometry")  # fmt: skip
FACILITY_COLUMNS = ("facility_code", "community_code", "facility_name", "facility_type",
                    "capacity", "lat", "lon")  # fmt: skip
