"""Load export files: read, validate (incidents a batch at a time, see ingest/fast.py;
the other kinds row by row) while streaming the good rows through COPY into a TEMP
staging table, merge set-based into the warehouse, quarantine the bad rows, bring the
rollups up to date, record the load. One transaction per file, so a failure leaves
nothing of that file behind. How a file's rows become the staging table's CSV is in
ingest/staging.py.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from ingest.contract import LOAD_ORDER, kind_from_filename
from ingest.privacy import Pseudonymiser
from ingest.read import FileError, expand_paths, read_table
from ingest.report import LoadReport
from ingest.staging import StagedRows
from ingest.validate import SHANGHAI, Reject, load_context
from sqlfiles import parse
from warehouse.bulk import set_aside

MERGE_SQL = Path(__file__).resolve().parent.parent / "sql" / "ingest" / "merge.sql"
# A load of new incidents that makes at least this share of the table afterwards (and
# this many rows) rebuilds the table's indexes instead of inserting into them.
BULK_MIN_ROWS = 100_000
BULK_SHARE = 0.25
NEWEST_EVENT = {"incidents": "reported_at", "service_visits": "visited_at", "points": "occurred_at"}

Progress = Callable[[str], None]


def to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@cache
def sql(name: str) -> str:
    return parse(MERGE_SQL.read_text(encoding="utf-8"), "ingest")[name].sql


def _timed(report: LoadReport, phase: str, started: float) -> float:
    """Add the time since `started` to a phase of the report; returns the time now."""
    now = time.perf_counter()
    report.phases[phase] = report.phases.get(phase, 0.0) + now - started
    return now


def _analyze_sampled(cursor, table: str) -> None:
    """ANALYZE from a 3,000-row sample: enough for the row count and the keys' spread
    a join plan needs, in a sixth of a full ANALYZE's time at 200k staged rows. The
    transaction's later ANALYZEs (refresh_rollups) keep their usual sample."""
    cursor.execute("SELECT current_setting('default_statistics_target')")
    usual = cursor.fetchone()[0]
    cursor.execute("SELECT set_config('default_statistics_target', '10', true)")
    cursor.execute(f"ANALYZE {table}")
    cursor.execute("SELECT set_config('default_statistics_target', %s, true)", (usual,))


def _merge(cursor, kind: str, report: LoadReport, staged: StagedRows) -> None:
    """Run the kind's set-based merge; fills loaded/updated/unchanged from the SQL."""
    began = time.perf_counter()
    if kind == "points":
        cursor.execute(sql("classify_points"))
        cursor.execute(
            "SELECT count(*) FILTER (WHERE outcome = 'unchanged'),"
            " count(*) FILTER (WHERE outcome = 'conflict') FROM stage"
        )
        report.unchanged, _conflicts = cursor.fetchone()
        cursor.execute(sql("point_conflicts"))
        for line_no, raw, journal_id in cursor.fetchall():
            detail = f"txn_id={journal_id} is in the ledger with other values"
            staged.rejected.append((line_no, Reject("txn_conflict", detail).reason, raw))
        cursor.execute(sql("insert_journals"))
        report.loaded = cursor.rowcount
        cursor.execute(sql("insert_entries"))
        _timed(report, "merge", began)
        return
    if kind == "incidents":
        cursor.execute(sql("update_incidents"))
        report.updated, report.status_steps_logged = cursor.fetchone()
        began = _timed(report, "merge: update held incidents", began)
        cursor.execute(sql("stage_new_incidents"))
        report.loaded = cursor.rowcount
        if _worth_bulk(cursor, report.loaded):
            report.bulk = True
            # the primary key too: for 200k rows a sort builds it in 0.19 s, where
            # maintaining it cost the insert 0.29 s (new_incidents holds no id the
            # table has, so rebuilding it cannot fail on a duplicate)
            restore = set_aside(cursor, ["fact_incident"], keys=True)
            began = _timed(report, "merge: set indexes aside", began)
            cursor.execute(sql("insert_incidents"))
            began = _timed(report, "merge: insert new incidents", began)
            # what the disabled triggers would have noted: rollup deltas, freshness
            cursor.execute("SELECT note_inserted_incidents('new_incidents')")
            began = _timed(report, "merge: note new incidents' deltas", began)
            for statement in restore:
                cursor.execute(statement)
            _timed(report, "merge: rebuild indexes", began)
        else:
            cursor.execute(sql("insert_incidents"))
            _timed(report, "merge: insert new incidents", began)
    else:
        cursor.execute(sql(f"merge_{kind}"))
        report.loaded, report.updated = cursor.fetchone()
        _timed(report, "merge", began)
    report.unchanged = staged.staged - report.loaded - report.updated


def _worth_bulk(cursor, new_rows: int) -> bool:
    """Whether rebuilding fact_incident's indexes beats inserting into them: for a
    backfill, not a day's export (readers of the table wait while the indexes are gone,
    see warehouse/bulk.py)."""
    if new_rows < BULK_MIN_ROWS:
        return False
    cursor.execute(
        "SELECT coalesce(sum(row_count), 0)::bigint FROM rollup_freshness"
        " WHERE table_name = 'fact_incident'"
    )
    held = cursor.fetchone()[0]
    return new_rows >= BULK_SHARE * (held + new_rows)


def _write_quarantine(cursor, load_id: int, source: str, rejected: list) -> None:
    if not rejected:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for line_no, reason, raw in sorted(rejected, key=lambda r: r[0]):
        writer.writerow((load_id, source, line_no, reason, json.dumps(raw, ensure_ascii=False)))
    buffer.seek(0)
    cursor.copy_expert(
        "COPY ingest_quarantine (load_id, source, line_no, reason, raw_values)"
        " FROM STDIN WITH (FORMAT csv)",
        buffer,
    )


def _record_failure(engine: Engine, report: LoadReport) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ingest_load (kind, source, finished_at, status, error)"
                " VALUES (%s, %s, clock_timestamp(), 'failed', %s) RETURNING load_id",
                (report.kind or "unknown", str(report.path), report.error),
            )
            report.load_id = cursor.fetchone()[0]
        raw.commit()
    finally:
        raw.close()


def ingest_file(
    engine: Engine,
    path: Path,
    kind: str,
    *,
    dry_run: bool = False,
    pseudonymiser: Pseudonymiser | None = None,
    progress: Progress = to_stderr,
    now: datetime | None = None,
) -> LoadReport:
    report = LoadReport(path=path, kind=kind, dry_run=dry_run)
    started = time.perf_counter()
    pseudonymiser = pseudonymiser or Pseudonymiser()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Not waiting for the WAL flush at commit: a crash right after it can lose
        # this whole load (never part of it: one transaction), which is then re-run.
        cursor.execute("SET LOCAL synchronous_commit = off")
        # One loader at a time: concurrent upserts of the same ids would race.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('cockpit-ingest'))")
        cursor.execute(
            "INSERT INTO ingest_load (kind, source) VALUES (%s, %s) RETURNING load_id",
            (kind, str(path)),
        )
        report.load_id = cursor.fetchone()[0]
        table = read_table(path)
        report.encoding = table.encoding
        context = load_context(cursor, pseudonymiser, now or datetime.now(SHANGHAI))
        staged = StagedRows(path, kind, table, context, report, progress)
        cursor.execute("SAVEPOINT before_facts")
        cursor.execute(sql(f"stage_{kind}"))
        began = time.perf_counter()
        # Staged timestamps carry their zone, except the vectorised incident rows'
        # (UTC without one, see ingest/fast.py): read them as UTC, then restore.
        cursor.execute("SELECT current_setting('TimeZone')")
        zone = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('TimeZone', 'UTC', true)")
        cursor.copy_expert(
            f"COPY stage ({staged.copy_columns}) FROM STDIN WITH (FORMAT csv)", staged
        )
        cursor.execute("SELECT set_config('TimeZone', %s, true)", (zone,))
        _analyze_sampled(cursor, "stage")  # the merges' join plans need its size
        newest = None
        if kind in NEWEST_EVENT:
            cursor.execute(f"SELECT max({NEWEST_EVENT[kind]}) FROM stage")
            newest = cursor.fetchone()[0]
        _timed(report, "read, validate, COPY to staging", began)
        _merge(cursor, kind, report, staged)
        began = time.perf_counter()
        cursor.execute("SELECT refresh_rollups()")
        began = _timed(report, "rollups", began)
        if dry_run:
            cursor.execute("ROLLBACK TO SAVEPOINT before_facts")
        report.quarantined.update(reason.split(":", 1)[0] for _, reason, _ in staged.rejected)
        _write_quarantine(cursor, report.load_id, str(path), staged.rejected)
        _timed(report, "quarantine", began)
        report.status = "dry_run" if dry_run else "done"
        report.seconds = time.perf_counter() - started
        cursor.execute(
            "UPDATE ingest_load SET finished_at = clock_timestamp(), rows_read = %s,"
            " rows_loaded = %s, rows_updated = %s, rows_unchanged = %s,"
            " rows_quarantined = %s, newest_event_at = %s, status = %s WHERE load_id = %s",
            (
                report.rows_read, report.loaded, report.updated, report.unchanged,
                report.quarantined_total, newest, report.status, report.load_id,
            ),
        )  # fmt: skip
        raw.commit()
    except FileError as error:
        raw.rollback()
        _fail(report, error.problem, started)
    except Exception as error:  # a database refusal: the file's transaction is undone
        raw.rollback()
        if not hasattr(error, "pgerror"):
            raise
        _fail(report, str(error).strip().splitlines()[0], started)
    finally:
        raw.close()
    if report.status == "failed":
        _record_failure(engine, report)
    return report


def _fail(report: LoadReport, problem: str, started: float) -> None:
    report.status = "failed"
    report.error = problem
    report.rows_read = report.loaded = report.updated = report.unchanged = 0
    report.quarantined.clear()
    report.seconds = time.perf_counter() - started


def plan(paths: list[Path], kind: str | None) -> list[tuple[Path, str | None]]:
    """The files to load with their kinds, reference kinds first."""
    files = [(path, kind or kind_from_filename(path)) for path in expand_paths(paths)]
    order = {name: n for n, name in enumerate(LOAD_ORDER)}
    return sorted(files, key=lambda f: (order.get(f[1], -1), str(f[0])))


def ingest(
    engine: Engine,
    paths: list[Path],
    *,
    kind: str | None = None,
    dry_run: bool = False,
    progress: Progress = to_stderr,
    now: datetime | None = None,
) -> list[LoadReport]:
    """Load files and folders; one report per file (failed files included)."""
    pseudonymiser = Pseudonymiser()
    reports = []
    for path, file_kind in plan(paths, kind):
        if file_kind is None:
            report = LoadReport(path=path, kind=None, dry_run=dry_run)
            _fail(
                report,
                "cannot tell the kind from the file name; start it with one of "
                f"{', '.join(LOAD_ORDER)} or pass --kind",
                time.perf_counter(),
            )
            reports.append(report)
            continue
        if not path.exists():
            report = LoadReport(path=path, kind=file_kind, dry_run=dry_run)
            _fail(report, "no such file or folder", time.perf_counter())
            reports.append(report)
            continue
        progress(f"{path}: loading as {file_kind}…")
        reports.append(
            ingest_file(
                engine,
                path,
                file_kind,
                dry_run=dry_run,
                pseudonymiser=pseudonymiser,
                progress=progress,
                now=now,
            )  # fmt: skip
        )
    return reports
