"""Inserted facts are added to the rollups (migration 018): the result equals a
recompute from the facts, a day both dirty and with deltas is counted once, and
refreshes take turns."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.warehouse import rows
from warehouse.rollups import refresh

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
COMMUNITY_DAYS = """
SELECT community_code, day, incidents_reported, incidents_rejected, incidents_closed,
       incidents_closed_on_time, hazards_closed, round(handling_hours_sum::numeric, 6),
       visits_units, visits_no_show, visits_units_60_plus, points_issued, points_redeemed,
       points_expired, points_adjusted
  FROM rollup_community_day ORDER BY 1, 2
"""
FACILITY_DAYS = """
SELECT community_code, facility_code, day, attended_units, attended_visits, booked, no_show,
       cancelled, units_age_0_3, units_age_4_14, units_age_15_34, units_age_35_59,
       units_age_60_79, units_age_80_plus, units_age_unknown
  FROM rollup_facility_day ORDER BY 1, 2, 3
"""


def _rollups(engine):
    with engine.connect() as c:
        return c.execute(text(COMMUNITY_DAYS)).all(), c.execute(text(FACILITY_DAYS)).all()


def _scalar(engine, sql, **params):
    with engine.connect() as c:
        return c.execute(text(sql), params).scalar_one()


def _first_batch(engine):
    at = rows.at
    # closed on time (a hazard), closed late, rejected, open: reported 03-01, closed 03-02
    rows.incident(
        engine, A, "i1", at("2026-03-01 09:00"), category="hazard", closed=at("2026-03-02 08:00")
    )
    rows.incident(
        engine,
        A,
        "i2",
        at("2026-03-01 10:00"),
        category="illegal_parking",
        closed=at("2026-03-02 11:30"),
    )
    rows.incident(engine, A, "i3", at("2026-03-01 23:30"), rejected=at("2026-03-02 00:30"))
    rows.incident(engine, B, "i4", at("2026-03-01 12:00"))
    rows.visit(engine, A, rows.FACILITY_A, "v1", at("2026-03-01 12:00"), units=2, age_band="80+")
    rows.visit(engine, A, rows.FACILITY_A, "v2", at("2026-03-01 12:30"), age_band=None)
    rows.visit(engine, A, rows.FACILITY_A, "v3", at("2026-03-01 13:00"), status="no_show")
    rows.visit(engine, B, rows.FACILITY_B, "v4", at("2026-03-01 09:00"), status="booked")
    rows.journal(engine, A, "j1", at("2026-03-01 10:00"), "earn", "r1", 7)
    rows.journal(engine, A, "j2", at("2026-03-01 11:00"), "redeem", "r1", 3)
    rows.journal(engine, A, "j3", at("2026-03-01 12:00"), "adjust", "r1", -1)


def _second_batch(engine):
    """More rows on the same days (and one new day), to add to existing rollup rows."""
    at = rows.at
    rows.incident(
        engine,
        A,
        "i5",
        at("2026-03-01 15:00"),
        category="flying_wire",
        closed=at("2026-03-03 09:00"),
    )
    rows.visit(engine, A, rows.FACILITY_A, "v5", at("2026-03-01 18:00"), units=3, age_band="60-79")
    rows.visit(engine, A, rows.FACILITY_A, "v6", at("2026-03-02 08:00"), status="cancelled")
    rows.journal(engine, A, "j4", at("2026-03-01 20:00"), "earn", "r2", 5)
    rows.journal(engine, A, "j5", at("2026-03-01 21:00"), "expire", "r2", 2)


def test_inserted_rows_are_added_not_marked_and_equal_a_recompute(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    _first_batch(engine)
    assert _scalar(engine, "SELECT count(*) FROM rollup_dirty") == 0
    pending = _scalar(engine, "SELECT count(DISTINCT (community_code, day)) FROM rollup_pending")
    # A: 03-01 (reported, visits, points) and 03-02 (closed, rejected); B: 03-01
    assert pending == 3
    refresh(engine)
    _second_batch(engine)
    refresh(engine)
    assert _scalar(engine, "SELECT count(*) FROM rollup_pending") == 0
    added = _rollups(engine)

    refresh(engine, full=True)  # every day recomputed from the facts
    assert _rollups(engine) == added

    day = {(r[0], r[1].isoformat()): r[2:] for r in added[0]}
    # reported, rejected, closed, on time, hazards, hours, units, no-show, 60+, points x4
    assert day[(A, "2026-03-01")] == (4, 0, 0, 0, 0, 0, 6, 1, 5, 12, 3, 2, -1)
    # i1 23 h (due 24 h: on time, hazard), i2 25.5 h (due 12 h: late), i3 rejected
    assert day[(A, "2026-03-02")] == (0, 1, 2, 1, 1, 48.5, 0, 0, 0, 0, 0, 0, 0)
    # i5 closed after 42 h, past its 24 h: a late hazard
    assert day[(A, "2026-03-03")] == (0, 0, 1, 0, 1, 42, 0, 0, 0, 0, 0, 0, 0)
    facility = {(r[1], r[2].isoformat()): r[3:] for r in added[1]}
    # attended units and visits, booked, no-show, cancelled, units by age band
    assert facility[(rows.FACILITY_A, "2026-03-01")] == (6, 3, 0, 1, 0, 0, 0, 0, 0, 3, 2, 1)
    assert facility[(rows.FACILITY_A, "2026-03-02")] == (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
    assert facility[(rows.FACILITY_B, "2026-03-01")] == (0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def test_a_day_both_dirty_and_added_to_counts_each_fact_once(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, A, "i1", rows.at("2026-03-01 09:00"))
    refresh(engine)
    # In one refresh: i2 is new on 03-01 (a delta), i1 closes (03-01 and 03-05 dirty).
    rows.incident(engine, A, "i2", rows.at("2026-03-01 10:00"))
    rows.visit(engine, A, rows.FACILITY_A, "v1", rows.at("2026-03-01 11:00"), units=4)
    with engine.begin() as c:
        c.execute(
            text(
                "UPDATE fact_incident SET status = 'closed', closed_at = :t"
                " WHERE incident_id = 'i1'"
            ),
            {"t": rows.at("2026-03-05 09:00")},
        )
    # marked days (a log since migration 029: the old and the new row each mark 03-01)
    assert _scalar(engine, "SELECT count(DISTINCT (community_code, day)) FROM rollup_dirty") == 2
    refresh(engine)
    with engine.connect() as c:
        rolled = c.execute(
            text(
                "SELECT day::text, incidents_reported, incidents_closed, visits_units"
                " FROM rollup_community_day WHERE community_code = :a ORDER BY day"
            ),
            {"a": A},
        ).all()
        facility_units = c.execute(
            text("SELECT sum(attended_units) FROM rollup_facility_day")
        ).scalar()
    assert [tuple(r) for r in rolled] == [("2026-03-01", 2, 0, 4), ("2026-03-05", 0, 1, 0)]
    assert facility_units == 4
    assert _scalar(engine, "SELECT count(*) FROM rollup_pending") == 0


def test_refreshes_take_turns(fresh_warehouse):
    """A second refresh waits for the first to commit: with an older snapshot it could
    overwrite what the first had just added."""
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, A, "i1", rows.at("2026-03-01 09:00"))
    with engine.connect() as first, engine.connect() as second:
        first.begin()
        assert first.execute(text("SELECT refresh_rollups()")).scalar_one() == 1
        second.begin()
        second.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            second.execute(text("SELECT refresh_rollups()"))
        second.rollback()
        first.commit()
        second.begin()
        assert second.execute(text("SELECT refresh_rollups()")).scalar_one() == 0
        second.commit()


MONTHS_FROM_DAYS = """
SELECT community_code, date_trunc('month', day)::date, sum(points_issued),
       sum(points_redeemed), sum(points_expired), sum(points_adjusted)
  FROM rollup_community_day GROUP BY 1, 2 ORDER BY 1, 2
"""
MONTHS = """
SELECT community_code, month, points_issued, points_redeemed, points_expired, points_adjusted
  FROM rollup_community_month ORDER BY 1, 2
"""


def _months(engine):
    with engine.connect() as c:
        return c.execute(text(MONTHS)).all(), c.execute(text(MONTHS_FROM_DAYS)).all()


def test_the_months_follow_the_days_whatever_an_update_changes(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.journal(engine, A, "j1", rows.at("2026-03-31 10:00"), "earn", "r1", 7)
    refresh(engine)
    # a fold that changes points, and one that changes only visits
    rows.journal(engine, A, "j2", rows.at("2026-03-31 11:00"), "redeem", "r1", 2)
    refresh(engine)
    rows.visit(engine, A, rows.FACILITY_A, "v1", rows.at("2026-03-31 12:00"))
    refresh(engine)
    months, from_days = _months(engine)
    assert [tuple(m) for m in months] == [(A, rows.at("2026-03-01 00:00").date(), 7, 2, 0, 0)]
    assert months == from_days
    # an update that moves a day into the next month: both months are summed again
    with engine.begin() as c:
        c.execute(
            text("UPDATE rollup_community_day SET day = day + 1 WHERE community_code = :a"),
            {"a": A},
        )
    months, from_days = _months(engine)
    march, april = rows.at("2026-03-01 00:00").date(), rows.at("2026-04-01 00:00").date()
    assert [tuple(m) for m in months] == [(A, march, 0, 0, 0, 0), (A, april, 7, 2, 0, 0)]


def test_a_change_on_a_day_already_marked_is_not_lost_to_a_refresh_in_between(
    fresh_warehouse,
):
    """A writer whose day is already marked dirty, and a refresh that takes that mark
    before the writer commits: the refresh cannot see the writer's change, so the day
    must stay marked for the next one. (With one mark per day written ON CONFLICT DO
    NOTHING, the writer relied on the refresh's mark and its closure was lost: the
    rollups then differed from a recompute, as the concurrent test below saw under load.)"""
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, A, "i1", rows.at("2026-03-01 09:00"))
    rows.incident(engine, A, "i2", rows.at("2026-03-02 09:00"))
    refresh(engine)
    update = (
        "UPDATE fact_incident SET status = 'closed', closed_at = :closed WHERE incident_id = :i"
    )
    with engine.begin() as c:  # marks 03-02 dirty (a correction), committed
        c.execute(text(update), {"closed": rows.at("2026-03-02 12:00"), "i": "i2"})
    writer = engine.connect()
    try:
        transaction = writer.begin()  # closes i1 on 03-02, a day already marked
        writer.execute(text(update), {"closed": rows.at("2026-03-02 15:00"), "i": "i1"})
        refresh(engine)  # takes the committed mark; cannot see the writer's change
        transaction.commit()
    finally:
        writer.close()
    refresh(engine)
    folded = _rollups(engine)
    refresh(engine, full=True)
    assert _rollups(engine) == folded
    closed_on_the_second = _scalar(
        engine,
        "SELECT incidents_closed FROM rollup_community_day WHERE community_code = :c AND day = :d",
        c=A,
        d=rows.at("2026-03-02 12:00").date(),
    )
    assert closed_on_the_second == 2


def test_writers_and_refreshes_at_the_same_time_equal_a_recompute(fresh_warehouse):
    """Writers insert and correct while refreshes run at once, as ingest and a scheduled
    `cockpit refresh` do: whatever the interleaving, the folded rollups equal the facts
    recomputed afterwards (a fact folded twice, or lost, would differ)."""
    import threading

    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    failures = []
    writing = threading.Event()
    writing.set()

    def writer(worker: int) -> None:
        try:
            for n in range(24):
                day = 1 + (n + worker) % 4
                reported = rows.at(f"2026-03-0{day} 0{worker}:{10 + n}")
                community, facility = (A, rows.FACILITY_A) if n % 2 else (B, rows.FACILITY_B)
                incident_id = f"w{worker}-{n}"
                rows.incident(engine, community, incident_id, reported)
                rows.visit(engine, community, facility, incident_id, reported, units=1 + n % 3)
                rows.journal(engine, community, incident_id, reported, "earn", "r1", 1 + n)
                if n % 4 == 3:  # a correction: its days are marked dirty and recomputed
                    with engine.begin() as c:
                        c.execute(
                            text(
                                "UPDATE fact_incident SET status = 'closed',"
                                " closed_at = reported_at + interval '30 hours'"
                                " WHERE incident_id = :i"
                            ),
                            {"i": f"w{worker}-{n - 1}"},
                        )
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)

    def refresher() -> None:
        try:
            while writing.is_set():
                refresh(engine)
        except Exception as error:
            failures.append(error)

    writers = [threading.Thread(target=writer, args=(worker,)) for worker in range(4)]
    refreshers = [threading.Thread(target=refresher) for _ in range(3)]
    for thread in writers + refreshers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    for thread in refreshers:
        thread.join()
    assert not failures, failures
    refresh(engine)
    folded = _rollups(engine)

    refresh(engine, full=True)
    assert _rollups(engine) == folded
    reported = sum(row[2] for row in folded[0])
    closed = sum(row[4] for row in folded[0])
    assert (reported, closed) == (96, 24)  # 4 writers × 24 incidents, every fourth closed


def test_a_bulk_load_notes_deltas_as_the_insert_trigger_does(fresh_warehouse):
    """note_inserted_incidents() (the loader's stand-in for the insert triggers it set
    aside) adds the rows' deltas, as the trigger does, and marks no day for a recompute
    (migration 030): its deltas per day equal what the rows count."""
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, A, "i1", rows.at("2026-03-01 09:00"), closed=rows.at("2026-03-02 10:00"))
    rows.incident(
        engine, A, "i2", rows.at("2026-03-01 11:00"), rejected=rows.at("2026-03-03 08:00")
    )
    rows.incident(engine, B, "i3", rows.at("2026-03-02 12:00"))
    refresh(engine, full=True)  # the trigger's deltas folded: start from nothing pending
    with engine.begin() as c:
        c.execute(text("CREATE TEMP TABLE loaded AS SELECT * FROM fact_incident"))
        c.execute(text("SELECT note_inserted_incidents('loaded')"))
        dirty = c.execute(text("SELECT count(*) FROM rollup_dirty")).scalar_one()
        deltas = c.execute(
            text(
                "SELECT community_code, day::text, sum(incidents_reported),"
                " sum(incidents_closed), sum(incidents_rejected)"
                " FROM rollup_community_day_delta GROUP BY 1, 2 ORDER BY 1, 2"
            )
        ).all()
    assert dirty == 0
    assert [tuple(d) for d in deltas] == [
        (A, "2026-03-01", 2, 0, 0),  # i1 and i2 reported
        (A, "2026-03-02", 0, 1, 0),  # i1 closed
        (A, "2026-03-03", 0, 0, 1),  # i2 rejected
        (B, "2026-03-02", 1, 0, 0),  # i3 reported
    ]
