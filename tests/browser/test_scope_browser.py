"""A community head in a real browser: whatever the URL asks for, nothing of another
community appears, and their session survives a reload."""

from __future__ import annotations

from harness import BrowserSession, demo_account, page_text
from sqlalchemy import text


def test_community_head_sees_only_their_community(browser, app_server, demo_warehouse):
    with demo_warehouse.owner.connect() as connection:
        names = dict(
            connection.execute(
                text("SELECT community_name, community_code FROM dim_community")
            ).all()
        )
        own_residents = connection.execute(
            text("SELECT residents FROM dim_community WHERE community_name = '南城社区'")
        ).scalar_one()
    other = names["湘湖社区"]
    session = BrowserSession(browser, app_server.host, "community-head-other-community")
    try:
        session.sign_in(*demo_account(demo_warehouse.owner_url, "community"))
        for path in (f"/?community={other}", f"/incidents?community={other}", "/map"):
            page = session.open(path)
            shown = page_text(page)
            assert "南城社区" in shown, path
            assert "湘湖社区" not in shown, path
        page = session.open(f"/?community={other}")
        assert f"community={other}" in page_text(page)  # the notice names the dropped value
        page.reload()
        page = session.open("/")
        tile = page.locator('[data-testid="stMetric"]', has_text="常住人口").inner_text()
        assert f"{own_residents:,}" in tile
        assert session.external_requests() == []
    finally:
        session.close()
