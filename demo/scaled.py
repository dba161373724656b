"""Load a scaled demo (`cockpit demo --scale small|city`) into an empty warehouse.

The city (≈3,000 communities, 10M incidents, 20M visits, 40M ledger entries over
three years) is generated a block of communities at a time (demo/scaled_facts.py) and
streamed through COPY. In one transaction the fact tables' keys, indexes, foreign keys
and triggers are set aside first and restored after the load: building an index once
over sorted data is several times faster than maintaining it row by row, and nobody
sees the tables without them. The rules the triggers enforce are then checked once
over the whole load (every ledger journal balances), and every day's rollups are
computed from the facts.

A warehouse fed day by day holds its rows in the order they arrived: a month's facts
sit together on disk. Generated a block of communities at a time, they would be
scattered over the whole table, and every month-long read would touch ten times the
pages a real warehouse does (the first city benchmark measured exactly that). So the
facts are staged, then written in their arrival order, and the rollups rewritten in
day order, before the indexes are built.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Engine, text

from demo import facts as district_facts
from demo.district import DemoExists, _csv, _holds_data, _reset
from demo.scaled_dims import (
    COMMUNITY_COLUMNS,
    FACILITY_COLUMNS,
    GRID_COLUMNS,
    SCALES,
    STREET_COLUMNS,
    build_dimensions,
)
from demo.scaled_facts import Facts, Span
from warehouse.accounts import ensure_demo_accounts
from warehouse.bulk import set_aside

FACT_TABLES = ("fact_incident", "fact_service_visit", "ledger_journal", "ledger_entry")
# the instant each fact arrives at: the order a warehouse fed day by day holds it in
ARRIVAL_ORDER = {
    "fact_incident": "reported_at",
    "fact_service_visit": "visited_at",
    "ledger_journal": "occurred_at, journal_id",
    "ledger_entry": "occurred_at, journal_id",
}
ROLLUP_ORDER = {
    "rollup_community_day": "day, community_code",
    "rollup_facility_day": "day, community_code, facility_code",
}
UNBALANCED_SQL = """
SELECT community_code, journal_id, sum(amount) FROM ledger_entry
 GROUP BY community_code, journal_id HAVING sum(amount) <> 0 LIMIT 1
"""


def _span(today: date, years: int) -> Span:
    start = today - timedelta(days=365 * years - 1)
    as_of = district_facts.local(today, district_facts.AS_OF_HOUR)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)  # the facts are UTC microseconds
    start_us = int((district_facts.local(start) - epoch).total_seconds()) * 1_000_000
    return Span(start_us, int((as_of - epoch).total_seconds()) * 1_000_000)


def _copy_rows(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    cursor.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", _csv(rows)
    )


def _staged(table: str) -> str:
    return f"arrival_{table}"


def _stage(cursor, table: str) -> None:
    cursor.execute(f"CREATE TEMP TABLE {_staged(table)} (LIKE {table} INCLUDING DEFAULTS)")


def _arrive(cursor, table: str) -> None:
    """Move the staged rows into `table` in arrival order (its indexes are set aside)."""
    cursor.execute(
        f"INSERT INTO {table} SELECT * FROM {_staged(table)} ORDER BY {ARRIVAL_ORDER[table]}"
    )
    cursor.execute(f"DROP TABLE {_staged(table)}")


def rewrite_in_order(cursor, table: str, order: str) -> None:
    """Rewrite `table`'s rows in `order` (to lay a bulk-built table out as daily feeding
    would have). Call it with the table set aside (warehouse.bulk.set_aside): its keys
    are then built once over the ordered rows, and its triggers (the months of migration
    014), which these same rows give nothing to do, are off. Nothing may reference the
    table by foreign key."""
    cursor.execute(f"CREATE TEMP TABLE reordered AS SELECT * FROM {table} ORDER BY {order}")
    cursor.execute(f"TRUNCATE {table}")
    cursor.execute(f"INSERT INTO {table} SELECT * FROM reordered")
    cursor.execute("DROP TABLE reordered")


def _copy_table(cursor, name: str, table: pa.Table) -> int:
    out = io.BytesIO()
    pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False))
    out.seek(0)
    cursor.copy_expert(
        f"COPY {name} ({', '.join(table.column_names)}) FROM STDIN WITH (FORMAT csv)", out
    )
    return table.num_rows


def load_scaled(
    engine: Engine,
    *,
    scale: str,
    seed: int,
    today: date,
    replace: bool,
    progress: Callable[[str], None] | None,
) -> str:
    """Load the demo at `scale` (a key of SCALES); returns a one-line summary."""
    say = progress or (lambda message: None)
    size = SCALES[scale]
    started = time.perf_counter()
    if _holds_data(engine):
        if not replace:
            raise DemoExists(
                "the warehouse already holds data; run `cockpit demo --replace` to drop it "
                f"and load the {scale} demo afresh"
            )
        say("dropping the old warehouse…")
        _reset(engine)
    with engine.connect() as connection:
        categories = connection.execute(
            text("SELECT category_code, sla_hours FROM dim_incident_category ORDER BY sort_order")
        ).all()
    dims = build_dimensions(seed, size)
    span = _span(today, size.years)
    generated = Facts(seed, dims, span, [tuple(row) for row in categories])
    counts = dict.fromkeys(FACT_TABLES, 0)

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('cockpit-demo'))")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")  # the arrival-order sorts
        _copy_rows(cursor, "dim_street", STREET_COLUMNS, dims.streets)
        _copy_rows(cursor, "dim_community", COMMUNITY_COLUMNS, dims.communities)
        _copy_rows(cursor, "dim_grid", GRID_COLUMNS, dims.grids)
        _copy_rows(cursor, "dim_facility", FACILITY_COLUMNS, dims.facilities)
        restore = set_aside(cursor, list(FACT_TABLES), keys=True)
        cursor.execute("SELECT set_config('TimeZone', 'UTC', true)")  # naive = UTC
        for name in FACT_TABLES:
            _stage(cursor, name)
        for table in generated.incidents(size.incidents):
            counts["fact_incident"] += _copy_table(cursor, _staged("fact_incident"), table)
            say(f"incidents {counts['fact_incident']:,}…")
        _arrive(cursor, "fact_incident")
        for table in generated.visits(size.visits):
            counts["fact_service_visit"] += _copy_table(
                cursor, _staged("fact_service_visit"), table
            )
            say(f"visits {counts['fact_service_visit']:,}…")
        _arrive(cursor, "fact_service_visit")
        for journals, entries in generated.points(size.ledger_entries):
            counts["ledger_journal"] += _copy_table(cursor, _staged("ledger_journal"), journals)
            counts["ledger_entry"] += _copy_table(cursor, _staged("ledger_entry"), entries)
            say(f"ledger entries {counts['ledger_entry']:,}…")
        _arrive(cursor, "ledger_journal")
        _arrive(cursor, "ledger_entry")
        cursor.execute("SELECT set_config('TimeZone', 'Asia/Shanghai', true)")
        say("keys and indexes…")
        for statement in restore:
            cursor.execute(statement)
        say("every journal balances…")
        cursor.execute(UNBALANCED_SQL)
        unbalanced = cursor.fetchone()
        if unbalanced:
            raise RuntimeError(f"demo generator made an unbalanced journal: {unbalanced}")
        say("analyze…")
        cursor.execute("ANALYZE")
        say("rollups…")
        cursor.execute("SELECT mark_all_days_dirty()")
        cursor.execute("SELECT refresh_rollups()")
        say("rollups in day order…")
        # set aside: with their keys kept in place, rewriting a city's 13M rollup rows
        # took 6.4 minutes
        restore = set_aside(cursor, list(ROLLUP_ORDER), keys=True)
        for name, order in ROLLUP_ORDER.items():
            rewrite_in_order(cursor, name, order)
        for statement in restore:
            cursor.execute(statement)
        cursor.execute("SELECT rebuild_freshness()")  # its triggers were set aside too
        cursor.execute("SELECT rebuild_account_balances()")  # the same
        cursor.execute("SELECT rebuild_last_earn()")  # the same
        _bookkeeping(cursor, seed, today, scale, span)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    say("vacuum…")
    _vacuum(engine)
    say("demo accounts…")
    ensure_demo_accounts(engine)
    return (
        f"{len(dims.communities):,} communities in {len(dims.streets)} streets, "
        f"{counts['fact_incident']:,} incidents, {counts['fact_service_visit']:,} visits, "
        f"{counts['ledger_journal']:,} journals / {counts['ledger_entry']:,} ledger entries "
        f"(seed {seed}, to {today}) in {time.perf_counter() - started:.1f} s"
    )


def _vacuum(engine: Engine) -> None:
    """Mark the loaded pages all-visible, as autovacuum has on a warehouse fed day by day.
    Until then every index-only scan (the covering indexes of migrations 014 and 015)
    reads the heap too, and autovacuum sets about 70M rows at city scale in the middle
    of whatever runs next (the first city benchmark after a load did)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in (*FACT_TABLES, *ROLLUP_ORDER):
            connection.exec_driver_sql(f"VACUUM {table}")


def _bookkeeping(cursor, seed: int, today: date, scale: str, span: Span) -> None:
    source = f"demo:{scale}:seed={seed}"
    for kind, table, stamp in (
        ("incidents", "fact_incident", "reported_at"),
        ("service_visits", "fact_service_visit", "visited_at"),
        ("points", "ledger_journal", "occurred_at"),
    ):
        cursor.execute(
            "INSERT INTO ingest_load (kind, source, finished_at, rows_read, rows_loaded,"
            f" newest_event_at, status) SELECT %s, %s, now(), count(*), count(*), max({stamp}),"
            f" 'done' FROM {table}",
            (kind, source),
        )
    as_of = datetime.fromtimestamp(span.as_of_us / 1e6, district_facts.TZ)
    meta = {"seed": seed, "today": today.isoformat(), "scale": scale, "as_of": as_of.isoformat()}
    cursor.execute(
        "INSERT INTO warehouse_meta (key, value) VALUES ('demo', %s) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        (json.dumps(meta),),
    )
    # the demo's events run to its as_of, later than the load (migration 035)
    cursor.execute("SELECT declare_events_until(%s)", (as_of,))
