"""The demo's geometry (demo/geometry.py) and its geographic context
(geodata/xiaoshan.geojson through data_access/basemap.py), checked as polygons without
a database: streets tile the district, communities lie apart inside their own streets
at about their reported size, grids tile their community and micro-grids their grid,
points land inside, and the facts do not depend on any of it.

Coordinates are rounded to 1e-6° (≈0.1 m) when written, so where two written outlines
should share an edge they may part or cross by about that much: "inside" below allows
2e-6° of slack, and "apart" and "no gap" mean that what lies between two outlines is
nowhere wider than 4e-6° (`thin`), which a missing or overlapping grid of any size would
be. Areas are in square degrees (1e-12 ≈ 0.01 m²).
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from itertools import combinations

import pytest
import shapely
from shapely.geometry import Point, shape

from data_access import basemap
from demo import district, geometry
from demo.communities import COMMUNITIES, STREETS
from demo.scaled_dims import GRIDS_PER_COMMUNITY, MICRO_PER_GRID, Scale, build_dimensions

NOTHING = 1e-12  # deg²
ROUNDING = 1e-6  # deg


@cache
def dimensions():
    communities, grids, facilities, _ = district._dimensions(2026)
    return communities, grids, facilities


def _outline(text_or_dict):
    return shape(json.loads(text_or_dict) if isinstance(text_or_dict, str) else text_or_dict)


def community_outlines() -> dict[str, object]:
    return {row[0]: _outline(row[10]) for row in dimensions()[0]}


def grid_outlines() -> dict[str, tuple]:
    """grid_code -> (community_code, parent_grid_code, outline)."""
    return {row[0]: (row[1], row[2], _outline(row[8])) for row in dimensions()[1]}


def thin(geometry) -> bool:
    """Nothing of it is wider than the rounding: at most a sliver along an edge."""
    return geometry.buffer(-2 * ROUNDING).is_empty


def assert_tiles(parent, children, label: str) -> None:
    """children cover parent exactly: inside it, apart, leaving no gap, and their areas
    add up to its (to the rounding along its edges)."""
    for child in children:
        assert parent.buffer(2 * ROUNDING).contains(child), label
    for a, b in combinations(children, 2):
        assert thin(a.intersection(b)), label
    assert thin(parent.symmetric_difference(shapely.union_all(children))), label
    assert sum(c.area for c in children) == pytest.approx(parent.area, rel=1e-3), label


# -- geodata ----------------------------------------------------------------------------
def test_the_context_file_holds_each_kind_with_its_properties():
    collection = basemap.context()
    assert collection["type"] == "FeatureCollection"
    assert basemap.context() is collection  # read once
    for feature in collection["features"]:
        assert set(feature["properties"]) == {"kind", "name", "code"}
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    [xiaoshan] = basemap.features("district")
    assert xiaoshan["properties"] == {"kind": "district", "name": "萧山区", "code": "330109"}
    assert {f["properties"]["name"] for f in basemap.features("neighbour")} >= {
        "滨江区",
        "西湖区",
        "富阳区",
    }
    assert {f["properties"]["name"] for f in basemap.features("water")} == {
        "钱塘江",
        "浦阳江",
        "湘湖",
    }
    with pytest.raises(ValueError, match="unknown context kind"):
        basemap.features("roads")


def test_streets_tile_the_district_and_carry_the_demo_codes():
    outline = _outline(basemap.features("district")[0]["geometry"])
    cells = [(f["properties"], _outline(f["geometry"])) for f in basemap.features("street")]
    codes = [p["code"] for p, _ in cells]
    assert len(codes) == len(set(codes)) == 22
    names = {p["code"]: p["name"] for p, _ in cells}
    for code, name, _ in STREETS:
        assert names[code] == name
    assert_tiles(outline, [cell for _, cell in cells], "district")
    # about 1,000 km² (since 2021, when five of its streets went to 钱塘区)
    assert 900 < geometry.area_ha(outline) / 100 < 1100


def test_neighbours_and_water_stay_off_the_demo_communities():
    outline = _outline(basemap.features("district")[0]["geometry"])
    for feature in basemap.features("neighbour"):
        assert thin(_outline(feature["geometry"]).intersection(outline))  # edges only
    water = geometry.water()
    for code, community in community_outlines().items():
        assert community.intersection(water).area < NOTHING, code
    # 湘湖 lies south-west of 湘湖社区, in Xiaoshan
    lake = _outline(
        next(f for f in basemap.features("water") if f["properties"]["code"] == "xianghu")[
            "geometry"
        ]
    )
    west, south, east, north = lake.bounds
    assert 120.21 < west < east < 120.245 and 30.11 < south < north < 30.16
    assert north - south > east - west  # elongated north-south
    assert outline.buffer(2 * ROUNDING).contains(lake)


def test_community_context_surrounds_the_demo_communities_without_covering_them():
    streets = geometry.streets()
    outlines = community_outlines()
    context = basemap.features("community_context")
    near = {c.code: 0 for c in COMMUNITIES}
    water = geometry.water()
    for feature in context:
        cell = _outline(feature["geometry"])
        code = feature["properties"]["code"].split("-")[0]
        assert feature["properties"]["name"] is None
        own = next(c for c in COMMUNITIES if c.code == code)
        assert streets[own.street_code].buffer(2 * ROUNDING).contains(cell)
        assert thin(cell.intersection(water))
        for community in outlines.values():
            assert thin(cell.intersection(community))
        # sharing more than 10 m of the community's edge
        near[code] += cell.buffer(2 * ROUNDING).intersection(outlines[code].boundary).length > 1e-4
    # each demo community has neighbours sharing its edges
    assert all(count >= 3 for count in near.values()), near


# -- the demo district --------------------------------------------------------------------
def test_communities_lie_apart_each_in_its_own_street():
    streets = geometry.streets()
    outlines = community_outlines()
    assert set(outlines) == {c.code for c in COMMUNITIES}
    for a, b in combinations(outlines.values(), 2):
        assert a.intersection(b).area < NOTHING  # a few km apart: not even touching
    for c in COMMUNITIES:
        community = outlines[c.code]
        assert streets[c.street_code].buffer(2 * ROUNDING).contains(community), c.name
        assert community.contains(Point(c.lon, c.lat)), c.name
        # room for a community of about 1 km across around its location (a degree is at
        # least 96 km here, whichever way)
        edge = streets[c.street_code].boundary.distance(Point(c.lon, c.lat)) * 96_000
        assert edge >= 500, (c.name, edge)


def test_communities_are_irregular_and_about_their_reported_size():
    outlines = community_outlines()
    for c in COMMUNITIES:
        community = outlines[c.code]
        hectares = geometry.area_ha(community)
        assert 20 <= hectares <= 150, (c.name, hectares)  # 0.2-1.5 km²
        assert 0.7 <= hectares / max(c.area_ha, geometry.COMMUNITY_HA[0]) <= 1.4, c.name
        # not a square or any rectangle: its smallest enclosing rectangle is larger
        assert shapely.oriented_envelope(community).area > 1.05 * community.area, c.name
        assert community.geom_type == "Polygon", c.name


def test_grids_tile_their_community_and_micro_grids_their_grid():
    outlines = community_outlines()
    grids = grid_outlines()
    children: dict[str, list] = {}
    for community_code, parent, outline in grids.values():
        children.setdefault(parent or community_code, []).append(outline)
    for c in COMMUNITIES:
        assert len(children[c.code]) == len(c.micro_grids)
        assert_tiles(outlines[c.code], children[c.code], c.name)
    parents = {code for code, (_, parent, _) in grids.items() if parent is None}
    for code in parents:
        if code in children:
            assert_tiles(grids[code][2], children[code], code)
    assert sum(len(children.get(code, [])) for code in parents) == sum(
        sum(c.micro_grids) for c in COMMUNITIES
    )


def test_points_fall_inside_their_area():
    outlines = community_outlines()
    grids = grid_outlines()
    steps = [i / 10 for i in range(11)]
    samples = list(outlines.values()) + [g for _, _, g in list(grids.values())[::7]]
    for outline in samples:
        area = geometry.Area(outline)
        for margin in (0.08, 0.15):
            for u in steps:
                for v in steps:
                    lat, lon = area.point(u, v, margin=margin)
                    assert outline.contains(Point(lon, lat)), (outline.bounds, u, v, margin)
                    assert (lat, lon) == area.point(u, v, margin=margin)  # deterministic
    # Facilities inside their community, as placed by the build.
    for row in dimensions()[2]:
        assert outlines[row[1]].contains(Point(row[6], row[5])), row[2]


def test_a_point_outside_the_polygon_moves_inside():
    # An L-shaped polygon: the top-right of its box is outside it.
    ell = shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])
    lat, lon = geometry.Area(ell).point(1.0, 1.0, margin=0.0)
    assert ell.contains(Point(lon, lat))
    assert geometry.Area(ell).point(0.25, 0.25, margin=0.0) == (0.5, 0.5)  # inside: kept


def test_the_facts_do_not_depend_on_the_outlines(monkeypatch):
    # Squares instead of the real outlines: every row but the positions and outlines is
    # the same, so the geometry draws nothing from the facts' random generators.
    only, today = {"湖山社区"}, date(2025, 10, 8)

    def without_positions(built):
        kept = []
        for table in built.tables:
            drop = {i for i, c in enumerate(table.columns) if c in ("lat", "lon", "geometry")}
            kept.append([tuple(v for i, v in enumerate(r) if i not in drop) for r in table.rows])
        return kept

    real = district.build_district(7, today, only=only)

    def square(code, lat, lon, area_ha, street):
        return Point(lon, lat).buffer(0.003, cap_style="square"), []

    monkeypatch.setattr(district, "community_shape", square)
    squares = district.build_district(7, today, only=only)
    assert real.table("fact_incident").rows != squares.table("fact_incident").rows
    assert without_positions(real) == without_positions(squares)


def test_street_rows_carry_their_geodata_outline():
    built = district.build_district(7, date(2025, 10, 8), only=set())
    table = built.table("dim_street")
    assert table.columns == ("street_code", "street_name", "kind", "geometry")
    cells = geometry.streets()
    for code, _, _, outline in table.rows:
        assert _outline(outline).symmetric_difference(cells[code]).area < NOTHING, code


# -- a scaled city ------------------------------------------------------------------------
def test_a_scaled_city_tiles_streets_communities_and_grids():
    # Fourteen streets: the ten real ones and four synthetic around them.
    scale = Scale("test", 14, 56, 0, 0, 0)
    dims = build_dimensions(3, scale)
    streets = {row[0]: _outline(row[3]) for row in dims.streets}
    assert len(streets) == 14
    for a, b in combinations(streets.values(), 2):
        assert thin(a.intersection(b))
    real = geometry.streets()
    for code, _, _ in STREETS:
        assert streets[code].symmetric_difference(real[code]).area < NOTHING

    communities = {row[0]: (row[1], _outline(row[10]), row[8], row[9]) for row in dims.communities}
    assert len(communities) == 56
    tree = shapely.STRtree([outline for _, outline, _, _ in communities.values()])
    outlines = [outline for _, outline, _, _ in communities.values()]
    for i, j in zip(*tree.query(outlines, predicate="intersects"), strict=True):
        if i < j:
            assert thin(outlines[i].intersection(outlines[j]))
    by_street: dict[str, list] = {}
    for code, (street_code, outline, lat, lon) in communities.items():
        assert streets[street_code].buffer(2 * ROUNDING).contains(outline), code
        assert outline.contains(Point(lon, lat)), code
        by_street.setdefault(street_code, []).append(outline)
    for code, outline in streets.items():
        assert_tiles(outline, by_street[code], code)

    grids: dict[str, list] = {}
    micro: dict[str, list] = {}
    for grid_code, community_code, parent, *_, text in dims.grids:
        (micro.setdefault(parent, []) if parent else grids.setdefault(community_code, [])).append(
            (grid_code, _outline(text))
        )
    for code, (_, outline, _, _) in communities.items():
        assert len(grids[code]) == GRIDS_PER_COMMUNITY
        assert_tiles(outline, [g for _, g in grids[code]], code)
        for grid_code, grid in grids[code]:
            assert len(micro[grid_code]) == MICRO_PER_GRID
            assert_tiles(grid, [m for _, m in micro[grid_code]], grid_code)
    # the square incidents scatter over lies inside the community
    for (lat, lon), spread, (_, outline, _, _) in zip(
        dims.centres, dims.spread, communities.values(), strict=True
    ):
        square = shapely.box(lon - spread, lat - spread, lon + spread, lat + spread)
        assert outline.contains(square)
