"""`cockpit demo --scale small`: the same generator and loader as the city scale, at
a size a test can afford. Checks the row counts the scale asks for, that the keys,
indexes and triggers set aside for the load are back, that `cockpit check` passes
(journals balance, rollups equal the facts, no orphans), and determinism by seed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pyarrow as pa
import pytest
from sqlalchemy import text

from demo.scaled import load_scaled
from demo.scaled_dims import GRIDS_PER_COMMUNITY, MICRO_PER_GRID, SCALES, build_dimensions
from demo.scaled_facts import Facts
from tests.warehouse.rows import NEWEST_EVENT
from warehouse.checks import run_checks

TODAY = date(2026, 11, 27)
SMALL = SCALES["small"]
TABLES_SET_ASIDE = (
    "('fact_incident', 'fact_service_visit', 'ledger_journal', 'ledger_entry',"
    " 'rollup_community_day', 'rollup_facility_day')"
)
SCHEMA_SQL = f"""
SELECT c.relname, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relname IN {TABLES_SET_ASIDE}
UNION ALL
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid::regclass::text IN {TABLES_SET_ASIDE}
UNION ALL
SELECT tgrelid::regclass::text, tgname, tgenabled::text FROM pg_trigger
 WHERE NOT tgisinternal AND tgrelid::regclass::text IN {TABLES_SET_ASIDE}
ORDER BY 1, 2, 3
"""


def _all(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


@pytest.fixture(scope="module")
def small(pg_server):
    from tests.conftest import _create_database, _drop_database

    warehouse = _create_database(pg_server, "demo_small")
    schema_before = _all(warehouse.owner, SCHEMA_SQL)
    summary = load_scaled(
        warehouse.owner, scale="small", seed=7, today=TODAY, replace=False, progress=None
    )
    yield warehouse, schema_before, summary
    warehouse.owner.dispose()
    _drop_database(pg_server, "demo_small")


def count(engine, table: str) -> int:
    return _all(engine, f"SELECT count(*) FROM {table}")[0][0]


def test_counts_are_the_scales(small):
    warehouse, _, summary = small
    engine = warehouse.owner
    assert count(engine, "dim_street") == SMALL.streets
    assert count(engine, "dim_community") == SMALL.communities
    per_community = GRIDS_PER_COMMUNITY * (1 + MICRO_PER_GRID)
    assert count(engine, "dim_grid") == SMALL.communities * per_community
    assert count(engine, "fact_incident") == SMALL.incidents
    assert count(engine, "fact_service_visit") == SMALL.visits
    entries = count(engine, "ledger_entry")
    assert entries == 2 * count(engine, "ledger_journal")
    assert 0.9 * SMALL.ledger_entries <= entries <= SMALL.ledger_entries
    assert f"{SMALL.incidents:,} incidents" in summary


def test_keys_indexes_and_triggers_are_restored(small):
    warehouse, schema_before, _ = small
    assert _all(warehouse.owner, SCHEMA_SQL) == schema_before


def _out_of_order(engine, table: str, order: str) -> int:
    """Rows whose (order) key is below the previous row's in the heap's physical order."""
    return _all(
        engine,
        f"""SELECT count(*) FROM (
                SELECT ROW({order}) < lag(ROW({order})) OVER (ORDER BY ctid) AS earlier
                  FROM {table}) r
             WHERE earlier""",
    )[0][0]


@pytest.mark.parametrize(
    "table, order",
    [
        ("fact_incident", "reported_at"),
        ("fact_service_visit", "visited_at"),
        ("ledger_journal", "occurred_at, journal_id"),
        ("ledger_entry", "occurred_at, journal_id"),
        ("rollup_community_day", "day, community_code"),
        ("rollup_facility_day", "day, community_code, facility_code"),
    ],
)
def test_tables_lie_on_disk_in_the_order_they_would_have_arrived(small, table, order):
    # generated a block of communities at a time, a month's rows would be scattered
    # over the whole table (about half of them below their predecessor); a warehouse
    # fed day by day holds them together. A page's first row may come from a little
    # earlier (PostgreSQL extends a table several pages at a time and fills them as
    # they fit), so a few rows in a hundred are allowed out of step.
    warehouse, _, _ = small
    rows = count(warehouse.owner, table)
    assert rows > 0
    assert _out_of_order(warehouse.owner, table, order) <= rows // 100


def test_every_event_lies_in_the_span_in_local_time(small):
    # From local midnight three years back to the demo's "now", 20:00 local on TODAY:
    # nothing in the future, and a local day's events inside that day.
    from demo.facts import AS_OF_HOUR, local

    warehouse, _, _ = small
    first = local(TODAY - timedelta(days=3 * 365 - 1))  # three years of days, TODAY the last
    now = local(TODAY, AS_OF_HOUR)
    for table, column in (
        ("fact_incident", "reported_at"),
        ("fact_incident", "closed_at"),
        ("fact_service_visit", "visited_at"),
        ("ledger_journal", "occurred_at"),
    ):
        earliest, latest = _all(
            warehouse.owner, f"SELECT min({column}), max({column}) FROM {table}"
        )[0]
        assert first <= earliest and latest <= now, (table, column, earliest, latest)
    # The hours drawn are local: the busiest hour of reports is in the working day.
    busiest = _all(
        warehouse.owner,
        "SELECT extract(hour FROM reported_at AT TIME ZONE 'Asia/Shanghai') FROM fact_incident"
        " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )[0][0]
    assert 8 <= busiest <= 18, busiest


def test_the_demo_declares_its_newest_event(small):
    # its day runs to 20:00 whenever it is loaded (migration 035)
    warehouse, _, _ = small
    ((declared, newest),) = _all(
        warehouse.owner, f"SELECT (SELECT until FROM data_events_until), ({NEWEST_EVENT})"
    )
    assert declared >= newest


def test_the_loaded_pages_are_all_visible(small):
    # as autovacuum keeps them on a live warehouse: index-only scans read no heap
    warehouse, _, _ = small
    pages = _all(
        warehouse.owner,
        "SELECT relname, relpages, relallvisible FROM pg_class WHERE relname IN"
        " ('fact_incident', 'fact_service_visit', 'ledger_journal', 'ledger_entry',"
        " 'rollup_community_day', 'rollup_facility_day') ORDER BY 1",
    )
    assert len(pages) == 6
    assert all(total > 0 and visible == total for _, total, visible in pages), pages


def test_cockpit_check_passes(small):
    warehouse, _, _ = small
    results = run_checks(warehouse.owner)
    assert [(r.name, r.ok) for r in results] == [(r.name, True) for r in results], results


def test_rollups_hold_the_facts(small):
    engine = small[0].owner
    [(reported, closed, units, issued)] = _all(
        engine,
        "SELECT sum(incidents_reported), sum(incidents_closed), sum(visits_units),"
        " sum(points_issued) FROM rollup_community_day",
    )
    [(facts_reported, facts_closed)] = _all(
        engine, "SELECT count(*), count(closed_at) FROM fact_incident"
    )
    [(facts_units,)] = _all(
        engine, "SELECT sum(units) FROM fact_service_visit WHERE status = 'attended'"
    )
    [(facts_issued,)] = _all(engine, "SELECT sum(amount) FROM ledger_journal WHERE kind = 'earn'")
    assert (reported, closed, units, issued) == (
        facts_reported,
        facts_closed,
        facts_units,
        facts_issued,
    )


def test_no_resident_balance_goes_negative_and_refs_are_pseudonymous(small):
    engine = small[0].owner
    negative = _all(
        engine,
        "SELECT account FROM ledger_entry WHERE account_kind = 'resident'"
        " GROUP BY community_code, account HAVING sum(amount) < 0 LIMIT 1",
    )
    assert negative == []
    refs = [r[0] for r in _all(engine, "SELECT DISTINCT resident_ref FROM fact_service_visit")]
    phone_or_id = re.compile(r"1[3-9]\d{9}|\d{17}[\dXx]")
    assert refs and not [ref for ref in refs if phone_or_id.search(ref)]


def test_demo_accounts_scope_the_real_street_and_community(small):
    engine = small[0].owner
    rows = _all(
        engine,
        "SELECT a.username, count(c.community_code) FROM cockpit_auth.account a"
        " LEFT JOIN dim_community c ON c.street_code = a.scope_code"
        " OR c.community_code = a.scope_code GROUP BY a.username ORDER BY 1",
    )
    per_street = SMALL.communities // SMALL.streets
    assert rows == [("demo_community", 1), ("demo_district", 0), ("demo_street", per_street)]


def test_generation_is_deterministic_by_seed():
    dims = build_dimensions(7, SMALL)
    assert dims.communities == build_dimensions(7, SMALL).communities
    assert dims.communities != build_dimensions(8, SMALL).communities
    from demo.scaled import _span

    span = _span(TODAY, SMALL.years)
    categories = [("repair", 72), ("hazard", 24)]

    def first_block(seed: int) -> pa.Table:
        return next(Facts(seed, dims, span, categories).incidents(5_000))

    assert first_block(7).equals(first_block(7))
    assert not first_block(7).equals(first_block(8))
