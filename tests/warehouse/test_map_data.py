"""The grid map's layer data over the demo district: every area's measure, as the
layer carries it, equals plain SQL written here from DESIGN §5, for a district view
(communities) and a community view (grids and micro-grids)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from data_access import Period, Scope, geo
from data_access.period import today_local
from data_access.runner import query_cache
from ui.map_view import area_objects, colour_areas, format_measure

LOCAL = ZoneInfo("Asia/Shanghai")
AS_OF = today_local() - timedelta(days=1)
PERIOD = Period(AS_OF - timedelta(days=29), AS_OF, AS_OF)
START_AT = datetime.combine(PERIOD.start, time.min, tzinfo=LOCAL)
T = datetime.combine(AS_OF + timedelta(days=1), time.min, tzinfo=LOCAL)  # end of as-of day

OPEN = """(i.reported_at <= :t AND NOT (i.closed_at IS NOT NULL AND i.closed_at <= :t)
           AND NOT (i.rejected_at IS NOT NULL AND i.rejected_at <= :t))"""

COMMUNITY_SQL = f"""
SELECT c.community_code AS code, c.residents,
       (SELECT count(*) FROM fact_incident i
         WHERE i.community_code = c.community_code AND {OPEN}) AS open,
       (SELECT count(*) FROM fact_incident i
         WHERE i.community_code = c.community_code AND {OPEN} AND i.due_at < :t) AS overdue,
       (SELECT count(*) FILTER (WHERE i.closed_at <= :t)::float / nullif(count(*), 0)
          FROM fact_incident i
         WHERE i.community_code = c.community_code
           AND i.reported_at >= :s AND i.reported_at < :t
           AND NOT (i.rejected_at IS NOT NULL AND i.rejected_at <= :t)) AS closure_rate,
       (SELECT coalesce(sum(v.units), 0) FROM fact_service_visit v
         WHERE v.community_code = c.community_code AND v.status = 'attended'
           AND v.visited_at >= :s AND v.visited_at < :t) AS visits,
       (SELECT count(DISTINCT j.resident_ref)::float FROM ledger_journal j
         WHERE j.community_code = c.community_code AND j.kind = 'earn'
           AND j.occurred_at > CAST(:t AS timestamptz) - interval '30 days'
           AND j.occurred_at <= :t) / nullif(c.residents, 0) AS participation
  FROM dim_community c
"""

# A grid's incidents: filed on it, or on one of its micro-grids.
GRID_SQL = f"""
SELECT g.grid_code AS code, g.residents,
       count(i.incident_id) FILTER (WHERE {OPEN}) AS open,
       count(i.incident_id) FILTER (WHERE {OPEN} AND i.due_at < :t) AS overdue
  FROM dim_grid g
  LEFT JOIN dim_grid m ON m.grid_code = g.grid_code OR m.parent_grid_code = g.grid_code
  LEFT JOIN fact_incident i ON i.grid_code = m.grid_code
 WHERE g.community_code = :c AND g.level = :level
 GROUP BY g.grid_code, g.residents
"""


@pytest.fixture
def demo(demo_warehouse, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_warehouse.reader_url)
    query_cache().clear()
    yield demo_warehouse
    query_cache().clear()


def _expected(engine, sql: str, **params) -> dict[str, dict]:
    with engine.connect() as connection:
        rows = connection.execute(text(sql), {"s": START_AT, "t": T, **params}).mappings()
        return {row["code"]: dict(row) for row in rows}


def _per_1000(count, residents):
    return count / residents * 1000 if residents else None


def _layer_values(scope: Scope, level: str, measure: str) -> dict[str, str]:
    """What each area's tooltip says the measure is, from the layer's own objects."""
    areas = geo.prepare_areas(geo.area_rows(scope, level))
    colouring = colour_areas(geo.area_measures(scope, PERIOD, level), measure)
    return {
        obj["area_code"]: obj["line4"].split("：")[-1] for obj in area_objects(areas, colouring)
    }


def test_district_communities_equal_independent_sql(demo):
    expected = _expected(demo.owner, COMMUNITY_SQL)
    measures = geo.area_measures(Scope.district(), PERIOD, "community")
    assert sorted(measures["area_code"]) == sorted(expected)
    assert sum(row["open"] for row in expected.values()) > 0  # the demo has open incidents
    for row in measures.to_dict("records"):
        want = expected[row["area_code"]]
        assert row["open"] == want["open"]
        assert row["overdue"] == want["overdue"]
        assert row["open_per_1000"] == pytest.approx(_per_1000(want["open"], want["residents"]))
        assert row["overdue_per_1000"] == pytest.approx(
            _per_1000(want["overdue"], want["residents"])
        )
        assert row["closure_rate"] == pytest.approx(want["closure_rate"])
        assert row["visits"] == want["visits"]
        assert row["participation"] == pytest.approx(want["participation"])
    for measure in geo.measures_at("community"):
        shown = _layer_values(Scope.district(), "community", measure)
        for code, want in expected.items():
            value = want.get(measure)
            if measure.endswith("_per_1000"):
                value = _per_1000(want[measure.removesuffix("_per_1000")], want["residents"])
            assert shown[code] == format_measure(value, measure), (measure, code)


@pytest.mark.parametrize("level", ["grid", "micro_grid"])
def test_community_grids_equal_independent_sql(demo, level):
    with demo.owner.connect() as connection:
        code = connection.execute(
            text("SELECT community_code FROM dim_community WHERE community_name = '湖山社区'")
        ).scalar_one()
    expected = _expected(demo.owner, GRID_SQL, c=code, level=level)
    scope = Scope("community", code)
    measures = geo.area_measures(scope, PERIOD, level)
    assert sorted(measures["area_code"]) == sorted(expected)
    assert len(expected) == (3 if level == "grid" else 20)  # DOMAIN.md: 3 grids, 20 micro
    for row in measures.to_dict("records"):
        want = expected[row["area_code"]]
        assert (row["open"], row["overdue"]) == (want["open"], want["overdue"])
        assert row["open_per_1000"] == pytest.approx(_per_1000(want["open"], want["residents"]))
    # The grids' open incidents add up to the community's incidents filed on a grid.
    if level == "grid":
        with demo.owner.connect() as connection:
            on_grids = connection.execute(
                text(
                    f"SELECT count(*) FROM fact_incident i WHERE i.community_code = :c "
                    f"AND i.grid_code IS NOT NULL AND {OPEN}"
                ),
                {"c": code, "t": T},
            ).scalar_one()
        assert sum(row["open"] for row in expected.values()) == on_grids
    shown = _layer_values(scope, level, "overdue_per_1000")
    for area_code, want in expected.items():
        value = _per_1000(want["overdue"], want["residents"])
        assert shown[area_code] == format_measure(value, "overdue_per_1000")


def test_a_community_view_sees_only_its_own_areas(demo):
    with demo.owner.connect() as connection:
        code = connection.execute(
            text("SELECT community_code FROM dim_community WHERE community_name = '湖山社区'")
        ).scalar_one()
    scope = Scope("community", code)
    assert set(geo.area_rows(scope, "community")["area_code"]) == {code}
    assert set(geo.area_rows(scope, "grid")["community_code"]) == {code}
    incidents = geo.open_incidents(scope, PERIOD)
    assert set(incidents["community_code"]) == {code}
    # Worst overdue of a grid: its overdue incidents only, longest first.
    grid = geo.area_rows(scope, "grid")["area_code"].iloc[0]
    worst = geo.worst_overdue(incidents, "grid", grid, limit=50)
    assert (worst["overdue_hours"] > 0).all()
    assert list(worst["overdue_hours"]) == sorted(worst["overdue_hours"], reverse=True)


@pytest.mark.parametrize("level", ["community", "micro_grid"])
def test_deck_size_for_the_demo_district(demo, level):
    """The chart's JSON for the whole district stays far below the 2 MB per rerun."""
    from ui.map_view import build_deck, deck_bytes

    scope = Scope.district()
    areas = geo.prepare_areas(geo.area_rows(scope, level))
    colouring = colour_areas(geo.area_measures(scope, PERIOD, level), "open_per_1000")
    incidents = geo.open_incidents(scope, PERIOD)
    outlines = geo.prepare_areas(geo.area_rows(scope, "community"))
    deck = build_deck(areas, colouring, level, incidents, "points", outlines, "desk")
    size = deck_bytes(deck)
    print(f"deck JSON, district, {level}: {size:,} bytes")
    assert size < 2_000_000
