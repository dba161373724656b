"""Street outlines in the warehouse (migration 024) over the demo district: loaded from
geodata, readable by the reader role, and map_street_areas (geo.street_areas) returns
the streets of the viewer's scope only — a community's head sees the own street."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import shape
from sqlalchemy import text

from data_access import Scope, auth, geo
from data_access.runner import query_cache
from demo.communities import COMMUNITIES, STREETS
from demo.geometry import streets

NANCHENG = next(c for c in COMMUNITIES if c.name == "南城社区")  # the demo community head's
XINTANG = next(code for code, name, _ in STREETS if name == "新塘街道")  # the demo street's


@pytest.fixture
def demo(demo_warehouse, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_warehouse.reader_url)
    query_cache().clear()
    auth.set_current_viewer(None)
    yield demo_warehouse
    auth.set_current_viewer(None)
    query_cache().clear()


def _sign_in(warehouse, role: str) -> auth.Viewer:
    with warehouse.owner.connect() as connection:
        accounts = connection.execute(
            text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
        ).scalar_one()
    account = next(a for a in accounts if a["role"] == role)
    return auth.sign_in(account["username"], account["password"]).viewer


def test_the_district_sees_every_street_with_its_geodata_outline(demo):
    frame = geo.street_areas(Scope.district())
    assert list(frame["street_code"]) == sorted(code for code, _, _ in STREETS)
    assert dict(zip(frame["street_code"], frame["street_name"], strict=True)) == {
        code: name for code, name, _ in STREETS
    }
    cells = streets()
    for code, geometry in zip(frame["street_code"], frame["geometry"], strict=True):
        outline = shape(json.loads(geometry))
        # the stored outline is the street's cell in geodata/xiaoshan.geojson
        assert outline.symmetric_difference(cells[code]).area < 1e-12, code
        assert outline.area > 1e-4, code  # ≥ about 1 km²: a street, not a placeholder


def test_a_narrower_scope_sees_only_its_streets(demo):
    own = geo.street_areas(Scope("community", NANCHENG.code))
    assert list(own["street_code"]) == [NANCHENG.street_code]
    assert own["geometry"][0] is not None
    street = geo.street_areas(Scope("street", XINTANG))
    assert list(street["street_code"]) == [XINTANG]
    grid = geo.street_areas(Scope("grid", f"{NANCHENG.code}G01"))
    assert list(grid["street_code"]) == [NANCHENG.street_code]


def test_a_community_head_asking_for_the_district_sees_the_own_street(demo):
    assert len(geo.street_areas(Scope.district())) == len(STREETS)  # cached for the district
    auth.set_current_viewer(_sign_in(demo, "community"))
    own = geo.street_areas(Scope.district())
    assert list(own["street_code"]) == [NANCHENG.street_code]
    auth.set_current_viewer(_sign_in(demo, "street"))
    assert list(geo.street_areas(Scope.district())["street_code"]) == [XINTANG]


def test_the_reader_can_read_the_outline_column(demo):
    # a grant on the whole table (migration 004) covers the column migration 024 added
    reader = demo.reader()
    try:
        with reader.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM dim_street WHERE geometry IS NOT NULL")
            ).scalar_one()
    finally:
        reader.dispose()
    assert count == len(STREETS)
