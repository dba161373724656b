"""The incremental rollup: a 10k-row delta of incidents and visits over recent days,
inserted as the owner inside a transaction; `SELECT refresh_rollups()` timed; the
touched community-days checked against the facts; then rolled back, so the warehouse
is the same for the next run.

Beside the time, the pages the refresh found in shared buffers and those it had to read
from outside them (the OS cache or the disk), counted by the transaction's own
statistics: a refresh that follows a step reading a year of facts may find the recent
days' rollup pages evicted, and the count says whether a slow refresh was that."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from benchmarks.table import REFRESH_10K_S, Row, timing_row
from demo.facts import AGE_BANDS, VISIT_COLUMNS


@dataclass
class Delta:
    incidents: list[tuple]  # INCIDENT_COLUMNS
    visits: list[tuple]  # VISIT_COLUMNS


INCIDENT_COLUMNS = (
    "community_code",
    "incident_id",
    "grid_code",
    "category_code",
    "status",
    "reported_at",
    "closed_at",
    "due_at",
    "channel",
)


def make_delta(owner: Engine, rows: int, days: int, now: datetime) -> Delta:
    """`rows` new facts over the last `days` days, half incidents (two in three closed),
    half visits (one in ten a no-show), spread over every grid and facility."""
    with owner.connect() as connection:
        grids = connection.execute(
            text("SELECT grid_code, community_code FROM dim_grid WHERE level = 'grid' ORDER BY 1")
        ).all()
        facilities = connection.execute(
            text("SELECT facility_code, community_code FROM dim_facility ORDER BY 1")
        ).all()
        categories = connection.execute(
            text("SELECT category_code, sla_hours FROM dim_incident_category ORDER BY 1")
        ).all()
    span = days * 86400 - 12 * 3600
    incidents = []
    for n in range(rows // 2):
        grid, community = grids[n % len(grids)]
        category, sla_hours = categories[n % len(categories)]
        reported = now - timedelta(hours=12, seconds=(n * 7919) % span)
        closed = reported + timedelta(minutes=30 + n % 600) if n % 3 else None
        incidents.append(
            (
                community,
                f"BENCH-{n:06d}",
                grid,
                category,
                "closed" if closed else "reported",
                reported,
                closed,
                reported + timedelta(hours=sla_hours),
                "app",
            )
        )
    visits = []
    for n in range(rows - rows // 2):
        facility, community = facilities[n % len(facilities)]
        visited = now - timedelta(seconds=(n * 104729) % span)
        visits.append(
            (
                community,
                f"BENCH-{n:06d}",
                facility,
                visited,
                f"bench{n % 500}",
                AGE_BANDS[n % len(AGE_BANDS)],
                1 + n % 2,
                "no_show" if n % 10 == 0 else "attended",
            )
        )
    return Delta(incidents, visits)


def _copy(cursor, table: str, columns: tuple, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write(",".join("" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


# For each touched community-day: the facts' counts against both rollup tables.
TOUCHED_MISMATCHES = """
WITH touched AS (
    SELECT DISTINCT community_code, day FROM bench_touched
), facts AS (
    SELECT t.community_code, t.day,
           (SELECT count(*) FROM fact_incident i WHERE i.community_code = t.community_code
               AND i.reported_at >= day_start(t.day) AND i.reported_at < day_start(t.day + 1))
               AS reported,
           (SELECT count(*) FROM fact_incident i WHERE i.community_code = t.community_code
               AND i.closed_at >= day_start(t.day) AND i.closed_at < day_start(t.day + 1))
               AS closed,
           (SELECT coalesce(sum(units), 0) FROM fact_service_visit v
             WHERE v.community_code = t.community_code AND v.status = 'attended'
               AND v.visited_at >= day_start(t.day) AND v.visited_at < day_start(t.day + 1))
               AS units
      FROM touched t
)
SELECT count(*) FROM facts f
  LEFT JOIN rollup_community_day r USING (community_code, day)
 WHERE f.reported <> coalesce(r.incidents_reported, 0)
    OR f.closed <> coalesce(r.incidents_closed, 0)
    OR f.units <> coalesce(r.visits_units, 0)
    OR f.units <> (SELECT coalesce(sum(attended_units), 0) FROM rollup_facility_day d
                    WHERE d.community_code = f.community_code AND d.day = f.day)
"""


# Pages of the schema's tables and indexes this transaction has fetched and found in
# shared buffers so far (pg_stat_get_xact_*: the current transaction's own counts).
BLOCKS_SQL = """
SELECT coalesce(sum(pg_stat_get_xact_blocks_fetched(c.oid)), 0) AS fetched,
       coalesce(sum(pg_stat_get_xact_blocks_hit(c.oid)), 0) AS hit
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'p')
"""


def _blocks(connection) -> tuple[int, int]:
    fetched, hit = connection.execute(text(BLOCKS_SQL)).one()
    return int(fetched), int(hit)


@dataclass
class RefreshResult:
    delta: Delta
    pending_before: int = 0
    marked: set = field(default_factory=set)  # community-days the delta's insert left pending
    refreshed: list[int] = field(default_factory=list)  # what refresh_rollups() returned
    pending_after: list[int] = field(default_factory=list)
    mismatched_days: list[int] = field(default_factory=list)
    insert_seconds: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    pages_hit: list[int] = field(default_factory=list)  # found in shared buffers
    pages_read: list[int] = field(default_factory=list)  # read from outside them


def incremental_refresh(owner: Engine, rows: int, repeat: int, days: int = 7) -> RefreshResult:
    """Insert the delta as the owner, time refresh_rollups(), check the touched days
    against the facts, and roll back (the warehouse is left as it was)."""
    result = RefreshResult(make_delta(owner, rows, days, datetime.now(UTC)))
    pending = text("SELECT DISTINCT community_code, day FROM rollup_pending")
    for _ in range(repeat):
        with owner.connect() as connection:
            transaction = connection.begin()
            try:
                before = set(map(tuple, connection.execute(pending).all()))
                result.pending_before = len(before)
                cursor = connection.connection.cursor()
                started = time.perf_counter()
                _copy(cursor, "fact_incident", INCIDENT_COLUMNS, result.delta.incidents)
                _copy(cursor, "fact_service_visit", VISIT_COLUMNS, result.delta.visits)
                result.insert_seconds.append(time.perf_counter() - started)
                result.marked = set(map(tuple, connection.execute(pending).all())) - before
                fetched_before, hit_before = _blocks(connection)
                started = time.perf_counter()
                refreshed = connection.execute(text("SELECT refresh_rollups()")).scalar_one()
                result.seconds.append(time.perf_counter() - started)
                fetched, hit = _blocks(connection)
                result.pages_hit.append(hit - hit_before)
                result.pages_read.append((fetched - fetched_before) - (hit - hit_before))
                result.refreshed.append(refreshed)
                result.pending_after.append(
                    connection.execute(text("SELECT count(*) FROM rollup_pending")).scalar_one()
                )
                cursor.execute("CREATE TEMP TABLE bench_touched (community_code text, day date)")
                _copy(cursor, "bench_touched", ("community_code", "day"), result.marked)
                result.mismatched_days.append(
                    connection.execute(text(TOUCHED_MISMATCHES)).scalar_one()
                )
            finally:
                transaction.rollback()
    return result


def refresh_rows(r: RefreshResult) -> list[Row]:
    delta = f"{len(r.delta.incidents):,} incidents + {len(r.delta.visits):,} visits"
    mismatched = max(r.mismatched_days)
    fine = mismatched == 0 and max(r.pending_after) == 0
    row = timing_row(
        "incremental rollup",
        f"refresh_rollups() after {delta}: {len(r.marked):,} community-days pending, "
        f"{max(r.refreshed):,} refreshed, {max(r.pending_after)} left, "
        f"{mismatched} differ from the facts; pages read from outside shared buffers "
        f"{_spread(r.pages_read)}, found in them {_spread(r.pages_hit)}",
        r.seconds,
        REFRESH_10K_S,
    )
    verdict = row.verdict if fine else "MISMATCH"
    insert = timing_row("delta insert (COPY)", delta, r.insert_seconds, None)
    return [Row(row.measure, row.what, row.n, row.p50, row.p95, row.budget, verdict), insert]


def _spread(counts: list[int]) -> str:
    """'1,234' for one refresh, 'min–max' for several."""
    if not counts:
        return "–"
    low, high = min(counts), max(counts)
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"
