"""The working calendar in the warehouse (migration 025, issue [11]): public holidays
and 调休 make-up workdays as exceptions to Monday-Friday, the years they are known
for, and the working periods of a day. Due dates are computed in SQL
(`sla_due_at()`), so ingest, the refresh below and the figures share one definition.

The chinese-calendar package seeds the calendar (`sync`); an operator adds years the
package does not know yet (`set_day`, `add_year`). docs/alerts.md has the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine, text

UNITS = ("hours", "work_hours", "work_days")


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class Provisional:
    """Open incidents whose due date (or escalation) crosses years the calendar does
    not know: computed Monday-Friday until an operator adds those years."""

    incidents: int
    years: tuple[int, ...]

    def warning(self) -> str | None:
        if not self.incidents:
            return None
        years = ", ".join(str(y) for y in self.years)
        return (
            f"working calendar does not know {years}: {self.incidents} open incident(s) have "
            "provisional due dates counted Monday-Friday; add the year's holidays and make-up "
            "workdays (`cockpit calendar set`, `cockpit calendar year`) or upgrade "
            "chinesecalendar and run `cockpit calendar sync`, then `cockpit category refresh-due`"
        )


def package_rows() -> tuple[list[tuple[date, bool, str]], list[int]]:
    """(exception days as (day, is_workday, note), known years) from chinese-calendar."""
    from chinese_calendar.constants import holidays, workdays

    days = [(d, False, str(name)) for d, name in holidays.items() if d.isoweekday() < 6]
    days += [(d, True, f"{name} 调休") for d, name in workdays.items() if d.isoweekday() >= 6]
    years = sorted({d.year for d in holidays} | {d.year for d in workdays})
    return sorted(days), list(range(years[0], years[-1] + 1))


def sync(engine: Engine) -> tuple[int, int]:
    """Add what the installed chinese-calendar knows; operator rows are kept as they are.
    Returns (days added or changed, years added)."""
    days, years = package_rows()
    with engine.begin() as connection:
        changed = connection.execute(
            text(
                "INSERT INTO dim_workday (day, is_workday, source, note)"
                " VALUES (:day, :w, 'chinese_calendar', :note)"
                " ON CONFLICT (day) DO UPDATE SET is_workday = EXCLUDED.is_workday,"
                " note = EXCLUDED.note WHERE dim_workday.source = 'chinese_calendar'"
                " AND (dim_workday.is_workday, dim_workday.note)"
                " IS DISTINCT FROM (EXCLUDED.is_workday, EXCLUDED.note)"
            ),
            [{"day": d, "w": w, "note": note} for d, w, note in days],
        ).rowcount
        added = connection.execute(
            text(
                "INSERT INTO dim_work_year (year, source) SELECT y, 'chinese_calendar'"
                " FROM unnest(CAST(:years AS integer[])) AS y ON CONFLICT (year) DO NOTHING"
            ),
            {"years": years},
        ).rowcount
    return max(changed, 0), added


def set_day(engine: Engine, day: date, is_workday: bool, note: str | None = None) -> None:
    """An operator's row for one day (a holiday or a make-up workday)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO dim_workday (day, is_workday, source, note)"
                " VALUES (:d, :w, 'operator', :n) ON CONFLICT (day) DO UPDATE SET"
                " is_workday = EXCLUDED.is_workday, source = 'operator', note = EXCLUDED.note"
            ),
            {"d": day, "w": is_workday, "n": note},
        )


def add_year(engine: Engine, year: int) -> None:
    """Say that dim_workday now holds all of a year's exceptions (after set_day rows)."""
    if not 2000 <= year <= 2100:
        raise CalendarError(f"year out of range: {year}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO dim_work_year (year, source) VALUES (:y, 'operator')"
                " ON CONFLICT (year) DO NOTHING"
            ),
            {"y": year},
        )


_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_periods(values: list[str]) -> list[tuple[time, time]]:
    periods = []
    for value in values:
        match = _PERIOD.match(value.strip())
        if not match:
            raise CalendarError(f"working period {value!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            starts, ends = time(h1, m1), time(h2, m2)
        except ValueError as error:
            raise CalendarError(f"working period {value!r}: {error}") from None
        if starts >= ends:
            raise CalendarError(f"working period {value!r} ends before it starts")
        periods.append((starts, ends))
    periods.sort()
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        if start < end:
            raise CalendarError("working periods overlap")
    if not periods:
        raise CalendarError("give at least one working period")
    return periods


def set_periods(engine: Engine, periods: list[tuple[time, time]]) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM dim_work_period"))
        connection.execute(
            text("INSERT INTO dim_work_period (period_no, starts, ends) VALUES (:n, :s, :e)"),
            [{"n": n, "s": s, "e": e} for n, (s, e) in enumerate(periods, start=1)],
        )


def periods(engine: Engine) -> list[tuple[time, time]]:
    with engine.connect() as connection:
        return [
            (row.starts, row.ends)
            for row in connection.execute(
                text("SELECT starts, ends FROM dim_work_period ORDER BY starts")
            )
        ]


def due_at(engine: Engine, reported_at: datetime, amount: int, unit: str) -> tuple[datetime, tuple]:
    """(due date, unknown years crossed) for an SLA of `amount` `unit` from reported_at."""
    if unit not in UNITS:
        raise CalendarError(f"unknown SLA unit {unit!r} (one of {', '.join(UNITS)})")
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT d AS due, calendar_gaps(CAST(:r AS timestamptz), d) AS gaps FROM"
                " (SELECT sla_due_at(CAST(:r AS timestamptz), :h, :u, :w) AS d) x"
            ),
            {
                "r": reported_at,
                "h": amount if unit == "hours" else None,
                "u": unit,
                "w": None if unit == "hours" else amount,
            },
        ).one()
    return row.due, tuple(row.gaps)


def refresh_due(engine: Engine) -> int:
    """Recompute the due dates of open incidents from their category's SLA and the
    calendar as it is now (after an SLA or calendar change). A due date the source file
    gave is kept; closed and rejected incidents keep the due date they were judged by.
    Returns how many changed."""
    with engine.begin() as connection:
        return connection.execute(
            text(
                "UPDATE fact_incident f SET due_at = n.due, updated_at = now()"
                "  FROM (SELECT i.community_code, i.incident_id,"
                "               sla_due_at(i.reported_at, c.sla_hours, c.sla_unit,"
                "                          c.sla_work_amount) AS due"
                "          FROM fact_incident i"
                "          JOIN dim_incident_category c USING (category_code)"
                "         WHERE i.closed_at IS NULL AND i.rejected_at IS NULL"
                "           AND NOT i.due_given) n"
                " WHERE f.community_code = n.community_code AND f.incident_id = n.incident_id"
                "   AND f.due_at IS DISTINCT FROM n.due"
            )
        ).rowcount


def provisional(engine: Engine, escalate_work_days: int = 0) -> Provisional:
    """Open incidents whose working-unit due date, or whose escalation `escalate_work_days`
    working days after the due date, crosses a year the calendar does not know."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "WITH crossed AS ("
                " SELECT i.community_code, i.incident_id, g.y"
                "   FROM fact_incident i JOIN dim_incident_category c USING (category_code)"
                "  CROSS JOIN LATERAL unnest(calendar_gaps("
                "        CASE WHEN c.sla_unit <> 'hours' AND NOT i.due_given"
                "             THEN i.reported_at ELSE i.due_at END,"
                "        CASE WHEN :m > 0 THEN work_days_after(i.due_at, :m)"
                "             ELSE i.due_at END)) AS g (y)"
                "  WHERE i.closed_at IS NULL AND i.rejected_at IS NULL"
                "    AND (:m > 0 OR (c.sla_unit <> 'hours' AND NOT i.due_given)))"
                " SELECT count(DISTINCT (community_code, incident_id)) AS n,"
                "        coalesce(array_agg(DISTINCT y ORDER BY y), '{}') AS years FROM crossed"
            ),
            {"m": escalate_work_days},
        ).one()
    return Provisional(row.n, tuple(int(y) for y in row.years))
