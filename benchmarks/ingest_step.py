"""Ingest rows/s: benchmarks/ingest_bench.py's incidents file, loaded by `cockpit ingest`'s
loader into a scratch database on the same server (created, migrated and dropped
here), so the warehouse being benchmarked is never touched."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.ingest_bench import write_incidents, write_reference
from benchmarks.table import INGEST_ROWS_PER_S, Row
from ingest.load import ingest
from ingest.report import LoadReport
from warehouse.config import OWNER_ROLE
from warehouse.migrate import migrate
from warehouse.server import SUPERUSER, EmbeddedServer

SCRATCH_DATABASE = "cockpit_bench_ingest"


@dataclass
class IngestResult:
    rows: int  # generated
    first: LoadReport  # all new
    again: LoadReport  # the same file, all unchanged
    incidents_in_table: int  # fact_incident rows after both loads


def _admin(server: EmbeddedServer, statement: str) -> None:
    admin = create_engine(server.url(SUPERUSER, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


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
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM fact_incident")).scalar_one()
        return IngestResult(rows, first, again, count)
    finally:
        engine.dispose()
        _admin(server, f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')


def ingest_rows(result: IngestResult) -> list[Row]:
    rows = []
    for label, report in (
        ("first load, all new", result.first),
        ("same file again, all unchanged", result.again),
    ):
        rate = report.rows_per_second
        fine = report.status == "done" and report.adds_up
        rows.append(
            Row(
                "ingest rows/s",
                f"{label}: {report.rows_read:,} incidents in {report.seconds:.1f} s "
                f"({report.loaded:,} loaded, {report.unchanged:,} unchanged, "
                f"{report.quarantined_total:,} quarantined)",
                1,
                f"{rate:,.0f}/s",
                f"{rate:,.0f}/s",
                f"≥ {INGEST_ROWS_PER_S:,}/s",
                ("ok" if rate >= INGEST_ROWS_PER_S else "UNDER") if fine else "FAILED",
            )
        )
    return rows
