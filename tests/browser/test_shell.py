"""The app shell in a real browser: it starts, speaks Chinese, shows the district's figure."""

from __future__ import annotations

from harness import page_text
from sqlalchemy import text

from ui.formatting import format_count


def test_overview_shows_title_and_district_residents(open_page, demo_warehouse):
    page = open_page("/")

    shown = page_text(page)
    assert "社区数字驾驶舱" in shown

    with demo_warehouse.owner.connect() as connection:
        residents = connection.execute(text("SELECT sum(residents) FROM dim_community")).scalar()
    assert residents and residents > 0
    # The overview's 常住人口 tile, formatted as the app formats every count.
    tile = page.locator('[data-testid="stMetric"]', has_text="常住人口")
    assert tile.count() == 1
    assert format_count(residents) in tile.inner_text()
