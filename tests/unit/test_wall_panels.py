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


def test_too_few_overdue_are_followed_by_the_warnings_due_soonest():
    now = pd.Timestamp("2026-12-04 09:30", tz="Asia/Shanghai")
    overdue = pd.DataFrame(
        {
            "community_name": ["湖山社区"],
            "category_name": ["管道老化"],
            "grid_name": ["第1网格"],
            "worker": ["王"],
            "hours_overdue": [30.0],
        }
    )
    soon = pd.DataFrame(
        {
            "community_name": ["湘湖社区", "东灵社区"],
            "category_name": ["违规停车", "设施维修"],
            "grid_name": ["第2网格", None],
            "worker": ["李", None],
            "due_at": [now + pd.Timedelta(hours=2), now + pd.Timedelta(hours=5)],
        }
    )
    panel = wall_panels.overdue_panel(overdue, 1, soon, now)
    rows = panel.split("<tr>")[2:]  # after the header
    assert [row.split("</td>")[0].split("<td>")[1] for row in rows] == [
        "湖山社区", "湘湖社区", "东灵社区",
    ]  # fmt: skip
    assert "剩 2" in rows[1] and "剩 5" in rows[2] and "—" in rows[2]


def _widths(html: str) -> list[float]:
    return [float(part.split("%", 1)[0]) for part in html.split("width:")[1:]]


def test_league_further_down_is_drawn_on_the_index_scale():
    table = pd.DataFrame(
        {
            "rank": [6, 7, 8],
            "community_name": ["塘湾社区", "市北社区", "南城社区"],
            "score": [48.6, 39.3, 37.9],
            "rank_change": [0, math.nan, 2],
        }
    )
    panel = wall_panels.league_bars_panel(table, "第 6–8 名")
    # the bars are a share of 100 (the index's scale), not of the first row's score
    assert _widths(panel) == [48.6, 39.3, 37.9]
    assert "6  塘湾社区" in panel and "8  南城社区" in panel
    assert "37.9  ▲ +2" in panel and "48.6</span>" in panel


def test_the_alert_ladder_bars_follow_the_largest_level():
    counts = {"warning": 20, "overdue": 5, "escalated": 40}
    panel = wall_panels.alerts_panel(counts)
    levels = list(wall_panels.LADDER_COLOURS)
    assert _widths(panel) == [counts[level] / 40 * 100 for level in levels]
