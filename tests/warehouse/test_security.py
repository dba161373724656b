"""Row-level security: the reader sees only its scope's rows, nothing without a scope,
and can write nothing."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.warehouse import rows
from warehouse.rollups import refresh

SCOPED_TABLES = [
    "dim_community",
    "dim_grid",
    "dim_facility",
    "fact_incident",
    "fact_incident_status_log",
    "fact_service_visit",
    "ledger_journal",
    "ledger_entry",
    "ledger_account_balance",
    "ledger_holder_count",
    "rollup_community_day",
    "rollup_community_month",
    "rollup_facility_day",
    "rollup_freshness",
    "incident_open_spans",  # a view: security_invoker, so the reader's policies apply
]


@pytest.fixture
def populated(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    for community, grid, facility in (
        (rows.COMMUNITY_A, rows.MICRO_A, rows.FACILITY_A),
        (rows.COMMUNITY_B, rows.GRID_B, rows.FACILITY_B),
    ):
        rows.incident(engine, community, f"{community}-1", rows.at("2026-03-01 09:00"), grid=grid)
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO fact_incident_status_log (community_code, incident_id, status,"
                    " changed_at) VALUES (:c, :i, 'reported', now())"
                ),
                {"c": community, "i": f"{community}-1"},
            )
        rows.visit(engine, community, facility, f"{community}-v1", rows.at("2026-03-01 12:00"))
        rows.journal(
            engine, community, f"{community}-j1", rows.at("2026-03-01 10:00"), "earn", "r1", 10
        )
    refresh(engine)
    return fresh_warehouse


def _count(reader, table, scope):
    with reader.begin() as c:
        if scope is not None:
            c.execute(text("SELECT set_config('cockpit.scope', :s, true)"), {"s": scope})
        return dict(
            c.execute(text(f"SELECT community_code, count(*) FROM {table} GROUP BY 1")).all()
        )


@pytest.mark.parametrize("table", SCOPED_TABLES)
def test_community_scope_sees_only_its_own_rows(populated, table):
    reader = populated.reader()
    with populated.owner.connect() as c:
        expected_a = c.execute(
            text(f"SELECT count(*) FROM {table} WHERE community_code = :a"), {"a": rows.COMMUNITY_A}
        ).scalar_one()
    assert expected_a > 0
    assert _count(reader, table, f"community:{rows.COMMUNITY_A}") == {rows.COMMUNITY_A: expected_a}
    assert _count(reader, table, f"street:{rows.STREET_B}").keys() == {rows.COMMUNITY_B}
    assert _count(reader, table, f"grid:{rows.MICRO_A}").keys() == {rows.COMMUNITY_A}
    assert _count(reader, table, "district").keys() == {rows.COMMUNITY_A, rows.COMMUNITY_B}


@pytest.mark.parametrize("table", SCOPED_TABLES)
@pytest.mark.parametrize("scope", [None, "", "garbage", "community:999999999999", "street"])
def test_no_or_bad_scope_sees_nothing(populated, table, scope):
    assert _count(populated.reader(), table, scope) == {}


def test_scope_is_per_transaction(populated):
    reader = populated.reader()
    with reader.connect() as c:
        with c.begin():
            c.execute(text("SELECT set_config('cockpit.scope', 'district', true)"))
            assert c.execute(text("SELECT count(*) FROM fact_incident")).scalar_one() == 2
        with c.begin():
            assert c.execute(text("SELECT count(*) FROM fact_incident")).scalar_one() == 0


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO dim_street VALUES ('330109999', '假街道', '街道')",
        "UPDATE fact_incident SET status = 'closed'",
        "DELETE FROM fact_service_visit",
        "INSERT INTO rollup_dirty VALUES ('330109901001', '2026-01-01')",
        "SELECT refresh_rollups()",
        "SELECT * FROM ingest_quarantine",
        "CREATE TABLE sneaky (x int)",
    ],
)
def test_reader_cannot_write_or_read_raw(populated, statement):
    reader = populated.reader()
    with pytest.raises(DBAPIError), reader.begin() as c:
        c.execute(text("SELECT set_config('cockpit.scope', 'district', true)"))
        c.execute(text(statement))
