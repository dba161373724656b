"""No two labels overprint on the grid map as it opens, for the demo district.

The deck the page sends is read back; each label's box is computed here from the
deck's own opening view (Web Mercator, 512 px world at zoom 0) and the map's size,
with a CJK glyph taken as one em wide and any other as 0.62 em, plus the 3 px halo
and the label's pixel offset. The labels of the wall's SVG map are checked the same
way in its own units.
"""

from __future__ import annotations

import base64
import itertools
import json
import math

from ui.map_view import MAP_HEIGHT, MAP_WIDTH

HALO = 3


def _width(text: str, size: float) -> float:
    return sum(size if ord(ch) >= 0x2E80 else 0.62 * size for ch in text)


def _pixel(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    world = 512 * 2**zoom
    x = world * (lon + 180) / 360
    y = world * (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
    return x, y


def _intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _deck(app) -> dict:
    charts = app.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def test_desk_map_labels_never_overlap(demo_app, demo_warehouse):
    from sqlalchemy import text

    app = demo_app(page="pages/map.py")
    assert not app.exception, [e.value for e in app.exception]
    deck = _deck(app)
    view = deck["initialViewState"]
    labels = next(layer for layer in deck["layers"] if layer["id"] == "labels")["data"]
    centre = _pixel(view["longitude"], view["latitude"], view["zoom"])
    width, height = MAP_WIDTH["desk"], MAP_HEIGHT["desk"]
    boxes = []
    for label in labels:
        x, y = _pixel(*label["position"], view["zoom"])
        x += label["offset"][0] - centre[0] + width / 2
        y += label["offset"][1] - centre[1] + height / 2
        half_w = _width(label["text"], label["size"]) / 2 + HALO
        half_h = label["size"] * 1.25 / 2 + HALO
        boxes.append((label["text"], (x - half_w, y - half_h, x + half_w, y + half_h)))
    for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
        assert not _intersect(a, b), (name_a, a, name_b, b)
    for name, box in boxes:  # inside the map as it opens
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, name
    # Every community is named (its own name or its short form), and streets show too.
    with demo_warehouse.owner.connect() as connection:
        names = connection.execute(text("SELECT community_name FROM dim_community")).scalars()
        shown = {label["text"] for label in labels}
        missing = [n for n in names if n not in shown and n.removesuffix("社区") not in shown]
    assert len(missing) <= 2, missing
    assert any(label["kind"] == "street" for label in labels)


def test_wall_map_labels_never_overlap(demo_app, demo_warehouse):
    import re

    app = demo_app(mode="screen")
    walls = [e.proto.body for e in app.get("html") if 'data-testid="wall"' in e.proto.body]
    assert len(walls) == 1
    source = re.search(
        r'data-testid="wallMap"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', walls[0]
    )
    svg = base64.b64decode(source.group(1)).decode("utf-8")
    labels = re.findall(r'<text x="(-?\d+)" y="(-?\d+)" font-size="(\d+)"[^>]*>([^<]+)</text>', svg)
    assert len(labels) >= 10
    boxes = []
    for x, y, size, name in labels:
        x, y, size = float(x), float(y), float(size)
        half_w = _width(name, size) / 2 + HALO
        half_h = size * 1.25 / 2 + HALO
        boxes.append((name, (x - half_w, y - half_h, x + half_w, y + half_h)))
    for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
        assert not _intersect(a, b), (name_a, a, name_b, b)
    assert svg.count("data-area=") == 10  # every demo community is drawn
