"""The community head's phone [14]: every desk page at 390×844 (a phone) and 768×1024 (a
portrait tablet), in a mobile Chromium that says it is DingTalk's embedded browser.

Per page: the page never scrolls sideways, every visible control is at least 44×44 px,
the top bar (page menu, filters) is there. On 民情事件 the first overdue card is the
most overdue incident of the head's community, computed here from the database, and
sits within two screen heights of the top. The filters at the top write the URL the
sidebar's do; the page menu switches pages keeping them; the sign-in survives closing
and reopening the embedded browser, also with ?embed=true.

Screenshots: test-artifacts/screenshots/phone-<width>x<height>-<page>.png (and the
named ones of the interaction tests).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from harness import (
    SCREENSHOTS,
    assert_no_exception,
    demo_account,
    is_local,
    page_text,
    wait_for_idle,
)
from sqlalchemy import text

from data_access.period import today_local
from tests.app import expected
from ui.formatting import format_hours

VIEWPORTS = {"phone": (390, 844), "tablet": (768, 1024)}
DESK_PAGES = ["/", "/map", "/incidents", "/services", "/points", "/community", "/status", "/alerts"]
TAP = 44
AS_OF = today_local() - timedelta(days=1)  # a fixed past as-of: the figures cannot move
# What 浙政钉 / DingTalk's in-app browser on Android sends.
DINGTALK_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.193 Mobile Safari/537.36 DingTalk/7.6.0 TaurusApp/7.6.0 "
    "AliApp(DingTalk/7.6.0)"
)

# Every visible control smaller than 44 px in either dimension. Visible: rendered, on
# screen sideways, not in the collapsed sidebar (parked left of the viewport, its
# content squeezed while it slides), not inside a closed expander, not clipped to
# nothing (screen-reader-only skip links and Streamlit's hidden native date inputs).
# A select counts as its box, not its typing cursor.
SMALL_CONTROLS_JS = """
() => {
  const selector = 'button, a[href], input, select, textarea, [role="tab"], [role="button"],'
    + ' [role="link"], [role="checkbox"], [role="radio"], [role="switch"], [role="combobox"]';
  const shown = (el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true,
                             contentVisibilityAuto: true})) return false;
    for (let e = el.parentElement; e; e = e.parentElement) {
      const box = e.getBoundingClientRect();
      if (getComputedStyle(e).overflow !== 'visible' && (box.width <= 1 || box.height <= 1))
        return false;
    }
    const r = el.getBoundingClientRect();
    if (r.right <= 0 || r.left >= innerWidth) return false;
    return r.width > 1 && r.height > 1;
  };
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[data-testid="stSidebar"][data-collapsed="true"]') || !shown(el)) continue;
    if (el.tagName === 'INPUT' && el.closest('[data-baseweb="select"]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 44 || r.height < 44) {
      const owner = el.closest('[data-testid]');
      small.push(`${el.tagName.toLowerCase()} in ${owner ? owner.dataset.testid : '?'} `
        + `${Math.round(r.width)}x${Math.round(r.height)} `
        + `"${(el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`);
    }
  }
  return small;
}
"""

# Anything sticking out of the viewport sideways that no box of its own scrolls or clips.
OVERFLOW_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const own = (e) => e !== main && ['auto', 'scroll', 'hidden', 'clip']
    .includes(getComputedStyle(e).overflowX);
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || (r.right <= innerWidth + 1 && r.left >= -1)) continue;
    let boxed = false;
    for (let e = el.parentElement; e && e !== main; e = e.parentElement)
      if (own(e)) { boxed = true; break; }
    if (!boxed && el.checkVisibility())
      out.push(`${el.tagName} ${el.dataset.testid || ''} `
        + `${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return {page: document.scrollingElement.scrollWidth, main: main.scrollWidth,
          mainBox: main.clientWidth, width: innerWidth, out: out.slice(0, 10)};
}
"""

# Columns with something in them that the phone CSS took off the page.
HIDDEN_COLUMNS_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stColumn"]'))
  .filter((c) => c.querySelector('[data-testid="stElementContainer"]')
    && getComputedStyle(c).display === 'none')
  .map((c) => c.innerText.trim().slice(0, 40))
"""

# The first overdue card's place, measured from the top of the scrolled page.
FIRST_CARD_JS = """
() => {
  const card = document.querySelector('.cockpit-card');
  if (!card || !card.checkVisibility()) return null;
  const main = document.querySelector('[data-testid="stMain"]');
  const r = card.getBoundingClientRect();
  return {top: r.top + main.scrollTop, bottom: r.bottom + main.scrollTop,
          height: innerHeight, text: card.innerText, incident: card.dataset.incident};
}
"""

WORST_SQL = """
SELECT i.incident_id, c.category_name, g.grid_name,
       extract(epoch FROM CAST(:t AS timestamptz) - i.due_at) / 3600.0 AS hours_overdue
  FROM fact_incident i
  JOIN dim_incident_category c USING (category_code)
  LEFT JOIN dim_grid g ON g.grid_code = i.grid_code
 WHERE i.community_code = :community AND i.reported_at <= :t AND i.due_at < :t
   AND (i.closed_at IS NULL OR i.closed_at > :t) AND (i.rejected_at IS NULL OR i.rejected_at > :t)
 ORDER BY i.due_at, i.incident_id
 LIMIT 1
"""


def _account_scope(warehouse, role: str) -> str:
    with warehouse.owner.connect() as connection:
        accounts = connection.execute(
            text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
        ).scalar_one()
    accounts = accounts if isinstance(accounts, list) else json.loads(accounts)
    return next(a for a in accounts if a["role"] == role)["scope_code"]


class Phone:
    """A mobile browser context (touch, DingTalk's user agent) signed in as a community head."""

    def __init__(self, browser, app_server, warehouse, size, storage_state=None, sign_in=True):
        width, height = size
        self.size = size
        self.host = app_server.host
        self.requests: list[str] = []
        self.context = browser.new_context(
            viewport={"width": width, "height": height},
            is_mobile=True,
            has_touch=True,
            user_agent=DINGTALK_UA,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            storage_state=storage_state,
        )
        self.context.on("request", lambda request: self.requests.append(request.url))
        # recorded above, then refused, as an intranet would (see harness.BrowserSession)
        self.context.route(lambda url: not is_local(url, self.host), lambda r: r.abort())
        self.page = self.context.new_page()
        if sign_in:
            self.sign_in(*demo_account(warehouse.owner_url, "community"))

    def sign_in(self, username: str, password: str) -> None:
        page = self.open("/")
        self.small_on_sign_in = page.evaluate(SMALL_CONTROLS_JS)
        self.screenshot(f"phone-{self.size[0]}x{self.size[1]}-sign-in")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_label("密码").press("Enter")
        wait_for_idle(page)
        page.get_by_role("button", name="登录").tap()
        page.get_by_label("用户名").wait_for(state="detached", timeout=60_000)
        wait_for_idle(page)

    def open(self, path: str):
        self.page.goto(f"http://{self.host}{path}", wait_until="domcontentloaded")
        wait_for_idle(self.page)
        assert_no_exception(self.page, path)
        return self.page

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def external_requests(self) -> list[str]:
        return [url for url in self.requests if not is_local(url, self.host)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module", params=list(VIEWPORTS), ids=list(VIEWPORTS))
def phone(request, browser, app_server, demo_warehouse):
    """One signed-in mobile context per viewport, shared by the page checks."""
    session = Phone(browser, app_server, demo_warehouse, VIEWPORTS[request.param])
    yield session
    session.close()


def _name(path: str) -> str:
    return path.strip("/") or "overview"


@pytest.mark.parametrize("path", DESK_PAGES, ids=_name)
def test_page_fits_the_screen_and_every_control_takes_a_finger(phone, path):
    page = phone.open(f"{path}?asof={AS_OF.isoformat()}")
    width, height = phone.size
    phone.screenshot(f"phone-{width}x{height}-{_name(path)}")

    fit = page.evaluate(OVERFLOW_JS)
    assert fit["page"] <= fit["width"], f"{path}: the page scrolls sideways: {fit}"
    assert fit["main"] <= fit["mainBox"], f"{path}: the content scrolls sideways: {fit}"
    assert not fit["out"], f"{path}: content wider than the screen: {fit['out']}"

    small = page.evaluate(SMALL_CONTROLS_JS)
    assert not small, f"{path} at {width}×{height}: controls under {TAP} px: {small}"

    # nothing the desk draws is lost: the title and every column with content show
    assert page.locator('[data-testid="stMain"] h1').first.is_visible()
    assert not page.evaluate(HIDDEN_COLUMNS_JS)

    # the top bar: the page menu (named after this page) and the filters, above the title
    bar = page.locator(".st-key-cockpit_phone_bar")
    assert bar.is_visible()
    menu = bar.get_by_test_id("stPopoverButton")
    assert menu.is_visible()
    assert "筛选：" in bar.locator("summary").inner_text()
    first = page.locator('[data-testid="stMain"] :is(h1, h2, h3, [data-testid="stMetric"])')
    first = first.filter(visible=True).first
    assert bar.bounding_box()["y"] < first.bounding_box()["y"]
    # the sidebar is parked off screen, not over the page
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 1, sidebar
    assert not phone.external_requests()


def test_first_overdue_card_is_the_worst_incident_within_two_screens(phone, demo_warehouse):
    community = _account_scope(demo_warehouse, "community")
    window = expected.window(AS_OF - timedelta(days=29), AS_OF, AS_OF)
    with demo_warehouse.owner.connect() as connection:
        worst = (
            connection.execute(text(WORST_SQL), {"t": window["t"], "community": community})
            .mappings()
            .first()
        )
    assert worst is not None, "the demo community has nothing overdue: nothing to check"

    page = phone.open(f"/incidents?asof={AS_OF.isoformat()}")
    card = page.evaluate(FIRST_CARD_JS)
    width, height = phone.size
    phone.screenshot(f"phone-{width}x{height}-incidents-first-card")
    assert card is not None, "no overdue card shown"
    assert card["bottom"] <= 2 * height, f"the first card ends {card['bottom']} px down"
    assert card["incident"] == worst["incident_id"]
    lines = card["text"]
    assert worst["category_name"] in lines
    assert worst["incident_id"] in lines
    assert worst["grid_name"] in lines
    assert f"超期 {format_hours(worst['hours_overdue'])} 小时" in lines
    # the desk's table is still there, below, for the full list and the timelines
    assert "超期未结清单" in page_text(page)


PHONE_MAP_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const img = document.querySelector('[data-testid="phoneMap"]');
  const deck = document.querySelector('[data-testid="stDeckGlJsonChart"]');
  const box = (el) => el && el.checkVisibility() ? el.getBoundingClientRect().toJSON() : null;
  return {img: box(img), deck: box(deck), src: img ? img.getAttribute('src') : null,
          width: innerWidth, mainWidth: main.clientWidth};
}
"""


def test_the_map_fits_the_width_framed_on_the_community(phone, demo_warehouse):
    """On a phone the map is a picture the screen's width with every grid of the head's
    community on it (the desk's deck, which kept its desk zoom, is not shown)."""
    import base64
    import re

    community = _account_scope(demo_warehouse, "community")
    with demo_warehouse.owner.connect() as connection:
        grids = set(
            connection.execute(
                text("SELECT grid_code FROM dim_grid WHERE community_code = :c AND level = 'grid'"),
                {"c": community},
            ).scalars()
        )
    page = phone.open(f"/map?asof={AS_OF.isoformat()}")
    page.locator('[data-testid="phoneMap"]').scroll_into_view_if_needed()
    width, height = phone.size
    phone.screenshot(f"phone-{width}x{height}-map-picture")
    shown = page.evaluate(PHONE_MAP_JS)
    assert shown["img"] is not None, "no map picture on the phone"
    assert shown["deck"] is None, "the desk's deck still shows on the phone"
    assert shown["img"]["left"] >= 0 and shown["img"]["right"] <= shown["width"]
    assert shown["img"]["width"] >= 0.9 * shown["mainWidth"] - 2 * 16  # its column's width
    svg = base64.b64decode(shown["src"].split(",", 1)[1]).decode("utf-8")
    assert set(re.findall(r'data-area="([^"]+)"', svg)) == grids
    # the desk's "click an area" hint is not offered for a picture that takes no click
    assert page.locator(".st-key-cockpit_map_hint").count() == 1
    assert not page.locator(".st-key-cockpit_map_hint").is_visible()


def test_a_card_opens_its_timeline_by_a_tap(browser, app_server, demo_warehouse):
    phone = Phone(browser, app_server, demo_warehouse, VIEWPORTS["phone"])
    try:
        page = phone.open(f"/incidents?asof={AS_OF.isoformat()}")
        first = page.evaluate(FIRST_CARD_JS)
        title = f"事件 {first['incident']} 处置时间线"
        assert title not in page_text(page)
        pick = page.locator(".st-key-cockpit_phone_overdue").get_by_test_id("stSelectbox")
        pick.scroll_into_view_if_needed()
        pick.tap()
        page.get_by_role("option").first.tap()
        page.get_by_text(title).wait_for(timeout=30_000)
        wait_for_idle(page)
        heading = page.get_by_text(title)
        heading.scroll_into_view_if_needed()
        phone.screenshot("phone-card-timeline")
        assert heading.is_visible()
        assert not page.evaluate(SMALL_CONTROLS_JS)
    finally:
        phone.close()


def test_filters_at_the_top_write_the_url_and_the_menu_keeps_them(
    browser, app_server, demo_warehouse
):
    phone = Phone(browser, app_server, demo_warehouse, VIEWPORTS["phone"])
    try:
        start, end = AS_OF - timedelta(days=6), AS_OF
        page = phone.open(f"/incidents?from={start}&to={end}&asof={AS_OF}")
        bar = page.locator(".st-key-cockpit_phone_bar")
        # the URL fills the top filters exactly as it fills the sidebar's
        summary = bar.locator("summary")
        assert f"{start:%m-%d}–{end:%m-%d}" in summary.inner_text()
        summary.tap()
        grid_box = bar.get_by_test_id("stSelectbox")
        grid_box.wait_for()
        assert not page.evaluate(SMALL_CONTROLS_JS)
        phone.screenshot("phone-filters-open")
        grid_box.tap()
        option = page.get_by_role("option").nth(1)  # the first grid after 全部
        grid_name = option.inner_text().strip()
        option.tap()
        wait_for_idle(page)
        assert "grid=" in page.url and f"from={start}" in page.url and f"to={end}" in page.url
        assert grid_name in page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
        assert grid_name in bar.locator("summary").inner_text()
        grid_code = page.url.split("grid=")[1].split("&")[0]

        # the page menu: every page, a finger's size each; 服务场景 keeps the filters
        bar.get_by_test_id("stPopoverButton").tap()
        body = page.get_by_test_id("stPopoverBody")
        body.wait_for()
        links = body.get_by_test_id("stPageLink-NavLink")
        links.first.wait_for()
        assert links.count() == len(DESK_PAGES)
        assert not page.evaluate(SMALL_CONTROLS_JS)
        phone.screenshot("phone-menu-open")
        body.get_by_role("link", name="服务场景").tap()
        page.wait_for_url("**/services*")
        wait_for_idle(page)
        assert f"grid={grid_code}" in page.url and f"from={start}" in page.url
        assert page.locator("h1").first.inner_text() == "服务场景"
        assert "服务场景" in bar.get_by_test_id("stPopoverButton").inner_text()

        # the sidebar (the rest of the filters, the briefing) still opens, by a tap
        page.get_by_test_id("stExpandSidebarButton").tap()
        page.locator('[data-testid="stSidebar"][data-collapsed="false"]').wait_for()
        page.wait_for_timeout(600)  # its slide-in
        assert page.get_by_test_id("stSidebar").get_by_role("button", name="退出登录").is_visible()
        assert not page.evaluate(SMALL_CONTROLS_JS)
        phone.screenshot("phone-sidebar-open")
        assert not phone.external_requests()
    finally:
        phone.close()


def test_sign_in_survives_closing_the_embedded_browser(browser, app_server, demo_warehouse):
    first = Phone(browser, app_server, demo_warehouse, VIEWPORTS["phone"])
    try:
        cookie = next(c for c in first.context.cookies() if c["name"] == "cockpit_session")
        # a persistent cookie (max-age), not a session one a closed web view forgets
        assert cookie["expires"] > time.time() + 3600
        assert not first.small_on_sign_in  # the sign-in form takes a finger too
        kept = first.context.storage_state()
    finally:
        first.close()  # the app is closed: its web view goes with its session cookies

    # reopened: the web view has only its persistent cookie jar
    persistent = {
        "cookies": [c for c in kept["cookies"] if c["expires"] and c["expires"] > 0],
        "origins": [],
    }
    again = Phone(
        browser, app_server, demo_warehouse, VIEWPORTS["phone"], persistent, sign_in=False
    )
    try:
        page = again.open(f"/incidents?embed=true&asof={AS_OF.isoformat()}")
        assert not page.get_by_label("用户名").count(), "asked to sign in again"
        again.screenshot("phone-reopened-embed")
        assert page.locator(".st-key-cockpit_phone_bar").is_visible()
        assert page.evaluate(FIRST_CARD_JS) is not None
        assert not page.evaluate(SMALL_CONTROLS_JS)
        fit = page.evaluate(OVERFLOW_JS)
        assert fit["page"] <= fit["width"] and not fit["out"]
        # the page menu works in embed mode too, and the embedding survives the switch
        page.locator(".st-key-cockpit_phone_bar").get_by_test_id("stPopoverButton").tap()
        page.get_by_test_id("stPopoverBody").get_by_role("link", name="社区画像").tap()
        page.wait_for_url("**/community*")
        wait_for_idle(page)
        assert page.locator("h1").first.inner_text() == "社区画像"
        assert not page.get_by_label("用户名").count()
        assert "embed=true" in page.url, page.url
    finally:
        again.close()


def test_a_tiles_help_opens_on_a_tap(phone):
    """No hover-only control: a figure's help text comes with a tap."""
    page = phone.open(f"/incidents?asof={AS_OF.isoformat()}")
    page.locator('[data-testid="stMetric"] [data-testid="stTooltipHoverTarget"] button').first.tap()
    tip = page.get_by_test_id("stTooltipContent")
    tip.wait_for(timeout=5_000)
    assert "相比" in tip.inner_text()  # 与上一同长区间（…）相比


def test_desk_at_full_width_shows_no_phone_parts(open_page):
    page = open_page(f"/incidents?asof={AS_OF.isoformat()}")
    assert page.get_by_test_id("stSidebar").is_visible()
    for part in ("cockpit_phone_bar", "cockpit_phone_overdue"):
        assert page.locator(f".st-key-{part}").count() == 1  # drawn, and
        assert not page.locator(f".st-key-{part}").is_visible()  # hidden by the media query
    assert not page.locator(".cockpit-card").first.is_visible()
    page = open_page(f"/map?asof={AS_OF.isoformat()}")
    assert page.locator(".st-key-cockpit_phone_map").count() == 1
    assert not page.locator(".st-key-cockpit_phone_map").is_visible()
    assert page.get_by_test_id("stDeckGlJsonChart").is_visible()  # the desk keeps its deck
    assert page.locator(".st-key-cockpit_map_hint").is_visible()  # and its hint


def test_wall_screen_gets_none_of_the_phone_rules(browser, app_server, demo_warehouse):
    """mode=screen, even on a narrow viewport: no phone CSS, no top bar, no cards."""
    from warehouse.accounts import create_screen_token, revoke_screen_token

    token = create_screen_token(
        demo_warehouse.owner, "district", None, timedelta(hours=1), "phone test"
    )
    wall = Phone(browser, app_server, demo_warehouse, VIEWPORTS["tablet"], sign_in=False)
    try:
        page = wall.page
        page.goto(f"http://{wall.host}/incidents?mode=screen&token={token.token}")
        page.locator('[data-testid="wall"]').first.wait_for(timeout=90_000)
        assert_no_exception(page, "the wall screen")
        styles = page.evaluate(
            "() => Array.from(document.querySelectorAll('style'), s => s.textContent).join()"
        )
        assert "cockpit_phone_" not in styles and "cockpit-card" not in styles
        assert page.locator('[class*="st-key-cockpit_phone_"]').count() == 0
    finally:
        wall.close()
        revoke_screen_token(demo_warehouse.owner, token.token_id)
