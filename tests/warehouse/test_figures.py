"""Every figure of DESIGN §5 through data_access, against rows inserted with known
milestones; expected values are worked out by hand from those rows."""

from datetime import date

import pytest

from data_access import Period, Scope, figures
from data_access.runner import query_cache
from tests.warehouse import rows
from warehouse.rollups import refresh

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
at = rows.at
# Period 1–10 March 2026, as of 10 March: T = 2026-03-11 00:00 local.
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 10))


@pytest.fixture
def known(fresh_warehouse, monkeypatch):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    # Incidents of A (repair: SLA 72 h; hazard: SLA 24 h, a safety hazard).
    rows.incident(
        engine,
        A,
        "closed-fast",
        at("2026-03-02 08:00"),
        category="hazard",
        accepted=at("2026-03-02 09:00"),
        closed=at("2026-03-02 18:00"),
    )  # 10 h, on time
    rows.incident(
        engine,
        A,
        "closed-late",
        at("2026-03-03 08:00"),
        accepted=at("2026-03-03 12:00"),
        closed=at("2026-03-08 08:00"),
    )  # 120 h, late
    rows.incident(engine, A, "open-overdue", at("2026-03-04 08:00"))  # due 03-07: overdue at T
    rows.incident(engine, A, "open-fresh", at("2026-03-10 09:00"), grid=rows.MICRO_A)  # new today
    rows.incident(
        engine, A, "closed-after-asof", at("2026-03-09 08:00"), closed=at("2026-03-12 08:00")
    )  # open as of T
    rows.incident(engine, A, "rejected", at("2026-03-05 08:00"), rejected=at("2026-03-05 10:00"))
    rows.incident(
        engine, A, "before-period", at("2026-02-20 08:00"), closed=at("2026-03-01 08:00")
    )  # closed in period after 216 h, reported before
    rows.incident(engine, A, "future", at("2026-03-15 08:00"))  # after T: invisible
    rows.incident(engine, B, "b-open", at("2026-03-05 08:00"), grid=rows.GRID_B)
    # Visits: facility A capacity 10/day, B 4/day; 10 days in the period.
    rows.visit(
        engine,
        A,
        rows.FACILITY_A,
        "v1",
        at("2026-03-02 12:00"),
        resident="p1",
        age_band="60-79",
        units=3,
    )
    rows.visit(engine, A, rows.FACILITY_A, "v2", at("2026-03-03 12:00"), resident="p2", units=2)
    rows.visit(
        engine,
        A,
        rows.FACILITY_A,
        "v3",
        at("2026-03-03 12:30"),
        resident="p1",
        age_band="80+",
        units=1,
    )
    rows.visit(
        engine, A, rows.FACILITY_A, "v4", at("2026-03-04 12:00"), resident="p3", status="no_show"
    )
    rows.visit(engine, A, rows.FACILITY_A, "v5", at("2026-03-20 12:00"), resident="p4")  # later
    rows.visit(
        engine,
        B,
        rows.FACILITY_B,
        "w1",
        at("2026-03-02 09:00"),
        resident="q1",
        age_band="0-3",
        units=4,
    )
    # Points of A: opening balance 100 before the period, then flows inside it.
    rows.journal(engine, A, "j0", at("2026-01-15 10:00"), "earn", "p1", 100)
    rows.journal(engine, A, "j1", at("2026-03-02 10:00"), "earn", "p2", 50)
    rows.journal(engine, A, "j2", at("2026-03-06 10:00"), "redeem", "p1", 30)
    rows.journal(engine, A, "j3", at("2026-03-08 10:00"), "expire", "p1", 10)
    rows.journal(engine, A, "j4", at("2026-03-09 10:00"), "adjust", "p2", -5)
    rows.journal(engine, B, "k1", at("2026-03-01 10:00"), "earn", "q1", 20)
    refresh(engine)
    monkeypatch.setenv("DATABASE_URL", fresh_warehouse.reader_url)
    query_cache().clear()
    return fresh_warehouse


def test_incident_figures_for_a_community(known):
    scope = Scope("community", A)
    total, per_community = figures.incident_summary(scope, PERIOD)
    assert list(per_community["community_code"]) == [A]
    assert total["open"] == 3  # open-overdue, open-fresh, closed-after-asof
    assert total["overdue"] == 1  # open-overdue (due 03-07 08:00 < T)
    assert total["new_today"] == 1
    assert total["closed"] == 3  # closed-fast, closed-late, before-period
    assert total["hazards_fixed"] == 1
    # Reported in the period and not rejected: fast, late, overdue, fresh, after-asof = 5;
    # closed by T: fast, late; on time: fast.
    assert total["reported"] == 5
    assert total["closure_rate"] == pytest.approx(2 / 5)
    assert total["on_time_rate"] == pytest.approx(1 / 5)
    assert total["mean_handling_hours"] == pytest.approx((10 + 120 + 216) / 3)
    assert total["median_handling_hours"] == pytest.approx(120)
    assert total["p90_handling_hours"] == pytest.approx(120 + 0.8 * (216 - 120))
    # First response over reported-in-period incidents accepted by T: 1 h and 4 h.
    assert total["first_response_hours"] == pytest.approx(2.5)


def test_scope_and_grid_narrow_the_figures(known):
    assert figures.open_incidents(Scope("community", B), PERIOD) == 1
    assert figures.open_incidents(Scope.district(), PERIOD) == 4
    assert figures.open_incidents(Scope("street", rows.STREET_B), PERIOD) == 1
    # Grid A-G1 covers its micro-grid A-G1-M1, where only open-fresh was reported.
    assert figures.open_incidents(Scope("grid", rows.GRID_A), PERIOD) == 1
    assert figures.residents(Scope("grid", rows.MICRO_A)) == 800
    assert figures.residents(Scope.district()) == 3500


def test_as_of_reproduces_the_past(known):
    # As of 8 March, closed-late closed that morning; closed-after-asof not yet reported.
    earlier = Period(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 7))
    total, _ = figures.incident_summary(Scope("community", A), earlier)
    assert total["open"] == 2  # closed-late (closes 03-08) and open-overdue
    assert total["closed"] == 2  # closed-fast, before-period


def test_service_figures(known):
    total, per_community = figures.service_summary(Scope("community", A), PERIOD)
    assert total["visits"] == 6  # attended units 3 + 2 + 1
    assert total["unique_users"] == 2  # p1, p2
    assert total["utilisation"] == pytest.approx(6 / (10 * 10))
    assert total["share_60_plus"] == pytest.approx(4 / 6)
    assert total["no_show_rate"] == pytest.approx(1 / (3 + 1))
    district, _ = figures.service_summary(Scope.district(), PERIOD)
    assert district["visits"] == 10
    # Summed before dividing: (6 + 4) / (100 + 40), not the mean of 6% and 10%.
    assert district["utilisation"] == pytest.approx(10 / 140)


def test_points_figures(known):
    total, _ = figures.points_summary(Scope("community", A), PERIOD)
    assert total["issued"] == 50
    assert total["redeemed"] == 30
    assert total["expired"] == 10
    assert total["outstanding"] == 100 + 50 - 30 - 10 - 5
    assert total["earners_30d"] == 1  # p2 earned on 03-02; p1's earn is older than 30 days
    assert total["participation"] == pytest.approx(1 / 2000)
    assert total["redemption_rate"] == pytest.approx(30 / 50)
    # Outstanding at each day's end: 03-01 100; 03-02..05 150; 03-06,07 120; 03-08 110;
    # 03-09,10 105.
    daily = [100, 150, 150, 150, 150, 120, 120, 110, 105, 105]
    assert total["velocity"] == pytest.approx(30 / (sum(daily) / len(daily)))
    district, _ = figures.points_summary(Scope.district(), PERIOD)
    assert district["issued"] == 70
    assert district["outstanding"] == 105 + 20


def test_points_opening_balance_adds_whole_months_and_the_days_before_the_period(known):
    # From 5 March the opening is January's 100 (a month before the period's month,
    # migration 014) plus 2 March's 50 (a day of its month before it).
    mid_month = Period(date(2026, 3, 5), date(2026, 3, 10), date(2026, 3, 10))
    total, _ = figures.points_summary(Scope("community", A), mid_month)
    assert (total["issued"], total["redeemed"]) == (0, 30)
    assert total["outstanding"] == 150 - 30 - 10 - 5
    daily = [150, 120, 120, 110, 105, 105]  # 03-05 … 03-10
    assert total["velocity"] == pytest.approx(30 / (sum(daily) / len(daily)))
    # A journal back-dated into January reaches the month through the refresh.
    rows.journal(known.owner, A, "j-late", at("2026-01-20 10:00"), "earn", "p3", 7)
    refresh(known.owner)
    query_cache().clear()
    total, _ = figures.points_summary(Scope("community", A), mid_month)
    assert total["outstanding"] == 157 - 30 - 10 - 5
    assert total["velocity"] == pytest.approx(30 / (sum(daily) / len(daily) + 7))


def test_a_resident_of_two_communities_counts_once_in_the_district(known):
    # p1 uses a service of B too, and p2 earns points in B: each counts in both
    # communities' rows, once in the district's.
    rows.visit(known.owner, B, rows.FACILITY_B, "w2", at("2026-03-04 09:00"), resident="p1")
    rows.journal(known.owner, B, "k2", at("2026-03-04 10:00"), "earn", "p2", 5)
    refresh(known.owner)
    query_cache().clear()
    district, per_community = figures.service_summary(Scope.district(), PERIOD)
    users = dict(zip(per_community["community_code"], per_community["unique_users"], strict=True))
    assert users == {A: 2, B: 2}  # A: p1, p2; B: q1, p1
    assert district["unique_users"] == 3
    district, per_community = figures.points_summary(Scope.district(), PERIOD)
    earners = dict(zip(per_community["community_code"], per_community["earners_30d"], strict=True))
    assert earners == {A: 1, B: 2}  # A: p2; B: q1, p2
    assert district["earners_30d"] == 2


def test_participation_before_a_later_earning_reads_the_journals(known):
    # p2 earned on 03-02 (within the 30 days to T) and earns again after T: its last
    # earning (migration 033) lies after T and says nothing of the window, so the
    # journals are read, and p2 still counts.
    rows.journal(known.owner, A, "j-after", at("2026-04-01 10:00"), "earn", "p2", 3)
    refresh(known.owner)
    query_cache().clear()
    total, _ = figures.points_summary(Scope("community", A), PERIOD)
    assert total["earners_30d"] == 1
    assert total["participation"] == pytest.approx(1 / 2000)


def test_participation_now_counts_the_last_earnings_in_the_30_days(known):
    # T = now: p5 earned 10 days ago and 40 days ago, p6 only 31 days ago, p7 an hour
    # ago in B and two days ago in A.
    from datetime import datetime, timedelta

    now = datetime.now(rows.LOCAL)
    rows.journal(known.owner, A, "n1", now - timedelta(days=40), "earn", "p5", 2)
    rows.journal(known.owner, A, "n2", now - timedelta(days=10), "earn", "p5", 2)
    rows.journal(known.owner, A, "n3", now - timedelta(days=31), "earn", "p6", 2)
    rows.journal(known.owner, B, "n4", now - timedelta(hours=1), "earn", "p7", 2)
    rows.journal(known.owner, A, "n5", now - timedelta(days=2), "earn", "p7", 2)
    refresh(known.owner)
    query_cache().clear()
    live = Period.last_days(30)
    district, per_community = figures.points_summary(Scope.district(), live)
    earners = dict(zip(per_community["community_code"], per_community["earners_30d"], strict=True))
    assert earners == {A: 2, B: 1}  # A: p5, p7; B: p7
    assert district["earners_30d"] == 2  # p7 once (the district's own last earnings)
    assert district["participation"] == pytest.approx(2 / (2000 + 1500))
    street, _ = figures.points_summary(Scope("street", rows.STREET_A), live)
    assert street["earners_30d"] == 2


def test_daily_activity_has_every_day(known):
    series = figures.daily_activity(Scope("community", A), PERIOD)
    assert len(series) == 10
    assert int(series["incidents_reported"].sum()) == 6  # reported 1–10 March (incl. rejected)
    assert int(series["visits"].sum()) == 6
