"""Street and district rollups (migration 028, issue 13): kept by the same refresh as
the community rollups, equal to the sums of the rows the test inserted (after inserts,
an update, a delete and a full rebuild), and read only by a scope that covers them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import pytest
from sqlalchemy import text

from tests.warehouse import rows
from warehouse.checks import run_checks
from warehouse.rollups import refresh

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
A2 = "330109901002"  # a second community of street A
FACILITY_A2 = "A2-F1"
STREET_OF = {A: rows.STREET_A, A2: rows.STREET_A, B: rows.STREET_B}
TYPE_OF = {rows.FACILITY_A: "canteen", FACILITY_A2: "library", rows.FACILITY_B: "childcare"}
HAZARD = {"hazard"}


def _local_day(moment: datetime) -> date:
    return moment.astimezone(rows.LOCAL).date()


class Ledger:
    """What the test inserted, to sum by hand the way each rollup should."""

    def __init__(self) -> None:
        self.incidents: dict[str, dict] = {}
        self.visits: dict[str, dict] = {}
        self.journals: list[dict] = []

    def incident(self, engine, community, incident_id, reported, category="repair", **kw):
        rows.incident(engine, community, incident_id, reported, category=category, **kw)
        self.incidents[incident_id] = dict(
            community=community, reported=reported, category=category, **kw
        )

    def visit(self, engine, community, facility, visit_id, when, **kw):
        rows.visit(engine, community, facility, visit_id, when, **kw)
        self.visits[visit_id] = dict(
            community=community,
            facility=facility,
            when=when,
            units=kw.get("units", 1),
            status=kw.get("status", "attended"),
            age_band=kw.get("age_band", "35-59"),
        )

    def journal(self, engine, community, journal_id, when, kind, resident, amount):
        rows.journal(engine, community, journal_id, when, kind, resident, amount)
        self.journals.append(dict(community=community, when=when, kind=kind, amount=amount))

    def area_days(self, area_of) -> dict:
        """{(area, day): measures} with `area_of(community)` naming each row's area."""
        sums: dict = defaultdict(lambda: defaultdict(float))
        for i in self.incidents.values():
            area = area_of(i["community"])
            sums[area, _local_day(i["reported"])]["incidents_reported"] += 1
            if i.get("rejected"):
                sums[area, _local_day(i["rejected"])]["incidents_rejected"] += 1
            if i.get("closed"):
                closed = sums[area, _local_day(i["closed"])]
                closed["incidents_closed"] += 1
                closed["hazards_closed"] += i["category"] in HAZARD
                closed["handling_hours_sum"] += (i["closed"] - i["reported"]).total_seconds() / 3600
        for v in self.visits.values():
            day = sums[area_of(v["community"]), _local_day(v["when"])]
            if v["status"] == "attended":
                day["visits_units"] += v["units"]
                day["visits_units_60_plus"] += v["units"] * (v["age_band"] in ("60-79", "80+"))
            day["visits_no_show"] += v["status"] == "no_show"
        for j in self.journals:
            day = sums[area_of(j["community"]), _local_day(j["when"])]
            column = {"earn": "points_issued", "redeem": "points_redeemed"}.get(j["kind"])
            if column:
                day[column] += j["amount"]
            if j["kind"] == "adjust":
                day["points_adjusted"] += j["amount"]
        return {key: dict(value) for key, value in sums.items()}

    def type_days(self, area_of) -> dict:
        sums: dict = defaultdict(lambda: defaultdict(int))
        for v in self.visits.values():
            day = sums[area_of(v["community"]), TYPE_OF[v["facility"]], _local_day(v["when"])]
            if v["status"] == "attended":
                day["attended_units"] += v["units"]
                day["attended_visits"] += 1
                day[f"units_age_{v['age_band'] or 'unknown'}"] += v["units"]
            day[v["status"]] += 1
        return {key: dict(value) for key, value in sums.items()}


DAY_MEASURES = (
    "incidents_reported",
    "incidents_rejected",
    "incidents_closed",
    "hazards_closed",
    "handling_hours_sum",
    "visits_units",
    "visits_no_show",
    "visits_units_60_plus",
    "points_issued",
    "points_redeemed",
    "points_adjusted",
)
TYPE_MEASURES = {
    "attended_units": "attended_units",
    "attended_visits": "attended_visits",
    "no_show": "no_show",
    "booked": "booked",
    "units_age_0_3": "units_age_0-3",
    "units_age_35_59": "units_age_35-59",
    "units_age_80_plus": "units_age_80+",
    "units_age_unknown": "units_age_unknown",
}


def _table(engine, sql) -> dict:
    with engine.connect() as c:
        result = c.execute(text(sql)).mappings().all()
    return result


def _street_days(engine) -> dict:
    found = {}
    for row in _table(engine, "SELECT * FROM rollup_street_day"):
        found[row["street_code"], row["day"]] = {m: float(row[m]) for m in DAY_MEASURES}
    return found


def _district_days(engine) -> dict:
    found = {}
    for row in _table(engine, "SELECT * FROM rollup_district_day"):
        found["district", row["day"]] = {m: float(row[m]) for m in DAY_MEASURES}
    return found


def _type_days(engine, table, area_column) -> dict:
    found = {}
    for row in _table(engine, f"SELECT * FROM {table}"):
        area = row[area_column] if area_column else "district"
        found[area, row["facility_type"], row["day"]] = {m: int(row[m]) for m in TYPE_MEASURES}
    return found


def _expected(measures: dict, names) -> dict:
    return {m: float(measures.get(m, 0)) for m in names}


def _assert_areas_equal_inserted(engine, ledger: Ledger) -> None:
    for found, area_of in (
        (_street_days(engine), STREET_OF.get),
        (_district_days(engine), lambda community: "district"),
    ):
        expected = ledger.area_days(area_of)
        assert found.keys() >= expected.keys()
        for key, measures in found.items():
            want = _expected(expected.get(key, {}), DAY_MEASURES)
            assert measures == pytest.approx(want, rel=1e-9), key
    for found, area_of in (
        (
            _type_days(engine, "rollup_street_facility_type_day", "street_code"),
            STREET_OF.get,
        ),
        (
            _type_days(engine, "rollup_district_facility_type_day", None),
            lambda community: "district",
        ),
    ):
        expected = ledger.type_days(area_of)
        assert found.keys() >= expected.keys()
        for key, measures in found.items():
            counted = expected.get(key, {})
            assert measures == {m: counted.get(k, 0) for m, k in TYPE_MEASURES.items()}, key


@pytest.fixture
def three_communities(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO dim_community (community_code, street_code, community_name,"
                " households, residents) VALUES (:c, :s, '甲二社区', 300, 700)"
            ),
            {"c": A2, "s": rows.STREET_A},
        )
        c.execute(
            text(
                "INSERT INTO dim_facility (facility_code, community_code, facility_name,"
                " facility_type, capacity) VALUES (:f, :c, '甲二书屋', 'library', 6)"
            ),
            {"f": FACILITY_A2, "c": A2},
        )
    return fresh_warehouse


def _first_facts(engine, ledger: Ledger) -> None:
    at = rows.at
    ledger.incident(
        engine, A, "i1", at("2026-03-01 09:00"), category="hazard", closed=at("2026-03-02 08:15")
    )
    ledger.incident(engine, A2, "i2", at("2026-03-01 22:00"), closed=at("2026-03-01 23:30"))
    ledger.incident(engine, A2, "i3", at("2026-03-01 23:50"), rejected=at("2026-03-02 00:10"))
    ledger.incident(engine, B, "i4", at("2026-03-02 12:00"))
    ledger.visit(engine, A, rows.FACILITY_A, "v1", at("2026-03-01 12:00"), units=2, age_band="80+")
    ledger.visit(engine, A2, FACILITY_A2, "v2", at("2026-03-01 12:30"), age_band=None)
    ledger.visit(engine, A2, FACILITY_A2, "v3", at("2026-03-02 07:00"), status="no_show")
    ledger.visit(engine, B, rows.FACILITY_B, "v4", at("2026-03-01 09:00"), age_band="0-3")
    ledger.visit(engine, B, rows.FACILITY_B, "v5", at("2026-03-01 10:00"), status="booked")
    ledger.journal(engine, A, "j1", at("2026-03-01 10:00"), "earn", "r1", 7)
    ledger.journal(engine, A2, "j2", at("2026-03-02 11:00"), "earn", "r2", 5)
    ledger.journal(engine, A2, "j3", at("2026-03-02 12:00"), "redeem", "r2", 3)
    ledger.journal(engine, B, "j4", at("2026-03-01 12:00"), "adjust", "r3", -2)


def test_street_and_district_rollups_equal_the_inserted_rows(three_communities):
    engine = three_communities.owner
    ledger = Ledger()
    _first_facts(engine, ledger)
    refresh(engine)
    _assert_areas_equal_inserted(engine, ledger)
    # the district's 2026-03-01 sums both streets
    district = _district_days(engine)["district", date(2026, 3, 1)]
    assert district["incidents_reported"] == 3 and district["visits_units"] == 4


def test_updates_deletes_and_a_full_rebuild_keep_them_equal(three_communities):
    engine = three_communities.owner
    ledger = Ledger()
    _first_facts(engine, ledger)
    refresh(engine)
    # a re-sent incident, now closed on another day (its days are recomputed) …
    closed = rows.at("2026-03-03 10:00")
    with engine.begin() as c:
        c.execute(
            text(
                "UPDATE fact_incident SET status = 'closed', closed_at = :closed"
                " WHERE incident_id = 'i4'"
            ),
            {"closed": closed},
        )
        # … and a visit taken back
        c.execute(text("DELETE FROM fact_service_visit WHERE visit_id = 'v1'"))
    ledger.incidents["i4"]["closed"] = closed
    del ledger.visits["v1"]
    ledger.visit(engine, A, rows.FACILITY_A, "v6", rows.at("2026-03-03 09:00"), units=3)
    refresh(engine)
    _assert_areas_equal_inserted(engine, ledger)
    refresh(engine, full=True)
    _assert_areas_equal_inserted(engine, ledger)
    results = {r.name: r for r in run_checks(engine)}
    assert results["area_rollups_equal"].ok, results["area_rollups_equal"].detail


def test_check_finds_a_street_day_that_differs(three_communities):
    engine = three_communities.owner
    ledger = Ledger()
    _first_facts(engine, ledger)
    refresh(engine)
    assert {r.name: r.ok for r in run_checks(engine)}["area_rollups_equal"]
    with engine.begin() as c:
        c.execute(
            text(
                "UPDATE rollup_street_day SET visits_units = visits_units + 1"
                " WHERE street_code = :s AND day = '2026-03-01'"
            ),
            {"s": rows.STREET_B},
        )
    result = {r.name: r for r in run_checks(engine)}["area_rollups_equal"]
    assert not result.ok
    assert result.detail.startswith("1 ")


def _seen(reader, scope: str, sql: str) -> list:
    with reader.begin() as c:
        c.execute(text("SELECT set_config('cockpit.scope', :s, true)"), {"s": scope})
        return [tuple(r) for r in c.execute(text(sql)).all()]


AREA_TABLES = {
    "rollup_street_day": "SELECT DISTINCT street_code FROM rollup_street_day",
    "rollup_street_facility_type_day": (
        "SELECT DISTINCT street_code FROM rollup_street_facility_type_day"
    ),
    "rollup_district_day": "SELECT DISTINCT 'district' FROM rollup_district_day",
    "rollup_district_facility_type_day": (
        "SELECT DISTINCT 'district' FROM rollup_district_facility_type_day"
    ),
}


@pytest.mark.parametrize("table", sorted(AREA_TABLES))
def test_each_scope_reads_only_the_areas_it_covers(three_communities, table):
    engine = three_communities.owner
    _first_facts(engine, Ledger())
    refresh(engine)
    reader = three_communities.reader()
    sql = AREA_TABLES[table]
    street = table.startswith("rollup_street")
    everything = [(rows.STREET_A,), (rows.STREET_B,)] if street else [("district",)]
    assert sorted(_seen(reader, "district", sql)) == everything
    # a community of a street of two: neither its street's total nor the district's
    assert _seen(reader, f"community:{A}", sql) == []
    assert _seen(reader, f"grid:{rows.MICRO_A}", sql) == []
    # a street: its own total only, never the district's
    assert _seen(reader, f"street:{rows.STREET_A}", sql) == ([(rows.STREET_A,)] if street else [])
    for scope in (None, "", "garbage", "street:999999999", "community:999999999999"):
        with reader.begin() as c:
            if scope is not None:
                c.execute(text("SELECT set_config('cockpit.scope', :s, true)"), {"s": scope})
            assert c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
