"""Load export files: read, validate (incidents a batch at a time, see ingest/fast.py;
the other kinds row by row) while streaming the good rows through COPY into a TEMP
staging table, merge set-based into the warehouse, quarantine the bad rows, bring the
rollups up to date, record the load. One transaction per file, so a failure leaves
nothing of that file behind.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import Engine

from ingest.contract import KINDS, LOAD_ORDER, kind_from_filename, normalise_header
from ingest.fast import accept_incidents, read_csv_columns, strip
from ingest.privacy import Pseudonymiser, mask_text
from ingest.read import FileError, RawTable, expand_paths, read_table
from ingest.report import LoadReport
from ingest.validate import SHANGHAI, VALIDATORS, Context, Reject, load_context
from sqlfiles import parse
from warehouse.bulk import set_aside

MERGE_SQL = Path(__file__).resolve().parent.parent / "sql" / "ingest" / "merge.sql"
PROGRESS_EVERY = 100_000
BATCH_ROWS = 5_000
FAST_BATCH_ROWS = 50_000
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


def map_header(path: Path, kind: str, header: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """(cell index, column name) for each known column, and the ignored headers.
    A missing required column or a column named twice makes the file unreadable."""
    lookup = KINDS[kind].header_lookup()
    positions, ignored, seen = [], [], {}
    for index, label in enumerate(header):
        name = lookup.get(normalise_header(label))
        if name is None:
            if label.strip():
                ignored.append(label.strip())
            continue
        if name in seen:
            raise FileError(path, f"column {name} appears twice ({seen[name]!r} and {label!r})")
        seen[name] = label
        positions.append((index, name))
    missing = [name for name in KINDS[kind].required if name not in seen]
    if missing:
        raise FileError(
            path,
            f"missing required column(s) for {kind}: {', '.join(missing)} "
            f"(header has: {', '.join(h for h in header if h.strip()) or 'nothing'})",
        )
    return positions, ignored


class StagedRows:
    """A file-like object for COPY: validates input rows as PostgreSQL reads, yielding
    the good ones as CSV and keeping the rejected ones for the quarantine."""

    def __init__(self, path, kind, table: RawTable, context: Context, report, progress):
        self.path = path
        self.kind = kind
        self.table = table
        self.validator = VALIDATORS[kind](context)
        self.pseudonymiser = context.pseudonymiser
        self.positions, report.ignored_columns = map_header(path, kind, table.header)
        self.report = report
        self.progress = progress
        self.rejected: list[tuple[int, str, dict]] = []  # (line, reason, raw values)
        self.staged = 0
        self.keep_raw = kind == "points"
        self.lookup = KINDS[kind].header_lookup()
        self._chunks = self._csv_chunks()

    def read(self, size: int = -1) -> str | bytes:
        """The next batch of CSV lines ("" at the end). psycopg2 sends whatever read()
        returns, so a batch may exceed `size`; slicing it to size would copy the rest
        of the batch on every call."""
        return next(self._chunks, b"" if self.kind == "incidents" else "")

    def raw_values(self, cells: list[str]) -> dict[str, str]:
        """The row as sent, keyed by its header, with identifying numbers hashed or
        masked: the quarantine keeps no ID-card or phone number either."""
        values = {}
        for index, cell in enumerate(cells):
            label = self.table.header[index] if index < len(self.table.header) else f"#{index + 1}"
            name = self.lookup.get(normalise_header(label))
            if name == "resident_ref" and cell:
                cell = self.pseudonymiser.resident_ref(cell.strip())
            values[label] = mask_text(cell)
        return values

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """The input rows with as many cells as the header (short rows padded, empty
        surplus cells dropped); a row with more values than the header is rejected."""
        width = len(self.table.header)
        report = self.report
        for line_no, cells in self.table.rows:
            report.rows_read += 1
            if report.rows_read % PROGRESS_EVERY == 0:
                self.progress(f"  {self.path.name}: {report.rows_read:,} rows read…")
            if len(cells) < width:  # some writers drop trailing empty cells
                cells = cells + [""] * (width - len(cells))
            elif len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    self._reject(line_no, "wrong_column_count", cells)
                    continue
                cells = cells[:width]
            yield line_no, cells

    def _records(self) -> Iterator[tuple]:
        positions = self.positions
        stage = self.validator.stage
        id_column = self.validator.id_column
        seen: set[str] = set()
        for line_no, cells in self._rows():
            record = {name: cells[i].strip() for i, name in positions}
            key = record.get(id_column)
            try:
                if key and key in seen:
                    raise Reject("duplicate_in_file", f"{id_column}={key}")
                row = stage(record)
            except Reject as rejected:
                self._reject(line_no, rejected.reason, cells)
                continue
            if key:
                seen.add(key)
            self.staged += 1
            if self.keep_raw:
                yield (line_no, *row, json.dumps(self.raw_values(cells), ensure_ascii=False))
            else:
                yield (line_no, *row)

    def _batches(self) -> Iterator[tuple[np.ndarray, list[pa.Array]]]:
        """Incident rows a batch at a time: (line numbers, one text array per header
        column). A CSV file is parsed in bulk when its lines are its rows; otherwise
        (and for XLSX) row by row, with the same padding and rejection of long rows."""
        width = len(self.table.header)
        bulk = read_csv_columns(self.table.text, width) if self.table.text is not None else None
        if bulk is None:
            batch = []
            for row in self._rows():
                batch.append(row)
                if len(batch) == FAST_BATCH_ROWS:
                    yield self._as_arrays(batch, width)
                    batch = []
            if batch:
                yield self._as_arrays(batch, width)
            return
        total = len(bulk[0]) if bulk else 0
        for offset in range(0, total, FAST_BATCH_ROWS):
            cells = [column.slice(offset, FAST_BATCH_ROWS) for column in bulk]
            line_numbers = np.arange(offset + 2, offset + 2 + len(cells[0]), dtype=np.int64)
            blank = np.ones(len(line_numbers), dtype=bool)
            for column in cells:  # a row of empty cells is no row (as in read.py)
                blank &= np.asarray(pc.equal(column, "").to_numpy(zero_copy_only=False))
            if blank.any():
                keep = pa.array(~blank)
                cells = [column.filter(keep) for column in cells]
                line_numbers = line_numbers[~blank]
            before = self.report.rows_read
            self.report.rows_read += len(line_numbers)
            if self.report.rows_read // PROGRESS_EVERY > before // PROGRESS_EVERY:
                self.progress(f"  {self.path.name}: {self.report.rows_read:,} rows read…")
            yield line_numbers, cells

    @staticmethod
    def _as_arrays(batch, width: int) -> tuple[np.ndarray, list[pa.Array]]:
        lines = np.array([line for line, _ in batch], dtype=np.int64)
        return lines, [pa.array([c[i] for _, c in batch], pa.string()) for i in range(width)]

    def _incident_chunks(self) -> Iterator[bytes]:
        """Incidents, a batch at a time: the common rows are accepted vectorised
        (ingest/fast.py), the others decided row by row by the validator; either
        way in file order, so the first of two rows with the same id wins."""
        stage = self.validator.stage
        seen: set[str] = set()
        for line_numbers, cells in self._batches():
            columns = {name: strip(cells[i]) for i, name in self.positions}
            split = accept_incidents(line_numbers, columns, self.validator.context)
            exact = np.zeros(len(line_numbers), dtype=bool)
            exact[split.others] = True
            keep = np.ones(split.accepted.num_rows, dtype=bool)
            ids = columns["incident_id"].to_pylist()
            batch_ids = set(ids)
            accepted = 0
            exact_rows = []
            if not len(split.others) and len(batch_ids) == len(ids) and seen.isdisjoint(ids):
                # the usual batch: all accepted, no id twice (the loop below would agree)
                seen |= batch_ids
                self.staged += len(ids)
                ids = []
            for position, key in enumerate(ids):
                line_no = int(line_numbers[position])
                if not exact[position]:
                    if key in seen:
                        keep[accepted] = False
                        self._reject(line_no, f"duplicate_in_file: incident_id={key}",
                                     [column[position].as_py() for column in cells])  # fmt: skip
                    else:
                        seen.add(key)
                        self.staged += 1
                    accepted += 1
                    continue
                try:
                    if key and key in seen:
                        raise Reject("duplicate_in_file", f"incident_id={key}")
                    row = stage(
                        {name: values[position].as_py() for name, values in columns.items()}
                    )
                except Reject as rejected:
                    cells_as_sent = [column[position].as_py() for column in cells]
                    self._reject(line_no, rejected.reason, cells_as_sent)
                    continue
                if key:
                    seen.add(key)
                self.staged += 1
                exact_rows.append((line_no, *row))
            table = split.accepted if keep.all() else split.accepted.filter(pa.array(keep))
            out = io.BytesIO()
            if table.num_rows:
                pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False))
            if exact_rows:
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(exact_rows)
                out.write(text.getvalue().encode("utf-8"))
            yield out.getvalue()

    def _reject(self, line_no: int, reason: str, cells: list[str]) -> None:
        self.rejected.append((line_no, reason, self.raw_values(cells)))

    def _csv_chunks(self) -> Iterator[str | bytes]:
        if self.kind == "incidents":
            yield from self._incident_chunks()
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        rows = 0
        for row in self._records():
            writer.writerow(row)
            rows += 1
            if rows == BATCH_ROWS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                rows = 0
        if rows:
            yield buffer.getvalue()

    @property
    def copy_columns(self) -> str:
        columns = ("line_no", *self.validator.columns) + (("raw",) if self.keep_raw else ())
        return ", ".join(columns)


def _timed(report: LoadReport, phase: str, started: float) -> float:
    """Add the time since `started` to a phase of the report; returns the time now."""
    now = time.perf_counter()
    report.phases[phase] = report.phases.get(phase, 0.0) + now - started
    return now


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
            restore = set_aside(cursor, ["fact_incident"], keys=False)
            began = _timed(report, "merge: set indexes aside", began)
            cursor.execute(sql("insert_incidents"))
            began = _timed(report, "merge: insert new incidents", began)
            # what the disabled triggers would have noted: days to refresh, freshness
            cursor.execute("SELECT note_inserted_incidents('new_incidents')")
            began = _timed(report, "merge: note new incidents' days", began)
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
        cursor.execute("ANALYZE stage")  # the merges' join plans need its size
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
