"""The incident categories and their SLA, which the warehouse keeps; their command line
is `cockpit category …` (cockpit_cli/categories.py). An SLA is given in calendar hours
(the default), working hours or working days (migration 025, docs/alerts.md); working
units count over the working calendar of public holidays and 调休 make-up workdays. An
SLA change applies to incidents loaded afterwards; `cockpit category refresh-due`
recomputes the due dates of open incidents (a due date the source file gave is kept)."""

from __future__ import annotations

from sqlalchemy import text

UNITS = ("hours", "work_hours", "work_days")


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
