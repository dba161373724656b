"""The incidents open at T (migration 032): incident_overdue_counts, map_open_incidents,
overdue_incidents and open_alerts read them as three disjoint sets (still open, closed
after T, rejected after T), each by its own index. Every expected value here is
computed in Python from the rows the test inserts, for a past T with incidents closed
and rejected after it, T at an incident's own instants (closed exactly at T, due
exactly at T, reported exactly at T), a T after everything, every scope and a grid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import text

from data_access import geo
from sqlfiles import query
from tests.warehouse import rows

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
STREET = {A: rows.STREET_A, B: rows.STREET_B}
at = rows.at
T_PAST = at("2025-03-06 00:00")


@dataclass(frozen=True)
class Incident:
    community: str
    incident_id: str
    reported: datetime
    due: datetime
    grid: str | None = None
    closed: datetime | None = None
    rejected: datetime | None = None
    category: str = "repair"
    lat: float | None = None
    lon: float | None = None

    def open_at(self, t: datetime) -> bool:
        return (
            self.reported <= t
            and (self.closed is None or self.closed > t)
            and (self.rejected is None or self.rejected > t)
        )

    def overdue_at(self, t: datetime) -> bool:
        return self.open_at(t) and self.due < t


INCIDENTS = [
    Incident(A, "a-open", at("2025-03-01 09:00"), at("2025-03-02 09:00"), rows.MICRO_A,
             lat=30.25, lon=120.16),
    # a-open's twin but for its id and report: counted apart
    Incident(A, "a-open-twin", at("2025-03-01 09:30"), at("2025-03-02 09:00"), rows.MICRO_A),
    Incident(A, "a-closed-after", at("2025-03-02 08:00"), at("2025-03-03 08:00"), rows.GRID_A,
             closed=at("2025-03-07 12:00"), category="hazard", lat=30.26, lon=120.17),
    Incident(A, "a-rejected-after", at("2025-03-03 10:00"), at("2025-03-04 10:00"),
             rejected=at("2025-03-06 10:00")),
    Incident(A, "a-closed-before", at("2025-03-01 10:00"), at("2025-03-02 10:00"), rows.GRID_A,
             closed=at("2025-03-05 10:00")),
    Incident(A, "a-rejected-before", at("2025-03-02 10:00"), at("2025-03-03 10:00"),
             rejected=at("2025-03-02 12:00")),
    Incident(A, "a-due-after", at("2025-03-05 10:00"), at("2025-03-08 10:00"), rows.GRID_A),
    Incident(A, "a-due-soon", at("2025-03-05 12:00"), at("2025-03-06 09:00")),
    Incident(A, "a-closed-at-t", at("2025-03-04 09:00"), at("2025-03-05 00:00"),
             closed=T_PAST),
    Incident(A, "a-reported-after", at("2025-03-07 08:00"), at("2025-03-08 08:00")),
    Incident(A, "a-due-at-t", at("2025-03-05 00:00"), T_PAST),
    Incident(A, "a-reported-at-t", T_PAST, at("2025-03-09 00:00"), rows.MICRO_A),
    Incident(A, "a-old-closed-after", at("2025-02-20 09:00"), at("2025-02-23 09:00"),
             closed=at("2025-03-10 09:00")),
    # across years the working calendar does not know (for open_alerts' unknown_years)
    Incident(A, "a-2038", at("2038-12-28 10:00"), at("2039-01-03 10:00"), rows.GRID_A,
             category="other"),
    Incident(A, "a-2039", at("2039-01-02 09:00"), at("2039-01-04 18:00"),
             rejected=at("2039-01-05 09:00"), category="other"),
    Incident(B, "b-open", at("2025-03-01 08:00"), at("2025-03-02 08:00"), rows.GRID_B),
    # due when a-rejected-after is: the tie is broken by community
    Incident(B, "b-closed-after", at("2025-03-03 08:00"), at("2025-03-04 10:00"),
             closed=at("2025-03-09 08:00")),
    Incident(B, "b-due-after", at("2025-03-05 20:00"), at("2025-03-09 00:00")),
]  # fmt: skip
GRID_PARENT = {rows.GRID_A: None, rows.MICRO_A: rows.GRID_A, rows.GRID_B: None}
GRID_LEVEL = {rows.GRID_A: "grid", rows.MICRO_A: "micro_grid", rows.GRID_B: "grid"}
WORKER = {rows.GRID_A: "李网格员", rows.MICRO_A: "李网格员", rows.GRID_B: "王网格员"}

T_VALUES = [
    T_PAST,
    at("2025-03-01 09:30"),  # B's only open incident is not due yet
    at("2025-03-06 10:00"),  # a-rejected-after rejected exactly at T
    at("2039-01-04 12:00"),
    at("2040-06-01 00:00"),  # after everything: only the still-open set
]
# (session scope, :scope_codes, who may be seen)
SCOPES = [
    ("district", None, {A, B}),
    (f"community:{A}", [A], {A}),
    (f"community:{A}", None, {A}),  # the policy alone keeps B out
    (f"street:{rows.STREET_B}", [B], {B}),
]
GRIDS = [None, rows.GRID_A, rows.MICRO_A, rows.GRID_B]


def in_grid(incident: Incident, grid_code: str | None) -> bool:
    """incident_summary's narrowing: the grid itself and its micro-grids (none: all)."""
    if grid_code is None:
        return True
    return incident.grid is not None and grid_code in (incident.grid, GRID_PARENT[incident.grid])


def hours(delta) -> float:
    return delta.total_seconds() / 3600.0


@pytest.fixture
def known(fresh_warehouse):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    with engine.begin() as c:
        for grid_code in (rows.GRID_A, rows.GRID_B):
            c.execute(
                text("UPDATE dim_grid SET worker = :w WHERE grid_code = :g"),
                {"g": grid_code, "w": WORKER[grid_code]},
            )
        # a time limit in working days: unknown_years then counts from the report
        c.execute(
            text(
                "UPDATE dim_incident_category SET sla_unit = 'work_days', sla_work_amount = 3"
                " WHERE category_code = 'other'"
            )
        )
    for i in INCIDENTS:
        rows.incident(
            engine, i.community, i.incident_id, i.reported, category=i.category, grid=i.grid,
            closed=i.closed, rejected=i.rejected, due=i.due,
        )  # fmt: skip
        if i.lat is not None:
            with engine.begin() as c:
                c.execute(
                    text("UPDATE fact_incident SET lat = :lat, lon = :lon"
                         " WHERE community_code = :c AND incident_id = :id"),
                    {"lat": i.lat, "lon": i.lon, "c": i.community, "id": i.incident_id},
                )  # fmt: skip
    with engine.connect() as c:
        fresh_warehouse.categories = {
            code: (name, unit)
            for code, name, unit in c.execute(
                text("SELECT category_code, category_name, sla_unit FROM dim_incident_category")
            )
        }
        fresh_warehouse.known_years = set(
            c.execute(text("SELECT year FROM dim_work_year")).scalars()
        )
    reader = fresh_warehouse.reader()
    yield fresh_warehouse, reader
    reader.dispose()


def run(reader, name: str, scope: str, **params) -> list[dict]:
    """The named query as the app's reader runs it: the scope set, then the statement."""
    named = query(name)
    with reader.begin() as c:
        c.execute(text("SELECT set_config('cockpit.scope', :scope, true)"), {"scope": scope})
        result = c.execute(named.clause(), {key: params[key] for key in named.params})
        return [dict(row) for row in result.mappings()]


def visible(who: set[str], t: datetime, grid_code: str | None) -> list[Incident]:
    return [i for i in INCIDENTS if i.community in who and i.open_at(t) and in_grid(i, grid_code)]


@pytest.mark.parametrize("t", T_VALUES, ids=str)
def test_overdue_counts_equal_the_rows(known, t):
    _, reader = known
    for scope, codes, who in SCOPES:
        for grid_code in GRIDS:
            open_now = visible(who, t, grid_code)
            communities = sorted({i.community for i in open_now})
            expected = [(None, sum(i.due < t for i in open_now))] + [
                (code, sum(i.due < t for i in open_now if i.community == code))
                for code in communities
            ]
            got = run(reader, "incident_overdue_counts", scope, t=t, scope_codes=codes,
                      grid_code=grid_code)  # fmt: skip
            assert [(r["community_code"], r["overdue"]) for r in got] == expected, (
                scope, codes, grid_code)  # fmt: skip


def test_overdue_counts_by_hand_at_a_past_t(known):
    """The same figures worked out by hand, so a mistake shared by the Python model
    above and the query cannot pass: at T_PAST A has a-open, a-open-twin,
    a-closed-after, a-rejected-after and a-old-closed-after overdue (not
    a-closed-before, closed before T; not a-closed-at-t, closed at T; not a-due-after
    or a-due-at-t, not due before T); B has b-open and b-closed-after."""
    _, reader = known
    counts = run(reader, "incident_overdue_counts", "district", t=T_PAST, scope_codes=None,
                 grid_code=None)  # fmt: skip
    assert [(r["community_code"], r["overdue"]) for r in counts] == [(None, 7), (A, 5), (B, 2)]
    counts = run(reader, "incident_overdue_counts", f"community:{A}", t=T_PAST,
                 scope_codes=[A], grid_code=rows.GRID_A)  # fmt: skip
    assert [(r["community_code"], r["overdue"]) for r in counts] == [(None, 3), (A, 3)]
    # a community whose open incidents are all within their time has its row, with 0
    counts = run(reader, "incident_overdue_counts", "district", t=at("2025-03-01 09:30"),
                 scope_codes=None, grid_code=None)  # fmt: skip
    assert [(r["community_code"], r["overdue"]) for r in counts] == [(None, 1), (A, 1), (B, 0)]
    # nothing open: the total row alone
    counts = run(reader, "incident_overdue_counts", "district", t=at("2024-01-01 00:00"),
                 scope_codes=None, grid_code=None)  # fmt: skip
    assert [(r["community_code"], r["overdue"]) for r in counts] == [(None, 0)]


MAP_COLUMNS = [
    "incident_id", "community_code", "street_code", "grid_code", "parent_grid_code",
    "grid_level", "category_name", "reported_at", "due_at", "lat", "lon",
]  # fmt: skip


@pytest.mark.parametrize("t", T_VALUES, ids=str)
def test_map_open_incidents_are_the_incidents_open_at_t(known, t):
    warehouse, reader = known
    for scope, codes, who in SCOPES:
        for grid_code in GRIDS:
            open_now = sorted(
                visible(who, t, grid_code), key=lambda i: (-hours(t - i.due), i.incident_id)
            )
            expected = [
                {
                    "incident_id": i.incident_id,
                    "community_code": i.community,
                    "street_code": STREET[i.community],
                    "grid_code": i.grid,
                    "parent_grid_code": GRID_PARENT.get(i.grid),
                    "grid_level": GRID_LEVEL.get(i.grid),
                    "category_name": warehouse.categories[i.category][0],
                    "reported_at": i.reported,
                    "due_at": i.due,
                    "lat": i.lat,
                    "lon": i.lon,
                }
                for i in open_now
            ]
            got = run(reader, "map_open_incidents", scope, t=t, scope_codes=codes,
                      grid_code=grid_code)  # fmt: skip
            assert got == expected, (scope, codes, grid_code)
            # their hours at T, which data_access.geo adds
            timed = geo.with_hours(pd.DataFrame(got, columns=MAP_COLUMNS), t)
            assert list(timed["age_hours"]) == pytest.approx(
                [hours(t - i.reported) for i in open_now]
            )
            assert list(timed["overdue_hours"]) == pytest.approx(
                [hours(t - i.due) for i in open_now]
            )


@pytest.mark.parametrize("limit", [200, 5, 1])
@pytest.mark.parametrize("t", T_VALUES, ids=str)
def test_overdue_incidents_are_the_worst_overdue_at_t(known, t, limit):
    warehouse, reader = known
    for scope, codes, who in SCOPES:
        for grid_code in GRIDS:
            overdue = [i for i in visible(who, t, grid_code) if i.due < t]
            overdue.sort(key=lambda i: (-hours(t - i.due), i.community, i.incident_id))
            expected = [
                {
                    "community_code": i.community,
                    "incident_id": i.incident_id,
                    "category_code": i.category,
                    "grid_code": i.grid,
                    "worker": WORKER.get(i.grid),
                    "reported_at": i.reported,
                    "due_at": i.due,
                    "hours_overdue": pytest.approx(hours(t - i.due)),
                    # no status log and no milestone but the report
                    "status": "reported",
                }
                for i in overdue[:limit]
            ]
            got = run(reader, "overdue_incidents", scope, t=t, scope_codes=codes,
                      grid_code=grid_code, limit=limit)  # fmt: skip
            keys = list(expected[0]) if expected else []
            assert [{k: r[k] for k in keys} for r in got] == expected, (scope, codes, grid_code)


@pytest.mark.parametrize("t", T_VALUES, ids=str)
def test_open_alerts_are_the_open_incidents_due_by_t_plus_the_warning(known, t):
    warehouse, reader = known
    warning_hours, escalate_days = 24, 2
    with warehouse.owner.connect() as c:
        escalation_of = {
            i.incident_id: c.execute(
                text("SELECT greatest(work_days_after(day_start(local_day(:due)), :days), :due)"),
                {"due": i.due, "days": escalate_days},
            ).scalar_one()
            for i in INCIDENTS
        }
    for scope, codes, who in SCOPES:
        for grid_code in GRIDS:
            expected = {}
            for i in visible(who, t, grid_code):
                if hours(i.due - t) >= warning_hours:
                    continue
                escalate_at = escalation_of[i.incident_id] if i.due < t else None
                level = (
                    "warning" if i.due >= t
                    else "escalated" if escalate_at <= t
                    else "overdue"
                )  # fmt: skip
                # the years the working calendar does not know among those counted
                # across: from the report (a due date counted in days) or the due date,
                # to the escalation or the due date; none for a warning in hours
                in_days = warehouse.categories[i.category][1] != "hours"
                gaps = []
                if in_days or escalate_at is not None:
                    counted_from = i.reported if in_days else i.due
                    counted_to = escalate_at or i.due
                    years = range(counted_from.year, counted_to.year + 1)
                    gaps = [y for y in years if y not in warehouse.known_years]
                expected[(i.community, i.incident_id)] = (level, escalate_at, gaps)
            got = run(reader, "open_alerts", scope, t=t, scope_codes=codes, grid_code=grid_code,
                      warning_hours=warning_hours, escalate_days=escalate_days)  # fmt: skip
            assert {
                (r["community_code"], r["incident_id"]): (
                    r["level"], r["escalate_at"], list(r["unknown_years"]))
                for r in got
            } == expected, (scope, codes, grid_code)  # fmt: skip
            assert len(got) == len(expected)  # each incident once


def test_the_unknown_years_case_is_exercised(known):
    """The alerts of 2039 count across years the working calendar does not know, so
    the test above compares unknown_years that are not all empty."""
    _, reader = known
    got = run(reader, "open_alerts", "district", t=at("2039-01-04 12:00"), scope_codes=None,
              grid_code=None, warning_hours=24, escalate_days=2)  # fmt: skip
    gaps = {r["incident_id"]: list(r["unknown_years"]) for r in got}
    assert gaps["a-2038"] == [2038, 2039]  # in working days: from its report
    assert gaps["a-2039"] == [2039]  # a warning in working days: report to due date
    assert gaps["a-2038"] != gaps["a-open"] == []  # in hours, due and escalated in 2025
