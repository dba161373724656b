"""服务场景's trend chart: visits per facility type and week, summed before it is sent."""

from datetime import date

import pandas as pd

from ui.service_views import trend_chart, type_name


def test_the_trend_chart_sends_one_row_per_week_and_type():
    weekly = pd.DataFrame(
        {
            "facility_code": ["F1", "F2", "F3", "F1", "F2", "F3"],
            "facility_type": ["canteen", "canteen", "childcare"] * 2,
            "week_start": [date(2026, 11, 9)] * 3 + [date(2026, 11, 16)] * 3,
            "visits": [3, 4, 5, 6, 7, 0],
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
