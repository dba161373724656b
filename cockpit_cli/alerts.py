"""`cockpit alerts …` (督办 alerts and their notices) and `cockpit calendar …` (the
working calendar due dates are counted over), issue [11]; docs/alerts.md.

Exit codes: 0 ok; 1 a notice failed or a channel is malformed or not configured (the
others were still served); 2 usage or setup error.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime

LIST_COLUMNS = [
    "level", "since", "hours_since", "act_by", "act_by_name", "street_name", "community_code",
    "community_name", "incident_id", "category_name", "grid_name", "reported_at", "due_at",
    "escalate_at", "acked_by", "acked_at",
]  # fmt: skip


def _owner_engine():
    from warehouse.db import owner_engine

    return owner_engine()


def _load_config(path):
    from pathlib import Path

    from notices.config import ConfigError, load

    try:
        return load(Path(path) if path else None)
    except ConfigError as error:
        print(f"cockpit: {error}", file=sys.stderr)
        return None


def _scope_codes(engine, code: str | None) -> list[str] | None:
    from sqlalchemy import text

    if code in (None, "district"):
        return None
    with engine.connect() as connection:
        codes = (
            connection.execute(
                text(
                    "SELECT community_code FROM dim_community"
                    " WHERE community_code = :c OR street_code = :c ORDER BY 1"
                ),
                {"c": code},
            )
            .scalars()
            .all()
        )
    if not codes:
        raise ValueError(f"no street or community with code {code!r}")
    return codes


def _warn_calendar(engine, config) -> None:
    from warehouse.workdays import provisional

    warning = provisional(engine, config.ladder.escalate_work_days).warning()
    if warning:
        print(f"warning: {warning}", file=sys.stderr)


def cmd_alerts_list(args) -> int:
    from notices.sender import LEVEL_NAMES, current_alerts

    config = _load_config(args.config)
    if config is None:
        return 2
    engine = _owner_engine()
    try:
        codes = _scope_codes(engine, args.scope)
    except ValueError as error:
        print(f"cockpit: {error}", file=sys.stderr)
        return 2
    now = datetime.now().astimezone()  # aware: compared with the alerts' instants
    alerts = current_alerts(engine, config, scope_codes=codes)
    acks = _acks(engine)
    for alert in alerts:
        alert["hours_since"] = round((now - alert["since"]).total_seconds() / 3600.0, 1)
        ack = acks.get((alert["community_code"], alert["incident_id"], alert["level"]))
        alert["acked_by"], alert["acked_at"] = ack if ack else (None, None)
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(LIST_COLUMNS)
        for alert in alerts:
            writer.writerow(["" if alert[c] is None else _cell(alert[c]) for c in LIST_COLUMNS])
    else:
        for alert in alerts:
            acked = f"  已确认 {alert['acked_by']}" if alert["acked_by"] else ""
            print(
                f"{LEVEL_NAMES[alert['level']]} {alert['level']:9} {alert['hours_since']:>7.1f} h"
                f"  {alert['community_name']} {alert['incident_id']} {alert['category_name']}"
                f"  due {_cell(alert['due_at'])} → {alert['act_by']}{acked}"
            )
        counts = {level: sum(a["level"] == level for a in alerts) for level in LEVEL_NAMES}
        print(", ".join(f"{LEVEL_NAMES[k]} {k} {v}" for k, v in counts.items()))
    _warn_calendar(engine, config)
    return 0


def _cell(value) -> str:
    """A value as printed: instants in Asia/Shanghai, whatever the machine's zone."""
    from data_access.period import LOCAL

    if isinstance(value, datetime):
        return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _acks(engine) -> dict:
    from sqlalchemy import text

    with engine.connect() as connection:
        return {
            (row.community_code, row.incident_id, row.level): (row.acked_by, row.acked_at)
            for row in connection.execute(
                text(
                    "SELECT community_code, incident_id, level, acked_by, acked_at"
                    " FROM fact_alert_ack"
                )
            )
        }


def cmd_alerts_send(args) -> int:
    from notices.sender import send

    config = _load_config(args.config)
    if config is None:
        return 2
    engine = _owner_engine()
    report = send(engine, config, dry_run=args.dry_run, baseline=args.baseline,
                  say=lambda message: print(message, flush=True))  # fmt: skip
    if args.dry_run:
        return 0 if not report.errors else 1
    if report.locked_out:
        return 0
    print(
        f"alerts send: {report.sent} sent, {report.recorded} recorded, {report.failed} failed "
        f"attempt(s), {report.given_up} given up, {report.pending} pending"
        + (" (baseline: recorded as skipped, nothing sent)" if args.baseline else "")
    )
    _warn_calendar(engine, config)
    return 0 if report.ok else 1


def cmd_calendar(args) -> int:
    from warehouse import workdays

    engine = _owner_engine()
    try:
        if args.action == "sync":
            changed, years = workdays.sync(engine)
            print(f"calendar synced from chinese-calendar: {changed} day(s), {years} year(s) added")
        elif args.action == "set":
            workdays.set_day(engine, args.day, args.what == "workday", args.note)
            print(f"{args.day} is now a {args.what} (operator)")
        elif args.action == "year":
            workdays.add_year(engine, args.year)
            print(f"{args.year} is now known to the working calendar")
        elif args.action == "hours":
            workdays.set_periods(engine, workdays.parse_periods(args.periods))
            print("working periods set")
        elif args.action == "due":
            from data_access.period import LOCAL

            reported = args.reported
            if reported.tzinfo is None:  # naive times are Asia/Shanghai (DESIGN §4)
                reported = reported.replace(tzinfo=LOCAL)
            due, gaps = workdays.due_at(engine, reported, args.amount, args.unit)
            print(_cell(due))
            if gaps:
                years = ", ".join(str(y) for y in gaps)
                print(f"warning: working calendar does not know {years}: counted Monday-Friday "
                      "(provisional)", file=sys.stderr)  # fmt: skip
            return 0
        return _show_calendar(engine, args)
    except workdays.CalendarError as error:
        print(f"cockpit: {error}", file=sys.stderr)
        return 2


def _show_calendar(engine, args) -> int:
    from sqlalchemy import text

    from warehouse import workdays

    periods = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in workdays.periods(engine))
    print(f"working periods: {periods}")
    with engine.connect() as connection:
        years = connection.execute(text("SELECT year, source FROM dim_work_year ORDER BY 1")).all()
        known = [y for y, _ in years]
        print(f"known years: {known[0]}-{known[-1]}" if known else "known years: none")
        operator_years = [str(y) for y, source in years if source == "operator"]
        if operator_years:
            print(f"  added by an operator: {', '.join(operator_years)}")
        year = getattr(args, "year", None) or date.today().year
        for row in connection.execute(
            text(
                "SELECT day, is_workday, source, note FROM dim_workday"
                " WHERE extract(year FROM day) = :y ORDER BY day"
            ),
            {"y": year},
        ):
            kind = "make-up workday 调休" if row.is_workday else "holiday"
            print(f"{row.day} {row.day:%a} {kind:20} {row.note or ''} ({row.source})")
        if year not in known:
            print(f"warning: {year} is not known: counted Monday-Friday", file=sys.stderr)
    return 0


def register(commands) -> None:
    alerts = commands.add_parser("alerts", help="督办 alerts: list them, send their notices")
    actions = alerts.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="print the open alerts")
    listing.add_argument(
        "--scope", metavar="CODE", help="a street or community code (default: all)"
    )
    listing.add_argument("--format", choices=["text", "csv"], default="text")
    listing.add_argument("--config", help="alerts configuration (default config/alerts.toml)")
    listing.set_defaults(func=cmd_alerts_list)
    sending = actions.add_parser(
        "send", help="deliver new alerts to the channels of config/alerts.toml (for cron)"
    )
    sending.add_argument("--dry-run", action="store_true", help="print what would be sent")
    sending.add_argument(
        "--baseline",
        action="store_true",
        help="record the current alerts as already notified, sending nothing (first run)",
    )
    sending.add_argument("--config", help="alerts configuration (default config/alerts.toml)")
    sending.set_defaults(func=cmd_alerts_send)

    calendar = commands.add_parser("calendar", help="the working calendar (holidays, 调休)")
    steps = calendar.add_subparsers(dest="action", required=True)
    show = steps.add_parser("show", help="working periods, known years, a year's exceptions")
    show.add_argument("year", type=int, nargs="?")
    steps.add_parser("sync", help="add what the installed chinese-calendar package knows")
    day = steps.add_parser("set", help="an operator's holiday or make-up workday")
    day.add_argument("day", type=date.fromisoformat, metavar="YYYY-MM-DD")
    day.add_argument("what", choices=["holiday", "workday"])
    day.add_argument("--note")
    year = steps.add_parser("year", help="mark a year's holidays and make-up workdays as entered")
    year.add_argument("year", type=int)
    hours = steps.add_parser("hours", help="set the working periods, e.g. 08:30-12:00 13:30-17:30")
    hours.add_argument("periods", nargs="+", metavar="HH:MM-HH:MM")
    due = steps.add_parser("due", help="compute a due date")
    due.add_argument("reported", type=datetime.fromisoformat, metavar="YYYY-MM-DDTHH:MM")
    due.add_argument("amount", type=int)
    due.add_argument("unit", choices=["hours", "work_hours", "work_days"])
    calendar.set_defaults(func=cmd_calendar)
