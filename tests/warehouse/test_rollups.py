"""Rollups equal the facts, after a load and after an incremental change."""

from sqlalchemy import text

from tests.warehouse import rows
from warehouse.checks import run_checks
from warehouse.rollups import refresh

FACT_TOTALS = """
SELECT (SELECT count(*) FROM fact_incident) AS reported,
       (SELECT count(*) FROM fact_incident WHERE closed_at IS NOT NULL) AS closed,
       (SELECT coalesce(sum(units), 0) FROM fact_service_visit WHERE status = 'attended') AS visits,
       (SELECT coalesce(sum(amount), 0) FROM ledger_journal WHERE kind = 'earn') AS issued
"""
ROLLUP_TOTALS = """
SELECT sum(incidents_reported), sum(incidents_closed), sum(visits_units), sum(points_issued)
  FROM rollup_community_day
"""
CLOSED_BY_DAY = """
SELECT day, incidents_closed FROM rollup_community_day
 WHERE community_code = :c AND incidents_closed > 0 ORDER BY day
"""


def _totals(engine):
    with engine.connect() as c:
        return tuple(c.execute(text(FACT_TOTALS)).one()), tuple(
            c.execute(text(ROLLUP_TOTALS)).one()
        )


def test_rollups_follow_inserts_and_updates(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    a = rows.COMMUNITY_A
    rows.incident(engine, a, "i1", rows.at("2026-03-01 09:00"), closed=rows.at("2026-03-02 09:00"))
    rows.incident(engine, a, "i2", rows.at("2026-03-01 23:30"))
    rows.visit(engine, a, rows.FACILITY_A, "v1", rows.at("2026-03-01 12:00"), units=2)
    rows.visit(engine, a, rows.FACILITY_A, "v2", rows.at("2026-03-01 12:00"), status="no_show")
    rows.journal(engine, a, "j1", rows.at("2026-03-01 10:00"), "earn", "r1", 7)

    assert refresh(engine) > 0
    facts, rolled = _totals(engine)
    assert facts == (2, 1, 2, 7)
    assert rolled == facts

    # Incremental: i2 closes two days later; a later visit arrives; i1 is re-sent closed later.
    with engine.begin() as c:
        c.execute(
            text(
                "UPDATE fact_incident SET status = 'closed', closed_at = :t"
                " WHERE incident_id = 'i2'"
            ),
            {"t": rows.at("2026-03-03 08:00")},
        )
        c.execute(
            text("UPDATE fact_incident SET closed_at = :t WHERE incident_id = 'i1'"),
            {"t": rows.at("2026-03-04 08:00")},
        )
    rows.visit(engine, a, rows.FACILITY_A, "v3", rows.at("2026-03-05 12:00"), units=3)
    refresh(engine)
    facts, rolled = _totals(engine)
    assert facts == (2, 2, 5, 7)
    assert rolled == facts
    with engine.connect() as c:
        by_day = [(d.isoformat(), n) for d, n in c.execute(text(CLOSED_BY_DAY), {"c": a}).all()]
    # i1's old closing day (03-02) was emptied, its new one (03-04) counted.
    assert by_day == [("2026-03-03", 1), ("2026-03-04", 1)]
    assert all(result.ok for result in run_checks(engine))


def test_check_reports_rollups_behind_and_unbalanced_trial(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, rows.COMMUNITY_A, "i1", rows.at("2026-03-01 09:00"))
    results = {r.name: r for r in run_checks(engine)}
    assert not results["rollups_current"].ok
    refresh(engine)
    rows.journal(engine, rows.COMMUNITY_A, "j1", rows.at("2026-03-01 10:00"), "earn", "r1", 5)
    refresh(engine)
    # Break the ledger as the owner, bypassing the rules on purpose.
    with engine.begin() as c:
        c.execute(text("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_balanced"))
        c.execute(
            text(
                "INSERT INTO ledger_entry VALUES (:c, 'j1', 3, 'resident:r1', 'resident', 4, now())"
            ),
            {"c": rows.COMMUNITY_A},
        )
        c.execute(text("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_balanced"))
    results = {r.name: r for r in run_checks(engine)}
    assert not results["ledger_trial_balance"].ok
    assert "4" in results["ledger_trial_balance"].detail
    assert not results["ledger_journals_balanced"].ok
    assert results["rollups_current"].ok
