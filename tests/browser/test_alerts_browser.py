"""督办 in a real browser (issue [11]): a community head sees only their own
community's alerts, acknowledges one with a note, and a URL naming another
community's alert is refused with a notice in the user's language."""

from __future__ import annotations

from harness import BrowserSession, demo_account, page_text, wait_for_idle
from sqlalchemy import text

from data_access.period import current_minute
from notices.config import load
from sqlfiles import query


def _alerts(engine) -> list[dict]:
    ladder = load().ladder
    params = {
        "t": current_minute(),
        "warning_hours": ladder.warning_hours,
        "escalate_days": ladder.escalate_work_days,
        "grid_code": None,
        "scope_codes": None,
    }
    with engine.connect() as connection:
        return [
            dict(r) for r in connection.execute(query("open_alerts").clause(), params).mappings()
        ]


def test_community_head_sees_and_acknowledges_only_their_own_alerts(
    browser, app_server, demo_warehouse
):
    engine = demo_warehouse.owner
    username, password = demo_account(demo_warehouse.owner_url, "community")
    with engine.connect() as connection:
        own = connection.execute(
            text("SELECT scope_code FROM cockpit_auth.account WHERE username = :u"),
            {"u": username},
        ).scalar_one()
        names = dict(
            connection.execute(
                text("SELECT community_code, community_name FROM dim_community")
            ).all()
        )
    alerts = _alerts(engine)
    mine = [a for a in alerts if a["community_code"] == own]
    others = [a for a in alerts if a["community_code"] != own]
    assert mine and others, "the demo district has open alerts in and out of the scope"
    counts = {level: sum(a["level"] == level for a in mine) for level in ("escalated", "overdue")}
    counts["warning"] = sum(a["level"] == "warning" for a in mine)

    session = BrowserSession(browser, app_server.host, "alerts-community-head")
    try:
        session.sign_in(username, password)
        page = session.open("/alerts")
        shown = page_text(page)
        tiles = {
            label: page.locator('[data-testid="stMetric"]', has_text=label).inner_text()
            for label in ("督办", "超期", "预警")
        }
        for label, level in (("督办", "escalated"), ("超期", "overdue"), ("预警", "warning")):
            assert f"{counts[level]:,}" in tiles[label].replace(label, ""), (label, tiles)
        assert f"共 {len(mine)} 条" in shown
        assert names[own] in shown
        for code, name in names.items():
            if code != own:
                assert name not in shown, name

        # one of their own: its timeline, then acknowledged with a note
        target = mine[0]
        key = f"{target['community_code']}/{target['incident_id']}"
        page = session.open(f"/alerts?alert={key}")
        shown = page_text(page)
        assert f"事件 {target['incident_id']}" in shown and "事件时间线" in shown
        page.locator("textarea").first.fill("已联系网格员，今日处置")
        page.locator("textarea").first.press("Control+Enter")  # commit the value
        wait_for_idle(page)
        page.get_by_role("button", name="确认", exact=True).click()
        wait_for_idle(page)
        page.get_by_text("已确认，并已记入审计日志。").wait_for(timeout=20_000)
        assert f"已由 {username}" in page_text(page)
        with engine.connect() as connection:
            acked = connection.execute(
                text(
                    "SELECT acked_by, note FROM fact_alert_ack"
                    " WHERE community_code = :c AND incident_id = :i AND level = :l"
                ),
                {"c": target["community_code"], "i": target["incident_id"], "l": target["level"]},
            ).one()
        assert tuple(acked) == (username, "已联系网格员，今日处置")

        # another community's alert, named in the URL: refused, in the user's language
        other = others[0]
        other_key = f"{other['community_code']}/{other['incident_id']}"
        page = session.open(f"/alerts?alert={other_key}")
        shown = page_text(page)
        assert f"alert={other_key}" in shown and "不在您的权限范围内" in shown
        assert page.locator("textarea").count() == 0
        assert f"事件 {other['incident_id']}（" not in shown
        page = session.open(f"/alerts?alert={other_key}&lang=en")
        shown = page_text(page)
        assert f"alert={other_key}" in shown and "names no alert within your scope" in shown
        with engine.connect() as connection:
            assert not connection.execute(
                text(
                    "SELECT count(*) FROM fact_alert_ack"
                    " WHERE community_code = :c AND incident_id = :i"
                ),
                {"c": other["community_code"], "i": other["incident_id"]},
            ).scalar_one()
        assert session.external_requests() == []
    finally:
        session.close()
