"""民情事件 in a real browser: click the worst overdue incident, see its timeline."""

from __future__ import annotations

from datetime import timedelta

from harness import page_text, wait_for_idle
from sqlalchemy import text

from data_access.period import LOCAL, today_local
from tests.app import expected

AS_OF = today_local() - timedelta(days=1)

# The worst overdue incident as of T and the first step of its status log by T.
WORST_SQL = """
WITH worst AS (
    SELECT community_code, incident_id, reported_at
      FROM fact_incident
     WHERE reported_at <= :t AND due_at < :t
       AND (closed_at IS NULL OR closed_at > :t) AND (rejected_at IS NULL OR rejected_at > :t)
     ORDER BY due_at, community_code, incident_id
     LIMIT 1
)
SELECT w.incident_id,
       coalesce((SELECT min(l.changed_at) FROM fact_incident_status_log l
                  WHERE l.community_code = w.community_code AND l.incident_id = w.incident_id
                    AND l.changed_at <= :t), w.reported_at) AS first_step,
       (SELECT max(l.changed_at) FROM fact_incident_status_log l
         WHERE l.community_code = w.community_code AND l.incident_id = w.incident_id
           AND l.changed_at <= :t) AS last_step
  FROM worst w
"""


def test_clicking_an_overdue_row_shows_its_timeline(open_page, browser_session, demo_warehouse):
    window = expected.window(AS_OF - timedelta(days=29), AS_OF, AS_OF)
    with demo_warehouse.owner.connect() as connection:
        worst = connection.execute(text(WORST_SQL), {"t": window["t"]}).mappings().one()
    title = f"事件 {worst['incident_id']} 处置时间线"

    page = open_page(f"/incidents?asof={AS_OF.isoformat()}")  # signed in by browser_session
    page.get_by_text("超期未结清单").wait_for(timeout=30_000)
    assert title not in page_text(page)

    # The list's first row is the worst; tick its row marker (left of the first column).
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    page.get_by_text(title).wait_for(timeout=30_000)
    wait_for_idle(page)
    page.get_by_text(title).scroll_into_view_if_needed()
    shown = page_text(page)

    assert title in shown
    timeline = page.locator('[data-testid="stDataFrame"]').nth(1)
    timeline.scroll_into_view_if_needed()
    cells = timeline.text_content()  # the grid draws on a canvas; its cells are in an a11y table
    first = worst["first_step"].astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    last = worst["last_step"].astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    assert first in cells and last in cells
    browser_session.screenshot()  # test-artifacts/screenshots/<test name>-2.png
