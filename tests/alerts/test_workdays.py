"""Working-day due dates over the official calendar (issue [11], migration 025): the
National Day week of 2025 (1-8 October off, Sunday 28 September and Saturday 11 October
make-up workdays), in working hours and working days; a year the calendar does not
know is computed Monday-Friday and reported, never counted in calendar days."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from ingest.load import ingest
from tests.ingest import files
from tests.ingest.files import COMMUNITY_A
from tests.warehouse import rows
from warehouse import workdays
from warehouse.categories import set_sla

CST = timezone(timedelta(hours=8))


def local(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=CST)


@pytest.mark.parametrize(
    ("reported", "amount", "unit", "due"),
    [
        # working days: the end (17:30) of the Nth working day after the day of the report
        ("2025-09-30 10:00", 1, "work_days", "2025-10-09 17:30"),  # over the holiday week
        ("2025-09-30 10:00", 3, "work_days", "2025-10-11 17:30"),  # 9, 10, Saturday 11 (调休)
        ("2025-09-26 15:00", 1, "work_days", "2025-09-28 17:30"),  # Sunday 28 is a workday
        ("2025-09-27 11:00", 2, "work_days", "2025-09-29 17:30"),  # from a Saturday off
        ("2025-10-03 09:00", 1, "work_days", "2025-10-09 17:30"),  # reported on a holiday
        ("2025-10-13 09:00", 5, "work_days", "2025-10-20 17:30"),  # an ordinary week
        # working hours: 08:30-12:00 and 13:30-17:30 on working days
        ("2025-09-30 16:00", 8, "work_hours", "2025-10-09 16:30"),  # 1.5 h, then 3.5 + 3
        ("2025-09-27 20:00", 4, "work_hours", "2025-09-28 14:00"),  # Sunday 28 (调休)
        ("2025-10-10 17:00", 1, "work_hours", "2025-10-11 09:00"),  # Saturday 11 (调休)
        ("2025-09-29 12:30", 2, "work_hours", "2025-09-29 15:30"),  # lunch: from 13:30
        ("2025-09-29 10:00", 2, "work_hours", "2025-09-29 12:00"),  # ends with the morning
        # calendar hours: as before, holidays or not
        ("2025-09-30 10:00", 24, "hours", "2025-10-01 10:00"),
    ],
)
def test_due_dates_over_the_national_day_week(fresh_warehouse, reported, amount, unit, due):
    computed, gaps = workdays.due_at(fresh_warehouse.owner, local(reported), amount, unit)
    assert computed == local(due)
    assert gaps == ()


def test_the_calendar_agrees_with_chinese_calendar(fresh_warehouse):
    import chinese_calendar

    with fresh_warehouse.owner.connect() as c:
        for day in (date(2025, 9, 28), date(2025, 10, 1), date(2025, 10, 8), date(2025, 10, 11),
                    date(2026, 2, 14), date(2026, 5, 1), date(2024, 12, 31)):  # fmt: skip
            ours = c.execute(text("SELECT is_workday(:d)"), {"d": day}).scalar_one()
            assert ours == chinese_calendar.is_workday(day), day
    assert workdays.sync(fresh_warehouse.owner) == (0, 0)  # the migration holds it all


def _load_incidents(warehouse, tmp_path, rows):
    files.reference_files(tmp_path / "ref")
    header = ["incident_id", "community_code", "category", "reported_at", "status", "due_at"]
    path = files.write_csv(tmp_path / "incidents.csv", [header, *rows])
    reports = ingest(warehouse.owner, [tmp_path / "ref", path], progress=lambda m: None)
    assert all(r.status == "done" for r in reports), [r.error for r in reports]


def _due(engine) -> dict[str, datetime]:
    with engine.connect() as c:
        return dict(c.execute(text("SELECT incident_id, due_at FROM fact_incident")).all())


def test_ingest_uses_the_unit_and_a_given_due_date_wins(fresh_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "test-key")
    engine = fresh_warehouse.owner
    set_sla(engine, "设施维修", 3, "work_days")
    set_sla(engine, "hazard", 4, "work_hours")
    _load_incidents(
        fresh_warehouse,
        tmp_path,
        [
            ["r1", COMMUNITY_A, "设施维修", "2025-09-30 10:00", "reported", ""],
            ["r2", COMMUNITY_A, "设施维修", "2025-09-30 10:00", "reported", "2025-10-02 12:00"],
            ["h1", COMMUNITY_A, "安全隐患", "2025-09-30 16:00", "reported", ""],
            ["p1", COMMUNITY_A, "违规停车", "2025-09-30 16:00", "reported", ""],  # 12 h
        ],
    )
    assert _due(engine) == {
        "r1": local("2025-10-11 17:30"),
        "r2": local("2025-10-02 12:00"),  # the file's own due date
        "h1": local("2025-10-09 11:00"),  # 1.5 h on the 30th, 2.5 h on the 9th
        "p1": local("2025-10-01 04:00"),
    }
    # The overdue figure (DESIGN §5) follows: at 9 October 12:00 only h1 is overdue.
    with engine.connect() as c:
        overdue = (
            c.execute(
                text("SELECT incident_id FROM fact_incident WHERE due_at < :t ORDER BY 1"),
                {"t": local("2025-10-09 12:00")},
            )
            .scalars()
            .all()
        )
    assert overdue == ["h1", "p1", "r2"]


def _cockpit(warehouse, *args):
    env = {**os.environ, **warehouse.env()}
    return subprocess.run([sys.executable, "-m", "cockpit_cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_set_sla_takes_the_unit_and_refresh_due_follows(fresh_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "test-key")
    engine = fresh_warehouse.owner
    _load_incidents(
        fresh_warehouse,
        tmp_path,
        [
            ["r1", COMMUNITY_A, "repair", "2025-09-30 10:00", "reported", ""],
            ["r2", COMMUNITY_A, "repair", "2025-09-30 10:00", "reported", "2025-10-02 12:00"],
            ["r3", COMMUNITY_A, "repair", "2025-09-30 10:00", "reported", ""],
        ],
    )
    closing = (
        "UPDATE fact_incident SET status = 'closed', closed_at = reported_at + interval '1 hour'"
        " WHERE incident_id = 'r3'"
    )
    with engine.begin() as c:  # r3 closed: keeps the due date it was judged by
        c.execute(text(closing))
    assert _due(engine)["r1"] == local("2025-10-03 10:00")  # 72 calendar hours
    done = _cockpit(fresh_warehouse, "category", "set-sla", "repair", "3", "--unit", "work_days")
    assert done.returncode == 0, done.stderr
    assert "3 working days" in done.stdout
    listed = _cockpit(fresh_warehouse, "category", "list")
    assert "repair" in listed.stdout and "3 working days" in listed.stdout
    refreshed = _cockpit(fresh_warehouse, "category", "refresh-due")
    assert refreshed.returncode == 0 and "1 open incident(s) changed" in refreshed.stdout
    assert _due(engine) == {
        "r1": local("2025-10-11 17:30"),
        "r2": local("2025-10-02 12:00"),
        "r3": local("2025-10-03 10:00"),
    }
    bad = _cockpit(fresh_warehouse, "category", "set-sla", "repair", "3", "--unit", "weeks")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_a_year_the_calendar_does_not_know_is_a_warning(fresh_warehouse):
    engine = fresh_warehouse.owner
    # Computed Monday-Friday (not calendar days), and the unknown year is reported.
    due, gaps = workdays.due_at(engine, local("2031-01-03 10:00"), 2, "work_days")  # a Friday
    assert (due, gaps) == (local("2031-01-07 17:30"), (2031,))
    due, gaps = workdays.due_at(engine, local("2026-12-31 16:00"), 10, "work_hours")
    assert (due, gaps) == (local("2027-01-04 09:30"), (2027,))  # 1.5 + 7.5 (1 Jan) + 1 h
    # An incident due across the new year: provisional until the operator adds 2027.
    rows.two_communities(engine)
    set_sla(engine, "repair", 2, "work_days")
    rows.incident(engine, rows.COMMUNITY_A, "f1", local("2026-12-31 16:00"))
    rows.incident(engine, rows.COMMUNITY_A, "f2", local("2026-12-01 09:00"))
    assert workdays.refresh_due(engine) == 2
    assert _due(engine)["f1"] == local("2027-01-04 17:30")  # 1 January counted Mon-Fri
    found = workdays.provisional(engine)
    assert (found.incidents, found.years) == (1, (2027,))
    assert "does not know 2027" in found.warning() and "provisional" in found.warning()
    refreshed = _cockpit(fresh_warehouse, "category", "refresh-due")
    assert "warning: working calendar does not know 2027" in refreshed.stderr
    # The operator adds the year: New Year's Day off moves the due date.
    assert _cockpit(fresh_warehouse, "calendar", "set", "2027-01-01", "holiday",
                    "--note", "元旦").returncode == 0  # fmt: skip
    assert _cockpit(fresh_warehouse, "calendar", "year", "2027").returncode == 0
    assert workdays.refresh_due(engine) == 1
    assert _due(engine)["f1"] == local("2027-01-05 17:30")
    assert workdays.provisional(engine).warning() is None


def test_working_periods_are_configurable(fresh_warehouse):
    engine = fresh_warehouse.owner
    workdays.set_periods(engine, workdays.parse_periods(["09:00-12:00", "14:00-18:00"]))
    due, _ = workdays.due_at(engine, local("2025-09-29 11:00"), 3, "work_hours")
    assert due == local("2025-09-29 16:00")
    due, _ = workdays.due_at(engine, local("2025-09-29 11:00"), 1, "work_days")
    assert due == local("2025-09-30 18:00")
    with pytest.raises(workdays.CalendarError, match="overlap"):
        workdays.parse_periods(["08:00-12:00", "11:00-13:00"])
    with pytest.raises(workdays.CalendarError, match="HH:MM"):
        workdays.parse_periods(["8-12"])


def test_calendar_commands(fresh_warehouse):
    shown = _cockpit(fresh_warehouse, "calendar", "show", "2025")
    assert shown.returncode == 0, shown.stderr
    assert "working periods: 08:30-12:00, 13:30-17:30" in shown.stdout
    assert "known years: 2004-2026" in shown.stdout
    assert "2025-09-28 Sun make-up workday 调休" in shown.stdout
    assert "2025-10-08 Wed holiday" in shown.stdout
    due = _cockpit(fresh_warehouse, "calendar", "due", "2025-09-30T10:00", "3", "work_days")
    assert due.stdout.strip() == "2025-10-11 17:30" and not due.stderr
    unknown = _cockpit(fresh_warehouse, "calendar", "due", "2027-03-01T10:00", "1", "work_days")
    assert unknown.stdout.strip() == "2027-03-02 17:30"
    assert "does not know 2027" in unknown.stderr
    bad = _cockpit(fresh_warehouse, "calendar", "hours", "12:00-08:00")
    assert bad.returncode == 2 and "ends before it starts" in bad.stderr
