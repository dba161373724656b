"""`cockpit category …`: the incident categories and their SLA hours, which the
warehouse keeps (an SLA change applies to incidents loaded afterwards; due dates
already stored stay as they were promised)."""

from __future__ import annotations

from sqlalchemy import text


class CategoryError(ValueError):
    pass


def list_categories(engine) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT category_code, category_name, sla_hours, is_safety_hazard"
                " FROM dim_incident_category ORDER BY sort_order, category_code"
            )
        ).mappings()
        return [dict(row) for row in rows]


def set_sla(engine, category: str, hours: int) -> None:
    if hours <= 0:
        raise CategoryError("SLA hours must be a positive whole number")
    with engine.begin() as connection:
        changed = connection.execute(
            text(
                "UPDATE dim_incident_category SET sla_hours = :h"
                " WHERE category_code = :c OR category_name = :c"
            ),
            {"h": hours, "c": category},
        ).rowcount
    if not changed:
        raise CategoryError(f"no incident category {category!r} (code or Chinese name)")


def cmd_category(args) -> int:
    from warehouse.db import owner_engine

    engine = owner_engine()
    if args.action == "set-sla":
        set_sla(engine, args.category, args.hours)
        print(f"SLA of {args.category} is now {args.hours} h")
    for row in list_categories(engine):
        hazard = "  安全隐患类" if row["is_safety_hazard"] else ""
        print(f"{row['category_code']:18} {row['category_name']:6} {row['sla_hours']:>4} h{hazard}")
    return 0


def register(commands) -> None:
    category = commands.add_parser("category", help="incident categories and their SLA hours")
    actions = category.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="list categories with their SLA hours")
    set_sla_parser = actions.add_parser("set-sla", help="change a category's SLA hours")
    set_sla_parser.add_argument("category", help="code (e.g. repair) or Chinese name (设施维修)")
    set_sla_parser.add_argument("hours", type=int)
    category.set_defaults(func=cmd_category)
