"""Dimensions of a scaled demo (`cockpit demo --scale small|city`): the ten streets and
communities of the demo district (so the demo accounts and DOMAIN.md's names work)
plus synthetic streets of other Hangzhou districts and synthetic communities, each
with four grids, two micro-grids per grid and four facilities. Deterministic by seed.

Everything is returned as numpy-friendly lists; the facts generator
(demo/scaled_facts.py) only needs each community's code, residents and facilities.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from demo.communities import COMMUNITIES, STREETS
from demo.geometry import METRES_PER_DEGREE, Rect, tile


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
SIDE_M = 900.0  # a synthetic community: a square of about 81 ha


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


def _square(lat: float, lon: float, side_m: float) -> Rect:
    half_lat = side_m / 2 / METRES_PER_DEGREE
    half_lon = side_m / 2 / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return Rect(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)


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


def _street_centres(streets: list[tuple]) -> dict[str, tuple[float, float]]:
    """The real streets at their real community's location; the others on a lattice
    over greater Hangzhou, 8 km apart."""
    centres = {c.street_code: (c.lat, c.lon) for c in COMMUNITIES}
    synthetic = [s[0] for s in streets if s[0] not in centres]
    side = max(1, math.ceil(math.sqrt(len(synthetic))))
    for n, code in enumerate(synthetic):
        row, column = divmod(n, side)
        centres[code] = (30.05 + row * 0.072, 119.85 + column * 0.083)
    return centres


def build_dimensions(seed: int, scale: Scale) -> Dimensions:
    rng = np.random.default_rng([seed, 1])
    streets = _streets(rng, scale)
    centres = _street_centres(streets)
    real = {c.code: c for c in COMMUNITIES if c.street_code in centres}
    per_street = np.full(len(streets), scale.communities // len(streets))
    per_street[: scale.communities % len(streets)] += 1
    names = iter(_names(rng, scale.communities, "社区", {c.name for c in COMMUNITIES}))

    communities, grids, facilities = [], [], []
    codes, residents, over_60_share, under_14_share, points = [], [], [], [], []
    for street, count in zip(streets, per_street, strict=True):
        street_code = street[0]
        lat0, lon0 = centres[street_code]
        own = [c for c in real.values() if c.street_code == street_code]
        for n in range(int(count)):
            # a spiral of 1.5 km steps around the street's centre; slot 0 is the real one
            angle, radius = n * 2.4, 1500.0 * math.sqrt(n)
            lat = lat0 + radius * math.sin(angle) / METRES_PER_DEGREE
            lon = lon0 + radius * math.cos(angle) / (
                METRES_PER_DEGREE * math.cos(math.radians(lat0))
            )
            if n < len(own):
                c = own[n]
                code, name, people, old = c.code, c.name, c.residents, c.over_60 / c.residents
                households, young, lat, lon = c.households, c.under_14, c.lat, c.lon
            else:
                code = f"{street_code}{200 + n:03d}"
                name = next(names)
                people = int(rng.lognormal(math.log(6000), 0.45))
                old = float(rng.uniform(0.12, 0.32))
                households = int(people / rng.uniform(2.1, 2.8))
                young = int(people * rng.uniform(0.08, 0.16))
            rect = _square(lat, lon, SIDE_M)
            area_ha = round(SIDE_M**2 / 1e4, 2)
            communities.append((code, street_code, name, households, people, int(people * old),
                                young, area_ha, round(lat, 6), round(lon, 6),
                                json.dumps(rect.geojson())))  # fmt: skip
            codes.append(code)
            residents.append(people)
            over_60_share.append(old)
            under_14_share.append(young / people)
            points.append((lat, lon))
            for g, grid_rect in enumerate(tile(rect, GRIDS_PER_COMMUNITY), start=1):
                grid_code = f"{code}G{g:02d}"
                grids.append((grid_code, code, None, f"第{g}网格", "grid", f"网格员 {g:02d}",
                              json.dumps(grid_rect.geojson())))  # fmt: skip
                for m, micro in enumerate(tile(grid_rect, MICRO_PER_GRID), start=1):
                    grids.append((f"{grid_code}M{m:02d}", code, grid_code,
                                  f"第{g}网格·微网格{m:02d}", "micro_grid",
                                  f"微网格长 {(g - 1) * MICRO_PER_GRID + m:02d}",
                                  json.dumps(micro.geojson())))  # fmt: skip
            for f, kind in enumerate(FACILITY_TYPES, start=1):
                flat, flon = rect.point((f * 0.23) % 1, (f * 0.37) % 1, margin=0.15)
                facilities.append((f"{code}F{f:02d}", code, name.removesuffix("社区")
                                   + FACILITY_NAMES[kind], kind, FACILITY_CAPACITY[kind],
                                   flat, flon))  # fmt: skip
    return Dimensions(
        streets=streets,
        communities=communities,
        grids=grids,
        facilities=facilities,
        community_codes=np.array(codes),
        residents=np.array(residents, dtype=np.int64),
        over_60_share=np.array(over_60_share),
        under_14_share=np.array(under_14_share),
        centres=np.array(points),
    )


COMMUNITY_COLUMNS = ("community_code", "street_code", "community_name", "households",
                     "residents", "residents_60_plus", "residents_under_14", "area_ha",
                     "lat", "lon", "geometry")  # fmt: skip
GRID_COLUMNS = ("grid_code", "community_code", "parent_grid_code", "grid_name", "level",
                "worker", "geometry")  # fmt: skip
FACILITY_COLUMNS = ("facility_code", "community_code", "facility_name", "facility_type",
                    "capacity", "lat", "lon")  # fmt: skip
