"""The desk map's geographic context and its labels, as pydeck layers.

Context (ui/map_context.py) lies beneath the warehouse's areas: the districts around,
the district's land, its water, its street lines. Labels are placed once for the view
the map opens at (ui/map_labels.py): the areas' names first, larger areas first, then
the streets', then the water's; a label that would touch another is shortened or left
out, so no two overprint however the scope is framed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk
from pydeck.types import String

from data_access.derived import derived
from ui import map_context, map_labels

# Pixel sizes: what a desk viewer reads at arm's length.
LABEL_SIZE = {"area": 17.0, "street": 14.0, "water": 14.0}
# A district's 324 micro-grids keep their names; a city's 3,000 overprint into a block.
AREA_LABELS_MAX = 400


@dataclass(frozen=True)
class Palette:
    neighbour: list[int]
    land: list[int]
    water: list[int]
    street: list[int]
    district: list[int]
    labels: dict  # kind -> [r, g, b, a]


PALETTES = {
    "desk": Palette([222, 228, 236, 255], [246, 243, 234, 255], [160, 200, 232, 255],
                    [120, 136, 160, 200], [90, 104, 130, 255],
                    {"area": [20, 33, 56, 255], "street": [90, 104, 130, 255],
                     "water": [40, 100, 160, 255]}),
    "screen": Palette([18, 35, 64, 255], [26, 49, 87, 255], [29, 90, 140, 255],
                      [91, 127, 174, 200], [156, 196, 255, 255],
                      {"area": [240, 246, 255, 255], "street": [169, 193, 227, 255],
                       "water": [154, 208, 255, 255]}),
}  # fmt: skip


def context_layers(mode: str, system: str) -> list[pdk.Layer]:
    """Beneath the areas: neighbours, land, water, then street and district lines."""
    palette = PALETTES.get(mode, PALETTES["desk"])

    def polygons(kind: str) -> list[dict]:
        return [
            {"polygon": list(ring)} for f in map_context.features(kind, system) for ring in f.rings
        ]

    def paths(kind: str) -> list[dict]:
        return [
            {"path": list(ring)} for f in map_context.features(kind, system) for ring in f.rings
        ]

    def filled(layer_id: str, kind: str, colour: list[int]) -> pdk.Layer:
        return pdk.Layer(
            "PolygonLayer", data=polygons(kind), id=layer_id, get_polygon="polygon",
            get_fill_color=colour, filled=True, stroked=False, pickable=False,
        )  # fmt: skip

    def lines(layer_id: str, kind: str, colour: list[int], width: float) -> pdk.Layer:
        return pdk.Layer(
            "PathLayer", data=paths(kind), id=layer_id, get_path="path", get_color=colour,
            width_min_pixels=width, get_width=1, pickable=False,
        )  # fmt: skip

    return [
        filled("context-neighbours", "neighbour", palette.neighbour),
        filled("context-land", "district", palette.land),
        lines("context-communities", "community_context", palette.street, 0.6),
        filled("context-water", "water", palette.water),
        lines("context-streets", "street", palette.street, 1.2),
        lines("context-district", "district", palette.district, 2.5),
    ]


# -- labels ---------------------------------------------------------------------------------
def pixel_projection(view: pdk.ViewState, width: float, height: float):
    """(lon, lat) -> pixels of a width × height Web Mercator map opened at `view`."""
    world = 512 * 2**view.zoom

    def mercator(lon: float, lat: float) -> tuple[float, float]:
        x = world * (lon + 180) / 360
        y = world * (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
        return x, y

    centre_x, centre_y = mercator(view.longitude, view.latitude)

    def project(lon: float, lat: float) -> tuple[float, float]:
        x, y = mercator(lon, lat)
        return x - centre_x + width / 2, y - centre_y + height / 2

    return project


def candidates(areas: pd.DataFrame, system: str, short_label) -> list[map_labels.Candidate]:
    found = []
    if len(areas) <= AREA_LABELS_MAX:
        for row in areas.itertuples():
            west, south, east, north = row.bbox
            found.append(
                map_labels.Candidate(
                    map_labels.short_forms(short_label(row.area_name, row.level)),
                    row.label_lon, row.label_lat, LABEL_SIZE["area"],
                    -((east - west) * (north - south)), "area",
                )
            )  # fmt: skip
    for kind, priority in (("street", 1e9), ("water", 2e9)):
        for feature in map_context.features(kind, system):
            found.append(
                map_labels.Candidate(
                    map_labels.short_forms(feature.name), feature.label_lon, feature.label_lat,
                    LABEL_SIZE[kind], priority, kind,
                )
            )  # fmt: skip
    return found


def placed_labels(
    areas: pd.DataFrame, view: pdk.ViewState, width: int, height: int, system: str, short_label
) -> list[map_labels.Placed]:
    """The labels drawn at the opening view (kept while `areas` is the same frame)."""
    return derived(
        "placed_labels",
        (areas,),
        lambda: map_labels.place(
            candidates(areas, system, short_label),
            pixel_projection(view, width, height),
            frame=(0, 0, width, height),
        ),
        view.latitude,
        view.longitude,
        view.zoom,
        width,
        height,
        system,
    )


def label_layer(labels: list[map_labels.Placed], mode: str, font_family: str) -> pdk.Layer:
    palette = PALETTES.get(mode, PALETTES["desk"])
    halo = [255, 255, 255, 230] if mode != "screen" else [8, 16, 30, 235]
    data = [
        {
            "position": [label.lon, label.lat],
            "text": label.text,
            "size": label.size,
            "offset": [round(label.dx, 1), round(label.dy, 1)],
            "color": palette.labels[label.kind],
            "kind": label.kind,
        }
        for label in labels
    ]
    characters = "".join(sorted({ch for label in labels for ch in label.text}))
    return pdk.Layer(
        "TextLayer",
        data=data,
        id="labels",
        get_position="position",
        get_text="text",
        get_color="color",
        get_size="size",
        get_pixel_offset="offset",
        size_units=String("pixels"),
        font_family=String(font_family),
        font_weight=600,
        character_set=String(characters),
        font_settings={"sdf": True, "fontSize": 64, "buffer": 6},
        outline_width=3,
        outline_color=halo,
        get_text_anchor=String("middle"),
        get_alignment_baseline=String("center"),
        pickable=False,
    )
