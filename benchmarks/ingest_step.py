"""Ingest against the machine's own limit (DESIGN §7, issue [13]): benchmarks/ingest_bench.py's
incidents file loaded by `cockpit ingest`'s loader into a scratch database on the same
server (created, migrated and dropped here, so the warehouse being benchmarked is never
touched), then the same rows written by a bare `COPY` into the same table, in the same
run. The budget is the ratio of the two rates, at least 0.8.

What the bare COPY is, exactly (`bare_copy`): the rows the first load left in
`fact_incident` (every column, as CSV: the form the loader's own staging COPY uses) are
read out, and in one transaction that is rolled back afterwards `fact_incident` is
truncated, its user triggers are disabled (a bare COPY does none of the warehouse's
bookkeeping: no dirty days, no freshness, no deltas) and the CSV is sent through
`COPY fact_incident FROM STDIN`. So it writes the same rows into the same empty table with
its primary key and all its secondary indexes in place (six since migration 032; inserted
into, row by row, as any COPY into an indexed table does). Only the COPY statement is
timed; the loader's seconds run from opening the file to its commit.
"""

from __future__ import annotations

import io
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from benchmarks.ingest_files import write_incidents, write_reference
from benchmarks.table import INGEST_ROWS_PER_S, Row
from ingest.load import ingest
from ingest.report import LoadReport
from warehouse.config import OWNER_ROLE
from warehouse.migrate import migrate
from warehouse.server import SUPERUSER, EmbeddedServer

SCRATCH_DATABASE = "cockpit_bench_ingest"
INGEST_RATIO = 0.8  # DESIGN §7: cockpit ingest ≥ 0.8 × a bare COPY, measured in one run
TARGET = "fact_incident"
# The table's rows in one order, hashed: the bare COPY must leave the table as the loader did.
CHECKSUM = (
    f"SELECT md5(string_agg(t::text, E'\\n' ORDER BY community_code, incident_id)) FROM {TARGET} t"
)


@dataclass
class BareCopy:
    """`COPY fact_incident FROM STDIN` of the rows the loader wrote (rolled back)."""

    rows: int  # rows the COPY reported written
    seconds: float  # the COPY statement alone
    csv_bytes: int
    same_rows: bool  # the table's checksum after the COPY equals the one after the load
    indexes: int  # indexes on the table during the COPY (primary key included)
    wal_level: str  # 'minimal' would let a COPY after TRUNCATE skip the WAL

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class IngestResult:
    rows: int  # generated
    first: LoadReport  # all new
    again: LoadReport  # the same file, all unchanged
    incidents_in_table: int  # fact_incident rows after both loads
    bare: BareCopy | None = None  # the same rows by a bare COPY, same run

    def ratio(self, report: LoadReport) -> float:
        """The loader's rows/s over the bare COPY's (0 when either is missing)."""
        if self.bare is None or not self.bare.rows_per_second:
            return 0.0
        return report.rows_per_second / self.bare.rows_per_second


def _admin(server: EmbeddedServer, statement: str) -> None:
    admin = create_engine(server.url(SUPERUSER, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def bare_copy(engine: Engine) -> BareCopy:
    """Time a bare COPY of fact_incident's rows into fact_incident, emptied, with its
    keys and indexes, in a transaction that is rolled back (module docstring)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SHOW wal_level")
        wal_level = cursor.fetchone()[0]
        cursor.execute(CHECKSUM)
        loaded_checksum = cursor.fetchone()[0]
        cursor.execute(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (TARGET,),
        )
        columns = cursor.fetchone()[0]
        out = io.BytesIO()
        cursor.copy_expert(f"COPY {TARGET} ({columns}) TO STDOUT WITH (FORMAT csv)", out)
        data = out.getvalue()
        raw.rollback()  # the export's snapshot is not the COPY's transaction

        cursor.execute(f"TRUNCATE {TARGET}")
        cursor.execute(f"ALTER TABLE {TARGET} DISABLE TRIGGER USER")
        cursor.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass AND indisvalid",
            (TARGET,),
        )
        indexes = cursor.fetchone()[0]
        began = time.perf_counter()
        cursor.copy_expert(
            f"COPY {TARGET} ({columns}) FROM STDIN WITH (FORMAT csv)", io.BytesIO(data)
        )
        seconds = time.perf_counter() - began
        written = cursor.rowcount
        cursor.execute(CHECKSUM)
        same = cursor.fetchone()[0] == loaded_checksum
        raw.rollback()  # the loader's rows and triggers as they were
        return BareCopy(written, seconds, len(data), same, indexes, wal_level)
    finally:
        raw.close()


def measure_ingest(server: EmbeddedServer, rows: int) -> IngestResult:
    _admin(server, f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')
    _admin(server, f'CREATE DATABASE "{SCRATCH_DATABASE}" OWNER {OWNER_ROLE}')
    engine = create_engine(server.url(OWNER_ROLE, SCRATCH_DATABASE))
    try:
        migrate(engine)
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-ingest-") as folder:
            work = Path(folder)
            (work / "reference").mkdir()
            write_reference(work / "reference")
            ingest(engine, [work / "reference"], progress=lambda message: None)
            data = work / "incidents_bench.csv"
            write_incidents(data, rows)
            [first] = ingest(engine, [data], progress=lambda message: None)
            [again] = ingest(engine, [data], progress=lambda message: None)
        bare = bare_copy(engine) if first.status == "done" else None
        with engine.connect() as connection:
            count = connection.execute(text(f"SELECT count(*) FROM {TARGET}")).scalar_one()
        return IngestResult(rows, first, again, count, bare)
    finally:
        engine.dispose()
        _admin(server, f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')


def _loaded_fine(report: LoadReport) -> bool:
    return report.status == "done" and report.adds_up


def ingest_rows(result: IngestResult) -> list[Row]:
    """The loader's two loads (absolute rows/s; 150k is the projection for an 8-core
    server, docs/ingest.md), the bare COPY of the same rows, and the budgeted ratios."""
    rows = []
    loads = (
        ("first load, all new", result.first),
        ("same file again, all unchanged", result.again),
    )
    for label, report in loads:
        rate = report.rows_per_second
        rows.append(
            Row(
                "ingest rows/s",
                f"{label}: {report.rows_read:,} incidents in {report.seconds:.1f} s "
                f"({report.loaded:,} loaded, {report.unchanged:,} unchanged, "
                f"{report.quarantined_total:,} quarantined)",
                1,
                f"{rate:,.0f}/s",
                f"{rate:,.0f}/s",
                f"8-core projection ≥ {INGEST_ROWS_PER_S:,}/s",
                ("—" if _loaded_fine(report) else "FAILED"),
            )
        )
    bare = result.bare
    if bare is None:
        return rows
    copied = bare.rows == result.first.loaded and bare.same_rows
    rows.append(
        Row(
            "bare COPY rows/s",
            f"the first load's {bare.rows:,} rows ({bare.csv_bytes / 1e6:,.1f} MB CSV) by "
            f"COPY into empty {TARGET} with its {bare.indexes} indexes, triggers off, "
            f"rolled back; wal_level {bare.wal_level}",
            1,
            f"{bare.rows_per_second:,.0f}/s",
            f"{bare.rows_per_second:,.0f}/s",
            "—",
            "—" if copied else "FAILED",
        )
    )
    for label, report in loads:
        ratio = result.ratio(report)
        fine = _loaded_fine(report) and copied
        rows.append(
            Row(
                "ingest / bare COPY",
                f"{label}: {report.rows_per_second:,.0f} over {bare.rows_per_second:,.0f} rows/s",
                1,
                f"{ratio:.2f}",
                f"{ratio:.2f}",
                f"≥ {INGEST_RATIO}",
                ("ok" if ratio >= INGEST_RATIO else "UNDER") if fine else "FAILED",
            )
        )
    return rows
