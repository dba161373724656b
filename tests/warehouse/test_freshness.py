"""rollup_freshness (migration 010): per community, each table's row count and newest
event, kept by triggers through inserts, updates and deletes, and rebuilt from scratch
by rebuild_freshness(). Compared with count(*)/max() over the tables themselves."""

from __future__ import annotations

from sqlalchemy import text

from tests.warehouse import rows

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
at = rows.at
# table -> its newest event (a booking is a plan, not an event)
TRACKED = {
    "fact_incident": "max(reported_at)",
    "fact_service_visit": "max(visited_at) FILTER (WHERE status <> 'booked')",
    "ledger_journal": "max(occurred_at)",
    "ledger_entry": "max(occurred_at)",
    "rollup_community_day": "max(refreshed_at)",
}


def counted(engine) -> dict[tuple[str, str], tuple[int, object]]:
    """(community, table) -> (rows, newest), straight from the tables."""
    result = {}
    with engine.connect() as c:
        for table, stamp in TRACKED.items():
            for community, n, newest in c.execute(
                text(f"SELECT community_code, count(*), {stamp} FROM {table} GROUP BY 1")
            ):
                result[(community, table)] = (n, newest)
    return result


def tracked(engine) -> dict[tuple[str, str], tuple[int, object]]:
    with engine.connect() as c:
        return {
            (community, table): (n, newest)
            for community, table, n, newest in c.execute(
                text(
                    "SELECT community_code, table_name, row_count, newest FROM rollup_freshness"
                    " WHERE table_name = ANY(:tables) AND row_count > 0"
                ),
                {"tables": list(TRACKED)},
            )
        }


def test_triggers_keep_counts_and_newest_through_changes(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, A, "a1", at("2025-03-01 09:00"))
    rows.incident(engine, A, "a2", at("2025-03-02 10:00"), closed=at("2025-03-02 12:00"))
    rows.incident(engine, B, "b1", at("2025-03-03 11:00"))
    rows.visit(engine, A, rows.FACILITY_A, "v1", at("2025-03-01 11:30"))
    rows.visit(engine, B, rows.FACILITY_B, "v2", at("2025-03-04 08:00"), status="booked")
    rows.journal(engine, A, "j1", at("2025-03-02 15:00"), "earn", "r1", 10)
    with engine.begin() as c:
        c.execute(text("SELECT refresh_rollups()"))
        # an update moving an event later, and a delete
        c.execute(
            text("UPDATE fact_incident SET reported_at = :t WHERE incident_id = 'b1'"),
            {"t": at("2025-03-05 07:00")},
        )
        c.execute(text("DELETE FROM fact_incident WHERE incident_id = 'a1'"))
        c.execute(text("SELECT refresh_rollups()"))
    expected = counted(engine)
    assert expected[(A, "fact_incident")][0] == 1 and expected[(B, "fact_incident")][0] == 1
    assert expected[(B, "fact_service_visit")] == (1, None)  # only a booking
    got = tracked(engine)
    assert got == expected


def test_deleting_the_newest_event_lowers_newest_to_the_one_left(fresh_warehouse):
    # A wrongly dated row, then corrected away: the newest must not stay at its time.
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, A, "a1", at("2025-03-01 09:00"))
    rows.incident(engine, A, "a2", at("2025-03-02 10:00"))
    rows.incident(engine, A, "wrong", at("2025-09-30 23:00"))
    rows.incident(engine, B, "b1", at("2025-03-03 11:00"))
    rows.visit(engine, A, rows.FACILITY_A, "v1", at("2025-03-01 11:30"))
    rows.visit(engine, A, rows.FACILITY_A, "v2", at("2025-03-02 08:00"), status="booked")
    rows.visit(engine, A, rows.FACILITY_A, "v3", at("2025-03-03 08:00"))
    with engine.begin() as c:
        c.execute(text("DELETE FROM fact_incident WHERE incident_id = 'wrong'"))
        c.execute(text("DELETE FROM fact_service_visit WHERE visit_id = 'v3'"))
        c.execute(text("SELECT refresh_rollups()"))
    expected = counted(engine)
    assert expected[(A, "fact_incident")] == (2, at("2025-03-02 10:00"))
    # the booking left after v3 is a plan: the newest visit is v1
    assert expected[(A, "fact_service_visit")] == (2, at("2025-03-01 11:30"))
    assert tracked(engine) == expected
    # and deleting every row of a table leaves no newest
    with engine.begin() as c:
        c.execute(text("DELETE FROM fact_incident WHERE community_code = :b"), {"b": B})
    with engine.connect() as c:
        left = c.execute(
            text(
                "SELECT row_count, newest FROM rollup_freshness"
                " WHERE community_code = :b AND table_name = 'fact_incident'"
            ),
            {"b": B},
        ).one()
    assert tuple(left) == (0, None)


def test_rebuild_recounts_everything(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, A, "a1", at("2025-03-01 09:00"))
    rows.journal(engine, B, "j1", at("2025-03-02 15:00"), "earn", "r1", 10)
    with engine.begin() as c:
        c.execute(text("ALTER TABLE fact_incident DISABLE TRIGGER USER"))
        c.execute(
            text(
                "INSERT INTO fact_incident (community_code, incident_id, category_code, status,"
                " reported_at, due_at) VALUES (:b, 'b9', 'other', 'reported', :t, :t)"
            ),
            {"b": B, "t": at("2025-03-06 10:00")},
        )
        c.execute(text("ALTER TABLE fact_incident ENABLE TRIGGER USER"))
    assert (B, "fact_incident") not in tracked(engine)  # missed while set aside
    with engine.begin() as c:
        c.execute(text("SELECT rebuild_freshness()"))
    assert tracked(engine) == counted(engine)
