"""The wall's live strip keeps rows whose grid or worker is unknown (NULL in SQL, NaN
or None in pandas): a report placed on no grid is shown with a dash, not an error."""

from __future__ import annotations

import math

import pandas as pd

from ui import wall_panels


def test_newest_and_overdue_rows_without_a_grid():
    reported = pd.Timestamp("2026-12-04 09:30", tz="Asia/Shanghai")
    newest = pd.DataFrame(
        {
            "reported_at": [reported, reported - pd.Timedelta(hours=2)],
            "category_name": ["设施维修", "违规停车"],
            "community_name": ["湖山社区", "湘湖社区"],
            "grid_name": [math.nan, "第2网格·微网格03"],
            "closed": [False, True],
        }
    )
    strip = wall_panels.newest_panel(newest)
    assert "<td>09:30</td><td>设施维修</td><td>湖山社区</td><td>—</td>" in strip
    assert "<td>微网格03</td>" in strip
    overdue = pd.DataFrame(
        {
            "community_name": ["湖山社区"],
            "category_name": ["管道老化"],
            "grid_name": [None],
            "worker": [math.nan],
            "hours_overdue": [30.0],
        }
    )
    panel = wall_panels.overdue_panel(overdue, 1)
    assert "<td>湖山社区</td><td>管道老化</td><td>—</td><td>—</td>" in panel
