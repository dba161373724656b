"""服务场景 queries through data_access.services, against known visits; every expected
value is worked out by hand from the rows below (the tiles' figures are tested in
test_figures.py and not repeated here)."""

from datetime import date

import pytest
from sqlalchemy import text

from data_access import Period, Scope
from data_access import services as usage
from data_access.runner import query_cache
from tests.warehouse import rows
from warehouse.rollups import refresh

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
at = rows.at
# 1–10 March 2026 (1 March is a Sunday), as of 10 March: 10 days.
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 10))
ELDERCARE = "A-F2"


@pytest.fixture
def known(fresh_warehouse, monkeypatch):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)  # A-F1 canteen, capacity 10; B-F1 childcare, 4 beds
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO dim_facility (facility_code, community_code, facility_name,"
                " facility_type, capacity) VALUES (:f, :c, '甲养老', 'eldercare', 1)"
            ),
            {"f": ELDERCARE, "c": A},
        )
    canteen = rows.FACILITY_A
    rows.visit(
        engine, A, canteen, "v1", at("2026-03-02 12:00"), resident="p1", age_band="60-79", units=3
    )
    rows.visit(engine, A, canteen, "v2", at("2026-03-03 12:00"), resident="p2", units=2)
    rows.visit(engine, A, canteen, "v3", at("2026-03-03 12:30"), resident="p1", age_band="80+")
    rows.visit(engine, A, canteen, "v4", at("2026-03-04 12:00"), resident="p3", status="no_show")
    rows.visit(engine, A, canteen, "v5", at("2026-03-20 12:00"), resident="p4")  # after the period
    # Eldercare (1 place a day): six residents on Monday 9 March, four of them again on
    # Tuesday 10 March, all at 9 o'clock: 10 units against 10 capacity units.
    for n in range(1, 7):
        rows.visit(
            engine,
            A,
            ELDERCARE,
            f"e{n}",
            at(f"2026-03-09 09:0{n}"),
            resident=f"e{n}",
            age_band="80+",
        )
    for n in range(1, 5):
        rows.visit(
            engine,
            A,
            ELDERCARE,
            f"f{n}",
            at(f"2026-03-10 09:1{n}"),
            resident=f"e{n}",
            age_band="80+",
        )
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
    refresh(engine)
    monkeypatch.setenv("DATABASE_URL", fresh_warehouse.reader_url)
    query_cache().clear()
    return fresh_warehouse


def by_facility(frame):
    return frame.set_index("facility_code")


def test_facility_usage_sums_before_dividing_and_flags(known):
    frame = by_facility(usage.facility_usage(Scope.district(), PERIOD))
    assert sorted(frame.index) == [rows.FACILITY_A, ELDERCARE, rows.FACILITY_B]
    canteen = frame.loc[rows.FACILITY_A]
    assert canteen["visits"] == 6  # attended units 3 + 2 + 1
    assert canteen["capacity_units"] == 100
    assert canteen["utilisation"] == pytest.approx(6 / 100)
    assert canteen["share_60_plus"] == pytest.approx(4 / 6)
    assert canteen["no_show"] == 1
    assert canteen["peak_day_units"] == 3
    assert canteen["unique_users"] == "<5"  # p1 and p2: two residents
    assert canteen["flag"] == "under"
    eldercare = frame.loc[ELDERCARE]
    assert eldercare["visits"] == 10
    assert eldercare["utilisation"] == pytest.approx(10 / 10)
    assert eldercare["unique_users"] == "6"
    assert eldercare["flag"] == "over"
    assert eldercare["peak_day_units"] == 6
    # Childcare: 4 children on one day against 4 beds × 10 days.
    childcare = frame.loc[rows.FACILITY_B]
    assert childcare["utilisation"] == pytest.approx(4 / 40)
    assert childcare["mean_daily_units"] == pytest.approx(0.4)
    assert childcare["peak_day_units"] == 4


def test_each_community_sees_only_its_own_scenes(known):
    mine = usage.facility_usage(Scope("community", B), PERIOD)
    assert list(mine["facility_code"]) == [rows.FACILITY_B]
    assert usage.facility_types(mine) == ["childcare"]  # no canteen or eldercare boxes
    district = usage.facility_usage(Scope.district(), PERIOD)
    assert usage.facility_types(district) == ["canteen", "eldercare", "childcare"]


def test_weekly_usage_per_type(known):
    frame = usage.weekly_usage(Scope("community", A), PERIOD)
    assert sorted(set(frame["facility_type"])) == ["canteen", "eldercare"]
    canteen = frame[frame["facility_type"] == "canteen"]
    # Weeks (Monday first) overlapping 1–10 March: 23 Feb (only Sunday 1 March inside),
    # 2 March (7 days), 9 March (2 days).
    assert [d.isoformat() for d in canteen["week_start"]] == [
        "2026-02-23",
        "2026-03-02",
        "2026-03-09",
    ]
    assert list(canteen["days"]) == [1, 7, 2]
    assert list(canteen["visits"]) == [0, 6, 0]
    assert list(canteen["capacity_units"]) == [10, 70, 20]
    assert canteen["utilisation"].iloc[1] == pytest.approx(6 / 70)
    eldercare = frame[frame["facility_type"] == "eldercare"]
    assert list(eldercare["visits"]) == [0, 0, 10]
    assert eldercare["utilisation"].iloc[2] == pytest.approx(10 / 2)


def test_weekly_usage_sums_a_types_facilities_before_dividing(known):
    # A second canteen in B (capacity 30) with 4 units on Wednesday 4 March.
    engine = known.owner
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO dim_facility (facility_code, community_code, facility_name,"
                " facility_type, capacity) VALUES ('B-F2', :c, '乙食堂', 'canteen', 30)"
            ),
            {"c": B},
        )
    rows.visit(engine, B, "B-F2", "canteen-b1", at("2026-03-04 12:00"), resident="q1", units=4)
    refresh(engine)
    query_cache().clear()
    frame = usage.weekly_usage(Scope.district(), PERIOD)
    week = frame[(frame["facility_type"] == "canteen") & (frame["days"] == 7)].iloc[0]
    assert week["visits"] == 6 + 4
    assert week["capacity_units"] == (10 + 30) * 7
    assert week["utilisation"] == pytest.approx((6 + 4) / ((10 + 30) * 7))
    # the community head's canteen is only their own
    mine = usage.weekly_usage(Scope("community", B), PERIOD)
    assert set(mine["facility_type"]) == {"canteen", "childcare"}
    my_week = mine[(mine["facility_type"] == "canteen") & (mine["days"] == 7)].iloc[0]
    assert (my_week["visits"], my_week["capacity_units"]) == (4, 30 * 7)


def test_visits_by_age_band_and_group(known):
    frame = usage.visits_by_age_band(Scope.district(), PERIOD)
    cells = {(r.facility_type, r.age_band): (r.age_group, r.visits) for r in frame.itertuples()}
    assert cells == {
        ("canteen", "35-59"): ("middle", 2),
        ("canteen", "60-79"): ("old", 3),
        ("canteen", "80+"): ("old", 1),
        ("childcare", "0-3"): ("young", 4),
        ("eldercare", "80+"): ("old", 10),
    }


def test_heat_map_cells_in_local_time(known):
    everything = usage.visit_heatmap(Scope.district(), PERIOD)
    cells = {(r.weekday, r.hour): (r.visits, r.unique_users) for r in everything.itertuples()}
    assert cells == {
        (1, 9): (6 + 4, "7"),  # Monday 2 and 9 March, 9 o'clock: e1–e6 and q1
        (1, 12): (3, "<5"),  # Monday 2 March, canteen: p1
        (2, 9): (4, "<5"),  # Tuesday 10 March: e1–e4
        (2, 12): (3, "<5"),  # Tuesday 3 March: p2 (2 units), p1 (1 unit)
    }
    canteen = usage.visit_heatmap(Scope.district(), PERIOD, "canteen")
    assert {(r.weekday, r.hour): r.visits for r in canteen.itertuples()} == {(1, 12): 3, (2, 12): 3}
    eldercare = usage.visit_heatmap(Scope.district(), PERIOD, "eldercare")
    assert {(r.weekday, r.hour): r.unique_users for r in eldercare.itertuples()} == {
        (1, 9): "6",
        (2, 9): "<5",
    }
