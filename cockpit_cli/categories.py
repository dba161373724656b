"""`cockpit category …`: list the incident categories, change an SLA, recompute due
dates (warehouse/categories.py keeps the categories and their rules)."""

from __future__ import annotations

import sys

from warehouse.categories import UNITS, list_categories, set_sla

UNIT_LABELS = {"hours": "h", "work_hours": "working h", "work_days": "working days"}


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
