"""Benchmark (not a test): generate an incidents CSV of N rows (default 1M) over a few
communities, load it with `cockpit ingest`'s loader into a throwaway database, then
load it again (everything unchanged), and print rows/s in total and per phase (read +
validate + COPY to staging, merge, rollups, quarantine); then write the first load's rows
by a bare COPY into the same table (benchmarks/ingest_step.py's `bare_copy`: emptied,
its indexes in place, rolled back) and print the ratio. Budget (DESIGN §7): the loader
≥ 0.8 × the bare COPY, measured in one run; 150k rows/s is the projection for an 8-core
server (docs/ingest.md).

    .venv/bin/python benchmarks/ingest_bench.py [--rows 1000000] [--keep]

Runs its own embedded PostgreSQL in a temporary folder (COCKPIT_PG_BIN is honoured).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.ingest_files import write_incidents, write_reference  # noqa: E402
from benchmarks.ingest_step import INGEST_RATIO, bare_copy  # noqa: E402
from ingest.load import ingest  # noqa: E402
from warehouse.config import OWNER_ROLE  # noqa: E402
from warehouse.migrate import migrate  # noqa: E402
from warehouse.server import SUPERUSER, ServerManager  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cockpit-ingest-bench-"))
    os.environ["COCKPIT_HMAC_KEY"] = "benchmark"
    pg_bin = os.environ.get("COCKPIT_PG_BIN")
    manager = ServerManager(work / "home", Path(pg_bin) if pg_bin else None)
    server = manager.ensure_running()
    try:
        admin = create_engine(server.url(SUPERUSER, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE bench OWNER {OWNER_ROLE}"))
        admin.dispose()
        engine = create_engine(server.url(OWNER_ROLE, "bench"))
        migrate(engine)
        reference = work / "reference"
        reference.mkdir()
        write_reference(reference)
        ingest(engine, [reference], progress=lambda message: None)

        data = work / "incidents_bench.csv"
        began = time.perf_counter()
        write_incidents(data, args.rows)
        print(f"generated {args.rows:,} rows ({data.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip

        results = []
        for label in ("first load (all new)", "same file again (all unchanged)"):
            [report] = ingest(engine, [data], progress=lambda message: print(message))
            assert report.status == "done", report.error
            assert report.adds_up
            results.append((label, report))

        bare = bare_copy(engine)
        assert bare.same_rows and bare.rows == results[0][1].loaded
        with engine.connect() as connection:
            log_rows = connection.execute(
                text("SELECT count(*) FROM fact_incident_status_log")
            ).scalar_one()

        print()
        print(f"| {'load':<32} | {'rows':>9} | {'loaded':>9} | {'unchanged':>9} "
              f"| {'quarantined':>11} | {'seconds':>7} | {'rows/s':>8} |")  # fmt: skip
        print(f"|{'-' * 34}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 13}|{'-' * 9}|{'-' * 10}|")
        for label, r in results:
            print(
                f"| {label:<32} | {r.rows_read:>9,} | {r.loaded:>9,} | {r.unchanged:>9,} "
                f"| {r.quarantined_total:>11,} | {r.seconds:>7.2f} | {r.rows_per_second:>8,.0f} |"
            )
        print()
        print("Per phase (rows/s = input rows / the phase's seconds):")
        print(f"| {'phase':<32} | {'load':<32} | {'seconds':>7} | {'rows/s':>10} |")
        print(f"|{'-' * 34}|{'-' * 34}|{'-' * 9}|{'-' * 12}|")
        for label, r in results:
            for phase, seconds in [*r.phases.items(), ("total", r.seconds)]:
                rate = r.rows_read / seconds if seconds > 0 else 0
                print(f"| {phase:<32} | {label:<32} | {seconds:>7.2f} | {rate:>10,.0f} |")
        print(
            f"\nbare COPY of the first load's {bare.rows:,} rows into empty fact_incident "
            f"({bare.indexes} indexes, triggers off, wal_level {bare.wal_level}): "
            f"{bare.seconds:.2f} s, {bare.rows_per_second:,.0f} rows/s"
        )
        for label, r in results:
            ratio = r.rows_per_second / bare.rows_per_second
            verdict = "ok" if ratio >= INGEST_RATIO else "UNDER"
            print(f"{label}: {ratio:.2f} × the bare COPY (budget ≥ {INGEST_RATIO}): {verdict}")
        print(f"status-log rows written by the first load: {log_rows:,}")
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} cores, load average {load}")
    finally:
        manager.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
