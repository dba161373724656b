"""The `cockpit` command (DESIGN §3). Exit codes: 0 ok, 1 check failed, 2 usage or setup error."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date


def _owner_engine():
    from warehouse.db import owner_engine

    return owner_engine()


def cmd_init(args) -> int:
    from warehouse.migrate import migrate

    applied = migrate(_owner_engine())
    print("schema up to date" + (f"; applied {', '.join(applied)}" if applied else ""))
    return 0


def cmd_demo(args) -> int:
    from data_access.period import today_local
    from demo.district import DemoExists, load_demo
    from demo.scaled import load_scaled
    from warehouse.migrate import migrate

    engine = _owner_engine()
    migrate(engine)
    started = time.perf_counter()
    options = {
        "seed": args.seed,
        "today": args.today or today_local(),
        "replace": args.replace,
        "progress": lambda message: print(message, flush=True),
    }
    try:
        if args.scale == "district":
            summary = load_demo(engine, **options)
        else:
            summary = load_scaled(engine, scale=args.scale, **options)
    except DemoExists as error:
        print(str(error), file=sys.stderr)
        return 2
    print(f"demo ({args.scale}) loaded in {time.perf_counter() - started:.1f} s: {summary}")
    return 0


def cmd_refresh(args) -> int:
    from warehouse.rollups import refresh

    refreshed = refresh(_owner_engine(), full=args.full)
    print(f"rollups up to date ({refreshed} community-days recomputed)")
    print(_keep_again().line())
    return 0


def _keep_again():
    """Compute again the whole-city results the new rows outdated (data_access/keeper.py)."""
    from data_access.keeper import keep_again
    from warehouse.db import reader_url

    return keep_again(_owner_engine(), reader_url())


def cmd_check(args) -> int:
    from data_access.keeper import check_kept
    from warehouse.checks import record_checks, run_checks
    from warehouse.db import reader_url

    engine = _owner_engine()
    results = [*run_checks(engine), check_kept(reader_url())]
    record_checks(engine, results)
    for result in results:
        mark = "ok  " if result.ok else "FAIL"
        print(f"{mark} {result.name}: {result.detail}")
    return 0 if all(result.ok for result in results) else 1


def cmd_db_url(args) -> int:
    from warehouse.db import owner_url, reader_url

    print(owner_url() if args.owner else reader_url())
    return 0


def cmd_ingest(args) -> int:
    from pathlib import Path

    from ingest.load import ingest
    from ingest.report import summary
    from warehouse.migrate import migrate

    engine = _owner_engine()
    migrate(engine)
    reports = ingest(engine, [Path(p) for p in args.paths], kind=args.kind, dry_run=args.dry_run)
    for report in reports:
        print("\n".join(report.lines()))
    print(summary(reports))
    if not args.dry_run:
        print(_keep_again().line())
    return 1 if any(report.status == "failed" for report in reports) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cockpit", description="社区数字驾驶舱 warehouse tools")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("init", help="create or upgrade the schema").set_defaults(func=cmd_init)

    demo = commands.add_parser("demo", help="load the demo district")
    demo.add_argument(
        "--scale",
        choices=["district", "small", "city"],
        default="district",
        help="district: the ten communities of DOMAIN.md, one year (default); small: 30 "
        "communities, 3 years; city: 3,000 communities in 100 streets, 10M incidents, "
        "20M visits, 40M ledger entries over 3 years (tens of GB, ~20 min)",
    )
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--today", type=date.fromisoformat, help="last day of the demo (YYYY-MM-DD)")
    demo.add_argument("--replace", action="store_true", help="drop all data and load afresh")
    demo.set_defaults(func=cmd_demo)

    refresh = commands.add_parser("refresh", help="bring rollups up to date")
    refresh.add_argument("--full", action="store_true", help="recompute every day")
    refresh.set_defaults(func=cmd_refresh)

    commands.add_parser("check", help="integrity checks").set_defaults(func=cmd_check)

    db_url = commands.add_parser("db-url", help="print the reader's (or owner's) URL")
    db_url.add_argument("--owner", action="store_true")
    db_url.set_defaults(func=cmd_db_url)

    from ingest.contract import LOAD_ORDER

    ingest = commands.add_parser("ingest", help="load export files (CSV/XLSX) and print a report")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    ingest.add_argument("--kind", choices=LOAD_ORDER, help="kind of every file (else the name)")
    ingest.add_argument("--dry-run", action="store_true", help="validate only, load nothing")
    ingest.set_defaults(func=cmd_ingest)

    from cockpit_cli import accounts, alerts, categories

    accounts.register(commands)
    alerts.register(commands)
    categories.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from warehouse.accounts import AccountError
    from warehouse.categories import CategoryError
    from warehouse.db import ConfigurationError
    from warehouse.migrate import MigrationError
    from warehouse.server import ServerError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigurationError, ServerError, MigrationError, AccountError, CategoryError) as error:
        print(f"cockpit: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
