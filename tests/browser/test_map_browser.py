"""The grid map in a real browser: the deck canvas paints areas, hovering an area shows
its tooltip, clicking it fills the side panel, the drill button narrows the cockpit,
and nothing is fetched from another host (the fixture fails the test otherwise)."""

from __future__ import annotations

import io
import json
import math
from urllib.parse import parse_qs, urlsplit

from harness import wait_for_idle
from PIL import Image, ImageStat
from sqlalchemy import text

from ui.map_view import FIT_PADDING, MAP_HEIGHT, MAP_WIDTH, fit_view

COMMUNITY = "湖山社区"  # 3 grids, 20 micro-grids


def _community(engine, name: str) -> tuple[str, list, list[dict]]:
    """The community's code, outline ring and grids (name, worker, outline)."""
    with engine.connect() as connection:
        code, geometry = connection.execute(
            text(
                "SELECT community_code, geometry::text FROM dim_community WHERE community_name = :n"
            ),
            {"n": name},
        ).one()
        grids = connection.execute(
            text(
                "SELECT grid_code, grid_name, worker, geometry::text AS geometry FROM dim_grid "
                "WHERE community_code = :c AND level = 'grid' ORDER BY grid_code"
            ),
            {"c": code},
        ).mappings()
        return code, json.loads(geometry)["coordinates"][0], [dict(row) for row in grids]


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator world units (0…1 across), y growing southwards as on screen."""
    x = (lon + 180) / 360
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
    return x, y


def _canvas(page):
    chart = page.locator('[data-testid="stDeckGlJsonChart"]')
    chart.wait_for(state="visible", timeout=30_000)
    canvas = chart.locator("canvas").first
    canvas.wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(1500)  # deck.gl paints on the next animation frames
    return chart, canvas


def _pixel_of(box: dict, view: dict, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is drawn in a canvas showing `view` (deck.gl's MapView)."""
    scale = 512 * 2 ** view["zoom"]
    cx, cy = _mercator(view["longitude"], view["latitude"])
    x, y = _mercator(lon, lat)
    return (
        box["x"] + box["width"] / 2 + (x - cx) * scale,
        box["y"] + box["height"] / 2 + (y - cy) * scale,
    )


def _box(ring: list[list[float]]) -> tuple[float, float, float, float]:
    return (
        min(p[0] for p in ring),
        min(p[1] for p in ring),
        max(p[0] for p in ring),
        max(p[1] for p in ring),
    )


def _open_signed_in(open_page, engine, path: str):
    """Open `path`; if the app asks who is looking, sign in as the demo district account
    (while sign-in is new the harness does not do it yet)."""
    page = open_page(path)
    if not page.locator("input[type=password]").count():
        return page
    with engine.connect() as connection:
        accounts = connection.execute(
            text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
        ).scalar_one()
    account = next(a for a in accounts if a["role"] == "district")
    page.locator("input[type=text]").first.fill(account["username"])
    page.locator("input[type=password]").fill(account["password"])
    page.get_by_role("button", name="登录", exact=True).click()
    wait_for_idle(page)
    if "/map" not in page.url or not page.locator('[data-testid="stDeckGlJsonChart"]').count():
        page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)
        wait_for_idle(page)
    page.locator('[data-testid="stDeckGlJsonChart"]').wait_for(state="visible", timeout=30_000)
    return page


def test_map_paints_hovers_selects_and_drills(open_page, demo_warehouse):
    code, outline, grids = _community(demo_warehouse.owner, COMMUNITY)
    page = _open_signed_in(open_page, demo_warehouse.owner, f"/map?community={code}")

    chart, canvas = _canvas(page)
    box = canvas.bounding_box()
    assert box and box["width"] > 600 and box["height"] > 500

    # Painted, not blank: the canvas shows many distinct colours (areas, outlines, labels).
    shot = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    assert max(ImageStat.Stat(shot).stddev) > 20
    assert len(shot.getcolors(maxcolors=1_000_000) or []) > 50

    # Where the app centred and zoomed the view, from the community's outline as stored.
    west, south, east, north = _box(outline)
    fitted = fit_view((west, south, east, north), MAP_WIDTH["desk"], MAP_HEIGHT["desk"])
    view = {"longitude": fitted.longitude, "latitude": fitted.latitude, "zoom": fitted.zoom}
    # The fit is real: every grid corner lies inside the canvas and the community spans
    # at least half of it one way (not a default world view).
    corners = [
        _pixel_of(box, view, lon, lat)
        for grid in grids
        for lon, lat in json.loads(grid["geometry"])["coordinates"][0]
    ]
    assert all(box["x"] - 1 <= x <= box["x"] + box["width"] + 1 for x, _ in corners)
    assert all(box["y"] - 1 <= y <= box["y"] + box["height"] + 1 for _, y in corners)
    spread_x = max(x for x, _ in corners) - min(x for x, _ in corners)
    spread_y = max(y for _, y in corners) - min(y for _, y in corners)
    assert spread_x > box["width"] * (1 - 2 * FIT_PADDING) * 0.5 or (
        spread_y > box["height"] * (1 - 2 * FIT_PADDING) * 0.5
    )

    # Hover the middle of the first grid (a convex polygon: the mean of its corners).
    target = grids[0]
    ring = json.loads(target["geometry"])["coordinates"][0][:-1]
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    # A little off the exact middle, where the label is drawn.
    x, y = _pixel_of(box, view, lon, lat)
    page.mouse.move(x, y + 25)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    shown = tooltip.inner_text()
    assert target["grid_name"] in shown
    assert target["worker"] in shown
    session_screenshot(page, "map-tooltip")

    # Click: the app reruns and the side panel names the grid.
    page.mouse.click(x, y + 25)
    wait_for_idle(page)
    panel = page.locator('[data-testid="stHeading"]', has_text=target["grid_name"])
    panel.first.wait_for(state="visible", timeout=20_000)
    drill = page.get_by_role("button", name="筛选到该区域")
    # The panel's heading and its button arrive as separate deltas of the same run: under
    # load the heading was seen before the button (a CI run counted 0 buttons).
    drill.first.wait_for(state="visible", timeout=20_000)
    assert drill.count() == 1
    session_screenshot(page, "map-selected")

    # Drill: the whole cockpit narrows to that grid (it is in the URL).
    drill.click()
    wait_for_idle(page)
    page.wait_for_function(
        "(code) => new URLSearchParams(location.search).get('grid') === code",
        arg=target["grid_code"],
        timeout=20_000,
    )
    query = parse_qs(urlsplit(page.url).query)
    assert query["grid"] == [target["grid_code"]]
    assert query["community"] == [code]
    caption = page.locator(
        '[data-testid="stMain"] [data-testid="stCaptionContainer"]'
    ).first.inner_text()
    assert target["grid_name"] in caption


def session_screenshot(page, name: str) -> None:
    from harness import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_district_map_desk_and_wall_screen(open_page, demo_warehouse):
    """The district's communities, on the desk (WebGL) and on the dark wall screen
    (the server's SVG, ui/wall_map.py)."""
    for path in ("/map", "/map?mode=screen"):
        page = _open_signed_in(open_page, demo_warehouse.owner, path)
        if "screen" in path:
            drawn = page.locator('[data-testid="wallMap"]')
            drawn.wait_for(timeout=30_000)
        else:
            _, drawn = _canvas(page)
        shot = Image.open(io.BytesIO(drawn.screenshot())).convert("RGB")
        assert max(ImageStat.Stat(shot).stddev) > 10
        session_screenshot(page, "map-district-screen" if "screen" in path else "map-district")
        if "screen" not in path:  # the ranking's export buttons show their whole labels
            buttons = page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"] button')
            labels = [buttons.nth(i).inner_text().strip() for i in range(buttons.count())]
            assert labels == ["下载 CSV", "下载 Excel"]
            # the label's own extent (a range over it is not clipped) inside its button's
            clipped = buttons.evaluate_all(
                """(els) => els.filter((b) => {
                  const range = document.createRange(); range.selectNodeContents(b);
                  const text = range.getBoundingClientRect(), box = b.getBoundingClientRect();
                  return text.left < box.left - 1 || text.right > box.right + 1;
                }).length"""
            )
            assert clipped == 0
