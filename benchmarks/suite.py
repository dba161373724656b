"""The benchmark suite: every DESIGN §7 budget measured on a demo warehouse, printed as
one markdown table (progress goes to stderr).

    scripts/bench [--scale district|small|city] [--repeat 5] [--ingest-rows N]
                  [--home DIR] [--keep] [--reuse] [--write-results] [--skip STEP …]

Steps: page script runs (cold and warm, bytes per rerun) and the queries they ran;
every page fully painted in headless Chromium (first visit and revisits);
the rollup figures against the same figures from the raw facts (a mismatch fails the
suite); the incremental refresh of a 10k-row delta (rolled back); ingest rows/s into
a scratch database. The warehouse is an embedded one in --home (default: a temporary
folder, deleted at the end unless --keep), loaded with `cockpit demo --scale S
--replace` unless --reuse finds that scale there already. Exit status 1 when a page
raised, a figure or rollup mismatched, or a load failed; budgets only set verdicts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as benchmarks/suite.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text  # noqa: E402

from benchmarks import ingest_step, keeping, page_runs, paint, refresh, rollups  # noqa: E402
from benchmarks.table import Row, render  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
STEPS = ("pages", "paint", "figures", "refresh", "keep", "ingest")
COUNTED = (
    "dim_community",
    "dim_grid",
    "dim_facility",
    "fact_incident",
    "fact_service_visit",
    "ledger_journal",
    "ledger_entry",
)
DELTA_ROWS = 10_000


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["district", "small", "city"], default="district")
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="cold runs per page, runs per figure query and refreshes "
        "(warm page runs: twice as many)",
    )
    parser.add_argument(
        "--ingest-rows",
        type=int,
        help="incident rows to ingest (default 200,000; small scale 20,000)",
    )
    parser.add_argument("--home", type=Path, help="warehouse folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary warehouse folder")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the demo in --home if it already has this scale"
    )
    parser.add_argument(
        "--write-results",
        action="store_true",
        help="also write benchmarks/results/<scale>-<date>.md (-b, -c… if taken)",
    )
    parser.add_argument("--skip", nargs="+", choices=STEPS, default=[], metavar="STEP")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.ingest_rows is None:
        args.ingest_rows = 20_000 if args.scale == "small" else 200_000
    return args


def prepare_warehouse(scale: str, reuse: bool) -> None:
    """`cockpit init`, then `cockpit demo --scale S --replace` unless reusable."""
    from cockpit_cli.main import main as cockpit
    from warehouse.db import owner_engine

    if cockpit(["init"]) != 0:
        raise SystemExit("cockpit init failed")
    if reuse:
        engine = owner_engine()
        with engine.connect() as connection:
            loaded = connection.execute(
                text("SELECT value->>'scale' FROM warehouse_meta WHERE key = 'demo'")
            ).scalar()
        engine.dispose()
        if loaded == scale:
            say(f"reusing the {scale} demo in {os.environ['COCKPIT_HOME']}")
            return
    try:
        status = cockpit(["demo", "--scale", scale, "--replace"])
    except SystemExit as error:  # argparse: this checkout's cockpit lacks the scale
        raise SystemExit(f"`cockpit demo --scale {scale}` is not available here") from error
    if status != 0:
        raise SystemExit(f"cockpit demo --scale {scale} failed ({status})")


def row_counts(owner: Engine) -> dict[str, int]:
    with owner.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in COUNTED
        }


def run_steps(owner: Engine, reader: Engine, server, args) -> tuple[list[Row], list[str]]:
    """The table's rows and the problems (exceptions, mismatches, failed loads)."""
    from data_access.period import today_local

    rows, problems = [], []
    # one set of accounts: for a warehouse without demo street or community accounts,
    # asking again would make new passwords for the bench accounts
    accounts = page_runs.viewer_accounts(owner)
    viewers = page_runs.sign_in_viewers(owner, accounts)
    if "pages" not in args.skip:
        results = page_runs.measure_pages(
            viewers, args.repeat, 2 * args.repeat, say=say, owner=owner
        )
        rows += page_runs.page_rows(results) + page_runs.query_rows(results)
        problems += [f"page {r.page} as {r.viewer}: {e}" for r in results for e in r.errors]
    if "paint" not in args.skip and not paint.available():
        say("paint: skipped, no /usr/bin/chromium (apt-get install chromium)")
    elif "paint" not in args.skip:
        painted = paint.measure_paint(accounts, args.repeat, say=say)
        rows += paint.paint_rows(painted)
        problems += [f"paint {p.path} as {p.viewer}: {e}" for p in painted for e in p.errors]
    if "figures" not in args.skip:
        say("figures: rollups against the raw facts…")
        as_of = today_local() - timedelta(days=1)
        checks = rollups.compare_figures(reader, viewers["district"], as_of, args.repeat)
        rows += rollups.figure_rows(checks)
        problems += [f"{c.figure} {c.days} d MISMATCH {d}" for c in checks for d in c.differences]
    if "refresh" not in args.skip:
        say(f"incremental rollup of a {DELTA_ROWS:,}-row delta…")
        refreshed = refresh.incremental_refresh(owner, DELTA_ROWS, args.repeat)
        rows += refresh.refresh_rows(refreshed)
        if max(refreshed.mismatched_days) or max(refreshed.pending_after):
            problems.append("incremental refresh: rollups differ from the facts after refresh")
    if "keep" not in args.skip:
        say("kept whole-city results computed again, as after a load…")
        keeping_result = keeping.measure_keep(
            owner, reader.url.render_as_string(hide_password=False)
        )
        rows += keeping.keep_rows(keeping_result)
        if (
            keeping_result.current_after
            != keeping_result.kept_before - keeping_result.report.dropped
        ):
            problems.append("keep: kept results left outdated after the keeper")
    if "ingest" not in args.skip:
        say(f"ingest of {args.ingest_rows:,} incident rows into a scratch database…")
        loaded = ingest_step.measure_ingest(server, args.ingest_rows)
        rows += ingest_step.ingest_rows(loaded)
        if loaded.incidents_in_table != args.ingest_rows - loaded.first.quarantined_total:
            problems.append(f"ingest: {loaded.incidents_in_table:,} rows in the table")
        for report in (loaded.first, loaded.again):
            if report.status != "done":
                problems.append(f"ingest failed: {report.error}")
    return rows, problems


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _lines("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    mem_kb = next(
        (int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal:")),
        0,
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {mem_kb / 1024**2:.1f} GiB RAM, {cpu}; load average {load}"


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def results_path(scale: str, today: str, folder: Path = RESULTS) -> Path:
    """<scale>-<date>.md, or the first of -b, -c, … not yet taken: a second run the same
    day must not overwrite the first (committed) one."""
    path = folder / f"{scale}-{today}.md"
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        if not path.exists():
            return path
        path = folder / f"{scale}-{today}-{suffix}.md"
    raise SystemExit(f"26 results files for {scale} on {today} already: move some away")


def write_results(scale: str, counts: dict, table: str, argv: list[str]) -> Path:
    today = datetime.now().date().isoformat()
    RESULTS.mkdir(exist_ok=True)
    path = results_path(scale, today)
    counted = ", ".join(f"{name} {count:,}" for name, count in counts.items())
    path.write_text(
        f"# Benchmarks: {scale} scale, {today}\n\n"
        f"- machine: {machine()}\n"
        f"- scale: {scale}; rows: {counted}\n"
        f"- command: `scripts/bench {' '.join(argv)}`\n\n"
        f"{table}\n",
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="cockpit-bench-"))
    os.environ["COCKPIT_HOME"] = str(home.resolve())
    for variable in ("DATABASE_URL", "COCKPIT_OWNER_URL"):  # always the embedded one in home
        os.environ.pop(variable, None)

    from data_access.runner import reader_engine
    from warehouse.db import embedded_server, owner_engine, reader_url
    from warehouse.server import ServerManager

    manager = ServerManager(home.resolve())
    was_running = manager.is_running()
    try:
        with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the table
            prepare_warehouse(args.scale, args.reuse)
        owner = owner_engine()
        counts = row_counts(owner)
        say("rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
        rows, problems = run_steps(owner, reader_engine(reader_url()), embedded_server(), args)
        owner.dispose()
        table = render(rows)
        print(table)
        if args.write_results:
            say(f"written to {write_results(args.scale, counts, table, argv)}")
        for problem in problems:
            say(f"PROBLEM: {problem}")
        return 1 if problems else 0
    finally:
        if not was_running:
            manager.stop()
        if args.home is None and not args.keep:
            shutil.rmtree(home, ignore_errors=True)
        elif args.home is None:
            say(f"kept the warehouse in {home}")


if __name__ == "__main__":
    sys.exit(main())
