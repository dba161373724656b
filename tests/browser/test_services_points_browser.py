"""服务场景 and 积分流转 in a real browser, desk and big screen: Chinese labels, the
tiles' figures, every chart painted, no request off the app's host. The screenshots
(test-artifacts/screenshots/) are for a human to look at."""

from __future__ import annotations

from datetime import timedelta

from harness import SCREENSHOTS, page_text, wait_for_idle
from sqlalchemy import text

from data_access.period import today_local
from ui.formatting import format_count

CHARTS = '[data-testid="stVegaLiteChart"]'


def wait_for_charts(page, expected: int) -> None:
    """Vega paints after Streamlit is idle: wait until `expected` charts have a canvas/svg."""
    page.wait_for_function(
        """(n) => {
            const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
            const painted = Array.from(charts).filter(c => c.querySelector('canvas, svg'));
            return painted.length >= n;
        }""",
        arg=expected,
        timeout=30_000,
    )
    page.wait_for_timeout(500)


def open_signed_in(open_page, engine, path: str):
    """Open `path`; if the app still asks who is looking, sign in as the demo district
    account (while sign-in is new the harness may not have done it yet)."""
    page = open_page(path)
    page.wait_for_selector(
        '[data-testid="stMetric"], [data-testid="wall"], input[type="password"]', timeout=30_000
    )
    if not page.get_by_label("用户名").count():
        return page
    with engine.connect() as connection:
        accounts = connection.execute(
            text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
        ).scalar_one()
    account = next(a for a in accounts if a["role"] == "district")
    page.get_by_label("用户名").fill(account["username"])
    page.get_by_label("密码").fill(account["password"])
    page.get_by_label("密码").press("Tab")
    page.get_by_role("button", name="登录").click()
    page.get_by_label("用户名").wait_for(state="detached", timeout=30_000)
    wait_for_idle(page)
    return page


def full_page(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
    page.set_viewport_size({"width": 1920, "height": 3600})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})


def _visits_this_period(engine) -> int:
    today = today_local()
    with engine.connect() as connection:
        visits = connection.execute(
            text(
                "SELECT coalesce(sum(units), 0) FROM fact_service_visit WHERE status = 'attended'"
                " AND visited_at >= :s AND visited_at < :e"
            ),
            # the period's whole days (DESIGN §5): the demo runs to 20:00 of today,
            # ahead of the clock in the early hours
            {
                "s": f"{today - timedelta(days=29)} 00:00+08",
                "e": f"{today + timedelta(days=1)} 00:00+08",
            },
        ).scalar_one()
    return visits


def test_services_page(open_page, demo_warehouse):
    page = open_signed_in(open_page, demo_warehouse.owner, "/services")
    wait_for_charts(page, 4)
    full_page(page, "services-desk")
    shown = page_text(page)
    for label in ("服务场景", "服务人次", "设施利用率", "一老一小一青年", "星期", "低于 30%"):
        assert label in shown, label
    tile = page.locator('[data-testid="stMetric"]', has_text="服务人次")
    assert format_count(_visits_this_period(demo_warehouse.owner)) in tile.inner_text()


def test_services_and_points_walls(open_page, demo_warehouse):
    """The wall's 服务场景 and 积分流转: their figures equal the rows, their charts drawn."""
    page = open_signed_in(open_page, demo_warehouse.owner, "/services?mode=screen")
    page.locator('[data-testid="wallMap"]').wait_for(timeout=30_000)
    visits = page.locator('.w-fig[data-key="visits"] .w-fig-value').inner_text().strip()
    assert visits == format_count(_visits_this_period(demo_warehouse.owner))
    for part in ("wallUtilisation", "wallAges", "wallTrend", "wallScenes"):
        assert page.locator(f'[data-testid="{part}"]').count() >= 1, part
    page.screenshot(path=str(SCREENSHOTS / "services-screen.png"))
    page = open_signed_in(open_page, demo_warehouse.owner, "/points?mode=screen")
    page.locator('[data-testid="wallMap"]').wait_for(timeout=30_000)
    today = today_local()
    with demo_warehouse.owner.connect() as connection:
        issued = connection.execute(
            text(
                "SELECT coalesce(sum(amount), 0) FROM ledger_journal WHERE kind = 'earn'"
                " AND occurred_at >= :s AND occurred_at < :e"
            ),
            {
                "s": f"{today - timedelta(days=29)} 00:00+08",
                "e": f"{today + timedelta(days=1)} 00:00+08",
            },
        ).scalar_one()
    shown = page.locator('.w-fig[data-key="issued"] .w-fig-value').inner_text().strip()
    assert shown == format_count(issued)
    for part in ("wallFlows", "wallPointsDaily"):
        assert page.locator(f'[data-testid="{part}"]').count() >= 1, part
    page.screenshot(path=str(SCREENSHOTS / "points-screen.png"))


def test_points_page(open_page, demo_warehouse):
    page = open_signed_in(open_page, demo_warehouse.owner, "/points")
    wait_for_charts(page, 5)
    full_page(page, "points-desk")
    shown = page_text(page)
    for label in (
        "积分流转",
        "积分账本平衡",
        "积分从哪里来，到哪里去",
        "兑换去向排行",
        "积分余额走势",
    ):
        assert label in shown, label
