"""服务场景's trend chart: visits per facility type and week, as the warehouse sums them."""

from datetime import date

import pandas as pd

from ui.service_views import trend_chart, type_name


def test_the_trend_chart_draws_the_warehouse_rows_by_type_name():
    # services.weekly_usage sums per type and week in SQL (tested in
    # tests/warehouse/test_services_detail.py); the chart sends those rows as they are.
    weekly = pd.DataFrame(
        {
            "facility_type": ["canteen", "childcare"] * 2,
            "week_start": [date(2026, 11, 9)] * 2 + [date(2026, 11, 16)] * 2,
            "visits": [7, 5, 13, 0],
        }
    )
    data = trend_chart(weekly).data
    rows = sorted(
        (week.date().isoformat(), kind, visits)
        for week, kind, visits in zip(data["week"], data["type"], data["visits"], strict=True)
    )
    canteen, childcare = type_name("canteen"), type_name("childcare")
    assert rows == sorted(
        [
            ("2026-11-09", canteen, 7.0),
            ("2026-11-09", childcare, 5.0),
            ("2026-11-16", canteen, 13.0),
            ("2026-11-16", childcare, 0.0),
        ]
    )


def _weekly(visits: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facility_type": ["canteen", "childcare"],
            "week_start": [date(2026, 11, 16)] * 2,
            "visits": visits,
        }
    )


def test_a_kept_chart_is_rebuilt_only_when_its_query_result_is_a_new_one(monkeypatch):
    from data_access import derived
    from ui import charts, service_views

    drawn = []
    monkeypatch.setattr(charts, "show", lambda chart, theme: drawn.append(chart))
    derived.clear()
    first, refetched = _weekly([3, 4]), _weekly([5, 9])

    def draw(weekly):
        service_views.draw_kept(
            "trend", lambda: service_views.trend_chart(weekly), (weekly,), "desk"
        )

    draw(first)
    draw(first)  # a warm rerun: the same cached result
    draw(refetched)  # the cache expired: a new result
    service_views.draw_kept("other", lambda: trend_chart(first), (first,), "desk")
    derived.clear()
    assert drawn[0] is drawn[1]
    assert drawn[2] is not drawn[0]
    assert sorted(drawn[2].data["visits"]) == [5.0, 9.0]
    assert sorted(drawn[0].data["visits"]) == [3.0, 4.0]
    assert drawn[3] is not drawn[0]  # another chart from the same result
