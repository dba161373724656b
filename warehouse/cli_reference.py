"""`cockpit category …`: the incident categories and their SLA, which the warehouse
keeps. An SLA is given in calendar hours (the default), working hours or working days
(migration 025, docs/alerts.md); working units count over the working calendar of
public holidays and 调休 make-up workdays. An SLA change applies to incidents loaded
afterwards; `cockpit category refresh-due` recomputes the due dates of open incidents
(a due date the source file gave is kept)."""

from __future__ import annotations

from sqlalchemy import text

UNITS = ("hours", "work_hours", "work_days")
UNIT_LABELS = {"hours": "h", "work_hours": "working h", "work_days": "working days"}


class CategoryError(ValueError):
    pass


def list_categories(engine) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT category_code, category_name, sla_hours, sla_unit, sla_work_amount,"
                " is_safety_hazard FROM dim_incident_category ORDER BY sort_order, category_code"
            )
        ).mappings()
        return [dict(row) for row in rows]


def nominal_hours(amount: int, unit: str) -> int:
    """The calendar-hour figure kept in sla_hours for readers that show hours: the SLA
    itself for calendar hours, the working hours, or 24 h per working day."""
    return amount * 24 if unit == "work_days" else amount


def set_sla(engine, category: str, amount: int, unit: str = "hours") -> None:
    if unit not in UNITS:
        raise CategoryError(f"unknown SLA unit {unit!r} (one of {', '.join(UNITS)})")
    if amount <= 0:
        raise CategoryError("SLA must be a positive whole number")
    with engine.begin() as connection:
        changed = connection.execute(
            text(
                "UPDATE dim_incident_category SET sla_hours = :h, sla_unit = :u,"
                " sla_work_amount = :w WHERE category_code = :c OR category_name = :c"
            ),
            {
                "h": nominal_hours(amount, unit),
                "u": unit,
                "w": None if unit == "hours" else amount,
                "c": category,
            },
        ).rowcount
    if not changed:
        raise CategoryError(f"no incident category {category!r} (code or Chinese name)")


def describe(row: dict) -> str:
    if row["sla_unit"] == "hours":
        return f"{row['sla_hours']:>4} h"
    return f"{row['sla_work_amount']:>4} {UNIT_LABELS[row['sla_unit']]}"


def cmd_category(args) -> int:
    from warehouse.db import owner_engine

    engine = owner_engine()
    if args.action == "set-sla":
        set_sla(engine, args.category, args.amount, args.unit)
        print(f"SLA of {args.category} is now {args.amount} {UNIT_LABELS[args.unit]}")
        print("open incidents keep their due dates; `cockpit category refresh-due` recomputes them")
    if args.action == "refresh-due":
        from warehouse.workdays import provisional, refresh_due

        changed = refresh_due(engine)
        print(f"due dates recomputed: {changed} open incident(s) changed")
        warning = provisional(engine).warning()
        if warning:
            import sys

            print(f"warning: {warning}", file=sys.stderr)
        return 0
    for row in list_categories(engine):
        hazard = "  安全隐患类" if row["is_safety_hazard"] else ""
        print(f"{row['category_code']:18} {row['category_name']:6} {describe(row)}{hazard}")
    return 0


def register(commands) -> None:
    category = commands.add_parser("category", help="incident categories and their SLA")
    actions = category.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="list categories with their SLA")
    set_sla_parser = actions.add_parser(
        "set-sla", help="change a category's SLA (calendar hours, working hours or working days)"
    )
    set_sla_parser.add_argument("category", help="code (e.g. repair) or Chinese name (设施维修)")
    set_sla_parser.add_argument("amount", type=int, help="how many units")
    set_sla_parser.add_argument(
        "--unit",
        choices=UNITS,
        default="hours",
        help="hours: calendar hours (default); work_hours: hours of working time; "
        "work_days: to the end of the Nth working day after the day of the report",
    )
    actions.add_parser(
        "refresh-due",
        help="recompute open incidents' due dates after an SLA or calendar change",
    )
    category.set_defaults(func=cmd_category)
