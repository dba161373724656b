"""The whole district's charts read its own rollups (migration 028, issue 13) and show
what the community rollups and the facts show: each query asked for the district
(:scope_codes NULL, the district rollups) equals the same query told every community
by name (the community rollups, the facts), on the demo district, for a live period,
a past one and one that ends before its as-of day; and one day of the flow is checked
against the incidents counted here."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import text

from data_access import Period, Scope
from data_access.period import today_local
from data_access.runner import fetch, query_cache

QUERIES = {
    "daily_activity": ("start_day", "end_day"),
    "points_daily": ("start_day", "end_day"),
    "facility_type_weekly_usage": ("start_day", "end_day"),
    "visits_by_age_band": ("start_day", "end_day"),
    "incident_flow_by_day": ("start_day", "end_day", "start_at", "t", "day_start", "grid_code"),
}


def _periods() -> dict[str, Period]:
    today = today_local()
    return {
        "last 30 days, live": Period.last_days(30, today),
        "a past month": Period.last_days(31, today - timedelta(days=45)),
        "ending before its as-of day": Period(
            today - timedelta(days=20), today - timedelta(days=10), today - timedelta(days=3)
        ),
        "a year": Period.last_days(365, today),
    }


def _communities(warehouse) -> list[str]:
    with warehouse.owner.connect() as c:
        return list(
            c.execute(text("SELECT community_code FROM dim_community ORDER BY 1")).scalars()
        )


def _fetch(warehouse, name: str, period: Period, **extra) -> pd.DataFrame:
    params = {**period.params(), "grid_code": None}
    wanted = {key: params[key] for key in QUERIES[name]}
    query_cache().clear()
    return fetch(name, Scope.district(), url=warehouse.reader_url, **wanted, **extra)


@pytest.mark.parametrize("period_name", sorted(_periods()))
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_district_rollups_give_what_the_communities_give(demo_warehouse, name, period_name):
    period = _periods()[period_name]
    from_district = _fetch(demo_warehouse, name, period)
    every_community = _fetch(demo_warehouse, name, period, scope_codes=_communities(demo_warehouse))
    assert len(from_district) > 0
    pd.testing.assert_frame_equal(
        from_district.astype(str), every_community.astype(str), check_dtype=False
    )


def test_the_flow_of_the_as_of_day_counts_its_incidents(demo_warehouse):
    """The live period's last day (from the facts) and the day before (from the district
    rollup) against the incidents counted here by their timestamps."""
    period = Period.last_days(7, today_local())
    params = period.params()
    flow = _fetch(demo_warehouse, "incident_flow_by_day", period).set_index("day")
    with demo_warehouse.owner.connect() as c:
        incidents = c.execute(
            text("SELECT reported_at, closed_at, rejected_at FROM fact_incident")
        ).all()
    t, today_start = params["t"], params["day_start"]
    yesterday_start = today_start - timedelta(days=1)

    def on(day_from, day_to, column):
        return sum(
            1
            for row in incidents
            if row.reported_at <= t
            and getattr(row, column) is not None
            and day_from <= getattr(row, column) < day_to
            and getattr(row, column) <= t
        )

    for day, start in (
        (period.end, today_start),
        (period.end - timedelta(days=1), yesterday_start),
    ):
        end = start + timedelta(days=1)
        counted = flow.loc[day]
        assert counted["reported"] == on(start, end, "reported_at")
        assert counted["closed"] == on(start, end, "closed_at")
        assert counted["rejected"] == on(start, end, "rejected_at")
    backlog = sum(
        1
        for row in incidents
        if row.reported_at <= t
        and (row.closed_at is None or row.closed_at > t)
        and (row.rejected_at is None or row.rejected_at > t)
    )
    assert flow.loc[period.end]["backlog"] == backlog
