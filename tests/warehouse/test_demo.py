"""The demo district against DOMAIN.md's figures and against its own facts.

Every expected number is either typed here from DOMAIN.md (the source of truth) or
computed independently by SQL over the fact tables.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
import shapely
from shapely.geometry import Point, shape
from sqlalchemy import text

from data_access.period import today_local
from demo.district import DemoExists, build_district, load_demo
from tests.warehouse.rows import NEWEST_EVENT

# DOMAIN.md: community -> (households, residents) as reported; None where the source
# gives "—" or "8,000+" (the demo estimates those).
REPORTED = {
    "东灵社区": (3874, None),
    "湘湖社区": (2495, 7248),
    "罗婆路社区": (4185, 8897),
    "盈二社区": (None, 9842),
    "塘湾社区": (3500, 8500),
    "新宜社区": (None, 16950),
    "市北社区": (None, None),
    "南城社区": (1761, None),
    "湖山社区": (2365, 6858),
    "江澜社区": (3400, 8050),
}
# DOMAIN.md: grids / micro-grids where the source gives them.
GRIDS = {"罗婆路社区": 7, "湖山社区": 3, "东灵社区": 3}
MICRO_GRIDS = {"罗婆路社区": 55, "湖山社区": 20, "江澜社区": 38}


def scalar(warehouse, sql, **params):
    with warehouse.owner.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def rows(warehouse, sql, **params):
    with warehouse.owner.connect() as connection:
        return connection.execute(text(sql), params).all()


def test_the_ten_communities_carry_their_reported_figures(demo_warehouse):
    found = {
        r.community_name: r
        for r in rows(demo_warehouse, "SELECT * FROM dim_community ORDER BY community_code")
    }
    assert set(found) == set(REPORTED)
    for name, (households, residents) in REPORTED.items():
        c = found[name]
        if households is not None:
            assert c.households == households, name
        else:
            assert "households" in c.estimated_fields, name
        if residents is not None:
            assert c.residents == residents, name
        else:
            assert "residents" in c.estimated_fields, name
        assert c.households > 0 and c.residents > c.households, name
        assert c.street_code == c.community_code[:9] and c.community_code.startswith("330109")
    xianghu = found["湘湖社区"]
    assert (xianghu.residents_60_plus, xianghu.residents_under_14) == (1356, 836)
    assert float(xianghu.area_ha) == 25.3 and float(found["湖山社区"].area_ha) == 21.56
    assert "residents" in found["东灵社区"].estimated_fields
    assert found["东灵社区"].residents >= 8000  # "8,000+"
    assert found["南城社区"].residents >= 3800  # "3,800+"
    for name in set(REPORTED) - {"湘湖社区"}:
        assert "residents_60_plus" in found[name].estimated_fields, name
    assert "数字驾驶舱" in found["塘湾社区"].profile["features"]


def test_grid_and_micro_grid_counts_follow_the_source(demo_warehouse):
    counts = {
        r.community_name: (r.grids, r.micro)
        for r in rows(
            demo_warehouse,
            "SELECT c.community_name, count(*) FILTER (WHERE g.level = 'grid') AS grids,"
            " count(*) FILTER (WHERE g.level = 'micro_grid') AS micro"
            " FROM dim_community c JOIN dim_grid g USING (community_code)"
            " GROUP BY c.community_name",
        )
    }
    for name, expected in GRIDS.items():
        assert counts[name][0] == expected, name
    for name, expected in MICRO_GRIDS.items():
        assert counts[name][1] == expected, name
    assert all(grids >= 3 for grids, _ in counts.values())


def test_grids_add_up_to_their_community_and_micro_grids_to_their_grid(demo_warehouse):
    assert not rows(
        demo_warehouse,
        "SELECT c.community_code FROM dim_community c JOIN dim_grid g USING (community_code)"
        " WHERE g.level = 'grid' GROUP BY c.community_code, c.households, c.residents"
        " HAVING sum(g.households) <> c.households OR sum(g.residents) <> c.residents",
    )
    assert not rows(
        demo_warehouse,
        "SELECT p.grid_code FROM dim_grid p JOIN dim_grid m ON m.parent_grid_code = p.grid_code"
        " GROUP BY p.grid_code, p.households, p.residents"
        " HAVING sum(m.households) <> p.households OR sum(m.residents) <> p.residents",
    )
    # Workers are role labels, never names.
    workers = [r.worker for r in rows(demo_warehouse, "SELECT worker FROM dim_grid")]
    assert all(w.split()[0] in {"网格员", "楼栋长", "楼道长"} for w in workers)


def test_geometry_nests_and_communities_do_not_overlap(demo_warehouse):
    # Outlines are polygons (demo/geometry.py): checked as polygons, to within what
    # rounding their coordinates to 1e-6° (≈0.1 m) moves an edge.
    communities = {
        r.community_code: (shape(r.geometry), r.lat, r.lon)
        for r in rows(
            demo_warehouse, "SELECT community_code, geometry, lat, lon FROM dim_community"
        )
    }
    outlines = [outline for outline, _, _ in communities.values()]
    for i, a in enumerate(outlines):
        for b in outlines[i + 1 :]:
            assert a.intersection(b).area < 1e-12, (a.bounds, b.bounds)
    for outline, lat, lon in communities.values():
        assert outline.contains(Point(lon, lat))
        west, _, east, _ = outline.bounds
        assert 0.004 < east - west < 0.02  # roughly 0.5-1.5 km across

    grids = {r.grid_code: r for r in rows(demo_warehouse, "SELECT * FROM dim_grid")}
    for g in grids.values():
        parent = (
            shape(grids[g.parent_grid_code].geometry)
            if g.parent_grid_code
            else communities[g.community_code][0]
        )
        assert parent.buffer(2e-6).contains(shape(g.geometry)), g.grid_code
    # Incidents and facilities sit inside the polygon of their grid / community.
    placed = rows(
        demo_warehouse, "SELECT grid_code, lon, lat FROM fact_incident WHERE grid_code IS NOT NULL"
    )
    assert placed
    by_grid: dict[str, list] = {}
    for grid_code, lon, lat in placed:
        by_grid.setdefault(grid_code, []).append((lon, lat))
    for grid_code, points in by_grid.items():
        lons, lats = zip(*points, strict=True)
        assert shapely.contains_xy(shape(grids[grid_code].geometry), lons, lats).all(), grid_code
    for code, lon, lat in rows(demo_warehouse, "SELECT community_code, lon, lat FROM dim_facility"):
        assert communities[code][0].contains(Point(lon, lat)), code


def nancheng_window(today: date) -> tuple[date, date]:
    year = today.year if today >= date(today.year, 9, 23) else today.year - 1
    return date(year, 4, 30), date(year, 9, 23)


def test_nancheng_published_results_hold_in_its_window(demo_warehouse):
    first, last = nancheng_window(today_local())
    closed, mean_hours, hazards = rows(
        demo_warehouse,
        "SELECT count(*), avg(extract(epoch FROM i.closed_at - i.reported_at) / 3600),"
        " count(*) FILTER (WHERE k.is_safety_hazard)"
        " FROM fact_incident i JOIN dim_community c USING (community_code)"
        " JOIN dim_incident_category k USING (category_code)"
        " WHERE c.community_name = '南城社区'"
        "   AND (i.closed_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN :first AND :last",
        first=first,
        last=last,
    )[0]
    assert closed == 1248
    assert float(mean_hours) < 24
    assert hazards == 170


def test_incidents_are_consistent(demo_warehouse):
    assert not rows(
        demo_warehouse,
        "SELECT incident_id FROM fact_incident"
        " WHERE accepted_at < reported_at OR dispatched_at < accepted_at"
        "    OR handled_at < dispatched_at OR closed_at < handled_at"
        "    OR (dispatched_at IS NOT NULL AND accepted_at IS NULL)"
        "    OR (closed_at IS NOT NULL AND handled_at IS NULL) LIMIT 1",
    )
    # One log row per milestone reached.
    assert scalar(demo_warehouse, "SELECT count(*) FROM fact_incident_status_log") == scalar(
        demo_warehouse,
        "SELECT count(*) + count(accepted_at) + count(dispatched_at) + count(handled_at)"
        " + count(closed_at) + count(rejected_at) FROM fact_incident",
    )
    total, rejected, open_, overdue = rows(
        demo_warehouse,
        "SELECT count(*), count(*) FILTER (WHERE status = 'rejected'),"
        " count(*) FILTER (WHERE status NOT IN ('closed', 'rejected')),"
        " count(*) FILTER (WHERE status NOT IN ('closed', 'rejected') AND due_at < now())"
        " FROM fact_incident",
    )[0]
    assert 20_000 < total < 60_000
    assert 0.01 < rejected / total < 0.06
    assert open_ > 0 and overdue > 0
    assert (
        scalar(
            demo_warehouse,
            "SELECT count(*) FROM fact_incident i JOIN dim_grid g USING (grid_code)"
            " WHERE g.community_code <> i.community_code",
        )
        == 0
    )


def test_ledger_balances_and_nobody_overspends(demo_warehouse):
    assert not rows(
        demo_warehouse,
        "SELECT j.journal_id FROM ledger_journal j LEFT JOIN ledger_entry e"
        " USING (community_code, journal_id) GROUP BY j.community_code, j.journal_id"
        " HAVING count(e.*) <> 2 OR sum(e.amount) <> 0",
    )
    # Running resident balances never go negative.
    assert not rows(
        demo_warehouse,
        "SELECT 1 FROM (SELECT sum(amount) OVER (PARTITION BY community_code, account"
        "   ORDER BY occurred_at, journal_id) AS running"
        "   FROM ledger_entry WHERE account_kind = 'resident') s WHERE running < 0 LIMIT 1",
    )
    assert 40_000 < scalar(demo_warehouse, "SELECT count(*) FROM ledger_journal") < 120_000


def test_rollups_equal_the_facts(demo_warehouse):
    rolled = rows(
        demo_warehouse,
        "SELECT sum(incidents_reported), sum(incidents_closed), sum(visits_units),"
        " sum(points_issued), sum(hazards_closed) FROM rollup_community_day",
    )[0]
    facts = rows(
        demo_warehouse,
        "SELECT (SELECT count(*) FROM fact_incident),"
        " (SELECT count(*) FROM fact_incident WHERE closed_at IS NOT NULL),"
        " (SELECT sum(units) FROM fact_service_visit WHERE status = 'attended'),"
        " (SELECT sum(amount) FROM ledger_journal WHERE kind = 'earn'),"
        " (SELECT count(*) FROM fact_incident JOIN dim_incident_category USING (category_code)"
        "   WHERE closed_at IS NOT NULL AND is_safety_hazard)",
    )[0]
    assert tuple(rolled) == tuple(facts)
    assert scalar(demo_warehouse, "SELECT count(*) FROM rollup_pending") == 0
    kinds = {
        r.kind for r in rows(demo_warehouse, "SELECT kind FROM ingest_load WHERE status = 'done'")
    }
    assert {"incidents", "service_visits", "points"} <= kinds
    meta = scalar(demo_warehouse, "SELECT value FROM warehouse_meta WHERE key = 'demo'")
    assert meta["scale"] == "district" and meta["today"] == today_local().isoformat()


def test_the_demo_declares_its_newest_event(demo_warehouse):
    # The demo's day runs to 20:00 whenever it is loaded: no live result may be kept for
    # a minute before its newest event (migration 035).
    declared = scalar(demo_warehouse, "SELECT until FROM data_events_until")
    assert declared >= scalar(demo_warehouse, NEWEST_EVENT)


def test_service_visits_are_plausible(demo_warehouse):
    total = scalar(demo_warehouse, "SELECT count(*) FROM fact_service_visit")
    assert 200_000 <= total <= 400_000
    # Childcare is used by 0-3s and stays within its beds.
    assert not rows(
        demo_warehouse,
        "SELECT 1 FROM rollup_facility_day r JOIN dim_facility f USING (facility_code)"
        " WHERE f.facility_type = 'childcare'"
        "   AND (r.attended_units > f.capacity * 1.05 + 1 OR r.attended_units <> r.units_age_0_3)",
    )
    # No resident key looks like a phone or ID number.
    assert (
        scalar(
            demo_warehouse,
            "SELECT count(*) FROM fact_service_visit WHERE resident_ref !~ '^r[0-9a-f]{16}$'",
        )
        == 0
    )


def _digest(district) -> str:
    h = hashlib.sha256()
    for table in district.tables:
        h.update(table.name.encode())
        for row in table.rows:
            h.update(repr(row).encode())
    return h.hexdigest()


def test_the_same_seed_builds_the_same_rows():
    # Two communities are enough (each community has its own random stream); 南城
    # carries the special window logic.
    today, only = date(2025, 10, 8), {"南城社区", "湖山社区"}
    first, second = build_district(7, today, only=only), build_district(7, today, only=only)
    assert _digest(first) == _digest(second)
    assert _digest(first) != _digest(build_district(8, today, only=only))
    assert json.dumps(first.table("dim_grid").rows) == json.dumps(second.table("dim_grid").rows)


def test_loading_again_without_replace_is_refused(demo_warehouse):
    with pytest.raises(DemoExists, match="cockpit demo --replace"):
        load_demo(demo_warehouse.owner, seed=1, today=today_local(), replace=False, progress=None)
