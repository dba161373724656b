"""The 民情事件 page's queries (sql/queries/incidents_detail.sql) through
data_access.incidents, against incidents with known milestones: rejected, reopened,
closed after the as-of date, no explicit due date, after T. Every expected value is
worked out by hand from the rows below."""

from datetime import date

import pytest
from sqlalchemy import text

from data_access import Period, Scope, incidents
from data_access.runner import query_cache
from tests.warehouse import rows
from warehouse.rollups import refresh

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
at = rows.at
# Period 1–5 March 2025, as of 5 March: T = 2025-03-06 00:00 local.
PERIOD = Period(date(2025, 3, 1), date(2025, 3, 5), date(2025, 3, 5))
DISTRICT = Scope.district()


def set_columns(engine, community: str, incident_id: str, **values) -> None:
    """Milestones and fields rows.incident() does not take (channel, dispatched, …)."""
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    with engine.begin() as c:
        c.execute(
            text(
                f"UPDATE fact_incident SET {assignments}"
                " WHERE community_code = :community AND incident_id = :id"
            ),
            {**values, "community": community, "id": incident_id},
        )


def status_log(engine, community: str, incident_id: str, steps: list[tuple[str, str]]) -> None:
    with engine.begin() as c:
        for status, when in steps:
            c.execute(
                text(
                    "INSERT INTO fact_incident_status_log"
                    " (community_code, incident_id, status, changed_at)"
                    " VALUES (:community, :id, :status, :at)"
                ),
                {"community": community, "id": incident_id, "status": status, "at": at(when)},
            )


@pytest.fixture
def known(fresh_warehouse, monkeypatch):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    with engine.begin() as c:
        c.execute(
            text("UPDATE dim_grid SET worker = '李网格员' WHERE grid_code = :g"), {"g": rows.GRID_A}
        )
        c.execute(
            text("UPDATE dim_grid SET worker = '王网格员' WHERE grid_code = :g"), {"g": rows.GRID_B}
        )

    # A, repair (SLA 72 h), no due date given: due 02-23 09:00, 255 h overdue at T.
    # Its log has only the report; the acceptance is a milestone of the incident row.
    rows.incident(
        engine,
        A,
        "a-old",
        at("2025-02-20 09:00"),
        grid=rows.MICRO_A,
        accepted=at("2025-02-20 10:00"),
    )
    status_log(engine, A, "a-old", [("reported", "2025-02-20 09:00")])

    # A, hazard (SLA 24 h): due 03-03 08:00, closed 03-07 12:00 (after T): open at T,
    # 64 h overdue, handled by then.
    rows.incident(
        engine,
        A,
        "a-late",
        at("2025-03-02 08:00"),
        category="hazard",
        grid=rows.GRID_A,
        closed=at("2025-03-07 12:00"),
    )
    set_columns(
        engine,
        A,
        "a-late",
        channel="patrol",
        dispatched_at=at("2025-03-02 09:00"),
        handled_at=at("2025-03-04 10:00"),
    )
    status_log(
        engine,
        A,
        "a-late",
        [
            ("reported", "2025-03-02 08:00"),
            ("dispatched", "2025-03-02 09:00"),
            ("handled", "2025-03-04 10:00"),
            ("closed", "2025-03-07 12:00"),
        ],
    )

    # A, illegal parking with an explicit due date (03-04 10:00: 38 h overdue at T);
    # closed on 03-01, then reopened (dispatched again), closed_at NULL.
    rows.incident(
        engine,
        A,
        "a-reopened",
        at("2025-03-01 10:00"),
        category="illegal_parking",
        accepted=at("2025-03-01 10:30"),
        due=at("2025-03-04 10:00"),
    )
    set_columns(engine, A, "a-reopened", status="dispatched", dispatched_at=at("2025-03-02 09:00"))
    status_log(
        engine,
        A,
        "a-reopened",
        [
            ("reported", "2025-03-01 10:00"),
            ("accepted", "2025-03-01 10:30"),
            ("dispatched", "2025-03-01 11:00"),
            ("closed", "2025-03-01 15:00"),
            ("dispatched", "2025-03-02 09:00"),
        ],
    )

    # A, rejected two hours after the report.
    rows.incident(engine, A, "a-rejected", at("2025-03-03 10:00"), rejected=at("2025-03-03 12:00"))
    # A, hazard closed in the period after 6 h, reported through the WeChat group.
    rows.incident(
        engine,
        A,
        "a-done-fast",
        at("2025-03-02 10:00"),
        category="hazard",
        closed=at("2025-03-02 16:00"),
    )
    set_columns(engine, A, "a-done-fast", channel="wechat")
    # A, repair reported before the period, closed in it after 120 h.
    rows.incident(engine, A, "a-done-slow", at("2025-02-27 09:00"), closed=at("2025-03-04 09:00"))
    # A, reported after T: invisible.
    rows.incident(engine, A, "a-future", at("2025-03-06 10:00"))

    # B, elderly care reported on the as-of day: open, due 03-06 20:00, not overdue.
    rows.incident(
        engine, B, "b-open", at("2025-03-05 20:00"), category="elderly_care", grid=rows.GRID_B
    )
    # B, repair without grid: due 02-28 12:00, 132 h overdue at T, still 'reported'.
    rows.incident(engine, B, "b-overdue", at("2025-02-25 12:00"))
    # B, other (SLA 72 h) closed in the period after 12 h, by hotline.
    rows.incident(
        engine, B, "b-done", at("2025-03-05 08:00"), category="other", closed=at("2025-03-05 20:00")
    )
    set_columns(engine, B, "b-done", channel="hotline")
    # the rollups brought up to the facts, as every load does (ingest/load.py): the whole
    # district's flow reads the days before its as-of day from them (migration 028)
    refresh(engine)

    monkeypatch.setenv("DATABASE_URL", fresh_warehouse.reader_url)
    query_cache().clear()
    yield fresh_warehouse
    query_cache().clear()


def test_overdue_worst_first_with_hours_grid_worker_and_status_at_t(known):
    overdue = incidents.overdue(DISTRICT, PERIOD)
    assert list(overdue["incident_id"]) == ["a-old", "b-overdue", "a-late", "a-reopened"]
    assert [round(h, 6) for h in overdue["hours_overdue"]] == [255, 132, 64, 38]
    assert list(overdue["status"]) == ["accepted", "reported", "handled", "dispatched"]
    assert list(overdue["category_name"]) == ["设施维修", "设施维修", "安全隐患", "违规停车"]
    assert list(overdue["community_name"]) == ["甲社区", "乙社区", "甲社区", "甲社区"]
    assert list(overdue["grid_name"].fillna("-")) == ["甲一微网格", "-", "甲一网格", "-"]
    # The micro-grid has no worker of its own: its grid's.
    assert list(overdue["worker"].fillna("-")) == ["李网格员", "-", "李网格员", "-"]


def test_overdue_honours_limit_scope_and_grid(known):
    assert list(incidents.overdue(DISTRICT, PERIOD, limit=2)["incident_id"]) == [
        "a-old",
        "b-overdue",
    ]
    assert list(incidents.overdue(Scope("community", B), PERIOD)["incident_id"]) == ["b-overdue"]
    # A grid covers its micro-grids.
    assert list(incidents.overdue(Scope("grid", rows.GRID_A), PERIOD)["incident_id"]) == [
        "a-old",
        "a-late",
    ]


def test_overdue_as_of_a_later_day(known):
    # As of 03-08 (T = 03-09 00:00): a-late closed on 03-07; b-open due 03-06 20:00 is
    # now 52 h overdue; everything else 72 h more overdue.
    later = Period(date(2025, 3, 1), date(2025, 3, 8), date(2025, 3, 8))
    overdue = incidents.overdue(DISTRICT, later)
    assert list(overdue["incident_id"]) == ["a-old", "b-overdue", "a-reopened", "b-open"]
    assert [round(h, 6) for h in overdue["hours_overdue"]] == [327, 204, 110, 52]


def steps(frame):
    return [
        (status, when.strftime("%m-%d %H:%M"), source, round(hours, 6))
        for status, when, source, hours in zip(
            frame["status"],
            frame["changed_at"].dt.tz_convert(rows.LOCAL),
            frame["source"],
            frame["hours_since_reported"],
            strict=True,
        )
    ]


def test_timeline_of_a_reopened_incident_in_order(known):
    frame = incidents.timeline(DISTRICT, PERIOD, A, "a-reopened")
    assert steps(frame) == [
        ("reported", "03-01 10:00", "log", 0),
        ("accepted", "03-01 10:30", "log", 0.5),
        ("dispatched", "03-01 11:00", "log", 1),
        ("closed", "03-01 15:00", "log", 5),
        ("dispatched", "03-02 09:00", "log", 23),
    ]


def test_timeline_stops_at_t_and_fills_milestones_missing_from_the_log(known):
    assert steps(incidents.timeline(DISTRICT, PERIOD, A, "a-late")) == [
        ("reported", "03-02 08:00", "log", 0),
        ("dispatched", "03-02 09:00", "log", 1),
        ("handled", "03-04 10:00", "log", 50),
    ]
    later = Period(date(2025, 3, 1), date(2025, 3, 8), date(2025, 3, 8))
    assert steps(incidents.timeline(DISTRICT, later, A, "a-late"))[-1] == (
        "closed",
        "03-07 12:00",
        "log",
        124,
    )
    assert steps(incidents.timeline(DISTRICT, PERIOD, A, "a-old")) == [
        ("reported", "02-20 09:00", "log", 0),
        ("accepted", "02-20 10:00", "milestone", 1),
    ]
    # Another community's incident is invisible to a community scope.
    assert incidents.timeline(Scope("community", B), PERIOD, A, "a-old").empty


def test_reported_closed_and_backlog_per_day(known):
    flow = incidents.flow_by_day(DISTRICT, PERIOD)
    assert [d.isoformat() for d in flow["day"]] == [f"2025-03-0{n}" for n in range(1, 6)]
    # Opening backlog (end of 02-28): a-old, a-done-slow, b-overdue = 3.
    assert list(flow["reported"]) == [1, 2, 1, 0, 2]
    assert list(flow["closed"]) == [0, 1, 0, 1, 1]
    assert list(flow["rejected"]) == [0, 0, 1, 0, 0]
    assert list(flow["backlog"]) == [4, 5, 5, 4, 5]
    # As of 03-08, 03-07's close of a-late (after the earlier T) counts on its day.
    later = incidents.flow_by_day(
        DISTRICT, Period(date(2025, 3, 6), date(2025, 3, 8), date(2025, 3, 8))
    )
    assert list(later["closed"]) == [0, 1, 0]
    assert list(later["reported"]) == [1, 0, 0]  # a-future
    assert list(later["backlog"]) == [6, 5, 5]


def test_handling_time_histogram(known):
    histogram = incidents.handling_histogram(DISTRICT, PERIOD)
    assert list(histogram["lower_hours"]) == [0, 4, 8, 12, 24, 48, 72, 120]
    # a-done-fast 6 h, b-done 12 h (a bucket's lower edge is inside), a-done-slow 120 h.
    assert list(histogram["closed"]) == [0, 1, 0, 1, 0, 0, 0, 1]


def test_category_breakdown_with_sla_hours_from_the_warehouse(known):
    frame = incidents.categories(DISTRICT, PERIOD).set_index("category_code")
    assert list(frame.index) == [
        "hazard",
        "repair",
        "elderly_care",
        "flying_wire",
        "illegal_parking",
        "aging_pipes",
        "stairwell_clutter",
        "other",
    ]
    assert list(frame["sla_hours"]) == [24, 72, 24, 24, 12, 120, 48, 72]
    columns = ["reported", "open", "overdue", "closed"]
    assert frame.loc["hazard", columns].tolist() == [2, 1, 1, 1]
    assert frame.loc["repair", columns].tolist() == [1, 2, 2, 1]
    assert frame.loc["elderly_care", columns].tolist() == [1, 1, 0, 0]
    assert frame.loc["illegal_parking", columns].tolist() == [1, 1, 1, 0]
    assert frame.loc["other", columns].tolist() == [1, 0, 0, 1]
    assert frame.loc["flying_wire", columns].tolist() == [0, 0, 0, 0]
    assert frame.loc["hazard", "mean_handling_hours"] == pytest.approx(6)
    assert frame.loc["repair", "mean_handling_hours"] == pytest.approx(120)
    assert frame.loc["other", "mean_handling_hours"] == pytest.approx(12)
    # The SLA shown is the warehouse's: an owner's change shows up.
    with known.owner.begin() as c:
        c.execute(
            text("UPDATE dim_incident_category SET sla_hours = 36 WHERE category_code = 'other'")
        )
    query_cache().clear()
    frame = incidents.categories(DISTRICT, PERIOD).set_index("category_code")
    assert frame.loc["other", "sla_hours"] == 36


def test_channel_mix(known):
    channels = incidents.channels(DISTRICT, PERIOD)
    assert list(channels["channel"]) == ["wechat", "patrol", "hotline", "app", "other"]
    # Reported in the period: a-done-fast (wechat), a-late (patrol), b-done (hotline),
    # a-reopened, a-rejected and b-open (other).
    assert list(channels["reported"]) == [1, 1, 1, 0, 3]
    assert list(incidents.channels(Scope("community", B), PERIOD)["reported"]) == [0, 0, 1, 0, 1]


def test_per_community_rates_per_1000_residents(known):
    table = incidents.community_table(DISTRICT, PERIOD).set_index("community_code")
    assert list(table.index) == [A, B]
    # A (2,000 residents): reported in the period and not rejected: a-reopened, a-late,
    # a-done-fast = 3, of which a-done-fast closed by T (on time); closed in the period
    # a-done-fast, a-done-slow; open and overdue a-old, a-late, a-reopened.
    assert table.loc[A, "closure_rate"] == pytest.approx(1 / 3)
    assert table.loc[A, "on_time_rate"] == pytest.approx(1 / 3)
    assert table.loc[A, "reported_per_1000"] == pytest.approx(1.5)
    assert table.loc[A, "closed_per_1000"] == pytest.approx(1.0)
    assert table.loc[A, "open_per_1000"] == pytest.approx(1.5)
    assert table.loc[A, "overdue_per_1000"] == pytest.approx(1.5)
    # B (1,500): reported b-open, b-done; b-done closed on time; open b-open, b-overdue.
    assert table.loc[B, "closure_rate"] == pytest.approx(0.5)
    assert table.loc[B, "on_time_rate"] == pytest.approx(0.5)
    assert table.loc[B, "reported_per_1000"] == pytest.approx(2 / 1.5)
    assert table.loc[B, "closed_per_1000"] == pytest.approx(1 / 1.5)
    assert table.loc[B, "open_per_1000"] == pytest.approx(2 / 1.5)
    assert table.loc[B, "overdue_per_1000"] == pytest.approx(1 / 1.5)
    assert table.loc[B, "community_name"] == "乙社区"
