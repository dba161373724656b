"""Selection -> filters (the drill-down's URL parameters), the legend's classes, the
view fit and the offline deck, without a database."""

import json
import math

import pandas as pd
import pytest

from ui import coords, filters, map_labels, map_layers
from ui.map_view import (
    HEAT_POINTS_MAX,
    HEAT_RADIUS_PIXELS,
    MapConfig,
    build_deck,
    class_breaks,
    class_of,
    colour_areas,
    drawn_style,
    drill_params,
    fit_view,
    heat_decimals,
    heat_objects,
    legend_html,
    selected_object,
    short_label,
)

COMMUNITY = {
    "area_code": "330109003007",
    "level": "community",
    "community_code": "330109003007",
    "street_code": "330109003",
    "name": "湖山社区",
}
GRID = {
    "area_code": "330109003007G02",
    "level": "grid",
    "community_code": "330109003007",
    "street_code": "330109003",
    "name": "第2网格",
}


def test_a_community_drills_to_its_street_and_community_keeping_the_period():
    current = {"street": "330109104", "from": "2026-03-01", "to": "2026-03-10", "lang": "en"}
    assert drill_params(COMMUNITY, current) == {
        "street": "330109003",
        "community": "330109003007",
        "from": "2026-03-01",
        "to": "2026-03-10",
        "lang": "en",
    }


def test_a_grid_or_micro_grid_drills_to_the_grid_and_drops_an_older_grid():
    current = {"community": "330109104001", "grid": "330109104001G01", "asof": "2026-03-10"}
    assert drill_params(GRID, current) == {
        "street": "330109003",
        "community": "330109003007",
        "grid": "330109003007G02",
        "asof": "2026-03-10",
    }
    micro = {**GRID, "area_code": "330109003007G02M03", "level": "micro_grid"}
    assert drill_params(micro, {"mode": "screen"})["grid"] == "330109003007G02M03"
    assert drill_params(micro, {"mode": "screen"})["mode"] == "screen"


def test_the_drill_parameters_pass_the_url_check():
    communities = pd.DataFrame({"community_code": ["330109003007"], "street_code": ["330109003"]})
    grids = pd.DataFrame({"grid_code": ["330109003007G02"], "community_code": ["330109003007"]})
    from datetime import date

    from data_access import Scope

    checked = filters.parse(
        drill_params(GRID, {}), communities, grids, Scope.district(), date(2026, 3, 10)
    )
    assert checked.scope == Scope("grid", "330109003007G02")
    assert not checked.notices


def test_an_object_without_an_area_drills_nowhere():
    assert drill_params({"name": "x"}, {}) is None
    assert drill_params({**GRID, "level": "street"}, {}) is None


def test_selected_object_reads_streamlits_selection_state():
    event = {"selection": {"indices": {"areas": [2]}, "objects": {"areas": [GRID]}}}
    assert selected_object(event) == GRID
    incident = {**GRID, "name": "设施维修"}
    event = {"selection": {"indices": {"incidents": [0]}, "objects": {"incidents": [incident]}}}
    assert selected_object(event)["area_code"] == GRID["area_code"]
    assert selected_object({"selection": {"indices": {}, "objects": {}}}) is None
    assert selected_object(None) is None


def test_quintile_breaks_and_classes():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None]
    breaks, method = class_breaks(values, "open_per_1000")
    assert method == "quantile"
    # Linear-interpolated quintiles of 1…10: 1 + 9q.
    assert breaks == pytest.approx([2.8, 4.6, 6.4, 8.2])
    assert [class_of(v, breaks) for v in (1, 2.8, 5, 10)] == [0, 1, 2, 4]
    assert class_of(None, breaks) is None


def test_few_areas_get_few_classes_and_rates_fixed_breaks():
    breaks, _ = class_breaks([1.4, 3.58, 5.25], "open_per_1000")
    assert len(breaks) == 2  # three areas, three colours
    assert class_breaks([0.5, 0.99], "closure_rate") == ([0.8, 0.85, 0.9, 0.95], "fixed")
    assert class_breaks([2, 2, 2], "visits") == ([], "equal")
    assert class_breaks([None], "visits") == ([], "none")


def test_colouring_puts_missing_values_in_grey_and_high_bad_values_in_red():
    measures = pd.DataFrame(
        {"area_code": ["a", "b", "c", "d", "e", "f"], "open_per_1000": [1, 2, 3, 4, 50, None]}
    )
    colouring = colour_areas(measures, "open_per_1000")
    assert colouring.by_area["e"][:3] == [179, 0, 30]  # darkest red: the worst
    assert colouring.by_area["f"][:3] == [150, 160, 175]  # no data
    assert colouring.by_area["a"][0] > colouring.by_area["a"][2]  # a light warm tone


def test_fit_view_centres_and_zooms_on_the_box():
    box = (120.24, 30.15, 120.26, 30.17)
    view = fit_view(box, 1000, 800, padding=0)
    assert view.longitude == pytest.approx(120.25)
    assert 30.159 < view.latitude < 30.161
    # At zoom z the world is 512·2^z px wide; the box must fit 1000 × 800 px exactly
    # on its tighter side.
    y = [math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) for lat in (30.15, 30.17)]
    width_world, height_world = 0.02 / 360, (y[1] - y[0]) / (2 * math.pi)
    expected = math.log2(min(1000 / (512 * width_world), 800 / (512 * height_world)))
    assert view.zoom == pytest.approx(expected, abs=0.01)


def test_short_labels():
    assert short_label("第1网格（湘湖安置小区）", "grid") == "第1网格"
    assert short_label("第1网格·微网格01", "micro_grid") == "微网格01"
    assert short_label("湖山社区", "community") == "湖山社区"


def _areas():
    ring = [[120.24, 30.15], [120.26, 30.15], [120.26, 30.17], [120.24, 30.17], [120.24, 30.15]]
    return pd.DataFrame(
        [
            {
                "area_code": "c1",
                "area_name": "湖山社区",
                "level": "community",
                "community_code": "c1",
                "street_code": "s1",
                "street_name": "蜀山街道",
                "community_name": "湖山社区",
                "worker": None,
                "households": 2365,
                "residents": 6858,
                "grids": 3,
                "micro_grids": 20,
                "polygons": [[ring]],
                "bbox": (120.24, 30.15, 120.26, 30.17),
                "label_lon": 120.25,
                "label_lat": 30.16,
            }
        ]
    )


def _incidents():
    return pd.DataFrame(
        columns=[
            "incident_id", "community_code", "street_code", "grid_code", "parent_grid_code",
            "grid_level", "category_name", "reported_at", "due_at", "lat", "lon",
            "age_hours", "overdue_hours",
        ]
    )  # fmt: skip


def test_the_deck_has_no_basemap_and_draws_every_label_character():
    measures = pd.DataFrame({"area_code": ["c1"], "open_per_1000": [2.0]})
    deck = build_deck(
        _areas(), colour_areas(measures, "open_per_1000"), "community", _incidents(),
        "points", None, "desk", MapConfig(),
    )  # fmt: skip
    spec = json.loads(deck.to_json())
    # pydeck's sentinel: Streamlit draws no basemap (None/"" would fetch CARTO's).
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in spec
    text_layer = next(layer for layer in spec["layers"] if layer["@@type"] == "TextLayer")
    assert set("湖山社区") <= set(text_layer["characterSet"])
    assert "Noto Sans CJK SC" in text_layer["fontFamily"]
    assert "湖山社区" in deck.to_json()  # UTF-8, not \\u escapes


def test_a_kept_deck_is_drawn_anew_only_for_new_results():
    from data_access import derived
    from ui.map_view import kept_deck

    derived.clear()
    areas, incidents = _areas(), _incidents()
    before = colour_areas(
        pd.DataFrame({"area_code": ["c1"], "open_per_1000": [2.0]}), "open_per_1000"
    )
    after = colour_areas(
        pd.DataFrame({"area_code": ["c1"], "open_per_1000": [7.5]}), "open_per_1000"
    )

    def deck(colouring, mode="desk"):
        return kept_deck(areas, colouring, "community", incidents, "points", None, mode)

    first = deck(before)
    assert deck(before) is first  # a warm rerun: the same results
    assert deck(before).to_json() is first.to_json()  # encoded once
    refetched, screen = deck(after), deck(before, "screen")
    derived.clear()
    assert refetched is not first and screen is not first

    def tooltips(kept):  # what an area shows: its fill and its tooltip lines
        layer = next(la for la in json.loads(kept.to_json())["layers"] if la["id"] == "areas")
        return [{k: v for k, v in row.items() if k != "polygon"} for row in layer["data"]]

    assert tooltips(refetched) != tooltips(first)  # the new value is what is drawn
    assert tooltips(refetched) == tooltips(
        build_deck(areas, after, "community", incidents, "points", None, "desk")
    )


def test_a_configured_basemap_is_the_only_style_used():
    measures = pd.DataFrame({"area_code": ["c1"], "open_per_1000": [2.0]})
    config = MapConfig(style_url="http://127.0.0.1:8080/style.json", coordinates="gcj02")
    deck = build_deck(
        _areas(), colour_areas(measures, "open_per_1000"), "community", _incidents(),
        "points", None, "desk", config,
    )  # fmt: skip
    spec = json.loads(deck.to_json())
    assert spec["mapStyle"] == "http://127.0.0.1:8080/style.json"


def test_a_3000_community_city_fits_the_2_mb_budget():
    """3,000 communities with 40-vertex outlines (finer than the demo's rectangles),
    prepared as the app prepares them, with labels and tooltips: under 2 MB of JSON."""
    from data_access import geo
    from ui.map_view import deck_bytes

    rows = []
    for n in range(3000):
        lon0, lat0 = 119.5 + (n % 60) * 0.02, 29.8 + (n // 60) * 0.015
        ring = [
            [
                lon0 + 0.008 * math.cos(2 * math.pi * k / 40),
                lat0 + 0.006 * math.sin(2 * math.pi * k / 40),
            ]
            for k in range(40)
        ]
        ring.append(ring[0])
        row = _areas().iloc[0].to_dict()
        for key in ("polygons", "bbox", "label_lon", "label_lat"):
            row.pop(key)
        row.update(
            area_code=f"{n:012d}", community_code=f"{n:012d}", area_name=f"第{n}社区",
            geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
        )  # fmt: skip
        rows.append(row)
    areas = geo.prepare_areas(pd.DataFrame(rows))
    assert len(areas) == 3000
    # Simplified for a city-wide view, yet still an outline, not a triangle.
    assert all(8 <= len(polygons[0][0]) < 41 for polygons in areas["polygons"])
    measures = pd.DataFrame({"area_code": areas["area_code"], "open_per_1000": range(3000)})
    deck = build_deck(
        areas, colour_areas(measures, "open_per_1000"), "community", _incidents(),
        "heat", None, "desk", MapConfig(),
    )  # fmt: skip
    size = deck_bytes(deck)
    print(f"deck JSON, 3,000 communities: {size:,} bytes")
    assert size < 2_000_000


@pytest.mark.parametrize("system", ["wgs84", "gcj02"])
def test_heat_objects_weigh_overdue_incidents_and_skip_unplaced_ones(system):
    incidents = pd.DataFrame(
        {
            "lon": [120.2641234567, None, 120.3],
            "lat": [30.1851234567, 30.2, None],
            "overdue_hours": [5.5, -3.0, 2.0],
        }
    )
    lon, lat = 120.2641234567, 30.1851234567
    if system == "gcj02":
        lon, lat = coords.wgs84_to_gcj02(lon, lat)
    [only] = heat_objects(incidents, system)
    assert only == {"p": [round(lon, 3), round(lat, 3)], "w": 3}
    assert heat_objects(incidents.assign(overdue_hours=-1.0).iloc[:1], system)[0]["w"] == 1


def test_heat_objects_weigh_the_incidents_of_a_cell_together():
    # 20 m apart: one ~110 m cell, one point weighing an overdue (3) and a due one (1);
    # 1 km away, a point of its own.
    incidents = pd.DataFrame(
        {
            "lon": [120.2641, 120.2643, 120.2741],
            "lat": [30.1851, 30.1852, 30.1851],
            "overdue_hours": [5.0, -2.0, 1.0],
        }
    )
    objects = heat_objects(incidents, "wgs84")
    assert objects == [{"p": [120.264, 30.185], "w": 4}, {"p": [120.274, 30.185], "w": 3}]


def test_heat_cells_are_coarser_on_a_whole_city_map_than_on_a_street_map():
    # Two incidents 300 m apart (0.003° of longitude, in one 0.01° cell): on a city's
    # map, opened at a zoom where 0.01° is a few pixels, one point weighing both; on a
    # street's map two points, as before.
    incidents = pd.DataFrame(
        {"lon": [120.2610, 120.2640], "lat": [30.1810, 30.1810], "overdue_hours": [5.0, 5.0]}
    )
    city = fit_view((119.97, 29.88, 120.65, 30.44), 1080, 700)  # the synthetic city
    street = fit_view((120.25, 30.17, 120.28, 30.19), 1080, 700)
    pixels_per_degree = 512 * 2**city.zoom / 360
    assert 0.01 * pixels_per_degree < HEAT_RADIUS_PIXELS / 4  # a cell: a few pixels
    on_city = heat_objects(incidents, "wgs84", heat_decimals(city.zoom))
    on_street = heat_objects(incidents, "wgs84", heat_decimals(street.zoom))
    assert on_city == [{"p": [120.26, 30.18], "w": 6}]
    assert on_street == [{"p": [120.261, 30.181], "w": 3}, {"p": [120.264, 30.181], "w": 3}]


def test_labels_name_each_area_until_there_are_too_many_to_read():
    areas = pd.DataFrame(
        {
            "label_lon": [120.1, 120.2],
            "label_lat": [30.1, 30.2],
            "area_name": ["第1网格（湘湖安置小区）", "第2网格"],
            "level": ["grid", "grid"],
            "bbox": [(120.09, 30.09, 120.11, 30.11), (120.19, 30.19, 120.21, 30.21)],
        }
    )
    found = [c for c in map_layers.candidates(areas, "wgs84", short_label) if c.kind == "area"]
    assert [c.texts[0] for c in found] == ["第1网格", "第2网格"]
    many = pd.concat([areas] * (map_layers.AREA_LABELS_MAX // 2 + 1), ignore_index=True)
    assert len(many) > map_layers.AREA_LABELS_MAX
    assert not [c for c in map_layers.candidates(many, "wgs84", short_label) if c.kind == "area"]


def test_a_label_that_would_overprint_is_shortened_moved_or_left_out():
    """Three labels on one point, 10 px apart: the first keeps its spot, the second
    moves above or below it, and what no spot can take is left out."""
    project = lambda lon, lat: (lon, lat)  # noqa: E731 (the test's map is in pixels)
    same = [
        map_labels.Candidate(("罗婆路社区", "罗婆路"), 100, 100, 16, 1),
        map_labels.Candidate(("塘湾社区", "塘湾"), 100, 100, 16, 2),
    ]
    placed = map_labels.place(same, project, frame=(0, 0, 200, 200))
    assert [p.text for p in placed] == ["罗婆路社区", "塘湾社区"]
    assert placed[0].box[1] >= placed[1].box[3] or placed[1].box[1] >= placed[0].box[3]
    tight = map_labels.place(same, project, frame=(20, 85, 180, 115))  # room for one line
    assert [p.text for p in tight] == ["罗婆路社区"]


def test_too_many_points_are_drawn_merged_by_cell_and_the_legend_says_so():
    few = pd.DataFrame({"incident_id": range(HEAT_POINTS_MAX)})
    many = pd.DataFrame({"incident_id": range(HEAT_POINTS_MAX + 1)})
    assert drawn_style("points", few) == "points"
    assert drawn_style("points", many) == "cells"
    assert drawn_style("heat", many) == "heat"  # heat only when chosen
    assert drawn_style("hidden", many) == "hidden"
    colouring = colour_areas(
        pd.DataFrame({"area_code": ["a", "b"], "open_per_1000": [1.0, 2.0]}), "open_per_1000"
    )
    legend = legend_html(colouring, drawn_style("points", many), 0, chosen_style="points")
    assert f"{HEAT_POINTS_MAX:,}" in legend and "按格合并" in legend
    assert "事件点位" not in legend and "热力" not in legend
    chosen_heat = legend_html(colouring, "heat", 0, chosen_style="heat")
    assert f"{HEAT_POINTS_MAX:,}" not in chosen_heat and "热力" in chosen_heat


def test_merged_cells_are_drawn_as_dots_that_weigh_their_incidents():
    # 5,001 incidents on 3 cells of a street's map (0.001°): 2,000 overdue in the first,
    # 2,000 within their time in the second, 1,001 overdue in the third.
    lon = [120.2611] * 2000 + [120.2641] * 2000 + [120.2671] * 1001
    incidents = _incidents().iloc[:0].reindex(range(5001))
    incidents = incidents.assign(
        lon=lon, lat=30.1811, overdue_hours=[5.0] * 2000 + [-5.0] * 2000 + [1.0] * 1001
    )
    areas = _areas()
    deck = build_deck(
        areas, colour_areas(pd.DataFrame({"area_code": areas["area_code"],
                                          "open_per_1000": 1.0}), "open_per_1000"),
        "community", incidents, "points", None, "desk", MapConfig(),
    )  # fmt: skip
    layers = {layer.id: layer for layer in deck.layers}
    assert "incident-heat" not in layers and "incidents" not in layers
    dots = layers["incident-cells"].data
    assert sorted(d["w"] for d in dots) == [2000, 1001 * 3, 2000 * 3]
    # a dot at the weights' 95th percentile as wide as the 0.001° cells are apart in
    # pixels at the deck's zoom, the others' areas in proportion to their weights
    spacing = 0.001 * 512 * 2**deck.initial_view_state.zoom / 360
    heavy = 3003 + 0.9 * (6000 - 3003)  # linear between the 2nd and 3rd of 3 weights
    radius = {d["w"]: d["r"] for d in dots}
    assert radius[6000] == round(spacing / 2 * math.sqrt(6000 / heavy), 1)
    assert radius[2000] == round(spacing / 2 * math.sqrt(2000 / heavy), 1)
