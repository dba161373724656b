"""How the grid map shows a value: classes and their colours, the incidents' colours by
lateness, numbers and units, the legend's rows. Shared by the desk map's deck
(ui/map_view.py), its legend and side panel (ui/map_panel.py) and the wall's map
(ui/wall_map.py, through map_view's names); split from map_view.py (issue [12]).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import pandas as pd

from data_access import geo
from data_access.derived import derived
from ui.formatting import format_count, format_number, format_rate
from ui.i18n import current_language, t

# Five classes, light to dark. Red for what should be low, blue-green for what
# should be high, so "darker" always means "more" and the colour says which is good.
PALETTE_BAD = [[254, 232, 170], [253, 190, 110], [248, 141, 72], [227, 74, 51], [179, 0, 30]]
PALETTE_GOOD = [[214, 239, 214], [158, 218, 186], [93, 186, 184], [44, 138, 190], [16, 78, 139]]
NO_DATA = [150, 160, 175]
FILL_ALPHA = 215
# Closure rates cluster high; fixed breaks keep "below 80 %" meaning the same in every view.
FIXED_BREAKS = {"closure_rate": [0.8, 0.85, 0.9, 0.95]}
QUANTILES = (0.2, 0.4, 0.6, 0.8)  # quintiles, when there are five areas or more

POINT_OVERDUE = [230, 46, 60]
POINT_DUE_SOON = [255, 163, 26]
POINT_IN_TIME = [56, 169, 255]
# Incidents merged by cell: dark, so the dots read on every class of the areas' colours
CELL_DOT = [22, 40, 70]
DUE_SOON_HOURS = 24


def point_colour(overdue_hours: float) -> list[int]:
    if overdue_hours > 0:
        return POINT_OVERDUE
    if overdue_hours > -DUE_SOON_HOURS:
        return POINT_DUE_SOON
    return POINT_IN_TIME


def _quantile(sorted_values: list[float], q: float) -> float:
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def class_breaks(values, measure: str) -> tuple[list[float], str]:
    """(upper-open class limits, method): 'fixed', 'quantile', 'equal' or 'none'."""
    if measure in FIXED_BREAKS:
        return list(FIXED_BREAKS[measure]), "fixed"
    present = sorted(float(v) for v in values if v is not None and not pd.isna(v))
    if not present:
        return [], "none"
    if present[0] == present[-1]:
        return [], "equal"
    # Never more classes than areas: three grids get three colours, not five.
    classes = min(len(QUANTILES) + 1, len(present))
    limits = []
    for q in [i / classes for i in range(1, classes)]:
        limit = _quantile(present, q)
        if limit > present[0] and (not limits or limit > limits[-1]):
            limits.append(limit)
    return limits, "quantile"


def class_of(value, breaks: list[float]) -> int | None:
    """0 … len(breaks): the class a value falls in (a value equal to a limit goes up)."""
    if value is None or pd.isna(value):
        return None
    return bisect.bisect_right(breaks, float(value))


def class_colours(measure: str, classes: int) -> list[list[int]]:
    palette = PALETTE_BAD if geo.MEASURES[measure][2] else PALETTE_GOOD
    if classes <= 1:
        return [palette[2]]
    return [palette[round(i * (len(palette) - 1) / (classes - 1))] for i in range(classes)]


@dataclass
class Colouring:
    measure: str
    breaks: list[float]
    method: str
    colours: list[list[int]]
    by_area: dict[str, list[int]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)


def colour_areas(measures: pd.DataFrame, measure: str) -> Colouring:
    """Kept while `measures` is the same frame (data_access.derived)."""
    return derived("colour_areas", (measures,), lambda: _colour_areas(measures, measure), measure)


def _colour_areas(measures: pd.DataFrame, measure: str) -> Colouring:
    column = geo.MEASURES[measure][0]
    values = dict(zip(measures["area_code"], measures[column], strict=True))
    breaks, method = class_breaks(values.values(), measure)
    colours = class_colours(measure, len(breaks) + 1)
    by_area = {}
    for code, value in values.items():
        index = class_of(value, breaks)
        by_area[code] = [*(NO_DATA if index is None else colours[index]), FILL_ALPHA]
    return Colouring(measure, breaks, method, colours, by_area, values)


def format_measure(value, measure: str) -> str:
    if measure in ("closure_rate", "participation"):
        return format_rate(value)
    if measure == "visits":
        return format_count(value, current_language())
    return format_number(value, 2)


def measure_unit(measure: str) -> str:
    if measure in ("closure_rate", "participation"):
        return t("map.unit.rate")
    if measure == "visits":
        return t("map.unit.visits")
    return t("map.unit.per_1000")


def legend_rows(colouring: Colouring) -> list[tuple[list[int], str]]:
    """(colour, range text) per class, then 'no data'."""
    b, measure = colouring.breaks, colouring.measure
    if not b:
        rows = [(colouring.colours[0], t("map.legend.equal"))] if colouring.method != "none" else []
    else:
        rows = []
        for i, colour in enumerate(colouring.colours):
            if i == 0:
                text = f"< {format_measure(b[0], measure)}"
            elif i == len(b):
                text = f"≥ {format_measure(b[-1], measure)}"
            else:
                text = f"{format_measure(b[i - 1], measure)} – {format_measure(b[i], measure)}"
            rows.append((colour, text))
    if any(value is None for value in colouring.values.values()):
        rows.append((NO_DATA, t("map.legend.no_data")))
    return rows


def count_text(value) -> str:
    return format_count(value, current_language()) if value is not None else "—"


def clean_value(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value
